"""Check a ``Template`` send against the approved template before any request.

Every peer SDK lets Meta reject a parameter-count mismatch (132000) at send
time; with ``WhatsApp(..., check_templates=True)`` the client fetches the
provider's template listing (cached) and raises :class:`TemplateMismatch` naming
what is wrong: an unknown name or language, a template that is not approved,
the wrong number of positional parameters, wrong parameter names, a header of
the wrong format, a button index the template does not have or of another type, cards sent
to a template that is no carousel (or none to one that is), an offer sent to a template
without one. A one-time password (``otp=``) must fill a one-parameter body and a code
button. The cards themselves are not compared: the listing does not describe them.

Example::

    info = TemplateInfo(name="order_update", language="en_US", status="APPROVED",
                        components=[TemplateComponentInfo(type="BODY", text="Hi {{1}}, {{2}}")])
    check_template(Template("order_update", body=["Ada"]), info, provider="meta")
    # TemplateMismatch: template 'order_update' (en_US) body takes 2 parameters, got 1
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import TemplateMismatch
from .messages import Currency, Document, Image, Location, ProductHeader, Template, Video
from .results import TemplateComponentInfo, TemplateInfo

__all__ = ["check_template", "placeholders"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_HEADER_TYPES: dict[str, type] = {
    "IMAGE": Image,
    "VIDEO": Video,
    "DOCUMENT": Document,
    "LOCATION": Location,
    "PRODUCT": ProductHeader,
}
_BUTTON_TYPES = {
    "quick_reply": ("QUICK_REPLY",),
    "url": ("URL", "OTP"),  # an authentication template's code button is sent as a url button
    "copy_code": ("COPY_CODE",),
    "flow": ("FLOW",),
    "catalog": ("CATALOG",),
    "mpm": ("MPM",),
}


def placeholders(text: str | None) -> list[str]:
    """The distinct placeholder names of ``text`` in order of appearance.

    Example::

        >>> placeholders("Hi {{1}}, order {{2}} ({{1}})")
        ['1', '2']
    """
    seen: list[str] = []
    for name in _PLACEHOLDER.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def _fail(template: Template, text: str, provider: str | None) -> TemplateMismatch:
    return TemplateMismatch(
        f"template {template.name!r} ({template.language}) {text}",
        provider=provider,
        template=template.name,
        language=template.language,
    )


def _component(info: TemplateInfo, kind: str) -> TemplateComponentInfo | None:
    for component in info.components:
        if component.type.upper() == kind:
            return component
    return None


def _check_parameters(
    template: Template,
    where: str,
    wanted: list[str],
    given: Sequence[Any] | Mapping[str, Any],
    provider: str | None,
) -> None:
    positional = all(name.isdigit() for name in wanted)
    if isinstance(given, Mapping):
        if wanted and positional:
            raise _fail(
                template,
                f"{where} takes {len(wanted)} positional parameters ({{{{1}}}}...), got named ones",
                provider,
            )
        missing = [n for n in wanted if n not in given]
        unknown = [n for n in given if n not in wanted]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if unknown:
                parts.append(f"unknown {', '.join(unknown)}")
            raise _fail(template, f"{where} parameters: {'; '.join(parts)}", provider)
        return
    if wanted and not positional:
        raise _fail(
            template, f"{where} takes named parameters ({', '.join(wanted)}), got a list", provider
        )
    if len(given) != len(wanted):
        raise _fail(template, f"{where} takes {len(wanted)} parameters, got {len(given)}", provider)


def _check_header(template: Template, info: TemplateInfo, provider: str | None) -> None:
    header = _component(info, "HEADER")
    given = template.header
    if header is None:
        if given is not None:
            raise _fail(template, "has no header, but header= was given", provider)
        return
    fmt = (header.format or "TEXT").upper()
    if fmt == "TEXT":
        wanted = placeholders(header.text)
        if not wanted:
            if given is not None:
                raise _fail(template, "header is fixed text and takes no parameter", provider)
            return
        if isinstance(given, Mapping):
            _check_parameters(template, "header", wanted, given, provider)
        elif not isinstance(given, (str, Currency)):
            raise _fail(template, "header takes a text parameter (header='...')", provider)
        return
    expected = _HEADER_TYPES.get(fmt)
    if expected is not None and not isinstance(given, expected):
        got = "nothing" if given is None else type(given).__name__
        raise _fail(
            template, f"header is {fmt}: pass header={expected.__name__}(...), got {got}", provider
        )


def _check_buttons(
    template: Template, info: TemplateInfo, buttons: Sequence[Any], provider: str | None
) -> None:
    component = _component(info, "BUTTONS")
    defined = component.buttons if component is not None else []
    for position, button in enumerate(buttons):
        index = position if button.index is None else button.index
        if not isinstance(index, int) or not 0 <= index < len(defined):
            raise _fail(
                template,
                f"has {len(defined)} buttons; there is no button index {index}",
                provider,
            )
        kind = str(defined[index].get("type", "")).upper()
        accepted = _BUTTON_TYPES.get(button.sub_type)
        if kind and accepted is not None and kind not in accepted:
            raise _fail(template, f"button {index} is {kind}, not {accepted[0]}", provider)


def _check_parts(template: Template, info: TemplateInfo, provider: str | None) -> None:
    """Cards and an offer go to a template that has them (and a carousel needs its cards)."""
    carousel = _component(info, "CAROUSEL") is not None
    if template.cards and not carousel:
        raise _fail(template, "is not a carousel, but cards= were given", provider)
    if carousel and not template.cards:
        raise _fail(template, "is a carousel: pass its cards=[TemplateCard(...), ...]", provider)
    if template.offer is not None and _component(info, "LIMITED_TIME_OFFER") is None:
        raise _fail(template, "is not a limited-time offer, but offer= was given", provider)


def check_template(template: Template, info: TemplateInfo | None, *, provider: str | None) -> None:
    """Raise :class:`TemplateMismatch` if ``template`` cannot fill the approved ``info``.

    ``info`` is None when the listing has no template of that name and
    language. Raw ``components=`` sends are checked for name, language and
    approval only.

    Example::

        check_template(Template("hello_world"), info, provider="meta")
    """
    if info is None:
        raise _fail(template, "is not in the provider's template listing", provider)
    if info.status is not None and info.status.upper() != "APPROVED":
        raise _fail(template, f"is {info.status}, not APPROVED", provider)
    if template.components is not None:
        return
    body = _component(info, "BODY")
    wanted = placeholders(body.text if body else None)
    if template.otp is not None:
        # The code fills the body's one parameter and the code (url) button.
        _check_parameters(template, "body", wanted, [template.otp], provider)
        _check_buttons(template, info, [_OtpButton()], provider)
        return
    _check_parameters(template, "body", wanted, template.body, provider)
    _check_header(template, info, provider)
    _check_buttons(template, info, template.buttons, provider)
    _check_parts(template, info, provider)


class _OtpButton:
    """The url button an ``otp=`` send fills (index 0)."""

    sub_type = "url"
    index = 0
