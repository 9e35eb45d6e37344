"""The customer-service window: opened by the user's messages, closed by time or by a 131047.

Over real HTTP: the Meta simulator refuses free-form sends outside the 24 h window with 131047
(``enforce_windows``), exactly as Meta does, and posts the user's messages to the client's
own webhook receiver. The time rules themselves (24 h, 72 h free entry) are checked on the
pure window functions with explicit clocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from whatsapp_async import (
    ConfigurationError,
    MemoryLedger,
    OutsideWindowError,
    Template,
    Text,
    UnsupportedFeature,
    User,
    WhatsApp,
)
from whatsapp_async.ledger import (
    CSW_SECONDS,
    FEP_SECONDS,
    WindowRecord,
    apply_business_send,
    apply_inbound,
    apply_refusal,
    window_from_record,
    window_key,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.meta.simulator import MetaSimulator
from whatsapp_async_providers.pilot.simulator import PilotSimulator

USER = "+16505551234"
BSUID = "US.13491208655302741918"
REENGAGE = Template("order_update", body=["Ada", "#1234"])


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["meta", "pilot", "gateway"]) as sandbox:
        sandbox.simulator("meta", MetaSimulator).enforce_windows = True
        yield sandbox


def meta_sends(sb: Sandbox) -> list[dict[str, object]]:
    return [r.json for r in sb.requests("meta") if r.path.endswith("/messages")]


async def until(predicate: object, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    ends = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < ends, "condition not reached in time"
        await asyncio.sleep(0.01)


async def user_writes(sb: Sandbox, wa: WhatsApp, **fields: object) -> None:
    """The user sends a message; wait until the client's ledger has seen it."""
    sim = sb.simulator("meta", MetaSimulator)
    delivered = len(sim.webhook_deliveries)
    await sim.emit_inbound(from_=USER, **fields)  # type: ignore[arg-type]
    await until(lambda: len(sim.webhook_deliveries) > delivered)
    assert sim.webhook_deliveries[-1][0] == 200


async def test_a_users_message_opens_the_window_for_24_hours(sb: Sandbox) -> None:
    wa = sb.client("meta")
    await sb.serve_webhooks(wa)
    assert (await wa.window(USER)).state == "unknown"

    await user_writes(sb, wa, text="hi")

    window = await wa.window(USER)
    assert window.state == "open" and window.is_open
    assert window.last_inbound is not None and window.until is not None
    assert (window.until - window.last_inbound).total_seconds() == CSW_SECONDS
    assert window.free_until is None
    await wa.send(USER, Text("Hello! How can we help?"))  # free-form inside: accepted


async def test_one_window_whichever_identity_the_send_names(sb: Sandbox) -> None:
    # Meta's messages carry the phone and the business-scoped user id: the conversation is
    # one, so a send to the User and one to the phone must see the same open window.
    wa = sb.client("meta", window="enforce")
    await sb.serve_webhooks(wa)
    await user_writes(sb, wa, text="hi", user_id=BSUID)

    by_phone, by_user = await wa.window(USER), await wa.window(User(BSUID))
    assert by_phone.state == by_user.state == "open"
    assert by_phone.until == by_user.until
    result = await wa.send(User(BSUID), Text("Hello! How can we help?"))  # not refused locally
    assert result.provider == "meta"


async def test_a_131047_answer_closes_the_window_and_raises(sb: Sandbox) -> None:
    wa = sb.client("meta")  # window="track", the default: the provider decides
    with pytest.raises(OutsideWindowError) as info:
        await wa.send(USER, Text("Are you still there?"))
    assert info.value.code == 131047 and info.value.status == 400
    assert info.value.window is None  # the provider's refusal, not a local one
    assert info.value.in_doubt is False
    window = await wa.window(USER)
    assert window.state == "closed" and window.until is None
    # In track mode the next free-form send still asks the provider (and is refused again).
    with pytest.raises(OutsideWindowError):
        await wa.send(USER, Text("Hello?"))
    assert len(meta_sends(sb)) == 2


