"""The in-process ledger: bounded dictionaries, waiters woken in the same event loop.

Example::

    ledger = MemoryLedger(max_entries=10_000)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from ._ledger_base import Ledger, LedgerEntry
from ._windows import CSW_SECONDS, FEP_SECONDS, WindowRecord
from .events import StatusUpdate

__all__ = ["MemoryLedger"]

_Waiter = tuple[Callable[[LedgerEntry], bool], "asyncio.Future[Any]"]


class _Entry:
    """A MemoryLedger slot: the entry and when it was last written (for expiry)."""

    __slots__ = ("at", "entry")

    def __init__(self, entry: LedgerEntry, at: float) -> None:
        self.entry = entry
        self.at = at


class MemoryLedger(Ledger):
    """An in-process :class:`Ledger`: bounded, entries expire ``ttl`` seconds after last written.

    At most ``max_entries`` messages and ``max_windows`` windows are kept; beyond that the
    oldest are dropped first (a wait on a dropped message then times out). Entries live
    ``ttl`` seconds (default 7 days: Meta redelivers webhooks for up to 7 days); windows
    96 h after their last change (the 24 h window plus the 72 h free-entry window).

    Example::

        ledger = MemoryLedger(max_entries=10_000, ttl=24 * 3600)
    """

    def __init__(
        self,
        *,
        max_entries: int = 100_000,
        max_windows: int = 100_000,
        ttl: float = 7 * 24 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_entries < 1 or max_windows < 1 or ttl <= 0:
            raise ValueError("max_entries and max_windows must be at least 1, ttl positive")
        self.max_entries = max_entries
        self.max_windows = max_windows
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._aliases: dict[str, str] = {}
        self._windows: dict[str, tuple[WindowRecord, float]] = {}
        self._waiters: dict[str, list[_Waiter]] = {}
        self._horizon: dict[tuple[str, str | None], float] = {}
        self._writes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"MemoryLedger(entries={len(self._entries)}, windows={len(self._windows)})"

    # -- storage ---------------------------------------------------------------------------------
    def _lookup(self, message_id: str) -> LedgerEntry | None:
        slot = self._entries.get(message_id)
        if slot is None:
            canonical = self._aliases.get(message_id)
            slot = self._entries.get(canonical) if canonical is not None else None
        if slot is None:
            return None
        if self._clock() - slot.at > self.ttl:
            return None
        return slot.entry

    def _store(self, entry: LedgerEntry, *, new: bool = False) -> None:
        now = self._clock()
        entries = self._entries
        entry_id = entry.id
        if not new:
            entries.pop(entry_id, None)  # re-inserted last: dicts keep insertion order
        entries[entry_id] = _Entry(entry, now)
        for alias in entry.aliases():
            self._aliases[alias] = entry_id
        self._writes += 1
        if len(entries) > self.max_entries or not self._writes & 0xFF:
            self._evict(now)
        if entry.updates and entry.started_at is not None:
            key = (entry.provider, entry.sender)
            if entry.started_at > self._horizon.get(key, 0.0):
                self._horizon[key] = entry.started_at
        if self._waiters:
            self._wake(entry)

    def _evict(self, now: float) -> None:
        """Drop entries over the bound, and expired ones (oldest first; every 256 writes)."""
        entries = self._entries
        while entries:
            oldest_id = next(iter(entries))
            slot = entries[oldest_id]
            if len(entries) <= self.max_entries and now - slot.at <= self.ttl:
                break
            del entries[oldest_id]
            for alias in slot.entry.aliases():
                if self._aliases.get(alias) == oldest_id:
                    del self._aliases[alias]

    def _wake(self, entry: LedgerEntry) -> None:
        for key in (entry.id, *entry.aliases()):
            waiting = self._waiters.get(key)
            if not waiting:
                continue
            keep = []
            for done, future in waiting:
                if future.done():
                    continue
                if done(entry):
                    future.set_result(entry)
                else:
                    keep.append((done, future))
            if keep:
                self._waiters[key] = keep
            else:
                del self._waiters[key]

    # -- Ledger ----------------------------------------------------------------------------------
    async def record_send(self, entry: LedgerEntry) -> None:
        """Record a sent message (see :meth:`Ledger.record_send`)."""
        self.record_send_nowait(entry)

    def record_send_nowait(self, entry: LedgerEntry) -> None:
        """:meth:`record_send` without a coroutine (the in-process fast path)."""
        existing = self._lookup(entry.id)
        if existing is None:
            self._store(entry, new=entry.id not in self._entries)
        else:
            self._store(self.merge_send(existing, entry))

    async def record_status(self, update: StatusUpdate, *, sender: str | None) -> LedgerEntry:
        """Apply a status update (see :meth:`Ledger.record_status`)."""
        return self.record_status_nowait(update, sender=sender)

    def record_status_nowait(self, update: StatusUpdate, *, sender: str | None) -> LedgerEntry:
        """:meth:`record_status` without a coroutine."""
        existing = self._lookup(update.message_id)
        if existing is None and update.correlation_id:
            existing = self._lookup(update.correlation_id)
            if existing is not None and existing.id != update.message_id:
                existing = None  # a resend under the same correlation id: its own entry
        merged = self.merge_status(existing, update, sender=sender)
        if merged is None:
            assert existing is not None
            return existing
        self._store(merged)
        return merged

    async def get(self, message_id: str) -> LedgerEntry | None:
        """The entry by id, wamid or correlation id (see :meth:`Ledger.get`)."""
        return self._lookup(message_id)

    async def wait(
        self, message_id: str, done: Callable[[LedgerEntry], bool], *, timeout: float
    ) -> LedgerEntry:
        """Wait until ``done(entry)`` (see :meth:`Ledger.wait`)."""
        entry = self._lookup(message_id)
        if entry is not None and done(entry):
            return entry
        future: asyncio.Future[LedgerEntry] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(message_id, []).append((done, future))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            waiting = self._waiters.get(message_id)
            if waiting is not None:
                waiting[:] = [w for w in waiting if w[1] is not future]
                if not waiting:
                    del self._waiters[message_id]

    async def link(self, old: LedgerEntry, new: LedgerEntry) -> None:
        """Link a message to its replacement (see :meth:`Ledger.link`)."""
        current_old = self._lookup(old.id) or old
        current_new = self._lookup(new.id) or new
        self._store(msgspec.structs.replace(current_old, replaced_by=f"{new.provider}:{new.id}"))
        self._store(msgspec.structs.replace(current_new, replaces=f"{old.provider}:{old.id}"))

    async def status_horizon(self, provider: str, sender: str | None) -> float:
        """See :meth:`Ledger.status_horizon`."""
        return self._horizon.get((provider, sender), 0.0)

    async def get_window(self, key: str) -> WindowRecord | None:
        """See :meth:`Ledger.get_window`."""
        return self.get_window_nowait(key)

    def get_window_nowait(self, key: str) -> WindowRecord | None:
        """:meth:`get_window` without a coroutine."""
        found = self._windows.get(key)
        if found is None:
            return None
        record, at = found
        if self._clock() - at > CSW_SECONDS + FEP_SECONDS:
            del self._windows[key]
            return None
        return record

    async def update_window(self, key: str, change: Callable[[WindowRecord], WindowRecord]) -> None:
        """See :meth:`Ledger.update_window`."""
        self.update_window_nowait(key, change)

    def update_window_nowait(
        self, key: str, change: Callable[[WindowRecord], WindowRecord]
    ) -> None:
        """:meth:`update_window` without a coroutine."""
        current = self.get_window_nowait(key) or WindowRecord()
        updated = change(current)
        if updated is current:
            return  # unchanged (and an empty record is never stored)
        windows = self._windows
        windows.pop(key, None)
        windows[key] = (updated, self._clock())
        while len(windows) > self.max_windows:
            del windows[next(iter(windows))]

    def record_events_nowait(self, updates: Sequence[StatusUpdate], *, sender: str | None) -> None:
        """Apply many status updates at once (a webhook delivery's)."""
        for update in updates:
            self.record_status_nowait(update, sender=sender)
