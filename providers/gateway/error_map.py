"""Turning gateway error bodies (whole-request and per-recipient) into typed errors.

The gateway documents no error codes of its own. Its template sends go on to
Meta (the ids it returns are wamids), so a numeric code in an error is read as
a Meta code and mapped as Meta's are (`provider.cloudapi`); anything else maps by
HTTP status, and a per-recipient failure without a usable code is a
``BadRequestError``.

Example::

    error = error_from_body(HttpResponse(status=401, body=b'{"error": "Unauthorized"}'))
    type(error).__name__, error.message  # ('AuthenticationError', 'Unauthorized')
"""

from __future__ import annotations

from typing import Any

from whatsapp_async.provider import (
    APIStatusError,
    BadRequestError,
    HttpResponse,
    convert_or_none,
    decode_json,
    error_class_for_status,
    status_error,
    summarise_body,
)
from whatsapp_async.provider.cloudapi import class_for_platform_code

from .wire import ErrorBody

__all__ = ["PROVIDER", "class_for", "error_from_body", "recipient_error"]

PROVIDER = "gateway"


def _numeric(code: int | str | None) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return None


def class_for(code: int | str | None, status: int | None) -> type[APIStatusError]:
    """The error class for a (possibly Meta) ``code``, else for the HTTP ``status``.

    Example::

        >>> class_for(131026, 200).__name__
        'RecipientError'
        >>> class_for("SOMETHING", 404).__name__
        'NotFoundError'
    """
    number = _numeric(code)
    platform = class_for_platform_code(number)
    if platform is not None:
        # The gateway relays the platform's codes: they mean what they mean on Meta.
        return platform
    if status is not None and status >= 400:
        return error_class_for_status(status)
    return BadRequestError


def error_from_body(response: HttpResponse) -> APIStatusError:
    """The typed error for a failed (or ``success: false``) response; never raises.

    Example::

        error_from_body(HttpResponse(status=502, body=b"<html>Bad Gateway</html>"))
        # ServerError('... <html>Bad Gateway</html>')
    """
    decoded = decode_json(response.body)
    parsed = convert_or_none(decoded, ErrorBody)
    code = parsed.error_code if parsed is not None else None
    text = parsed.text if parsed is not None else None
    if not text:
        # A proxy's HTML page or a truncated body: show its start, on one line.
        start = summarise_body(response.body)
        text = f"HTTP {response.status}" + (f" ({start})" if start else " (empty body)")
    details = decoded if isinstance(decoded, dict) else None
    return status_error(
        class_for(code, response.status),
        text,
        provider=PROVIDER,
        response=response,
        code=code,
        details=details,
    )


def recipient_error(response: HttpResponse, phone: str, entry: dict[str, Any]) -> APIStatusError:
    """The typed error for one failed recipient of a template send.

    ``entry`` is that recipient's decoded ``results`` object; its ``error`` may
    be a string, ``{"message", "code"}`` or ``{"error": {...}}``.

    Example::

        recipient_error(resp, "+14155552671",
                        {"success": False, "error": {"message": "not on WhatsApp", "code": 131026}})
        # RecipientError(... code=131026 ...)
    """
    raw_error = entry.get("error")
    text: str | None = None
    code: int | str | None = None
    if isinstance(raw_error, str):
        text = raw_error
    elif (parsed := convert_or_none(raw_error, ErrorBody)) is not None:
        text, code = parsed.text, parsed.error_code
    if code is None:
        top = entry.get("code")
        code = top if isinstance(top, (int, str)) and not isinstance(top, bool) else None
    message = f"{phone}: {text or 'the gateway reported a failure for this recipient'}"
    status = entry.get("status") if isinstance(entry.get("status"), int) else None
    return status_error(
        class_for(code, status),
        message,
        provider=PROVIDER,
        response=response,
        code=code,
        details=entry,
    )
