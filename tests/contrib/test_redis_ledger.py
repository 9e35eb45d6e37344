"""RedisLedger against a real Redis: MemoryLedger's behaviour, shared, concurrent, and down.

The first part runs every behaviour test on both ledgers (``MemoryLedger`` is the spec): merge
order, out-of-order and redelivered statuses, aliases, correlation ids, the status horizon, the
window rules, expiry, waits. Then what only a shared ledger has: writers in two instances that
lose nothing, waits woken by another instance (and by nothing else when a subscription is lost),
Redis killed or stopped, and the issue's acceptance test: a webhook receiver in another OS
process records the statuses that ``wait_for_status`` in this process awaits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import msgspec
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from whatsapp_async import EventError, StatusUpdate, StoreUnavailable, Text
from whatsapp_async.contrib.redis import RedisLedger
from whatsapp_async.errors import DeliveryFailed
from whatsapp_async.ledger import (
    Ledger,
    LedgerEntry,
    MemoryLedger,
    WindowRecord,
    apply_business_send,
    apply_inbound,
    apply_refusal,
    status_reached,
    window_key,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import OwnRedisServer, RedisServer, RedisServerFactory
from .helpers import REPO, phone

SENDER = "106540352242922"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
TIMEOUTS = (TimeoutError, asyncio.TimeoutError)
PREFIX = "whatsapp_async:ledger:"


def status(message_id: str, state: str, second: int = 0, **fields: Any) -> StatusUpdate:
    return StatusUpdate(
        provider="meta",
        message_id=message_id,
        status=state,  # type: ignore[arg-type]
        timestamp=T0 + timedelta(seconds=second),
        recipient="16505551234",
        **fields,
    )


def sent_entry(message_id: str, started_at: float | None = 1000.0, **fields: Any) -> LedgerEntry:
    return LedgerEntry(
        id=message_id,
        provider="meta",
        sender=SENDER,
        recipient="+16505551234",
        started_at=started_at,
        **fields,
    )


def delivered(entry: LedgerEntry) -> bool:
    return entry.failed or status_reached(entry.status, "delivered")


class Kit:
    """Builds the ledger under test and lets its time pass (a fake clock, or real sleep)."""

    def __init__(self, kind: str, redis: Redis | None) -> None:
        self.kind = kind
        self.redis = redis
        self.now = 1_000_000.0
        self.ledgers: list[Ledger] = []

    def make(self, *, ttl: float = 7 * 24 * 3600.0) -> Ledger:
        ledger: Ledger
        if self.redis is None:
            ledger = MemoryLedger(ttl=ttl, clock=lambda: self.now)
        else:
            ledger = RedisLedger(self.redis, ttl=ttl)
        self.ledgers.append(ledger)
        return ledger

    async def later(self, seconds: float) -> None:
        if self.redis is None:
            self.now += seconds
        else:
            await asyncio.sleep(seconds)


@pytest.fixture(params=["memory", "redis"])
async def kit(request: pytest.FixtureRequest, redis_server: RedisServer) -> AsyncIterator[Kit]:
    client = None
    if request.param == "redis":
        client = Redis(host=redis_server.host, port=redis_server.port)
        await client.flushdb()
    made = Kit(request.param, client)
    yield made
    for ledger in made.ledgers:
        await ledger.aclose()
    if client is not None:
        await client.aclose()


@pytest.fixture
async def ledger(kit: Kit) -> Ledger:
    return kit.make()


def waiters(ledger: Ledger) -> dict[str, Any]:
    found: dict[str, Any] = ledger._waiters  # type: ignore[attr-defined]
    return found


# -- the shared behaviour ---------------------------------------------------------------------
async def test_a_send_then_its_statuses(ledger: Ledger) -> None:
    await ledger.record_send(sent_entry("wamid.A", metadata={"order": 7}))
    first = await ledger.record_status(status("wamid.A", "sent", 1), sender=SENDER)
    second = await ledger.record_status(status("wamid.A", "delivered", 2), sender=SENDER)
    assert first.status == "sent" and second.status == "delivered"
    entry = await ledger.get("wamid.A")
    assert entry == second
    assert entry.started_at == 1000.0 and entry.metadata == {"order": 7}
    assert [u.status for u in entry.updates] == ["sent", "delivered"]
    assert entry.updates[1].timestamp == T0 + timedelta(seconds=2)
    assert await ledger.get("wamid.unknown") is None


async def test_statuses_that_arrive_before_the_send_are_kept(ledger: Ledger) -> None:
    early = await ledger.record_status(
        status("wamid.B", "delivered", 2, metadata={"echo": True}), sender=SENDER
    )
    assert early.started_at is None and early.status == "delivered" and early.sender == SENDER
    await ledger.record_send(sent_entry("wamid.B", status="accepted", correlation_id="c-1"))
    entry = await ledger.get("wamid.B")
    assert entry is not None
    assert entry.status == "delivered" and [u.status for u in entry.updates] == ["delivered"]
    assert entry.started_at == 1000.0 and entry.correlation_id == "c-1"
    assert entry.metadata == {"echo": True}  # the send had none: what the status echoed stays
    assert await ledger.status_horizon("meta", SENDER) == 1000.0


async def test_out_of_order_statuses_keep_the_furthest(ledger: Ledger) -> None:
    await ledger.record_send(sent_entry("wamid.C"))
    await ledger.record_status(status("wamid.C", "read", 3), sender=SENDER)
    await ledger.record_status(status("wamid.C", "sent", 1), sender=SENDER)
    entry = await ledger.record_status(status("wamid.C", "delivered", 2), sender=SENDER)
    assert entry.status == "read"
    assert [u.status for u in entry.updates] == ["read", "sent", "delivered"]  # arrival order
    assert entry.first_reaching("delivered") == entry.updates[0]


async def test_failed_overrules_until_delivered(ledger: Ledger) -> None:
    error = EventError(code="131026", title="Message undeliverable")
    await ledger.record_status(status("wamid.D", "sent", 1), sender=SENDER)
    failed = await ledger.record_status(status("wamid.D", "failed", 2, error=error), sender=SENDER)
    assert failed.failed and failed.failure() is not None
    assert failed.failure().error == error  # type: ignore[union-attr]
    late_sent = await ledger.record_status(status("wamid.D", "sent", 3), sender=SENDER)
    assert late_sent.status == "failed"
    overruled = await ledger.record_status(status("wamid.D", "delivered", 4), sender=SENDER)
    assert overruled.status == "delivered"
    await ledger.record_status(status("wamid.E", "delivered", 1), sender=SENDER)
    kept = await ledger.record_status(status("wamid.E", "failed", 2, error=error), sender=SENDER)
    assert kept.status == "delivered"  # delivered stays delivered
    assert await ledger.get("wamid.D") == overruled


async def test_a_redelivered_update_changes_nothing(ledger: Ledger) -> None:
    update = status("wamid.F", "sent", 1, raw={"the": "whole payload"})
    first = await ledger.record_status(update, sender=SENDER)
    again = await ledger.record_status(update, sender=SENDER)
    assert again == first and len(again.updates) == 1
    assert first.updates[0].raw is None  # the payload is not kept
    # The same status at another time is another update.
    later = await ledger.record_status(status("wamid.F", "sent", 5), sender=SENDER)
    assert len(later.updates) == 2
    assert await ledger.get("wamid.F") == later


async def test_an_entry_is_found_by_its_wamid_and_its_correlation_id(ledger: Ledger) -> None:
    pilot = LedgerEntry(id="msg_1", provider="pilot", sender="default", correlation_id="c-9")
    await ledger.record_send(pilot)
    update = StatusUpdate(
        provider="pilot", message_id="msg_1", status="sent", wamid="wamid.P1", timestamp=T0
    )
    merged = await ledger.record_status(update, sender="default")
    assert merged.wamid == "wamid.P1" and merged.aliases() == ("wamid.P1", "c-9")
    assert await ledger.get("wamid.P1") == merged
    assert await ledger.get("c-9") == merged
    # A status by the wamid itself is found through the alias.
    by_wamid = StatusUpdate(
        provider="pilot", message_id="wamid.P1", status="delivered", timestamp=T0
    )
    found = await ledger.record_status(by_wamid, sender="default")
    assert found.id == "msg_1" and found.status == "delivered"


async def test_a_status_finds_its_in_doubt_send_by_correlation_id(ledger: Ledger) -> None:
    # The send's answer was lost: nothing recorded but the correlation id it carried.
    entry = await ledger.record_status(
        status("wamid.G", "sent", 1, correlation_id="c-1"), sender=SENDER
    )
    assert entry.id == "wamid.G" and entry.correlation_id == "c-1"
    assert await ledger.get("c-1") == entry
    # A resend under the same correlation id is a message of its own.
    resent = await ledger.record_status(
        status("wamid.H", "sent", 2, correlation_id="c-1"), sender=SENDER
    )
    assert resent.id == "wamid.H" and len(resent.updates) == 1
    assert (await ledger.get("wamid.G")) == entry
    assert (await ledger.get("c-1")).id == "wamid.H"  # type: ignore[union-attr]


async def test_the_status_horizon_is_the_latest_send_with_a_status(ledger: Ledger) -> None:
    assert await ledger.status_horizon("meta", SENDER) == 0.0
    await ledger.record_send(sent_entry("wamid.I", started_at=2000.5))
    assert await ledger.status_horizon("meta", SENDER) == 0.0  # no status yet
    await ledger.record_status(status("wamid.I", "sent"), sender=SENDER)
    assert await ledger.status_horizon("meta", SENDER) == 2000.5
    await ledger.record_send(sent_entry("wamid.J", started_at=1500.0))
    await ledger.record_status(status("wamid.J", "sent"), sender=SENDER)
    await ledger.record_status(status("wamid.unsent", "sent"), sender=SENDER)  # no started_at
    assert await ledger.status_horizon("meta", SENDER) == 2000.5  # only ever raised
    assert await ledger.status_horizon("meta", "another") == 0.0
    assert await ledger.status_horizon("pilot", SENDER) == 0.0


async def test_link_records_the_replacement_both_ways(ledger: Ledger) -> None:
    old = sent_entry("wamid.K")
    new = LedgerEntry(id="msg_9", provider="pilot", sender="default")
    await ledger.record_send(old)
    await ledger.record_status(status("wamid.K", "failed", 1), sender=SENDER)
    await ledger.link(old, new)  # the new one is not recorded yet
    linked_old, linked_new = await ledger.get("wamid.K"), await ledger.get("msg_9")
    assert linked_old is not None and linked_new is not None
    assert linked_old.replaced_by == "pilot:msg_9" and linked_old.failed
    assert linked_new.replaces == "meta:wamid.K"
    await ledger.record_send(new)
    assert (await ledger.get("msg_9")).replaces == "meta:wamid.K"  # type: ignore[union-attr]


async def test_windows_follow_the_apply_rules(ledger: Ledger) -> None:
    key = window_key("meta", SENDER, "+16505551234")
    assert await ledger.get_window(key) is None
    assert (await ledger.window(key, now=0.0)).state == "unknown"
    await ledger.update_window(key, lambda r: apply_business_send(r, at=5.0))
    assert await ledger.get_window(key) is None  # unchanged: an empty record is not stored
    await ledger.update_window(key, lambda r: apply_inbound(r, at=100.0, entry_point=True))
    await ledger.update_window(key, lambda r: apply_inbound(r, at=50.0, entry_point=False))
    assert await ledger.get_window(key) == WindowRecord(inbound_at=100.0, entry_point_at=100.0)
    assert (await ledger.window(key, now=200.0)).state == "open"
    await ledger.update_window(key, lambda r: apply_business_send(r, at=160.0))
    await ledger.update_window(key, lambda r: apply_business_send(r, at=170.0))  # answered
    await ledger.update_window(key, lambda r: apply_refusal(r, at=300.0))
    await ledger.update_window(key, lambda r: apply_refusal(r, at=250.0))  # older: no change
    assert await ledger.get_window(key) == WindowRecord(
        inbound_at=100.0, closed_at=300.0, entry_point_at=100.0, entry_reply_at=160.0
    )
    window = await ledger.window(key, now=310.0)
    assert window.state == "closed" and window.free_until is not None
    assert await ledger.get_window(window_key("meta", SENDER, "+5511987654321")) is None


async def test_entries_and_aliases_expire_after_the_ttl(kit: Kit) -> None:
    ttl = 0.6
    ledger = kit.make(ttl=ttl)
    await ledger.record_send(sent_entry("wamid.L", correlation_id="c-L"))
    await kit.later(ttl * 0.6)
    await ledger.record_status(status("wamid.L", "sent"), sender=SENDER)  # written again
    await kit.later(ttl * 0.6)
    assert (await ledger.get("c-L")) is not None  # the write renewed it
    await kit.later(ttl * 0.6)
    assert await ledger.get("wamid.L") is None and await ledger.get("c-L") is None
    entry = await ledger.record_status(status("wamid.L", "delivered", 2), sender=SENDER)
    assert entry.started_at is None and len(entry.updates) == 1  # a new entry


async def test_windows_expire_96_hours_after_their_last_change(kit: Kit) -> None:
    ledger = kit.make()
    key = window_key("meta", SENDER, "+16505551234")
    await ledger.update_window(key, lambda r: apply_inbound(r, at=1.0, entry_point=False))
    if kit.redis is None:
        await kit.later(96 * 3600 - 1)
        assert await ledger.get_window(key) is not None
        await kit.later(2)
        assert await ledger.get_window(key) is None
    else:
        ttl_ms = await kit.redis.pttl(PREFIX + "window:" + key)
        assert 96 * 3600 * 1000 - 5000 < ttl_ms <= 96 * 3600 * 1000


async def test_a_wait_that_is_already_satisfied_returns_at_once(ledger: Ledger) -> None:
    await ledger.record_status(status("wamid.M", "delivered"), sender=SENDER)
    entry = await ledger.wait("wamid.M", delivered, timeout=5)
    assert entry.status == "delivered"
    assert (await ledger.wait("wamid.M", delivered, timeout=0)).status == "delivered"
    assert waiters(ledger) == {}


async def test_a_wait_ends_on_the_update_it_waits_for(ledger: Ledger) -> None:
    await ledger.record_send(sent_entry("wamid.N"))
    task = asyncio.ensure_future(ledger.wait("wamid.N", delivered, timeout=5))
    await asyncio.sleep(0.05)
    await ledger.record_status(status("wamid.N", "sent", 1), sender=SENDER)
    await asyncio.sleep(0.05)
    assert not task.done()  # woken, read, not done yet: waiting again
    started = time.monotonic()
    await ledger.record_status(status("wamid.N", "delivered", 2), sender=SENDER)
    entry = await asyncio.wait_for(task, 2)
    assert time.monotonic() - started < 0.5
    assert entry.status == "delivered" and len(entry.updates) == 2
    assert waiters(ledger) == {}


async def test_a_wait_by_correlation_id_sees_the_entry_appear(ledger: Ledger) -> None:
    task = asyncio.ensure_future(ledger.wait("c-77", lambda entry: True, timeout=5))
    await asyncio.sleep(0.05)
    await ledger.record_status(status("wamid.O", "sent", correlation_id="c-77"), sender=SENDER)
    entry = await asyncio.wait_for(task, 2)
    assert entry.id == "wamid.O"


async def test_a_wait_times_out_and_leaves_nothing_behind(ledger: Ledger) -> None:
    await ledger.record_status(status("wamid.P", "sent"), sender=SENDER)
    started = time.monotonic()
    with pytest.raises(TIMEOUTS):
        await ledger.wait("wamid.P", delivered, timeout=0.3)
    assert 0.25 < time.monotonic() - started < 1.0
    with pytest.raises(TIMEOUTS):
        await ledger.wait("wamid.P", delivered, timeout=0)
    with pytest.raises(TIMEOUTS):
        await ledger.wait("wamid.nothing", delivered, timeout=0.05)
    assert waiters(ledger) == {}
    task = asyncio.ensure_future(ledger.wait("wamid.P", delivered, timeout=5))
    await asyncio.sleep(0.05)
    assert waiters(ledger) != {}
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert waiters(ledger) == {}


# -- what only the Redis ledger has ------------------------------------------------------------
@pytest.fixture
async def other(redis_server: RedisServer, redis: Redis) -> AsyncIterator[Redis]:
    """A second connection, as another process would have."""
    client = Redis(host=redis_server.host, port=redis_server.port)
    yield client
    await client.aclose()


@pytest.fixture
async def pair(redis: Redis, other: Redis) -> AsyncIterator[tuple[RedisLedger, RedisLedger]]:
    """Two ledgers on one Redis, on separate connections: as two processes."""
    mine, theirs = RedisLedger(redis), RedisLedger(other)
    yield mine, theirs
    await mine.aclose()
    await theirs.aclose()


def count_conflicts(ledger: RedisLedger) -> list[int]:
    """Counts the commits that found a key changed (``[conflicts]``), by wrapping ``_commit``."""
    conflicts = [0]
    commit = ledger._commit

    async def counted(*args: Any, **kwargs: Any) -> bool:
        done = await commit(*args, **kwargs)
        conflicts[0] += not done
        return done

    ledger._commit = counted  # type: ignore[method-assign]
    return conflicts


async def test_entries_are_json_with_a_ttl_and_their_aliases_point_to_them(redis: Redis) -> None:
    ledger = RedisLedger(redis, ttl=3600)
    await ledger.record_send(
        LedgerEntry(id="msg_1", provider="pilot", sender="default", correlation_id="c-1")
    )
    await ledger.record_status(
        StatusUpdate(provider="pilot", message_id="msg_1", status="sent", wamid="wamid.W"),
        sender="default",
    )
    raw = await redis.get(PREFIX + "entry:msg_1")
    stored = msgspec.json.decode(raw)
    assert stored["wamid"] == "wamid.W" and stored["updates"][0]["status"] == "sent"
    assert await redis.get(PREFIX + "alias:wamid.W") == b"msg_1"
    assert await redis.get(PREFIX + "alias:c-1") == b"msg_1"
    for key in ("entry:msg_1", "alias:wamid.W", "alias:c-1"):
        assert 3_595_000 < await redis.pttl(PREFIX + key) <= 3_600_000
    assert "RedisLedger(prefix='whatsapp_async:ledger:', ttl=3600" in repr(ledger)


async def test_an_unreadable_value_is_ignored_and_replaced(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = RedisLedger(redis)
    key = window_key("meta", SENDER, "+16505551234")
    await redis.set(PREFIX + "entry:wamid.V", b"not json")
    await redis.set(PREFIX + "window:" + key, b"{")
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.contrib.redis"):
        assert await ledger.get("wamid.V") is None
        assert await ledger.get_window(key) is None
        entry = await ledger.record_status(status("wamid.V", "sent"), sender=SENDER)
        await ledger.update_window(key, lambda r: apply_refusal(r, at=5.0))
    assert await ledger.get("wamid.V") == entry
    assert await ledger.get_window(key) == WindowRecord(closed_at=5.0)
    assert any("unreadable value" in r.getMessage() for r in caplog.records)


async def test_a_client_with_decoded_responses_reads_the_same(redis_server: RedisServer) -> None:
    client = Redis(host=redis_server.host, port=redis_server.port, decode_responses=True)
    try:
        await client.flushdb()
        ledger = RedisLedger(client)
        await ledger.record_send(sent_entry("wamid.Ü", correlation_id="c-ü"))
        entry = await ledger.record_status(status("wamid.Ü", "sent"), sender=SENDER)
        assert await ledger.get("c-ü") == entry
        again = await ledger.record_status(status("wamid.Ü", "sent"), sender=SENDER)
        assert again == entry  # the redelivery was recognised after the round trip
        assert await ledger.wait("c-ü", lambda e: True, timeout=1) == entry
        assert await ledger.status_horizon("meta", SENDER) == 1000.0
        await ledger.aclose()
    finally:
        await client.aclose()


async def test_two_instances_writing_one_message_at_once_lose_nothing(
    pair: tuple[RedisLedger, RedisLedger],
) -> None:
    mine, theirs = pair
    conflicts = count_conflicts(mine)
    their_conflicts = count_conflicts(theirs)
    updates = [status("wamid.X", "sent", second) for second in range(40)]
    writes = [
        (mine if i % 2 else theirs).record_status(update, sender=SENDER)
        for i, update in enumerate(updates)
    ]
    writes.append(mine.record_send(sent_entry("wamid.X", started_at=4242.0)))
    await asyncio.gather(*writes)
    entry = await mine.get("wamid.X")
    assert entry is not None
    assert sorted(u.timestamp for u in entry.updates) == [u.timestamp for u in updates]  # type: ignore[type-var]
    assert entry.started_at == 4242.0
    assert await theirs.status_horizon("meta", SENDER) == 4242.0
    assert conflicts[0] + their_conflicts[0] > 0  # the writes did race, and were retried


async def test_windows_and_horizons_written_at_once_keep_every_change(
    pair: tuple[RedisLedger, RedisLedger],
) -> None:
    mine, theirs = pair
    key = window_key("meta", SENDER, "+16505551234")

    def inbound(at: float) -> Callable[[WindowRecord], WindowRecord]:
        return lambda r: apply_inbound(r, at=at, entry_point=at == 10.0)

    def refusal(at: float) -> Callable[[WindowRecord], WindowRecord]:
        return lambda r: apply_refusal(r, at=at)

    changes = [mine.update_window(key, inbound(float(at))) for at in range(1, 21)]
    changes += [theirs.update_window(key, refusal(float(at))) for at in range(5, 25)]
    changes += [
        (mine if i % 2 else theirs).record_send(sent_entry(f"wamid.{i}", started_at=i))
        for i in range(10)
    ]
    await asyncio.gather(*changes)
    await asyncio.gather(
        *(
            (theirs if i % 2 else mine).record_status(status(f"wamid.{i}", "sent"), sender=SENDER)
            for i in range(10)
        )
    )
    assert await mine.get_window(key) == WindowRecord(
        inbound_at=20.0, closed_at=24.0, entry_point_at=10.0
    )
    assert await theirs.status_horizon("meta", SENDER) == 9.0


async def test_a_wait_is_woken_by_another_instance(pair: tuple[RedisLedger, RedisLedger]) -> None:
    mine, theirs = pair
    await theirs.record_send(sent_entry("wamid.Y", correlation_id="c-Y"))
    by_id = asyncio.ensure_future(mine.wait("wamid.Y", delivered, timeout=5))
    by_alias = asyncio.ensure_future(mine.wait("c-Y", delivered, timeout=5))
    await asyncio.sleep(0.1)
    await theirs.record_status(status("wamid.Y", "sent", 1), sender=SENDER)
    await asyncio.sleep(0.1)
    assert not by_id.done() and not by_alias.done()
    started = time.monotonic()
    await theirs.record_status(status("wamid.Y", "delivered", 2), sender=SENDER)
    first, second = await asyncio.wait_for(asyncio.gather(by_id, by_alias), 2)
    assert time.monotonic() - started < 0.5  # woken, not timed out
    assert first == second and first.status == "delivered"
    assert waiters(mine) == {}


async def test_a_change_between_the_read_and_the_wait_is_not_missed(
    pair: tuple[RedisLedger, RedisLedger], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = pair
    await theirs.record_status(status("wamid.Z", "sent", 1), sender=SENDER)
    find = mine._find

    async def find_then_deliver(message_id: str, reads: Any) -> LedgerEntry | None:
        monkeypatch.setattr(mine, "_find", find)  # once
        found = await find(message_id, reads)  # 'sent': the wait goes on waiting...
        await theirs.record_status(status("wamid.Z", "delivered", 2), sender=SENDER)
        return found  # ...but the delivery came before it waits: only the subscription tells

    monkeypatch.setattr(mine, "_find", find_then_deliver)
    started = time.monotonic()
    entry = await mine.wait("wamid.Z", delivered, timeout=5)
    assert time.monotonic() - started < 1.0 and entry.status == "delivered"


async def test_a_lost_subscription_is_taken_up_again(
    pair: tuple[RedisLedger, RedisLedger], redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    mine, theirs = pair
    channel = mine.channel
    task = asyncio.ensure_future(mine.wait("wamid.Q", delivered, timeout=10))
    await until(lambda: subscribers(redis, channel), 1)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.contrib.redis"):
        await redis.client_kill_filter(_type="pubsub")
        await until(lambda: subscribers(redis, channel), 1)  # subscribed again by the wait
    assert any("lost its subscription" in r.getMessage() for r in caplog.records)
    assert not task.done()
    await theirs.record_status(status("wamid.Q", "delivered"), sender=SENDER)
    assert (await asyncio.wait_for(task, 2)).status == "delivered"


async def test_aclose_ends_the_subscription_and_a_later_wait_subscribes_again(
    pair: tuple[RedisLedger, RedisLedger], redis: Redis
) -> None:
    mine, theirs = pair
    with pytest.raises(TIMEOUTS):
        await mine.wait("wamid.R", delivered, timeout=0.1)
    assert await subscribers(redis, mine.channel) == 1
    pending = asyncio.ensure_future(mine.wait("wamid.R", delivered, timeout=0.5))
    await asyncio.sleep(0.05)
    await mine.aclose()
    await mine.aclose()  # idempotent
    assert await subscribers(redis, mine.channel) == 0
    assert mine._subscription is None
    await theirs.record_status(status("wamid.R", "delivered"), sender=SENDER)
    with pytest.raises(TIMEOUTS):
        await pending  # it stopped listening: it ends at its timeout
    assert await subscribers(redis, mine.channel) == 0
    task = asyncio.ensure_future(mine.wait("wamid.S", delivered, timeout=5))
    await until(lambda: subscribers(redis, mine.channel), 1)
    await theirs.record_status(status("wamid.S", "delivered"), sender=SENDER)
    assert (await asyncio.wait_for(task, 2)).status == "delivered"


async def subscribers(redis: Redis, channel: str) -> int:
    counts: Any = await redis.pubsub_numsub(channel)
    return int(counts[0][1])


async def until(read: Callable[[], Any], expected: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (await read()) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"never became {expected!r}")
        await asyncio.sleep(0.01)


def test_settings_are_checked(redis: Redis) -> None:
    with pytest.raises(ValueError):
        RedisLedger(redis, ttl=0)
    with pytest.raises(ValueError):
        RedisLedger(redis, ttl=float("inf"))
    with pytest.raises(ValueError):
        RedisLedger(redis, timeout=0)
    assert RedisLedger(redis, prefix="app:").channel == "app:changed"


# -- Redis down --------------------------------------------------------------------------------
STORE_TIMEOUT = 0.5


@pytest.fixture
def server(redis_server_factory: RedisServerFactory) -> Iterator[OwnRedisServer]:
    own = redis_server_factory()
    yield own
    own.resume()


@pytest.fixture
async def client(server: OwnRedisServer) -> AsyncIterator[Redis]:
    redis = Redis(host=server.host, port=server.port)
    yield redis
    await asyncio.wait_for(redis.aclose(), 5)


def every_call(ledger: RedisLedger) -> dict[str, Callable[[], Any]]:
    key = window_key("meta", SENDER, "+16505551234")
    return {
        "record_send": lambda: ledger.record_send(sent_entry("wamid.down")),
        "record_status": lambda: ledger.record_status(status("wamid.down", "sent"), sender=None),
        "get": lambda: ledger.get("wamid.down"),
        "link": lambda: ledger.link(sent_entry("wamid.a"), sent_entry("wamid.b")),
        "status_horizon": lambda: ledger.status_horizon("meta", SENDER),
        "get_window": lambda: ledger.get_window(key),
        "update_window": lambda: ledger.update_window(key, lambda r: apply_refusal(r, at=1.0)),
        "wait": lambda: ledger.wait("wamid.down", delivered, timeout=5),
    }


async def test_every_call_on_a_killed_redis_raises_store_unavailable_at_once(
    server: OwnRedisServer, client: Redis
) -> None:
    ledger = RedisLedger(client, timeout=STORE_TIMEOUT)
    await ledger.record_send(sent_entry("wamid.up"))
    server.kill()
    for operation, call in every_call(ledger).items():
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            await call()
        assert time.monotonic() - started < STORE_TIMEOUT + 0.25, operation
        assert caught.value.operation == operation
        assert isinstance(caught.value.__cause__, RedisError), operation
        assert caught.value.message.startswith(f"RedisLedger.{operation}: Redis at 127.0.0.1:")
    assert waiters(ledger) == {}
    server.restart()
    await ledger.record_send(sent_entry("wamid.after"))
    assert await ledger.wait("wamid.after", lambda e: True, timeout=1) is not None
    await ledger.aclose()


async def test_every_call_on_a_stopped_redis_ends_within_the_timeout(
    server: OwnRedisServer, client: Redis
) -> None:
    ledger = RedisLedger(client, timeout=STORE_TIMEOUT)
    await ledger.record_send(sent_entry("wamid.up"))
    server.pause()
    for operation, call in every_call(ledger).items():
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=r"did not answer within 0\.5s"):
            await call()
        elapsed = time.monotonic() - started
        assert STORE_TIMEOUT - 0.05 < elapsed < STORE_TIMEOUT + 0.5, (operation, elapsed)
    server.resume()
    assert (await ledger.get("wamid.up")) is not None
    await ledger.aclose()


async def test_a_wait_whose_redis_dies_ends_at_its_timeout(
    server: OwnRedisServer, client: Redis
) -> None:
    ledger = RedisLedger(client, timeout=STORE_TIMEOUT)
    task = asyncio.ensure_future(ledger.wait("wamid.T", delivered, timeout=1.5))
    await until(lambda: subscribers(client, ledger.channel), 1)
    started = time.monotonic()
    server.kill()
    with pytest.raises(TIMEOUTS):
        await task
    assert 1.0 < time.monotonic() - started < 2.0
    assert waiters(ledger) == {}
    await ledger.aclose()


async def test_a_wait_outlives_a_redis_restart(server: OwnRedisServer, client: Redis) -> None:
    ledger = RedisLedger(client, timeout=STORE_TIMEOUT)
    task = asyncio.ensure_future(ledger.wait("wamid.U", delivered, timeout=20))
    await until(lambda: subscribers(client, ledger.channel), 1)
    server.restart()  # empty, on the same port
    writer = Redis(host=server.host, port=server.port)
    try:
        await until(lambda: subscribers(writer, ledger.channel), 1)  # subscribed again
        await RedisLedger(writer).record_status(status("wamid.U", "delivered"), sender=SENDER)
        assert (await asyncio.wait_for(task, 5)).status == "delivered"
    finally:
        await writer.aclose()
        await ledger.aclose()


async def test_a_send_is_not_failed_by_a_ledger_that_cannot_record_it(
    server: OwnRedisServer, client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = RedisLedger(client, timeout=STORE_TIMEOUT)
    async with Sandbox(["meta"]) as sb:
        sim = sb.simulator("meta", MetaSimulator)
        wa = sb.client("meta", ledger=ledger)
        server.kill()
        with caplog.at_level(logging.WARNING, logger="whatsapp_async.ledger"):
            result = await wa.send("+16505551234", Text("still sent"))
        assert result.id in sim.sent
        assert any("could not record sent message" in r.getMessage() for r in caplog.records)
        # A webhook the ledger cannot record is refused, so that the provider delivers again.
        body = msgspec.json.encode(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": sim.waba_id,
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "messaging_product": "whatsapp",
                                    "metadata": {
                                        "display_phone_number": sim.display_phone_number,
                                        "phone_number_id": sim.phone_number_id,
                                    },
                                    "statuses": [
                                        {
                                            "id": result.id,
                                            "status": "delivered",
                                            "timestamp": "1767000000",
                                            "recipient_id": "16505551234",
                                        }
                                    ],
                                },
                            }
                        ],
                    }
                ],
            }
        )
        headers = {"X-Hub-Signature-256": sim.sign(body), "Content-Type": "application/json"}
        with pytest.raises(StoreUnavailable) as caught:
            await wa.receive_webhook(headers, body)
        assert caught.value.operation == "record_status"
        server.restart()
        events = await wa.receive_webhook(headers, body)  # the redelivery is recorded
        assert [e.status for e in events if isinstance(e, StatusUpdate)] == ["delivered"]
        assert (await ledger.get(result.id)).status == "delivered"  # type: ignore[union-attr]
    await ledger.aclose()


async def test_an_in_doubt_send_stays_in_doubt_while_the_ledger_is_down(
    server: OwnRedisServer, client: Redis
) -> None:
    from whatsapp_async import APIConnectionError, BulkResult

    ledger = RedisLedger(client, timeout=STORE_TIMEOUT)
    async with Sandbox(["meta"]) as sb:
        sim = sb.simulator("meta", MetaSimulator)
        wa = sb.client("meta", ledger=ledger, max_retries=0)
        sb.fail_next("meta", drop=True, after_accept=True)
        with pytest.raises(APIConnectionError) as caught:
            await wa.send("+16505551234", Text("maybe sent"))
        error = caught.value
        assert error.in_doubt
        server.kill()
        # The ledger cannot tell: the original in-doubt error comes back, resendable later.
        with pytest.raises(APIConnectionError) as again:
            await wa.resolve_in_doubt(error, wait=0.3)
        assert again.value is error
        settled = await wa.resolve_in_doubt(BulkResult([error]), wait=0.3)
        assert settled[0] is error and settled.in_doubt_count == 1
        assert len(sim.sent) == 1  # and nothing was sent again
        server.restart()
    await ledger.aclose()


# -- two OS processes: the acceptance test ---------------------------------------------
class Receiver:
    """``tests/contrib/ledger_receiver.py`` in a process of its own, with its output in a file."""

    def __init__(self, tmp: Path, provider: str, settings: dict[str, Any], redis_url: str) -> None:
        self.log_path = tmp / f"receiver-{provider}.log"
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.contrib.ledger_receiver"],
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        config = {"provider": provider, "settings": settings, "redis": redis_url, "prefix": PREFIX}
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(config).encode() + b"\n")
        self.process.stdin.flush()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def url(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if line.startswith("PORT "):
                    return f"http://127.0.0.1:{int(line.split()[1])}/webhooks"
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"the receiver did not start:\n{self.output()}")

    def stop(self) -> None:
        """Close its stdin (it shuts down cleanly), else terminate, else kill; bounded."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


