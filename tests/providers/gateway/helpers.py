"""Shared helpers of the gateway tests: valid phone numbers and the fixture files."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def numbers(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct valid US numbers in E.164 (415 area code, exchanges 200-999)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        number = f"+1415{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        if number not in seen:
            seen.add(number)
            out.append(number)
    return out


def fixture_bytes(name: str) -> bytes:
    """The raw bytes of ``fixtures/<name>``."""
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    """``fixtures/<name>`` decoded."""
    return json.loads(fixture_bytes(name))
