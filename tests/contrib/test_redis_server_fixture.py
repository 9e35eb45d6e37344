"""The ``redis_server_factory`` fixture: separate servers that can be killed, paused, restarted."""

from __future__ import annotations

import time

import pytest
from arq.connections import create_pool
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .conftest import OwnRedisServer, RedisServer, RedisServerFactory


def client(server: OwnRedisServer) -> Redis:
    """A client that gives up fast: short timeouts, no retries."""
    return Redis(
        host=server.host,
        port=server.port,
        socket_connect_timeout=0.5,
        socket_timeout=0.3,
        retry=Retry(NoBackoff(), 0),
    )


async def ping(server: OwnRedisServer) -> bool:
    """One PING on a fresh connection."""
    async with client(server) as c:
        return bool(await c.ping())


async def test_servers_are_separate_and_on_loopback(
    redis_server_factory: RedisServerFactory, redis_server: RedisServer
) -> None:
    first, second = redis_server_factory(), redis_server_factory()
    assert first.host == second.host == "127.0.0.1"
    assert len({first.port, second.port, redis_server.port}) == 3
    assert first.url == f"redis://127.0.0.1:{first.port}/0"
    assert (first.settings.host, first.settings.port) == ("127.0.0.1", first.port)
    async with client(first) as a, client(second) as b:
        await a.set("where", "first")
        assert await b.get("where") is None
    pool = await create_pool(first.settings)  # the arq settings reach the same server
    try:
        assert await pool.get("where") == b"first"
    finally:
        await pool.aclose()


async def test_kill_refuses_connections(redis_server_factory: RedisServerFactory) -> None:
    server = redis_server_factory()
    assert await ping(server)
    server.kill()
    assert not server.running
    with pytest.raises(RedisConnectionError):
        await ping(server)


async def test_pause_times_out_and_resume_answers(
    redis_server_factory: RedisServerFactory,
) -> None:
    server = redis_server_factory()
    async with client(server) as c:
        assert await c.ping()
        server.pause()
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError):
            await c.ping()
        assert time.monotonic() - started < 2
        assert server.running
        server.resume()
    assert await ping(server)


async def test_restart_comes_back_on_the_same_port_empty(
    redis_server_factory: RedisServerFactory,
) -> None:
    server = redis_server_factory()
    port, pid = server.port, server.pid
    async with client(server) as c:
        await c.set("before", "restart")
    server.restart()
    assert (server.port, server.running) == (port, True)
    assert server.pid != pid
    async with client(server) as c:
        assert await c.ping()
        assert await c.get("before") is None


async def test_restart_after_kill_and_teardown_of_paused_servers(
    redis_server_factory: RedisServerFactory,
) -> None:
    killed, paused = redis_server_factory(), redis_server_factory()
    killed.kill()
    killed.restart()
    assert await ping(killed)
    paused.pause()  # left paused: the fixture's teardown must still stop it
