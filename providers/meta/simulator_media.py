"""The simulator's media: stored uploads, generated files, short-lived download URLs.

What the Meta simulator keeps for ``/{phone-number-id}/media``, ``/{media-id}`` and the
download URLs it hands out:

- uploaded files are kept in memory as sent;
- :meth:`MediaStore.add_generated` makes a large file without holding it: its bytes are
  a deterministic function of a seed, produced chunk by chunk whenever it is served
  (its ``sha256`` is computed once, the same way), so a test can download 50 MB while
  measuring only the client's memory;
- download URLs are random tokens that expire (``time.monotonic``), like Meta's
  5-minute URLs;
- ``parse_form`` reads a ``multipart/form-data`` body that was already read whole (the
  simulator base records every body before the routes run, so aiohttp's own form parser
  finds the stream consumed).

Example::

    store = MediaStore()
    media = store.add_bytes(b"hello", "text/plain")
    token, expires = store.issue_url(media.id, ttl=300)
    assert store.resolve(token) is media
"""

from __future__ import annotations

import email.message
import hashlib
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CHUNK",
    "DOCUMENTED_MEDIA",
    "FormPart",
    "MediaStore",
    "SimMedia",
    "generated_chunks",
    "media_ids_in",
    "parse_form",
]

CHUNK = 64 * 1024
"""Bytes per chunk when a file is served."""

DOCUMENTED_MEDIA: Mapping[str, str] = {
    # Ids Meta's documentation uses in its examples.
    "1003383421387256": "image/jpeg",
    "1013859600285441": "video/mp4",
    "1145362573962447": "audio/ogg",
    "3358238704307380": "application/pdf",
    "798882015472548": "image/webp",
    # The placeholders of Meta's OpenAPI request examples.
    "<IMAGE_OBJECT_ID>": "image/jpeg",
    "<VIDEO_OBJECT_ID>": "video/mp4",
    "<AUDIO_OBJECT_ID>": "audio/ogg",
    "<DOCUMENT_OBJECT_ID>": "application/pdf",
    "<MEDIA_OBJECT_ID>": "image/webp",
}
"""Media the simulated account already holds, so that sends copied from Meta's documented
examples work unchanged (as ``hello_world`` exists among its templates)."""

_MEDIA_KINDS = frozenset({"image", "video", "audio", "document", "sticker"})


def generated_chunks(seed: bytes, size: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """The bytes of a generated file, ``chunk`` at a time (the same every time).

    Each chunk is one pseudo-random block with the chunk's number written over its
    first 8 bytes, so no two chunks are equal and nothing large is ever held.

    Example::

        b"".join(generated_chunks(b"seed", 10))  # 10 deterministic bytes
    """
    block = hashlib.shake_256(seed).digest(chunk)
    for index, start in enumerate(range(0, size, chunk)):
        piece = index.to_bytes(8, "big") + block[8:]
        yield piece[: min(chunk, size - start)]


@dataclass
class SimMedia:
    """One media object: uploaded bytes (``data``) or a generated file (``seed``).

    Example::

        media.id, media.mime_type, media.size, media.sha256
    """

    id: str
    mime_type: str
    size: int
    sha256: str
    """Lowercase hex SHA-256 of the content."""
    data: bytes | None = None
    seed: bytes | None = None

    def chunks(self) -> Iterator[bytes]:
        """The content in chunks of at most :data:`CHUNK` bytes.

        Example::

            total = sum(len(c) for c in media.chunks())
        """
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), CHUNK):
                yield bytes(view[start : start + CHUNK])
        else:
            assert self.seed is not None
            yield from generated_chunks(self.seed, self.size)


@dataclass
class _Url:
    media_id: str
    expires_at: float


