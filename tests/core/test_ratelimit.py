"""The GCRA token bucket, checked with an explicit clock (no sleeping)."""

from __future__ import annotations

import pytest

from whatsapp_async import RateLimiter, Text, TokenBucket
from whatsapp_async._adaptive import AdaptiveLimiter
from whatsapp_async.testing import Sandbox


def test_burst_then_steady_rate() -> None:
    bucket = TokenBucket(rate=10, burst=3)
    waits = [bucket.delay_for("k", now=0.0) for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == pytest.approx([0.1, 0.2, 0.3])


def test_keys_are_independent_and_idle_time_refills() -> None:
    bucket = TokenBucket(rate=1, burst=1)
    assert bucket.delay_for("a", now=0.0) == 0.0
    assert bucket.delay_for("a", now=0.0) == pytest.approx(1.0)
    assert bucket.delay_for("b", now=0.0) == 0.0
    assert bucket.delay_for("a", now=10.0) == 0.0


def test_pair_spacing_shape() -> None:
    pair = TokenBucket(rate=1 / 6, burst=1)
    assert [pair.delay_for("u", now=0.0) for _ in range(3)] == pytest.approx([0.0, 6.0, 12.0])


def test_invalid_rate() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0)


class CountingLimiter:
    def __init__(self) -> None:
        self.keys: list[str] = []

    async def acquire(self, key: str) -> None:
        self.keys.append(key)


async def test_client_uses_a_custom_limiter_per_attempt(sb: Sandbox) -> None:
    limiter = CountingLimiter()
    pairs = CountingLimiter()
    assert isinstance(limiter, RateLimiter)
    wa = sb.client("toy", rate_limit=limiter, pair_spacing=pairs)
    await wa.send("+14155552671", Text("x"))
    await wa.send("+14155552672", Text("x"))
    assert limiter.keys == ["toy:toy", "toy:toy"]
    assert pairs.keys == ["toy:toy:+14155552671", "toy:toy:+14155552672"]


async def test_rate_limit_none_disables_limiting(sb: Sandbox) -> None:
    wa = sb.client("toy", rate_limit=None)
    assert wa._limiter is None
    wa2 = sb.client("toy", rate_limit=5)
    # A number is a ceiling that still backs off when throttled.
    assert isinstance(wa2._limiter, AdaptiveLimiter)
    assert wa2._limiter.rate == 5 and wa2._limiter.ceiling == 5