async def test_enforce_refuses_locally_once_the_window_is_known_closed(sb: Sandbox) -> None:
    wa = sb.client("meta", window="enforce")
    with pytest.raises(OutsideWindowError):  # unknown: the provider is asked, and refuses
        await wa.send(USER, Text("first"))
    assert len(meta_sends(sb)) == 1

    with pytest.raises(OutsideWindowError) as info:
        await wa.send(USER, Text("second"))
    assert len(meta_sends(sb)) == 1  # no request at the simulator
    assert info.value.status == 0 and info.value.code is None
    assert info.value.window is not None and info.value.window.state == "closed"
    assert "window" in str(info.value) and USER in str(info.value)

    # Templates are never held back by the window.
    result = await wa.send(USER, REENGAGE)
    assert result.window_fallback is False
    assert meta_sends(sb)[-1]["type"] == "template"


async def test_enforce_sends_the_outside_window_template_instead(sb: Sandbox) -> None:
    wa = sb.client("meta", window="enforce")
    with pytest.raises(OutsideWindowError):
        await wa.send(USER, Text("close it"))
    before = len(meta_sends(sb))

    result = await wa.send(USER, Text("Your order shipped"), outside_window=REENGAGE)

    sent = meta_sends(sb)[before:]
    assert [body["type"] for body in sent] == ["template"]  # the text never went out
    assert result.window_fallback is True
    assert result.id.startswith("wamid.")


async def test_track_sends_the_template_after_the_providers_refusal(sb: Sandbox) -> None:
    wa = sb.client("meta")
    result = await wa.send(USER, Text("Your order shipped"), outside_window=REENGAGE)
    assert [body["type"] for body in meta_sends(sb)] == ["text", "template"]
    assert result.window_fallback is True
    assert (await wa.window(USER)).state == "closed"


async def test_an_inbound_message_reopens_a_closed_window(sb: Sandbox) -> None:
    wa = sb.client("meta", window="enforce")
    await sb.serve_webhooks(wa)
    with pytest.raises(OutsideWindowError):
        await wa.send(USER, Text("closed"))
    assert (await wa.window(USER)).state == "closed"

    await user_writes(sb, wa, text="I'm back")

    assert (await wa.window(USER)).state == "open"
    result = await wa.send(USER, Text("Welcome back"))
    assert result.window_fallback is False
    assert meta_sends(sb)[-1]["type"] == "text"


async def test_bulk_items_follow_the_window_each(sb: Sandbox) -> None:
    wa = sb.client("meta", window="enforce")
    await sb.serve_webhooks(wa)
    other = "+16505550000"
    with pytest.raises(OutsideWindowError):
        await wa.send(other, Text("closed"))
    await user_writes(sb, wa, text="open mine")
    from whatsapp_async import BulkItem

    bulk = await wa.send_many(
        [
            BulkItem(to=USER, message=Text("a")),
            BulkItem(to=other, message=Text("b"), outside_window=REENGAGE),
            BulkItem(to=other, message=Text("c")),
        ]
    )
    first, second, third = bulk
    assert not isinstance(first, Exception) and first.window_fallback is False
    assert not isinstance(second, Exception) and second.window_fallback is True
    assert isinstance(third, OutsideWindowError) and third.status == 0


async def test_a_free_entry_point_gives_72_hours_from_the_reply(sb: Sandbox) -> None:
    wa = sb.client("meta")
    await sb.serve_webhooks(wa)
    referral = {"source_type": "ad", "source_id": "120226305854810726", "ctwa_clid": "Afc"}
    await user_writes(
        sb, wa, message={"type": "text", "text": {"body": "Saw your ad"}, "referral": referral}
    )
    assert (await wa.window(USER)).free_until is None  # not until the business replies

    await wa.send(USER, Text("Thanks for reaching out!"))

    window = await wa.window(USER)
    assert window.state == "open"
    assert window.free_until is not None and window.until is not None
    assert window.free_until > window.until  # 72 h from the reply outlasts the 24 h window


async def test_pilot_outside_window_failure_closes_the_window() -> None:
    async with Sandbox(["pilot"]) as sb:
        wa = sb.client("pilot")
        await sb.serve_webhooks(wa)
        result = await wa.send(USER, Text("hi"))
        await sb.simulator("pilot", PilotSimulator).transition(
            result.id,
            "FAILED",
            error_code="META_OUTSIDE_24H_WINDOW",
            error="Outside the 24h window",
        )
        await until_window_state(wa, "closed")


