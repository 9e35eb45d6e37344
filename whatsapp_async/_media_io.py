"""Media I/O for one client: uploads streamed from disk, look-ups, streamed downloads, deletes.

Also the one step of a send that turns ``file=`` on a media message into what the provider
takes: an uploaded media id (``upload_media``) or the bytes inline (``inline_media``), checked
against the provider's documented size and type limits before anything is read or sent.

Example::

    media = MediaIO(executor, transport)
    media_id = await media.upload("receipt.png", mime_type="image/png")
    path = await media.download(media_id, dest="inbox/receipt.png")
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import TypeVar

import msgspec

from ._executor import Executor
from ._prepare import Prepared
from ._transport import Transport
from .errors import ValidationError
from .events import InboundMedia
from .messages import Media
from .provider import (
    FormFile,
    HttpRequest,
    MediaInfo,
    MediaSource,
    check_media,
    check_path_id,
    guess_mime_type,
)

__all__ = ["MediaIO"]

M = TypeVar("M", bound=Media)


class MediaIO:
    """The media operations of one client (see the module docs).

    Example::

        info = await media.media_url("4490709327384033")
    """

    def __init__(self, executor: Executor, transport: Transport) -> None:
        self._executor = executor
        self._provider = executor.provider
        self._name = self._provider.name
        self._transport = transport

    def _require(self) -> None:
        if "upload_media" not in self._provider.capabilities.operations:
            raise self._provider.unsupported(
                "upload_media", f"{self._name} does not support upload_media"
            )

    async def materialise(self, prepared: Prepared) -> Prepared:
        """Turn ``file=`` into what the provider takes: an uploaded id, or inline bytes."""
        message = prepared.message
        if not isinstance(message, Media) or message.file is None:
            return prepared
        if "upload_media" in self._provider.capabilities.operations:
            media_id = await self.upload(
                message.file,
                mime_type=message.mime_type,
                filename=getattr(message, "filename", None),
                kind=message.kind,
            )
            replaced = msgspec.structs.replace(message, id=media_id, file=None)
        else:
            replaced = await self._inline(message)
        return Prepared(prepared.recipient, replaced, prepared.options, prepared.fallback)

    async def _inline(self, message: M) -> M:
        assert message.file is not None
        mime = message.mime_type or guess_mime_type(message.file)
        if not mime:
            raise ValidationError(
                f"cannot tell the media type of {message.kind} file; pass mime_type=",
                provider=self._name,
                field="mime_type",
            )
        data = message.file
        limits = self._provider.media_limits
        if limits:
            # Check before reading: an oversized file is refused without loading it.
            size = len(data) if isinstance(data, bytes) else await _file_size(data)
            check_media(limits, mime_type=mime, size=size, kind=message.kind, provider=self._name)
        if not isinstance(data, bytes):
            data = await asyncio.to_thread(_read_file, os.fspath(data))
        return msgspec.structs.replace(message, file=data, mime_type=mime)

    async def upload(
        self,
        source: MediaSource,
        *,
        mime_type: str | None = None,
        filename: str | None = None,
        kind: str | None = None,
    ) -> str:
        """Upload a file (a path, streamed; or bytes) and return its media id."""
        self._require()
        mime = mime_type or guess_mime_type(source, filename)
        if not mime:
            raise ValidationError(
                "cannot tell the file's media type; pass mime_type=",
                provider=self._name,
                field="mime_type",
            )
        file = FormFile.from_source(source, content_type=mime, filename=filename)
        try:
            size = await asyncio.to_thread(file.size)
        except OSError as exc:
            raise ValidationError(
                f"cannot read {file.path!r}: {exc.strerror}", provider=self._name, field="file"
            ) from None
        limits = self._provider.media_limits
        if limits:
            check_media(limits, mime_type=mime, size=size, kind=kind, provider=self._name)
        request = self._provider.build_upload_media(file)
        response = await self._executor.execute(request)
        return self._executor.parse(response, self._provider.parse_upload_media, response)

    async def media_url(self, media_id: str) -> MediaInfo:
        """The media object's short-lived download URL and description."""
        self._require()
        check_path_id(media_id, "media_id", provider=self._name)
        request = self._provider.build_media_url(media_id)
        response = await self._executor.execute(request)
        return self._executor.parse(response, self._provider.parse_media_url, response)

    async def download(
        self, media: str | InboundMedia, dest: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """The media's bytes, or (with ``dest``) its path once streamed to disk."""
        self._require()
        media_id = media.id if isinstance(media, InboundMedia) else media
        if not media_id:
            raise ValidationError("media has no id to download", provider=self._name)
        target = _target(dest, self._name) if dest is not None else None
        info = await self.media_url(media_id)
        request = self._provider.build_download(info.url)
        if target is None:
            response = await self._executor.execute(request)
            return response.body
        return await self._download_to(request, target)

    async def _download_to(self, request: HttpRequest, target: Path) -> Path:
        # Streamed into a temporary file next to the target and renamed over it only when the
        # whole body arrived with a 2xx: the caller's existing file survives any failure (an
        # error answer, a cut stream, a redirect), and a symlink at the target is replaced, not
        # followed (rename swaps the directory entry).
        fd, temp_name = await asyncio.to_thread(
            tempfile.mkstemp, prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        temp = Path(temp_name)
        done = False
        try:
            with os.fdopen(fd, "wb") as fh:

                async def sink(chunk: bytes) -> None:
                    await asyncio.to_thread(fh.write, chunk)

                response = await self._transport.stream(request, sink)
            if not 200 <= response.status < 300:
                error = self._provider.error_from_response(response)
                self._executor.decide_in_doubt(error)
                self._executor.scrub(error)
                raise error
            await asyncio.to_thread(os.replace, temp, target)
            done = True
        finally:
            if not done:
                await asyncio.to_thread(temp.unlink, True)
        return target

    async def delete(self, media_id: str) -> None:
        """Delete an uploaded media object."""
        self._require()
        check_path_id(media_id, "media_id", provider=self._name)
        request = self._provider.build_delete_media(media_id)
        response = await self._executor.execute(request)
        self._executor.parse(response, self._provider.parse_delete_media, response)


async def _file_size(path: str | os.PathLike[str]) -> int:
    try:
        return (await asyncio.to_thread(os.stat, path)).st_size
    except OSError as exc:
        raise ValidationError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None


def _read_file(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _target(dest: str | os.PathLike[str], provider: str) -> Path:
    """Where a download goes: refused before any request if it is a directory or has none."""
    path = Path(dest)
    if path.is_dir() and not path.is_symlink():
        raise ValidationError(
            f"download destination {os.fspath(dest)!r} is a directory; give a file path",
            provider=provider,
            field="dest",
        )
    if not path.parent.is_dir():
        raise ValidationError(
            f"download destination's directory {os.fspath(path.parent)!r} does not exist",
            provider=provider,
            field="dest",
        )
    return path
