"""What ``send_many`` takes: ``(to, message)`` pairs, or :class:`BulkItem` with options.

Example::

    BulkItem(to="+14155552671", message=Text("hi"), metadata={"order": "1234"})
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Union

import msgspec

from .messages import Message, Template
from .recipients import Recipient

__all__ = ["BulkInput", "BulkItem"]


class BulkItem(msgspec.Struct, frozen=True, kw_only=True):
    """One item of ``send_many`` with its own options (plain ``(to, message)`` pairs work too).

    Example::

        BulkItem(to="+14155552671", message=Text("hi"), metadata={"order": "1234"})
    """

    to: str | Recipient
    message: Message
    reply_to: str | None = None
    idempotency_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    deliver_at: datetime | None = None
    deliver_until: datetime | None = None
    extra: Mapping[str, Any] | None = None
    outside_window: Template | None = None
    sender: str | None = None
    """The business number to send this item from (one of the client's senders)."""


BulkInput = Union[BulkItem, tuple[Union[str, Recipient], Message]]
