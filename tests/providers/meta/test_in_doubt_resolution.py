"""In-doubt Meta sends settled from the ledger: found by their correlation id, or sent once more.

Each Meta send carries a correlation id inside ``biz_opaque_callback_data``; Meta echoes it in
every status webhook. A send whose answer was lost (accepted, then the connection dropped) is
found as sent when its status arrives, with no second request; one that never reached Meta is
sent again exactly once, and only when a status for a later send proves that webhooks flow
while this one's did not come. Deliveries are counted per item at the simulator.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from whatsapp_async import (
    APIConnectionError,
    BulkItem,
    DeliveryFailed,
    SendResult,
    Text,
    WhatsAppError,
)
from whatsapp_async.testing import Fault, Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator

TO = "+16505551234"


def correlation_of(body: dict[str, object]) -> str:
    opaque = body["biz_opaque_callback_data"]
    assert isinstance(opaque, str)
    value = json.loads(opaque)["_wa_cid"]
    assert isinstance(value, str)
    return value


def deliveries(sim: MetaSimulator) -> Counter[str]:
    """How many times the simulator accepted each correlation id (each logical send)."""
    return Counter(correlation_of(body) for body in sim.sent.values())


async def in_doubt_send(wa: object, to: str, text: str) -> WhatsAppError:
    with pytest.raises(APIConnectionError) as info:
        await wa.send(to, Text(text))  # type: ignore[attr-defined]
    error = info.value
    assert error.in_doubt is True
    assert error.correlation_id is not None
    return error


async def test_an_accepted_send_whose_answer_was_lost_is_found_not_resent(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta", max_retries=0)
    await sb.serve_webhooks(wa)
    sim.fail_next(drop=True, after_accept=True)

    error = await in_doubt_send(wa, TO, "Your code is 123456")
    result = await wa.resolve_in_doubt(error, wait=5)

    assert isinstance(result, SendResult)
    assert result.recovered is True
    assert result.id in sim.sent  # the wamid Meta gave the one accepted request
    assert result.recipient == TO and result.provider == "meta"
    assert deliveries(sim) == {error.correlation_id: 1}
    assert len(sb.requests("meta")) == 1  # no second request
    update = await wa.wait_for_status(result, "delivered", timeout=5)
    assert update.correlation_id == error.correlation_id


async def test_a_send_that_never_reached_meta_is_sent_again_exactly_once(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta", max_retries=0)
    await sb.serve_webhooks(wa)
    sim.fail_next(drop=True)  # dropped before the simulator processed it

    error = await in_doubt_send(wa, TO, "Your code is 123456")
    later = await wa.send("+16505550000", Text("a later send, whose status will arrive"))
    await wa.wait_for_status(later, "sent", timeout=5)
    assert deliveries(sim)[error.correlation_id or ""] == 0

    result = await wa.resolve_in_doubt(error, wait=0.5)

    assert isinstance(result, SendResult) and result.recovered is False
    assert deliveries(sim)[error.correlation_id or ""] == 1  # the resend reused the id
    assert len(sim.sent) == 2
    # Settling the same error again finds the resend in the ledger: still one delivery.
    again = await wa.resolve_in_doubt(error, wait=5)
    assert again.recovered is True and again.id == result.id
    assert len(sim.sent) == 2


async def test_without_webhook_evidence_the_send_stays_in_doubt(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta", max_retries=0)  # nothing receives the webhooks
    sim.fail_next(drop=True)
    error = await in_doubt_send(wa, TO, "hello")
    await wa.send("+16505550000", Text("later"))  # its status never reaches this ledger

    with pytest.raises(APIConnectionError) as info:
        await wa.resolve_in_doubt(error, wait=0.3)
    assert info.value is error
    assert len(sim.sent) == 1  # only "later": the doubtful one was not resent blindly


async def test_a_failed_status_settles_an_in_doubt_send_as_failed(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    sim.undeliverable.add(TO[1:])
    wa = sb.client("meta", max_retries=0)
    await sb.serve_webhooks(wa)
    sim.fail_next(status=502, after_accept=True)  # accepted, the client saw a 502
    with pytest.raises(WhatsAppError) as info:
        await wa.send(TO, Text("hello"))
    assert info.value.in_doubt

    with pytest.raises(DeliveryFailed) as failed:
        await wa.resolve_in_doubt(info.value, wait=5)
    assert failed.value.error.code == 131026
    assert len(sim.sent) == 1


async def test_a_bulk_with_lost_answers_is_settled_item_by_item_exactly_once(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta", max_retries=0)
    await sb.serve_webhooks(wa)
    items = [BulkItem(to=f"+1650555{n:04d}", message=Text(f"item {n}")) for n in range(200)]
    sim.fail_randomly(
        0.1,
        seed=11,
        faults=[Fault(drop=True, after_accept=True), Fault(drop=True), Fault(status=503)],
    )
    bulk = await wa.send_many(items, concurrency=20)
    sim.clear_faults()
    doubtful = dict(bulk.in_doubt())
    assert doubtful, "the seed must produce in-doubt items"
    cids = {index: error.correlation_id for index, error in doubtful.items()}

    settled = await wa.resolve_in_doubt(bulk, wait=2)

    counts = deliveries(sim)
    per_recipient = Counter(body["to"] for body in sim.sent.values())
    assert max(per_recipient.values()) == 1  # never twice, whatever the fault
    recovered = [o for o in settled if isinstance(o, SendResult) and o.recovered]
    assert recovered  # some were found from their status, with no request at all
    for index, cid in cids.items():
        outcome = settled[index]
        if isinstance(outcome, SendResult):
            assert counts[cid or ""] == 1
        else:
            # No send started after this one failed has a status yet (the tail of the run):
            # nothing proves it lost, so it was not resent, and it was indeed not delivered.
            assert outcome is doubtful[index] and counts[cid or ""] == 0
    # Traffic goes on; once a later send's status is in, the rest is provably lost: resent.
    later = await wa.send("+16505559999", Text("later"))
    await wa.wait_for_status(later, "sent", timeout=5)
    final = await wa.resolve_in_doubt(settled, wait=0.5)
    assert final.in_doubt_count == 0
    per_recipient = Counter(body["to"] for body in sim.sent.values())
    for item, outcome in zip(items, final, strict=True):
        # Sent once, or failed for certain (a 503 Meta documents as not processed: code 2).
        assert per_recipient[item.to] == (1 if isinstance(outcome, SendResult) else 0)
    assert all(deliveries(sim)[cid or ""] == 1 for cid in cids.values())
    assert final.sent + final.failed == len(items) and final.sent > 180
