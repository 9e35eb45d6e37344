"""msgspec Structs for the webhooks Meta posts: ``value.messages``, ``value.statuses`` and more.

Every field has a default: Meta adds fields over time and leaves others out, and a missing
field must never turn into a crash; unknown fields are ignored. Each item of a delivery is
converted on its own (``webhooks.py``), so one odd item spoils only itself.

Example::

    msgspec.convert({"id": "wamid.X", "status": "delivered", "recipient_id": "1650"},
                    InboundStatus).status  # 'delivered'
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "InboundButton",
    "InboundContext",
    "InboundInteractive",
    "InboundMessage",
    "InboundReply",
    "InboundStatus",
    "InboundText",
    "Metadata",
    "Profile",
    "StatusConversationWire",
    "StatusPricing",
    "WebhookContact",
    "WebhookError",
    "WebhookMedia",
]


class _In(msgspec.Struct, frozen=True, kw_only=True):
    """Base of inbound structs: unknown fields are ignored."""


class WebhookError(_In, frozen=True, kw_only=True):
    """An error in a webhook (``value.errors``, ``messages[].errors``, ``statuses[].errors``).

    Example::

        WebhookError(code=131049, title="Not delivered", error_data={"details": "..."})
    """

    code: int | str | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None
    href: str | None = None


class WebhookMedia(_In, frozen=True, kw_only=True):
    """``image|video|audio|document|sticker`` of an inbound message.

    Example::

        WebhookMedia(id="1003383421387256", mime_type="image/jpeg", caption="Taj Mahal")
    """

    id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False
    animated: bool = False


class InboundText(_In, frozen=True, kw_only=True):
    """``text`` of an inbound message.

    Example::

        InboundText(body="Does it come in another color?")
    """

    body: str | None = None


class InboundContext(_In, frozen=True, kw_only=True, rename={"from_": "from"}):
    """``context``: what the message replies to, or that it was forwarded.

    Example::

        InboundContext(from_="15550783881", id="wamid.X")
    """

    from_: str | None = None
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: dict[str, Any] | None = None


class InboundButton(_In, frozen=True, kw_only=True):
    """``button``: a template quick-reply tap.

    Example::

        InboundButton(payload="ORDER_DETAILS", text="Details")
    """

    payload: str | None = None
    text: str | None = None


class InboundReply(_In, frozen=True, kw_only=True):
    """``interactive.button_reply`` / ``interactive.list_reply``.

    Example::

        InboundReply(id="change-button", title="Change")
    """

    id: str | None = None
    title: str | None = None
    description: str | None = None


class InboundInteractive(_In, frozen=True, kw_only=True):
    """``interactive`` of an inbound message.

    Example::

        InboundInteractive(type="list_reply", list_reply=InboundReply(id="x", title="X"))
    """

    type: str | None = None
    button_reply: InboundReply | None = None
    list_reply: InboundReply | None = None


class InboundMessage(_In, frozen=True, kw_only=True, rename={"from_": "from"}):
    """One entry of ``value.messages``.

    ``from`` is the user's phone digits, a BSUID, or ``""`` (then ``from_user_id`` is set).

    Example::

        InboundMessage(from_="16505551234", id="wamid.X", timestamp="1749416383", type="text")
    """

    from_: str = ""
    from_user_id: str | None = None
    from_parent_user_id: str | None = None
    group_id: str | None = None
    id: str = ""
    timestamp: str | int | None = None
    type: str = "unknown"
    text: InboundText | None = None
    image: WebhookMedia | None = None
    video: WebhookMedia | None = None
    audio: WebhookMedia | None = None
    document: WebhookMedia | None = None
    sticker: WebhookMedia | None = None
    location: dict[str, Any] | None = None
    contacts: list[dict[str, Any]] | None = None
    reaction: dict[str, Any] | None = None
    interactive: InboundInteractive | None = None
    button: InboundButton | None = None
    order: dict[str, Any] | None = None
    system: dict[str, Any] | None = None
    context: InboundContext | None = None
    referral: dict[str, Any] | None = None
    errors: list[WebhookError] = msgspec.field(default_factory=list)


class StatusPricing(_In, frozen=True, kw_only=True):
    """``statuses[].pricing``.

    Example::

        StatusPricing(pricing_model="PMP", type="regular", category="marketing")
    """

    billable: bool | None = None
    pricing_model: str | None = None
    type: str | None = None
    category: str | None = None


class ConversationOrigin(_In, frozen=True, kw_only=True):
    """``statuses[].conversation.origin``."""

    type: str | None = None


class StatusConversationWire(_In, frozen=True, kw_only=True):
    """``statuses[].conversation`` (omitted from v24.0 on outside free entry points).

    Example::

        StatusConversationWire(id="72b1...", expiration_timestamp="1750116480")
    """

    id: str | None = None
    expiration_timestamp: str | int | None = None
    origin: ConversationOrigin | None = None


class InboundStatus(_In, frozen=True, kw_only=True):
    """One entry of ``value.statuses``.

    Example::

        InboundStatus(id="wamid.X", status="delivered", recipient_id="16505551234")
    """

    id: str = ""
    status: str = ""
    timestamp: str | int | None = None
    recipient_id: str = ""
    recipient_user_id: str | None = None
    parent_recipient_user_id: str | None = None
    recipient_parent_user_id: str | None = None
    recipient_type: str | None = None
    recipient_participant_id: str | None = None
    biz_opaque_callback_data: Any = None
    """A string from Meta; left untyped so an odd value never loses the status."""
    errors: list[WebhookError] = msgspec.field(default_factory=list)
    pricing: StatusPricing | None = None
    conversation: StatusConversationWire | None = None


class Profile(_In, frozen=True, kw_only=True):
    """``contacts[].profile``.

    Example::

        Profile(name="Sheena Nelson")
    """

    name: str | None = None
    username: str | None = None


class WebhookContact(_In, frozen=True, kw_only=True):
    """``value.contacts[]``: who the messages in this change came from.

    Example::

        WebhookContact(wa_id="16505551234", profile=Profile(name="Sheena Nelson"))
    """

    wa_id: str = ""
    user_id: str | None = None
    parent_user_id: str | None = None
    profile: Profile | None = None


class Metadata(_In, frozen=True, kw_only=True):
    """``value.metadata``: the business number the change concerns.

    Example::

        Metadata(display_phone_number="15550783881", phone_number_id="106540352242922")
    """

    display_phone_number: str | None = None
    phone_number_id: str | None = None
