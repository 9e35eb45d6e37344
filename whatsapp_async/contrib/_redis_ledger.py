"""The delivery ledger in Redis: one ledger for the process that receives webhooks and the senders.

Keys, under ``prefix``, each with a TTL (``docs/scaling-out.md`` lists them): ``entry:<id>``
(msgspec JSON), ``alias:<wamid or correlation id>`` (the entry's id), ``window:<key>``,
``horizon:<provider>:<sender>``.

Every write is a read-modify-write done optimistically: the entry (or window) is read, the
rule of :class:`~whatsapp_async.ledger.Ledger` (``merge_send``, ``merge_status``, the window's
``change``: Python) is applied, and one Lua script commits the result only if every key that
was read still holds what was read, raising the horizon and publishing the change in the same
step; otherwise the write starts again (a bounded number of times). A WATCH/MULTI transaction
would do the same with a connection held across the awaits and reset afterwards, which hangs
on a stopped Redis; the script needs neither.

``wait`` is woken through pub/sub: every committed entry write publishes its ids (the id and
its aliases) on ``<prefix>changed``; each ledger instance keeps one subscription, started by
its first ``wait``, that wakes the local waiters of those ids, which then read the entry again.

Example::

    ledger = RedisLedger(redis, ttl=3 * 24 * 3600)
    await ledger.get("wamid.HBgL...")
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar, Union

import msgspec
from redis.asyncio import Redis

from .._ledger_base import Ledger, LedgerEntry
from .._windows import CSW_SECONDS, FEP_SECONDS, WindowRecord
from ..errors import StoreUnavailable
from ..events import StatusUpdate
from ._redis_guard import DEFAULT_TIMEOUT, bounded, check_timeout, unavailable

__all__ = ["DEFAULT_LEDGER_PREFIX", "RedisLedger"]

log = logging.getLogger("whatsapp_async.contrib.redis")

T = TypeVar("T")
S = TypeVar("S")

DEFAULT_LEDGER_PREFIX = "whatsapp_async:ledger:"

# The optimistic commit. KEYS: the keys read (checks), then the keys to write, then the
# horizon key when there is one. ARGV[1]: number of checks; ARGV[2]: number of writes;
# ARGV[3]: the TTL of the writes (ms); ARGV[4]: the channel to publish on ('' for none);
# ARGV[5]: the message; ARGV[6]: the horizon to raise to ('' for none); then one ARGV per
# check ('' : the key was absent; '=' .. value: it held value) and one per write (the value).
# Returns 1 once written, 0 (nothing written) when a key read has changed since.
_COMMIT_SCRIPT = """
local checks, writes, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
for i = 1, checks do
  local want = ARGV[6 + i]
  local have = redis.call('GET', KEYS[i])
  if want == '' then
    if have then return 0 end
  elseif have ~= string.sub(want, 2) then
    return 0
  end
end
for i = 1, writes do
  redis.call('SET', KEYS[checks + i], ARGV[6 + checks + i], 'PX', ttl)
end
if ARGV[6] ~= '' then
  local key = KEYS[checks + writes + 1]
  local current = tonumber(redis.call('GET', key))
  if current == nil or tonumber(ARGV[6]) > current then
    redis.call('SET', key, ARGV[6], 'PX', ttl)
  end
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1
"""

_MAX_ATTEMPTS = 64
"""Commits tried per write before giving up (``StoreUnavailable``): each conflict means another
writer committed. After a conflict a write waits a random moment (up to 1 ms, doubling to
32 ms) so that writers that collided do not collide again in step."""
_WINDOW_TTL = CSW_SECONDS + FEP_SECONDS
_RESUBSCRIBE_FIRST = 0.05
_RESUBSCRIBE_MAX = 1.0

_encoder = msgspec.json.Encoder()
_entry_decoder = msgspec.json.Decoder(LedgerEntry)
_window_decoder = msgspec.json.Decoder(WindowRecord)
_ids_decoder = msgspec.json.Decoder(list[str])

_Reads = dict[str, Union[bytes, None]]
"""What one attempt read: key -> the raw value (None: absent), checked again at commit."""
_Writes = list[tuple[str, Union[bytes, str]]]
_Attempt = Callable[[], Awaitable[tuple[bool, T]]]
"""One try of a write: ``(True, result)`` once committed, ``(False, _)`` on a conflict."""


def _decoded(decoder: msgspec.json.Decoder[S], raw: bytes | None) -> S | None:
    if raw is None:
        return None
    try:
        return decoder.decode(raw)
    except msgspec.DecodeError:  # not ours (another writer of the prefix?): overwritten next
        log.warning("RedisLedger: ignoring an unreadable value (%d bytes)", len(raw))
        return None


def _raw(value: Any) -> bytes | None:
    """A GET reply as bytes (a client built with ``decode_responses=True`` answers str)."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode()


