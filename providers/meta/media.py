"""Meta's media rules: accepted types and sizes, and which hosts may see the token.

``MEDIA_LIMITS`` is what ``MetaProvider.media_limits`` declares: the core checks every
upload against it before any request (``check_media``), and the simulator enforces the
same table on the bytes it receives.

Decisions where the facts leave room:

- Sizes are binary megabytes (5 MB = 5 * 1024 * 1024 bytes). The sources say "5 MB"
  without saying which; the larger reading never refuses a file Meta would take, and
  Meta still answers for anything in between.
- Stickers: Meta allows 100 KB for a static sticker and 500 KB for an animated one. A
  webp file does not say which it is without decoding it, so the ceiling is 500 KB;
  a static sticker between the two limits is refused by Meta, not here.
- Audio types are the MIME types of the documented formats: AAC ``audio/aac``, AMR
  ``audio/amr``, MP3 ``audio/mpeg``, M4A ``audio/mp4``, OGG/Opus ``audio/ogg``.

Example::

    check_media(MEDIA_LIMITS, mime_type="image/png", size=120_000)  # 'image'
    download_headers("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
                     base_url="https://graph.facebook.com", token="EAAG...")
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from whatsapp_async.provider import PLATFORM_MEDIA_LIMITS, MediaLimit, ValidationError

__all__ = ["MB", "MEDIA_LIMITS", "TRUSTED_MEDIA_DOMAINS", "download_headers", "is_trusted_host"]

MB = 1024 * 1024
"""One megabyte as the limits below count it."""

MEDIA_LIMITS: Mapping[str, MediaLimit] = PLATFORM_MEDIA_LIMITS
"""Per media kind, the largest file and the MIME types Meta accepts (facts §3.4)."""

TRUSTED_MEDIA_DOMAINS = ("fbsbx.com", "facebook.com")
"""Meta's own domains: media URLs point at ``lookaside.fbsbx.com``; the Graph API is
``graph.facebook.com``. Subdomains count; only over https."""


def is_trusted_host(url: str, *, base_url: str) -> bool:
    """Whether ``url`` may receive the access token: the configured API host, or Meta's.

    The configured base URL's scheme, host and port must match exactly (that is where
    every other request with the token goes already, a proxy or the simulator
    included); otherwise the URL must be https on a Meta domain.

    Example::

        is_trusted_host("https://lookaside.fbsbx.com/x", base_url="https://graph.facebook.com")
        # True
        is_trusted_host("https://evil.example/x", base_url="https://graph.facebook.com")
        # False
    """
    target = urlsplit(url)
    base = urlsplit(base_url)
    host = (target.hostname or "").lower()
    if not host:
        return False
    if (target.scheme.lower(), host, target.port) == (
        base.scheme.lower(),
        (base.hostname or "").lower(),
        base.port,
    ):
        return True
    if target.scheme.lower() != "https":
        return False
    return any(host == domain or host.endswith("." + domain) for domain in TRUSTED_MEDIA_DOMAINS)


def download_headers(url: str, *, base_url: str, token: str) -> dict[str, str]:
    """Headers for GETting a media URL: the Bearer token only where it may go.

    A URL on any other host is fetched without credentials (a pre-signed URL still
    works; one that needs the token answers 401/403, a typed error). Only http(s)
    URLs are fetched at all.

    Example::

        download_headers(info.url, base_url=provider.base_url, token=settings.token)
        # {'Authorization': 'Bearer EAAG...'}
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError(
            f"meta: a media URL must be http(s), got a {scheme or 'relative'} URL",
            provider="meta",
            field="url",
        )
    if is_trusted_host(url, base_url=base_url):
        return {"Authorization": f"Bearer {token}"}
    return {}
