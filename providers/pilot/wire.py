"""Pilot Status JSON shapes (msgspec Structs) and their module-level codecs.

Wire names are camelCase; ``rename="camel"`` maps the snake_case attributes,
and explicit ``name=`` is used where camel-casing is not enough (``from``).
Response and webhook Structs are lenient (every field optional but the ids),
so that a new field never breaks parsing, and ``Any`` where the sources do not
pin a type.

Example::

    body = SendBody(destination_number="+5511987654321", text="Olá")
    encode(body)  # b'{"destinationNumber":"+5511987654321","text":"Olá"}'
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import msgspec

__all__ = [
    "CancelFailureWire",
    "CancelRequest",
    "CancelResponse",
    "ErrorBody",
    "HeaderWire",
    "MessageEventData",
    "MessageLookup",
    "SendAccepted",
    "SendBody",
    "decode_json",
    "encode",
    "parse_timestamp",
]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def encode(value: Any) -> bytes:
    """JSON bytes of a Struct or builtin value (one shared encoder).

    Example::

        encode(CancelRequest(message_ids=["msg_1"]))  # b'{"messageIds":["msg_1"]}'
    """
    return _encoder.encode(value)


def decode_json(body: bytes) -> Any:
    """The decoded JSON of ``body``, or None when it is empty or not JSON.

    Example::

        decode_json(b'{"id": "msg_1"}')  # {'id': 'msg_1'}
    """
    if not body:
        return None
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError:
        return None


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime from Pilot's ISO 8601 text (UTC when it names no zone), else None.

    Example::

        parse_timestamp("2026-02-24T15:00:05.000Z")
        # datetime(2026, 2, 24, 15, 0, 5, tzinfo=timezone.utc)
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        when = msgspec.convert(value, datetime)
    except msgspec.ValidationError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


class HeaderWire(msgspec.Struct, frozen=True):
    """The header of a free-form message with buttons: ``{"type", "content"}``.

    Example::

        HeaderWire("text", "Your order")  # {"type": "text", "content": "Your order"}
    """

    type: str
    content: str


class SendBody(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    """``POST /v1/messages/send``: one destination and one mode (template, text or media).

    ``buttons`` are plain mappings because the key of their visible text is a
    setting (``displayText`` or ``label``).

    Example::

        SendBody(group_id="1203@g.us", template_id="order_update", variables={"1": "Ada"})
    """

    destination_number: str | None = None
    group_id: str | None = None
    newsletter_id: str | None = None
    template_id: str | None = None
    variables: dict[str, str] | None = None
    text: str | None = None
    media: str | None = None
    media_type: str | None = None
    caption: str | None = None
    buttons: list[dict[str, str]] | None = None
    header: HeaderWire | None = None
    footer: str | None = None
    deliver_at: str | None = None
    deliver_until: str | None = None


class SendAccepted(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The 202 answer to a send: ``{"id", "correlationId", "status": "QUEUED", ...}``.

    Example::

        SendAccepted(id="msg_1", correlation_id="corr_1", status="QUEUED")
    """

    id: str
    correlation_id: str | None = None
    status: str | None = None
    created_at: str | None = None
    origin: Any = None
    source_number: Any = None


class MessageLookup(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """``GET /v1/messages/{id}``: the message's state and timestamps.

    Example::

        MessageLookup(id="msg_1", status="SENT", sent_at="2026-02-24T15:00:05.000Z")
    """

    id: str
    status: str
    correlation_id: str | None = None
    destination_number: str | None = None
    group_id: str | None = None
    newsletter_id: str | None = None
    template: Any = None
    created_at: str | None = None
    sent_at: str | None = None
    delivered_at: str | None = None
    read_at: str | None = None
    external_message_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    origin: Any = None
    meta_pricing: Any = None


class CancelRequest(msgspec.Struct, frozen=True, rename="camel"):
    """``DELETE /v1/messages/cancel`` body: ``{"messageIds": [...]}``.

    Example::

        CancelRequest(["msg_1", "msg_2"])
    """

    message_ids: list[str]


class CancelFailureWire(msgspec.Struct, frozen=True):
    """One message that could not be cancelled: ``{"id", "reason"}``.

    Example::

        CancelFailureWire(id="msg_2", reason="NOT_CANCELLABLE")
    """

    id: str
    reason: str | None = None


class CancelResponse(msgspec.Struct, frozen=True):
    """The cancel answer: ``{"cancelled": [ids], "failed": [{"id", "reason"}]}``.

    Example::

        CancelResponse(cancelled=["msg_1"], failed=[])
    """

    cancelled: list[str] = msgspec.field(default_factory=list)
    failed: list[CancelFailureWire] = msgspec.field(default_factory=list)


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """An error answer: ``{"error": "<text>", "code": "<CODE>", "details"?, ...}``.

    ``retryAfterSeconds`` appears on some 429 answers. Types are loose on
    purpose: a malformed error body must still become the right error.

    Example::

        ErrorBody(error="Rate limit", code="RATE_LIMITED", retry_after_seconds=30)
    """

    error: Any = None
    code: Any = None
    details: Any = None
    retry_after_seconds: Any = None


class MessageEventData(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """``data`` of a schema-v3 ``message.*`` webhook event.

    ``id`` is Pilot's id (equal to ``SendResult.id`` for your own sends);
    ``message_id`` is the wamid (null until the message was sent).

    Example::

        MessageEventData(id="msg_1", message_id="wamid.X", to="+5511987654321")
    """

    id: str
    number_id: str | None = None
    message_id: str | None = None
    from_me: bool | None = None
    created_at: str | None = None
    to: str | None = None
    from_: str | None = msgspec.field(default=None, name="from")
    type: str | None = None
    content: str | None = None
    correlation_id: str | None = None
    media_link: str | None = None
    media_type: str | None = None
    media_caption: str | None = None
    media_filename: str | None = None
    error: str | None = None
    error_message: str | None = None
    error_code: str | None = None
    participant_name: str | None = None
    content_replied: str | None = None
    quoted_message_id: str | None = None
    group_id: str | None = None
    group_name: str | None = None
    newsletter_id: str | None = None
    newsletter_name: str | None = None
