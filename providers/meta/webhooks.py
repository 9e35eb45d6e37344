"""Meta webhooks: signature check, GET handshake, and payload -> normalised events.

A delivery is one ``whatsapp_business_account`` envelope that may batch many entries,
changes, messages and statuses. Each item is converted on its own, so one odd item
becomes an :class:`UnknownEvent` without losing the rest of the batch. Nothing here
raises except :class:`WebhookSignatureError` (verification) and :class:`WebhookPayloadError`
(a body that is empty, not JSON or nested deeper than ``MAX_WEBHOOK_DEPTH``).

Mapping decisions:

- ``sender``/``recipient``: ``"+"`` + the number when Meta gives phone digits; otherwise
  the business-scoped user id (``from_user_id``/``recipient_user_id``), because ``from``
  and ``recipient_id`` are ``""`` for users known only by a BSUID. Group statuses keep the
  group id.
- ``MessageReceived.text``: the text body, the media caption, the quick-reply button text,
  the interactive reply title, the system message body or the order note.
- ``MessageReceived.interactive``: Meta's ``interactive`` object, or for a template
  quick-reply (type ``button``) Meta's ``button`` object (``payload``, ``text``).
- ``MessageReceived.recipient``: the business ``phone_number_id`` the message came to.
- ``sender_user_id``/``recipient_user_id``, ``username``: the BSUID and username from the
  message, status and ``contacts[]`` (matched by phone or user id).
- ``business_id``/``business_phone``: ``metadata.phone_number_id`` and the display number
  of the business number the change concerns (several numbers share one webhook).
- ``user_changed_number`` / ``user_changed_user_id`` system messages become
  ``UserIdentityChanged``; other system messages stay ``MessageReceived(type="system")``.
- Management fields (templates, account, number quality, user preferences, groups, business
  username) become their typed events (``webhook_admin``).
- Items are read leniently (``convert_leniently``): a field of an unexpected type is left
  out, the item is kept (with ``raw``).
- ``value.errors`` (errors not tied to a message) become one ``UnknownEvent`` per error
  with ``kind="errors"``; changes of fields this SDK does not know become
  ``UnknownEvent(kind=<field>)``.
- ``StatusUpdate.metadata``: the status's ``biz_opaque_callback_data`` decoded back into
  the mapping the send's ``metadata=`` carried (``WhatsApp.send`` encodes it as compact
  JSON). Callback data that is not a JSON object (set through ``extra=``, or by another
  client) is kept as ``{"value": <the string>}``. The client's correlation id
  (``_wa_cid``) is taken out of it into ``StatusUpdate.correlation_id``.
- ``StatusUpdate.wamid`` is the status's ``id``; ``MessageReceived.referral`` is Meta's
  ``referral`` (a free entry point: a click-to-WhatsApp ad or a Page button).

Example::

    events = parse_payload(body)
    verify_signature(headers, body, ["app-secret"])
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import msgspec

from whatsapp_async.provider import (
    MAX_WEBHOOK_DEPTH,
    Event,
    EventError,
    InboundMedia,
    MessageReceived,
    Pricing,
    StatusConversation,
    StatusUpdate,
    UnknownEvent,
    UserIdentityChanged,
    WebhookSignatureError,
    check_signature_header,
    convert_leniently,
    nested_deeper_than,
    read_webhook_json,
)

from . import webhook_admin
from .build import CORRELATION_KEY
from .webhook_wire import (
    InboundMessage,
    InboundStatus,
    Metadata,
    WebhookContact,
    WebhookError,
    WebhookMedia,
)
from .wire import DECODER

__all__ = ["SIGNATURE_HEADER", "handshake", "parse_payload", "verify_signature"]

PROVIDER = "meta"
SIGNATURE_HEADER = "X-Hub-Signature-256"
ENVELOPE_OBJECT = "whatsapp_business_account"

_STATUSES = frozenset({"sent", "delivered", "read", "played", "failed"})
_MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")


def verify_signature(headers: Mapping[str, str], body: bytes, secrets: list[str]) -> None:
    """Raise ``WebhookSignatureError`` unless ``X-Hub-Signature-256`` signs ``body``.

    The header is ``sha256=<hex HMAC-SHA256(app_secret, raw body)>``; any of ``secrets``
    may match (rotation). Comparison is constant-time.

    Example::

        verify_signature(request.headers, await request.read(), ["app-secret"])
    """
    check_signature_header(
        headers,
        body,
        secrets,
        header=SIGNATURE_HEADER,
        provider=PROVIDER,
        prefix="sha256=",
        secret_name="app secret",
    )


def handshake(query: Mapping[str, str], verify_token: str | None) -> str | None:
    """Meta's subscription check: the ``hub.challenge`` to echo, or None when not a handshake.

    Raises ``WebhookSignatureError`` for a handshake with the wrong (or no configured)
    verify token, or without ``hub.mode=subscribe`` / ``hub.challenge``.

    Example::

        handshake({"hub.mode": "subscribe", "hub.verify_token": "tok",
                   "hub.challenge": "1158201444"}, "tok")  # '1158201444'
    """
    if not any(key.startswith("hub.") for key in query):
        return None
    mode = query.get("hub.mode")
    token = query.get("hub.verify_token") or ""
    challenge = query.get("hub.challenge")
    if not verify_token:
        raise WebhookSignatureError(
            "meta webhook handshake received but no verify_token is configured", provider=PROVIDER
        )
    # Bytes, not str: compare_digest refuses non-ASCII str, and any str encodes this way.
    if not hmac.compare_digest(_utf8(token), _utf8(verify_token)):
        raise WebhookSignatureError(
            "meta webhook handshake has a wrong verify token", provider=PROVIDER
        )
    if mode != "subscribe" or challenge is None:
        raise WebhookSignatureError(
            "meta webhook handshake needs hub.mode=subscribe and hub.challenge", provider=PROVIDER
        )
    return challenge


def parse_payload(body: bytes) -> list[Event]:
    """Every event in one (already verified) delivery, in payload order.

    Raises ``WebhookPayloadError`` only for a body that cannot be read at all (empty, not
    JSON, nested too deep); any JSON of another shape gives ``UnknownEvent``.

    Example::

        [e.status for e in parse_payload(body) if isinstance(e, StatusUpdate)]
    """
    payload = read_webhook_json(body, provider=PROVIDER)
    if not isinstance(payload, dict) or payload.get("object") != ENVELOPE_OBJECT:
        kind = payload.get("object") if isinstance(payload, dict) else None
        return [
            UnknownEvent(
                provider=PROVIDER, raw=payload, kind=kind if isinstance(kind, str) else None
            )
        ]
    events: list[Event] = []
    for entry in _dicts(payload.get("entry")):
        account = entry.get("id") if isinstance(entry.get("id"), str) else None
        for change in _dicts(entry.get("changes")):
            field = change.get("field")
            value = change.get("value")
            if field == "messages" and isinstance(value, dict):
                events.extend(_messages_change(value, account))
                continue
            managed = (
                webhook_admin.parse_change(field, value, account, entry.get("time"))
                if isinstance(field, str) and isinstance(value, dict)
                else None
            )
            if managed is None:
                kind = field if isinstance(field, str) else None
                events.append(UnknownEvent(provider=PROVIDER, raw=change, kind=kind))
            else:
                events.extend(managed)
    return events


def _messages_change(value: dict[str, Any], account: str | None = None) -> Iterator[Event]:
    metadata = convert_leniently(value.get("metadata"), Metadata) or Metadata()
    business = _Business(metadata)
    contacts = [c for c in map(_as_contact, _list(value.get("contacts"))) if c is not None]
    for raw in _list(value.get("messages")):
        message = convert_leniently(raw, InboundMessage)
        if message is None or not message.id:
            yield UnknownEvent(provider=PROVIDER, raw=raw, kind="message")
        elif message.type == "system" and _identity_kind(message) is not None:
            yield _identity_event(message, raw, business, account)
        else:
            yield _message_event(message, raw, business, contacts)
    for raw in _list(value.get("statuses")):
        status = convert_leniently(raw, InboundStatus)
        if status is None or not status.id or status.status not in _STATUSES:
            yield UnknownEvent(provider=PROVIDER, raw=raw, kind="status")
        else:
            yield _status_event(status, raw, business, contacts)
    for raw in _list(value.get("errors")):
        yield UnknownEvent(provider=PROVIDER, raw=raw, kind="errors")


class _Business:
    """The business number a change concerns (``value.metadata``)."""

    __slots__ = ("id", "phone")

    def __init__(self, metadata: Metadata) -> None:
        self.id = metadata.phone_number_id
        display = metadata.display_phone_number
        digits = display.lstrip("+") if display else ""
        self.phone = "+" + digits if digits.isdigit() else None


def _message_event(
    message: InboundMessage,
    raw: Any,
    business: _Business,
    contacts: list[WebhookContact],
) -> MessageReceived:
    kind = message.type
    media = _media(message)
    interactive: dict[str, Any] | None = None
    if isinstance(raw, dict):
        if kind == "interactive" and isinstance(raw.get("interactive"), dict):
            interactive = raw["interactive"]
        elif kind == "button" and isinstance(raw.get("button"), dict):
            interactive = raw["button"]
    context = message.context
    contact = _contact_of(message.from_, message.from_user_id, contacts)
    user_id = message.from_user_id or (contact.user_id if contact is not None else None) or None
    profile = contact.profile if contact is not None else None
    return MessageReceived(
        provider=PROVIDER,
        message_id=message.id,
        sender=_user(message.from_, user_id) or _single_user(contacts),
        type=kind,
        timestamp=_timestamp(message.timestamp),
        text=_text(message, media),
        media=media,
        location=message.location,
        contacts=message.contacts,
        reaction=message.reaction,
        interactive=interactive,
        reply_to=context.id if context is not None else None,
        referral=message.referral,
        sender_name=profile.name if profile is not None else None,
        recipient=business.id,
        errors=[_event_error(e) for e in message.errors],
        sender_user_id=user_id,
        sender_parent_user_id=message.from_parent_user_id
        or (contact.parent_user_id if contact is not None else None),
        username=profile.username if profile is not None else None,
        business_id=business.id,
        business_phone=business.phone,
        group_id=message.group_id or None,
        button_id=_button_id(message),
        raw=raw,
    )


def _button_id(message: InboundMessage) -> str | None:
    if message.button is not None:
        return message.button.payload
    interactive = message.interactive
    if interactive is not None:
        reply = interactive.button_reply or interactive.list_reply
        return reply.id if reply is not None else None
    return None


_IDENTITY_KINDS = frozenset({"user_changed_number", "user_changed_user_id"})


def _identity_kind(message: InboundMessage) -> str | None:
    kind = message.system.get("type") if message.system else None
    return kind if isinstance(kind, str) and kind in _IDENTITY_KINDS else None


def _identity_event(
    message: InboundMessage, raw: Any, business: _Business, account: str | None
) -> UserIdentityChanged:
    """A ``user_changed_number`` / ``user_changed_user_id`` system message (no contacts)."""
    system = message.system or {}

    def text(key: str) -> str | None:
        value = system.get(key)
        return value if isinstance(value, str) and value else None

    kind = _identity_kind(message) or "user_changed_user_id"
    new_phone = text("wa_id")
    old_phone = message.from_ if kind == "user_changed_number" else None
    return UserIdentityChanged(
        provider=PROVIDER,
        business_account_id=account,
        kind=kind,
        message_id=message.id,
        timestamp=_timestamp(message.timestamp),
        phone="+" + new_phone if new_phone and new_phone.isdigit() else None,
        previous_phone="+" + old_phone if old_phone and old_phone.isdigit() else None,
        user_id=text("user_id"),
        previous_user_id=text("previous_user_id")
        or (message.from_user_id if kind == "user_changed_user_id" else None),
        parent_user_id=text("parent_user_id"),
        previous_parent_user_id=text("previous_parent_user_id"),
        text=text("body"),
        business_id=business.id,
        raw=raw,
    )


def _status_event(
    status: InboundStatus, raw: Any, business: _Business, contacts: list[WebhookContact]
) -> StatusUpdate:
    contact = _contact_of(status.recipient_id, status.recipient_user_id, contacts)
    user_id = status.recipient_user_id or (contact.user_id if contact is not None else None)
    recipient = _user(status.recipient_id, user_id or None)
    pricing = status.pricing
    conversation = status.conversation
    metadata, correlation_id = _callback_data(status.biz_opaque_callback_data)
    return StatusUpdate(
        provider=PROVIDER,
        message_id=status.id,
        status=status.status,  # type: ignore[arg-type]  # checked against _STATUSES
        recipient=recipient or None,
        timestamp=_timestamp(status.timestamp),
        error=_event_error(status.errors[0]) if status.errors else None,
        wa_id=status.recipient_id if status.recipient_id.isdigit() else None,
        metadata=metadata,
        wamid=status.id,
        correlation_id=correlation_id,
        recipient_user_id=user_id or None,
        username=(contact.profile.username if contact is not None and contact.profile else None),
        business_id=business.id,
        business_phone=business.phone,
        pricing=(
            Pricing(
                model=pricing.pricing_model,
                type=pricing.type,
                category=pricing.category,
                billable=pricing.billable,
            )
            if pricing is not None
            else None
        ),
        conversation=(
            StatusConversation(
                id=conversation.id,
                origin=conversation.origin.type if conversation.origin else None,
                expires_at=_timestamp(conversation.expiration_timestamp),
            )
            if conversation is not None
            else None
        ),
        raw=raw,
    )


def _callback_data(opaque: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The send's ``metadata`` and the client's correlation id from ``biz_opaque_callback_data``.

    The correlation id is taken out (the caller's mapping comes back as it was sent); a
    send that had only a correlation id has no metadata.
    """
    metadata = _callback_metadata(opaque)
    if metadata is None or CORRELATION_KEY not in metadata:
        return metadata, None
    found = metadata.pop(CORRELATION_KEY)
    correlation_id = found if isinstance(found, str) else None
    return (metadata or None), correlation_id


