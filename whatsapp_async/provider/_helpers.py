"""Pure helpers every provider needs: merging ``extra=``, reading waits, building typed errors.

Nothing here does I/O or reads the clock on a provider's behalf when the response says what
time it is (:attr:`HttpResponse.received_at`).

Example::

    >>> deep_merge({"a": {"b": 1}}, {"a": {"c": 2}})
    {'a': {'b': 1, 'c': 2}}
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from ..errors import APIStatusError, ValidationError, error_class_for_status
from ._http import HttpResponse

__all__ = [
    "convert_or_none",
    "decode_json",
    "deep_merge",
    "parse_retry_after",
    "status_error",
    "summarise_body",
]

_decoder = msgspec.json.Decoder()

T = TypeVar("T")


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge ``extra`` into ``base`` recursively (mappings merge, anything else replaces).

    Example::

        >>> deep_merge({"a": {"b": 1}}, {"a": {"c": 2}})
        {'a': {'b': 1, 'c': 2}}
    """
    if not extra:
        return base
    for key, value in extra.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            base[key] = deep_merge(current, value)
        else:
            base[key] = value
    return base


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    Example::

        >>> parse_retry_after("7")
        7.0
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def summarise_body(body: bytes, limit: int = 200) -> str:
    """The start of a response body on one line, for error messages (HTML, truncated JSON).

    Example::

        >>> summarise_body(b"<html>\\n  Bad gateway\\n</html>")
        '<html> Bad gateway </html>'
    """
    text = body[:limit].decode("utf-8", "replace").strip()
    return " ".join(text.split())


def decode_json(body: bytes) -> Any:
    """``body`` decoded as JSON into plain Python objects, or None when it is not JSON.

    Example::

        >>> decode_json(b'{"ok": true}'), decode_json(b"<html>")
        ({'ok': True}, None)
    """
    if not body:
        return None
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError:
        return None


def convert_or_none(value: Any, type_: type[T]) -> T | None:
    """Decoded JSON ``value`` (an object) as the Struct ``type_``, or None when it does not fit.

    A response or webhook item of an odd shape must degrade into "unknown", never a crash:
    anything but a JSON object, or an object whose fields have the wrong types, gives None.

    Example::

        >>> class Ok(msgspec.Struct):
        ...     id: str
        >>> [convert_or_none(value, Ok) for value in ({"id": "x"}, [1], {"id": 1})]
        [Ok(id='x'), None, None]
    """
    if not isinstance(value, dict):
        return None
    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError:
        return None


def status_error(
    cls: type[APIStatusError] | None,
    message: str,
    *,
    provider: str,
    response: HttpResponse,
    code: int | str | None = None,
    details: Any = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """The typed error for a failed ``response``: every provider's last step, written once.

    ``cls`` is what the provider's own code implies (None: decide by HTTP status).
    ``retry_after`` is a wait the provider read from its own fields; without one, a
    ``Retry-After`` header is honoured, on any status (a 503 may carry one too). The raw
    body, status and code are always kept.

    Example::

        >>> err = status_error(None, "slow down", provider="acme",
        ...                    response=HttpResponse(status=429, headers={"Retry-After": "3"}))
        >>> type(err).__name__, err.status, err.retry_after
        ('RateLimitError', 429, 3.0)
    """
    chosen = cls or error_class_for_status(response.status)
    kwargs: dict[str, Any] = {
        "provider": provider,
        "status": response.status,
        "code": code,
        "details": details,
        "body": response.body,
    }
    if retry_after is None:
        retry_after = parse_retry_after(
            response.header("Retry-After"), now=response.received_at or None
        )
    return chosen(message, retry_after=retry_after, **kwargs)


def check_path_id(value: object, field: str, *, provider: str | None = None) -> str:
    """``value`` when it can be one segment of a URL path; else a ``ValidationError``.

    Ids the SDK puts in a path (a message id, a media id) are refused before any request when
    empty, ``.`` or ``..`` (which would address another resource, e.g. ``DELETE /``), or when
    they hold whitespace or control characters. Providers still quote the segment
    (``quote(id, safe="")``), so ``/`` or ``?`` in an id cannot change the path either.

    Example::

        >>> check_path_id("4490709327384033", "media_id")
        '4490709327384033'
        >>> check_path_id("..", "media_id")
        Traceback (most recent call last):
        ...
        whatsapp_async.errors.ValidationError: media_id '..' cannot be used in a URL path
    """
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty string", provider=provider, field=field)
    if value in (".", "..") or any(ch <= " " or ch == "\x7f" for ch in value):
        raise ValidationError(
            f"{field} {value[:40]!r} cannot be used in a URL path", provider=provider, field=field
        )
    return value
