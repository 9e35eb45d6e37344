"""A Meta-like send endpoint at the real operating point: latency, a tier the client does not know.

Each ``POST .../messages`` is answered after ``latency`` seconds (plus jitter). A GCRA limit
at ``tier`` messages per second (bursts of ``burst_seconds`` worth) decides first, on arrival,
the way Meta's throughput limit does: an accepted send gets Meta's success body, an excess one
Meta's throttling error (HTTP 400, ``code`` 130429, no ``Retry-After``: Meta sends none). The
server counts accepted and throttled requests per 100 ms, so the achieved rate can be measured
where it matters: at the provider.

``python -m benchmarks.tierserver --tier 200 --latency 0.2`` prints one JSON line (``base_url``,
``settings``, ``pid``), serves until stdin closes, then prints its counts as a JSON line.

Example::

    with TierServer(tier=1000, latency=0.2) as server:
        ...                    # send through server.base_url
    server.counts["accepted"]  # per 100 ms buckets
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from types import TracebackType
from typing import IO, Any

from .loadserver import (
    PHONE_NUMBER_ID,
    PROJECT_ROOT,
    TOKEN,
    _recipient,
    _response,
    child_environment,
    pin_to_cpu,
    success_body,
)

__all__ = ["TierServer"]

_THROTTLED = json.dumps(
    {
        "error": {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Cloud API message throughput has been reached.",
            },
        }
    },
    separators=(",", ":"),
).encode()


class _Tier:
    """GCRA at ``rate`` per second with a tolerance of ``burst_seconds`` of traffic."""

    def __init__(self, rate: float, burst_seconds: float) -> None:
        self.interval = 1.0 / rate
        self.tolerance = max(0.0, burst_seconds - self.interval)
        self.tat = 0.0

    def admit(self, now: float) -> bool:
        tat = max(self.tat, now)
        if tat - self.tolerance > now:
            return False
        self.tat = tat + self.interval
        return True


class _Counts:
    def __init__(self) -> None:
        self.start = time.monotonic()
        self.accepted: dict[int, int] = {}
        self.throttled: dict[int, int] = {}

    def add(self, accepted: bool, now: float) -> None:
        bucket = int((now - self.start) * 10)
        table = self.accepted if accepted else self.throttled
        table[bucket] = table.get(bucket, 0) + 1


class _Protocol(asyncio.Protocol):
    def __init__(self, tier: _Tier, latency: float, jitter: float, counts: _Counts) -> None:
        self._tier = tier
        self._latency = latency
        self._jitter = jitter
        self._counts = counts
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._serial = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = bytes(buffer[:head_end]).lower()
            at = head.find(b"\r\ncontent-length:")
            length = (
                int(head[at + 17 : head.find(b"\r\n", at + 2) % (len(head) + 1)]) if at >= 0 else 0
            )
            total = head_end + 4 + length
            if len(buffer) < total:
                return
            body = bytes(buffer[head_end + 4 : total])
            del buffer[:total]
            self._answer(body)

    def _answer(self, body: bytes) -> None:
        now = time.monotonic()
        accepted = self._tier.admit(now)
        self._counts.add(accepted, now)
        if accepted:
            self._serial += 1
            reply = _response(200, success_body(_recipient(body), self._serial))
        else:
            reply = _response(400, _THROTTLED)
        delay = self._latency + random.uniform(0.0, self._jitter)
        self._loop.call_later(delay, self._write, reply)

    def _write(self, reply: bytes) -> None:
        # Answers on one connection keep their order: each request waits the same latency,
        # and aiohttp sends the next request only after reading the previous answer.
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(reply)


async def _serve(
    announce: IO[str], tier: float, latency: float, jitter: float, burst: float, pinned: bool
) -> None:
    loop = asyncio.get_running_loop()
    counts = _Counts()
    limit = _Tier(tier, burst)
    server = await loop.create_server(
        lambda: _Protocol(limit, latency, jitter, counts), "127.0.0.1", 0, backlog=4096
    )
    port = server.sockets[0].getsockname()[1]
    settings = {"token": TOKEN, "phone_number_id": PHONE_NUMBER_ID}
    line = {"base_url": f"http://127.0.0.1:{port}", "settings": settings, "pid": os.getpid()}
    line["pinned"] = pinned
    announce.write(json.dumps(line) + "\n")
    announce.flush()
    async with server:
        await asyncio.to_thread(sys.stdin.buffer.read)
    announce.write(json.dumps({"accepted": counts.accepted, "throttled": counts.throttled}) + "\n")
    announce.flush()


class TierServer:
    """Run the tier server in a child process; its counts are read when it stops.

    Example::

        with TierServer(tier=80, latency=0.2) as server:
            print(server.base_url)
    """

    def __init__(
        self,
        *,
        tier: float,
        latency: float = 0.2,
        jitter: float = 0.02,
        burst_seconds: float = 0.1,
        cpu: int | None = 1,
    ) -> None:
        self.tier, self.latency, self.jitter, self.burst = tier, latency, jitter, burst_seconds
        self.cpu = cpu
        self.base_url = ""
        self.settings: dict[str, str] = {}
        self.counts: dict[str, dict[int, int]] = {"accepted": {}, "throttled": {}}
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> TierServer:
        command = [
            sys.executable,
            "-m",
            "benchmarks.tierserver",
            "--tier",
            str(self.tier),
            "--latency",
            str(self.latency),
            "--jitter",
            str(self.jitter),
            "--burst-seconds",
            str(self.burst),
        ]
        if self.cpu is not None:
            command += ["--cpu", str(self.cpu)]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
            env=child_environment(),
        )
        assert self._process.stdout is not None
        info = json.loads(self._process.stdout.readline())
        self.base_url, self.settings = info["base_url"], info["settings"]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None or process.stdin is None or process.stdout is None:
            return
        process.stdin.close()
        line = process.stdout.readline()
        if line:
            raw: dict[str, Any] = json.loads(line)
            self.counts = {
                name: {int(k): int(v) for k, v in table.items()} for name, table in raw.items()
            }
        process.wait(timeout=10)
        process.stdout.close()


def main(argv: list[str] | None = None) -> None:
    """Serve until stdin closes (see the module docs).

    Example::

        python -m benchmarks.tierserver --tier 1000 --latency 0.2 --cpu 1
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tierserver")
    parser.add_argument("--tier", type=float, required=True)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--jitter", type=float, default=0.02)
    parser.add_argument("--burst-seconds", type=float, default=0.1)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args(argv)
    pinned = pin_to_cpu(args.cpu)
    announce = sys.stdout
    sys.stdout = sys.stderr
    asyncio.run(_serve(announce, args.tier, args.latency, args.jitter, args.burst_seconds, pinned))


if __name__ == "__main__":
    main()
