"""Error responses of every shape become the right typed error, and never show the token."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from whatsapp_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    Conversation,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Template,
    Text,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway.simulator import SIMULATOR_TOKEN

PHONE = "+14155552671"
TEXT = Text("hello")


def assert_no_token(error: Exception, token: str = SIMULATOR_TOKEN) -> None:
    for shown in (str(error), repr(error), getattr(error, "message", ""), repr(error.args)):
        assert token not in shown


@pytest.mark.parametrize(
    ("fault", "error_type", "message"),
    [
        ({"status": 400}, BadRequestError, "Bad request"),
        ({"status": 401}, AuthenticationError, "Unauthorized"),
        ({"status": 403}, PermissionDeniedError, "Forbidden"),
        ({"status": 404}, NotFoundError, "Not found"),
        ({"status": 409, "code": "CONFLICT"}, BadRequestError, "Request failed (409)"),
        ({"status": 429}, RateLimitError, "Too many requests"),
        ({"status": 500}, ServerError, "Internal server error"),
        ({"status": 503, "code": "MAINTENANCE"}, ServerError, "Service unavailable"),
        (
            {
                "status": 502,
                "body": b"<html><h1>502 Bad Gateway</h1></html>",
                "content_type": "text/html",
            },
            ServerError,
            "HTTP 502 (<html><h1>502 Bad Gateway</h1></html>)",
        ),
        ({"status": 500, "body": b""}, ServerError, "HTTP 500 (empty body)"),
        (
            {"status": 400, "body": b'{"success": false, "error": "phoneNum'},
            BadRequestError,
            "HTTP 400",
        ),
        ({"status": 404, "body": b'{"message": "no route"}'}, NotFoundError, "no route"),
        (
            {"status": 400, "body": b'{"error": {"message": "outside window", "code": 131047}}'},
            OutsideWindowError,
            "outside window",
        ),
        ({"status": 422, "body": b'{"error": 5, "message": 7}'}, BadRequestError, "HTTP 422"),
        ({"status": 418, "body": b"[1, 2, 3]"}, BadRequestError, "HTTP 418 ([1, 2, 3])"),
    ],
)
async def test_error_responses_map_by_code_then_status(
    sb: Sandbox, gw: WhatsApp, fault: dict[str, Any], error_type: type[APIStatusError], message: str
) -> None:
    sb.fail_next("gateway", **fault)
    with pytest.raises(APIStatusError) as info:
        await gw.send(PHONE, TEXT)
    error = info.value
    assert type(error) is error_type
    assert error.message.startswith(message)
    assert error.status == fault["status"] and error.provider == "gateway"
    assert error.code == fault.get("code", error.code)
    assert isinstance(error.body, bytes) and len(sb.requests("gateway")) == 1
    assert_no_token(error)


async def test_rate_limit_carries_retry_after(sb: Sandbox, gw: WhatsApp) -> None:
    sb.fail_next("gateway", status=429, retry_after=7)
    with pytest.raises(RateLimitError) as info:
        await gw.send(PHONE, Template("order_update", body=["Ada", "#1"]))
    assert info.value.retry_after == 7.0


async def test_a_5xx_is_in_doubt_and_resent_only_on_request(sb: Sandbox) -> None:
    wa = sb.client("gateway", retry=RetryPolicy(initial_delay=0.001, max_retries=2))
    sb.fail_next("gateway", status=503, times=2)
    with pytest.raises(ServerError) as info:
        await wa.send(PHONE, TEXT)
    assert info.value.in_doubt and len(sb.requests("gateway")) == 1
    eager = sb.client("gateway", retry=RetryPolicy(initial_delay=0.001), retry_in_doubt=True)
    result = await eager.send(PHONE, TEXT)
    assert result.id.isdigit() and len(sb.requests("gateway")) == 3


async def test_a_platform_code_documented_as_not_processed_is_retried(sb: Sandbox) -> None:
    wa = sb.client("gateway", retry=RetryPolicy(initial_delay=0.001, max_retries=2))
    sb.fail_next("gateway", status=503, code=131057)  # the number is in maintenance mode
    result = await wa.send(PHONE, TEXT)
    assert result.id.isdigit() and len(sb.requests("gateway")) == 2


async def test_wrong_token_is_an_authentication_error_without_the_token(sb: Sandbox) -> None:
    wrong = "wrong-token-0123456789"
    wa = sb.client("gateway", token=wrong, max_retries=0)
    for call in (wa.send(PHONE, TEXT), wa.list_templates(), wa.send(Conversation("1"), TEXT)):
        with pytest.raises(AuthenticationError) as info:
            await call
        assert info.value.status == 401 and info.value.message == "Unauthorized"
        assert info.value.details == {"success": False, "error": "Unauthorized"}
        assert_no_token(info.value, wrong)
        assert_no_token(info.value)
    assert wrong not in repr(wa) and SIMULATOR_TOKEN not in repr(sb.client("gateway"))


async def test_missing_authorization_header_is_rejected(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        url = sb.base_url("gateway") + "/api/whatsapp/send"
        async with session.post(url, json={"phoneNumber": PHONE, "content": "x"}) as response:
            assert response.status == 401
            assert await response.json() == {"success": False, "error": "Unauthorized"}


@pytest.mark.parametrize(
    ("path", "body", "complaint"),
    [
        ("/api/whatsapp/send", {"content": "x"}, "phoneNumber is required"),
        ("/api/whatsapp/send", {"phoneNumber": PHONE}, "content is required"),
        ("/api/whatsapp/send", {"phoneNumber": "14155552671", "content": "x"}, "international"),
        ("/api/whatsapp/send", {"phoneNumber": PHONE, "content": "x", "requestId": "1"}, "integer"),
        ("/api/whatsapp/send-template", {"languageCode": "es", "recipients": []}, "templateName"),
        ("/api/whatsapp/send-template", {"templateName": "t", "languageCode": "es"}, "recipients"),
        (
            "/api/whatsapp/send-template",
            {"templateName": "t", "languageCode": "es", "recipients": []},
            "non-empty",
        ),
        (
            "/api/whatsapp/send-template",
            {"templateName": "t", "languageCode": "es", "recipients": [{"requestId": 1}]},
            "phoneNumber is required",
        ),
        (
            "/api/whatsapp/send-template",
            {
                "templateName": "t",
                "languageCode": "es",
                "components": [{"type": "footer"}],
                "recipients": [{"phoneNumber": PHONE}],
            },
            "header, body or button",
        ),
        (
            "/api/whatsapp/send-template",
            {
                "templateName": "t",
                "languageCode": "es",
                "components": [{"type": "button", "parameters": []}],
                "recipients": [{"phoneNumber": PHONE}],
            },
            "sub_type",
        ),
    ],
)
async def test_simulator_rejects_incomplete_requests(
    sb: Sandbox, path: str, body: dict[str, Any], complaint: str
) -> None:
    headers = {"Authorization": f"Bearer {SIMULATOR_TOKEN}"}
    url = sb.base_url("gateway") + path
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as resp,
    ):
        assert resp.status == 400
        answer = await resp.json()
    assert answer["success"] is False and complaint in answer["error"]


async def test_success_false_in_a_2xx_is_still_an_error(sb: Sandbox, gw: WhatsApp) -> None:
    sb.fail_next("gateway", status=200, body=b'{"success": false, "error": "Queue is full"}')
    with pytest.raises(BadRequestError) as info:
        await gw.send(PHONE, TEXT)
    assert info.value.message == "Queue is full" and info.value.status == 200


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>ok</html>", b'{"success": true}', b'{"success": true, "data": {"message": {}}}'],
)
async def test_garbled_2xx_bodies_become_typed_errors(
    sb: Sandbox, gw: WhatsApp, body: bytes
) -> None:
    sb.fail_next("gateway", status=200, body=body)
    with pytest.raises(APIStatusError) as info:
        await gw.send(PHONE, TEXT)
    assert info.value.status == 200 and info.value.body == body
    assert_no_token(info.value)
