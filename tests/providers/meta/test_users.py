"""Users known by a business-scoped id (BSUID), and one client sending as several numbers.

Everything over real HTTP: the Meta simulator on 127.0.0.1, its signed webhooks into the SDK's
receiver, the SDK's reply back to the simulator. Bodies are checked against PROVIDER_FACTS
§6.4: a BSUID goes in the top-level ``recipient`` field, never in ``to``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from whatsapp_async import (
    BadRequestError,
    BulkItem,
    Filter,
    InvalidRecipient,
    MessageReceived,
    Router,
    StatusUpdate,
    Template,
    Text,
    User,
    ValidationError,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.meta.simulator_templates import SimTemplate

from .conftest import TO, load_json, without_correlation
from .test_end_to_end import Inbox, serve

BSUID = "US.13491208655302741918"
SECOND_NUMBER = "106540352242923"
SECOND_DISPLAY = "15550783882"


def _sends(sb: Sandbox) -> list[tuple[str, dict[str, Any]]]:
    return [
        (r.path, r.json)
        for r in sb.requests("meta")
        if r.method == "POST" and r.path.endswith("/messages") and "status" not in r.json
    ]


def _otp_template(sim: MetaSimulator) -> None:
    sim.templates.add(
        SimTemplate(
            id="901",
            name="login_code",
            language="en_US",
            category="AUTHENTICATION",
            components=[{"type": "BODY", "text": "{{1}} is your code"}],
        )
    )


async def test_replying_to_a_bsuid_only_sender_works_end_to_end(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta")
    inbox = Inbox()
    router = Router()
    replies: list[Any] = []

    @router.on(MessageReceived)
    async def answer(event: MessageReceived) -> None:
        await inbox.handle(event)
        replies.append(await wa.reply(event, Text("Yes, in blue")))

    router.add(inbox.handle, StatusUpdate)
    async with serve(wa.webhook_app(router, path="/hook")) as url:
        sb.set_webhook("meta", url)
        wamid = await sim.emit_inbound(user_id=BSUID, username="@sheena", text="Other colors?")
        await inbox.wait_for(lambda events: any(isinstance(e, StatusUpdate) for e in events))
    inbound = inbox.events[0]
    assert isinstance(inbound, MessageReceived)
    assert (inbound.sender, inbound.sender_user_id, inbound.username) == (BSUID, BSUID, "@sheena")
    [(path, body)] = _sends(sb)
    assert path.endswith(f"/{sim.phone_number_id}/messages")
    assert "to" not in body
    assert body["recipient"] == BSUID
    assert body["recipient_type"] == "individual"
    assert body["context"] == {"message_id": wamid}
    [result] = replies
    assert (result.recipient, result.user_id, result.wa_id) == (BSUID, BSUID, None)
    assert result.sender == sim.phone_number_id
    status = next(e for e in inbox.events if isinstance(e, StatusUpdate))
    assert (status.recipient, status.recipient_user_id) == (BSUID, BSUID)
    assert status.message_id == result.id and status.business_id == sim.phone_number_id


async def test_a_bsuid_string_is_recognised_and_the_answer_matches_the_docs(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta")
    result = await wa.send(BSUID, Text("hi"))
    [(_, body)] = _sends(sb)
    assert without_correlation(body) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "recipient": BSUID,
        "type": "text",
        "text": {"body": "hi", "preview_url": False},
    }
    assert result.raw["contacts"] == [{"input": BSUID, "wa_id": "", "user_id": BSUID}]
    # The documented response parses the same way (fixture from Meta's BSUID page).
    documented = load_json("responses/send_bsuid.json")
    assert documented["contacts"][0]["user_id"].startswith("user.")
    # Meta's own examples use ids of another form: User() sends any id as given.
    await wa.send(User(documented["contacts"][0]["user_id"]), Text("hi"))
    assert _sends(sb)[-1][1]["recipient"] == documented["contacts"][0]["user_id"]


async def test_a_user_id_that_is_no_phone_gets_a_hint_about_user_ids(sb: Sandbox) -> None:
    wa = sb.client("meta")
    with pytest.raises(InvalidRecipient, match=r"User\(id\)") as caught:
        await wa.send("user.93737abc", Text("hi"))
    assert "country code" not in str(caught.value)
    assert _sends(sb) == []


async def test_authentication_templates_to_a_bsuid_are_refused_before_any_request(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    _otp_template(sim)
    otp = Template("login_code", body=["123456"])
    wa = sb.client("meta")  # waba_id set: the category comes from the cached listing
    with pytest.raises(InvalidRecipient, match="131062"):
        await wa.send(User(BSUID), otp)
    explicit = sb.client("meta", waba_id=None, template_categories={"login_code": "authentication"})
    with pytest.raises(InvalidRecipient, match="131062"):
        await explicit.send(BSUID, otp)
    assert _sends(sb) == []
    # Other templates go to the BSUID as usual.
    await wa.send(BSUID, Template("hello_world"))
    assert _sends(sb)[-1][1]["recipient"] == BSUID


async def test_an_authentication_template_goes_to_the_phone_when_the_alias_is_known(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    _otp_template(sim)
    wa = sb.client("meta")
    await wa.aliases.link(TO, BSUID)
    result = await wa.send(User(BSUID), Template("login_code", body=["123456"]))
    assert _sends(sb)[-1][1]["to"] == TO
    assert result.recipient == TO


async def test_without_a_category_meta_answers_131062(sb: Sandbox, sim: MetaSimulator) -> None:
    _otp_template(sim)
    wa = sb.client("meta", waba_id=None)  # no listing: the simulator's Meta decides
    with pytest.raises(BadRequestError) as caught:
        await wa.send(BSUID, Template("login_code", body=["123456"]))
    assert caught.value.code == 131062


async def test_learning_from_webhooks_lets_a_caller_send_to_whichever_id_it_has(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    wa = sb.client("meta")
    inbox = Inbox()
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)
        await sim.emit_inbound(from_=TO, user_id=BSUID, text="hi")
        await inbox.wait_for(lambda events: bool(events))
        await asyncio.sleep(0)
    assert await wa.aliases.phone_for(BSUID) == TO
    assert await wa.aliases.user_id_for(TO) == BSUID


# -- several numbers, one token ----------------------------------------------------------------
async def test_one_client_sends_as_two_numbers_and_routes_their_webhooks(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    sim.add_number(SECOND_NUMBER, SECOND_DISPLAY)
    wa = sb.client("meta", phone_number_ids=SECOND_NUMBER)
    first = sim.phone_number_id
    assert wa.senders == (first, SECOND_NUMBER)
    sales, support = Inbox(), Inbox()
    router = Router()

    @router.on(MessageReceived, business=first)
    async def to_sales(event: MessageReceived) -> None:
        await sales.handle(event)
        await wa.reply(event, Text("sales here"))

    @router.on(Filter.message() & Filter.business(SECOND_NUMBER))
    async def to_support(event: MessageReceived) -> None:
        await support.handle(event)
        await wa.reply(event, Text("support here"))

    async with serve(wa.webhook_app(router, path="/hook")) as url:
        sb.set_webhook("meta", url)
        await sim.emit_inbound(from_=TO, text="buy", to=first)
        await sim.emit_inbound(from_="+447911123456", text="help", to=SECOND_NUMBER)
        await sales.wait_for(lambda events: bool(events))
        await support.wait_for(lambda events: bool(events))
        for _ in range(100):
            if len(_sends(sb)) == 2:
                break
            await asyncio.sleep(0.02)
    [sale] = sales.events
    [ticket] = support.events
    assert isinstance(sale, MessageReceived) and isinstance(ticket, MessageReceived)
    assert (sale.business_id, sale.business_phone) == (first, f"+{sim.display_phone_number}")
    assert (ticket.business_id, ticket.business_phone) == (SECOND_NUMBER, f"+{SECOND_DISPLAY}")
    paths = {body["text"]["body"]: path for path, body in _sends(sb)}
    assert paths["sales here"].endswith(f"/{first}/messages")
    assert paths["support here"].endswith(f"/{SECOND_NUMBER}/messages")


async def test_sender_picks_the_number_and_keys_the_limits(sb: Sandbox, sim: MetaSimulator) -> None:
    sim.add_number(SECOND_NUMBER, SECOND_DISPLAY)
    wa = sb.client("meta", phone_number_ids=[SECOND_NUMBER])
    default = await wa.send(TO, Text("a"))
    other = await wa.send(TO, Text("b"), sender=SECOND_NUMBER)
    bulk = await wa.send_many(
        [(TO, Text("c")), BulkItem(to=TO, message=Text("d"), sender=SECOND_NUMBER)]
    )
    assert (default.sender, other.sender) == (sim.phone_number_id, SECOND_NUMBER)
    assert [r.sender for _, r in bulk.results()] == [sim.phone_number_id, SECOND_NUMBER]
    assert [sim.sent_from[r.id] for r in (default, other)] == [sim.phone_number_id, SECOND_NUMBER]
    limiter = wa.rate_limiter
    rate_for = getattr(limiter, "rate_for", None)
    assert rate_for is not None
    keys = set(getattr(limiter, "_keys", {}))
    assert {f"meta:{sim.phone_number_id}", f"meta:{SECOND_NUMBER}"} <= keys


async def test_an_unknown_sender_is_refused_before_any_request(sb: Sandbox) -> None:
    wa = sb.client("meta")
    with pytest.raises(ValidationError, match="business numbers"):
        await wa.send(TO, Text("hi"), sender="999")
    assert _sends(sb) == []


def test_phone_number_ids_must_be_graph_ids() -> None:
    from whatsapp_async import ConfigurationError

    with pytest.raises(ConfigurationError, match="phone_number_ids"):
        WhatsApp("meta", token="t", phone_number_id="1", phone_number_ids="+15550783882")
    wa = WhatsApp("meta", token="t", phone_number_id="1", phone_number_ids="2, 3,2")
    assert wa.senders == ("1", "2", "3")


async def test_the_simulator_posts_management_events_and_the_receiver_learns_them(
    sb: Sandbox, sim: MetaSimulator
) -> None:
    from whatsapp_async import MemorySuppressionList, OptedOut, UserPreferenceUpdate

    wa = sb.client("meta", suppression=MemorySuppressionList())
    inbox = Inbox()
    async with serve(wa.webhook_app(inbox.handle, path="/hook")) as url:
        sb.set_webhook("meta", url)
        status = await sim.emit_value(
            {
                "user_preferences": [
                    {
                        "wa_id": TO.lstrip("+"),
                        "user_id": BSUID,
                        "category": "marketing_messages",
                        "value": "stop",
                        "timestamp": 1750100000,
                    }
                ]
            },
            field="user_preferences",
        )
        assert status == 200
        await inbox.wait_for(lambda events: bool(events))
    [event] = inbox.events
    assert isinstance(event, UserPreferenceUpdate) and event.opted_out
    with pytest.raises(OptedOut):
        await wa.send(BSUID, Template("spring_sale"))
