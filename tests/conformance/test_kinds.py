"""Every kind and template feature over every provider: declared means sent, the rest refused.

``Capabilities.messages`` and ``Capabilities.template_features`` are declarations; these tests
hold each provider to them both ways: a declared kind or feature is built and accepted by the
provider's simulator, an undeclared one raises ``UnsupportedFeature`` before any request, from
the core's gate and from the provider's own builder alike (so a provider used without the
client cannot drop it either).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from whatsapp_async import (
    CatalogButton,
    Currency,
    DateTime,
    FlowButton,
    Image,
    LimitedTimeOffer,
    Location,
    MultiProductButton,
    Phone,
    ProductHeader,
    ProductSection,
    SendOptions,
    Template,
    TemplateButton,
    TemplateCard,
    UnsupportedFeature,
)
from whatsapp_async._demo import demo_cases
from whatsapp_async.messages import TEMPLATE_FEATURES, template_features
from whatsapp_async.testing import Sandbox

from .profiles import Profile

CUSTOMER = "+14155552671"
IMAGE = Image(link="https://example.com/card.jpg")
CARD = TemplateCard(header=IMAGE, body=["10%"])

FEATURE_SAMPLES: dict[str, Template] = {
    "text_header": Template("t", header="Order #1"),
    "media_header": Template("t", header=IMAGE),
    "location_header": Template("t", header=Location(37.48, -122.15, name="HQ", address="1 Way")),
    "product_header": Template("t", header=ProductHeader(catalog_id="1", product_retailer_id="S")),
    "currency": Template("t", body=[Currency(amount_1000=1000, code="EUR", fallback_value="€1")]),
    "date_time": Template("t", body=[DateTime("3 March 2026")]),
    "quick_reply_button": Template(
        "t", buttons=[TemplateButton(sub_type="quick_reply", value="p")]
    ),
    "url_button": Template("t", buttons=[TemplateButton(sub_type="url", value="u")]),
    "copy_code_button": Template("t", buttons=[TemplateButton(sub_type="copy_code", value="C1")]),
    "flow_button": Template("t", buttons=[FlowButton(flow_token="tok")]),
    "catalog_button": Template("t", buttons=[CatalogButton(thumbnail_product_retailer_id="S")]),
    "mpm_button": Template(
        "t",
        buttons=[
            MultiProductButton(
                thumbnail_product_retailer_id="S", sections=[ProductSection("A", ["S"])]
            )
        ],
    ),
    "otp": Template("t", otp="123456"),
    "carousel": Template("t", cards=[CARD, CARD]),
    "limited_time_offer": Template(
        "t", offer=LimitedTimeOffer(expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    ),
    "components": Template("t", components=[{"type": "body", "parameters": []}]),
}


def test_every_feature_has_a_sample_that_uses_exactly_it() -> None:
    assert set(FEATURE_SAMPLES) == set(TEMPLATE_FEATURES)
    for feature, sample in FEATURE_SAMPLES.items():
        used = template_features(sample)
        # A carousel card's header is a media header: it is declared on its own as well.
        assert used == ({feature, "media_header"} if feature == "carousel" else {feature})


@pytest.mark.parametrize("feature", sorted(FEATURE_SAMPLES))
async def test_declared_template_features_are_built_and_the_rest_refused(
    sb: Sandbox, profile: Profile, feature: str
) -> None:
    wa = sb.client(profile.name)
    sample = FEATURE_SAMPLES[feature]
    declared = profile.template_features
    if "template" not in profile.messages:
        pytest.skip(f"{profile.name} sends no templates")
    if feature in declared:
        # The provider's own builder expresses it (the simulator's templates are another matter).
        wa.provider.build_send(Phone(CUSTOMER), sample, SendOptions())
        return
    with pytest.raises(UnsupportedFeature) as caught:
        await wa.send(CUSTOMER, sample)
    assert caught.value.feature == f"template.{feature}"
    assert caught.value.provider == profile.name
    with pytest.raises(UnsupportedFeature):
        wa.provider.build_send(Phone(CUSTOMER), sample, SendOptions())
    assert sb.requests(profile.name) == []


async def test_every_declared_demo_kind_is_accepted_by_the_simulator(
    sb: Sandbox, profile: Profile
) -> None:
    wa = sb.client(profile.name)
    sent = []
    for label, message, to in demo_cases("wamid.X"):
        if message.kind not in profile.messages or (
            isinstance(message, Template)
            and not template_features(message) <= profile.template_features
        ):
            continue
        if label == "document" and profile.name == "pilot":
            continue  # a document's file name has no Pilot field (docs/providers.md)
        result = await wa.send(to, message)
        assert result.provider == profile.name, label
        sent.append(label)
    # Meta sends every one of them; the others at least a text and a template.
    if profile.name == "meta":
        assert sent == [case.label for case in demo_cases("wamid.X")]
    assert {"text", "template"} <= set(sent)
