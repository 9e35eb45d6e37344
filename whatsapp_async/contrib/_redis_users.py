"""The alias store and the suppression list shared through Redis (re-exported by
:mod:`whatsapp_async.contrib.redis`).

A webhook receiver and the senders usually run in different processes: the receiver learns
phone ↔ user id pairs and opt-outs, the senders need them. :class:`RedisAliasStore` keeps both
directions of each pair (``<prefix>phone:<E.164>`` and ``<prefix>user:<id>``), replaced
atomically by one Lua script, for ``ttl`` seconds (a BSUID is regenerated when the user changes
number; stale pairs age out). :class:`RedisSuppressionList` is one Redis set per category
(``<prefix><category>``), never expiring: an opt-out must not be forgotten.

Every call is bounded by ``timeout`` (1 s); a Redis failure raises
:class:`~whatsapp_async.StoreUnavailable`, and a send that needed the answer is not made.

Example::

    wa = WhatsApp("meta", token=..., phone_number_id=...,
                  aliases=RedisAliasStore(redis), suppression=RedisSuppressionList(redis))
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from .._aliases import MARKETING
from ._redis_guard import DEFAULT_TIMEOUT, bounded, check_timeout

__all__ = ["RedisAliasStore", "RedisSuppressionList"]

DEFAULT_ALIAS_PREFIX = "whatsapp_async:alias:"
DEFAULT_SUPPRESSION_PREFIX = "whatsapp_async:suppressed:"

# KEYS: phone key, user key; ARGV: phone, user id, ttl ms, prefix. Drops the older pairs of
# either side, then sets both directions.
_LINK_SCRIPT = """
local old_user = redis.call('GET', KEYS[1])
if old_user and old_user ~= ARGV[2] then
  local key = ARGV[4] .. 'user:' .. old_user
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
local old_phone = redis.call('GET', KEYS[2])
if old_phone and old_phone ~= ARGV[1] then
  local key = ARGV[4] .. 'phone:' .. old_phone
  if redis.call('GET', key) == ARGV[2] then redis.call('DEL', key) end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
return 1
"""

# KEYS: the key to drop; ARGV: the other direction's type ('user' or 'phone'), prefix.
_FORGET_SCRIPT = """
local other = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
if other then
  local key = ARGV[2] .. ARGV[1] .. ':' .. other
  redis.call('DEL', key)
end
return 1
"""


class RedisAliasStore:
    """An :class:`~whatsapp_async.AliasStore` shared through Redis (see the module docs).

    Example::

        aliases = RedisAliasStore(redis, ttl=30 * 24 * 3600)
        await aliases.link("+16505551234", "US.13491208655302741918")
    """

    def __init__(
        self,
        redis: Redis,
        *,
        ttl: float = 90 * 24 * 3600.0,
        prefix: str = DEFAULT_ALIAS_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not ttl > 0:
            raise ValueError("ttl must be positive")
        self.ttl = float(ttl)
        self.prefix = prefix
        self.timeout = check_timeout(timeout)
        self._redis = redis
        self._link = redis.register_script(_LINK_SCRIPT)
        self._forget = redis.register_script(_FORGET_SCRIPT)

    async def _call(self, operation: str, call: Any) -> Any:
        return await bounded(
            self._redis,
            call,
            timeout=self.timeout,
            what=f"RedisAliasStore.{operation}",
            operation=operation,
        )

    async def link(self, phone: str, user_id: str) -> None:
        """Remember the pair (replacing older pairs of either side), for ``ttl`` seconds."""
        keys = [f"{self.prefix}phone:{phone}", f"{self.prefix}user:{user_id}"]
        args: list[str | int] = [phone, user_id, int(self.ttl * 1000), self.prefix]
        await self._call("link", self._link(keys=keys, args=args))

    async def phone_for(self, user_id: str) -> str | None:
        """The phone of ``user_id``, if known."""
        return _text(await self._call("phone_for", self._redis.get(f"{self.prefix}user:{user_id}")))

    async def user_id_for(self, phone: str) -> str | None:
        """The user id of ``phone``, if known."""
        return _text(
            await self._call("user_id_for", self._redis.get(f"{self.prefix}phone:{phone}"))
        )

    async def forget(self, *, phone: str | None = None, user_id: str | None = None) -> None:
        """Drop what is known of ``phone`` and/or ``user_id`` (both directions)."""
        if user_id is not None:
            keys = [f"{self.prefix}user:{user_id}"]
            await self._call("forget", self._forget(keys=keys, args=["phone", self.prefix]))
        if phone is not None:
            keys = [f"{self.prefix}phone:{phone}"]
            await self._call("forget", self._forget(keys=keys, args=["user", self.prefix]))

    def __repr__(self) -> str:
        return f"RedisAliasStore(prefix={self.prefix!r}, ttl={self.ttl:g})"


class RedisSuppressionList:
    """A :class:`~whatsapp_async.SuppressionList` shared through Redis (one set per category).

    Example::

        suppression = RedisSuppressionList(redis)
        await suppression.contains("+16505551234")
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = DEFAULT_SUPPRESSION_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.prefix = prefix
        self.timeout = check_timeout(timeout)
        self._redis = redis

    async def _call(self, operation: str, call: Any) -> Any:
        return await bounded(
            self._redis,
            call,
            timeout=self.timeout,
            what=f"RedisSuppressionList.{operation}",
            operation=operation,
        )

    async def add(self, user: str, category: str = MARKETING) -> None:
        """Suppress ``user`` for ``category``."""
        await self._call("add", self._redis.sadd(f"{self.prefix}{category}", user))

    async def remove(self, user: str, category: str = MARKETING) -> None:
        """Lift the suppression of ``user`` for ``category``."""
        await self._call("remove", self._redis.srem(f"{self.prefix}{category}", user))

    async def contains(self, user: str, category: str = MARKETING) -> bool:
        """Whether ``user`` is suppressed for ``category``."""
        found = await self._call(
            "contains", self._redis.sismember(f"{self.prefix}{category}", user)
        )
        return bool(found)

    def __repr__(self) -> str:
        return f"RedisSuppressionList(prefix={self.prefix!r})"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)
