"""The idempotency store: a logical send is sent once, whatever is re-run or breaks."""

from __future__ import annotations

import asyncio
import logging
import tracemalloc

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
from whatsapp_async._idempotency import fingerprint
from whatsapp_async.testing import Fault, Sandbox

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
    sb.fail_next("toy", status=500, code="UNAVAILABLE")  # not processed: released
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


# -- MemoryIdempotencyStore: expiry and the size bound -----------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def result(i: int) -> SendResult:
    return SendResult(id=f"wamid.{i:012d}", status="accepted", provider="toy", recipient=PHONE)


def store_with_clock(
    ttl: float = 3600.0, lock_ttl: float = 300.0, max_entries: int = 100_000
) -> tuple[MemoryIdempotencyStore, FakeClock]:
    store = MemoryIdempotencyStore(ttl=ttl, lock_ttl=lock_ttl, max_entries=max_entries)
    clock = FakeClock()
    store._clock = clock
    return store, clock


async def test_expired_results_and_reservations_are_dropped_as_the_store_is_used() -> None:
    store, clock = store_with_clock(ttl=1, lock_ttl=5)
    for i in range(10):
        assert await store.reserve(f"done-{i}") is None
        await store.complete(f"done-{i}", result(i))
    for i in range(3):
        assert await store.reserve(f"busy-{i}") is None
    assert len(store) == 13
    clock.now += 2  # the results expired, the reservations have not
    assert await store.reserve("done-0") is None
    assert len(store) == 4  # three reservations and the new one
    with pytest.raises(SendInProgress):
        await store.reserve("busy-0")
    clock.now += 10
    await store.release("nothing")
    assert len(store) == 0


async def test_past_max_entries_the_oldest_results_go_first_never_a_reservation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, clock = store_with_clock(max_entries=3)
    assert await store.reserve("in-flight") is None
    with caplog.at_level(logging.WARNING, logger="whatsapp_async"):
        for i in range(5):
            clock.now += 1
            await store.complete(f"done-{i}", result(i))
    assert len(store) == 3
    assert await store.reserve("done-4") == result(4)
    assert await store.reserve("done-3") == result(3)
    with pytest.raises(SendInProgress):
        await store.reserve("in-flight")  # never evicted to make room
    assert await store.reserve("done-0") is None  # evicted: this repeat would be sent again
    assert len([line for line in warnings_of(caplog) if "max_entries=3" in line]) == 1


async def test_reservations_alone_filling_the_store_fail_closed() -> None:
    store, _ = store_with_clock(max_entries=2)
    assert await store.reserve("a") is None
    assert await store.reserve("b") is None
    with pytest.raises(StoreUnavailable, match="max_entries=2"):
        await store.reserve("c")
    await store.release("a")
    assert await store.reserve("c") is None


def test_memory_store_parameters_are_checked() -> None:
    with pytest.raises(ValueError):
        MemoryIdempotencyStore(ttl=0)
    with pytest.raises(ValueError):
        MemoryIdempotencyStore(lock_ttl=-1)
    with pytest.raises(ValueError):
        MemoryIdempotencyStore(max_entries=0)
    assert "max_entries=100000" in repr(MemoryIdempotencyStore())


async def test_memory_stays_bounded_over_100000_sends_with_a_short_ttl() -> None:
    # 1,000 sends a (fake) second for 100 s with ttl=1: about 1,000 results are live at any
    # time. Before expiry was swept, all 100,000 stayed (+92 MB).
    store, clock = store_with_clock(ttl=1, lock_ttl=5)
    tracemalloc.start()
    try:
        steady = 0
        for i in range(100_000):
            clock.now += 0.001
            key = fingerprint("toy", PHONE, i)  # the shape of the client's keys
            assert await store.reserve(key) is None
            await store.complete(key, result(i))
            if i == 5_000:
                steady = tracemalloc.get_traced_memory()[0]
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(store) <= 1_001
    assert current < 2 * 1024 * 1024, current  # everything the loop still holds
    assert current - steady < 256 * 1024, (steady, current)  # no growth past the first second
    assert peak < 4 * 1024 * 1024, peak
