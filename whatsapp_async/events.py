"""Normalised webhook events, the same for every provider.

A provider's ``parse_webhook`` turns its own payloads into these; shapes it
does not know become :class:`UnknownEvent`, never an exception.

Example::

    for event in wa.parse_webhook(request.headers, body):
        if isinstance(event, StatusUpdate) and event.status == "failed":
            print(event.message_id, event.error)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Union

import msgspec

__all__ = [
    "Event",
    "EventError",
    "InboundMedia",
    "MessageReceived",
    "StatusUpdate",
    "UnknownEvent",
]

DeliveryStatus = Literal["sent", "delivered", "read", "played", "failed"]


class EventError(msgspec.Struct, frozen=True, kw_only=True):
    """An error attached to a status or inbound message.

    Example::

        EventError(code="131049", title="Not delivered to maintain healthy ecosystem")
    """

    code: str | None = None
    title: str | None = None
    details: str | None = None


class InboundMedia(msgspec.Struct, frozen=True, kw_only=True):
    """Media attached to an inbound message (download it with the provider's API or ``url``).

    Example::

        InboundMedia(id="1234", mime_type="image/jpeg", caption="look")
    """

    id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False


class MessageReceived(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="message"):
    """A message a user sent to the business.

    ``type`` is the provider's message type (``text``, ``image``, ``button``,
    ``interactive`` ...); ``text`` holds the text, caption or button title
    where there is one; ``reply_to`` is the id of the business message replied
    to; ``metadata`` is what the provider echoes back (Magpipe).

    Example::

        MessageReceived(provider="meta", message_id="wamid.X", sender="+16505551234",
                        type="text", text="hi")
    """

    provider: str
    message_id: str
    sender: str
    type: str
    timestamp: datetime | None = None
    text: str | None = None
    media: InboundMedia | None = None
    location: dict[str, Any] | None = None
    contacts: list[dict[str, Any]] | None = None
    reaction: dict[str, Any] | None = None
    interactive: dict[str, Any] | None = None
    reply_to: str | None = None
    sender_name: str | None = None
    recipient: str | None = None
    metadata: dict[str, Any] | None = None
    referral: dict[str, Any] | None = None
    """Where the user came from (Meta's ``referral``: a click-to-WhatsApp ad or a Page
    button), which makes this message a free entry point."""
    errors: list[EventError] = msgspec.field(default_factory=list)
    raw: Any = None


class StatusUpdate(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="status"):
    """A delivery status for a message the business sent.

    ``message_id`` matches ``SendResult.id`` of the send. ``wa_id`` is the user's WhatsApp id
    on Meta and the message's wamid on Pilot (as ``SendResult.wa_id``); ``wamid`` is the
    message's wamid on every provider that reports one.

    Example::

        StatusUpdate(provider="meta", message_id="wamid.X", status="delivered")
    """

    provider: str
    message_id: str
    status: DeliveryStatus
    recipient: str | None = None
    timestamp: datetime | None = None
    error: EventError | None = None
    wa_id: str | None = None
    metadata: dict[str, Any] | None = None
    """What the send's ``metadata`` echoed back, where the provider echoes it (Meta)."""
    wamid: str | None = None
    """The WhatsApp message id: ``message_id`` itself on Meta, ``data.messageId`` on Pilot
    (whose ``message_id`` is its own id)."""
    correlation_id: str | None = None
    """The id the client put on the send (Meta: inside ``biz_opaque_callback_data``), which
    finds a send whose answer was lost (``wa.resolve_in_doubt``)."""
    raw: Any = None


class UnknownEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="unknown"):
    """A payload (or part of one) this SDK does not know; kept raw.

    Example::

        UnknownEvent(provider="pilot", raw={"event": "number.connected"})
    """

    provider: str
    raw: Any = None
    kind: str | None = None


Event = Union[MessageReceived, StatusUpdate, UnknownEvent]
"""Any normalised webhook event."""
