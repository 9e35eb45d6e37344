"""The lean HTTP/1.1 client of the API calls (``_http11``), against scripted servers on loopback.

Each server is a real ``asyncio`` socket server on 127.0.0.1 that reads one request at a time
and answers with the exact bytes a test gives it (well-formed or not), so every way an answer
can be framed, and fail, is seen by the client as it would be on the wire. Failures are checked
as the SDK's errors, with ``request_sent`` (and so ``in_doubt``) right.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import trustme

from whatsapp_async import APIConnectionError, APITimeoutError, ValidationError
from whatsapp_async._http11 import Http11Pool
from whatsapp_async._timeout import Timeout
from whatsapp_async._transport import Transport
from whatsapp_async.provider import HttpRequest

Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]
"""Given the request bytes, write the answer; False closes the connection afterwards."""


class Server:
    """A loopback server answering each request with ``answer``; counts connections."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.base_events.Server | None = None
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                keep = await self.answer(head + body, writer)
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1/messages"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


def fixed(raw: bytes, *, keep: bool = True) -> Answer:
    async def answer(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(raw)
        return keep

    return answer


OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


@pytest.fixture
async def transport() -> AsyncIterator[Transport]:
    t = Transport(timeout=Timeout(connect=2, total=2))
    yield t
    await t.aclose()


def post(url: str, body: bytes = b'{"x":1}', **headers: str) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url=url,
        headers={"Authorization": "Bearer t", "Content-Type": "application/json", **headers},
        body=body,
    )


async def test_a_request_goes_out_as_http11_and_the_connection_is_reused(
    transport: Transport,
) -> None:
    async with Server(fixed(OK)) as server:
        first = await transport.execute(post(server.url))
        second = await transport.execute(post(server.url, b'{"x":2}'))
    assert (first.status, first.body, second.body) == (200, b'{"ok":true}', b'{"ok":true}')
    assert first.headers["content-type"] == "application/json"  # any case
    assert server.connections == 1
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /v1/messages HTTP/1.1"
    assert b"Host: 127.0.0.1:" + server.url.split(":")[2].split("/")[0].encode() in lines
    assert b"Authorization: Bearer t" in lines and b"Content-Length: 7" in lines
    assert b"Accept-Encoding: identity" in lines
    assert body == b'{"x":1}'


async def test_chunked_answers_with_extensions_and_trailers(transport: Transport) -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    async with Server(fixed(raw)) as server:
        response = await transport.execute(post(server.url))
        again = await transport.execute(post(server.url))
    assert response.body == again.body == b"hello world"
    assert server.connections == 1


async def test_an_answer_without_length_ends_with_the_connection(transport: Transport) -> None:
    raw = b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"until": "close"}'
    async with Server(fixed(raw, keep=False)) as server:
        first = await transport.execute(post(server.url))
        second = await transport.execute(post(server.url))
    assert first.body == second.body == b'{"until": "close"}'
    assert server.connections == 2  # never reused


async def test_connection_close_is_honoured(transport: Transport) -> None:
    raw = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    async with Server(fixed(raw, keep=False)) as server:
        await transport.execute(post(server.url))
        await transport.execute(post(server.url))
    assert server.connections == 2


async def test_informational_answers_are_skipped_and_no_body_statuses_have_none(
    transport: Transport,
) -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    async with Server(fixed(raw)) as server:
        response = await transport.execute(post(server.url))
        after = await transport.execute(post(server.url))
    assert (response.status, response.body, after.status) == (204, b"", 204)
    assert server.connections == 1


async def test_a_gzip_answer_is_decoded_and_an_unknown_coding_is_an_error(
    transport: Transport,
) -> None:
    packed = gzip.compress(b'{"zipped":true}')
    raw = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(packed)
    async with Server(fixed(raw + packed)) as server:
        response = await transport.execute(post(server.url))
    assert response.body == b'{"zipped":true}'
    odd = b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}"
    async with Server(fixed(odd)) as server:
        with pytest.raises(APIConnectionError) as info:
            await transport.execute(post(server.url))
    assert info.value.request_sent is True and "Content-Encoding" in str(info.value)


@pytest.mark.parametrize(
    "raw",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 2xx OK\r\n\r\n",
        b"HTTP/1.1 999 No\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX",
        b"HTTP/1.1 200 OK\r\nX: " + b"a" * (70 * 1024) + b"\r\n\r\n",
    ],
    ids=[
        "not-http",
        "bad-status",
        "status-out-of-range",
        "bad-header",
        "two-lengths",
        "negative-length",
        "unknown-transfer-coding",
        "bad-chunk-size",
        "chunk-without-crlf",
        "huge-headers",
    ],
)
async def test_an_answer_that_is_not_http_fails_in_doubt(transport: Transport, raw: bytes) -> None:
    async with Server(fixed(raw)) as server:
        with pytest.raises(APIConnectionError) as info:
            await transport.execute(post(server.url))
    assert info.value.request_sent is True
    assert "unreadable answer" in str(info.value)


