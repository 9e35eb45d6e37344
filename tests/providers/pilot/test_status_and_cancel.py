"""get_status (queued -> sent -> delivered, scheduled, failed) and the cancel operation."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from whatsapp_async import (
    Group,
    MessageStatus,
    NotFoundError,
    Template,
    Text,
    ValidationError,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot import CancelFailure, CancelResult
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import GROUP, PHONE


async def wait_for_status(wa: WhatsApp, message_id: str, wanted: str) -> MessageStatus:
    for _ in range(200):
        status = await wa.get_status(message_id)
        if status.status == wanted:
            return status
        await asyncio.sleep(0.01)
    raise AssertionError(f"{message_id} never reached {wanted} (last: {status.status})")


async def test_status_progresses_queued_sent_delivered(sb: Sandbox, sim: PilotSimulator) -> None:
    sim.progress_delay = 0.1
    wa = sb.client("pilot")
    result = await wa.send(PHONE, Text("hi"))
    queued = await wa.get_status(result.id)
    assert (queued.id, queued.status, queued.provider) == (result.id, "queued", "pilot")
    assert queued.recipient == PHONE and queued.wa_id is None
    assert set(queued.timestamps) == {"created"}
    sent = await wait_for_status(wa, result.id, "sent")
    assert sent.wa_id is not None and sent.wa_id.startswith("wamid.")
    delivered = await wait_for_status(wa, result.id, "delivered")
    stamps = delivered.timestamps
    assert set(stamps) == {"created", "sent", "delivered"}
    assert all(t.tzinfo is not None for t in stamps.values())
    assert stamps["created"] <= stamps["sent"] <= stamps["delivered"]
    assert delivered.raw["correlationId"] == result.raw["correlationId"]
    get = sb.requests("pilot")[1]
    assert (get.method, get.path, get.body) == ("GET", f"/v1/messages/{result.id}", b"")


async def test_status_by_correlation_id_and_wamid(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    result = await wa.send(Group(GROUP), Template("order_update", body=["Ada", "#1"]))
    sent = await wait_for_status(wa, result.id, "delivered")
    by_correlation = await wa.get_status(result.raw["correlationId"])
    assert sent.wa_id is not None
    by_wamid = await wa.get_status(sent.wa_id)
    assert by_correlation.id == by_wamid.id == result.id
    assert by_wamid.recipient == GROUP
    assert by_wamid.raw["template"] == "order_update"


async def test_unknown_id_is_not_found_and_the_id_is_quoted(sb: Sandbox) -> None:
    with pytest.raises(NotFoundError) as info:
        await sb.client("pilot").get_status("no-such/id?x=1")
    assert info.value.code == "MESSAGE_NOT_FOUND"
    [record] = sb.requests("pilot")
    assert record.path == "/v1/messages/no-such/id?x=1"  # decoded by the server
    assert record.query == {}


@pytest.mark.parametrize("bad", ["", ".", "..", "msg 1", "msg\n1"])
async def test_ids_that_would_change_the_path_are_refused_before_any_request(
    sb: Sandbox, bad: str
) -> None:
    with pytest.raises(ValidationError, match="message_id"):
        await sb.client("pilot").get_status(bad)
    assert sb.requests("pilot") == []


async def test_scheduled_send_stays_queued_until_deliver_at(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    wa = sb.client("pilot")
    at = datetime.now(timezone.utc) + timedelta(seconds=0.3)
    result = await wa.send(PHONE, Text("later"), deliver_at=at)
    await asyncio.sleep(0.15)
    assert (await wa.get_status(result.id)).status == "queued"
    delivered = await wait_for_status(wa, result.id, "delivered")
    assert delivered.timestamps["sent"] >= at.replace(microsecond=at.microsecond // 1000 * 1000)


async def test_deadline_that_passes_fails_the_message(sb: Sandbox, sim: PilotSimulator) -> None:
    sim.progress_delay = 0.2
    wa = sb.client("pilot")
    until = datetime.now(timezone.utc) + timedelta(seconds=0.05)
    result = await wa.send(PHONE, Text("now or never"), deliver_until=until)
    failed = await wait_for_status(wa, result.id, "failed")
    assert failed.error_code == "MESSAGE_EXPIRED"
    assert failed.error_message


async def test_read_when_the_simulator_reports_it(sb: Sandbox, sim: PilotSimulator) -> None:
    sim.auto_read = True
    wa = sb.client("pilot")
    result = await wa.send(PHONE, Text("hi"))
    read = await wait_for_status(wa, result.id, "read")
    assert set(read.timestamps) == {"created", "sent", "delivered", "read"}


async def test_cancel_future_scheduled_sends_only(sb: Sandbox, sim: PilotSimulator) -> None:
    wa = sb.client("pilot")
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    scheduled = await wa.send(PHONE, Text("tomorrow"), deliver_at=later)
    immediate = await wa.send(PHONE, Text("now"))
    outcome = await wa.call("cancel", [scheduled.id, immediate.id, "msg_missing", scheduled.id])
    assert isinstance(outcome, CancelResult)
    assert outcome.cancelled == (scheduled.id,)
    assert outcome.failed == (
        CancelFailure(immediate.id, "NOT_CANCELLABLE"),
        CancelFailure("msg_missing", "NOT_FOUND"),
    )
    request = sb.requests("pilot")[2]
    assert (request.method, request.path) == ("DELETE", "/v1/messages/cancel")
    assert request.json == {"messageIds": [scheduled.id, immediate.id, "msg_missing"]}
    assert (await wa.get_status(scheduled.id)).status == "canceled"
    again = await wa.call("cancel", scheduled.id)
    assert again.cancelled == () and again.failed[0].reason == "NOT_CANCELLABLE"
