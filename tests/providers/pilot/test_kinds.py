"""The new kinds on Pilot: a CTA URL is Pilot's ``url`` button, a date_time is its text, and
what Pilot has no field for is refused before any request."""

from __future__ import annotations

from typing import Any

import pytest

from whatsapp_async import (
    CtaUrl,
    Currency,
    DateTime,
    Document,
    Flow,
    Image,
    Message,
    Template,
    UnsupportedFeature,
    ValidationError,
    Video,
)
from whatsapp_async.testing import Sandbox

from .conftest import PHONE


async def sent_body(sb: Sandbox, message: Message, **client: Any) -> dict[str, Any]:
    result = await sb.client("pilot", **client).send(PHONE, message)
    assert result.status == "queued"
    [record] = sb.requests("pilot")
    assert (record.path, record.status) == ("/v1/messages/send", 202)
    body: dict[str, Any] = record.json
    return body


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            CtaUrl("Your parcel is on its way.", "Track", "https://shop.example/t/1"),
            {
                "text": "Your parcel is on its way.",
                "buttons": [
                    {"type": "url", "displayText": "Track", "url": "https://shop.example/t/1"}
                ],
            },
        ),
        (
            CtaUrl(
                "New season",
                "Shop now",
                "https://shop.example/new",
                header="Spring",
                footer="Acme",
            ),
            {
                "text": "New season",
                "buttons": [
                    {"type": "url", "displayText": "Shop now", "url": "https://shop.example/new"}
                ],
                "header": {"type": "text", "content": "Spring"},
                "footer": "Acme",
            },
        ),
        (
            CtaUrl(
                "Watch",
                "Open",
                "https://shop.example/v",
                header=Video(link="https://shop.example/v.mp4"),
            ),
            {
                "text": "Watch",
                "buttons": [
                    {"type": "url", "displayText": "Open", "url": "https://shop.example/v"}
                ],
                "header": {"type": "video", "content": "https://shop.example/v.mp4"},
            },
        ),
    ],
    ids=["plain", "text-header-and-footer", "video-header"],
)
async def test_a_cta_url_is_text_with_one_url_button(
    sb: Sandbox, message: CtaUrl, expected: dict[str, Any]
) -> None:
    assert await sent_body(sb, message) == {"destinationNumber": PHONE, **expected}


async def test_the_cta_label_key_follows_the_setting(sb: Sandbox) -> None:
    body = await sent_body(sb, CtaUrl("b", "Go", "https://x.test/a"), button_label_key="label")
    assert body["buttons"] == [{"type": "url", "label": "Go", "url": "https://x.test/a"}]


async def test_a_date_time_parameter_is_the_text_cloud_api_shows(sb: Sandbox) -> None:
    body = await sent_body(sb, Template("order_update", body=["Ada", DateTime("3 March 2026")]))
    assert body["variables"] == {"1": "Ada", "2": "3 March 2026"}


@pytest.mark.parametrize(
    ("message", "error", "feature"),
    [
        (CtaUrl("b", "x" * 21, "https://x.test"), ValidationError, "cta_url.display_text"),
        (CtaUrl("b", "Go", "https://x.test", header=Image(id="1")), UnsupportedFeature, "media_id"),
        (
            CtaUrl(
                "b",
                "Go",
                "https://x.test",
                header=Document(link="https://x.test/a.pdf", filename="a.pdf"),
            ),
            UnsupportedFeature,
            "cta_url.header",
        ),
        (Flow(body="b", cta="c", flow_id="1"), UnsupportedFeature, "flow"),
        (
            Template("t", body=[Currency(amount_1000=1, code="BRL", fallback_value="R$0,01")]),
            UnsupportedFeature,
            "template.currency",
        ),
        (Template("verify_code", otp="123456"), UnsupportedFeature, "template.otp"),
    ],
    ids=["label-length", "media-by-id", "document-filename", "flow", "currency", "otp"],
)
async def test_what_pilot_cannot_express_is_refused_before_any_request(
    sb: Sandbox, message: Message, error: type[Exception], feature: str
) -> None:
    with pytest.raises(error) as caught:
        await sb.client("pilot").send(PHONE, message)
    assert caught.value.field == feature  # type: ignore[attr-defined]
    assert sb.requests("pilot") == []
