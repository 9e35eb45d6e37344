"""Magpipe's JSON on the wire: request bodies, responses, error bodies, the inbound forward.

Field names are Magpipe's own (snake_case), so only ``from`` needs a rename.
Request Structs omit unset optional fields, so a body carries exactly what the
caller gave. Decoding never raises to callers: :func:`decode_json` answers
``None`` for anything that is not JSON, and the typed views are built with
:func:`convert_or_none`.

Example::

    body = TextSendBody(phone_number_id="1026733600525693", recipient_wa_id="14155551234",
                        message="hi")
    encode(body)  # b'{"phone_number_id":"1026733600525693","recipient_wa_id":...}'
"""

from __future__ import annotations

from typing import Any

import msgspec

# Re-exported for this provider's modules: the SDK's one "decoded JSON as a Struct, or None".
from whatsapp_async.provider import convert_or_none

__all__ = [
    "ErrorBody",
    "ErrorObject",
    "InboundContext",
    "InboundMediaItem",
    "InboundWhatsApp",
    "SendResponse",
    "TemplateSendBody",
    "TextSendBody",
    "convert_or_none",
    "decode_json",
    "encode",
]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


# -- requests ---------------------------------------------------------------------------------
class TextSendBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """``POST /send-whatsapp-message``: a free-form text to a WhatsApp id (digits, no ``+``).

    Example::

        TextSendBody(phone_number_id="1026733600525693", recipient_wa_id="14155551234",
                     message="Your appointment is confirmed", metadata={"ticket": "T-1"})
    """

    phone_number_id: str
    recipient_wa_id: str
    message: str
    metadata: dict[str, Any] | None = None


class TemplateSendBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """``POST /send-whatsapp-template``: an approved template to an E.164 number (with ``+``).

    ``components`` is Meta's component list (the Cloud API's ``TemplateComponent`` values
    built from a ``Template``, or a raw passthrough); Magpipe hands it to Meta unchanged.

    Example::

        TemplateSendBody(agent_id="d920763c-59d8-490e-ad69-b6a3295e23a8", to="+16045628647",
                         template_name="upcoming_site_report", language="en_US")
    """

    agent_id: str
    to: str
    template_name: str
    language: str
    components: list[Any] | None = None
    metadata: dict[str, Any] | None = None


# -- responses --------------------------------------------------------------------------------
class SendResponse(msgspec.Struct, kw_only=True):
    """A 200 from either send endpoint; ``stored`` (the saved row) only from the text endpoint.

    ``message_id`` is the wamid Meta returned; Magpipe answers ``null`` when Meta's
    response had none.

    Example::

        SendResponse(success=True, message_id="wamid.HBgL...", stored={"id": "msg_..."})
    """

    success: bool = False
    message_id: str | None = None
    stored: dict[str, Any] | None = None


class ErrorObject(msgspec.Struct, kw_only=True):
    """The nested error of Magpipe's general API envelope: ``{"code", "message"}``.

    Example::

        ErrorObject(code="RATE_LIMITED", message="Too many requests")
    """

    code: str | int | None = None
    message: str | None = None


class ErrorBody(msgspec.Struct, kw_only=True):
    """An error answer, in either form Magpipe uses.

    The WhatsApp functions answer flat ``{"error": "<text>", "detail"?, "docs"?}``
    (``detail`` holds Meta's error text on a 502); the general API documents
    ``{"data": null, "error": {"code", "message"}}``.

    Example::

        ErrorBody(error="Failed to send template", detail="(#131047) Re-engagement message")
    """

    error: str | ErrorObject | None = None
    detail: Any = None
    docs: str | None = None
    message: str | None = None


# -- inbound webhook --------------------------------------------------------------------------
class InboundMediaItem(msgspec.Struct, kw_only=True):
    """One re-hosted media file of an inbound message (a signed URL).

    Example::

        InboundMediaItem(url="https://.../signed", mime_type="image/jpeg", caption="north wall")
    """

    url: str | None = None
    mime_type: str | None = None
    caption: str | None = None
    filename: str | None = None


class InboundContext(msgspec.Struct, kw_only=True):
    """Which business message the user replied to (the wamid), when they used "reply".

    Example::

        InboundContext(in_reply_to_message_id="wamid.HBgL...")
    """

    in_reply_to_message_id: str | None = None


class InboundWhatsApp(msgspec.Struct, kw_only=True):
    """The ``whatsapp.received`` forward Magpipe posts to an account's ``webhook_url``.

    Older deployments send only ``event, from, content, phone_number_id,
    whatsapp_account_id, message_id, timestamp, contact_name``; the newer fields
    default to empty. ``metadata`` stays ``Any`` so a non-object does not make the
    whole event unreadable.

    Example::

        InboundWhatsApp(event="whatsapp.received", from_="16045628647", message_id="wamid.X",
                        content="Report done")
    """

    event: str
    from_: str = msgspec.field(name="from")
    message_id: str
    content: str | None = None
    media: list[InboundMediaItem] | None = None
    phone_number_id: str | None = None
    whatsapp_account_id: str | None = None
    conversation_id: str | None = None
    context: InboundContext | None = None
    metadata: Any = None
    timestamp: str | int | float | None = None
    contact_name: str | None = None


# -- helpers ----------------------------------------------------------------------------------
def encode(value: Any) -> bytes:
    """JSON bytes of ``value`` (Structs, dicts, lists ...) with the shared encoder.

    Example::

        encode({"a": 1})  # b'{"a":1}'
    """
    return _encoder.encode(value)


def decode_json(data: bytes | str) -> Any:
    """``data`` as JSON, or ``None`` when it is empty or not JSON (never raises).

    Example::

        decode_json(b"<html>")  # None
    """
    if not data:
        return None
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return None
