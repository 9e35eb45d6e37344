"""The aiohttp receiver for normalised webhook events (``wa.webhook_app(handler)``).

It depends on a :class:`~whatsapp_async._protocols.WebhookSource` (anything that verifies
and parses deliveries: a client, a failover chain), not on the client class. What it answers:

- ``GET``: the provider's verification handshake (200 with the challenge; 403 for a wrong
  token; 405 when the provider has none).
- ``POST``, in this order: 503 while ``max_concurrent_handlers`` deliveries are still being
  handled (or the app is shutting down), before the body is read; 413 for a body over
  ``max_body``; 400 for a body the HTTP layer cannot read (a broken chunked or gzip
  encoding); 401 when verification fails (``WebhookSignatureError``); 400 for a verified
  body that is not readable JSON (``WebhookPayloadError``); 405 when the provider receives
  no webhooks; otherwise 200, and the handler runs in the background. A 503 and every 4xx
  accept nothing: the events are neither handled nor remembered, so a redelivery counts.
- Any other method: 405 (aiohttp's router).

Redelivered events seen in the last ``dedupe_seconds`` are acknowledged without calling the
handler again; a handler failure is logged without losing the other events of the batch. On
cleanup, handlers still running get ``shutdown_grace`` seconds; the rest are cancelled and
their events logged by id, so an acknowledged event is never dropped silently.

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
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol, Union

from aiohttp import web

from ._protocols import WebhookSource
from .errors import (
    ConfigurationError,
    UnsupportedFeature,
    WebhookPayloadError,
    WebhookSignatureError,
)
from .events import Event, MessageReceived, StatusUpdate, UnknownEvent

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_CONCURRENT_HANDLERS",
    "DEFAULT_SHUTDOWN_GRACE",
    "EventHandler",
    "create_webhook_app",
    "event_key",
    "event_label",
]

log = logging.getLogger("whatsapp_async.webhooks")

EventHandler = Callable[[Event], Union[Awaitable[Any], None]]

DEFAULT_MAX_BODY = 3 * 1024 * 1024
"""Bytes; Meta's largest batches stay far below it."""
DEFAULT_MAX_CONCURRENT_HANDLERS = 100
"""Deliveries handled at once per app; beyond it the app answers 503 and the provider retries."""
DEFAULT_SHUTDOWN_GRACE = 5.0
"""Seconds handlers still running get to finish on cleanup before they are cancelled."""
_CANCEL_WAIT = 1.0  # how long cancelled handlers get to unwind before shutdown moves on


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


def event_label(event: Event) -> str:
    """How a log line names an event: its message id and what it says.

    Example::

        event_label(StatusUpdate(provider="meta", message_id="wamid.X", status="read"))
        # 'wamid.X (read)'
    """
    if isinstance(event, StatusUpdate):
        return f"{event.message_id} ({event.status})"
    if isinstance(event, MessageReceived):
        return f"{event.message_id} (message)"
    if isinstance(event, UnknownEvent):
        return f"? (unknown {event.kind or 'event'})"
    return f"? ({type(event).__name__})"


class _Deduper:
    """Remembers event keys for ``window`` seconds (bounded)."""

    def __init__(self, window: float, max_size: int = 100_000) -> None:
        self.window = window
        self.max_size = max_size
        self._seen: OrderedDict[tuple[Any, ...], float] = OrderedDict()

    def recent(self, key: tuple[Any, ...]) -> bool:
        now = time.monotonic()
        while self._seen:
            oldest_key, at = next(iter(self._seen.items()))
            if now - at <= self.window and len(self._seen) < self.max_size:
                break
            del self._seen[oldest_key]
        return key in self._seen

    def remember(self, key: tuple[Any, ...]) -> None:
        self._seen[key] = time.monotonic()
        self._seen.move_to_end(key)


class _Delivery:
    """The events of one accepted delivery and how far its handler got."""

    def __init__(self, provider: str, events: list[Event]) -> None:
        self.provider = provider
        self.events = events
        self.handled = 0
        self.stopped = False  # set at shutdown: even a handler that swallows the cancel stops


