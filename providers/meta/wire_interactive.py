"""msgspec Structs for the ``action`` of the interactive kinds beyond reply buttons and lists.

Named actions (``{"name": ..., "parameters": ...}``: CTA URL, Flow, catalogue, location
request, call permission, voice call, address) and product actions (``{"catalog_id", ...}``:
one product, a product list). Field order is Meta's documented order; fields left at ``None``
are not sent (PROVIDER_FACTS §6.2).

Example::

    NamedAction(name="cta_url",
                parameters=CtaUrlParameters(display_text="Track", url="https://x.test/t"))
    ProductAction(catalog_id="367025965434465", product_retailer_id="SKU-1")
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "AddressParameters",
    "CatalogParameters",
    "CtaUrlParameters",
    "FlowActionPayload",
    "FlowParameters",
    "NamedAction",
    "ProductAction",
    "SavedAddress",
    "VoiceCallParameters",
]


class _Out(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Base of outbound structs: fields left at their default are not sent."""


class NamedAction(_Out, frozen=True, kw_only=True):
    """``action`` of the kinds that name what their button does (``parameters`` when any).

    Example::

        NamedAction(name="send_location")
    """

    name: str
    parameters: Any = None


class ProductAction(_Out, frozen=True, kw_only=True):
    """``action`` of a single product (``product_retailer_id``) or a product list (``sections``).

    Example::

        ProductAction(catalog_id="367025965434465", product_retailer_id="SKU-1")
    """

    catalog_id: str
    product_retailer_id: str | None = None
    sections: list[dict[str, Any]] | None = None


class CtaUrlParameters(_Out, frozen=True, kw_only=True):
    """``parameters`` of a CTA URL button.

    Example::

        CtaUrlParameters(display_text="Track", url="https://example.com/t/1")
    """

    display_text: str
    url: str


class FlowActionPayload(_Out, frozen=True, kw_only=True):
    """``flow_action_payload`` of a navigate Flow: the first screen and its data.

    Example::

        FlowActionPayload(screen="WELCOME", data={"party_size": 2})
    """

    screen: str | None = None
    data: dict[str, Any] | None = None


class FlowParameters(_Out, frozen=True, kw_only=True):
    """``parameters`` of a Flow button (``flow_message_version`` is always ``"3"``).

    Example::

        FlowParameters(flow_message_version="3", flow_id="1", flow_cta="Book",
                       flow_action="navigate")
    """

    flow_message_version: str
    flow_token: str | None = None
    flow_id: str | None = None
    flow_name: str | None = None
    flow_cta: str
    mode: str | None = None
    flow_action: str
    flow_action_payload: FlowActionPayload | None = None


class CatalogParameters(_Out, frozen=True, kw_only=True):
    """``parameters`` of a catalogue message: the product shown as the thumbnail.

    Example::

        CatalogParameters(thumbnail_product_retailer_id="SKU-1")
    """

    thumbnail_product_retailer_id: str


class VoiceCallParameters(_Out, frozen=True, kw_only=True):
    """``parameters`` of a voice-call button (each one optional).

    Example::

        VoiceCallParameters(display_text="Call us", ttl_minutes=60)
    """

    display_text: str | None = None
    ttl_minutes: int | None = None
    payload: str | None = None


class SavedAddress(_Out, frozen=True, kw_only=True):
    """One of an address message's ``saved_addresses``.

    Example::

        SavedAddress(id="home", value={"name": "Ada", "city": "Pune"})
    """

    id: str
    value: dict[str, str]


class AddressParameters(_Out, frozen=True, kw_only=True):
    """``parameters`` of an address message (``country`` is required).

    Example::

        AddressParameters(country="IN", values={"name": "Ada"})
    """

    country: str
    values: dict[str, str] | None = None
    saved_addresses: list[SavedAddress] | None = None
    validation_errors: dict[str, str] | None = None
