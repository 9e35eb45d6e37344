"""The gateway's JSON shapes as msgspec Structs (request bodies, responses, error bodies).

The gateway speaks camelCase in requests (``phoneNumber``, ``templateName``)
and snake_case in the text-send responses (``message_id``), so every field
spells its wire name with ``rename``. Responses are decoded leniently: ids may
be numbers or strings, and every field a response may leave out has a default,
so an odd body degrades into a typed error instead of a decoding crash.

Responses are decoded to plain JSON once (they become ``SendResult.raw``) and
then converted into these Structs with ``msgspec.convert``.

Example::

    msgspec.json.encode(SendTextRequest(phone_number="+14155552671", content="hi"))
    # b'{"phoneNumber":"+14155552671","content":"hi"}'
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "API_PREFIX",
    "ConversationMessage",
    "ConversationMessageRequest",
    "ConversationMessageResponse",
    "ErrorBody",
    "ErrorDetail",
    "GatewayConversation",
    "GatewayMessage",
    "MessageRef",
    "RecipientData",
    "RecipientResult",
    "SendTemplateRequest",
    "SendTemplateResponse",
    "SendTextData",
    "SendTextRequest",
    "SendTextResponse",
    "TemplateComponentEntry",
    "TemplateEntry",
    "TemplateRecipient",
    "TemplateSummary",
    "TemplatesResponse",
]

API_PREFIX = "/api/whatsapp"
"""Every endpoint lives under this path of the service root."""

Id = int | str
"""Ids are integers in the documented examples; accept strings so a gateway change is no crash."""


# -- requests ------------------------------------------------------------------------------------
class SendTextRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Body of ``POST /api/whatsapp/send``: text to a phone number.

    Example::

        SendTextRequest(phone_number="+14155552671", content="hi", request_id=42)
    """

    phone_number: str = msgspec.field(name="phoneNumber")
    content: str
    request_id: int | None = msgspec.field(default=None, name="requestId")


class ConversationMessageRequest(msgspec.Struct, kw_only=True):
    """Body of ``POST /api/whatsapp/conversations/{id}/messages``.

    Example::

        ConversationMessageRequest(content="following up")
    """

    content: str
    message_type: str = msgspec.field(default="text", name="messageType")


