"""Rate limits and idempotency shared by every process that uses the same Redis.

:class:`RedisRateLimiter` is the GCRA scheduler of ``whatsapp_async.TokenBucket`` kept in
Redis: one Lua script reads the key's theoretical arrival time (TAT), reserves the next
slot and returns how long the caller must wait, all atomically and on the Redis server's
clock (``TIME``), so processes on machines whose clocks disagree still share one rate.

:class:`RedisIdempotencyStore` keeps each logical send's result under its idempotency
key, with a short-lived reservation (``SET NX`` with a TTL and a random token) while the
send is in flight; only the holder of the token can clear the reservation.

Both take a ``redis.asyncio.Redis`` client (an ``arq`` pool is one) and need Redis 5+.

Example::

    from redis.asyncio import Redis

    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    wa = WhatsApp(
        "meta", token=..., phone_number_id=...,
        rate_limit=RedisRateLimiter(redis, rate=80),
        pair_spacing=RedisRateLimiter.pair_spacing(redis, seconds=6),
        idempotency_store=RedisIdempotencyStore(redis),
    )
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from typing import Any

import msgspec
from redis.asyncio import Redis

from .._idempotency import SendInProgress
from ..results import SendResult

__all__ = ["RedisIdempotencyStore", "RedisRateLimiter"]

log = logging.getLogger("whatsapp_async.contrib.redis")

DEFAULT_RATE_PREFIX = "whatsapp_async:rate:"
DEFAULT_PAIR_PREFIX = "whatsapp_async:pair:"
DEFAULT_IDEMPOTENCY_PREFIX = "whatsapp_async:idem:"

# GCRA, times in microseconds. KEYS[1]: the limiter key. ARGV[1]: the emission interval
# (1/rate); ARGV[2]: the burst tolerance ((burst - 1) * interval). Returns the wait in µs.
# The key expires when its TAT passes: a missing key and a TAT in the past mean the same.
_GCRA_SCRIPT = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local next_tat = tat + interval
local ttl_ms = math.max(1, math.ceil((next_tat - now) / 1000))
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', ttl_ms)
local wait = tat - tolerance - now
if wait <= 0 then return 0 end
return math.floor(wait)
"""

# KEYS: result, lock. ARGV: token, lock TTL (ms). Returns {1, stored} for a stored result,
# {0} once reserved for the caller, {2} when someone else holds the reservation.
_RESERVE_SCRIPT = """
local stored = redis.call('GET', KEYS[1])
if stored then return {1, stored} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
return {2}
"""

# KEYS: result, lock. ARGV: result JSON, result TTL (ms), token. The result is stored
# whoever holds the lock now (the send did happen); the lock is cleared only if it is ours.
_COMPLETE_SCRIPT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""

# KEYS: lock. ARGV: token. Compare-and-delete: a reservation that expired and was taken
# by another sender is theirs, not ours to clear.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_MICROS = 1_000_000


