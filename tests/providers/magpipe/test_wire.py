"""What goes over the wire: exact paths, headers and JSON bodies of both Magpipe endpoints."""

from __future__ import annotations

import re
from typing import Any

import pytest

from whatsapp_async import (
    Document,
    Image,
    Location,
    SendResult,
    Template,
    TemplateButton,
    Text,
    Video,
    WhatsApp,
)
from whatsapp_async._idempotency import MemoryIdempotencyStore
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.magpipe import MagpipeProvider, MagpipeSettings

from .helpers import TO, TO_DIGITS, simulator

WAMID = re.compile(r"^wamid\.[A-Za-z0-9+/=]+$")


def only_request(sb: Sandbox) -> Any:
    records = sb.requests("magpipe")
    assert len(records) == 1
    return records[0]


def assert_headers(sb: Sandbox, record: Any) -> None:
    headers = {k.lower(): v for k, v in record.headers.items()}
    assert headers["authorization"] == f"Bearer {sb.settings('magpipe')['api_key']}"
    assert headers["content-type"] == "application/json"


async def test_text_goes_to_send_whatsapp_message_with_digits_only(sb: Sandbox) -> None:
    wa = sb.client("magpipe")
    result = await wa.send(TO, Text("Hi! Your appointment is confirmed for tomorrow at 2pm."))

    record = only_request(sb)
    assert record.method == "POST"
    assert record.path == "/send-whatsapp-message"
    assert record.query == {}
    assert_headers(sb, record)
    assert record.json == {
        "phone_number_id": sb.settings("magpipe")["phone_number_id"],
        "recipient_wa_id": TO_DIGITS,
        "message": "Hi! Your appointment is confirmed for tomorrow at 2pm.",
    }
    assert WAMID.match(result.id)
    assert result.status == "accepted"
    assert result.provider == "magpipe"
    assert result.recipient == TO
    assert result.raw["message_id"] == result.id
    stored = result.raw["stored"]
    assert stored["content"] == "Hi! Your appointment is confirmed for tomorrow at 2pm."
    assert stored["direction"] == "outbound"
    assert stored["channel"] == "whatsapp"
    assert stored["id"].startswith("msg_")


async def test_national_format_is_normalised_before_it_is_stripped_of_plus(sb: Sandbox) -> None:
    wa = sb.client("magpipe", default_region="US")
    await wa.send("(415) 555-2671", Text("hi"))
    assert only_request(sb).json["recipient_wa_id"] == TO_DIGITS


async def test_template_goes_to_send_whatsapp_template_with_plus_and_en_us_default(
    sb: Sandbox,
) -> None:
    wa = sb.client("magpipe")
    result = await wa.send(TO, Template("upcoming_site_report"))

    record = only_request(sb)
    assert record.method == "POST"
    assert record.path == "/send-whatsapp-template"
    assert_headers(sb, record)
    # No parameters: no components key at all; the language is always explicit.
    assert record.json == {
        "agent_id": sb.settings("magpipe")["agent_id"],
        "to": TO,
        "template_name": "upcoming_site_report",
        "language": "en_US",
    }
    assert WAMID.match(result.id)
    assert result.status == "accepted"
    assert result.raw == {"success": True, "message_id": result.id}


async def test_template_language_and_positional_body_match_the_seed_example(sb: Sandbox) -> None:
    wa = sb.client("magpipe")
    await wa.send(
        "+16045628647",
        Template("upcoming_site_report", language="en_GB", body=["John", "Site Super", "March 20"]),
    )
    body = only_request(sb).json
    assert body["to"] == "+16045628647"
    assert body["language"] == "en_GB"
    assert body["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "John"},
                {"type": "text", "text": "Site Super"},
                {"type": "text", "text": "March 20"},
            ],
        }
    ]


async def test_template_named_body_and_every_button_kind(sb: Sandbox) -> None:
    wa = sb.client("magpipe")
    template = Template(
        "site_report_ready",
        body={"first_name": "John", "report_date": "March 20"},
        buttons=[
            TemplateButton(sub_type="url", value="report/a8f3k2m9"),
            TemplateButton(sub_type="quick_reply", value="ack-42", index=2),
            TemplateButton(sub_type="copy_code", value="SAVE10", index=1),
        ],
    )
    await wa.send(TO, template)
    assert only_request(sb).json["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "first_name", "text": "John"},
                {"type": "text", "parameter_name": "report_date", "text": "March 20"},
            ],
        },
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "report/a8f3k2m9"}],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "2",
            "parameters": [{"type": "payload", "payload": "ack-42"}],
        },
        {
            "type": "button",
            "sub_type": "copy_code",
            "index": "1",
            "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}],
        },
    ]


@pytest.mark.parametrize(
    ("header", "parameter"),
    [
        ("Site Report", {"type": "text", "text": "Site Report"}),
        (
            Image(link="https://example.com/site.png"),
            {"type": "image", "image": {"link": "https://example.com/site.png"}},
        ),
        (Video(id="1013859600285441"), {"type": "video", "video": {"id": "1013859600285441"}}),
        (
            Document(link="https://example.com/r.pdf", filename="report.pdf"),
            {
                "type": "document",
                "document": {"link": "https://example.com/r.pdf", "filename": "report.pdf"},
            },
        ),
        (
            Location(49.2827, -123.1207, name="Site 4", address="1 Main St"),
            {
                "type": "location",
                "location": {
                    "latitude": 49.2827,
                    "longitude": -123.1207,
                    "name": "Site 4",
                    "address": "1 Main St",
                },
            },
        ),
    ],
)
async def test_template_text_media_and_location_headers(
    sb: Sandbox, header: Any, parameter: dict[str, Any]
) -> None:
    await sb.client("magpipe").send(TO, Template("media_header", header=header))
    assert only_request(sb).json["components"] == [{"type": "header", "parameters": [parameter]}]


