"""Idempotency keys: one per logical send, reused on retries; replays and key conflicts."""

from __future__ import annotations

import pytest

from whatsapp_async import (
    APIConnectionError,
    BadRequestError,
    RateLimitError,
    RetryPolicy,
    Text,
    Timeout,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot import IdempotencyKeyInUse
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import PHONE

FAST = RetryPolicy(initial_delay=0.01)


def sent_keys(sb: Sandbox) -> list[str]:
    return [r.headers["Idempotency-Key"] for r in sb.requests("pilot")]


async def test_retry_after_503_reuses_the_key_and_sends_once(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    sb.fail_next("pilot", status=503)
    result = await sb.client("pilot", retry=FAST).send(PHONE, Text("hi"))
    statuses = [r.status for r in sb.requests("pilot")]
    assert statuses == [503, 202]
    [key, again] = sent_keys(sb)
    assert key == again
    assert list(sim.messages) == [result.id]


async def test_dropped_connection_is_retried_because_sends_are_idempotent(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    sb.fail_next("pilot", drop=True)
    result = await sb.client("pilot", retry=FAST).send(PHONE, Text("hi"))
    assert [r.status for r in sb.requests("pilot")] == [0, 202]
    assert len(set(sent_keys(sb))) == 1
    assert list(sim.messages) == [result.id]


async def test_without_retries_a_drop_surfaces(sb: Sandbox, sim: PilotSimulator) -> None:
    sb.fail_next("pilot", drop=True)
    with pytest.raises(APIConnectionError):
        await sb.client("pilot", retry=FAST).send(PHONE, Text("hi"), max_retries=0, deadline=0)
    assert sim.messages == {}


async def test_same_key_same_body_is_replayed(sb: Sandbox, sim: PilotSimulator) -> None:
    wa = sb.client("pilot")
    first = await wa.send(PHONE, Text("hi"), idempotency_key="order-77")
    second = await wa.send(PHONE, Text("hi"), idempotency_key="order-77")
    assert first.idempotent_replayed is False
    assert second.idempotent_replayed is True
    assert second.id == first.id and second.raw == first.raw
    assert len(sim.messages) == 1


async def test_same_key_different_body_is_a_conflict(sb: Sandbox, sim: PilotSimulator) -> None:
    wa = sb.client("pilot")
    await wa.send(PHONE, Text("hi"), idempotency_key="order-78")
    with pytest.raises(BadRequestError) as info:
        await wa.send(PHONE, Text("bye"), idempotency_key="order-78")
    assert (info.value.status, info.value.code) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert len(sim.messages) == 1


async def test_key_in_use_is_retried_until_the_first_answer_is_replayed(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    # The first attempt times out while the simulator is still accepting it; the retry finds
    # the key in use (409), and the next one gets the stored answer.
    sim.accept_delay = 0.5
    wa = sb.client(
        "pilot",
        timeout=Timeout(connect=1, total=0.1),
        retry=RetryPolicy(initial_delay=0.15, max_retries=4, jitter=False),
    )
    result = await wa.send(PHONE, Text("hi"), idempotency_key="slow-1")
    statuses = [r.status for r in sb.requests("pilot")]
    assert statuses[0] == 0 and 409 in statuses and statuses[-1] == 202
    assert result.idempotent_replayed is True
    assert list(sim.messages) == [result.id]


async def test_key_in_use_maps_to_a_retryable_error(sb: Sandbox) -> None:
    # "Still being processed" is throttling: the send waits its turn with the same key.
    sb.fail_next("pilot", status=409, code="IDEMPOTENCY_KEY_IN_USE", times=3)
    result = await sb.client("pilot", retry=FAST).send(PHONE, Text("hi"))
    assert result.provider == "pilot"
    assert len(sb.requests("pilot")) == 4
    assert len(set(sent_keys(sb))) == 1
    sb.fail_next("pilot", status=409, code="IDEMPOTENCY_KEY_IN_USE")
    with pytest.raises(IdempotencyKeyInUse) as info:
        await sb.client("pilot", retry=FAST).send(PHONE, Text("hi"), deadline=0)
    assert isinstance(info.value, RateLimitError)
