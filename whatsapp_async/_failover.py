"""Failover across providers: the same send, tried on the next client when one cannot deliver.

A send moves to the next client when the current one fails in a way another
provider can fix: it could not connect, the provider failed (``ServerError``),
it stayed throttled after its own retries (``RateLimitError``), or it cannot
express the message (``UnsupportedFeature``). Errors another provider cannot
fix are raised at once: bad input, bad credentials, the 24-hour window,
template and recipient errors. A failure in doubt (``error.in_doubt``: the message
may have been delivered — a 5xx, a timeout or reset after sending) is raised too
unless ``failover_on_ambiguous=True``, because trying elsewhere could deliver the
message twice.

Status-driven failover is opt-in (``on_status_timeout=seconds``): after a client with status
events accepts the send, the chain waits for ``await_status`` (default ``delivered``); a
``failed`` status, or none within the bound, sends the message through the next client, and
both ledgers link the two messages (``LedgerEntry.replaced_by`` / ``replaces``). The send
call returns only then. A message that was merely slow can arrive twice: the bound is the
trade, which is why it is off by default.

Example::

    primary = WhatsApp("meta", token=..., phone_number_id=...)
    backup = WhatsApp("pilot", api_key=...)
    async with WhatsApp.with_fallback(primary, backup) as wa:
        result = await wa.send("+14155552671", Text("hi"))
        print(result.provider)  # which one delivered
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

from ._awaiting import AWAITABLE
from ._bulk import BulkRun, Job, ResultCallback
from ._failover_inbound import FailoverInbound
from ._items import BulkInput, BulkItem
from ._protocols import Sender, StatusWaiter
from ._timeout import Timeout, check_deadline
from .errors import (
    APIConnectionError,
    ConfigurationError,
    DeliveryFailed,
    RateLimitError,
    ServerError,
    StatusTimeout,
    UnsupportedFeature,
    ValidationError,
    WhatsAppError,
)
from .ledger import Ledger, LedgerEntry
from .messages import Message, Template
from .provider import Capabilities
from .recipients import Recipient
from .results import BulkResult, SendResult

__all__ = ["Failover"]

log = logging.getLogger("whatsapp_async")


def _template_features(caps: list[Capabilities]) -> frozenset[str] | None:
    """What at least one client can put in a template (None: some client does not say)."""
    declared = [c.template_features for c in caps if "template" in c.messages]
    if any(features is None for features in declared):
        return None
    return frozenset().union(*(f for f in declared if f is not None))


class Failover(FailoverInbound):
    """Clients tried in order for each send (see the module docs).

    Example::

        wa = Failover([meta_client, pilot_client])
        bulk = await wa.send_many(items)
    """

    def __init__(
        self,
        clients: Iterable[Sender],
        *,
        failover_on_ambiguous: bool = False,
        on_status_timeout: float | None = None,
        await_status: str = "delivered",
    ) -> None:
        self.clients: list[Sender] = list(clients)
        if len(self.clients) < 2:
            raise ConfigurationError("failover needs at least two clients")
        if on_status_timeout is not None and (
            isinstance(on_status_timeout, bool)
            or not isinstance(on_status_timeout, (int, float))
            or on_status_timeout <= 0
        ):
            raise ConfigurationError("on_status_timeout must be a positive number of seconds")
        if await_status not in AWAITABLE:
            raise ConfigurationError(f"await_status must be one of {', '.join(AWAITABLE)}")
        self.failover_on_ambiguous = failover_on_ambiguous
        self.on_status_timeout = on_status_timeout
        self.await_status = await_status

    def __repr__(self) -> str:
        return f"Failover({', '.join(c.provider_name for c in self.clients)})"

    @property
    def provider_name(self) -> str:
        """The chain, as ``"failover(meta, pilot)"``."""
        return f"failover({', '.join(c.provider_name for c in self.clients)})"

    @property
    def capabilities(self) -> Capabilities:
        """What at least one client of the chain can express (the others fail over)."""
        caps = [c.capabilities for c in self.clients]
        return Capabilities(
            messages=frozenset().union(*(c.messages for c in caps)),
            recipients=frozenset().union(*(c.recipients for c in caps)),
            options=frozenset().union(*(c.options for c in caps)),
            operations=frozenset().union(*(c.operations for c in caps)),
            template_features=_template_features(caps),
        )

    def can_fail_over(self, error: WhatsAppError) -> bool:
        """Whether another provider might succeed where this error happened."""
        if isinstance(error, UnsupportedFeature):
            return True
        if error.in_doubt:  # it may have been delivered: another provider could send it twice
            return self.failover_on_ambiguous
        return isinstance(error, (APIConnectionError, ServerError, RateLimitError))

    async def send(
        self,
        to: str | Recipient,
        message: Message,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        deliver_at: datetime | None = None,
        deliver_until: datetime | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        outside_window: Template | None = None,
        sender: str | None = None,
    ) -> SendResult:
        """Send through the first client that can deliver; ``result.provider`` says which.

        ``deadline``, ``timeout`` and ``max_retries`` apply to each client's attempt.
        ``sender`` names a business number of one of the clients (its ``senders``): that
        client sends from it, the others from their own default; a number no client has is
        a ``ValidationError`` before any request.

        Example::

            result = await wa.send("+14155552671", Text("hi"))
        """
        senders = None
        if sender is not None:
            senders = [_sender_for(client, sender) for client in self.clients]
        if senders is not None and all(s is None for s in senders):
            raise ValidationError(
                f"sender {sender!r} is not a number of any client of this chain", field="sender"
            )
        last = len(self.clients) - 1
        replaced: tuple[Sender, SendResult] | None = None
        for position, client in enumerate(self.clients):
            try:
                result = await client.send(
                    to,
                    message,
                    reply_to=reply_to,
                    idempotency_key=idempotency_key,
                    metadata=metadata,
                    deliver_at=deliver_at,
                    deliver_until=deliver_until,
                    extra=extra,
                    timeout=timeout,
                    max_retries=max_retries,
                    deadline=deadline,
                    outside_window=outside_window,
                    sender=None if senders is None else senders[position],
                )
            except WhatsAppError as exc:
                if not self.can_fail_over(exc) or position == last:
                    raise
                log.warning(
                    "failing over from %s to %s after %s",
                    client.provider_name,
                    self.clients[position + 1].provider_name,
                    type(exc).__name__,
                )
                continue
            if replaced is not None:
                await _link(*replaced, client, result)
            if position == last or not self._watches(client):
                return result
            reason = await self._delivery_problem(client, result)
            if reason is None:
                return result
            log.warning(
                "failing over from %s to %s: message %s %s",
                client.provider_name,
                self.clients[position + 1].provider_name,
                result.id,
                reason,
            )
            replaced = (client, result)
        raise AssertionError("unreachable: the last client returns or raises in the loop")

    def _watches(self, client: Sender) -> bool:
        return (
            self.on_status_timeout is not None
            and "status_events" in client.capabilities.operations
            and isinstance(client, StatusWaiter)
        )

    async def _delivery_problem(self, client: Sender, result: SendResult) -> str | None:
        """Why ``result`` must be sent elsewhere (failed, or not delivered in time), or None."""
        assert isinstance(client, StatusWaiter) and self.on_status_timeout is not None
        try:
            await client.wait_for_status(result, self.await_status, timeout=self.on_status_timeout)
        except DeliveryFailed as exc:
            return f"failed ({type(exc.error).__name__})"
        except StatusTimeout as exc:
            return f"not {self.await_status} within {self.on_status_timeout:g} s ({exc.status})"
        return None

    async def send_many(
        self,
        items: Iterable[BulkInput],
        *,
        concurrency: int = 50,
        on_result: ResultCallback | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> BulkResult:
        """Like ``WhatsApp.send_many``, each item failing over on its own.

        ``deadline`` (seconds from the call) is the whole bulk's: each item's sends get what
        is left of it.

        Example::

            bulk = await wa.send_many([(n, Text("hi")) for n in numbers])
        """
        if isinstance(concurrency, bool) or concurrency < 1:
            raise ValidationError("concurrency must be at least 1")
        check_deadline(deadline)
        entries = list(items)
        run = BulkRun(len(entries), provider="failover", on_result=on_result)
        loop = asyncio.get_running_loop()
        ends = None if deadline is None else loop.time() + deadline

        def left() -> float | None:
            return None if ends is None else max(0.0, ends - loop.time())

        async def run_job(job: Job) -> None:
            assert isinstance(job, int)
            entry = entries[job]
            if isinstance(entry, BulkItem):
                result = await self.send(
                    entry.to,
                    entry.message,
                    reply_to=entry.reply_to,
                    idempotency_key=entry.idempotency_key,
                    metadata=entry.metadata,
                    deliver_at=entry.deliver_at,
                    deliver_until=entry.deliver_until,
                    extra=entry.extra,
                    timeout=timeout,
                    max_retries=max_retries,
                    deadline=left(),
                    outside_window=entry.outside_window,
                    sender=entry.sender,
                )
            elif isinstance(entry, tuple) and len(entry) == 2:
                result = await self.send(
                    entry[0], entry[1], timeout=timeout, max_retries=max_retries, deadline=left()
                )
            else:
                raise ValidationError("send_many items must be (to, message) pairs or BulkItem")
            run.settle(job, result)

        return await run.drive(list(range(len(entries))), run_job, concurrency)

    async def aclose(self) -> None:
        """Close every client."""
        for client in self.clients:
            await client.aclose()

    async def __aenter__(self) -> Failover:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _link(old_client: Sender, old: SendResult, new_client: Sender, new: SendResult) -> None:
    """Record in each client's ledger that ``new`` was sent instead of ``old``."""
    old_entry = LedgerEntry(id=old.id, provider=old.provider, recipient=old.recipient)
    new_entry = LedgerEntry(id=new.id, provider=new.provider, recipient=new.recipient)
    ledgers: list[Ledger] = []
    for client in (old_client, new_client):
        ledger = getattr(client, "ledger", None)
        if isinstance(ledger, Ledger) and all(ledger is not seen for seen in ledgers):
            ledgers.append(ledger)
    for ledger in ledgers:
        try:
            await ledger.link(old_entry, new_entry)
        except Exception as exc:  # both messages are sent: never an error now
            log.warning("the ledger could not link %s to %s (%s)", old.id, new.id, exc)


def _sender_for(client: Sender, sender: str) -> str | None:
    """``sender`` when it is one of ``client``'s numbers, else None (its default)."""
    numbers = getattr(client, "senders", ())
    return sender if sender in numbers else None
