"""Checks every message constructor runs: types, encodable text, more than invisible characters.

msgspec Structs do not check types when built in Python, so ``Image(link=123)`` would only
fail deep inside a provider with an ``AttributeError``. These helpers make every constructor
raise :class:`ValidationError` (naming the field) for a wrong type, for text that cannot be
encoded as UTF-8 (a lone surrogate), and for text made only of whitespace and invisible
characters (zero-width spaces, joiners, direction marks, fillers), which WhatsApp would show
as an empty bubble or refuse.

Example::

    >>> text("\\u200b\\u200b", "text.body")
    Traceback (most recent call last):
    ...
    whatsapp_async.errors.ValidationError: text.body has no visible character
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from ..errors import ValidationError

__all__ = ["flag", "items", "optional_text", "text", "visible"]

T = TypeVar("T")

# Characters that render as nothing but are not in a format/space category.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})


def visible(value: str) -> bool:
    """Whether ``value`` has at least one character that shows (not space, not invisible).

    Example::

        >>> visible(" hi "), visible("\\u200d\\ufeff")
        (True, False)
    """
    stripped = value.strip()
    if not stripped:
        return False
    if stripped.isascii():
        return any(" " < ch < "\x7f" for ch in stripped)
    for ch in stripped:
        if ch not in _FILLERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES:
            return True
    return False


def text(value: Any, field: str, *, blank: bool = False) -> str:
    """``value`` when it is a string WhatsApp can carry; else a ``ValidationError``.

    ``blank=True`` allows an empty or invisible string (captions, section titles).

    Example::

        >>> text("Ada", "template.body[0]")
        'Ada'
    """
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string, got {type(value).__name__}", field=field)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                f"{field} cannot be encoded as UTF-8 (a lone surrogate?)", field=field
            ) from None
    if not blank and not visible(value):
        raise ValidationError(
            f"{field} has no visible character" if value else f"{field} must not be empty",
            field=field,
        )
    return value


def optional_text(value: Any, field: str, *, blank: bool = False) -> str | None:
    """Like :func:`text`, but None is allowed.

    Example::

        >>> optional_text(None, "buttons.footer") is None
        True
    """
    return None if value is None else text(value, field, blank=blank)


def flag(value: Any, field: str) -> bool:
    """``value`` when it is a bool.

    Example::

        >>> flag(True, "text.preview_url")
        True
    """
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be True or False, got {value!r:.20}", field=field)
    return value


def items(
    value: Any, kind: type[T] | tuple[type[Any], ...], field: str, *, at_least: int = 0
) -> Sequence[T]:
    """``value`` when it is a list or tuple of ``kind`` with at least ``at_least`` items.

    ``kind`` may be a tuple of types, as for ``isinstance``.

    Example::

        >>> len(items([1, 2], int, "numbers"))
        2
    """
    kinds = kind if isinstance(kind, tuple) else (kind,)
    name = " or ".join(k.__name__ for k in kinds)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise ValidationError(
            f"{field} must be a list of {name}, got {type(value).__name__}", field=field
        )
    for position, item in enumerate(value):
        if not isinstance(item, kinds):
            raise ValidationError(
                f"{field}[{position}] must be a {name}, got {type(item).__name__}",
                field=field,
            )
    if len(value) < at_least:
        raise ValidationError(f"{field} needs at least {at_least} {name}", field=field)
    return value


def local_file(value: Any, field: str) -> str | bytes | None:
    """A path (str or PathLike, returned as str) or bytes; None stays None.

    Example::

        >>> local_file(b"...", "image.file")
        b'...'
    """
    if value is None or isinstance(value, (str, bytes)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)  # type: ignore[no-any-return]
    raise ValidationError(
        f"{field} must be a path or bytes, got {type(value).__name__}", field=field
    )
