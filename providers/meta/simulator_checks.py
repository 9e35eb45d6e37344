"""The building blocks of the simulator's strict checks: JSON shapes and Meta's error codes.

Every check raises :class:`Rejection` with the code Meta answers: ``131008`` for a missing
parameter, ``100`` for a wrong shape or type (or too long, or not expected), ``131009`` for a
value that is not allowed. ``simulator_validation`` (the message kinds), ``simulator_interactive``
(the interactive kinds beyond buttons and lists) and ``simulator_template_check`` (templates)
are written from these.

Example::

    >>> string({"text": "hi"}, "text", "interactive.body.text", max_len=1024)
    'hi'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Meta's documented limits (a leaf module with their sources), never the adapter's builders.
from whatsapp_async.provider import cloudapi as lim

__all__ = [
    "Rejection",
    "array",
    "integer",
    "interactive_header",
    "interactive_text",
    "keys",
    "location",
    "media",
    "number",
    "obj",
    "string",
]


class Rejection(Exception):
    """A request Meta would refuse: the code, the detail text and the HTTP status.

    Example::

        raise Rejection(131008, "The parameter to is required.")
    """

    def __init__(
        self,
        code: int,
        details: str,
        *,
        status: int = 400,
        error_type: str = "OAuthException",
        subcode: int | None = None,
    ) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.status = status
        self.error_type = error_type
        self.subcode = subcode


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Rejection(100, f"Param {path} must be a JSON object.")
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise Rejection(100, f"Param {path} must be an array.")
    return value


def keys(obj: Mapping[str, Any], allowed: set[str] | frozenset[str], path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise Rejection(100, f'Unexpected key "{key}" on param "{path}".')


def string(
    obj: Mapping[str, Any],
    key: str,
    path: str,
    *,
    required: bool = True,
    max_len: int | None = None,
    allow_empty: bool = False,
) -> str:
    if key not in obj or obj[key] is None:
        if required:
            raise Rejection(131008, f"The parameter {path} is required.")
        return ""
    value = obj[key]
    if not isinstance(value, str):
        raise Rejection(100, f"Param {path} must be a string.")
    if not allow_empty and not value.strip():
        raise Rejection(100, f"Param {path} must not be empty.")
    if max_len is not None and len(value) > max_len:
        raise Rejection(100, f"Param {path} must be at most {max_len} characters long.")
    return value


def media(content: Any, path: str, *, allowed: set[str]) -> None:
    media = obj(content, path)
    keys(media, allowed, path)
    has_id, has_link = "id" in media, "link" in media
    if has_id and has_link:
        raise Rejection(131009, f"Param {path} must have either id or link, not both.")
    if not has_id and not has_link:
        raise Rejection(131008, f"The parameter {path}.id or {path}.link is required.")
    if has_id:
        string(media, "id", f"{path}.id")
    else:
        link = string(media, "link", f"{path}.link")
        if not link.lower().startswith(("http://", "https://")):
            raise Rejection(131009, f"Param {path}.link must be an http(s) URL.")
    if "caption" in media:
        string(media, "caption", f"{path}.caption", max_len=lim.CAPTION_MAX)
    if "filename" in media:
        string(media, "filename", f"{path}.filename")


def number(value: Any, path: str, bound: float) -> None:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise Rejection(100, f"Param {path} must be a number.") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Rejection(100, f"Param {path} must be a number.")
    if not -bound <= value <= bound:
        raise Rejection(131009, f"Param {path} must be between -{bound:g} and {bound:g}.")


def location(content: Any, path: str) -> None:
    location = obj(content, path)
    keys(location, {"latitude", "longitude", "name", "address"}, path)
    for key, bound in (("latitude", 90.0), ("longitude", 180.0)):
        if key not in location:
            raise Rejection(131008, f"The parameter {path}.{key} is required.")
        number(location[key], f"{path}.{key}", bound)
    for key in ("name", "address"):
        string(location, key, f"{path}.{key}", required=False)


def interactive_text(interactive: Mapping[str, Any], key: str, max_len: int) -> None:
    part = obj(interactive[key], f"interactive.{key}")
    keys(part, {"text"}, f"interactive.{key}")
    string(part, "text", f"interactive.{key}.text", max_len=max_len)


def interactive_header(
    value: Any, *, kinds: tuple[str, ...] = ("text", "image", "video", "document")
) -> None:
    """``interactive.header``: text (at most 60) or one media object without a caption.

    Example::

        interactive_header({"type": "text", "text": "Hi"})
    """
    header = obj(value, "interactive.header")
    kind = header.get("type")
    if kind not in kinds:
        raise Rejection(131009, "Param interactive.header.type is not valid.")
    if kind == "text":
        keys(header, {"type", "text"}, "interactive.header")
        string(header, "text", "interactive.header.text", max_len=lim.HEADER_TEXT_MAX)
        return
    keys(header, {"type", kind}, "interactive.header")
    allowed = {"id", "link", "filename"} if kind == "document" else {"id", "link"}
    if kind not in header:
        raise Rejection(131008, f"The parameter interactive.header.{kind} is required.")
    media(header[kind], f"interactive.header.{kind}", allowed=allowed)


def integer(value: Any, path: str, low: int, high: int) -> int:
    """``value`` when it is an integer (not a bool) from ``low`` to ``high``.

    Example::

        >>> integer(60, "ttl_minutes", 1, 43200)
        60
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejection(100, f"Param {path} must be an integer.")
    if not low <= value <= high:
        raise Rejection(131009, f"Param {path} must be between {low} and {high}.")
    return value
