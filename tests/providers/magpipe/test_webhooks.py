"""The inbound ``whatsapp.received`` forward: parsing, the token gate, and the loop end to end."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest

from whatsapp_async import (
    ConfigurationError,
    Event,
    InboundMedia,
    MessageReceived,
    Template,
    Text,
    UnknownEvent,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox

from .helpers import TO, TO_DIGITS, fixture_bytes, fixture_json, serve, simulator

KEY = "mgp_" + "ab" * 20
TOKEN = "hook-token-0123456789"


def client(**settings: Any) -> WhatsApp:
    return WhatsApp("magpipe", api_key=KEY, **settings)


def test_the_reconstructed_forward_parses_into_message_received() -> None:
    body = fixture_bytes("magpipe_webhook_whatsapp_received__RECONSTRUCTED_from_source.json")
    [event] = client().parse_webhook({"Content-Type": "application/json"}, body)
    assert isinstance(event, MessageReceived)
    assert event == MessageReceived(
        provider="magpipe",
        message_id="wamid.<inbound>",
        sender="+16045628647",
        type="image",
        timestamp=datetime(2025, 6, 15, 15, 6, 40, tzinfo=timezone.utc),
        text="Report done, photos attached",
        media=InboundMedia(url="<signed url>", mime_type="image/jpeg", caption="north wall"),
        reply_to="wamid.<outbound template>",
        sender_name="John",
        recipient="1047232108475031",
        business_id="1047232108475031",
        metadata={"schedule_id": "sch_123", "project_id": "proj_456"},
        raw=fixture_json("magpipe_webhook_whatsapp_received__RECONSTRUCTED_from_source.json"),
    )


def test_the_older_shorter_forward_still_parses() -> None:
    body = fixture_bytes("magpipe_webhook_whatsapp_received_legacy__source.json")
    [event] = client().parse_webhook({}, body)
    assert isinstance(event, MessageReceived)
    assert event.type == "text"
    assert event.text == "[Voice message transcript]: running late"
    assert event.media is None and event.reply_to is None and event.metadata is None
    assert event.sender_name is None
    assert event.timestamp == datetime.fromtimestamp(1750000123, tz=timezone.utc)


@pytest.mark.parametrize(
    ("mime_type", "kind"),
    [
        ("image/jpeg", "image"),
        ("video/mp4", "video"),
        ("audio/ogg", "audio"),
        ("application/pdf", "document"),
        ("text/plain", "document"),
        (None, "document"),
    ],
)
def test_message_type_is_inferred_from_the_media_mime_type(
    mime_type: str | None, kind: str
) -> None:
    payload = {
        "event": "whatsapp.received",
        "from": "16045628647",
        "message_id": "wamid.A",
        "content": "[media]",
        "media": [{"url": "https://cdn.example/x", "mime_type": mime_type, "caption": None}],
        "timestamp": "1750000000",
    }
    [event] = client().parse_webhook({}, json.dumps(payload).encode())
    assert isinstance(event, MessageReceived)
    assert event.type == kind
    assert event.media is not None and event.media.url == "https://cdn.example/x"


ODD_SHAPES = [
    b"[1, 2, 3]",
    b'"whatsapp.received"',
    b"null",
    b'{"event": "call.completed", "data": {}}',
    b'{"event": "whatsapp.status", "message_id": "wamid.A", "from": "1"}',
    b'{"object": "whatsapp_business_account", "entry": []}',
    b'{"event": "whatsapp.received", "from": "16045628647"}',
    b'{"event": "whatsapp.received", "from": 16045628647, "message_id": "wamid.A"}',
    b'{"event": "whatsapp.received", "from": "", "message_id": "wamid.A"}',
]


def test_a_field_of_an_odd_type_degrades_that_field_not_the_message() -> None:
    body = b'{"event": "whatsapp.received", "from": "1", "message_id": "w", "media": "x"}'
    [event] = client().parse_webhook({}, body)
    assert isinstance(event, MessageReceived)
    assert (event.message_id, event.media, event.raw["media"]) == ("w", None, "x")


UNREADABLE = [
    b"",
    b"  \n",
    b"not json at all",
    b'{"event": "whatsapp.received", "from": "1604',
    b"\xff\xfe\x00garbage",
    b'{"event": "whatsapp.received", "from": "\xc3\x28"}',
    b"[" * 65 + b"]" * 65,
]


@pytest.mark.parametrize("body", ODD_SHAPES)
def test_json_of_any_other_shape_becomes_unknown_event(body: bytes) -> None:
    events = client().parse_webhook({}, body)
    assert len(events) == 1
    assert isinstance(events[0], UnknownEvent)
    assert events[0].provider == "magpipe"


@pytest.mark.parametrize("body", UNREADABLE)
def test_a_body_that_is_not_readable_json_raises_the_payload_error(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError) as caught:
        client(webhook_token=TOKEN).parse_webhook({}, body, {"token": TOKEN})
    assert caught.value.provider == "magpipe"


def test_a_repeated_or_odd_token_is_refused_never_crashes() -> None:
    from multidict import MultiDict, MultiDictProxy

    wa = client(webhook_token=TOKEN)
    body = fixture_bytes("magpipe_webhook_whatsapp_received_legacy__source.json")
    twice = MultiDictProxy(MultiDict([("token", TOKEN), ("token", TOKEN)]))
    for query in (twice, {"token": "\u00e9" * 20}, {"token": "\ud800"}, {"token": "\x00"}):
        with pytest.raises(WebhookSignatureError):
            wa.parse_webhook({}, body, query)
    once = MultiDictProxy(MultiDict([("token", TOKEN), ("other", "x")]))
    assert isinstance(wa.parse_webhook({}, body, once)[0], MessageReceived)


def test_the_signed_account_webhook_is_not_mistaken_for_a_whatsapp_message() -> None:
    body = fixture_bytes("magpipe_webhook_call_completed_signed_envelope__docs.json")
    [event] = client().parse_webhook({"x-magpipe-signature": "sha256=00"}, body)
    assert isinstance(event, UnknownEvent)
    assert event.kind == "call.completed"


def test_odd_values_degrade_gracefully() -> None:
    payload = {
        "event": "whatsapp.received",
        "from": "+16045628647",
        "message_id": "wamid.A",
        "content": "hi",
        "metadata": ["not", "an", "object"],
        "timestamp": "yesterday",
        "context": None,
    }
    [event] = client().parse_webhook({}, json.dumps(payload).encode())
    assert isinstance(event, MessageReceived)
    assert event.sender == "+16045628647"
    assert event.metadata is None and event.timestamp is None


def test_token_is_required_when_configured() -> None:
    wa = client(webhook_token=TOKEN)
    body = fixture_bytes("magpipe_webhook_whatsapp_received__RECONSTRUCTED_from_source.json")
    for query in ({}, {"token": ""}, {"token": "wrong-token-0123456789"}, {"tok": TOKEN}):
        with pytest.raises(WebhookSignatureError) as caught:
            wa.parse_webhook({}, body, query)
        assert TOKEN not in str(caught.value)
    [event] = wa.parse_webhook({}, body, {"token": TOKEN})
    assert isinstance(event, MessageReceived)


def test_token_rotation_accepts_old_and_new() -> None:
    wa = client(webhook_token="new-token-abcdefgh", webhook_tokens=["old-token-abcdefgh"])
    body = fixture_bytes("magpipe_webhook_whatsapp_received_legacy__source.json")
    for token in ("new-token-abcdefgh", "old-token-abcdefgh"):
        assert isinstance(wa.parse_webhook({}, body, {"token": token})[0], MessageReceived)
    with pytest.raises(WebhookSignatureError):
        wa.parse_webhook({}, body, {"token": "other-token-abcdefgh"})


def test_a_garbage_body_with_a_wrong_token_is_rejected_first() -> None:
    with pytest.raises(WebhookSignatureError):
        client(webhook_token=TOKEN).parse_webhook({}, b"garbage", {"token": "nope-nope-nope"})


def test_without_a_token_deliveries_are_accepted_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wa = client()
    body = fixture_bytes("magpipe_webhook_whatsapp_received_legacy__source.json")
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        for _ in range(3):
            assert isinstance(wa.parse_webhook({}, body)[0], MessageReceived)
    warnings = [r for r in caplog.records if r.name == "whatsapp_async.webhooks"]
    assert len(warnings) == 1
    assert "webhook_token" in warnings[0].getMessage()


async def next_event(queue: asyncio.Queue[Event]) -> Event:
    return await asyncio.wait_for(queue.get(), timeout=5)


async def test_end_to_end_a_reply_to_a_template_arrives_with_its_metadata(sb: Sandbox) -> None:
    wa = sb.client("magpipe", webhook_token=TOKEN)
    received: asyncio.Queue[Event] = asyncio.Queue()
    sim = simulator(sb)
    async with serve(wa.webhook_app(received.put, path="/magpipe")) as base:
        sim.set_webhook(f"{base}/magpipe?token={TOKEN}")
        opener = await wa.send(
            TO, Template("upcoming_site_report", body=["John"]), metadata={"schedule_id": "sch_123"}
        )
        message_id = await sim.emit_inbound(
            from_=TO, text="Report done, photos attached", reply_to=opener.id
        )
        payload = sim.inbound[-1]
        event = await next_event(received)

    assert isinstance(event, MessageReceived)
    assert event.provider == "magpipe"
    assert event.message_id == message_id == payload["message_id"]
    assert event.sender == TO
    assert event.text == "Report done, photos attached"
    assert event.type == "text"
    assert event.reply_to == opener.id
    assert event.metadata == {"schedule_id": "sch_123"}
    assert event.sender_name == "John"
    assert event.raw == payload
    assert sim.webhook_deliveries[-1][0] == 200


async def test_end_to_end_without_reply_context_metadata_of_the_newest_send_is_echoed(
    sb: Sandbox,
) -> None:
    wa = sb.client("magpipe", webhook_token=TOKEN)
    received: asyncio.Queue[Event] = asyncio.Queue()
    sim = simulator(sb)
    async with serve(wa.webhook_app(received.put)) as base:
        sim.set_webhook(f"{base}/?token={TOKEN}")
        await wa.send(TO, Template("hello_world"), metadata={"ticket": "T-1"})
        await wa.send(TO, Text("a follow-up"), metadata={"ticket": "T-2"})
        await wa.send(TO, Text("no metadata here"))
        await sim.emit_inbound(
            from_=TO_DIGITS,
            text="north wall",
            media=[{"url": "https://cdn.example/s", "mime_type": "image/jpeg", "caption": "n"}],
        )
        event = await next_event(received)
    assert isinstance(event, MessageReceived)
    assert event.metadata == {"ticket": "T-2"}
    assert event.reply_to is None
    assert event.type == "image"
    assert event.media is not None and event.media.caption == "n"


async def test_end_to_end_a_wrong_token_is_refused_with_401(sb: Sandbox) -> None:
    wa = sb.client("magpipe", webhook_token=TOKEN)
    received: asyncio.Queue[Event] = asyncio.Queue()
    sim = simulator(sb)
    async with serve(wa.webhook_app(received.put)) as base:
        sim.set_webhook(base + "/?token=guessed-token-000")
        await sim.emit_inbound(from_=TO, text="hello?")
        sim.set_webhook(base + "/")
        await sim.emit_inbound(from_=TO, text="hello?")
        async with (
            aiohttp.ClientSession() as session,
            session.post(base + "/", data=b'{"event":"whatsapp.received"}') as response,
        ):
            assert response.status == 401
    assert [status for status, _ in sim.webhook_deliveries] == [401, 401]
    assert received.empty()


async def test_a_receiver_without_a_token_refuses_to_start_unless_allowed(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    wa = sb.client("magpipe")
    with pytest.raises(ConfigurationError, match="webhook_token"):
        wa.webhook_app(lambda event: None)
    received: asyncio.Queue[Event] = asyncio.Queue()
    sim = simulator(sb)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        async with serve(wa.webhook_app(received.put, allow_unsigned=True)) as base:
            sim.set_webhook(base + "/")
            await sim.emit_inbound(from_=TO, text="anyone may post this")
            await sim.emit_inbound(from_=TO, text="and this")
            assert isinstance(await next_event(received), MessageReceived)
    warnings = [r for r in caplog.records if "unverified" in r.getMessage()]
    assert len(warnings) == 1  # once: at build time, not again per delivery
    assert [status for status, _ in sim.webhook_deliveries] == [200, 200]


async def test_emit_inbound_needs_a_webhook_url(sb: Sandbox) -> None:
    with pytest.raises(RuntimeError, match="set_webhook"):
        await simulator(sb).emit_inbound(from_=TO, text="hi")
