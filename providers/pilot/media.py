"""Local files on Pilot: sent inline as a ``data:<mime>;base64,...`` URI in ``media``.

Pilot has no upload endpoint in its send contract; its ``media`` field takes a public URL
or a base64 data URI. The client reads a media message's ``file=`` and hands the bytes
(with ``mime_type``) to the adapter, which inlines them here.

Base64 is accepted on numbers backed by Meta's Cloud API and **not** on unofficial
("Pilot Status web") numbers. The SDK cannot tell which kind a number is, so
``PilotSettings.number_kind`` says it: ``"web"`` makes a ``file=`` send raise
``UnsupportedFeature('file')`` before any request; ``"meta"`` or unset (``None``) sends
it inline. Unset is not refused because Pilot itself turns base64 down on a web number
(the send fails visibly, it is never dropped silently), whereas refusing it would make
``file=`` unusable for everyone who has not set the field.

Since inline media only works on Meta-backed numbers, Meta's documented media limits
apply (the same table as the ``meta`` provider: types and sizes per kind, facts §3.4),
checked before any request.

Example::

    data_uri(b"%PDF-1.7 ...", "application/pdf")  # 'data:application/pdf;base64,JVBERi0x...'
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

from whatsapp_async.provider import PLATFORM_MEDIA_LIMITS, MediaLimit, ValidationError, check_media

__all__ = ["INLINE_MEDIA_LIMITS", "data_uri", "inline_media"]

PROVIDER = "pilot"
# Base64 media works only on Meta-backed numbers, so Meta's limits are the ones that apply.
INLINE_MEDIA_LIMITS: Mapping[str, MediaLimit] = PLATFORM_MEDIA_LIMITS
"""Meta's media limits, per Pilot ``mediaType`` (sizes in binary megabytes)."""

_TOKEN = r"[A-Za-z0-9!#$&^_.+-]+"
_MIME = re.compile(rf"({_TOKEN})/({_TOKEN})")
_PARAMETER = re.compile(rf"({_TOKEN})=({_TOKEN})")


def _normalise_mime(mime_type: str) -> str:
    """``type/subtype`` in lower case plus any ``;name=value`` parameters, without spaces."""
    base, *parameters = [part.strip() for part in mime_type.split(";")]
    if not _MIME.fullmatch(base):
        raise ValidationError(
            f"pilot: {mime_type[:60]!r} is not a MIME type like 'image/png'",
            provider=PROVIDER,
            field="mime_type",
        )
    for parameter in parameters:
        if not _PARAMETER.fullmatch(parameter):
            raise ValidationError(
                f"pilot: MIME parameter {parameter[:40]!r} must be name=value",
                provider=PROVIDER,
                field="mime_type",
            )
    return ";".join([base.lower(), *parameters])


def data_uri(data: bytes, mime_type: str) -> str:
    """``data:<mime>;base64,<data>`` (RFC 2397), the MIME type normalised.

    Example::

        data_uri(b"hi", "text/plain")  # 'data:text/plain;base64,aGk='
    """
    mime = _normalise_mime(mime_type)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def inline_media(data: bytes, mime_type: str | None, kind: str) -> str:
    """The data URI for a ``kind`` media file after Meta's type and size checks.

    Example::

        inline_media(png_bytes, "image/png", "image")  # 'data:image/png;base64,...'
    """
    if not mime_type:
        raise ValidationError(
            f"pilot: an inline {kind} needs mime_type=", provider=PROVIDER, field="mime_type"
        )
    check_media(
        INLINE_MEDIA_LIMITS, mime_type=mime_type, size=len(data), kind=kind, provider=PROVIDER
    )
    return data_uri(data, mime_type)
