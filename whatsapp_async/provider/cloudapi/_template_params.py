"""Header and body parameters of a template send: one table entry per parameter kind.

``_KINDS`` maps the Python type of a value to its kind (Meta's ``type``), the components it
may sit in and its builder, so a new parameter kind is one entry here (and its field on
:class:`TemplateParameter`). The media and location objects are shared with Meta's own media
messages.

Example::

    >>> from whatsapp_async.messages import DateTime
    >>> where = Where("body", "template.body", 1024)
    >>> parameter(DateTime("today"), where, 0, TemplateRules(provider="x")).date_time
    DateTimeObject(fallback_value='today')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ...errors import UnsupportedFeature
from ...messages import (
    Currency,
    DateTime,
    Document,
    Image,
    Location,
    Media,
    ProductHeader,
    Video,
)
from ._checks import check_max_length, check_not_blank, invalid
from ._limits import AMOUNT_1000_MAX, CAPTION_MAX, CURRENCY_CODE, TEMPLATE_PARAM_NAME
from ._rules import PARAMETER_KINDS, TemplateRules
from ._wire import (
    CurrencyObject,
    DateTimeObject,
    LocationObject,
    MediaObject,
    ProductObject,
    TemplateComponent,
    TemplateParameter,
)

__all__ = [
    "Where",
    "body_component",
    "location_object",
    "media_object",
    "parameter",
    "parameter_name",
]

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


# -- where a parameter sits ---------------------------------------------------------------------
_Key = int | str | None


class Where(NamedTuple):
    """Where a parameter sits: its component (``header``/``body``), the path of that component
    in error messages (``template.cards[1].body``) and the longest text it takes.

    Example::

        Where("header", "template.header", 60)
    """

    place: str
    path: str
    limit: int

    def field(self, key: _Key) -> str:
        """The dotted path of one value (spelled out only when there is an error).

        Example::

            Where("body", "template.body", 1024).field("first_name")
            # "template.body['first_name']"
        """
        return self.path if key is None else f"{self.path}[{key!r}]"


def parameter_name(key: _Key) -> str | None:
    """The ``parameter_name`` of a named value (None for a positional one).

    Example::

        >>> parameter_name("first_name"), parameter_name(0)
        ('first_name', None)
    """
    return key if isinstance(key, str) else None


def _text_value(value: str, where: Where, key: _Key, rules: TemplateRules) -> None:
    if not isinstance(value, str) or len(value) > where.limit or not value.strip():
        field = where.field(key)
        check_not_blank(field, value, provider=rules.provider)
        check_max_length(field, value, where.limit, provider=rules.provider)


# -- one builder per kind -----------------------------------------------------------------------
def _text(value: str, where: Where, key: _Key, rules: TemplateRules) -> TemplateParameter:
    _text_value(value, where, key, rules)
    return TemplateParameter(type="text", parameter_name=parameter_name(key), text=value)


def _currency(value: Currency, where: Where, key: _Key, rules: TemplateRules) -> TemplateParameter:
    field = where.field(key)
    amount = value.amount_1000
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= AMOUNT_1000_MAX:
        raise invalid(
            f"{field}.amount_1000",
            f"{field}.amount_1000 must be a positive integer of at most {AMOUNT_1000_MAX} "
            "(the amount times 1000)",
            provider=rules.provider,
        )
    if not isinstance(value.code, str) or not CURRENCY_CODE.fullmatch(value.code):
        raise invalid(
            f"{field}.code",
            f"{field}.code must be an ISO 4217 code (three capital letters), got "
            f"{str(value.code)[:10]!r}",
            provider=rules.provider,
        )
    _text_value(
        value.fallback_value,
        Where(where.place, f"{field}.fallback_value", where.limit),
        None,
        rules,
    )
    return TemplateParameter(
        type="currency",
        parameter_name=parameter_name(key),
        currency=CurrencyObject(
            fallback_value=value.fallback_value, code=value.code, amount_1000=amount
        ),
    )


def _date_time(value: DateTime, where: Where, key: _Key, rules: TemplateRules) -> TemplateParameter:
    field = where.field(key)
    _text_value(
        value.fallback_value,
        Where(where.place, f"{field}.fallback_value", where.limit),
        None,
        rules,
    )
    # Only fallback_value: Cloud API always shows it, and whether it accepts the older
    # calendar keys (day_of_week, year, ...) is UNKNOWN (facts §6.3).
    return TemplateParameter(
        type="date_time",
        parameter_name=parameter_name(key),
        date_time=DateTimeObject(fallback_value=value.fallback_value),
    )


def _media(
    value: Image | Video | Document, where: Where, key: _Key, rules: TemplateRules
) -> TemplateParameter:
    field = where.field(key)
    if value.caption:
        raise invalid(
            f"{field}.caption",
            f"{field}.caption is not allowed: a template's media header takes no caption",
            provider=rules.provider,
        )
    kind = value.kind
    if isinstance(value, Document):
        _pdf_only(value, field, rules.provider)
    media = media_object(
        value, f"{field}.{kind}", provider=rules.provider, file_hint=rules.local_file_hint
    )
    return TemplateParameter(
        type=kind,
        parameter_name=parameter_name(key),
        image=media if kind == "image" else None,
        video=media if kind == "video" else None,
        document=media if kind == "document" else None,
    )


def _pdf_only(document: Document, field: str, provider: str) -> None:
    # Meta takes PDF documents only in template headers (facts §6.3); what the document says of
    # itself is checked (a link without either is left to Meta).
    mime = (document.mime_type or "").split(";", 1)[0].strip().lower()
    name = (document.filename or "").lower()
    if (mime and mime != "application/pdf") or (name and not name.endswith(".pdf")):
        raise invalid(
            f"{field}.document",
            f"{field}: a template's document header must be a PDF "
            f"(got {document.mime_type or document.filename!r})",
            provider=provider,
        )


def _location(value: Location, where: Where, key: _Key, rules: TemplateRules) -> TemplateParameter:
    return TemplateParameter(
        type="location", parameter_name=parameter_name(key), location=location_object(value)
    )


def _product(
    value: ProductHeader, where: Where, key: _Key, rules: TemplateRules
) -> TemplateParameter:
    field = where.field(key)
    check_not_blank(f"{field}.catalog_id", value.catalog_id, provider=rules.provider)
    check_not_blank(
        f"{field}.product_retailer_id", value.product_retailer_id, provider=rules.provider
    )
    return TemplateParameter(
        type="product",
        product=ProductObject(
            product_retailer_id=value.product_retailer_id, catalog_id=value.catalog_id
        ),
    )


_Build = Callable[[Any, Where, _Key, TemplateRules], TemplateParameter]


class _Kind(NamedTuple):
    """One parameter kind: Meta's ``type``, the components it may sit in, its builder."""

    name: str
    places: frozenset[str]
    build: _Build


