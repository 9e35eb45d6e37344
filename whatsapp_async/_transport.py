"""The aiohttp session layer: lazy session, timeouts, and exception translation.

The transport is the only place that touches the network. It sends an
:class:`HttpRequest` and returns an :class:`HttpResponse` whatever the status;
connection failures and timeouts become :class:`APIConnectionError` /
:class:`APITimeoutError` with ``request_sent`` telling whether the request may
have reached the server.

Example::

    transport = Transport(timeout=Timeout(total=10))
    response = await transport.execute(request)
    await transport.aclose()
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, BinaryIO

import aiohttp
from aiohttp import FormData

from ._http11 import ConnectFailed, Disconnected, Http11Pool, ProtocolFailure, RequestTimeout
from ._slots import Slots
from ._timeout import Timeout
from .errors import APIConnectionError, APITimeoutError, ClientClosedError, ValidationError
from .provider import FormFile, HttpRequest, HttpResponse

__all__ = ["Transport", "to_client_timeout"]

_INITIAL_LATENCY = 0.1
_LATENCY_WEIGHT = 0.05


def to_client_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    """The ``aiohttp.ClientTimeout`` equivalent to ``timeout``."""
    return aiohttp.ClientTimeout(total=timeout.total, sock_connect=timeout.connect)


class Transport:
    """Sends requests over one aiohttp session, created on first use.

    A caller-owned ``session`` is used as is and never closed here.

    Example::

        async with aiohttp.ClientSession() as session:
            transport = Transport(session=session)
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: Timeout | None = None,
        connection_limit: int | None = None,
        provider: str | None = None,
        auto_start: int = 100,
        auto_max: int = 1000,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout or Timeout()
        self._client_timeout = to_client_timeout(self._timeout)
        # Requests wait here, not in aiohttp's pool, so their timeouts start when they can run.
        # connection_limit=None: the slots size themselves (the executor resizes them by
        # Little's law); the pool below only caps them.
        self._limit = connection_limit if connection_limit is not None else auto_max
        self._slots = Slots(connection_limit if connection_limit is not None else auto_start)
        self.auto_slots: Slots | None = self._slots if connection_limit is None else None
        self.latency = _INITIAL_LATENCY
        """Seconds an answer takes (an average that follows the recent ones)."""
        self._provider = provider
        self._closed = False
        # The API calls' own keep-alive client; None with a caller-owned aiohttp session, which
        # then carries everything (its proxies, TLS settings, tracing ...).
        self._pool = Http11Pool(limit=self._limit) if session is None else None

    @property
    def closed(self) -> bool:
        """Whether ``aclose`` was called."""
        return self._closed

    def check_open(self) -> None:
        """Raise :class:`ClientClosedError` once the transport was closed."""
        if self._closed:
            raise ClientClosedError(
                "this client is closed: create a new one", provider=self._provider
            )

    @property
    def timeout(self) -> Timeout:
        """The default timeout of every request."""
        return self._timeout

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or (self._owns_session and self._session.closed):
            if self._closed:
                raise ClientClosedError(
                    "this client is closed: create a new one", provider=self._provider
                )
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._client_timeout, auto_decompress=True
            )
        return self._session

    @property
    def slots(self) -> Slots:
        """The request slots: hold one around ``send`` (``execute`` takes its own)."""
        return self._slots

    async def execute(
        self, request: HttpRequest, *, timeout: Timeout | None = None
    ) -> HttpResponse:
        """Send ``request`` and return the response, raising only connection errors."""
        async with self._slots:
            return await self.send(request, timeout=timeout)

    async def send(self, request: HttpRequest, *, timeout: Timeout | None = None) -> HttpResponse:
        """Send ``request`` in a slot the caller already holds (see :attr:`slots`).

        The executor takes the slot *before* the rate limiter: a request the limiter lets go
        leaves at once, instead of queueing for a slot and leaving later in a burst.
        """
        started = time.perf_counter()
        response = await self._execute(request, timeout)
        # An exponentially weighted average: Little's law sizing follows latency changes
        # within a few dozen answers without jumping on a single slow one.
        self.latency += _LATENCY_WEIGHT * (time.perf_counter() - started - self.latency)
        return response

    async def _execute(
        self,
        request: HttpRequest,
        timeout: Timeout | None,
        sink: Callable[[bytes], Awaitable[None]] | None = None,
    ) -> HttpResponse:
        if self._pool is not None and request.form is None and sink is None:
            return await self._lean(self._pool, request, timeout or self._timeout)
        session = self._get_session()
        client_timeout = self._client_timeout if timeout is None else to_client_timeout(timeout)
        files: list[BinaryIO] = []
        try:
            data = request.body if request.form is None else await _form(request.form, files)
            async with session.request(
                request.method,
                request.url,
                data=data,
                headers=request.headers,
                timeout=client_timeout,
                allow_redirects=False,
            ) as resp:
                if sink is None or resp.status >= 300:
                    body = await resp.read()
                else:
                    # Stream a success body chunk by chunk: never the whole file in memory.
                    async for chunk in resp.content.iter_chunked(_CHUNK):
                        await sink(chunk)
                    body = b""
                return HttpResponse(
                    status=resp.status, headers=resp.headers, body=body, received_at=time.time()
                )
        except aiohttp.ConnectionTimeoutError as exc:
            raise APITimeoutError(
                f"connect timeout ({client_timeout.sock_connect}s) for {request.method} "
                f"{_path(request.url)}",
                provider=self._provider,
                timeout="connect",
                request_sent=False,
            ) from exc
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise APITimeoutError(
                f"total timeout ({client_timeout.total}s) for "
                f"{request.method} {_path(request.url)}",
                provider=self._provider,
                timeout="total",
                request_sent=True,
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise APIConnectionError(
                f"cannot connect for {request.method} {_path(request.url)}: {exc.os_error}",
                provider=self._provider,
                request_sent=False,
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise APIConnectionError(
                f"connection failed during {request.method} {_path(request.url)}: "
                f"{type(exc).__name__}: {exc}",
                provider=self._provider,
                request_sent=True,
            ) from exc
        finally:
            for fh in files:
                fh.close()

    async def _lean(self, pool: Http11Pool, request: HttpRequest, timeout: Timeout) -> HttpResponse:
        """An API call on the keep-alive client (``_http11``), its failures as the SDK's."""
        if self._closed:
            raise ClientClosedError(
                "this client is closed: create a new one", provider=self._provider
            )
        what = f"{request.method} {_path(request.url)}"
        try:
            status, headers, body = await pool.request(
                request.method, request.url, request.headers, request.body, timeout
            )
        except ConnectFailed as exc:
            if exc.timed_out:
                raise APITimeoutError(
                    f"connect timeout ({timeout.connect}s) for {what}",
                    provider=self._provider,
                    timeout="connect",
                    request_sent=False,
                ) from exc
            raise APIConnectionError(
                f"cannot connect for {what}: {type(exc.error).__name__}: {exc}",
                provider=self._provider,
                request_sent=False,
            ) from exc
        except RequestTimeout as exc:
            raise APITimeoutError(
                f"total timeout ({timeout.total}s) for {what}",
                provider=self._provider,
                timeout="total",
                request_sent=exc.sent,
            ) from exc
        except Disconnected as exc:
            raise APIConnectionError(
                f"connection failed during {what}: {exc}",
                provider=self._provider,
                request_sent=exc.sent,
            ) from exc
        except ProtocolFailure as exc:
            raise APIConnectionError(
                f"connection failed during {what}: an unreadable answer: {exc}",
                provider=self._provider,
                request_sent=True,
            ) from exc
        except ValueError as exc:  # a URL or header that cannot go on the wire
            raise ValidationError(f"{what}: {exc}", provider=self._provider) from None
        except OSError as exc:  # the socket failed while writing
            raise APIConnectionError(
                f"connection failed during {what}: {type(exc).__name__}: {exc}",
                provider=self._provider,
                request_sent=True,
            ) from exc
        return HttpResponse(status=status, headers=headers, body=body, received_at=time.time())

    async def stream(
        self,
        request: HttpRequest,
        sink: Callable[[bytes], Awaitable[None]],
        *,
        timeout: Timeout | None = None,
    ) -> HttpResponse:
        """Send ``request``; feed a 2xx body to ``sink`` in chunks (the response body is empty).

        An error response is read whole and returned as usual.
        """
        async with self._slots:
            return await self._execute(request, timeout, sink)

    async def aclose(self) -> None:
        """Close the session if this transport created it."""
        self._closed = True
        if self._pool is not None:
            await self._pool.aclose()
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()


_CHUNK = 64 * 1024


async def _form(fields: Sequence[tuple[str, str | FormFile]], files: list[BinaryIO]) -> FormData:
    form = aiohttp.FormData()
    for name, value in fields:
        if isinstance(value, FormFile):
            if value.path is not None:
                # aiohttp streams an open file in chunks; the caller closes it.
                fh = await asyncio.to_thread(open, value.path, "rb")
                files.append(fh)
                payload: Any = fh
            else:
                payload = value.data or b""
            form.add_field(name, payload, filename=value.filename, content_type=value.content_type)
        else:
            form.add_field(name, value)
    return form


def _path(url: str) -> str:
    # Only the path goes into messages: query strings may carry tokens on some APIs.
    without_query = url.split("?", 1)[0]
    scheme_sep = without_query.find("//")
    slash = without_query.find("/", scheme_sep + 2 if scheme_sep >= 0 else 0)
    return without_query[slash:] if slash >= 0 else "/"
