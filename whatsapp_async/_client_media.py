"""The media methods of ``WhatsApp`` (a mixin: the facade stays one class, its file small).

Each hands its work to the client's :class:`~whatsapp_async._media_io.MediaIO`.

Example::

    media_id = await wa.upload_media("receipt.png")
"""

from __future__ import annotations

import os
from pathlib import Path

from ._media_io import MediaIO
from .events import InboundMedia
from .provider import MediaInfo, MediaSource

__all__ = ["MediaMethods"]


class MediaMethods:
    """Uploads, look-ups, downloads and deletes of media objects.

    Example::

        info = await wa.media_url(media_id)
    """

    _media: MediaIO

    async def upload_media(
        self,
        source: MediaSource,
        *,
        mime_type: str | None = None,
        filename: str | None = None,
        kind: str | None = None,
    ) -> str:
        """Upload a file (path, streamed; or bytes) and return its media id.

        The size and MIME type are checked against the provider's documented
        limits before any request (``kind`` narrows the check, e.g. ``"sticker"``).

        Example::

            media_id = await wa.upload_media("receipt.png", mime_type="image/png")
        """
        return await self._media.upload(source, mime_type=mime_type, filename=filename, kind=kind)

    async def media_url(self, media_id: str) -> MediaInfo:
        """The media object's short-lived download URL and description.

        Example::

            info = await wa.media_url(event.media.id)
        """
        return await self._media.media_url(media_id)

    async def download_media(
        self, media: str | InboundMedia, dest: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """Download a media object by id (or an inbound message's media).

        With ``dest`` the file is streamed to disk chunk by chunk and its path
        returned; without, the bytes are returned.

        Example::

            path = await wa.download_media(event.media, dest="inbox/photo.jpg")
        """
        return await self._media.download(media, dest)

    async def delete_media(self, media_id: str) -> None:
        """Delete an uploaded media object.

        Example::

            await wa.delete_media(media_id)
        """
        await self._media.delete(media_id)
