"""After the send, the same call sites over every provider: await delivery, or be told why not.

The sandbox's webhooks are aimed at the client's own receiver on 127.0.0.1
(``Sandbox.serve_webhooks``), so every status crosses real HTTP, is verified and parsed, and
reaches the client's ledger exactly as in production. Providers without status events
(Magpipe, the gateway) refuse to wait with ``UnsupportedFeature`` instead of hanging.
"""

from __future__ import annotations

import asyncio

import pytest

from whatsapp_async import (
    DeliveryFailed,
    RecipientError,
    SendResult,
    StatusTimeout,
    StatusUpdate,
    Text,
    UnsupportedFeature,
    WhatsApp,
    WhatsAppError,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .profiles import Profile

CUSTOMER = "+14155552671"
UNREACHABLE = "+14155550199"


def reports_statuses(profile: Profile) -> bool:
    return "status_events" in profile.operations


async def receiving_client(sb: Sandbox, profile: Profile) -> WhatsApp:
    wa = sb.client(profile.name)
    await sb.serve_webhooks(wa)
    return wa


async def make_undeliverable(sb: Sandbox, profile: Profile, result: SendResult) -> None:
    """The provider reports ``failed`` for ``result`` (how each simulator is told to)."""
    if profile.name == "pilot":
        await sb.simulator("pilot", PilotSimulator).transition(
            result.id, "FAILED", error_code="WHATSAPP_NOT_EXIST", error="Not on WhatsApp"
        )


async def test_a_send_is_awaited_to_delivered(sb: Sandbox, profile: Profile) -> None:
    wa = await receiving_client(sb, profile)
    result = await wa.send(CUSTOMER, Text("Your code is 123456"))
    if not reports_statuses(profile):
        with pytest.raises(UnsupportedFeature) as info:
            await wa.wait_for_status(result, "delivered", timeout=1)
        assert info.value.feature == "status_events"
        return
    update = await wa.wait_for_status(result, "delivered", timeout=5)
    assert isinstance(update, StatusUpdate)
    assert update.status == "delivered"
    assert update.message_id == result.id
    assert update.provider == profile.name
    assert update.recipient == CUSTOMER
    sent = await wa.wait_for_status(result.id, "sent", timeout=1)  # already passed: at once
    assert sent.status == "sent"
    entry = await wa.ledger.get(result.id) if wa.ledger else None
    assert entry is not None and entry.status == "delivered"
    assert [u.status for u in entry.updates] == ["sent", "delivered"]


async def test_a_failed_status_raises_delivery_failed_with_the_mapped_error(
    sb: Sandbox, profile: Profile
) -> None:
    if not reports_statuses(profile):
        wa = sb.client(profile.name)
        with pytest.raises(UnsupportedFeature):
            await wa.wait_for_status("any-id", "delivered", timeout=1)
        return
    if profile.name == "meta":
        sb.simulator("meta", MetaSimulator).undeliverable.add(UNREACHABLE[1:])
    wa = await receiving_client(sb, profile)
    result = await wa.send(UNREACHABLE, Text("Your code is 123456"))
    await make_undeliverable(sb, profile, result)
    with pytest.raises(DeliveryFailed) as info:
        await wa.wait_for_status(result, "delivered", timeout=5)
    failed = info.value
    assert failed.message_id == result.id
    assert failed.update.status == "failed"
    # The same class a synchronous answer with that code raises: 131026 / WHATSAPP_NOT_EXIST.
    assert isinstance(failed.error, RecipientError)
    assert failed.error.in_doubt is False
    assert failed.provider == profile.name


async def test_no_status_in_time_is_a_status_timeout(sb: Sandbox, profile: Profile) -> None:
    wa = sb.client(profile.name)  # nothing receives the webhooks: no status ever arrives
    result = await wa.send(CUSTOMER, Text("hi"))
    if not reports_statuses(profile):
        with pytest.raises(UnsupportedFeature):
            await wa.wait_for_status(result, timeout=0.2)
        return
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError) as info:
        await wa.wait_for_status(result, "delivered", timeout=0.3)
    assert 0.25 <= loop.time() - started < 2.0
    assert isinstance(info.value, StatusTimeout)
    assert info.value.message_id == result.id
    assert info.value.status == ("accepted" if profile.name == "meta" else "queued")
    assert info.value.awaited == "delivered"


async def test_a_bulk_send_is_awaited_item_by_item(sb: Sandbox, profile: Profile) -> None:
    if not reports_statuses(profile):
        wa = sb.client(profile.name)
        bulk = await wa.send_many([(CUSTOMER, Text("hi"))])
        with pytest.raises(UnsupportedFeature):
            await wa.wait_for_statuses(bulk, timeout=1)
        return
    if profile.name == "meta":
        sb.simulator("meta", MetaSimulator).undeliverable.add(UNREACHABLE[1:])
    wa = await receiving_client(sb, profile)
    numbers = [f"+1415555{n:04d}" for n in range(20)]
    items = [(n, Text(f"hi {i}")) for i, n in enumerate(numbers)]
    items.append((UNREACHABLE, Text("never")))
    items.append(("not a number", Text("bad")))
    bulk = await wa.send_many(items)
    assert bulk.sent == 21 and bulk.failed == 1
    unreachable = bulk[20]
    assert isinstance(unreachable, SendResult)
    await make_undeliverable(sb, profile, unreachable)

    report = await wa.wait_for_statuses(bulk, "delivered", timeout=5)

    assert len(report) == len(items)
    assert (report.reached, report.failed, report.timed_out, report.not_sent) == (20, 1, 0, 1)
    assert all(isinstance(o, StatusUpdate) and o.status == "delivered" for o in report[:20])
    assert isinstance(report[20], DeliveryFailed)
    assert report[21] is bulk[21]  # the send's own error, kept


async def test_read_is_not_reached_by_delivered_and_times_out(
    sb: Sandbox, profile: Profile
) -> None:
    if not reports_statuses(profile):
        return  # covered above: no waiting at all
    wa = await receiving_client(sb, profile)
    result = await wa.send(CUSTOMER, Text("hi"))
    await wa.wait_for_status(result, "delivered", timeout=5)
    with pytest.raises(StatusTimeout) as info:
        await wa.wait_for_status(result, "read", timeout=0.2)
    assert info.value.status == "delivered"


async def test_an_in_doubt_send_is_settled_without_a_second_delivery(
    sb: Sandbox, profile: Profile
) -> None:
    wa = sb.client(profile.name, max_retries=0)
    if reports_statuses(profile):
        await sb.serve_webhooks(wa)
    sb.fail_next(profile.name, drop=True, after_accept=True)  # delivered, the answer lost
    with pytest.raises(WhatsAppError) as info:
        await wa.send(CUSTOMER, Text("Your code is 123456"))
    error = info.value
    assert error.in_doubt
    if profile.name in ("magpipe", "gateway"):
        with pytest.raises(UnsupportedFeature) as unsupported:
            await wa.resolve_in_doubt(error, wait=0.1)
        assert unsupported.value.feature == "resolve_in_doubt"
        return

    result = await wa.resolve_in_doubt(error, wait=5)

    assert isinstance(result, SendResult)
    # Meta finds it from its status (no request); Pilot drops the keyed resend as a replay.
    if profile.name == "meta":
        assert result.recovered and len(sb.requests("meta")) == 1
        assert len(sb.simulator("meta", MetaSimulator).sent) == 1
    else:
        assert result.idempotent_replayed
        assert len(sb.simulator("pilot", PilotSimulator).messages) == 1