@dataclass
class MediaStore:
    """Media objects by id, and the download URLs issued for them.

    Example::

        store = MediaStore()
        big = store.add_generated(50 * 1024 * 1024, "video/mp4")
    """

    items: dict[str, SimMedia] = field(default_factory=dict)
    _urls: dict[str, _Url] = field(default_factory=dict)

    @classmethod
    def with_documented_media(cls) -> MediaStore:
        """A store holding :data:`DOCUMENTED_MEDIA` (small generated files).

        Example::

            MediaStore.with_documented_media().get("1003383421387256").mime_type  # 'image/jpeg'
        """
        store = cls()
        for media_id, mime_type in DOCUMENTED_MEDIA.items():
            store.add_generated(2048, mime_type, media_id=media_id)
        return store

    def _new_id(self) -> str:
        # Graph ids are decimal strings of 15-16 digits.
        while True:
            candidate = str(10**15 + secrets.randbelow(9 * 10**15))
            if candidate not in self.items:
                return candidate

    def add_bytes(self, data: bytes, mime_type: str) -> SimMedia:
        """Store an uploaded file; returns it with a fresh id.

        Example::

            store.add_bytes(png, "image/png").id  # '4490709327384033'
        """
        media = SimMedia(
            id=self._new_id(),
            mime_type=mime_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
        self.items[media.id] = media
        return media

    def add_generated(self, size: int, mime_type: str, *, media_id: str | None = None) -> SimMedia:
        """A file of ``size`` deterministic bytes, produced only when served.

        Example::

            media = store.add_generated(50 * 1024 * 1024, "video/mp4")
            media.sha256  # what a correct download hashes to
        """
        if size < 0:
            raise ValueError("size must not be negative")
        seed = secrets.token_bytes(16)
        digest = hashlib.sha256()
        for chunk in generated_chunks(seed, size):
            digest.update(chunk)
        media = SimMedia(
            id=media_id or self._new_id(),
            mime_type=mime_type,
            size=size,
            sha256=digest.hexdigest(),
            seed=seed,
        )
        self.items[media.id] = media
        return media

    def get(self, media_id: str) -> SimMedia | None:
        """The media object ``media_id``, or None (never stored, or deleted).

        Example::

            store.get("4490709327384033")
        """
        return self.items.get(media_id)

    def delete(self, media_id: str) -> bool:
        """Forget ``media_id`` and every URL issued for it; whether it existed.

        Example::

            store.delete(media.id)  # True, then False
        """
        if self.items.pop(media_id, None) is None:
            return False
        for token in [t for t, url in self._urls.items() if url.media_id == media_id]:
            del self._urls[token]
        return True

    def issue_url(self, media_id: str, ttl: float) -> tuple[str, int]:
        """A new download token for ``media_id`` valid ``ttl`` seconds, and its expiry
        as a unix time (for the URL, like Meta's ``ext``).

        Example::

            token, expires = store.issue_url(media.id, ttl=300)
        """
        token = secrets.token_urlsafe(24)
        self._urls[token] = _Url(media_id=media_id, expires_at=time.monotonic() + ttl)
        return token, int(time.time() + ttl)

    def resolve(self, token: str) -> SimMedia | None:
        """The media a download token stands for, or None when unknown or expired.

        Example::

            store.resolve(token)  # None after ``ttl`` seconds
        """
        url = self._urls.get(token)
        if url is None:
            return None
        if time.monotonic() >= url.expires_at:
            del self._urls[token]
            return None
        return self.items.get(url.media_id)


@dataclass(frozen=True)
class FormPart:
    """One part of a multipart form.

    Example::

        FormPart(name="type", filename=None, content_type=None, data=b"image/png")
    """

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def text(self) -> str:
        """The part as UTF-8 text (a plain form field).

        Example::

            part.text()  # 'whatsapp'
        """
        return self.data.decode("utf-8", "replace")


def parse_form(body: bytes, content_type: str) -> list[FormPart]:
    """The parts of a ``multipart/form-data`` body; ``ValueError`` when it is not one.

    Example::

        parts = parse_form(await request.read(), request.headers["Content-Type"])
    """
    header = email.message.Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise ValueError("the body is not multipart/form-data")
    segments = body.split(b"--" + boundary.encode("latin-1"))
    if len(segments) < 3 or not segments[-1].startswith(b"--"):
        raise ValueError("the multipart body is not terminated")
    parts = []
    for segment in segments[1:-1]:
        if not segment.startswith(b"\r\n") or not segment.endswith(b"\r\n"):
            raise ValueError("a multipart part is malformed")
        head, separator, data = segment[2:-2].partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a multipart part has no header block")
        part = email.message.Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                part[key.strip()] = value.strip()
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("a multipart part has no name")
        parts.append(
            FormPart(
                name=name,
                filename=part.get_filename(),
                content_type=part.get("Content-Type"),
                data=data,
            )
        )
    return parts


def media_ids_in(value: Any) -> list[str]:
    """Every media id a send body refers to: the message's own media, interactive
    headers, template header parameters.

    Example::

        media_ids_in({"type": "image", "image": {"id": "1003383421387256"}})
        # ['1003383421387256']
    """
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _MEDIA_KINDS and isinstance(item, dict) and isinstance(item.get("id"), str):
                found.append(item["id"])
            found.extend(media_ids_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(media_ids_in(item))
    return found
