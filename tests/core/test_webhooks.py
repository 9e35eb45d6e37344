"""Signature helpers and the receiver app, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from whatsapp_async import (
    ConfigurationError,
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


# -- bounded handler concurrency ----------------------------------------------------------------
async def test_beyond_max_concurrent_handlers_the_app_answers_503_and_accepts_nothing(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    release = asyncio.Event()
    handled: list[str] = []

    async def slow(event: Event) -> None:
        await release.wait()
        assert isinstance(event, StatusUpdate)
        handled.append(event.message_id)

    app = sb.client("toy").webhook_app(slow, path="/hook", max_concurrent_handlers=2)
    runner, url = await serve(app)
    try:
        with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
            assert await post(url, [{"kind": "status", "id": "w1", "status": "read"}]) == 200
            assert await post(url, [{"kind": "status", "id": "w2", "status": "read"}]) == 200
            third = [{"kind": "status", "id": "w3", "status": "read"}]
            assert await post(url, third) == 503
            assert await post(url, third) == 503
        busy = [r for r in caplog.records if "max_concurrent_handlers" in r.getMessage()]
        assert len(busy) == 1  # once per saturated stretch, not per refused delivery
        release.set()
        await wait_for_ids(handled, 2)
        # The refused delivery was not remembered: its redelivery is handled, not deduplicated.
        assert await post(url, third) == 200
        await wait_for_ids(handled, 3)
        assert sorted(handled) == ["w1", "w2", "w3"]
    finally:
        await runner.cleanup()


async def wait_for_ids(ids: list[str], n: int) -> None:
    for _ in range(200):
        if len(ids) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {ids} handled")


def test_the_bounds_must_make_sense(sb: Sandbox) -> None:
    wa = sb.client("toy")
    with pytest.raises(ConfigurationError, match="max_concurrent_handlers"):
        wa.webhook_app(lambda event: None, max_concurrent_handlers=0)
    with pytest.raises(ConfigurationError, match="shutdown_grace"):
        wa.webhook_app(lambda event: None, shutdown_grace=-1)


# -- shutdown: the grace, then cancelled events are logged by id ------------------------------
async def test_shutdown_waits_for_a_handler_within_the_grace(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    handled: list[str] = []

    async def brief(event: Event) -> None:
        await asyncio.sleep(0.1)
        handled.append(getattr(event, "message_id", "?"))

    runner, url = await serve(sb.client("toy").webhook_app(brief, path="/hook", shutdown_grace=5))
    assert await post(url, [{"kind": "status", "id": "w1", "status": "read"}]) == 200
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        await runner.cleanup()
    assert handled == ["w1"]
    assert not [r for r in caplog.records if "shutdown" in r.getMessage()]


async def test_shutdown_cancels_late_handlers_and_logs_every_unfinished_event(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    started: list[str] = []
    cancelled: list[str] = []

    async def stuck(event: Event) -> None:
        message_id = getattr(event, "message_id", "?")
        started.append(message_id)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(message_id)
            raise

    app = sb.client("toy").webhook_app(stuck, path="/hook", shutdown_grace=0.2)
    runner, url = await serve(app)
    batch = [
        {"kind": "message", "id": "m1", "from": "+1", "text": "hi"},
        {"kind": "status", "id": "w1", "status": "delivered"},
        {"kind": "mystery"},
    ]
    assert await post(url, batch) == 200
    assert await post(url, [{"kind": "status", "id": "w2", "status": "read"}]) == 200
    await wait_for_ids(started, 2)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        began = time.monotonic()
        await runner.cleanup()
        took = time.monotonic() - began
    assert 0.2 <= took < 2
    assert sorted(cancelled) == ["m1", "w2"]  # the two in progress; the rest never started
    [line] = [r for r in caplog.records if "shutdown" in r.getMessage()]
    assert line.levelno == logging.WARNING
    message = line.getMessage()
    assert message.startswith("toy webhooks: shutdown cancelled")
    for label in ("m1 (message)", "w1 (delivered)", "? (unknown event)", "w2 (read)"):
        assert label in message
    assert sorted(line.event_ids) == sorted(  # type: ignore[attr-defined]
        ["m1 (message)", "w1 (delivered)", "? (unknown event)", "w2 (read)"]
    )


async def test_a_handler_that_swallows_the_cancel_still_stops_at_shutdown(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    async def stubborn(event: Event) -> None:
        seen.append(getattr(event, "message_id", "?"))
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()

    app = sb.client("toy").webhook_app(stubborn, path="/hook", shutdown_grace=0.1)
    runner, url = await serve(app)
    batch = [
        {"kind": "status", "id": "w1", "status": "read"},
        {"kind": "status", "id": "w2", "status": "read"},
    ]
    assert await post(url, batch) == 200
    await wait_for_ids(seen, 1)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        await runner.cleanup()
    assert seen == ["w1"]  # w2 is never handed over after the cancel
    [line] = [r for r in caplog.records if "shutdown" in r.getMessage()]
    assert "w2 (read)" in line.getMessage() and "w1" not in line.getMessage()
