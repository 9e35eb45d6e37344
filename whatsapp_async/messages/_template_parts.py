"""Typed parts of a template send: parameters beyond text, action buttons, cards and offers.

- :class:`Currency` and :class:`DateTime` are body (currency also header) parameters;
- :class:`ProductHeader` is a catalogue product as the header of a template or a card;
- :class:`FlowButton`, :class:`CatalogButton` and :class:`MultiProductButton` fill a
  template's Flow, catalogue and multi-product buttons (each has its Meta ``sub_type``);
- :class:`TemplateCard` is one card of a carousel template (``Template(cards=[...])``);
- :class:`LimitedTimeOffer` is the expiry of a limited-time-offer template.

Example::

    Template("order_total", body=[Currency(amount_1000=12_990, code="EUR",
                                           fallback_value="€12.99")])
    Template("spring_carousel", body=["Ada"], cards=[
        TemplateCard(header=Image(link="https://example.com/1.jpg"), body=["10%"]),
        TemplateCard(header=Image(link="https://example.com/2.jpg"), body=["20%"])])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Literal, Union

import msgspec

from ..errors import ValidationError
from ._basic import Image, Video
from ._checks import items, optional_text, text
from ._commerce import ProductSection

__all__ = [
    "BodyValue",
    "CatalogButton",
    "Currency",
    "DateTime",
    "FlowButton",
    "LimitedTimeOffer",
    "MultiProductButton",
    "ProductHeader",
    "TemplateButton",
    "TemplateButtonType",
    "TemplateCard",
    "check_body",
]


def _required(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    text(value, field)


def _index(value: object, field: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(f"{field} must be an integer, got {value!r:.20}", field=field)


class Currency(msgspec.Struct, frozen=True, kw_only=True):
    """An amount of money: ``amount_1000`` is the amount times 1000 (12.99 is ``12_990``).

    ``code`` is the ISO 4217 code; ``fallback_value`` is the text shown when WhatsApp cannot
    format the amount.

    Example::

        Currency(amount_1000=12_990, code="EUR", fallback_value="€12.99")
    """

    amount_1000: int
    code: str
    fallback_value: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_1000, bool) or not isinstance(self.amount_1000, int):
            raise ValidationError(
                f"currency.amount_1000 must be an integer, got {self.amount_1000!r:.20}",
                field="currency.amount_1000",
            )
        _required(self.code, "currency.code")
        _required(self.fallback_value, "currency.fallback_value")


class DateTime(msgspec.Struct, frozen=True):
    """A date and time as text: Cloud API always shows ``fallback_value`` (it does not localise).

    Example::

        DateTime("Tuesday, 3 March 2026, 10:00")
    """

    fallback_value: str

    def __post_init__(self) -> None:
        _required(self.fallback_value, "date_time.fallback_value")


BodyValue = Union[str, Currency, DateTime]
"""What a template body parameter may be."""


class ProductHeader(msgspec.Struct, frozen=True, kw_only=True):
    """A catalogue product as a template's (or a carousel card's) header.

    Example::

        ProductHeader(catalog_id="367025965434465", product_retailer_id="SKU-1")
    """

    catalog_id: str
    product_retailer_id: str

    def __post_init__(self) -> None:
        _required(self.catalog_id, "header.catalog_id")
        _required(self.product_retailer_id, "header.product_retailer_id")


TemplateButtonType = Literal["quick_reply", "url", "copy_code"]
"""The ``sub_type`` of a :class:`TemplateButton` (upper case, as some Meta pages write it, is
accepted and stored in lower case)."""


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
        lower = self.sub_type.lower()
        if lower != self.sub_type and lower in ("quick_reply", "url", "copy_code"):
            # Meta's pages write both QUICK_REPLY and quick_reply: one spelling is kept.
            msgspec.structs.force_setattr(self, "sub_type", lower)
        text(self.value, "template.buttons.value", blank=True)
        _index(self.index, "template.buttons.index")


class FlowButton(msgspec.Struct, frozen=True, kw_only=True):
    """Fills a template's Flow button: ``flow_token`` and/or the Flow's initial ``data``.

    A Flow button with neither needs no parameter: leave it out of ``buttons``.

    Example::

        FlowButton(flow_token="signup-42", data={"plan": "gold"})
    """

    flow_token: str | None = None
    data: Mapping[str, Any] | None = None
    index: int | None = None
    sub_type: ClassVar[str] = "flow"

    def __post_init__(self) -> None:
        optional_text(self.flow_token, "template.buttons.flow_token")
        if self.data is not None and (
            not isinstance(self.data, Mapping) or not all(isinstance(k, str) for k in self.data)
        ):
            raise ValidationError(
                "template.buttons.data must be a mapping with string keys",
                field="template.buttons.data",
            )
        if self.flow_token is None and not self.data:
            raise ValidationError(
                "a FlowButton needs flow_token= or data=; a Flow button without either takes "
                "no parameter (leave it out)",
                field="template.buttons.flow_token",
            )
        _index(self.index, "template.buttons.index")


class CatalogButton(msgspec.Struct, frozen=True, kw_only=True):
    """Fills a catalogue template's "View catalog" button with its thumbnail product.

    Example::

        CatalogButton(thumbnail_product_retailer_id="SKU-1")
    """

    thumbnail_product_retailer_id: str
    index: int | None = None
    sub_type: ClassVar[str] = "catalog"

    def __post_init__(self) -> None:
        _required(self.thumbnail_product_retailer_id, "template.buttons.thumbnail")
        _index(self.index, "template.buttons.index")


class MultiProductButton(msgspec.Struct, frozen=True, kw_only=True):
    """Fills a multi-product template's button: the products, in sections, and a thumbnail.

    Example::

        MultiProductButton(thumbnail_product_retailer_id="SKU-1",
                           sections=[ProductSection("Shoes", ["SKU-1", "SKU-2"])])
    """

    thumbnail_product_retailer_id: str
    sections: Sequence[ProductSection]
    index: int | None = None
    sub_type: ClassVar[str] = "mpm"

    def __post_init__(self) -> None:
        _required(self.thumbnail_product_retailer_id, "template.buttons.thumbnail")
        items(self.sections, ProductSection, "template.buttons.sections", at_least=1)
        _index(self.index, "template.buttons.index")


class LimitedTimeOffer(msgspec.Struct, frozen=True, kw_only=True):
    """When a limited-time offer ends: ``expires_at`` (timezone-aware), or the raw wire value.

    ``expires_at`` is sent as UNIX milliseconds, as Meta's text describes
    ``expiration_time_ms``. Meta's own sample and one client library send other units
    (PROVIDER_FACTS §6.3, CONFLICTING): ``expiration_time_ms=`` sends your integer as it is.

    Example::

        LimitedTimeOffer(expires_at=datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc))
    """

    expires_at: datetime | None = None
    expiration_time_ms: int | None = None

    def __post_init__(self) -> None:
        given = [k for k in ("expires_at", "expiration_time_ms") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValidationError(
                "a LimitedTimeOffer needs exactly one of expires_at= or expiration_time_ms=",
                field="template.offer",
            )
        if self.expires_at is not None and (
            not isinstance(self.expires_at, datetime) or self.expires_at.utcoffset() is None
        ):
            raise ValidationError(
                "template.offer.expires_at must be a timezone-aware datetime",
                field="template.offer.expires_at",
            )
        if self.expiration_time_ms is not None and (
            isinstance(self.expiration_time_ms, bool)
            or not isinstance(self.expiration_time_ms, int)
            or self.expiration_time_ms <= 0
        ):
            raise ValidationError(
                "template.offer.expiration_time_ms must be a positive integer",
                field="template.offer.expiration_time_ms",
            )

    @property
    def milliseconds(self) -> int:
        """The value sent as ``expiration_time_ms``.

        Example::

            >>> from datetime import timezone
            >>> LimitedTimeOffer(expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc)).milliseconds
            1893456000000
        """
        if self.expiration_time_ms is not None:
            return self.expiration_time_ms
        assert self.expires_at is not None
        return int(self.expires_at.timestamp() * 1000)


class TemplateCard(msgspec.Struct, frozen=True, kw_only=True):
    """One card of a carousel template: its header, body parameters and button parameters.

    ``header`` is an image or video (media-card carousels) or a :class:`ProductHeader`
    (product-card carousels); ``body`` and ``buttons`` are as on ``Template``.
    ``header_type`` is filled in from ``header`` (``"image"``, ``"video"``, ``"product"``), so
    that the card as plain data (``msgspec.to_builtins``, a job queue) still says which it is.

    Example::

        TemplateCard(header=Image(link="https://example.com/1.jpg"), body=["10%"],
                     buttons=[TemplateButton(sub_type="quick_reply", value="more-1")])
    """

    header: Image | Video | ProductHeader
    body: Sequence[BodyValue] | Mapping[str, BodyValue] = ()
    buttons: Sequence[TemplateButton] = ()
    header_type: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.header, (Image, Video, ProductHeader)):
            raise ValidationError(
                "a carousel card's header is an Image, Video or ProductHeader, "
                f"got {type(self.header).__name__}",
                field="template.cards.header",
            )
        kind = "product" if isinstance(self.header, ProductHeader) else self.header.kind
        if self.header_type is not None and self.header_type != kind:
            raise ValidationError(
                f"template.cards.header_type is {self.header_type!r}, but the header is a {kind}",
                field="template.cards.header_type",
            )
        msgspec.structs.force_setattr(self, "header_type", kind)
        check_body(self.body, "template.cards.body")
        items(self.buttons, TemplateButton, "template.cards.buttons")


def check_body(body: Any, field: str) -> None:
    """Raise unless ``body`` is a list (positional) or a mapping (named) of body values.

    Example::

        >>> check_body(["Ada", DateTime("today")], "template.body")
    """
    if isinstance(body, str):
        raise ValidationError(
            f"{field} takes a list (positional) or a mapping (named), not a string", field=field
        )
    if not isinstance(body, (Mapping, Sequence)) or isinstance(body, bytes):
        raise ValidationError(
            f"{field} takes a list or a mapping, got {type(body).__name__}", field=field
        )
    values = body.values() if isinstance(body, Mapping) else body
    for value in values:
        if isinstance(value, str):
            text(value, field, blank=True)
        elif not isinstance(value, (Currency, DateTime)):
            raise ValidationError(
                f"{field} parameters must be strings, Currency or DateTime, "
                f"got {type(value).__name__}",
                field=field,
            )
