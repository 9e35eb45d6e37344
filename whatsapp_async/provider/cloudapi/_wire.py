"""msgspec Structs for the template parts of Meta's message JSON, shared by every relay.

They omit fields left at ``None``, so an encoded body carries exactly what Meta documents,
and their field order is Meta's (``type`` first, ``parameter_name`` next to it, a button's
``sub_type``/``index`` before ``parameters``), which fixes the bytes on the wire.

Example::

    >>> import msgspec
    >>> msgspec.json.encode(TemplateParameter(type="text", parameter_name="name", text="Ada"))
    b'{"type":"text","parameter_name":"name","text":"Ada"}'
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "CarouselCardObject",
    "CurrencyObject",
    "DateTimeObject",
    "LimitedTimeOfferObject",
    "LocationObject",
    "MediaObject",
    "ProductObject",
    "TemplateComponent",
    "TemplateParameter",
]


class _Out(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Base of outbound structs: fields left at their default are not sent."""


class MediaObject(_Out, frozen=True, kw_only=True):
    """A media object (``image``/``video``/``audio``/``document``/``sticker``): ``id`` or ``link``.

    Example::

        MediaObject(link="https://example.com/a.png", caption="A")
    """

    id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = None


class LocationObject(_Out, frozen=True, kw_only=True):
    """A location: coordinates as JSON numbers.

    Example::

        LocationObject(latitude=37.48, longitude=-122.15, name="HQ")
    """

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class CurrencyObject(_Out, frozen=True, kw_only=True):
    """A currency parameter's value: all three keys are required.

    Example::

        CurrencyObject(fallback_value="€12.99", code="EUR", amount_1000=12990)
    """

    fallback_value: str
    code: str
    amount_1000: int


class DateTimeObject(_Out, frozen=True, kw_only=True):
    """A date_time parameter's value: Cloud API always shows ``fallback_value``.

    Example::

        DateTimeObject(fallback_value="3 March 2026")
    """

    fallback_value: str


class ProductObject(_Out, frozen=True, kw_only=True):
    """A product header's value.

    Example::

        ProductObject(product_retailer_id="SKU-1", catalog_id="367025965434465")
    """

    product_retailer_id: str
    catalog_id: str


class LimitedTimeOfferObject(_Out, frozen=True, kw_only=True):
    """A limited-time offer parameter's value: when the offer ends.

    Example::

        LimitedTimeOfferObject(expiration_time_ms=1798480800000)
    """

    expiration_time_ms: int


class TemplateParameter(_Out, frozen=True, kw_only=True):
    """One template parameter; ``type`` names the field that carries its value (``action`` is the
    object of a Flow, catalogue or multi-product button).

    Example::

        TemplateParameter(type="text", parameter_name="first_name", text="Ada")
        TemplateParameter(type="payload", payload="confirm-42")
    """

    type: str
    parameter_name: str | None = None
    text: str | None = None
    payload: str | None = None
    coupon_code: str | None = None
    image: MediaObject | None = None
    video: MediaObject | None = None
    document: MediaObject | None = None
    location: LocationObject | None = None
    currency: CurrencyObject | None = None
    date_time: DateTimeObject | None = None
    product: ProductObject | None = None
    action: dict[str, Any] | None = None
    limited_time_offer: LimitedTimeOfferObject | None = None


class TemplateComponent(_Out, frozen=True, kw_only=True):
    """One entry of ``components``; buttons carry ``sub_type`` and a 0-based ``index`` string;
    a ``carousel`` carries ``cards`` instead of ``parameters``.

    Example::

        TemplateComponent(type="body", parameters=[TemplateParameter(type="text", text="Ada")])
        TemplateComponent(type="button", sub_type="url", index="0",
                          parameters=[TemplateParameter(type="text", text="report/a8f3")])
    """

    type: str
    sub_type: str | None = None
    index: str | None = None
    parameters: list[TemplateParameter] | None = None
    cards: list[CarouselCardObject] | None = None


class CarouselCardObject(_Out, frozen=True, kw_only=True):
    """One card of a ``carousel`` component: its 0-based ``card_index`` and its components.

    Example::

        image = TemplateParameter(type="image", image=MediaObject(id="1"))
        CarouselCardObject(
            card_index=0, components=[TemplateComponent(type="header", parameters=[image])]
        )
    """

    card_index: int
    components: list[TemplateComponent]
