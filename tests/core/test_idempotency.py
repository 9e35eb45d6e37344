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
from whatsapp_async.testing import Fault, Sandbox

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
    sb.fail_next("toy", status=500, code="UNAVAILABLE")  # documented: not processed
    with pytest.raises(ServerError):
        await wa.send(PHONE, Text("x"), idempotency_key="k")
    assert isinstance(await wa.send(PHONE, Text("x"), idempotency_key="k"), SendResult)
    assert len(sb.requests("toy")) == 2


async def test_a_5xx_in_doubt_keeps_the_key_reserved(sb: Sandbox) -> None:
    wa = sb.client("toy", idempotency_store=MemoryIdempotencyStore(lock_ttl=60), max_retries=0)
    sb.fail_next("toy", status=502, after_accept=True)  # delivered, then a 502
    with pytest.raises(ServerError) as info:
        await wa.send(PHONE, Text("x"), idempotency_key="k")
    assert info.value.in_doubt
    with pytest.raises(SendInProgress):  # a re-run cannot deliver it a second time
        await wa.send(PHONE, Text("x"), idempotency_key="k")
    assert [r.accepted for r in sb.requests("toy")] == [True]


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
    # Refusals (not processed) and failures after acceptance, mixed.
    faults = [Fault(status=503, code="UNAVAILABLE"), Fault(status=502, after_accept=True)]
    sb.simulator("toy").fail_randomly(0.3, seed=3, faults=faults)
    first = await wa.send_many(items, concurrency=8)
    sb.simulator("toy").fail_randomly(0)
    second = await wa.send_many(items, concurrency=8)
    in_doubt = {index for index, _ in first.in_doubt()}
    assert first.failed > len(in_doubt) > 0
    # The re-run sends what was refused, and never what may have gone out (still reserved).
    assert second.sent == 60 - len(in_doubt)
    assert {i for i, _ in second.failures()} == in_doubt
    assert len(sb.simulator("toy").accepted) == 60  # type: ignore[attr-defined]
    delivered = [r.json["to"] for r in sb.requests("toy") if r.accepted]
    assert len(delivered) == len(set(delivered)) == 60  # each exactly once


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
