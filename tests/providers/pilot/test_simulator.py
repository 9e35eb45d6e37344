"""The simulator as any other client of the real API sees it (raw aiohttp, no adapter)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import msgspec
import pytest
from aiohttp import web

from whatsapp_async import Text
from whatsapp_async.provider import hmac_sha256_hex
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import (
    API_KEY,
    API_KEY_ID,
    NUMBER_ID,
    TENANT_API_KEY,
    WEBHOOK_SECRET,
    PilotSimulator,
)

from .conftest import GROUP, PHONE

SDK_HEADERS = {"x-api-key": API_KEY}
LINK = "https://cdn.example.com/a.png"
Answer = tuple[int, Any]
Api = Callable[..., Awaitable[Answer]]


@pytest.fixture
async def api(sb: Sandbox) -> AsyncIterator[Api]:
    """``await api(method, path, body=None, headers=None) -> (status, json)`` over raw aiohttp."""
    async with aiohttp.ClientSession() as session:

        async def request(
            method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
        ) -> Answer:
            async with session.request(
                method,
                sb.base_url("pilot") + path,
                json=body,
                headers=SDK_HEADERS if headers is None else headers,
            ) as response:
                return response.status, await response.json(content_type=None)

        yield request


async def test_the_official_sdk_requests_work_unchanged(api: Api) -> None:
    # pilot-status 1.15.0: send() posts templateId + destinationNumber + variables with
    # x-api-key only, parses id/correlationId/status; messages.get(id) reads GET /v1/messages/{id}.
    body = {
        "templateId": "order_update",
        "destinationNumber": PHONE,
        "variables": {"1": "Ada", "2": "#1"},
    }
    status, answer = await api("POST", "/v1/messages/send", body)
    assert status == 202
    assert set(answer) == {"id", "correlationId", "status", "createdAt", "origin", "sourceNumber"}
    assert answer["status"] == "QUEUED"
    status, looked_up = await api("GET", f"/v1/messages/{answer['id']}")
    assert status == 200
    assert looked_up["id"] == answer["id"]
    assert looked_up["correlationId"] == answer["correlationId"]
    assert looked_up["destinationNumber"] == PHONE
    assert looked_up["template"] == "order_update"
    assert looked_up["status"] in {"QUEUED", "SENT", "DELIVERED"}
    assert set(looked_up) >= {"createdAt", "sentAt", "readAt", "errorMessage", "externalMessageId"}


async def test_templates_by_id_or_name_and_the_key_id_header(api: Api) -> None:
    body = {"templateId": "tpl_welcome_message", "groupId": GROUP, "variables": {"name": "Ada"}}
    status, _ = await api("POST", "/v1/messages/send", body, {"x-api-key-id": API_KEY_ID})
    assert status == 202


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "UNAUTHORIZED"),
        ({"x-api-key": "ps_wrong"}, 401, "UNAUTHORIZED"),
        ({"x-api-key-id": "wrong"}, 401, "UNAUTHORIZED"),
        ({"x-api-key": TENANT_API_KEY}, 403, "FORBIDDEN"),
        ({"x-api-key": API_KEY, "x-whatsapp-number-id": "cmm0other"}, 404, "NUMBER_NOT_FOUND"),
    ],
)
async def test_auth(api: Api, headers: dict[str, str], status: int, code: str) -> None:
    for method, path, body in (
        ("POST", "/v1/messages/send", {"destinationNumber": PHONE, "text": "hi"}),
        ("GET", "/v1/messages/msg_1", None),
        ("DELETE", "/v1/messages/cancel", {"messageIds": ["msg_1"]}),
    ):
        got, answer = await api(method, path, body, headers)
        assert (got, answer["code"]) == (status, code)
        assert isinstance(answer["error"], str)


async def test_the_number_header_naming_this_number_is_accepted(api: Api) -> None:
    headers = {**SDK_HEADERS, "x-whatsapp-number-id": NUMBER_ID}
    status, _ = await api(
        "POST", "/v1/messages/send", {"newsletterId": "1@newsletter", "text": "x"}, headers
    )
    assert status == 202


def buttons(count: int, label_key: str = "displayText") -> list[dict[str, str]]:
    return [{"type": "reply", label_key: f"B{i}", "id": str(i)} for i in range(count)]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ([], 400, "VALIDATION_ERROR", "body"),
        ({"text": "hi"}, 400, "VALIDATION_ERROR", "destinationNumber"),
        (
            {"destinationNumber": PHONE, "groupId": GROUP, "text": "hi"},
            400,
            "VALIDATION_ERROR",
            "destinationNumber",
        ),
        (
            {"destinationNumber": "5511987654321", "text": "hi"},
            400,
            "VALIDATION_ERROR",
            "destinationNumber",
        ),
        ({"groupId": "1203630", "text": "hi"}, 400, "VALIDATION_ERROR", "groupId"),
        ({"newsletterId": "1@g.us", "text": "hi"}, 400, "VALIDATION_ERROR", "newsletterId"),
        (
            {"destinationNumber": PHONE, "text": "hi", "destination_number": PHONE},
            400,
            "VALIDATION_ERROR",
            "destination_number",
        ),
        ({"destinationNumber": PHONE}, 400, "VALIDATION_ERROR", "text"),
        (
            {"destinationNumber": PHONE, "text": "hi", "templateId": "order_update"},
            400,
            "VALIDATION_ERROR",
            "text",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "media": LINK},
            400,
            "VALIDATION_ERROR",
            "media",
        ),
        ({"destinationNumber": PHONE, "media": "ftp://x/a.png"}, 400, "VALIDATION_ERROR", "media"),
        (
            {"destinationNumber": PHONE, "media": "https://x/file"},
            400,
            "VALIDATION_ERROR",
            "mediaType",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "mediaType": "image"},
            400,
            "VALIDATION_ERROR",
            "mediaType",
        ),
        (
            {"destinationNumber": PHONE, "media": LINK, "mediaType": "gif"},
            400,
            "VALIDATION_ERROR",
            "mediaType",
        ),
        (
            {"destinationNumber": PHONE, "media": "https://x/a.ogg", "caption": "c"},
            400,
            "VALIDATION_ERROR",
            "caption",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "caption": "c"},
            400,
            "VALIDATION_ERROR",
            "caption",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "variables": {}},
            400,
            "VALIDATION_ERROR",
            "variables",
        ),
        (
            {"destinationNumber": PHONE, "media": LINK, "buttons": buttons(1)},
            400,
            "VALIDATION_ERROR",
            "buttons",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "header": {"type": "text", "content": "H"}},
            400,
            "VALIDATION_ERROR",
            "header",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "footer": "F"},
            400,
            "VALIDATION_ERROR",
            "footer",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "buttons": buttons(4)},
            400,
            "VALIDATION_ERROR",
            "buttons",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "buttons": [{"type": "reply", "id": "1"}]},
            400,
            "VALIDATION_ERROR",
            "buttons[0].displayText",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "buttons": [{"type": "url", "label": "G"}]},
            400,
            "VALIDATION_ERROR",
            "buttons[0].url",
        ),
        (
            {
                "destinationNumber": PHONE,
                "text": "hi",
                "buttons": buttons(1),
                "header": {"type": "text", "content": "x" * 61},
            },
            400,
            "VALIDATION_ERROR",
            "header.content",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "buttons": buttons(1), "footer": "y" * 61},
            400,
            "VALIDATION_ERROR",
            "footer",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "deliverAt": "tomorrow"},
            400,
            "VALIDATION_ERROR",
            "deliverAt",
        ),
        (
            {
                "destinationNumber": PHONE,
                "text": "hi",
                "deliverAt": "2031-01-01T10:00:00Z",
                "deliverUntil": "2031-01-01T09:00:00Z",
            },
            400,
            "VALIDATION_ERROR",
            "deliverUntil",
        ),
        (
            {"destinationNumber": PHONE, "text": "hi", "labels": [1]},
            400,
            "VALIDATION_ERROR",
            "labels",
        ),
        ({"destinationNumber": PHONE, "templateId": "nope"}, 404, "TEMPLATE_NOT_FOUND", None),
        (
            {"destinationNumber": PHONE, "templateId": "legacy_offer"},
            404,
            "TEMPLATE_NOT_APPROVED",
            None,
        ),
        (
            {"destinationNumber": PHONE, "templateId": "order_update", "variables": {"1": "A"}},
            400,
            "MISSING_TEMPLATE_VARIABLES",
            None,
        ),
        (
            {
                "destinationNumber": PHONE,
                "templateId": "order_update",
                "variables": {"1": "A", "2": " "},
            },
            400,
            "INVALID_TEMPLATE_VARIABLE_VALUE",
            None,
        ),
    ],
)
async def test_strict_validation_with_pilot_codes(
    api: Api, sim: PilotSimulator, body: Any, status: int, code: str, field: str | None
) -> None:
    got, answer = await api("POST", "/v1/messages/send", body)
    assert (got, answer["code"]) == (status, code)
    if field is not None:
        assert answer["details"]["field"] == field
    assert sim.messages == {}


async def test_template_variable_details(api: Api) -> None:
    body = {"destinationNumber": PHONE, "templateId": "appointment_reminder", "variables": {}}
    _, answer = await api("POST", "/v1/messages/send", body)
    assert answer["details"] == {"missingKeys": ["name", "date"]}
    body["variables"] = {"name": "", "date": "Monday"}
    _, answer = await api("POST", "/v1/messages/send", body)
    assert answer["details"] == {
        "invalidKeys": [{"key": "name", "reason": "must be a non-blank string"}]
    }


@pytest.mark.parametrize("label_key", ["displayText", "label"])
async def test_both_button_label_keys_are_accepted(api: Api, label_key: str) -> None:
    body = {"destinationNumber": PHONE, "text": "hi", "buttons": buttons(3, label_key)}
    status, _ = await api("POST", "/v1/messages/send", body)
    assert status == 202


async def test_media_type_is_inferred_from_an_obvious_extension(
    api: Api, sim: PilotSimulator
) -> None:
    body = {"destinationNumber": PHONE, "media": "https://x/report.pdf?v=2", "caption": "Q3"}
    status, answer = await api("POST", "/v1/messages/send", body)
    assert status == 202
    assert sim.messages[answer["id"]].request.media_type == "document"


@pytest.mark.parametrize("key", ["", "k" * 256, "a\tb"])
async def test_bad_idempotency_keys(api: Api, key: str) -> None:
    headers = {**SDK_HEADERS, "Idempotency-Key": key}
    status, answer = await api(
        "POST", "/v1/messages/send", {"destinationNumber": PHONE, "text": "hi"}, headers
    )
    assert (status, answer["code"]) == (400, "IDEMPOTENCY_KEY_INVALID")


async def test_idempotency_is_scoped_to_the_credential(api: Api, sim: PilotSimulator) -> None:
    body = {"destinationNumber": PHONE, "text": "hi"}
    first = await api("POST", "/v1/messages/send", body, {**SDK_HEADERS, "Idempotency-Key": "k"})
    other = await api(
        "POST", "/v1/messages/send", body, {"x-api-key-id": API_KEY_ID, "Idempotency-Key": "k"}
    )
    assert first[0] == other[0] == 202
    assert first[1]["id"] != other[1]["id"]
    assert len(sim.messages) == 2


async def test_cancel_rejects_bad_bodies(api: Api) -> None:
    bodies: list[Any] = [None, {}, {"messageIds": []}, {"messageIds": "msg_1"}, {"messageIds": [1]}]
    for body in bodies:
        status, answer = await api("DELETE", "/v1/messages/cancel", body)
        assert (status, answer["code"]) == (400, "VALIDATION_ERROR")


async def test_injected_errors_use_pilot_bodies(sb: Sandbox, api: Api) -> None:
    sb.fail_next("pilot", status=400, code="MISSING_TEMPLATE_VARIABLES")
    sb.fail_next("pilot", status=429, retry_after=4)
    sb.fail_next("pilot", status=503)
    body = {"destinationNumber": PHONE, "text": "hi"}
    status, answer = await api("POST", "/v1/messages/send", body)
    assert status == 400 and answer["code"] == "MISSING_TEMPLATE_VARIABLES"
    assert "missingKeys" in answer["details"]
    status, answer = await api("POST", "/v1/messages/send", body)
    assert (status, answer["code"], answer["retryAfterSeconds"]) == (429, "RATE_LIMITED", 4)
    status, answer = await api("POST", "/v1/messages/send", body)
    assert (status, answer["code"]) == (503, "SERVICE_UNAVAILABLE")


async def test_outbound_webhooks_are_signed_and_complete(sb: Sandbox, sim: PilotSimulator) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    arrived = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        if len(received) == 3:
            arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        sb.set_webhook("pilot", f"http://127.0.0.1:{sock.getsockname()[1]}/hook")
        result = await sb.client("pilot").send(PHONE, Text("hi"))
        await sim.emit_inbound(text="hello")
        await asyncio.wait_for(arrived.wait(), 3)
    finally:
        await runner.cleanup()
    events = []
    for headers, body in received:
        signature = headers["x-pilot-status-signature"]
        assert signature == hmac_sha256_hex(WEBHOOK_SECRET, body)
        assert signature == signature.lower() and len(signature) == 64
        events.append(msgspec.json.decode(body))
    by_name = {e["event"]: e["data"] for e in events}
    assert set(by_name) == {"message.sent", "message.delivered", "message.received"}
    for name in ("message.sent", "message.delivered"):
        data = by_name[name]
        # The official SDK's strict parser requires these.
        assert {"numberId", "messageId", "id", "fromMe", "createdAt", "to"} <= set(data)
        assert data["id"] == result.id and data["to"] == PHONE and data["fromMe"] is True
        assert data["messageId"].startswith("wamid.")
    assert by_name["message.received"]["fromMe"] is False
