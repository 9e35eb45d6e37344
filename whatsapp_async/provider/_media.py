"""Media files: what an upload carries, what a media look-up returns, and size/type limits.

Providers describe an upload as an :class:`HttpRequest` whose ``form`` holds
plain fields and one :class:`FormFile`; the transport streams the file from
disk (or sends the bytes), so a large file is never held in memory whole.
Downloads are streamed to a file chunk by chunk.

Example::

    media_id = await wa.upload_media("receipt.png", mime_type="image/png")
    await wa.send(to, Image(id=media_id))
    path = await wa.download_media(event.media, dest="inbox/photo.jpg")
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping

import msgspec

from ..errors import ValidationError

__all__ = [
    "PLATFORM_MEDIA_LIMITS",
    "FormFile",
    "MediaInfo",
    "MediaLimit",
    "MediaSource",
    "check_media",
    "guess_mime_type",
]

MediaSource = bytes | str | os.PathLike[str]
"""Bytes, or the path of a file."""


class FormFile(msgspec.Struct, frozen=True, kw_only=True):
    """The file part of a multipart upload: a path (streamed) or bytes.

    Example::

        FormFile(filename="a.png", content_type="image/png", path="/tmp/a.png")
    """

    filename: str
    content_type: str
    path: str | None = None
    data: bytes | None = None

    @classmethod
    def from_source(
        cls, source: MediaSource, *, content_type: str, filename: str | None = None
    ) -> FormFile:
        """A form file for ``source`` (a path is streamed when sent, bytes are sent as is)."""
        if isinstance(source, bytes):
            return cls(filename=filename or "upload", content_type=content_type, data=source)
        path = os.fspath(source)
        return cls(
            filename=filename or os.path.basename(path), content_type=content_type, path=path
        )

    def size(self) -> int:
        """The file's size in bytes (a stat for paths)."""
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return os.stat(self.path).st_size


class MediaInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A media object as the provider describes it; ``url`` is short-lived (Meta: 5 min).

    Example::

        info = await wa.media_url("1013859600285441")
        info.url, info.mime_type, info.file_size
    """

    id: str
    url: str
    mime_type: str | None = None
    sha256: str | None = None
    file_size: int | None = None


class MediaLimit(msgspec.Struct, frozen=True, kw_only=True):
    """The largest file and the MIME types a provider accepts for one media kind.

    Example::

        MediaLimit(max_bytes=5 * 1024 * 1024, mime_types=frozenset({"image/jpeg", "image/png"}))
    """

    max_bytes: int
    mime_types: frozenset[str]


_MB = 1024 * 1024
_OFFICE = (
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)

PLATFORM_MEDIA_LIMITS: Mapping[str, MediaLimit] = {
    "image": MediaLimit(max_bytes=5 * _MB, mime_types=frozenset({"image/jpeg", "image/png"})),
    "audio": MediaLimit(
        max_bytes=16 * _MB,
        mime_types=frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}),
    ),
    "video": MediaLimit(max_bytes=16 * _MB, mime_types=frozenset({"video/mp4", "video/3gpp"})),
    "document": MediaLimit(
        max_bytes=100 * _MB, mime_types=frozenset({"text/plain", "application/pdf", *_OFFICE})
    ),
    # 100 KB static, 500 KB animated; a webp does not say which without decoding it.
    "sticker": MediaLimit(max_bytes=500 * 1024, mime_types=frozenset({"image/webp"})),
}
"""WhatsApp's documented media limits (binary megabytes), for providers that carry them.

Example::

    check_media(PLATFORM_MEDIA_LIMITS, mime_type="video/mp4", size=20 * 1024 * 1024)
    # ValidationError: file is 20,971,520 bytes; video/mp4 media may be at most 16,777,216 bytes
"""


def guess_mime_type(source: MediaSource, filename: str | None = None) -> str | None:
    """The MIME type a file name suggests, or None.

    Example::

        >>> guess_mime_type("invoice.pdf")
        'application/pdf'
    """
    name = filename or (None if isinstance(source, bytes) else os.fspath(source))
    return mimetypes.guess_type(name)[0] if name else None


def check_media(
    limits: Mapping[str, MediaLimit],
    *,
    mime_type: str,
    size: int,
    kind: str | None = None,
    provider: str | None = None,
) -> str:
    """The media kind that accepts ``mime_type`` and ``size``; ValidationError otherwise.

    With ``kind`` the file must fit that kind (a sticker, say); otherwise any
    kind that accepts the MIME type.

    Example::

        check_media(META_LIMITS, mime_type="image/png", size=120_000)  # 'image'
    """
    base = mime_type.split(";", 1)[0].strip().lower()
    candidates = [kind] if kind is not None else list(limits)
    fitting = [k for k in candidates if k in limits and base in limits[k].mime_types]
    if not fitting:
        allowed = sorted({m for k in candidates if k in limits for m in limits[k].mime_types})
        where = f" for {kind}" if kind else ""
        raise ValidationError(
            f"media type {base!r} is not accepted{where}; accepted: {', '.join(allowed)}",
            provider=provider,
            field="mime_type",
        )
    for candidate in fitting:
        if size <= limits[candidate].max_bytes:
            return candidate
    largest = max(limits[k].max_bytes for k in fitting)
    raise ValidationError(
        f"file is {size:,} bytes; {base} media may be at most {largest:,} bytes",
        provider=provider,
        field="file",
    )
