"""A sender limiter that learns the provider's real throughput limit from its answers.

Meta's Cloud API lets a number send 80 messages per second by default and upgrades numbers to
1,000 on its own; the caller rarely knows today's tier, and each answer takes 100-500 ms. A
fixed client-side rate is either too slow (80 on a 1,000 number) or too fast (throttled,
``130429``). :class:`AdaptiveLimiter` starts at the documented rate and adapts, per key:

- **probe** — while callers are waiting on it (there is demand) and nothing is throttled, it
  raises its rate quickly (doubling every ``ramp_seconds`` of saturated sending) up to its
  ceiling (Meta: 1,000; ``rate_limit=N``: N);
- **back off** — on a throttling answer to a request sent at a rate ``W`` (throttles of
  requests sent before the last cut are ignored: they were sent at the old rate), it records
  ``W`` as the limit and cuts its rate to ``beta * W``;
- **settle** — then it grows back along a cubic curve (TCP CUBIC, as the AWS SDKs' adaptive
  retry mode does): fast while well below ``W``, flat near it, back at ``W`` after
  ``cubic_seconds``; above ``W`` it creeps (+5% of ``W`` per second), so it spends its time
  close to the real limit, not far below or above it; after 8 s above ``W`` without a
  throttle the tier was raised, and it probes again (doubling every ``2 * ramp_seconds``).

A ``retry_after`` on a throttling answer also pauses the key for that long. GCRA spacing (a
token bucket without a timer) serves concurrent callers in arrival order without a lock.

Example::

    limiter = AdaptiveLimiter(initial=80, ceiling=1000)
    await limiter.acquire("meta:106540352242922")
    limiter.observe("meta:106540352242922", sent_at=t0, throttled=True)
    limiter.rate   # the current rate of the last key used (msg/s)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ._ratelimit import RateLimiter

__all__ = ["AdaptiveLimiter", "FeedbackLimiter", "PairBackoff"]

_BUCKETS_PER_SECOND = 20
_WINDOW = 1.0  # seconds of answers the accepted throughput is measured over
_MIN_WINDOW = 0.1
_FAR_ABOVE = 0.7
_MIN_ANSWERS = 10
_CREEP = 0.05  # above the last limit: +5% of it per second of saturated sending
_PROBE_AFTER = 8.0  # seconds of creeping with no throttle before probing exponentially


@runtime_checkable
class FeedbackLimiter(RateLimiter, Protocol):
    """A :class:`RateLimiter` that is told how each request it let through was answered.

    ``sent_at`` is ``time.monotonic()`` when the request left (after ``acquire`` returned);
    ``throttled`` says the provider answered "too fast"; ``retry_after`` is its requested wait.

    Example::

        limiter.observe("meta:1", sent_at=time.monotonic(), throttled=False)
    """

    def observe(
        self, key: str, *, sent_at: float, throttled: bool, retry_after: float | None = None
    ) -> None:
        """Learn from one answer."""


class _Key:
    """The learned state of one key."""

    __slots__ = (
        "cut_at",
        "first_answer",
        "history",
        "last",
        "limit",
        "paused_until",
        "rate",
        "saturated",
        "successes",
        "tat",
        "throttles",
        "timer",
        "waiters",
    )

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.limit: float | None = None  # the rate at which throttling was last seen
        self.saturated = 0.0  # seconds of sending with callers waiting, since the last cut
        self.last = now
        self.tat = now  # GCRA: the theoretical arrival time of the next slot
        self.cut_at = -math.inf
        self.paused_until = 0.0
        self.history: deque[tuple[float, float]] = deque([(now, rate)], maxlen=256)
        # Accepted answers per 50 ms of arrival (bucket -> count), the last second or so: the
        # provider's accepted throughput, whatever waves the client sends in.
        self.successes: dict[int, int] = {}
        self.throttles: dict[int, int] = {}
        self.first_answer = math.inf
        # Callers waiting for a slot, released one by one at the rate in force *then*: a cut
        # or a rise applies to everyone already waiting, not only to later callers.
        self.waiters: deque[asyncio.Future[None]] = deque()
        self.timer: asyncio.TimerHandle | None = None


class AdaptiveLimiter:
    """Per-key adaptive rate (see the module docs).

    - ``initial``: the starting rate (the provider's documented default, or the ceiling)
    - ``ceiling`` / ``floor``: bounds of the rate (msg/s)
    - ``beta``: the rate after a throttle, as a share of the rate it was seen at
    - ``ramp_seconds``: while probing before any throttle, the rate doubles this often
    - ``cubic_seconds``: after a cut, the time to grow back to the rate throttling was seen at
    - ``burst_seconds``: how much sending may bunch up (tolerance of the GCRA)
    - ``clock``: seconds, monotonic (``time.monotonic``; the same clock as ``sent_at``)

    Example::

        AdaptiveLimiter(initial=80, ceiling=1000)    # Meta's default tier, and its maximum
        AdaptiveLimiter(initial=200, ceiling=200)    # rate_limit=200: a ceiling that backs off
    """

    def __init__(
        self,
        initial: float,
        *,
        ceiling: float | None = None,
        floor: float = 1.0,
        beta: float = 0.85,
        ramp_seconds: float = 0.3,
        cubic_seconds: float = 1.0,
        burst_seconds: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if initial <= 0 or (ceiling is not None and ceiling < initial) or floor <= 0:
            raise ValueError("need 0 < floor, 0 < initial <= ceiling")
        if not 0 < beta < 1:
            raise ValueError("beta must be between 0 and 1")
        self.initial = float(initial)
        self.ceiling = float(ceiling) if ceiling is not None else float(initial)
        self.floor = min(float(floor), self.initial)
        self.beta = beta
        self.ramp_seconds = ramp_seconds
        self.cubic_seconds = cubic_seconds
        self.burst_seconds = burst_seconds
        self._clock = clock
        # CUBIC: W(t) = W_max * (1 + c * (t - K)^3), with W(0) = beta * W_max and W(K) = W_max.
        self._cubic_c = (1.0 - beta) / cubic_seconds**3
        self._keys: dict[str, _Key] = {}
        self._last_key: str | None = None

    @property
    def rate(self) -> float:
        """The current rate of the key used last (the client's sender), in msg/s."""
        if self._last_key is None:
            return self.initial
        return self._keys[self._last_key].rate

    def rate_for(self, key: str) -> float:
        """The current rate of ``key``."""
        state = self._keys.get(key)
        return self.initial if state is None else state.rate

    # -- scheduling ----------------------------------------------------------------------------
    def _state(self, key: str, now: float) -> _Key:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _Key(self.initial, now)
        self._last_key = key
        return state

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` may send one more message."""
        now = self._clock()
        state = self._state(key, now)
        if not state.waiters and self._take(state, now):
            return
        waiter = asyncio.get_running_loop().create_future()
        state.waiters.append(waiter)
        self._schedule(state, now)
        try:
            await waiter
        except BaseException:
            if not waiter.done():
                waiter.cancel()
            elif not waiter.cancelled():
                pass  # granted just as we were cancelled: the slot is simply unused
            raise

    def _take(self, state: _Key, now: float) -> bool:
        """Take a slot now if one is free (within the burst tolerance)."""
        self._grow(state, now, demand=bool(state.waiters))
        interval = 1.0 / state.rate
        tat = max(state.tat, now, state.paused_until)
        if tat - max(0.0, self.burst_seconds - interval) > now:
            return False
        state.tat = tat + interval
        return True

    def _schedule(self, state: _Key, now: float) -> None:
        if state.timer is not None:
            return
        interval = 1.0 / state.rate
        start = max(state.tat, state.paused_until) - max(0.0, self.burst_seconds - interval)
        loop = asyncio.get_running_loop()
        state.timer = loop.call_at(loop.time() + max(0.0, start - now), self._release, state)

    def _release(self, state: _Key) -> None:
        state.timer = None
        now = self._clock()
        while state.waiters:
            if state.waiters[0].done():  # cancelled while waiting
                state.waiters.popleft()
                continue
            if not self._take(state, now):
                break
            state.waiters.popleft().set_result(None)
        if state.waiters:
            self._schedule(state, now)

    # -- learning -----------------------------------------------------------------------------
    def observe(
        self, key: str, *, sent_at: float, throttled: bool, retry_after: float | None = None
    ) -> None:
        """Learn from one answer: a throttle cuts the rate, a success lets it grow."""
        state = self._keys.get(key)
        if state is None:
            return
        now = self._clock()
        state.first_answer = min(state.first_answer, now)
        bucket = int(now * _BUCKETS_PER_SECOND)
        counts = state.throttles if throttled else state.successes
        counts[bucket] = counts.get(bucket, 0) + 1
        if len(counts) > 2 * _BUCKETS_PER_SECOND:
            for old in [b for b in counts if b < bucket - _BUCKETS_PER_SECOND]:
                del counts[old]
        if not throttled:
            return
        if retry_after is not None and retry_after > 0:
            state.paused_until = max(state.paused_until, now + retry_after)
        if sent_at < state.cut_at:
            # Sent at the old rate, before we backed off: no new cut for it — unless the
            # answers gathered since show we are still far above what the provider takes.
            estimate = self._accepted_estimate(state, now, self._rate_at(state, sent_at))
            if estimate < _FAR_ABOVE * state.rate:
                state.limit = max(self.floor, estimate)
                state.rate = max(self.floor, self.beta * state.limit)
                state.history.append((now, state.rate))
            return
        seen_at = self._rate_at(state, sent_at)
        # Far above the limit (a ceiling well over the real tier), what the provider accepted
        # lately is the better estimate: one cut, not ten. Two readings: its accepted answers
        # per second, and the share of answers it accepted times the rate we sent at.
        estimate = self._accepted_estimate(state, now, seen_at)
        if estimate < _FAR_ABOVE * seen_at:
            seen_at = estimate
        state.limit = max(self.floor, seen_at)
        state.rate = max(self.floor, self.beta * state.limit)
        state.saturated = 0.0
        state.cut_at = now
        state.last = now
        state.history.append((now, state.rate))

    def delay_for(self, key: str, now: float | None = None) -> float:
        """For a caller that cannot wait on the event loop: reserve a slot, return its wait.

        Example::

            limiter.delay_for("meta:1")  # 0.0125
        """
        now = self._clock() if now is None else now
        state = self._state(key, now)
        self._grow(state, now, demand=state.tat > now)
        interval = 1.0 / state.rate
        tat = max(state.tat, now, state.paused_until)
        state.tat = tat + interval
        return max(0.0, tat - max(0.0, self.burst_seconds - interval) - now)

    def _grow(self, state: _Key, now: float, demand: bool) -> None:
        elapsed = now - state.last
        state.last = now
        if not demand or elapsed <= 0:
            return
        state.saturated += elapsed
        if state.limit is None:
            # Probing: double every ramp_seconds of saturated sending.
            rate = self.initial * 2.0 ** (state.saturated / self.ramp_seconds)
        else:
            offset = state.saturated - self.cubic_seconds
            if offset <= 0:
                # Concave back up to the limit throttling was seen at, flat near it.
                rate = state.limit * (1.0 + self._cubic_c * offset**3)
            elif offset <= _PROBE_AFTER:
                # Creep above it. A provider's limiter allows bursts, so a rate a little over
                # the tier is throttled only seconds later: any faster growth here (CUBIC's
                # convex side, or doubling) has reached 1.5-2x the tier by then, and a burst
                # of throttles follows (measured: 30 in 0.5 s on a 200 msg/s tier).
                rate = state.limit * (1.0 + _CREEP * offset)
            else:
                # Seconds above the old limit with no throttle: the tier was raised. Probe.
                past = offset - _PROBE_AFTER
                start = state.limit * (1.0 + _CREEP * _PROBE_AFTER)
                rate = start * 2.0 ** (past / (2 * self.ramp_seconds))
        rate = min(self.ceiling, max(self.floor, rate))
        recorded = state.history[-1][1]
        if abs(rate - recorded) > 0.01 * recorded:
            state.history.append((now, rate))
        state.rate = rate

    @staticmethod
    def _accepted_estimate(state: _Key, now: float, seen_at: float) -> float:
        """What the provider lately accepted, per second (``seen_at`` when it cannot tell)."""
        if state.first_answer > now:
            return seen_at
        window = min(_WINDOW, now - state.first_answer)
        last = int(now * _BUCKETS_PER_SECOND)
        first = last - max(1, int(window * _BUCKETS_PER_SECOND))
        accepted = sum(state.successes.get(b, 0) for b in range(first, last + 1))
        throttled = sum(state.throttles.get(b, 0) for b in range(first, last + 1))
        if accepted == 0 or accepted + throttled < _MIN_ANSWERS:
            return seen_at  # no evidence of what the provider takes: a plain cut
        by_share = seen_at * accepted / (accepted + throttled)
        if window < _MIN_WINDOW:
            return by_share  # too early for a rate: the share is all there is
        return max(by_share, accepted / window)

    @staticmethod
    def _rate_at(state: _Key, when: float) -> float:
        # The rate in force when a request left: the newest history entry not after it.
        rate = state.history[0][1]
        for at, value in state.history:
            if at > when:
                break
            rate = value
        return rate

    def __repr__(self) -> str:
        return (
            f"AdaptiveLimiter(rate={self.rate:g}, initial={self.initial:g}, "
            f"ceiling={self.ceiling:g})"
        )


class PairBackoff:
    """Spacing per recipient that appears only where the provider throttles that pair.

    Meta limits messages to one user (error 131056, about one per 6 s, with bursts allowed).
    Most bulk sends never send one user two messages, so by default nothing is spaced; a
    throttled pair gets ``interval`` seconds between its messages (doubling on repeated
    throttles, up to ``max_interval``) until ``hold`` seconds pass without a throttle.

    Example::

        pairs = PairBackoff()
        await pairs.acquire("meta:1:+14155552671")   # no wait until that pair is throttled
        pairs.observe("meta:1:+14155552671", sent_at=t0, throttled=True)
    """

    def __init__(
        self, *, interval: float = 6.0, max_interval: float = 24.0, hold: float = 60.0
    ) -> None:
        self.interval = interval
        self.max_interval = max_interval
        self.hold = hold
        # key -> [spacing seconds, next free slot, last throttle]
        self._pairs: dict[str, list[float]] = {}

    def delay_for(self, key: str, now: float | None = None) -> float:
        """Reserve ``key``'s next slot; how long to wait (0 for a pair never throttled)."""
        state = self._pairs.get(key)
        if state is None:
            return 0.0
        now = time.monotonic() if now is None else now
        spacing, next_free, throttled_at = state
        if now - throttled_at > self.hold:
            del self._pairs[key]
            return 0.0
        slot = max(now, next_free)
        state[1] = slot + spacing
        return slot - now

    async def acquire(self, key: str) -> None:
        """Wait until a message to this pair may go out."""
        wait = self.delay_for(key)
        if wait > 0:
            await asyncio.sleep(wait)

    def observe(
        self, key: str, *, sent_at: float, throttled: bool, retry_after: float | None = None
    ) -> None:
        """A pair throttle spaces that pair (or spaces it further)."""
        if not throttled:
            return
        now = time.monotonic()
        state = self._pairs.get(key)
        wait = retry_after if retry_after is not None and retry_after > 0 else 0.0
        if state is None:
            self._pairs[key] = [self.interval, now + max(self.interval, wait), now]
            return
        state[0] = min(self.max_interval, state[0] * 2)
        state[1] = max(state[1], now + max(state[0], wait))
        state[2] = now

    def __repr__(self) -> str:
        return f"PairBackoff(interval={self.interval:g}, spaced pairs={len(self._pairs)})"
