"""Redis killed, stopped and restarted under real sends: typed, bounded, never twice, never lost.

Each test runs a redis-server of its own (``redis_server_factory``) and breaks it on purpose:
``kill`` (a crash: connections drop, new ones are refused), ``pause`` (SIGSTOP: connections
are accepted and nothing is answered, as in a partition) and ``restart`` (an empty server on
the same port). What was sent is counted at the Pilot simulator.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from typing import cast

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from whatsapp_async import (
    BadRequestError,
    MemoryIdempotencyStore,
    SendInProgress,
    SendResult,
    StoreUnavailable,
    Text,
)
from whatsapp_async.contrib._redis_guard import unavailable
from whatsapp_async.contrib.redis import RedisIdempotencyStore, RedisRateLimiter
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import OwnRedisServer, RedisServer, RedisServerFactory
from .helpers import phone

STORE_TIMEOUT = 0.5
KEY = "order-1234-shipped-to-ada"  # longer than the 16 characters a log line may show


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["pilot"]) as sandbox:
        cast(PilotSimulator, sandbox.simulator("pilot")).progress_delay = 3600
        yield sandbox


@pytest.fixture
def server(redis_server_factory: RedisServerFactory) -> Iterator[OwnRedisServer]:
    own = redis_server_factory()
    yield own
    own.resume()  # a paused server would make the clients' teardown wait


@pytest.fixture
async def client(server: OwnRedisServer) -> AsyncIterator[Redis]:
    """A client as an application would build it: no socket timeouts of its own."""
    redis = Redis(host=server.host, port=server.port)
    yield redis
    await asyncio.wait_for(redis.aclose(), 5)


@pytest.fixture
async def other(server: OwnRedisServer) -> AsyncIterator[Redis]:
    """A second connection, as another process would have."""
    redis = Redis(host=server.host, port=server.port)
    yield redis
    await asyncio.wait_for(redis.aclose(), 5)


def sent(sb: Sandbox) -> int:
    return len(sb.requests("pilot"))


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


async def test_sends_while_redis_is_killed_fail_fast_and_send_nothing(
    sb: Sandbox, server: OwnRedisServer, client: Redis
) -> None:
    wa = sb.client("pilot", idempotency_store=RedisIdempotencyStore(client, timeout=STORE_TIMEOUT))
    await wa.send(phone(0), Text("before"), idempotency_key="k-0")  # connected, script loaded
    server.kill()
    for i in range(1, 6):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            await wa.send(phone(i), Text("during"), idempotency_key=f"k-{i}", timeout=5)
        assert time.monotonic() - started < STORE_TIMEOUT + 0.25
        assert caught.value.operation == "reserve"
        assert isinstance(caught.value.__cause__, RedisError)  # chained, not swallowed
        assert f"127.0.0.1:{server.port}" in caught.value.message
    assert sent(sb) == 1  # nothing went out while the store was down

    server.restart()  # empty: the scripts must be loaded again, transparently
    result = await wa.send(phone(1), Text("after"), idempotency_key="k-1")
    assert isinstance(result, SendResult) and not result.idempotent_replayed
    assert sent(sb) == 2


async def test_a_rate_limiter_on_a_killed_redis_fails_closed(
    sb: Sandbox, server: OwnRedisServer, client: Redis
) -> None:
    store = MemoryIdempotencyStore()
    wa = sb.client(
        "pilot",
        idempotency_store=store,
        rate_limit=RedisRateLimiter(client, rate=100, timeout=STORE_TIMEOUT),
        pair_spacing=RedisRateLimiter.pair_spacing(client, seconds=0.01, timeout=STORE_TIMEOUT),
    )
    await wa.send(phone(0), Text("before"))
    server.kill()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        await wa.send(phone(1), Text("during"), idempotency_key="k", timeout=5)
    assert time.monotonic() - started < STORE_TIMEOUT + 0.25
    assert caught.value.operation == "rate limit"
    assert sent(sb) == 1  # the limiter could not schedule the attempt: it was not sent

    server.restart()
    # Nothing was sent, so the key was released: the same send goes out now, once.
    result = await wa.send(phone(1), Text("during"), idempotency_key="k")
    assert not result.idempotent_replayed
    assert sent(sb) == 2


@pytest.mark.parametrize("broken", ["idempotency store", "rate limiter"])
async def test_a_stopped_redis_fails_the_send_within_the_store_timeout(
    sb: Sandbox, server: OwnRedisServer, client: Redis, broken: str
) -> None:
    if broken == "idempotency store":
        options: dict[str, object] = {
            "idempotency_store": RedisIdempotencyStore(client, timeout=STORE_TIMEOUT)
        }
    else:
        options = {"rate_limit": RedisRateLimiter(client, rate=100, timeout=STORE_TIMEOUT)}
    wa = sb.client("pilot", **options)
    await wa.send(phone(0), Text("before"))
    server.pause()
    for i in range(1, 3):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=r"did not answer within 0\.5s"):
            await wa.send(phone(i), Text("during"), timeout=5)
        elapsed = time.monotonic() - started
        assert STORE_TIMEOUT - 0.05 < elapsed < STORE_TIMEOUT + 0.5, elapsed
    assert sent(sb) == 1
    server.resume()
    await wa.send(phone(9), Text("after"))
    assert sent(sb) == 2


async def test_a_reserve_that_timed_out_is_taken_back_by_the_next_reserve(
    sb: Sandbox, server: OwnRedisServer, client: Redis, other: Redis
) -> None:
    store = RedisIdempotencyStore(client, timeout=STORE_TIMEOUT)
    wa = sb.client("pilot", idempotency_store=store)
    await wa.send(phone(0), Text("before"))
    server.pause()
    with pytest.raises(StoreUnavailable):
        await wa.send(phone(1), Text("x"), idempotency_key=KEY)
    server.resume()
    # The stopped server still had the reservation to run: it holds the key now, with
    # nothing sent under it. Another sender is kept off; this store takes it back.
    await wait_until_held(other, KEY)
    with pytest.raises(SendInProgress):
        await RedisIdempotencyStore(other).reserve(KEY)
    result = await wa.send(phone(1), Text("x"), idempotency_key=KEY)
    assert not result.idempotent_replayed
    assert sent(sb) == 2
    again = await wa.send(phone(1), Text("x"), idempotency_key=KEY)
    assert again.idempotent_replayed and again.id == result.id
    assert sent(sb) == 2


async def wait_until_held(redis: Redis, key: str) -> None:
    for _ in range(200):
        if await redis.exists(f"whatsapp_async:idem:{{{key}}}:lock"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the reservation never reached Redis")


async def test_redis_stopped_during_complete_still_returns_the_accepted_result(
    sb: Sandbox,
    server: OwnRedisServer,
    client: Redis,
    other: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = RedisIdempotencyStore(client, timeout=STORE_TIMEOUT)
    wa = sb.client("pilot", idempotency_store=store)
    await wa.send(phone(0), Text("before"))
    sb.fail_next("pilot", delay=0.3)  # the request waits at Pilot, then is accepted
    task = asyncio.ensure_future(wa.send(phone(1), Text("x"), idempotency_key=KEY, timeout=5))
    await wait_until(lambda: sent(sb) == 2)  # reserved, and the request is at Pilot
    server.pause()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="whatsapp_async"):
        result = await task
    assert time.monotonic() - started < 0.3 + STORE_TIMEOUT + 0.5
    assert result.status == "queued" and not result.idempotent_replayed
    assert sent(sb) == 2  # sent exactly once, and reported as sent
    warnings = [r for r in caplog.records if r.name == "whatsapp_async" and "recording" in r.msg]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert result.id in line and KEY[:16] in line and KEY not in line
    assert "StoreUnavailable" in line

    # The stopped server ran the write once it was resumed: the result is there after all,
    # and the same send is a replay.
    server.resume()
    for _ in range(200):
        if await RedisIdempotencyStore(other).get(KEY) is not None:
            break
        await asyncio.sleep(0.01)
    again = await wa.send(phone(1), Text("x"), idempotency_key=KEY)
    assert again.idempotent_replayed and again.id == result.id
    assert sent(sb) == 2


async def test_redis_killed_during_complete_still_returns_the_accepted_result(
    sb: Sandbox, server: OwnRedisServer, client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    wa = sb.client("pilot", idempotency_store=RedisIdempotencyStore(client, timeout=STORE_TIMEOUT))
    await wa.send(phone(0), Text("before"))
    sb.fail_next("pilot", delay=0.3)
    task = asyncio.ensure_future(wa.send(phone(1), Text("x"), idempotency_key=KEY))
    await wait_until(lambda: sent(sb) == 2)
    server.kill()
    with caplog.at_level(logging.WARNING, logger="whatsapp_async"):
        result = await task
    assert result.status == "queued"
    assert sent(sb) == 2
    assert any("recording" in r.msg for r in caplog.records if r.name == "whatsapp_async")


async def test_a_failed_release_does_not_mask_the_send_error(
    sb: Sandbox, server: OwnRedisServer, client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisIdempotencyStore(client, timeout=STORE_TIMEOUT)
    wa = sb.client("pilot", idempotency_store=store, max_retries=0)
    await wa.send(phone(0), Text("before"))
    sb.fail_next("pilot", status=400, delay=0.3)  # a definite failure: the key is released
    task = asyncio.ensure_future(wa.send(phone(1), Text("x"), idempotency_key=KEY))
    await wait_until(lambda: sent(sb) == 2)
    server.kill()
    with caplog.at_level(logging.WARNING, logger="whatsapp_async"), pytest.raises(BadRequestError):
        await task
    releases = [r.getMessage() for r in caplog.records if "releasing" in r.msg]
    assert len(releases) == 1 and KEY[:16] in releases[0] and KEY not in releases[0]


async def test_errors_never_show_the_redis_password(
    server: OwnRedisServer, redis_server: RedisServer
) -> None:
    secret = "s3cret-Redis-pass"
    server.kill()
    refused = Redis.from_url(f"redis://:{secret}@{server.host}:{server.port}/0")
    # The session server has no password: AUTH itself fails there.
    rejected = Redis.from_url(f"redis://ada:{secret}@{redis_server.host}:{redis_server.port}/0")
    try:
        for redis in (refused, rejected):
            for call in (
                RedisIdempotencyStore(redis, timeout=STORE_TIMEOUT).reserve(KEY),
                RedisRateLimiter(redis, rate=1, timeout=STORE_TIMEOUT).acquire("pilot:x"),
            ):
                with pytest.raises(StoreUnavailable) as caught:
                    await call
                shown = "".join(traceback.format_exception(caught.value))
                assert secret not in shown and secret not in repr(caught.value)
                assert "redis://" not in str(caught.value)
    finally:
        await refused.aclose()
        await rejected.aclose()


def test_a_url_or_password_quoted_by_a_redis_error_is_scrubbed() -> None:
    redis = Redis(host="10.0.0.9", port=6380, password="hunter22-pw")  # never connects
    quoted = RedisConnectionError("cannot reach redis://:hunter22-pw@10.0.0.9:6380/0 (hunter22-pw)")
    error = unavailable(redis, quoted, timeout=1.0, what="RedisIdempotencyStore.reserve")
    assert "hunter22" not in error.message
    assert "redis://***@10.0.0.9:6380/0" in error.message
    assert error.message.startswith("RedisIdempotencyStore.reserve: Redis at 10.0.0.9:6380 failed")


def test_the_timeout_is_checked_and_shown(client: Redis) -> None:
    with pytest.raises(ValueError):
        RedisIdempotencyStore(client, timeout=0)
    with pytest.raises(ValueError):
        RedisIdempotencyStore(client, timeout=float("nan"))
    assert "timeout=0.25" in repr(RedisIdempotencyStore(client, timeout=0.25))
    assert RedisIdempotencyStore(client).timeout == 1.0
