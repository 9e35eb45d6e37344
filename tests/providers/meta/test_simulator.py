"""The simulator as another Meta client sees it: a plain aiohttp client, Meta's JSON.

These requests carry ``User-Agent: raw-client`` so the schema check of ``conftest.sb``
leaves the deliberately broken ones alone.
"""

from __future__ import annotations

import copy
from typing import Any

import aiohttp
import pytest

from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.settings import DEFAULT_API_VERSION as API
from whatsapp_async_providers.meta.simulator import MetaSimulator

from .conftest import RAW_CLIENT, TO, Graph, load_json

EXAMPLES: dict[str, dict[str, Any]] = load_json("spec_request_examples.json")


ACCEPTED_EXAMPLES = [
    "Send Text Message",
    "Send Text Message with Preview URL",  # no "type": Meta sends text by default
    "Send Reply to Text Message",
    "Send Location Message",
    "Send Contact Message",
    "Send Reply with Reaction Message",
    "Send Reply Button",
    "Send List Message",
    "Send Image Message by ID",
    "Send Sticker Message by ID",
    "Send Document Message by ID",
    "Send Video Message by ID",
    "Send Test Message",  # hello_world exists in the simulator's account
]


@pytest.mark.parametrize("name", ACCEPTED_EXAMPLES)
async def test_metas_own_examples_are_accepted(graph: Graph, name: str) -> None:
    body = copy.deepcopy(EXAMPLES[name])
    body["to"] = TO[1:]

    status, answer = await graph.post(body)

    assert status == 200, answer
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": TO[1:], "wa_id": TO[1:]}]
    [message] = answer["messages"]
    assert message["id"].startswith("wamid.")
    assert message["message_status"] == "accepted"


TEXT = {"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"body": "hi"}}

# (case, body change, expected code)
REJECTED: list[tuple[str, dict[str, Any], int]] = [
    ("no-messaging-product", {"messaging_product": None}, 100),
    ("other-messaging-product", {"messaging_product": "sms"}, 100),
    ("no-to", {"to": None}, 131008),
    ("bad-to", {"to": "12"}, 100),
    ("bad-recipient-type", {"recipient_type": "channel"}, 131009),
    ("unknown-type", {"type": "hologram", "hologram": {}}, 131009),
    ("missing-type-object", {"type": "image", "text": None}, 131008),
    ("type-object-of-another-type", {"image": {"id": "1"}}, 100),
    ("missing-text-body", {"text": {"preview_url": True}}, 131008),
    ("empty-text-body", {"text": {"body": ""}}, 100),
    ("text-too-long", {"text": {"body": "x" * 4097}}, 100),
    ("unexpected-key", {"colour": "blue"}, 100),
    ("unexpected-nested-key", {"text": {"body": "hi", "bold": True}}, 100),
    (
        "media-both",
        {"type": "image", "text": None, "image": {"id": "1", "link": "https://x.example/a.png"}},
        131009,
    ),
    ("media-neither", {"type": "image", "text": None, "image": {"caption": "?"}}, 131008),
    (
        "media-ftp",
        {"type": "video", "text": None, "video": {"link": "ftp://x.example/a.mp4"}},
        131009,
    ),
    ("audio-caption", {"type": "audio", "text": None, "audio": {"id": "1", "caption": "no"}}, 100),
    (
        "sticker-caption",
        {"type": "sticker", "text": None, "sticker": {"id": "1", "caption": "no"}},
        100,
    ),
    (
        "caption-too-long",
        {"type": "image", "text": None, "image": {"id": "1", "caption": "c" * 1025}},
        100,
    ),
    (
        "latitude-out-of-range",
        {"type": "location", "text": None, "location": {"latitude": 91, "longitude": 0}},
        131009,
    ),
    (
        "reaction-not-emoji",
        {"type": "reaction", "text": None, "reaction": {"message_id": "wamid.X", "emoji": "ok"}},
        131009,
    ),
    (
        "contact-without-name",
        {"type": "contacts", "text": None, "contacts": [{"phones": [{"phone": "+1"}]}]},
        131008,
    ),
    (
        "four-buttons",
        {
            "type": "interactive",
            "text": None,
            "interactive": {
                "type": "button",
                "body": {"text": "?"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": str(i), "title": str(i)}}
                        for i in range(4)
                    ]
                },
            },
        },
        131009,
    ),
    (
        "eleven-rows",
        {
            "type": "interactive",
            "text": None,
            "interactive": {
                "type": "list",
                "body": {"text": "?"},
                "action": {
                    "button": "Go",
                    "sections": [{"rows": [{"id": str(i), "title": str(i)} for i in range(11)]}],
                },
            },
        },
        131009,
    ),
    ("bad-context", {"context": {"message_id": 5}}, 100),
    ("opaque-too-long", {"biz_opaque_callback_data": "x" * 513}, 100),
    (
        "template-unknown",
        {
            "type": "template",
            "text": None,
            "template": {"name": "nope", "language": {"code": "en_US"}},
        },
        132001,
    ),
    (
        "template-wrong-language",
        {
            "type": "template",
            "text": None,
            "template": {"name": "hello_world", "language": {"code": "fr"}},
        },
        132001,
    ),
    (
        "template-missing-language",
        {"type": "template", "text": None, "template": {"name": "hello_world"}},
        131008,
    ),
    (
        "template-named-to-positional",
        {
            "type": "template",
            "text": None,
            "template": {
                "name": "order_update",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "parameter_name": "a", "text": "1"},
                            {"type": "text", "parameter_name": "b", "text": "2"},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "x"}],
                    },
                ],
            },
        },
        132012,
    ),
    (
        "template-missing-dynamic-url",
        {
            "type": "template",
            "text": None,
            "template": {
                "name": "order_tracking",
                "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "1"}]}],
            },
        },
        132000,
    ),
    (
        "template-parameter-for-static-url",
        {
            "type": "template",
            "text": None,
            "template": {
                "name": "order_update",
                "language": {"code": "en_US"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "1"},
                            {"type": "text", "text": "2"},
                        ],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "x"}],
                    },
                ],
            },
        },
        132000,
    ),
    (
        "template-button-without-index",
        {
            "type": "template",
            "text": None,
            "template": {
                "name": "appointment_reminder",
                "language": {"code": "en_US"},
                "components": [{"type": "button", "sub_type": "quick_reply", "parameters": []}],
            },
        },
        131008,
    ),
]


