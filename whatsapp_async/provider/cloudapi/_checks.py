"""The checks that enforce Meta's limits before any request, for whichever provider sends.

Each raises :class:`~whatsapp_async.errors.ValidationError` carrying the provider's name
(``provider=``), a message that names the field and the limit, and ``field``, the dotted
path of the offending value (``"buttons[1].title"``). The limits are Meta's whoever relays
them, so the messages say "Meta allows".

Example::

    >>> check_max_length("text.body", "hi", 4096, provider="meta")
    >>> try:
    ...     check_not_blank("buttons[0].title", " ", provider="magpipe")
    ... except ValidationError as error:
    ...     error.provider, error.field
    ('magpipe', 'buttons[0].title')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...errors import ValidationError

__all__ = ["check_emoji", "check_max_length", "check_not_blank", "check_unique", "invalid"]


def invalid(field: str, message: str, *, provider: str) -> ValidationError:
    """A ``ValidationError`` for ``field`` (the message should name the field and the limit).

    Example::

        raise invalid("audio.caption", "audio.caption is not allowed: ...", provider="meta")
    """
    return ValidationError(message, provider=provider, field=field)


def check_max_length(field: str, value: str, limit: int, *, provider: str) -> None:
    """Raise unless ``value`` has at most ``limit`` characters.

    Example::

        check_max_length("footer", footer, FOOTER_MAX, provider="meta")
    """
    if len(value) > limit:
        raise invalid(
            field,
            f"{field} is {len(value)} characters long; Meta allows at most {limit}",
            provider=provider,
        )


def check_not_blank(field: str, value: Any, *, provider: str) -> None:
    """Raise unless ``value`` is a string with something besides whitespace.

    Example::

        check_not_blank("buttons[0].title", title, provider="meta")
    """
    if not isinstance(value, str):
        # Structs do not check their field types: a None here must not become AttributeError.
        raise invalid(
            field, f"{field} must be a string, got {type(value).__name__}", provider=provider
        )
    if not value.strip():
        raise invalid(field, f"{field} must not be empty", provider=provider)


def check_unique(field: str, values: Iterable[str], what: str, *, provider: str) -> None:
    """Raise when two of ``values`` are equal (Meta rejects duplicate ids, titles, indexes).

    Example::

        check_unique("buttons", (b.id for b in buttons), "button ids", provider="meta")
    """
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise invalid(
                field,
                f"{field}: {what} must be unique within the message; {value!r} repeats",
                provider=provider,
            )
        seen.add(value)


# Code points that render as an emoji (base characters), modifiers that may follow one, and
# joiners. This is a close approximation of Unicode's emoji properties, enough to tell one
# emoji (including ZWJ sequences, skin tones, flags and keycaps) from text or several emoji.
_EMOJI_BASE_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2300, 0x23FF),
    (0x2B00, 0x2BFF),
    (0x2190, 0x21FF),
    (0x2900, 0x297F),
    (0x25A0, 0x25FF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x24C2, 0x24C2),
)
_REGIONAL_INDICATORS = (0x1F1E6, 0x1F1FF)
_ZWJ = 0x200D
_KEYCAP = 0x20E3
_KEYCAP_BASES = frozenset("0123456789#*")
_EMOJI_MAX = 32
"""Longer than any real emoji sequence: a cheap first refusal of text."""


def _in(cp: int, lo_hi: tuple[int, int]) -> bool:
    return lo_hi[0] <= cp <= lo_hi[1]


def _is_modifier(cp: int) -> bool:
    # Variation selectors, skin tones, tag characters (subdivision flags) and the keycap mark.
    return cp in (0xFE0E, 0xFE0F, _KEYCAP) or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F


def _is_single_emoji(text: str) -> bool:
    cps = [ord(ch) for ch in text]
    if len(cps) == 2 and all(_in(cp, _REGIONAL_INDICATORS) for cp in cps):
        return True  # a flag
    if text[0] in _KEYCAP_BASES:
        return text[1:] in ("\u20e3", "\ufe0f\u20e3")
    parts: list[list[int]] = [[]]
    for cp in cps:
        if cp == _ZWJ:
            parts.append([])
        else:
            parts[-1].append(cp)
    for part in parts:
        if not part:
            return False  # a joiner at an end, or two in a row
        base, *modifiers = part
        if _in(base, _REGIONAL_INDICATORS) or not any(_in(base, r) for r in _EMOJI_BASE_RANGES):
            return False
        if not all(_is_modifier(cp) for cp in modifiers):
            return False
    return True


def check_emoji(field: str, value: str, *, provider: str) -> None:
    """Raise unless ``value`` is one emoji, or empty (which removes a reaction).

    Example::

        check_emoji("reaction.emoji", "👍", provider="meta")   # fine
        check_emoji("reaction.emoji", "ok", provider="meta")   # ValidationError
    """
    if value == "":
        return
    if len(value) > _EMOJI_MAX or not _is_single_emoji(value):
        raise invalid(
            field,
            f"{field} must be a single emoji (or empty to remove the reaction), got {value[:12]!r}",
            provider=provider,
        )
