"""Every message type sent end to end over HTTP to the simulator, with the exact JSON body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from whatsapp_async import (
    Audio,
    Buttons,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
    Document,
    Group,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Reaction,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    Text,
    Video,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator

from .conftest import TO, without_correlation

WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUYxMjM0NTY3ODkwAA=="
BASE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}

CASES: list[tuple[str, Any, dict[str, Any], dict[str, Any]]] = [
    (
        "text",
        Text("Your order has shipped"),
        {},
        {"type": "text", "text": {"body": "Your order has shipped", "preview_url": False}},
    ),
    (
        "text-preview",
        Text("Track it at https://shop.example/t/1", preview_url=True),
        {},
        {
            "type": "text",
            "text": {"body": "Track it at https://shop.example/t/1", "preview_url": True},
        },
    ),
    (
        "image-link",
        Image(link="https://cdn.example/receipt.png", caption="Receipt"),
        {},
        {
            "type": "image",
            "image": {"link": "https://cdn.example/receipt.png", "caption": "Receipt"},
        },
    ),
    (
        "image-id",
        Image(id="1003383421387256"),
        {},
        {"type": "image", "image": {"id": "1003383421387256"}},
    ),
    (
        "video",
        Video(link="https://cdn.example/clip.mp4", caption="Clip"),
        {},
        {"type": "video", "video": {"link": "https://cdn.example/clip.mp4", "caption": "Clip"}},
    ),
    (
        "audio",
        Audio(id="1145362573962447"),
        {},
        {"type": "audio", "audio": {"id": "1145362573962447"}},
    ),
    (
        "document",
        Document(link="https://cdn.example/inv.pdf", filename="invoice.pdf", caption="Invoice"),
        {},
        {
            "type": "document",
            "document": {
                "link": "https://cdn.example/inv.pdf",
                "caption": "Invoice",
                "filename": "invoice.pdf",
            },
        },
    ),
    (
        "sticker-id",
        Sticker(id="798882015472548"),
        {},
        {"type": "sticker", "sticker": {"id": "798882015472548"}},
    ),
    (
        "sticker-link",
        Sticker(link="https://cdn.example/s.webp"),
        {},
        {"type": "sticker", "sticker": {"link": "https://cdn.example/s.webp"}},
    ),
    (
        "location",
        Location(37.4847, -122.1473, name="HQ", address="1 Hacker Way"),
        {},
        {
            "type": "location",
            "location": {
                "latitude": 37.4847,
                "longitude": -122.1473,
                "name": "HQ",
                "address": "1 Hacker Way",
            },
        },
    ),
    (
        "contacts",
        Contacts(
            [
                Contact(
                    name=ContactName(formatted_name="Ada Lovelace", first_name="Ada"),
                    phones=(ContactPhone("+1 (650) 555-0123", type="WORK", wa_id="16505550123"),),
                    emails=(ContactEmail("ada@example.com", type="WORK"),),
                    urls=(ContactUrl("https://ada.example"),),
                    addresses=(ContactAddress(city="London", country_code="GB", type="HOME"),),
                    org=ContactOrg(company="Analytical Engines", title="Programmer"),
                    birthday="1815-12-10",
                )
            ]
        ),
        {},
        {
            "type": "contacts",
            "contacts": [
                {
                    "name": {"formatted_name": "Ada Lovelace", "first_name": "Ada"},
                    "phones": [
                        {"phone": "+1 (650) 555-0123", "type": "WORK", "wa_id": "16505550123"}
                    ],
                    "emails": [{"email": "ada@example.com", "type": "WORK"}],
                    "urls": [{"url": "https://ada.example"}],
                    "addresses": [{"city": "London", "country_code": "GB", "type": "HOME"}],
                    "org": {"company": "Analytical Engines", "title": "Programmer"},
                    "birthday": "1815-12-10",
                }
            ],
        },
    ),
    (
        "reaction",
        Reaction(WAMID, "👍"),
        {},
        {"type": "reaction", "reaction": {"message_id": WAMID, "emoji": "👍"}},
    ),
    (
        "reaction-removed",
        Reaction(WAMID, ""),
        {},
        {"type": "reaction", "reaction": {"message_id": WAMID, "emoji": ""}},
    ),
    (
        "buttons-text-header",
        Buttons(
            "Confirm your slot?",
            [ReplyButton("yes", "Yes"), ReplyButton("no", "No")],
            header="Appointment",
            footer="Acme Clinic",
        ),
        {},
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "text", "text": "Appointment"},
                "body": {"text": "Confirm your slot?"},
                "footer": {"text": "Acme Clinic"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                        {"type": "reply", "reply": {"id": "no", "title": "No"}},
                    ]
                },
            },
        },
    ),
    (
        "buttons-image-header",
        Buttons("Like it?", [ReplyButton("like", "👍 Like")], header=Image(id="1003383421387256")),
        {},
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "image", "image": {"id": "1003383421387256"}},
                "body": {"text": "Like it?"},
                "action": {
                    "buttons": [{"type": "reply", "reply": {"id": "like", "title": "👍 Like"}}]
                },
            },
        },
    ),
    (
        "buttons-document-header",
        Buttons(
            "Sign it?",
            [ReplyButton("sign", "Sign"), ReplyButton("later", "Later"), ReplyButton("no", "No")],
            header=Document(link="https://cdn.example/c.pdf", filename="contract.pdf"),
        ),
        {},
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {
                    "type": "document",
                    "document": {"link": "https://cdn.example/c.pdf", "filename": "contract.pdf"},
                },
                "body": {"text": "Sign it?"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "sign", "title": "Sign"}},
                        {"type": "reply", "reply": {"id": "later", "title": "Later"}},
                        {"type": "reply", "reply": {"id": "no", "title": "No"}},
                    ]
                },
            },
        },
    ),
    (
        "list",
        ListMessage(
            "Pick a shipping option",
            "Options",
            [
                ListSection(
                    "Fast",
                    [ListRow("express", "Express", "Next day"), ListRow("priority", "Priority")],
                ),
                ListSection("Cheap", [ListRow("ground", "Ground", "3-5 days")]),
            ],
            header="Shipping",
            footer="Prices include tax",
        ),
        {},
        {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "header": {"type": "text", "text": "Shipping"},
                "body": {"text": "Pick a shipping option"},
                "footer": {"text": "Prices include tax"},
                "action": {
                    "button": "Options",
                    "sections": [
                        {
                            "title": "Fast",
                            "rows": [
                                {"id": "express", "title": "Express", "description": "Next day"},
                                {"id": "priority", "title": "Priority"},
                            ],
                        },
                        {
                            "title": "Cheap",
                            "rows": [
                                {"id": "ground", "title": "Ground", "description": "3-5 days"}
                            ],
                        },
                    ],
                },
            },
        },
    ),
    (
        "list-single-untitled-section",
        ListMessage("Pick one", "Choose", [ListSection("", [ListRow("a", "A")])]),
        {},
        {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "Pick one"},
                "action": {"button": "Choose", "sections": [{"rows": [{"id": "a", "title": "A"}]}]},
            },
        },
    ),
    (
        "template-positional-url-button",
        Template(
            "order_tracking",
            body=["PX-1234"],
            buttons=[TemplateButton(sub_type="url", value="PX-1234")],
        ),
        {},
        {
            "type": "template",
            "template": {
                "name": "order_tracking",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": "PX-1234"}]},
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "PX-1234"}],
                    },
                ],
            },
        },
    ),
    (
        "template-other-language",
        Template("order_update", language="es", body=["Ada", "#1234"]),
        {},
        {
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "es"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Ada"},
                            {"type": "text", "text": "#1234"},
                        ],
                    },
                ],
            },
        },
    ),
    (
        "template-named",
        Template("delivery_named", body={"first_name": "Ada", "order_id": "#1234"}),
        {},
        {
            "type": "template",
            "template": {
                "name": "delivery_named",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "parameter_name": "first_name", "text": "Ada"},
                            {"type": "text", "parameter_name": "order_id", "text": "#1234"},
                        ],
                    }
                ],
            },
        },
    ),
    (
        "template-text-header-quick-replies",
        Template(
            "appointment_reminder",
            header="Dr. Who",
            body=["Monday", "10:00"],
            buttons=[
                TemplateButton(sub_type="quick_reply", value="CONFIRM"),
                TemplateButton(sub_type="quick_reply", value="RESCHEDULE", index=1),
            ],
        ),
        {},
        {
            "type": "template",
            "template": {
                "name": "appointment_reminder",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "Dr. Who"}]},
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Monday"},
                            {"type": "text", "text": "10:00"},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": "0",
                        "parameters": [{"type": "payload", "payload": "CONFIRM"}],
                    },
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": "1",
                        "parameters": [{"type": "payload", "payload": "RESCHEDULE"}],
                    },
                ],
            },
        },
    ),
    (
        "template-image-header-coupon",
        Template(
            "spring_sale",
            header=Image(link="https://cdn.example/sale.png"),
            body=["20%"],
            buttons=[TemplateButton(sub_type="copy_code", value="SPRING20")],
        ),
        {},
        {
            "type": "template",
            "template": {
                "name": "spring_sale",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "header",
                        "parameters": [
                            {"type": "image", "image": {"link": "https://cdn.example/sale.png"}}
                        ],
                    },
                    {"type": "body", "parameters": [{"type": "text", "text": "20%"}]},
                    {
                        "type": "button",
                        "sub_type": "copy_code",
                        "index": "0",
                        "parameters": [{"type": "coupon_code", "coupon_code": "SPRING20"}],
                    },
                ],
            },
        },
    ),
    (
        "template-document-header",
        Template(
            "receipt_document",
            header=Document(id="3358238704307380", filename="receipt.pdf"),
            body=["Ada"],
        ),
        {},
        {
            "type": "template",
            "template": {
                "name": "receipt_document",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "header",
                        "parameters": [
                            {
                                "type": "document",
                                "document": {"id": "3358238704307380", "filename": "receipt.pdf"},
                            }
                        ],
                    },
                    {"type": "body", "parameters": [{"type": "text", "text": "Ada"}]},
                ],
            },
        },
    ),
    (
        "template-location-header",
        Template(
            "store_location",
            header=Location(51.5007, -0.1246, name="Store", address="Westminster"),
            body=["8pm"],
        ),
        {},
        {
            "type": "template",
            "template": {
                "name": "store_location",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "header",
                        "parameters": [
                            {
                                "type": "location",
                                "location": {
                                    "latitude": 51.5007,
                                    "longitude": -0.1246,
                                    "name": "Store",
                                    "address": "Westminster",
                                },
                            }
                        ],
                    },
                    {"type": "body", "parameters": [{"type": "text", "text": "8pm"}]},
                ],
            },
        },
    ),
    (
        "template-no-parameters",
        Template("hello_world"),
        {},
        {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}},
    ),
    (
        "template-raw-components",
        Template(
            "order_tracking",
            components=[
                {
                    "type": "body",
                    "parameters": [
                        {
                            "type": "currency",
                            "currency": {
                                "fallback_value": "$10",
                                "code": "USD",
                                "amount_1000": 10000,
                            },
                        },
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": 0,
                    "parameters": [{"type": "text", "text": "PX-1234"}],
                },
            ],
        ),
        {},
        {
            "type": "template",
            "template": {
                "name": "order_tracking",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {
                                "type": "currency",
                                "currency": {
                                    "fallback_value": "$10",
                                    "code": "USD",
                                    "amount_1000": 10000,
                                },
                            },
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": 0,
                        "parameters": [{"type": "text", "text": "PX-1234"}],
                    },
                ],
            },
        },
    ),
    (
        "reply-to",
        Text("Sure, on it"),
        {"reply_to": WAMID},
        {
            "context": {"message_id": WAMID},
            "type": "text",
            "text": {"body": "Sure, on it", "preview_url": False},
        },
    ),
    (
        "metadata",
        Text("hi"),
        {"metadata": {"order": "1234", "attempt": 2}},
        {
            "biz_opaque_callback_data": '{"order":"1234","attempt":2}',
            "type": "text",
            "text": {"body": "hi", "preview_url": False},
        },
    ),
    (
        "extra-deep-merged",
        Text("hi"),
        {"extra": {"text": {"preview_url": True}, "biz_opaque_callback_data": "campaign-7"}},
        {
            "biz_opaque_callback_data": "campaign-7",
            "type": "text",
            "text": {"body": "hi", "preview_url": True},
        },
    ),
]


@pytest.mark.parametrize(
    ("message", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_every_message_type_is_sent_with_the_exact_body(
    sb: Sandbox, message: Any, options: dict[str, Any], expected: dict[str, Any]
) -> None:
    wa = sb.client("meta")
    settings = sb.settings("meta")

    result = await wa.send(TO, message, **options)

    [record] = sb.requests("meta")
    assert record.method == "POST"
    assert record.path == f"/{API}/{settings['phone_number_id']}/messages"
    assert record.headers["Authorization"] == f"Bearer {settings['token']}"
    assert record.headers["Content-Type"] == "application/json"
    assert without_correlation(record.json) == {**BASE, **expected}
    assert record.status == 200
    assert result.id.startswith("wamid.")
    assert result.status == "accepted"
    assert result.provider == "meta"
    assert result.recipient == TO
    assert result.wa_id == TO[1:]
    assert result.raw["messages"][0]["id"] == result.id


async def test_national_number_format_is_sent_as_e164_with_plus(sb: Sandbox) -> None:
    wa = sb.client("meta", default_region="US")
    result = await wa.send("(650) 555-1234", Text("hi"))
    assert sb.requests("meta")[0].json["to"] == "+16505551234"
    assert result.recipient == "+16505551234"


async def test_group_recipient_uses_recipient_type_group(sb: Sandbox) -> None:
    wa = sb.client("meta")
    group_id = "Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjA"

    result = await wa.send(Group(group_id), Text("hello group"))

    assert without_correlation(sb.requests("meta")[0].json) == {
        "messaging_product": "whatsapp",
        "recipient_type": "group",
        "to": group_id,
        "type": "text",
        "text": {"body": "hello group", "preview_url": False},
    }
    assert result.recipient == group_id
    assert result.wa_id is None


@pytest.mark.parametrize(
    ("wire_status", "status"),
    [("accepted", "accepted"), ("held_for_quality_assessment", "held"), ("paused", "paused")],
)
async def test_message_status_maps_to_send_status(
    sb: Sandbox, sim: MetaSimulator, wire_status: str, status: str
) -> None:
    sim.message_status = wire_status
    result = await sb.client("meta").send(TO, Template("hello_world"))
    assert result.status == status


async def test_send_many_sends_each_item_once(
    sb: Sandbox, sends: Callable[[], list[dict[str, Any]]]
) -> None:
    wa = sb.client("meta")
    numbers = ["+16505551234", "+14155552671", "+447911123456"]

    bulk = await wa.send_many([(n, Text(f"hi {i}")) for i, n in enumerate(numbers)])

    assert bulk.sent == 3
    assert sorted(b["to"] for b in sends()) == sorted(numbers)
    assert [r.recipient for r in bulk if not isinstance(r, Exception)] == numbers
