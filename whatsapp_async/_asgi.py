"""The ASGI receiver (``wa.asgi_app(handler)``): the aiohttp app's answers, for Starlette, FastAPI
and any ASGI server, with no dependency beyond the standard library.

It answers exactly as ``wa.webhook_app`` does (both are front-ends over ``_receiving``): the
verification GET (200/403/405), and for a POST 503 while ``max_concurrent_handlers``
deliveries are being handled, 413 over ``max_body`` (counted while the body streams in), 401
for a failed verification, 400 for an unreadable body, 405 for a provider without webhooks,
else 200 with the handler run in the background; any other method 405, an unknown path 404.

Mount it (``app.mount("/webhooks", wa.asgi_app(router))``) or serve it on its own
(``uvicorn.run(wa.asgi_app(router))``). On its own it drains its handlers on the ASGI
``lifespan`` shutdown; mounted apps get no lifespan events in Starlette, so call
``await receiver.aclose()`` in your app's lifespan.

Example::

    from fastapi import FastAPI

    api = FastAPI()
    api.mount("/webhooks/whatsapp", wa.asgi_app(router))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from ._protocols import WebhookSource
from ._receiving import Closable, EventHandler, Handlers, Receiver, check_receiver_options

__all__ = ["ASGIWebhookApp", "create_asgi_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Multi(Mapping[str, str]):
    """Read-only multi-valued mapping (first value wins; ``getall`` for all of them);
    case-insensitive keys for headers."""

    def __init__(self, pairs: list[tuple[str, str]], *, fold: bool) -> None:
        self._fold = fold
        self._pairs = pairs
        self._first: dict[str, str] = {}
        for key, value in pairs:
            self._first.setdefault(key.lower() if fold else key, value)

    def _key(self, key: str) -> str:
        return key.lower() if self._fold else key

    def __getitem__(self, key: str) -> str:
        return self._first[self._key(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def getall(self, key: str, default: Any = ()) -> list[str] | Any:
        wanted = self._key(key)
        found = [v for k, v in self._pairs if (k.lower() if self._fold else k) == wanted]
        return found or default


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class ASGIWebhookApp:
    """An ASGI application receiving webhooks at one path per source (see the module docs).

    Example::

        receiver = wa.asgi_app(on_event, path="/")
        await receiver(scope, receive, send)   # what an ASGI server does
        await receiver.aclose()                # drain handlers, close owned clients
    """

    def __init__(
        self,
        routes: Sequence[tuple[str, WebhookSource]],
        handler: EventHandler,
        *,
        max_body: int,
        dedupe_seconds: float,
        max_concurrent_handlers: int,
        shutdown_grace: float,
        close: Sequence[Closable] = (),
    ) -> None:
        check_receiver_options(
            max_concurrent_handlers=max_concurrent_handlers, shutdown_grace=shutdown_grace
        )
        self.handlers = Handlers(max_concurrent_handlers, shutdown_grace)
        self._max_body = max_body
        self._close = list(close)
        self._closed = False
        self._routes = {
            _normal(path): Receiver(
                source, handler, dedupe_seconds=dedupe_seconds, handlers=self.handlers
            )
            for path, source in routes
        }

    async def aclose(self) -> None:
        """Refuse new deliveries, drain running handlers, close the clients the app owns."""
        if self._closed:
            return
        self._closed = True
        await self.handlers.drain()
        for owned in self._close:
            await owned.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return  # websockets: not ours to answer
        path = str(scope.get("path") or "/")
        root = str(scope.get("root_path") or "")
        if root and path.startswith(root):
            path = path[len(root) :]
        receiver = self._routes.get(_normal(path))
        if receiver is None:
            await _answer(send, 404, "not found")
            return
        method = str(scope.get("method", "GET")).upper()
        query = _Multi(
            parse_qsl(bytes(scope.get("query_string") or b"").decode("latin-1"), True),
            fold=False,
        )
        if method == "GET":
            status, text = receiver.handshake(query)
            await _answer(send, status, text)
            return
        if method != "POST":
            await _answer(send, 405, "method not allowed")
            return
        await self._post(receiver, scope, receive, send, query)

    async def _post(
        self, receiver: Receiver, scope: Scope, receive: Receive, send: Send, query: _Multi
    ) -> None:
        if self.handlers.full():  # before reading: a busy app spends nothing on the body
            status, text = self.handlers.refuse(receiver.provider)
            await _answer(send, status, text)
            return
        headers = _Multi(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers") or ()],
            fold=True,
        )
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body:
            await _answer(send, 413, "payload too large")
            return
        try:
            body = await self._read(receive)
        except _TooLarge:
            await _answer(send, 413, "payload too large")
            return
        except _Disconnected:
            return
        status, text = await receiver.accept(headers, body, query)
        await _answer(send, status, text)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                raise _Disconnected
            chunk = bytes(message.get("body") or b"")
            size += len(chunk)
            if size > self._max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message.get("type") == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message.get("type") == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_asgi_app(
    routes: Sequence[tuple[str, WebhookSource]],
    handler: EventHandler,
    *,
    max_body: int,
    dedupe_seconds: float,
    max_concurrent_handlers: int,
    shutdown_grace: float,
    close: Sequence[Closable] = (),
) -> ASGIWebhookApp:
    """The ASGI receiver behind ``wa.asgi_app`` (one path per source).

    Example::

        app = create_asgi_app([("/", wa)], on_event, max_body=3 << 20, dedupe_seconds=600,
                              max_concurrent_handlers=100, shutdown_grace=5)
    """
    return ASGIWebhookApp(
        routes,
        handler,
        max_body=max_body,
        dedupe_seconds=dedupe_seconds,
        max_concurrent_handlers=max_concurrent_handlers,
        shutdown_grace=shutdown_grace,
        close=close,
    )


def _normal(path: str) -> str:
    return "/" + path.strip("/")


async def _answer(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8", "replace")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
