"""send_many: one outcome per item, in order, whatever fails or is cancelled."""

from __future__ import annotations

import asyncio
import os
import random

import pytest

from whatsapp_async import (
    BulkItem,
    InvalidRecipient,
    RetryPolicy,
    SendCancelled,
    SendResult,
    ServerError,
    Text,
    WhatsAppError,
)
from whatsapp_async.testing import Sandbox


def numbers(n: int, seed: int = 1) -> list[str]:
    """Distinct valid US numbers (area code 415, exchange 555-01xx is reserved: use 2xx)."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(f"+1415{rng.randint(200, 999)}{rng.randint(0, 9999):04d}")
    return sorted(out)


async def test_outcomes_are_in_input_order_with_errors_in_place(sb: Sandbox) -> None:
    wa = sb.client("toy")
    phones = numbers(20)
    items: list[object] = [(p, Text(f"m{i}")) for i, p in enumerate(phones)]
    items[3] = ("not a number", Text("x"))
    items[7] = BulkItem(to=phones[7], message=Text("with metadata"), metadata={"i": 7})
    bulk = await wa.send_many(items, concurrency=4)  # type: ignore[arg-type]
    assert len(bulk) == 20 and bulk.sent == 19 and bulk.failed == 1
    [(index, error)] = list(bulk.failures())
    assert index == 3 and isinstance(error, InvalidRecipient)
    for i, outcome in enumerate(bulk):
        if i != 3:
            assert isinstance(outcome, SendResult) and outcome.recipient == phones[i]
    by_text = {r.json["text"]: r.json for r in sb.requests("toy")}
    assert by_text["with metadata"]["metadata"] == {"i": 7}


async def test_progress_callback_sees_every_item_once(sb: Sandbox) -> None:
    wa = sb.client("toy")
    seen: list[int] = []
    bulk = await wa.send_many(
        [(p, Text("x")) for p in numbers(30)], concurrency=5, on_result=lambda i, _: seen.append(i)
    )
    assert sorted(seen) == list(range(30)) and bulk.sent == 30


async def test_two_thousand_with_random_failures_lose_nothing(sb: Sandbox) -> None:
    wa = sb.client("toy", max_retries=0)
    sim = sb.simulator("toy")
    sim.fail_randomly(0.1, seed=1234, status=503)
    phones = numbers(2000, seed=9)
    bulk = await wa.send_many([(p, Text(p)) for p in phones], concurrency=64)
    assert len(bulk) == 2000
    assert 100 < bulk.failed < 300
    assert all(isinstance(e, ServerError) for _, e in bulk.failures())
    accepted = sim.accepted  # type: ignore[attr-defined]
    assert sorted(r.id for _, r in bulk.results()) == sorted(a["id"] for a in accepted)
    for _, result in bulk.results():
        assert result.raw["to"] == result.recipient
    assert len(sb.requests("toy")) == 2000


async def test_retries_inside_a_bulk_recover_every_item(sb: Sandbox) -> None:
    # 10% of requests fail: with 6 retries an item fails for good once in ten million runs
    # (0.1 ** 7 per item; the order of requests under concurrency is not seeded).
    wa = sb.client("toy", retry=RetryPolicy(initial_delay=0.001, max_retries=6))
    sb.simulator("toy").fail_randomly(0.1, seed=5, status=500, code="UNAVAILABLE")
    bulk = await wa.send_many([(p, Text("x")) for p in numbers(200)], concurrency=16)
    assert bulk.sent == 200
    assert len(sb.requests("toy")) > 200  # some were retried


async def test_cancelling_send_many_reports_every_item(sb: Sandbox) -> None:
    wa = sb.client("toy")
    phones = numbers(10)
    sb.fail_next("toy", delay=0.05, times=2)
    sb.fail_next("toy", delay=30, times=8)
    task = asyncio.ensure_future(wa.send_many([(p, Text("x")) for p in phones], concurrency=2))
    for _ in range(200):
        if len(sb.requests("toy")) >= 4:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError) as info:
        await task
    bulk = info.value.bulk_result  # type: ignore[attr-defined]
    assert len(bulk) == 10
    assert bulk.sent == 2
    cancelled = [e for _, e in bulk.failures()]
    assert len(cancelled) == 8 and all(isinstance(e, SendCancelled) for e in cancelled)
    assert sum(e.request_started for e in cancelled) == 2


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_gather_of_many_sends_shares_one_session(sb: Sandbox) -> None:
    wa = sb.client("toy", connection_limit=20)
    phones = numbers(3000, seed=3)
    before = open_fds()
    peak = before

    async def watch() -> None:
        nonlocal peak
        while True:
            peak = max(peak, open_fds())
            await asyncio.sleep(0.005)

    watcher = asyncio.ensure_future(watch())
    results = await asyncio.gather(*(wa.send(p, Text("x")) for p in phones), return_exceptions=True)
    watcher.cancel()
    assert all(isinstance(r, SendResult) for r in results)
    # Client and server sockets of at most 20 connections (the simulator runs in-process).
    assert peak - before <= 2 * 20 + 5
    pool = wa._transport._pool  # the API calls' keep-alive client (_http11)
    assert pool is not None and pool.limit == 20
    assert 0 < len(pool._open) <= 20


async def test_bad_items_and_concurrency(sb: Sandbox) -> None:
    wa = sb.client("toy")
    bulk = await wa.send_many([("+14155552671", Text("x")), "junk"])  # type: ignore[list-item]
    assert isinstance(bulk[1], WhatsAppError) and bulk.sent == 1
    with pytest.raises(WhatsAppError):
        await wa.send_many([], concurrency=0)
    assert len(await wa.send_many([])) == 0
