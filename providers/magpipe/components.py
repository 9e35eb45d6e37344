"""The unified ``Template`` -> Meta's template ``components`` JSON (Magpipe passes it on as is).

Magpipe's template endpoint hands ``components`` to Meta's Cloud API unchanged,
so this builds exactly what Meta documents: a ``header`` component (a text
parameter or a media/location object), a ``body`` component with positional or
named (``parameter_name``) text parameters, and one ``button`` component per
button parameter with ``sub_type`` and a zero-based ``index``. Limits Meta
documents for send-time parameters are checked here, before any request.

Example::

    build_components(Template("upcoming_site_report", body=["John", "March 20"]))
    # [TemplateComponent(type="body", parameters=[TemplateParameter(type="text", text="John"),
    #                                             TemplateParameter(type="text", ...)])]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from whatsapp_async.provider import (
    Document,
    Image,
    Location,
    Template,
    TemplateButton,
    ValidationError,
    Video,
)

from .wire import LocationRef, MediaRef, TemplateComponent, TemplateParameter

__all__ = ["HEADER_TEXT_MAX", "build_components"]

PROVIDER = "magpipe"

HEADER_TEXT_MAX = 60
"""Meta: a header text parameter is at most 60 characters."""
BODY_PARAM_MAX = 32768
"""Meta: a body parameter may reach 32,768 characters when the body is the only component ..."""
BODY_PARAM_MAX_WITH_OTHERS = 1024
"""... and 1,024 when the message also carries a header or buttons."""
BUTTON_INDEX_MAX = 9
"""Meta templates have at most 10 buttons (index 0-9)."""

# Meta names parameters with lowercase letters and underscores; digits are let through
# (several Meta-side examples use them) so a valid name is never refused locally.
_PARAM_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

_BUTTON_PARAMETER_TYPE = {"quick_reply": "payload", "url": "text", "copy_code": "coupon_code"}


def build_components(template: Template) -> list[Any] | None:
    """Meta components for ``template``, or None when it has no parameters at all.

    A raw ``components=`` list is passed through untouched (after checking it
    is a list of JSON objects).

    Example::

        build_components(Template("hello"))  # None: the body key is left out
    """
    if template.components is not None:
        return _raw_components(template.components)
    out: list[Any] = []
    has_others = template.header is not None or bool(template.buttons)
    if template.header is not None:
        out.append(_header(template.header))
    if template.body:
        limit = BODY_PARAM_MAX_WITH_OTHERS if has_others else BODY_PARAM_MAX
        out.append(_body(template.body, limit))
    out.extend(_buttons(template.buttons))
    return out or None


def _raw_components(components: Any) -> list[Any]:
    if isinstance(components, (str, bytes)) or not hasattr(components, "__iter__"):
        raise _invalid("template components must be a list of JSON objects", "components")
    items = list(components)
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _invalid(
                f"template components[{position}] must be a JSON object, got {type(item).__name__}",
                "components",
            )
    return [dict(item) for item in items]


def _header(header: str | Image | Video | Document | Location) -> TemplateComponent:
    if isinstance(header, str):
        _check_text(header, "template.header", HEADER_TEXT_MAX)
        parameter = TemplateParameter(type="text", text=header)
    elif isinstance(header, Location):
        parameter = TemplateParameter(
            type="location",
            location=LocationRef(
                latitude=header.latitude,
                longitude=header.longitude,
                name=header.name,
                address=header.address,
            ),
        )
    elif isinstance(header, (Image, Video, Document)):
        if header.caption:
            raise _invalid(
                "a template header's media takes no caption (the template defines the text)",
                "template.header",
            )
        ref = MediaRef(
            link=header.link,
            id=header.id,
            filename=header.filename if isinstance(header, Document) else None,
        )
        parameter = TemplateParameter(type=header.kind)
        # The media object sits under the key named by its type: {"type": "image", "image": ...}
        setattr(parameter, header.kind, ref)
    else:
        raise _invalid(
            "template header must be text, Image, Video, Document or Location, "
            f"got {type(header).__name__}",
            "template.header",
        )
    return TemplateComponent(type="header", parameters=[parameter])


def _body(body: Any, limit: int) -> TemplateComponent:
    parameters: list[TemplateParameter] = []
    if isinstance(body, Mapping):
        for name, value in body.items():
            if not isinstance(name, str) or not _PARAM_NAME.match(name):
                raise _invalid(
                    f"template body parameter name {name!r} must use lowercase letters, "
                    "digits and underscores (Meta's named-parameter syntax)",
                    "template.body",
                )
            _check_text(value, f"template.body[{name!r}]", limit)
            parameters.append(TemplateParameter(type="text", parameter_name=name, text=value))
    else:
        for position, value in enumerate(body):
            _check_text(value, f"template.body[{position}]", limit)
            parameters.append(TemplateParameter(type="text", text=value))
    return TemplateComponent(type="body", parameters=parameters)


def _buttons(buttons: Any) -> list[TemplateComponent]:
    out: list[TemplateComponent] = []
    seen: set[int] = set()
    for position, button in enumerate(buttons):
        if not isinstance(button, TemplateButton):
            raise _invalid(
                f"template buttons[{position}] must be a TemplateButton", "template.buttons"
            )
        index = position if button.index is None else button.index
        if isinstance(index, bool) or not isinstance(index, int):
            raise _invalid(f"template button index must be an integer, got {index!r}", "index")
        if not 0 <= index <= BUTTON_INDEX_MAX:
            raise _invalid(
                f"template button index must be 0-{BUTTON_INDEX_MAX}, got {index}",
                "template.buttons",
            )
        if index in seen:
            raise _invalid(f"two template buttons share index {index}", "template.buttons")
        seen.add(index)
        parameter_type = _BUTTON_PARAMETER_TYPE.get(button.sub_type)
        if parameter_type is None:
            raise _invalid(
                f"template button sub_type must be one of {', '.join(_BUTTON_PARAMETER_TYPE)}, "
                f"got {button.sub_type!r}",
                "template.buttons",
            )
        _check_text(button.value, f"template.buttons[{position}].value", None)
        out.append(
            TemplateComponent(
                type="button",
                sub_type=button.sub_type,
                index=str(index),
                parameters=[_button_parameter(parameter_type, button.value)],
            )
        )
    return out


def _button_parameter(parameter_type: str, value: str) -> TemplateParameter:
    parameter = TemplateParameter(type=parameter_type)
    # The value sits under the key named by its type: {"type": "payload", "payload": ...}
    setattr(parameter, parameter_type, value)
    return parameter


def _check_text(value: Any, field: str, limit: int | None) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{field} must be a non-empty string", field)
    if limit is not None and len(value) > limit:
        raise _invalid(f"{field} is {len(value)} characters; Meta allows at most {limit}", field)


def _invalid(message: str, field: str) -> ValidationError:
    return ValidationError(message, provider=PROVIDER, field=field)
