"""Magpipe's error answers become the documented exceptions, with status, code and body kept."""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

import aiohttp
import pytest

from whatsapp_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    OutsideWindowError,
    RateLimitError,
    RecipientError,
    ServerError,
    Template,
    TemplateError,
    Text,
    WhatsAppError,
)
from whatsapp_async.provider import HttpResponse
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.magpipe.errors import (
    error_from_response,
    meta_code_in,
    reset_to_retry_after,
)

from .helpers import TO, fixture_bytes, simulator

TEXT = Text("hi")
TEMPLATE = Template("upcoming_site_report", body=["John"])


def assert_clean(exc: WhatsAppError, sb: Sandbox) -> None:
    """The API key appears nowhere a caller or a log could see it."""
    key = sb.settings("magpipe")["api_key"]
    assert key not in str(exc)
    assert key not in repr(exc)
    assert key not in exc.message
    if isinstance(exc, APIStatusError):
        assert key.encode() not in exc.body
        assert key not in repr(exc.details)


SEED_ERRORS = [
    # fixture, status, message or template, expected class, expected code
    ("magpipe_error_400_missing_fields_message__docs.json", 400, TEXT, BadRequestError, None),
    ("magpipe_error_400_missing_fields_template__docs.json", 400, TEMPLATE, BadRequestError, None),
    ("magpipe_error_400_invalid_json__source.json", 400, TEXT, BadRequestError, None),
    ("magpipe_error_400_agent_id_not_uuid__source.json", 400, TEMPLATE, BadRequestError, None),
    ("magpipe_error_400_to_not_e164__docs.json", 400, TEMPLATE, BadRequestError, None),
    ("magpipe_error_401_unauthorized__docs.json", 401, TEXT, AuthenticationError, None),
    ("magpipe_error_404_account_not_found__docs.json", 404, TEXT, NotFoundError, None),
    ("magpipe_error_404_agent_not_found__docs.json", 404, TEMPLATE, NotFoundError, None),
    ("magpipe_error_502_meta_failure_template__docs.json", 502, TEMPLATE, ServerError, None),
    (
        "magpipe_error_502_meta_131047_message__constructed.json",
        502,
        TEXT,
        OutsideWindowError,
        131047,
    ),
    ("magpipe_error_502_meta_130429_message__constructed.json", 502, TEXT, RateLimitError, 130429),
    (
        "magpipe_error_502_meta_132001_template__constructed.json",
        502,
        TEMPLATE,
        TemplateError,
        132001,
    ),
    (
        "magpipe_error_502_meta_131026_template__constructed.json",
        502,
        TEMPLATE,
        RecipientError,
        131026,
    ),
    ("magpipe_error_429_general_api_envelope__docs.json", 429, TEXT, RateLimitError, "ERROR_CODE"),
]


@pytest.mark.parametrize(
    ("fixture", "status", "message", "cls", "code"), SEED_ERRORS, ids=[e[0] for e in SEED_ERRORS]
)
async def test_seed_error_bodies_map_to_documented_exceptions(
    sb: Sandbox, fixture: str, status: int, message: Any, cls: type[APIStatusError], code: Any
) -> None:
    body = fixture_bytes(fixture)
    sb.fail_next("magpipe", status=status, body=body)
    with pytest.raises(APIStatusError) as caught:
        await sb.client("magpipe").send(TO, message, max_retries=0, deadline=0)
    exc = caught.value
    assert type(exc) is cls
    assert (exc.provider, exc.status, exc.code) == ("magpipe", status, code)
    assert exc.body == body
    assert isinstance(exc.details, dict)
    assert exc.message
    assert_clean(exc, sb)
    assert len(sb.requests("magpipe")) == 1


async def test_meta_detail_text_is_in_the_message(sb: Sandbox) -> None:
    sb.fail_next(
        "magpipe",
        status=502,
        body=fixture_bytes("magpipe_error_502_meta_131047_message__constructed.json"),
    )
    with pytest.raises(OutsideWindowError) as caught:
        await sb.client("magpipe").send(TO, TEXT, max_retries=0, deadline=0)
    assert caught.value.message.startswith("Failed to send WhatsApp message: (#131047)")
    assert "24 hours" in caught.value.message


# -- the simulator's own validation, reached through the client ------------------------------