@pytest.mark.parametrize(
    ("change", "code"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED]
)
async def test_bad_bodies_get_metas_error_envelope(
    graph: Graph, change: dict[str, Any], code: int
) -> None:
    body = {**TEXT, **change}
    body = {k: v for k, v in body.items() if v is not None}

    status, answer = await graph.post(body)

    assert status in (400, 404)
    error = answer["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code}) ")
    assert error["type"] == "OAuthException"
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert error["error_data"]["details"]
    assert error["fbtrace_id"]


@pytest.mark.parametrize("token", ["", "EAAwrong"], ids=["missing", "wrong"])
async def test_tokens_are_checked(graph: Graph, token: str) -> None:
    status, answer = await graph.post(TEXT, token=token)
    assert status == 401
    assert answer["error"]["code"] == 190
    assert answer["error"]["type"] == "OAuthException"


async def test_access_token_query_parameter_works_like_the_header(sb: Sandbox) -> None:
    settings = sb.settings("meta")
    url = f"{sb.base_url('meta')}/{API}/{settings['phone_number_id']}/messages"
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url,
            params={"access_token": settings["token"]},
            json=TEXT,
            headers={"User-Agent": RAW_CLIENT},
        ) as response,
    ):
        assert response.status == 200


async def test_unknown_number_version_and_path(graph: Graph, sb: Sandbox) -> None:
    status, answer = await graph.post(TEXT, node="123")
    assert (status, answer["error"]["code"], answer["error"]["error_subcode"]) == (400, 100, 33)
    assert answer["error"]["type"] == "GraphMethodException"
    status, answer = await graph.post(TEXT, version="23")
    assert (status, answer["error"]["code"]) == (400, 100)
    async with graph.session.get(f"{sb.base_url('meta')}/{API}/me/phone_numbers") as response:
        assert response.status == 400
        assert (await response.json())["error"]["type"] == "GraphMethodException"


