"""Pre-approved templates and their button parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Union

import msgspec

from ..errors import ValidationError
from ._basic import Document, Image, Location, Video
from ._checks import items, text

__all__ = [
    "Template",
    "TemplateButton",
    "TemplateButtonType",
    "TemplateHeader",
]


TemplateButtonType = Literal["quick_reply", "url", "copy_code"]


class TemplateButton(msgspec.Struct, frozen=True, kw_only=True):
    """A parameter for one of a template's buttons.

    ``index`` is the button's position in the template (defaults to its
    position in ``Template.buttons``); ``value`` is the quick-reply payload,
    the URL suffix, or the coupon code.

    Example::

        TemplateButton(sub_type="url", value="order/1234", index=0)
    """

    sub_type: TemplateButtonType
    value: str
    index: int | None = None

    def __post_init__(self) -> None:
        text(self.sub_type, "template.buttons.sub_type", blank=True)
        text(self.value, "template.buttons.value", blank=True)
        if self.index is not None and (
            isinstance(self.index, bool) or not isinstance(self.index, int)
        ):
            raise ValidationError(
                f"template.buttons.index must be an integer, got {self.index!r:.20}",
                field="template.buttons.index",
            )


TemplateHeader = Union[str, "Image", "Video", "Document", "Location"]


class _Named(msgspec.Struct, frozen=True):
    name: str


class Template(_Named, frozen=True, kw_only=True):
    """A pre-approved template.

    ``body`` takes positional parameters (a list, filling ``{{1}}``, ``{{2}}``...)
    or named ones (a mapping, filling ``{{name}}``). ``header`` is a text
    parameter or a media/location header. ``components`` is Meta's raw
    component list, passed through as is (it excludes body/header/buttons).

    Example::

        Template("order_update", body={"name": "Ada", "order": "#1234"}, language="en_US")
    """

    language: str = "en_US"
    body: Sequence[str] | Mapping[str, str] = ()
    header: str | Image | Video | Document | Location | None = None
    buttons: Sequence[TemplateButton] = ()
    components: Sequence[Mapping[str, Any]] | None = None
    kind: ClassVar[str] = "template"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError("template name must not be empty", field="template.name")
        text(self.name, "template.name", blank=True)
        if not self.language:
            raise ValidationError("template language must not be empty", field="template.language")
        text(self.language, "template.language", blank=True)
        if isinstance(self.body, str):
            raise ValidationError(
                "template body takes a list (positional) or a mapping (named), not a string",
                field="template.body",
            )
        if not isinstance(self.body, (Mapping, Sequence)) or isinstance(self.body, bytes):
            raise ValidationError(
                f"template body takes a list or a mapping, got {type(self.body).__name__}",
                field="template.body",
            )
        values = self.body.values() if isinstance(self.body, Mapping) else self.body
        for value in values:
            if not isinstance(value, str):
                raise ValidationError(
                    f"template body parameters must be strings, got {type(value).__name__}",
                    field="template.body",
                )
            text(value, "template.body", blank=True)
        if self.header is not None and not isinstance(
            self.header, (str, Image, Video, Document, Location)
        ):
            raise ValidationError(
                "template header must be text, Image, Video, Document or Location, "
                f"got {type(self.header).__name__}",
                field="template.header",
            )
        if isinstance(self.header, str):
            text(self.header, "template.header", blank=True)
        items(self.buttons, TemplateButton, "template.buttons")
        # Raw components= are checked by the provider's builder (Meta's JSON shapes).
        if self.components is not None and (self.body or self.header or self.buttons):
            raise ValidationError(
                "template components= is a raw passthrough; do not combine it with "
                "body=, header= or buttons=",
                field="template.components",
            )

    @property
    def named(self) -> bool:
        """True when the body parameters are named (a mapping)."""
        return isinstance(self.body, Mapping)
