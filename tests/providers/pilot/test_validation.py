"""Everything Pilot forbids is rejected locally, before any request (zero requests recorded)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from whatsapp_async import (
    Audio,
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
    Location,
    Message,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    Text,
    UnsupportedFeature,
    ValidationError,
    Video,
)
from whatsapp_async.testing import Sandbox

from .conftest import PHONE

LINK = "https://cdn.example.com/file.bin"
NOW = datetime(2031, 1, 1, tzinfo=timezone.utc)
THREE = [ReplyButton(str(i), f"Option {i}") for i in range(3)]


@pytest.mark.parametrize(
    ("message", "options", "error", "field"),
    [
        # Mixed modes, through extra.
        (Text("hi"), {"extra": {"templateId": "order_update"}}, ValidationError, "text"),
        (Template("promo_blast"), {"extra": {"text": "hi"}}, ValidationError, "text"),
        (Text("hi"), {"extra": {"media": LINK, "mediaType": "image"}}, ValidationError, "media"),
        (Image(link=LINK), {"extra": {"variables": {"1": "x"}}}, ValidationError, "variables"),
        (Text("hi"), {"extra": {"mediaType": "image"}}, ValidationError, "mediaType"),
        (Image(link=LINK), {"extra": {"mediaType": "gif"}}, ValidationError, "mediaType"),
        (Text("hi"), {"extra": {"text": None}}, ValidationError, "text"),
        (Text("hi"), {"extra": {"groupId": "1@g.us"}}, ValidationError, "destination"),
        # Header and footer need buttons.
        (
            Text("hi"),
            {"extra": {"header": {"type": "text", "content": "H"}}},
            ValidationError,
            "header",
        ),
        (Text("hi"), {"extra": {"footer": "Acme"}}, ValidationError, "footer"),
        # Captions.
        (Audio(link=LINK, caption="listen"), {}, ValidationError, "caption"),
        (Sticker(link=LINK, caption="lol"), {}, ValidationError, "caption"),
        (Text("hi"), {"extra": {"caption": "x"}}, ValidationError, "caption"),
        (Audio(link=LINK), {"extra": {"caption": "x"}}, ValidationError, "caption"),
        # Buttons.
        (Buttons("Pick", [*THREE, ReplyButton("3", "Four")]), {}, ValidationError, "buttons"),
        (Buttons("Pick", THREE, header="x" * 61), {}, ValidationError, "header"),
        (Buttons("Pick", THREE, footer="y" * 61), {}, ValidationError, "footer"),
        (Buttons("Pick", [ReplyButton(" ", "Yes")]), {}, ValidationError, "buttons"),
        (
            Image(link=LINK),
            {"extra": {"buttons": [{"type": "reply", "id": "a"}]}},
            ValidationError,
            "media",
        ),
        (
            Text("hi"),
            {"extra": {"buttons": [{"type": "url", "displayText": "Go"}]}},
            ValidationError,
            "buttons",
        ),
        (
            Text("hi"),
            {"extra": {"buttons": [{"type": "poll", "displayText": "Go"}]}},
            ValidationError,
            "buttons",
        ),
        (Text("hi"), {"extra": {"buttons": []}}, ValidationError, "buttons"),
        # Template variables.
        (Template("order_update", body=["Ada", "  "]), {}, ValidationError, "variables.2"),
        # Other documented fields.
        (Text("hi"), {"extra": {"labels": "vip"}}, ValidationError, "labels"),
        (
            Template("promo_blast"),
            {"extra": {"marketingOptions": {"aiRewriteEnabled": "yes"}}},
            ValidationError,
            "marketingOptions.aiRewriteEnabled",
        ),
        (Text("hi"), {"extra": {"marketingOptions": True}}, ValidationError, "marketingOptions"),
        (Text("hi"), {"extra": {"when": object()}}, ValidationError, "extra"),
        # Scheduling.
        (Text("hi"), {"deliver_at": NOW, "deliver_until": NOW}, ValidationError, "deliver_until"),
        (Text("hi"), {"deliver_at": datetime(2031, 1, 1)}, ValidationError, "deliver_at"),
        # 10:00 at UTC-3 is 13:00 UTC: a 12:00 UTC deadline comes before the schedule.
        (
            Text("hi"),
            {
                "deliver_at": datetime(2031, 1, 1, 10, tzinfo=timezone(timedelta(hours=-3))),
                "deliver_until": datetime(2031, 1, 1, 12, tzinfo=timezone.utc),
            },
            ValidationError,
            "deliver_until",
        ),
        # Idempotency keys.
        (Text("hi"), {"idempotency_key": "k" * 256}, ValidationError, "idempotency_key"),
        (Text("hi"), {"idempotency_key": "bad\nkey"}, ValidationError, "idempotency_key"),
        (Text("hi"), {"idempotency_key": "clé"}, ValidationError, "idempotency_key"),
        # What Pilot cannot express.
        (Image(id="1013859600285441"), {}, UnsupportedFeature, "media_id"),
        (Document(link=LINK, filename="a.pdf"), {}, UnsupportedFeature, "document.filename"),
        (Buttons("Pick", THREE, header=Video(id="77")), {}, UnsupportedFeature, "media_id"),
        (
            Template("x", components=[{"type": "body"}]),
            {},
            UnsupportedFeature,
            "template.components",
        ),
        (
            Template("x", buttons=[TemplateButton(sub_type="url", value="a")]),
            {},
            UnsupportedFeature,
            "template.url_button",  # the core's gate, from Capabilities.template_features
        ),
        (Template("x", header="Hello"), {}, UnsupportedFeature, "template.text_header"),
        (Location(1.0, 2.0), {}, UnsupportedFeature, "location"),
        (
            Contacts([Contact(name=ContactName(formatted_name="Ada"))]),
            {},
            UnsupportedFeature,
            "contacts",
        ),
        (Text("hi"), {"reply_to": "wamid.X"}, UnsupportedFeature, "reply_to"),
        (Text("hi"), {"metadata": {"a": 1}}, UnsupportedFeature, "metadata"),
    ],
)
async def test_rejected_before_any_request(
    sb: Sandbox, message: Message, options: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as info:
        await sb.client("pilot").send(PHONE, message, **options)
    assert type(info.value) is error
    assert info.value.field == field  # type: ignore[attr-defined]
    assert sb.requests("pilot") == []


@pytest.mark.parametrize(
    ("to", "error"),
    [
        (Group("120363025246125486"), InvalidRecipient),
        (Group("120363000000000000@newsletter"), InvalidRecipient),
        (Channel("120363000000000000@g.us"), InvalidRecipient),
        (Conversation("42"), UnsupportedFeature),
        ("+55 11 1234", InvalidRecipient),
    ],
)
async def test_bad_destinations_are_rejected_before_any_request(
    sb: Sandbox, to: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await sb.client("pilot").send(to, Text("hi"))
    assert sb.requests("pilot") == []


async def test_limits_are_inclusive(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    await wa.send(PHONE, Buttons("Pick", THREE, header="x" * 60, footer="y" * 60))
    await wa.send(PHONE, Text("hi"), idempotency_key="k" * 255)
    assert [r.status for r in sb.requests("pilot")] == [202, 202]


async def test_bad_get_status_and_cancel_arguments(sb: Sandbox) -> None:
    wa = sb.client("pilot")
    with pytest.raises(ValidationError):
        await wa.get_status("")
    with pytest.raises(ValidationError):
        await wa.call("cancel", [])
    with pytest.raises(ValidationError):
        await wa.call("cancel", ["msg_1", ""])
    assert sb.requests("pilot") == []