async def test_non_json_body_is_rejected(graph: Graph) -> None:
    url = f"{graph.base}/{API}/{graph.node}/messages"
    headers = {"Authorization": f"Bearer {graph.token}", "User-Agent": RAW_CLIENT}
    async with graph.session.post(url, data=b"to=1&text=hi", headers=headers) as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == 100


@pytest.mark.parametrize(
    ("status", "code", "expected_code", "title"),
    [
        (400, 131047, 131047, "Re-engagement message"),
        (400, "130429", 130429, "Rate limit hit"),
        (401, None, 190, None),
        (429, None, 130429, "Rate limit hit"),
        (503, None, 2, "API Service"),
        (500, None, 131000, "Something went wrong"),
        (418, None, 100, "Invalid parameter"),
    ],
)
async def test_fault_injection_speaks_metas_envelope(
    graph: Graph, sb: Sandbox, status: int, code: Any, expected_code: int, title: str | None
) -> None:
    sb.fail_next("meta", status=status, code=code, retry_after=2)
    async with graph.session.post(
        f"{graph.base}/{API}/{graph.node}/messages",
        json=TEXT,
        headers={"Authorization": f"Bearer {graph.token}", "User-Agent": RAW_CLIENT},
    ) as response:
        assert response.status == status
        assert response.headers["Retry-After"] == "2"
        error = (await response.json())["error"]
    assert error["code"] == expected_code
    if title is not None:
        assert error["message"] == f"(#{expected_code}) {title}"
    assert error["error_data"]["details"]


async def test_template_listing_pages_like_graph(graph: Graph, sim: MetaSimulator) -> None:
    url = f"{graph.base}/{API}/{sim.waba_id}/message_templates"
    headers = {"Authorization": f"Bearer {graph.token}"}
    names: list[str] = []
    next_url: str | None = f"{url}?fields=name,status&limit=3"
    pages = 0
    while next_url:
        async with graph.session.get(next_url, headers=headers) as response:
            assert response.status == 200
            page = await response.json()
        pages += 1
        names.extend(item["name"] for item in page["data"])
        assert all(set(item) == {"name", "status", "id"} for item in page["data"])
        assert page["paging"]["cursors"]["after"]
        next_url = page["paging"].get("next")
    assert len(sim.templates.templates) == 22
    assert pages == 8  # 22 templates, 3 per page
    async with graph.session.get(page["paging"]["previous"], headers=headers) as response:
        previous = await response.json()
    assert [item["name"] for item in previous["data"]] == names[18:21]
    assert names == [t.name for t in sim.templates.templates]
    async with graph.session.get(f"{url}?name=order_update", headers=headers) as response:
        assert [t["language"] for t in (await response.json())["data"]] == ["en_US", "es"]
    async with graph.session.get(f"{url}?after=garbage", headers=headers) as response:
        assert response.status == 400


async def test_settings_are_what_clients_need(sb: Sandbox, sim: MetaSimulator) -> None:
    settings = sb.settings("meta")
    assert set(settings) == {"token", "phone_number_id", "waba_id", "app_secret", "verify_token"}
    assert settings["token"] == sim.token
    assert MetaSimulator().token != sim.token  # fresh credentials per simulator


async def test_template_component_types_are_read_case_insensitively(graph: Graph) -> None:
    # Clients such as pywa write "BODY"; Meta accepts either case.
    body = {
        "messaging_product": "whatsapp",
        "to": TO,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "BODY",
                    "parameters": [{"type": "text", "text": "Ada"}, {"type": "text", "text": "#1"}],
                }
            ],
        },
    }
    status, answer = await graph.post(body)
    assert status == 200, answer
    lower = copy.deepcopy(body)
    lower["template"]["components"][0]["type"] = "body"
    assert (await graph.post(lower))[0] == 200
    lower["template"]["components"][0]["parameters"].pop()
    assert (await graph.post(lower))[0] == 400  # still checked: one parameter short
