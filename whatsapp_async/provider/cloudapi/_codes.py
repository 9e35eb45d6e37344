"""WhatsApp Business Platform error codes and the error class each implies.

The codes are the platform's own (returned by the Cloud API and relayed by
proxies and gateways that sit in front of it), so every provider that sees
one maps it the same way. Meanings and retry advice: Meta's error-code
reference; grouping: the SDK's error hierarchy (`whatsapp_async.errors`).

Example::

    >>> class_for_platform_code(131047).__name__
    'OutsideWindowError'
    >>> class_for_platform_code(132001).__name__
    'TemplateError'
    >>> class_for_platform_code(999999) is None
    True
"""

from __future__ import annotations

from ...errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    ServerError,
    TemplateError,
)

__all__ = [
    "NOT_PROCESSED_CODES",
    "PAIR_LIMIT_CODES",
    "PLATFORM_CODES",
    "class_for_platform_code",
]

PLATFORM_CODES: dict[int, type[APIStatusError]] = {
    # Authentication: the token is invalid or expired.
    0: AuthenticationError,
    190: AuthenticationError,
    # Permissions and account restrictions (200-299 are a range, below).
    3: PermissionDeniedError,
    10: PermissionDeniedError,
    368: PermissionDeniedError,
    130497: PermissionDeniedError,
    131005: PermissionDeniedError,
    131031: PermissionDeniedError,
    # Spam-rate limit: a quality problem, not throttling to retry through.
    131048: PermissionDeniedError,
    131064: PermissionDeniedError,
    # Throttling: retried by the core with backoff.
    4: RateLimitError,
    80007: RateLimitError,
    130429: RateLimitError,
    131056: RateLimitError,
    # Customer-service window.
    131047: OutsideWindowError,
    # The recipient cannot get this message.
    131021: RecipientError,
    131026: RecipientError,
    # Billing / eligibility.
    131042: BillingError,
    # Transient on the platform's side: retried by the core.
    1: ServerError,
    2: ServerError,
    131000: ServerError,
    131016: ServerError,
    131057: ServerError,
    133004: ServerError,
    # The request itself is wrong (or needs setup): fix it, do not retry.
    33: BadRequestError,
    100: BadRequestError,
    130472: BadRequestError,
    131008: BadRequestError,
    131009: BadRequestError,
    131045: BadRequestError,
    131051: BadRequestError,
    131052: BadRequestError,
    131053: BadRequestError,
    131062: BadRequestError,
    133000: BadRequestError,
    133010: BadRequestError,
    135000: BadRequestError,
}
"""Codes with a definite class; 200-299 and 132000-132999 are ranges."""


NOT_PROCESSED_CODES: frozenset[int | str] = frozenset({2, 131057})
"""Server-side codes that refuse a request before processing it, so the failure is not in
doubt: 2 ("API service: temporary downtime or overload") and 131057 ("account in
maintenance mode", e.g. during a throughput upgrade). Every other server-side code (1,
131000 "unknown error", 131016, 133004 ...) may follow a processed request and is in doubt."""


PAIR_LIMIT_CODES: frozenset[int | str] = frozenset({131056})
"""Throttling of one business-user pair (about one message per 6 s, bursts allowed): the
client slows down messages to that user, not the whole sender."""


def class_for_platform_code(code: int | None) -> type[APIStatusError] | None:
    """The error class a platform error ``code`` implies, or None when it implies none.

    Example::

        class_for_platform_code(130429)  # RateLimitError
    """
    if code is None or isinstance(code, bool):
        return None
    cls = PLATFORM_CODES.get(code)
    if cls is not None:
        return cls
    if 200 <= code <= 299:
        return PermissionDeniedError
    if 132000 <= code <= 132999:
        return TemplateError
    return None
