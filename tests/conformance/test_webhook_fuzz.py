"""Property test: no body, however mangled, makes a provider's webhook parser blow up.

Any body (odd JSON shapes, nesting thousands deep, huge strings, invalid UTF-8, garbage) gives
events or one of the two documented errors (``WebhookSignatureError``, ``WebhookPayloadError``).
"""

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
    WebhookPayloadError,
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
                    "message_id",
                    "biz_opaque_callback_data",
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
            "from": st.sampled_from(["16045628647", ""]),
            "message_id": st.sampled_from(["wamid.A", "wamid.B"]),
        }
    ),
)


@st.composite
def deep(draw: st.DrawFn) -> bytes:
    """JSON (or almost) nested up to 3,000 deep: the RecursionError of old was at ~1,000."""
    depth = draw(st.integers(min_value=1, max_value=3000))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'{"entry":[', b"]}")]))
    inner = draw(st.sampled_from([b"1", b'"[[[["', b"[]", b"{}"]))
    closed = draw(st.booleans())
    return opener * depth + inner + (closer * depth if closed else b"")


@st.composite
def huge_strings(draw: st.DrawFn) -> bytes:
    # Either side of the receiver's MAX_BODY (64 KiB): a large body read, or a 413.
    size = draw(st.integers(1_000, 60_000) | st.integers(70_000, 150_000))
    char = draw(st.sampled_from(["x", "\u00e9", "[", '"', "\\", "\U0001f600"]))
    payload = {"object": "whatsapp_business_account", "event": "message.read", "text": char * size}
    return json.dumps(payload, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def broken_text(draw: st.DrawFn) -> bytes:
    """Valid JSON spoiled: invalid UTF-8, a lone surrogate, truncation, trailing bytes."""
    good = json.dumps(draw(envelopes)).encode()
    how = draw(st.sampled_from(["utf8", "surrogate", "truncate", "trail", "nul"]))
    if how == "utf8":
        at = draw(st.integers(min_value=0, max_value=len(good)))
        return (
            good[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + good[at:]
        )
    if how == "surrogate":
        return b'{"event": "message.read", "data": {"id": "\\ud800", "createdAt": "\\udfff"}}'
    if how == "truncate":
        return good[: draw(st.integers(min_value=0, max_value=max(0, len(good) - 1)))]
    if how == "trail":
        return good + draw(st.sampled_from([b" x", b"}", b"\x00", b"\n{}"]))
    return good.replace(b":", b":\x00", 1)


BODY_KINDS: dict[str, st.SearchStrategy[bytes]] = {
    "json": envelopes.map(lambda v: json.dumps(v).encode()),
    "json-utf8": envelopes.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    "deep": deep(),
    "huge-string": huge_strings(),
    "broken-text": broken_text(),
    "binary": st.binary(max_size=64),
    "odd": st.sampled_from([b"", b" ", b"null", b"[]", b"{}", b'"x"', b"1e999999"]),
}


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    # The kind first, then the body: one_of would favour its first branches, and the big
    # bodies would hardly ever be drawn.
    return draw(BODY_KINDS[draw(st.sampled_from(sorted(BODY_KINDS)))])


# -- the parsers -----------------------------------------------------------------------------


def unsigned_client(name: str) -> WhatsApp:
    """A client of ``name`` with no webhook secret, so every body reaches the parser."""
    values: dict[str, Any] = {
        k: v
        for k, v in load_simulator(name)().settings().items()
        if "secret" not in k and "webhook" not in k
    }
    values.setdefault("base_url", "http://127.0.0.1:9")
    client = WhatsApp(name, **values)
    client._warned_unverified = True  # the warning is tested elsewhere; keep the log quiet
    return client


def check_events(events: list[Event], name: str) -> None:
    assert isinstance(events, list)
    for event in events:
        assert isinstance(event, (MessageReceived, StatusUpdate, UnknownEvent))
        assert event.provider == name


@pytest.mark.parametrize("name", WEBHOOK_PROVIDERS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies())
def test_parsers_raise_nothing_but_the_documented_errors(name: str, body: bytes) -> None:
    wa = unsigned_client(name)
    try:
        events = wa.parse_webhook({"Content-Type": "application/json"}, body)
    except WebhookPayloadError as exc:
        assert exc.provider == name
        return
    check_events(events, name)


def test_every_event_type_is_covered() -> None:
    assert Event.__args__ == (MessageReceived, StatusUpdate, UnknownEvent)  # type: ignore[attr-defined]
