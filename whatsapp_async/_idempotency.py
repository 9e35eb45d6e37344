"""Idempotency stores: a logical send whose key already has a result is not sent again.

With ``WhatsApp(..., idempotency_store=store)`` every send has a key — the
caller's ``idempotency_key``, or a fingerprint of (provider, sender, recipient,
message, options) — and the client asks the store first:

- a key with a stored result returns that result, with no request;
- a key another sender is working on raises :class:`SendInProgress` (nothing is
  sent twice; try again later);
- otherwise the key is reserved, the message sent, and the result stored (or
  the reservation released when the send fails, so it can be retried).

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
import time
from typing import Any, Protocol, runtime_checkable

import msgspec

from .errors import WhatsAppError
from .results import SendResult

__all__ = [
    "IdempotencyStore",
    "MemoryIdempotencyStore",
    "SendInProgress",
    "fingerprint",
]

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
