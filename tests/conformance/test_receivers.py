"""The aiohttp receiver (``wa.webhook_app``) and the ASGI one (``wa.asgi_app``, served by uvicorn
and mounted in Starlette) pass the same suite, over real HTTP on 127.0.0.1.

Each case posts what a provider would (signed with the simulator's secret, or not) and checks
the answer of the README's table and what reached the router.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from whatsapp_async import Event, MessageReceived, Router, Text, WhatsApp
from whatsapp_async.provider import hmac_sha256_hex
from whatsapp_async.testing import Sandbox

uvicorn = pytest.importorskip("uvicorn")
starlette_applications = pytest.importorskip("starlette.applications")

SECRET = "receiver-suite-secret-0123"
VERIFY = "receiver-suite-verify"
PNID = "106540352242922"
INBOUND = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",'
    b'"value":{"metadata":{"display_phone_number":"15550783881","phone_number_id":"'
    + PNID.encode()
    + b'"},"contacts":[{"profile":{"name":"Ada"},"wa_id":"","user_id":"US.1349"}],'
    b'"messages":[{"from":"","from_user_id":"US.1349","id":"wamid.R1","timestamp":"1750100000",'
    b'"type":"text","text":{"body":"stop"}}]}}]}]}'
)
KINDS = ["aiohttp", "asgi", "starlette"]


def _client() -> WhatsApp:
    return WhatsApp(
        "meta", token="EAAtest", phone_number_id=PNID, app_secret=SECRET, verify_token=VERIFY
    )


def _signed(body: bytes) -> dict[str, str]:
    return {
        "X-Hub-Signature-256": "sha256=" + hmac_sha256_hex(SECRET, body),
        "Content-Type": "application/json",
    }


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def receiving(
    kind: str, wa: WhatsApp, handler: Callable[[Event], Awaitable[None]], **options: Any
) -> AsyncIterator[str]:
    """Serve ``wa``'s receiver of ``kind`` at ``/hooks`` on 127.0.0.1; yield its URL."""
    if kind == "aiohttp":
        runner = web.AppRunner(wa.webhook_app(handler, path="/hooks", **options), access_log=None)
        await runner.setup()
        port = _port()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        try:
            yield f"http://127.0.0.1:{port}/hooks"
        finally:
            await runner.cleanup()
        return
    receiver = wa.asgi_app(handler, path="/" if kind == "starlette" else "/hooks", **options)
    app: Any = receiver
    if kind == "starlette":
        from starlette.routing import Mount

        app = starlette_applications.Starlette(routes=[Mount("/hooks", app=receiver)])
    port = _port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        await receiver.aclose()


class Collected:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.arrived = asyncio.Event()

    async def __call__(self, event: Event) -> None:
        self.events.append(event)
        self.arrived.set()


@pytest.mark.parametrize("kind", KINDS)
async def test_handshake_answers(kind: str) -> None:
    async with (
        receiving(kind, _client(), Collected()) as url,
        aiohttp.ClientSession() as session,
    ):
        good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "4242"}
        async with session.get(url, params=good) as response:
            assert (response.status, await response.text()) == (200, "4242")
        wrong = {**good, "hub.verify_token": "guess"}
        async with session.get(url, params=wrong) as response:
            assert response.status == 403
        async with session.get(url) as response:
            assert response.status == 405
        async with session.put(url, data=b"{}") as response:
            assert response.status == 405


@pytest.mark.parametrize("kind", KINDS)
async def test_deliveries_are_verified_bounded_and_routed(kind: str) -> None:
    wa = _client()
    collected = Collected()
    router = Router()
    router.add(collected, MessageReceived, text="stop")
    async with (
        receiving(kind, wa, router, max_body=4096) as url,
        aiohttp.ClientSession() as session,
    ):
        async with session.post(url, data=INBOUND, headers=_signed(INBOUND)) as response:
            assert (response.status, await response.text()) == (200, "ok")
        await asyncio.wait_for(collected.arrived.wait(), 5)
        # A redelivery is acknowledged, not handed over again.
        async with session.post(url, data=INBOUND, headers=_signed(INBOUND)) as response:
            assert response.status == 200
        forged = {**_signed(INBOUND), "X-Hub-Signature-256": "sha256=" + "0" * 64}
        async with session.post(url, data=INBOUND, headers=forged) as response:
            assert (response.status, await response.text()) == (401, "invalid signature")
        async with session.post(url, data=b"not json", headers=_signed(b"not json")) as response:
            assert (response.status, await response.text()) == (400, "unreadable payload")
        big = b"{" + b" " * 5000 + b"}"
        async with session.post(url, data=big, headers=_signed(big)) as response:
            assert response.status == 413
    [event] = collected.events
    assert isinstance(event, MessageReceived)
    assert (event.sender_user_id, event.business_id) == ("US.1349", PNID)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_busy_receiver_answers_503(kind: str) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(event: Event) -> None:
        started.set()
        await release.wait()

    async with (
        receiving(kind, _client(), slow, max_concurrent_handlers=1) as url,
        aiohttp.ClientSession() as session,
    ):
        async with session.post(url, data=INBOUND, headers=_signed(INBOUND)) as response:
            assert response.status == 200
        await asyncio.wait_for(started.wait(), 5)
        other = INBOUND.replace(b"wamid.R1", b"wamid.R2")
        async with session.post(url, data=other, headers=_signed(other)) as response:
            assert response.status == 503
        release.set()


@pytest.mark.parametrize("kind", KINDS)
async def test_the_receiver_learns_before_the_handler_and_replies_work(kind: str) -> None:
    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta", app_secret=SECRET)
        replies: list[Any] = []
        done = asyncio.Event()

        async def answer(event: Event) -> None:
            assert isinstance(event, MessageReceived)
            replies.append(await wa.reply(event, Text("ok")))
            done.set()

        body = INBOUND.replace(b'"wa_id":""', b'"wa_id":"16505551234"').replace(
            b'"from":""', b'"from":"16505551234"'
        )
        async with (
            receiving(kind, wa, answer) as url,
            aiohttp.ClientSession() as session,
        ):
            async with session.post(url, data=body, headers=_signed(body)) as response:
                assert response.status == 200
            await asyncio.wait_for(done.wait(), 5)
        assert await wa.aliases.phone_for("US.1349") == "+16505551234"
        assert replies[0].recipient == "+16505551234"


def test_the_asgi_receiver_fails_closed_like_the_aiohttp_one() -> None:
    from whatsapp_async import ConfigurationError

    wa = WhatsApp("meta", token="EAAtest", phone_number_id=PNID)
    with pytest.raises(ConfigurationError, match="app_secret"):
        wa.asgi_app(Collected())
    with pytest.raises(ConfigurationError, match="app_secret"):
        wa.webhook_app(Collected())
