"""The unified message model: one set of types for every provider.

Messages are immutable msgspec Structs. Checks that hold for every provider
(empty text, a media object with both or neither of ``id``/``link``, a link that
is not http(s)) run at construction and raise :class:`ValidationError`; limits
that one provider documents (Meta's 4096-character text, for instance) are
checked by that provider before any request.

Example::

    from whatsapp_async import Text, Image, Template

    Text("Your order has shipped", preview_url=True)
    Image(link="https://example.com/receipt.png", caption="Receipt")
    Template("order_update", body=["Ada", "#1234"])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import msgspec

from ..errors import ValidationError
from ._basic import Audio, Document, Image, Location, Media, Reaction, Sticker, Text, Video
from ._contacts import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactKind,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
)
from ._interactive import Buttons, ListMessage, ListRow, ListSection, ReplyButton
from ._template import Template, TemplateButton, TemplateButtonType, TemplateHeader

__all__ = [
    "MESSAGE_KINDS",
    "Audio",
    "Buttons",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactKind",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "Contacts",
    "Document",
    "Image",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "Media",
    "Message",
    "Reaction",
    "ReplyButton",
    "Sticker",
    "Template",
    "TemplateButton",
    "TemplateButtonType",
    "TemplateHeader",
    "Text",
    "Video",
    "message_from_dict",
]


Message = Union[
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    Template,
    Buttons,
    ListMessage,
]
"""Any message the SDK can send."""

MESSAGE_KINDS: tuple[str, ...] = (
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "template",
    "buttons",
    "list",
)
"""Every ``kind`` a message can have, in display order."""


_BY_KIND: dict[str, type[Any]] = {
    cls.kind: cls
    for cls in (
        Text,
        Image,
        Video,
        Audio,
        Document,
        Sticker,
        Location,
        Contacts,
        Reaction,
        Template,
        Buttons,
        ListMessage,
    )
}


_NESTED: dict[str, tuple[tuple[str, type[Any]], ...]] = {
    "template": (("buttons", TemplateButton),),
    "buttons": (("buttons", ReplyButton),),
    "list": (("sections", ListSection),),
    "contacts": (("contacts", Contact),),
}


def message_from_dict(data: Mapping[str, Any]) -> Message:
    """Build a message from plain data: ``{"type": <kind>, ...fields}`` (JSON, CSV, config).

    Example::

        >>> message_from_dict({"type": "text", "body": "hi"})
        Text(body='hi', preview_url=False)
        >>> message_from_dict({"type": "template", "name": "hello", "body": ["Ada"]}).name
        'hello'
    """
    if not isinstance(data, Mapping):
        raise ValidationError("a message must be a JSON object with a 'type'")
    fields = dict(data)
    kind = fields.pop("type", None)
    cls = _BY_KIND.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError(
            f"unknown message type {kind!r}; types: {', '.join(MESSAGE_KINDS)}", field="type"
        )
    try:
        for name, element in _NESTED.get(kind, ()):
            if name in fields:
                fields[name] = msgspec.convert(fields[name], list[element])  # type: ignore[valid-type]
        if isinstance(fields.get("header"), Mapping):
            # Media/location headers: a union of Structs msgspec cannot pick; decide by "type".
            fields["header"] = message_from_dict(fields["header"])
        message: Message = cls(**fields)
    except msgspec.ValidationError as exc:
        raise ValidationError(f"{kind} message: {exc}", field=kind) from None
    except TypeError as exc:
        raise ValidationError(f"{kind} message: {exc}", field=kind) from None
    return message
