"""The unified ``Template`` -> Meta's ``components`` list, checked against Meta's limits.

One builder for every provider that sends Meta's template components (Meta itself, and the
relays that hand them on unchanged). A provider passes its :class:`TemplateRules`: the name
its errors carry, the parameter kinds, button sub_types and extra components it can express,
and what to tell a caller who nested a local file. What the builder makes (facts §3.4, §6.3),
in this order:

- a ``header`` component with one parameter: text (positional or named), a currency, a
  media, location or product object;
- a ``body`` component with positional, or named (``parameter_name``), parameters: text,
  currency, date_time;
- a ``limited_time_offer`` component with the offer's ``expiration_time_ms``;
- a ``carousel`` component with one card per ``TemplateCard`` (``card_index``, then its own
  header, body and buttons);
- one ``button`` component per button parameter, with ``sub_type`` and a 0-based ``index``;
- for ``otp=``, the body parameter and the ``url`` button parameter an authentication
  template takes (copy-code, one-tap and zero-tap alike);
- or the caller's raw ``components=``, passed through after checking they are JSON objects
  with a ``type``.

Parameters are built through one table (``_template_params._KINDS``, keyed by the Python
type of the value) and buttons through another (``_template_buttons._BUTTONS``, keyed by
``sub_type``): a new kind is one entry there.

Example::

    >>> from whatsapp_async.messages import Template
    >>> components = build_components(Template("t", body=["Ada"]), TemplateRules(provider="x"))
    >>> [(c.type, [p.text for p in c.parameters]) for c in components]
    [('body', ['Ada'])]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from ...errors import UnsupportedFeature
from ...messages import Currency, Template, TemplateCard
from ._checks import check_max_length, check_not_blank, check_unique, invalid
from ._limits import (
    CARD_BODY_PARAM_MAX,
    CARD_BUTTONS_MAX,
    CAROUSEL_CARDS_MAX,
    CAROUSEL_CARDS_MIN,
    OTP_MAX,
    TEMPLATE_BODY_ONLY_PARAM_MAX,
    TEMPLATE_BODY_PARAM_MAX,
    TEMPLATE_HEADER_TEXT_MAX,
)
from ._rules import PARAMETER_KINDS, TemplateRules
from ._template_buttons import ButtonContext, button_component
from ._template_params import (
    Where,
    body_component,
    check_name,
    location_object,
    media_object,
    parameter,
)
from ._wire import CarouselCardObject, LimitedTimeOfferObject, TemplateComponent, TemplateParameter

__all__ = [
    "PARAMETER_KINDS",
    "TemplateRules",
    "build_components",
    "location_object",
    "media_object",
]

_ENCODER = msgspec.json.Encoder()
_CARD_BUTTONS = frozenset({"quick_reply", "url"})
_HEADER = Where("header", "template.header", TEMPLATE_HEADER_TEXT_MAX)


def _unsupported_component(kind: str, rules: TemplateRules) -> UnsupportedFeature:
    documented = ", ".join(sorted(rules.component_kinds)) or "none"
    return UnsupportedFeature(
        f"{rules.provider} documents no {kind} template component (documented extras: "
        f"{documented}); pass raw components= if it accepts one",
        provider=rules.provider,
        feature=f"template.{kind}",
    )


# -- header and body ----------------------------------------------------------------------------
def _style(values: Sequence[Any] | Mapping[str, Any]) -> str | None:
    if not values:
        return None
    return "named" if isinstance(values, Mapping) else "positional"


def _check_one_style(template: Template, rules: TemplateRules) -> None:
    """Named and positional parameters cannot be mixed in one template (facts §3.4)."""
    header = template.header
    if header is None and not template.cards:
        return  # the body alone has one style: most templates stop here
    header_style = (
        "named"
        if isinstance(header, Mapping)
        else "positional"
        if isinstance(header, (str, Currency))
        else None
    )
    body_style = _style(template.body)
    if header_style == "positional" and body_style == "named":
        raise invalid(
            "template.header",
            "template.header: a positional header parameter cannot be combined with named body "
            "parameters (Meta needs its parameter_name); pass header={name: text} or the raw "
            "components= instead",
            provider=rules.provider,
        )
    styles = {s for s in (header_style, body_style) if s is not None}
    styles.update(s for s in (_style(card.body) for card in template.cards) if s is not None)
    if len(styles) > 1:
        raise invalid(
            "template.body",
            "template: named and positional parameters cannot be mixed in one template",
            provider=rules.provider,
        )


def _header(header: Any, rules: TemplateRules) -> TemplateComponent:
    if isinstance(header, Mapping):
        ((name, value),) = header.items()
        check_name(name, _HEADER, rules)
        built = parameter(value, _HEADER, name, rules)
    else:
        built = parameter(header, _HEADER, None, rules)
    return TemplateComponent(type="header", parameters=[built])


# -- one-time passwords, offers, cards, buttons -------------------------------------------------
def _otp(code: str, rules: TemplateRules) -> list[TemplateComponent]:
    """What an authentication template takes: the code in the body and in the ``url`` button."""
    check_not_blank("template.otp", code, provider=rules.provider)
    check_max_length("template.otp", code, OTP_MAX, provider=rules.provider)
    body = parameter(code, Where("body", "template.otp", OTP_MAX), None, rules)
    button = ButtonContext(rules, path="template.otp")
    if "url" not in button.rules.button_kinds:
        raise UnsupportedFeature(
            f"{rules.provider} documents no url template button, which otp= sends",
            provider=rules.provider,
            feature="template.otp",
        )
    return [
        TemplateComponent(type="body", parameters=[body]),
        TemplateComponent(
            type="button",
            sub_type="url",
            index="0",
            parameters=[TemplateParameter(type="text", text=code)],
        ),
    ]


def _offer(template: Template, rules: TemplateRules) -> TemplateComponent:
    if "limited_time_offer" not in rules.component_kinds:
        raise _unsupported_component("limited_time_offer", rules)
    assert template.offer is not None
    value = LimitedTimeOfferObject(expiration_time_ms=template.offer.milliseconds)
    return TemplateComponent(
        type="limited_time_offer",
        parameters=[TemplateParameter(type="limited_time_offer", limited_time_offer=value)],
    )


def _buttons(
    buttons: Sequence[Any], ctx: ButtonContext, rules: TemplateRules
) -> list[TemplateComponent]:
    built = [button_component(i, b, ctx) for i, b in enumerate(buttons)]
    check_unique(
        ctx.path, (b.index or "" for b in built), "template button indexes", provider=rules.provider
    )
    return built


def _check_offer_buttons(buttons: list[TemplateComponent], rules: TemplateRules) -> None:
    """An offer's code button is index 0 and its URL button index 1 (0 alone) (facts §6.3)."""
    indexes = {b.sub_type: int(b.index or 0) for b in buttons}
    expected = {"copy_code": 0, "url": 1 if "copy_code" in indexes else 0}
    for sub_type, index in expected.items():
        if sub_type in indexes and indexes[sub_type] != index:
            raise invalid(
                "template.buttons",
                f"template.buttons: in a limited-time offer the {sub_type} button is index "
                f"{index}, got {indexes[sub_type]}",
                provider=rules.provider,
            )


