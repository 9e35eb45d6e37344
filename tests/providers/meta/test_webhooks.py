"""Webhook parsing of every fixture shape, signatures (good, bad, missing, rotated), handshake."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_async import (
    ConfigurationError,
    EventError,
    InboundMedia,
    MessageReceived,
    StatusUpdate,
    TemplateStatusUpdate,
    UnknownEvent,
    UserIdentityChanged,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsApp,
)
from whatsapp_async.events import Pricing, StatusConversation
from whatsapp_async.provider import hmac_sha256_hex
from whatsapp_async_providers.meta import MetaProvider, MetaSettings

from .conftest import FIXTURES, load_bytes, load_json

SECRET = "app-secret-4f1c2b"
PNID = "106540352242922"
SHEENA = "+16505551234"
BUSINESS_PHONE = "+15550783881"
PABLO_USER_ID = "user.9373795779eb6441c8adb2eaee5b848e7dd174ddd302d7db62142f4722d574b6"


def _wa(**settings: Any) -> WhatsApp:
    values = {
        "token": "EAAtest-token-123",
        "phone_number_id": PNID,
        "app_secret": SECRET,
        **settings,
    }
    return WhatsApp("meta", **values)


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac_sha256_hex(secret, body)}


def _parse(fixture: str) -> list[Any]:
    body = load_bytes(f"webhooks/{fixture}")
    return _wa().parse_webhook(_signed(body), body)


def _value(fixture: str, entry: int = 0, change: int = 0) -> dict[str, Any]:
    value: dict[str, Any] = load_json(f"webhooks/{fixture}")["entry"][entry]["changes"][change][
        "value"
    ]
    return value


def _message(fixture: str, index: int = 0) -> dict[str, Any]:
    message: dict[str, Any] = _value(fixture)["messages"][index]
    return message


def _status(fixture: str, index: int = 0) -> dict[str, Any]:
    status: dict[str, Any] = _value(fixture)["statuses"][index]
    return status


def _at(unix: str) -> datetime:
    return datetime.fromtimestamp(int(unix), tz=timezone.utc)


def _received(fixture: str, **fields: Any) -> MessageReceived:
    raw = _message(fixture)
    defaults: dict[str, Any] = {
        "provider": "meta",
        "message_id": raw["id"],
        "sender": SHEENA,
        "type": raw["type"],
        "timestamp": _at(raw["timestamp"]),
        "recipient": PNID,
        "business_id": PNID,
        "business_phone": BUSINESS_PHONE,
        "raw": raw,
    }
    return MessageReceived(**{**defaults, **fields})


def _update(fixture: str, **fields: Any) -> StatusUpdate:
    raw = _status(fixture)
    defaults: dict[str, Any] = {
        "provider": "meta",
        "message_id": raw["id"],
        "wamid": raw["id"],
        "status": raw["status"],
        "recipient": SHEENA,
        "timestamp": _at(raw["timestamp"]),
        "wa_id": "16505551234",
        "business_id": PNID,
        "business_phone": BUSINESS_PHONE,
        "pricing": _pricing(raw),
        "conversation": _conversation(raw),
        "raw": raw,
    }
    return StatusUpdate(**{**defaults, **fields})


def _pricing(raw: dict[str, Any]) -> Pricing | None:
    pricing = raw.get("pricing")
    if pricing is None:
        return None
    return Pricing(
        model=pricing.get("pricing_model"),
        type=pricing.get("type"),
        category=pricing.get("category"),
        billable=pricing.get("billable"),
    )


def _conversation(raw: dict[str, Any]) -> StatusConversation | None:
    conversation = raw.get("conversation")
    if conversation is None:
        return None
    return StatusConversation(
        id=conversation.get("id"),
        origin=(conversation.get("origin") or {}).get("type"),
        expires_at=_at(conversation["expiration_timestamp"]),
    )


def _expected(fixture: str) -> list[Any]:
    if fixture == "inbound_text.json":
        return [
            _received(fixture, text="Does it come in another color?", sender_name="Sheena Nelson")
        ]
    if fixture == "inbound_text_ad_referral.json":
        return [
            _received(
                fixture,
                text="Can I get more info about this?",
                sender_name="Sheena Nelson",
                referral=_message(fixture)["referral"],
            )
        ]
    if fixture == "inbound_text_referred_product.json":
        return [
            _received(
                fixture,
                text="Is this still available?",
                sender_name="Sheena Nelson",
                reply_to="wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA",
            )
        ]
    if fixture == "inbound_text_bsuid_no_phone.json":
        return [
            _received(
                fixture,
                sender="user.93737...",
                text="Does it come in another color?",
                sender_name="Sheena Nelson",
                sender_user_id="user.93737...",
                username="@realsheenanelson",
            )
        ]
    if fixture == "inbound_image.json":
        image = _message(fixture)["image"]
        return [
            _received(
                fixture,
                text="Taj Mahal",
                sender_name="Sheena Nelson",
                media=InboundMedia(
                    id="1003383421387256",
                    url=image["url"],
                    mime_type="image/jpeg",
                    sha256=image["sha256"],
                    caption="Taj Mahal",
                ),
            )
        ]
    if fixture in ("inbound_button_reply.json", "inbound_list_reply.json"):
        raw = _message(fixture)
        title = "Change" if "button" in fixture else "Priority Mail Express"
        name = "Pablo Morales" if "button" in fixture else "Sheena Nelson"
        return [
            _received(
                fixture,
                text=title,
                interactive=raw["interactive"],
                reply_to=raw["context"]["id"],
                sender_name=name,
                button_id="change-button" if "button" in fixture else "priority_express",
            )
        ]
    if fixture == "inbound_location.json":
        return [_received(fixture, location=_message(fixture)["location"], sender_name="Kai Ito")]
    if fixture == "inbound_contacts.json":
        return [_received(fixture, contacts=_message(fixture)["contacts"], sender_name="Kai Ito")]
    if fixture == "inbound_reaction.json":
        return [_received(fixture, reaction=_message(fixture)["reaction"], sender_name="Kai Ito")]
    if fixture == "inbound_template_button.json":
        raw = _message(fixture)
        return [
            _received(
                fixture,
                text="Confirm",
                interactive={"payload": "CONFIRM_APPOINTMENT", "text": "Confirm"},
                reply_to=raw["context"]["id"],
                sender_name="Kai Ito",
                button_id="CONFIRM_APPOINTMENT",
            )
        ]
    if fixture == "inbound_order.json":
        return [_received(fixture, text="Please deliver after 6pm", sender_name="Kai Ito")]
    if fixture == "inbound_system.json":
        return [
            UserIdentityChanged(
                provider="meta",
                business_account_id="102290129340398",
                timestamp=_at("1750100000"),
                kind="user_changed_number",
                message_id=_message(fixture)["id"],
                phone="+16505559876",
                previous_phone=SHEENA,
                text="Kai Ito changed from 16505551234 to 16505559876",
                business_id=PNID,
                raw=_message(fixture),
            )
        ]
    if fixture == "inbound_unsupported.json":
        return [
            _received(
                fixture,
                sender_name="Kai Ito",
                errors=[
                    EventError(
                        code="131051",
                        title="Message type unknown",
                        details="Message type is currently not supported.",
                    )
                ],
            )
        ]
    if fixture in (
        "inbound_sticker.json",
        "inbound_audio_voice.json",
        "inbound_video.json",
        "inbound_document.json",
    ):
        raw = _message(fixture)
        media = raw[raw["type"]]
        return [
            _received(
                fixture,
                text=media.get("caption"),
                sender_name="Kai Ito",
                media=InboundMedia(
                    id=media["id"],
                    url=media.get("url"),
                    mime_type=media["mime_type"],
                    sha256=media["sha256"],
                    caption=media.get("caption"),
                    filename=media.get("filename"),
                    voice=media.get("voice", False),
                ),
            )
        ]
    if fixture == "inbound_forwarded_text.json":
        return [_received(fixture, text="Look at this deal", sender_name="Kai Ito")]
    if fixture in (
        "status_sent_conversation_pricing.json",
        "status_sent_v24.json",
        "status_played.json",
    ):
        return [_update(fixture)]
    if fixture == "status_delivered_pmp.json":
        return [_update(fixture, recipient_user_id=PABLO_USER_ID, username="@pablomorales")]
    if fixture == "status_delivered_bsuid.json":
        return [
            _update(
                fixture,
                recipient="user.9373795779eb6441c8adb2eaee5b848e7dd174ddd302d7db62142f4722d574b6",
                recipient_user_id=PABLO_USER_ID,
                username="@pablomorales",
                wa_id=None,
            )
        ]
    if fixture == "status_failed_131049.json":
        return [
            _update(
                fixture,
                error=EventError(
                    code="131049",
                    title=_status(fixture)["errors"][0]["title"],
                    details=_status(fixture)["errors"][0]["error_data"]["details"],
                ),
            )
        ]
    if fixture == "status_failed_131026.json":
        return [
            _update(
                fixture,
                error=EventError(
                    code="131026", title="Message undeliverable", details="Message Undeliverable."
                ),
            )
        ]
    if fixture == "status_read_group.json":
        return [
            _update(
                fixture,
                recipient="Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjA",
                wa_id=None,
            )
        ]
    if fixture == "errors_field_syntax.json":
        return [UnknownEvent(provider="meta", raw=_value(fixture)["errors"][0], kind="errors")]
    if fixture == "batch_mixed.json":
        first = _value(fixture, 0, 0)["statuses"]
        second = _value(fixture, 1, 0)["messages"]
        template_change = load_json(f"webhooks/{fixture}")["entry"][0]["changes"][1]
        return [
            StatusUpdate(
                provider="meta",
                message_id="wamid.BATCH1",
                wamid="wamid.BATCH1",
                status="sent",
                recipient=SHEENA,
                timestamp=_at("1750100100"),
                wa_id="16505551234",
                metadata={"order": "1234"},
                business_id=PNID,
                business_phone=BUSINESS_PHONE,
                pricing=_pricing(first[0]),
                raw=first[0],
            ),
            StatusUpdate(
                provider="meta",
                message_id="wamid.BATCH1",
                wamid="wamid.BATCH1",
                status="delivered",
                recipient=SHEENA,
                timestamp=_at("1750100101"),
                wa_id="16505551234",
                business_id=PNID,
                business_phone=BUSINESS_PHONE,
                raw=first[1],
            ),
            UnknownEvent(provider="meta", raw=first[2], kind="status"),
            TemplateStatusUpdate(
                provider="meta",
                business_account_id="102290129340398",
                template_id="1002",
                name="order_update",
                language="en_US",
                status="APPROVED",
                reason="NONE",
                raw=template_change["value"],
            ),
            MessageReceived(
                provider="meta",
                message_id="wamid.BATCH3",
                sender=SHEENA,
                type="text",
                timestamp=_at("1750100103"),
                text="first",
                sender_name="Kai Ito",
                recipient=PNID,
                business_id=PNID,
                business_phone=BUSINESS_PHONE,
                raw=second[0],
            ),
            MessageReceived(
                provider="meta",
                message_id="wamid.BATCH4",
                sender="+447911123456",
                type="text",
                timestamp=_at("1750100104"),
                text="second",
                sender_name="Lee Chan",
                recipient=PNID,
                business_id=PNID,
                business_phone=BUSINESS_PHONE,
                raw=second[1],
            ),
            UnknownEvent(provider="meta", raw=second[2], kind="message"),
        ]
    raise AssertionError(f"no expectation written for {fixture}")


WEBHOOK_FIXTURES = sorted(p.name for p in (FIXTURES / "webhooks").glob("*.json"))


def test_every_webhook_fixture_has_an_expectation() -> None:
    assert len(WEBHOOK_FIXTURES) >= 29
    for fixture in WEBHOOK_FIXTURES:
        assert _expected(fixture), fixture


@pytest.mark.parametrize("fixture", WEBHOOK_FIXTURES)
def test_webhook_fixture_becomes_the_right_events(fixture: str) -> None:
    assert _parse(fixture) == _expected(fixture)


def test_status_keeps_pricing_conversation_and_callback_data_in_raw() -> None:
    [status] = _parse("status_sent_conversation_pricing.json")
    assert status.raw["pricing"]["pricing_model"] == "PMP"
    assert status.raw["conversation"]["origin"]["type"] == "marketing"
    [sent, *_] = _parse("batch_mixed.json")
    assert json.loads(sent.raw["biz_opaque_callback_data"]) == {"order": "1234"}


def test_inbound_extras_stay_in_raw() -> None:
    [forwarded] = _parse("inbound_forwarded_text.json")
    assert forwarded.raw["context"]["forwarded"] is True
    [referral] = _parse("inbound_text_ad_referral.json")
    assert referral.raw["referral"]["source_type"] == "ad"
    [order] = _parse("inbound_order.json")
    assert order.raw["order"]["product_items"][0]["quantity"] == 2


# -- signatures ------------------------------------------------------------------------------
BODY = load_bytes("webhooks/inbound_text.json")


def test_good_signature_is_accepted_in_any_header_case() -> None:
    signature = _signed(BODY)["X-Hub-Signature-256"]
    assert _wa().parse_webhook({"x-hub-signature-256": signature}, BODY)
    assert _wa().parse_webhook(
        {"X-HUB-SIGNATURE-256": signature.upper().replace("SHA256=", "sha256=")}, BODY
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": ""},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": hmac_sha256_hex(SECRET, BODY)},  # no "sha256=" prefix
        {"X-Hub-Signature-256": "sha256=" + hmac_sha256_hex("another-secret", BODY)},
        {"X-Hub-Signature": "sha1=" + "0" * 40},  # the legacy SHA-1 header alone
        {"X-Hub-Signature-256": "sha256=" + "\u00e9" * 64},  # TypeError in compare_digest once
        {
            "X-Hub-Signature-256": "sha256=" + "\udcff" * 64
        },  # undecodable bytes, as aiohttp has them
        {"X-Hub-Signature-256": "\u0130" * 7 + "0" * 64},  # lower() makes it longer
        {"X-Hub-Signature-256": "sha256=\x00\r\n\t" + "0" * 60},
        {"X-Hub-Signature-256": "sha256=" + "0" * 100_000},
    ],
    ids=[
        "missing",
        "empty",
        "wrong",
        "unprefixed",
        "other-secret",
        "sha1-only",
        "non-ascii",
        "surrogates",
        "longer-when-lowered",
        "control-characters",
        "huge",
    ],
)
def test_bad_or_missing_signature_is_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookSignatureError) as caught:
        _wa().parse_webhook(headers, BODY)
    assert SECRET not in str(caught.value)


def test_a_repeated_signature_header_is_rejected_even_when_one_is_right() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    good = _signed(BODY)["X-Hub-Signature-256"]
    for second in (good, "sha256=" + "0" * 64):
        headers = CIMultiDictProxy(
            CIMultiDict([("X-Hub-Signature-256", good), ("x-hub-signature-256", second)])
        )
        with pytest.raises(WebhookSignatureError, match="more than one"):
            _wa().parse_webhook(headers, BODY)


def test_signature_over_a_changed_body_is_rejected() -> None:
    tampered = BODY.replace(b"another color", b"another colour")
    with pytest.raises(WebhookSignatureError):
        _wa().parse_webhook(_signed(BODY), tampered)


@pytest.mark.parametrize(
    "settings",
    [
        {"app_secret": "new-secret-2", "app_secrets": ["old-secret-1"]},
        {"app_secret": None, "app_secrets": ["new-secret-2", "old-secret-1"]},
        {"app_secret": None, "app_secrets": "new-secret-2, old-secret-1"},
    ],
    ids=["secret-plus-list", "list-only", "comma-separated"],
)
def test_rotated_secrets_accept_either_and_nothing_else(settings: dict[str, Any]) -> None:
    wa = _wa(**settings)
    assert wa.parse_webhook(_signed(BODY, "old-secret-1"), BODY)
    assert wa.parse_webhook(_signed(BODY, "new-secret-2"), BODY)
    with pytest.raises(WebhookSignatureError):
        wa.parse_webhook(_signed(BODY, "retired-secret-0"), BODY)
    for secret in ("old-secret-1", "new-secret-2"):
        assert secret not in repr(wa)


def test_without_a_secret_webhooks_are_accepted_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wa = _wa(app_secret=None)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        assert wa.parse_webhook({}, BODY)
        assert wa.parse_webhook({"X-Hub-Signature-256": "sha256=garbage"}, BODY)
    warnings = [r for r in caplog.records if "not being verified" in r.getMessage().lower()]
    assert len(warnings) == 1


# -- never raises on odd payloads ------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"[1, 2]", None),
        (b"null", None),
        (b'{"object": "page", "entry": []}', "page"),
        (b'{"object": "whatsapp_business_account", "entry": "nope"}', None),
    ],
)
def test_odd_payloads_become_unknown_events_or_nothing(body: bytes, kind: str | None) -> None:
    events = _wa(app_secret=None).parse_webhook({}, body)
    assert all(isinstance(e, UnknownEvent) for e in events)
    if kind is not None:
        assert [e.kind for e in events] == [kind]


@pytest.mark.parametrize(
    "body",
    [b"", b" \n", b"{not json", b'{"object": "\xff"}', b"[" * 65 + b"]" * 65, b'{"a": 1} x'],
    ids=["empty", "blank", "not-json", "invalid-utf8", "too-deep", "trailing"],
)
def test_a_body_that_is_not_readable_json_raises_the_payload_error(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError) as caught:
        _wa().parse_webhook(_signed(body), body)
    assert caught.value.provider == "meta"


def test_nesting_up_to_the_limit_is_read() -> None:
    body = b'{"object": "page", "entry": ' + b"[" * 63 + b"]" * 63 + b"}"
    [event] = _wa().parse_webhook(_signed(body), body)
    assert isinstance(event, UnknownEvent) and event.kind == "page"


def test_callback_data_nested_too_deep_is_kept_as_text() -> None:
    deep = "[" * 1000 + "]" * 1000
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "statuses": [
                                {
                                    "id": "wamid.X",
                                    "status": "read",
                                    "biz_opaque_callback_data": deep,
                                }
                            ]
                        },
                    }
                ]
            }
        ],
    }
    body = json.dumps(payload).encode()
    [event] = _wa().parse_webhook(_signed(body), body)
    assert isinstance(event, StatusUpdate) and event.metadata == {"value": deep}


def test_an_odd_item_does_not_lose_the_rest_of_the_batch() -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": "not an object",
                            "contacts": "nor this",
                            "messages": [
                                {
                                    "from": "16505551234",
                                    "id": "wamid.A",
                                    "timestamp": "x",
                                    "type": "text",
                                    "text": {"body": 5},
                                },
                                {
                                    "from": "16505551234",
                                    "id": "wamid.B",
                                    "timestamp": "1750100000",
                                    "type": "text",
                                    "text": {"body": "ok"},
                                },
                            ],
                            "statuses": [
                                {"id": "wamid.C", "status": "read", "recipient_id": 7},
                                "junk",
                            ],
                        },
                    },
                    "junk",
                ],
            },
            7,
        ],
    }
    events = _wa(app_secret=None).parse_webhook({}, json.dumps(payload).encode())
    kinds = [(type(e).__name__, getattr(e, "message_id", None)) for e in events]
    # A field of the wrong type degrades that field, not the item (the raw is kept).
    assert kinds == [
        ("MessageReceived", "wamid.A"),
        ("MessageReceived", "wamid.B"),
        ("StatusUpdate", "wamid.C"),
        ("UnknownEvent", None),
    ]
    assert events[0].timestamp is None and events[0].text is None
    assert events[0].raw["text"] == {"body": 5}
    assert events[1].recipient is None
    assert events[1].timestamp == _at("1750100000")
    assert events[2].recipient is None and events[2].status == "read"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "object",
                    "entry",
                    "changes",
                    "field",
                    "value",
                    "messages",
                    "statuses",
                    "errors",
                    "contacts",
                    "from",
                    "id",
                    "type",
                    "text",
                    "body",
                    "status",
                    "timestamp",
                    "recipient_id",
                    "image",
                    "interactive",
                    "context",
                    "whatsapp_business_account",
                    "metadata",
                    "button",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(payload=_json)
def test_parsing_never_raises(payload: Any) -> None:
    provider = MetaProvider(MetaSettings(token="t-123456", phone_number_id=PNID))
    provider._warned_unsigned = True  # keep the log quiet
    for candidate in (payload, {"object": "whatsapp_business_account", "entry": payload}):
        events = provider.parse_webhook({}, json.dumps(candidate).encode(), {})
        assert isinstance(events, list)


# -- handshake -------------------------------------------------------------------------------
def test_handshake_answers_the_challenge_for_the_verify_token() -> None:
    wa = _wa(verify_token="my-verify-token")
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "my-verify-token",
        "hub.challenge": "1158201444",
    }
    assert wa.provider.webhook_handshake(query) == "1158201444"


@pytest.mark.parametrize(
    ("verify_token", "query"),
    [
        (
            "my-verify-token",
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        ),
        ("my-verify-token", {"hub.mode": "subscribe", "hub.challenge": "1"}),
        (
            "my-verify-token",
            {
                "hub.mode": "unsubscribe",
                "hub.verify_token": "my-verify-token",
                "hub.challenge": "1",
            },
        ),
        ("my-verify-token", {"hub.mode": "subscribe", "hub.verify_token": "my-verify-token"}),
        (None, {"hub.mode": "subscribe", "hub.verify_token": "anything", "hub.challenge": "1"}),
    ],
    ids=["wrong-token", "no-token", "wrong-mode", "no-challenge", "nothing-configured"],
)
def test_handshake_refuses_anything_else(verify_token: str | None, query: dict[str, str]) -> None:
    with pytest.raises(WebhookSignatureError) as caught:
        _wa(verify_token=verify_token).provider.webhook_handshake(query)
    assert "my-verify-token" not in str(caught.value)


@pytest.mark.parametrize("token", ["\u00e9t\u00e9", "\ud800", "\x00", "t" * 10_000])
def test_handshake_with_an_odd_token_is_refused_never_crashes(token: str) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1"}
    with pytest.raises(WebhookSignatureError):
        _wa(verify_token="my-verify-token").provider.webhook_handshake(query)


def test_no_hub_parameters_is_not_a_handshake() -> None:
    assert _wa(verify_token="my-verify-token").provider.webhook_handshake({}) is None
    assert _wa(verify_token="my-verify-token").provider.webhook_handshake({"page": "1"}) is None


# -- the receiver fails closed -------------------------------------------------------------------
def test_webhook_app_without_an_app_secret_refuses_to_start() -> None:
    with pytest.raises(ConfigurationError, match="app_secret") as caught:
        _wa(app_secret=None).webhook_app(lambda event: None)
    assert "allow_unsigned=True" in str(caught.value)
    assert _wa().webhook_app(lambda event: None) is not None  # with the secret: fine


def test_allow_unsigned_builds_the_app_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    wa = _wa(app_secret=None)
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        wa.webhook_app(lambda event: None, allow_unsigned=True)
        assert wa.parse_webhook({}, BODY)  # parse_webhook does not warn a second time
    warnings = [r for r in caplog.records if "not being verified" in r.getMessage().lower()]
    assert len(warnings) == 1
    assert "allow_unsigned=True" in warnings[0].getMessage()
