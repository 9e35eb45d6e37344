"""Magpipe error answers -> the SDK's typed errors.

Magpipe's WhatsApp functions answer flat ``{"error": "<text>", "detail"?, "docs"?}``
bodies: 400 (missing fields, invalid JSON, bad ``agent_id`` / ``to``), 401
``Unauthorized``, 404 (account or agent not found), 405 ``Method Not Allowed``
(plain text) and 502 when Meta refused the send. Its general API docs show a
nested ``{"error": {"code", "message"}}`` envelope instead; both are read.

Decisions where the sources leave room:

- **502 (Meta failure):** ``detail`` is Meta's raw error JSON (text endpoint) or
  Meta's ``error.message`` such as ``"(#131047) Re-engagement message"`` (template
  endpoint). When a Meta code can be read from it (``"code":131047`` or ``(#131047)``)
  the error is the class Meta's code implies (131047 -> OutsideWindowError,
  130429 -> RateLimitError, 132xxx -> TemplateError, 131026 -> RecipientError ...)
  and ``code`` is that Meta code. Meta codes that mean "this request is invalid"
  (100, 131008, 131009 ...) become BadRequestError: retrying them cannot help.
  Anything else is a ServerError (retried), with ``code`` None.
- **429:** ``retry_after`` comes from ``X-RateLimit-Reset`` when present, else
  ``Retry-After``. Magpipe documents the reset header with an epoch-seconds
  example (``1234567890``), but a bare number could also be a delta. A value of
  at least 10^9 is read as epoch seconds (no plausible delta is 31 years long;
  10^12 and up as epoch milliseconds) and measured against the response's
  ``Date`` header when there is one (so a skewed local clock does not matter),
  else against the time the core received the answer (``HttpResponse.received_at``);
  smaller values are delta seconds.
- Unknown bodies (HTML from a proxy, empty, truncated JSON) map by HTTP status.

Example::

    error = error_from_response(HttpResponse(status=401, body=b'{"error":"Unauthorized"}'))
    isinstance(error, AuthenticationError)  # True
"""

from __future__ import annotations

import email.utils
import re
from typing import Any

from whatsapp_async.provider import APIStatusError, HttpResponse, status_error, summarise_body
from whatsapp_async.provider.cloudapi import class_for_platform_code

from .wire import ErrorBody, ErrorObject, convert_or_none, decode_json

__all__ = ["error_from_response", "meta_code_in", "reset_to_retry_after"]

PROVIDER = "magpipe"

_EPOCH_SECONDS_FROM = 1_000_000_000.0
_EPOCH_MILLIS_FROM = 1_000_000_000_000.0
_MESSAGE_MAX = 300


# "(#131047) Re-engagement message" (Meta's error.message) or "code":131047 (Meta's JSON).
_HASH_CODE = re.compile(r"\(#(\d{1,7})\)")
_JSON_CODE = re.compile(r'"code"\s*:\s*"?(\d{1,7})\b')


def meta_code_in(detail: Any) -> int | None:
    """Meta's error code inside a 502 ``detail`` (JSON text, an object, or a message).

    Example::

        meta_code_in("(#131047) Re-engagement message")  # 131047
        meta_code_in('{"error":{"message":"(#100) Invalid parameter","code":100}}')  # 100
    """
    if isinstance(detail, dict):
        inner = detail.get("error")
        candidate = inner.get("code") if isinstance(inner, dict) else detail.get("code")
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return candidate
        if isinstance(candidate, str) and candidate.isdigit():
            return int(candidate)
        return None
    if not isinstance(detail, str):
        return None
    match = _JSON_CODE.search(detail) or _HASH_CODE.search(detail)
    return int(match.group(1)) if match else None


def _meta_message(detail: Any) -> str | None:
    """Meta's human text in ``detail``: ``error.message`` (+ ``error_data.details``) or the text."""
    parsed = decode_json(detail) if isinstance(detail, str) else detail
    if isinstance(parsed, dict):
        inner = parsed.get("error")
        if isinstance(inner, dict):
            text = inner.get("message")
            data = inner.get("error_data")
            extra = data.get("details") if isinstance(data, dict) else None
            if isinstance(text, str) and isinstance(extra, str) and extra:
                return f"{text} ({extra})"
            if isinstance(text, str):
                return text
        return None
    if isinstance(detail, str) and detail.strip():
        return " ".join(detail.split())
    return None


def reset_to_retry_after(
    value: str | None, *, date: str | None = None, now: float | None = None
) -> float | None:
    """Seconds until an ``X-RateLimit-Reset`` value (epoch s/ms or delta s; see module docs).

    Example::

        reset_to_retry_after("30")  # 30.0
        reset_to_retry_after("1750000060", date="Sun, 15 Jun 2025 15:06:40 GMT")  # 60.0
    """
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if number != number or number < 0 or number == float("inf"):
        return None
    if number < _EPOCH_SECONDS_FROM:
        return number
    if number >= _EPOCH_MILLIS_FROM:
        number /= 1000.0
    server_now = _server_now(date)
    if server_now is None:
        if now is None:
            return None  # no clock to compare an epoch with: no wait rather than a guess
        server_now = now
    return max(0.0, number - server_now)


def _server_now(date: str | None) -> float | None:
    if date:
        try:
            when = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return when.timestamp()
    return None


def error_from_response(response: HttpResponse) -> APIStatusError:
    """The typed error for a failed Magpipe response (never raises on odd bodies).

    Example::

        body = b'{"error":"Failed to send template","detail":"(#132001) Template name ..."}'
        error_from_response(HttpResponse(status=502, body=body))
        # TemplateError(status=502, code=132001, ...)
    """
    decoded = decode_json(response.body)
    body = convert_or_none(decoded, ErrorBody) if isinstance(decoded, dict) else None
    status = response.status
    code: int | str | None = None
    message = ""
    cls: type[APIStatusError] | None = None
    if body is not None:
        if isinstance(body.error, str):
            message = body.error
        elif isinstance(body.error, ErrorObject):
            message = body.error.message or ""
            code = body.error.code
        elif body.message:
            message = body.message
        if body.detail is not None:
            meta_code = meta_code_in(body.detail)
            if meta_code is not None:
                code = meta_code
                cls = class_for_platform_code(meta_code)
            meta_text = _meta_message(body.detail)
            if meta_text:
                message = f"{message}: {meta_text}" if message else meta_text
    if not message:
        message = summarise_body(response.body) or f"HTTP {status}"
    if len(message) > _MESSAGE_MAX:
        message = message[: _MESSAGE_MAX - 3] + "..."
    # Magpipe's reset header first; without one, status_error falls back to Retry-After.
    retry_after = reset_to_retry_after(
        response.header("X-RateLimit-Reset"),
        date=response.header("Date"),
        now=response.received_at or None,
    )
    return status_error(
        cls,
        message,
        provider=PROVIDER,
        response=response,
        code=code,
        details=decoded if isinstance(decoded, dict) else None,
        retry_after=retry_after,
    )
