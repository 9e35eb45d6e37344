"""The gateway documents text parameters: a one-time password goes, media and actions do not."""

from __future__ import annotations

import pytest

from whatsapp_async import (
    CatalogButton,
    Currency,
    Image,
    Template,
    TemplateCard,
    UnsupportedFeature,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox


async def test_an_authentication_template_sends_its_code_twice(sb: Sandbox, gw: WhatsApp) -> None:
    await gw.send("+14155552671", Template("verify_code", otp="482913"))
    [record] = sb.requests("gateway")
    assert record.path == "/api/whatsapp/send-template"
    assert record.json["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "482913"}],
        },
    ]


@pytest.mark.parametrize(
    ("template", "feature"),
    [
        (
            Template("t", body=[Currency(amount_1000=1, code="GTQ", fallback_value="Q0.01")]),
            "template.currency",
        ),
        (
            Template(
                "t", cards=[TemplateCard(header=Image(id="1")), TemplateCard(header=Image(id="2"))]
            ),
            "template.carousel",
        ),
        (
            Template("t", buttons=[CatalogButton(thumbnail_product_retailer_id="S")]),
            "template.catalog_button",
        ),
    ],
    ids=["currency", "carousel", "catalog-button"],
)
async def test_what_the_gateway_does_not_document_is_refused_before_any_request(
    sb: Sandbox, gw: WhatsApp, template: Template, feature: str
) -> None:
    with pytest.raises(UnsupportedFeature) as caught:
        await gw.send("+14155552671", template)
    assert caught.value.feature == feature
    assert sb.requests("gateway") == []
