"""Pilot: replying to a BSUID-only sender over real HTTP, and one key sending as two numbers.

Pilot takes a business-scoped user id in ``destinationNumber`` (PROVIDER_FACTS §1.2) and names
the sending number with ``x-whatsapp-number-id``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from whatsapp_async import (
    InvalidRecipient,
    MessageReceived,
    Router,
    StatusUpdate,
    Template,
    Text,
    User,
    ValidationError,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import NUMBER_ID, PilotSimulator

from .conftest import PHONE
from .test_end_to_end import Inbox, serve

BSUID = "BR.13491208655302741918"
SECOND = "cmm0sim0number0002"


def _sends(sb: Sandbox) -> list[Any]:
    return [r for r in sb.requests("pilot") if r.path == "/v1/messages/send"]


async def test_replying_to_a_bsuid_only_sender_works_end_to_end(
    sb: Sandbox, sim: PilotSimulator
) -> None:
    wa = sb.client("pilot")
    inbox = Inbox()
    router = Router(mode="all")
    replies: list[Any] = []

    @router.on(MessageReceived)
    async def answer(event: MessageReceived) -> None:
        replies.append(await wa.reply(event, Text("Olá!")))

    router.add(inbox.handle)  # every event, after the answer (fan-out)
    runner, url = await serve(wa.webhook_app(router, path="/hooks/pilot"))
    try:
        sb.set_webhook("pilot", url)
        await sim.emit_inbound(user_id=BSUID, text="Oi")
        await inbox.wait_for(lambda events: any(isinstance(e, StatusUpdate) for e in events))
    finally:
        await runner.cleanup()
    inbound = inbox.events[0]
    assert isinstance(inbound, MessageReceived)
    assert (inbound.sender, inbound.sender_user_id, inbound.business_id) == (
        BSUID,
        BSUID,
        NUMBER_ID,
    )
    [send] = _sends(sb)
    # No reply_to on Pilot: the answer is a plain send to the user id.
    assert send.json == {"destinationNumber": BSUID, "text": "Olá!"}
    [result] = replies
    assert (result.recipient, result.status) == (BSUID, "queued")
    status = next(e for e in inbox.events if isinstance(e, StatusUpdate))
    assert (status.message_id, status.recipient, status.recipient_user_id) == (
        result.id,
        BSUID,
        BSUID,
    )


async def test_a_bsuid_string_goes_to_destination_number(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    await wa.send(BSUID, Template("order_update", body=["Ada", "#1"]))
    await wa.send(User(BSUID), Text("hi"))
    assert [r.json["destinationNumber"] for r in _sends(sb)] == [BSUID, BSUID]


async def test_authentication_templates_to_a_bsuid_are_refused_locally(sb: Sandbox) -> None:
    wa = sb.client("pilot", template_categories={"otp": "AUTHENTICATION"})
    with pytest.raises(InvalidRecipient, match="131062"):
        await wa.send(BSUID, Template("otp", body={"code": "123456"}))
    assert _sends(sb) == []


async def test_one_key_sends_as_two_numbers(sb: Sandbox, sim: PilotSimulator) -> None:
    sim.add_number(SECOND, "+5511900000002")
    wa = sb.client("pilot", whatsapp_number_id=NUMBER_ID, whatsapp_number_ids=SECOND)
    assert wa.senders == (NUMBER_ID, SECOND)
    inbox = Inbox()
    runner, url = await serve(wa.webhook_app(inbox.handle, path="/hooks/pilot"))
    try:
        sb.set_webhook("pilot", url)
        first = await wa.send(PHONE, Text("a"))
        second = await wa.send(PHONE, Text("b"), sender=SECOND)
        await inbox.wait_for(
            lambda events: (
                sum(isinstance(e, StatusUpdate) and e.status == "sent" for e in events) >= 2
            )
        )
    finally:
        await runner.cleanup()
    assert (first.sender, second.sender) == (NUMBER_ID, SECOND)
    headers = [r.headers.get("x-whatsapp-number-id") for r in _sends(sb)]
    assert headers == [NUMBER_ID, SECOND]
    business = {e.message_id: e.business_id for e in inbox.events if isinstance(e, StatusUpdate)}
    assert (business[first.id], business[second.id]) == (NUMBER_ID, SECOND)
    with pytest.raises(ValidationError, match="business numbers"):
        await wa.send(PHONE, Text("c"), sender="cmm0unknown")
    await asyncio.sleep(0)


async def test_without_a_number_id_sender_is_unsupported(sb: Sandbox) -> None:
    from whatsapp_async import UnsupportedFeature

    with pytest.raises(UnsupportedFeature, match="sender"):
        await sb.client("pilot").send(PHONE, Text("hi"), sender=NUMBER_ID)
