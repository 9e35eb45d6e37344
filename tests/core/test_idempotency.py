"""The idempotency store: a logical send is sent once, whatever is re-run or breaks."""

from __future__ import annotations

import asyncio
import logging

import pytest

from whatsapp_async import (
    MemoryIdempotencyStore,
    RetryPolicy,
    SendInProgress,
    SendResult,
    ServerError,
    StoreUnavailable,
    Text,
)
from whatsapp_async.testing import Sandbox

PHONE = "+14155552671"
KEY = "order-1234-shipped-to-ada"  # longer than the 16 characters a log line may show


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


# -- a store that fails -------------------------------------------------------------------------
class BrokenStore(MemoryIdempotencyStore):
    """A memory store whose chosen calls fail the way a client library's would."""

    def __init__(self, *failing: str) -> None:
        super().__init__()
        self.failing = set(failing)

    def _maybe_fail(self, call: str) -> None:
        if call in self.failing:
            raise ConnectionError("cannot reach redis://:hunter22@10.0.0.9:6379/0")

    async def reserve(self, key: str) -> SendResult | None:
        self._maybe_fail("reserve")
        return await super().reserve(key)

    async def complete(self, key: str, result: SendResult) -> None:
        self._maybe_fail("complete")
        await super().complete(key, result)

    async def release(self, key: str) -> None:
        self._maybe_fail("release")
        await super().release(key)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "whatsapp_async" and r.levelno == logging.WARNING
    ]


async def test_a_store_that_cannot_reserve_raises_store_unavailable_and_sends_nothing(
    sb: Sandbox,
) -> None:
    wa = sb.client("toy", idempotency_store=BrokenStore("reserve"))
    with pytest.raises(StoreUnavailable) as caught:
        await wa.send(PHONE, Text("x"), idempotency_key=KEY)
    assert isinstance(caught.value.__cause__, ConnectionError)
    assert caught.value.operation == "reserve"
    assert "hunter22" not in str(caught.value) and "redis://" not in str(caught.value)
    assert sb.requests("toy") == []


async def test_a_store_that_cannot_record_still_returns_the_accepted_result(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    wa = sb.client("toy", idempotency_store=BrokenStore("complete"))
    with caplog.at_level(logging.WARNING, logger="whatsapp_async"):
        result = await wa.send(PHONE, Text("x"), idempotency_key=KEY)
    assert result.status == "accepted" and not result.idempotent_replayed
    assert len(sb.requests("toy")) == 1
    (line,) = warnings_of(caplog)
    assert result.id in line and KEY[:16] in line and KEY not in line
    assert "ConnectionError" in line and "hunter22" not in line


async def test_a_failed_release_is_logged_and_the_send_error_raised(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    wa = sb.client("toy", idempotency_store=BrokenStore("release"), max_retries=0)
    sb.fail_next("toy", status=500)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async"), pytest.raises(ServerError):
        await wa.send(PHONE, Text("x"), idempotency_key=KEY)
    released = [line for line in warnings_of(caplog) if "releasing" in line]
    assert len(released) == 1 and KEY[:16] in released[0] and KEY not in released[0]


async def test_a_store_s_own_errors_pass_through(sb: Sandbox) -> None:
    class Full(MemoryIdempotencyStore):
        async def reserve(self, key: str) -> SendResult | None:
            raise StoreUnavailable("full", operation="reserve")

    wa = sb.client("toy", idempotency_store=Full())
    with pytest.raises(StoreUnavailable, match=r"^full$"):
        await wa.send(PHONE, Text("x"))
    assert sb.requests("toy") == []
