"""Bad input raises the typed error before any request: the simulator records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from whatsapp_async import (
    Audio,
    Buttons,
    Channel,
    Contact,
    ContactName,
    ContactPhone,
    Contacts,
    Conversation,
    Document,
    Image,
    InvalidRecipient,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Reaction,
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

from .conftest import TO

WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUYxMjM0NTY3ODkwAA=="


def _buttons(n: int) -> list[ReplyButton]:
    return [ReplyButton(f"id{i}", f"Title {i}") for i in range(n)]


def _rows(n: int, prefix: str = "r") -> list[ListRow]:
    return [ListRow(f"{prefix}{i}", f"Row {i}") for i in range(n)]


def _contact(name: str = "Ada") -> Contact:
    return Contact(name=ContactName(formatted_name=name))


# (test id, message, send options, expected field, text the message must contain)
OVER_LIMITS: list[tuple[str, Any, dict[str, Any], str, str]] = [
    ("text-4097", Text("x" * 4097), {}, "text.body", "4096"),
    ("image-caption-1025", Image(id="1", caption="c" * 1025), {}, "image.caption", "1024"),
    ("video-caption-1025", Video(id="1", caption="c" * 1025), {}, "video.caption", "1024"),
    ("document-caption-1025", Document(id="1", caption="c" * 1025), {}, "document.caption", "1024"),
    (
        "audio-caption",
        Audio(id="1", caption="a song"),
        {},
        "audio.caption",
        "image, video and document",
    ),
    (
        "sticker-caption",
        Sticker(id="1", caption="lol"),
        {},
        "sticker.caption",
        "image, video and document",
    ),
    ("buttons-4", Buttons("Pick", _buttons(4)), {}, "buttons", "1 to 3"),
    (
        "button-title-21",
        Buttons("Pick", [ReplyButton("a", "t" * 21)]),
        {},
        "buttons[0].title",
        "20",
    ),
    (
        "button-title-empty",
        Buttons("Pick", [ReplyButton("a", " ")]),
        {},
        "buttons[0].title",
        "empty",
    ),
    ("button-id-257", Buttons("Pick", [ReplyButton("i" * 257, "A")]), {}, "buttons[0].id", "256"),
    (
        "button-id-spaces",
        Buttons("Pick", [ReplyButton(" a", "A")]),
        {},
        "buttons[0].id",
        "whitespace",
    ),
    (
        "button-titles-repeat",
        Buttons("Pick", [ReplyButton("a", "Same"), ReplyButton("b", "Same")]),
        {},
        "buttons",
        "unique",
    ),
    (
        "button-ids-repeat",
        Buttons("Pick", [ReplyButton("a", "One"), ReplyButton("a", "Two")]),
        {},
        "buttons",
        "unique",
    ),
    ("buttons-body-1025", Buttons("b" * 1025, _buttons(1)), {}, "buttons.body", "1024"),
    (
        "buttons-footer-61",
        Buttons("Pick", _buttons(1), footer="f" * 61),
        {},
        "buttons.footer",
        "60",
    ),
    (
        "buttons-header-61",
        Buttons("Pick", _buttons(1), header="h" * 61),
        {},
        "buttons.header",
        "60",
    ),
    (
        "buttons-media-header-caption",
        Buttons("Pick", _buttons(1), header=Image(id="1", caption="no")),
        {},
        "buttons.header.caption",
        "caption",
    ),
    (
        "list-body-4097",
        ListMessage("b" * 4097, "Go", [ListSection("S", _rows(1))]),
        {},
        "list.body",
        "4096",
    ),
    (
        "list-button-21",
        ListMessage("b", "g" * 21, [ListSection("S", _rows(1))]),
        {},
        "list.button",
        "20",
    ),
    (
        "list-11-rows",
        ListMessage("b", "Go", [ListSection("A", _rows(6, "a")), ListSection("B", _rows(5, "b"))]),
        {},
        "sections",
        "10 rows in total",
    ),
    (
        "list-11-sections",
        ListMessage("b", "Go", [ListSection(f"S{i}", [ListRow(f"r{i}", "R")]) for i in range(11)]),
        {},
        "sections",
        "10",
    ),
    (
        "list-section-title-25",
        ListMessage("b", "Go", [ListSection("s" * 25, _rows(1))]),
        {},
        "sections[0].title",
        "24",
    ),
    (
        "list-untitled-section-among-several",
        ListMessage("b", "Go", [ListSection("", _rows(1, "a")), ListSection("B", _rows(1, "b"))]),
        {},
        "sections[0].title",
        "empty",
    ),
    (
        "list-row-title-25",
        ListMessage("b", "Go", [ListSection("S", [ListRow("r", "t" * 25)])]),
        {},
        "sections[0].rows[0].title",
        "24",
    ),
    (
        "list-row-description-73",
        ListMessage("b", "Go", [ListSection("S", [ListRow("r", "T", "d" * 73)])]),
        {},
        "sections[0].rows[0].description",
        "72",
    ),
    (
        "list-row-id-201",
        ListMessage("b", "Go", [ListSection("S", [ListRow("i" * 201, "T")])]),
        {},
        "sections[0].rows[0].id",
        "200",
    ),
    (
        "list-row-ids-repeat",
        ListMessage(
            "b",
            "Go",
            [ListSection("A", [ListRow("x", "1")]), ListSection("B", [ListRow("x", "2")])],
        ),
        {},
        "sections",
        "unique",
    ),
    (
        "list-header-61",
        ListMessage("b", "Go", [ListSection("S", _rows(1))], header="h" * 61),
        {},
        "list.header",
        "60",
    ),
    (
        "list-footer-61",
        ListMessage("b", "Go", [ListSection("S", _rows(1))], footer="f" * 61),
        {},
        "list.footer",
        "60",
    ),
    (
        "template-named-uppercase",
        Template("delivery_named", body={"First_name": "Ada"}),
        {},
        "template.body['First_name']",
        "lowercase a-z",
    ),
    (
        "template-named-digit",
        Template("delivery_named", body={"name1": "Ada"}),
        {},
        "template.body['name1']",
        "lowercase a-z",
    ),
    (
        "template-named-21",
        Template("delivery_named", body={"n" * 21: "Ada"}),
        {},
        "template.body['" + "n" * 21 + "']",
        "20 characters",
    ),
    (
        "template-header-61",
        Template("appointment_reminder", header="h" * 61, body=["a", "b"]),
        {},
        "template.header",
        "60",
    ),
    (
        "template-body-1025-with-header",
        Template("appointment_reminder", header="Dr", body=["a" * 1025, "b"]),
        {},
        "template.body[0]",
        "1024",
    ),
    (
        "template-body-1025-with-button",
        Template(
            "order_update",
            body=["a" * 1025, "b"],
            buttons=[TemplateButton(sub_type="url", value="1")],
        ),
        {},
        "template.body[0]",
        "1024",
    ),
    (
        "template-body-blank-after-a-good-one",
        Template("order_update", body=["Ada", "   "]),
        {},
        "template.body[1]",
        "must not be empty",
    ),
    (
        "template-body-only-32769",
        Template("order_update", body=["a" * 32769, "b"]),
        {},
        "template.body[0]",
        "32768",
    ),
    (
        "template-empty-parameter",
        Template("order_update", body=["Ada", " "]),
        {},
        "template.body[1]",
        "empty",
    ),
    (
        "template-button-index-10",
        Template("order_update", buttons=[TemplateButton(sub_type="url", value="1", index=10)]),
        {},
        "template.buttons[0].index",
        "0 to 9",
    ),
    (
        "template-button-indexes-repeat",
        Template(
            "appointment_reminder",
            buttons=[
                TemplateButton(sub_type="quick_reply", value="A", index=1),
                TemplateButton(sub_type="quick_reply", value="B", index=1),
            ],
        ),
        {},
        "template.buttons",
        "unique",
    ),
    (
        "template-button-empty-value",
        Template("order_update", buttons=[TemplateButton(sub_type="url", value="")]),
        {},
        "template.buttons[0].value",
        "empty",
    ),
    (
        "template-named-with-text-header",
        Template("delivery_named", header="Hi", body={"first_name": "Ada"}),
        {},
        "template.header",
        "components=",
    ),
    (
        "template-media-header-caption",
        Template("spring_sale", header=Image(id="1", caption="no"), body=["20%"]),
        {},
        "template.header.caption",
        "caption",
    ),
    (
        "template-raw-components-not-json",
        Template("order_update", components=[{"type": "body", "parameters": [object()]}]),
        {},
        "template.components",
        "JSON",
    ),
    ("reaction-text", Reaction(WAMID, "ok"), {}, "reaction.emoji", "single emoji"),
    ("reaction-two-emoji", Reaction(WAMID, "👍👍"), {}, "reaction.emoji", "single emoji"),
    ("reaction-emoji-and-text", Reaction(WAMID, "👍 yes"), {}, "reaction.emoji", "single emoji"),
    (
        "contacts-no-formatted-name",
        Contacts([_contact("  ")]),
        {},
        "contacts[0].name.formatted_name",
        "empty",
    ),
    (
        "contacts-empty-phone",
        Contacts([Contact(name=ContactName(formatted_name="Ada"), phones=(ContactPhone(""),))]),
        {},
        "contacts[0].phones[0].phone",
        "empty",
    ),
    ("contacts-6", Contacts([_contact() for _ in range(6)]), {}, "contacts", "5"),
    ("metadata-513", Text("hi"), {"metadata": {"k": "v" * 510}}, "metadata", "512"),
    ("metadata-not-json", Text("hi"), {"metadata": {"when": object()}}, "metadata", "JSON"),
    ("extra-not-json", Text("hi"), {"extra": {"x": object()}}, "extra", "JSON"),
]


@pytest.mark.parametrize(
    ("message", "options", "field", "mentions"),
    [c[1:] for c in OVER_LIMITS],
    ids=[c[0] for c in OVER_LIMITS],
)
async def test_over_limit_input_raises_before_any_request(
    sb: Sandbox, message: Any, options: dict[str, Any], field: str, mentions: str
) -> None:
    wa = sb.client("meta")
    with pytest.raises(ValidationError) as caught:
        await wa.send(TO, message, **options)
    assert caught.value.field == field
    assert field.split("[")[0].split(".")[0] in str(caught.value)
    assert mentions in str(caught.value)
    assert caught.value.provider == "meta"
    assert sb.requests("meta") == []


LIMITS_OK: list[tuple[str, Any]] = [
    ("text-4096", Text("x" * 4096)),
    # A media id the simulated account holds (one of Meta's documented example ids).
    ("caption-1024", Image(id="1003383421387256", caption="c" * 1024)),
    (
        "buttons-3-titles-20",
        Buttons("b" * 1024, [ReplyButton(f"{i}", f"{i}" * 20) for i in range(3)]),
    ),
    (
        "list-10-rows-4096-body",
        ListMessage(
            "b" * 4096, "g" * 20, [ListSection("A", _rows(5, "a")), ListSection("B", _rows(5, "b"))]
        ),
    ),
    ("reaction-zwj-family", Reaction(WAMID, "👨‍👩‍👧")),
    ("reaction-skin-tone", Reaction(WAMID, "👍🏽")),
    ("reaction-flag", Reaction(WAMID, "🇧🇷")),
    ("reaction-keycap", Reaction(WAMID, "1️⃣")),
    ("reaction-heart-vs16", Reaction(WAMID, "❤️")),
    (
        "template-body-only-1025",
        Template("delivery_named", body={"first_name": "a" * 1025, "order_id": "#1"}),
    ),
]


@pytest.mark.parametrize("message", [c[1] for c in LIMITS_OK], ids=[c[0] for c in LIMITS_OK])
async def test_input_at_the_limits_is_sent(sb: Sandbox, message: Any) -> None:
    result = await sb.client("meta").send(TO, message)
    assert result.id.startswith("wamid.")


MODEL_ERRORS: list[tuple[str, Callable[[], Any], str]] = [
    ("empty-text", lambda: Text(""), "text.body"),
    ("blank-text", lambda: Text("   "), "text.body"),
    ("media-both", lambda: Image(id="1", link="https://x.example/a.png"), "image.link"),
    ("media-neither", lambda: Video(), "video.link"),
    ("media-ftp-link", lambda: Document(link="ftp://x.example/a.pdf"), "document.link"),
    ("media-placeholder-link", lambda: Audio(link="http(s)://audio-url"), "audio.link"),
    ("latitude-91", lambda: Location(91, 0), "latitude"),
    ("longitude-181", lambda: Location(0, -181), "longitude"),
    ("no-contacts", lambda: Contacts([]), "contacts"),
    ("no-buttons", lambda: Buttons("Pick", []), "buttons"),
]


@pytest.mark.parametrize(
    ("make", "field"), [c[1:] for c in MODEL_ERRORS], ids=[c[0] for c in MODEL_ERRORS]
)
async def test_invalid_messages_fail_at_construction(
    sb: Sandbox, make: Callable[[], Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert caught.value.field == field
    assert sb.requests("meta") == []


@pytest.mark.parametrize(
    "number",
    ["12", "+1 415 555", "+99912345678", "not a number", "", "+1 650 555 12345678", "+4400000000"],
)
async def test_invalid_or_impossible_numbers_raise_invalid_recipient(
    sb: Sandbox, number: str
) -> None:
    with pytest.raises(InvalidRecipient):
        await sb.client("meta").send(number, Text("hi"))
    assert sb.requests("meta") == []


@pytest.mark.parametrize(
    "recipient",
    [Channel("120363000000000000@newsletter"), Conversation("42")],
    ids=["channel", "conversation"],
)
async def test_unsupported_recipients_raise_before_any_request(sb: Sandbox, recipient: Any) -> None:
    with pytest.raises(UnsupportedFeature) as caught:
        await sb.client("meta").send(recipient, Text("hi"))
    assert caught.value.feature == recipient.kind
    assert sb.requests("meta") == []


@pytest.mark.parametrize(
    ("option", "value"),
    [("deliver_at", "2030-01-01T00:00:00+00:00"), ("deliver_until", "2030-01-01T00:00:00+00:00")],
)
async def test_unsupported_options_raise_before_any_request(
    sb: Sandbox, option: str, value: str
) -> None:
    with pytest.raises(UnsupportedFeature):
        await sb.client("meta").send(TO, Text("hi"), **{option: datetime.fromisoformat(value)})
    assert sb.requests("meta") == []
