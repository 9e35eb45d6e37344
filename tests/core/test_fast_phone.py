"""The fast E.164 path gives phonenumbers' verdicts, on numbers from every region."""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from whatsapp_async import InvalidRecipient
from whatsapp_async._fast_phone import fast_e164
from whatsapp_async.recipients import _parse_phone

TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
)


def seeds() -> list[tuple[int, str]]:
    """(country code, national number) of every example number phonenumbers ships."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        examples = [phonenumbers.example_number_for_type(region, t) for t in TYPES]
        examples.append(phonenumbers.invalid_example_number(region))
        for number in examples:
            if number is not None:
                out.append((number.country_code, phonenumbers.national_significant_number(number)))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            out.append((code, phonenumbers.national_significant_number(number)))
    return out


def mutate(rng: random.Random, code: int, nsn: str, codes: list[int]) -> str:
    digits = list(nsn)
    choice = rng.randrange(7)
    if choice == 0 and digits:
        digits[rng.randrange(len(digits))] = str(rng.randrange(10))
    elif choice == 1:
        digits.insert(rng.randrange(len(digits) + 1), str(rng.randrange(10)))
    elif choice == 2 and len(digits) > 1:
        del digits[rng.randrange(len(digits))]
    elif choice == 3:
        code = rng.choice(codes)
    elif choice == 4:
        digits.insert(0, rng.choice("0189"))
    elif choice == 5:
        digits = [str(rng.randrange(10)) for _ in range(rng.randint(2, 14))]
    written = "".join(digits)
    style = rng.randrange(4)
    if style == 1:
        written = " ".join(written[i : i + 3] for i in range(0, len(written), 3))
    elif style == 2:
        written = f"({written[:3]}) {written[3:6]}-{written[6:]}"
    return f"+{code}{written}" if style != 3 else f"+{code} {written}"


def corpus(size: int, seed: int = 11) -> Iterator[str]:
    rng = random.Random(seed)
    base = seeds()
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    for code, nsn in base:
        yield f"+{code}{nsn}"
    for _ in range(size):
        code, nsn = rng.choice(base)
        yield mutate(rng, code, nsn, codes)


def phonenumbers_e164(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def test_fast_path_only_answers_what_phonenumbers_calls_valid() -> None:
    decided = valid = 0
    for text in corpus(25_000):
        expected = phonenumbers_e164(text)
        fast = fast_e164(text)
        valid += expected is not None
        if fast is not None:
            decided += 1
            assert fast == expected, text
    # It must also be useful: most valid '+' numbers are decided without phonenumbers.
    assert decided > 0.9 * valid


def test_core_parse_keeps_phonenumbers_verdicts() -> None:
    uncached = _parse_phone.__wrapped__  # type: ignore[attr-defined]
    for text in corpus(5_000, seed=3):
        expected = phonenumbers_e164(text)
        if expected is None:
            with pytest.raises(InvalidRecipient):
                uncached(text, None, "valid")
        else:
            assert uncached(text, None, "valid") == expected
