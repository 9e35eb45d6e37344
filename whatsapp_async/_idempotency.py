"""Idempotency stores: a logical send whose key already has a result is not sent again.

With ``WhatsApp(..., idempotency_store=store)`` every send has a key — the
caller's ``idempotency_key``, or a fingerprint of (provider, sender, recipient,
message, options) — and the client asks the store first:

- a key with a stored result returns that result, with no request;
- a key another sender is working on raises :class:`SendInProgress` (nothing is
  sent twice; try again later);
- otherwise the key is reserved, the message sent, and the result stored (or
  the reservation released when the send fails, so it can be retried).

A store that cannot answer never makes a send go out twice, nor an accepted send fail:
a failed ``reserve`` raises :class:`~whatsapp_async.StoreUnavailable` and nothing is sent;
a failed ``complete`` (the provider accepted the message) still returns the result and
logs a WARNING; a failed ``release`` is logged and the send's own error raised
(:func:`reserve_or_raise`, :func:`complete_or_log`, :func:`release_or_log`, which
``SendPipeline.deliver`` uses).

:class:`MemoryIdempotencyStore` serves one process; the Redis store in
``whatsapp_async.contrib.redis`` serves many.

Example::

    store = MemoryIdempotencyStore(ttl=24 * 3600)
    async with WhatsApp("meta", ..., idempotency_store=store) as wa:
        await wa.send(to, Text("once"), idempotency_key="order-1234-shipped")
        await wa.send(to, Text("once"), idempotency_key="order-1234-shipped")  # no request
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any, Protocol, runtime_checkable

import msgspec

from .errors import StoreUnavailable, WhatsAppError
from .results import SendResult

__all__ = [
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "SendInProgress",
    "complete_or_log",
    "fingerprint",
    "release_or_log",
    "reserve_or_raise",
]

log = logging.getLogger("whatsapp_async")

_encoder = msgspec.json.Encoder(order="deterministic")


class SendInProgress(WhatsAppError):
    """Another sender holds this idempotency key right now; nothing was sent.

    Example::

        try:
            await wa.send(to, message, idempotency_key="order-1234")
        except SendInProgress:
            await asyncio.sleep(1)  # then look again
    """


@runtime_checkable
class IdempotencyStore(Protocol):
    """Where results of logical sends are kept by key.

    ``reserve`` returns the stored result, or None after reserving the key;
    it raises :class:`SendInProgress` when the key is reserved by someone else.
    A store that cannot answer should raise :class:`~whatsapp_async.StoreUnavailable`
    (the client turns any other exception from ``reserve`` into one) and bound its own
    calls in time: the client waits for it.

    Example::

        result = await store.reserve("k")
        if result is None:
            result = await send()
            await store.complete("k", result)
    """

    async def reserve(self, key: str) -> SendResult | None:
        """The stored result for ``key``, or None once the key is reserved for the caller."""

    async def complete(self, key: str, result: SendResult) -> None:
        """Store ``result`` under ``key`` (ending the reservation)."""

    async def release(self, key: str) -> None:
        """Drop the caller's reservation of ``key`` without a result."""


def fingerprint(*parts: Any) -> str:
    """A stable key for a logical send, from its parts (msgspec-encodable values).

    Example::

        >>> len(fingerprint("meta", "+14155552671", {"type": "text"}))
        64
    """
    return hashlib.sha256(_encoder.encode(parts)).hexdigest()


