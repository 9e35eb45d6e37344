"""The facade's send path over real HTTP: validation first, then one request, typed results."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from whatsapp_async import (
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    Group,
    Image,
    InvalidRecipient,
    Provider,
    SendResult,
    Text,
    UnsupportedFeature,
    ValidationError,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox

from .toy import TOY_KEY, ToyProvider, ToySettings

PHONE = "+14155552671"


async def test_send_returns_result_and_records_one_request(sb: Sandbox) -> None:
    wa = sb.client("toy")
    result = await wa.send("+1 (415) 555-2671", Text("hello"), metadata={"order": 7})
    assert isinstance(result, SendResult)
    assert (result.id, result.status, result.provider, result.recipient) == (
        "toy-1",
        "accepted",
        "toy",
        PHONE,
    )
    [rec] = sb.requests("toy")
    assert rec.method == "POST" and rec.path == "/send"
    assert rec.json == {"to": PHONE, "text": "hello", "metadata": {"order": 7}}
    assert rec.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("to", "message", "error"),
    [
        ("12", Text("x"), InvalidRecipient),
        ("+1 415 555", Text("x"), InvalidRecipient),
        ("+999 1234567", Text("x"), InvalidRecipient),
        (PHONE, Image(link="https://example.com/a.png"), UnsupportedFeature),
        (Group("123@g.us"), Text("x"), UnsupportedFeature),
        (PHONE, "plain string", ValidationError),
    ],
)
async def test_bad_input_raises_before_any_request(
    sb: Sandbox, to: object, message: object, error: type[Exception]
) -> None:
    wa = sb.client("toy")
    with pytest.raises(error):
        await wa.send(to, message)  # type: ignore[arg-type]
    assert sb.requests("toy") == []


async def test_unsupported_option_names_the_option(sb: Sandbox) -> None:
    wa = sb.client("toy")
    with pytest.raises(UnsupportedFeature) as info:
        await wa.send(PHONE, Text("x"), reply_to="wamid.1")
    assert info.value.feature == "reply_to"
    assert "reply_to" in str(info.value)
    assert sb.requests("toy") == []


async def test_unsupported_deliver_at_is_rejected(sb: Sandbox) -> None:
    wa = sb.client("toy")
    with pytest.raises(UnsupportedFeature):
        await wa.send(PHONE, Text("x"), deliver_at=__import__("datetime").datetime(2030, 1, 1))
    assert sb.requests("toy") == []


async def test_extra_and_default_region(sb: Sandbox) -> None:
    wa = sb.client("toy", default_region="GB")
    result = await wa.send("020 7946 0958", Text("hi"))
    assert result.recipient == "+442079460958"


def test_configuration_errors_name_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="missing required setting 'api_key'"):
        WhatsApp("toy")
    with pytest.raises(ConfigurationError, match="unknown setting 'apikey'"):
        WhatsApp("toy", api_key="k", apikey="k")
    with pytest.raises(ConfigurationError, match="invalid setting 'api_key'"):
        WhatsApp("toy", api_key=["not", "a", "string"])
    with pytest.raises(ConfigurationError, match="unknown provider 'nope'"):
        WhatsApp("nope")
    with pytest.raises(ConfigurationError, match="default_region"):
        WhatsApp("toy", api_key="k", default_region="Britain")


async def test_provider_instance_can_be_passed_directly(sb: Sandbox) -> None:
    provider = ToyProvider(ToySettings(api_key=TOY_KEY), base_url=sb.base_url("toy"))
    async with WhatsApp(provider) as wa:
        assert (await wa.send(PHONE, Text("x"))).provider == "toy"
    assert isinstance(wa.provider, Provider)


async def test_authentication_error_keeps_status_and_body_without_the_key(sb: Sandbox) -> None:
    secret = "wrong-key-that-must-not-leak"
    wa = sb.client("toy", api_key=secret)
    with pytest.raises(AuthenticationError) as info:
        await wa.send(PHONE, Text("x"))
    err = info.value
    assert err.status == 401 and err.code == "UNAUTHORIZED" and err.provider == "toy"
    assert b"bad key" in err.body
    for text in (str(err), repr(err), repr(wa), str(wa.provider.settings)):
        assert secret not in text


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, b"<html><body>Bad Gateway</body></html>", "text/html"),
        (500, b"", "application/json"),
        (400, b'{"error": "trunc', "application/json"),
    ],
)
async def test_unknown_error_bodies_map_by_status(
    sb: Sandbox, status: int, body: bytes, content_type: str
) -> None:
    wa = sb.client("toy", max_retries=0)
    sb.fail_next("toy", status=status, body=body, content_type=content_type)
    with pytest.raises(APIStatusError) as info:
        await wa.send(PHONE, Text("x"))
    assert info.value.status == status
    assert info.value.body == body
    assert type(info.value).__name__ == ("ServerError" if status >= 500 else "BadRequestError")


async def test_garbled_success_body_is_a_typed_error(sb: Sandbox) -> None:
    wa = sb.client("toy")
    sb.fail_next("toy", status=200, body=b"not json")
    with pytest.raises(APIStatusError, match="unexpected response body"):
        await wa.send(PHONE, Text("x"))
    assert len(sb.requests("toy")) == 1


async def test_caller_owned_session_is_not_closed(sb: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with WhatsApp(
            "toy", api_key=TOY_KEY, base_url=sb.base_url("toy"), session=session
        ) as wa:
            await wa.send(PHONE, Text("x"))
        assert not session.closed
        async with session.post(sb.base_url("toy") + "/send") as resp:
            assert resp.status == 401


async def test_async_with_closes_its_own_connections(sb: Sandbox) -> None:
    async with WhatsApp("toy", api_key=TOY_KEY, base_url=sb.base_url("toy")) as wa:
        await wa.send(PHONE, Text("x"))
        pool = wa._transport._pool  # API calls: the keep-alive client
        assert pool is not None
        connections = list(pool._open)
        assert len(connections) == 1 and not connections[0].closed
    assert connections[0].closed and not pool._open


async def test_uploads_go_through_aiohttp_and_its_session_is_closed_too() -> None:
    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta")
        async with wa:
            await wa.upload_media(b"\x89PNG\r\n\x1a\n" + b"0" * 64, mime_type="image/png")
            session = wa._transport._session
            assert session is not None and not session.closed
        assert session.closed


async def test_no_secret_in_logs_during_a_failing_run(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "leaky-secret-value-123"
    wa = sb.client(
        "toy", api_key=secret, retry=__import__("whatsapp_async").RetryPolicy(initial_delay=0.001)
    )
    sb.fail_next("toy", status=429, times=1)  # retried (not in doubt), then the key is refused
    with pytest.raises(AuthenticationError):
        await wa.send(PHONE, Text("x"))
    assert caplog.records, "a failing run logs its retries and its failure"
    for record in caplog.records:
        assert secret not in record.getMessage()
