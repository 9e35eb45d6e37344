"""Meta error responses become the right typed error, with status, code and raw body kept."""

from __future__ import annotations

import msgspec
import pytest

from whatsapp_async import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    HttpResponse,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    RetryPolicy,
    ServerError,
    Template,
    TemplateError,
    Text,
    Video,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.errors import error_from_response

from .conftest import TO, load_bytes

FAST_RETRIES = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)
# One attempt, and throttling raised at once (it would otherwise wait its turn).
ONCE = RetryPolicy(max_retries=0, throttle_deadline=0)

# (HTTP status, Meta code, expected class): every code family of the error hierarchy
# (README, "Errors") and the facts.
CODE_FAMILIES: list[tuple[int, int, type[APIStatusError]]] = [
    (401, 0, AuthenticationError),
    (401, 190, AuthenticationError),
    (400, 190, AuthenticationError),  # the code wins over the status
    (500, 3, PermissionDeniedError),
    (403, 10, PermissionDeniedError),
    (403, 200, PermissionDeniedError),
    (403, 299, PermissionDeniedError),
    (403, 368, PermissionDeniedError),
    (403, 130497, PermissionDeniedError),
    (403, 131005, PermissionDeniedError),
    (403, 131031, PermissionDeniedError),
    (400, 131048, PermissionDeniedError),  # spam limit: not retried quickly
    (400, 4, RateLimitError),
    (429, 4, RateLimitError),
    (400, 80007, RateLimitError),
    (400, 130429, RateLimitError),
    (429, 130429, RateLimitError),
    (400, 131056, RateLimitError),
    (400, 131047, OutsideWindowError),
    (400, 132000, TemplateError),
    (404, 132001, TemplateError),
    (400, 132005, TemplateError),
    (400, 132015, TemplateError),
    (400, 132999, TemplateError),
    (400, 131026, RecipientError),
    (400, 131021, RecipientError),
    (400, 131042, BillingError),
    (400, 1, ServerError),
    (503, 2, ServerError),
    (500, 131000, ServerError),
    (500, 131016, ServerError),
    (500, 131057, ServerError),
    (503, 133004, ServerError),
    (400, 100, BadRequestError),
    (400, 131008, BadRequestError),
    (400, 131009, BadRequestError),
    (400, 131051, BadRequestError),
    (500, 131045, BadRequestError),  # "do not retry" although the old table said 500
    (400, 999999, BadRequestError),  # unknown code: by status
    (503, 999999, ServerError),
    (404, 999999, NotFoundError),
]


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    CODE_FAMILIES,
    ids=[f"{s}-{c}-{e.__name__}" for s, c, e in CODE_FAMILIES],
)
async def test_meta_error_codes_map_to_typed_errors(
    sb: Sandbox, status: int, code: int, expected: type[APIStatusError]
) -> None:
    wa = sb.client("meta", retry=ONCE)
    token = sb.settings("meta")["token"]
    sb.fail_next("meta", status=status, code=code)

    with pytest.raises(APIStatusError) as caught:
        await wa.send(TO, Text("hi"))

    error = caught.value
    assert type(error) is expected
    assert error.status == status
    assert error.code == code
    assert error.provider == "meta"
    envelope = msgspec.json.decode(error.body)
    assert envelope["error"]["code"] == code
    assert error.message == envelope["error"]["message"]
    assert error.details == envelope["error"]["error_data"]["details"]
    for text in (str(error), repr(error), error.message, error.body.decode()):
        assert token not in text
    assert len(sb.requests("meta")) == 1


async def test_retry_after_header_is_kept_on_rate_limits(sb: Sandbox) -> None:
    sb.fail_next("meta", status=400, code=130429, retry_after=7)
    with pytest.raises(RateLimitError) as caught:
        await sb.client("meta", retry=ONCE).send(TO, Text("hi"))
    assert caught.value.retry_after == 7.0


async def test_pair_limit_invents_no_wait(sb: Sandbox) -> None:
    sb.fail_next("meta", status=400, code=131056)
    with pytest.raises(RateLimitError) as caught:
        await sb.client("meta", retry=ONCE).send(TO, Text("hi"))
    assert caught.value.retry_after is None


async def test_transient_errors_are_retried_then_succeed(sb: Sandbox) -> None:
    sb.fail_next("meta", status=503, code=2)
    sb.fail_next("meta", status=400, code=130429)
    result = await sb.client("meta", retry=FAST_RETRIES).send(TO, Text("hi"))
    assert result.id.startswith("wamid.")
    assert [r.status for r in sb.requests("meta")] == [503, 400, 200]


@pytest.mark.parametrize("code", [131048, 131047, 100, 131045])
async def test_permanent_errors_are_not_retried(sb: Sandbox, code: int) -> None:
    sb.fail_next("meta", status=500 if code == 131045 else 400, code=code)
    with pytest.raises(APIStatusError):
        await sb.client("meta", retry=FAST_RETRIES).send(TO, Text("hi"))
    assert len(sb.requests("meta")) == 1


