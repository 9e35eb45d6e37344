"""Property test: no payload, however mangled, makes a provider's webhook parser blow up."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whatsapp_async import (
    Event,
    MessageReceived,
    StatusUpdate,
    UnknownEvent,
    ValidationError,
    WebhookSignatureError,
    WhatsApp,
)
from whatsapp_async._registry import load_simulator

from .profiles import PROFILES

WEBHOOK_PROVIDERS = sorted(n for n, p in PROFILES.items() if "webhooks" in p.operations)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "+14155552671", "wamid.X", "1700000000", "text", "image", "read"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "from",
                    "to",
                    "type",
                    "text",
                    "body",
                    "status",
                    "statuses",
                    "messages",
                    "timestamp",
                    "errors",
                    "value",
                    "changes",
                    "entry",
                    "data",
                    "event",
                    "metadata",
                    "context",
                    "media",
                    "image",
                    "interactive",
                    "createdAt",
                    "messageId",
                    "content",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)
envelopes = st.one_of(
    json_values,
    st.fixed_dictionaries({"object": st.just("whatsapp_business_account"), "entry": json_values}),
    st.fixed_dictionaries(
        {
            "object": st.just("whatsapp_business_account"),
            "entry": st.lists(
                st.fixed_dictionaries(
                    {
                        "id": scalars,
                        "changes": st.lists(
                            st.fixed_dictionaries(
                                {"field": st.just("messages"), "value": json_values}
                            ),
                            max_size=2,
                        ),
                    }
                ),
                max_size=2,
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "event": st.sampled_from(
                [
                    "message.sent",
                    "message.delivered",
                    "message.read",
                    "message.failed",
                    "message.received",
                    "message.reply",
                    "message.group",
                    "message.newsletter",
                    "whatsapp.received",
                    "number.connected",
                ]
            ),
            "data": json_values,
        }
    ),
)


def unsigned_client(name: str) -> WhatsApp:
    """A client of ``name`` with no webhook secret, so every body reaches the parser."""
    values: dict[str, Any] = {
        k: v
        for k, v in load_simulator(name)().settings().items()
        if "secret" not in k and "webhook" not in k
    }
    values.setdefault("base_url", "http://127.0.0.1:9")
    return WhatsApp(name, **values)


@pytest.mark.parametrize("name", WEBHOOK_PROVIDERS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=envelopes, raw=st.binary(max_size=64), use_raw=st.booleans())
def test_parsers_never_raise_unexpected_errors(
    name: str, payload: object, raw: bytes, use_raw: bool
) -> None:
    wa = unsigned_client(name)
    body = raw if use_raw else json.dumps(payload).encode()
    try:
        events = wa.parse_webhook({"Content-Type": "application/json"}, body)
    except (WebhookSignatureError, ValidationError):
        return
    assert isinstance(events, list)
    for event in events:
        assert isinstance(event, (MessageReceived, StatusUpdate, UnknownEvent))
        assert event.provider == name


def test_every_event_type_is_covered() -> None:
    assert Event.__args__ == (MessageReceived, StatusUpdate, UnknownEvent)  # type: ignore[attr-defined]
