"""Pre-approved templates: parameters, buttons, carousel cards, offers and one-time passwords."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Union

import msgspec

from ..errors import ValidationError
from ._basic import Document, Image, Location, Video
from ._checks import items, text
from ._template_parts import (
    BodyValue,
    CatalogButton,
    Currency,
    DateTime,
    FlowButton,
    LimitedTimeOffer,
    MultiProductButton,
    ProductHeader,
    TemplateButton,
    TemplateButtonType,
    TemplateCard,
    check_body,
)

__all__ = [
    "TEMPLATE_FEATURES",
    "AnyTemplateButton",
    "Template",
    "TemplateButton",
    "TemplateButtonType",
    "TemplateHeader",
    "template_features",
]


TemplateHeader = Union[
    str, Mapping[str, str], "Image", "Video", "Document", "Location", "ProductHeader", "Currency"
]
"""What ``Template.header`` may be: a text parameter (positional, or a one-entry mapping for a
named one), a currency, a media or location header, or a catalogue product."""

AnyTemplateButton = Union[TemplateButton, FlowButton, CatalogButton, MultiProductButton]
"""What ``Template.buttons`` may hold."""

_BUTTON_TYPES = (TemplateButton, FlowButton, CatalogButton, MultiProductButton)
_HEADER_TYPES = (str, Mapping, Image, Video, Document, Location, ProductHeader, Currency)

TEMPLATE_FEATURES: tuple[str, ...] = (
    "text_header",
    "media_header",
    "location_header",
    "product_header",
    "currency",
    "date_time",
    "quick_reply_button",
    "url_button",
    "copy_code_button",
    "flow_button",
    "catalog_button",
    "mpm_button",
    "otp",
    "carousel",
    "limited_time_offer",
    "components",
)
"""What a template send may use beyond text body parameters; ``Capabilities.template_features``
says which of them a provider expresses (:func:`template_features` names a send's)."""


class _Named(msgspec.Struct, frozen=True):
    name: str


class Template(_Named, frozen=True, kw_only=True):
    """A pre-approved template.

    - ``body``: positional parameters (a list, filling ``{{1}}``, ``{{2}}``...) or named ones
      (a mapping, filling ``{{name}}``); each a string, a :class:`Currency` or a
      :class:`DateTime`;
    - ``header``: a text parameter (``"Ada"``, or ``{"name": "Ada"}`` for a named one), a
      ``Currency``, an image/video/document/location, or a :class:`ProductHeader`;
    - ``buttons``: :class:`TemplateButton` (quick reply payload, URL suffix, coupon code),
      :class:`FlowButton`, :class:`CatalogButton`, :class:`MultiProductButton`;
    - ``cards``: the cards of a carousel template (:class:`TemplateCard`, 2 to 10);
    - ``offer``: the expiry of a limited-time-offer template (:class:`LimitedTimeOffer`);
    - ``otp``: the one-time password of an authentication template (copy-code, one-tap and
      zero-tap templates all send it the same way: as the body parameter and as the URL
      button's parameter); nothing else may be given with it;
    - ``components``: Meta's raw component list, passed through as is (nothing else with it).

    Example::

        Template("order_update", body={"name": "Ada", "order": "#1234"}, language="en_US")
        Template("verify_code", otp="123456")
    """

    language: str = "en_US"
    body: Sequence[BodyValue] | Mapping[str, BodyValue] = ()
    header: TemplateHeader | None = None
    buttons: Sequence[AnyTemplateButton] = ()
    components: Sequence[Mapping[str, Any]] | None = None
    cards: Sequence[TemplateCard] = ()
    offer: LimitedTimeOffer | None = None
    otp: str | None = None
    kind: ClassVar[str] = "template"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError("template name must not be empty", field="template.name")
        text(self.name, "template.name", blank=True)
        if not self.language:
            raise ValidationError("template language must not be empty", field="template.language")
        text(self.language, "template.language", blank=True)
        check_body(self.body, "template.body")
        self._check_header()
        items(self.buttons, _BUTTON_TYPES, "template.buttons")
        items(self.cards, TemplateCard, "template.cards")
        if self.offer is not None and not isinstance(self.offer, LimitedTimeOffer):
            raise ValidationError(
                f"template offer must be a LimitedTimeOffer, got {type(self.offer).__name__}",
                field="template.offer",
            )
        if self.cards and (self.header is not None or self.buttons):
            raise ValidationError(
                "a carousel template has no header or buttons of its own: give them to each "
                "TemplateCard",
                field="template.cards",
            )
        if self.otp is not None:
            if not isinstance(self.otp, str) or not self.otp.strip():
                raise ValidationError("template otp must not be empty", field="template.otp")
            text(self.otp, "template.otp")
            if self.body or self.header is not None or self.buttons or self.cards or self.offer:
                raise ValidationError(
                    "template otp= fills the body and the code button itself: do not combine "
                    "it with body=, header=, buttons=, cards= or offer=",
                    field="template.otp",
                )
        # Raw components= are checked by the provider's builder (Meta's JSON shapes).
        if self.components is not None and (
            self.body
            or self.header is not None
            or self.buttons
            or self.cards
            or self.offer is not None
            or self.otp is not None
        ):
            raise ValidationError(
                "template components= is a raw passthrough; do not combine it with "
                "body=, header=, buttons=, cards=, offer= or otp=",
                field="template.components",
            )

    def _check_header(self) -> None:
        header = self.header
        if header is None:
            return
        if not isinstance(header, _HEADER_TYPES):
            raise ValidationError(
                "template header must be text, a one-entry mapping (a named text parameter), "
                "Currency, Image, Video, Document, Location or ProductHeader, "
                f"got {type(header).__name__}",
                field="template.header",
            )
        if isinstance(header, str):
            text(header, "template.header", blank=True)
        elif isinstance(header, Mapping):
            if len(header) != 1:
                raise ValidationError(
                    "a named template header is a mapping with exactly one entry "
                    f"(name -> text), got {len(header)}",
                    field="template.header",
                )
            for key, value in header.items():
                text(key, "template.header", blank=True)
                text(value, "template.header", blank=True)

    @property
    def named(self) -> bool:
        """True when the body parameters are named (a mapping)."""
        return isinstance(self.body, Mapping)


_HEADER_FEATURES: tuple[tuple[type[Any], str], ...] = (
    (str, "text_header"),
    (Mapping, "text_header"),
    (Currency, "currency"),
    (Image, "media_header"),
    (Video, "media_header"),
    (Document, "media_header"),
    (Location, "location_header"),
    (ProductHeader, "product_header"),
)
_BUTTON_FEATURES = frozenset(f for f in TEMPLATE_FEATURES if f.endswith("_button"))


def _header_feature(header: Any) -> str | None:
    return next((name for cls, name in _HEADER_FEATURES if isinstance(header, cls)), None)


def _value_features(body: Sequence[BodyValue] | Mapping[str, BodyValue], found: set[str]) -> None:
    for value in body.values() if isinstance(body, Mapping) else body:
        if isinstance(value, Currency):
            found.add("currency")
        elif isinstance(value, DateTime):
            found.add("date_time")


def _button_features(buttons: Sequence[Any], found: set[str]) -> None:
    for button in buttons:
        # An unknown sub_type names no feature: the provider's builder refuses it.
        feature = f"{getattr(button, 'sub_type', '')}_button"
        if feature in _BUTTON_FEATURES:
            found.add(feature)


def template_features(template: Template) -> frozenset[str]:
    """The :data:`TEMPLATE_FEATURES` a send of ``template`` uses (text body parameters: none).

    Example::

        >>> sorted(template_features(Template("t", header="Ada", body=[DateTime("today")])))
        ['date_time', 'text_header']
    """
    if template.components is not None:
        return frozenset({"components"})
    found: set[str] = set()
    header = _header_feature(template.header) if template.header is not None else None
    if header is not None:
        found.add(header)
    _value_features(template.body, found)
    _button_features(template.buttons, found)
    if template.cards:
        found.add("carousel")
        for card in template.cards:
            card_header = _header_feature(card.header)
            if card_header is not None:
                found.add(card_header)
            _value_features(card.body, found)
            _button_features(card.buttons, found)
    if template.offer is not None:
        found.add("limited_time_offer")
    if template.otp is not None:
        found.add("otp")
    return frozenset(found)
