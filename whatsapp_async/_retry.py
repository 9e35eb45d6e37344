"""Retry policy: what is retried, how long to wait, and when to give up.

Retried by default: connection failures before the request was sent,
:class:`RateLimitError` and :class:`ServerError`. Ambiguous failures (the
request may have reached the provider: a reset or a timeout after sending) are
retried only when the request is idempotent (the provider honours an
idempotency key). Waits grow exponentially with full jitter (``backoff``'s
generators); a provider's ``retry_after`` is honoured exactly, and one longer
than ``retry_after_cap`` is not slept through: the error is raised.

Example::

    WhatsApp("meta", ..., retry=RetryPolicy(max_retries=5, max_elapsed=30))
    await wa.send(to, msg, max_retries=0)   # per call: no retries
"""

from __future__ import annotations

from collections.abc import Iterator

import backoff
import msgspec

from .errors import APIConnectionError, APIError, RateLimitError, ServerError, WhatsAppError

__all__ = ["RetryPolicy"]


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How failed requests are retried.

    - ``max_retries``: retries after the first attempt (0 disables retrying)
    - ``initial_delay`` / ``max_delay``: bounds of the exponential wait, in seconds
    - ``max_elapsed``: no retry starts after this many seconds since the first attempt
    - ``retry_after_cap``: a provider-requested wait longer than this is not slept through
    - ``jitter``: full jitter on computed waits (never on a provider's ``retry_after``)

    Example::

        RetryPolicy(max_retries=3, initial_delay=0.2, retry_after_cap=60)
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_elapsed: float = 60.0
    retry_after_cap: float = 120.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            from .errors import ConfigurationError

            raise ConfigurationError("max_retries must be >= 0")

    def with_max_retries(self, max_retries: int | None) -> RetryPolicy:
        """This policy with another ``max_retries`` (None: unchanged)."""
        if max_retries is None or max_retries == self.max_retries:
            return self
        return msgspec.structs.replace(self, max_retries=max_retries)

    def waits(self) -> Iterator[float]:
        """Computed waits for attempts 1, 2, ... (jittered, capped)."""
        gen = backoff.expo(base=2, factor=self.initial_delay, max_value=self.max_delay)
        next(gen)  # prime: backoff's generators yield None first
        for value in gen:
            yield backoff.full_jitter(value) if self.jitter else value

    def is_retryable(
        self, error: WhatsAppError, *, idempotent: bool, server_errors: bool = True
    ) -> bool:
        """Whether ``error`` may be retried for a request of this kind.

        ``server_errors=False`` keeps a non-idempotent request from being resent
        after a 5xx (used for native batches, where a resend could duplicate a
        whole chunk that a proxy failed after the provider had sent it).
        """
        if isinstance(error, RateLimitError):
            return True
        if isinstance(error, ServerError):
            return server_errors or idempotent
        if isinstance(error, APIConnectionError):
            return idempotent or not error.request_sent
        return False

    def wait_for(self, error: APIError, computed: float) -> float | None:
        """The wait before retrying after ``error``; None when it exceeds the cap."""
        requested = getattr(error, "retry_after", None)
        if requested is None:
            return computed
        if requested > self.retry_after_cap:
            return None
        return float(requested)
