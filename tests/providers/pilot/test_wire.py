"""What goes on the wire for every mode, destination kind and option (exact bodies and headers)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from whatsapp_async import (
    Audio,
    Buttons,
    Channel,
    Document,
    Group,
    Image,
    Message,
    ReplyButton,
    SendResult,
    Sticker,
    Template,
    Text,
    Video,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import API_KEY, API_KEY_ID, NUMBER_ID, PilotSimulator

from .conftest import CHANNEL, GROUP, PHONE


async def send_one(sb: Sandbox, to: Any, message: Message, **options: Any) -> dict[str, Any]:
    result = await sb.client("pilot").send(to, message, **options)
    assert result.status == "queued"
    [record] = sb.requests("pilot")
    assert (record.method, record.path, record.status) == ("POST", "/v1/messages/send", 202)
    body: dict[str, Any] = record.json
    return body


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (Text("Olá, tudo bem?"), {"text": "Olá, tudo bem?"}),
        (
            Template("order_update", body=["Ada", "#1234"]),
            {"templateId": "order_update", "variables": {"1": "Ada", "2": "#1234"}},
        ),
        (
            Template("welcome_message", body={"name": "Ada"}),
            {"templateId": "welcome_message", "variables": {"name": "Ada"}},
        ),
        (Template("promo_blast"), {"templateId": "promo_blast", "variables": {}}),
        (
            Template(
                "order_update",
                body=["Ada", "#1"],
                header=Image(link="https://cdn.example.com/receipt"),
            ),
            {
                "templateId": "order_update",
                "variables": {"1": "Ada", "2": "#1"},
                "media": "https://cdn.example.com/receipt",
                "mediaType": "image",
            },
        ),
        (
            Image(link="https://cdn.example.com/a.png", caption="Receipt"),
            {"media": "https://cdn.example.com/a.png", "mediaType": "image", "caption": "Receipt"},
        ),
        (
            Video(link="https://cdn.example.com/clip.mp4"),
            {"media": "https://cdn.example.com/clip.mp4", "mediaType": "video"},
        ),
        (
            Document(link="https://cdn.example.com/invoice?id=7", caption="Invoice"),
            {
                "media": "https://cdn.example.com/invoice?id=7",
                "mediaType": "document",
                "caption": "Invoice",
            },
        ),
        (
            Audio(link="https://cdn.example.com/note.ogg"),
            {"media": "https://cdn.example.com/note.ogg", "mediaType": "audio"},
        ),
        (
            Sticker(link="https://cdn.example.com/s.webp"),
            {"media": "https://cdn.example.com/s.webp", "mediaType": "sticker"},
        ),
        (
            Buttons(
                "Confirm your order?",
                [ReplyButton("yes", "Yes"), ReplyButton("no", "No")],
                header="Order #1234",
                footer="Acme Store",
            ),
            {
                "text": "Confirm your order?",
                "buttons": [
                    {"type": "reply", "displayText": "Yes", "id": "yes"},
                    {"type": "reply", "displayText": "No", "id": "no"},
                ],
                "header": {"type": "text", "content": "Order #1234"},
                "footer": "Acme Store",
            },
        ),
        (
            Buttons(
                "Rate us",
                [ReplyButton("5", "Great")],
                header=Image(link="https://cdn.example.com/logo.png"),
            ),
            {
                "text": "Rate us",
                "buttons": [{"type": "reply", "displayText": "Great", "id": "5"}],
                "header": {"type": "image", "content": "https://cdn.example.com/logo.png"},
            },
        ),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, dict) else "",
)
async def test_every_mode_to_a_phone(
    sb: Sandbox, message: Message, expected: dict[str, Any]
) -> None:
    body = await send_one(sb, PHONE, message, idempotency_key="key-1")
    assert body == {"destinationNumber": PHONE, **expected}


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("+55 (11) 98765-4321", {"destinationNumber": PHONE}),
        (Group(GROUP), {"groupId": GROUP}),
        (Channel(CHANNEL), {"newsletterId": CHANNEL}),
    ],
)
async def test_every_destination_kind(sb: Sandbox, to: Any, expected: dict[str, str]) -> None:
    body = await send_one(sb, to, Text("hello"))
    assert body == {**expected, "text": "hello"}


async def test_headers_auth_content_type_and_idempotency_key(sb: Sandbox) -> None:
    result = await sb.client("pilot").send(PHONE, Text("hi"), idempotency_key="order-1234")
    [record] = sb.requests("pilot")
    assert record.headers["x-api-key"] == API_KEY
    assert "x-api-key-id" not in record.headers
    assert "x-whatsapp-number-id" not in record.headers
    assert record.headers["Content-Type"] == "application/json"
    assert record.headers["Idempotency-Key"] == "order-1234"
    assert result.idempotent_replayed is False


async def test_a_key_is_generated_per_send_when_none_is_given(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    await wa.send(PHONE, Text("one"))
    await wa.send(PHONE, Text("two"))
    keys = [r.headers["Idempotency-Key"] for r in sb.requests("pilot")]
    assert len(set(keys)) == 2 and all(len(k) == 32 for k in keys)


async def test_api_key_id_and_number_id_headers(sb: Sandbox) -> None:
    wa = sb.client("pilot", api_key=None, api_key_id=API_KEY_ID, whatsapp_number_id=NUMBER_ID)
    await wa.send(PHONE, Text("hi"))
    [record] = sb.requests("pilot")
    assert record.headers["x-api-key-id"] == API_KEY_ID
    assert "x-api-key" not in record.headers
    assert record.headers["x-whatsapp-number-id"] == NUMBER_ID


async def test_scheduling_options_are_iso8601_utc(sb: Sandbox) -> None:
    brasilia = timezone(timedelta(hours=-3))
    at = datetime(2031, 3, 1, 9, 30, 0, 250000, tzinfo=brasilia)
    until = at + timedelta(hours=2)
    body = await send_one(sb, PHONE, Text("later"), deliver_at=at, deliver_until=until)
    assert body == {
        "destinationNumber": PHONE,
        "text": "later",
        "deliverAt": "2031-03-01T12:30:00.250Z",
        "deliverUntil": "2031-03-01T14:30:00.250Z",
    }


async def test_labels_and_marketing_options_through_extra(sb: Sandbox) -> None:
    body = await send_one(
        sb,
        PHONE,
        Template("promo_blast"),
        extra={"labels": ["vip", "sp"], "marketingOptions": {"aiRewriteEnabled": True}},
    )
    assert body == {
        "destinationNumber": PHONE,
        "templateId": "promo_blast",
        "variables": {},
        "labels": ["vip", "sp"],
        "marketingOptions": {"aiRewriteEnabled": True},
    }


async def test_url_call_and_copy_buttons_through_extra(sb: Sandbox) -> None:
    buttons = [
        {"type": "url", "displayText": "Track", "url": "https://example.com/t/1"},
        {"type": "call", "displayText": "Call us", "phoneNumber": "+5511999999999"},
        {"type": "copy", "displayText": "Coupon", "copyCode": "ABC123"},
    ]
    body = await send_one(
        sb, PHONE, Text("Your order"), extra={"buttons": buttons, "footer": "Acme"}
    )
    assert body == {
        "destinationNumber": PHONE,
        "text": "Your order",
        "buttons": buttons,
        "footer": "Acme",
    }


async def test_extra_none_removes_a_field(sb: Sandbox) -> None:
    message = Buttons("Pick", [ReplyButton("a", "A")], footer="Acme")
    body = await send_one(sb, PHONE, message, extra={"footer": None})
    assert "footer" not in body


async def test_button_label_key_is_a_setting(sb: Sandbox) -> None:
    wa = sb.client("pilot", button_label_key="label")
    await wa.send(PHONE, Buttons("Ok?", [ReplyButton("y", "Yes")]))
    [record] = sb.requests("pilot")
    assert record.json["buttons"] == [{"type": "reply", "label": "Yes", "id": "y"}]


async def notify_shipped(wa: WhatsApp, to: str) -> SendResult:
    """The same call site a Meta or Magpipe user writes."""
    return await wa.send(to, Text("Your order has shipped"))


async def test_same_call_site_works_for_pilot(sb: Sandbox, sim: PilotSimulator) -> None:
    result = await notify_shipped(sb.client("pilot"), "+5511987654321")
    assert (result.status, result.provider, result.recipient) == ("queued", "pilot", PHONE)
    assert result.id in sim.messages
    assert result.raw["correlationId"] == sim.messages[result.id].correlation_id
    assert result.wa_id is None  # the wamid arrives with message.sent