@pytest.fixture
def receivers(tmp_path: Path) -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(provider: str, settings: dict[str, Any], redis_url: str) -> Receiver:
        receiver = Receiver(tmp_path, provider, settings, redis_url)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def receiver_settings(sb: Sandbox, name: str) -> dict[str, Any]:
    return {**sb.settings(name), "base_url": sb.base_url(name)}


async def test_a_receiver_process_records_what_the_sender_process_awaits(
    redis_server: RedisServer, redis: Redis, receivers: Callable[..., Receiver]
) -> None:
    async with Sandbox(["meta"]) as sb:
        sim = sb.simulator("meta", MetaSimulator)
        sim.undeliverable.add("16505550000")
        receiver = receivers("meta", receiver_settings(sb, "meta"), redis_server.url)
        sb.set_webhook("meta", await receiver.url())
        ledger = RedisLedger(redis)
        try:
            wa = sb.client("meta", ledger=ledger)
            result = await wa.send("+16505551234", Text("Your code is 123456"))
            update = await wa.wait_for_status(result, "delivered", timeout=10)
            assert update.status == "delivered" and update.message_id == result.id
            entry = await wa.ledger.get(result.id)  # type: ignore[union-attr]
            assert entry is not None and entry.started_at is not None
            assert [u.status for u in entry.updates] == ["sent", "delivered"]

            failing = await wa.send("+16505550000", Text("to nobody"))
            with pytest.raises(DeliveryFailed) as caught:
                await wa.wait_for_status(failing, "delivered", timeout=10)
            assert caught.value.update.error is not None
            assert caught.value.update.error.code == "131026"

            # A message from the user, received over there, opens the window over here.
            await sim.emit_inbound(from_="16505551234", text="hi")
            deadline = time.monotonic() + 10
            while (await wa.window("+16505551234")).state != "open":
                assert time.monotonic() < deadline, "the window never opened"
                await asyncio.sleep(0.05)
        finally:
            await ledger.aclose()
        # Every webhook went to the receiver process, which handled them all.
        assert sim.webhook_deliveries and {s for s, _ in sim.webhook_deliveries} == {200}
    receiver.stop()
    seen = receiver.output()
    assert f"EVENT status {result.id} delivered" in seen
    assert f"EVENT status {failing.id} failed" in seen
    assert "STOPPED" in seen and receiver.process.returncode == 0


