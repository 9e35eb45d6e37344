"""Rate limits, idempotency and the delivery ledger shared by every process using one Redis.

:class:`RedisRateLimiter` is the GCRA scheduler of ``whatsapp_async.TokenBucket`` kept in
Redis: one Lua script reads the key's theoretical arrival time (TAT), reserves the next
slot and returns how long the caller must wait, all atomically and on the Redis server's
clock (``TIME``), so processes on machines whose clocks disagree still share one rate.

:class:`RedisAdaptiveLimiter` is the adaptive limiter (``WhatsApp``'s default for Meta) with its
learned rate in Redis: every worker sending for one sender converges on the same rate.

:class:`RedisIdempotencyStore` keeps each logical send's result under its idempotency
key, with a short-lived reservation (``SET NX`` with a TTL and a random token) while the
send is in flight; only the holder of the token can clear the reservation.

:class:`RedisLedger` is the delivery ledger (``whatsapp_async.ledger``) in Redis: the process
that receives the webhooks records the statuses, and ``wa.wait_for_status``, ``wa.window`` and
``wa.resolve_in_doubt`` in every process see them (waits are woken through pub/sub).

:class:`RedisAliasStore` and :class:`RedisSuppressionList` share what a webhook receiver learns
(phone ↔ user id pairs, opt-outs) with senders in other processes.

Each takes a ``redis.asyncio.Redis`` client (an ``arq`` pool is one) and needs Redis 5+.

Every Redis call each class makes is bounded by ``timeout`` (1 s by default), and any Redis
error or timeout becomes :class:`~whatsapp_async.StoreUnavailable` (the Redis error chained,
no credential in the message). Nothing is sent when the store cannot reserve a key or the
limiter cannot schedule an attempt (the limiter fails closed); a result that cannot be recorded
after the provider accepted the message is still returned, and so is a send the ledger could
not record (``docs/scaling-out.md``, "When Redis is unavailable").

Example::

    from redis.asyncio import Redis

    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    wa = WhatsApp(
        "meta", token=..., phone_number_id=...,
        rate_limit=RedisRateLimiter(redis, rate=80),
        pair_spacing=RedisRateLimiter.pair_spacing(redis, seconds=6),
        idempotency_store=RedisIdempotencyStore(redis),
        ledger=RedisLedger(redis),
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
from ..errors import StoreUnavailable
from ..results import SendResult
from ._redis_adaptive import RedisAdaptiveLimiter
from ._redis_guard import DEFAULT_TIMEOUT, bounded, check_timeout
from ._redis_ledger import RedisLedger
from ._redis_users import RedisAliasStore, RedisSuppressionList

__all__ = [
    "RedisAdaptiveLimiter",
    "RedisAliasStore",
    "RedisIdempotencyStore",
    "RedisLedger",
    "RedisRateLimiter",
    "RedisSuppressionList",
]

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
# {0} once reserved for the caller, {2} when someone else holds the reservation. A lock that
# already holds the caller's token is the caller's: a reserve of ours that timed out after
# Redis had run it, or a release that failed; nothing was sent under it (see _orphans).
_RESERVE_SCRIPT = """
local stored = redis.call('GET', KEYS[1])
if stored then return {1, stored} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return {0}
end
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

    Each call to Redis is bounded by ``timeout`` seconds. When Redis fails or does not
    answer in time the limiter fails closed: ``acquire`` raises
    :class:`~whatsapp_async.StoreUnavailable` and the attempt is not sent, since N
    processes each falling back to a rate of their own would send N times the shared rate.

    Example::

        limiter = RedisRateLimiter(redis, rate=50, burst=1, prefix="myapp:rate:", timeout=0.5)
        await limiter.acquire("pilot:default")
    """

    def __init__(
        self,
        redis: Redis,
        *,
        rate: float,
        burst: int | None = None,
        prefix: str = DEFAULT_RATE_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not rate > 0 or math.isinf(rate):
            raise ValueError("rate must be a positive, finite number")
        self.rate = float(rate)
        self.burst = max(1, int(burst if burst is not None else max(1, round(rate))))
        self.prefix = prefix
        self.timeout = check_timeout(timeout)
        self._redis = redis
        self._interval_us = _MICROS / self.rate
        self._tolerance_us = (self.burst - 1) * self._interval_us
        self._script = redis.register_script(_GCRA_SCRIPT)

    @classmethod
    def pair_spacing(
        cls,
        redis: Redis,
        seconds: float = 6.0,
        *,
        prefix: str = DEFAULT_PAIR_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> RedisRateLimiter:
        """A limiter allowing one message per ``seconds`` per key (Meta's pair limit is 6 s).

        Example::

            WhatsApp("meta", ..., pair_spacing=RedisRateLimiter.pair_spacing(redis))
        """
        if not seconds > 0:
            raise ValueError("seconds must be positive")
        return cls(redis, rate=1.0 / seconds, burst=1, prefix=prefix, timeout=timeout)

    async def reserve(self, key: str) -> float:
        """Reserve the next slot for ``key``; the seconds to wait for it (0: go now).

        Raises :class:`~whatsapp_async.StoreUnavailable` when Redis fails or does not answer
        within ``timeout`` (the slot may or may not have been taken).

        Example::

            wait = await limiter.reserve("meta:123")  # the slot is taken either way
        """
        waited_us: Any = await bounded(
            self._redis,
            self._script(
                keys=[self.prefix + key],
                args=[f"{self._interval_us:.3f}", f"{self._tolerance_us:.3f}"],
            ),
            timeout=self.timeout,
            what="RedisRateLimiter",
            operation="rate limit",
        )
        return max(0, int(waited_us)) / _MICROS

    async def acquire(self, key: str) -> None:
        """Wait until ``key`` may send one more message (``StoreUnavailable``: Redis is down).

        Example::

            await limiter.acquire("meta:123")
        """
        wait = await self.reserve(key)
        if wait > 0:
            await asyncio.sleep(wait)

    def __repr__(self) -> str:
        return (
            f"RedisRateLimiter(rate={self.rate:g}, burst={self.burst}, prefix={self.prefix!r}, "
            f"timeout={self.timeout:g})"
        )


_result_encoder = msgspec.json.Encoder()
_result_decoder = msgspec.json.Decoder(SendResult)


class RedisIdempotencyStore:
    """An :class:`~whatsapp_async.IdempotencyStore` shared through Redis.

    Results are kept ``ttl`` seconds (msgspec JSON of :class:`SendResult`); a reservation
    lasts at most ``lock_ttl`` seconds, which must exceed the longest a send can take
    (timeouts times retries plus rate-limit waits): after it, another sender may take the
    key. Keys are ``<prefix>{<key>}:result`` and ``<prefix>{<key>}:lock`` (one Redis
    Cluster slot per key).

    Each call to Redis is bounded by ``timeout`` seconds; a failure or a timeout raises
    :class:`~whatsapp_async.StoreUnavailable`. The client then sends nothing when
    ``reserve`` fails, and still returns the result when ``complete`` fails (the message
    was accepted; the failure is logged and the reservation, if Redis kept it, holds the key
    until ``lock_ttl``). A reservation this store took but could not confirm (a ``reserve``
    that timed out after Redis ran it, a ``release`` that failed) is taken back by its next
    ``reserve`` of that key, rather than blocking it for ``lock_ttl``.

    Example::

        store = RedisIdempotencyStore(redis, ttl=24 * 3600, lock_ttl=120, timeout=0.5)
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
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not ttl > 0 or not lock_ttl > 0:
            raise ValueError("ttl and lock_ttl must be positive")
        self.ttl = float(ttl)
        self.lock_ttl = float(lock_ttl)
        self.prefix = prefix
        self.timeout = check_timeout(timeout)
        self._redis = redis
        self._reserve = redis.register_script(_RESERVE_SCRIPT)
        self._complete = redis.register_script(_COMPLETE_SCRIPT)
        self._release = redis.register_script(_RELEASE_SCRIPT)
        # key -> (token, local expiry): the reservations this instance holds.
        self._tokens: dict[str, tuple[str, float]] = {}
        # The same, for reservations that may exist in Redis although the call that took or
        # cleared them failed: nothing was sent under them, so the next reserve of the key
        # here offers the same token and takes the reservation back (once: it is popped).
        self._orphans: dict[str, tuple[str, float]] = {}

    async def _call(self, operation: str, call: Any) -> Any:
        return await bounded(
            self._redis,
            call,
            timeout=self.timeout,
            what=f"RedisIdempotencyStore.{operation}",
            operation=operation,
        )

    def _keys(self, key: str) -> tuple[str, str]:
        base = f"{self.prefix}{{{key}}}"
        return f"{base}:result", f"{base}:lock"

    async def reserve(self, key: str) -> SendResult | None:
        """The stored result for ``key``, or None once the key is reserved for the caller.

        Raises :class:`SendInProgress` while another sender holds the reservation and
        :class:`~whatsapp_async.StoreUnavailable` when Redis fails or is too slow.

        Example::

            if (stored := await store.reserve("k")) is None: ...  # ours to send
        """
        result_key, lock_key = self._keys(key)
        token = self._forget(self._orphans, key) or uuid.uuid4().hex
        try:
            reply: Any = await self._call(
                "reserve",
                self._reserve(keys=[result_key, lock_key], args=[token, _ms(self.lock_ttl)]),
            )
        except StoreUnavailable:
            self._remember(self._orphans, key, token)  # Redis may have run it all the same
            raise
        state = int(reply[0])
        if state == 1:
            stored = _decode_result(reply[1])
            if stored is not None:
                return stored
            # An unreadable value under our prefix: drop it and reserve afresh.
            log.warning("discarding an unreadable stored result for key %.16s…", key)
            await self._call("reserve", self._redis.delete(result_key))
            return await self.reserve(key)
        if state == 2:
            raise SendInProgress(f"a send with idempotency key {key[:16]}… is in progress")
        self._remember(self._tokens, key, token)
        return None

    async def complete(self, key: str, result: SendResult) -> None:
        """Store ``result`` under ``key`` for ``ttl`` seconds and end our reservation.

        Raises :class:`~whatsapp_async.StoreUnavailable` when Redis fails or is too slow (the
        client logs it and returns the result all the same).

        Example::

            await store.complete("k", result)
        """
        result_key, lock_key = self._keys(key)
        # Never an orphan, even if this fails: the message was sent under this reservation.
        token = self._forget(self._tokens, key)
        await self._call(
            "complete",
            self._complete(
                keys=[result_key, lock_key],
                args=[_result_encoder.encode(result), _ms(self.ttl), token],
            ),
        )

    async def release(self, key: str) -> None:
        """Drop our reservation of ``key`` (someone else's stays).

        Example::

            await store.release("k")
        """
        _, lock_key = self._keys(key)
        token = self._forget(self._tokens, key)
        if token:
            try:
                await self._call("release", self._release(keys=[lock_key], args=[token]))
            except StoreUnavailable:
                self._remember(self._orphans, key, token)  # nothing was sent: ours to retake
                raise

    async def get(self, key: str) -> SendResult | None:
        """The stored result for ``key`` without reserving anything.

        Example::

            done = await store.get("order-1234-shipped")
        """
        result_key, _ = self._keys(key)
        raw: Any = await self._call("get", self._redis.get(result_key))
        return None if raw is None else _decode_result(raw)

    async def held_for(self, key: str) -> float:
        """Seconds left on the reservation of ``key`` (0 when nobody holds it).

        Example::

            await asyncio.sleep(await store.held_for("k"))
        """
        _, lock_key = self._keys(key)
        remaining: Any = await self._call("held_for", self._redis.pttl(lock_key))
        return max(0, int(remaining)) / 1000.0

    def _remember(self, table: dict[str, tuple[str, float]], key: str, token: str) -> None:
        now = time.monotonic()
        if len(table) >= 4096:
            # Reservations kept on an ambiguous failure are never completed (and orphans may
            # never be asked for again): forget those Redis has expired anyway.
            for stale in [k for k, (_, until) in table.items() if until < now]:
                del table[stale]
        table[key] = (token, now + self.lock_ttl)

    @staticmethod
    def _forget(table: dict[str, tuple[str, float]], key: str) -> str:
        held = table.pop(key, None)
        return held[0] if held is not None else ""

    def __repr__(self) -> str:
        return (
            f"RedisIdempotencyStore(ttl={self.ttl:g}, lock_ttl={self.lock_ttl:g}, "
            f"prefix={self.prefix!r}, timeout={self.timeout:g})"
        )


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _decode_result(raw: Any) -> SendResult | None:
    try:
        return _result_decoder.decode(raw)
    except (msgspec.DecodeError, TypeError):
        return None
