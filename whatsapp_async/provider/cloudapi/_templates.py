"""The unified ``Template`` -> Meta's ``components`` list, checked against Meta's limits.

One builder for every provider that sends Meta's template components (Meta itself, and the
relays that hand them on unchanged). A provider passes its :class:`TemplateRules`: the name
its errors carry, the parameter kinds it can express, and what to tell a caller who nested a
local file. What the builder makes (facts §3.4, §6.3):

- a ``header`` component with one parameter: text, or a media or location object;
- a ``body`` component with positional, or named (``parameter_name``), parameters;
- one ``button`` component per button parameter, with ``sub_type`` and a 0-based ``index``;
- or the caller's raw ``components=``, passed through after checking they are JSON objects
  with a ``type``.

Header and body parameters are built through one table, ``_KINDS``, keyed by the Python type
of the value: a new parameter kind (currency, date_time) is one entry there (and its field on
:class:`TemplateParameter`).

Example::

    >>> from whatsapp_async.messages import Template
    >>> components = build_components(Template("t", body=["Ada"]), TemplateRules(provider="x"))
    >>> [(c.type, [p.text for p in c.parameters]) for c in components]
    [('body', ['Ada'])]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, NoReturn

import msgspec

from ...errors import UnsupportedFeature
from ...messages import Document, Image, Location, Media, Template, TemplateButton, Video
from ._checks import check_max_length, check_not_blank, check_unique, invalid
from ._limits import (
    CAPTION_MAX,
    TEMPLATE_BODY_ONLY_PARAM_MAX,
    TEMPLATE_BODY_PARAM_MAX,
    TEMPLATE_BUTTON_INDEX_MAX,
    TEMPLATE_HEADER_TEXT_MAX,
    TEMPLATE_PARAM_NAME,
)
from ._wire import LocationObject, MediaObject, TemplateComponent, TemplateParameter

__all__ = [
    "PARAMETER_KINDS",
    "TemplateRules",
    "build_components",
    "location_object",
    "media_object",
]

_ENCODER = msgspec.json.Encoder()
# Captions: Meta documents them on image, video and document only.
_CAPTIONED = frozenset({"image", "video", "document"})


# -- media and location objects (template headers, and Meta's own media messages) ---------------
def media_object(media: Media, field: str, *, provider: str, file_hint: str) -> MediaObject:
    """Meta's media object for ``media``; a caption is checked against Meta's rules.

    ``file_hint`` says what to do instead of a local ``file=`` here (the client uploads a
    message's own file, but never a file nested in a header).

    Example::

        media_object(Image(id="123"), "image", provider="meta", file_hint="pass id=")
        # MediaObject(id='123')
    """
    if media.file is not None:
        raise UnsupportedFeature(
            f"{provider}: {field} cannot be a local file here; {file_hint}",
            provider=provider,
            feature="file",
        )
    caption = media.caption or None
    if caption is not None:
        if media.kind not in _CAPTIONED:
            raise invalid(
                f"{field}.caption",
                f"{field}.caption is not allowed: Meta takes captions on image, video and "
                "document only",
                provider=provider,
            )
        check_max_length(f"{field}.caption", caption, CAPTION_MAX, provider=provider)
    # An empty filename says nothing to the recipient: it is left out rather than sent as "".
    filename = (media.filename or None) if isinstance(media, Document) else None
    return MediaObject(id=media.id, link=media.link, caption=caption, filename=filename)


def location_object(location: Location) -> LocationObject:
    """Meta's location object for ``location``.

    Example::

        location_object(Location(37.48, -122.15, name="HQ"))
        # LocationObject(latitude=37.48, longitude=-122.15, name='HQ')
    """
    return LocationObject(
        latitude=location.latitude,
        longitude=location.longitude,
        name=location.name,
        address=location.address,
    )


# -- header and body parameters: one table entry per kind ---------------------------------------
# A value's place is its component ("header"/"body") and its key there: None for the header's
# one parameter, the position of a positional body parameter, the name of a named one. The
# field path for an error is only spelled out when there is an error (sends are a hot path).
_Key = int | str | None


def _field(place: str, key: _Key) -> str:
    # repr: template.body[0] for a position, template.body['first_name'] for a name.
    return f"template.{place}" if key is None else f"template.{place}[{key!r}]"


def _name(key: _Key) -> str | None:
    return key if isinstance(key, str) else None


_Build = Callable[[Any, str, _Key, int, "TemplateRules"], TemplateParameter]


class _Kind(NamedTuple):
    """One parameter kind: Meta's ``type``, the components it may sit in, its builder.

    A builder takes the value, its place and key, the longest text that place takes, and the
    provider's rules, and returns the parameter (or raises before any request)."""

    name: str
    places: frozenset[str]
    build: _Build


def _text(value: str, place: str, key: _Key, limit: int, rules: TemplateRules) -> TemplateParameter:
    if not isinstance(value, str) or len(value) > limit or not value.strip():
        field = _field(place, key)
        check_not_blank(field, value, provider=rules.provider)
        check_max_length(field, value, limit, provider=rules.provider)
    return TemplateParameter(type="text", parameter_name=_name(key), text=value)


def _media(
    value: Image | Video | Document, place: str, key: _Key, limit: int, rules: TemplateRules
) -> TemplateParameter:
    field = _field(place, key)
    if value.caption:
        raise invalid(
            f"{field}.caption",
            f"{field}.caption is not allowed: a template's media header takes no caption",
            provider=rules.provider,
        )
    kind = value.kind
    media = media_object(
        value, f"{field}.{kind}", provider=rules.provider, file_hint=rules.local_file_hint
    )
    return TemplateParameter(
        type=kind,
        parameter_name=_name(key),
        image=media if kind == "image" else None,
        video=media if kind == "video" else None,
        document=media if kind == "document" else None,
    )


def _location(
    value: Location, place: str, key: _Key, limit: int, rules: TemplateRules
) -> TemplateParameter:
    return TemplateParameter(
        type="location", parameter_name=_name(key), location=location_object(value)
    )


_HEADER = frozenset({"header"})
_HEADER_AND_BODY = frozenset({"header", "body"})
_KINDS: dict[type[Any], _Kind] = {
    str: _Kind("text", _HEADER_AND_BODY, _text),
    Image: _Kind("image", _HEADER, _media),
    Video: _Kind("video", _HEADER, _media),
    Document: _Kind("document", _HEADER, _media),
    # No live location, and only in UTILITY or MARKETING templates (facts §6.3).
    Location: _Kind("location", _HEADER, _location),
}
"""Python type of a header/body value -> its kind. Add currency/date_time here."""

PARAMETER_KINDS = frozenset(kind.name for kind in _KINDS.values())
"""Every header/body parameter kind the builder makes (Meta's ``type`` values).

Example: ``TemplateRules(provider="acme", parameter_kinds=PARAMETER_KINDS - {"location"})``."""


class TemplateRules(msgspec.Struct, frozen=True, kw_only=True):
    """What one provider passes in: its name, what it can express, its hint for local files.

    ``parameter_kinds`` are the header/body parameter kinds the provider documents; any other
    raises ``UnsupportedFeature`` before any request. Button parameters follow ``sub_type``.

    Example::

        TemplateRules(provider="gateway", parameter_kinds=frozenset({"text"}))
    """

    provider: str
    parameter_kinds: frozenset[str] = PARAMETER_KINDS
    local_file_hint: str = "pass link= (a public URL) or id= instead"


def _parameter(
    value: Any, place: str, key: _Key, limit: int, rules: TemplateRules
) -> TemplateParameter:
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = next((k for cls, k in _KINDS.items() if isinstance(value, cls)), None)
    if kind is None or place not in kind.places:
        allowed = ", ".join(k.name for k in _KINDS.values() if place in k.places)
        field = _field(place, key)
        raise invalid(
            field,
            f"{field} cannot be a {type(value).__name__}: a template {place} parameter is one "
            f"of {allowed}",
            provider=rules.provider,
        )
    if kind.name not in rules.parameter_kinds:
        raise UnsupportedFeature(
            f"{rules.provider} documents {', '.join(sorted(rules.parameter_kinds))} template "
            f"parameters only; a {kind.name} {place} has no documented form (pass raw "
            "components= if it accepts one)",
            provider=rules.provider,
            feature=f"template.{place}.{kind.name}",
        )
    return kind.build(value, place, key, limit, rules)


def _body(
    body: Sequence[str] | Mapping[str, str], only: bool, rules: TemplateRules
) -> TemplateComponent:
    limit = TEMPLATE_BODY_ONLY_PARAM_MAX if only else TEMPLATE_BODY_PARAM_MAX
    if not isinstance(body, Mapping):
        positional = [_parameter(value, "body", i, limit, rules) for i, value in enumerate(body)]
        return TemplateComponent(type="body", parameters=positional)
    parameters: list[TemplateParameter] = []
    for name, value in body.items():
        if not isinstance(name, str) or not TEMPLATE_PARAM_NAME.fullmatch(name):
            raise invalid(
                _field("body", name),
                f"template parameter name {name!r} is invalid: Meta takes lowercase a-z and "
                "'_' only, at most 20 characters",
                provider=rules.provider,
            )
        parameters.append(_parameter(value, "body", name, limit, rules))
    return TemplateComponent(type="body", parameters=parameters)


# -- buttons: the parameter each sub_type carries ------------------------------------------------
_BUTTON_PARAMETERS: dict[str, Callable[[str], TemplateParameter]] = {
    "quick_reply": lambda value: TemplateParameter(type="payload", payload=value),
    "url": lambda value: TemplateParameter(type="text", text=value),  # the URL's suffix
    "copy_code": lambda value: TemplateParameter(type="coupon_code", coupon_code=value),
}


def _button(position: int, button: Any, rules: TemplateRules) -> TemplateComponent:
    if not isinstance(button, TemplateButton):
        field = f"template.buttons[{position}]"
        raise invalid(
            field,
            f"{field} must be a TemplateButton, got {type(button).__name__}",
            provider=rules.provider,
        )
    make = _BUTTON_PARAMETERS.get(button.sub_type)
    index = position if button.index is None else button.index
    value = button.value
    if (
        make is None
        or isinstance(index, bool)
        or not isinstance(index, int)
        or not 0 <= index <= TEMPLATE_BUTTON_INDEX_MAX
        or not isinstance(value, str)
        or not value.strip()
    ):
        _refuse_button(position, button, index, rules.provider)
    return TemplateComponent(
        type="button", sub_type=button.sub_type, index=str(index), parameters=[make(value)]
    )


def _refuse_button(position: int, button: TemplateButton, index: Any, provider: str) -> NoReturn:
    """Raise the first thing wrong with ``button`` (checked here, off the hot path)."""
    field = f"template.buttons[{position}]"
    if button.sub_type not in _BUTTON_PARAMETERS:
        raise invalid(
            f"{field}.sub_type",
            f"{field}.sub_type must be one of {', '.join(_BUTTON_PARAMETERS)}, "
            f"got {button.sub_type!r}",
            provider=provider,
        )
    if isinstance(index, bool) or not isinstance(index, int):
        raise invalid(f"{field}.index", f"{field}.index must be an integer", provider=provider)
    if not 0 <= index <= TEMPLATE_BUTTON_INDEX_MAX:
        raise invalid(
            f"{field}.index",
            f"{field}.index is {index}; Meta's button positions run 0 to "
            f"{TEMPLATE_BUTTON_INDEX_MAX}",
            provider=provider,
        )
    check_not_blank(f"{field}.value", button.value, provider=provider)
    raise AssertionError("unreachable: _button found a problem")  # pragma: no cover


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
    header = template.header
    named = isinstance(template.body, Mapping) and bool(template.body)
    if named and isinstance(header, str):
        # Named and positional parameters cannot be mixed, and the model has no name for a
        # header parameter: say so instead of sending a body Meta will reject.
        raise invalid(
            "template.header",
            "template.header: a text header parameter cannot be combined with named body "
            "parameters (Meta needs its parameter_name); pass the raw components= instead",
            provider=rules.provider,
        )
    built: list[TemplateComponent] = []
    if header is not None:
        parameter = _parameter(header, "header", None, TEMPLATE_HEADER_TEXT_MAX, rules)
        built.append(TemplateComponent(type="header", parameters=[parameter]))
    if template.body:
        only = header is None and not template.buttons
        built.append(_body(template.body, only, rules))
    if template.buttons:
        buttons = [_button(i, b, rules) for i, b in enumerate(template.buttons)]
        check_unique(
            "template.buttons",
            (b.index or "" for b in buttons),
            "template button indexes",
            provider=rules.provider,
        )
        built.extend(buttons)
    return built or None
