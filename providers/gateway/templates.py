"""Templates on the gateway: unified ``Template`` -> Meta-style components, and the listing.

The gateway takes Meta-style ``components`` whose parameters are objects with
``type`` and ``text``; it documents text parameters only, so a media or
location header has no documented spelling and is refused before any request
(``components=`` passes a raw list through for anything else).

Example::

    build_components(Template("appointment_reminder", language="es", body=["Ada", "10:00"]))
    # [TemplateComponent(type='body', parameters=[TemplateParameter(type='text', text='Ada'), ...])]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from whatsapp_async.provider import (
    Template,
    TemplateButton,
    TemplateComponentInfo,
    TemplateInfo,
    UnsupportedFeature,
    ValidationError,
)

from .error_map import PROVIDER
from .wire import TemplateComponent, TemplateEntry, TemplateParameter

__all__ = ["build_components", "template_info"]


def build_components(template: Template) -> list[Any]:
    """The ``components`` list for ``template`` (raw ``components=`` are passed through).

    Raises ``UnsupportedFeature`` for a non-text header and ``ValidationError``
    for a malformed raw component, before any request.

    Example::

        build_components(Template("order_update", body={"name": "Ada"}))
        # [TemplateComponent(type='body', parameters=[
        #     TemplateParameter(type='text', text='Ada', parameter_name='name')])]
    """
    if template.components is not None:
        return [_raw_component(component) for component in template.components]
    components: list[Any] = []
    if template.header is not None:
        if not isinstance(template.header, str):
            kind = getattr(template.header, "kind", type(template.header).__name__)
            raise UnsupportedFeature(
                f"{PROVIDER} documents text template parameters only; a {kind} header has no "
                f"documented form (pass raw components= if your gateway accepts one)",
                provider=PROVIDER,
                feature=f"template.header.{kind}",
            )
        components.append(
            TemplateComponent(
                type="header", parameters=[TemplateParameter(type="text", text=template.header)]
            )
        )
    if template.body:
        if isinstance(template.body, Mapping):
            # Named parameters keep their names, as Meta's components spell them.
            parameters = [
                TemplateParameter(type="text", text=value, parameter_name=name)
                for name, value in template.body.items()
            ]
        else:
            parameters = [TemplateParameter(type="text", text=value) for value in template.body]
        components.append(TemplateComponent(type="body", parameters=parameters))
    for position, button in enumerate(template.buttons):
        components.append(_button(button, position))
    return components


def _button(button: TemplateButton, position: int) -> TemplateComponent:
    index = position if button.index is None else button.index
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValidationError(
            f"template button index must be a non-negative integer, got {index!r}",
            provider=PROVIDER,
            field="template.buttons.index",
        )
    if button.sub_type == "url":
        parameter = TemplateParameter(type="text", text=button.value)
    elif button.sub_type == "quick_reply":
        parameter = TemplateParameter(type="payload", payload=button.value)
    else:
        parameter = TemplateParameter(type="coupon_code", coupon_code=button.value)
    return TemplateComponent(
        type="button", sub_type=button.sub_type, index=str(index), parameters=[parameter]
    )


def _raw_component(component: Any) -> dict[str, Any]:
    if not isinstance(component, Mapping) or not isinstance(component.get("type"), str):
        raise ValidationError(
            "template components= must be mappings with a string 'type' (header, body or button)",
            provider=PROVIDER,
            field="template.components",
        )
    return dict(component)


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
