"""mark_read, list_templates and the parsing of Meta's send responses."""

from __future__ import annotations

import msgspec
import pytest

from whatsapp_async import (
    APIStatusError,
    BadRequestError,
    ConfigurationError,
    HttpResponse,
    Phone,
    SendOptions,
    Text,
    UnsupportedFeature,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta import MetaProvider, MetaSettings
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator

from .conftest import TO, load_bytes

PNID = "106540352242922"


def _provider(**settings: str) -> MetaProvider:
    values = {"token": "EAAtest-token-123", "phone_number_id": PNID, **settings}
    return MetaProvider(MetaSettings(**values))


@pytest.mark.parametrize("typing", [False, True])
async def test_mark_read_posts_the_read_receipt(
    sb: Sandbox, sim: MetaSimulator, typing: bool
) -> None:
    wa = sb.client("meta")
    inbound = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="

    assert await wa.mark_read(inbound, typing=typing) is None

    [record] = sb.requests("meta")
    assert record.method == "POST"
    assert record.path == f"/{API}/{PNID}/messages"
    expected = {"messaging_product": "whatsapp", "status": "read", "message_id": inbound}
    if typing:
        expected["typing_indicator"] = {"type": "text"}
    assert record.json == expected
    assert sim.marked_read == [(inbound, typing)]


async def test_mark_read_of_a_bad_id_is_rejected_by_meta(sb: Sandbox) -> None:
    with pytest.raises(BadRequestError) as caught:
        await sb.client("meta", max_retries=0).mark_read("not-a-wamid")
    assert caught.value.code == 100


def test_mark_read_needs_success_true() -> None:
    provider = _provider()
    provider.parse_mark_read(
        HttpResponse(status=200, body=load_bytes("responses/mark_read_response.json"))
    )
    with pytest.raises(APIStatusError):
        provider.parse_mark_read(HttpResponse(status=200, body=b'{"success": false}'))
    with pytest.raises(APIStatusError):
        provider.parse_mark_read(HttpResponse(status=200, body=b"<html>"))


async def test_list_templates_follows_every_page(sb: Sandbox, sim: MetaSimulator) -> None:
    wa = sb.client("meta")

    templates = await wa.list_templates()

    expected = [(t.name, t.language, t.status, t.category, t.id) for t in sim.templates.templates]
    assert [(t.name, t.language, t.status, t.category, t.id) for t in templates] == expected
    records = sb.requests("meta")
    pages = -(-len(expected) // sim.page_size)
    assert pages >= 2
    assert len(records) == pages
    for i, record in enumerate(records):
        assert record.method == "GET"
        assert record.path == f"/{API}/{sim.waba_id}/message_templates"
        assert record.query["fields"] == "name,status,category,language,components"
        assert record.query["limit"] == "100"
        assert record.headers["Authorization"] == f"Bearer {sim.token}"
        assert ("after" in record.query) == (i > 0)
    order_update = templates[1]
    assert [c.type for c in order_update.components] == ["BODY", "BUTTONS"]
    assert order_update.components[0].text == "Hi {{1}}, your order {{2}} has shipped."
    assert order_update.components[1].buttons[0]["type"] == "URL"
    receipt = next(t for t in templates if t.name == "receipt_document")
    assert receipt.components[0].format == "DOCUMENT"
    assert receipt.raw["id"] == "1006"


async def test_list_templates_without_waba_id_fails_before_any_request(sb: Sandbox) -> None:
    wa = sb.client("meta", waba_id=None)
    with pytest.raises(ConfigurationError) as caught:
        await wa.list_templates()
    assert "waba_id" in str(caught.value)
    assert sb.requests("meta") == []


async def test_list_templates_of_an_unknown_account_is_rejected(sb: Sandbox) -> None:
    wa = sb.client("meta", waba_id="123456789", max_retries=0)
    with pytest.raises(BadRequestError) as caught:
        await wa.list_templates()
    assert caught.value.code == 100


def test_last_page_has_an_after_cursor_but_no_next() -> None:
    provider = _provider(waba_id="102290129340398")
    body = {
        "data": [{"name": "a", "language": "en_US", "status": "APPROVED", "components": []}],
        "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}},
    }
    templates, cursor = provider.parse_templates(
        HttpResponse(status=200, body=msgspec.json.encode(body))
    )
    assert [t.name for t in templates] == ["a"]
    assert cursor is None


def test_next_url_without_cursors_still_pages() -> None:
    provider = _provider(waba_id="102290129340398")
    body = {
        "data": [],
        "paging": {
            "next": "https://graph.facebook.com/v23.0/1/message_templates?after=XYZ&limit=2"
        },
    }
    _, cursor = provider.parse_templates(HttpResponse(status=200, body=msgspec.json.encode(body)))
    assert cursor == "XYZ"
    request = provider.build_list_templates(cursor)
    assert request.url.endswith(
        "message_templates?fields=name%2Cstatus%2Ccategory%2Clanguage%2Ccomponents&limit=100&after=XYZ"
    )


def test_garbled_template_page_is_a_typed_error() -> None:
    provider = _provider(waba_id="102290129340398")
    with pytest.raises(APIStatusError):
        provider.parse_templates(HttpResponse(status=200, body=b'{"data": "nope"}'))


@pytest.mark.parametrize(
    ("fixture", "wa_id"),
    [
        ("responses/send_docs.json", "16505551234"),
        ("responses/send_seed_003.json", "16505551234"),
        ("responses/send_bsuid.json", None),
    ],
)
def test_parse_send_of_meta_documented_responses(fixture: str, wa_id: str | None) -> None:
    provider = _provider()
    body = load_bytes(fixture)
    result = provider.parse_send(HttpResponse(status=200, body=body), Phone(TO), Text("hi"))
    assert result.id == msgspec.json.decode(body)["messages"][0]["id"]
    assert result.status == "accepted"  # message_status absent
    assert result.wa_id == wa_id
    assert result.recipient == TO
    assert result.raw == msgspec.json.decode(body)


async def test_a_2xx_without_message_id_is_a_typed_error(sb: Sandbox) -> None:
    sb.fail_next("meta", status=200, body=b'{"messaging_product":"whatsapp"}')
    with pytest.raises(APIStatusError) as caught:
        await sb.client("meta").send(TO, Text("hi"))
    assert caught.value.status == 200
    assert len(sb.requests("meta")) == 1  # not retried: the message may have gone out


def test_unknown_message_status_still_means_accepted() -> None:
    body = b'{"messages":[{"id":"wamid.X","message_status":"some_new_state"}]}'
    result = _provider().parse_send(HttpResponse(status=200, body=body), Phone(TO), Text("hi"))
    assert result.status == "accepted"


@pytest.mark.parametrize(
    ("settings", "mentions"),
    [
        ({"phone_number_id": ""}, "phone_number_id"),
        ({"phone_number_id": "+16505551234"}, "phone_number_id"),
        ({"token": " "}, "token"),
        ({"api_version": "23.0"}, "api_version"),
        ({"waba_id": "abc"}, "waba_id"),
        ({"phone_number_id": None}, "phone_number_id"),
        ({"appsecret": "x"}, "appsecret"),
    ],
)
def test_bad_settings_raise_configuration_error_naming_the_setting(
    settings: dict[str, str | None], mentions: str
) -> None:
    values = {"token": "EAAtest-token-123", "phone_number_id": PNID, **settings}
    with pytest.raises(ConfigurationError) as caught:
        WhatsApp("meta", **values)
    assert mentions in str(caught.value)
    assert "EAAtest-token-123" not in str(caught.value)


def test_defaults_and_capabilities() -> None:
    wa = WhatsApp("meta", token="EAAtest-token-123", phone_number_id=PNID)
    provider = wa.provider
    assert isinstance(provider, MetaProvider)
    assert provider.settings.api_version == API == "v26.0"
    assert provider.sender_key == PNID
    assert provider.default_rate_limit == 80.0
    assert provider.base_url == "https://graph.facebook.com"
    caps = wa.capabilities
    assert caps.messages == frozenset(
        {
            "text",
            "image",
            "video",
            "audio",
            "document",
            "sticker",
            "location",
            "contacts",
            "reaction",
            "template",
            "buttons",
            "list",
            "cta_url",
            "flow",
            "product",
            "product_list",
            "catalog",
            "location_request",
            "call_permission",
            "voice_call",
            "address_request",
        }
    )
    assert caps.recipients == frozenset({"phone", "user", "group"})
    assert caps.options == frozenset({"reply_to", "metadata"})
    assert caps.operations == frozenset(
        {
            "mark_read",
            "list_templates",
            "webhooks",
            "status_events",
            "upload_media",
            "create_template",
            "delete_template",
        }
    )
    request = provider.build_send(Phone(TO), Text("hi"), SendOptions())
    assert request.url == f"https://graph.facebook.com/{API}/{PNID}/messages"
    assert "EAAtest-token-123" not in repr(wa)
    assert "EAAtest-token-123" not in repr(provider)


def test_api_version_and_base_url_shape_the_url() -> None:
    provider = MetaProvider(
        MetaSettings(token="t-123456", phone_number_id=PNID, api_version="v25.0"),
        base_url="https://proxy.example/graph/",
    )
    request = provider.build_mark_read("wamid.X", typing=False)
    assert request.url == f"https://proxy.example/graph/v25.0/{PNID}/messages"


async def test_get_status_is_unsupported(sb: Sandbox) -> None:
    with pytest.raises(UnsupportedFeature):
        await sb.client("meta").get_status("wamid.X")
    assert sb.requests("meta") == []


def test_request_reprs_hide_the_token() -> None:
    provider = _provider(waba_id="102290129340398")
    requests = [
        provider.build_send(Phone(TO), Text("hi"), SendOptions()),
        provider.build_mark_read("wamid.X", typing=False),
        provider.build_list_templates(None),
    ]
    for request in requests:
        assert "EAAtest-token-123" not in repr(request)
        assert request.headers["Authorization"] == "Bearer EAAtest-token-123"
