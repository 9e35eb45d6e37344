"""The four endpoints on the wire: exact paths, headers and bodies, and the seed's payloads."""

from __future__ import annotations

import json
from typing import Any

from whatsapp_async import (
    Conversation,
    HttpResponse,
    Phone,
    SendOptions,
    SendResult,
    Template,
    TemplateButton,
    Text,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway import GatewayProvider, GatewaySettings
from whatsapp_async_providers.gateway.simulator import SIMULATOR_TOKEN, GatewaySimulator

from .helpers import fixture_bytes, fixture_json

PHONE = "+14155552671"
AUTH = f"Bearer {SIMULATOR_TOKEN}"


def offline_provider() -> GatewayProvider:
    return GatewayProvider(GatewaySettings(token="tok-offline-1234", base_url="https://gw.test/"))


async def test_text_to_phone_posts_send_with_bearer_and_json(sb: Sandbox, gw: WhatsApp) -> None:
    await gw.send("+1 (415) 555-2671", Text("Hello! Your request was received."))
    [rec] = sb.requests("gateway")
    assert (rec.method, rec.path, rec.query) == ("POST", "/api/whatsapp/send", {})
    assert rec.headers["Authorization"] == AUTH
    assert rec.headers["Content-Type"] == "application/json"
    assert rec.json == {"phoneNumber": PHONE, "content": "Hello! Your request was received."}
    assert rec.status == 200


async def test_request_id_comes_from_extra_and_other_extra_keys_merge(
    sb: Sandbox, gw: WhatsApp
) -> None:
    await gw.send(PHONE, Text("hi"), extra={"requestId": 42, "channel": {"tag": "crm"}})
    [rec] = sb.requests("gateway")
    assert rec.json == {
        "phoneNumber": PHONE,
        "content": "hi",
        "requestId": 42,
        "channel": {"tag": "crm"},
    }


async def test_text_to_conversation_posts_to_its_messages(
    sb: Sandbox, gw: WhatsApp, sim: GatewaySimulator
) -> None:
    first = await gw.send(PHONE, Text("opening"))
    conversation_id = first.raw["data"]["conversation"]["conversation_id"]
    await gw.send(Conversation(str(conversation_id)), Text("following up"))
    rec = sb.requests("gateway")[1]
    assert rec.method == "POST"
    assert rec.path == f"/api/whatsapp/conversations/{conversation_id}/messages"
    assert rec.headers["Authorization"] == AUTH
    assert rec.headers["Content-Type"] == "application/json"
    assert rec.json == {"content": "following up", "messageType": "text"}


async def test_template_posts_send_template_with_one_recipient(sb: Sandbox, gw: WhatsApp) -> None:
    template = Template("appointment_reminder", language="es", body=["Ada", "15 de marzo"])
    await gw.send(PHONE, template, extra={"requestId": 7})
    [rec] = sb.requests("gateway")
    assert (rec.method, rec.path) == ("POST", "/api/whatsapp/send-template")
    assert rec.headers["Authorization"] == AUTH
    assert rec.headers["Content-Type"] == "application/json"
    assert rec.json == {
        "templateName": "appointment_reminder",
        "languageCode": "es",
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Ada"},
                    {"type": "text", "text": "15 de marzo"},
                ],
            }
        ],
        "recipients": [{"phoneNumber": PHONE, "requestId": 7}],
    }


async def test_list_templates_is_a_get_without_body(sb: Sandbox, gw: WhatsApp) -> None:
    await gw.list_templates()
    [rec] = sb.requests("gateway")
    assert (rec.method, rec.path, rec.body) == ("GET", "/api/whatsapp/templates", b"")
    assert rec.headers["Authorization"] == AUTH
    assert "Content-Type" not in rec.headers


