"""Interactive messages: reply buttons and lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from ..errors import ValidationError
from ._basic import Document, Image, Video

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
        if not self.body.strip():
            raise ValidationError("buttons body must not be empty", field="buttons.body")
        if not self.buttons:
            raise ValidationError("buttons needs at least one ReplyButton", field="buttons")


class ListRow(msgspec.Struct, frozen=True):
    """One selectable row of a list message.

    Example::

        ListRow("ship-1", "Standard", "3-5 days")
    """

    id: str
    title: str
    description: str | None = None


class ListSection(msgspec.Struct, frozen=True):
    """A titled group of rows.

    Example::

        ListSection("Shipping", [ListRow("std", "Standard")])
    """

    title: str
    rows: Sequence[ListRow]


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
        if not self.body.strip():
            raise ValidationError("list body must not be empty", field="list.body")
        if not self.button.strip():
            raise ValidationError("list button label must not be empty", field="list.button")
        if not self.sections or not any(s.rows for s in self.sections):
            raise ValidationError("list needs at least one section with a row", field="sections")
