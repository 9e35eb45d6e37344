"""The wire format of the lean HTTP/1.1 client (``_http11``): requests written, answers read.

Pure functions over bytes: a request's head, an answer's status line and headers, its chunked
body, its content coding. The connection and the pool are in ``_http11``.

Example::

    >>> target_of("http://127.0.0.1:8080/v1/messages").host_header
    '127.0.0.1:8080'
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

from multidict import CIMultiDict

__all__ = [
    "DEFAULT_MAX_BODY",
    "MAX_HEAD",
    "Answer",
    "ConnectFailed",
    "Disconnected",
    "ProtocolFailure",
    "RequestTimeout",
    "Target",
    "decoded",
    "read_chunks",
    "read_head",
    "request_head",
    "target_of",
]

MAX_HEAD = 64 * 1024
"""The largest status line plus headers accepted (a server sending more is not an API)."""
DEFAULT_MAX_BODY = 32 * 1024 * 1024
_NO_BODY_STATUSES = frozenset({204, 304})
_OWN_HEADERS = frozenset({"host", "content-length", "accept-encoding", "transfer-encoding"})
"""Headers this client writes itself (a caller's would contradict the body it sends)."""


class ConnectFailed(Exception):
    """The connection could not be opened (refused, DNS, TLS): nothing was sent."""

    def __init__(self, error: BaseException, *, timed_out: bool = False) -> None:
        super().__init__(str(error) or type(error).__name__)
        self.error = error
        self.timed_out = timed_out


class RequestTimeout(Exception):
    """The total timeout passed; ``sent``: whether the request had been written."""

    def __init__(self, sent: bool) -> None:
        super().__init__("timeout")
        self.sent = sent


class Disconnected(Exception):
    """The connection closed (or failed) before the whole answer arrived."""

    def __init__(self, reason: str, *, sent: bool) -> None:
        super().__init__(reason)
        self.sent = sent


class ProtocolFailure(Exception):
    """The answer is not HTTP/1.x this client can read (the request was sent)."""


class Target(NamedTuple):
    """Where a URL goes: the pool key and the request target."""

    scheme: str
    host: str
    port: int
    host_header: str
    path: str


@lru_cache(maxsize=1024)
def target_of(url: str) -> Target:
    """The parts of an absolute http(s) URL (cached: API calls repeat a few URLs).

    Example::

        >>> target_of("https://graph.facebook.com/v26.0/1/messages?x=1").path
        '/v26.0/1/messages?x=1'
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:80]!r}")
    host = parts.hostname
    default = 443 if scheme == "https" else 80
    port = parts.port or default
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default else f"{shown}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, host_header, path)


def request_head(
    method: str, target: Target, headers: Mapping[str, str], length: int | None
) -> bytes:
    """The request line and headers (``Host``, ``Content-Length`` and the coding are ours)."""
    lines = [f"{method} {target.path} HTTP/1.1", f"Host: {target.host_header}"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise ValueError(f"header {name[:40]!r} holds a line break or a colon in its name")
        if name.lower() not in _OWN_HEADERS:
            lines.append(f"{name}: {value}")
    lines.append("Accept-Encoding: identity")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("")
    lines.append("")
    return "\r\n".join(lines).encode("latin-1")


class Answer:
    """The answer being read: status, headers, and how its body ends."""

    __slots__ = ("body", "chunk_left", "headers", "keep_alive", "length", "mode", "status")

    def __init__(self) -> None:
        self.status = 0
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.mode = "head"  # head -> length | chunked | close -> done
        self.length = 0
        self.chunk_left = -1  # -1: a chunk-size line is expected next
        self.body = bytearray()
        self.keep_alive = True


def read_head(answer: Answer, head: bytes, *, head_request: bool, max_body: int) -> None:
    """Fill ``answer`` from its status line and headers (a 1xx leaves it waiting for more)."""
    lines = head.split(b"\r\n")
    status_line = lines[0]
    if not status_line.startswith(b"HTTP/1.") or len(status_line) < 12:
        raise ProtocolFailure(f"not an HTTP/1.x status line: {status_line[:40]!r}")
    try:
        status = int(status_line[9:12])
    except ValueError:
        raise ProtocolFailure(f"not an HTTP status: {status_line[:40]!r}") from None
    if not 100 <= status <= 599:
        raise ProtocolFailure(f"not an HTTP status: {status}")
    if 100 <= status < 200:
        return  # 100 Continue, 103 Early Hints: read on
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise ProtocolFailure(f"a malformed header line: {line[:40]!r}")
        headers.add(name.decode("latin-1"), value.strip().decode("latin-1"))
    answer.status = status
    answer.headers = headers
    connection = headers.get("Connection", "").lower()
    answer.keep_alive = status_line.startswith(b"HTTP/1.1") and "close" not in connection
    encoding = headers.get("Transfer-Encoding", "").lower()
    lengths = headers.getall("Content-Length", [])
    if head_request or status in _NO_BODY_STATUSES:
        answer.mode = "done"
    elif encoding:
        if encoding.split(",")[-1].strip() != "chunked":
            raise ProtocolFailure(f"an unsupported Transfer-Encoding: {encoding[:40]!r}")
        answer.mode = "chunked"
    elif lengths:
        if len(set(lengths)) != 1 or not lengths[0].isdigit():
            raise ProtocolFailure(f"a bad Content-Length: {', '.join(lengths)[:40]!r}")
        answer.length = int(lengths[0])
        if answer.length > max_body:
            raise ProtocolFailure(f"the answer's body exceeds {max_body} bytes")
        answer.mode = "length"
    else:
        answer.mode = "close"
        answer.keep_alive = False


def read_chunks(answer: Answer, buffer: bytearray, *, max_body: int) -> bool:
    """Consume chunks from the buffer; True once the last chunk (and trailers) is in."""
    while True:
        if answer.chunk_left < 0:
            end = buffer.find(b"\r\n")
            if end < 0:
                if len(buffer) > 1024:
                    raise ProtocolFailure("a chunk-size line over 1 KiB")
                return False
            size_text = bytes(buffer[:end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolFailure(f"a bad chunk size: {size_text[:20]!r}") from None
            if size == 0:
                # The last chunk; then trailers (ignored) and an empty line end the body.
                if len(buffer) < end + 4:
                    return False
                if buffer[end + 2 : end + 4] == b"\r\n":
                    del buffer[: end + 4]
                    return True
                trailers_end = buffer.find(b"\r\n\r\n", end + 2)
                if trailers_end < 0:
                    if len(buffer) > MAX_HEAD:
                        raise ProtocolFailure("the answer's trailers are too large")
                    return False
                del buffer[: trailers_end + 4]
                return True
            del buffer[: end + 2]
            answer.chunk_left = size
            if len(answer.body) + size > max_body:
                raise ProtocolFailure(f"the answer's body exceeds {max_body} bytes")
        if len(buffer) < answer.chunk_left + 2:
            return False
        if buffer[answer.chunk_left : answer.chunk_left + 2] != b"\r\n":
            raise ProtocolFailure("a chunk does not end with CRLF")
        answer.body += buffer[: answer.chunk_left]
        del buffer[: answer.chunk_left + 2]
        answer.chunk_left = -1


def decoded(body: bytes, headers: CIMultiDict[str]) -> bytes:
    """``body`` with its ``Content-Encoding`` (gzip, deflate) undone."""
    coding = headers.get("Content-Encoding", "").strip().lower()
    if not coding or coding == "identity" or not body:
        return body
    try:
        if coding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if coding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error as exc:
        raise ProtocolFailure(f"a {coding} body that does not decode ({exc})") from None
    raise ProtocolFailure(f"an unsupported Content-Encoding: {coding[:40]!r}")
