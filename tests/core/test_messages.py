"""Checks every provider shares run when a message is built."""

from __future__ import annotations

import pytest

from whatsapp_async import (
    Audio,
    Buttons,
    Contact,
    ContactName,
    Contacts,
    Document,
    Image,
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
    ValidationError,
    Video,
)


@pytest.mark.parametrize("body", ["", "   ", "\n"])
def test_empty_text_is_rejected(body: str) -> None:
    with pytest.raises(ValidationError, match="non-empty"):
        Text(body)


@pytest.mark.parametrize("cls", [Image, Video, Audio, Document, Sticker])
def test_media_needs_exactly_one_of_id_and_link(cls: type[Image]) -> None:
    with pytest.raises(
        ValidationError, match="exactly one of link=, id= or file= \\(got neither\\)"
    ):
        cls()
    with pytest.raises(ValidationError, match="got link and id"):
        cls(link="https://example.com/a", id="123")
    assert cls(id="123").id == "123"
    assert cls(link="HTTPS://example.com/a").link


@pytest.mark.parametrize("link", ["ftp://example.com/a.png", "file:///etc/passwd", "example.com/a"])
def test_media_link_must_be_http(link: str) -> None:
    with pytest.raises(ValidationError, match="http\\(s\\) URL") as info:
        Image(link=link)
    assert info.value.field == "image.link"


def test_location_ranges() -> None:
    Location(-90, 180)
    with pytest.raises(ValidationError, match="latitude"):
        Location(91, 0)
    with pytest.raises(ValidationError, match="longitude"):
        Location(0, -181)
    with pytest.raises(ValidationError, match="number"):
        Location("1", 2)  # type: ignore[arg-type]


def test_template_parameters() -> None:
    assert Template("t", body={"name": "Ada"}).named
    assert not Template("t", body=["Ada"]).named
    with pytest.raises(ValidationError, match="not a string"):
        Template("t", body="Ada")
    with pytest.raises(ValidationError, match="must be strings"):
        Template("t", body=[1])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="raw passthrough"):
        Template("t", body=["x"], components=[{"type": "body"}])
    with pytest.raises(ValidationError, match="name"):
        Template(" ")
    button = TemplateButton(sub_type="url", value="abc")
    assert Template("t", buttons=[button]).buttons[0].index is None


def test_interactive_and_others() -> None:
    with pytest.raises(ValidationError):
        Buttons("body", [])
    with pytest.raises(ValidationError):
        Buttons(" ", [ReplyButton("a", "A")])
    with pytest.raises(ValidationError):
        ListMessage("b", "Pick", [ListSection("s", [])])
    with pytest.raises(ValidationError):
        ListMessage("b", "", [ListSection("s", [ListRow("1", "One")])])
    with pytest.raises(ValidationError):
        Contacts([])
    with pytest.raises(ValidationError):
        Reaction("", "👍")
    assert Reaction("wamid.1", "").emoji == ""
    assert Contacts([Contact(name=ContactName(formatted_name="Ada"))]).kind == "contacts"


def test_messages_are_immutable() -> None:
    text = Text("hi")
    with pytest.raises(AttributeError):
        text.body = "changed"  # type: ignore[misc]
