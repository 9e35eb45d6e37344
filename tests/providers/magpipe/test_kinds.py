"""Magpipe hands Meta's components on untouched: every template feature goes through it."""

from __future__ import annotations

from datetime import datetime, timezone

from whatsapp_async import (
    FlowButton,
    Image,
    LimitedTimeOffer,
    ProductHeader,
    Template,
    TemplateButton,
    TemplateCard,
)
from whatsapp_async.testing import Sandbox

from .helpers import TO


async def test_a_carousel_with_an_offer_and_buttons_reaches_magpipe_as_meta_components(
    sb: Sandbox,
) -> None:
    template = Template(
        "spring_carousel",
        body=["Ada"],
        cards=[
            TemplateCard(
                header=Image(link="https://shop.example/1.jpg"),
                buttons=[TemplateButton(sub_type="quick_reply", value="more-1")],
            ),
            TemplateCard(
                header=ProductHeader(catalog_id="367025965434465", product_retailer_id="SKU-2")
            ),
        ],
    )
    await sb.client("magpipe").send(TO, template)
    [record] = sb.requests("magpipe")
    assert record.path == "/send-whatsapp-template"
    assert record.json["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Ada"}]},
        {
            "type": "carousel",
            "cards": [
                {
                    "card_index": 0,
                    "components": [
                        {
                            "type": "header",
                            "parameters": [
                                {"type": "image", "image": {"link": "https://shop.example/1.jpg"}}
                            ],
                        },
                        {
                            "type": "button",
                            "sub_type": "quick_reply",
                            "index": "0",
                            "parameters": [{"type": "payload", "payload": "more-1"}],
                        },
                    ],
                },
                {
                    "card_index": 1,
                    "components": [
                        {
                            "type": "header",
                            "parameters": [
                                {
                                    "type": "product",
                                    "product": {
                                        "product_retailer_id": "SKU-2",
                                        "catalog_id": "367025965434465",
                                    },
                                }
                            ],
                        }
                    ],
                },
            ],
        },
    ]


async def test_an_offer_and_a_flow_button_reach_magpipe(sb: Sandbox) -> None:
    ends = datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc)
    template = Template(
        "flash_flow",
        offer=LimitedTimeOffer(expires_at=ends),
        buttons=[FlowButton(flow_token="t-1")],
    )
    await sb.client("magpipe").send(TO, template)
    assert sb.requests("magpipe")[0].json["components"] == [
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
            "sub_type": "flow",
            "index": "0",
            "parameters": [{"type": "action", "action": {"flow_token": "t-1"}}],
        },
    ]
