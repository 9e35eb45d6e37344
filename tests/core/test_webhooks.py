"""Signature helpers and the receiver app, over real HTTP."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from whatsapp_async import (
    Event,
    MessageReceived,
    StatusUpdate,
    UnknownEvent,
    WebhookPayloadError,
    WebhookSignatureError,
)
from whatsapp_async.provider import hmac_sha256_hex, verify_hmac_sha256
from whatsapp_async.testing import Sandbox

from .toy import TOY_SECRET


def test_hmac_verification_variants() -> None:
    body = b'{"a":1}'
    sig = hmac_sha256_hex("s1", body)
    assert verify_hmac_sha256(body, sig, ["s1"])
    assert verify_hmac_sha256(body, sig.upper(), ["old", "s1"])
    assert verify_hmac_sha256(body, "sha256=" + sig, ["s1"], prefix="sha256=")
    assert not verify_hmac_sha256(body, sig, ["s1"], prefix="sha256=")
    assert verify_hmac_sha256(body, sig, ["s1"], prefix="sha256=", prefix_optional=True)
    assert not verify_hmac_sha256(body + b" ", sig, ["s1"])
    assert not verify_hmac_sha256(body, None, ["s1"])
    assert not verify_hmac_sha256(body, sig, [])


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/hook"


@pytest.fixture
async def receiver(sb: Sandbox) -> AsyncIterator[tuple[str, list[Event]]]:
    events: list[Event] = []

    async def handler(event: Event) -> None:
        if isinstance(event, MessageReceived) and event.text == "boom":
            raise RuntimeError("handler bug")
        events.append(event)

    app = sb.client("toy").webhook_app(handler, path="/hook")
    runner, url = await serve(app)
    yield url, events
    await runner.cleanup()


async def post(url: str, payload: object, *, secret: str = TOY_SECRET) -> int:
    body = json.dumps(payload).encode()
    headers = {"x-toy-signature": hmac_sha256_hex(secret, body)}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as resp,
    ):
        return resp.status


async def wait_for(events: list[Event], n: int) -> None:
    for _ in range(100):
        if len(events) >= n:
            return
        await asyncio.sleep(0.01)


async def test_receiver_dedupes_and_survives_handler_errors(
    receiver: tuple[str, list[Event]],
) -> None:
    url, events = receiver
    batch = [
        {"kind": "message", "id": "m1", "from": "+1", "text": "boom"},
        {"kind": "status", "id": "w1", "status": "delivered"},
        {"kind": "mystery"},
    ]
    assert await post(url, batch) == 200
    assert await post(url, batch) == 200  # redelivery: statuses/messages deduped
    await wait_for(events, 3)
    await asyncio.sleep(0.05)
    kinds = [type(e).__name__ for e in events]
    assert kinds.count("StatusUpdate") == 1
    assert kinds.count("UnknownEvent") == 2  # unknown events are never deduplicated
    assert isinstance(events[0], StatusUpdate) and events[0].message_id == "w1"


async def test_receiver_rejects_bad_signatures_without_calling_handler(
    receiver: tuple[str, list[Event]],
) -> None:
    url, events = receiver
    assert await post(url, {"kind": "status", "id": "w", "status": "read"}, secret="nope") == 401
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=b"{}") as resp:
            assert resp.status == 401
        async with session.get(url) as resp:
            assert resp.status == 405  # the toy provider has no handshake
        async with session.post(url, data=io.BytesIO(b"x" * (4 * 1024 * 1024))) as resp:
            assert resp.status == 413
    await asyncio.sleep(0.05)
    assert events == []


async def test_parse_webhook_directly(sb: Sandbox) -> None:
    wa = sb.client("toy")
    body = b"not json"
    sig = hmac_sha256_hex(TOY_SECRET, body)
    [event] = wa.parse_webhook({"x-toy-signature": sig}, body)
    assert isinstance(event, UnknownEvent)
    with pytest.raises(WebhookSignatureError):
        wa.parse_webhook({}, body)


# -- hostile input: 400, never 500 ------------------------------------------------------------
async def post_raw(url: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=body, headers=headers or {}, skip_auto_headers=["Content-Type"]
        ) as resp,
    ):
        return resp.status


def signed(body: bytes) -> dict[str, str]:
    return {"x-toy-signature": hmac_sha256_hex(TOY_SECRET, body)}


async def test_a_body_nested_too_deep_for_the_parser_is_a_400(
    receiver: tuple[str, list[Event]],
) -> None:
    # The toy provider decodes with msgspec itself: the client turns its RecursionError
    # into WebhookPayloadError, and the receiver answers 400 without calling the handler.
    url, events = receiver
    deep = b"[" * 5000 + b"]" * 5000
    assert await post_raw(url, deep, signed(deep)) == 400
    broken_gzip = b"not gzip at all"
    headers = {**signed(broken_gzip), "Content-Encoding": "gzip"}
    assert await post_raw(url, broken_gzip, headers) == 400  # aiohttp cannot even read it
    await asyncio.sleep(0.05)
    assert events == []


def test_parse_webhook_turns_a_parsers_recursion_error_into_the_payload_error(
    sb: Sandbox,
) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    with pytest.raises(WebhookPayloadError, match="nests too deep"):
        sb.client("toy").parse_webhook(signed(deep), deep)
