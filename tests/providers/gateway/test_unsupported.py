"""What the gateway cannot express fails before any request, with the shared error types."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from whatsapp_async import (
    Audio,
    BulkItem,
    Buttons,
    Channel,
    Contact,
    ContactName,
    Contacts,
    Conversation,
    Document,
    Group,
    Image,
    InvalidRecipient,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Reaction,
    ReplyButton,
    SendResult,
    Sticker,
    Template,
    Text,
    UnsupportedFeature,
    ValidationError,
    Video,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox

PHONE = "+14155552671"
LATER = datetime.now(timezone.utc) + timedelta(hours=1)

UNSUPPORTED_SENDS: list[tuple[Any, Any, dict[str, Any]]] = [
    (PHONE, Image(link="https://example.com/a.png"), {}),
    (PHONE, Video(link="https://example.com/a.mp4"), {}),
    (PHONE, Audio(id="123"), {}),
    (PHONE, Document(link="https://example.com/a.pdf", filename="a.pdf"), {}),
    (PHONE, Sticker(id="456"), {}),
    (PHONE, Location(14.6, -90.5, name="Office"), {}),
    (PHONE, Contacts([Contact(name=ContactName(formatted_name="Ada"))]), {}),
    (PHONE, Reaction("wamid.X", "👍"), {}),
    (PHONE, Buttons("Confirm?", [ReplyButton("y", "Yes")]), {}),
    (PHONE, ListMessage("Pick", "Options", [ListSection("A", [ListRow("1", "One")])]), {}),
    (Group("120363025246125486@g.us"), Text("hi"), {}),
    (Channel("120363000000000000@newsletter"), Text("hi"), {}),
    (PHONE, Text("hi"), {"reply_to": "wamid.X"}),
    (PHONE, Text("hi"), {"metadata": {"order": 1}}),
    (PHONE, Text("hi"), {"deliver_at": LATER}),
    (PHONE, Text("hi"), {"deliver_until": LATER}),
    (Conversation("123"), Template("order_update", body=["Ada", "#1"]), {}),
    (PHONE, Template("order_update", header=Image(link="https://example.com/h.png")), {}),
]


@pytest.mark.parametrize(("to", "message", "options"), UNSUPPORTED_SENDS)
async def test_unsupported_sends_make_no_request(
    sb: Sandbox, gw: WhatsApp, to: Any, message: Any, options: dict[str, Any]
) -> None:
    with pytest.raises(UnsupportedFeature) as info:
        await gw.send(to, message, **options)
    assert info.value.provider == "gateway"
    assert sb.requests("gateway") == []


@pytest.mark.parametrize(
    ("to", "message", "options", "error"),
    [
        (PHONE, Text("hi"), {"extra": {"requestId": "42"}}, ValidationError),
        (PHONE, Text("hi"), {"extra": {"requestId": 4.2}}, ValidationError),
        (PHONE, Template("order_update"), {"extra": {"requestId": True}}, ValidationError),
        (Conversation("123"), Text("hi"), {"extra": {"requestId": 42}}, ValidationError),
        (PHONE, Text("hi"), {"extra": {"tags": object()}}, ValidationError),
        (Conversation("abc"), Text("hi"), {}, InvalidRecipient),
        (Conversation("12/../34"), Text("hi"), {}, InvalidRecipient),
        ("+502 1234 5678", Text("hi"), {}, InvalidRecipient),
        ("12", Text("hi"), {}, InvalidRecipient),
        (PHONE, Template("order_update", components=["body"]), {}, ValidationError),  # type: ignore[list-item]
    ],
)
async def test_bad_input_makes_no_request(
    sb: Sandbox,
    gw: WhatsApp,
    to: Any,
    message: Any,
    options: dict[str, Any],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await gw.send(to, message, **options)
    assert sb.requests("gateway") == []


@pytest.mark.parametrize("operation", ["mark_read", "get_status"])
async def test_unsupported_operations_make_no_request(
    sb: Sandbox, gw: WhatsApp, operation: str
) -> None:
    with pytest.raises(UnsupportedFeature):
        await getattr(gw, operation)("wamid.X")
    assert sb.requests("gateway") == []


async def test_bad_items_in_a_bulk_fail_in_place_without_requests(
    sb: Sandbox, gw: WhatsApp
) -> None:
    template = Template("order_update", body=["Ada", "#1"])
    bulk = await gw.send_many(
        [
            (PHONE, template),
            (PHONE, Image(link="https://example.com/a.png")),
            BulkItem(to="+442079460958", message=template, metadata={"x": 1}),
            BulkItem(to="+442079460958", message=template, extra={"requestId": "no"}),
            ("+4915123456789", template),
        ]
    )
    assert isinstance(bulk[0], SendResult) and isinstance(bulk[4], SendResult)
    assert isinstance(bulk[1], UnsupportedFeature) and isinstance(bulk[2], UnsupportedFeature)
    assert isinstance(bulk[3], ValidationError)
    [request] = sb.requests("gateway")
    assert [r["phoneNumber"] for r in request.json["recipients"]] == [PHONE, "+4915123456789"]


def test_capabilities_say_what_the_gateway_does() -> None:
    from whatsapp_async_providers.gateway import GatewayProvider

    caps = GatewayProvider.capabilities
    assert caps.messages == {"text", "template"}
    assert caps.recipients == {"phone", "conversation"}
    assert caps.options == frozenset()
    assert caps.operations == {"list_templates", "native_batch"}
    assert GatewayProvider.default_rate_limit is None


async def test_link_preview_hint_is_ignored(sb: Sandbox, gw: WhatsApp) -> None:
    await gw.send(PHONE, Text("see https://example.com", preview_url=True))
    [record] = sb.requests("gateway")
    assert record.json == {"phoneNumber": PHONE, "content": "see https://example.com"}
