"""The router: every filter kind, composition, first-match and fan-out, fallback, registration."""

from __future__ import annotations

import re
from typing import Any

import pytest

from whatsapp_async import (
    Event,
    Filter,
    InboundMedia,
    MessageReceived,
    Router,
    StatusUpdate,
    TemplateStatusUpdate,
    UnknownEvent,
)


def message(**fields: Any) -> MessageReceived:
    values: dict[str, Any] = {
        "provider": "meta",
        "message_id": "wamid.1",
        "sender": "+16505551234",
        "type": "text",
        "text": "Hello there",
        "business_id": "106540352242922",
    }
    values.update(fields)
    return MessageReceived(**values)


def status(value: str = "delivered", **fields: Any) -> StatusUpdate:
    return StatusUpdate(
        provider="meta",
        message_id="wamid.2",
        status=value,  # type: ignore[arg-type]
        recipient="+16505551234",
        **fields,
    )


TEMPLATE = TemplateStatusUpdate(provider="meta", name="promo", status="APPROVED")
IMAGE = message(type="image", text=None, media=InboundMedia(id="1", mime_type="image/jpeg"))
BUTTON = message(type="interactive", text="Yes", button_id="confirm")
BSUID = message(sender="US.1349", sender_user_id="US.1349", provider="pilot", business_id=None)


@pytest.mark.parametrize(
    ("check", "matches", "misses"),
    [
        (Filter.type(StatusUpdate), [status()], [message(), TEMPLATE]),
        (Filter.type(TemplateStatusUpdate, UnknownEvent), [TEMPLATE], [message()]),
        (Filter.message(), [message(), IMAGE], [status()]),
        (Filter.message("image"), [IMAGE], [message()]),
        (Filter.text("hello there"), [message()], [message(text="hello"), status()]),
        (Filter.text("Hello there", ignore_case=False), [message()], [message(text="hello there")]),
        (Filter.text(), [message()], [IMAGE]),
        (Filter.regex(r"^hel+o\b"), [message()], [message(text="oh hello"), IMAGE]),
        (Filter.regex(re.compile(r"THERE")), [], [message()]),
        (Filter.button("confirm"), [BUTTON], [message(), status()]),
        (Filter.button(), [BUTTON], [message()]),
        (Filter.media(), [IMAGE], [message()]),
        (Filter.media("audio"), [], [IMAGE]),
        (Filter.sender("+16505551234"), [message(), status()], [BSUID]),
        (Filter.sender("US.1349"), [BSUID, status(recipient_user_id="US.1349")], [message()]),
        (Filter.provider("pilot"), [BSUID], [message(), TEMPLATE]),
        (Filter.status("failed"), [status("failed")], [status(), message()]),
        (Filter.status(), [status(), status("read")], [message()]),
        (Filter.business("106540352242922"), [message()], [BSUID, status()]),
        (Filter.text("hello there") & Filter.provider("meta"), [message()], [BSUID]),
        (Filter.media() | Filter.button(), [IMAGE, BUTTON], [message()]),
        (~Filter.message(), [status(), TEMPLATE], [message()]),
        (Filter.message() & (lambda e: e.sender.startswith("+1")), [message()], [BSUID]),
    ],
)
def test_every_filter_kind(check: Filter, matches: list[Event], misses: list[Event]) -> None:
    assert all(check(event) for event in matches), check
    assert not any(check(event) for event in misses), check


async def test_first_match_runs_only_the_first_handler_in_order() -> None:
    router = Router()
    calls: list[str] = []

    @router.on(MessageReceived, text="hello there")
    async def exact(event: Event) -> None:
        calls.append("exact")

    @router.on(MessageReceived)
    def anything(event: Event) -> None:  # sync handlers work too
        calls.append("any")

    assert await router.dispatch(message()) == 1
    assert await router.dispatch(message(text="other")) == 1
    assert await router.dispatch(status()) == 0
    assert calls == ["exact", "any"]


async def test_fan_out_runs_every_match_and_reports_the_first_error() -> None:
    router = Router(mode="all")
    calls: list[str] = []

    def boom(event: Event) -> None:
        calls.append("boom")
        raise RuntimeError("handler bug")

    router.add(boom, MessageReceived)
    router.add(lambda event: calls.append("second"), Filter.message())
    with pytest.raises(RuntimeError, match="handler bug"):
        await router.dispatch(message())
    assert calls == ["boom", "second"]


async def test_fallback_and_keyword_shorthands() -> None:
    router = Router()
    seen: list[tuple[str, Event]] = []
    router.add(lambda e: seen.append(("failed", e)), status="failed")
    router.add(lambda e: seen.append(("button", e)), button=("confirm", "cancel"))
    router.add(lambda e: seen.append(("sales", e)), MessageReceived, business="106540352242922")

    @router.fallback
    def unrouted(event: Event) -> None:
        seen.append(("fallback", event))

    total = await router.dispatch_all([status("failed"), BUTTON, message(), TEMPLATE])
    assert total == 4
    assert [name for name, _ in seen] == ["failed", "button", "sales", "fallback"]
    assert router.handlers_for(TEMPLATE) == [unrouted]
    await router(status("failed"))  # a router is an event handler itself
    assert len(router) == 3


def test_registration_errors_are_clear() -> None:
    router = Router()
    with pytest.raises(TypeError, match="unknown filter keyword"):
        router.add(print, colour="red")
    with pytest.raises(TypeError, match="callable"):
        router.add("not a handler")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode"):
        Router(mode="some")  # type: ignore[arg-type]
