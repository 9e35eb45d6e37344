"""The adaptive sender limiter with its learned state in Redis: many workers, one learned rate.

Every process sending for one sender shares one state per key in a Redis hash: the current
rate, the rate at which throttling was last seen, the saturated time since the last cut, the
GCRA schedule and the answers of the last second. One Lua script does what
:class:`~whatsapp_async._adaptive.AdaptiveLimiter` does in-process — grow while callers wait,
space them at the current rate — on Redis's clock, atomically; a second script applies a
throttle (a cut, at most once per round trip: throttles of requests sent before the last cut
are ignored). A process reports its successes in batches with its next ``acquire`` (no extra
round trip) and its throttles as they come, so every worker converges on the same rate.

Example::

    limiter = RedisAdaptiveLimiter(redis, rate=80, ceiling=1000)
    wa = WhatsApp("meta", token=..., phone_number_id=..., rate_limit=limiter)
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

from redis.asyncio import Redis

from ..errors import StoreUnavailable
from ._redis_guard import DEFAULT_TIMEOUT, bounded, check_timeout

__all__ = ["RedisAdaptiveLimiter"]

log = logging.getLogger("whatsapp_async.contrib.redis")

DEFAULT_ADAPTIVE_PREFIX = "whatsapp_async:adaptive:"

# Times in microseconds. KEYS[1]: the state hash. ARGV: initial, ceiling, floor, beta,
# ramp, cubic, burst (µs of traffic), successes to add, state TTL (ms). Returns
# {wait µs, now µs, rate * 1000}. Answers are counted in a ring of 40 buckets of 50 ms.
_ACQUIRE = """
local initial, ceiling, floor = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local beta, ramp, cubic = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local burst, successes, ttl = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local s = redis.call('HMGET', KEYS[1], 'rate', 'limit', 'sat', 'last', 'tat', 'paused')
local rate = tonumber(s[1]) or initial
local limit = tonumber(s[2]) or 0
local sat = tonumber(s[3]) or 0
local last = tonumber(s[4]) or now
local tat = tonumber(s[5]) or now
local paused = tonumber(s[6]) or 0
if tat > now and now > last then
  sat = sat + (now - last)
  if limit <= 0 then
    rate = initial * 2 ^ (sat / ramp)
  else
    -- The same curve as AdaptiveLimiter._grow: concave to the limit, creep above it (5% of
    -- it per second), probe after 8 s without a throttle. Times are in microseconds.
    local offset = sat - cubic
    if offset <= 0 then
      local c = (1 - beta) / (cubic ^ 3)
      rate = limit * (1 + c * offset ^ 3)
    elseif offset <= 8000000 then
      rate = limit * (1 + 0.05e-6 * offset)
    else
      rate = limit * 1.4 * 2 ^ ((offset - 8000000) / (2 * ramp))
    end
  end
  rate = math.min(ceiling, math.max(floor, rate))
end
local interval = 1000000 / rate
local slot = math.max(tat, now, paused)
local tolerance = math.max(0, burst - interval)
local wait = slot - tolerance - now
redis.call('HSET', KEYS[1], 'rate', rate, 'sat', sat, 'last', now, 'tat', slot + interval)
if successes > 0 then
  local bucket = math.floor(now / 50000)
  local field = 'b' .. (bucket % 40)
  if tonumber(redis.call('HGET', KEYS[1], field .. 'id')) ~= bucket then
    redis.call('HSET', KEYS[1], field .. 'id', bucket, field .. 's', 0, field .. 't', 0)
  end
  redis.call('HINCRBY', KEYS[1], field .. 's', successes)
end
redis.call('PEXPIRE', KEYS[1], ttl)
if wait < 0 then wait = 0 end
return {math.floor(wait), now, math.floor(rate * 1000)}
"""

# KEYS[1]: the state hash. ARGV: sent_at µs (Redis clock), retry_after µs, beta, floor,
# far-above share, state TTL (ms). Returns the rate * 1000 after the throttle.
_THROTTLE = """
local sent_at, retry_after = tonumber(ARGV[1]), tonumber(ARGV[2])
local beta, floor, far = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local s = redis.call('HMGET', KEYS[1], 'rate', 'cut', 'paused')
local rate = tonumber(s[1])
if rate == nil then return 0 end
local cut = tonumber(s[2]) or 0
local paused = tonumber(s[3]) or 0
local bucket = math.floor(now / 50000)
local field = 'b' .. (bucket % 40)
if tonumber(redis.call('HGET', KEYS[1], field .. 'id')) ~= bucket then
  redis.call('HSET', KEYS[1], field .. 'id', bucket, field .. 's', 0, field .. 't', 0)
end
redis.call('HINCRBY', KEYS[1], field .. 't', 1)
if retry_after > 0 and now + retry_after > paused then
  redis.call('HSET', KEYS[1], 'paused', now + retry_after)
end
if sent_at < cut then return math.floor(rate * 1000) end
local accepted, throttled = 0, 0
for i = 0, 19 do
  local b = bucket - i
  local f = 'b' .. (b % 40)
  if tonumber(redis.call('HGET', KEYS[1], f .. 'id')) == b then
    accepted = accepted + (tonumber(redis.call('HGET', KEYS[1], f .. 's')) or 0)
    throttled = throttled + (tonumber(redis.call('HGET', KEYS[1], f .. 't')) or 0)
  end
