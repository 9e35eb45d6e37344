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
  no webhooks; 503 when the client's ledger could not record the events
  (``StoreUnavailable``: a shared ledger down); otherwise 200 once the ledger has them,
  and the handler runs in the background. A 503 and every 4xx
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

from collections.abc import Sequence

from aiohttp import web

from ._protocols import WebhookSource
from ._receiving import (
    Closable,
    EventHandler,
    Handlers,
    Receiver,
    check_receiver_options,
    event_key,
    event_label,
)

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_CONCURRENT_HANDLERS",
    "DEFAULT_SHUTDOWN_GRACE",
    "EventHandler",
    "check_receiver_options",
    "create_webhook_app",
    "event_key",
    "event_label",
]

DEFAULT_MAX_BODY = 3 * 1024 * 1024
"""Bytes; Meta's largest batches stay far below it."""
DEFAULT_MAX_CONCURRENT_HANDLERS = 100
"""Deliveries handled at once per app; beyond it the app answers 503 and the provider retries."""
DEFAULT_SHUTDOWN_GRACE = 5.0
"""Seconds handlers still running get to finish on cleanup before they are cancelled."""


class _AiohttpRoutes:
    """The aiohttp routes of one webhook source over its :class:`Receiver`."""

    def __init__(self, receiver: Receiver, *, max_body: int) -> None:
        self._receiver = receiver
        self._max_body = max_body

    def add_routes(self, app: web.Application, path: str) -> None:
        app.router.add_get(path, self.handle_get)
        app.router.add_post(path, self.handle_post)

    async def handle_get(self, request: web.Request) -> web.Response:
        status, text = self._receiver.handshake(request.query)
        if status != 200:
            return web.Response(status=status, text=text)
        # Encoded by hand: the challenge is the caller's text, and a lone surrogate in it
        # would make aiohttp's own encoding raise.
        body = text.encode("utf-8", "replace")
        return web.Response(body=body, content_type="text/plain", charset="utf-8")

    async def handle_post(self, request: web.Request) -> web.Response:
        receiver = self._receiver
        handlers = receiver.handlers
        if handlers.full():  # before reading: a busy app spends nothing on the body
            status, text = handlers.refuse(receiver.provider)
            return web.Response(status=status, text=text)
        if request.content_length is not None and request.content_length > self._max_body:
            return web.Response(status=413, text="payload too large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="payload too large")
        except web.RequestPayloadError:  # a broken chunked or Content-Encoding body
            return web.Response(status=400, text="unreadable body")
        status, text = await receiver.accept(request.headers, body, request.query)
        return web.Response(status=status, text=text)


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
    check_receiver_options(
        max_concurrent_handlers=max_concurrent_handlers, shutdown_grace=shutdown_grace
    )
    handlers = Handlers(max_concurrent_handlers, shutdown_grace)
    app = web.Application(client_max_size=max_body)
    for path, source in routes:
        receiver = Receiver(source, handler, dedupe_seconds=dedupe_seconds, handlers=handlers)
        _AiohttpRoutes(receiver, max_body=max_body).add_routes(app, path)

    async def on_cleanup(app: web.Application) -> None:
        await handlers.drain()
        for owned in close:
            await owned.aclose()

    app.on_cleanup.append(on_cleanup)
    return app
