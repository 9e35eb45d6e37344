"""The core's fast E.164 path against phonenumbers: equivalence on a large corpus, and speed.

``whatsapp_async.fast_phone.fast_e164`` decides ``+``-prefixed numbers from precompiled tables
of phonenumbers' own metadata and leaves everything else to phonenumbers. This checks, on a
corpus of valid and invalid numbers from every region phonenumbers knows (its example numbers
for every number type, the non-geographic entities, random national numbers of every possible
length for the calling codes shared by several regions, and random mutations: digits varied,
inserted, deleted, national prefixes added, country codes swapped; written as E.164, spaced,
``00``-prefixed, bare digits, national with a region, with letters, extensions, ``tel:``,
fullwidth digits):

1. soundness of the fast path: whenever ``fast_e164(s)`` answers, phonenumbers parses ``s``,
   calls it valid and formats it to the same E.164 string;
2. the whole recipient parser: ``whatsapp_async.recipients._parse_phone`` gives exactly the
   outcome it gives with the fast path switched off (phonenumbers only): the same string, or
   ``InvalidRecipient`` with the same message, in both validation modes.

It also reports how often the fast path decides (its coverage of the valid numbers written in
E.164) and the time per distinct valid number, uncached, with and without it.

``python -m benchmarks.e164 [--cases N]`` prints a summary and one JSON line; the exit status
is 1 if any case differs (a report, not a test: ``tests/core/test_fast_phone.py`` is the test).

Example::

    python -m benchmarks.e164 --cases 200000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType

__all__ = ["corpus", "fast_path_off", "main", "measure_speed", "run_check"]

_TYPES = (
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
_DIGITS = "0123456789"
# Fullwidth digits (U+FF10..U+FF19), which phonenumbers reads as digits.
_FULLWIDTH = str.maketrans(_DIGITS, "".join(chr(0xFF10 + d) for d in range(10)))


def _seeds() -> list[tuple[int, str, str]]:
    """(country code, national significant number, region) of every example number."""
    seeds = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        numbers = [phonenumbers.example_number_for_type(region, kind) for kind in _TYPES]
        numbers.append(phonenumbers.invalid_example_number(region))
        for number in numbers:
            if number is not None:
                nsn = phonenumbers.national_significant_number(number)
                seeds.append((int(number.country_code or 0), nsn, region))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            seeds.append((code, phonenumbers.national_significant_number(number), "001"))
    return seeds


def _possible_lengths(region: str, code: int) -> tuple[int, ...]:
    metadata = (
        PhoneMetadata.metadata_for_nongeo_region(code)
        if region == "001"
        else PhoneMetadata.metadata_for_region(region)
    )
    if metadata is None or metadata.general_desc is None:
        return (8,)
    return tuple(n for n in metadata.general_desc.possible_length if n > 0) or (8,)


def _national_prefix(region: str) -> str:
    metadata = PhoneMetadata.metadata_for_region(region) if region != "001" else None
    return (metadata.national_prefix if metadata is not None else None) or "0"


def _mutate(rng: random.Random, code: int, nsn: str, region: str, codes: list[int]) -> str:
    """A national number near ``nsn``: valid or not, as a user might have it."""
    choice = rng.randrange(10)
    if choice == 0 or not nsn:
        return nsn
    if choice in (1, 2):  # vary the last digits (mostly stays valid)
        k = rng.randint(1, min(6, len(nsn)))
        return nsn[:-k] + "".join(rng.choice(_DIGITS) for _ in range(k))
    if choice == 3:  # one digit changed anywhere
        at = rng.randrange(len(nsn))
        return nsn[:at] + rng.choice(_DIGITS) + nsn[at + 1 :]
    if choice == 4:  # one digit inserted or deleted
        at = rng.randrange(len(nsn) + 1)
        if rng.random() < 0.5:
            return nsn[:at] + rng.choice(_DIGITS) + nsn[at:]
        return nsn[:at] + nsn[at + 1 :]
    if choice == 5:  # the national prefix written after the country code ("+44 0 20 ...")
        return _national_prefix(region) + nsn
    if choice == 6:  # truncated or extended
        if rng.random() < 0.5:
            return nsn[: rng.randint(0, len(nsn))]
        return nsn + "".join(rng.choice(_DIGITS) for _ in range(rng.randint(1, 6)))
    # random national numbers of a possible length (exercises shared calling codes' regions)
    length = rng.choice(_possible_lengths(region, code))
    return "".join(rng.choice(_DIGITS) for _ in range(length))


def _group(rng: random.Random, digits: str) -> str:
    out, at = [], 0
    while at < len(digits):
        step = rng.randint(1, 4)
        out.append(digits[at : at + step])
        at += step
    separator = rng.choice([" ", "-", ".", " - "])
    text = separator.join(out)
    if len(out) > 2 and rng.random() < 0.3:
        text = f"({out[0]}) " + separator.join(out[1:])
    return text


def _write(rng: random.Random, code: int, nsn: str, region: str) -> tuple[str, str | None]:
    """One written form of (code, nsn) and the default region passed with it."""
    choice = rng.randrange(20)
    full = f"{code}{nsn}"
    if choice < 8:
        return "+" + full, None
    if choice < 11:
        return f"+{code} {_group(rng, nsn)}", None
    if choice == 11:
        return "00" + full, None
    if choice == 12:
        return full, None
    if choice == 13 and region != "001":  # national format with the default region
        return _national_prefix(region) + _group(rng, nsn), region
    if choice == 14:
        return "+" + full, rng.choice(["US", "GB", "BR", "IN", "DE"])
    if choice == 15:
        return f"+{code} {nsn} ext. {rng.randint(1, 999)}", None
    if choice == 16:
        return f"tel:+{full}", None
    if choice == 17:
        return ("+" + full).translate(_FULLWIDTH), None
    if choice == 18:
        return "+" + full[:-2] + rng.choice(["AB", "x1", "  ", "--", "##"]), None
    return "++" + full, None


_SHARED = [c for c, r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items() if len(r) > 1]


def corpus(size: int, *, seed: int = 7) -> Iterator[tuple[str, str | None]]:
    """``size`` (text, default region) cases: examples, mutations and random numbers.

    Example::

        next(corpus(10))  # ('+12015550123', None)
    """
    rng = random.Random(seed)
    seeds = _seeds()
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    for code, nsn, _region in seeds:  # every example, as E.164, first
        yield f"+{code}{nsn}", None
    # Calling codes shared by several regions (+1, +7, +44 ...): which region decides matters,
    # so each gets random national numbers of every length its regions allow.
    for code, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
        if len(regions) > 1:
            lengths = sorted({n for r in regions for n in _possible_lengths(r, code)})
            for length in lengths:
                for _ in range(max(1, size // 2000)):
                    national = "".join(rng.choice(_DIGITS) for _ in range(length))
                    yield f"+{code}{national}", None
    for _ in range(max(0, size - len(seeds) - len(_SHARED) * 4 * max(1, size // 2000))):
        code, nsn, region = rng.choice(seeds)
        if rng.random() < 0.05:  # another country's code in front of this national number
            code = rng.choice(codes)
        if rng.random() < 0.03:  # nothing like a number at all
            yield "+" + "".join(rng.choice(_DIGITS) for _ in range(rng.randint(1, 20))), None
            continue
        yield _write(rng, code, _mutate(rng, code, nsn, region, codes), region)


def _outcome(fn: Callable[..., str], text: str, region: str | None, mode: str) -> tuple[str, str]:
    from whatsapp_async.errors import InvalidRecipient

    try:
        return "ok", fn(text, region, mode)
    except InvalidRecipient as exc:
        return "invalid", str(exc)


def _phonenumbers_e164(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@contextmanager
def fast_path_off() -> Iterator[None]:
    """Within the block, the core's recipient parser uses phonenumbers only (no fast path).

    Example::

        with fast_path_off():
            recipients._parse_phone.__wrapped__("+14155552671", None, "valid")
    """
    from whatsapp_async import recipients

    original = getattr(recipients, "fast_e164", None)
    if original is None:  # a core without the fast path: nothing to switch off
        yield
        return
    recipients.fast_e164 = _undecided  # type: ignore[attr-defined, unused-ignore]
    try:
        yield
    finally:
        recipients.fast_e164 = original  # type: ignore[attr-defined, unused-ignore]


def _undecided(candidate: str) -> str | None:
    return None


def _core_fast() -> Callable[[str], str | None]:
    from whatsapp_async._fast_phone import fast_e164

    return fast_e164


def run_check(cases: int, *, seed: int = 7) -> dict[str, Any]:
    """Compare on ``cases`` cases; the counts, the first differences and the fast-path coverage.

    Example::

        run_check(20000)["mismatches"]  # 0
    """
    from whatsapp_async import recipients

    parse = recipients._parse_phone.__wrapped__
    fast_e164 = _core_fast()
    counts = {
        "cases": 0,
        "valid": 0,
        "invalid": 0,
        "fast_answers": 0,
        "plus_e164_valid": 0,
        "plus_e164_valid_fast": 0,
        "mismatches": 0,
        "unsound": 0,
    }
    examples: list[dict[str, Any]] = []
    for text, region in corpus(cases, seed=seed):
        counts["cases"] += 1
        fast = fast_e164(text)
        expected_e164 = _phonenumbers_e164(text) if text.startswith("+") else None
        if fast is not None:
            counts["fast_answers"] += 1
            if fast != expected_e164:
                counts["unsound"] += 1
                examples.append({"text": text, "fast": fast, "phonenumbers": expected_e164})
        if expected_e164 is not None and text == expected_e164:  # valid, written as E.164
            counts["plus_e164_valid"] += 1
            counts["plus_e164_valid_fast"] += fast is not None
        for mode in ("valid", "possible") if counts["cases"] % 10 == 0 else ("valid",):
            with fast_path_off():
                want = _outcome(parse, text, region, mode)
            got = _outcome(parse, text, region, mode)
            if mode == "valid":
                counts["valid" if want[0] == "ok" else "invalid"] += 1
            if want != got:
                counts["mismatches"] += 1
                if len(examples) < 20:
                    examples.append(
                        {"text": text, "region": region, "mode": mode, "want": want, "got": got}
                    )
    coverage = counts["plus_e164_valid_fast"] / max(1, counts["plus_e164_valid"])
    return {**counts, "coverage_of_e164_valid": coverage, "examples": examples[:20]}


def measure_speed(count: int, rounds: int = 5) -> dict[str, float]:
    """µs per distinct valid number, uncached: phonenumbers, the fast path, the core's parser.

    Measurements are interleaved round by round; each figure is the median.

    Example::

        measure_speed(20000)  # {'phonenumbers_us': 24.1, 'fast_e164_us': 1.6, ...}
    """
    from whatsapp_async import recipients

    from .corpus import distinct_valid_numbers

    numbers = distinct_valid_numbers(count, seed=99)
    parse = recipients._parse_phone.__wrapped__
    fast_e164 = _core_fast()

    def phonenumbers_path() -> None:
        for text in numbers:
            number = phonenumbers.parse(text, None)
            phonenumbers.is_valid_number(number)
            phonenumbers.format_number(number, PhoneNumberFormat.E164)

    def fast_path() -> None:
        for text in numbers:
            fast_e164(text)

    def core_path() -> None:
        for text in numbers:
            parse(text, None, "valid")

    def core_without_fast_path() -> None:
        with fast_path_off():
            core_path()

    loops = {
        "phonenumbers_us": phonenumbers_path,
        "parse_phone_without_fast_path_us": core_without_fast_path,
        "fast_e164_us": fast_path,
        "parse_phone_us": core_path,
    }
    samples: dict[str, list[float]] = {name: [] for name in loops}
    for loop in loops.values():
        loop()  # first use: metadata loaded, rules compiled
    for _ in range(rounds):
        for name, loop in loops.items():
            started = time.perf_counter_ns()
            loop()
            samples[name].append((time.perf_counter_ns() - started) / len(numbers) / 1000)
    out = {name: statistics.median(values) for name, values in samples.items()}
    hits = sum(1 for text in numbers if fast_e164(text) is not None)
    out["fast_hit_rate"] = hits / len(numbers)
    out["speedup"] = out["parse_phone_without_fast_path_us"] / out["parse_phone_us"]
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the equivalence check and the speed measurement; exit 1 on any difference.

    Example::

        python -m benchmarks.e164 --cases 200000
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.e164")
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--speed-numbers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    check = run_check(args.cases, seed=args.seed)
    speed = measure_speed(args.speed_numbers)
    summary = {"check": check, "speed": speed, "seconds": time.perf_counter() - started}
    if not args.json:
        print(
            f"{check['cases']} cases ({check['valid']} valid, {check['invalid']} invalid): "
            f"{check['mismatches']} parser outcomes differing, {check['unsound']} unsound fast "
            f"answers; fast path decided {check['fast_answers']} cases, "
            f"{check['coverage_of_e164_valid']:.1%} of the valid numbers written in E.164",
            file=sys.stderr,
        )
        print(
            f"per distinct valid number: phonenumbers {speed['phonenumbers_us']:.2f} µs, "
            f"_parse_phone without the fast path {speed['parse_phone_without_fast_path_us']:.2f}"
            f" µs, fast_e164 {speed['fast_e164_us']:.2f} µs, _parse_phone "
            f"{speed['parse_phone_us']:.2f} µs ({speed['speedup']:.1f}x)",
            file=sys.stderr,
        )
        for example in check["examples"]:
            print("  differs:", example, file=sys.stderr)
    print(json.dumps(summary))
    if check["mismatches"] or check["unsound"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