def test_seed_request_bodies_are_what_the_adapter_builds() -> None:
    provider = offline_provider()
    text = provider.build_send(
        Phone("+50212345678"),
        Text("Hello! Your service request has been received."),
        SendOptions(extra={"requestId": 123}),
    )
    assert text.url == "https://gw.test/api/whatsapp/send"
    assert fixture_json("send_text_request.json") == _json(text.body)

    batch = provider.build_batch(
        [Phone("+50212345678"), Phone("+50298765432")],
        Template(
            "appointment_reminder", language="es", body=["Juan Pérez", "15 de marzo a las 10:00 AM"]
        ),
        SendOptions(),
    )
    expected = fixture_json("send_template_request.json")
    # The seed's two recipients carry different requestIds; one batch shares its options.
    for recipient in expected["recipients"]:
        del recipient["requestId"]
    assert _json(batch.body) == expected

    confirmation = provider.build_send(
        Phone("+50212345678"),
        Template(
            "service_confirmation",
            language="es",
            header="Confirmación de Servicio",
            body=["Juan Pérez", "SR-2024-001", "15 de marzo, 10:00 AM"],
            buttons=[TemplateButton(sub_type="url", value="tracking-code-123")],
        ),
        SendOptions(),
    )
    built = _json(confirmation.body)
    assert built["components"] == fixture_json("service_confirmation_request.json")["components"]

    conversation = provider.build_send(
        Conversation("123"),
        Text("Thank you for your patience. A technician will contact you shortly."),
        SendOptions(),
    )
    assert conversation.url == "https://gw.test/api/whatsapp/conversations/123/messages"
    assert _json(conversation.body) == {
        **fixture_json("conversation_message_request.json"),
        "messageType": "text",
    }


def test_seed_responses_parse_into_results() -> None:
    provider = offline_provider()
    text = provider.parse_send(
        HttpResponse(status=200, body=fixture_bytes("send_text_response.json")),
        Phone("+50212345678"),
        Text("x"),
    )
    assert (text.id, text.status, text.provider, text.recipient) == (
        "456",
        "accepted",
        "gateway",
        "+50212345678",
    )
    message = text.raw["data"]["message"]
    conversation = text.raw["data"]["conversation"]
    assert (message["message_id"], message["conversation_id"], message["status"]) == (
        456,
        123,
        "sent",
    )
    assert message["created_at"] == "2026-03-03T10:30:00Z"
    assert (conversation["phone_number"], conversation["request_id"]) == ("50212345678", 123)

    in_conversation = provider.parse_send(
        HttpResponse(status=200, body=fixture_bytes("conversation_message_response.json")),
        Conversation("123"),
        Text("x"),
    )
    assert (in_conversation.id, in_conversation.recipient) == ("457", "123")

    phones = [Phone("+50212345678"), Phone("+50298765432")]
    outcomes = provider.parse_batch(
        HttpResponse(status=200, body=fixture_bytes("send_template_response.json")),
        phones,
        Template("appointment_reminder", language="es"),
    )
    assert [(o.id, o.recipient, o.wa_id) for o in outcomes if isinstance(o, SendResult)] == [
        ("wamid.HBgNNTA2MTI...", "+50212345678", "wamid.HBgNNTA2MTI..."),
        ("wamid.HBgNNTA2OTg...", "+50298765432", "wamid.HBgNNTA2OTg..."),
    ]

    templates, cursor = provider.parse_templates(
        HttpResponse(status=200, body=fixture_bytes("templates_response.json"))
    )
    assert cursor is None
    [reminder] = templates
    assert (reminder.name, reminder.language, reminder.status, reminder.category) == (
        "appointment_reminder",
        "es",
        "APPROVED",
        "UTILITY",
    )
    assert [(c.type, c.text) for c in reminder.components] == [
        ("BODY", "Hola {{1}}, te recordamos tu cita para el {{2}}."),
        ("FOOTER", "Ambiotec - Servicios Profesionales"),
    ]


def _json(body: bytes | None) -> Any:
    assert body is not None
    return json.loads(body)
