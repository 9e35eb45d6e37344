"""The simulator checks every new kind strictly, with Meta's error bodies, and serves only the
Graph versions Meta lists (PROVIDER_FACTS §6.7).

A plain client (``Graph``) posts valid bodies of each kind, then the same bodies broken one way
at a time: a missing part answers 131008, a wrong shape or an unexpected key 100, a value that
is not allowed 131009, each in Meta's envelope.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from whatsapp_async import BadRequestError, Text
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator

from .conftest import TO, Graph, load_json

EXAMPLES: dict[str, dict[str, Any]] = load_json("spec_request_examples.json")
CATALOG = "367025965434465"


def body(kind: str, **content: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": TO, "type": kind, kind: content}


def interactive(**content: Any) -> dict[str, Any]:
    return body("interactive", **content)


CTA = interactive(
    type="cta_url",
    body={"text": "Track it"},
    action={"name": "cta_url", "parameters": {"display_text": "Track", "url": "https://x.test/t"}},
)
FLOW = interactive(
    type="flow",
    body={"text": "Book"},
    action={
        "name": "flow",
        "parameters": {
            "flow_message_version": "3",
            "flow_id": "1",
            "flow_cta": "Book",
            "flow_action": "navigate",
            "flow_action_payload": {"screen": "WELCOME", "data": {"a": 1}},
        },
    },
)
PRODUCT = interactive(type="product", action={"catalog_id": CATALOG, "product_retailer_id": "S"})
PRODUCT_LIST = interactive(
    type="product_list",
    header={"type": "text", "text": "Picks"},
    body={"text": "Our picks"},
    action={
        "catalog_id": CATALOG,
        "sections": [{"title": "A", "product_items": [{"product_retailer_id": "S"}]}],
    },
)
CATALOG_MESSAGE = interactive(
    type="catalog_message",
    body={"text": "Browse"},
    action={"name": "catalog_message", "parameters": {"thumbnail_product_retailer_id": "S"}},
)
LOCATION_REQUEST = interactive(
    type="location_request_message", body={"text": "Where?"}, action={"name": "send_location"}
)
CALL_PERMISSION = interactive(
    type="call_permission_request", action={"name": "call_permission_request"}
)
VOICE_CALL = interactive(
    type="voice_call",
    body={"text": "Call us"},
    action={"name": "voice_call", "parameters": {"ttl_minutes": 60}},
)
ADDRESS = interactive(
    type="address_message",
    body={"text": "Address?"},
    action={"name": "address_message", "parameters": {"country": "IN", "values": {"city": "Pune"}}},
)
ADDRESS["to"] = "+919876543210"


def template(name: str, *components: dict[str, Any]) -> dict[str, Any]:
    return body("template", name=name, language={"code": "en_US"}, components=list(components))


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def card(index: int, image: str = "https://x.test/1.jpg") -> dict[str, Any]:
    return {
        "card_index": index,
        "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"link": image}}]},
            {"type": "body", "parameters": [text("10%")]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "p"}],
            },
            {"type": "button", "sub_type": "url", "index": "1", "parameters": [text("u")]},
        ],
    }


CAROUSEL = template(
    "spring_carousel",
    {"type": "body", "parameters": [text("Ada")]},
    {"type": "carousel", "cards": [card(0), card(1)]},
)
OFFER = template(
    "flash_offer",
    {"type": "header", "parameters": [{"type": "image", "image": {"id": "1013859600285441"}}]},
    {"type": "body", "parameters": [text("Ada"), text("X15")]},
    {
        "type": "limited_time_offer",
        "parameters": [
            {
                "type": "limited_time_offer",
                "limited_time_offer": {"expiration_time_ms": 1798135200000},
            }
        ],
    },
    {
        "type": "button",
        "sub_type": "copy_code",
        "index": "0",
        "parameters": [{"type": "coupon_code", "coupon_code": "X15"}],
    },
    {"type": "button", "sub_type": "url", "index": "1", "parameters": [text("x")]},
)
CURRENCY = template(
    "order_total",
    {
        "type": "body",
        "parameters": [
            {
                "type": "currency",
                "currency": {"fallback_value": "€1", "code": "EUR", "amount_1000": 1000},
            },
            {"type": "date_time", "date_time": {"fallback_value": "today"}},
        ],
    },
)
FLOW_BUTTON = template(
    "flow_signup",
    {"type": "body", "parameters": [text("Ada")]},
    {
        "type": "button",
        "sub_type": "flow",
        "index": "0",
        "parameters": [{"type": "action", "action": {"flow_token": "t"}}],
    },
)
MPM = template(
    "our_picks",
    {"type": "body", "parameters": [text("Ada")]},
    {
        "type": "button",
        "sub_type": "mpm",
        "index": 0,
        "parameters": [
            {
                "type": "action",
                "action": {
                    "thumbnail_product_retailer_id": "S",
                    "sections": [{"title": "A", "product_items": [{"product_retailer_id": "S"}]}],
                },
            }
        ],
    },
)
OTP = template(
    "verify_code",
    {"type": "body", "parameters": [text("123456")]},
    {"type": "button", "sub_type": "URL", "index": "0", "parameters": [text("123456")]},
)

VALID = {
    "cta_url": CTA,
    "flow": FLOW,
    "product": PRODUCT,
    "product_list": PRODUCT_LIST,
    "catalog": CATALOG_MESSAGE,
    "location_request": LOCATION_REQUEST,
    "call_permission": CALL_PERMISSION,
    "voice_call": VOICE_CALL,
    "address": ADDRESS,
    "carousel": CAROUSEL,
    "offer": OFFER,
    "currency": CURRENCY,
    "flow_button": FLOW_BUTTON,
    "mpm": MPM,
    "otp_upper_case_sub_type": OTP,
}


@pytest.mark.parametrize("name", sorted(VALID))
async def test_valid_bodies_of_every_new_kind_are_accepted(graph: Graph, name: str) -> None:
    status, answer = await graph.post(VALID[name])
    assert status == 200, answer
    assert answer["messages"][0]["id"].startswith("wamid.")


@pytest.mark.parametrize(
    "name",
    [
        "Send Catalog Message",
        "Send Catalog Template Message",  # CATALOG in capitals, index 0 as a number: both read
        "Send Draft Flow by ID",
        "Send Draft Flow by Name",
        "Send Published Flow by ID",
        "Send Published Flow by Name",
        "Send Single Product Message",
    ],
)
async def test_metas_own_examples_of_the_new_kinds_are_accepted(graph: Graph, name: str) -> None:
    example = copy.deepcopy(EXAMPLES[name])
    example["to"] = TO[1:]
    status, answer = await graph.post(example)
    assert status == 200, answer


async def test_metas_placeholder_header_type_is_refused(graph: Graph) -> None:
    example = copy.deepcopy(EXAMPLES["Send Multi-Product Message"])  # header type <HEADER_TYPE>
    example["to"] = TO[1:]
    status, answer = await graph.post(example)
    assert (status, answer["error"]["code"]) == (400, 131009)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(target: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = target
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()
P = "interactive.action.parameters"
C = "template.components"

BROKEN: list[tuple[str, str, Callable[[dict[str, Any]], None], int]] = [
    ("cta-no-body", "cta_url", _set("interactive.body", _DELETE), 131008),
    ("cta-long-label", "cta_url", _set(f"{P}.display_text", "x" * 21), 100),
    ("cta-bad-url", "cta_url", _set(f"{P}.url", "ftp://x"), 131009),
    ("cta-extra-key", "cta_url", _set(f"{P}.target", "_blank"), 100),
    ("cta-wrong-name", "cta_url", _set("interactive.action.name", "url"), 131009),
    ("flow-version-number", "flow", _set(f"{P}.flow_message_version", 3), 131009),
    ("flow-no-id", "flow", _set(f"{P}.flow_id", _DELETE), 131008),
    ("flow-id-and-name", "flow", _set(f"{P}.flow_name", "n"), 131009),
    ("flow-cta-31", "flow", _set(f"{P}.flow_cta", "c" * 31), 100),
    ("flow-mode", "flow", _set(f"{P}.mode", "live"), 131009),
    ("flow-payload-with-data-exchange", "flow", _set(f"{P}.flow_action", "data_exchange"), 131009),
    ("flow-empty-data", "flow", _set(f"{P}.flow_action_payload.data", {}), 131009),
    (
        "flow-media-header",
        "flow",
        _set("interactive.header", {"type": "image", "image": {"id": "1"}}),
        131009,
    ),
    ("product-header", "product", _set("interactive.header", {"type": "text", "text": "h"}), 100),
    ("product-no-sku", "product", _set("interactive.action.product_retailer_id", _DELETE), 131008),
    ("product-list-no-header", "product_list", _set("interactive.header", _DELETE), 131008),
    (
        "product-list-image-header",
        "product_list",
        _set("interactive.header", {"type": "image", "image": {"id": "1"}}),
        131009,
    ),
    (
        "product-list-no-items",
        "product_list",
        _set("interactive.action.sections.0.product_items", []),
        131009,
    ),
    (
        "product-list-11-sections",
        "product_list",
        _set(
            "interactive.action.sections",
            [{"title": str(i), "product_items": [{"product_retailer_id": "S"}]} for i in range(11)],
        ),
        131009,
    ),
    ("catalog-no-thumbnail", "catalog", _set("interactive.action.parameters", _DELETE), 131008),
    ("catalog-header", "catalog", _set("interactive.header", {"type": "text", "text": "h"}), 100),
    ("location-request-footer", "location_request", _set("interactive.footer", {"text": "f"}), 100),
    ("location-request-no-body", "location_request", _set("interactive.body", _DELETE), 131008),
    (
        "call-permission-header",
        "call_permission",
        _set("interactive.header", {"type": "text", "text": "h"}),
        100,
    ),
    ("voice-call-ttl", "voice_call", _set(f"{P}.ttl_minutes", 43201), 131009),
    ("voice-call-ttl-text", "voice_call", _set(f"{P}.ttl_minutes", "60"), 100),
    ("address-country", "address", _set(f"{P}.country", "US"), 131009),
    ("address-no-country", "address", _set(f"{P}.country", _DELETE), 131008),
    ("address-unknown-field", "address", _set(f"{P}.values.zip", "1"), 100),
    ("carousel-one-card", "carousel", _set(f"{C}.1.cards", [card(0)]), 131009),
    ("carousel-card-index", "carousel", _set(f"{C}.1.cards.1.card_index", 5), 131009),
    (
        "carousel-card-without-header",
        "carousel",
        _set(f"{C}.1.cards.0.components.0", {"type": "body", "parameters": [text("1")]}),
        131008,
    ),
    (
        "carousel-card-document-header",
        "carousel",
        _set(
            f"{C}.1.cards.0.components.0.parameters",
            [{"type": "document", "document": {"id": "1"}}],
        ),
        131009,
    ),
    ("carousel-card-count", "carousel", _set(f"{C}.1.cards", [card(0), card(1), card(2)]), 132000),
    (
        "offer-unit-as-text",
        "offer",
        _set(f"{C}.2.parameters.0.limited_time_offer.expiration_time_ms", "soon"),
        100,
    ),
    ("offer-missing", "offer", _set(f"{C}.2", {"type": "body", "parameters": [text("x")]}), 132000),
    ("coupon-not-alphanumeric", "offer", _set(f"{C}.3.parameters.0.coupon_code", "X-15"), 131009),
    ("currency-code", "currency", _set(f"{C}.0.parameters.0.currency.code", "euro"), 131009),
    (
        "currency-amount-text",
        "currency",
        _set(f"{C}.0.parameters.0.currency.amount_1000", "1000"),
        100,
    ),
    (
        "currency-amount-missing",
        "currency",
        _set(f"{C}.0.parameters.0.currency.amount_1000", _DELETE),
        131008,
    ),
    (
        "date-time-unknown-key",
        "currency",
        _set(f"{C}.0.parameters.1.date_time.timezone", "UTC"),
        100,
    ),
    (
        "flow-button-payload",
        "flow_button",
        _set(f"{C}.1.parameters.0", {"type": "payload", "payload": "p"}),
        131009,
    ),
    ("flow-button-unknown-key", "flow_button", _set(f"{C}.1.parameters.0.action.screen", "S"), 100),
    ("mpm-no-sections", "mpm", _set(f"{C}.1.parameters.0.action.sections", _DELETE), 131008),
    ("otp-too-long", "otp_upper_case_sub_type", _set(f"{C}.0.parameters.0.text", "1" * 16), 100),
    (
        "button-two-parameters",
        "flow_button",
        _set(f"{C}.1.parameters", [{"type": "action", "action": {}}] * 2),
        131009,
    ),
    ("unknown-component", "currency", _set(f"{C}.0.type", "footer"), 131009),
    ("unknown-interactive-type", "cta_url", _set("interactive.type", "carousel"), 131009),
]


@pytest.mark.parametrize(
    ("kind", "change", "code"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
async def test_broken_bodies_get_metas_error(
    graph: Graph, sim: MetaSimulator, kind: str, change: Callable[[dict[str, Any]], None], code: int
) -> None:
    broken = copy.deepcopy(VALID[kind])
    change(broken)
    status, answer = await graph.post(broken)
    error = answer["error"]
    assert (status, error["code"]) == (400 if code != 132001 else 404, code), error
    assert error["type"] == "OAuthException"
    assert error["message"].startswith(f"(#{code}) ")
    assert error["error_data"]["details"]
    assert sim.sent == {}


# -- Graph API versions -----------------------------------------------------------------------
TEXT = {"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"body": "hi"}}


@pytest.mark.parametrize("version", ["v21.0", "v22.0", "v23.0", "v24.0", "v25.0", "v26.0"])
async def test_the_versions_meta_lists_are_served(
    graph: Graph, sim: MetaSimulator, version: str
) -> None:
    sim.today = date(2026, 12, 2)
    status, _ = await graph.post(TEXT, version=version)
    assert status == 200


@pytest.mark.parametrize(
    ("version", "today", "says"),
    [
        ("v20.0", date(2026, 12, 2), "no longer available (it was until 2026-09-24); use v21.0"),
        ("v19.0", date(2026, 12, 2), "no longer available; use v20.0 or later"),
        ("v21.0", date(2027, 1, 22), "no longer available (it was until 2027-01-21); use v22.0"),
        ("v27.0", date(2026, 12, 2), "Unknown Graph API version v27.0"),
        ("v26.0", date(2026, 7, 1), "not released yet"),
        ("latest", date(2026, 12, 2), "Unknown Graph API version"),
    ],
)
async def test_expired_unknown_and_future_versions_get_metas_error(
    graph: Graph, sim: MetaSimulator, version: str, today: date, says: str
) -> None:
    sim.today = today
    status, answer = await graph.post(TEXT, version=version)
    assert (status, answer["error"]["code"], answer["error"]["type"]) == (
        400,
        100,
        "OAuthException",
    )
    assert says in answer["error"]["error_data"]["details"]


async def test_an_expired_version_can_be_served_as_metas_policy_does(
    graph: Graph, sim: MetaSimulator
) -> None:
    sim.today = date(2026, 12, 2)
    sim.reject_expired_versions = False
    assert (await graph.post(TEXT, version="v20.0"))[0] == 200
    assert (await graph.post(TEXT, version="v27.0"))[0] == 400  # unknown stays unknown


async def test_the_sdk_defaults_to_the_latest_version_and_pins_another(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    await sb.client("meta").send(TO, Text("latest"))
    await sb.client("meta", api_version="v23.0").send(TO, Text("pinned"))
    assert [r.path.split("/")[1] for r in sb.requests("meta")] == ["v26.0", "v23.0"]
    sim.today = date(2027, 10, 9)  # v23.0 ran out the day before
    with pytest.raises(BadRequestError) as caught:
        await sb.client("meta", api_version="v23.0", max_retries=0).send(TO, Text("stale"))
    assert caught.value.code == 100 and "no longer available" in str(caught.value.details)