def _callback_metadata(opaque: Any) -> dict[str, Any] | None:
    """The send's ``metadata`` back from ``biz_opaque_callback_data``."""
    if opaque is None:
        return None
    decoded = opaque
    if isinstance(opaque, str):
        # The same bound as a body: the string may hold JSON nested arbitrarily deep.
        data = opaque.encode()
        decoded = None
        if not nested_deeper_than(data, MAX_WEBHOOK_DEPTH):
            try:
                decoded = DECODER.decode(data)
            except msgspec.DecodeError:
                decoded = None
    if isinstance(decoded, dict):
        return decoded
    return {"value": opaque}


def _utf8(text: str) -> bytes:
    """``text`` as bytes, whatever it holds (frameworks decode undecodable URL or header bytes
    into lone surrogates, which a plain ``encode()`` refuses)."""
    return text.encode("utf-8", "surrogatepass")


def _user(primary: str, user_id: str | None) -> str:
    """``+digits`` for phone numbers, else the id Meta gave (a BSUID or group id)."""
    if primary.isdigit():
        return "+" + primary
    return primary or user_id or ""


def _single_user(contacts: list[WebhookContact]) -> str:
    # Last resort when a message names no sender: the change's only contact.
    if len(contacts) == 1:
        contact = contacts[0]
        return _user(contact.wa_id, contact.user_id)
    return ""