# Bodies that are not Meta's envelope: the HTTP status decides.
ODD_BODIES: list[tuple[str, int, bytes, str, type[APIStatusError]]] = [
    (
        "html-502",
        502,
        b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        "text/html",
        ServerError,
    ),
    ("empty-503", 503, b"", "application/json", ServerError),
    ("empty-401", 401, b"", "application/json", AuthenticationError),
    ("empty-429", 429, b"", "application/json", RateLimitError),
    (
        "truncated-json-400",
        400,
        b'{"error":{"message":"(#131047) Re-engag',
        "application/json",
        BadRequestError,
    ),
    ("truncated-json-500", 500, b'{"error":{"code":1', "application/json", ServerError),
    (
        "json-not-envelope-403",
        403,
        b'{"detail":"forbidden"}',
        "application/json",
        PermissionDeniedError,
    ),
    ("error-is-a-string-404", 404, b'{"error":"no such thing"}', "application/json", NotFoundError),
    (
        "code-as-string-400",
        400,
        b'{"error":{"code":"131047","message":"late"}}',
        "application/json",
        OutsideWindowError,
    ),
]


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [c[1:] for c in ODD_BODIES],
    ids=[c[0] for c in ODD_BODIES],
)
async def test_unknown_bodies_map_by_status(
    sb: Sandbox, status: int, body: bytes, content_type: str, expected: type[APIStatusError]
) -> None:
    sb.fail_next("meta", status=status, body=body, content_type=content_type)
    with pytest.raises(APIStatusError) as caught:
        await sb.client("meta", retry=ONCE).send(TO, Text("hi"))
    error = caught.value
    assert type(error) is expected
    assert error.status == status
    assert error.body == body
    assert error.message
    assert error.code == (131047 if b'"131047"' in body else None)


async def test_a_token_echoed_by_a_proxy_is_scrubbed(sb: Sandbox) -> None:
    token = sb.settings("meta")["token"]
    leaky = f'{{"error":{{"message":"bad token {token}","code":190}}}}'.encode()
    sb.fail_next("meta", status=401, body=leaky)
    with pytest.raises(AuthenticationError) as caught:
        await sb.client("meta", retry=ONCE).send(TO, Text("hi"))
    for text in (str(caught.value), repr(caught.value), caught.value.body.decode()):
        assert token not in text


async def test_wrong_token_is_an_authentication_error(sb: Sandbox) -> None:
    wrong = "EAAwrong-token-0123456789"
    wa = sb.client("meta", token=wrong, max_retries=0)
    with pytest.raises(AuthenticationError) as caught:
        await wa.send(TO, Text("hi"))
    error = caught.value
    assert (error.status, error.code) == (401, 190)
    assert msgspec.json.decode(error.body)["error"]["type"] == "OAuthException"
    for text in (str(error), repr(error), error.body.decode(), repr(wa)):
        assert wrong not in text
        assert sb.settings("meta")["token"] not in text


async def test_unknown_phone_number_id_is_graphs_unsupported_request(sb: Sandbox) -> None:
    wa = sb.client("meta", phone_number_id="999999999999999", max_retries=0)
    with pytest.raises(BadRequestError) as caught:
        await wa.send(TO, Text("hi"))
    error = msgspec.json.decode(caught.value.body)["error"]
    assert (caught.value.status, caught.value.code) == (400, 100)
    assert error["error_subcode"] == 33
    assert error["type"] == "GraphMethodException"


async def test_simulator_validation_errors_reach_the_caller_typed(sb: Sandbox) -> None:
    wa = sb.client("meta", retry=ONCE)
    with pytest.raises(TemplateError) as unknown:
        await wa.send(TO, Template("no_such_template"))
    assert (unknown.value.status, unknown.value.code) == (404, 132001)
    with pytest.raises(TemplateError) as paused:
        await wa.send(TO, Template("summer_teaser", header=Video(link="https://cdn.example/v.mp4")))
    assert paused.value.code == 132015
    with pytest.raises(TemplateError) as count:
        await wa.send(TO, Template("order_update", body=["only one"]))
    assert count.value.code == 132000
    assert "expected number of params (2)" in str(count.value.details)


def test_meta_docs_error_examples_map_directly() -> None:
    rate = error_from_response(
        HttpResponse(status=400, body=load_bytes("responses/error_130429.json"))
    )
    assert isinstance(rate, RateLimitError)
    assert rate.code == 130429
    assert rate.details == "Cloud API message throughput has been reached."
    invalid = error_from_response(
        HttpResponse(status=400, body=load_bytes("responses/error_100.json"))
    )
    assert isinstance(invalid, BadRequestError)
    assert (invalid.code, invalid.message) == (100, "(#100) Invalid parameter")
    assert invalid.details == "Message must be a template message."


def test_retry_after_as_http_date_and_header_case() -> None:
    response = HttpResponse(
        status=429,
        headers={"retry-after": "0"},
        body=b'{"error":{"code":4,"message":"(#4) Application request limit reached"}}',
    )
    error = error_from_response(response)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 0.0
