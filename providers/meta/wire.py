"""msgspec Structs for the JSON request bodies sent to Meta's Cloud API, and the shared codec.

Outbound structs (``MessageRequest`` and its parts, mark-read, template creation) omit
fields left at ``None`` so the encoded body carries exactly what Meta documents. What Meta
answers is in ``response_wire``, what its webhooks deliver in ``webhook_wire``.

Example::

    body = MessageRequest(messaging_product="whatsapp", recipient_type="individual",
                          to="+16505551234", type="text",
                          text=TextObject(body="hi", preview_url=False))
    ENCODER.encode(body)
"""

from __future__ import annotations

from typing import Any

import msgspec

# The media and location objects are the Cloud API's, shared with the template builder and the
# relays that send the same JSON: one definition, re-exported for this provider's modules.
# Template components come from the shared builder (whatsapp_async.provider.cloudapi).
from whatsapp_async.provider.cloudapi import LocationObject, MediaObject

from .wire_interactive import NamedAction, ProductAction

__all__ = [
    "DECODER",
    "ENCODER",
    "ActionObject",
    "Context",
    "InteractiveHeader",
    "InteractiveObject",
    "InteractiveText",
    "LocationObject",
    "MarkReadRequest",
    "MediaObject",
    "MessageRequest",
    "ReactionObject",
    "ReplyButtonObject",
    "ReplyObject",
    "RowObject",
    "SectionObject",
    "TemplateCreateRequest",
    "TemplateLanguage",
    "TemplateObject",
    "TextObject",
    "TypingIndicator",
]

ENCODER = msgspec.json.Encoder()
"""Shared JSON encoder (msgspec encoders are reusable and thread-safe)."""
DECODER = msgspec.json.Decoder()
"""Shared JSON decoder into plain Python objects."""


class _Out(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Base of outbound structs: fields left at their default are not sent."""


# -- outbound: message bodies ------------------------------------------------------------------
class TextObject(_Out, frozen=True, kw_only=True):
    """``text``: ``preview_url`` is always sent (it has no default).

    Example::

        TextObject(body="See https://example.com", preview_url=True)
    """

    body: str
    preview_url: bool


class ReactionObject(_Out, frozen=True, kw_only=True):
    """``reaction``: an empty ``emoji`` removes a previous reaction.

    Example::

        ReactionObject(message_id="wamid.X", emoji="👍")
    """

    message_id: str
    emoji: str


class Context(_Out, frozen=True, kw_only=True):
    """``context``: the message this one replies to.

    Example::

        Context(message_id="wamid.X")
    """

    message_id: str


class InteractiveText(_Out, frozen=True, kw_only=True):
    """``interactive.body`` / ``interactive.footer``.

    Example::

        InteractiveText(text="Choose one")
    """

    text: str


class InteractiveHeader(_Out, frozen=True, kw_only=True):
    """``interactive.header``: text, or one media object matching ``type``.

    Example::

        InteractiveHeader(type="image", image=MediaObject(id="123"))
    """

    type: str
    text: str | None = None
    image: MediaObject | None = None
    video: MediaObject | None = None
    document: MediaObject | None = None


class ReplyObject(_Out, frozen=True, kw_only=True):
    """``reply`` of a reply button.

    Example::

        ReplyObject(id="yes", title="Yes")
    """

    id: str
    title: str


class ReplyButtonObject(_Out, frozen=True, kw_only=True):
    """One entry of ``action.buttons`` (``type`` is always ``"reply"``).

    Example::

        ReplyButtonObject(type="reply", reply=ReplyObject(id="yes", title="Yes"))
    """

    type: str
    reply: ReplyObject


class RowObject(_Out, frozen=True, kw_only=True):
    """A list row.

    Example::

        RowObject(id="std", title="Standard", description="3-5 days")
    """

    id: str
    title: str
    description: str | None = None


class SectionObject(_Out, frozen=True, kw_only=True):
    """A list section (``title`` may be left out when there is only one section).

    Example::

        SectionObject(title="Shipping", rows=[RowObject(id="std", title="Standard")])
    """

    title: str | None = None
    rows: list[RowObject]


class ActionObject(_Out, frozen=True, kw_only=True):
    """``interactive.action``: ``buttons`` for reply buttons; ``button`` + ``sections`` for lists.

    Example::

        ActionObject(button="Options", sections=[...])
    """

    button: str | None = None
    sections: list[SectionObject] | None = None
    buttons: list[ReplyButtonObject] | None = None


class InteractiveObject(_Out, frozen=True, kw_only=True):
    """``interactive``: ``action`` is an :class:`ActionObject` (reply buttons, lists), a
    ``NamedAction`` (CTA URL, Flow, catalogue, requests, voice call) or a ``ProductAction``.

    Example::

        InteractiveObject(type="button", body=InteractiveText(text="OK?"), action=...)
    """

    type: str
    header: InteractiveHeader | None = None
    body: InteractiveText | None = None
    footer: InteractiveText | None = None
    action: ActionObject | NamedAction | ProductAction


class TemplateLanguage(_Out, frozen=True, kw_only=True):
    """``template.language``.

    Example::

        TemplateLanguage(code="en_US")
    """

    code: str
    policy: str | None = None


class TemplateObject(_Out, frozen=True, kw_only=True):
    """``template``; ``components`` holds built components or a caller's raw passthrough.

    Example::

        TemplateObject(name="hello_world", language=TemplateLanguage(code="en_US"))
    """

    name: str
    language: TemplateLanguage
    components: list[Any] | None = None


class MessageRequest(_Out, frozen=True, kw_only=True):
    """The body of ``POST /{version}/{phone-number-id}/messages`` for a send.

    Exactly one of the type objects is set, the one ``type`` names.

    Example::

        MessageRequest(messaging_product="whatsapp", recipient_type="individual",
                       to="+16505551234", type="text",
                       text=TextObject(body="hi", preview_url=False))
    """

    messaging_product: str
    recipient_type: str
    to: str | None = None
    recipient: str | None = None
    """A business-scoped user id, sent instead of ``to`` (Meta's dedicated field)."""
    type: str
    context: Context | None = None
    biz_opaque_callback_data: str | None = None
    text: TextObject | None = None
    image: MediaObject | None = None
    video: MediaObject | None = None
    audio: MediaObject | None = None
    document: MediaObject | None = None
    sticker: MediaObject | None = None
    location: LocationObject | None = None
    contacts: list[Any] | None = None
    reaction: ReactionObject | None = None
    interactive: InteractiveObject | None = None
    template: TemplateObject | None = None


class TypingIndicator(_Out, frozen=True, kw_only=True):
    """``typing_indicator`` of a mark-read request (``type`` is ``"text"``).

    Example::

        TypingIndicator(type="text")
    """

    type: str


class MarkReadRequest(_Out, frozen=True, kw_only=True):
    """The body that marks an inbound message read (and optionally shows typing).

    Example::

        MarkReadRequest(messaging_product="whatsapp", status="read", message_id="wamid.X")
    """

    messaging_product: str
    status: str
    message_id: str
    typing_indicator: TypingIndicator | None = None


class TemplateCreateRequest(_Out, frozen=True, kw_only=True):
    """The body of ``POST /{version}/{waba-id}/message_templates``.

    ``components`` are Meta's template components as given (HEADER, BODY, FOOTER,
    BUTTONS with their examples).

    Example::

        TemplateCreateRequest(name="order_update", language="en_US", category="UTILITY",
                              components=[{"type": "BODY", "text": "Hi {{1}}"}])
    """

    name: str
    language: str
    category: str
    components: list[Any]
    parameter_format: str | None = None
    allow_category_change: bool | None = None
