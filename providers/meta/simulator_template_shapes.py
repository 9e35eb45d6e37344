"""The shapes of a template send's components, checked the way the simulator's Meta does.

Written from Meta's documented JSON (PROVIDER_FACTS §3.4, §6.3), never from the adapter's
builders. Component types are read case-insensitively, as Meta reads them; so are button
``sub_type`` values (Meta's pages spell both ``URL`` and ``url``).

- ``header``: one parameter: text, currency, image, video, document, location or product;
- ``body``: text, currency or date_time parameters (named ones carry ``parameter_name``);
- ``button``: ``sub_type``, ``index`` 0-9 and exactly one parameter of the sub_type's kind
  (payload, text, coupon_code, or an ``action`` object for flow / catalog / mpm);
- ``limited_time_offer``: one ``limited_time_offer`` parameter with ``expiration_time_ms``;
- ``carousel``: 2-10 ``cards``, each ``{card_index, components}`` with an image, video or
  product header, an optional body and at most two quick-reply or URL buttons.

Example::

    component_shape({"type": "body", "parameters": [{"type": "text", "text": "Ada"}]},
                    "template.components[0]", only_body=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whatsapp_async.provider import cloudapi as lim

from .simulator_checks import Rejection, array, integer, keys, location, media, obj, string

__all__ = ["BUTTON_PARAMETER", "component_shape", "sub_type_of"]

BUTTON_PARAMETER = {
    "quick_reply": "payload",
    "url": "text",
    "copy_code": "coupon_code",
    "flow": "action",
    "catalog": "action",
    "mpm": "action",
}
"""Each button ``sub_type`` and the ``type`` of the one parameter it carries."""

_HEADER_PARAMETERS = frozenset(
    {"text", "currency", "image", "video", "document", "location", "product"}
)
_BODY_PARAMETERS = frozenset({"text", "currency", "date_time"})
# The keys a date_time may carry: fallback_value, and the older calendar keys Meta's own spec
# examples still send (Cloud API always shows fallback_value).
_DATE_TIME_KEYS = frozenset(
    {"fallback_value", "day_of_week", "year", "month", "day_of_month", "hour", "minute", "calendar"}
)
_CARD_BUTTONS = frozenset({"quick_reply", "url"})


def sub_type_of(component: Mapping[str, Any]) -> str:
    """A button's ``sub_type`` in lower case ('' when it has none).

    Example::

        >>> sub_type_of({"type": "button", "sub_type": "QUICK_REPLY"})
        'quick_reply'
    """
    value = component.get("sub_type")
    return value.lower() if isinstance(value, str) else ""


def component_shape(
    component: Mapping[str, Any], path: str, *, only_body: bool, card: bool = False
) -> None:
    """Raise :class:`Rejection` unless ``component`` has a shape Meta accepts.

    ``only_body``: the body is the only component sent (its text may then be 32768 long);
    ``card``: the component sits in a carousel card.

    Example::

        component_shape({"type": "header", "parameters": [...]}, "template.components[0]",
                        only_body=False)
    """
    kind = str(component.get("type", "")).lower()
    if kind == "button":
        _button(component, path, card=card)
    elif kind in ("header", "body"):
        keys(component, {"type", "parameters"}, path)
        parameters = array(component.get("parameters", []), f"{path}.parameters")
        if kind == "header" and len(parameters) != 1:
            raise Rejection(131009, f"Param {path}.parameters must hold exactly one parameter.")
        for j, raw in enumerate(parameters):
            _parameter(raw, f"{path}.parameters[{j}]", kind, only_body=only_body, card=card)
    elif kind == "limited_time_offer" and not card:
        _offer(component, path)
    elif kind == "carousel" and not card:
        _carousel(component, path)
    else:
        raise Rejection(131009, f"Param {path}.type {component.get('type')!r} is not valid here.")


def _parameter(raw: Any, path: str, place: str, *, only_body: bool, card: bool) -> None:
    parameter = obj(raw, path)
    ptype = parameter.get("type")
    if not isinstance(ptype, str):
        raise Rejection(131008, f"The parameter {path}.type is required.")
    allowed = _HEADER_PARAMETERS if place == "header" else _BODY_PARAMETERS
    if card and place == "header":
        allowed = frozenset({"image", "video", "product"})
    if ptype not in allowed:
        raise Rejection(131009, f"Param {path}.type {ptype!r} is not valid in a {place}.")
    if ptype not in parameter:
        raise Rejection(131008, f"The parameter {path}.{ptype} is required.")
    keys(parameter, {"type", "parameter_name", ptype}, path)
    if "parameter_name" in parameter:
        pname = parameter["parameter_name"]
        if not isinstance(pname, str) or not lim.TEMPLATE_PARAM_NAME.fullmatch(pname):
            raise Rejection(100, f"Param {path}.parameter_name is not a valid name.")
    if ptype == "text":
        limit = lim.TEMPLATE_HEADER_TEXT_MAX
        if place == "body":
            limit = lim.TEMPLATE_BODY_ONLY_PARAM_MAX if only_body else lim.TEMPLATE_BODY_PARAM_MAX
            if card:
                limit = lim.CARD_BODY_PARAM_MAX
        string(parameter, "text", f"{path}.text", max_len=limit)
    elif ptype == "currency":
        _currency(parameter["currency"], f"{path}.currency")
    elif ptype == "date_time":
        value = obj(parameter["date_time"], f"{path}.date_time")
        keys(value, _DATE_TIME_KEYS, f"{path}.date_time")
        string(value, "fallback_value", f"{path}.date_time.fallback_value")
    elif ptype in ("image", "video", "document"):
        allowed_keys = {"id", "link", "filename"} if ptype == "document" else {"id", "link"}
        media(parameter[ptype], f"{path}.{ptype}", allowed=allowed_keys)
    elif ptype == "location":
        location(parameter["location"], f"{path}.location")
    else:  # product
        product = obj(parameter["product"], f"{path}.product")
        keys(product, {"product_retailer_id", "catalog_id"}, f"{path}.product")
        string(product, "product_retailer_id", f"{path}.product.product_retailer_id")
        string(product, "catalog_id", f"{path}.product.catalog_id")


def _currency(value: Any, path: str) -> None:
    currency = obj(value, path)
    keys(currency, {"fallback_value", "code", "amount_1000"}, path)
    string(currency, "fallback_value", f"{path}.fallback_value")
    code = string(currency, "code", f"{path}.code")
    if not lim.CURRENCY_CODE.fullmatch(code):
        raise Rejection(131009, f"Param {path}.code must be an ISO 4217 currency code.")
    if "amount_1000" not in currency:
        raise Rejection(131008, f"The parameter {path}.amount_1000 is required.")
    integer(currency["amount_1000"], f"{path}.amount_1000", 1, lim.AMOUNT_1000_MAX)


def _button(component: Mapping[str, Any], path: str, *, card: bool) -> None:
    keys(component, {"type", "sub_type", "index", "parameters"}, path)
    string(component, "sub_type", f"{path}.sub_type")
    sub_type = sub_type_of(component)
    allowed = _CARD_BUTTONS if card else frozenset(BUTTON_PARAMETER)
    if sub_type not in allowed:
        raise Rejection(131009, f"Param {path}.sub_type {component['sub_type']!r} is not valid.")
    index = component.get("index")
    if index is None:
        raise Rejection(131008, f"The parameter {path}.index is required.")
    if not str(index).isdigit() or not 0 <= int(str(index)) <= lim.TEMPLATE_BUTTON_INDEX_MAX:
        raise Rejection(131009, f"Param {path}.index must be 0 to 9.")
    if "parameters" not in component:
        raise Rejection(131008, f"The parameter {path}.parameters is required.")
    parameters = array(component["parameters"], f"{path}.parameters")
    if len(parameters) != 1:
        raise Rejection(131009, f"Param {path}.parameters must hold exactly one parameter.")
    ppath = f"{path}.parameters[0]"
    parameter = obj(parameters[0], ppath)
    expected = BUTTON_PARAMETER[sub_type]
    if parameter.get("type") != expected:
        raise Rejection(131009, f"Param {ppath}.type must be {expected!r} for a {sub_type} button.")
    keys(parameter, {"type", expected}, ppath)
    if expected == "action":
        _action(parameter.get("action"), f"{ppath}.action", sub_type)
    elif expected == "coupon_code":
        code = string(parameter, "coupon_code", f"{ppath}.coupon_code", max_len=lim.COUPON_CODE_MAX)
        if not (code.isascii() and code.isalnum()):
            raise Rejection(131009, f"Param {ppath}.coupon_code must be alphanumeric.")
    else:
        limit = lim.TEMPLATE_URL_MAX if expected == "text" else None
        string(parameter, expected, f"{ppath}.{expected}", max_len=limit)


def _action(value: Any, path: str, sub_type: str) -> None:
    action = obj(value, path)
    if sub_type == "flow":
        keys(action, {"flow_token", "flow_action_data"}, path)
        string(action, "flow_token", f"{path}.flow_token", required=False)
        if "flow_action_data" in action:
            obj(action["flow_action_data"], f"{path}.flow_action_data")
        return
    allowed = {"thumbnail_product_retailer_id"} | ({"sections"} if sub_type == "mpm" else set())
    keys(action, allowed, path)
    string(action, "thumbnail_product_retailer_id", f"{path}.thumbnail_product_retailer_id")
    if sub_type == "mpm":
        if "sections" not in action:
            raise Rejection(131008, f"The parameter {path}.sections is required.")
        product_sections(action["sections"], f"{path}.sections")


def product_sections(value: Any, path: str) -> None:
    """Sections of products (multi-product buttons, product lists): 1-10, titled when several.

    Example::

        product_sections([{"product_items": [{"product_retailer_id": "SKU-1"}]}], "sections")
    """
    sections = array(value, path)
    if not 1 <= len(sections) <= lim.PRODUCT_SECTIONS_MAX:
        raise Rejection(131009, f"Param {path} must hold 1 to {lim.PRODUCT_SECTIONS_MAX} sections.")
    for i, raw in enumerate(sections):
        spath = f"{path}[{i}]"
        section = obj(raw, spath)
        keys(section, {"title", "product_items"}, spath)
        string(
            section,
            "title",
            f"{spath}.title",
            required=len(sections) > 1,
            max_len=lim.SECTION_TITLE_MAX,
        )
        if "product_items" not in section:
            raise Rejection(131008, f"The parameter {spath}.product_items is required.")
        products = array(section["product_items"], f"{spath}.product_items")
        # The spec caps 30 products per section (Meta's pages say 30 in all: CONFLICTING).
        if not 1 <= len(products) <= lim.PRODUCT_ITEMS_MAX:
            raise Rejection(
                131009, f"Param {spath}.product_items must hold 1 to {lim.PRODUCT_ITEMS_MAX}."
            )
        for j, item in enumerate(products):
            ipath = f"{spath}.product_items[{j}]"
            product = obj(item, ipath)
            keys(product, {"product_retailer_id"}, ipath)
            string(product, "product_retailer_id", f"{ipath}.product_retailer_id")


def _offer(component: Mapping[str, Any], path: str) -> None:
    keys(component, {"type", "parameters"}, path)
    parameters = array(component.get("parameters"), f"{path}.parameters")
    if len(parameters) != 1:
        raise Rejection(131009, f"Param {path}.parameters must hold exactly one parameter.")
    ppath = f"{path}.parameters[0]"
    parameter = obj(parameters[0], ppath)
    keys(parameter, {"type", "limited_time_offer"}, ppath)
    if parameter.get("type") != "limited_time_offer":
        raise Rejection(131009, f"Param {ppath}.type must be 'limited_time_offer'.")
    offer = obj(parameter.get("limited_time_offer"), f"{ppath}.limited_time_offer")
    keys(offer, {"expiration_time_ms"}, f"{ppath}.limited_time_offer")
    if "expiration_time_ms" not in offer:
        raise Rejection(
            131008, f"The parameter {ppath}.limited_time_offer.expiration_time_ms is required."
        )
    integer(
        offer["expiration_time_ms"], f"{ppath}.limited_time_offer.expiration_time_ms", 1, 2**63 - 1
    )


def _carousel(component: Mapping[str, Any], path: str) -> None:
    keys(component, {"type", "cards"}, path)
    if "cards" not in component:
        raise Rejection(131008, f"The parameter {path}.cards is required.")
    cards = array(component["cards"], f"{path}.cards")
    if not lim.CAROUSEL_CARDS_MIN <= len(cards) <= lim.CAROUSEL_CARDS_MAX:
        raise Rejection(
            131009,
            f"Param {path}.cards must hold {lim.CAROUSEL_CARDS_MIN} to "
            f"{lim.CAROUSEL_CARDS_MAX} cards.",
        )
    for i, raw in enumerate(cards):
        cpath = f"{path}.cards[{i}]"
        card = obj(raw, cpath)
        keys(card, {"card_index", "components"}, cpath)
        if "card_index" not in card:
            raise Rejection(131008, f"The parameter {cpath}.card_index is required.")
        if integer(card["card_index"], f"{cpath}.card_index", 0, lim.CAROUSEL_CARDS_MAX - 1) != i:
            raise Rejection(131009, f"Param {cpath}.card_index must be {i}.")
        components = array(card.get("components"), f"{cpath}.components")
        parts = [obj(c, f"{cpath}.components[{j}]") for j, c in enumerate(components)]
        kinds = [str(p.get("type", "")).lower() for p in parts]
        if kinds.count("header") != 1:
            raise Rejection(131008, f"The parameter {cpath} needs exactly one header.")
        if kinds.count("button") > lim.CARD_BUTTONS_MAX:
            raise Rejection(131009, f"Param {cpath} holds at most {lim.CARD_BUTTONS_MAX} buttons.")
        for j, part in enumerate(parts):
            component_shape(part, f"{cpath}.components[{j}]", only_body=False, card=True)
