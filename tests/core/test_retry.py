"""Retries over real HTTP: what is retried, how often, how long it waits, when it gives up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time

import pytest

from whatsapp_async import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Text,
    Timeout,
    WhatsApp,
)
from whatsapp_async.errors import BadRequestError
from whatsapp_async.provider import parse_retry_after
from whatsapp_async.testing import Sandbox

from .toy import TOY_KEY

PHONE = "+14155552671"
FAST = RetryPolicy(initial_delay=0.001, max_delay=0.01)


def sent(sb: Sandbox) -> int:
    return len(sb.requests("toy"))


@pytest.mark.parametrize("failures", [1, 2])
async def test_n_server_errors_then_success(sb: Sandbox, failures: int) -> None:
    # Documented "not processed" (toy's UNAVAILABLE): nothing was delivered, resending is safe.
    wa = sb.client("toy", retry=FAST)
    sb.fail_next("toy", status=503, code="UNAVAILABLE", times=failures)
    result = await wa.send(PHONE, Text("x"))
    assert result.id == "toy-1"
    assert sent(sb) == failures + 1


async def test_retries_are_bounded(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST)
    sb.fail_next("toy", status=500, code="UNAVAILABLE", times=5)
    with pytest.raises(ServerError) as info:
        await wa.send(PHONE, Text("x"))
    assert sent(sb) == 3  # first attempt + max_retries=2
    assert not info.value.in_doubt


async def test_a_5xx_that_may_have_been_processed_is_not_resent(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST)
    sb.fail_next("toy", status=500, times=4)
    with pytest.raises(ServerError) as info:
        await wa.send(PHONE, Text("x"))
    assert sent(sb) == 1 and info.value.in_doubt
    again = sb.client("toy", retry=FAST, retry_in_doubt=True)  # at least once, on request
    with pytest.raises(ServerError):
        await again.send(PHONE, Text("x"))
    assert sent(sb) == 1 + 3
    keyed = sb.client("toy", retry=FAST, idempotent=True)  # the same key on every attempt
    sb.fail_next("toy", status=502, times=1)
    assert (await keyed.send(PHONE, Text("x"))).status == "accepted"
    assert sent(sb) == 4 + 2


async def test_max_retries_zero_and_per_call_override(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST, max_retries=0)
    sb.fail_next("toy", status=500, code="UNAVAILABLE", times=2)
    with pytest.raises(ServerError):
        await wa.send(PHONE, Text("x"))
    assert sent(sb) == 1
    result = await wa.send(PHONE, Text("x"), max_retries=1)
    assert result.status == "accepted"
    assert sent(sb) == 3


async def test_client_errors_are_not_retried(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST)
    sb.fail_next("toy", status=400, code="BAD", times=3)
    with pytest.raises(BadRequestError):
        await wa.send(PHONE, Text("x"))
    assert sent(sb) == 1


async def test_retry_after_is_honoured_exactly(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=RetryPolicy(initial_delay=0.001, max_delay=0.001))
    sb.fail_next("toy", status=429, retry_after=0.3)
    started = time.monotonic()
    await wa.send(PHONE, Text("x"))
    assert time.monotonic() - started >= 0.3  # not shortened by jitter
    assert sent(sb) == 2


async def test_retry_after_beyond_the_cap_is_raised_not_slept(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=RetryPolicy(retry_after_cap=5))
    sb.fail_next("toy", status=429, retry_after=3600)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        await wa.send(PHONE, Text("x"))
    assert info.value.retry_after == 3600
    assert time.monotonic() - started < 2
    assert sent(sb) == 1


async def test_max_elapsed_stops_retrying(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=RetryPolicy(max_retries=5, max_elapsed=0.2))
    sb.fail_next("toy", status=429, retry_after=0.15, times=5)
    with pytest.raises(RateLimitError):
        await wa.send(PHONE, Text("x"))
    assert sent(sb) == 2


async def test_dropped_connection_is_not_retried_when_unsafe(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST)
    sb.fail_next("toy", drop=True)
    with pytest.raises(APIConnectionError) as info:
        await wa.send(PHONE, Text("x"))
    assert info.value.request_sent is True
    assert sent(sb) == 1


async def test_dropped_connection_is_retried_with_an_idempotency_key(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST, idempotent=True)
    sb.fail_next("toy", drop=True)
    await wa.send(PHONE, Text("x"), idempotency_key="order-1")
    records = sb.requests("toy")
    assert len(records) == 2
    assert {r.headers["Idempotency-Key"] for r in records} == {"order-1"}
    assert len(sb.simulator("toy").accepted) == 1  # type: ignore[attr-defined]


async def test_timeout_after_sending_is_not_retried_when_unsafe(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST, timeout=0.2)
    sb.fail_next("toy", delay=1.0)
    with pytest.raises(APITimeoutError) as info:
        await wa.send(PHONE, Text("x"))
    assert info.value.timeout == "total"
    assert sent(sb) == 1


async def test_per_call_timeout_and_idempotent_retry_after_timeout(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=FAST, idempotent=True)
    sb.fail_next("toy", delay=1.0)
    result = await wa.send(PHONE, Text("x"), timeout=0.2, idempotency_key="k-2")
    assert result.status == "accepted"
    assert sent(sb) == 2


async def test_connection_refused_is_retried_then_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="whatsapp_async")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with WhatsApp(
        "toy", api_key=TOY_KEY, base_url=f"http://127.0.0.1:{port}", retry=FAST
    ) as wa:
        with pytest.raises(APIConnectionError) as info:
            await wa.send(PHONE, Text("x"))
    assert info.value.request_sent is False
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    finals = [r for r in caplog.records if "failed after 3 attempt" in r.getMessage()]
    assert len(retries) == 2 and len(finals) == 1


def test_policy_waits_grow_and_stay_bounded() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=4, jitter=False)
    waits = policy.waits()
    assert [next(waits) for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    jittered = RetryPolicy(initial_delay=0.5, max_delay=4).waits()
    assert all(0 <= next(jittered) <= 4 for _ in range(50))


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("-3") == 0.0


async def test_retry_waits_do_not_block_other_sends(sb: Sandbox) -> None:
    wa = sb.client("toy", retry=RetryPolicy(initial_delay=0.001))
    sb.fail_next("toy", status=429, retry_after=0.5)
    slow = asyncio.ensure_future(wa.send(PHONE, Text("slow")))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await wa.send(PHONE, Text("fast"))
    assert time.monotonic() - started < 0.4
    await slow


async def test_connect_timeout_names_itself_and_is_safe_to_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="whatsapp_async")
    # A listener whose accept queue is full: the kernel drops further SYNs, so connecting
    # hangs until the connect timeout fires (all on loopback).
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        try:
            async with WhatsApp(
                "toy",
                api_key=TOY_KEY,
                base_url=f"http://127.0.0.1:{port}",
                timeout=Timeout(connect=0.2, total=5),
                retry=FAST,
                max_retries=1,
            ) as wa:
                with pytest.raises(APITimeoutError) as info:
                    await wa.send(PHONE, Text("x"))
        finally:
            for filler in fillers:
                filler.close()
    assert info.value.timeout == "connect" and info.value.request_sent is False
    assert any(r.getMessage().startswith("retrying") for r in caplog.records)