end
local seen = rate
if accepted > 0 and accepted + throttled >= 10 then
  local estimate = math.max(rate * accepted / (accepted + throttled), accepted)
  if estimate < far * rate then seen = estimate end
end
local limit = math.max(floor, seen)
local new_rate = math.max(floor, beta * limit)
redis.call('HSET', KEYS[1], 'limit', limit, 'rate', new_rate, 'sat', 0, 'cut', now, 'last', now)
redis.call('PEXPIRE', KEYS[1], ttl)
return math.floor(new_rate * 1000)
"""


class RedisAdaptiveLimiter:
    """An adaptive sender limiter whose learned rate every process shares (see the module docs).

    ``rate`` is where it starts (the provider's documented rate: Meta 80), ``ceiling`` the
    most it goes to (Meta 1,000; default: ``rate``, i.e. a ceiling that still backs off).
    Each Redis call is bounded by ``timeout``; a Redis failure fails ``acquire`` closed with
    :class:`~whatsapp_async.StoreUnavailable` (nothing is sent); a throttle that cannot be
    reported is logged.

    Example::

        limiter = RedisAdaptiveLimiter(redis, rate=80, ceiling=1000, timeout=0.5)
        await limiter.acquire("meta:106540352242922")
        limiter.rate  # the shared rate as of the last acquire
    """

    def __init__(
        self,
        redis: Redis,
        *,
        rate: float,
        ceiling: float | None = None,
        floor: float = 1.0,
        beta: float = 0.85,
        ramp_seconds: float = 0.3,
        cubic_seconds: float = 1.0,
        burst_seconds: float = 0.05,
        prefix: str = DEFAULT_ADAPTIVE_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
        state_ttl: float = 3600.0,
    ) -> None:
        if not rate > 0 or math.isinf(rate) or (ceiling is not None and ceiling < rate):
            raise ValueError("need a positive, finite rate and a ceiling at least as high")
        self.initial = float(rate)
        self.ceiling = float(ceiling) if ceiling is not None else float(rate)
        self.floor = min(float(floor), self.initial)
        self.beta = beta
        self.prefix = prefix
        self.timeout = check_timeout(timeout)
        self.rate = self.initial
        self._us = (ramp_seconds * 1e6, cubic_seconds * 1e6, burst_seconds * 1e6)
        self._ttl_ms = int(state_ttl * 1000)
        self._redis = redis
        self._acquire = redis.register_script(_ACQUIRE)
        self._throttle = redis.register_script(_THROTTLE)
        self._pending: dict[str, int] = {}  # successes not reported yet, per key
        self._offset = 0.0  # Redis clock minus our monotonic clock, in seconds
        self._reports: set[asyncio.Task[Any]] = set()

    async def reserve(self, key: str) -> float:
        """Reserve ``key``'s next slot (reporting successes since the last call); its wait.

        Example::

            await limiter.reserve("meta:1")  # 0.0125
        """
        successes = self._pending.pop(key, 0)
        ramp, cubic, burst = self._us
        try:
            answer: Any = await bounded(
                self._redis,
                self._acquire(
                    keys=[self.prefix + key],
                    args=[
                        self.initial,
                        self.ceiling,
                        self.floor,
                        self.beta,
                        ramp,
                        cubic,
                        burst,
                        successes,
                        self._ttl_ms,
                    ],
                ),
                timeout=self.timeout,
                what="RedisAdaptiveLimiter",
                operation="rate limit",
            )
        except StoreUnavailable:
            self._pending[key] = self._pending.get(key, 0) + successes  # report them later
            raise
        wait_us, now_us, rate_milli = (int(x) for x in answer)
        self._offset = now_us / 1e6 - time.monotonic()
        self.rate = rate_milli / 1000.0
        return max(0, wait_us) / 1e6

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` may send one more message (``StoreUnavailable``: Redis is down)."""
        wait = await self.reserve(key)
        if wait > 0:
            await asyncio.sleep(wait)

    def observe(
        self, key: str, *, sent_at: float, throttled: bool, retry_after: float | None = None
    ) -> None:
        """Count a success (reported with the next acquire) or report a throttle now."""
        if not throttled:
            self._pending[key] = self._pending.get(key, 0) + 1
            return
        task = asyncio.ensure_future(self._report(key, sent_at, retry_after))
        self._reports.add(task)
        task.add_done_callback(self._reports.discard)

    async def _report(self, key: str, sent_at: float, retry_after: float | None) -> None:
        sent_at_us = (sent_at + self._offset) * 1e6
        try:
            rate_milli: Any = await bounded(
                self._redis,
                self._throttle(
                    keys=[self.prefix + key],
                    args=[
                        f"{sent_at_us:.0f}",
                        f"{(retry_after or 0) * 1e6:.0f}",
                        self.beta,
                        self.floor,
                        0.7,
                        self._ttl_ms,
                    ],
                ),
                timeout=self.timeout,
                what="RedisAdaptiveLimiter",
                operation="rate limit",
            )
        except StoreUnavailable as exc:
            log.warning("could not report a throttle to Redis: %s", exc.message)
            return
        if int(rate_milli) > 0:
            self.rate = int(rate_milli) / 1000.0

    def __repr__(self) -> str:
        return (
            f"RedisAdaptiveLimiter(rate={self.rate:g}, initial={self.initial:g}, "
            f"ceiling={self.ceiling:g}, prefix={self.prefix!r})"
        )
