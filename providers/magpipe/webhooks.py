"""Magpipe's inbound ``whatsapp.received`` forward -> normalised events.

Magpipe posts one JSON object per inbound message to the account's
``webhook_url``: the sender's WhatsApp id (digits), the text (a caption, a
filename or an audio transcript for media), re-hosted media as signed URLs, the
reply context, and the ``metadata`` of the business message the user answered
(so a reply can be tied back to your own record).

The forward is **not signed**. To keep strangers from posting events, configure
``webhook_token`` and put the same value in the URL you give Magpipe
(``https://you.example/hook?token=...``); every delivery is then checked in
constant time and a missing or wrong token raises ``WebhookSignatureError``
(HTTP 401 from ``wa.webhook_app``). Without a token, ``parse_webhook`` accepts
deliveries and logs a warning once, and ``wa.webhook_app`` refuses to start unless
given ``allow_unsigned=True``.

Any JSON that is not a ``whatsapp.received`` object (other events, arrays,
missing ids) becomes ``UnknownEvent``. Nothing here raises except
``WebhookSignatureError`` (the token) and ``WebhookPayloadError`` (a body that is
empty, not JSON or nested deeper than ``MAX_WEBHOOK_DEPTH``).

Example::

    events = parse_inbound(body)
    # [MessageReceived(provider="magpipe", message_id="wamid...", sender="+16045628647", ...)]
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from whatsapp_async.provider import (
    Event,
    InboundMedia,
    MessageReceived,
    UnknownEvent,
    WebhookSignatureError,
    convert_leniently,
    read_webhook_json,
)

from .wire import InboundWhatsApp

__all__ = ["INBOUND_EVENT", "TOKEN_PARAMETER", "check_token", "parse_inbound"]

PROVIDER = "magpipe"
INBOUND_EVENT = "whatsapp.received"
TOKEN_PARAMETER = "token"
"""The query parameter that carries the shared webhook token."""

_MEDIA_TYPES = ("image", "video", "audio")


def check_token(query: Mapping[str, str], tokens: Iterable[str]) -> None:
    """Raise ``WebhookSignatureError`` unless ``query["token"]`` equals one of ``tokens``.

    Every configured token is compared (constant time each), so timing does not
    reveal which one matched. The token itself never appears in the error. A query
    (aiohttp's ``request.query``) that repeats the parameter is refused: which one
    counts would be a guess.

    Example::

        check_token({"token": "s3cret-token"}, ["s3cret-token"])  # passes
    """
    getall = getattr(query, "getall", None)
    if callable(getall) and len(getall(TOKEN_PARAMETER, ())) > 1:
        raise WebhookSignatureError(
            f"magpipe webhook has more than one '{TOKEN_PARAMETER}' query parameter",
            provider=PROVIDER,
        )
    given = query.get(TOKEN_PARAMETER)
    if not given:
        raise WebhookSignatureError(
            f"magpipe webhook has no '{TOKEN_PARAMETER}' query parameter", provider=PROVIDER
        )
    # "surrogatepass": any str encodes, a lone surrogate included (it then simply differs).
    given_bytes = given.encode("utf-8", "surrogatepass")
    ok = False
    for token in tokens:
        ok |= hmac.compare_digest(given_bytes, token.encode("utf-8", "surrogatepass"))
    if not ok:
        raise WebhookSignatureError(
            f"magpipe webhook '{TOKEN_PARAMETER}' query parameter does not match",
            provider=PROVIDER,
        )


def parse_inbound(body: bytes) -> list[Event]:
    """Normalise one delivery (already authenticated) into events.

    Raises ``WebhookPayloadError`` only for a body that cannot be read at all (empty, not
    JSON, nested too deep); any JSON of another shape gives ``UnknownEvent``.

    Example::

        parse_inbound(b'{"event":"whatsapp.received","from":"16045628647",'
                      b'"message_id":"wamid.X","content":"hi","timestamp":"1750000000"}')
    """
    payload = read_webhook_json(body, provider=PROVIDER)
    if not isinstance(payload, dict):
        return [UnknownEvent(provider=PROVIDER, raw=payload)]
    kind = payload.get("event")
    if kind != INBOUND_EVENT:
        return [
            UnknownEvent(
                provider=PROVIDER, raw=payload, kind=kind if isinstance(kind, str) else None
            )
        ]
    inbound = convert_leniently(payload, InboundWhatsApp)
    if inbound is None or not inbound.message_id or not inbound.from_:
        return [UnknownEvent(provider=PROVIDER, raw=payload, kind=INBOUND_EVENT)]
    return [_message_received(inbound, payload)]


def _message_received(inbound: InboundWhatsApp, payload: dict[str, Any]) -> MessageReceived:
    media = _first_media(inbound)
    metadata = inbound.metadata if isinstance(inbound.metadata, dict) else None
    return MessageReceived(
        provider=PROVIDER,
        message_id=inbound.message_id,
        sender="+" + inbound.from_.lstrip("+"),
        type=_message_type(media),
        timestamp=_timestamp(inbound.timestamp),
        text=inbound.content,
        media=media,
        reply_to=inbound.context.in_reply_to_message_id if inbound.context else None,
        sender_name=inbound.contact_name,
        # The business number that received it (Meta's phone number id).
        recipient=inbound.phone_number_id,
        metadata=metadata,
        business_id=inbound.phone_number_id,
        raw=payload,
    )


def _first_media(inbound: InboundWhatsApp) -> InboundMedia | None:
    if not inbound.media:
        return None
    item = inbound.media[0]
    return InboundMedia(
        url=item.url, mime_type=item.mime_type, caption=item.caption, filename=item.filename
    )


def _message_type(media: InboundMedia | None) -> str:
    """``text`` without media; otherwise the media family from its MIME type.

    Magpipe forwards text, audio, image, video and document messages only, so
    any other MIME type (PDFs, office files ...) is a document.
    """
    if media is None:
        return "text"
    family = (media.mime_type or "").split("/", 1)[0].lower()
    return family if family in _MEDIA_TYPES else "document"


def _timestamp(value: str | int | float | None) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = float(value)
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