async def test_a_pilot_receiver_process_records_what_the_sender_process_awaits(
    redis_server: RedisServer, redis: Redis, receivers: Callable[..., Receiver]
) -> None:
    async with Sandbox(["pilot"]) as sb:
        sim = sb.simulator("pilot", PilotSimulator)
        sim.progress_delay = 0.05
        receiver = receivers("pilot", receiver_settings(sb, "pilot"), redis_server.url)
        sb.set_webhook("pilot", await receiver.url())
        ledger = RedisLedger(redis)
        try:
            wa = sb.client("pilot", ledger=ledger)
            result = await wa.send(phone(1), Text("Olá"))
            update = await wa.wait_for_status(result, "delivered", timeout=10)
            assert update.status == "delivered" and update.wamid
            entry = await ledger.get(update.wamid)  # found by its wamid too
            assert entry is not None and entry.id == result.id

            sim.progress_delay = 3600  # this one fails instead
            failing = await wa.send(phone(2), Text("Olá"))
            await sim.transition(
                failing.id, "FAILED", error_code="WHATSAPP_NOT_EXIST", error="Not on WhatsApp"
            )
            with pytest.raises(DeliveryFailed) as caught:
                await wa.wait_for_status(failing, "delivered", timeout=10)
            assert caught.value.update.error is not None
            assert caught.value.update.error.code == "WHATSAPP_NOT_EXIST"
        finally:
            await ledger.aclose()
        assert sim.webhook_deliveries and {s for s, _ in sim.webhook_deliveries} == {200}
    receiver.stop()
    assert f"EVENT status {result.id} delivered" in receiver.output()
    assert receiver.process.returncode == 0
