"""Every kind beyond text, media, reply buttons and lists, sent over HTTP to the Meta simulator.

Each case builds a message with the unified model, sends it through the sandbox (real HTTP,
the simulator's strict checks) and compares the body that went out with the JSON written
here from Meta's documented shapes (PROVIDER_FACTS §6.2 interactive kinds, §6.3 template
components). The conftest validates each body against the spec's ``Message`` schema, or,
for the shapes the spec lacks (``spec_gaps``), checks that only those parts fail it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from whatsapp_async import (
    AddressRequest,
    CallPermissionRequest,
    Catalog,
    CatalogButton,
    CtaUrl,
    Currency,
    DateTime,
    Document,
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
    Video,
    VoiceCall,
)
from whatsapp_async.testing import Sandbox

from .conftest import TO, without_correlation
from .spec_gaps import spec_gaps

INDIA = "+919876543210"
CATALOG = "367025965434465"
BASE = {"messaging_product": "whatsapp", "recipient_type": "individual"}
ENDS = datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc)
SHOES = ProductSection("Shoes", ["SKU-1", "SKU-2"])
SOCKS = ProductSection("Socks", ["SKU-3"])


def interactive(body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "interactive", "interactive": body}


def template(name: str, components: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "template",
        "template": {"name": name, "language": {"code": "en_US"}, "components": components},
    }


def text(value: str, name: str | None = None) -> dict[str, Any]:
    return {"type": "text", **({"parameter_name": name} if name else {}), "text": value}


def button(sub_type: str, index: int, parameter: dict[str, Any]) -> dict[str, Any]:
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": [parameter]}


INTERACTIVE_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "cta-url-text-header",
        CtaUrl(
            "Your parcel is on its way.",
            "Track parcel",
            "https://shop.example/t/1234",
            header="Order #1234",
            footer="Acme",
        ),
        interactive(
            {
                "type": "cta_url",
                "header": {"type": "text", "text": "Order #1234"},
                "body": {"text": "Your parcel is on its way."},
                "footer": {"text": "Acme"},
                "action": {
                    "name": "cta_url",
                    "parameters": {
                        "display_text": "Track parcel",
                        "url": "https://shop.example/t/1234",
                    },
                },
            }
        ),
    ),
    (
        "cta-url-image-header",
        CtaUrl(
            "New season",
            "Shop now",
            "https://shop.example/new",
            header=Image(link="https://shop.example/banner.jpg"),
        ),
        interactive(
            {
                "type": "cta_url",
                "header": {"type": "image", "image": {"link": "https://shop.example/banner.jpg"}},
                "body": {"text": "New season"},
                "action": {
                    "name": "cta_url",
                    "parameters": {"display_text": "Shop now", "url": "https://shop.example/new"},
                },
            }
        ),
    ),
    (
        "cta-url-video-and-document-headers",
        CtaUrl("Watch", "Open", "https://shop.example/v", header=Video(id="1013859600285441")),
        interactive(
            {
                "type": "cta_url",
                "header": {"type": "video", "video": {"id": "1013859600285441"}},
                "body": {"text": "Watch"},
                "action": {
                    "name": "cta_url",
                    "parameters": {"display_text": "Open", "url": "https://shop.example/v"},
                },
            }
        ),
    ),
    (
        "cta-url-document-header",
        CtaUrl(
            "Your invoice",
            "Pay",
            "https://shop.example/pay",
            header=Document(link="https://shop.example/inv.pdf", filename="inv.pdf"),
        ),
        interactive(
            {
                "type": "cta_url",
                "header": {
                    "type": "document",
                    "document": {"link": "https://shop.example/inv.pdf", "filename": "inv.pdf"},
                },
                "body": {"text": "Your invoice"},
                "action": {
                    "name": "cta_url",
                    "parameters": {"display_text": "Pay", "url": "https://shop.example/pay"},
                },
            }
        ),
    ),
    (
        "flow-published-by-id-navigate",
        Flow(
            body="Book a table in two taps.",
            cta="Book now",
            flow_id="1234567890",
            screen="WELCOME",
            data={"party_size": 2, "dates": ["2026-12-24"]},
            flow_token="booking-42",
            header="Acme Bistro",
            footer="Open daily",
        ),
        interactive(
            {
                "type": "flow",
                "header": {"type": "text", "text": "Acme Bistro"},
                "body": {"text": "Book a table in two taps."},
                "footer": {"text": "Open daily"},
                "action": {
                    "name": "flow",
                    "parameters": {
                        "flow_message_version": "3",
                        "flow_token": "booking-42",
                        "flow_id": "1234567890",
                        "flow_cta": "Book now",
                        "flow_action": "navigate",
                        "flow_action_payload": {
                            "screen": "WELCOME",
                            "data": {"party_size": 2, "dates": ["2026-12-24"]},
                        },
                    },
                },
            }
        ),
    ),
    (
        "flow-draft-by-name-first-screen",
        Flow(body="Try the new form", cta="Open", flow_name="signup_v2", mode="draft"),
        interactive(
            {
                "type": "flow",
                "body": {"text": "Try the new form"},
                "action": {
                    "name": "flow",
                    "parameters": {
                        "flow_message_version": "3",
                        "flow_name": "signup_v2",
                        "flow_cta": "Open",
                        "mode": "draft",
                        "flow_action": "navigate",
                    },
                },
            }
        ),
    ),
    (
        "flow-data-exchange",
        Flow(body="Check availability", cta="Check", flow_id="987", action="data_exchange"),
        interactive(
            {
                "type": "flow",
                "body": {"text": "Check availability"},
                "action": {
                    "name": "flow",
                    "parameters": {
                        "flow_message_version": "3",
                        "flow_id": "987",
                        "flow_cta": "Check",
                        "flow_action": "data_exchange",
                    },
                },
            }
        ),
    ),
    (
        "product",
        Product(
            catalog_id=CATALOG, product_retailer_id="SKU-1", body="Back in stock", footer="Acme"
        ),
        interactive(
            {
                "type": "product",
                "body": {"text": "Back in stock"},
                "footer": {"text": "Acme"},
                "action": {"catalog_id": CATALOG, "product_retailer_id": "SKU-1"},
            }
        ),
    ),
    (
        "product-without-body",
        Product(catalog_id=CATALOG, product_retailer_id="SKU-1"),
        interactive(
            {"type": "product", "action": {"catalog_id": CATALOG, "product_retailer_id": "SKU-1"}}
        ),
    ),
    (
        "product-list",
        ProductList("Our spring picks", CATALOG, [SHOES, SOCKS], header="Spring", footer="Acme"),
        interactive(
            {
                "type": "product_list",
                "header": {"type": "text", "text": "Spring"},
                "body": {"text": "Our spring picks"},
                "footer": {"text": "Acme"},
                "action": {
                    "catalog_id": CATALOG,
                    "sections": [
                        {
                            "title": "Shoes",
                            "product_items": [
                                {"product_retailer_id": "SKU-1"},
                                {"product_retailer_id": "SKU-2"},
                            ],
                        },
                        {"title": "Socks", "product_items": [{"product_retailer_id": "SKU-3"}]},
                    ],
                },
            }
        ),
    ),
    (
        "product-list-one-untitled-section",
        ProductList("Picks", CATALOG, [ProductSection("", ["SKU-9"])], header="Today"),
        interactive(
            {
                "type": "product_list",
                "header": {"type": "text", "text": "Today"},
                "body": {"text": "Picks"},
                "action": {
                    "catalog_id": CATALOG,
                    "sections": [{"product_items": [{"product_retailer_id": "SKU-9"}]}],
                },
            }
        ),
    ),
    (
        "catalog",
        Catalog(body="Browse everything", thumbnail_product_retailer_id="SKU-1", footer="Acme"),
        interactive(
            {
                "type": "catalog_message",
                "body": {"text": "Browse everything"},
                "footer": {"text": "Acme"},
                "action": {
                    "name": "catalog_message",
                    "parameters": {"thumbnail_product_retailer_id": "SKU-1"},
                },
            }
        ),
    ),
    (
        "location-request",
        LocationRequest("Where should we deliver?"),
        interactive(
            {
                "type": "location_request_message",
                "body": {"text": "Where should we deliver?"},
                "action": {"name": "send_location"},
            }
        ),
    ),
    (
        "call-permission-request",
        CallPermissionRequest("May we call you about your order?"),
        interactive(
            {
                "type": "call_permission_request",
                "body": {"text": "May we call you about your order?"},
                "action": {"name": "call_permission_request"},
            }
        ),
    ),
    (
        "call-permission-request-without-body",
        CallPermissionRequest(),
        interactive(
            {"type": "call_permission_request", "action": {"name": "call_permission_request"}}
        ),
    ),
    (
        "voice-call",
        VoiceCall(body="Talk to a person", display_text="Call us", ttl_minutes=60, payload="o-1"),
        interactive(
            {
                "type": "voice_call",
                "body": {"text": "Talk to a person"},
                "action": {
                    "name": "voice_call",
                    "parameters": {"display_text": "Call us", "ttl_minutes": 60, "payload": "o-1"},
                },
            }
        ),
    ),
    (
        "voice-call-defaults",
        VoiceCall(body="Call us any time"),
        interactive(
            {
                "type": "voice_call",
                "body": {"text": "Call us any time"},
                "action": {"name": "voice_call"},
            }
        ),
    ),
]

ADDRESS_CASE = (
    AddressRequest(
        body="Where should we deliver?",
        values={"name": "Ada", "phone_number": "+919876543210", "in_pin_code": "411001"},
        saved_addresses={"home": {"name": "Ada", "city": "Pune"}},
        validation_errors={"in_pin_code": "We do not deliver there yet"},
    ),
    interactive(
        {
            "type": "address_message",
            "body": {"text": "Where should we deliver?"},
            "action": {
                "name": "address_message",
                "parameters": {
                    "country": "IN",
                    "values": {
                        "name": "Ada",
                        "phone_number": "+919876543210",
                        "in_pin_code": "411001",
                    },
                    "saved_addresses": [{"id": "home", "value": {"name": "Ada", "city": "Pune"}}],
                    "validation_errors": {"in_pin_code": "We do not deliver there yet"},
                },
            },
        }
    ),
)

TEMPLATE_CASES: list[tuple[str, Template, dict[str, Any]]] = [
    (
        "currency-and-date-time",
        Template(
            "order_total",
            body=[
                Currency(amount_1000=12_990, code="EUR", fallback_value="€12.99"),
                DateTime("Tuesday, 3 March 2026"),
            ],
        ),
        template(
            "order_total",
            [
                {
                    "type": "body",
                    "parameters": [
                        {
                            "type": "currency",
                            "currency": {
                                "fallback_value": "€12.99",
                                "code": "EUR",
                                "amount_1000": 12990,
                            },
                        },
                        {
                            "type": "date_time",
                            "date_time": {"fallback_value": "Tuesday, 3 March 2026"},
                        },
                    ],
                }
            ],
        ),
    ),
    (
        "named-header-and-named-currency",
        Template(
            "order_named",
            header={"order_id": "#1234"},
            body={
                "first_name": "Ada",
                "total": Currency(amount_1000=5_000, code="USD", fallback_value="$5.00"),
            },
        ),
        template(
            "order_named",
            [
                {"type": "header", "parameters": [text("#1234", "order_id")]},
                {
                    "type": "body",
                    "parameters": [
                        text("Ada", "first_name"),
                        {
                            "type": "currency",
                            "parameter_name": "total",
                            "currency": {
                                "fallback_value": "$5.00",
                                "code": "USD",
                                "amount_1000": 5000,
                            },
                        },
                    ],
                },
            ],
        ),
    ),
    (
        "flow-button",
        Template(
            "flow_signup",
            body=["Ada"],
            buttons=[FlowButton(flow_token="signup-42", data={"plan": "gold"})],
        ),
        template(
            "flow_signup",
            [
                {"type": "body", "parameters": [text("Ada")]},
                button(
                    "flow",
                    0,
                    {
                        "type": "action",
                        "action": {"flow_token": "signup-42", "flow_action_data": {"plan": "gold"}},
                    },
                ),
            ],
        ),
    ),
    (
        "catalog-button",
        Template(
            "catalog_offer",
            body=["10%"],
            buttons=[CatalogButton(thumbnail_product_retailer_id="SKU-1")],
        ),
        template(
            "catalog_offer",
            [
                {"type": "body", "parameters": [text("10%")]},
                button(
                    "catalog",
                    0,
                    {"type": "action", "action": {"thumbnail_product_retailer_id": "SKU-1"}},
                ),
            ],
        ),
    ),
    (
        "multi-product-button",
        Template(
            "our_picks",
            body=["Ada"],
            buttons=[
                MultiProductButton(thumbnail_product_retailer_id="SKU-1", sections=[SHOES, SOCKS])
            ],
        ),
        template(
            "our_picks",
            [
                {"type": "body", "parameters": [text("Ada")]},
                button(
                    "mpm",
                    0,
                    {
                        "type": "action",
                        "action": {
                            "thumbnail_product_retailer_id": "SKU-1",
                            "sections": [
                                {
                                    "title": "Shoes",
                                    "product_items": [
                                        {"product_retailer_id": "SKU-1"},
                                        {"product_retailer_id": "SKU-2"},
                                    ],
                                },
                                {
                                    "title": "Socks",
                                    "product_items": [{"product_retailer_id": "SKU-3"}],
                                },
                            ],
                        },
                    },
                ),
            ],
        ),
    ),
    (
        "product-header",
        Template(
            "product_spotlight",
            header=ProductHeader(catalog_id=CATALOG, product_retailer_id="SKU-1"),
            body=["Trail runners"],
        ),
        template(
            "product_spotlight",
            [
                {
                    "type": "header",
                    "parameters": [
                        {
                            "type": "product",
                            "product": {"product_retailer_id": "SKU-1", "catalog_id": CATALOG},
                        }
                    ],
                },
                {"type": "body", "parameters": [text("Trail runners")]},
            ],
        ),
    ),
    (
        "media-card-carousel",
        Template(
            "spring_carousel",
            body=["Ada"],
            cards=[
                TemplateCard(
                    header=Image(link="https://shop.example/1.jpg"),
                    body=["10%"],
                    buttons=[
                        TemplateButton(sub_type="quick_reply", value="more-1"),
                        TemplateButton(sub_type="url", value="spring-1"),
                    ],
                ),
                TemplateCard(
                    header=Image(id="1013859600285441"),
                    body=["20%"],
                    buttons=[
                        TemplateButton(sub_type="QUICK_REPLY", value="more-2"),  # upper case too
                        TemplateButton(sub_type="url", value="spring-2"),
                    ],
                ),
            ],
        ),
        template(
            "spring_carousel",
            [
                {"type": "body", "parameters": [text("Ada")]},
                {
                    "type": "carousel",
                    "cards": [
                        {
                            "card_index": 0,
                            "components": [
                                {
                                    "type": "header",
                                    "parameters": [
                                        {
                                            "type": "image",
                                            "image": {"link": "https://shop.example/1.jpg"},
                                        }
                                    ],
                                },
                                {"type": "body", "parameters": [text("10%")]},
                                button("quick_reply", 0, {"type": "payload", "payload": "more-1"}),
                                button("url", 1, text("spring-1")),
                            ],
                        },
                        {
                            "card_index": 1,
                            "components": [
                                {
                                    "type": "header",
                                    "parameters": [
                                        {"type": "image", "image": {"id": "1013859600285441"}}
                                    ],
                                },
                                {"type": "body", "parameters": [text("20%")]},
                                button("quick_reply", 0, {"type": "payload", "payload": "more-2"}),
                                button("url", 1, text("spring-2")),
                            ],
                        },
                    ],
                },
            ],
        ),
    ),
    (
        "product-card-carousel",
        Template(
            "product_carousel",
            cards=[
                TemplateCard(
                    header=ProductHeader(catalog_id=CATALOG, product_retailer_id=sku),
                    buttons=[TemplateButton(sub_type="url", value=sku)],
                )
                for sku in ("SKU-1", "SKU-2")
            ],
        ),
        template(
            "product_carousel",
            [
                {
                    "type": "carousel",
                    "cards": [
                        {
                            "card_index": i,
                            "components": [
                                {
                                    "type": "header",
                                    "parameters": [
                                        {
                                            "type": "product",
                                            "product": {
                                                "product_retailer_id": sku,
                                                "catalog_id": CATALOG,
                                            },
                                        }
                                    ],
                                },
                                button("url", 0, text(sku)),
                            ],
                        }
                        for i, sku in enumerate(("SKU-1", "SKU-2"))
                    ],
                }
            ],
        ),
    ),
    (
        "limited-time-offer",
        Template(
            "flash_offer",
            header=Image(id="1013859600285441"),
            body=["Ada", "XMAS15"],
            offer=LimitedTimeOffer(expires_at=ENDS),
            buttons=[
                TemplateButton(sub_type="copy_code", value="XMAS15"),
                TemplateButton(sub_type="url", value="xmas"),
            ],
        ),
        template(
            "flash_offer",
            [
                {
                    "type": "header",
                    "parameters": [{"type": "image", "image": {"id": "1013859600285441"}}],
                },
                {"type": "body", "parameters": [text("Ada"), text("XMAS15")]},
                {
                    "type": "limited_time_offer",
                    "parameters": [
                        {
                            "type": "limited_time_offer",
                            "limited_time_offer": {"expiration_time_ms": 1798135200000},
                        }
                    ],
                },
                button("copy_code", 0, {"type": "coupon_code", "coupon_code": "XMAS15"}),
                button("url", 1, text("xmas")),
            ],
        ),
    ),
    (
        "authentication-otp",
        Template("verify_code", otp="482913"),
        template(
            "verify_code",
            [
                {"type": "body", "parameters": [text("482913")]},
                button("url", 0, text("482913")),
            ],
        ),
    ),
]


@pytest.mark.parametrize(
    ("message", "expected"),
    [c[1:] for c in INTERACTIVE_CASES],
    ids=[c[0] for c in INTERACTIVE_CASES],
)
async def test_every_interactive_kind_goes_out_as_meta_documents_it(
    sb: Sandbox, message: Any, expected: dict[str, Any]
) -> None:
    result = await sb.client("meta").send(TO, message)

    [record] = sb.requests("meta")
    assert without_correlation(record.json) == {**BASE, "to": TO, **expected}
    assert record.status == 200 and result.status == "accepted"


async def test_an_address_request_goes_to_an_indian_number(sb: Sandbox) -> None:
    message, expected = ADDRESS_CASE
    await sb.client("meta").send(INDIA, message)
    assert without_correlation(sb.requests("meta")[0].json) == {**BASE, "to": INDIA, **expected}


@pytest.mark.parametrize(
    ("message", "expected"), [c[1:] for c in TEMPLATE_CASES], ids=[c[0] for c in TEMPLATE_CASES]
)
async def test_every_template_feature_goes_out_as_meta_documents_it(
    sb: Sandbox, message: Template, expected: dict[str, Any]
) -> None:
    result = await sb.client("meta").send(TO, message)

    [record] = sb.requests("meta")
    assert without_correlation(record.json) == {**BASE, "to": TO, **expected}
    assert record.status == 200 and result.status == "accepted"


def test_the_shapes_the_spec_lacks_are_named() -> None:
    gaps = {
        name: spec_gaps({**BASE, "to": TO, **expected})
        for name, _, expected in INTERACTIVE_CASES + TEMPLATE_CASES
    }
    gaps["address"] = spec_gaps({**BASE, "to": INDIA, **ADDRESS_CASE[1]})
    lacking = {name for name, found in gaps.items() if found}
    assert lacking == {
        "cta-url-text-header",
        "cta-url-image-header",
        "cta-url-video-and-document-headers",
        "cta-url-document-header",
        "location-request",
        "voice-call",
        "voice-call-defaults",
        "address",
        "flow-button",
        "multi-product-button",
        "product-header",
        "media-card-carousel",
        "product-card-carousel",
        "limited-time-offer",
    }
