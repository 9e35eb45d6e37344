"""list_templates: the gateway's listing parsed into TemplateInfo."""

from __future__ import annotations

import json

from whatsapp_async import HttpResponse, TemplateInfo, WhatsApp
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway import GatewayProvider, GatewaySettings
from whatsapp_async_providers.gateway.simulator import GatewaySimulator


async def test_list_templates_parses_every_template(
    sb: Sandbox, gw: WhatsApp, sim: GatewaySimulator
) -> None:
    templates = await gw.list_templates()
    assert len(sb.requests("gateway")) == 1  # no paging: one request
    assert all(isinstance(t, TemplateInfo) for t in templates)
    assert [(t.name, t.language) for t in templates] == [
        (t["name"], t["language"]) for t in sim.templates
    ]
    confirmation = next(t for t in templates if t.name == "service_confirmation")
    assert (confirmation.status, confirmation.category) == ("APPROVED", "UTILITY")
    header, body, buttons = confirmation.components
    assert (header.type, header.format, header.text) == ("HEADER", "TEXT", "{{1}}")
    assert body.type == "BODY" and body.text is not None and "{{3}}" in body.text
    assert buttons.type == "BUTTONS" and buttons.buttons[0]["type"] == "URL"
    assert confirmation.raw == sim.templates[1]


async def test_list_templates_shows_only_approved(gw: WhatsApp, sim: GatewaySimulator) -> None:
    sim.templates.append(
        {
            "name": "spring_sale",
            "status": "PENDING",
            "category": "MARKETING",
            "language": "en_US",
            "components": [{"type": "BODY", "text": "Sale!"}],
        }
    )
    names = [t.name for t in await gw.list_templates()]
    assert "spring_sale" not in names and "order_update" in names


def test_unusable_entries_are_skipped_and_ids_kept() -> None:
    provider = GatewayProvider(
        GatewaySettings(token="tok-offline-1234", base_url="https://gw.test")
    )
    body = {
        "success": True,
        "data": [
            {"name": "a", "language": "en", "id": 17, "components": [{"type": "BODY"}]},
            {"language": "en"},
            "junk",
            {"name": "b", "language": "es", "components": "nope"},
        ],
    }
    templates, cursor = provider.parse_templates(
        HttpResponse(status=200, body=json.dumps(body).encode())
    )
    assert cursor is None
    [only] = templates
    assert (only.name, only.id, only.status, only.components[0].text) == ("a", "17", None, None)
