"""Media operations: upload, look up, download and delete this number's media objects.

``upload_media`` posts a multipart form to ``/{phone_number_id}/media``; ``media_url`` looks
up ``/{media_id}`` (the URL lasts 5 minutes, so ``download_media`` fetches a fresh one on
every call); the download carries the Bearer token only to the configured API host or
Meta's own domains (``media.download_headers``).

Example::

    media_id = await wa.upload_media("/tmp/invoice.pdf")
    info = await wa.media_url(media_id)
    await wa.delete_media(media_id)
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from whatsapp_async.provider import (
    FormFile,
    HttpRequest,
    HttpResponse,
    MediaInfo,
    RedactedHeaders,
    ValidationError,
    convert_or_none,
)

from .base import MetaBase
from .media import download_headers
from .response_wire import MediaDescription, MediaUploaded

__all__ = ["MediaOperations"]


class MediaOperations(MetaBase):
    """Uploading, describing, downloading and deleting media (a mixin of ``MetaProvider``).

    Example::

        provider.build_media_url("1013859600285441").url
        # 'https://graph.facebook.com/v26.0/1013859600285441?phone_number_id=1065...'
    """

    def build_upload_media(self, file: FormFile) -> HttpRequest:
        """``POST .../{phone_number_id}/media``, multipart ``messaging_product``/``type``/``file``.

        The core has already checked the size and type against :attr:`media_limits`;
        a file given by path is streamed from disk.

        Example::

            provider.build_upload_media(FormFile(filename="a.png", content_type="image/png",
                                                 path="/tmp/a.png"))
        """
        return HttpRequest(
            method="POST",
            url=f"{self._number_root}/media",
            headers=self._token_only(),
            form=[("messaging_product", "whatsapp"), ("type", file.content_type), ("file", file)],
        )

    def parse_upload_media(self, response: HttpResponse) -> str:
        """The new media id from ``{"id": "<MEDIA_ID>"}``.

        Example::

            provider.parse_upload_media(HttpResponse(status=200, body=b'{"id":"4490709327"}'))
        """
        uploaded = convert_or_none(self.decode(response), MediaUploaded)
        if uploaded is None or not uploaded.id:
            raise self._unexpected(response, "an upload without a media id")
        return uploaded.id

    def build_media_url(self, media_id: str) -> HttpRequest:
        """``GET {base}/{version}/{media_id}?phone_number_id=...`` (the media must be this
        number's).

        Example::

            provider.build_media_url("1013859600285441").url
            # 'https://graph.facebook.com/v26.0/1013859600285441?phone_number_id=1065...'
        """
        url = self._media_node(media_id)
        return HttpRequest(method="GET", url=url, headers=self._token_only(), idempotent=True)

    def parse_media_url(self, response: HttpResponse) -> MediaInfo:
        """The short-lived URL (5 minutes) and the file's type, hash and size.

        Example::

            provider.parse_media_url(response).url
        """
        described = convert_or_none(self.decode(response), MediaDescription)
        if described is None or not described.url or not described.id:
            raise self._unexpected(response, "a media look-up without an id and url")
        return MediaInfo(
            id=described.id,
            url=described.url,
            mime_type=described.mime_type,
            sha256=described.sha256,
            file_size=_as_size(described.file_size),
        )

    def build_download(self, url: str) -> HttpRequest:
        """``GET url``, with the Bearer token only when ``url`` is on the configured API host
        or on one of Meta's domains over https (``media.is_trusted_host``).

        Example::

            provider.build_download("https://lookaside.fbsbx.com/whatsapp_business/...")
        """
        headers = download_headers(url, base_url=self.base_url, token=self.settings.token)
        return HttpRequest(method="GET", url=url, headers=RedactedHeaders(headers), idempotent=True)

    def build_delete_media(self, media_id: str) -> HttpRequest:
        """``DELETE {base}/{version}/{media_id}?phone_number_id=...``.

        Example::

            provider.build_delete_media("1013859600285441").method  # 'DELETE'
        """
        return HttpRequest(
            method="DELETE",
            url=self._media_node(media_id),
            headers=self._token_only(),
            idempotent=True,  # deleting twice leaves the same state (the second answers 404)
        )

    def parse_delete_media(self, response: HttpResponse) -> None:
        """Check Graph's ``{"success": true}``.

        Example::

            provider.parse_delete_media(HttpResponse(status=200, body=b'{"success": true}'))
        """
        self._expect_success(response, "the media deletion")

    def _media_node(self, media_id: str) -> str:
        if not isinstance(media_id, str) or not media_id.strip():
            raise ValidationError(
                "meta: media_id must be a non-empty string", provider=self.name, field="media_id"
            )
        query = urlencode({"phone_number_id": self.settings.phone_number_id})
        return f"{self._version_root}/{quote(media_id, safe='')}?{query}"


def _as_size(value: int | str | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
