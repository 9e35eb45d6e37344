"""Text, media, location and reaction messages."""

from __future__ import annotations

import os
from typing import ClassVar

import msgspec

from ..errors import ValidationError
from ._checks import flag, local_file, optional_text, text

__all__ = [
    "Audio",
    "Document",
    "Image",
    "Location",
    "Media",
    "Reaction",
    "Sticker",
    "Text",
    "Video",
]


class Text(msgspec.Struct, frozen=True):
    """A plain text message.

    Example::

        Text("See https://example.com", preview_url=True)
    """

    body: str
    preview_url: bool = False
    kind: ClassVar[str] = "text"

    def __post_init__(self) -> None:
        if not isinstance(self.body, str) or not self.body.strip():
            raise ValidationError("text body must be a non-empty string", field="text.body")
        text(self.body, "text.body")
        flag(self.preview_url, "text.preview_url")


class Media(msgspec.Struct, frozen=True, kw_only=True):
    """Common shape of media messages: exactly one of ``link`` (http/https), ``id`` or ``file``.

    ``file`` is a local file (a path, or bytes with ``mime_type``): providers
    that host media (Meta) get it uploaded first and sent by id; providers that
    take inline data (Pilot) get it inline; others raise ``UnsupportedFeature``.
    Use a concrete subclass (:class:`Image`, :class:`Video`, ...).
    """

    link: str | None = None
    id: str | None = None
    file: str | bytes | os.PathLike[str] | None = None
    mime_type: str | None = None
    caption: str | None = None
    kind: ClassVar[str] = "media"

    def __post_init__(self) -> None:
        name = self.kind
        if self.file is not None and not isinstance(self.file, (str, bytes)):
            msgspec.structs.force_setattr(self, "file", local_file(self.file, f"{name}.file"))
        optional_text(self.link, f"{name}.link", blank=True)
        optional_text(self.id, f"{name}.id", blank=True)
        optional_text(self.caption, f"{name}.caption", blank=True)
        optional_text(self.mime_type, f"{name}.mime_type", blank=True)
        optional_text(getattr(self, "filename", None), f"{name}.filename", blank=True)
        given = [k for k in ("link", "id", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValidationError(
                f"{name} needs exactly one of link=, id= or file= (got "
                f"{' and '.join(given) if given else 'neither'})",
                field=f"{name}.link",
            )
        if isinstance(self.file, bytes) and not self.mime_type:
            raise ValidationError(f"{name} from bytes needs mime_type=", field=f"{name}.mime_type")
        if self.link is not None and not self.link.lower().startswith(("http://", "https://")):
            raise ValidationError(
                f"{name}.link must be an http(s) URL, got {self.link[:40]!r}",
                field=f"{name}.link",
            )
        if self.id is not None and not self.id.strip():
            raise ValidationError(f"{name}.id must not be empty", field=f"{name}.id")


class Image(Media, frozen=True, kw_only=True):
    """An image by public URL or uploaded media id.

    Example::

        Image(link="https://example.com/a.png", caption="A")
    """

    kind: ClassVar[str] = "image"


class Video(Media, frozen=True, kw_only=True):
    """A video by public URL or uploaded media id.

    Example::

        Video(id="1013859600285441", caption="Clip")
    """

    kind: ClassVar[str] = "video"


class Audio(Media, frozen=True, kw_only=True):
    """An audio file by public URL or uploaded media id.

    Example::

        Audio(link="https://example.com/a.ogg")
    """

    kind: ClassVar[str] = "audio"


class Document(Media, frozen=True, kw_only=True):
    """A document; ``filename`` is what the recipient sees.

    Example::

        Document(link="https://example.com/inv.pdf", filename="invoice.pdf")
    """

    filename: str | None = None
    kind: ClassVar[str] = "document"


class Sticker(Media, frozen=True, kw_only=True):
    """A sticker (webp) by URL or media id.

    Example::

        Sticker(id="798882015472548")
    """

    kind: ClassVar[str] = "sticker"


class Location(msgspec.Struct, frozen=True):
    """A map pin.

    Example::

        Location(37.4847, -122.1473, name="HQ", address="1 Hacker Way")
    """

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    kind: ClassVar[str] = "location"

    def __post_init__(self) -> None:
        optional_text(self.name, "location.name", blank=True)
        optional_text(self.address, "location.address", blank=True)
        for field, value, bound in (
            ("latitude", self.latitude, 90.0),
            ("longitude", self.longitude, 180.0),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValidationError(f"location.{field} must be a number", field=field)
            if not -bound <= value <= bound:
                raise ValidationError(
                    f"location.{field} must be within ±{bound:g}, got {value}", field=field
                )


class Reaction(msgspec.Struct, frozen=True):
    """An emoji reaction to a message id; an empty ``emoji`` removes the reaction.

    Example::

        Reaction("wamid.HBgL...", "👍")
    """

    message_id: str
    emoji: str
    kind: ClassVar[str] = "reaction"

    def __post_init__(self) -> None:
        text(self.emoji, "reaction.emoji", blank=True)
        if not isinstance(self.message_id, str) or not self.message_id.strip():
            raise ValidationError("reaction.message_id must not be empty", field="message_id")
