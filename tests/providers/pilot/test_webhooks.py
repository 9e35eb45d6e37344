"""Webhook parsing for every event kind, and x-pilot-status-signature checks."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import pytest

from whatsapp_async import (
    ConfigurationError,
    EventError,
    InboundMedia,
    MessageReceived,
    StatusUpdate,
    UnknownEvent,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsApp,
)
from whatsapp_async.provider import hmac_sha256_hex

from .conftest import fixture_bytes, fixture_json

SECRET = "plwh_test_secret_1"
OLD_SECRET = "plwh_test_secret_0"
WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ1"


def client(**settings: Any) -> WhatsApp:
    return WhatsApp("pilot", api_key="ps_test", **settings)


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"x-pilot-status-signature": hmac_sha256_hex(secret, body)}


def parse(name: str) -> list[object]:
    body = fixture_bytes(name)
    return list(client(webhook_secret=SECRET).parse_webhook(signed(body), body))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("name", "status", "wa_id", "when"),
    [
        ("webhook_message_sent_v3.json", "sent", WAMID, "2026-02-24T15:00:05"),
        ("webhook_message_delivered_v3.json", "delivered", WAMID, "2026-02-24T15:00:07"),
        ("webhook_message_read_v3.json", "read", WAMID, "2026-02-24T15:01:00"),
    ],
)
def test_status_events(name: str, status: str, wa_id: str, when: str) -> None:
    [event] = parse(name)
    assert event == StatusUpdate(
        provider="pilot",
        message_id="msg_01HZXSENT",
        status=status,  # type: ignore[arg-type]
        recipient="+5511987654321",
        timestamp=at(when),
        wa_id=wa_id,
        wamid=wa_id,
        business_id="cmm0abc123",
        business_phone=fixture_json(name)["data"].get("from"),
        raw=fixture_json(name),
    )


@pytest.mark.parametrize(
    ("name", "message_id", "error"),
    [
        (
            "webhook_message_failed_v3.json",
            "msg_01HZXFAIL",
            EventError(code="META_OUTSIDE_24H_WINDOW", title="Outside the 24h conversation window"),
        ),
        (
            "webhook_message_failed_errormessage_readme.json",
            "msg_01HZXFAIL2",
            EventError(code="WHATSAPP_NOT_EXIST", title="The number is not on WhatsApp"),
        ),
    ],
)
def test_failed_events_carry_the_error(name: str, message_id: str, error: EventError) -> None:
    [event] = parse(name)
    assert isinstance(event, StatusUpdate)
    assert (event.message_id, event.status, event.error, event.wa_id) == (
        message_id,
        "failed",
        error,
        None,
    )


def test_message_received_docs_example() -> None:
    [event] = parse("pilotstatus_webhook_message_received_v3__docs.json")
    assert isinstance(event, MessageReceived)
    assert (event.message_id, event.sender, event.type, event.text) == (
        "cmm04obm46zz0qv4ycjp8x6r2",
        "+5511999999999",
        "text",
        "Hi",
    )
    assert event.sender_name == "WhatsApp name"
    assert event.recipient == "+5511888888888"
    assert event.timestamp == at("2026-02-24T10:30:00")
    assert event.reply_to is None and event.media is None
    assert event.metadata is not None
    assert event.metadata["wa_id"] == "msg_in_id"
    assert event.metadata["number_id"] == "cmm0abc123"
    assert event.metadata["event"] == "message.received"


def test_reply_points_at_the_original_wamid() -> None:
    [event] = parse("webhook_message_reply_v3.json")
    assert isinstance(event, MessageReceived)
    assert event.reply_to == WAMID
    assert event.text == "Yes, please"
    assert event.metadata is not None
    assert event.metadata["correlation_id"] == "corr_01HZXSENT"
    assert event.metadata["quoted_text"] == "Your order has shipped"


def test_group_message_with_media() -> None:
    [event] = parse("webhook_message_group_image_v3.json")
    assert isinstance(event, MessageReceived)
    assert (event.type, event.sender, event.recipient) == (
        "image",
        "+5511977776666",
        "120363025246125486@g.us",
    )
    assert event.text == "Look at this"
    assert event.media == InboundMedia(
        url="https://media.example.com/in/photo.jpg", caption="Look at this"
    )
    assert event.metadata is not None and event.metadata["group_name"] == "Team"


def test_newsletter_message_with_a_document() -> None:
    [event] = parse("webhook_message_newsletter_v3.json")
    assert isinstance(event, MessageReceived)
    assert event.recipient == "120363000000000000@newsletter"
    assert event.media is not None and event.media.filename == "report.pdf"
    assert event.metadata is not None
    assert event.metadata["newsletter_name"] == "Weekly news"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("webhook_legacy_flat_status.json", "message.sent"),
        ("webhook_number_connected_v3.json", "number.connected"),
        ("webhook_call_ended_flat.json", "call.ended"),
        ("webhook_lead_received_v3.json", "lead.received"),
    ],
)
def test_other_and_legacy_events_are_unknown(name: str, kind: str) -> None:
    [event] = parse(name)
    assert event == UnknownEvent(provider="pilot", raw=fixture_json(name), kind=kind)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\r\n",
        b"not json",
        b'{"event": "message.sent", "data": {"to": "+5511987654321"}',
        b'{"event": "message.sent", "data": {"id": "\xed\xa0\x80"}}',
        b'{"event": "message.read", "data": {"id": "m1", "createdAt": "\\ud800"}}',
        b"[" * 65 + b"]" * 65,
    ],
)
def test_a_body_that_is_not_readable_json_raises_the_payload_error(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError) as caught:
        client(webhook_secret=SECRET).parse_webhook(signed(body), body)
    assert caught.value.provider == "pilot"


def test_the_signature_is_checked_before_the_body_is_read() -> None:
    with pytest.raises(WebhookSignatureError):
        client(webhook_secret=SECRET).parse_webhook(signed(b"other"), b"not json")


@pytest.mark.parametrize(
    "body",
    [
        b"42",
        b'"message.sent"',
        b'{"data": {"id": "x"}}',
        b'{"event": "message.sent", "data": {"id": 7}}',
        b'{"event": "message.sent", "data": {"id": ""}}',
        b'{"event": "message.delivered", "data": []}',
        b'{"event": 5, "data": {"id": "x"}}',
    ],
)
def test_json_of_any_other_shape_becomes_unknown(body: bytes) -> None:
    events = client(webhook_secret=SECRET).parse_webhook(signed(body), body)
    assert events and all(isinstance(e, UnknownEvent) for e in events)


def test_a_list_of_envelopes_gives_one_event_each() -> None:
    body = b"[" + fixture_bytes("webhook_message_sent_v3.json") + b", 1]"
    events = client(webhook_secret=SECRET).parse_webhook(signed(body), body)
    assert [type(e) for e in events] == [StatusUpdate, UnknownEvent]


def test_bad_timestamp_is_dropped_not_raised() -> None:
    body = b'{"event": "message.read", "data": {"id": "m1", "createdAt": "yesterday"}}'
    [event] = client().parse_webhook({}, body)
    assert isinstance(event, StatusUpdate) and event.timestamp is None


# -- signatures --------------------------------------------------------------------------------
BODY = fixture_bytes("webhook_message_sent_v3.json")


@pytest.mark.parametrize(
    "signature",
    [
        hmac_sha256_hex(SECRET, BODY),
        hmac_sha256_hex(SECRET, BODY).upper(),
        "sha256=" + hmac_sha256_hex(SECRET, BODY),
        hmac_sha256_hex(OLD_SECRET, BODY),
    ],
    ids=["bare-hex", "upper-hex", "sha256-prefix", "rotated-old-secret"],
)
def test_good_signatures(signature: str) -> None:
    wa = client(webhook_secret=SECRET, webhook_secrets=[OLD_SECRET])
    [event] = wa.parse_webhook({"X-Pilot-Status-Signature": signature}, BODY)
    assert isinstance(event, StatusUpdate)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-pilot-status-signature": ""},
        {"x-pilot-status-signature": hmac_sha256_hex("plwh_wrong", BODY)},
        {"x-pilot-status-signature": hmac_sha256_hex(SECRET, BODY + b" ")},
        {"x-pilot-status-signature": "sha1=" + hmac_sha256_hex(SECRET, BODY)},
        {"x-hub-signature-256": "sha256=" + hmac_sha256_hex(SECRET, BODY)},
        {"x-pilot-status-signature": "sha256=" + "\u00e9" * 64},
        {"x-pilot-status-signature": "\udcff" * 64},
        {"x-pilot-status-signature": "\x00\x7f" * 32},
        {"x-pilot-status-signature": "f" * 100_000},
    ],
    ids=[
        "missing",
        "empty",
        "wrong-secret",
        "other-body",
        "wrong-prefix",
        "wrong-header",
        "non-ascii",
        "surrogates",
        "control-characters",
        "huge",
    ],
)
def test_bad_signatures_raise(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookSignatureError) as info:
        client(webhook_secret=SECRET).parse_webhook(headers, BODY)
    assert SECRET not in str(info.value)


def test_rotation_with_only_the_list() -> None:
    wa = client(webhook_secrets=["plwh_new", OLD_SECRET])
    assert wa.parse_webhook(signed(BODY, OLD_SECRET), BODY)
    with pytest.raises(WebhookSignatureError):
        wa.parse_webhook(signed(BODY, SECRET), BODY)


def test_no_secret_accepts_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    wa = client()
    with caplog.at_level(logging.WARNING):
        first = wa.parse_webhook({}, BODY)
        second = wa.parse_webhook({"x-pilot-status-signature": "junk"}, BODY)
    assert isinstance(first[0], StatusUpdate) and isinstance(second[0], StatusUpdate)
    warnings = [r for r in caplog.records if "unverified" in r.getMessage()]
    assert len(warnings) == 1


def test_webhook_app_without_a_secret_refuses_to_start_unless_allowed() -> None:
    with pytest.raises(ConfigurationError, match="webhook_secret"):
        client().webhook_app(lambda event: None)
    assert client().webhook_app(lambda event: None, allow_unsigned=True) is not None
    assert client(webhook_secrets=[OLD_SECRET]).webhook_app(lambda event: None) is not None
