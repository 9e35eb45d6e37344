"""The customer-service window as data: what a ledger stores per (sender, user), and the rules.

Meta's rules (``docs/windows.md`` cites them): a message (or call) from the user opens the 24 h
window, or restarts it; inside it any message may be sent, outside it only templates, else the
send fails with 131047. A user who wrote through a free entry point (a click-to-WhatsApp ad or a
Page's call-to-action button) and got a reply within 24 h has 72 h of free messages from that
reply; the 24 h window still decides what may be sent.

A ledger keeps one :class:`WindowRecord` per window key and changes it only through the
``apply_*`` functions here, so that every ledger (in-process, Redis, a third party's) agrees.
Each field only moves forward in time, so concurrent writers (a webhook receiver opening a
window, a sender closing it on a 131047) never undo each other.

Example::

    >>> rec = apply_inbound(WindowRecord(), at=1_000.0, entry_point=False)
    >>> window_from_record(rec, now=1_000.0 + 3600).state
    'open'
    >>> window_from_record(apply_refusal(rec, at=1_000.0 + 7200), now=1_000.0 + 7300).state
    'closed'
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

import msgspec

__all__ = [
    "CSW_SECONDS",
    "FEP_SECONDS",
    "Window",
    "WindowRecord",
    "WindowState",
    "apply_business_send",
    "apply_inbound",
    "apply_refusal",
    "window_from_record",
    "window_key",
]

CSW_SECONDS = 24 * 3600.0
"""The customer-service window: 24 h from the user's latest message."""
FEP_SECONDS = 72 * 3600.0
"""A free-entry-point window: 72 h from the business's reply (sent within 24 h)."""

TIMESTAMP_RESOLUTION = 1.0
"""Seconds: webhook timestamps are whole seconds (Meta's unix strings)."""

WindowState = Literal["open", "closed", "unknown"]


class WindowRecord(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a ledger stores for one (provider, sender, user): times in epoch seconds.

    - ``inbound_at``: the user's latest message (the provider's timestamp when it gave one);
    - ``closed_at``: the latest refusal for being outside the window (131047,
      ``META_OUTSIDE_24H_WINDOW``);
    - ``entry_point_at``: the latest message that came through a free entry point;
    - ``entry_reply_at``: the business's first send after that message, within 24 h.

    Example::

        WindowRecord(inbound_at=1_767_000_000.0)
    """

    inbound_at: float | None = None
    closed_at: float | None = None
    entry_point_at: float | None = None
    entry_reply_at: float | None = None


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """A user's customer-service window as this client's ledger knows it.

    ``state`` is ``"open"`` (free-form messages may be sent until ``until``), ``"closed"``
    (the last message from the user is more than 24 h old, or the provider refused a send
    for being outside the window since) or ``"unknown"`` (the ledger has seen no message from
    this user: the provider decides). ``free_until`` is the end of a free-entry-point window
    (72 h of free messages, templates included), when one is running.

    Example::

        w = await wa.window("+16505551234")
        if w.state == "open":
            print("free-form allowed until", w.until)
    """

    state: WindowState
    until: datetime | None = None
    last_inbound: datetime | None = None
    free_until: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether free-form messages may be sent now."""
        return self.state == "open"


def window_key(provider: str, sender: str | None, user: str) -> str:
    """The key of one window: the provider, the business number (sender) and the user.

    Example::

        >>> window_key("meta", "106540352242922", "+16505551234")
        'meta:106540352242922:+16505551234'
    """
    return f"{provider}:{sender or ''}:{user}"


def _later(current: float | None, at: float) -> float:
    return at if current is None or at > current else current


def apply_inbound(record: WindowRecord, *, at: float, entry_point: bool) -> WindowRecord:
    """The record after a message from the user at ``at`` (opens or restarts the window).

    Example::

        >>> apply_inbound(WindowRecord(), at=5.0, entry_point=True).entry_point_at
        5.0
    """
    inbound = _later(record.inbound_at, at)
    entry = _later(record.entry_point_at, at) if entry_point else record.entry_point_at
    if inbound == record.inbound_at and entry == record.entry_point_at:
        return record
    return msgspec.structs.replace(record, inbound_at=inbound, entry_point_at=entry)


def apply_refusal(record: WindowRecord, *, at: float) -> WindowRecord:
    """The record after the provider refused a send at ``at`` for being outside the window.

    Example::

        >>> apply_refusal(WindowRecord(inbound_at=1.0), at=9.0).closed_at
        9.0
    """
    closed = _later(record.closed_at, at)
    if closed == record.closed_at:
        return record
    return msgspec.structs.replace(record, closed_at=closed)


def apply_business_send(record: WindowRecord, *, at: float) -> WindowRecord:
    """The record after the business sent to the user at ``at`` (starts a free-entry window).

    Only the first send within 24 h of an entry-point message starts the 72 h; later sends,
    and sends to users who did not come through an entry point, change nothing.

    Example::

        >>> rec = apply_inbound(WindowRecord(), at=0.0, entry_point=True)
        >>> apply_business_send(rec, at=60.0).entry_reply_at
        60.0
    """
    entry = record.entry_point_at
    if entry is None or at < entry or at - entry > CSW_SECONDS:
        return record
    reply = record.entry_reply_at
    if reply is not None and reply >= entry:
        return record  # this entry point was already answered
    return msgspec.structs.replace(record, entry_reply_at=at)


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def window_from_record(record: WindowRecord | None, *, now: float) -> Window:
    """The window a record describes at ``now`` (epoch seconds).

    Example::

        >>> window_from_record(None, now=0.0).state
        'unknown'
    """
    if record is None or (record.inbound_at is None and record.closed_at is None):
        return Window(state="unknown")
    inbound = record.inbound_at
    # Providers stamp messages in whole seconds: a message stamped in the second of a refusal
    # may have come after it, and the open reading is the safe one (a wrong "open" costs one
    # refused request; a wrong "closed" would hold back a message the user is waiting for).
    refused = record.closed_at is not None and (
        inbound is None or record.closed_at >= inbound + TIMESTAMP_RESOLUTION
    )
    free_until = None
    if record.entry_reply_at is not None and now < record.entry_reply_at + FEP_SECONDS:
        free_until = _utc(record.entry_reply_at + FEP_SECONDS)
    last = _utc(inbound) if inbound is not None else None
    if inbound is not None and not refused and now < inbound + CSW_SECONDS:
        until = _utc(inbound + CSW_SECONDS)
        return Window(state="open", until=until, last_inbound=last, free_until=free_until)
    return Window(state="closed", last_inbound=last, free_until=free_until)