async def test_wrong_api_key_is_401_unauthorized(sb: Sandbox) -> None:
    wrong = "mgp_" + "0" * 40
    with pytest.raises(AuthenticationError) as caught:
        await sb.client("magpipe", api_key=wrong).send(TO, TEXT)
    exc = caught.value
    assert (exc.status, exc.message, exc.body) == (401, "Unauthorized", b'{"error":"Unauthorized"}')
    assert wrong not in str(exc) and wrong not in repr(exc)
    assert len(sb.requests("magpipe")) == 1  # not retried


async def test_unknown_phone_number_id_is_404_account_not_found(sb: Sandbox) -> None:
    with pytest.raises(NotFoundError) as caught:
        await sb.client("magpipe", phone_number_id="999999999999999").send(TO, TEXT)
    assert caught.value.message == "WhatsApp account not found"


async def test_unknown_agent_is_404(sb: Sandbox) -> None:
    wa = sb.client("magpipe", agent_id="00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFoundError) as caught:
        await wa.send(TO, TEMPLATE)
    assert caught.value.message == "No active WhatsApp account found for this agent"


@pytest.mark.parametrize(
    ("message", "extra", "text"),
    [
        (TEXT, {"message": ""}, "phone_number_id, recipient_wa_id, and message are required"),
        (TEMPLATE, {"template_name": ""}, "agent_id, to, and template_name are required"),
        (TEMPLATE, {"agent_id": "agent-7"}, "agent_id must be a valid UUID"),
        (TEMPLATE, {"to": "16045628647"}, "to must be a valid E.164 phone number"),
    ],
)
async def test_simulator_validation_answers_magpipe_400s(
    sb: Sandbox, message: Any, extra: dict[str, Any], text: str
) -> None:
    with pytest.raises(BadRequestError) as caught:
        await sb.client("magpipe").send(TO, message, extra=extra)
    assert caught.value.status == 400
    assert caught.value.message == text


async def test_recipient_with_plus_on_the_text_route_is_refused_like_meta_would(
    sb: Sandbox,
) -> None:
    # The wire bug this guards against: sending E.164 where Magpipe documents digits only.
    with pytest.raises(BadRequestError) as caught:
        await sb.client("magpipe").send(TO, TEXT, extra={"recipient_wa_id": TO})
    assert (caught.value.status, caught.value.code) == (502, 100)


async def test_malformed_raw_components_come_back_as_a_meta_failure(sb: Sandbox) -> None:
    bad = Template("t", components=[{"type": "button", "parameters": []}])
    with pytest.raises(BadRequestError) as caught:
        await sb.client("magpipe").send(TO, bad)
    assert (caught.value.status, caught.value.code) == (502, 100)
    assert "(#100) Invalid parameter" in caught.value.message


# -- fault injection with the simulator's Magpipe-shaped bodies ------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (131047, OutsideWindowError),
        (130429, RateLimitError),
        (132001, TemplateError),
        (132000, TemplateError),
        (131026, RecipientError),
        (190, AuthenticationError),
        (100, BadRequestError),
        (131000, ServerError),
        (None, ServerError),
    ],
)
@pytest.mark.parametrize("message", [TEXT, TEMPLATE], ids=["text", "template"])
async def test_injected_meta_failures_map_by_meta_code(
    sb: Sandbox, code: int | None, cls: type[APIStatusError], message: Any
) -> None:
    sb.fail_next("magpipe", status=502, code=code)
    with pytest.raises(APIStatusError) as caught:
        await sb.client("magpipe").send(TO, message, max_retries=0, deadline=0)
    assert type(caught.value) is cls
    assert caught.value.status == 502
    assert caught.value.code == (131000 if code is None else code)
    expected = "Failed to send template" if message is TEMPLATE else "Failed to send WhatsApp"
    assert caught.value.message.startswith(expected)


@pytest.mark.parametrize(
    ("status", "cls", "text"),
    [
        (400, BadRequestError, "phone_number_id, recipient_wa_id, and message are required"),
        (401, AuthenticationError, "Unauthorized"),
        (404, NotFoundError, "WhatsApp account not found"),
        (405, BadRequestError, "Method Not Allowed"),
        (500, ServerError, "Internal Server Error"),
    ],
)
async def test_injected_status_faults_use_magpipe_bodies(
    sb: Sandbox, status: int, cls: type[APIStatusError], text: str
) -> None:
    sb.fail_next("magpipe", status=status)
    with pytest.raises(APIStatusError) as caught:
        await sb.client("magpipe").send(TO, TEXT, max_retries=0, deadline=0)
    assert type(caught.value) is cls
    assert (caught.value.status, caught.value.message) == (status, text)
    assert_clean(caught.value, sb)