class TemplateRecipient(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One entry of ``recipients`` in a template send.

    Example::

        TemplateRecipient(phone_number="+14155552671", request_id=123)
    """

    phone_number: str = msgspec.field(name="phoneNumber")
    request_id: int | None = msgspec.field(default=None, name="requestId")


class SendTemplateRequest(msgspec.Struct, kw_only=True):
    """Body of ``POST /api/whatsapp/send-template`` (one template, many recipients).

    ``components`` holds the Cloud API's ``TemplateComponent`` values (built by the shared
    builder) or raw mappings (the unified ``Template(components=...)`` passthrough).

    Example::

        SendTemplateRequest(template_name="appointment_reminder", language_code="es",
                            components=[], recipients=[TemplateRecipient(phone_number="+1...")])
    """

    template_name: str = msgspec.field(name="templateName")
    language_code: str = msgspec.field(name="languageCode")
    components: list[Any]
    recipients: list[TemplateRecipient]


# -- responses -----------------------------------------------------------------------------------
class GatewayMessage(msgspec.Struct, kw_only=True):
    """The message row a text send returns.

    Example::

        GatewayMessage(message_id=456, conversation_id=123, status="sent")
    """

    message_id: Id
    conversation_id: Id | None = None
    content: str | None = None
    message_type: str | None = None
    direction: str | None = None
    status: str | None = None
    created_at: str | None = None


class GatewayConversation(msgspec.Struct, kw_only=True):
    """The conversation a text send used or created (``phone_number`` has no ``+``).

    Example::

        GatewayConversation(conversation_id=123, phone_number="14155552671", request_id=None)
    """

    conversation_id: Id
    phone_number: str | None = None
    request_id: Id | None = None


class SendTextData(msgspec.Struct, kw_only=True):
    """``data`` of a text-send response.

    Example::

        SendTextData(message=GatewayMessage(message_id=1), conversation=None)
    """

    message: GatewayMessage
    conversation: GatewayConversation | None = None


class SendTextResponse(msgspec.Struct, kw_only=True):
    """Response of ``POST /api/whatsapp/send``.

    Example::

        msgspec.convert(decoded, SendTextResponse).data.message.message_id
    """

    success: bool = True
    data: SendTextData | None = None


class ConversationMessage(msgspec.Struct, kw_only=True):
    """``data`` of a send-in-conversation response.

    Example::

        ConversationMessage(message_id=457, conversation_id=123, status="sent")
    """

    message_id: Id
    conversation_id: Id | None = None
    content: str | None = None
    status: str | None = None


class ConversationMessageResponse(msgspec.Struct, kw_only=True):
    """Response of ``POST /api/whatsapp/conversations/{id}/messages``.

    Example::

        msgspec.convert(decoded, ConversationMessageResponse).data.message_id
    """

    success: bool = True
    data: ConversationMessage | None = None


class TemplateSummary(msgspec.Struct, kw_only=True):
    """Counts of a template send.

    Example::

        TemplateSummary(total=2, sent=1, failed=1)
    """

    total: int = 0
    sent: int = 0
    failed: int = 0


class MessageRef(msgspec.Struct, kw_only=True):
    """A sent message reference: the wamid.

    Example::

        MessageRef(id="wamid.HBgN...")
    """

    id: str


class RecipientData(msgspec.Struct, kw_only=True):
    """``data`` of one successful recipient of a template send.

    Example::

        RecipientData(messages=[MessageRef(id="wamid.X")])
    """

    messages: list[MessageRef] = msgspec.field(default_factory=list)


class RecipientResult(msgspec.Struct, kw_only=True):
    """One entry of ``results`` in a template-send response.

    ``error`` is kept as decoded: a string or an object, depending on the gateway.

    Example::

        RecipientResult(phone_number="+14155552671", success=True,
                        data=RecipientData(messages=[MessageRef(id="wamid.X")]))
    """

    phone_number: str | None = msgspec.field(default=None, name="phoneNumber")
    success: bool = False
    data: RecipientData | None = None
    error: Any = None


class SendTemplateResponse(msgspec.Struct, kw_only=True):
    """Response of ``POST /api/whatsapp/send-template``.

    ``results`` entries stay plain JSON and are converted into
    :class:`RecipientResult` one by one, so that one malformed entry spoils only
    its own recipient, never the whole batch.

    Example::

        msgspec.convert(decoded, SendTemplateResponse).summary.sent
    """

    success: bool = True
    summary: TemplateSummary | None = None
    results: list[Any] | None = None


class TemplateComponentEntry(msgspec.Struct, kw_only=True):
    """One component of a listed template (``{"type": "BODY", "text": "Hola {{1}}"}``).

    Example::

        TemplateComponentEntry(type="BODY", text="Hola {{1}}")
    """

    type: str
    text: str | None = None
    format: str | None = None
    buttons: list[dict[str, Any]] = msgspec.field(default_factory=list)


class TemplateEntry(msgspec.Struct, kw_only=True):
    """One template of ``GET /api/whatsapp/templates``.

    Example::

        TemplateEntry(name="appointment_reminder", language="es", status="APPROVED")
    """

    name: str
    language: str
    status: str | None = None
    category: str | None = None
    id: Id | None = None
    components: list[TemplateComponentEntry] = msgspec.field(default_factory=list)


class TemplatesResponse(msgspec.Struct, kw_only=True):
    """Response of ``GET /api/whatsapp/templates`` (entries converted one by one).

    Example::

        msgspec.convert(decoded, TemplatesResponse).data
    """

    success: bool = True
    data: list[Any] = msgspec.field(default_factory=list)


# -- errors --------------------------------------------------------------------------------------
class ErrorDetail(msgspec.Struct, kw_only=True):
    """The object form of an error (``{"error": {"message": ..., "code": ...}}``).

    Example::

        ErrorDetail(message="Recipient is not a WhatsApp user", code=131026)
    """

    message: str | None = None
    code: Id | None = None


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error body form seen: ``{"success": false, "error": "..."}``,
    ``{"error": {"message", "code"}}`` and ``{"message": "..."}``.

    Example::

        msgspec.json.decode(b'{"success": false, "error": "Unauthorized"}', type=ErrorBody).text
        # 'Unauthorized'
    """

    success: bool | None = None
    error: str | ErrorDetail | None = None
    message: str | None = None
    code: Id | None = None

    @property
    def text(self) -> str | None:
        """The human message, whichever form carried it."""
        if isinstance(self.error, str) and self.error.strip():
            return self.error
        if isinstance(self.error, ErrorDetail) and self.error.message:
            return self.error.message
        return self.message or None

    @property
    def error_code(self) -> Id | None:
        """The machine code, whichever form carried it."""
        if isinstance(self.error, ErrorDetail) and self.error.code is not None:
            return self.error.code
        return self.code
