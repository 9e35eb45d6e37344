"""The platform's rules for messages to a WhatsApp group (Meta's Groups API, facts §6.5).

Meta lets a business send text, media, and text- or media-based templates to a group, and
refuses calls, authentication templates, commerce messages and interactive messages there.
:func:`group_refusal` says why a message may not go to a group (None when it may), so a
provider refuses it before any request. Location, contact and reaction messages are neither
allowed nor refused by Meta's pages (UNKNOWN): they are let through, and Meta decides.

Example::

    >>> from whatsapp_async.messages import Buttons, ReplyButton, Text
    >>> group_refusal(Text("hi")) is None
    True
    >>> group_refusal(Buttons("Pick", [ReplyButton("a", "A")]))
    'interactive messages (buttons) cannot be sent to a group'
"""

from __future__ import annotations

from ...messages import Message, Template, template_features

__all__ = ["GROUP_REFUSED_KINDS", "GROUP_REFUSED_TEMPLATE_FEATURES", "group_refusal"]

GROUP_REFUSED_KINDS = frozenset(
    {
        "buttons",
        "list",
        "cta_url",
        "flow",
        "product",
        "product_list",
        "catalog",
        "location_request",
        "call_permission",
        "voice_call",
        "address_request",
    }
)
"""Message kinds Meta refuses in groups: every interactive kind (commerce and call buttons
are interactive messages too)."""

GROUP_REFUSED_TEMPLATE_FEATURES = {
    "otp": "authentication templates",
    "catalog_button": "commerce templates (catalogue button)",
    "mpm_button": "commerce templates (multi-product button)",
    "product_header": "commerce templates (product header)",
}
"""Template features that make a template one Meta refuses in groups, and what it is."""


def group_refusal(message: Message) -> str | None:
    """Why ``message`` cannot be sent to a group, or None when the platform allows it.

    Example::

        >>> group_refusal(Template("verify_code", otp="123456"))
        'authentication templates cannot be sent to a group'
    """
    if message.kind in GROUP_REFUSED_KINDS:
        return f"interactive messages ({message.kind}) cannot be sent to a group"
    if isinstance(message, Template):
        used = template_features(message)
        for feature, what in GROUP_REFUSED_TEMPLATE_FEATURES.items():
            if feature in used:
                return f"{what} cannot be sent to a group"
    return None
