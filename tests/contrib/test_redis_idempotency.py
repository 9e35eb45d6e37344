"""RedisIdempotencyStore against a real Redis: reserve, complete, release, TTLs, sharing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import cast

import pytest
from redis.asyncio import Redis

from whatsapp_async import APIConnectionError, RetryPolicy, SendResult, ServerError, Text
from whatsapp_async._idempotency import SendInProgress
from whatsapp_async.contrib.redis import RedisIdempotencyStore
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import RedisServer
from .helpers import phone

RESULT = SendResult(
    id="msg_1",
    status="queued",
    provider="pilot",
    recipient="+5511987654321",
    wa_id="5511987654321",
    raw={"id": "msg_1", "status": "QUEUED", "nested": [1, 2.5, None]},
)


@pytest.fixture
async def other(redis_server: RedisServer, redis: Redis) -> AsyncIterator[Redis]:
    """A second connection, as another process would have."""
    client = Redis(host=redis_server.host, port=redis_server.port)
    yield client
    await client.aclose()


async def test_reserve_complete_then_every_store_gets_the_result(
    redis: Redis, other: Redis
) -> None:
    mine, theirs = RedisIdempotencyStore(redis), RedisIdempotencyStore(other)
    assert await mine.reserve("order-1") is None
    assert await theirs.held_for("order-1") == pytest.approx(300, abs=1)
    with pytest.raises(SendInProgress, match="in progress"):
        await theirs.reserve("order-1")
    await mine.complete("order-1", RESULT)
    assert await theirs.reserve("order-1") == RESULT
    assert await theirs.get("order-1") == RESULT
    assert await redis.exists("whatsapp_async:idem:{order-1}:lock") == 0
    ttl = await redis.pttl("whatsapp_async:idem:{order-1}:result")
    assert 24 * 3600 * 1000 - 5000 < ttl <= 24 * 3600 * 1000


async def test_only_one_of_many_concurrent_reservations_wins(
    redis_server: RedisServer, redis: Redis
) -> None:
    clients = [Redis(host=redis_server.host, port=redis_server.port) for _ in range(3)]
    try:
        stores = [RedisIdempotencyStore(c) for c in clients for _ in range(4)]
        outcomes = await asyncio.gather(
            *[s.reserve("same") for s in stores], return_exceptions=True
        )
    finally:
        for client in clients:
            await client.aclose()
    assert outcomes.count(None) == 1
    assert sum(isinstance(o, SendInProgress) for o in outcomes) == len(stores) - 1


async def test_release_frees_the_key_for_the_next_sender(redis: Redis, other: Redis) -> None:
    mine, theirs = RedisIdempotencyStore(redis), RedisIdempotencyStore(other)
    assert await mine.reserve("k") is None
    await mine.release("k")
    assert await theirs.held_for("k") == 0.0
    assert await theirs.reserve("k") is None


async def test_release_and_complete_leave_someone_elses_reservation_alone(
    redis: Redis, other: Redis
) -> None:
    mine = RedisIdempotencyStore(redis, lock_ttl=0.2)
    theirs = RedisIdempotencyStore(other, lock_ttl=60)
    assert await mine.reserve("k") is None
    await asyncio.sleep(0.3)  # our reservation lapsed; another sender takes the key
    assert await theirs.reserve("k") is None
    await mine.release("k")
    assert await theirs.held_for("k") > 59
    assert await mine.reserve("k2") is None
    await asyncio.sleep(0.3)
    assert await theirs.reserve("k2") is None
    await mine.complete("k2", RESULT)  # the send did happen: its result is kept...
    assert await theirs.get("k2") == RESULT
    assert await theirs.held_for("k2") > 59  # ...but their reservation is theirs to end


async def test_reservation_expires_after_lock_ttl(redis: Redis, other: Redis) -> None:
    mine = RedisIdempotencyStore(redis, lock_ttl=0.2)
    assert await mine.reserve("k") is None
    assert 0 < await mine.held_for("k") <= 0.2
    await asyncio.sleep(0.3)
    assert await RedisIdempotencyStore(other).reserve("k") is None


async def test_results_expire_after_ttl(redis: Redis) -> None:
    store = RedisIdempotencyStore(redis, ttl=0.2)
    assert await store.reserve("k") is None
    await store.complete("k", RESULT)
    assert await store.reserve("k") == RESULT
    await asyncio.sleep(0.3)
    assert await store.get("k") is None
    assert await store.reserve("k") is None  # a new logical send may go out


async def test_an_unreadable_stored_value_is_dropped(redis: Redis) -> None:
    store = RedisIdempotencyStore(redis, prefix="t:")
    await redis.set("t:{k}:result", b"not json")
    assert await store.get("k") is None
    assert await store.reserve("k") is None
    assert await redis.exists("t:{k}:result") == 0


def test_bad_parameters_are_refused(redis: Redis) -> None:
    with pytest.raises(ValueError):
        RedisIdempotencyStore(redis, ttl=0)
    with pytest.raises(ValueError):
        RedisIdempotencyStore(redis, lock_ttl=-1)
    assert "lock_ttl=300" in repr(RedisIdempotencyStore(redis))


# -- through the client ---------------------------------------------------------------------------
@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(["pilot"]) as sandbox:
        cast(PilotSimulator, sandbox.simulator("pilot")).progress_delay = 3600
        yield sandbox


async def test_two_clients_on_one_store_send_a_key_once(
    sb: Sandbox, redis: Redis, other: Redis
) -> None:
    first = sb.client("pilot", idempotency_store=RedisIdempotencyStore(redis))
    second = sb.client("pilot", idempotency_store=RedisIdempotencyStore(other))
    sent = await first.send(phone(1), Text("once"), idempotency_key="order-7")
    again = await second.send(phone(1), Text("once"), idempotency_key="order-7")
    assert again.id == sent.id and again.idempotent_replayed
    fingerprinted = await first.send(phone(2), Text("no key given"))
    repeat = await second.send(phone(2), Text("no key given"))
    assert repeat.id == fingerprinted.id and repeat.idempotent_replayed
    assert len(sb.requests("pilot")) == 2


async def test_a_definite_failure_frees_the_key(sb: Sandbox, redis: Redis) -> None:
    wa = sb.client("pilot", idempotency_store=RedisIdempotencyStore(redis), max_retries=0)
    sb.fail_next("pilot", status=500)
    with pytest.raises(ServerError):
        await wa.send(phone(1), Text("x"), idempotency_key="k")
    assert isinstance(await wa.send(phone(1), Text("x"), idempotency_key="k"), SendResult)
    assert len(sb.requests("pilot")) == 2


async def test_an_ambiguous_failure_keeps_the_key_reserved(sb: Sandbox, redis: Redis) -> None:
    # Magpipe honours no idempotency key: a message that may have gone out is never resent.
    store = RedisIdempotencyStore(redis, lock_ttl=60)
    async with Sandbox(["magpipe"]) as mp:
        wa = mp.client("magpipe", idempotency_store=store, retry=RetryPolicy(max_retries=0))
        mp.fail_next("magpipe", drop=True, after_accept=True)
        with pytest.raises(APIConnectionError):
            await wa.send(phone(1), Text("x"), idempotency_key="k")
        with pytest.raises(SendInProgress):
            await wa.send(phone(1), Text("x"), idempotency_key="k")
        assert [r.accepted for r in mp.requests("magpipe")] == [True]
    assert await store.held_for("k") > 59


async def test_with_a_provider_that_dedupes_an_ambiguous_failure_may_be_rerun(
    sb: Sandbox, redis: Redis
) -> None:
    # Pilot honours Idempotency-Key: the re-run carries the same key, and Pilot answers with
    # the first request's message instead of sending a second one.
    store = RedisIdempotencyStore(redis, lock_ttl=60)
    wa = sb.client("pilot", idempotency_store=store, retry=RetryPolicy(max_retries=0))
    sb.fail_next("pilot", drop=True, after_accept=True)
    with pytest.raises(APIConnectionError):
        await wa.send(phone(1), Text("x"), idempotency_key="k")
    again = await wa.send(phone(1), Text("x"), idempotency_key="k")
    assert len(sb.simulator("pilot").messages) == 1  # type: ignore[attr-defined]
    assert again.id in sb.simulator("pilot").messages  # type: ignore[attr-defined]
    keys = {r.headers.get("Idempotency-Key") for r in sb.requests("pilot")}
    assert keys == {"k"} and len(sb.requests("pilot")) == 2
