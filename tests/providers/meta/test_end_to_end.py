"""End to end: sends through the sandbox, the simulator's signed webhooks into wa.webhook_app.

Also: who owns the aiohttp session (a caller's is never closed; ``async with`` closes
the client's own, leaving no unclosed-session warnings).
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from whatsapp_async import (
    ClientClosedError,
    Event,
    MessageReceived,
    StatusUpdate,
    Text,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator

from .conftest import TO

DEADLINE = 5.0


class Inbox:
    """Collects events and lets a test wait for one that matches."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Condition()

    async def handle(self, event: Event) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def wait_for(self, match: Callable[[list[Event]], bool]) -> list[Event]:
        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: match(self.events))

        await asyncio.wait_for(until(), DEADLINE)
        return self.events


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a 127.0.0.1 port-0 socket; yield its URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    finally:
        await runner.cleanup()


def _statuses(events: list[Event], message_id: str) -> list[str]:
    return [e.status for e in events if isinstance(e, StatusUpdate) and e.message_id == message_id]


async def test_send_then_sent_and_delivered_arrive_through_the_webhook_app(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta")
    inbox = Inbox()
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)

        result = await wa.send(TO, Text("Your order has shipped"), metadata={"order": "1234"})
        events = await inbox.wait_for(lambda ev: _statuses(ev, result.id) == ["sent", "delivered"])

    updates = [e for e in events if isinstance(e, StatusUpdate)]
    assert [u.status for u in updates] == ["sent", "delivered"]
    for update in updates:
        assert update.provider == "meta"
        assert update.message_id == result.id
        assert update.recipient == TO
        assert update.wa_id == TO[1:]
        assert update.timestamp is not None
        opaque = json.loads(update.raw["biz_opaque_callback_data"])
        assert opaque == {"_wa_cid": update.correlation_id, "order": "1234"}
        assert update.metadata == {"order": "1234"}
    assert updates[0].raw["pricing"]["pricing_model"] == "PMP"
    assert [status for status, _ in sim.webhook_deliveries] == [200, 200]


async def test_read_receipts_and_failures_arrive_too(sb: Sandbox, sim: MetaSimulator) -> None:
    wa = sb.client("meta")
    sim.send_read_receipts = True
    sim.undeliverable.add("14155552671")
    inbox = Inbox()
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)
        delivered = await wa.send(TO, Text("one"))
        failed = await wa.send("+14155552671", Text("two"))
        events = await inbox.wait_for(
            lambda ev: len(_statuses(ev, delivered.id)) == 3 and len(_statuses(ev, failed.id)) == 1
        )

    assert _statuses(events, delivered.id) == ["sent", "delivered", "read"]
    [failure] = [e for e in events if isinstance(e, StatusUpdate) and e.message_id == failed.id]
    assert failure.status == "failed"
    assert failure.error is not None
    assert failure.error.code == "131026"


async def test_inbound_messages_arrive_and_can_be_marked_read(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta")
    inbox = Inbox()
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)
        sent = await wa.send(TO, Text("How was it?"))
        wamid = await sim.emit_inbound(
            from_=TO, text="Great, thanks", name="Kai Ito", reply_to=sent.id
        )
        image = await sim.emit_inbound(
            from_=TO,
            message={
                "type": "image",
                "image": {
                    "id": "1003383421387256",
                    "mime_type": "image/jpeg",
                    "sha256": "x",
                    "caption": "receipt",
                },
            },
        )
        events = await inbox.wait_for(
            lambda ev: (
                {e.message_id for e in ev if isinstance(e, MessageReceived)} == {wamid, image}
            )
        )
        await wa.mark_read(wamid, typing=True)

    [text, photo] = [e for e in events if isinstance(e, MessageReceived)]
    assert (text.message_id, text.sender, text.text, text.sender_name) == (
        wamid,
        TO,
        "Great, thanks",
        "Kai Ito",
    )
    assert text.reply_to == sent.id
    assert text.recipient == sim.phone_number_id
    assert (photo.type, photo.text) == ("image", "receipt")
    assert photo.media is not None and photo.media.id == "1003383421387256"
    assert sim.marked_read == [(wamid, True)]


async def test_a_receiver_with_the_wrong_secret_rejects_every_delivery(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta", app_secret="not-the-simulators-secret")
    inbox = Inbox()
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)
        await wa.send(TO, Text("hi"))
        await sim.drain()
    assert [status for status, _ in sim.webhook_deliveries] == [401, 401]
    assert inbox.events == []


async def test_webhook_app_answers_metas_handshake(sb: Sandbox) -> None:
    wa = sb.client("meta")
    token = sb.settings("meta")["verify_token"]
    async with (
        serve(wa.webhook_app(Inbox().handle, path="/hook")) as url,
        aiohttp.ClientSession() as http,
    ):
        good = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
        async with http.get(url, params=good) as response:
            assert (response.status, await response.text()) == (200, "1158201444")
        bad = {**good, "hub.verify_token": "guess"}
        async with http.get(url, params=bad) as response:
            assert response.status == 403
            assert token not in await response.text()


async def test_a_caller_owned_session_is_never_closed(sb: Sandbox) -> None:
    options: dict[str, Any] = {**sb.settings("meta"), "base_url": sb.base_url("meta")}
    async with aiohttp.ClientSession() as session:
        async with WhatsApp("meta", session=session, **options) as wa:
            await wa.send(TO, Text("one"))
        assert not session.closed
        wa2 = WhatsApp("meta", session=session, **options)
        await wa2.send(TO, Text("two"))
        await wa2.aclose()
        assert not session.closed
        async with session.get(f"{sb.base_url('meta')}/{API}/nothing") as response:
            assert response.status == 400  # the session still works
    assert len(sb.requests("meta")) == 3


async def test_async_with_closes_the_session_it_opened(sb: Sandbox) -> None:
    options: dict[str, Any] = {**sb.settings("meta"), "base_url": sb.base_url("meta")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with WhatsApp("meta", **options) as wa:
            await wa.send(TO, Text("hi"))
        with pytest.raises(ClientClosedError):
            await wa.send(TO, Text("after close"))
        del wa
        gc.collect()
    unclosed = [
        w for w in caught if "Unclosed" in str(w.message) or issubclass(w.category, ResourceWarning)
    ]
    assert unclosed == []
    assert len(sb.requests("meta")) == 1
