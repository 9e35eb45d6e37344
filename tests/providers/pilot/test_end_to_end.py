"""A send through the sandbox, with the simulator's signed webhooks hitting wa.webhook_app."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web

from whatsapp_async import Event, Image, MessageReceived, StatusUpdate, Text, WhatsApp
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import PHONE


class Inbox:
    """Events the receiver app handed to the handler, with a way to wait for some."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Condition()

    async def handle(self, event: Event) -> None:
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    async def wait_for(self, done: Callable[[list[Event]], bool], timeout: float = 3.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: done(self.events)), timeout)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    return runner, f"http://127.0.0.1:{sock.getsockname()[1]}/hooks/pilot"


@pytest.fixture
async def receiving(sb: Sandbox) -> AsyncIterator[tuple[WhatsApp, Inbox]]:
    wa = sb.client("pilot")
    inbox = Inbox()
    runner, url = await serve(wa.webhook_app(inbox.handle, path="/hooks/pilot"))
    sb.set_webhook("pilot", url)
    yield wa, inbox
    await runner.cleanup()


def statuses_for(events: list[Event], message_id: str) -> list[str]:
    return [e.status for e in events if isinstance(e, StatusUpdate) and e.message_id == message_id]


async def test_status_webhooks_reach_the_handler_for_the_send(
    receiving: tuple[WhatsApp, Inbox], sim: PilotSimulator
) -> None:
    wa, inbox = receiving
    result = await wa.send(PHONE, Text("Your order has shipped"))
    await inbox.wait_for(lambda events: len(statuses_for(events, result.id)) >= 2)
    assert statuses_for(inbox.events, result.id) == ["sent", "delivered"]
    sent, delivered = (e for e in inbox.events if isinstance(e, StatusUpdate))
    assert sent.wa_id is not None and sent.wa_id == delivered.wa_id
    assert sent.wa_id == sim.messages[result.id].wa_id
    assert sent.recipient == PHONE and sent.timestamp is not None
    # Every delivery was signed and accepted by the receiver.
    assert [status for status, _ in sim.webhook_deliveries] == [200, 200]


async def test_failures_and_media_sends_reach_the_handler(
    receiving: tuple[WhatsApp, Inbox], sim: PilotSimulator
) -> None:
    sim.progress_delay = 5.0  # keep it QUEUED: the test moves it by hand
    wa, inbox = receiving
    result = await wa.send(PHONE, Image(link="https://cdn.example.com/a.png", caption="A"))
    await sim.transition(result.id, "FAILED", error_code="WHATSAPP_NOT_EXIST", error="Not on WA")
    await inbox.wait_for(lambda events: bool(statuses_for(events, result.id)))
    [failed] = inbox.events
    assert isinstance(failed, StatusUpdate) and failed.status == "failed"
    assert failed.error is not None
    assert (failed.error.code, failed.error.title) == ("WHATSAPP_NOT_EXIST", "Not on WA")
    assert failed.raw["data"]["mediaLink"] == "https://cdn.example.com/a.png"


async def test_inbound_reply_reaches_the_handler(
    receiving: tuple[WhatsApp, Inbox], sim: PilotSimulator
) -> None:
    _, inbox = receiving
    message_id = await sim.emit_inbound(text="Yes", reply_to="wamid.ORIGINAL")
    await inbox.wait_for(lambda events: bool(events))
    [event] = inbox.events
    assert isinstance(event, MessageReceived)
    assert (event.message_id, event.sender, event.text, event.reply_to) == (
        message_id,
        "+5511987654321",
        "Yes",
        "wamid.ORIGINAL",
    )


async def test_a_receiver_with_another_secret_rejects_the_simulator(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    wa = sb.client("pilot", webhook_secret="plwh_someone_else")
    inbox = Inbox()
    runner, url = await serve(wa.webhook_app(inbox.handle, path="/hooks/pilot"))
    try:
        sb.set_webhook("pilot", url)
        await sim.emit_inbound(text="hello")
        assert [status for status, _ in sim.webhook_deliveries] == [401]
        assert inbox.events == []
    finally:
        await runner.cleanup()
