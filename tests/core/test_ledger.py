"""The in-process ledger: merge rules, aliases, bounds, expiry, waits; and how the client feeds it.

The rules (``Ledger.merge_send`` / ``merge_status``) are the same for every ledger; the Redis
one is tested against the same expectations in ``tests/contrib/test_redis_ledger.py``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import pytest
from aiohttp import ClientSession

from whatsapp_async import (
    MemoryLedger,
    StatusUpdate,
    StoreUnavailable,
    Text,
)
from whatsapp_async.events import EventError
from whatsapp_async.ledger import Ledger, LedgerEntry
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator

T0 = 1_800_000_000.0


def update(
    status: str, *, at: float = T0, message_id: str = "wamid.A", **fields: object
) -> StatusUpdate:
    return StatusUpdate(
        provider="meta",
        message_id=message_id,
        status=status,  # type: ignore[arg-type]
        timestamp=datetime.fromtimestamp(at, tz=timezone.utc),
        **fields,  # type: ignore[arg-type]
    )


def sent(message_id: str = "wamid.A", **fields: object) -> LedgerEntry:
    return LedgerEntry(id=message_id, provider="meta", sender="1065", started_at=T0, **fields)  # type: ignore[arg-type]


async def test_statuses_only_move_forward_and_redeliveries_change_nothing() -> None:
    ledger = MemoryLedger()
    await ledger.record_send(sent())
    await ledger.record_status(update("delivered", at=T0 + 2), sender=None)
    entry = await ledger.record_status(update("sent", at=T0 + 1), sender=None)  # late
    assert entry.status == "delivered"
    again = await ledger.record_status(update("delivered", at=T0 + 2), sender=None)
    assert [u.status for u in again.updates] == ["delivered", "sent"]  # not appended twice
    read = await ledger.record_status(
        update("read", at=T0 + 3, raw={"big": "x" * 100}), sender=None
    )
    assert read.status == "read"
    assert read.updates[-1].raw is None  # the provider's payload is not kept


async def test_failed_wins_short_of_delivered_and_never_undoes_a_delivery() -> None:
    ledger = MemoryLedger()
    failed = await ledger.record_status(
        update("failed", message_id="m1", error=EventError(code="131026")), sender=None
    )
    assert failed.status == "failed" and failed.failed
    await ledger.record_status(update("delivered", message_id="m2"), sender=None)
    late_failure = await ledger.record_status(
        update("failed", message_id="m2", at=T0 + 5), sender=None
    )
    assert late_failure.status == "delivered"


async def test_a_status_before_its_send_is_merged_when_the_send_is_recorded() -> None:
    ledger = MemoryLedger()
    await ledger.record_status(update("sent"), sender=None)  # the webhook beat the answer
    await ledger.record_send(sent(metadata={"order": "1"}, correlation_id="c1"))
    entry = await ledger.get("wamid.A")
    assert entry is not None
    assert entry.status == "sent" and entry.metadata == {"order": "1"}
    assert entry.started_at == T0
    assert await ledger.get("c1") == entry  # found by its correlation id too
    assert await ledger.status_horizon("meta", "1065") == T0


async def test_a_pilot_message_is_found_by_its_wamid_too() -> None:
    ledger = MemoryLedger()
    await ledger.record_send(LedgerEntry(id="msg_1", provider="pilot", status="queued"))
    await ledger.record_status(
        StatusUpdate(provider="pilot", message_id="msg_1", status="sent", wamid="wamid.P"),
        sender=None,
    )
    by_wamid = await ledger.get("wamid.P")
    assert by_wamid is not None and by_wamid.id == "msg_1" and by_wamid.wamid == "wamid.P"


async def test_waits_end_on_the_update_or_at_the_timeout() -> None:
    ledger = MemoryLedger()

    async def later() -> None:
        await asyncio.sleep(0.05)
        await ledger.record_status(update("delivered"), sender=None)

    task = asyncio.create_task(later())
    entry = await ledger.wait("wamid.A", lambda e: e.status == "delivered", timeout=2)
    await task
    assert entry.status == "delivered"
    with pytest.raises(TimeoutError):
        await ledger.wait("wamid.A", lambda e: e.status == "read", timeout=0.05)
    assert not ledger._waiters  # nothing left behind


async def test_a_wait_by_an_alias_learned_later_is_woken() -> None:
    ledger = MemoryLedger()
    waiting = asyncio.create_task(ledger.wait("wamid.P", lambda e: e.status == "sent", timeout=2))
    await asyncio.sleep(0)
    await ledger.record_status(
        StatusUpdate(provider="pilot", message_id="msg_1", status="sent", wamid="wamid.P"),
        sender=None,
    )
    entry = await waiting
    assert entry.id == "msg_1"


async def test_the_ledger_is_bounded_and_entries_expire() -> None:
    now = [T0]
    ledger = MemoryLedger(max_entries=100, ttl=60, clock=lambda: now[0])
    for n in range(250):
        await ledger.record_send(sent(f"m{n}", correlation_id=f"c{n}"))
    assert len(ledger) == 100
    assert await ledger.get("m0") is None and await ledger.get("c0") is None
    assert len(ledger._aliases) == 100  # aliases go with their entries
    assert await ledger.get("m249") is not None
    now[0] += 61
    assert await ledger.get("m249") is None  # expired
    for n in range(256):  # writes sweep the expired ones out
        await ledger.record_send(sent(f"n{n}"))
    assert len(ledger) == 100 and all(k.startswith("n") for k in ledger._entries)


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        MemoryLedger(max_entries=0)
    with pytest.raises(ValueError):
        MemoryLedger(ttl=0)


# -- the client feeds it ---------------------------------------------------------------------
async def test_every_send_and_webhook_reaches_the_ledger_and_bulk_sends_too() -> None:
    async with Sandbox(["meta"]) as sb:
        ledger = MemoryLedger()
        wa = sb.client("meta", ledger=ledger)
        await sb.serve_webhooks(wa)
        bulk = await wa.send_many([(f"+1650555{n:04d}", Text("hi")) for n in range(30)])
        report = await wa.wait_for_statuses(bulk, "delivered", timeout=5)
        assert report.reached == 30
        assert len(ledger) == 30
        entry = await ledger.get(bulk[0].id)  # type: ignore[union-attr]
        assert entry is not None
        assert entry.sender == sb.settings("meta")["phone_number_id"]
        assert entry.correlation_id is not None and entry.started_at is not None


async def test_ledger_none_keeps_nothing_and_says_so() -> None:
    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta", ledger=None)
        result = await wa.send("+16505551234", Text("hi"))
        assert wa.ledger is None
        body = sb.requests("meta")[0].json
        assert "biz_opaque_callback_data" not in body  # no correlation without a ledger
        from whatsapp_async import ConfigurationError

        with pytest.raises(ConfigurationError, match="no ledger"):
            await wa.wait_for_status(result)
        with pytest.raises(ConfigurationError):
            sb.client("meta", ledger="memory")


class _DownLedger(MemoryLedger):
    """A shared ledger that cannot be reached (its store is down)."""

    async def record_status(self, update: StatusUpdate, *, sender: str | None) -> LedgerEntry:
        raise StoreUnavailable("ledger down", operation="record_status")

    async def record_send(self, entry: LedgerEntry) -> None:
        raise StoreUnavailable("ledger down", operation="record_send")


async def test_a_ledger_that_is_down_never_fails_a_send_and_webhooks_get_503(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta", ledger=_DownLedger())
        url = await sb.serve_webhooks(wa)
        with caplog.at_level(logging.WARNING, "whatsapp_async.ledger"):
            result = await wa.send("+16505551234", Text("hi"))  # accepted: returned anyway
        assert result.id.startswith("wamid.")
        assert "could not record sent message" in caplog.text
        sim = sb.simulator("meta", MetaSimulator)
        await sim.drain()
        assert sim.webhook_deliveries and all(s == 503 for s, _ in sim.webhook_deliveries)
        # The 503 accepted nothing: the same delivery, once the ledger is back, is handled.
        payload = sim.webhook_deliveries[0][1]
        async with (
            ClientSession() as http,
            http.post(
                url, data=payload, headers={"X-Hub-Signature-256": sim.sign(payload)}
            ) as answer,
        ):
            assert answer.status == 503


async def test_parse_webhook_feeds_an_async_ledger_in_the_background() -> None:
    class Slow(Ledger):
        def __init__(self) -> None:
            self.inner = MemoryLedger()

        async def record_send(self, entry: LedgerEntry) -> None:
            await self.inner.record_send(entry)

        async def record_status(self, update: StatusUpdate, *, sender: str | None) -> LedgerEntry:
            await asyncio.sleep(0.01)
            return await self.inner.record_status(update, sender=sender)

        async def get(self, message_id: str) -> LedgerEntry | None:
            return await self.inner.get(message_id)

        async def wait(self, message_id, done, *, timeout):  # type: ignore[no-untyped-def]
            return await self.inner.wait(message_id, done, timeout=timeout)

        async def link(self, old: LedgerEntry, new: LedgerEntry) -> None:
            await self.inner.link(old, new)

        async def status_horizon(self, provider: str, sender: str | None) -> float:
            return await self.inner.status_horizon(provider, sender)

        async def get_window(self, key):  # type: ignore[no-untyped-def]
            return await self.inner.get_window(key)

        async def update_window(self, key, change):  # type: ignore[no-untyped-def]
            await self.inner.update_window(key, change)

    async with Sandbox(["meta"]) as sb:
        ledger = Slow()
        wa = sb.client("meta", ledger=ledger)
        sim = sb.simulator("meta", MetaSimulator)
        result = await wa.send("+16505551234", Text("hi"))
        body = (
            b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":'
            b'"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":'
            b'"106540352242922"},"statuses":[{"id":"' + result.id.encode() + b'","status":'
            b'"delivered","timestamp":"1800000000","recipient_id":"16505551234"}]}}]}]}'
        )
        events = wa.parse_webhook({"X-Hub-Signature-256": sim.sign(body)}, body)
        assert isinstance(events[0], StatusUpdate)
        assert (await ledger.get(result.id)).status == "accepted"  # type: ignore[union-attr]
        await wa.aclose()  # background writes finish before the client closes
        assert (await ledger.get(result.id)).status == "delivered"  # type: ignore[union-attr]