class MemoryIdempotencyStore:
    """An in-process :class:`IdempotencyStore` with a time-to-live per key and a size bound.

    Results are kept ``ttl`` seconds, reservations at most ``lock_ttl`` seconds. Expired
    entries are dropped as the store is used (each call sweeps the oldest entries, O(1)
    amortised), so memory follows what is live, not how many sends there have been.

    At most ``max_entries`` keys (results and reservations together) are kept. Past the
    bound the oldest *results* are evicted first, before they expire (a repeat of an
    evicted key is sent again; a WARNING says so, once). A reservation is never evicted:
    dropping one would let a duplicate out while its send is in flight or in doubt. When
    reservations alone fill the store, ``reserve`` fails closed with
    :class:`~whatsapp_async.StoreUnavailable` (nothing is sent) until some of them
    complete, are released or expire.

    Example::

        store = MemoryIdempotencyStore(ttl=3600, lock_ttl=60, max_entries=50_000)
    """

    def __init__(
        self, ttl: float = 24 * 3600.0, lock_ttl: float = 300.0, max_entries: int = 100_000
    ) -> None:
        if not ttl > 0 or not lock_ttl > 0:
            raise ValueError("ttl and lock_ttl must be positive")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.ttl = ttl
        self.lock_ttl = lock_ttl
        self.max_entries = max_entries
        # Both in insertion order, which is expiry order while ttl and lock_ttl stay as they
        # are (every write moves its key to the end), so the expired entries are at the front.
        # (Were ttl changed on a live store, entries behind a longer-lived head would linger
        # until it expires: late, never wrong, since every read checks the expiry.)
        # OrderedDict rather than dict: a dict whose first item is popped again and again
        # rescans the deleted slots at its front on every look; OrderedDict's is O(1).
        self._results: OrderedDict[str, tuple[float, SendResult]] = OrderedDict()
        self._locks: OrderedDict[str, float] = OrderedDict()
        self._clock = time.monotonic  # replaced by a fake clock in tests
        self._warned_full = False

    def __len__(self) -> int:
        """How many keys the store holds now (results and reservations).

        Example::

            >>> len(MemoryIdempotencyStore())
            0
        """
        return len(self._results) + len(self._locks)

    async def reserve(self, key: str) -> SendResult | None:
        """The stored result for ``key``, or None once the key is reserved for the caller.

        Raises :class:`SendInProgress` while another send holds the key, and
        :class:`~whatsapp_async.StoreUnavailable` when reservations fill ``max_entries``.

        Example::

            if (stored := await store.reserve("k")) is None: ...  # ours to send
        """
        now = self._clock()
        self._sweep(now)
        stored = self._results.get(key)
        if stored is not None:
            if stored[0] > now:
                return stored[1]
            del self._results[key]
        lock = self._locks.get(key)
        if lock is not None:
            if lock > now:
                raise SendInProgress(f"a send with idempotency key {key[:16]}… is in progress")
            del self._locks[key]
        if len(self._locks) >= self.max_entries:
            raise StoreUnavailable(
                f"the in-memory idempotency store is full of reservations "
                f"(max_entries={self.max_entries}); nothing was sent",
                operation="reserve",
            )
        self._locks[key] = now + self.lock_ttl
        self._evict_results()
        return None

    async def complete(self, key: str, result: SendResult) -> None:
        """Store ``result`` under ``key`` for ``ttl`` seconds and end the reservation.

        Example::

            await store.complete("k", result)
        """
        now = self._clock()
        self._sweep(now)
        self._locks.pop(key, None)
        self._results.pop(key, None)  # re-inserted at the end: the order stays by expiry
        self._results[key] = (now + self.ttl, result)
        self._evict_results()

    async def release(self, key: str) -> None:
        """Drop the reservation of ``key`` without a result.

        Example::

            await store.release("k")
        """
        self._sweep(self._clock())
        self._locks.pop(key, None)

    def _sweep(self, now: float) -> None:
        # Each entry is swept at most once, so this is O(1) per call amortised.
        results, locks = self._results, self._locks
        while results:
            key = next(iter(results))
            if results[key][0] > now:
                break
            del results[key]
        while locks:
            key = next(iter(locks))
            if locks[key] > now:
                break
            del locks[key]

    def _evict_results(self) -> None:
        results = self._results
        while results and len(results) + len(self._locks) > self.max_entries:
            results.popitem(last=False)  # the oldest: the one closest to expiring anyway
            if not self._warned_full:
                self._warned_full = True
                log.warning(
                    "MemoryIdempotencyStore reached max_entries=%d: the oldest results are "
                    "evicted before their ttl, and a repeat of an evicted key is sent again "
                    "(raise max_entries or lower ttl)",
                    self.max_entries,
                )

    def __repr__(self) -> str:
        return (
            f"MemoryIdempotencyStore(ttl={self.ttl:g}, lock_ttl={self.lock_ttl:g}, "
            f"max_entries={self.max_entries})"
        )


async def reserve_or_raise(store: IdempotencyStore, key: str) -> SendResult | None:
    """``store.reserve(key)``; a store that fails to answer raises :class:`StoreUnavailable`.

    The store's own verdicts (``SendInProgress``, ``StoreUnavailable``: any
    ``WhatsAppError``) pass through. Any other exception means the store could not
    answer; nothing has been sent. Its message is left out (a custom store's errors may
    carry a connection string); it is chained instead.

    Example::

        stored = await reserve_or_raise(store, key)  # None: reserved, ours to send
    """
    try:
        return await store.reserve(key)
    except WhatsAppError:
        raise
    except Exception as exc:
        raise StoreUnavailable(
            f"the idempotency store failed to reserve key {key[:16]}… "
            f"({type(exc).__name__}); nothing was sent",
            operation="reserve",
        ) from exc


async def complete_or_log(store: IdempotencyStore, key: str, result: SendResult) -> None:
    """``store.complete(key, result)``; a failure is logged (WARNING), never raised.

    The provider has accepted the message: reporting the send as failed would invite the
    caller to send it again. The stored reservation, if the store still has it, keeps
    other senders off the key until it expires; after that a repeat may go out again.

    Example::

        await complete_or_log(store, key, result)  # then return the result, whatever happened
    """
    try:
        await store.complete(key, result)
    except Exception as exc:
        log.warning(
            "message %s was sent, but recording its result under idempotency key %.16s… "
            "failed (%s); the result is returned, and a repeat of the key may be sent again "
            "once the store's reservation lapses",
            result.id,
            key,
            _describe(exc),
            extra=_extra(key, exc, result.provider),
        )


async def release_or_log(store: IdempotencyStore, key: str) -> None:
    """``store.release(key)``; a failure is logged (WARNING) so the send's own error stands.

    The key stays reserved until the store's reservation expires: a retry before then
    gets :class:`SendInProgress` (never a duplicate).

    Example::

        try:
            result = await send()
        except BaseException:
            await release_or_log(store, key)  # logged if it fails: send()'s error is raised
            raise
    """
    try:
        await store.release(key)
    except Exception as exc:
        log.warning(
            "releasing idempotency key %.16s… after a failed send failed (%s); the key stays "
            "reserved until the store's reservation lapses",
            key,
            _describe(exc),
            extra=_extra(key, exc, None),
        )


def _describe(exc: BaseException) -> str:
    # The SDK's errors are written credential-free; anything else is named, not quoted.
    if isinstance(exc, WhatsAppError):
        return f"{type(exc).__name__}: {exc.message}"
    return type(exc).__name__


def _extra(key: str, exc: BaseException, provider: str | None) -> dict[str, Any]:
    return {
        "whatsapp_provider": provider,
        "whatsapp_idempotency_key": key[:16],
        "whatsapp_error": type(exc).__name__,
    }
