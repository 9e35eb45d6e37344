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

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Union

import msgspec

from .errors import ValidationError

__all__ = [
    "Audio",
    "Buttons",
    "Contact",
    "ContactAddress",
    "ContactEmail",
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
    "Text",
    "Video",
    "message_from_dict",
]


class Text(msgspec.Struct, frozen=True):
    """A plain text message.

    Example::

        Text("See https://example.com", preview_url=True)
    """

    body: str
    preview_url: bool = False
    kind: ClassVar[str] = "text"

    def __post_init__(self) -> None:
        if not isinstance(self.body, str) or not self.body.strip():
            raise ValidationError("text body must be a non-empty string", field="text.body")


class Media(msgspec.Struct, frozen=True, kw_only=True):
    """Common shape of media messages: exactly one of ``link`` (http/https), ``id`` or ``file``.

    ``file`` is a local file (a path, or bytes with ``mime_type``): providers
    that host media (Meta) get it uploaded first and sent by id; providers that
    take inline data (Pilot) get it inline; others raise ``UnsupportedFeature``.
    Use a concrete subclass (:class:`Image`, :class:`Video`, ...).
    """

    link: str | None = None
    id: str | None = None
    file: str | bytes | os.PathLike[str] | None = None
    mime_type: str | None = None
    caption: str | None = None
    kind: ClassVar[str] = "media"

    def __post_init__(self) -> None:
        name = self.kind
        if isinstance(self.file, os.PathLike):
            msgspec.structs.force_setattr(self, "file", os.fspath(self.file))
        given = [k for k in ("link", "id", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValidationError(
                f"{name} needs exactly one of link=, id= or file= (got "
                f"{' and '.join(given) if given else 'neither'})",
                field=f"{name}.link",
            )
        if isinstance(self.file, bytes) and not self.mime_type:
            raise ValidationError(f"{name} from bytes needs mime_type=", field=f"{name}.mime_type")
        if self.link is not None and not self.link.lower().startswith(("http://", "https://")):
            raise ValidationError(
                f"{name}.link must be an http(s) URL, got {self.link[:40]!r}",
                field=f"{name}.link",
            )
        if self.id is not None and not self.id.strip():
            raise ValidationError(f"{name}.id must not be empty", field=f"{name}.id")


class Image(Media, frozen=True, kw_only=True):
    """An image by public URL or uploaded media id.

    Example::

        Image(link="https://example.com/a.png", caption="A")
    """

    kind: ClassVar[str] = "image"


class Video(Media, frozen=True, kw_only=True):
    """A video by public URL or uploaded media id.

    Example::

        Video(id="1013859600285441", caption="Clip")
    """

    kind: ClassVar[str] = "video"


class Audio(Media, frozen=True, kw_only=True):
    """An audio file by public URL or uploaded media id.

    Example::

        Audio(link="https://example.com/a.ogg")
    """

    kind: ClassVar[str] = "audio"


class Document(Media, frozen=True, kw_only=True):
    """A document; ``filename`` is what the recipient sees.

    Example::

        Document(link="https://example.com/inv.pdf", filename="invoice.pdf")
    """

    filename: str | None = None
    kind: ClassVar[str] = "document"


class Sticker(Media, frozen=True, kw_only=True):
    """A sticker (webp) by URL or media id.

    Example::

        Sticker(id="798882015472548")
    """

    kind: ClassVar[str] = "sticker"


class Location(msgspec.Struct, frozen=True):
    """A map pin.

    Example::

        Location(37.4847, -122.1473, name="HQ", address="1 Hacker Way")
    """

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    kind: ClassVar[str] = "location"

    def __post_init__(self) -> None:
        for field, value, bound in (
            ("latitude", self.latitude, 90.0),
            ("longitude", self.longitude, 180.0),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValidationError(f"location.{field} must be a number", field=field)
            if not -bound <= value <= bound:
                raise ValidationError(
                    f"location.{field} must be within ±{bound:g}, got {value}", field=field
                )


ContactKind = Literal["HOME", "WORK"]


class ContactName(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A contact's name; ``formatted_name`` is required by WhatsApp.

    Example::

        ContactName(formatted_name="Ada Lovelace", first_name="Ada")
    """

    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


class ContactPhone(msgspec.Struct, frozen=True, omit_defaults=True):
    """A phone entry on a contact card.

    Example::

        ContactPhone("+14155550123", type="WORK", wa_id="14155550123")
    """

    phone: str
    type: ContactKind | None = None
    wa_id: str | None = None


class ContactEmail(msgspec.Struct, frozen=True, omit_defaults=True):
    """An email entry on a contact card.

    Example::

        ContactEmail("ada@example.com", type="WORK")
    """

    email: str
    type: ContactKind | None = None


class ContactUrl(msgspec.Struct, frozen=True, omit_defaults=True):
    """A URL entry on a contact card.

    Example::

        ContactUrl("https://example.com", type="WORK")
    """

    url: str
    type: ContactKind | None = None


class ContactAddress(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A postal address on a contact card.

    Example::

        ContactAddress(street="1 Hacker Way", city="Menlo Park", country_code="US")
    """

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: ContactKind | None = None


class ContactOrg(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Organisation details on a contact card.

    Example::

        ContactOrg(company="Acme", title="CTO")
    """

    company: str | None = None
    department: str | None = None
    title: str | None = None


class Contact(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One contact card.

    Example::

        Contact(name=ContactName(formatted_name="Ada"), phones=[ContactPhone("+14155550123")])
    """

    name: ContactName
    phones: tuple[ContactPhone, ...] = ()
    emails: tuple[ContactEmail, ...] = ()
    urls: tuple[ContactUrl, ...] = ()
    addresses: tuple[ContactAddress, ...] = ()
    org: ContactOrg | None = None
    birthday: str | None = None


class Contacts(msgspec.Struct, frozen=True):
    """One or more contact cards.

    Example::

        Contacts([Contact(name=ContactName(formatted_name="Ada"))])
    """

    contacts: Sequence[Contact]
    kind: ClassVar[str] = "contacts"

    def __post_init__(self) -> None:
        if not self.contacts:
            raise ValidationError("contacts needs at least one Contact", field="contacts")
        if not all(isinstance(c, Contact) for c in self.contacts):
            raise ValidationError("contacts must be Contact objects", field="contacts")


class Reaction(msgspec.Struct, frozen=True):
    """An emoji reaction to a message id; an empty ``emoji`` removes the reaction.

    Example::

        Reaction("wamid.HBgL...", "👍")
    """

    message_id: str
    emoji: str
    kind: ClassVar[str] = "reaction"

    def __post_init__(self) -> None:
        if not self.message_id.strip():
            raise ValidationError("reaction.message_id must not be empty", field="message_id")


TemplateButtonType = Literal["quick_reply", "url", "copy_code"]


class TemplateButton(msgspec.Struct, frozen=True, kw_only=True):
    """A parameter for one of a template's buttons.

    ``index`` is the button's position in the template (defaults to its
    position in ``Template.buttons``); ``value`` is the quick-reply payload,
    the URL suffix, or the coupon code.

    Example::

        TemplateButton(sub_type="url", value="order/1234", index=0)
    """

    sub_type: TemplateButtonType
    value: str
    index: int | None = None


TemplateHeader = Union[str, "Image", "Video", "Document", "Location"]


class _Named(msgspec.Struct, frozen=True):
    name: str


class Template(_Named, frozen=True, kw_only=True):
    """A pre-approved template.

    ``body`` takes positional parameters (a list, filling ``{{1}}``, ``{{2}}``...)
    or named ones (a mapping, filling ``{{name}}``). ``header`` is a text
    parameter or a media/location header. ``components`` is Meta's raw
    component list, passed through as is (it excludes body/header/buttons).

    Example::

        Template("order_update", body={"name": "Ada", "order": "#1234"}, language="en_US")
    """

    language: str = "en_US"
    body: Sequence[str] | Mapping[str, str] = ()
    header: str | Image | Video | Document | Location | None = None
    buttons: Sequence[TemplateButton] = ()
    components: Sequence[Mapping[str, Any]] | None = None
    kind: ClassVar[str] = "template"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError("template name must not be empty", field="template.name")
        if not self.language:
            raise ValidationError("template language must not be empty", field="template.language")
        if isinstance(self.body, str):
            raise ValidationError(
                "template body takes a list (positional) or a mapping (named), not a string",
                field="template.body",
            )
        values = self.body.values() if isinstance(self.body, Mapping) else self.body
        for value in values:
            if not isinstance(value, str):
                raise ValidationError(
                    f"template body parameters must be strings, got {type(value).__name__}",
                    field="template.body",
                )
        if self.components is not None and (self.body or self.header or self.buttons):
            raise ValidationError(
                "template components= is a raw passthrough; do not combine it with "
                "body=, header= or buttons=",
                field="template.components",
            )

    @property
    def named(self) -> bool:
        """True when the body parameters are named (a mapping)."""
        return isinstance(self.body, Mapping)


class ReplyButton(msgspec.Struct, frozen=True):
    """A quick-reply button of an interactive :class:`Buttons` message.

    Example::

        ReplyButton("yes", "Yes, please")
    """

    id: str
    title: str


class Buttons(msgspec.Struct, frozen=True):
    """An interactive message with reply buttons.

    Example::

        Buttons("Confirm?", [ReplyButton("y", "Yes"), ReplyButton("n", "No")], footer="Acme")
    """

    body: str
    buttons: Sequence[ReplyButton]
    header: str | Image | Video | Document | None = None
    footer: str | None = None
    kind: ClassVar[str] = "buttons"

    def __post_init__(self) -> None:
        if not self.body.strip():
            raise ValidationError("buttons body must not be empty", field="buttons.body")
        if not self.buttons:
            raise ValidationError("buttons needs at least one ReplyButton", field="buttons")


class ListRow(msgspec.Struct, frozen=True):
    """One selectable row of a list message.

    Example::

        ListRow("ship-1", "Standard", "3-5 days")
    """

    id: str
    title: str
    description: str | None = None


class ListSection(msgspec.Struct, frozen=True):
    """A titled group of rows.

    Example::

        ListSection("Shipping", [ListRow("std", "Standard")])
    """

    title: str
    rows: Sequence[ListRow]


class ListMessage(msgspec.Struct, frozen=True):
    """An interactive list: a button that opens sections of rows.

    Example::

        ListMessage("Pick one", "Options", [ListSection("A", [ListRow("1", "One")])])
    """

    body: str
    button: str
    sections: Sequence[ListSection]
    header: str | None = None
    footer: str | None = None
    kind: ClassVar[str] = "list"

    def __post_init__(self) -> None:
        if not self.body.strip():
            raise ValidationError("list body must not be empty", field="list.body")
        if not self.button.strip():
            raise ValidationError("list button label must not be empty", field="list.button")
        if not self.sections or not any(s.rows for s in self.sections):
            raise ValidationError("list needs at least one section with a row", field="sections")


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
