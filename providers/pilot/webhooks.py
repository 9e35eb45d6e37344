"""Pilot Status webhooks: signature check and schema-v3 payloads -> normalised events.

Each delivery is one ``{"event": "...", "data": {...}}`` envelope:

- ``message.sent|delivered|read|failed`` -> :class:`StatusUpdate`; ``message_id`` is
  ``data.id`` (the same value as ``SendResult.id``), ``wa_id`` is ``data.messageId``
  (the wamid, which first appears on ``message.sent``). A failure's text is
  ``data.error`` (the SDK validator's field) or ``data.errorMessage`` (its README's).
- ``message.received|reply|group|newsletter`` -> :class:`MessageReceived`;
  ``message_id`` is ``data.id`` (Pilot's id, the documented de-duplication key) and
  the wamid is in ``metadata["wa_id"]``; ``reply_to`` is ``data.quotedMessageId``,
  the wamid of your message (``StatusUpdate.wa_id`` of its ``message.sent``);
  group and channel messages name the group/channel in ``recipient`` and ``metadata``.
- Anything else (``number.*``, flat ``call.*``, ``lead.received``, the legacy flat
  shapes, any other JSON) -> :class:`UnknownEvent`. Nothing here raises except
  :class:`WebhookSignatureError` (verification) and :class:`WebhookPayloadError` (a body
  that is empty, not JSON or nested deeper than ``MAX_WEBHOOK_DEPTH``).

The signature is ``x-pilot-status-signature``: lowercase hex HMAC-SHA256 of the raw
body; an optional ``sha256=`` prefix is accepted too.

Example::

    events = parse_events(body)
    verify_signature(headers, body, ["plwh_..."])  # raises WebhookSignatureError
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whatsapp_async.provider import (
    Event,
    EventError,
    InboundMedia,
    MessageReceived,
    StatusUpdate,
    UnknownEvent,
    check_signature_header,
    convert_leniently,
    looks_like_user_id,
    read_webhook_json,
)

from .wire import MessageEventData, parse_timestamp

__all__ = [
    "INBOUND_EVENTS",
    "SIGNATURE_HEADER",
    "STATUS_EVENTS",
    "parse_events",
    "verify_signature",
]

PROVIDER = "pilot"
SIGNATURE_HEADER = "x-pilot-status-signature"

STATUS_EVENTS = {
    "message.sent": "sent",
    "message.delivered": "delivered",
    "message.read": "read",
    "message.failed": "failed",
}
INBOUND_EVENTS = frozenset(
    {"message.received", "message.reply", "message.group", "message.newsletter"}
)
MEDIA_KINDS = frozenset({"image", "video", "audio", "document", "sticker", "voice"})


def verify_signature(headers: Mapping[str, str], body: bytes, secrets: list[str]) -> None:
    """Raise ``WebhookSignatureError`` unless the body is signed by one of ``secrets``.

    Example::

        verify_signature({"x-pilot-status-signature": hmac_sha256_hex(s, body)}, body, [s])
    """
    check_signature_header(
        headers,
        body,
        secrets,
        header=SIGNATURE_HEADER,
        provider=PROVIDER,
        prefix="sha256=",
        prefix_optional=True,
    )


def parse_events(body: bytes) -> list[Event]:
    """Normalised events of one (already verified) delivery.

    Raises ``WebhookPayloadError`` only for a body that cannot be read at all (empty, not
    JSON, nested too deep); any JSON of another shape gives ``UnknownEvent``.

    Example::

        parse_events(b'{"event": "number.connected", "data": {}}')
        # [UnknownEvent(provider='pilot', raw={...}, kind='number.connected')]
    """
    payload = read_webhook_json(body, provider=PROVIDER)
    items = payload if isinstance(payload, list) else [payload]
    return [_parse_one(item) for item in items]


def _unknown(item: Any, kind: str | None = None) -> UnknownEvent:
    return UnknownEvent(provider=PROVIDER, raw=item, kind=kind)


def _parse_one(item: Any) -> Event:
    if not isinstance(item, dict):
        return _unknown(item)
    name = item.get("event")
    kind = name if isinstance(name, str) else None
    data = item.get("data")
    if kind is None or not isinstance(data, dict):
        # Flat shapes: call.* events and the legacy (pre-v3) message events.
        return _unknown(item, kind)
    if kind not in STATUS_EVENTS and kind not in INBOUND_EVENTS:
        return _unknown(item, kind)
    fields = convert_leniently(data, MessageEventData)
    if fields is None or not fields.id:
        return _unknown(item, kind)
    if kind in STATUS_EVENTS:
        return _status(kind, fields, item)
    return _inbound(kind, fields, item)


def _status(kind: str, data: MessageEventData, raw: Any) -> StatusUpdate:
    error = None
    if kind == "message.failed":
        error = EventError(code=data.error_code, title=data.error or data.error_message)
    return StatusUpdate(
        provider=PROVIDER,
        message_id=data.id,
        status=STATUS_EVENTS[kind],  # type: ignore[arg-type]
        recipient=data.to,
        timestamp=parse_timestamp(data.created_at),
        error=error,
        wa_id=data.message_id,
        wamid=data.message_id,
        recipient_user_id=data.to if data.to and looks_like_user_id(data.to) else None,
        business_id=data.number_id,
        business_phone=data.from_ if data.from_ and data.from_.startswith("+") else None,
        raw=raw,
    )


def _media(data: MessageEventData) -> InboundMedia | None:
    if not (data.media_link or data.media_type or data.media_filename):
        return None
    media_type = data.media_type
    return InboundMedia(
        url=data.media_link,
        # ``mediaType`` is a kind (image, audio ...) in the docs; keep it only if it is a MIME type.
        mime_type=media_type if media_type and "/" in media_type else None,
        caption=data.media_caption,
        filename=data.media_filename,
        voice=media_type == "voice",
    )


def _inbound(kind: str, data: MessageEventData, raw: Any) -> MessageReceived:
    media = _media(data)
    message_type = data.type
    if message_type is None:
        kind_hint = data.media_type if data.media_type in MEDIA_KINDS else None
        message_type = kind_hint or ("text" if media is None else "media")
    text = data.content if data.content is not None else data.media_caption
    recipient = data.group_id or data.newsletter_id or data.to
    metadata = {
        key: value
        for key, value in (
            ("event", kind),
            ("wa_id", data.message_id),
            ("number_id", data.number_id),
            ("correlation_id", data.correlation_id),
            ("from_me", data.from_me),
            ("to", data.to),
            ("quoted_text", data.content_replied),
            ("group_id", data.group_id),
            ("group_name", data.group_name),
            ("newsletter_id", data.newsletter_id),
            ("newsletter_name", data.newsletter_name),
        )
        if value is not None
    }
    return MessageReceived(
        provider=PROVIDER,
        message_id=data.id,
        sender=data.from_ or "",
        type=message_type,
        timestamp=parse_timestamp(data.created_at),
        text=text,
        media=media,
        reply_to=data.quoted_message_id,
        sender_name=data.participant_name,
        recipient=recipient,
        metadata=metadata,
        sender_user_id=data.from_ if data.from_ and looks_like_user_id(data.from_) else None,
        business_id=data.number_id,
        business_phone=data.to if data.to and data.to.startswith("+") else None,
        group_id=data.group_id,
        raw=raw,
    )
