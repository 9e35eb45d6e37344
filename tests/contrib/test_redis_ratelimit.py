"""RedisRateLimiter against a real Redis: atomic slots, one rate shared by every client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import cast

import pytest
from redis.asyncio import Redis

from whatsapp_async import Text
from whatsapp_async.contrib.redis import RedisRateLimiter
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import RedisServer
from .helpers import arrival_times, phone


@pytest.fixture
async def clients(redis_server: RedisServer, redis: Redis) -> AsyncIterator[list[Redis]]:
    """Three separate connections, as three processes would have."""
    opened = [Redis(host=redis_server.host, port=redis_server.port) for _ in range(3)]
    yield opened
    for client in opened:
        await client.aclose()


async def test_concurrent_reserves_from_three_clients_get_distinct_slots(
    clients: list[Redis],
) -> None:
    rate, burst, per_client = 4.0, 5, 20
    limiters = [RedisRateLimiter(c, rate=rate, burst=burst) for c in clients]
    started = time.monotonic()
    waits = await asyncio.gather(
        *[lim.reserve("meta:123") for lim in limiters for _ in range(per_client)]
    )
    window = time.monotonic() - started
    assert window < 0.25  # all reserved within one interval: no slot could free up meanwhile
    waits = sorted(waits)
    # Exactly one burst goes at once; every later caller has its own slot, 1/rate apart.
    assert waits.count(0.0) == burst
    for rank, wait in enumerate(waits[burst:], start=1):
        expected = rank / rate
        assert expected - window - 0.005 <= wait <= expected + 0.001, (rank, wait)


async def test_acquire_paces_callers_on_three_connections_at_the_shared_rate(
    clients: list[Redis],
) -> None:
    rate, count = 50.0, 26
    limiters = [RedisRateLimiter(c, rate=rate, burst=1, prefix="test:rate:") for c in clients]
    released: list[float] = []

    async def one(limiter: RedisRateLimiter) -> None:
        await limiter.acquire("pilot:default")
        released.append(time.monotonic())

    await asyncio.gather(*[one(limiters[i % 3]) for i in range(count)])
    released.sort()
    measured = (count - 1) / (released[-1] - released[0])
    assert abs(measured - rate) / rate < 0.1, measured


async def test_keys_use_the_prefix_and_expire_with_their_schedule(redis: Redis) -> None:
    limiter = RedisRateLimiter(redis, rate=20, burst=1, prefix="myapp:rl:")
    assert await limiter.reserve("meta:1") == 0.0
    stored = await redis.get("myapp:rl:meta:1")
    assert stored is not None
    seconds, micros = await redis.time()
    server_now_us = seconds * 1_000_000 + micros
    # The theoretical arrival time is on the server's clock: one interval (50 ms) ahead.
    assert 0 < float(stored) - server_now_us <= 50_000
    assert 0 < await redis.pttl("myapp:rl:meta:1") <= 50
    await asyncio.sleep(0.1)
    assert await redis.exists("myapp:rl:meta:1") == 0
    assert await limiter.reserve("meta:1") == 0.0  # a fresh schedule after expiry


async def test_keys_are_independent(redis: Redis) -> None:
    limiter = RedisRateLimiter(redis, rate=1, burst=1)
    assert await limiter.reserve("meta:a") == 0.0
    assert await limiter.reserve("meta:b") == 0.0
    assert await limiter.reserve("meta:a") == pytest.approx(1.0, abs=0.01)


async def test_pair_spacing_is_one_message_per_interval_per_pair(redis: Redis) -> None:
    pairs = RedisRateLimiter.pair_spacing(redis, seconds=6)
    assert pairs.rate == pytest.approx(1 / 6) and pairs.burst == 1
    assert await pairs.reserve("meta:1:+14155552671") == 0.0
    assert await pairs.reserve("meta:1:+14155552671") == pytest.approx(6.0, abs=0.01)
    assert await pairs.reserve("meta:1:+14155552672") == 0.0
    assert await redis.exists("whatsapp_async:pair:meta:1:+14155552671") == 1


def test_bad_parameters_are_refused(redis: Redis) -> None:
    with pytest.raises(ValueError):
        RedisRateLimiter(redis, rate=0)
    with pytest.raises(ValueError):
        RedisRateLimiter(redis, rate=float("inf"))
    with pytest.raises(ValueError):
        RedisRateLimiter.pair_spacing(redis, seconds=0)
    limiter = RedisRateLimiter(redis, rate=80)
    assert limiter.burst == 80
    assert repr(limiter) == (
        "RedisRateLimiter(rate=80, burst=80, prefix='whatsapp_async:rate:', timeout=1)"
    )
    with pytest.raises(ValueError):
        RedisRateLimiter(redis, rate=1, timeout=0)
    with pytest.raises(ValueError):
        RedisRateLimiter.pair_spacing(redis, timeout=float("inf"))


async def test_two_clients_share_one_rate_at_the_simulator(clients: list[Redis]) -> None:
    rate, per_client = 20.0, 8
    async with Sandbox(["pilot"]) as sb:
        sim = cast(PilotSimulator, sb.simulator("pilot"))
        sim.progress_delay = 3600
        senders = [
            sb.client("pilot", rate_limit=RedisRateLimiter(c, rate=rate, burst=1))
            for c in clients[:2]
        ]
        await asyncio.gather(
            *[
                wa.send(phone(n * per_client + i), Text(f"m{n}-{i}"))
                for n, wa in enumerate(senders)
                for i in range(per_client)
            ]
        )
    count = 2 * per_client
    times = arrival_times(sim)
    assert len(times) == count
    measured = (count - 1) / (times[-1] - times[0])
    assert abs(measured - rate) / rate < 0.1, measured


async def test_pair_spacing_through_the_client(redis: Redis) -> None:
    async with Sandbox(["pilot"]) as sb:
        sim = cast(PilotSimulator, sb.simulator("pilot"))
        sim.progress_delay = 3600
        wa = sb.client("pilot", pair_spacing=RedisRateLimiter.pair_spacing(redis, seconds=0.3))
        await wa.send(phone(1), Text("first"))
        await wa.send(phone(2), Text("other number: no wait"))
        await wa.send(phone(1), Text("second"))
    first, other, second = arrival_times(sim)
    assert other - first < 0.2
    assert second - first >= 0.29
