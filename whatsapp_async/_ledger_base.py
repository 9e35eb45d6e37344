"""The ledger's contract: an entry per message, the merge rules, the abstract store.

``whatsapp_async.ledger`` documents it; implementations: ``_ledger_memory`` (in-process) and
``contrib.redis`` (shared).

Example::

    >>> status_reached("read", "delivered")
    True
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable
from typing import Any, Final

import msgspec

from ._windows import Window, WindowRecord, window_from_record
from .events import StatusUpdate

__all__ = ["STATUS_RANK", "Ledger", "LedgerEntry", "status_reached"]

STATUS_RANK: Final[dict[str, int]] = {
    "accepted": 0,
    "held": 0,
    "paused": 0,
    "queued": 0,
    "sent": 1,
    "delivered": 2,
    "read": 3,
    "played": 3,
}
"""How far each status is along the way; ``failed`` is apart (terminal, see ``merge_status``).
A message can skip a step (Meta may send ``read`` without ``delivered``) and updates can arrive
out of order: an entry keeps the furthest status reached."""


def status_reached(status: str, target: str) -> bool:
    """Whether ``status`` is ``target`` or further along (``read`` reached ``delivered``).

    Example::

        >>> status_reached("read", "delivered"), status_reached("sent", "delivered")
        (True, False)
    """
    return STATUS_RANK.get(status, -1) >= STATUS_RANK[target]


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One message as the ledger knows it.

    ``id`` is ``SendResult.id`` (the id status events use); ``status`` the furthest status
    reached (``failed`` when it failed); ``updates`` every status update received, in arrival
    order. ``wamid`` is the WhatsApp message id where the provider's id is its own (Pilot);
    ``correlation_id`` the id the client put on the send (Meta: inside
    ``biz_opaque_callback_data``). ``started_at`` is when the send that succeeded started
    (epoch seconds; None when a webhook told the ledger of the message first).
    ``replaced_by`` / ``replaces`` link a message to the one status-driven failover sent
    instead (``"provider:id"``).

    Example::

        entry = await ledger.get(result.id)
        entry.status, [u.status for u in entry.updates]   # 'delivered', ['sent', 'delivered']
    """

    id: str
    provider: str
    sender: str | None = None
    recipient: str | None = None
    status: str = "accepted"
    started_at: float | None = None
    wamid: str | None = None
    correlation_id: str | None = None
    metadata: dict[str, Any] | None = None
    updates: tuple[StatusUpdate, ...] = ()
    replaced_by: str | None = None
    replaces: str | None = None

    @property
    def failed(self) -> bool:
        """Whether a ``failed`` status arrived (and no later delivery overruled it)."""
        return self.status == "failed"

    def first_reaching(self, target: str) -> StatusUpdate | None:
        """The first update (in arrival order) that reached ``target`` or further."""
        for update in self.updates:
            if status_reached(update.status, target):
                return update
        return None

    def failure(self) -> StatusUpdate | None:
        """The ``failed`` update, if there is one."""
        for update in self.updates:
            if update.status == "failed":
                return update
        return None

    def aliases(self) -> tuple[str, ...]:
        """The other ids this entry is found by (its wamid, its correlation id)."""
        wamid, correlation_id = self.wamid, self.correlation_id
        if wamid is None or wamid == self.id:
            return () if correlation_id is None else (correlation_id,)
        return (wamid,) if correlation_id is None else (wamid, correlation_id)


def _same_update(a: StatusUpdate, b: StatusUpdate) -> bool:
    return a.status == b.status and a.timestamp == b.timestamp and a.message_id == b.message_id


