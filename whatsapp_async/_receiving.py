"""What a webhook receiver decides, whatever serves it: the aiohttp app (``_webhook_app``) and
the ASGI app (``_asgi``) are thin front-ends over :class:`Receiver` and :class:`Handlers`.

A front-end reads the request its own way and asks, in this order: ``handlers.full()`` before
reading the body (503), its own body bound (413) and body errors (400), then
``receiver.accept(headers, body, query)`` for the answer to everything else. The GET answer is
``receiver.handshake(query)``. The answers are the README's table ("Webhooks").

Example::

    handlers = Handlers(limit=100, grace=5.0)
    receiver = Receiver(wa, on_event, dedupe_seconds=600.0, handlers=handlers)
    status, text = receiver.accept(headers, body, query)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Protocol, Union

from ._protocols import EventLearner, WebhookSource
from .errors import (
    ConfigurationError,
    StoreUnavailable,
    UnsupportedFeature,
    WebhookPayloadError,
    WebhookSignatureError,
)
from .events import Event, MessageReceived, StatusUpdate, UnknownEvent

__all__ = [
    "BUSY",
    "Closable",
    "EventHandler",
    "Handlers",
    "Receiver",
    "check_receiver_options",
    "event_key",
    "event_label",
]

log = logging.getLogger("whatsapp_async.webhooks")

EventHandler = Callable[[Event], Union[Awaitable[Any], None]]

BUSY = (503, "busy: retry later")
_CANCEL_WAIT = 1.0  # how long cancelled handlers get to unwind before shutdown moves on


class Closable(Protocol):
    """Something a receiver closes on cleanup (a client it was given to own)."""

    async def aclose(self) -> None:
        """Release its connections."""


def check_receiver_options(*, max_concurrent_handlers: int, shutdown_grace: float) -> None:
    """``ConfigurationError`` for receiver options out of range (both receivers use it)."""
    if max_concurrent_handlers < 1:
        raise ConfigurationError("max_concurrent_handlers must be at least 1")
    if shutdown_grace < 0:
        raise ConfigurationError("shutdown_grace must not be negative")


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


class Delivery:
    """The events of one accepted delivery and how far its handler got."""

    def __init__(self, provider: str, events: list[Event]) -> None:
        self.provider = provider
        self.events = events
        self.handled = 0
        self.stopped = False  # set at shutdown: even a handler that swallows the cancel stops


class Handlers:
    """A receiver's background handler tasks: at most ``limit`` at once, drained on cleanup."""

    def __init__(self, limit: int, grace: float) -> None:
        self.limit = limit
        self.grace = grace
        self.closing = False
        self.running: dict[asyncio.Task[None], Delivery] = {}
        self._warned_full = False

    def full(self) -> bool:
        """Whether a delivery must be refused now (503)."""
        return self.closing or len(self.running) >= self.limit

    def refuse(self, provider: str) -> tuple[int, str]:
        """The 503 answer (logged once per saturated stretch)."""
        if not self._warned_full and not self.closing:
            self._warned_full = True
            log.warning(
                "%s webhooks: %d handlers are still running (max_concurrent_handlers): "
                "answering 503 until one finishes, so that the provider redelivers",
                provider,
                self.limit,
            )
        return BUSY

    def start(
        self, delivery: Delivery, run: Callable[[Delivery], Coroutine[Any, Any, None]]
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


class Receiver:
    """One webhook source's answers: the handshake, and a delivery's verify-parse-dispatch."""

    def __init__(
        self,
        source: WebhookSource,
        handler: EventHandler,
        *,
        dedupe_seconds: float,
        handlers: Handlers,
    ) -> None:
        self.source = source
        self._handler = handler
        self._dedupe = _Deduper(dedupe_seconds) if dedupe_seconds > 0 else None
        self.handlers = handlers
        self._learner = source if isinstance(source, EventLearner) else None

    @property
    def provider(self) -> str:
        """The source's provider name (for log lines)."""
        return self.source.provider_name

    def handshake(self, query: Mapping[str, str]) -> tuple[int, str]:
        """The answer to a GET: 200 and the challenge, 403, or 405."""
        try:
            answer = self.source.webhook_handshake(query)
        except WebhookSignatureError:
            return 403, "verification failed"
        if answer is None:
            return 405, "no verification handshake for this provider"
        return 200, answer

    async def accept(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> tuple[int, str]:
        """Verify and parse a read body; start its handler; the answer (200/401/400/405/503).

        A source with a ledger (``receive_webhook``) has recorded the events before the answer:
        a delivery its shared ledger could not record is answered 503 and comes again.
        """
        provider = self.provider
        receive = getattr(self.source, "receive_webhook", None)
        try:
            if receive is not None:
                events = await receive(headers, body, query)
            else:
                events = self.source.parse_webhook(headers, body, query)
        except StoreUnavailable as exc:
            log.warning(
                "%s webhooks: the ledger could not record a delivery (%s): 503", provider, exc
            )
            return 503, "ledger unavailable: retry later"
        except WebhookSignatureError as exc:
            log.warning("rejected a %s webhook: %s", provider, exc.message)
            return 401, "invalid signature"
        except WebhookPayloadError as exc:
            log.warning("rejected a %s webhook: %s", provider, exc.message)
            return 400, "unreadable payload"
        except UnsupportedFeature:
            return 405, "this provider sends no webhooks"
        fresh, keys = self._fresh(events)
        if not fresh:
            return 200, "ok"
        # Checked again with no await since: other deliveries may have started meanwhile.
        if self.handlers.full():
            return self.handlers.refuse(provider)
        if self._dedupe is not None:
            for key in keys:  # only now: a refused delivery must count when it comes again
                self._dedupe.remember(key)
        self.handlers.start(Delivery(provider, fresh), self.run_handler)
        return 200, "ok"

    async def run_handler(self, delivery: Delivery) -> None:
        """Learn from the delivery (aliases, opt-outs), then hand each event over in order."""
        if self._learner is not None:
            try:
                await self._learner.learn(delivery.events)
            except Exception:
                log.exception("learning from a %s webhook failed", delivery.provider)
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