def _card(position: int, card: TemplateCard, rules: TemplateRules) -> CarouselCardObject:
    path = f"template.cards[{position}]"
    if not isinstance(card, TemplateCard):
        raise invalid(path, f"{path} must be a TemplateCard", provider=rules.provider)
    header = parameter(
        card.header, Where("header", f"{path}.header", TEMPLATE_HEADER_TEXT_MAX), None, rules
    )
    components = [TemplateComponent(type="header", parameters=[header])]
    if card.body:
        components.append(
            body_component(card.body, Where("body", f"{path}.body", CARD_BODY_PARAM_MAX), rules)
        )
    if len(card.buttons) > CARD_BUTTONS_MAX:
        raise invalid(
            f"{path}.buttons",
            f"{path}.buttons has {len(card.buttons)} buttons; a card holds at most "
            f"{CARD_BUTTONS_MAX}",
            provider=rules.provider,
        )
    ctx = ButtonContext(rules, path=f"{path}.buttons", allowed=_CARD_BUTTONS)
    components.extend(_buttons(card.buttons, ctx, rules))
    return CarouselCardObject(card_index=position, components=components)


def _carousel(cards: Sequence[TemplateCard], rules: TemplateRules) -> TemplateComponent:
    if "carousel" not in rules.component_kinds:
        raise _unsupported_component("carousel", rules)
    if not CAROUSEL_CARDS_MIN <= len(cards) <= CAROUSEL_CARDS_MAX:
        raise invalid(
            "template.cards",
            f"template.cards has {len(cards)} cards; a carousel has {CAROUSEL_CARDS_MIN} to "
            f"{CAROUSEL_CARDS_MAX} (send exactly as many as the template was created with)",
            provider=rules.provider,
        )
    return TemplateComponent(
        type="carousel", cards=[_card(i, c, rules) for i, c in enumerate(cards)]
    )


