"""The aiohttp receiver for normalised webhook events (``wa.webhook_app(handler)``).

It depends on a :class:`~whatsapp_async._protocols.WebhookSource` (anything that verifies
and parses deliveries: a client, a failover chain), not on the client class. It answers
verification handshakes (403 for a wrong token, 405 when there is none), answers 413 for a
body over ``max_body``, 400 for a body the HTTP layer cannot read (a broken chunked or gzip
encoding), 401 when verification fails, 400 for a verified body that is not readable JSON,
405 when the provider receives no webhooks; otherwise 200 at once, and the handler runs in the
background. It drops redelivered events it has seen recently, and logs handler failures
without losing the other events of the batch.

Example::

    async def on_event(event):
        if isinstance(event, StatusUpdate):
            print(event.message_id, event.status)

    app = wa.webhook_app(on_event, path="/hook")
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, Union

from aiohttp import web

from ._protocols import WebhookSource
from .errors import UnsupportedFeature, WebhookPayloadError, WebhookSignatureError
from .events import Event, MessageReceived, StatusUpdate

__all__ = [
    "EventHandler",
    "create_webhook_app",
    "event_key",
]

log = logging.getLogger("whatsapp_async.webhooks")

EventHandler = Callable[[Event], Union[Awaitable[Any], None]]


class Closable(Protocol):
    """Something the app closes on cleanup (a client it was given to own)."""

    async def aclose(self) -> None:
        """Release its connections."""


def event_key(event: Event) -> tuple[Any, ...] | None:
    """The identity used to drop redeliveries (None: never deduplicated).

    Example::

        event_key(StatusUpdate(provider="meta", message_id="wamid.X", status="read"))
        # ('meta', 'status', 'wamid.X', 'read')
    """
    if isinstance(event, StatusUpdate):
        return (event.provider, "status", event.message_id, event.status)
    if isinstance(event, MessageReceived):
        return (event.provider, "message", event.message_id)
    return None


class _Deduper:
    """Remembers event keys for ``window`` seconds (bounded)."""

    def __init__(self, window: float, max_size: int = 100_000) -> None:
        self.window = window
        self.max_size = max_size
        self._seen: OrderedDict[tuple[Any, ...], float] = OrderedDict()

    def seen(self, key: tuple[Any, ...]) -> bool:
        now = time.monotonic()
        while self._seen:
            oldest_key, at = next(iter(self._seen.items()))
            if now - at <= self.window and len(self._seen) < self.max_size:
                break
            del self._seen[oldest_key]
        if key in self._seen:
            return True
        self._seen[key] = now
        return False


class _Receiver:
    """The routes of one webhook source: handshake GET, delivery POST, background handler."""

    def __init__(
        self,
        source: WebhookSource,
        handler: EventHandler,
        *,
        max_body: int,
        dedupe_seconds: float,
        tasks: set[asyncio.Task[None]],
    ) -> None:
        self._source = source
        self._handler = handler
        self._max_body = max_body
        self._dedupe = _Deduper(dedupe_seconds) if dedupe_seconds > 0 else None
        self._tasks = tasks

    def add_routes(self, app: web.Application, path: str) -> None:
        app.router.add_get(path, self.handle_get)
        app.router.add_post(path, self.handle_post)

    async def run_handler(self, events: list[Event]) -> None:
        for event in events:
            try:
                result = self._handler(event)
                if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                    await result
            except Exception:
                log.exception(
                    "webhook handler failed for a %s event from %s",
                    type(event).__name__,
                    getattr(event, "provider", "?"),
                )

    async def handle_get(self, request: web.Request) -> web.Response:
        try:
            answer = self._source.webhook_handshake(request.query)
        except WebhookSignatureError:
            return web.Response(status=403, text="verification failed")
        if answer is None:
            return web.Response(status=405, text="no verification handshake for this provider")
        # Encoded by hand: the challenge is the caller's text, and a lone surrogate in it
        # would make aiohttp's own encoding raise.
        body = answer.encode("utf-8", "replace")
        return web.Response(body=body, content_type="text/plain", charset="utf-8")

    async def handle_post(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > self._max_body:
            return web.Response(status=413, text="payload too large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="payload too large")
        except web.RequestPayloadError:  # a broken chunked or Content-Encoding body
            return web.Response(status=400, text="unreadable body")
        try:
            events = self._source.parse_webhook(request.headers, body, request.query)
        except WebhookSignatureError as exc:
            log.warning("rejected a %s webhook: %s", self._source.provider_name, exc.message)
            return web.Response(status=401, text="invalid signature")
        except WebhookPayloadError as exc:
            log.warning("rejected a %s webhook: %s", self._source.provider_name, exc.message)
            return web.Response(status=400, text="unreadable payload")
        except UnsupportedFeature:
            return web.Response(status=405, text="this provider sends no webhooks")
        fresh = [event for event in events if not self._seen(event)]
        if fresh:
            task = asyncio.get_running_loop().create_task(self.run_handler(fresh))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.Response(text="ok")

    def _seen(self, event: Event) -> bool:
        if self._dedupe is None:
            return False
        key = event_key(event)
        return key is not None and self._dedupe.seen(key)


def create_webhook_app(
    routes: Sequence[tuple[str, WebhookSource]],
    handler: EventHandler,
    *,
    max_body: int = 3 * 1024 * 1024,
    dedupe_seconds: float = 600.0,
    close: Sequence[Closable] = (),
) -> web.Application:
    """The receiver app behind ``wa.webhook_app``: one path per source (see the module docs).

    On cleanup the app waits (up to 5 s) for handler tasks still running, cancels the rest,
    and closes everything in ``close`` (clients the app was given to own).

    Example::

        app = create_webhook_app([("/hook", wa)], on_event)
    """
    tasks: set[asyncio.Task[None]] = set()
    app = web.Application(client_max_size=max_body)
    for path, source in routes:
        receiver = _Receiver(
            source, handler, max_body=max_body, dedupe_seconds=dedupe_seconds, tasks=tasks
        )
        receiver.add_routes(app, path)

    async def on_cleanup(app: web.Application) -> None:
        if tasks:
            await asyncio.wait(set(tasks), timeout=5)
        for task in list(tasks):
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for owned in close:
            await owned.aclose()

    app.on_cleanup.append(on_cleanup)
    return app
