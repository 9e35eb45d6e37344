"""Interactive messages: reply buttons and lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from ..errors import ValidationError
from ._basic import Document, Image, Video
from ._checks import items, optional_text, text

__all__ = [
    "Buttons",
    "ListMessage",
    "ListRow",
    "ListSection",
    "ReplyButton",
]


class ReplyButton(msgspec.Struct, frozen=True):
    """A quick-reply button of an interactive :class:`Buttons` message.

    Example::

        ReplyButton("yes", "Yes, please")
    """

    id: str
    title: str

    def __post_init__(self) -> None:
        text(self.id, "buttons.id", blank=True)
        text(self.title, "buttons.title", blank=True)


class Buttons(msgspec.Struct, frozen=True):
    """An interactive message with reply buttons.

    Example::

        Buttons("Confirm?", [ReplyButton("y", "Yes"), ReplyButton("n", "No")], footer="Acme")
    """

    body: str
    buttons: Sequence[ReplyButton]
    header: str | Image | Video | Document | None = None
    footer: str | None = None
    kind: ClassVar[str] = "buttons"

    def __post_init__(self) -> None:
        if not isinstance(self.body, str) or not self.body.strip():
            raise ValidationError("buttons body must not be empty", field="buttons.body")
        text(self.body, "buttons.body")
        if not self.buttons:
            raise ValidationError("buttons needs at least one ReplyButton", field="buttons")
        items(self.buttons, ReplyButton, "buttons")
        if self.header is not None and not isinstance(self.header, (str, Image, Video, Document)):
            raise ValidationError(
                f"buttons header must be text, Image, Video or Document, "
                f"got {type(self.header).__name__}",
                field="buttons.header",
            )
        optional_text(self.footer, "buttons.footer", blank=True)


class ListRow(msgspec.Struct, frozen=True):
    """One selectable row of a list message.

    Example::

        ListRow("ship-1", "Standard", "3-5 days")
    """

    id: str
    title: str
    description: str | None = None

    def __post_init__(self) -> None:
        text(self.id, "list.rows.id", blank=True)
        text(self.title, "list.rows.title", blank=True)
        optional_text(self.description, "list.rows.description", blank=True)


class ListSection(msgspec.Struct, frozen=True):
    """A titled group of rows.

    Example::

        ListSection("Shipping", [ListRow("std", "Standard")])
    """

    title: str
    rows: Sequence[ListRow]

    def __post_init__(self) -> None:
        text(self.title, "list.sections.title", blank=True)
        items(self.rows, ListRow, "list.sections.rows")


class ListMessage(msgspec.Struct, frozen=True):
    """An interactive list: a button that opens sections of rows.

    Example::

        ListMessage("Pick one", "Options", [ListSection("A", [ListRow("1", "One")])])
    """

    body: str
    button: str
    sections: Sequence[ListSection]
    header: str | None = None
    footer: str | None = None
    kind: ClassVar[str] = "list"

    def __post_init__(self) -> None:
        if not isinstance(self.body, str) or not self.body.strip():
            raise ValidationError("list body must not be empty", field="list.body")
        text(self.body, "list.body")
        if not isinstance(self.button, str) or not self.button.strip():
            raise ValidationError("list button label must not be empty", field="list.button")
        text(self.button, "list.button")
        items(self.sections, ListSection, "sections")
        optional_text(self.header, "list.header", blank=True)
        optional_text(self.footer, "list.footer", blank=True)
        if not self.sections or not any(s.rows for s in self.sections):
            raise ValidationError("list needs at least one section with a row", field="sections")
