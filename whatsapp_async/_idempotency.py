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
    """An in-process :class:`IdempotencyStore` with a time-to-live per key.

    Example::

        store = MemoryIdempotencyStore(ttl=3600, lock_ttl=60)
    """

    def __init__(self, ttl: float = 24 * 3600.0, lock_ttl: float = 300.0) -> None:
        self.ttl = ttl
        self.lock_ttl = lock_ttl
        self._results: dict[str, tuple[float, SendResult]] = {}
        self._locks: dict[str, float] = {}

    async def reserve(self, key: str) -> SendResult | None:
        now = time.monotonic()
        stored = self._results.get(key)
        if stored is not None:
            if stored[0] > now:
                return stored[1]
            del self._results[key]
        lock = self._locks.get(key)
        if lock is not None and lock > now:
            raise SendInProgress(f"a send with idempotency key {key[:16]}… is in progress")
        self._locks[key] = now + self.lock_ttl
        return None

    async def complete(self, key: str, result: SendResult) -> None:
        self._locks.pop(key, None)
        self._results[key] = (time.monotonic() + self.ttl, result)

    async def release(self, key: str) -> None:
        self._locks.pop(key, None)


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
