"""The ``POST /v1/messages/send`` body: built from the unified model, checked before sending.

``build_body`` translates a recipient, a message and the send options into
Pilot's JSON (one destination key, one mode) and deep-merges ``extra``;
``check_body`` then enforces the documented rules on the final body, so fields
added through ``extra`` (labels, URL/call/copy buttons, ...) are held to the
same rules. Every violation is a ``ValidationError`` (or ``InvalidRecipient``
/ ``UnsupportedFeature``) raised before any request.

Example::

    body = build_body(Phone("+5511987654321"), Text("Olá"), SendOptions(), "displayText")
    # {'destinationNumber': '+5511987654321', 'text': 'Olá'}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import msgspec

from whatsapp_async.provider import (
    Audio,
    Buttons,
    Channel,
    CtaUrl,
    DateTime,
    Document,
    Group,
    Image,
    InvalidRecipient,
    Media,
    Message,
    Phone,
    Recipient,
    SendOptions,
    Sticker,
    Template,
    Text,
    UnsupportedFeature,
    User,
    ValidationError,
    Video,
    deep_merge,
)
from whatsapp_async.provider.cloudapi import (
    CTA_DISPLAY_TEXT_MAX,
    INTERACTIVE_BODY_MAX,
    TEXT_BODY_MAX,
    check_max_length,
)

from .media import inline_media
from .wire import HeaderWire, SendBody

__all__ = [
    "MAX_BUTTONS",
    "MAX_HEADER_TEXT",
    "MAX_IDEMPOTENCY_KEY",
    "build_body",
    "check_body",
    "check_idempotency_key",
    "iso8601",
]

PROVIDER = "pilot"
MAX_BUTTONS = 3
MAX_HEADER_TEXT = 60
MAX_FOOTER = 60
MAX_IDEMPOTENCY_KEY = 255

_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")

MEDIA_TYPES = frozenset({"image", "video", "document", "audio", "sticker"})
"""``mediaType`` values this adapter sends. The docs list image, video, document and
audio; the official SDK also types ``sticker`` (and ``voice``), so stickers are sent
as ``mediaType: "sticker"`` (without a caption, which WhatsApp stickers cannot have)."""

NO_CAPTION_TYPES = frozenset({"audio", "voice", "sticker"})
HEADER_TYPES = frozenset({"text", "image", "video", "document"})
BUTTON_FIELDS = {"reply": "id", "url": "url", "call": "phoneNumber", "copy": "copyCode"}
DESTINATION_KEYS = ("destinationNumber", "groupId", "newsletterId")


def _invalid(text: str, field: str) -> ValidationError:
    return ValidationError(f"pilot: {text}", provider=PROVIDER, field=field)


def _unsupported(feature: str, text: str) -> UnsupportedFeature:
    return UnsupportedFeature(f"pilot: {text}", provider=PROVIDER, feature=feature)


def iso8601(when: datetime, field: str) -> str:
    """``when`` in UTC as ISO 8601 with milliseconds and ``Z`` (Pilot's own timestamp form).

    Example::

        iso8601(datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "deliverAt")
        # '2030-01-02T03:04:05.000Z'
    """
    if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise _invalid(f"{field} must be a timezone-aware datetime", field)
    text = when.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def check_idempotency_key(key: str) -> str:
    """``key`` if Pilot accepts it as ``Idempotency-Key`` (1-255 printable ASCII characters).

    Example::

        check_idempotency_key("order-1234-confirmation")
    """
    if not isinstance(key, str) or not key:
        raise _invalid("idempotency_key must be a non-empty string", "idempotency_key")
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise _invalid(
            f"idempotency_key is {len(key)} characters; the limit is {MAX_IDEMPOTENCY_KEY}",
            "idempotency_key",
        )
    # Pilot forbids control characters; anything outside printable ASCII cannot travel in an
    # HTTP header reliably either.
    if _PRINTABLE_ASCII.fullmatch(key) is None:
        raise _invalid(
            "idempotency_key must not contain control or non-ASCII characters", "idempotency_key"
        )
    return key


def _destination(recipient: Recipient) -> dict[str, str]:
    if isinstance(recipient, Phone):
        return {"destination_number": recipient.e164}
    if isinstance(recipient, User):
        # Pilot takes a business-scoped user id in destinationNumber, as given.
        return {"destination_number": recipient.id}
    if isinstance(recipient, Group):
        if not recipient.jid.endswith("@g.us"):
            raise InvalidRecipient(
                f"pilot: a group id is a JID ending in '@g.us', got {recipient.jid[:60]!r}",
                provider=PROVIDER,
                field="groupId",
            )
        return {"group_id": recipient.jid}
    if isinstance(recipient, Channel):
        if not recipient.jid.endswith("@newsletter"):
            raise InvalidRecipient(
                f"pilot: a channel id is a JID ending in '@newsletter', got {recipient.jid[:60]!r}",
                provider=PROVIDER,
                field="newsletterId",
            )
        return {"newsletter_id": recipient.jid}
    raise _unsupported(recipient.kind, f"cannot send to a {recipient.kind}")


def _media_link(media: Media, where: str) -> str:
    if media.file is not None:
        # Only a message's own file is read and inlined by the client; nested media is not.
        raise _unsupported(
            "file", f"{where} cannot be a local file: give it by link= (a public URL)"
        )
    if media.link is None:
        raise _unsupported(
            "media_id",
            f"{where} must be given by link=: Pilot takes a public URL, not an uploaded media id",
        )
    return media.link


def _template_fields(template: Template) -> dict[str, Any]:
    # Pilot templates are dashboard templates chosen by id or name; their language is part of
    # the template, so ``language`` has no wire field and is not sent.
    if template.components is not None:
        raise _unsupported(
            "template.components",
            "raw Meta template components cannot be sent; use body= (named or positional)",
        )
    if template.buttons:
        raise _unsupported(
            "template.buttons",
            "template button parameters have no Pilot field; pass replacement buttons "
            'through extra={"buttons": [...]}',
        )
    for feature, given in (
        ("template.cards", template.cards),
        ("template.offer", template.offer),
        ("template.otp", template.otp),
    ):
        if given:
            raise _unsupported(
                feature, f"{feature[9:]}= has no Pilot field (dashboard templates take variables)"
            )
    if isinstance(template.body, Mapping):
        variables = {key: _variable(value, key) for key, value in template.body.items()}
    else:
        variables = {
            str(index): _variable(value, str(index))
            for index, value in enumerate(template.body, start=1)
        }
    fields: dict[str, Any] = {"template_id": template.name, "variables": variables}
    header = template.header
    if header is None:
        return fields
    if isinstance(header, (Image, Video, Document)):
        if header.caption is not None or (isinstance(header, Document) and header.filename):
            raise _unsupported(
                "template.header", "a template header media takes no caption or filename"
            )
        # ``media`` replaces the media embedded in the template.
        fields["media"] = _media_link(header, "template header media")
        fields["media_type"] = header.kind
        return fields
    raise _unsupported(
        "template.header",
        "text, currency, location and product template headers have no Pilot field; name "
        "header variables in body={...}",
    )


def _variable(value: Any, key: str) -> str:
    """A template variable: text as it is, a date_time as the text Cloud API would show."""
    if isinstance(value, str):
        return value
    if isinstance(value, DateTime):
        # Cloud API always shows fallback_value (facts §6.3): the recipient sees the same.
        return value.fallback_value
    raise _unsupported(
        "template.body.currency",
        f"template variable {key!r}: a {type(value).__name__} has no Pilot form (WhatsApp "
        "may format an amount; a variable is fixed text)",
    )


def _cta_fields(message: CtaUrl, label_key: str) -> dict[str, Any]:
    # Pilot's url button is what WhatsApp shows for a CTA URL message: one button opening url.
    check_max_length("cta_url.body", message.body, INTERACTIVE_BODY_MAX, provider="pilot")
    check_max_length(
        "cta_url.display_text", message.display_text, CTA_DISPLAY_TEXT_MAX, provider="pilot"
    )
    fields: dict[str, Any] = {
        "text": message.body,
        "buttons": [{"type": "url", label_key: message.display_text, "url": message.url}],
        "footer": message.footer,
    }
    header = message.header
    if isinstance(header, str):
        fields["header"] = HeaderWire("text", header)
    elif header is not None:
        if header.caption is not None or (isinstance(header, Document) and header.filename):
            raise _unsupported("cta_url.header", "a header media takes no caption or filename")
        fields["header"] = HeaderWire(header.kind, _media_link(header, "header media"))
    return fields


def _media_fields(media: Media) -> dict[str, Any]:
    if isinstance(media, Document) and media.filename is not None:
        raise _unsupported(
            "document.filename",
            "Pilot has no field for a document's file name (it comes from the URL)",
        )
    kind = media.kind
    if media.caption is not None and kind in NO_CAPTION_TYPES:
        raise _invalid(f"{kind} cannot have a caption", "caption")
    if isinstance(media.file, bytes):
        source = inline_media(media.file, media.mime_type, kind)
    elif media.file is not None:
        # The client reads the file first; a path here means build_send was called directly.
        raise _invalid(f"{kind}.file must be bytes by the time it is sent", f"{kind}.file")
    else:
        source = _media_link(media, kind)
    return {"media": source, "media_type": kind, "caption": media.caption}


def _buttons_fields(message: Buttons, label_key: str) -> dict[str, Any]:
    buttons = []
    for button in message.buttons:
        if not button.id.strip() or not button.title.strip():
            raise _invalid("a reply button needs a non-empty id and title", "buttons")
        buttons.append({"type": "reply", label_key: button.title, "id": button.id})
    fields: dict[str, Any] = {"text": message.body, "buttons": buttons, "footer": message.footer}
    header = message.header
    if isinstance(header, str):
        fields["header"] = HeaderWire("text", header)
    elif header is not None:
        if header.caption is not None or (isinstance(header, Document) and header.filename):
            raise _unsupported("buttons.header", "a header media takes no caption or filename")
        fields["header"] = HeaderWire(header.kind, _media_link(header, "header media"))
    return fields


def _message_fields(message: Message, label_key: str) -> dict[str, Any]:
    if isinstance(message, Text):
        # ``preview_url`` has no wire field: Pilot decides link previews itself. Pilot documents
        # no length limit; WhatsApp's own (4,096 characters) applies to every text it delivers.
        check_max_length("text.body", message.body, TEXT_BODY_MAX, provider="pilot")
        return {"text": message.body}
    if isinstance(message, Template):
        return _template_fields(message)
    if isinstance(message, (Image, Video, Document, Audio, Sticker)):
        return _media_fields(message)
    if isinstance(message, Buttons):
        return _buttons_fields(message, label_key)
    if isinstance(message, CtaUrl):
        return _cta_fields(message, label_key)
    raise _unsupported(
        message.kind,
        f"cannot send {message.kind} messages "
        "(supported: text, template, image, video, audio, document, sticker, buttons, cta_url)",
    )


def build_body(
    recipient: Recipient, message: Message, options: SendOptions, label_key: str
) -> dict[str, Any]:
    """The checked JSON body (a dict) for one send, with ``options.extra`` merged in.

    Example::

        build_body(Group("1203@g.us"), Template("order_update", body=["Ada", "#1"]),
                   SendOptions(), "displayText")
        # {'groupId': '1203@g.us', 'templateId': 'order_update',
        #  'variables': {'1': 'Ada', '2': '#1'}}
    """
    fields = {**_destination(recipient), **_message_fields(message, label_key)}
    if options.deliver_at is not None:
        fields["deliver_at"] = iso8601(options.deliver_at, "deliver_at")
    if options.deliver_until is not None:
        fields["deliver_until"] = iso8601(options.deliver_until, "deliver_until")
    if (
        options.deliver_at is not None
        and options.deliver_until is not None
        and options.deliver_until <= options.deliver_at
    ):
        raise _invalid("deliver_until must be later than deliver_at", "deliver_until")
    body: dict[str, Any] = msgspec.to_builtins(SendBody(**fields))
    if options.extra:
        try:
            extra = msgspec.to_builtins(options.extra)
        except (TypeError, ValueError) as exc:
            raise _invalid(f"extra must be JSON-serialisable: {exc}", "extra") from None
        deep_merge(body, extra)
        # ``extra={"field": None}`` removes a field the message would have set.
        body = {key: value for key, value in body.items() if value is not None}
    check_body(body)
    return body


def _check_destination(body: Mapping[str, Any]) -> None:
    present = [key for key in DESTINATION_KEYS if body.get(key) is not None]
    if len(present) != 1:
        raise _invalid(
            f"exactly one of destinationNumber, groupId, newsletterId is needed, got {present}",
            "destination",
        )


def _check_modes(body: Mapping[str, Any]) -> str:
    template = body.get("templateId") is not None
    text = body.get("text") is not None
    media = body.get("media") is not None
    if template and text:
        raise _invalid("templateId and text are exclusive modes", "text")
    if text and media:
        raise _invalid("media cannot be combined with free-form text", "media")
    if not (template or text or media):
        raise _invalid("one of templateId, text or media is required", "text")
    if body.get("mediaType") is not None and not media:
        raise _invalid("mediaType needs media", "mediaType")
    if media and body.get("mediaType") not in MEDIA_TYPES:
        raise _invalid(
            f"mediaType must be one of {sorted(MEDIA_TYPES)}, got {body.get('mediaType')!r}",
            "mediaType",
        )
    if body.get("variables") is not None and not template:
        raise _invalid("variables need templateId", "variables")
    return "template" if template else "text" if text else "media"


def _check_template(body: Mapping[str, Any]) -> None:
    variables = body.get("variables")
    if not isinstance(variables, Mapping):
        raise _invalid("variables must be an object of strings", "variables")
    for key, value in variables.items():
        if not isinstance(value, str) or not value.strip():
            raise _invalid(
                f"template variable {key!r} must be a non-blank string", f"variables.{key}"
            )


def _check_media(body: Mapping[str, Any], mode: str) -> None:
    caption = body.get("caption")
    if caption is None:
        return
    if mode != "media":
        raise _invalid("caption is only allowed on a direct media send", "caption")
    if body.get("mediaType") in NO_CAPTION_TYPES:
        raise _invalid(f"{body.get('mediaType')} cannot have a caption", "caption")


def _check_buttons(body: Mapping[str, Any], mode: str) -> None:
    buttons = body.get("buttons")
    if buttons is None:
        for key in ("header", "footer"):
            if body.get(key) is not None:
                raise _invalid(f"{key} requires buttons", key)
        return
    if mode == "media":
        raise _invalid("buttons, header and footer are not allowed on a direct media send", "media")
    if not isinstance(buttons, list) or not buttons:
        raise _invalid("buttons must be a non-empty list", "buttons")
    if len(buttons) > MAX_BUTTONS:
        raise _invalid(f"{len(buttons)} buttons; the limit is {MAX_BUTTONS}", "buttons")
    for button in buttons:
        kind = button.get("type") if isinstance(button, Mapping) else None
        needed = BUTTON_FIELDS.get(kind) if isinstance(kind, str) else None
        if needed is None:
            raise _invalid(f"button type must be one of {sorted(BUTTON_FIELDS)}", "buttons")
        if not isinstance(button.get(needed), str) or not button[needed]:
            raise _invalid(f"a {kind} button needs {needed}", "buttons")
    header = body.get("header")
    if header is not None:
        if not isinstance(header, Mapping) or header.get("type") not in HEADER_TYPES:
            raise _invalid(f"header type must be one of {sorted(HEADER_TYPES)}", "header")
        content = header.get("content")
        if not isinstance(content, str) or not content:
            raise _invalid("header needs content", "header")
        if header["type"] == "text" and len(content) > MAX_HEADER_TEXT:
            raise _invalid(
                f"header text is {len(content)} characters; the limit is {MAX_HEADER_TEXT}",
                "header",
            )
    footer = body.get("footer")
    if footer is not None and (not isinstance(footer, str) or len(footer) > MAX_FOOTER):
        raise _invalid(f"footer must be a string of at most {MAX_FOOTER} characters", "footer")


def _check_extras(body: Mapping[str, Any]) -> None:
    labels = body.get("labels")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(label, str) for label in labels)
    ):
        raise _invalid("labels must be a list of strings", "labels")
    marketing = body.get("marketingOptions")
    if marketing is not None:
        if not isinstance(marketing, Mapping):
            raise _invalid("marketingOptions must be an object", "marketingOptions")
        rewrite = marketing.get("aiRewriteEnabled")
        if rewrite is not None and not isinstance(rewrite, bool):
            raise _invalid(
                "marketingOptions.aiRewriteEnabled must be a boolean",
                "marketingOptions.aiRewriteEnabled",
            )


def check_body(body: Mapping[str, Any]) -> None:
    """Raise ``ValidationError`` unless ``body`` follows Pilot's documented send rules.

    One destination; exactly one mode (a template may carry replacement
    ``media``); ``variables`` only with a template and non-blank; ``caption``
    only on direct media and never on audio or stickers; ``header`` and
    ``footer`` only with ``buttons``; at most 3 buttons; header text and footer
    at most 60 characters; no buttons on a direct media send.

    Example::

        check_body({"destinationNumber": "+5511987654321", "text": "hi", "footer": "x"})
        # ValidationError: pilot: footer requires buttons
    """
    _check_destination(body)
    mode = _check_modes(body)
    if mode == "template":
        _check_template(body)
    _check_media(body, mode)
    _check_buttons(body, mode)
    _check_extras(body)
