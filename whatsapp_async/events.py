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

from ._admin_events import (
    AccountUpdate,
    BusinessUsernameUpdate,
    EventError,
    GroupUpdate,
    PhoneNumberQualityUpdate,
    PricingTier,
    TemplateCategoryUpdate,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    UserIdentityChanged,
    UserPreferenceUpdate,
)

__all__ = [
    "AccountUpdate",
    "BusinessUsernameUpdate",
    "Event",
    "EventError",
    "GroupUpdate",
    "InboundMedia",
    "MessageReceived",
    "PhoneNumberQualityUpdate",
    "Pricing",
    "PricingTier",
    "StatusConversation",
    "StatusUpdate",
    "TemplateCategoryUpdate",
    "TemplateQualityUpdate",
    "TemplateStatusUpdate",
    "UnknownEvent",
    "UserIdentityChanged",
    "UserPreferenceUpdate",
]

DeliveryStatus = Literal["sent", "delivered", "read", "played", "failed"]


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

    Who sent it: ``sender`` is the user's phone number (E.164) when the provider gives one,
    else their business-scoped user id; ``sender_user_id`` is that user id whenever known
    (Meta, also next to a phone), ``username`` the user's WhatsApp username (Meta).
    ``wa.reply(event, message)`` answers whichever identity there is. Which business number
    it came to: ``business_id`` (Meta's ``phone_number_id``, Pilot's ``numberId``, Magpipe's
    ``phone_number_id``; ``recipient`` is the same value, kept for compatibility) and
    ``business_phone`` (E.164) where the provider says.

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
    sender_user_id: str | None = None
    sender_parent_user_id: str | None = None
    username: str | None = None
    business_id: str | None = None
    business_phone: str | None = None
    group_id: str | None = None
    """The group the message was posted in (Meta groups; ``sender`` is then the participant)."""
    button_id: str | None = None
    """The id of the tapped reply button, list row or template quick-reply (its payload)."""
    raw: Any = None


class Pricing(msgspec.Struct, frozen=True, kw_only=True):
    """How a sent message is billed, from a status webhook (Meta's ``pricing``).

    ``model`` is ``PMP`` (per-message pricing; ``CBP`` before July 2025); ``type`` is
    ``regular``, ``free_customer_service``, ``free_entry_point`` or
    ``free_group_customer_service``; ``category`` is ``marketing``, ``utility``,
    ``authentication``, ``service``, ``marketing_lite`` ...; ``billable`` is deprecated.

    Example::

        Pricing(model="PMP", type="regular", category="marketing")
    """

    model: str | None = None
    type: str | None = None
    category: str | None = None
    billable: bool | None = None


class StatusConversation(msgspec.Struct, frozen=True, kw_only=True):
    """The conversation a status belongs to (Meta omits it from v24.0 on, outside free
    entry point windows).

    Example::

        StatusConversation(id="72b14d6bd5407799e66f64d1b338e567", origin="marketing")
    """

    id: str | None = None
    origin: str | None = None
    expires_at: datetime | None = None


class StatusUpdate(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="status"):
    """A delivery status for a message the business sent.

    ``message_id`` matches ``SendResult.id`` of the send. ``recipient`` is the user's phone
    (E.164) when the provider gives one, else their user id; ``recipient_user_id`` the user id
    whenever known. ``business_id`` / ``business_phone`` name the business number that sent
    the message (as on :class:`MessageReceived`); ``pricing`` and ``conversation`` are Meta's
    billing facts. ``wa_id`` is the user's WhatsApp id on Meta and the message's wamid on Pilot
    (as ``SendResult.wa_id``); ``wamid`` is the message's wamid on every provider that reports
    one.

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
    recipient_user_id: str | None = None
    username: str | None = None
    business_id: str | None = None
    business_phone: str | None = None
    pricing: Pricing | None = None
    conversation: StatusConversation | None = None
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


Event = Union[
    MessageReceived,
    StatusUpdate,
    TemplateStatusUpdate,
    TemplateQualityUpdate,
    TemplateCategoryUpdate,
    AccountUpdate,
    PhoneNumberQualityUpdate,
    UserPreferenceUpdate,
    UserIdentityChanged,
    GroupUpdate,
    BusinessUsernameUpdate,
    UnknownEvent,
]
"""Any normalised webhook event."""
