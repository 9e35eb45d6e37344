"""After the send: the client's side of the ledger (records, windows, waits, in-doubt sends).

One :class:`DeliveryTracker` per client. The send pipeline calls it around each request:
``before`` (the window check of ``window="enforce"``, the correlation id), ``sent`` (the
entry, the free-entry window) and ``failed`` (a 131047 closes the window; an in-doubt error
gets what ``resolve_in_doubt`` needs). Webhook parsing feeds it the events. Nothing here ever
turns an accepted send into an error: a ledger that fails after the provider accepted a message
is logged.

Example::

    tracker = DeliveryTracker(MemoryLedger(), provider, window="track")
    await tracker.observe(wa.parse_webhook(headers, body))
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from ._prepare import Prepared
from ._windows import (
    Window,
    apply_business_send,
    apply_inbound,
    apply_refusal,
    window_key,
)
from .errors import (
    ConfigurationError,
    OutsideWindowError,
    StoreUnavailable,
    WhatsAppError,
)
from .events import Event, MessageReceived, StatusUpdate
from .ledger import Ledger, LedgerEntry, MemoryLedger
from .messages import Template
from .provider import Provider
from .results import SendResult

__all__ = ["DeliveryTracker", "PendingSend", "WindowMode", "check_window_mode", "make_tracker"]

log = logging.getLogger("whatsapp_async.ledger")

WindowMode = Literal["track", "enforce", "off"]
_WINDOW_MODES = ("track", "enforce", "off")
_WINDOW_RECIPIENTS = frozenset({"phone", "user"})


def check_window_mode(window: object) -> WindowMode:
    """``window=`` checked at construction (``ConfigurationError`` otherwise).

    Example::

        >>> check_window_mode("enforce")
        'enforce'
    """
    if window not in _WINDOW_MODES:
        raise ConfigurationError("window must be 'track', 'enforce' or 'off'")
    return window  # type: ignore[return-value]


def make_tracker(ledger: object, provider: Provider, window: object) -> DeliveryTracker:
    """The tracker of ``WhatsApp(ledger=..., window=...)``; ``ConfigurationError`` if unfit.

    ``ledger="default"`` (the client's default) is a new in-process :class:`MemoryLedger`.

    Example::

        tracker = make_tracker("default", provider, "track")
    """
    mode = check_window_mode(window)
    if ledger == "default":
        ledger = MemoryLedger()
    elif ledger is not None and not isinstance(ledger, Ledger):
        raise ConfigurationError("ledger must be a Ledger (MemoryLedger, RedisLedger) or None")
    if mode == "enforce" and not provider.customer_service_window:
        raise ConfigurationError(
            f"{provider.name} has no customer-service window: window='enforce' cannot apply "
            "(use 'track' or 'off')"
        )
    if mode == "enforce" and ledger is None:
        raise ConfigurationError("window='enforce' needs a ledger (ledger=None keeps none)")
    return DeliveryTracker(ledger, provider, window=mode)


class PendingSend:
    """What an in-doubt error carries for ``resolve_in_doubt``: the send, ready to go again.

    ``failed_at`` is when the in-doubt attempt ended (epoch seconds): a status for a message
    sent after it, with none for this one, is the evidence that this one never went out.
    ``resend`` sends it once more exactly as it was (same idempotency key, correlation id).
    """

    __slots__ = ("failed_at", "owner", "prepared", "resend")

    def __init__(
        self,
        owner: DeliveryTracker,
        prepared: Prepared,
        resend: Callable[[], Awaitable[SendResult]],
        failed_at: float,
    ) -> None:
        self.owner = owner
        self.prepared = prepared
        self.resend = resend
        self.failed_at = failed_at


class DeliveryTracker:
    """The client's ledger bookkeeping (see the module docs).

    Example::

        tracker.window_of("+16505551234")  # the key the ledger keeps that window under
    """

    def __init__(
        self,
        ledger: Ledger | None,
        provider: Provider,
        *,
        window: WindowMode = "track",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.provider = provider
        self.name = provider.name
        self.sender = provider.sender_key
        self.clock = clock
        caps = provider.capabilities
        self.status_events = "status_events" in caps.operations
        self.dedupes = "idempotency" in caps.operations
        self.correlates = ledger is not None and provider.correlates_sends
        self.windows = ledger is not None and window != "off" and provider.customer_service_window
        self.enforces = self.windows and window == "enforce"
        # The in-process fast path (no coroutines); a subclass may override the async methods.
        self._memory = ledger if type(ledger) is MemoryLedger else None
        self._ids = itertools.count(1)
        self._prefix = secrets.token_urlsafe(6)
        self._tasks: set[asyncio.Task[None]] = set()
        self.active = ledger is not None

    # -- around each send ---------------------------------------------------------------------
    def correlation_id(self) -> str:
        """A new id for one logical send (unique per client: a random prefix and a counter)."""
        return f"{self._prefix}.{next(self._ids):x}"

    def window_of(self, user: str, sender: str | None = None) -> str:
        """The ledger key of the window between ``sender`` (default: this client's) and ``user``."""
        return window_key(self.name, sender or self.sender, user)

    def tracks_window(self, prepared: Prepared) -> bool:
        """Whether this send concerns a window the ledger tracks."""
        return self.windows and prepared.recipient.kind in _WINDOW_RECIPIENTS

    async def closed_window(self, prepared: Prepared) -> Window | None:
        """With ``window="enforce"``: the window when it is known closed and the send needs it.

        Templates go out whatever the window; a window the ledger cannot read is not known
        closed (the provider decides).
        """
        if (
            not self.enforces
            or isinstance(prepared.message, Template)
            or prepared.recipient.kind not in _WINDOW_RECIPIENTS
        ):
            return None
        assert self.ledger is not None
        try:
            window = await self.ledger.window(
                self.window_of(str(prepared.recipient), self.sender_of(prepared))
            )
        except StoreUnavailable as exc:
            log.warning("%s: the ledger could not tell the window (%s): sending", self.name, exc)
            return None
        return window if window.state == "closed" else None

    def outside_window(self, prepared: Prepared, window: Window) -> OutsideWindowError:
        """The local refusal of a free-form send to a user whose window is closed."""
        last = window.last_inbound.isoformat() if window.last_inbound else "never"
        error = OutsideWindowError(
            f"{self.name}: the 24 h customer-service window with {prepared.recipient} is closed "
            f"(last message from the user: {last}); send a template, or pass "
            "outside_window=Template(...)",
            provider=self.name,
        )
        error.window = window
        return error

    async def sent(self, prepared: Prepared, result: SendResult, started_at: float) -> None:
        """Record an accepted send (never raises: the provider has the message)."""
        ledger = self.ledger
        if ledger is None:
            return
        options = prepared.options
        sender = self.sender_of(prepared)
        entry = LedgerEntry(
            id=result.id,
            provider=self.name,
            sender=sender,
            recipient=result.recipient,
            status=result.status,
            started_at=started_at,
            correlation_id=options.correlation_id,
            metadata=dict(options.metadata) if options.metadata is not None else None,
        )
        memory = self._memory
        try:
            if memory is not None:
                memory.record_send_nowait(entry)
                if self.windows and prepared.recipient.kind in _WINDOW_RECIPIENTS:
                    key = self.window_of(result.recipient, sender)
                    if memory.get_window_nowait(key) is not None:
                        memory.update_window_nowait(key, self._business_send(started_at))
                return
            await ledger.record_send(entry)
            if self.windows and prepared.recipient.kind in _WINDOW_RECIPIENTS:
                await ledger.update_window(
                    self.window_of(result.recipient, sender), self._business_send(started_at)
                )
        except Exception as exc:  # the message went out: never an error now
            log.warning(
                "%s: the ledger could not record sent message %s (%s: %s); it is sent",
                self.name,
                result.id,
                type(exc).__name__,
                exc,
            )

    @staticmethod
    def _business_send(at: float) -> Callable[[Any], Any]:
        return lambda record: apply_business_send(record, at=at)

    async def refused(self, prepared: Prepared) -> None:
        """The provider refused a send for the window (131047): the window is closed."""
        if not self.tracks_window(prepared):
            return
        key = self.window_of(str(prepared.recipient), self.sender_of(prepared))
        await self._close(key, self.clock())

    async def _close(self, key: str, at: float) -> None:
        assert self.ledger is not None
        try:
            await self.ledger.update_window(key, lambda record: apply_refusal(record, at=at))
        except Exception as exc:
            log.warning("%s: the ledger could not close a window (%s)", self.name, exc)

    def pend(
        self,
        error: WhatsAppError,
        prepared: Prepared,
        resend: Callable[[], Awaitable[SendResult]],
    ) -> None:
        """Give an in-doubt error what ``resolve_in_doubt`` needs to settle it."""
        error.correlation_id = prepared.options.correlation_id
        error._pending = PendingSend(self, prepared, resend, self.clock())

    # -- webhooks -------------------------------------------------------------------------------
    def observe_nowait(self, events: Sequence[Event]) -> None:
        """Feed a parsed delivery to the ledger without waiting (``parse_webhook``'s path).

        The in-process ledger is updated at once; another ledger in a background task (its
        failures logged), finished before the client closes.
        """
        if self.ledger is None or not events:
            return
        if self._memory is not None:
            self._observe_memory(self._memory, events)
            return
        task = asyncio.get_running_loop().create_task(self._observe_logged(list(events)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _observe_logged(self, events: list[Event]) -> None:
        try:
            await self.observe(events)
        except Exception as exc:
            log.warning(
                "%s: the ledger could not record %d webhook event(s) (%s: %s)",
                self.name,
                len(events),
                type(exc).__name__,
                exc,
            )

    async def observe(self, events: Sequence[Event]) -> None:
        """Feed a parsed delivery to the ledger and wait until it is recorded.

        Raises what the ledger raises (``StoreUnavailable``): ``webhook_app`` then answers 503
        so that the provider delivers again.
        """
        ledger = self.ledger
        if ledger is None:
            return
        if self._memory is not None:
            self._observe_memory(self._memory, events)
            return
        for event in events:
            if event.provider != self.name:
                continue
            if isinstance(event, StatusUpdate):
                await ledger.record_status(event, sender=self._sender_of(event))
            for key, update in self._window_updates(event):
                await ledger.update_window(key, update)

    def _observe_memory(self, ledger: MemoryLedger, events: Sequence[Event]) -> None:
        for event in events:
            if event.provider != self.name:
                continue
            if isinstance(event, StatusUpdate):
                ledger.record_status_nowait(event, sender=self._sender_of(event))
            for key, update in self._window_updates(event):
                ledger.update_window_nowait(key, update)

    def _window_updates(self, event: Event) -> list[tuple[str, Callable[[Any], Any]]]:
        """The window writes ``event`` implies: (ledger key, update) for each identity of the
        user it names (a message from the user opens, a 131047 failure closes)."""
        if isinstance(event, StatusUpdate) and self._closes_window(event):
            users = _identities(event.recipient, event.recipient_user_id)
            update = self._refusal(event)
        elif isinstance(event, MessageReceived) and self._opens_window(event):
            users = _identities(event.sender, event.sender_user_id)
            update = self._inbound(event)
        else:
            return []
        sender = self._sender_of(event)
        return [(self.window_of(user, sender), update) for user in users]

    def _sender_of(self, event: Event) -> str:
        """The sender key of the business number an event concerns (``business_id``), when it
        is one of this client's senders; else the client's default sender."""
        business = getattr(event, "business_id", None)
        provider = self.provider
        if business and business in provider.senders:
            return provider.sender_key_for(business)
        return self.sender

    def sender_of(self, prepared: Prepared) -> str:
        """The sender key a send goes out from (``sender=``, or the client's default)."""
        sender = prepared.options.sender
        return self.sender if sender is None else self.provider.sender_key_for(sender)

    def _event_time(self, event: StatusUpdate | MessageReceived) -> float:
        stamp = event.timestamp
        return stamp.timestamp() if stamp is not None else self.clock()

    def _opens_window(self, event: MessageReceived) -> bool:
        # Group messages do not open a user's window (how windows work in groups is unknown).
        return self.windows and bool(event.sender) and not event.sender.endswith("@g.us")

    def _inbound(self, event: MessageReceived) -> Callable[[Any], Any]:
        at = self._event_time(event)
        entry_point = event.referral is not None
        return lambda record: apply_inbound(record, at=at, entry_point=entry_point)

    def _refusal(self, event: StatusUpdate) -> Callable[[Any], Any]:
        at = self._event_time(event)
        return lambda record: apply_refusal(record, at=at)

    def _closes_window(self, update: StatusUpdate) -> bool:
        if not self.windows or update.status != "failed" or update.error is None:
            return False
        cls = self.provider.error_class_for_event(update.error)
        return cls is not None and issubclass(cls, OutsideWindowError)

    async def flush(self) -> None:
        """Wait for background ledger writes (``observe_nowait``) to finish."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _identities(*names: str | None) -> list[str]:
    """Every identity an event gives the user (phone and business-scoped user id), once each.

    A window is one conversation whichever identity a send names: an inbound message that
    carries both opens the window under both, so a send to ``User("US.…")`` and one to the
    phone see the same window.
    """
    return list(dict.fromkeys(name for name in names if name))