class RedisRateLimiter:
    """A :class:`~whatsapp_async.RateLimiter` shared through Redis (GCRA).

    ``rate`` messages per second per key, bursts of up to ``burst`` (default: one
    second's worth, like ``TokenBucket``). Every ``acquire`` reserves the next slot
    atomically and sleeps until it, so all processes using the same Redis and ``prefix``
    share the rate. The client calls it with ``"<provider>:<sender>"`` (and, as
    ``pair_spacing``, with ``"<provider>:<sender>:<recipient>"``).

    Example::

        limiter = RedisRateLimiter(redis, rate=50, burst=1, prefix="myapp:rate:")
        await limiter.acquire("pilot:default")
    """

    def __init__(
        self,
        redis: Redis,
        *,
        rate: float,
        burst: int | None = None,
        prefix: str = DEFAULT_RATE_PREFIX,
    ) -> None:
        if not rate > 0 or math.isinf(rate):
            raise ValueError("rate must be a positive, finite number")
        self.rate = float(rate)
        self.burst = max(1, int(burst if burst is not None else max(1, round(rate))))
        self.prefix = prefix
        self._interval_us = _MICROS / self.rate
        self._tolerance_us = (self.burst - 1) * self._interval_us
        self._script = redis.register_script(_GCRA_SCRIPT)

    @classmethod
    def pair_spacing(
        cls, redis: Redis, seconds: float = 6.0, *, prefix: str = DEFAULT_PAIR_PREFIX
    ) -> RedisRateLimiter:
        """A limiter allowing one message per ``seconds`` per key (Meta's pair limit is 6 s).

        Example::

            WhatsApp("meta", ..., pair_spacing=RedisRateLimiter.pair_spacing(redis))
        """
        if not seconds > 0:
            raise ValueError("seconds must be positive")
        return cls(redis, rate=1.0 / seconds, burst=1, prefix=prefix)

    async def reserve(self, key: str) -> float:
        """Reserve the next slot for ``key``; the seconds to wait for it (0: go now).

        Example::

            wait = await limiter.reserve("meta:123")  # the slot is taken either way
        """
        waited_us: Any = await self._script(
            keys=[self.prefix + key],
            args=[f"{self._interval_us:.3f}", f"{self._tolerance_us:.3f}"],
        )
        return max(0, int(waited_us)) / _MICROS

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` may send one more message.

        Example::

            await limiter.acquire("meta:123")
        """
        wait = await self.reserve(key)
        if wait > 0:
            await asyncio.sleep(wait)

    def __repr__(self) -> str:
        return f"RedisRateLimiter(rate={self.rate:g}, burst={self.burst}, prefix={self.prefix!r})"


_result_encoder = msgspec.json.Encoder()
_result_decoder = msgspec.json.Decoder(SendResult)


class RedisIdempotencyStore:
    """An :class:`~whatsapp_async.IdempotencyStore` shared through Redis.

    Results are kept ``ttl`` seconds (msgspec JSON of :class:`SendResult`); a reservation
    lasts at most ``lock_ttl`` seconds, which must exceed the longest a send can take
    (timeouts times retries plus rate-limit waits): after it, another sender may take the
    key. Keys are ``<prefix>{<key>}:result`` and ``<prefix>{<key>}:lock`` (one Redis
    Cluster slot per key).

    Example::

        store = RedisIdempotencyStore(redis, ttl=24 * 3600, lock_ttl=120)
        wa = WhatsApp("pilot", api_key=..., idempotency_store=store)
        await wa.send(to, Text("once"), idempotency_key="order-1234-shipped")
    """

    def __init__(
        self,
        redis: Redis,
        *,
        ttl: float = 24 * 3600.0,
        lock_ttl: float = 300.0,
        prefix: str = DEFAULT_IDEMPOTENCY_PREFIX,
    ) -> None:
        if not ttl > 0 or not lock_ttl > 0:
            raise ValueError("ttl and lock_ttl must be positive")
        self.ttl = float(ttl)
        self.lock_ttl = float(lock_ttl)
        self.prefix = prefix
        self._redis = redis
        self._reserve = redis.register_script(_RESERVE_SCRIPT)
        self._complete = redis.register_script(_COMPLETE_SCRIPT)
        self._release = redis.register_script(_RELEASE_SCRIPT)
        # key -> (token, local expiry): the reservations this instance holds.
        self._tokens: dict[str, tuple[str, float]] = {}

    def _keys(self, key: str) -> tuple[str, str]:
        base = f"{self.prefix}{{{key}}}"
        return f"{base}:result", f"{base}:lock"

    async def reserve(self, key: str) -> SendResult | None:
        """The stored result for ``key``, or None once the key is reserved for the caller.

        Raises :class:`SendInProgress` while another sender holds the reservation.

        Example::

            if (stored := await store.reserve("k")) is None: ...  # ours to send
        """
        result_key, lock_key = self._keys(key)
        token = uuid.uuid4().hex
        reply: Any = await self._reserve(
            keys=[result_key, lock_key], args=[token, _ms(self.lock_ttl)]
        )
        state = int(reply[0])
        if state == 1:
            stored = _decode_result(reply[1])
            if stored is not None:
                return stored
            # An unreadable value under our prefix: drop it and reserve afresh.
            log.warning("discarding an unreadable stored result for key %.16s…", key)
            await self._redis.delete(result_key)
            return await self.reserve(key)
        if state == 2:
            raise SendInProgress(f"a send with idempotency key {key[:16]}… is in progress")
        self._remember(key, token)
        return None

    async def complete(self, key: str, result: SendResult) -> None:
        """Store ``result`` under ``key`` for ``ttl`` seconds and end our reservation.

        Example::

            await store.complete("k", result)
        """
        result_key, lock_key = self._keys(key)
        token = self._forget(key)
        await self._complete(
            keys=[result_key, lock_key],
            args=[_result_encoder.encode(result), _ms(self.ttl), token],
        )

    async def release(self, key: str) -> None:
        """Drop our reservation of ``key`` (someone else's stays).

        Example::

            await store.release("k")
        """
        _, lock_key = self._keys(key)
        token = self._forget(key)
        if token:
            await self._release(keys=[lock_key], args=[token])

    async def get(self, key: str) -> SendResult | None:
        """The stored result for ``key`` without reserving anything.

        Example::

            done = await store.get("order-1234-shipped")
        """
        result_key, _ = self._keys(key)
        raw: Any = await self._redis.get(result_key)
        return None if raw is None else _decode_result(raw)

    async def held_for(self, key: str) -> float:
        """Seconds left on the reservation of ``key`` (0 when nobody holds it).

        Example::

            await asyncio.sleep(await store.held_for("k"))
        """
        _, lock_key = self._keys(key)
        remaining: Any = await self._redis.pttl(lock_key)
        return max(0, int(remaining)) / 1000.0

    def _remember(self, key: str, token: str) -> None:
        now = time.monotonic()
        if len(self._tokens) >= 4096:
            # Reservations kept on an ambiguous failure are never completed: forget those
            # Redis has expired anyway.
            for stale in [k for k, (_, until) in self._tokens.items() if until < now]:
                del self._tokens[stale]
        self._tokens[key] = (token, now + self.lock_ttl)

    def _forget(self, key: str) -> str:
        held = self._tokens.pop(key, None)
        return held[0] if held is not None else ""

    def __repr__(self) -> str:
        return (
            f"RedisIdempotencyStore(ttl={self.ttl:g}, lock_ttl={self.lock_ttl:g}, "
            f"prefix={self.prefix!r})"
        )


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _decode_result(raw: Any) -> SendResult | None:
    try:
        return _result_decoder.decode(raw)
    except (msgspec.DecodeError, TypeError):
        return None
