"""A lean HTTP/1.1 keep-alive client for the API calls: one request at a time per connection.

Why not aiohttp's ``ClientSession.request`` for these: an API call is a small JSON request and
a small JSON answer, and the general client (URL objects, cookie jars, tracing signals, a
request and a response object per call, a task per body write) costs about 150 µs of CPU per
call, five times what this path costs, which decided the SDK's throughput on a fan-out.
Everything else (uploads, streamed downloads, a caller's own ``aiohttp.ClientSession``) still
goes through aiohttp (``_transport.Transport``).

What it speaks: HTTP/1.1 over TCP or TLS (``ssl`` with the system's trust store and SNI),
``Content-Length`` and ``chunked`` answers, answers delimited by the connection's close,
1xx answers skipped, no body for HEAD/204/304, ``Accept-Encoding: identity`` sent (and a
``gzip``/``deflate`` answer decoded anyway). No redirects are followed (the caller gets the
3xx), no proxies, no cookies. A connection is reused only after a complete answer that does
not close it, and only while idle less than ``idle_timeout``; answers larger than
``max_body`` or headers larger than ``MAX_HEAD`` fail the request.

Failures are :class:`ConnectFailed` (nothing was sent), :class:`RequestTimeout` and
:class:`Disconnected` (``sent`` says whether the request had been written), and
:class:`ProtocolFailure` (an answer that is not HTTP: the request was sent); the transport turns
them into the SDK's errors.

Example::

    pool = Http11Pool(limit=100)
    status, headers, body = await pool.request("POST", url, headers, body, Timeout(total=10))
    await pool.aclose()
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDictProxy

from ._http11_wire import (
    DEFAULT_MAX_BODY,
    MAX_HEAD,
    Answer,
    ConnectFailed,
    Disconnected,
    ProtocolFailure,
    RequestTimeout,
    Target,
    decoded,
    read_chunks,
    read_head,
    request_head,
    target_of,
)
from ._timeout import Timeout

__all__ = ["ConnectFailed", "Disconnected", "Http11Pool", "ProtocolFailure", "RequestTimeout"]


class _Connection(asyncio.Protocol):
    """One keep-alive connection; reads one answer at a time into ``waiter``."""

    def __init__(self, max_body: int) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Answer] | None = None
        self.answer: Answer | None = None
        self.head_request = False
        self.closed = False
        self.idle_since = time.monotonic()
        self.max_body = max_body

    # -- asyncio.Protocol ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:
            # Bytes nobody asked for: the connection cannot be trusted with a next request.
            self.close()
            return
        self.buffer += data
        try:
            self._parse()
        except ProtocolFailure as exc:
            self._fail(exc)

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost settles the waiter

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        answer = self.answer
        if self.waiter is not None and not self.waiter.done():
            if answer is not None and answer.mode == "close":
                answer.body += self.buffer
                self.buffer.clear()
                answer.keep_alive = False
                self._finish(answer)
            else:
                reason = "the server closed the connection before answering"
                if answer is not None and answer.mode != "head":
                    reason = "the server closed the connection in the middle of the answer"
                if exc is not None:
                    reason += f" ({type(exc).__name__}: {exc})"
                self.waiter.set_exception(Disconnected(reason, sent=True))

    # -- one exchange ---------------------------------------------------------------------------
    def start(self, data: bytes, waiter: asyncio.Future[Answer], *, head: bool) -> None:
        """Write one request; its answer settles ``waiter``."""
        assert self.transport is not None
        self.waiter = waiter
        self.answer = Answer()
        self.head_request = head
        self.transport.write(data)

    def close(self) -> None:
        """Close the connection (it will not be reused)."""
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Drop the connection at once (after a timeout or a cancellation)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def _fail(self, exc: BaseException) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.abort()

    def _finish(self, answer: Answer) -> None:
        waiter = self.waiter
        self.waiter = None
        self.answer = None
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _parse(self) -> None:
        answer = self.answer
        assert answer is not None
        buffer = self.buffer
        while True:
            if answer.mode == "head":
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(buffer) > MAX_HEAD:
                        raise ProtocolFailure(f"the answer's headers exceed {MAX_HEAD} bytes")
                    return
                if end > MAX_HEAD:
                    raise ProtocolFailure(f"the answer's headers exceed {MAX_HEAD} bytes")
                read_head(
                    answer,
                    bytes(buffer[:end]),
                    head_request=self.head_request,
                    max_body=self.max_body,
                )
                del buffer[: end + 4]
                if answer.mode == "head":
                    continue  # a 1xx answer: the real one follows
            if answer.mode == "length":
                if len(buffer) < answer.length:
                    return
                answer.body += buffer[: answer.length]
                del buffer[: answer.length]
                break
            if answer.mode == "chunked":
                if not read_chunks(answer, buffer, max_body=self.max_body):
                    return
                break
            if answer.mode == "close":
                answer.body += buffer
                buffer.clear()
                if len(answer.body) > self.max_body:
                    raise ProtocolFailure(f"the answer's body exceeds {self.max_body} bytes")
                return  # until the connection closes
            break  # "done": no body
        if buffer:
            answer.keep_alive = False  # more than one answer: never reuse this connection
        self._finish(answer)


class Http11Pool:
    """Keep-alive connections per (scheme, host, port); see the module docs.

    ``limit`` bounds idle connections kept per host (requests in flight are bounded by the
    transport's slots, above this pool).

    Example::

        pool = Http11Pool(limit=100, idle_timeout=15)
    """

    def __init__(
        self,
        *,
        limit: int = 100,
        idle_timeout: float = 15.0,
        max_body: int = DEFAULT_MAX_BODY,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.limit = limit
        self.idle_timeout = idle_timeout
        self.max_body = max_body
        self._ssl = ssl_context
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._open: set[_Connection] = set()

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: Timeout,
    ) -> tuple[int, CIMultiDictProxy[str], bytes]:
        """Send one request; its status, headers and (decoded) body. See the module docs."""
        target = target_of(url)
        data = request_head(method, target, headers, None if body is None else len(body))
        if body:
            data += body
        loop = asyncio.get_running_loop()
        deadline = None if timeout.total is None else loop.time() + timeout.total
        connection = self._idle_connection(target)
        if connection is None:
            connection = await self._connect(target, timeout, deadline)
        waiter: asyncio.Future[Answer] = loop.create_future()
        timer = None
        if deadline is not None:
            timer = loop.call_at(deadline, _expire, waiter)
        try:
            connection.start(data, waiter, head=method == "HEAD")
            answer = await waiter
        except BaseException:
            connection.abort()  # a half-read answer must never meet the next request
            self._open.discard(connection)
            raise
        finally:
            if timer is not None:
                timer.cancel()
        self._release(target, connection, answer.keep_alive)
        body_bytes = decoded(bytes(answer.body), answer.headers)
        return answer.status, CIMultiDictProxy(answer.headers), body_bytes

    def _idle_connection(self, target: Target) -> _Connection | None:
        idle = self._idle.get((target.scheme, target.host, target.port))
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < self.idle_timeout:
                return connection
            connection.close()
            self._open.discard(connection)
        return None

    async def _connect(
        self, target: Target, timeout: Timeout, deadline: float | None
    ) -> _Connection:
        loop = asyncio.get_running_loop()
        left = None if deadline is None else max(0.0, deadline - loop.time())
        # Which bound is nearer decides what a timeout here means.
        connect_bound = timeout.connect is not None and (left is None or timeout.connect <= left)
        bound = timeout.connect if connect_bound else left
        tls = target.scheme == "https"
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(self.max_body),
                    target.host,
                    target.port,
                    ssl=self._ssl_context() if tls else None,
                    server_hostname=target.host if tls else None,
                ),
                bound,
            )
        except asyncio.TimeoutError as exc:
            if connect_bound:
                raise ConnectFailed(exc, timed_out=True) from exc
            raise RequestTimeout(sent=False) from exc
        except OSError as exc:
            raise ConnectFailed(exc) from exc
        self._open.add(connection)
        return connection

    def _release(self, target: Target, connection: _Connection, keep_alive: bool) -> None:
        if not keep_alive or connection.closed:
            connection.close()
            self._open.discard(connection)
            return
        idle = self._idle.setdefault((target.scheme, target.host, target.port), [])
        if len(idle) >= self.limit:
            connection.close()
            self._open.discard(connection)
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    async def aclose(self) -> None:
        """Close every connection."""
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports run their close callbacks


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(RequestTimeout(sent=True))
