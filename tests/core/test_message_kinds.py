"""The new kinds as plain data: ``message_from_dict`` (JSON, the CLI's ``--json``, job queues),
the features a template uses, and idempotency keys that survive the new fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import msgspec
import pytest

from whatsapp_async import (
    AddressRequest,
    CallPermissionRequest,
    Catalog,
    CatalogButton,
    CtaUrl,
    Currency,
    DateTime,
    Flow,
    FlowButton,
    Image,
    LimitedTimeOffer,
    LocationRequest,
    MultiProductButton,
    Product,
    ProductHeader,
    ProductList,
    ProductSection,
    Template,
    TemplateButton,
    TemplateCard,
    ValidationError,
    Video,
    VoiceCall,
    message_from_dict,
)
from whatsapp_async._cli import main
from whatsapp_async._demo import demo_cases
from whatsapp_async._idempotency import fingerprint
from whatsapp_async._prepare import _fingerprint_view
from whatsapp_async.contrib.arq.wire import encode_message
from whatsapp_async.messages import MESSAGE_KINDS, template_features
from whatsapp_async.testing import Sandbox

from .test_cli import ThreadedSandbox

SHOES = ProductSection("Shoes", ["SKU-1", "SKU-2"])
CARD = TemplateCard(
    header=Image(link="https://x.test/1.jpg"),
    body=["10%"],
    buttons=[TemplateButton(sub_type="url", value="spring-1")],
)
PRODUCT_CARD = TemplateCard(header=ProductHeader(catalog_id="1", product_retailer_id="SKU-1"))
ENDS = datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc)


def plain(message: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(message))  # tuples and lists alike


FROM_JSON: list[tuple[dict[str, Any], Any]] = [
    (
        {
            "type": "cta_url",
            "body": "Track it",
            "display_text": "Track",
            "url": "https://x.test/t",
            "header": {"type": "image", "link": "https://x.test/a.png"},
        },
        CtaUrl("Track it", "Track", "https://x.test/t", header=Image(link="https://x.test/a.png")),
    ),
    (
        {"type": "flow", "body": "Book", "cta": "Book", "flow_name": "booking", "mode": "draft"},
        Flow(body="Book", cta="Book", flow_name="booking", mode="draft"),
    ),
    (
        {"type": "product", "catalog_id": "1", "product_retailer_id": "S"},
        Product(catalog_id="1", product_retailer_id="S"),
    ),
    (
        {
            "type": "product_list",
            "body": "Picks",
            "catalog_id": "1",
            "header": "Spring",
            "sections": [{"title": "Shoes", "product_retailer_ids": ["SKU-1", "SKU-2"]}],
        },
        ProductList("Picks", "1", [SHOES], header="Spring"),
    ),
    (
        {"type": "catalog", "body": "Browse", "thumbnail_product_retailer_id": "S"},
        Catalog(body="Browse", thumbnail_product_retailer_id="S"),
    ),
    ({"type": "location_request", "body": "Where?"}, LocationRequest("Where?")),
    ({"type": "call_permission"}, CallPermissionRequest()),
    (
        {"type": "voice_call", "body": "Call", "ttl_minutes": 5},
        VoiceCall(body="Call", ttl_minutes=5),
    ),
    (
        {"type": "address_request", "body": "Address?", "values": {"city": "Pune"}},
        AddressRequest(body="Address?", values={"city": "Pune"}),
    ),
    (
        {
            "type": "template",
            "name": "order_total",
            "header": {"order_id": "#1"},
            "body": {
                "total": {
                    "type": "currency",
                    "amount_1000": 1000,
                    "code": "EUR",
                    "fallback_value": "€1",
                },
                "due": {"type": "date_time", "fallback_value": "today"},
            },
        },
        Template(
            "order_total",
            header={"order_id": "#1"},
            body={
                "total": Currency(amount_1000=1000, code="EUR", fallback_value="€1"),
                "due": DateTime("today"),
            },
        ),
    ),
    (
        {
            "type": "template",
            "name": "promo",
            "header": {"type": "product", "catalog_id": "1", "product_retailer_id": "S"},
            "buttons": [
                {"sub_type": "FLOW", "flow_token": "t"},
                {"sub_type": "catalog", "thumbnail_product_retailer_id": "S", "index": 1},
                {
                    "sub_type": "mpm",
                    "thumbnail_product_retailer_id": "S",
                    "sections": [{"title": "Shoes", "product_retailer_ids": ["SKU-1", "SKU-2"]}],
                    "index": 2,
                },
                {"sub_type": "QUICK_REPLY", "value": "stop", "index": 3},
            ],
        },
        Template(
            "promo",
            header=ProductHeader(catalog_id="1", product_retailer_id="S"),
            buttons=[
                FlowButton(flow_token="t"),
                CatalogButton(thumbnail_product_retailer_id="S", index=1),
                MultiProductButton(thumbnail_product_retailer_id="S", sections=[SHOES], index=2),
                TemplateButton(sub_type="quick_reply", value="stop", index=3),
            ],
        ),
    ),
    (
        {
            "type": "template",
            "name": "spring_carousel",
            "cards": [
                {
                    "header": {"type": "image", "link": "https://x.test/1.jpg"},
                    "body": ["10%"],
                    "buttons": [{"sub_type": "url", "value": "spring-1"}],
                },
                {"header": {"type": "product", "catalog_id": "1", "product_retailer_id": "SKU-1"}},
            ],
            "offer": {"expires_at": "2026-12-24T18:00:00Z"},
        },
        Template(
            "spring_carousel", cards=[CARD, PRODUCT_CARD], offer=LimitedTimeOffer(expires_at=ENDS)
        ),
    ),
    (
        {"type": "template", "name": "verify_code", "otp": "123456"},
        Template("verify_code", otp="123456"),
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), FROM_JSON, ids=[d["type"] + str(i) for i, (d, _) in enumerate(FROM_JSON)]
)
def test_message_from_dict_knows_every_kind(data: dict[str, Any], expected: Any) -> None:
    built = message_from_dict(data)
    assert type(built) is type(expected)
    assert plain(built) == plain(expected)


def test_every_kind_has_a_json_example_here_or_in_the_older_tests() -> None:
    new = {"cta_url", "flow", "product", "product_list", "catalog", "location_request"}
    new |= {"call_permission", "voice_call", "address_request"}
    assert new <= {data["type"] for data, _ in FROM_JSON}
    assert new <= set(MESSAGE_KINDS)


RICH = [
    *(case.message for case in demo_cases("wamid.X")),
    *(expected for _, expected in FROM_JSON),
    Template("t", header=Currency(amount_1000=1, code="EUR", fallback_value="x")),
]


@pytest.mark.parametrize("message", RICH, ids=[f"{m.kind}-{i}" for i, m in enumerate(RICH)])
def test_what_a_job_queue_stores_builds_the_same_message_again(message: Any) -> None:
    data = json.loads(json.dumps(encode_message(message), default=str))
    rebuilt = message_from_dict(data)
    assert type(rebuilt) is type(message)
    assert plain(rebuilt) == plain(message)


def test_a_video_card_keeps_being_a_video_as_data() -> None:
    # msgspec.to_builtins of a Video has no "type": the card's header_type says it.
    template = Template("t", cards=[TemplateCard(header=Video(id="1"))] * 2)
    data = encode_message(template)
    assert data["cards"][0]["header_type"] == "video"
    rebuilt = message_from_dict(data)
    assert isinstance(rebuilt, Template) and isinstance(rebuilt.cards[0].header, Video)
    del data["cards"][0]["header_type"]
    with pytest.raises(ValidationError, match="needs its 'type'"):
        message_from_dict(data)  # not guessed


@pytest.mark.parametrize(
    "data",
    [
        {"type": "template", "name": "t", "body": [{"amount": 1}]},
        {"type": "template", "name": "t", "header": {"link": "https://x.test/a.png"}},
        {"type": "template", "name": "t", "buttons": [{"sub_type": "mpm", "sections": "x"}]},
        {
            "type": "cta_url",
            "body": "b",
            "display_text": "d",
            "url": "https://x.test",
            "header": {"type": "audio"},
        },
        {"type": "flow", "body": "b"},
        {
            "type": "product_list",
            "body": "b",
            "catalog_id": "1",
            "header": "h",
            "sections": [{"title": 1}],
        },
    ],
)
def test_bad_data_is_a_validation_error(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        message_from_dict(data)


def test_template_features_name_what_a_send_uses() -> None:
    assert template_features(Template("t", body=["Ada"])) == frozenset()
    assert template_features(Template("t", header={"n": "v"})) == {"text_header"}
    assert template_features(Template("t", cards=[CARD, PRODUCT_CARD])) == {
        "carousel",
        "media_header",
        "product_header",
        "url_button",
    }
    assert template_features(
        Template("t", header=Image(id="1"), offer=LimitedTimeOffer(expiration_time_ms=5))
    ) == {"media_header", "limited_time_offer"}


def test_a_template_keeps_the_idempotency_key_it_had_before_cards_offers_and_otp() -> None:
    # Computed with the release before these fields existed: a store keyed then still matches.
    template = Template(
        "order_update",
        body=["Ada", "#1"],
        header=Image(link="https://a.b/c.png"),
        buttons=[TemplateButton(sub_type="url", value="x")],
    )
    key = fingerprint("k", "+1", template.kind, _fingerprint_view(template))
    assert key == "ba6111790e2bc83454bb5a936d9d1dad97d34244a19fef01de166de936aa75bc"
    with_otp = Template("order_update", otp="1")
    assert fingerprint("k", "+1", "template", _fingerprint_view(with_otp)) != fingerprint(
        "k", "+1", "template", _fingerprint_view(Template("order_update"))
    )


@pytest.fixture
def meta_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ThreadedSandbox(["meta"]) as sb:
        monkeypatch.setenv("WHATSAPP_PROVIDER", "meta")
        for key, value in sb.settings("meta").items():
            monkeypatch.setenv(f"WHATSAPP_{key.upper()}", value)
        monkeypatch.setenv("WHATSAPP_BASE_URL", sb.base_url("meta"))
        yield sb


def test_the_cli_sends_any_kind_given_as_json(
    meta_env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = {"type": "flow", "body": "Book", "cta": "Book now", "flow_id": "1234567890"}
    carousel = {
        "type": "template",
        "name": "spring_carousel",
        "body": ["Ada"],
        "cards": [
            {
                "header": {"type": "image", "link": f"https://x.test/{i}.jpg"},
                "body": [f"{i}0%"],
                "buttons": [
                    {"sub_type": "quick_reply", "value": f"more-{i}"},
                    {"sub_type": "url", "value": f"deal-{i}"},
                ],
            }
            for i in (1, 2)
        ],
    }
    for message in (flow, carousel):
        assert main(["send", "--to", "+14155552671", "--json", json.dumps(message)]) == 0
    bodies = [msgspec.json.decode(json.dumps(r.json)) for r in meta_env.requests("meta")]
    assert bodies[0]["interactive"]["action"]["parameters"]["flow_id"] == "1234567890"
    assert [c["type"] for c in bodies[1]["template"]["components"]] == ["body", "carousel"]
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["status"] == "accepted"