# -- the whole list -------------------------------------------------------------------------------
def _passthrough(components: Iterable[Any], provider: str) -> list[Any]:
    field = "template.components"
    if isinstance(components, (str, bytes, Mapping)) or not isinstance(components, Iterable):
        raise invalid(field, f"{field} must be a list of component objects", provider=provider)
    plain: list[Any] = []
    for position, component in enumerate(components):
        if not isinstance(component, Mapping):
            raise invalid(
                field,
                f"{field}[{position}] must be a JSON object, got {type(component).__name__}",
                provider=provider,
            )
        if not isinstance(component.get("type"), str):
            # Meta's spec requires every component's ``type``: refused here, not by Meta.
            raise invalid(
                field,
                f"{field}[{position}] needs a string 'type' (header, body, button ...)",
                provider=provider,
            )
        plain.append(dict(component))
    try:
        _ENCODER.encode(plain)
    except (TypeError, msgspec.EncodeError) as exc:
        raise invalid(
            field, f"{field} must hold JSON values only ({exc})", provider=provider
        ) from None
    return plain


def build_components(template: Template, rules: TemplateRules) -> list[Any] | None:
    """Meta's ``components`` for ``template``, or None when it has no parameters at all.

    Raises ``ValidationError`` (Meta's limits) or ``UnsupportedFeature`` (a kind the provider
    cannot express) before any request; both carry ``rules.provider``.

    Example::

        build_components(Template("hello_world"), TemplateRules(provider="meta"))  # None
        build_components(Template("t", header="Hi", buttons=[TemplateButton(sub_type="url",
                         value="a8")]), TemplateRules(provider="meta"))
        # [TemplateComponent(type='header', ...), TemplateComponent(type='button', ...)]
    """
    if template.components is not None:
        return _passthrough(template.components, rules.provider)
    if template.otp is not None:
        return list(_otp(template.otp, rules))
    _check_one_style(template, rules)
    header = template.header
    built: list[TemplateComponent] = []
    if header is not None:
        built.append(_header(header, rules))
    if template.body:
        only = header is None and not template.buttons and not template.cards and not template.offer
        limit = TEMPLATE_BODY_ONLY_PARAM_MAX if only else TEMPLATE_BODY_PARAM_MAX
        built.append(body_component(template.body, Where("body", "template.body", limit), rules))
    if template.offer is not None:
        built.append(_offer(template, rules))
    if template.cards:
        built.append(_carousel(template.cards, rules))
    if template.buttons:
        ctx = ButtonContext(rules, offer=template.offer is not None)
        buttons = _buttons(template.buttons, ctx, rules)
        if template.offer is not None:
            _check_offer_buttons(buttons, rules)
        built.extend(buttons)
    return built or None
