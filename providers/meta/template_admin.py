"""Template management: the checked body of a template creation, and what comes back.

Reached through the provider-specific operations (Meta's WhatsApp Business Account
endpoint ``/{waba-id}/message_templates``)::

    created = await wa.call("create_template", "order_update", "en_US", "UTILITY",
                            [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped.",
                              "example": {"body_text": [["Ada", "#1234"]]}}])
    created.id, created.status  # ('1689556908129832', 'PENDING')
    await wa.call("delete_template", "order_update")

What is checked before any request: the name (lowercase letters, digits and ``_``, at
most 512 characters, as Meta requires of template names), a non-empty language, the
category (``AUTHENTICATION``, ``MARKETING`` or ``UTILITY``, any case), a non-empty list of
JSON-object components each with a ``type``, and ``parameter_format`` (``NAMED`` or
``POSITIONAL``). Component contents are Meta's to judge.

Example::

    body = create_body("order_update", "en_US", "utility", [{"type": "BODY", "text": "Hi"}])
    body.category  # 'UTILITY'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from whatsapp_async.provider import ValidationError

from .wire import ENCODER, TemplateCreateRequest

__all__ = ["CATEGORIES", "CreatedTemplate", "check_template_name", "create_body"]

PROVIDER = "meta"
CATEGORIES = frozenset({"AUTHENTICATION", "MARKETING", "UTILITY"})
PARAMETER_FORMATS = frozenset({"NAMED", "POSITIONAL"})
_NAME = re.compile(r"[a-z0-9_]{1,512}")


class CreatedTemplate(msgspec.Struct, frozen=True, kw_only=True):
    """A template Meta accepted for review: its id, review status and category.

    Example::

        created = await wa.call("create_template", "promo", "en_US", "MARKETING", components)
        created.status  # 'PENDING' (or 'APPROVED')
    """

    id: str
    status: str | None = None
    category: str | None = None
    raw: Any = None


def _invalid(field: str, text: str) -> ValidationError:
    return ValidationError(f"meta: {text}", provider=PROVIDER, field=field)


def check_template_name(name: Any) -> str:
    """``name`` if Meta accepts it as a template name; ``ValidationError`` otherwise.

    Example::

        check_template_name("order_update")  # 'order_update'
        check_template_name("Order Update")  # ValidationError
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _invalid(
            "name",
            "a template name is 1-512 lowercase letters, digits and underscores, "
            f"got {str(name)[:40]!r}",
        )
    return name


def create_body(
    name: str,
    language: str,
    category: str,
    components: Sequence[Mapping[str, Any]],
    *,
    parameter_format: str | None = None,
    allow_category_change: bool | None = None,
) -> TemplateCreateRequest:
    """The checked creation body; raises ``ValidationError`` before any request.

    Example::

        create_body("promo", "en_US", "MARKETING", [{"type": "BODY", "text": "20% off"}])
    """
    check_template_name(name)
    if not isinstance(language, str) or not language.strip():
        raise _invalid("language", "a template needs a language code like 'en_US'")
    upper = category.upper() if isinstance(category, str) else ""
    if upper not in CATEGORIES:
        raise _invalid(
            "category", f"category must be one of {', '.join(sorted(CATEGORIES))}, got {category!r}"
        )
    if isinstance(components, (str, bytes, Mapping)) or not isinstance(components, Sequence):
        raise _invalid("components", "components must be a list of component objects")
    plain: list[dict[str, Any]] = []
    for index, component in enumerate(components):
        if not isinstance(component, Mapping) or not isinstance(component.get("type"), str):
            raise _invalid(
                f"components[{index}]", f"components[{index}] must be an object with a 'type'"
            )
        plain.append(dict(component))
    if not plain:
        raise _invalid("components", "a template needs at least a BODY component")
    try:
        ENCODER.encode(plain)
    except (TypeError, msgspec.EncodeError) as exc:
        raise _invalid("components", f"components must hold JSON values only ({exc})") from None
    fmt = None
    if parameter_format is not None:
        fmt = parameter_format.upper() if isinstance(parameter_format, str) else ""
        if fmt not in PARAMETER_FORMATS:
            raise _invalid("parameter_format", "parameter_format must be NAMED or POSITIONAL")
    if allow_category_change is not None and not isinstance(allow_category_change, bool):
        raise _invalid("allow_category_change", "allow_category_change must be a boolean")
    return TemplateCreateRequest(
        name=name,
        language=language,
        category=upper,
        components=plain,
        parameter_format=fmt,
        allow_category_change=allow_category_change,
    )
