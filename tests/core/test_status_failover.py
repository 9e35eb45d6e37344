"""Status-driven failover (opt-in): a message that fails, or is not delivered in time, goes out
through the next provider, and the ledgers link the two messages.

Meta's statuses reach the primary client's own receiver over real HTTP; the backup is Pilot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from whatsapp_async import (
    ConfigurationError,
    MemoryLedger,
    StatusUpdate,
    StoreUnavailable,
    Text,
    WhatsApp,
)
from whatsapp_async.ledger import LedgerEntry
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator

USER = "+16505551234"


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["meta", "pilot"]) as sandbox:
        yield sandbox


def pilot_sends(sb: Sandbox) -> int:
    return sum(1 for r in sb.requests("pilot") if r.path == "/v1/messages/send")


async def test_a_failed_status_sends_through_the_next_provider_and_links_them(
    sb: Sandbox,
) -> None:
    sb.simulator("meta", MetaSimulator).undeliverable.add(USER[1:])
    ledger = MemoryLedger()  # shared by both clients: one place tells the whole story
    meta = sb.client("meta", ledger=ledger)
    await sb.serve_webhooks(meta)
    chain = WhatsApp.with_fallback(meta, sb.client("pilot", ledger=ledger), on_status_timeout=5)

    result = await chain.send(USER, Text("Your code is 123456"))

    assert result.provider == "pilot"
    assert pilot_sends(sb) == 1
    [meta_id] = sb.simulator("meta", MetaSimulator).sent
    first = await ledger.get(meta_id)
    second = await ledger.get(result.id)
    assert first is not None and first.status == "failed"
    assert first.replaced_by == f"pilot:{result.id}"
    assert second is not None and second.replaces == f"meta:{meta_id}"


async def test_no_delivery_within_the_bound_fails_over_too(sb: Sandbox) -> None:
    meta = sb.client("meta")  # nothing receives Meta's webhooks: no status comes
    pilot = sb.client("pilot")
    chain = WhatsApp.with_fallback(meta, pilot, on_status_timeout=0.3)

    result = await chain.send(USER, Text("hi"))

    assert result.provider == "pilot"
    assert pilot_sends(sb) == 1
    assert meta.ledger is not None and pilot.ledger is not None
    [meta_id] = sb.simulator("meta", MetaSimulator).sent
    linked = await meta.ledger.get(meta_id)
    assert linked is not None and linked.replaced_by == f"pilot:{result.id}"
    backup = await pilot.ledger.get(result.id)
    assert backup is not None and backup.replaces == f"meta:{meta_id}"


async def test_a_delivered_message_does_not_fail_over(sb: Sandbox) -> None:
    meta = sb.client("meta")
    await sb.serve_webhooks(meta)
    chain = WhatsApp.with_fallback(meta, sb.client("pilot"), on_status_timeout=5)

    result = await chain.send(USER, Text("hi"))

    assert result.provider == "meta"
    assert pilot_sends(sb) == 0
    update = await meta.wait_for_status(result, "delivered", timeout=1)
    assert isinstance(update, StatusUpdate)


async def test_off_by_default_a_failed_status_changes_nothing(sb: Sandbox) -> None:
    sb.simulator("meta", MetaSimulator).undeliverable.add(USER[1:])
    meta = sb.client("meta")
    await sb.serve_webhooks(meta)
    chain = WhatsApp.with_fallback(meta, sb.client("pilot"))

    result = await chain.send(USER, Text("hi"))

    assert result.provider == "meta"  # returned at once, without waiting for statuses
    assert pilot_sends(sb) == 0


async def test_bulk_items_fail_over_one_by_one(sb: Sandbox) -> None:
    sb.simulator("meta", MetaSimulator).undeliverable.add("16505550002")
    meta = sb.client("meta")
    await sb.serve_webhooks(meta)
    chain = WhatsApp.with_fallback(meta, sb.client("pilot"), on_status_timeout=5)
    numbers = [f"+1650555000{n}" for n in range(5)]

    bulk = await chain.send_many([(n, Text("hi")) for n in numbers])

    providers = [getattr(o, "provider", None) for o in bulk]
    assert providers == ["meta", "meta", "pilot", "meta", "meta"]
    assert pilot_sends(sb) == 1


class _BrokenLedger(MemoryLedger):
    """A ledger whose link writes fail (a shared store that went down)."""

    async def link(self, old: LedgerEntry, new: LedgerEntry) -> None:
        raise StoreUnavailable("ledger down", operation="link")


async def test_a_ledger_that_cannot_link_never_fails_the_send(sb: Sandbox) -> None:
    sb.simulator("meta", MetaSimulator).undeliverable.add(USER[1:])
    meta = sb.client("meta", ledger=_BrokenLedger())
    await sb.serve_webhooks(meta)
    chain = WhatsApp.with_fallback(meta, sb.client("pilot"), on_status_timeout=5)
    result = await chain.send(USER, Text("hi"))
    assert result.provider == "pilot"


def test_the_bound_is_checked() -> None:
    meta = WhatsApp("meta", token="t", phone_number_id="1")
    pilot = WhatsApp("pilot", api_key="ps_x")
    with pytest.raises(ConfigurationError, match="on_status_timeout"):
        WhatsApp.with_fallback(meta, pilot, on_status_timeout=0)
    with pytest.raises(ConfigurationError, match="await_status"):
        WhatsApp.with_fallback(meta, pilot, on_status_timeout=5, await_status="failed")
