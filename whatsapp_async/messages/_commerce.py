"""Commerce messages: one catalogue product, a list of them, the whole catalogue.

They name products by the catalogue's ids (``catalog_id``, ``product_retailer_id``: the SKU the
catalogue holds); WhatsApp renders them from the catalogue connected to the business account.
Meta's limits (sections, products, lengths) are checked by the provider before any request.

Example::

    Product("367025965434465", "SKU-1", body="Back in stock")
    ProductList("Our spring picks", "367025965434465",
                [ProductSection("Shoes", ["SKU-1", "SKU-2"])], header="Spring")
    Catalog("Browse everything we sell", thumbnail_product_retailer_id="SKU-1")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from ..errors import ValidationError
from ._checks import items, optional_text, text

__all__ = ["Catalog", "Product", "ProductList", "ProductSection"]


def _required(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    text(value, field)


class ProductSection(msgspec.Struct, frozen=True):
    """A titled group of catalogue products, by their ``product_retailer_id`` (SKU).

    Used by :class:`ProductList` and by a multi-product template button. The title may be
    empty when it is the only section.

    Example::

        ProductSection("Shoes", ["SKU-1", "SKU-2"])
    """

    title: str
    product_retailer_ids: Sequence[str]

    def __post_init__(self) -> None:
        text(self.title, "sections.title", blank=True)
        items(self.product_retailer_ids, str, "sections.product_retailer_ids", at_least=1)
        for sku in self.product_retailer_ids:
            _required(sku, "sections.product_retailer_ids")


class Product(msgspec.Struct, frozen=True, kw_only=True):
    """One product of the catalogue, with an optional body and footer (it takes no header).

    Example::

        Product(catalog_id="367025965434465", product_retailer_id="SKU-1", body="Back in stock")
    """

    catalog_id: str
    product_retailer_id: str
    body: str | None = None
    footer: str | None = None
    kind: ClassVar[str] = "product"

    def __post_init__(self) -> None:
        _required(self.catalog_id, "product.catalog_id")
        _required(self.product_retailer_id, "product.product_retailer_id")
        optional_text(self.body, "product.body")
        optional_text(self.footer, "product.footer", blank=True)


class ProductList(msgspec.Struct, frozen=True):
    """Several catalogue products in sections, behind a text header (Meta requires one).

    Example::

        ProductList("Our spring picks", "367025965434465",
                    [ProductSection("Shoes", ["SKU-1", "SKU-2"])], header="Spring")
    """

    body: str
    catalog_id: str
    sections: Sequence[ProductSection]
    header: str
    footer: str | None = None
    kind: ClassVar[str] = "product_list"

    def __post_init__(self) -> None:
        _required(self.body, "product_list.body")
        _required(self.catalog_id, "product_list.catalog_id")
        items(self.sections, ProductSection, "product_list.sections", at_least=1)
        _required(self.header, "product_list.header")
        optional_text(self.footer, "product_list.footer", blank=True)


class Catalog(msgspec.Struct, frozen=True, kw_only=True):
    """The business's whole catalogue behind a "View catalog" button.

    ``thumbnail_product_retailer_id`` names the product shown as the thumbnail. Meta's page
    calls it optional but its OpenAPI spec requires it and the live API is reported to refuse
    a message without it, so the model requires it (PROVIDER_FACTS §6.2, CONFLICTING).

    Example::

        Catalog(body="Browse everything we sell", thumbnail_product_retailer_id="SKU-1")
    """

    body: str
    thumbnail_product_retailer_id: str
    footer: str | None = None
    kind: ClassVar[str] = "catalog"

    def __post_init__(self) -> None:
        _required(self.body, "catalog.body")
        _required(self.thumbnail_product_retailer_id, "catalog.thumbnail_product_retailer_id")
        optional_text(self.footer, "catalog.footer", blank=True)
