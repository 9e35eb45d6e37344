"""msgspec Structs for the JSON bodies Meta's Cloud API answers requests with.

Sends, errors, template pages and creations, media uploads, look-ups and deletes (the
request bodies are in ``wire``, the webhook deliveries in ``webhook_wire``). Every field
has a default: Meta adds fields over time and leaves others out, and a missing field must
never turn into a crash; unknown fields are ignored.

Example::

    msgspec.convert({"messages": [{"id": "wamid.X"}]}, SendResponse).messages[0].id  # 'wamid.X'
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "Cursors",
    "ErrorData",
    "ErrorEnvelope",
    "GraphError",
    "MediaDescription",
    "MediaUploaded",
    "Paging",
    "SendContact",
    "SendMessageInfo",
    "SendResponse",
    "SuccessBody",
    "TemplateComponentItem",
    "TemplateCreated",
    "TemplateItem",
    "TemplatesPage",
]


class _In(msgspec.Struct, frozen=True, kw_only=True):
    """Base of inbound structs: unknown fields are ignored."""


class SendContact(_In, frozen=True, kw_only=True):
    """``contacts[]`` of a send response (``wa_id`` is ``""`` for a BSUID recipient).

    Example::

        SendContact(input="+16505551234", wa_id="16505551234")
    """

    input: str | None = None
    wa_id: str | None = None
    user_id: str | None = None


class SendMessageInfo(_In, frozen=True, kw_only=True):
    """``messages[]`` of a send response.

    Example::

        SendMessageInfo(id="wamid.X", message_status="accepted")
    """

    id: str | None = None
    message_status: str | None = None


class SendResponse(_In, frozen=True, kw_only=True):
    """A successful send's body.

    Example::

        msgspec.convert({"messages": [{"id": "wamid.X"}]}, SendResponse)
    """

    messaging_product: str | None = None
    contacts: list[SendContact] = msgspec.field(default_factory=list)
    messages: list[SendMessageInfo] = msgspec.field(default_factory=list)


class ErrorData(_In, frozen=True, kw_only=True):
    """``error.error_data``.

    Example::

        ErrorData(details="Cloud API message throughput has been reached.")
    """

    messaging_product: str | None = None
    details: Any = None


class GraphError(_In, frozen=True, kw_only=True):
    """``error`` of Meta's error envelope (``code`` may arrive as a string from proxies).

    Example::

        GraphError(message="(#130429) Rate limit hit", code=130429)
    """

    message: str | None = None
    type: str | None = None
    code: int | str | None = None
    error_subcode: int | str | None = None
    error_data: ErrorData | None = None
    error_user_title: str | None = None
    error_user_msg: str | None = None
    is_transient: bool | None = None
    fbtrace_id: str | None = None


class ErrorEnvelope(_In, frozen=True, kw_only=True):
    """Meta's error body: ``{"error": {...}}``.

    Example::

        msgspec.json.decode(body, type=ErrorEnvelope).error.code
    """

    error: GraphError | None = None


class TemplateComponentItem(_In, frozen=True, kw_only=True):
    """One component of a listed template.

    Example::

        TemplateComponentItem(type="BODY", text="Hi {{1}}")
    """

    type: str = ""
    format: str | None = None
    text: str | None = None
    buttons: list[dict[str, Any]] = msgspec.field(default_factory=list)


class TemplateItem(_In, frozen=True, kw_only=True):
    """One template of ``GET /{waba-id}/message_templates``.

    Example::

        TemplateItem(name="hello_world", language="en_US", status="APPROVED")
    """

    name: str = ""
    language: str = ""
    status: str | None = None
    category: str | None = None
    id: str | None = None
    components: list[TemplateComponentItem] = msgspec.field(default_factory=list)


class Cursors(_In, frozen=True, kw_only=True):
    """``paging.cursors``.

    Example::

        Cursors(before="MAZDZD", after="MjQZD")
    """

    before: str | None = None
    after: str | None = None


class Paging(_In, frozen=True, kw_only=True):
    """Graph paging: ``next`` is present only when there is a next page.

    Example::

        Paging(cursors=Cursors(after="MjQZD"), next="https://graph.facebook.com/...")
    """

    cursors: Cursors | None = None
    next: str | None = None
    previous: str | None = None


class TemplatesPage(_In, frozen=True, kw_only=True):
    """One page of templates; items are converted one by one (see ``TemplateItem``).

    Example::

        msgspec.json.decode(body, type=TemplatesPage)
    """

    data: list[Any] = msgspec.field(default_factory=list)
    paging: Paging | None = None


class MediaUploaded(_In, frozen=True, kw_only=True):
    """The answer to a media upload: ``{"id": "<MEDIA_ID>"}``.

    Example::

        MediaUploaded(id="4490709327384033")
    """

    id: str | None = None


class MediaDescription(_In, frozen=True, kw_only=True):
    """``GET /{version}/{media-id}``: a short-lived ``url`` and what the file is.

    ``file_size`` is a string in Meta's examples and a number in some answers: both are
    accepted.

    Example::

        MediaDescription(id="2621233374848975", url="https://lookaside.fbsbx.com/...",
                         mime_type="image/jpeg", sha256="...", file_size="303833")
    """

    messaging_product: str | None = None
    id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    file_size: int | str | None = None


class SuccessBody(_In, frozen=True, kw_only=True):
    """Graph's ``{"success": true}`` (media and template deletes, mark-read).

    Example::

        SuccessBody(success=True)
    """

    success: bool | None = None


class TemplateCreated(_In, frozen=True, kw_only=True):
    """The answer to a template creation: ``{"id", "status", "category"}``.

    Example::

        TemplateCreated(id="1689556908129832", status="PENDING", category="UTILITY")
    """

    id: str | None = None
    status: str | None = None
    category: str | None = None