_HEADER = frozenset({"header"})
_BODY = frozenset({"body"})
_HEADER_AND_BODY = frozenset({"header", "body"})
_KINDS: dict[type[Any], _Kind] = {
    str: _Kind("text", _HEADER_AND_BODY, _text),
    Currency: _Kind("currency", _HEADER_AND_BODY, _currency),
    DateTime: _Kind("date_time", _BODY, _date_time),
    Image: _Kind("image", _HEADER, _media),
    Video: _Kind("video", _HEADER, _media),
    Document: _Kind("document", _HEADER, _media),
    # No live location, and only in UTILITY or MARKETING templates (facts §6.3).
    Location: _Kind("location", _HEADER, _location),
    ProductHeader: _Kind("product", _HEADER, _product),
}
"""Python type of a header/body value -> its kind."""
assert {kind.name for kind in _KINDS.values()} == PARAMETER_KINDS


def parameter(value: Any, where: Where, key: _Key, rules: TemplateRules) -> TemplateParameter:
    """The parameter for ``value`` at ``where``; ``ValidationError`` or ``UnsupportedFeature``.

    Example::

        parameter("Ada", Where("body", "template.body", 1024), 0, rules)
        # TemplateParameter(type='text', text='Ada')
    """
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = next((k for cls, k in _KINDS.items() if isinstance(value, cls)), None)
    if kind is None or where.place not in kind.places:
        allowed = ", ".join(k.name for k in _KINDS.values() if where.place in k.places)
        field = where.field(key)
        raise invalid(
            field,
            f"{field} cannot be a {type(value).__name__}: a template {where.place} parameter "
            f"is one of {allowed}",
            provider=rules.provider,
        )
    if kind.name not in rules.parameter_kinds:
        raise UnsupportedFeature(
            f"{rules.provider} documents {', '.join(sorted(rules.parameter_kinds))} template "
            f"parameters only; a {kind.name} {where.place} has no documented form (pass raw "
            "components= if it accepts one)",
            provider=rules.provider,
            feature=f"template.{where.place}.{kind.name}",
        )
    return kind.build(value, where, key, rules)


def check_name(name: Any, where: Where, rules: TemplateRules) -> None:
    """Raise unless ``name`` is a valid ``parameter_name`` (lowercase a-z and ``_``, 1-20).

    Example::

        check_name("first_name", Where("body", "template.body", 1024), rules)
    """
    if not isinstance(name, str) or not TEMPLATE_PARAM_NAME.fullmatch(name):
        raise invalid(
            where.field(name),
            f"template parameter name {name!r} is invalid: Meta takes lowercase a-z and "
            "'_' only, at most 20 characters",
            provider=rules.provider,
        )


def body_component(
    body: Sequence[Any] | Mapping[str, Any], where: Where, rules: TemplateRules
) -> TemplateComponent:
    """The ``body`` component: positional, or named (``parameter_name``) parameters.

    Example::

        body_component(["Ada"], Where("body", "template.body", 32768), rules)
    """
    if not isinstance(body, Mapping):
        if "text" in rules.parameter_kinds:
            # The common case, plain text values: what _text builds, without the dispatch.
            limit = where.limit
            positional = [
                TemplateParameter(type="text", text=value)
                if type(value) is str and len(value) <= limit and value.strip()
                else parameter(value, where, i, rules)
                for i, value in enumerate(body)
            ]
        else:
            positional = [parameter(value, where, i, rules) for i, value in enumerate(body)]
        return TemplateComponent(type="body", parameters=positional)
    parameters: list[TemplateParameter] = []
    for name, value in body.items():
        check_name(name, where, rules)
        parameters.append(parameter(value, where, name, rules))
    return TemplateComponent(type="body", parameters=parameters)
