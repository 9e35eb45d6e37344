"""Who a user is: phone ↔ business-scoped user id aliases, and the suppression list.

Meta identifies a user by phone number, by business-scoped user id (BSUID), or both; which
one a webhook carries depends on the user (a username hides the phone) and changes over time
(a new phone number regenerates the BSUID). An :class:`AliasStore` remembers the pairs the
webhooks showed, so a caller can send to whichever identity it has. A
:class:`SuppressionList` remembers who opted out of marketing messages. Both are protocols:
in-process here, shared through Redis in :mod:`whatsapp_async.contrib.redis`.

Example::

    aliases = MemoryAliasStore()
    await aliases.link("+16505551234", "US.13491208655302741918")
    await aliases.phone_for("US.13491208655302741918")  # '+16505551234'
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol, runtime_checkable

__all__ = ["AliasStore", "MemoryAliasStore", "MemorySuppressionList", "SuppressionList"]

MARKETING = "marketing"
"""The suppression category of marketing templates (Meta's ``marketing_messages``)."""


@runtime_checkable
class AliasStore(Protocol):
    """Phone (E.164) ↔ business-scoped user id pairs, learned from webhooks.

    A pair replaces any earlier pair of either side: a user id belongs to one phone, and a
    phone to one user id, at a time.

    Example::

        await store.link("+16505551234", "US.13491208655302741918")
        await store.user_id_for("+16505551234")  # 'US.13491208655302741918'
    """

    async def link(self, phone: str, user_id: str) -> None:
        """Remember that ``phone`` and ``user_id`` are the same user."""

    async def phone_for(self, user_id: str) -> str | None:
        """The phone of ``user_id``, if known."""

    async def user_id_for(self, phone: str) -> str | None:
        """The user id of ``phone``, if known."""

    async def forget(self, *, phone: str | None = None, user_id: str | None = None) -> None:
        """Drop what is known of ``phone`` and/or ``user_id``."""


class MemoryAliasStore:
    """An in-process :class:`AliasStore`, bounded to ``max_entries`` pairs (oldest dropped).

    The client's default (each client has its own); share one between clients with
    ``WhatsApp(..., aliases=store)``, or across processes with ``RedisAliasStore``.

    Example::

        >>> import asyncio
        >>> store = MemoryAliasStore()
        >>> asyncio.run(store.link("+16505551234", "US.1349"))
        >>> asyncio.run(store.phone_for("US.1349"))
        '+16505551234'
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._phone_of: OrderedDict[str, str] = OrderedDict()
        self._user_of: dict[str, str] = {}

    async def link(self, phone: str, user_id: str) -> None:
        """Remember the pair (replacing older pairs of either side)."""
        self._drop(phone=phone, user_id=user_id)
        self._phone_of[user_id] = phone
        self._user_of[phone] = user_id
        while len(self._phone_of) > self.max_entries:
            old_user, old_phone = self._phone_of.popitem(last=False)
            if self._user_of.get(old_phone) == old_user:
                del self._user_of[old_phone]

    async def phone_for(self, user_id: str) -> str | None:
        """The phone of ``user_id``, if known."""
        return self._phone_of.get(user_id)

    async def user_id_for(self, phone: str) -> str | None:
        """The user id of ``phone``, if known."""
        return self._user_of.get(phone)

    async def forget(self, *, phone: str | None = None, user_id: str | None = None) -> None:
        """Drop what is known of ``phone`` and/or ``user_id``."""
        self._drop(phone=phone, user_id=user_id)

    def _drop(self, *, phone: str | None, user_id: str | None) -> None:
        if user_id is not None:
            old_phone = self._phone_of.pop(user_id, None)
            if old_phone is not None and self._user_of.get(old_phone) == user_id:
                del self._user_of[old_phone]
        if phone is not None:
            old_user = self._user_of.pop(phone, None)
            if old_user is not None and self._phone_of.get(old_user) == phone:
                del self._phone_of[old_user]

    def __len__(self) -> int:
        return len(self._phone_of)

    def __repr__(self) -> str:
        return f"MemoryAliasStore(pairs={len(self)}, max_entries={self.max_entries})"


@runtime_checkable
class SuppressionList(Protocol):
    """Users (phones or user ids) who opted out of a category of messages.

    The client checks it before every marketing template (``OptedOut``) and learns it from
    ``user_preferences`` webhooks (``stop`` adds, ``resume`` removes).

    Example::

        await suppression.add("+16505551234")
        await suppression.contains("+16505551234")  # True
    """

    async def add(self, user: str, category: str = MARKETING) -> None:
        """Suppress ``user`` for ``category``."""

    async def remove(self, user: str, category: str = MARKETING) -> None:
        """Lift the suppression of ``user`` for ``category``."""

    async def contains(self, user: str, category: str = MARKETING) -> bool:
        """Whether ``user`` is suppressed for ``category``."""


class MemorySuppressionList:
    """An in-process :class:`SuppressionList` (unbounded: opt-outs must not be forgotten).

    Example::

        >>> import asyncio
        >>> suppressed = MemorySuppressionList()
        >>> asyncio.run(suppressed.add("+16505551234"))
        >>> asyncio.run(suppressed.contains("+16505551234"))
        True
    """

    def __init__(self) -> None:
        self._entries: set[tuple[str, str]] = set()

    async def add(self, user: str, category: str = MARKETING) -> None:
        """Suppress ``user`` for ``category``."""
        self._entries.add((category, user))

    async def remove(self, user: str, category: str = MARKETING) -> None:
        """Lift the suppression of ``user`` for ``category``."""
        self._entries.discard((category, user))

    async def contains(self, user: str, category: str = MARKETING) -> bool:
        """Whether ``user`` is suppressed for ``category``."""
        return (category, user) in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"MemorySuppressionList(entries={len(self)})"
