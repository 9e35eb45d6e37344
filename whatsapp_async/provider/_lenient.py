"""Lenient conversion of webhook items: a field of an unexpected type degrades that field.

``msgspec.convert`` refuses a whole object when one field has the wrong type; a webhook item
must not be lost for that (an integer ``timestamp`` where the docs say a string, an object
where a string was expected). :func:`convert_leniently` first tries the strict conversion
(the fast, usual path), then converts field by field: a field that does not fit is left at its
default, nested Structs are converted the same way, and a list of Structs keeps the items
that can be read.

Example::

    >>> class Item(msgspec.Struct):
    ...     id: str
    ...     timestamp: str | None = None
    >>> convert_leniently({"id": "x", "timestamp": {"odd": 1}}, Item)
    Item(id='x', timestamp=None)
    >>> convert_leniently({"id": 7}, Item) is None   # a required field cannot be read
    True
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar, Union

import msgspec

__all__ = ["convert_leniently"]

T = TypeVar("T")

_MISSING = object()


def convert_leniently(value: Any, type_: type[T]) -> T | None:
    """``value`` (a JSON object) as the Struct ``type_``, degrading fields that do not fit.

    None when ``value`` is not an object, or a field without a default cannot be read.
    """
    if not isinstance(value, dict):
        return None
    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError:
        pass
    return _by_field(value, type_)


def _by_field(value: dict[str, Any], type_: type[T]) -> T | None:
    kwargs: dict[str, Any] = {}
    for field in msgspec.structs.fields(type_):  # type: ignore[arg-type]
        if field.encode_name not in value:
            if field.required:
                return None
            continue
        converted = _field_value(value[field.encode_name], field.type)
        if converted is _MISSING:
            if field.required:
                return None
            continue
        kwargs[field.name] = converted
    try:
        return type_(**kwargs)
    except (TypeError, ValueError, msgspec.ValidationError):
        return None


def _field_value(raw: Any, annotation: Any) -> Any:
    try:
        return msgspec.convert(raw, annotation)
    except (msgspec.ValidationError, TypeError):
        pass
    # A nested Struct (optional or not) or a list of them: keep what can be read.
    for option in _options(annotation):
        if (
            isinstance(option, type)
            and issubclass(option, msgspec.Struct)
            and isinstance(raw, dict)
        ):
            nested = _by_field(raw, option)
            if nested is not None:
                return nested
        if typing.get_origin(option) is list and isinstance(raw, list):
            (item_type,) = typing.get_args(option) or (Any,)
            if isinstance(item_type, type) and issubclass(item_type, msgspec.Struct):
                items = [convert_leniently(item, item_type) for item in raw]
                return [item for item in items if item is not None]
    return _MISSING


def _options(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return (annotation,)
