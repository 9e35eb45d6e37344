"""Invalid variants of every new kind are refused before any request, naming field and limit.

Two layers: the model refuses what no provider could send (wrong types, both or neither of
two exclusive fields, values outside a fixed set) when the message is built; the provider
refuses what breaks Meta's documented limits (PROVIDER_FACTS §6.2, §6.3) when it builds the
request. Either way nothing reaches the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
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
    Group,
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
    Text,
    UnsupportedFeature,
    ValidationError,
    VoiceCall,
)
from whatsapp_async.testing import Sandbox

from .conftest import TO

CATALOG = "367025965434465"
CARD = TemplateCard(header=Image(link="https://shop.example/1.jpg"), body=["10%"])
GROUP = Group("Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjA")


def section(count: int, title: str = "S") -> ProductSection:
    return ProductSection(title, [f"SKU-{i}" for i in range(count)])


# -- the model ------------------------------------------------------------------------------------
MODEL_REFUSALS: list[tuple[str, Callable[[], Any], str]] = [
    ("cta_url.url", lambda: CtaUrl("b", "Go", "ftp://x.test/a"), "http(s) URL"),
    ("cta_url.body", lambda: CtaUrl(" ", "Go", "https://x.test"), "must not be empty"),
    ("cta_url.header", lambda: CtaUrl("b", "Go", "https://x.test", header=3), "must be text"),  # type: ignore[arg-type]
    ("flow.flow_id", lambda: Flow(body="b", cta="c"), "got neither"),
    ("flow.flow_id", lambda: Flow(body="b", cta="c", flow_id="1", flow_name="n"), "flow_id and"),
    ("flow.mode", lambda: Flow(body="b", cta="c", flow_id="1", mode="live"), "published"),  # type: ignore[arg-type]
    ("flow.action", lambda: Flow(body="b", cta="c", flow_id="1", action="go"), "navigate"),  # type: ignore[arg-type]
    (
        "flow.screen",
        lambda: Flow(body="b", cta="c", flow_id="1", action="data_exchange", screen="S"),
        "data_exchange",
    ),
    ("flow.data", lambda: Flow(body="b", cta="c", flow_id="1", data={}), "not be empty"),
    ("flow.header", lambda: Flow(body="b", cta="c", flow_id="1", header=Image(id="1")), "string"),  # type: ignore[arg-type]
    ("product.catalog_id", lambda: Product(catalog_id="", product_retailer_id="s"), "non-empty"),
    ("product_list.sections", lambda: ProductList("b", CATALOG, [], header="h"), "at least 1"),
    ("sections.product_retailer_ids", lambda: ProductSection("A", []), "at least 1"),
    (
        "catalog.thumbnail_product_retailer_id",
        lambda: Catalog(body="b", thumbnail_product_retailer_id=" "),
        "non-empty",
    ),
    ("location_request.body", lambda: LocationRequest(""), "must not be empty"),
    ("call_permission.body", lambda: CallPermissionRequest(" "), "must not be empty"),
    ("voice_call.ttl_minutes", lambda: VoiceCall(body="b", ttl_minutes="5"), "integer"),  # type: ignore[arg-type]
    ("address_request.values", lambda: AddressRequest(body="b", values=["x"]), "mapping"),  # type: ignore[arg-type]
    (
        "currency.amount_1000",
        lambda: Currency(amount_1000=1.5, code="EUR", fallback_value="x"),
        "integer",
    ),  # type: ignore[arg-type]
    ("date_time.fallback_value", lambda: DateTime(""), "non-empty"),
    ("template.buttons.flow_token", lambda: FlowButton(), "leave it out"),
    ("template.offer", lambda: LimitedTimeOffer(), "exactly one"),
    (
        "template.offer.expires_at",
        lambda: LimitedTimeOffer(expires_at=datetime(2030, 1, 1)),
        "aware",
    ),
    ("template.cards.header", lambda: TemplateCard(header=Document(id="1")), "Image, Video"),  # type: ignore[arg-type]
    ("template.cards", lambda: Template("t", header="h", cards=[CARD, CARD]), "no header"),
    ("template.otp", lambda: Template("t", otp="1", body=["1"]), "do not combine"),
    ("template.header", lambda: Template("t", header={"a": "1", "b": "2"}), "exactly one entry"),
    ("template.components", lambda: Template("t", components=[], cards=[CARD]), "raw passthrough"),
    ("template.body", lambda: Template("t", body=[3]), "must be strings, Currency or DateTime"),  # type: ignore[list-item]
    ("template.header", lambda: Template("t", header=DateTime("today")), "got DateTime"),  # type: ignore[arg-type]
    (
        "header.catalog_id",
        lambda: ProductHeader(catalog_id=" ", product_retailer_id="s"),
        "non-empty",
    ),
]


@pytest.mark.parametrize(
    ("field", "build", "says"),
    MODEL_REFUSALS,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(MODEL_REFUSALS)],
)
def test_the_model_refuses_what_no_provider_could_send(
    field: str, build: Callable[[], Any], says: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    assert caught.value.field == field
    assert says in str(caught.value)


# -- Meta's limits --------------------------------------------------------------------------------
LIMIT_REFUSALS: list[tuple[str, Any, str, str]] = [
    (
        "cta-display-text",
        CtaUrl("b", "x" * 21, "https://x.test"),
        "cta_url.display_text",
        "at most 20",
    ),
    ("cta-body", CtaUrl("b" * 1025, "Go", "https://x.test"), "cta_url.body", "at most 1024"),
    (
        "cta-header",
        CtaUrl("b", "Go", "https://x.test", header="h" * 61),
        "cta_url.header",
        "at most 60",
    ),
    (
        "cta-header-caption",
        CtaUrl("b", "Go", "https://x.test", header=Image(id="1", caption="no")),
        "cta_url.header.caption",
        "caption",
    ),
    (
        "cta-footer",
        CtaUrl("b", "Go", "https://x.test", footer="f" * 61),
        "cta_url.footer",
        "at most 60",
    ),
    ("flow-cta", Flow(body="b", cta="c" * 21, flow_id="1"), "flow.cta", "at most 20"),
    ("flow-body", Flow(body="b" * 1025, cta="c", flow_id="1"), "flow.body", "at most 1024"),
    ("flow-data", Flow(body="b", cta="c", flow_id="1", data={"a": object()}), "flow.data", "JSON"),
    (
        "product-list-sections",
        ProductList("b", CATALOG, [section(1, f"S{i}") for i in range(11)], header="h"),
        "product_list.sections",
        "1 to 10",
    ),
    (
        "product-list-products-in-all",
        ProductList("b", CATALOG, [section(20, "A"), section(11, "B")], header="h"),
        "product_list.sections",
        "at most 30",
    ),
    (
        "product-list-untitled-sections",
        ProductList("b", CATALOG, [section(1, "A"), section(1, "")], header="h"),
        "product_list.sections[1].title",
        "empty",
    ),
    (
        "product-list-section-title",
        ProductList("b", CATALOG, [section(1, "t" * 25)], header="h"),
        "product_list.sections[0].title",
        "at most 24",
    ),
    (
        "catalog-body",
        Catalog(body="b" * 1025, thumbnail_product_retailer_id="s"),
        "catalog.body",
        "1024",
    ),
    ("location-request-body", LocationRequest("b" * 1025), "location_request.body", "at most 1024"),
    (
        "voice-call-label",
        VoiceCall(body="b", display_text="x" * 21),
        "voice_call.display_text",
        "20",
    ),
    (
        "voice-call-ttl",
        VoiceCall(body="b", ttl_minutes=43201),
        "voice_call.ttl_minutes",
        "1 to 43200",
    ),
    ("voice-call-ttl-zero", VoiceCall(body="b", ttl_minutes=0), "voice_call.ttl_minutes", "1 to"),
    (
        "voice-call-payload",
        VoiceCall(body="b", payload="p" * 513),
        "voice_call.payload",
        "at most 512",
    ),
    (
        "address-outside-india",
        AddressRequest(body="b", values={"name": "Ada"}),
        "address_request",
        "+91",
    ),
    (
        "currency-code",
        Template("order_total", body=[Currency(amount_1000=1, code="eur", fallback_value="1")]),
        "template.body[0].code",
        "ISO 4217",
    ),
    (
        "currency-amount",
        Template("order_total", body=[Currency(amount_1000=0, code="EUR", fallback_value="0")]),
        "template.body[0].amount_1000",
        "positive",
    ),
    (
        "named-header-name",
        Template("order_named", header={"Order": "1"}, body={"first_name": "Ada"}),
        "template.header['Order']",
        "lowercase",
    ),
    (
        "positional-header-named-body",
        Template("t", header="1", body={"first_name": "Ada"}),
        "template.header",
        "components=",
    ),
    (
        "named-header-positional-body",
        Template("t", header={"order_id": "1"}, body=["Ada"]),
        "template.body",
        "cannot be mixed",
    ),
    (
        "document-header-not-pdf",
        Template(
            "receipt_document", header=Document(link="https://x.test/a.docx", filename="a.docx")
        ),
        "template.header.document",
        "PDF",
    ),
    (
        "coupon-code-too-long",
        Template("t", buttons=[TemplateButton(sub_type="copy_code", value="C" * 21)]),
        "template.buttons[0].value",
        "at most 20",
    ),
    (
        "coupon-code-not-alphanumeric",
        Template("t", buttons=[TemplateButton(sub_type="copy_code", value="SAVE-10")]),
        "template.buttons[0].value",
        "letters and digits",
    ),
    (
        "offer-code-too-long",
        Template(
            "flash_offer",
            offer=LimitedTimeOffer(expiration_time_ms=1),
            buttons=[TemplateButton(sub_type="copy_code", value="C" * 16)],
        ),
        "template.buttons[0].value",
        "at most 15",
    ),
    (
        "offer-url-button-index",
        Template(
            "flash_offer",
            offer=LimitedTimeOffer(expiration_time_ms=1),
            buttons=[
                TemplateButton(sub_type="copy_code", value="C1"),
                TemplateButton(sub_type="url", value="x", index=2),
            ],
        ),
        "template.buttons",
        "url button is index 1",
    ),
    (
        "url-suffix",
        Template("t", buttons=[TemplateButton(sub_type="url", value="u" * 2001)]),
        "template.buttons[0].value",
        "at most 2000",
    ),
    (
        "mpm-products",
        Template(
            "our_picks",
            buttons=[MultiProductButton(thumbnail_product_retailer_id="s", sections=[section(31)])],
        ),
        "template.buttons[0].sections",
        "at most 30",
    ),
    (
        "one-card",
        Template("spring_carousel", cards=[CARD]),
        "template.cards",
        "2 to 10",
    ),
    (
        "eleven-cards",
        Template("spring_carousel", cards=[CARD] * 11),
        "template.cards",
        "2 to 10",
    ),
    (
        "card-buttons",
        Template(
            "spring_carousel",
            cards=[
                TemplateCard(
                    header=Image(id="1"),
                    buttons=[
                        TemplateButton(sub_type="quick_reply", value=str(i)) for i in range(3)
                    ],
                ),
                CARD,
            ],
        ),
        "template.cards[0].buttons",
        "at most 2",
    ),
    (
        "card-coupon-button",
        Template(
            "spring_carousel",
            cards=[
                TemplateCard(
                    header=Image(id="1"), buttons=[TemplateButton(sub_type="copy_code", value="C")]
                ),
                CARD,
            ],
        ),
        "template.cards[0].buttons[0].sub_type",
        "not allowed here",
    ),
    (
        "card-body-parameter",
        Template(
            "spring_carousel", cards=[TemplateCard(header=Image(id="1"), body=["x" * 161]), CARD]
        ),
        "template.cards[0].body[0]",
        "at most 160",
    ),
    ("otp-length", Template("verify_code", otp="1" * 16), "template.otp", "at most 15"),
    (
        "action-button-as-template-button",
        Template("t", buttons=[TemplateButton(sub_type="flow", value="x")]),  # type: ignore[arg-type]
        "template.buttons[0].sub_type",
        "FlowButton",
    ),
    (
        "flow-button-data",
        Template("flow_signup", buttons=[FlowButton(data={"a": object()})]),
        "template.buttons[0].data",
        "JSON",
    ),
]


@pytest.mark.parametrize(
    ("message", "field", "says"),
    [c[1:] for c in LIMIT_REFUSALS],
    ids=[c[0] for c in LIMIT_REFUSALS],
)
async def test_meta_limits_are_refused_before_any_request(
    sb: Sandbox, message: Any, field: str, says: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await sb.client("meta").send(TO, message)
    assert type(caught.value) is ValidationError
    assert (caught.value.field, caught.value.provider) == (field, "meta")
    assert says in str(caught.value)
    assert sb.requests("meta") == []


async def test_the_flow_cta_limit_is_a_setting_up_to_the_spec_s_30(sb: Sandbox) -> None:
    long_cta = Flow(body="b", cta="Not shown in draft mode", flow_id="1")  # Meta's own example
    wa = sb.client("meta", flow_cta_max=30)
    await wa.send(TO, long_cta)
    assert sb.requests("meta")[0].json["interactive"]["action"]["parameters"]["flow_cta"] == (
        "Not shown in draft mode"
    )
    with pytest.raises(ValidationError, match="at most 30"):
        await wa.send(TO, Flow(body="b", cta="c" * 31, flow_id="1"))


# -- groups ---------------------------------------------------------------------------------------
GROUP_REFUSED: list[tuple[str, Any, str]] = [
    ("cta-url", CtaUrl("b", "Go", "https://x.test"), "interactive messages (cta_url)"),
    ("flow", Flow(body="b", cta="c", flow_id="1"), "interactive messages (flow)"),
    ("product", Product(catalog_id=CATALOG, product_retailer_id="s"), "(product)"),
    ("product-list", ProductList("b", CATALOG, [section(1)], header="h"), "(product_list)"),
    ("catalog", Catalog(body="b", thumbnail_product_retailer_id="s"), "(catalog)"),
    ("location-request", LocationRequest("where?"), "(location_request)"),
    ("call-permission", CallPermissionRequest(), "(call_permission)"),
    ("voice-call", VoiceCall(body="b"), "(voice_call)"),
    ("address", AddressRequest(body="b"), "(address_request)"),
    ("otp", Template("verify_code", otp="123456"), "authentication templates"),
    (
        "catalog-template",
        Template("catalog_offer", buttons=[CatalogButton(thumbnail_product_retailer_id="s")]),
        "commerce templates",
    ),
    (
        "mpm-template",
        Template(
            "our_picks",
            buttons=[MultiProductButton(thumbnail_product_retailer_id="s", sections=[section(1)])],
        ),
        "commerce templates",
    ),
    (
        "product-header-template",
        Template(
            "product_spotlight", header=ProductHeader(catalog_id=CATALOG, product_retailer_id="s")
        ),
        "commerce templates",
    ),
]


@pytest.mark.parametrize(
    ("message", "says"), [c[1:] for c in GROUP_REFUSED], ids=[c[0] for c in GROUP_REFUSED]
)
async def test_groups_get_the_platform_s_rules_before_any_request(
    sb: Sandbox, message: Any, says: str
) -> None:
    with pytest.raises(UnsupportedFeature) as caught:
        await sb.client("meta").send(GROUP, message)
    assert says in str(caught.value) and "cannot be sent to a group" in str(caught.value)
    assert caught.value.feature == f"group.{message.kind}"
    assert sb.requests("meta") == []


async def test_groups_still_take_text_media_and_text_or_media_templates(sb: Sandbox) -> None:
    wa = sb.client("meta")
    await wa.send(GROUP, Text("hello group"))
    await wa.send(GROUP, Image(link="https://shop.example/a.png"))
    await wa.send(GROUP, Template("order_update", body=["Ada", "#1"]))
    await wa.send(
        GROUP,
        Template(
            "spring_sale",
            header=Image(id="1013859600285441"),
            body=["10%"],
            buttons=[TemplateButton(sub_type="copy_code", value="SPRING10")],
        ),
    )
    assert [r.json["recipient_type"] for r in sb.requests("meta")] == ["group"] * 4
