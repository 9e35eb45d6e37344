"""Template sends, checked the way the simulator's Meta checks them: shape, then the template.

After the shape (``simulator_template_shapes``), the send must fit the approved template it
names (``simulator_templates``): its status (132001 / 132015 / 132016), the header's format,
the body's parameters (count and names, 132000 / 132012), each button's sub_type and
parameter, the limited-time offer and the carousel's cards (as many as the template has,
each fitting its card).

Example::

    validate_template({"name": "hello_world", "language": {"code": "en_US"}},
                      TemplateBook.default())
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whatsapp_async.provider import cloudapi as lim

from .simulator_checks import Rejection, array, keys, obj, string
from .simulator_template_shapes import BUTTON_PARAMETER, component_shape, sub_type_of
from .simulator_templates import SimTemplate, TemplateBook

__all__ = ["validate_template"]

_LISTED_BUTTON_TYPES = {
    "QUICK_REPLY": "quick_reply",
    "URL": "url",
    "COPY_CODE": "copy_code",
    "FLOW": "flow",
    "CATALOG": "catalog",
    "MPM": "mpm",
    "OTP": "url",  # an authentication template's code button is sent as a url button
}


def validate_template(content: Any, templates: TemplateBook) -> None:
    """Check a ``template`` object; raise :class:`Rejection` as Meta would.

    Example::

        validate_template({"name": "order_update", "language": {"code": "en_US"},
                           "components": [...]}, TemplateBook.default())
    """
    template = obj(content, "template")
    keys(template, {"name", "language", "components"}, "template")
    name = string(template, "name", "template.name")
    if "language" not in template:
        raise Rejection(131008, "The parameter template.language is required.")
    language = obj(template["language"], "template.language")
    keys(language, {"code", "policy"}, "template.language")
    code = string(language, "code", "template.language.code")
    if "policy" in language and language["policy"] != "deterministic":
        raise Rejection(131009, "Param template.language.policy must be 'deterministic'.")
    components = array(template.get("components", []), "template.components")
    sent = [obj(c, f"template.components[{i}]") for i, c in enumerate(components)]
    # Meta reads component types case-insensitively (clients send "BODY" as well as "body").
    only_body = len(sent) == 1 and str(sent[0].get("type", "")).lower() == "body"
    for i, component in enumerate(sent):
        component_shape(component, f"template.components[{i}]", only_body=only_body)
    known = templates.find(name, code)
    if known is None:
        where = f"in {code}" if templates.has_name(name) else "at all"
        raise Rejection(132001, f"template name ({name}) does not exist {where}", status=404)
    _matches_template(known, sent)


def _by_type(components: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for component in components:
        grouped.setdefault(str(component.get("type", "")).lower(), []).append(component)
    return grouped


def _matches_template(template: SimTemplate, sent: list[dict[str, Any]]) -> None:
    if template.status == "PAUSED":
        raise Rejection(132015, f"template {template.name} is paused")
    if template.status == "DISABLED":
        raise Rejection(132016, f"template {template.name} is disabled")
    if template.status != "APPROVED":
        raise Rejection(132001, f"template {template.name} is not approved ({template.status})")
    by_type = _by_type(sent)
    _fits(template, by_type)
    _offer_matches(template, by_type.get("limited_time_offer", []))
    _cards_match(template, by_type.get("carousel", []))
    if template.category == "AUTHENTICATION":
        for parameter in _parameters(by_type.get("body", []) + by_type.get("button", [])):
            string(parameter, "text", "one-time password", max_len=lim.OTP_MAX)


def _fits(template: SimTemplate, by_type: dict[str, list[dict[str, Any]]]) -> None:
    """The header, body and buttons of a template (or of one carousel card)."""
    _header_matches(template, by_type.get("header", []))
    _params_match(template, "body", template.body_params, by_type.get("body", []))
    _buttons_match(template, by_type.get("button", []))


def _parameters(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for c in components for p in c.get("parameters", []) if isinstance(p, dict)]


def _header_matches(template: SimTemplate, components: list[dict[str, Any]]) -> None:
    fmt = template.header_format
    if fmt in (None, "TEXT"):
        _params_match(template, "header", template.header_params, components)
        return
    parameters = _parameters(components)
    if len(parameters) != 1:
        raise Rejection(
            132000, f"header: expected 1 {fmt.lower()} parameter, got {len(parameters)}"
        )
    if parameters[0].get("type") != fmt.lower():
        raise Rejection(
            132012, f"header: expected a {fmt.lower()} parameter, got {parameters[0].get('type')}"
        )


def _params_match(
    template: SimTemplate, where: str, expected: list[str], components: list[dict[str, Any]]
) -> None:
    parameters = _parameters(components)
    if len(parameters) != len(expected):
        raise Rejection(
            132000,
            f"{where}: number of localizable_params ({len(parameters)}) does not match the "
            f"expected number of params ({len(expected)})",
        )
    named = [p.get("parameter_name") for p in parameters]
    if template.parameter_format == "NAMED":
        if any(n is None for n in named):
            raise Rejection(132012, f"{where}: template {template.name} takes named parameters")
        if sorted(str(n) for n in named) != sorted(expected):
            raise Rejection(
                132000, f"{where}: parameter names {named} do not match {sorted(expected)}"
            )
    elif any(n is not None for n in named):
        raise Rejection(132012, f"{where}: template {template.name} takes positional parameters")


def _buttons_match(template: SimTemplate, components: list[dict[str, Any]]) -> None:
    listed = template.buttons
    given: dict[int, dict[str, Any]] = {}
    for component in components:
        index = int(str(component.get("index")))
        if index >= len(listed):
            raise Rejection(131009, f"button index {index} does not exist in {template.name}")
        expected = _LISTED_BUTTON_TYPES.get(str(listed[index].get("type")))
        sub_type = sub_type_of(component)
        if sub_type != expected:
            raise Rejection(132012, f"button {index} is a {expected} button, got {sub_type}")
        parameters = _parameters([component])
        if parameters and expected == "url" and not _dynamic(listed[index]):
            raise Rejection(132000, f"button {index} has a fixed URL and takes no parameter")
        key = BUTTON_PARAMETER.get(expected or "")
        for parameter in parameters:
            if parameter.get("type") != key:
                raise Rejection(132012, f"button {index} takes a {key} parameter")
        given[index] = component
    for index, button in enumerate(listed):
        if _dynamic(button) and index not in given:
            raise Rejection(132000, f"button {index} ({button.get('text')}) needs a parameter")


def _dynamic(button: Mapping[str, Any]) -> bool:
    """Whether a listed button needs a parameter on send: coupon codes, URLs with {{1}},
    one-time passwords and multi-product buttons (their products come with the send)."""
    kind = button.get("type")
    return kind in ("COPY_CODE", "OTP", "MPM") or "{{" in str(button.get("url", ""))


def _offer_matches(template: SimTemplate, components: list[dict[str, Any]]) -> None:
    offer = template.offer
    if offer is None:
        if components:
            raise Rejection(132000, f"template {template.name} is not a limited-time offer")
        return
    if offer.get("has_expiration") and not components:
        raise Rejection(132000, f"template {template.name} needs its offer's expiration_time_ms")


def _cards_match(template: SimTemplate, components: list[dict[str, Any]]) -> None:
    listed = template.cards
    if not listed:
        if components:
            raise Rejection(132000, f"template {template.name} is not a carousel")
        return
    if not components:
        raise Rejection(132000, f"template {template.name} needs its {len(listed)} cards")
    cards = components[0].get("cards", [])
    if len(cards) != len(listed):
        raise Rejection(
            132000,
            f"template {template.name} has {len(listed)} cards; the send has {len(cards)}",
        )
    for card, spec in zip(cards, listed, strict=True):
        _fits(spec, _by_type([c for c in card.get("components", []) if isinstance(c, dict)]))
