"""Meta's documented payload limits, and the checks that enforce them before any request.

Every check raises :class:`whatsapp_async.errors.ValidationError` whose message names the
field and the limit, and whose ``field`` attribute is the dotted path of the offending
value (``"buttons[1].title"``). Lengths are counted in characters (Python ``len``).

Example::

    check_max_length("text.body", body, TEXT_BODY_MAX)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from whatsapp_async.provider import ValidationError

__all__ = [
    "BIZ_OPAQUE_MAX",
    "BUTTONS_BODY_MAX",
    "BUTTONS_MAX",
    "BUTTON_ID_MAX",
    "BUTTON_TITLE_MAX",
    "CAPTION_MAX",
    "CONTACTS_MAX",
    "FOOTER_MAX",
    "HEADER_TEXT_MAX",
    "LIST_BODY_MAX",
    "LIST_BUTTON_MAX",
    "LIST_ROWS_MAX",
    "LIST_SECTIONS_MAX",
    "ROW_DESCRIPTION_MAX",
    "ROW_ID_MAX",
    "ROW_TITLE_MAX",
    "SECTION_TITLE_MAX",
    "TEMPLATE_BODY_ONLY_PARAM_MAX",
    "TEMPLATE_BODY_PARAM_MAX",
    "TEMPLATE_BUTTON_INDEX_MAX",
    "TEMPLATE_HEADER_TEXT_MAX",
    "TEMPLATE_PARAM_NAME",
    "TEXT_BODY_MAX",
    "check_emoji",
    "check_max_length",
    "check_not_blank",
    "check_unique",
    "invalid",
]

PROVIDER = "meta"

# Text and media.
TEXT_BODY_MAX = 4096
CAPTION_MAX = 1024
# Reply buttons (interactive "button").
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
BUTTONS_BODY_MAX = 1024
# Shared by reply buttons and lists.
FOOTER_MAX = 60
HEADER_TEXT_MAX = 60
# Lists (interactive "list").
LIST_BODY_MAX = 4096
LIST_BUTTON_MAX = 20
LIST_SECTIONS_MAX = 10
LIST_ROWS_MAX = 10  # in total, across every section
SECTION_TITLE_MAX = 24
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
# Templates.
TEMPLATE_HEADER_TEXT_MAX = 60
TEMPLATE_BODY_PARAM_MAX = 1024
TEMPLATE_BODY_ONLY_PARAM_MAX = 32768  # when the body is the only component sent
TEMPLATE_PARAM_NAME = re.compile(r"[a-z_]{1,20}")
"""Named template parameters: lowercase a-z and underscore, 1-20 characters.

The facts (PROVIDER_FACTS §3.4, from whatsapp-api-js [G14]) allow exactly these; Meta's
OpenAPI spec says nothing about ``parameter_name``. Digits are therefore refused: a
template whose names hold digits can still be sent with ``components=``."""
TEMPLATE_BUTTON_INDEX_MAX = 9
# Contacts: the spec's ``ContactsMessage.contacts`` takes 1-5 cards.
CONTACTS_MAX = 5
# ``biz_opaque_callback_data``: an opaque string echoed in status webhooks.
BIZ_OPAQUE_MAX = 512


def invalid(field: str, message: str) -> ValidationError:
    """A ``ValidationError`` for ``field`` (the message should name the field and limit).

    Example::

        raise invalid("audio.caption", "audio.caption is not allowed: Meta ...")
    """
    return ValidationError(message, provider=PROVIDER, field=field)


def check_max_length(field: str, value: str, limit: int) -> None:
    """Raise unless ``value`` has at most ``limit`` characters.

    Example::

        check_max_length("footer", footer, FOOTER_MAX)
    """
    if len(value) > limit:
        raise invalid(
            field, f"{field} is {len(value)} characters long; Meta allows at most {limit}"
        )


def check_not_blank(field: str, value: str) -> None:
    """Raise when ``value`` is empty or only whitespace.

    Example::

        check_not_blank("buttons[0].title", title)
    """
    if not value.strip():
        raise invalid(field, f"{field} must not be empty")


def check_unique(field: str, values: Iterable[str], what: str) -> None:
    """Raise when two of ``values`` are equal (Meta rejects duplicate ids and titles).

    Example::

        check_unique("buttons", (b.id for b in buttons), "button ids")
    """
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise invalid(
                field, f"{field}: {what} must be unique within the message; {value!r} repeats"
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


def check_emoji(field: str, value: str) -> None:
    """Raise unless ``value`` is one emoji, or empty (which removes a reaction).

    Example::

        check_emoji("reaction.emoji", "👍")   # fine
        check_emoji("reaction.emoji", "ok")   # ValidationError
    """
    if value == "":
        return
    if len(value) > 32 or not _is_single_emoji(value):
        raise invalid(
            field,
            f"{field} must be a single emoji (or empty to remove the reaction), got {value[:12]!r}",
        )
