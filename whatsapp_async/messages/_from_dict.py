"""Plain data (JSON, CSV, a job queue) -> the typed parts nested inside a message.

``message_from_dict`` picks the message class by ``type``; the parts inside it (buttons,
sections, headers, template parameters, cards) are converted here. Nested Structs that a
union cannot tell apart are picked by their ``type`` (or ``sub_type``) key, else by the keys
only they have, which is also what ``msgspec.to_builtins`` of them gives back.

Example::

    nested_fields("template", {"body": [{"type": "date_time", "fallback_value": "today"}]})
    # {'body': [DateTime(fallback_value='today')]}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from ..errors import ValidationError
from ._basic import Document, Image, Location, Video
from ._commerce import ProductSection
from ._contacts import Contact
from ._interactive import ListSection, ReplyButton
from ._template_parts import (
    CatalogButton,
    Currency,
    DateTime,
    FlowButton,
    LimitedTimeOffer,
    MultiProductButton,
    ProductHeader,
    TemplateButton,
    TemplateCard,
)

__all__ = ["nested_fields"]

_MEDIA: dict[str, type[Any]] = {
    "image": Image,
    "video": Video,
    "document": Document,
    "location": Location,
}
_BUTTONS: dict[str, type[Any]] = {
    "flow": FlowButton,
    "catalog": CatalogButton,
    "mpm": MultiProductButton,
}


def _build(cls: type[Any], data: Any) -> Any:
    # The constructors check types and values themselves (and take upper-case sub_types).
    if not isinstance(data, Mapping):
        raise ValidationError(f"a {cls.__name__} given as data must be a JSON object")
    return cls(**data)


def _without_type(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "type"}


def _header(value: Any, *, card: bool = False) -> Any:
    """A header value: a media/location object, a product, a currency, a named text, text."""
    if not isinstance(value, Mapping):
        return value
    kind = value.get("type")
    if isinstance(kind, str) and kind in _MEDIA:
        return _build(_MEDIA[kind], _without_type(value))
    if kind == "product" or {"catalog_id", "product_retailer_id"} <= value.keys():
        return _build(ProductHeader, _without_type(value))
    if kind == "currency" or "amount_1000" in value:
        return _build(Currency, _without_type(value))
    if card or {"link", "id", "file"} & value.keys():
        raise ValidationError(
            "a media header given as data needs its 'type' (image, video, document, location "
            "or product)",
            field="template.header",
        )
    return dict(value)  # a named text parameter: {name: text}


def _value(value: Any) -> Any:
    """A body value: text, or a currency / date_time object."""
    if not isinstance(value, Mapping):
        return value
    kind = value.get("type")
    if kind == "currency" or "amount_1000" in value:
        return _build(Currency, _without_type(value))
    if kind == "date_time" or value.keys() <= {"type", "fallback_value"}:
        return _build(DateTime, _without_type(value))
    raise ValidationError(
        "a template body parameter given as data is text or a {'type': 'currency' | "
        "'date_time', ...} object",
        field="template.body",
    )


def _body(body: Any) -> Any:
    if isinstance(body, Mapping):
        return {name: _value(v) for name, v in body.items()}
    if isinstance(body, list):
        return [_value(v) for v in body]
    return body


def _button(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    sub_type = value.get("sub_type")
    cls = _BUTTONS.get(str(sub_type).lower()) if sub_type is not None else None
    if cls is None and sub_type is None:
        # msgspec.to_builtins of an action button has no sub_type: its keys say which it is.
        if "sections" in value:
            cls = MultiProductButton
        elif "thumbnail_product_retailer_id" in value:
            cls = CatalogButton
        elif "flow_token" in value or "data" in value:
            cls = FlowButton
    if cls is None:
        return _build(TemplateButton, value)
    fields = {k: v for k, v in value.items() if k != "sub_type"}
    if cls is MultiProductButton and isinstance(fields.get("sections"), list):
        fields["sections"] = msgspec.convert(fields["sections"], list[ProductSection])
    return _build(cls, fields)


def _buttons(value: Any) -> Any:
    return [_button(b) for b in value] if isinstance(value, list) else value


def _card(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    fields = dict(value)
    header = fields.get("header")
    kind = fields.get("header_type")
    if isinstance(header, Mapping) and "type" not in header and isinstance(kind, str):
        # The card's own header_type says what a plain-data header is (see TemplateCard).
        header = {**header, "type": kind}
    if "header" in fields:
        fields["header"] = _header(header, card=True)
    if "body" in fields:
        fields["body"] = _body(fields["body"])
    if "buttons" in fields:
        fields["buttons"] = [_build(TemplateButton, b) for b in fields["buttons"]]
    return TemplateCard(**fields)


def _list_of(cls: type[Any]) -> Callable[[Any], Any]:
    return lambda value: msgspec.convert(value, list[cls])  # type: ignore[valid-type]


def _template(fields: dict[str, Any]) -> None:
    if "header" in fields:
        fields["header"] = _header(fields["header"])
    if "body" in fields:
        fields["body"] = _body(fields["body"])
    if "buttons" in fields:
        fields["buttons"] = _buttons(fields["buttons"])
    if isinstance(fields.get("cards"), list):
        fields["cards"] = [_card(c) for c in fields["cards"]]
    if isinstance(fields.get("offer"), Mapping):
        fields["offer"] = msgspec.convert(fields["offer"], LimitedTimeOffer)


def _media_header(fields: dict[str, Any]) -> None:
    header = fields.get("header")
    if isinstance(header, Mapping):
        kind = header.get("type")
        if not isinstance(kind, str) or kind not in ("image", "video", "document"):
            raise ValidationError(
                "a media header given as data needs its 'type' (image, video or document)",
                field="header",
            )
        fields["header"] = _build(_MEDIA[kind], _without_type(header))


_NESTED: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {
    "buttons": (("buttons", _list_of(ReplyButton)),),
    "list": (("sections", _list_of(ListSection)),),
    "contacts": (("contacts", _list_of(Contact)),),
    "product_list": (("sections", _list_of(ProductSection)),),
}
_WHOLE: dict[str, Callable[[dict[str, Any]], None]] = {
    "template": _template,
    "buttons": _media_header,
    "cta_url": _media_header,
}


def nested_fields(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a ``kind`` message with their nested parts converted to the model's types.

    Raises ``msgspec.ValidationError``, ``TypeError`` or ``ValidationError`` on bad data.

    Example::

        nested_fields("list", {"sections": [{"title": "A", "rows": [{"id": "1", "title": "One"}]}]})
    """
    fields = dict(data)
    for name, convert in _NESTED.get(kind, ()):
        if name in fields:
            fields[name] = convert(fields[name])
    whole = _WHOLE.get(kind)
    if whole is not None:
        whole(fields)
    return fields