async def until_window_state(wa: WhatsApp, state: str) -> None:
    loop = asyncio.get_running_loop()
    ends = loop.time() + 3
    while (await wa.window(USER)).state != state:
        assert loop.time() < ends
        await asyncio.sleep(0.01)


async def test_providers_without_a_window_say_so(sb: Sandbox) -> None:
    gateway = sb.client("gateway")
    with pytest.raises(UnsupportedFeature) as info:
        await gateway.window(USER)
    assert info.value.feature == "window"
    with pytest.raises(ConfigurationError, match="no customer-service window"):
        sb.client("gateway", window="enforce")
    with pytest.raises(ConfigurationError, match="needs a ledger"):
        sb.client("meta", window="enforce", ledger=None)
    with pytest.raises(ConfigurationError, match="window must be"):
        sb.client("meta", window="strict")


async def test_windows_are_kept_per_sender_number(sb: Sandbox) -> None:
    ledger = MemoryLedger()
    wa = sb.client("meta", ledger=ledger)
    await sb.serve_webhooks(wa)
    await user_writes(sb, wa, text="hi")
    assert (await wa.window(USER)).state == "open"
    assert (await wa.window(USER, sender="999999999999999")).state == "unknown"


# -- the rules, on explicit clocks -----------------------------------------------------------
T0 = 1_800_000_000.0


def test_the_window_closes_24_hours_after_the_last_message() -> None:
    record = apply_inbound(WindowRecord(), at=T0, entry_point=False)
    assert window_from_record(record, now=T0 + CSW_SECONDS - 1).state == "open"
    assert window_from_record(record, now=T0 + CSW_SECONDS).state == "closed"
    later = apply_inbound(record, at=T0 + 3600, entry_point=False)  # restarts it
    assert window_from_record(later, now=T0 + CSW_SECONDS + 1).state == "open"


def test_fields_only_move_forward_so_writers_never_undo_each_other() -> None:
    record = apply_inbound(WindowRecord(), at=T0 + 100, entry_point=False)
    assert apply_inbound(record, at=T0, entry_point=False) is record  # an old redelivery
    closed = apply_refusal(record, at=T0 + 200)
    assert apply_refusal(closed, at=T0 + 150) is closed
    assert window_from_record(closed, now=T0 + 300).state == "closed"
    reopened = apply_inbound(closed, at=T0 + 250, entry_point=False)
    assert window_from_record(reopened, now=T0 + 300).state == "open"


def test_free_entry_window_starts_at_the_first_reply_within_24_hours() -> None:
    entry = apply_inbound(WindowRecord(), at=T0, entry_point=True)
    too_late = apply_business_send(entry, at=T0 + CSW_SECONDS + 1)
    assert too_late is entry  # replied after 24 h: no free window
    replied = apply_business_send(entry, at=T0 + 600)
    assert replied.entry_reply_at == T0 + 600
    assert apply_business_send(replied, at=T0 + 900) is replied  # only the first reply counts
    assert apply_business_send(WindowRecord(), at=T0) == WindowRecord()  # no entry point
    w = window_from_record(replied, now=T0 + 700)
    assert w.free_until is not None
    assert w.free_until.timestamp() == T0 + 600 + FEP_SECONDS
    # The 24 h window still decides what may be sent, even inside the free 72 h.
    assert window_from_record(replied, now=T0 + 2 * CSW_SECONDS).state == "closed"
    assert window_from_record(replied, now=T0 + 2 * CSW_SECONDS).free_until is not None
    assert window_from_record(replied, now=T0 + 600 + FEP_SECONDS).free_until is None


async def test_memory_ledger_windows_answer_on_its_clock() -> None:
    now = [T0]
    ledger = MemoryLedger(clock=lambda: now[0])
    key = window_key("meta", "1065", USER)
    await ledger.update_window(key, lambda r: apply_inbound(r, at=T0, entry_point=False))
    assert (await ledger.window(key, now=T0 + 10)).state == "open"
    assert (await ledger.window(key, now=T0 + CSW_SECONDS + 1)).state == "closed"
    now[0] = T0 + 4 * 24 * 3600 + 1  # 96 h after the last change: forgotten
    assert (await ledger.window(key, now=now[0])).state == "unknown"
