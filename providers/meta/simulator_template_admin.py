"""Template creation and deletion as the simulator's Meta answers them.

``POST /{version}/{waba-id}/message_templates`` is checked here (independently of the
SDK's ``template_admin``) and turned into a :class:`SimTemplate` that the listing shows
and sends can use at once. Problems answer Graph's code 100; a name and language that
already exist answer subcode 2388024, the 251st template subcode 2388019 (the 250-per-
account cap). Component contents are checked for shape only: one BODY (with text,
except for AUTHENTICATION templates, whose body Meta writes), at most one HEADER
(with a known ``format``, and text when that is TEXT), FOOTER and BUTTONS (with a
non-empty ``buttons`` list), and placeholders consistent with ``parameter_format``.

Example::

    template = new_template(body, book, template_id="2001", status="APPROVED")
    book.add(template)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .simulator_templates import SimTemplate, TemplateBook
from .simulator_validation import Rejection

__all__ = ["MAX_TEMPLATES", "new_template"]

MAX_TEMPLATES = 250
"""Templates one WhatsApp Business Account may hold."""

_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2,4})?")
_CATEGORIES = frozenset({"AUTHENTICATION", "MARKETING", "UTILITY"})
_COMPONENTS = frozenset({"HEADER", "BODY", "FOOTER", "BUTTONS"})
_HEADER_FORMATS = frozenset({"TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"})
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def _param(details: str, subcode: int | None = None) -> Rejection:
    return Rejection(100, details, subcode=subcode)


def _required_string(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        raise _param(f"The parameter {key} is required.")
    if not isinstance(value, str) or not value.strip():
        raise _param(f"Param {key} must be a non-empty string.")
    return value


def _component(raw: Any, index: int, category: str) -> dict[str, Any]:
    path = f"components[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise _param(f"Param {path} must be an object with a type.")
    kind = raw["type"].upper()
    if kind not in _COMPONENTS:
        raise _param(f"Param {path}.type must be one of HEADER, BODY, FOOTER, BUTTONS.")
    component = {**raw, "type": kind}
    if kind == "HEADER":
        fmt = raw.get("format")
        if not isinstance(fmt, str) or fmt.upper() not in _HEADER_FORMATS:
            formats = ", ".join(sorted(_HEADER_FORMATS))
            raise _param(f"Param {path}.format must be one of {formats}.")
        component["format"] = fmt.upper()
        if component["format"] == "TEXT" and not isinstance(raw.get("text"), str):
            raise _param(f"The parameter {path}.text is required for a TEXT header.")
    elif kind == "BODY" and category != "AUTHENTICATION":
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _param(f"The parameter {path}.text is required.")
    elif kind == "BUTTONS":
        buttons = raw.get("buttons")
        if not isinstance(buttons, list) or not buttons:
            raise _param(f"Param {path}.buttons must be a non-empty array.")
        for j, button in enumerate(buttons):
            if not isinstance(button, dict) or not isinstance(button.get("type"), str):
                raise _param(f"Param {path}.buttons[{j}] must be an object with a type.")
    return component


def _parameter_format(body: Mapping[str, Any], components: list[dict[str, Any]]) -> str:
    declared = body.get("parameter_format", "POSITIONAL")
    if not isinstance(declared, str) or declared.upper() not in ("NAMED", "POSITIONAL"):
        raise _param("Param parameter_format must be NAMED or POSITIONAL.")
    fmt = declared.upper()
    names = [
        name
        for c in components
        if c["type"] in ("HEADER", "BODY")
        for name in _PLACEHOLDER.findall(str(c.get("text", "")))
    ]
    positional = all(name.isdigit() for name in names)
    if fmt == "POSITIONAL" and not positional:
        raise _param("Named parameters ({{name}}) need parameter_format NAMED.")
    if fmt == "NAMED" and names and positional:
        raise _param("parameter_format NAMED needs named parameters ({{name}}).")
    return fmt


def new_template(body: Any, book: TemplateBook, *, template_id: str, status: str) -> SimTemplate:
    """The template a creation request describes, or raise :class:`Rejection`.

    Example::

        new_template({"name": "promo", "language": "en_US", "category": "MARKETING",
                      "components": [{"type": "BODY", "text": "20% off"}]},
                     book, template_id="2001", status="APPROVED")
    """
    if not isinstance(body, dict):
        raise _param("The request body must be a JSON object.")
    name = _required_string(body, "name")
    if not _NAME.fullmatch(name):
        raise _param("Param name may hold only lowercase letters, digits and underscores.")
    language = _required_string(body, "language")
    if not _LANGUAGE.fullmatch(language):
        raise _param(f"Param language {language[:20]!r} is not a supported language code.")
    category = _required_string(body, "category").upper()
    if category not in _CATEGORIES:
        raise _param("Param category must be one of AUTHENTICATION, MARKETING, UTILITY.")
    raw_components = body.get("components")
    if not isinstance(raw_components, list) or not raw_components:
        raise _param("The parameter components is required and must be a non-empty array.")
    components = [_component(c, i, category) for i, c in enumerate(raw_components)]
    kinds = [c["type"] for c in components]
    if kinds.count("BODY") != 1:
        raise _param("A template needs exactly one BODY component.")
    for kind in ("HEADER", "FOOTER", "BUTTONS"):
        if kinds.count(kind) > 1:
            raise _param(f"A template may have at most one {kind} component.")
    fmt = _parameter_format(body, components)
    if book.find(name, language) is not None:
        raise _param("Content in this language already exists.", subcode=2388024)
    if len(book.templates) >= MAX_TEMPLATES:
        raise _param(
            f"Message template limit of {MAX_TEMPLATES} per account reached.", subcode=2388019
        )
    return SimTemplate(
        id=template_id,
        name=name,
        language=language,
        category=category,
        components=components,
        status=status,
        parameter_format=fmt,
    )