async def test_injected_nested_envelope_keeps_the_code(sb: Sandbox) -> None:
    sb.fail_next("magpipe", status=403, code="FORBIDDEN")
    with pytest.raises(APIStatusError) as caught:
        await sb.client("magpipe").send(TO, TEXT)
    assert caught.value.status == 403
    assert caught.value.code == "FORBIDDEN"


async def test_not_processed_server_errors_are_retried_and_then_succeed(sb: Sandbox) -> None:
    sb.fail_next("magpipe", status=502, code=131057)  # Meta: the number is in maintenance
    result = await sb.client("magpipe").send(TO, TEXT, max_retries=1)
    assert result.status == "accepted"
    assert [r.status for r in sb.requests("magpipe")] == [502, 200]


async def test_an_ambiguous_server_error_is_in_doubt_and_not_resent(sb: Sandbox) -> None:
    sb.fail_next("magpipe", status=502, code=131000)  # Meta's "unknown error": maybe sent
    with pytest.raises(ServerError) as info:
        await sb.client("magpipe").send(TO, TEXT, max_retries=1)
    assert info.value.in_doubt
    assert [r.status for r in sb.requests("magpipe")] == [502]


async def test_outside_window_is_not_retried(sb: Sandbox) -> None:
    sb.fail_next("magpipe", status=502, code=131047, times=3)
    with pytest.raises(OutsideWindowError):
        await sb.client("magpipe").send(TO, TEXT, max_retries=2)
    assert len(sb.requests("magpipe")) == 1


async def test_429_uses_retry_after_when_there_is_no_reset_header(sb: Sandbox) -> None:
    sb.fail_next("magpipe", status=429, retry_after=7)
    with pytest.raises(RateLimitError) as caught:
        await sb.client("magpipe").send(TO, TEXT, max_retries=0, deadline=0)
    assert caught.value.retry_after == 7.0
    assert caught.value.message == "Rate limit exceeded"


async def test_documented_rate_limit_headers_drive_the_wait_and_the_retry(sb: Sandbox) -> None:
    sim = simulator(sb)
    sim.limit_requests(1, window=1.0)
    wa = sb.client("magpipe")
    await wa.send(TO, TEXT)
    with pytest.raises(RateLimitError) as caught:
        await wa.send(TO, TEXT, max_retries=0, deadline=0)
    exc = caught.value
    assert exc.status == 429 and exc.code == "RATE_LIMITED"
    # X-RateLimit-Reset is epoch seconds: the wait is the time left in the window.
    assert exc.retry_after is not None and 0.0 <= exc.retry_after <= 2.0

    loop = asyncio.get_running_loop()
    started = loop.time()
    result = await wa.send(TO, TEXT, max_retries=2)
    assert result.status == "accepted"
    assert loop.time() - started < 3.0
    assert [r.status for r in sb.requests("magpipe")][:3] == [200, 429, 429]


@pytest.mark.parametrize(
    ("body", "status", "cls"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", 502, ServerError),
        (b"", 503, ServerError),
        (b'{"error": "Unauthor', 401, AuthenticationError),
        (b"[1, 2, 3]", 404, NotFoundError),
        (b'{"error": 12}', 429, RateLimitError),
        (b"Method Not Allowed", 405, BadRequestError),
    ],
)
async def test_unknown_bodies_map_by_status(
    sb: Sandbox, body: bytes, status: int, cls: type[APIStatusError]
) -> None:
    sb.fail_next("magpipe", status=status, body=body, content_type="text/html")
    with pytest.raises(APIStatusError) as caught:
        await sb.client("magpipe").send(TO, TEXT, max_retries=0, deadline=0)
    assert type(caught.value) is cls
    assert caught.value.status == status
    assert caught.value.body == body
    assert caught.value.code is None


async def test_success_without_message_id_is_an_error_that_is_not_retried(sb: Sandbox) -> None:
    sb.fail_next("magpipe", status=200, body=b'{"success":true,"message_id":null}')
    with pytest.raises(APIStatusError) as caught:
        await sb.client("magpipe").send(TO, TEXT)
    assert type(caught.value) is APIStatusError
    assert caught.value.status == 200
    assert len(sb.requests("magpipe")) == 1


