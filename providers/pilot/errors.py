"""Pilot Status error answers -> the SDK's typed errors (the ``code`` first, then the status).

Error bodies are ``{"error": "<text>", "code": "<CODE>", "details"?}``; some 429
answers add ``retryAfterSeconds``. Anything else (HTML from a proxy, empty,
truncated JSON) still maps by HTTP status.

Decisions where the sources leave room:

- A code that names a template (``MISSING_TEMPLATE_VARIABLES``, ``TEMPLATE_NOT_FOUND``,
  ``META_TEMPLATE_NOT_APPROVED`` ...) is a :class:`TemplateError` even on a 404:
  the send endpoint's documented 404 *is* "template not found or not approved", and
  Meta's template failures are TemplateError too. A 404 without such a code (an
  unknown message id on a status look-up) stays :class:`NotFoundError`.
- ``IDEMPOTENCY_KEY_IN_USE`` (409: the first request with this key is still running)
  is :class:`IdempotencyKeyInUse`, a :class:`RateLimitError`, so the client retries
  it: the retry either gets the first request's stored answer (replayed) or a real
  error. Giving up instead would leave the caller not knowing that the message went.
- ``IDEMPOTENCY_KEY_REUSED`` (same key, different body) is a caller bug: BadRequestError.
- 409 ``WHATSAPP_INSTANCE_NOT_CONNECTED`` / ``NUMBER_BLOCKED`` need a person, not a
  retry: BadRequestError with the code kept.

Example::

    error = error_from_response(HttpResponse(status=422, body=b'{"code":"BILLING_SUSPENDED"}'))
    isinstance(error, BillingError)  # True
"""

from __future__ import annotations

from typing import Any

from whatsapp_async.provider import (
    APIStatusError,
    BadRequestError,
    BillingError,
    HttpResponse,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    TemplateError,
    convert_or_none,
    error_class_for_status,
    status_error,
    summarise_body,
)

from .wire import ErrorBody, decode_json

__all__ = ["CODE_CLASSES", "IdempotencyKeyInUse", "error_from_response"]

PROVIDER = "pilot"


class IdempotencyKeyInUse(RateLimitError):
    """409 ``IDEMPOTENCY_KEY_IN_USE``: a request with this key is still being processed.

    A :class:`RateLimitError` so that the client's retry policy waits and tries
    again; the retry returns the first request's stored answer.

    Example::

        try:
            await wa.send(to, message, idempotency_key="order-1234")
        except IdempotencyKeyInUse:
            ...  # only seen when the retries ran out
    """


CODE_CLASSES: dict[str, type[APIStatusError]] = {
    # Template problems (400 and 404 on send).
    "MISSING_TEMPLATE_VARIABLES": TemplateError,
    "INVALID_TEMPLATE_VARIABLE_VALUE": TemplateError,
    "TEMPLATE_NOT_FOUND": TemplateError,
    "TEMPLATE_NOT_APPROVED": TemplateError,
    "TEMPLATE_VERSION_NOT_FOUND": TemplateError,
    "META_TEMPLATE_NOT_APPROVED": TemplateError,
    # Free-form and routing refusals: the request itself is fine, this number cannot do it.
    "FREE_FORM_NOT_SUPPORTED": BadRequestError,
    "NOT_SUPPORTED_FOR_META": BadRequestError,
    # Idempotency.
    "IDEMPOTENCY_KEY_IN_USE": IdempotencyKeyInUse,
    "IDEMPOTENCY_KEY_REUSED": BadRequestError,
    "IDEMPOTENCY_KEY_INVALID": BadRequestError,
    # Number state (409).
    "WHATSAPP_INSTANCE_NOT_CONNECTED": BadRequestError,
    "NUMBER_BLOCKED": BadRequestError,
    # Money.
    "BILLING_SUSPENDED": BillingError,
    "SUBSCRIPTION_REQUIRED_FOR_MEDIA": BillingError,
    # Scope.
    "TEMPLATE_CATEGORY_MARKETING_REQUIRES_OWN_NUMBER": PermissionDeniedError,
    "NEWSLETTER_NOT_ALLOWED_IN_TEST": PermissionDeniedError,
    # Throttling.
    "RATE_LIMITED": RateLimitError,
    "RESYNC_COOLDOWN": RateLimitError,
    # Conversation window and destination (usually webhook-only, mapped if ever synchronous).
    "META_OUTSIDE_24H_WINDOW": OutsideWindowError,
    "META_NO_CONVERSATION": OutsideWindowError,
    "FLOW_WINDOW_CLOSED": OutsideWindowError,
    "WHATSAPP_NOT_EXIST": RecipientError,
    "INVALID_DESTINATION": RecipientError,
}
"""Pilot codes with a more precise class than their HTTP status gives."""


def _class_for(code: str | None, status: int) -> type[APIStatusError]:
    if code is not None:
        known = CODE_CLASSES.get(code)
        if known is not None:
            return known
        # Unlisted template codes on validation/not-found answers are still template errors.
        if "TEMPLATE" in code and status in (400, 404, 422):
            return TemplateError
    return error_class_for_status(status)


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return max(0.0, float(value)) if value == value else None  # NaN is not a wait


def error_from_response(response: HttpResponse) -> APIStatusError:
    """The typed error for a Pilot Status error answer (never raises itself).

    Example::

        error_from_response(HttpResponse(status=503, body=b"<html>bad gateway</html>"))
        # ServerError(provider='pilot', status=503, code=None, ...)
    """
    raw = decode_json(response.body)
    parsed = convert_or_none(raw, ErrorBody)
    code = parsed.code if parsed is not None and isinstance(parsed.code, str) else None
    message = parsed.error if parsed is not None and isinstance(parsed.error, str) else ""
    if not message:
        message = summarise_body(response.body) or f"HTTP {response.status}"
    details = parsed.details if parsed is not None else None
    if details is None and isinstance(raw, dict):
        details = raw
    # Pilot's own retryAfterSeconds first; without it, status_error reads Retry-After.
    wait = _seconds(parsed.retry_after_seconds) if parsed is not None else None
    return status_error(
        _class_for(code, response.status),
        message,
        provider=PROVIDER,
        response=response,
        code=code,
        details=details,
        retry_after=wait,
    )
