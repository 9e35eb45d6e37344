"""The adaptive limiter's learned rate lives in Redis: two processes converge on one rate."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from redis.asyncio import Redis

from whatsapp_async.contrib.redis import RedisAdaptiveLimiter

from .conftest import RedisServer

ROOT = Path(__file__).resolve().parents[2]
KEY = "meta:106540352242922"


def other_process(server: RedisServer, script: str) -> str:
    code = (
        textwrap.dedent(
            f"""
        import asyncio, time
        from redis.asyncio import Redis
        from whatsapp_async.contrib.redis import RedisAdaptiveLimiter

        async def main():
            redis = Redis.from_url({server.url!r})
            limiter = RedisAdaptiveLimiter(redis, rate=100, ceiling=1000)
        """
        )
        + textwrap.indent(textwrap.dedent(script), "    ")
        + textwrap.dedent(
            """
            await redis.aclose()

        asyncio.run(main())
        """
        )
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def saturate(limiter: RedisAdaptiveLimiter, seconds: float) -> None:
    # Callers keep waiting (the schedule runs ahead of the clock): the rate grows.
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await asyncio.gather(*(limiter.reserve(KEY) for _ in range(20)))
        await asyncio.sleep(0.01)


async def drain(redis: Redis) -> None:
    # Wait until the shared schedule is in the past (bounded: a few seconds at most).
    for _ in range(100):
        tat = await redis.hget(f"whatsapp_async:adaptive:{KEY}", "tat")
        seconds, micros = await redis.time()
        if tat is None or float(tat) < seconds * 1_000_000 + micros:
            return
        await asyncio.sleep(0.05)


async def test_two_processes_share_one_learned_rate(
    redis_server: RedisServer, redis: Redis
) -> None:
    here = RedisAdaptiveLimiter(redis, rate=100, ceiling=1000)
    await saturate(here, 0.6)
    grown = here.rate
    assert grown > 200  # probing upwards while callers wait
    await drain(redis)  # no backlog from here on: the rate holds still unless told

    # The other process sees the same rate at once...
    seen = float(
        other_process(redis_server, f"await limiter.reserve({KEY!r}); print(limiter.rate)")
    )
    assert seen >= grown  # it goes on from the shared state (it keeps growing: callers wait)
    await here.reserve(KEY)
    assert here.rate == pytest.approx(seen, rel=0.1)  # and this process goes on from it

    # ...and a throttle it reports cuts the rate for both.
    cut = float(
        other_process(
            redis_server,
            f"""
            await limiter.reserve({KEY!r})
            limiter.observe({KEY!r}, sent_at=time.monotonic(), throttled=True)
            await asyncio.sleep(0.2)
            print(limiter.rate)
            """,
        )
    )
    assert cut < 0.9 * grown
    await here.reserve(KEY)
    assert here.rate == pytest.approx(cut, rel=0.05)

    # A throttle here, for a request sent after that cut, cuts again for everyone.
    here.observe(KEY, sent_at=time.monotonic(), throttled=True)
    await asyncio.sleep(0.2)
    again = float(
        other_process(redis_server, f"await limiter.reserve({KEY!r}); print(limiter.rate)")
    )
    assert again < 0.9 * cut
    assert again == pytest.approx(here.rate, rel=0.1)


async def test_successes_are_reported_with_the_next_acquire(redis: Redis) -> None:
    limiter = RedisAdaptiveLimiter(redis, rate=50)
    await limiter.reserve(KEY)
    for _ in range(7):
        limiter.observe(KEY, sent_at=time.monotonic(), throttled=False)
    assert limiter._pending == {KEY: 7}
    await limiter.reserve(KEY)
    assert limiter._pending == {}
    fields = await redis.hgetall(f"whatsapp_async:adaptive:{KEY}")
    counted = sum(int(v) for k, v in fields.items() if k.endswith(b"s") and k.startswith(b"b"))
    assert counted == 7
