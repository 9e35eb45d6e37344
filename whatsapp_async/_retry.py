"""Retry policy: what is retried, how long to wait, and when to give up.

Retried by default: connection failures before the request was sent, throttling
(:class:`RateLimitError`) and server errors the provider documents as "not processed".
Failures in doubt (``error.in_doubt``: the message may have been delivered — a 5xx, a reset
or a timeout after the request went out) are retried only when the request is idempotent
(the provider honours an idempotency key, reused on every attempt) or with
``retry_in_doubt=True`` (at least once instead of at most once). Waits grow exponentially
with full jitter (``backoff``'s generators); a provider's ``retry_after`` is honoured exactly
on any retryable status (a zero wait still backs off), and one longer than
``retry_after_cap`` is not slept through: the error is raised. The defaults agree (a wait
of up to 120 s fits the 150 s budget); a ``max_elapsed`` below the cap lowers the cap to it.

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
    - ``retry_in_doubt``: also retry failures after which the message may have been
      delivered (at least once; the default, False, is at most once)
    - ``throttle_deadline``: how long a throttled send keeps waiting its turn (seconds after
      its first attempt; None: ``max_elapsed``; 0: raise ``RateLimitError`` at once).
      Throttling never spends ``max_retries``

    Example::

        RetryPolicy(max_retries=3, initial_delay=0.2, retry_after_cap=60)
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_elapsed: float = 150.0
    retry_after_cap: float = 120.0
    jitter: bool = True
    retry_in_doubt: bool = False
    throttle_deadline: float | None = None

    def __post_init__(self) -> None:
        from .errors import ConfigurationError

        if self.max_retries < 0:
            raise ConfigurationError("max_retries must be >= 0")
        if self.throttle_deadline is not None and self.throttle_deadline < 0:
            raise ConfigurationError("throttle_deadline must be >= 0 seconds (or None)")
        if self.max_elapsed < self.retry_after_cap:
            # The budget wins: a wait the cap would allow but the budget not is refused at
            # once, with the cap's reason, instead of after a futile comparison later.
            msgspec.structs.force_setattr(self, "retry_after_cap", self.max_elapsed)

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

        ``server_errors=False`` keeps a non-idempotent request from being resent after a
        failure in doubt even with ``retry_in_doubt`` (native batches: a resend could
        duplicate a whole chunk).
        """
        if isinstance(error, RateLimitError):
            return True
        if error.in_doubt:
            return idempotent or (self.retry_in_doubt and server_errors)
        return isinstance(error, (ServerError, APIConnectionError))

    def wait_for(self, error: APIError, computed: float) -> float | None:
        """The wait before retrying after ``error``; None when it exceeds the cap.

        A provider's wait is honoured exactly; a wait of zero (or none) still backs off by
        the computed wait, so a provider answering ``Retry-After: 0`` is not hammered.
        """
        requested = getattr(error, "retry_after", None)
        if requested is None or requested <= 0:
            return computed
        if requested > self.retry_after_cap:
            return None
        return float(requested)