async def test_raw_components_pass_through_unchanged(sb: Sandbox) -> None:
    raw = [
        {"type": "body", "parameters": [{"type": "text", "text": "John"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "report/a8f3k2m9"}],
        },
    ]
    await sb.client("magpipe").send(TO, Template("upcoming_site_report", components=raw))
    assert only_request(sb).json["components"] == raw


@pytest.mark.parametrize("kind", ["text", "template"])
async def test_metadata_is_sent_as_a_plain_object_on_both_routes(sb: Sandbox, kind: str) -> None:
    message = Text("hi") if kind == "text" else Template("hello_world")
    metadata = {"schedule_id": "sch_123", "project": {"id": "proj_456", "tags": ["a", "b"]}}
    await sb.client("magpipe").send(TO, message, metadata=metadata)
    assert only_request(sb).json["metadata"] == metadata
    assert simulator(sb).sent[-1].metadata == metadata


async def test_stored_row_keeps_the_metadata(sb: Sandbox) -> None:
    result = await sb.client("magpipe").send(TO, Text("hi"), metadata={"ticket": "T-1"})
    assert result.raw["stored"]["metadata"] == {"ticket": "T-1"}


async def test_no_metadata_key_without_metadata(sb: Sandbox) -> None:
    await sb.client("magpipe").send(TO, Text("hi"))
    assert "metadata" not in only_request(sb).json


async def test_extra_is_deep_merged_into_the_body(sb: Sandbox) -> None:
    wa = sb.client("magpipe")
    await wa.send(
        TO,
        Template("hello_world"),
        metadata={"schedule_id": "sch_1", "nested": {"a": 1}},
        extra={"metadata": {"nested": {"b": 2}}, "client_ref": "abc"},
    )
    body = only_request(sb).json
    assert body["metadata"] == {"schedule_id": "sch_1", "nested": {"a": 1, "b": 2}}
    assert body["client_ref"] == "abc"
    assert body["template_name"] == "hello_world"


async def test_extra_can_override_a_field(sb: Sandbox) -> None:
    await sb.client("magpipe").send(TO, Template("hello_world"), extra={"language": "pt_BR"})
    assert only_request(sb).json["language"] == "pt_BR"


async def test_idempotency_keys_stay_client_side(sb: Sandbox) -> None:
    store = MemoryIdempotencyStore(ttl=60)
    wa = sb.client("magpipe", idempotency_store=store)
    first = await wa.send(TO, Text("once"), idempotency_key="order-1234-shipped")
    again = await wa.send(TO, Text("once"), idempotency_key="order-1234-shipped")
    record = only_request(sb)  # the repeat was answered from the store
    assert "idempotency" not in record.body.decode().lower()
    assert not any(k.lower() == "idempotency-key" for k in record.headers)
    assert again.id == first.id and again.idempotent_replayed


async def notify(wa: WhatsApp, to: str) -> tuple[SendResult, SendResult]:
    """A call site written once, for any provider that sends text and templates (no options
    that only some providers have, so a Meta-configured client can run it unchanged)."""
    update = await wa.send(to, Text("Your site report is ready"))
    opener = await wa.send(to, Template("upcoming_site_report", body=["John", "March 20"]))
    return update, opener


async def test_the_same_call_site_runs_with_only_configuration_changed(sb: Sandbox) -> None:
    config = {"provider": "magpipe", **sb.settings("magpipe"), "base_url": sb.base_url("magpipe")}
    async with WhatsApp.from_config(config) as from_config:
        configured = await notify(from_config, TO)
    sandboxed = await notify(sb.client("magpipe"), TO)

    for update, opener in (configured, sandboxed):
        assert (update.status, opener.status) == ("accepted", "accepted")
        assert update.recipient == opener.recipient == TO
        assert WAMID.match(update.id) and WAMID.match(opener.id)
        assert update.id != opener.id
    paths = [r.path for r in sb.requests("magpipe")]
    assert paths == ["/send-whatsapp-message", "/send-whatsapp-template"] * 2


async def test_settings_base_url_is_used_and_client_base_url_overrides_it(sb: Sandbox) -> None:
    settings = sb.settings("magpipe")
    provider = MagpipeProvider(MagpipeSettings(**settings, base_url=sb.base_url("magpipe") + "/"))
    assert provider.base_url == sb.base_url("magpipe")
    async with WhatsApp(provider) as wa:
        await wa.send(TO, Text("hi"))
    assert only_request(sb).path == "/send-whatsapp-message"

    overridden = MagpipeProvider(
        MagpipeSettings(**settings, base_url="https://unused.invalid"),
        base_url="https://proxy.example/functions/v1",
    )
    assert overridden.base_url == "https://proxy.example/functions/v1"
    default = MagpipeProvider(MagpipeSettings(api_key=settings["api_key"]))
    assert default.base_url == "https://api.magpipe.ai/functions/v1"


async def test_a_plain_aiohttp_client_can_use_the_simulator_like_the_real_api(
    sb: Sandbox,
) -> None:
    import aiohttp

    settings = sb.settings("magpipe")
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sb.base_url("magpipe") + "/send-whatsapp-template",
            headers={"Authorization": f"Bearer {settings['api_key']}"},
            json={
                "agent_id": settings["agent_id"],
                "to": "+16045628647",
                "template_name": "upcoming_site_report",
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "John"},
                            {"type": "text", "text": "2:00 PM"},
                        ],
                    }
                ],
            },
        ) as response,
    ):
        assert response.status == 200
        body = await response.json()
    assert body["success"] is True
    assert WAMID.match(body["message_id"])