async def test_a_body_over_the_bound_is_refused() -> None:
    pool = Http11Pool(max_body=10)
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{}{}{}{}{}{"
    async with Server(fixed(big)) as server:
        from whatsapp_async._http11 import ProtocolFailure

        with pytest.raises(ProtocolFailure, match="exceeds 10 bytes"):
            await pool.request("POST", server.url, {}, b"{}", Timeout(total=2))
    await pool.aclose()


async def test_a_server_that_hangs_up_without_answering_leaves_the_send_in_doubt(
    transport: Transport,
) -> None:
    async def hang_up(request: bytes, writer: asyncio.StreamWriter) -> bool:
        return False  # read the request, close without a byte

    async with Server(hang_up) as server:
        with pytest.raises(APIConnectionError) as info:
            await transport.execute(post(server.url))
    assert info.value.request_sent is True
    assert "closed the connection before answering" in str(info.value)


async def test_a_server_that_stops_mid_answer_leaves_it_in_doubt(transport: Transport) -> None:
    raw = b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial"'
    async with Server(fixed(raw, keep=False)) as server:
        with pytest.raises(APIConnectionError) as info:
            await transport.execute(post(server.url))
    assert info.value.request_sent is True and "middle of the answer" in str(info.value)


async def test_a_refused_connection_sent_nothing(transport: Transport) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(APIConnectionError) as info:
        await transport.execute(post(f"http://127.0.0.1:{port}/v1/messages"))
    assert info.value.request_sent is False and "cannot connect" in str(info.value)


async def test_a_total_timeout_after_sending_is_in_doubt_and_drops_the_connection() -> None:
    answers = iter([None, OK])

    async def slow_then_fine(request: bytes, writer: asyncio.StreamWriter) -> bool:
        raw = next(answers)
        if raw is None:
            await asyncio.sleep(0.5)
            return False
        writer.write(raw)
        return True

    t = Transport(timeout=Timeout(connect=1, total=0.2))
    try:
        async with Server(slow_then_fine) as server:
            with pytest.raises(APITimeoutError) as info:
                await t.execute(post(server.url))
            assert info.value.request_sent is True and info.value.timeout == "total"
            response = await t.execute(post(server.url))  # a fresh connection, not the late one
        assert response.status == 200 and server.connections == 2
    finally:
        await t.aclose()


async def test_an_idle_connection_the_server_closed_is_not_reused(transport: Transport) -> None:
    async with Server(fixed(OK, keep=False)) as server:  # closes after each answer
        raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
        server.answer = fixed(raw, keep=False)
        await transport.execute(post(server.url))
        await asyncio.sleep(0.05)  # the server's close reaches the idle connection
        response = await transport.execute(post(server.url))
    assert response.status == 200 and server.connections == 2


async def test_extra_bytes_after_an_answer_retire_the_connection(transport: Transport) -> None:
    async with Server(fixed(OK + b"HTTP/1.1 200 OK\r\n")) as server:
        await transport.execute(post(server.url))
        await transport.execute(post(server.url))
    assert server.connections == 2


async def test_a_line_break_in_a_header_is_refused_before_anything_is_sent(
    transport: Transport,
) -> None:
    async with Server(fixed(OK)) as server:
        with pytest.raises(ValidationError, match="line break"):
            await transport.execute(post(server.url, Idem="a\r\nX-Injected: 1"))
    assert server.requests == []


async def test_tls_with_server_name_indication() -> None:
    authority = trustme.CA()
    certificate = authority.issue_cert("localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(OK)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    pool = Http11Pool(ssl_context=client_context)
    try:
        status, _, body = await pool.request(
            "GET", f"https://localhost:{port}/v1/x", {}, None, Timeout(total=5)
        )
    finally:
        await pool.aclose()
        server.close()
        await server.wait_closed()
    assert (status, body) == (200, b'{"ok":true}')
    assert seen[0].startswith(b"GET /v1/x HTTP/1.1\r\nHost: localhost:")
    assert b"Content-Length" not in seen[0]  # no body, no length


async def test_an_untrusted_certificate_is_a_connection_failure_that_sent_nothing() -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    t = Transport(timeout=Timeout(connect=2, total=2))  # the system trust store: not this CA
    try:
        with pytest.raises(APIConnectionError) as info:
            await t.execute(post(f"https://localhost:{port}/v1/messages"))
        assert info.value.request_sent is False
        assert "SSL" in str(info.value) or "certificate" in str(info.value).lower()
    finally:
        await t.aclose()
        server.close()
        await server.wait_closed()
