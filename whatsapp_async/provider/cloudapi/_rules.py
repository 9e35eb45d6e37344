"""What one provider can express of Meta's template components: its :class:`TemplateRules`.

The builder (``build_components``) makes every parameter kind, button sub_type and extra
component Meta documents; a provider that relays only some of them says which, and the rest
raise ``UnsupportedFeature`` before any request.

Example::

    >>> rules = TemplateRules(provider="acme", parameter_kinds=frozenset({"text"}))
    >>> sorted(rules.button_kinds)
    ['catalog', 'copy_code', 'flow', 'mpm', 'quick_reply', 'url']
"""

from __future__ import annotations

import msgspec

__all__ = ["BUTTON_KINDS", "COMPONENT_KINDS", "PARAMETER_KINDS", "TemplateRules"]

PARAMETER_KINDS = frozenset(
    {"text", "currency", "date_time", "image", "video", "document", "location", "product"}
)
"""Every header/body parameter kind the builder makes (Meta's ``type`` values).

Example: ``TemplateRules(provider="acme", parameter_kinds=PARAMETER_KINDS - {"location"})``."""

BUTTON_KINDS = frozenset({"quick_reply", "url", "copy_code", "flow", "catalog", "mpm"})
"""Every button ``sub_type`` the builder makes (an authentication template's code button is a
``url`` button)."""

COMPONENT_KINDS = frozenset({"carousel", "limited_time_offer"})
"""The components beyond header, body and buttons the builder makes."""


class TemplateRules(msgspec.Struct, frozen=True, kw_only=True):
    """What one provider passes in: its name, what it can express, its hint for local files.

    - ``parameter_kinds``: the header/body parameter kinds the provider documents;
    - ``button_kinds``: the button ``sub_type`` values it documents;
    - ``component_kinds``: the extra components (carousel, limited-time offer) it documents.

    Anything else raises ``UnsupportedFeature`` before any request.

    Example::

        TemplateRules(provider="gateway", parameter_kinds=frozenset({"text"}))
    """

    provider: str
    parameter_kinds: frozenset[str] = PARAMETER_KINDS
    button_kinds: frozenset[str] = BUTTON_KINDS
    component_kinds: frozenset[str] = COMPONENT_KINDS
    local_file_hint: str = "pass link= (a public URL) or id= instead"
