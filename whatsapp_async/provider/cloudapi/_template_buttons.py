"""Button components of a template send: the one parameter each ``sub_type`` carries.

``_BUTTONS`` maps a ``sub_type`` to the builder of its parameter (and the limits on it): a
quick reply's payload, a URL button's suffix, a coupon code, and the ``action`` object of a
Flow, catalogue or multi-product button. Each component is
``{"type": "button", "sub_type", "index": "<0-9>", "parameters": [<one parameter>]}``
(facts §6.3).

Example::

    >>> from whatsapp_async.messages import TemplateButton
    >>> component = button_component(0, TemplateButton(sub_type="quick_reply", value="STOP"),
    ...                              ButtonContext(TemplateRules(provider="x")))
    >>> component.sub_type, component.index, component.parameters[0].payload
    ('quick_reply', '0', 'STOP')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, NoReturn

import msgspec

from ...errors import UnsupportedFeature
from ...messages import (
    CatalogButton,
    FlowButton,
    MultiProductButton,
    ProductSection,
    TemplateButton,
)
from ._checks import check_max_length, check_not_blank, invalid
from ._limits import (
    COUPON_CODE_MAX,
    OFFER_CODE_MAX,
    PRODUCT_ITEMS_MAX,
    PRODUCT_SECTIONS_MAX,
    SECTION_TITLE_MAX,
    TEMPLATE_BUTTON_INDEX_MAX,
    TEMPLATE_URL_MAX,
)
from ._rules import BUTTON_KINDS, TemplateRules
from ._wire import TemplateComponent, TemplateParameter

__all__ = ["ButtonContext", "button_component", "product_sections"]

_ENCODER = msgspec.json.Encoder()
_VALUE_BUTTONS = ("quick_reply", "url", "copy_code")


class ButtonContext(NamedTuple):
    """What a button's checks depend on besides the button: the rules, where it is, whether
    the template is a limited-time offer (its code is shorter) and which sub_types it may hold.

    Example::

        ButtonContext(TemplateRules(provider="meta"), path="template.cards[0].buttons")
    """

    rules: TemplateRules
    path: str = "template.buttons"
    offer: bool = False
    allowed: frozenset[str] = BUTTON_KINDS


def _payload(button: TemplateButton, field: str, ctx: ButtonContext) -> TemplateParameter:
    return TemplateParameter(type="payload", payload=button.value)


def _url(button: TemplateButton, field: str, ctx: ButtonContext) -> TemplateParameter:
    # The URL's suffix: the template holds the rest, and the whole is at most 2000 characters.
    check_max_length(f"{field}.value", button.value, TEMPLATE_URL_MAX, provider=ctx.rules.provider)
    return TemplateParameter(type="text", text=button.value)


def _coupon(button: TemplateButton, field: str, ctx: ButtonContext) -> TemplateParameter:
    code = button.value
    limit = OFFER_CODE_MAX if ctx.offer else COUPON_CODE_MAX
    check_max_length(f"{field}.value", code, limit, provider=ctx.rules.provider)
    if not (code.isascii() and code.isalnum()):
        raise invalid(
            f"{field}.value",
            f"{field}.value: a coupon code is letters and digits only, got {code[:20]!r}",
            provider=ctx.rules.provider,
        )
    return TemplateParameter(type="coupon_code", coupon_code=code)


def _json_object(value: Mapping[str, Any], field: str, provider: str) -> dict[str, Any]:
    try:
        plain: dict[str, Any] = msgspec.to_builtins(dict(value))
        _ENCODER.encode(plain)
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        raise invalid(
            field, f"{field} must hold JSON values only ({exc})", provider=provider
        ) from None
    return plain


def _flow(button: FlowButton, field: str, ctx: ButtonContext) -> TemplateParameter:
    action: dict[str, Any] = {}
    if button.flow_token is not None:
        check_not_blank(f"{field}.flow_token", button.flow_token, provider=ctx.rules.provider)
        action["flow_token"] = button.flow_token
    if button.data:
        action["flow_action_data"] = _json_object(button.data, f"{field}.data", ctx.rules.provider)
    return TemplateParameter(type="action", action=action)


def _catalog(button: CatalogButton, field: str, ctx: ButtonContext) -> TemplateParameter:
    thumbnail = button.thumbnail_product_retailer_id
    check_not_blank(
        f"{field}.thumbnail_product_retailer_id", thumbnail, provider=ctx.rules.provider
    )
    return TemplateParameter(type="action", action={"thumbnail_product_retailer_id": thumbnail})


def product_sections(sections: Any, field: str, provider: str) -> list[dict[str, Any]]:
    """Meta's ``sections`` of products, checked: 1-10 sections, 30 products in all, titles.

    Shared by multi-product buttons and (through the same limits) product lists. A title may be
    left empty only when there is one section; it is then left out.

    Example::

        product_sections([ProductSection("Shoes", ["SKU-1"])], "buttons[0]", provider="meta")
        # [{'title': 'Shoes', 'product_items': [{'product_retailer_id': 'SKU-1'}]}]
    """
    sections = list(sections)
    if not 1 <= len(sections) <= PRODUCT_SECTIONS_MAX:
        raise invalid(
            f"{field}.sections",
            f"{field}.sections has {len(sections)} sections; Meta allows 1 to "
            f"{PRODUCT_SECTIONS_MAX}",
            provider=provider,
        )
    total = sum(len(s.product_retailer_ids) for s in sections if isinstance(s, ProductSection))
    if total > PRODUCT_ITEMS_MAX:
        raise invalid(
            f"{field}.sections",
            f"{field}.sections hold {total} products; Meta allows at most {PRODUCT_ITEMS_MAX} "
            "in all (its pages and its spec disagree on per-section counts; this is the reading "
            "both accept)",
            provider=provider,
        )
    out: list[dict[str, Any]] = []
    for i, section in enumerate(sections):
        where = f"{field}.sections[{i}]"
        if not isinstance(section, ProductSection):
            raise invalid(where, f"{where} must be a ProductSection", provider=provider)
        entry: dict[str, Any] = {}
        if len(sections) > 1 or section.title.strip():
            check_not_blank(f"{where}.title", section.title, provider=provider)
            check_max_length(f"{where}.title", section.title, SECTION_TITLE_MAX, provider=provider)
            entry["title"] = section.title
        if not section.product_retailer_ids:
            raise invalid(
                f"{where}.product_retailer_ids", f"{where} needs a product", provider=provider
            )
        for j, sku in enumerate(section.product_retailer_ids):
            check_not_blank(f"{where}.product_retailer_ids[{j}]", sku, provider=provider)
        entry["product_items"] = [
            {"product_retailer_id": sku} for sku in section.product_retailer_ids
        ]
        out.append(entry)
    return out


def _mpm(button: MultiProductButton, field: str, ctx: ButtonContext) -> TemplateParameter:
    provider = ctx.rules.provider
    thumbnail = button.thumbnail_product_retailer_id
    check_not_blank(f"{field}.thumbnail_product_retailer_id", thumbnail, provider=provider)
    action = {
        "thumbnail_product_retailer_id": thumbnail,
        "sections": product_sections(button.sections, field, provider),
    }
    return TemplateParameter(type="action", action=action)


_Make = Callable[[Any, str, ButtonContext], TemplateParameter]
_BUTTONS: dict[str, tuple[type[Any], _Make]] = {
    "quick_reply": (TemplateButton, _payload),
    "url": (TemplateButton, _url),
    "copy_code": (TemplateButton, _coupon),
    "flow": (FlowButton, _flow),
    "catalog": (CatalogButton, _catalog),
    "mpm": (MultiProductButton, _mpm),
}
"""``sub_type`` -> the model class that carries it and the builder of its parameter."""
assert set(_BUTTONS) == BUTTON_KINDS


def button_component(position: int, button: Any, ctx: ButtonContext) -> TemplateComponent:
    """One button component; ``ValidationError`` or ``UnsupportedFeature`` before any request.

    Example::

        button_component(0, TemplateButton(sub_type="url", value="a8f3"), ButtonContext(rules))
    """
    provider = ctx.rules.provider
    field = f"{ctx.path}[{position}]"
    sub_type = getattr(button, "sub_type", None)
    entry = _BUTTONS.get(sub_type) if isinstance(sub_type, str) else None
    if entry is None or not isinstance(button, entry[0]):
        _refuse(position, button, None, ctx)
    index = position if button.index is None else button.index
    if (
        isinstance(index, bool)
        or not isinstance(index, int)
        or not 0 <= index <= TEMPLATE_BUTTON_INDEX_MAX
    ):
        _refuse(position, button, index, ctx)
    if isinstance(button, TemplateButton) and (
        not isinstance(button.value, str) or not button.value.strip()
    ):
        check_not_blank(f"{field}.value", button.value, provider=provider)
    if sub_type not in ctx.allowed:
        raise invalid(
            f"{field}.sub_type",
            f"{field}: a {sub_type} button is not allowed here (allowed: "
            f"{', '.join(sorted(ctx.allowed))})",
            provider=provider,
        )
    if sub_type not in ctx.rules.button_kinds:
        raise UnsupportedFeature(
            f"{provider} documents {', '.join(sorted(ctx.rules.button_kinds))} template buttons "
            f"only; a {sub_type} button has no documented form (pass raw components= if it "
            "accepts one)",
            provider=provider,
            feature=f"template.buttons.{sub_type}",
        )
    parameter = entry[1](button, field, ctx)
    return TemplateComponent(
        type="button", sub_type=sub_type, index=str(index), parameters=[parameter]
    )


def _refuse(position: int, button: Any, index: Any, ctx: ButtonContext) -> NoReturn:
    """Raise the first thing wrong with ``button`` (checked here, off the hot path)."""
    provider = ctx.rules.provider
    field = f"{ctx.path}[{position}]"
    kinds = (TemplateButton, FlowButton, CatalogButton, MultiProductButton)
    if not isinstance(button, kinds):
        raise invalid(
            field,
            f"{field} must be a TemplateButton, FlowButton, CatalogButton or MultiProductButton, "
            f"got {type(button).__name__}",
            provider=provider,
        )
    sub_type = button.sub_type
    entry = _BUTTONS.get(sub_type) if isinstance(sub_type, str) else None
    if entry is None or not isinstance(button, entry[0]):
        raise invalid(
            f"{field}.sub_type",
            f"{field}.sub_type must be one of {', '.join(_VALUE_BUTTONS)} (Flow, catalogue and "
            f"multi-product buttons are FlowButton, CatalogButton and MultiProductButton), "
            f"got {sub_type!r}",
            provider=provider,
        )
    if isinstance(index, bool) or not isinstance(index, int):
        raise invalid(f"{field}.index", f"{field}.index must be an integer", provider=provider)
    raise invalid(
        f"{field}.index",
        f"{field}.index is {index}; Meta's button positions run 0 to {TEMPLATE_BUTTON_INDEX_MAX}",
        provider=provider,
    )
