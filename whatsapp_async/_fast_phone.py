"""A fast path for the common phone input: ``+``, country code, national number.

``phonenumbers.parse`` + ``is_valid_number`` + ``format_number`` costs ~25-30 µs
for a number not seen before, most of it generic parsing (extensions, RFC 3966,
letters, IDD handling) and finding compiled patterns again. For ``+`` followed
by digits (spaces, hyphens, dots and parentheses allowed), the verdict only
needs phonenumbers' own metadata, so this module compiles, once per country
calling code and from that metadata, one regular expression per (region,
national-number length): the union of the region's valid number types. It
replays phonenumbers' decisions exactly:

- the country code is the first 1-3 digits phonenumbers knows as one;
- the national number is taken as written only if the main region's
  national-prefix rule would leave it unchanged; anything that rule could strip
  or transform is left to phonenumbers;
- validity is ``is_valid_number``'s: the general description (length and
  pattern) and at least one number type; for a calling code shared by several
  regions, the first region whose ``leading_digits`` match (or, without them,
  which validates the number) decides, as ``region_code_for_number`` does;
- the E.164 form is ``+`` and the digits.

``fast_e164`` answers only when it proves a number valid; ``None`` means
"ask phonenumbers", which then decides as before (verdicts and messages stay
phonenumbers'). ``tests/core/test_fast_phone.py`` checks the equivalence on a
corpus of valid and invalid numbers from every region; the speed is in
``benchmarks/``.

Example::

    >>> fast_e164("+1 (415) 555-2671")
    '+14155552671'
    >>> fast_e164("020 7946 0958") is None   # national format: phonenumbers decides
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

__all__ = ["fast_e164", "rules_for"]

_TYPE_FIELDS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
_NON_GEO = "001"
_SEPARATORS = str.maketrans("", "", " -.()")
_MAX_INPUT = 250  # phonenumbers' _MAX_INPUT_STRING_LENGTH
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' _MIN_LENGTH_FOR_NSN / _MAX_LENGTH_FOR_NSN


@dataclass(frozen=True)
class _Region:
    leading_digits: re.Pattern[str] | None
    by_length: dict[int, re.Pattern[str]]

    def is_valid(self, nsn: str) -> bool:
        pattern = self.by_length.get(len(nsn))
        return pattern is not None and pattern.fullmatch(nsn) is not None


@dataclass(frozen=True)
class _CallingCode:
    regions: tuple[_Region, ...]
    national_prefix: re.Pattern[str] | None
    has_transform: bool

    def is_valid(self, nsn: str) -> bool:
        regions = self.regions
        if len(regions) == 1:  # region_code_for_number skips leading_digits for a single region
            return regions[0].is_valid(nsn)
        for region in regions:
            if region.leading_digits is not None:
                if region.leading_digits.match(nsn):
                    return region.is_valid(nsn)
            elif region.is_valid(nsn):
                return True
        return False

    def keeps_as_written(self, nsn: str) -> bool:
        """True when phonenumbers' national-prefix stripping cannot change ``nsn``."""
        prefix = self.national_prefix
        if prefix is None:
            return True
        match = prefix.match(nsn)
        if match is None:
            return True
        if match.end() > 0:
            return False
        groups = match.groups()
        return not (self.has_transform and groups and groups[-1] is not None)


def _metadata(calling_code: int, region: str) -> PhoneMetadata | None:
    if region == _NON_GEO:
        return PhoneMetadata.metadata_for_nongeo_region(calling_code)
    return PhoneMetadata.metadata_for_region(region)


def _compile_region(metadata: PhoneMetadata) -> _Region:
    general = metadata.general_desc
    by_length: dict[int, re.Pattern[str]] = {}
    if general is not None and general.national_number_pattern:
        for length in general.possible_length:
            alternatives = [
                desc.national_number_pattern
                for desc in (getattr(metadata, field) for field in _TYPE_FIELDS)
                if desc is not None
                and desc.national_number_pattern
                and (not desc.possible_length or length in desc.possible_length)
            ]
            if alternatives:
                union = "|".join(f"(?:{alt})" for alt in alternatives)
                # fullmatch of "(?=general\Z)(?:t1|t2|...)": the general pattern and some type.
                by_length[length] = re.compile(
                    rf"(?=(?:{general.national_number_pattern})\Z)(?:{union})"
                )
    leading = re.compile(metadata.leading_digits) if metadata.leading_digits else None
    return _Region(leading_digits=leading, by_length=by_length)


@cache
def rules_for(calling_code: int) -> _CallingCode | None:
    """The compiled rules of one country calling code (built on first use), or None.

    Example::

        rules_for(44).is_valid("2079460958")  # True
    """
    region_codes = COUNTRY_CODE_TO_REGION_CODE.get(calling_code)
    if not region_codes:
        return None
    regions = []
    for code in region_codes:
        metadata = _metadata(calling_code, code)
        if metadata is None:
            return None  # phonenumbers would skip it; too unusual for the fast path
        regions.append(_compile_region(metadata))
    main_region = phonenumbers.region_code_for_country_code(calling_code)
    main = PhoneMetadata.metadata_for_region_or_calling_code(calling_code, main_region)
    prefix = main.national_prefix_for_parsing if main is not None else None
    transform = main.national_prefix_transform_rule if main is not None else None
    return _CallingCode(
        regions=tuple(regions),
        national_prefix=re.compile(prefix) if prefix else None,
        has_transform=bool(transform),
    )


_CALLING_CODES = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}
"""Country calling codes by their digits (no leading zeros, so equal to phonenumbers' int test)."""


def _split_calling_code(digits: str) -> tuple[int, str] | None:
    if digits[0] == "0":
        return None
    codes = _CALLING_CODES
    for size in (1, 2, 3):
        code = codes.get(digits[:size])
        if code is not None:
            return code, digits[size:]
    return None


def fast_e164(candidate: str) -> str | None:
    """The E.164 form of ``candidate`` if it is ``+``-prefixed and valid, else None (undecided).

    None never means invalid: it means "ask phonenumbers".

    Example::

        >>> fast_e164("+44 20 7946 0958")
        '+442079460958'
    """
    if len(candidate) > _MAX_INPUT or not candidate.startswith("+"):
        return None
    digits = candidate[1:]
    if not (digits.isascii() and digits.isdigit()):  # translate only when there is something to
        digits = digits.translate(_SEPARATORS)
        if not (digits.isascii() and digits.isdigit()):
            return None
    if len(digits) < 3:
        return None
    split = _split_calling_code(digits)
    if split is None:
        return None
    code, nsn = split
    if not _MIN_NSN <= len(nsn) <= _MAX_NSN:
        return None
    rules = rules_for(code)
    if rules is None or not rules.keeps_as_written(nsn) or not rules.is_valid(nsn):
        return None
    return "+" + digits