class Ledger(abc.ABC):
    """Where entries and windows are kept (see the module docs).

    Implement the abstract methods; keep the merge rules (:meth:`merge_send`,
    :meth:`merge_status`, the ``apply_*`` window functions), and wake :meth:`wait` callers
    when an entry changes, also in other processes when the store is shared. Every method may
    raise :class:`~whatsapp_async.StoreUnavailable` when the store cannot answer; the client
    never lets such a failure turn an accepted send into an error.

    Example::

        class MyLedger(Ledger):
            async def record_send(self, entry): ...
            async def record_status(self, update, *, sender): ...
            ...
    """

    clock_skew: float = 0.0
    """Seconds the clocks of the processes sharing this ledger may disagree by: the evidence
    ``resolve_in_doubt`` needs (a status for a later send) must be later by more than this."""

    # -- messages ------------------------------------------------------------------------------
    @abc.abstractmethod
    async def record_send(self, entry: LedgerEntry) -> None:
        """Record a message the client sent (merged with updates that arrived first)."""

    @abc.abstractmethod
    async def record_status(self, update: StatusUpdate, *, sender: str | None) -> LedgerEntry:
        """Apply one status update (creating the entry if the send is not known yet)."""

    @abc.abstractmethod
    async def get(self, message_id: str) -> LedgerEntry | None:
        """The entry of ``message_id`` (its id, wamid or correlation id), or None."""

    @abc.abstractmethod
    async def wait(
        self, message_id: str, done: Callable[[LedgerEntry], bool], *, timeout: float
    ) -> LedgerEntry:
        """The entry once ``done(entry)`` holds; ``TimeoutError`` after ``timeout`` seconds.

        Checks the entry as it is first, so an update that arrived before the call counts.
        """

    @abc.abstractmethod
    async def link(self, old: LedgerEntry, new: LedgerEntry) -> None:
        """Record that ``new`` was sent instead of ``old`` (status-driven failover)."""

    @abc.abstractmethod
    async def status_horizon(self, provider: str, sender: str | None) -> float:
        """The latest ``started_at`` of a send of this sender for which a status arrived.

        A status for a message sent after an in-doubt send, with none for that send, is the
        evidence ``resolve_in_doubt`` needs before it sends again (0.0: none yet).
        """

    # -- windows ---------------------------------------------------------------------------------
    @abc.abstractmethod
    async def get_window(self, key: str) -> WindowRecord | None:
        """The window record of ``key`` (see :func:`window_key`), or None."""

    @abc.abstractmethod
    async def update_window(self, key: str, change: Callable[[WindowRecord], WindowRecord]) -> None:
        """Replace the record of ``key`` by ``change(record)`` (atomically, where shared)."""

    # -- derived, the same for every store ----------------------------------------------------
    async def window(self, key: str, *, now: float | None = None) -> Window:
        """The window of ``key`` at ``now`` (default: the current time).

        Example::

            w = await ledger.window(window_key("meta", "1065...", "+16505551234"))
        """
        record = await self.get_window(key)
        return window_from_record(record, now=time.time() if now is None else now)

    async def aclose(self) -> None:
        """Release what the ledger holds (connections, subscriptions); idempotent."""

    # -- the rules ---------------------------------------------------------------------------------
    @staticmethod
    def merge_send(existing: LedgerEntry | None, sent: LedgerEntry) -> LedgerEntry:
        """The entry after recording ``sent`` over what was there (updates that came first).

        Example::

            Ledger.merge_send(None, LedgerEntry(id="wamid.X", provider="meta"))
        """
        if existing is None:
            return sent
        return msgspec.structs.replace(
            sent,
            status=existing.status,
            updates=existing.updates,
            wamid=sent.wamid or existing.wamid,
            correlation_id=sent.correlation_id or existing.correlation_id,
            metadata=sent.metadata if sent.metadata is not None else existing.metadata,
            replaced_by=existing.replaced_by or sent.replaced_by,
            replaces=existing.replaces or sent.replaces,
        )

    @staticmethod
    def merge_status(
        existing: LedgerEntry | None, update: StatusUpdate, *, sender: str | None
    ) -> LedgerEntry | None:
        """The entry after ``update``, or None when it changes nothing (a redelivery).

        The status only moves forward; ``failed`` replaces anything short of ``delivered``
        (a message that was delivered stays delivered).

        Example::

            Ledger.merge_status(None, StatusUpdate(provider="meta", message_id="wamid.X",
                                                   status="sent"), sender="1065...")
        """
        if existing is None:
            existing = LedgerEntry(
                id=update.message_id,
                provider=update.provider,
                sender=sender,
                recipient=update.recipient,
                status="accepted",
                metadata=update.metadata,
            )
        elif any(_same_update(u, update) for u in existing.updates):
            return None
        # The entry keeps the update without ``raw`` (the provider's whole payload, which the
        # webhook handler sees): a ledger of many messages stays small.
        kept = update if update.raw is None else msgspec.structs.replace(update, raw=None)
        status = existing.status
        if update.status == "failed":
            if not status_reached(status, "delivered"):
                status = "failed"
        elif (status != "failed" or status_reached(update.status, "delivered")) and STATUS_RANK[
            update.status
        ] > STATUS_RANK.get(status, -1):
            status = update.status
        wamid = existing.wamid
        if update.wamid and update.wamid != existing.id:
            wamid = update.wamid
        return msgspec.structs.replace(
            existing,
            status=status,
            updates=(*existing.updates, kept),
            wamid=wamid,
            correlation_id=existing.correlation_id or update.correlation_id,
            recipient=existing.recipient or update.recipient,
            sender=existing.sender or sender,
        )