async def test_seed_success_bodies_parse(sb: Sandbox) -> None:
    for fixture, message in (
        ("magpipe_send_whatsapp_message_200__docs.json", TEXT),
        ("magpipe_send_whatsapp_template_200__docs.json", TEMPLATE),
    ):
        sb.fail_next("magpipe", status=200, body=fixture_bytes(fixture))
        result = await sb.client("magpipe").send(TO, message)
        assert result.id.startswith("wamid.")
        assert result.status == "accepted"
    assert result.raw == {
        "success": True,
        "message_id": "wamid.HBgLMTYwNDU2Mjg2NDcVAgARGBJFNDc0NDJDNTA2QUY4OTRDNzYA",
    }


# -- the simulator's HTTP behaviour seen by any client ----------------------------------------


async def test_simulator_order_of_checks_and_plain_text_405(sb: Sandbox) -> None:
    url = sb.base_url("magpipe") + "/send-whatsapp-message"
    auth = {"Authorization": f"Bearer {sb.settings('magpipe')['api_key']}"}
    async with aiohttp.ClientSession() as session:
        async with session.options(url) as r:
            assert (r.status, await r.text()) == (200, "ok")
            assert r.headers["Access-Control-Allow-Origin"] == "*"
        async with session.get(url) as r:  # auth is checked before the method
            assert (r.status, await r.json()) == (401, {"error": "Unauthorized"})
        async with session.get(url, headers=auth) as r:
            assert (r.status, await r.text()) == (405, "Method Not Allowed")
            assert r.content_type == "text/plain"
        async with session.post(url, headers=auth, data=b"{not json") as r:
            assert (r.status, await r.json()) == (400, {"error": "Invalid JSON"})
        async with session.post(url, headers={"Authorization": "bearer x"}, json={}) as r:
            assert r.status == 401


async def test_405_from_the_real_simulator_maps_to_bad_request() -> None:
    response = HttpResponse(
        status=405, headers={"Content-Type": "text/plain"}, body=b"Method Not Allowed"
    )
    error = error_from_response(response)
    assert type(error) is BadRequestError
    assert error.message == "Method Not Allowed"


# -- the pieces, as plain functions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("detail", "code"),
    [
        ("(#131047) Re-engagement message", 131047),
        ('{"error":{"message":"(#100) Invalid parameter","code":100}}', 100),
        ('{"error": {"code": 130429, "error_subcode": 2494055}}', 130429),
        ({"error": {"code": 132001}}, 132001),
        ({"code": "131026"}, 131026),
        ("Meta API error details", None),
        ('{"error_subcode": 2494055}', None),
        (None, None),
        (12, None),
    ],
)
def test_meta_code_is_read_from_any_detail_form(detail: Any, code: int | None) -> None:
    assert meta_code_in(detail) == code


def test_reset_header_epoch_seconds_millis_and_delta() -> None:
    date = email.utils.formatdate(1_750_000_000, usegmt=True)
    assert reset_to_retry_after("1750000060", date=date) == 60.0
    assert reset_to_retry_after("1750000060000", date=date) == 60.0
    assert reset_to_retry_after("1749999000", date=date) == 0.0  # already past
    assert reset_to_retry_after("30") == 30.0
    assert reset_to_retry_after("2.5") == 2.5
    for bad in (None, "", "soon", "-5", "nan", "inf"):
        assert reset_to_retry_after(bad) is None
    # Without a Date header, the moment the core received the answer is the reference
    # (providers never read the clock themselves); with neither, no wait is guessed.
    now = time.time()
    later = reset_to_retry_after(str(int(now) + 90), now=now)
    assert later is not None and 85 <= later <= 90
    assert reset_to_retry_after(str(int(now) + 90)) is None


def test_reset_header_wins_over_retry_after() -> None:
    date = email.utils.formatdate(1_750_000_000, usegmt=True)
    response = HttpResponse(
        status=429,
        headers={"X-RateLimit-Reset": "1750000012", "Date": date, "Retry-After": "99"},
        body=b'{"data":null,"error":{"code":"RATE_LIMITED","message":"slow down"}}',
    )
    error = error_from_response(response)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    assert (error.code, error.message) == ("RATE_LIMITED", "slow down")
