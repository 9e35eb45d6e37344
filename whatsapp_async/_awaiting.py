"""Reading the ledger for a client: awaited statuses, windows, in-doubt sends settled.

``WhatsApp.wait_for_status``, ``wait_for_statuses``, ``window`` and ``resolve_in_doubt`` are
these methods; the README's "After the send" is their behavioural spec.

Example::

    waits = DeliveryWaits(tracker)
    update = await waits.wait_for_status("wamid.X", "delivered", 60.0)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from ._delivery import DeliveryTracker, PendingSend
from ._windows import Window
from .errors import (
    APIStatusError,
    ConfigurationError,
    DeliveryFailed,
    StatusTimeout,
    StoreUnavailable,
    ValidationError,
    WhatsAppError,
)
from .events import StatusUpdate
from .ledger import Ledger, LedgerEntry, status_reached
from .results import SendResult

__all__ = ["AWAITABLE", "DeliveryWaits"]

log = logging.getLogger("whatsapp_async.ledger")

AWAITABLE = ("sent", "delivered", "read", "played")
"""The statuses ``wait_for_status`` can wait for."""


class DeliveryWaits:
    """The ledger's readers for one client (see the module docs).

    Example::

        await waits.window("+16505551234")
    """

    def __init__(self, tracker: DeliveryTracker) -> None:
        self.tracker = tracker

    def require_ledger(self) -> Ledger:
        """The ledger, or ``ConfigurationError`` when the client was built with ``ledger=None``."""
        if self.tracker.ledger is None:
            raise ConfigurationError(
                f"{self.tracker.name}: this client keeps no ledger (ledger=None); build it with a "
                "MemoryLedger or a RedisLedger",
                provider=self.tracker.name,
            )
        return self.tracker.ledger

    def require_status_events(self) -> Ledger:
        """The ledger, when this provider reports statuses at all."""
        if not self.tracker.status_events:
            raise self.tracker.provider.unsupported(
                "status_events",
                f"{self.tracker.name} sends no status events: a delivery cannot be awaited "
                "(the providers with status events: meta, pilot)",
            )
        return self.require_ledger()

    async def window(self, user: str, sender: str | None = None) -> Window:
        """The window with ``user`` as the ledger knows it."""
        if not self.tracker.provider.customer_service_window:
            raise self.tracker.provider.unsupported(
                "window", f"{self.tracker.name} has no customer-service window to track"
            )
        ledger = self.require_ledger()
        tracker = self.tracker
        key_sender = None if sender is None else tracker.provider.sender_key_for(sender)
        return await ledger.window(tracker.window_of(user, key_sender), now=tracker.clock())

    async def wait_for_status(self, message_id: str, status: str, timeout: float) -> StatusUpdate:
        """The update that reached ``status`` (see ``WhatsApp.wait_for_status``)."""
        if status not in AWAITABLE:
            raise ValidationError(
                f"status must be one of {', '.join(AWAITABLE)}",
                provider=self.tracker.name,
                field="status",
            )
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValidationError(
                "timeout must be a number of seconds, 0 or more", provider=self.tracker.name
            )
        ledger = self.require_status_events()

        def done(entry: LedgerEntry) -> bool:
            return entry.failed or status_reached(entry.status, status)

        try:
            entry = await ledger.wait(message_id, done, timeout=timeout)
        except (TimeoutError, asyncio.TimeoutError):
            known = await self._status_or_none(ledger, message_id)
            raise StatusTimeout(
                f"{self.tracker.name}: message {message_id} did not reach {status!r} within "
                f"{timeout:g} s (last known: {known or 'no status yet'})",
                provider=self.tracker.name,
                message_id=message_id,
                status=known,
                awaited=status,
            ) from None
        if entry.failed:
            raise self.delivery_failed(entry)
        update = entry.first_reaching(status)
        assert update is not None
        return update

    @staticmethod
    async def _status_or_none(ledger: Ledger, message_id: str) -> str | None:
        try:
            entry = await ledger.get(message_id)
        except Exception:
            return None
        return entry.status if entry is not None else None

    def delivery_failed(self, entry: LedgerEntry) -> DeliveryFailed:
        """The ``DeliveryFailed`` of a failed entry, carrying the error its code maps to."""
        update = entry.failure()
        assert update is not None
        event_error = update.error
        code: str | None = event_error.code if event_error is not None else None
        text = (event_error.title or event_error.details) if event_error is not None else None
        cls = (
            self.tracker.provider.error_class_for_event(event_error)
            if event_error is not None
            else None
        ) or APIStatusError
        mapped = cls(
            text or "the message was not delivered",
            provider=self.tracker.name,
            code=int(code) if code is not None and code.isdigit() else code,
            details=event_error.details if event_error is not None else None,
        )
        mapped.in_doubt = False
        return DeliveryFailed(
            f"{self.tracker.name}: message {entry.id} failed: {type(mapped).__name__}"
            + (f" code={code}" if code else "")
            + (f": {text}" if text else ""),
            provider=self.tracker.name,
            update=update,
            error=mapped,
        )

    # -- in-doubt sends -------------------------------------------------------------------------
    async def resolve(self, error: WhatsAppError, *, wait: float) -> SendResult:
        """Settle one in-doubt send (see ``WhatsApp.resolve_in_doubt``); raise if it cannot be."""
        self.require_resolvable()
        pending: PendingSend | None = getattr(error, "_pending", None)
        if not error.in_doubt:
            raise ValidationError(
                "resolve_in_doubt takes sends that are in doubt (error.in_doubt)",
                provider=self.tracker.name,
            )
        if pending is None or pending.owner is not self.tracker:
            raise ValidationError(
                "this in-doubt error was not raised by this client's sends",
                provider=self.tracker.name,
            )
        if self.tracker.dedupes and pending.prepared.options.idempotency_key is not None:
            # The provider drops a second request with the same key: sending is the look-up.
            return await self._resend(pending)
        ledger = self.require_ledger()
        correlation_id = pending.prepared.options.correlation_id
        assert correlation_id is not None
        try:
            entry = await ledger.wait(correlation_id, lambda entry: True, timeout=wait)
        except (TimeoutError, asyncio.TimeoutError):
            sender = self.tracker.sender_of(pending.prepared)
            try:
                horizon = await ledger.status_horizon(self.tracker.name, sender)
            except StoreUnavailable:
                raise error from None  # no evidence either way: still in doubt
            # A shared ledger compares clocks of different machines: allow for their skew.
            if horizon > pending.failed_at + ledger.clock_skew:
                log.info(
                    "%s: in-doubt send %s has no status while a later send has: sending it again",
                    self.tracker.name,
                    correlation_id,
                )
                return await self._resend(pending)
            raise error from None
        except StoreUnavailable:
            raise error from None  # the ledger cannot tell: the send stays in doubt
        if entry.failed:
            raise self.delivery_failed(entry)
        return SendResult(
            id=entry.id,
            status="accepted",
            provider=self.tracker.name,
            recipient=str(pending.prepared.recipient),
            recovered=True,
        )

    async def _resend(self, pending: PendingSend) -> SendResult:
        return await pending.resend()

    def require_resolvable(self) -> None:
        """``UnsupportedFeature`` unless this provider dedupes resends or correlates statuses."""
        tracker = self.tracker
        if tracker.dedupes:
            return
        if not tracker.provider.correlates_sends:
            raise tracker.provider.unsupported(
                "resolve_in_doubt",
                f"{tracker.name} neither drops duplicate sends nor reports correlated statuses: "
                "an in-doubt send cannot be settled (look it up, or accept the doubt)",
            )
        self.require_ledger()

    async def resolve_many(
        self, outcomes: Sequence[SendResult | WhatsAppError], *, wait: float
    ) -> list[SendResult | WhatsAppError]:
        """Settle every in-doubt outcome of a bulk send; the others are kept as they are."""

        self.require_resolvable()

        async def settle(outcome: SendResult | WhatsAppError) -> SendResult | WhatsAppError:
            pending = getattr(outcome, "_pending", None)
            if isinstance(outcome, SendResult) or not outcome.in_doubt or pending is None:
                return outcome  # settled already, or not this client's to settle
            try:
                return await self.resolve(outcome, wait=wait)
            except WhatsAppError as exc:
                return exc  # still in doubt (the same error), or DeliveryFailed

        return list(await asyncio.gather(*(settle(o) for o in outcomes)))

    async def wait_many(
        self,
        outcomes: Sequence[SendResult | WhatsAppError],
        status: str,
        timeout: float,
    ) -> list[StatusUpdate | WhatsAppError]:
        """Every outcome awaited to ``status`` (until one shared deadline)."""
        self.require_status_events()
        deadline = asyncio.get_running_loop().time() + timeout

        async def one(outcome: SendResult | WhatsAppError) -> StatusUpdate | WhatsAppError:
            if isinstance(outcome, WhatsAppError):
                return outcome
            left = max(0.0, deadline - asyncio.get_running_loop().time())
            try:
                return await self.wait_for_status(outcome.id, status, left)
            except (DeliveryFailed, StatusTimeout) as exc:
                return exc

        return list(await asyncio.gather(*(one(o) for o in outcomes)))
