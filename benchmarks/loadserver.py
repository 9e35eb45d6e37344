"""A load target that is never the bottleneck: Meta's send endpoint on a bare asyncio.Protocol.

The server speaks just enough HTTP/1.1 (keep-alive, ``Content-Length`` bodies) to answer
``POST /{version}/{phone_number_id}/messages`` with Meta's success body: the recipient echoed
in ``contacts`` and a fresh ``wamid`` in ``messages``. It runs in its own process, pinned to a
core of its own where the OS allows, so the client under test has the other core to itself.

``python -m benchmarks.loadserver`` prints one JSON line (``base_url``, ``settings``, ``pid``)
and serves until its stdin closes; ``--sandbox`` runs the project's real Meta simulator
(``whatsapp_async.testing.Sandbox``) instead, in that same separate process.

Example::

    with LoadServer() as server:
        print(server.base_url, server.settings)  # http://127.0.0.1:43121 {'token': ...}
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
from types import TracebackType
from typing import IO, Any

__all__ = [
    "PROJECT_ROOT",
    "LoadServer",
    "MetaLoadProtocol",
    "child_environment",
    "pin_to_cpu",
    "process_cpu_seconds",
    "success_body",
]

TOKEN = "bench-token"
PHONE_NUMBER_ID = "106540352242922"
_MAX_HEAD = 64 * 1024
_WAMID_PREFIX = b"wamid.HBgL"
_WAMID_SUFFIX = b"FQIAERgSQjk4RkE5QkU4NUE0RTA5MDU4AA=="
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child_environment() -> dict[str, str]:
    """This environment with the project root on ``PYTHONPATH`` (``python -m benchmarks.*``).

    ``benchmarks`` is not an installed package: children find it from any working directory.

    Example::

        subprocess.run([sys.executable, "-m", "benchmarks.worker", spec], env=child_environment())
    """
    env = dict(os.environ)
    paths = [PROJECT_ROOT, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def pin_to_cpu(cpu: int | None) -> bool:
    """Pin this process to ``cpu`` (Linux); False when the OS or the core count does not allow.

    Example::

        pin_to_cpu(1)  # the server takes core 1, the client under test core 0
    """
    if cpu is None or not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return False
    try:
        # Set, not intersect: a child inherits its parent's mask, which may exclude ``cpu``.
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return False
    return True


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (from /proc), or None.

    Example::

        process_cpu_seconds(server.pid)  # 3.71
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def _status_line(status: int) -> bytes:
    reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 411: b"Length Required"}
    return b"HTTP/1.1 %d %s\r\n" % (status, reason.get(status, b"Error"))


def _response(status: int, body: bytes, *, close: bool = False) -> bytes:
    return b"".join(
        (
            _status_line(status),
            b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body),
            b"Connection: close\r\n\r\n" if close else b"Connection: keep-alive\r\n\r\n",
            body,
        )
    )


def _graph_error(status: int, message: str, code: int) -> bytes:
    body = {"error": {"message": message, "type": "OAuthException", "code": code}}
    return _response(status, json.dumps(body, separators=(",", ":")).encode(), close=True)


def _recipient(body: bytes) -> bytes:
    """The ``to`` string of a JSON send body, found without decoding the whole body."""
    at = body.find(b'"to"')
    if at < 0:
        return b""
    at = body.find(b'"', body.find(b":", at + 4) + 1)
    end = body.find(b'"', at + 1)
    return body[at + 1 : end] if at >= 0 and end > at else b""


def success_body(to: bytes, serial: int) -> bytes:
    """Meta's success body for a send to ``to``: contacts echo it, ``messages[0].id`` is new.

    Example::

        success_body(b"+14155552671", 1)
        # b'{"messaging_product":"whatsapp","contacts":[{"input":"+14155552671",...'
    """
    digits = to.lstrip(b"+")
    return b"".join(
        (
            b'{"messaging_product":"whatsapp","contacts":[{"input":"',
            to,
            b'","wa_id":"',
            digits,
            b'"}],"messages":[{"id":"',
            _WAMID_PREFIX,
            digits,
            b"%020X" % serial,
            _WAMID_SUFFIX,
            b'"}]}',
        )
    )


class MetaLoadProtocol(asyncio.Protocol):
    """One keep-alive connection answering Meta sends; requests may arrive in any chunking.

    Example::

        await loop.create_server(MetaLoadProtocol, "127.0.0.1", 0)
    """

    _counter = itertools.count(1)

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                if len(buffer) > _MAX_HEAD:
                    self._fail(_graph_error(400, "request head too large", 100))
                return
            head = bytes(buffer[:head_end]).lower()
            length = self._content_length(head)
            if length is None:
                return
            total = head_end + 4 + length
            if len(buffer) < total:
                return
            body = bytes(buffer[head_end + 4 : total])
            del buffer[:total]
            if not self._answer(head, body):
                return

    def _content_length(self, head: bytes) -> int | None:
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            if b"\r\ntransfer-encoding:" in head:
                self._fail(_graph_error(411, "chunked bodies are not supported here", 100))
                return None
            return 0
        end = head.find(b"\r\n", at + 2)
        try:
            return int(head[at + 17 : end if end >= 0 else len(head)])
        except ValueError:
            self._fail(_graph_error(400, "bad Content-Length", 100))
            return None

    def _answer(self, head: bytes, body: bytes) -> bool:
        transport = self._transport
        assert transport is not None
        line_end = head.find(b"\r\n")
        request_line = head[: line_end if line_end >= 0 else len(head)].split(b" ")
        if len(request_line) != 3 or request_line[0] != b"post":
            self._fail(_graph_error(404, "Unsupported request", 100))
            return False
        if not request_line[1].split(b"?", 1)[0].endswith(b"/messages"):
            self._fail(_graph_error(404, "Unknown path", 100))
            return False
        reply = success_body(_recipient(body), next(self._counter))
        close = b"\r\nconnection: close" in head
        transport.write(_response(200, reply, close=close))
        if close:
            transport.close()
            return False
        return True

    def _fail(self, response: bytes) -> None:
        if self._transport is not None:
            self._transport.write(response)
            self._transport.close()
        self._buffer.clear()


async def _serve_fast(announce: IO[str], pinned: bool) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(MetaLoadProtocol, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    settings = {"token": TOKEN, "phone_number_id": PHONE_NUMBER_ID}
    _announce(announce, f"http://127.0.0.1:{port}", settings, pinned)
    async with server:
        await _until_stdin_closes()


async def _serve_sandbox(announce: IO[str], pinned: bool) -> None:
    from whatsapp_async.testing import Sandbox

    async with Sandbox(["meta"]) as sandbox:
        settings = {
            key: value
            for key, value in sandbox.settings("meta").items()
            if key in ("token", "phone_number_id")
        }
        _announce(announce, sandbox.base_url("meta"), settings, pinned)
        await _until_stdin_closes()


def _announce(announce: IO[str], base_url: str, settings: dict[str, Any], pinned: bool) -> None:
    line = {"base_url": base_url, "settings": settings, "pid": os.getpid(), "pinned": pinned}
    announce.write(json.dumps(line) + "\n")
    announce.flush()


async def _until_stdin_closes() -> None:
    # The parent holds our stdin open; when it exits (or closes it), we stop.
    await asyncio.to_thread(sys.stdin.buffer.read)


class LoadServer:
    """Start the load target in a child process; stop it on exit.

    ``sandbox=True`` serves the project's Meta simulator instead of the bare protocol.

    Example::

        with LoadServer(cpu=1) as server:
            base_url, settings = server.base_url, server.settings
    """

    def __init__(self, *, sandbox: bool = False, cpu: int | None = 1) -> None:
        self.sandbox = sandbox
        self.cpu = cpu
        self.base_url = ""
        self.settings: dict[str, str] = {}
        self.pid = 0
        self.pinned = False
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> LoadServer:
        command = [sys.executable, "-m", "benchmarks.loadserver"]
        if self.sandbox:
            command.append("--sandbox")
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
        line = self._process.stdout.readline()
        if not line:
            self.__exit__(None, None, None)
            raise RuntimeError("the load server did not start")
        info = json.loads(line)
        self.base_url, self.settings, self.pid = info["base_url"], info["settings"], info["pid"]
        self.pinned = bool(info["pinned"])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def main(argv: list[str] | None = None) -> None:
    """Run the load server (``--sandbox`` for the real Meta simulator) until stdin closes.

    Example::

        python -m benchmarks.loadserver --cpu 1
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadserver")
    parser.add_argument("--sandbox", action="store_true", help="serve the Meta simulator")
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this core")
    args = parser.parse_args(argv)
    pinned = pin_to_cpu(args.cpu)
    announce = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write to the announce channel
    serve = _serve_sandbox if args.sandbox else _serve_fast
    asyncio.run(serve(announce, pinned))


if __name__ == "__main__":
    main()
