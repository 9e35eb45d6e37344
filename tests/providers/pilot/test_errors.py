"""Error answers map to typed errors: Pilot's code first, the HTTP status second."""

from __future__ import annotations

import pytest

from whatsapp_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    ServerError,
    Template,
    TemplateError,
    Text,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot import IdempotencyKeyInUse
from whatsapp_async_providers.pilot.simulator import API_KEY, TENANT_API_KEY

from .conftest import PHONE


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "MISSING_TEMPLATE_VARIABLES", TemplateError),
        (400, "INVALID_TEMPLATE_VARIABLE_VALUE", TemplateError),
        (404, "TEMPLATE_NOT_FOUND", TemplateError),
        (404, "TEMPLATE_NOT_APPROVED", TemplateError),
        (400, "TEMPLATE_SOMETHING_NEW", TemplateError),
        (400, "FREE_FORM_NOT_SUPPORTED", BadRequestError),
        (400, "NOT_SUPPORTED_FOR_META", BadRequestError),
        (400, "IDEMPOTENCY_KEY_INVALID", BadRequestError),
        (400, "VALIDATION_ERROR", BadRequestError),
        (401, "UNAUTHORIZED", AuthenticationError),
        (402, "SUBSCRIPTION_REQUIRED_FOR_MEDIA", BillingError),
        (403, "FORBIDDEN", PermissionDeniedError),
        (403, "TEMPLATE_CATEGORY_MARKETING_REQUIRES_OWN_NUMBER", PermissionDeniedError),
        (403, "NEWSLETTER_NOT_ALLOWED_IN_TEST", PermissionDeniedError),
        (404, "NOT_FOUND", NotFoundError),
        (409, "IDEMPOTENCY_KEY_REUSED", BadRequestError),
        (409, "WHATSAPP_INSTANCE_NOT_CONNECTED", BadRequestError),
        (409, "NUMBER_BLOCKED", BadRequestError),
        (422, "BILLING_SUSPENDED", BillingError),
        (400, "META_OUTSIDE_24H_WINDOW", OutsideWindowError),
        (400, "WHATSAPP_NOT_EXIST", RecipientError),
        (500, "INTERNAL_ERROR", ServerError),
        (502, None, ServerError),
    ],
)
async def test_codes_and_statuses_map_to_typed_errors(
    sb: Sandbox, status: int, code: str | None, error: type[APIStatusError]
) -> None:
    sb.fail_next("pilot", status=status, code=code)
    with pytest.raises(APIStatusError) as info:
        await sb.client("pilot").send(PHONE, Text("hi"), max_retries=0, deadline=0)
    exc = info.value
    assert type(exc) is error
    assert exc.provider == "pilot" and exc.status == status
    assert exc.code == (code or "BAD_GATEWAY")
    assert exc.message and exc.body.startswith(b"{")
    assert API_KEY not in str(exc) + repr(exc)


async def test_template_details_are_kept(sb: Sandbox) -> None:
    with pytest.raises(TemplateError) as info:
        await sb.client("pilot").send(PHONE, Template("order_update", body=["Ada"]))
    assert info.value.code == "MISSING_TEMPLATE_VARIABLES"
    assert info.value.details == {"missingKeys": ["2"]}
    with pytest.raises(TemplateError) as missing:
        await sb.client("pilot").send(PHONE, Template("no_such_template"))
    assert (missing.value.status, missing.value.code) == (404, "TEMPLATE_NOT_FOUND")


async def test_rate_limit_wait_from_the_body(sb: Sandbox) -> None:
    body = b'{"error": "Slow down", "code": "RATE_LIMITED", "retryAfterSeconds": 7}'
    sb.fail_next("pilot", status=429, body=body)
    with pytest.raises(RateLimitError) as info:
        await sb.client("pilot").send(PHONE, Text("hi"), max_retries=0, deadline=0)
    assert info.value.retry_after == 7.0
    assert info.value.message == "Slow down"


async def test_rate_limit_wait_from_the_header_and_body_together(sb: Sandbox) -> None:
    sb.fail_next("pilot", status=429, retry_after=3)
    with pytest.raises(RateLimitError) as info:
        await sb.client("pilot").send(PHONE, Text("hi"), max_retries=0, deadline=0)
    assert info.value.retry_after == 3.0
    [record] = sb.requests("pilot")
    assert record.status == 429


async def test_rate_limit_wait_from_the_header_alone(sb: Sandbox) -> None:
    body_without_wait = b'{"error":"Rate limit","code":"RATE_LIMITED"}'
    sb.fail_next("pilot", status=429, body=body_without_wait, retry_after=2)
    with pytest.raises(RateLimitError) as info:
        await sb.client("pilot").send(PHONE, Text("hi"), max_retries=0, deadline=0)
    assert info.value.retry_after == 2.0


async def test_rate_limit_is_retried_then_succeeds(sb: Sandbox) -> None:
    sb.fail_next("pilot", status=429, retry_after=0.01)
    result = await sb.client("pilot").send(PHONE, Text("hi"))
    assert result.status == "queued"
    assert [r.status for r in sb.requests("pilot")] == [429, 202]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (502, b"<html><body>502 Bad Gateway</body></html>", ServerError),
        (400, b"", BadRequestError),
        (401, b'{"error": "bad key"', AuthenticationError),
        (404, b'["not", "an", "object"]', NotFoundError),
        (409, b'{"error": 12, "code": ["x"], "details": "d"}', BadRequestError),
        (429, b'{"retryAfterSeconds": "soon"}', RateLimitError),
    ],
)
async def test_unknown_bodies_map_by_status(
    sb: Sandbox, status: int, body: bytes, error: type[APIStatusError]
) -> None:
    sb.fail_next("pilot", status=status, body=body, content_type="text/html")
    with pytest.raises(APIStatusError) as info:
        await sb.client("pilot").send(PHONE, Text("hi"), max_retries=0, deadline=0)
    assert type(info.value) is error
    assert info.value.code is None and info.value.body == body
    assert info.value.status == status


async def test_bad_and_tenant_keys(sb: Sandbox) -> None:
    with pytest.raises(AuthenticationError) as info:
        await sb.client("pilot", api_key="ps_wrong_key").send(PHONE, Text("hi"))
    assert "ps_wrong_key" not in str(info.value)
    with pytest.raises(PermissionDeniedError):
        await sb.client("pilot", api_key=TENANT_API_KEY).send(PHONE, Text("hi"))
    with pytest.raises(NotFoundError) as number:
        await sb.client("pilot", whatsapp_number_id="other").get_status("msg_1")
    assert number.value.code == "NUMBER_NOT_FOUND"


async def test_key_in_use_without_retries(sb: Sandbox) -> None:
    sb.fail_next("pilot", status=409, code="IDEMPOTENCY_KEY_IN_USE")
    with pytest.raises(IdempotencyKeyInUse) as info:
        await sb.client("pilot").send(PHONE, Text("hi"), max_retries=0, deadline=0)
    assert info.value.retry_after is None and info.value.status == 409
