"""A failover chain is a drop-in where a caller sends and receives: the client's send keywords,
replies, status waits and both receivers (aiohttp and ASGI), over real HTTP on loopback.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession

from whatsapp_async import (
    BulkItem,
    Failover,
    MessageReceived,
    RateLimitError,
    RetryPolicy,
    Text,
    ValidationError,
    WhatsApp,
)
from whatsapp_async.provider import hmac_sha256_hex
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator

USER = "+16505551234"
SECOND_NUMBER = "106540352242923"
FAST = RetryPolicy(initial_delay=0.001, max_delay=0.005)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["meta", "pilot"]) as sandbox:
        yield sandbox


def _sends(sb: Sandbox, provider: str) -> int:
    path = "/v1/messages/send" if provider == "pilot" else "/messages"
    return sum(1 for r in sb.requests(provider) if r.path.endswith(path))


async def test_sender_goes_to_the_client_that_has_the_number(sb: Sandbox) -> None:
    sim = sb.simulator("meta", MetaSimulator)
    sim.add_number(SECOND_NUMBER, "15550783882")
    meta = sb.client("meta", phone_number_ids=[SECOND_NUMBER], retry=FAST)
    chain = Failover([meta, sb.client("pilot", retry=FAST)])

    result = await chain.send(USER, Text("a"), sender=SECOND_NUMBER)
    assert result.provider == "meta" and result.sender == SECOND_NUMBER
    assert sim.sent_from[result.id] == SECOND_NUMBER

    # Meta refuses without processing (131057): the backup sends from its own number.
    sb.fail_next("meta", status=500, code=131057)
    moved = await chain.send(USER, Text("b"), sender=SECOND_NUMBER, max_retries=0)
    assert moved.provider == "pilot"

    bulk = await chain.send_many([BulkItem(to=USER, message=Text("c"), sender=SECOND_NUMBER)])
    [(_, sent)] = bulk.results()
    assert sent.sender == SECOND_NUMBER

    before = (_sends(sb, "meta"), _sends(sb, "pilot"))
    with pytest.raises(ValidationError, match="not a number of any client"):
        await chain.send(USER, Text("d"), sender="999")
    assert (_sends(sb, "meta"), _sends(sb, "pilot")) == before  # refused before any request


async def test_a_bulk_deadline_bounds_the_whole_chain(sb: Sandbox) -> None:
    # Both providers throttle for good: every item ends as a RateLimitError once the bulk's
    # deadline has passed, one outcome each, instead of waiting out each client's policy.
    sb.fail_next("meta", status=400, code=130429, retry_after=0.05, times=10_000)
    sb.fail_next("pilot", status=429, retry_after=0.05, times=10_000)
    chain = Failover([sb.client("meta", retry=FAST), sb.client("pilot", retry=FAST)])
    started = time.monotonic()
    bulk = await chain.send_many([(USER, Text(f"m{i}")) for i in range(5)], deadline=0.4)
    elapsed = time.monotonic() - started
    assert len(bulk) == 5 and bulk.failed == 5
    assert all(isinstance(error, RateLimitError) for _, error in bulk.failures())
    assert elapsed < 3.0  # not the policy's 150 s
    with pytest.raises(ValidationError, match="deadline"):
        await chain.send_many([(USER, Text("x"))], deadline=-1)


async def test_reply_goes_through_the_events_own_provider(sb: Sandbox) -> None:
    chain = Failover([sb.client("meta"), sb.client("pilot")])
    event = MessageReceived(provider="pilot", message_id="m-1", sender=USER, type="text")

    result = await chain.reply(event, Text("Thanks, we're on it"))

    assert result.provider == "pilot"
    assert (_sends(sb, "meta"), _sends(sb, "pilot")) == (0, 1)  # never failed over to Meta
    stranger = MessageReceived(provider="magpipe", message_id="m-2", sender=USER, type="text")
    with pytest.raises(ValidationError, match="no 'magpipe' client"):
        await chain.reply(stranger, Text("x"))
    with pytest.raises(ValidationError, match="MessageReceived"):
        await chain.reply("m-1", Text("x"))  # type: ignore[arg-type]


async def test_wait_for_status_asks_the_client_that_sent(sb: Sandbox) -> None:
    meta = sb.client("meta")
    await sb.serve_webhooks(meta)
    chain = Failover([meta, sb.client("pilot")])

    result = await chain.send(USER, Text("Your code is 123456"))
    update = await chain.wait_for_status(result, "delivered", timeout=5)

    assert result.provider == "meta"
    assert update.message_id == result.id and update.status in ("delivered", "read")
    with pytest.raises(ValidationError, match="SendResult"):
        await chain.wait_for_status(result.id, "delivered")  # type: ignore[arg-type]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_the_asgi_receiver_serves_every_client_at_its_own_path() -> None:
    uvicorn = pytest.importorskip("uvicorn")
    meta = WhatsApp("meta", token="EAAtest-123456", phone_number_id="1", app_secret="s3cret")
    pilot = WhatsApp("pilot", api_key="ps_test", webhook_secret="whsec")
    chain = Failover([meta, pilot])
    arrived: list[object] = []

    async def handler(event: object) -> None:
        arrived.append(event)

    receiver = chain.asgi_app(handler, path="/hooks", dedupe_seconds=0)
    port = _port()
    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.ensure_future(server.serve())
    body = (
        b'{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[{"field":'
        b'"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":'
        b'"15550783881","phone_number_id":"1"},"messages":[{"from":"16505551234","id":"wamid.A",'
        b'"timestamp":"1700000000","type":"text","text":{"body":"hi"}}]}}]}]}'
    )
    signed = {"X-Hub-Signature-256": "sha256=" + hmac_sha256_hex("s3cret", body)}
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        base = f"http://127.0.0.1:{port}/hooks"
        async with ClientSession() as http:
            async with http.post(f"{base}/meta", data=body, headers=signed) as answer:
                assert answer.status == 200
            async with http.post(f"{base}/pilot", data=b"{}") as answer:
                assert answer.status == 401  # pilot's route, verified with pilot's secret
            async with http.post(f"{base}/gateway", data=body, headers=signed) as answer:
                assert answer.status == 404
        for _ in range(200):
            if arrived:
                break
            await asyncio.sleep(0.01)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        await receiver.aclose()
    [event] = arrived
    assert isinstance(event, MessageReceived) and event.message_id == "wamid.A"
    assert event.provider == "meta"


def test_the_chain_takes_every_send_keyword_of_the_client() -> None:
    import inspect

    for name in ("send", "send_many"):
        client = set(inspect.signature(getattr(WhatsApp, name)).parameters)
        chain = set(inspect.signature(getattr(Failover, name)).parameters)
        assert client <= chain, f"Failover.{name} lacks {sorted(client - chain)}"
    for name in ("reply", "asgi_app", "webhook_app", "parse_webhook", "wait_for_status"):
        assert callable(getattr(Failover, name))
