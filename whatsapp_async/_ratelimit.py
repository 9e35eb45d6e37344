"""Client-side rate limits: per-sender throughput and per-recipient spacing.

Both are GCRA schedulers (a token bucket without a timer): each ``acquire``
reserves the next free slot for its key and sleeps until it, so concurrent
callers are served in arrival order without a lock. The :class:`RateLimiter`
protocol is what the client depends on, so a shared limiter (Redis) can replace
the in-process one.

Example::

    limiter = TokenBucket(rate=80, burst=80)      # Meta's default throughput
    await limiter.acquire("meta:1234567890")
    pairs = TokenBucket(rate=1 / 6, burst=1)      # Meta's pair limit: 1 per 6 s per user
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol, runtime_checkable

__all__ = ["RateLimiter", "TokenBucket"]


@runtime_checkable
class RateLimiter(Protocol):
    """Anything that can delay a caller until ``key`` may send again.

    Example::

        class NoLimit:
            async def acquire(self, key: str) -> None:
                return None
    """

    async def acquire(self, key: str) -> None:
        """Wait until one more message may go out under ``key``."""


class TokenBucket:
    """An in-process GCRA limiter: ``rate`` per second per key, bursts up to ``burst``.

    Example::

        bucket = TokenBucket(rate=50)
        await bucket.acquire("pilot:default")
    """

    def __init__(self, rate: float, burst: int | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = max(1, int(burst if burst is not None else max(1, round(rate))))
        self._interval = 1.0 / self.rate
        self._tolerance = (self.burst - 1) * self._interval
        self._tat: dict[str, float] = {}
        self._acquires = 0

    def delay_for(self, key: str, now: float | None = None) -> float:
        """Reserve the next slot for ``key``; return how long to wait for it."""
        now = time.monotonic() if now is None else now
        tat = max(self._tat.get(key, now), now)
        wait = tat - self._tolerance - now
        self._tat[key] = tat + self._interval
        self._acquires += 1
        if self._acquires % 4096 == 0:
            self._prune(now)
        return max(0.0, wait)

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` may send one more message."""
        wait = self.delay_for(key)
        if wait > 0:
            await asyncio.sleep(wait)

    def _prune(self, now: float) -> None:
        # Keys whose schedule is in the past hold no state worth keeping.
        stale = [k for k, tat in self._tat.items() if tat < now]
        for key in stale:
            del self._tat[key]

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate:g}, burst={self.burst})"
