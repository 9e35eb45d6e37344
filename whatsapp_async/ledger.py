"""The delivery ledger: what happened to every message after its send, and each user's window.

A client records every message it sends (its id, provider, sender, recipient, metadata and
correlation id) and every webhook event it parses (``parse_webhook``, ``receive_webhook``,
``webhook_app``): status updates advance the message's entry, and a message from a user opens
that user's customer-service window. ``wa.wait_for_status``, ``wa.window`` and
``wa.resolve_in_doubt`` read it.

:class:`MemoryLedger` (the default) serves one process; ``RedisLedger`` in
``whatsapp_async.contrib.redis`` lets the process that receives webhooks and the processes that
send share one. Another store implements :class:`Ledger`'s abstract methods and keeps the rules
of :meth:`Ledger.merge_send`, :meth:`Ledger.merge_status` and the ``apply_*`` functions of the
windows, so that every ledger agrees.

Example::

    ledger = MemoryLedger(max_entries=50_000)
    async with WhatsApp("meta", ..., ledger=ledger) as wa:
        result = await wa.send(to, Text("Your code is 123456"))
        update = await wa.wait_for_status(result, "delivered", timeout=60)
"""

from __future__ import annotations

from ._ledger_base import STATUS_RANK, Ledger, LedgerEntry, status_reached
from ._ledger_memory import MemoryLedger
from ._windows import (
    CSW_SECONDS,
    FEP_SECONDS,
    Window,
    WindowRecord,
    WindowState,
    apply_business_send,
    apply_inbound,
    apply_refusal,
    window_from_record,
    window_key,
)

__all__ = [
    "CSW_SECONDS",
    "FEP_SECONDS",
    "STATUS_RANK",
    "Ledger",
    "LedgerEntry",
    "MemoryLedger",
    "Window",
    "WindowRecord",
    "WindowState",
    "apply_business_send",
    "apply_inbound",
    "apply_refusal",
    "status_reached",
    "window_from_record",
    "window_key",
]
