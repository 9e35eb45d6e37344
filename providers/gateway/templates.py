"""Templates on the gateway: unified ``Template`` -> Meta-style components, and the listing.

The gateway takes Meta-style ``components`` and sends them on to Meta (its ids are wamids),
so the shared Cloud API builder makes them, with Meta's limits. It documents text
parameters only ("parameter objects with type and text fields", seed 002), so a media,
location, product, currency or date_time parameter has no documented spelling and is refused
with ``UnsupportedFeature`` before any request; so are the buttons whose parameter is an
``action`` object (Flow, catalogue, multi-product) and the carousel and limited-time-offer
components (their parameters are media and offer objects). Quick-reply, URL and coupon
buttons keep working as they did, and an authentication template's ``otp=`` (a text body
parameter and a URL button) is expressible. ``components=`` passes a raw list through for
anything else.

Example::

    build_components(Template("appointment_reminder", language="es", body=["Ada", "10:00"]))
    # [TemplateComponent(type='body', parameters=[TemplateParameter(type='text', text='Ada'), ...])]
"""

from __future__ import annotations

from typing import Any

import msgspec

from whatsapp_async.provider import Template, TemplateComponentInfo, TemplateInfo, cloudapi

from .error_map import PROVIDER
from .wire import TemplateEntry

__all__ = ["GATEWAY_TEMPLATE_FEATURES", "TEMPLATE_RULES", "build_components", "template_info"]

GATEWAY_TEMPLATE_FEATURES = frozenset(
    {"text_header", "quick_reply_button", "url_button", "copy_code_button", "otp", "components"}
)
"""The template features the gateway expresses (its ``Capabilities.template_features``)."""

TEMPLATE_RULES = cloudapi.TemplateRules(
    provider=PROVIDER,
    parameter_kinds=frozenset({"text"}),
    button_kinds=frozenset({"quick_reply", "url", "copy_code"}),
    component_kinds=frozenset(),
)
"""The gateway's documented parameters are text only (seed 002, PROVIDER_FACTS §4).

Example::

    cloudapi.build_components(Template("t", header="Hi"), TEMPLATE_RULES)
"""


def build_components(template: Template) -> list[Any]:
    """The ``components`` list for ``template`` (raw ``components=`` are passed through).

    Always a list: the gateway's send-template body requires ``components``, so a template
    without parameters sends ``[]``. Raises ``UnsupportedFeature`` for a non-text header and
    ``ValidationError`` for what Meta would refuse, before any request.

    Example::

        build_components(Template("order_update", body={"name": "Ada"}))
        # [TemplateComponent(type='body', parameters=[
        #     TemplateParameter(type='text', parameter_name='name', text='Ada')])]
    """
    return cloudapi.build_components(template, TEMPLATE_RULES) or []


def template_info(entry: Any) -> TemplateInfo | None:
    """One listed template as a :class:`TemplateInfo`, or None when the entry is unusable.

    Example::

        template_info({"name": "appointment_reminder", "language": "es", "status": "APPROVED",
                       "components": [{"type": "BODY", "text": "Hola {{1}}"}]}).components[0].text
        # 'Hola {{1}}'
    """
    if not isinstance(entry, dict):
        return None
    try:
        parsed = msgspec.convert(entry, TemplateEntry)
    except msgspec.ValidationError:
        return None
    return TemplateInfo(
        name=parsed.name,
        language=parsed.language,
        status=parsed.status,
        category=parsed.category,
        id=None if parsed.id is None else str(parsed.id),
        components=[
            TemplateComponentInfo(
                type=component.type,
                format=component.format,
                text=component.text,
                buttons=component.buttons,
            )
            for component in parsed.components
        ],
        raw=entry,
    )