class _Handlers:
    """The app's background handler tasks: at most ``limit`` at once, drained on cleanup."""

    def __init__(self, limit: int, grace: float) -> None:
        self.limit = limit
        self.grace = grace
        self.closing = False
        self.running: dict[asyncio.Task[None], _Delivery] = {}
        self._warned_full = False

    def full(self) -> bool:
        return self.closing or len(self.running) >= self.limit

    def refuse(self, provider: str) -> web.Response:
        # One line per saturated stretch, not per delivery: under a burst that is thousands.
        if not self._warned_full and not self.closing:
            self._warned_full = True
            log.warning(
                "%s webhooks: %d handlers are still running (max_concurrent_handlers): "
                "answering 503 until one finishes, so that the provider redelivers",
                provider,
                self.limit,
            )
        return web.Response(status=503, text="busy: retry later")

    def start(
        self, delivery: _Delivery, run: Callable[[_Delivery], Coroutine[Any, Any, None]]
    ) -> None:
        task = asyncio.get_running_loop().create_task(run(delivery))
        self.running[task] = delivery
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.running.pop(task, None)
        if len(self.running) < self.limit:
            self._warned_full = False

    async def drain(self) -> None:
        """Refuse new deliveries, give running handlers the grace, cancel and log the rest."""
        self.closing = True
        if self.running:
            await asyncio.wait(set(self.running), timeout=self.grace)
        late = {task: delivery for task, delivery in self.running.items() if not task.done()}
        if not late:
            return
        for task, delivery in late.items():
            delivery.stopped = True
            task.cancel()
        await asyncio.wait(set(late), timeout=_CANCEL_WAIT)
        by_provider: dict[str, list[str]] = {}
        for delivery in late.values():
            labels = [event_label(event) for event in delivery.events[delivery.handled :]]
            by_provider.setdefault(delivery.provider, []).extend(labels)
        for provider, labels in by_provider.items():
            log.warning(
                "%s webhooks: shutdown cancelled the handler of %d acknowledged event(s) "
                "still unfinished after the %.1f s grace: %s",
                provider,
                len(labels),
                self.grace,
                ", ".join(labels),
                extra={"provider": provider, "event_ids": labels},
            )


class _Receiver:
    """The routes of one webhook source: handshake GET, delivery POST, background handler."""

    def __init__(
        self,
        source: WebhookSource,
        handler: EventHandler,
        *,
        max_body: int,
        dedupe_seconds: float,
        handlers: _Handlers,
    ) -> None:
        self._source = source
        self._handler = handler
        self._max_body = max_body
        self._dedupe = _Deduper(dedupe_seconds) if dedupe_seconds > 0 else None
        self._handlers = handlers

    def add_routes(self, app: web.Application, path: str) -> None:
        app.router.add_get(path, self.handle_get)
        app.router.add_post(path, self.handle_post)

    async def run_handler(self, delivery: _Delivery) -> None:
        for event in delivery.events:
            if delivery.stopped:
                return
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
            delivery.handled += 1

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
        provider = self._source.provider_name
        if self._handlers.full():  # before reading: a busy app spends nothing on the body
            return self._handlers.refuse(provider)
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
            log.warning("rejected a %s webhook: %s", provider, exc.message)
            return web.Response(status=401, text="invalid signature")
        except WebhookPayloadError as exc:
            log.warning("rejected a %s webhook: %s", provider, exc.message)
            return web.Response(status=400, text="unreadable payload")
        except UnsupportedFeature:
            return web.Response(status=405, text="this provider sends no webhooks")
        fresh, keys = self._fresh(events)
        if not fresh:
            return web.Response(text="ok")
        # Checked again with no await since: other deliveries may have started meanwhile.
        if self._handlers.full():
            return self._handlers.refuse(provider)
        if self._dedupe is not None:
            for key in keys:  # only now: a refused delivery must count when it comes again
                self._dedupe.remember(key)
        self._handlers.start(_Delivery(provider, fresh), self.run_handler)
        return web.Response(text="ok")

    def _fresh(self, events: list[Event]) -> tuple[list[Event], list[tuple[Any, ...]]]:
        """The events not seen recently (nor earlier in this delivery), and their keys."""
        if self._dedupe is None:
            return list(events), []
        fresh: list[Event] = []
        keys: list[tuple[Any, ...]] = []
        batch: set[tuple[Any, ...]] = set()
        for event in events:
            key = event_key(event)
            if key is not None:
                if key in batch or self._dedupe.recent(key):
                    continue
                batch.add(key)
                keys.append(key)
            fresh.append(event)
        return fresh, keys


def create_webhook_app(
    routes: Sequence[tuple[str, WebhookSource]],
    handler: EventHandler,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    dedupe_seconds: float = 600.0,
    max_concurrent_handlers: int = DEFAULT_MAX_CONCURRENT_HANDLERS,
    shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE,
    close: Sequence[Closable] = (),
) -> web.Application:
    """The receiver app behind ``wa.webhook_app``: one path per source (see the module docs).

    At most ``max_concurrent_handlers`` deliveries are handled at once, across every route
    (each delivery's events reach the handler one after another); beyond that the app
    answers 503. On cleanup the app refuses new deliveries, waits up to ``shutdown_grace``
    seconds for handlers still running, cancels the rest (one WARNING line per provider
    listing the ids of the events left unfinished), then closes everything in ``close``
    (clients the app was given to own).

    Example::

        app = create_webhook_app([("/hook", wa)], on_event, max_concurrent_handlers=20)
    """
    if max_concurrent_handlers < 1:
        raise ConfigurationError("max_concurrent_handlers must be at least 1")
    if shutdown_grace < 0:
        raise ConfigurationError("shutdown_grace must not be negative")
    handlers = _Handlers(max_concurrent_handlers, shutdown_grace)
    app = web.Application(client_max_size=max_body)
    for path, source in routes:
        receiver = _Receiver(
            source, handler, max_body=max_body, dedupe_seconds=dedupe_seconds, handlers=handlers
        )
        receiver.add_routes(app, path)

    async def on_cleanup(app: web.Application) -> None:
        await handlers.drain()
        for owned in close:
            await owned.aclose()

    app.on_cleanup.append(on_cleanup)
    return app
