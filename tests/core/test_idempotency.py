"""The idempotency store: a logical send is sent once, whatever is re-run."""

from __future__ import annotations

import asyncio

import pytest

from whatsapp_async import (
    MemoryIdempotencyStore,
    RetryPolicy,
    SendInProgress,
    SendResult,
    ServerError,
    Text,
)
from whatsapp_async.testing import Sandbox

PHONE = "+14155552671"


async def test_same_key_sends_once(sb: Sandbox) -> None:
    wa = sb.client("toy", idempotency_store=MemoryIdempotencyStore())
    first = await wa.send(PHONE, Text("x"), idempotency_key="order-1")
    again = await wa.send(PHONE, Text("x"), idempotency_key="order-1")
    assert again.id == first.id and again.idempotent_replayed and not first.idempotent_replayed
    assert len(sb.requests("toy")) == 1


async def test_fingerprint_key_dedupes_identical_sends_only(sb: Sandbox) -> None:
    wa = sb.client("toy", idempotency_store=MemoryIdempotencyStore())
    await wa.send(PHONE, Text("x"))
    await wa.send("+1 415 555 2671", Text("x"))  # same logical send
    await wa.send(PHONE, Text("y"))
    await wa.send(PHONE, Text("x"), metadata={"a": 1})
    assert len(sb.requests("toy")) == 3


async def test_failed_send_frees_the_key(sb: Sandbox) -> None:
    wa = sb.client("toy", idempotency_store=MemoryIdempotencyStore(), max_retries=0)
    sb.fail_next("toy", status=500)
    with pytest.raises(ServerError):
        await wa.send(PHONE, Text("x"), idempotency_key="k")
    assert isinstance(await wa.send(PHONE, Text("x"), idempotency_key="k"), SendResult)
    assert len(sb.requests("toy")) == 2


async def test_ambiguous_failure_keeps_the_key_reserved(sb: Sandbox) -> None:
    store = MemoryIdempotencyStore(lock_ttl=60)
    wa = sb.client("toy", idempotency_store=store, retry=RetryPolicy(max_retries=0))
    sb.fail_next("toy", drop=True)
    with pytest.raises(Exception, match="connection failed"):
        await wa.send(PHONE, Text("x"), idempotency_key="k")
    with pytest.raises(SendInProgress):
        await wa.send(PHONE, Text("x"), idempotency_key="k")
    assert len(sb.requests("toy")) == 1


async def test_bulk_rerun_sends_only_what_is_missing(sb: Sandbox) -> None:
    store = MemoryIdempotencyStore()
    wa = sb.client("toy", idempotency_store=store, max_retries=0)
    items = [(f"+1415555{i:04d}", Text("promo")) for i in range(200, 260)]
    sb.simulator("toy").fail_randomly(0.3, seed=3, status=503)
    first = await wa.send_many(items, concurrency=8)
    sb.simulator("toy").fail_randomly(0)
    second = await wa.send_many(items, concurrency=8)
    assert second.sent == 60
    assert len(sb.simulator("toy").accepted) == 60  # type: ignore[attr-defined]
    assert first.failed > 0


async def test_cancelled_mid_request_keeps_the_key_reserved(sb: Sandbox) -> None:
    store = MemoryIdempotencyStore(lock_ttl=60)
    wa = sb.client("toy", idempotency_store=store)
    sb.fail_next("toy", delay=5)
    task = asyncio.ensure_future(wa.send(PHONE, Text("x"), idempotency_key="k"))
    for _ in range(100):
        if sb.requests("toy"):
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(SendInProgress):
        await wa.send(PHONE, Text("x"), idempotency_key="k")


async def test_cancelled_before_any_request_frees_the_key(sb: Sandbox) -> None:
    store = MemoryIdempotencyStore(lock_ttl=60)

    class Blocking:
        async def acquire(self, key: str) -> None:
            await asyncio.sleep(5)

    slow = sb.client("toy", idempotency_store=store, rate_limit=Blocking())
    task = asyncio.ensure_future(slow.send(PHONE, Text("x"), idempotency_key="k"))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    fast = sb.client("toy", idempotency_store=store)
    assert (await fast.send(PHONE, Text("x"), idempotency_key="k")).status == "accepted"
