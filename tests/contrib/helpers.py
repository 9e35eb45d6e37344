"""Helpers of the contrib tests: timed simulator records, worker profiles and processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from arq.worker import Worker, get_kwargs

from whatsapp_async import Text
from whatsapp_async._simulation import Simulator
from whatsapp_async.contrib.arq import FUNCTION_NAME
from whatsapp_async.testing import Sandbox

REPO = Path(__file__).resolve().parents[2]


def arrival_times(sim: Simulator) -> list[float]:
    """When each request the simulator recorded arrived (monotonic seconds)."""
    return [record.received_at for record in sim.records]


def phone(i: int) -> str:
    """A distinct valid Brazilian mobile number per ``i``."""
    return f"+55119{87650000 + i:08d}"


def text_items(count: int, tag: str = "item") -> list[tuple[str, Text]]:
    """``count`` sends to distinct numbers, each with its own text."""
    return [(phone(i), Text(f"{tag} {i}")) for i in range(count)]


def write_profile(path: Path, sb: Sandbox, name: str = "pilot", **client: Any) -> Path:
    """A TOML profiles file whose one profile points a client at the sandbox simulator."""
    values: dict[str, Any] = {"provider": name, **sb.settings(name), "base_url": sb.base_url(name)}
    values.update(client)
    lines = ["[profiles.sim]"]
    for key, value in values.items():
        # JSON strings and numbers are valid TOML values.
        lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n")
    return path


class WorkerProcess:
    """One ``python -m whatsapp_async.contrib.arq`` process and its log file."""

    def __init__(self, args: Sequence[str], log_path: Path) -> None:
        self.log_path = log_path
        self._log: IO[bytes] = open(log_path, "wb")  # noqa: SIM115 (closed in wait())
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "whatsapp_async.contrib.arq", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind in the worker."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (arq's graceful shutdown), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def completed_jobs(self) -> int:
        """Jobs this worker finished, from arq's log lines (``<id>:whatsapp_send ●``)."""
        return self.log().count(f":{FUNCTION_NAME} ●")


@contextmanager
def worker_processes(
    count: int, tmp: Path, profile: Path, redis_url: str, *extra: str
) -> Iterator[list[WorkerProcess]]:
    """``count`` worker processes, stopped (and their logs closed) on exit."""
    procs: list[WorkerProcess] = []
    try:
        for index in range(count):
            procs.append(start_worker(tmp / f"worker-{index}.log", profile, redis_url, *extra))
        yield procs
    finally:
        for proc in procs:
            proc.stop()


def start_worker(log_path: Path, profile: Path, redis_url: str, *extra: str) -> WorkerProcess:
    """One verbose worker process on ``profile``."""
    return WorkerProcess(
        ["--config", str(profile), "--redis", redis_url, "--verbose", *extra], log_path
    )


def in_process_worker(settings: type[Any], **overrides: Any) -> Worker:
    """An arq worker in this event loop that stops once the queue is empty."""
    kwargs = {**get_kwargs(settings), "burst": True, "handle_signals": False, "poll_delay": 0.05}
    kwargs.update(overrides)
    return Worker(**cast(dict[str, Any], kwargs))
