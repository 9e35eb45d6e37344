"""What Meta's message builders share: the checks bound to this provider, headers and footers.

``build`` (text, media, lists, reply buttons, templates) and ``build_interactive`` (CTA URL,
Flow, commerce, requests, voice call) both build their interactive envelopes from these, so
a header or footer is checked and spelled the same way in every kind.

Example::

    interactive_header("Your order", "cta_url.header")
    # InteractiveHeader(type='text', text='Your order')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from whatsapp_async.provider import Document, Image, Media, ValidationError, Video, cloudapi
from whatsapp_async.provider.cloudapi import MediaObject

from .wire import InteractiveHeader, InteractiveText

__all__ = [
    "FILE_HINT",
    "PROVIDER",
    "BuildContext",
    "check_max_length",
    "check_not_blank",
    "check_unique",
    "footer",
    "interactive_body",
    "interactive_header",
    "invalid",
    "media_object",
]

PROVIDER = "meta"
FILE_HINT = "upload it with wa.upload_media(...) and pass id="
"""The client uploads a message's own ``file=`` first and sends the id; a file nested in a
header never reaches that step, so the caller is told to upload it."""


class BuildContext(NamedTuple):
    """What a builder may need besides the message: where it goes, and Meta's settings.

    Example::

        BuildContext(to="+16505551234", recipient_type="individual", flow_cta_max=20)
    """

    to: str | None
    """The phone or group id; None for a business-scoped user id (sent as ``recipient``)."""
    recipient_type: str
    flow_cta_max: int = cloudapi.FLOW_CTA_MAX


# The shared checks, bound to this provider's name (it goes into every ValidationError).
def invalid(field: str, message: str) -> ValidationError:
    """A ``ValidationError`` for ``field`` carrying ``provider="meta"``.

    Example::

        raise invalid("cta_url.url", "cta_url.url ...")
    """
    return cloudapi.invalid(field, message, provider=PROVIDER)


def check_max_length(field: str, value: str, limit: int) -> None:
    """Raise unless ``value`` has at most ``limit`` characters.

    Example::

        check_max_length("flow.cta", "Book", 20)
    """
    cloudapi.check_max_length(field, value, limit, provider=PROVIDER)


def check_not_blank(field: str, value: Any) -> None:
    """Raise unless ``value`` is a string with something besides whitespace.

    Example::

        check_not_blank("flow.cta", "Book")
    """
    cloudapi.check_not_blank(field, value, provider=PROVIDER)


def check_unique(field: str, values: Iterable[str], what: str) -> None:
    """Raise when two of ``values`` are equal.

    Example::

        check_unique("buttons", ["a", "b"], "reply button ids")
    """
    cloudapi.check_unique(field, values, what, provider=PROVIDER)


def media_object(media: Media, field: str) -> MediaObject:
    """Meta's media object for ``media`` (no local files nested here).

    Example::

        media_object(Image(id="1"), "image")  # MediaObject(id='1')
    """
    return cloudapi.media_object(media, field, provider=PROVIDER, file_hint=FILE_HINT)


def footer(text: str | None, field: str) -> InteractiveText | None:
    """``interactive.footer`` (at most 60 characters), or None.

    Example::

        footer("Acme", "cta_url.footer")  # InteractiveText(text='Acme')
    """
    if text is None:
        return None
    check_not_blank(field, text)
    check_max_length(field, text, cloudapi.FOOTER_MAX)
    return InteractiveText(text=text)


def interactive_body(text: str, field: str, limit: int) -> InteractiveText:
    """``interactive.body`` (at most ``limit`` characters).

    Example::

        interactive_body("Track your parcel", "cta_url.body", 1024)
    """
    check_not_blank(field, text)
    check_max_length(field, text, limit)
    return InteractiveText(text=text)


def interactive_header(
    header: str | Image | Video | Document | None, field: str
) -> InteractiveHeader | None:
    """``interactive.header``: text (at most 60), or an image, video or document without caption.

    Example::

        interactive_header(Image(link="https://x.test/a.png"), "cta_url.header")
    """
    if header is None:
        return None
    if isinstance(header, str):
        check_not_blank(field, header)
        check_max_length(field, header, cloudapi.HEADER_TEXT_MAX)
        return InteractiveHeader(type="text", text=header)
    if header.caption:
        raise invalid(
            f"{field}.caption",
            f"{field}.caption is not allowed: an interactive header's media takes no "
            "caption (put the text in the body)",
        )
    kind = header.kind
    media = media_object(header, f"{field}.{kind}")
    return InteractiveHeader(
        type=kind,
        image=media if kind == "image" else None,
        video=media if kind == "video" else None,
        document=media if kind == "document" else None,
    )
