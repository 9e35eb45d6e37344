"""Single sends: texts open or reuse a conversation, templates report per-recipient outcomes."""

from __future__ import annotations

import pytest

from whatsapp_async import (
    Conversation,
    NotFoundError,
    RecipientError,
    SendResult,
    Template,
    TemplateButton,
    TemplateError,
    Text,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway.simulator import GatewaySimulator

PHONE = "+14155552671"
OTHER = "+442079460958"


async def test_text_result_carries_gateway_ids(gw: WhatsApp, sim: GatewaySimulator) -> None:
    result = await gw.send(PHONE, Text("Your request was received"), extra={"requestId": 42})
    [accepted] = sim.accepted
    assert isinstance(result, SendResult)
    assert (result.id, result.status, result.provider, result.recipient) == (
        accepted["id"],
        "accepted",
        "gateway",
        PHONE,
    )
    assert result.wa_id is None  # the gateway returns its own message id, not a wamid, here
    message = result.raw["data"]["message"]
    conversation = result.raw["data"]["conversation"]
    assert str(message["message_id"]) == result.id
    assert message["status"] == "sent" and message["created_at"].endswith("Z")
    assert conversation["conversation_id"] == accepted["conversation_id"]
    assert conversation["phone_number"] == PHONE[1:]
    assert conversation["request_id"] == 42


async def test_conversation_is_created_once_and_reused(gw: WhatsApp, sim: GatewaySimulator) -> None:
    first = await gw.send(PHONE, Text("one"))
    second = await gw.send(PHONE, Text("two"))
    other = await gw.send(OTHER, Text("three"))
    first_id = first.raw["data"]["conversation"]["conversation_id"]
    assert second.raw["data"]["conversation"]["conversation_id"] == first_id
    assert other.raw["data"]["conversation"]["conversation_id"] != first_id
    assert first.id != second.id
    assert len(sim.conversations) == 2

    follow_up = await gw.send(Conversation(str(first_id)), Text("four"))
    assert follow_up.recipient == str(first_id)
    assert follow_up.raw["data"]["conversation_id"] == first_id
    assert sim.accepted[-1] == {
        "id": follow_up.id,
        "kind": "text",
        "phone": PHONE,
        "conversation_id": first_id,
        "content": "four",
        "request_id": None,
    }
    assert len({a["id"] for a in sim.accepted}) == 4


async def test_unknown_conversation_is_not_found(sb: Sandbox, gw: WhatsApp) -> None:
    with pytest.raises(NotFoundError) as info:
        await gw.send(Conversation("999999"), Text("anyone?"))
    assert info.value.status == 404 and info.value.provider == "gateway"
    assert info.value.message == "Conversation not found"
    assert len(sb.requests("gateway")) == 1


async def test_template_single_send_returns_the_wamid(gw: WhatsApp, sim: GatewaySimulator) -> None:
    template = Template(
        "service_confirmation",
        language="es",
        header="Confirmación de Servicio",
        body=["Ada", "SR-1", "mañana 10:00"],
        buttons=[TemplateButton(sub_type="url", value="tracking-1")],
    )
    result = await gw.send(OTHER, template)
    [accepted] = sim.accepted
    assert result.id == accepted["id"] and result.id.startswith("wamid.")
    assert result.wa_id == result.id and result.recipient == OTHER
    assert result.raw == {
        "phoneNumber": OTHER,
        "success": True,
        "data": {"messages": [{"id": result.id}]},
    }


async def test_named_body_parameters_keep_their_names(sb: Sandbox, gw: WhatsApp) -> None:
    await gw.send(PHONE, Template("welcome_named", body={"first_name": "Ada", "offer": "10%"}))
    body = sb.requests("gateway")[0].json["components"][0]
    assert body == {
        "type": "body",
        "parameters": [
            {"type": "text", "text": "Ada", "parameter_name": "first_name"},
            {"type": "text", "text": "10%", "parameter_name": "offer"},
        ],
    }


async def test_raw_components_pass_through(sb: Sandbox, gw: WhatsApp) -> None:
    components = [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Ada"}, {"type": "text", "text": "#9"}],
        }
    ]
    result = await gw.send(PHONE, Template("order_update", components=components))
    assert result.id.startswith("wamid.")
    assert sb.requests("gateway")[0].json["components"] == components


async def test_unreachable_recipient_of_a_template_is_a_recipient_error(
    gw: WhatsApp, sim: GatewaySimulator
) -> None:
    sim.unreachable.add(PHONE)
    with pytest.raises(RecipientError) as info:
        await gw.send(PHONE, Template("order_update", body=["Ada", "#1"]))
    error = info.value
    assert error.code == 131026 and error.provider == "gateway"
    assert PHONE in error.message and "not a WhatsApp user" in error.message
    assert error.details["phoneNumber"] == PHONE and error.details["success"] is False
    assert sim.accepted == []


async def test_unreachable_recipient_of_a_text_is_a_recipient_error(
    gw: WhatsApp, sim: GatewaySimulator
) -> None:
    sim.unreachable.add(PHONE)
    with pytest.raises(RecipientError) as info:
        await gw.send(PHONE, Text("hello?"))
    assert (info.value.status, info.value.code) == (400, 131026)
    assert sim.conversations == {}


@pytest.mark.parametrize(
    "template",
    [
        Template("no_such_template", body=["x"]),
        Template("order_update", language="es", body=["Ada", "#1"]),
        Template("order_update", body=["only one"]),
        Template("welcome_named", body={"wrong": "Ada", "offer": "10%"}),
    ],
)
async def test_template_problems_are_template_errors(
    gw: WhatsApp, sim: GatewaySimulator, template: Template
) -> None:
    with pytest.raises(TemplateError) as info:
        await gw.send(PHONE, template)
    assert info.value.code in (132000, 132001)
    assert sim.accepted == []
