"""Recipients for the benchmarks: distinct, valid, real-shaped numbers from many regions.

A fan-out to distinct people is the case that costs the SDK most (every number is parsed and
validated once), so the benchmarks send to distinct numbers unless they say otherwise. Numbers
are made by varying the last digits of phonenumbers' example mobile numbers and kept only when
phonenumbers calls them valid; the same seed always gives the same list.

Example::

    numbers = distinct_valid_numbers(1000)
    numbers[:3]  # ['+12015954255', '+5511961503491', '+918123065491']
"""

from __future__ import annotations

import random

import phonenumbers

__all__ = ["REGIONS", "distinct_valid_numbers"]

REGIONS = (
    "US", "BR", "IN", "GB", "DE", "MX", "ID", "NG", "ES", "FR",
    "IT", "AR", "ZA", "TR", "PK", "CO", "EG", "PH", "CA", "AU",
)  # fmt: skip
"""Where the generated numbers come from, in turn (a global fan-out mix)."""

_E164 = phonenumbers.PhoneNumberFormat.E164


def _seeds() -> list[str]:
    seeds = []
    for region in REGIONS:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            seeds.append(phonenumbers.format_number(example, _E164))
    return seeds


def distinct_valid_numbers(count: int, *, seed: int = 20240611) -> list[str]:
    """``count`` distinct E.164 numbers, each valid to phonenumbers, regions interleaved.

    Example::

        len(set(distinct_valid_numbers(5000)))  # 5000
    """
    rng = random.Random(seed)
    seeds = _seeds()
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    while len(out) < count:
        base = seeds[attempts % len(seeds)]
        attempts += 1
        if attempts > count * 20:
            raise RuntimeError("could not generate enough distinct valid numbers")
        vary = min(6, len(base) - 5)
        candidate = base[:-vary] + "".join(rng.choice("0123456789") for _ in range(vary))
        if candidate in seen:
            continue
        number = phonenumbers.parse(candidate, None)
        if phonenumbers.is_valid_number(number):
            seen.add(candidate)
            out.append(candidate)
    return out
