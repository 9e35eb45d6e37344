"""A real redis-server for the contrib tests: 127.0.0.1, a free port, no persistence.

One server serves the whole session (it starts in well under a second); every test gets
an emptied database. CI installs the server with ``apt-get install redis-server``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import msgspec
import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError


class RedisServer(msgspec.Struct, frozen=True):
    """Where the test server listens."""

    host: str
    port: int

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def settings(self) -> RedisSettings:
        return RedisSettings(host=self.host, port=self.port)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(binary: str, workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    log = workdir / f"redis-{port}.log"
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--logfile",
            str(log),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    with SyncRedis(host="127.0.0.1", port=port, socket_connect_timeout=0.5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False  # exited: most likely the port was taken meanwhile
            try:
                if client.ping():
                    return True
            except RedisConnectionError:
                time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of our own for the session (three tries at a free port)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(3):
        process, port = _start(binary, workdir)
        if _wait_ready(process, port):
            try:
                yield RedisServer(host="127.0.0.1", port=port)
            finally:
                _stop(process)
            return
        _stop(process)
    pytest.fail(f"redis-server did not start; see the logs in {workdir}")


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    """A client of the test server, on an emptied database."""
    client = Redis(host=redis_server.host, port=redis_server.port)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def arq_redis(redis_server: RedisServer, redis: Redis) -> AsyncIterator[ArqRedis]:
    """An arq pool on the same (emptied) database."""
    pool = await create_pool(redis_server.settings)
    yield pool
    await pool.aclose()
