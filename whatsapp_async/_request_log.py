"""The log lines of request attempts: what an operator needs, and never a credential.

One DEBUG line per attempt (provider, method, path, status, provider code, attempt, latency,
idempotency key), one DEBUG line per limiter wait over :data:`SLOW_WAIT` seconds, one INFO line
per retry and one WARNING line per final failure, with the recipient's last digits masked.
Every line carries its fields in ``extra=``, as ``whatsapp_<field>`` record attributes, so a
structured handler (JSON logs, a log pipeline) can index them; the messages read well as text.
Paths never include query strings (some APIs put tokens there); headers and bodies are never
logged.

Example::

    log_attempt(provider="meta", method="POST", url=url, status=200, code=None,
                attempt=0, latency=0.21, key=None)
"""

from __future__ import annotations

import logging

from .errors import APIStatusError, WhatsAppError

__all__ = [
    "SLOW_WAIT",
    "describe",
    "log",
    "log_attempt",
    "log_failure",
    "log_retry",
    "log_throttle",
    "log_wait",
    "mask",
    "path_of",
]

log = logging.getLogger("whatsapp_async")

SLOW_WAIT = 0.1
"""Limiter waits longer than this (seconds) get a DEBUG line."""


def describe(exc: WhatsAppError) -> str:
    """A one-line, credential-free description of an error for logs.

    Example::

        describe(err)  # 'RateLimitError status=429 code=130429'
    """
    if isinstance(exc, APIStatusError):
        return f"{type(exc).__name__} status={exc.status} code={exc.code}"
    return f"{type(exc).__name__}: {exc.message}"


def mask(recipient: object) -> str:
    """A recipient with its last four characters hidden (enough to correlate, not to dial).

    Example::

        >>> mask("+14155552671")
        '+1415555****'
    """
    text = str(recipient)
    if len(text) <= 4:
        return "****"
    return text[:-4] + "****"


def path_of(url: str) -> str:
    """The path of ``url``, without scheme, host or query string.

    Example::

        >>> path_of("https://graph.facebook.com/v23.0/123/messages?access_token=x")
        '/v23.0/123/messages'
    """
    without_query = url.split("?", 1)[0]
    scheme_sep = without_query.find("//")
    slash = without_query.find("/", scheme_sep + 2 if scheme_sep >= 0 else 0)
    return without_query[slash:] if slash >= 0 else "/"


def log_attempt(
    *,
    provider: str,
    method: str,
    url: str,
    status: int | None,
    code: int | str | None,
    attempt: int,
    latency: float,
    key: str | None,
) -> None:
    """One DEBUG line for one request attempt (status None: no answer came back)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    path = path_of(url)
    log.debug(
        "%s %s %s -> %s (attempt %d, %.0f ms)",
        provider,
        method,
        path,
        "no answer" if status is None else status,
        attempt + 1,
        latency * 1000,
        extra={
            "whatsapp_provider": provider,
            "whatsapp_method": method,
            "whatsapp_path": path,
            "whatsapp_status": status,
            "whatsapp_code": code,
            "whatsapp_attempt": attempt + 1,
            "whatsapp_latency_ms": round(latency * 1000, 3),
            "whatsapp_idempotency_key": key,
        },
    )


def log_wait(*, provider: str, limiter: str, seconds: float) -> None:
    """A DEBUG line when a limiter held a request back for longer than :data:`SLOW_WAIT`."""
    if seconds <= SLOW_WAIT or not log.isEnabledFor(logging.DEBUG):
        return
    log.debug(
        "%s request waited %.2fs for the %s limiter",
        provider,
        seconds,
        limiter,
        extra={
            "whatsapp_provider": provider,
            "whatsapp_limiter": limiter,
            "whatsapp_wait_s": round(seconds, 4),
        },
    )


def log_retry(
    *, provider: str, method: str, error: WhatsAppError, attempt: int, retries: int, wait: float
) -> None:
    """An INFO line: this attempt failed and will be retried after ``wait`` seconds."""
    log.info(
        "retrying %s %s after %s (attempt %d of %d, waiting %.2fs)",
        provider,
        method,
        describe(error),
        attempt + 1,
        retries,
        wait,
        extra={
            "whatsapp_provider": provider,
            "whatsapp_method": method,
            "whatsapp_error": type(error).__name__,
            "whatsapp_status": getattr(error, "status", None),
            "whatsapp_code": getattr(error, "code", None),
            "whatsapp_attempt": attempt + 1,
            "whatsapp_wait_s": round(wait, 4),
        },
    )


def log_throttle(
    *, provider: str, method: str, error: WhatsAppError, attempt: int, wait: float
) -> None:
    """An INFO line: the provider throttled this attempt; it goes again when its turn comes."""
    log.info(
        "throttled: %s %s got %s; sending again in %.2fs (attempt %d; retries not spent)",
        provider,
        method,
        describe(error),
        wait,
        attempt + 1,
        extra={
            "whatsapp_provider": provider,
            "whatsapp_method": method,
            "whatsapp_error": type(error).__name__,
            "whatsapp_status": getattr(error, "status", None),
            "whatsapp_code": getattr(error, "code", None),
            "whatsapp_attempt": attempt + 1,
            "whatsapp_wait_s": round(wait, 4),
        },
    )


def log_failure(
    *,
    provider: str,
    method: str,
    error: WhatsAppError,
    attempts: int,
    recipient: object | None,
    reason: str = "",
) -> None:
    """A WARNING line: the request failed for good (the recipient masked)."""
    masked = None if recipient is None else mask(recipient)
    log.warning(
        "%s %s failed after %d attempt(s)%s: %s%s",
        provider,
        method,
        attempts,
        "" if masked is None else f" to {masked}",
        describe(error),
        reason,
        extra={
            "whatsapp_provider": provider,
            "whatsapp_method": method,
            "whatsapp_error": type(error).__name__,
            "whatsapp_status": getattr(error, "status", None),
            "whatsapp_code": getattr(error, "code", None),
            "whatsapp_attempts": attempts,
            "whatsapp_recipient": masked,
        },
    )