class _Subscription:
    """One pub/sub connection of a ledger, confirmed (``ready``) or not yet, and its reader."""

    __slots__ = ("loop", "pubsub", "ready", "task")

    def __init__(self, ledger: RedisLedger, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pubsub: Any = ledger._redis.pubsub()
        self.ready: asyncio.Future[None] = loop.create_future()
        self.task = loop.create_task(ledger._listen(self))


class RedisLedger(Ledger):
    """A :class:`~whatsapp_async.ledger.Ledger` in Redis, shared by every process using it.

    The process that receives webhooks records the statuses; the processes that send record
    their sends and wait: ``wa.wait_for_status`` in one process ends on a webhook another
    process received. Entries and aliases live ``ttl`` seconds (default 7 days: Meta redelivers
    webhooks for up to 7 days) after they were last written, windows 96 h after their last
    change. Writes follow the rules of :class:`~whatsapp_async.ledger.Ledger` exactly and are
    atomic across processes; waits are woken through pub/sub (see the module docs).
    ``clock_skew`` (5 s): how far the sharing machines' clocks may disagree (resend evidence).

    Each call is bounded by ``timeout`` seconds (a ``wait`` by its own timeout, each of its
    Redis calls by ``timeout``) and a Redis error or timeout raises
    :class:`~whatsapp_async.StoreUnavailable`, without a credential in its message. The client
    never fails an accepted send because the ledger could not record it (it logs a warning);
    ``wa.receive_webhook`` raises it, so a webhook route answers 503 and the provider delivers
    again. The caller owns ``redis``; :meth:`aclose` ends the ledger's subscription.

    Example::

        from redis.asyncio import Redis

        redis = Redis.from_url("redis://127.0.0.1:6379/0")
        ledger = RedisLedger(redis, ttl=3 * 24 * 3600, timeout=0.5)
        async with WhatsApp("meta", token=..., phone_number_id=..., ledger=ledger) as wa:
            result = await wa.send("+16505551234", Text("Your code is 123456"))
            await wa.wait_for_status(result, "delivered", timeout=60)
        await ledger.aclose()
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = DEFAULT_LEDGER_PREFIX,
        ttl: float = 7 * 24 * 3600.0,
        timeout: float = DEFAULT_TIMEOUT,
        clock_skew: float = 5.0,
    ) -> None:
        if not ttl > 0 or math.isinf(ttl):
            raise ValueError("ttl must be a positive, finite number of seconds")
        if not 0 <= clock_skew < math.inf:
            raise ValueError("clock_skew must be a finite number of seconds, 0 or more")
        self.clock_skew = float(clock_skew)
        self.prefix = prefix
        self.ttl = float(ttl)
        self.timeout = check_timeout(timeout)
        self.channel = prefix + "changed"
        self._redis = redis
        self._commit_script = redis.register_script(_COMMIT_SCRIPT)
        self._ttl_ms = max(1, int(self.ttl * 1000))
        self._window_ttl_ms = int(_WINDOW_TTL * 1000)
        self._waiters: dict[str, set[asyncio.Future[None]]] = {}
        self._subscription: _Subscription | None = None
        self._generation = 0  # aclose() starts a new one: waits of the old one stop listening

    def __repr__(self) -> str:
        return (
            f"RedisLedger(prefix={self.prefix!r}, ttl={self.ttl:g}, timeout={self.timeout:g}, "
            f"waiters={sum(len(w) for w in self._waiters.values())})"
        )

    # -- keys and values -------------------------------------------------------------------------
    def _entry_key(self, message_id: str) -> str:
        return f"{self.prefix}entry:{message_id}"

    def _alias_key(self, alias: str) -> str:
        return f"{self.prefix}alias:{alias}"

    def _window_key(self, key: str) -> str:
        return f"{self.prefix}window:{key}"

    def _horizon_key(self, provider: str, sender: str | None) -> str:
        return f"{self.prefix}horizon:{provider}:{sender or ''}"

    async def _call(self, operation: str, work: Awaitable[T]) -> T:
        what = f"RedisLedger.{operation}"
        return await bounded(
            self._redis, work, timeout=self.timeout, what=what, operation=operation
        )

    async def _write(self, operation: str, attempt: _Attempt[T]) -> T:
        return await self._call(operation, self._attempts(operation, attempt))

    async def _attempts(self, operation: str, attempt: _Attempt[T]) -> T:
        """``attempt()`` (read, apply the rule, commit) until it commits: ``(True, result)``."""
        for n in range(_MAX_ATTEMPTS):
            if n:
                await asyncio.sleep(random.random() * min(0.032, 0.001 * 2 ** (n - 1)))
            committed, result = await attempt()
            if committed:
                return result
        raise StoreUnavailable(
            f"RedisLedger.{operation}: gave up after {_MAX_ATTEMPTS} conflicting writes",
            operation=operation,
        )

    # -- reads and the commit ------------------------------------------------------------------
    async def _find(self, message_id: str, reads: _Reads) -> LedgerEntry | None:
        """The entry by id, else by alias (as ``MemoryLedger`` looks it up); ``reads`` noted."""
        entry_key, alias_key = self._entry_key(message_id), self._alias_key(message_id)
        found: Any = await self._redis.mget(entry_key, alias_key)
        raw, alias = _raw(found[0]), _raw(found[1])
        reads.setdefault(entry_key, raw)
        entry = _decoded(_entry_decoder, raw)
        if entry is not None:
            return entry
        reads.setdefault(alias_key, alias)
        if alias is None:
            return None
        canonical_key = self._entry_key(alias.decode())
        raw = _raw(await self._redis.get(canonical_key))
        reads.setdefault(canonical_key, raw)
        return _decoded(_entry_decoder, raw)

    async def _commit(
        self,
        reads: _Reads,
        writes: _Writes,
        ttl_ms: int,
        horizon: tuple[str, float] | None = None,
        publish: bytes = b"",
    ) -> bool:
        """Write ``writes`` if every key of ``reads`` still holds what was read; raise the
        horizon (``(key, started_at)``) and publish, in the same step."""
        keys = [*reads, *(key for key, _ in writes), *(horizon[:1] if horizon else ())]
        level = repr(horizon[1]) if horizon else ""
        args: list[Any] = [len(reads), len(writes), ttl_ms, publish and self.channel, publish]
        args += [level, *(b"" if raw is None else b"=" + raw for raw in reads.values())]
        args += [value for _, value in writes]
        return bool(int(await self._commit_script(keys=keys, args=args)))

    async def _store(self, reads: _Reads, entry: LedgerEntry) -> bool:
        """Commit ``entry`` (its aliases, the horizon, the notification); False on a conflict."""
        ids = (entry.id, *entry.aliases())
        writes: _Writes = [(self._entry_key(entry.id), _encoder.encode(entry))]
        writes += [(self._alias_key(alias), entry.id) for alias in ids[1:]]
        horizon = None
        if entry.updates and entry.started_at is not None:
            horizon = (self._horizon_key(entry.provider, entry.sender), entry.started_at)
        stored = await self._commit(reads, writes, self._ttl_ms, horizon, _encoder.encode(ids))
        if stored:
            self._wake(ids)  # this process's waiters need not wait for the round trip
        return stored

    # -- Ledger: messages ------------------------------------------------------------------------
    async def record_send(self, entry: LedgerEntry) -> None:
        """Record a sent message (see :meth:`Ledger.record_send`)."""

        async def attempt() -> tuple[bool, None]:
            reads: _Reads = {}
            existing = await self._find(entry.id, reads)
            merged = entry if existing is None else self.merge_send(existing, entry)
            return await self._store(reads, merged), None

        await self._write("record_send", attempt)

    async def record_status(self, update: StatusUpdate, *, sender: str | None) -> LedgerEntry:
        """Apply a status update (see :meth:`Ledger.record_status`)."""

        async def attempt() -> tuple[bool, LedgerEntry]:
            reads: _Reads = {}
            existing = await self._find(update.message_id, reads)
            if existing is None and update.correlation_id:
                existing = await self._find(update.correlation_id, reads)
                if existing is not None and existing.id != update.message_id:
                    existing = None  # a resend under the same correlation id: its own entry
            merged = self.merge_status(existing, update, sender=sender)
            if merged is None:
                assert existing is not None
                return True, existing  # a redelivery: nothing to write
            return await self._store(reads, merged), merged

        return await self._write("record_status", attempt)

    async def get(self, message_id: str) -> LedgerEntry | None:
        """The entry by id, wamid or correlation id (see :meth:`Ledger.get`)."""
        return await self._call("get", self._find(message_id, {}))

    async def link(self, old: LedgerEntry, new: LedgerEntry) -> None:
        """Link a message to its replacement (see :meth:`Ledger.link`)."""
        replaced_by, replaces = f"{new.provider}:{new.id}", f"{old.provider}:{old.id}"

        async def both() -> None:
            await self._attempts("link", self._replacing(old, {"replaced_by": replaced_by}))
            await self._attempts("link", self._replacing(new, {"replaces": replaces}))

        await self._call("link", both())

    def _replacing(self, entry: LedgerEntry, fields: dict[str, str]) -> _Attempt[None]:
        async def attempt() -> tuple[bool, None]:
            reads: _Reads = {}
            current = await self._find(entry.id, reads) or entry
            return await self._store(reads, msgspec.structs.replace(current, **fields)), None

        return attempt

    async def status_horizon(self, provider: str, sender: str | None) -> float:
        """See :meth:`Ledger.status_horizon`."""
        raw: Any = await self._call(
            "status_horizon", self._redis.get(self._horizon_key(provider, sender))
        )
        return float(raw) if raw is not None else 0.0

    # -- Ledger: windows -------------------------------------------------------------------------
    async def get_window(self, key: str) -> WindowRecord | None:
        """See :meth:`Ledger.get_window`."""
        raw = _raw(await self._call("get_window", self._redis.get(self._window_key(key))))
        return _decoded(_window_decoder, raw)

    async def update_window(self, key: str, change: Callable[[WindowRecord], WindowRecord]) -> None:
        """Apply ``change`` to the record of ``key`` atomically (see :meth:`Ledger.update_window`).

        ``change`` may run more than once (again after a concurrent writer's commit): it must
        be a pure function of the record, as the ``apply_*`` functions are.
        """
        redis_key = self._window_key(key)

        async def attempt() -> tuple[bool, None]:
            raw = _raw(await self._redis.get(redis_key))
            current = _decoded(_window_decoder, raw) or WindowRecord()
            updated = change(current)
            if updated is current:
                return True, None  # unchanged (and an empty record is never stored)
            writes: _Writes = [(redis_key, _encoder.encode(updated))]
            return await self._commit({redis_key: raw}, writes, self._window_ttl_ms), None

        await self._write("update_window", attempt)

    # -- waits -----------------------------------------------------------------------------------
    async def wait(
        self, message_id: str, done: Callable[[LedgerEntry], bool], *, timeout: float
    ) -> LedgerEntry:
        """Wait until ``done(entry)``, also for writes of other processes (see :meth:`Ledger.wait`).

        Raises ``TimeoutError`` after ``timeout`` seconds, and ``StoreUnavailable`` when Redis
        cannot answer as the wait starts. A subscription lost during the wait is taken up
        again; while Redis stays away the wait ends at its timeout.
        """
        if timeout <= 0:
            entry = await self.get(message_id)
            if entry is not None and done(entry):
                return entry
            raise asyncio.TimeoutError
        return await asyncio.wait_for(self._wait(message_id, done), timeout)

    async def _wait(self, message_id: str, done: Callable[[LedgerEntry], bool]) -> LedgerEntry:
        loop = asyncio.get_running_loop()
        generation = self._generation
        pause, first = _RESUBSCRIBE_FIRST, True
        while True:
            # Registered before subscribing, subscribed before reading: a change after the
            # read wakes this future, a change before it is in what is read.
            woken: asyncio.Future[None] = loop.create_future()
            self._waiters.setdefault(message_id, set()).add(woken)
            try:
                listening = generation == self._generation
                try:
                    if listening:
                        await self._subscribed()
                    entry = await self.get(message_id)
                except StoreUnavailable:
                    if first:
                        raise
                    await asyncio.sleep(pause)  # Redis went away during the wait: try again
                    pause = min(2 * pause, _RESUBSCRIBE_MAX)
                    continue
                first, pause = False, _RESUBSCRIBE_FIRST
                if entry is not None and done(entry):
                    return entry
                # After aclose() only this process's own writes (or a new subscription) wake it.
                await woken
            finally:
                waiting = self._waiters.get(message_id)
                if waiting is not None:
                    waiting.discard(woken)
                    if not waiting:
                        del self._waiters[message_id]

    def _wake(self, ids: Iterable[str]) -> None:
        for key in ids:
            for future in self._waiters.get(key, ()):
                if not future.done():
                    future.set_result(None)

    def _wake_all(self) -> None:
        self._wake(list(self._waiters))

    async def _subscribed(self) -> None:
        """Make sure this ledger's subscription is confirmed (started on first use)."""
        loop = asyncio.get_running_loop()
        subscription = self._subscription
        if subscription is None or subscription.task.done() or subscription.loop is not loop:
            subscription = self._subscription = _Subscription(self, loop)
        if subscription.ready.done():
            subscription.ready.result()  # raises what ended it before it was confirmed
            return
        try:
            await self._call("wait", asyncio.shield(subscription.ready))
        except StoreUnavailable:
            if self._subscription is subscription:
                self._subscription = None
                subscription.task.cancel()
            raise

    async def _listen(self, subscription: _Subscription) -> None:
        """Read the subscription until it fails or is cancelled; wake waiters of each change."""
        pubsub, ready = subscription.pubsub, subscription.ready
        try:
            await pubsub.subscribe(self.channel)
            while True:
                message = await pubsub.get_message(timeout=None)
                if not message:
                    continue
                kind = message.get("type")
                if kind == "message":
                    self._dispatch(message.get("data"))
                elif kind == "subscribe":
                    if not ready.done():
                        ready.set_result(None)
                    else:
                        # Subscribed again after a reconnect (a client with retries): changes
                        # in between were not heard, so every waiter reads again.
                        self._wake_all()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = unavailable(
                self._redis, exc, timeout=self.timeout, what="RedisLedger.wait", operation="wait"
            )
            error.__cause__ = exc
            if not ready.done():
                ready.set_exception(error)
            else:
                log.warning("RedisLedger: lost its subscription (%s); waits subscribe again", error)
        finally:
            if not ready.done():
                ended = "RedisLedger.wait: the subscription ended before it was confirmed"
                ready.set_exception(StoreUnavailable(ended, operation="wait"))
            ready.exception()  # retrieved here: no "never retrieved" warning when none waits
            if self._subscription is subscription:
                self._subscription = None
            self._wake_all()  # they subscribe again (or, after aclose, stop listening)
            try:
                await asyncio.wait_for(pubsub.aclose(), self.timeout)
            except Exception as exc:  # a connection that cannot even close: dropped anyway
                log.debug("RedisLedger: closing the subscription failed: %r", exc)

    def _dispatch(self, data: Any) -> None:
        try:
            ids = _ids_decoder.decode(data)
        except (msgspec.DecodeError, TypeError):
            return  # not a message of ours
        self._wake(ids)

    async def aclose(self) -> None:
        """End the subscription and its connection (the Redis client stays the caller's).

        Waits still running stop listening and end at their timeout; a later ``wait``
        subscribes again. Idempotent.
        """
        self._generation += 1
        subscription, self._subscription = self._subscription, None
        if subscription is None:
            return
        subscription.task.cancel()
        if subscription.loop is asyncio.get_running_loop():
            await asyncio.wait({subscription.task}, timeout=2 * self.timeout)
        self._wake_all()