def _contact_of(
    phone: str, user_id: str | None, contacts: list[WebhookContact]
) -> WebhookContact | None:
    """The ``contacts[]`` entry of this user (by phone or user id), or the only one."""
    for contact in contacts:
        same_number = bool(phone) and contact.wa_id == phone
        same_user = bool(user_id) and contact.user_id == user_id
        if same_number or same_user:
            return contact
    if len(contacts) == 1:
        return contacts[0]
    return None


def _media(message: InboundMessage) -> InboundMedia | None:
    for kind in _MEDIA_TYPES:
        media: WebhookMedia | None = getattr(message, kind)
        if media is not None:
            return InboundMedia(
                id=media.id,
                url=media.url,
                mime_type=media.mime_type,
                sha256=media.sha256,
                caption=media.caption,
                filename=media.filename,
                voice=media.voice,
            )
    return None


def _text(message: InboundMessage, media: InboundMedia | None) -> str | None:
    if message.text is not None:
        return message.text.body
    if media is not None:
        return media.caption
    if message.button is not None:
        return message.button.text
    interactive = message.interactive
    if interactive is not None:
        reply = interactive.button_reply or interactive.list_reply
        return reply.title if reply is not None else None
    for key, container in (("body", message.system), ("text", message.order)):
        if container is not None and isinstance(container.get(key), str):
            return str(container[key])
    return None


def _event_error(error: WebhookError) -> EventError:
    details = error.error_data.get("details") if error.error_data else None
    return EventError(
        code=None if error.code is None else str(error.code),
        title=error.title or error.message,
        details=details if isinstance(details, str) else None,
    )


def _timestamp(value: str | int | None) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def _as_contact(raw: Any) -> WebhookContact | None:
    return convert_leniently(raw, WebhookContact)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    return (item for item in _list(value) if isinstance(item, dict))
