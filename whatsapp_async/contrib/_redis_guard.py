"""Every Redis call of ``whatsapp_async.contrib.redis``, bounded in time and typed when it fails.

A Redis that is down, stopped (SIGSTOP, a network partition) or overloaded must neither hang a
send past its timeout nor leak ``redis.exceptions`` to the caller. :func:`bounded` runs one call
under a timeout and turns any Redis error, socket error or timeout into
:class:`~whatsapp_async.StoreUnavailable`, chained, whose message names the operation and where
Redis is, and never a password or a ``redis://user:password@`` URL.

Example::

    reply = await bounded(redis, script(keys=["k"]), timeout=1.0, what="RedisRateLimiter")
"""

from __future__ import annotations

import asyncio
import math
import re
import sys
from collections.abc import Awaitable
from typing import Any, TypeVar

from redis.exceptions import RedisError

from ..errors import StoreUnavailable

__all__ = ["DEFAULT_TIMEOUT", "bounded", "check_timeout", "unavailable"]

T = TypeVar("T")

DEFAULT_TIMEOUT = 1.0
"""Seconds one Redis call may take. A healthy Redis answers these scripts in well under a
millisecond; a second leaves room for a busy server and a new connection, and is short next to
a send's own timeout."""

# scheme://anything@ : the userinfo of a URL, wherever an error message might quote one.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/@\s]*@")
_MAX_DETAIL = 200


def check_timeout(timeout: float) -> float:
    """``timeout`` as a float, or ValueError unless it is positive and finite.

    Example::

        >>> check_timeout(2)
        2.0
    """
    if not timeout > 0 or math.isinf(timeout):
        raise ValueError("timeout must be a positive, finite number of seconds")
    return float(timeout)


async def bounded(
    redis: Any, call: Awaitable[T], *, timeout: float, what: str, operation: str = ""
) -> T:
    """Await ``call`` (one Redis command or script) for at most ``timeout`` seconds.

    Raises :class:`StoreUnavailable` for a timeout, a Redis error or a socket error.
    Cancellation passes through; redis-py drops a connection whose command was cut short, so
    a late answer is never read as the reply to the next command.

    Example::

        value = await bounded(redis, redis.get("k"), timeout=1.0, what="get", operation="get")
    """
    try:
        if sys.version_info >= (3, 11):
            async with asyncio.timeout(timeout):
                return await call
        return await asyncio.wait_for(call, timeout)
    except (RedisError, OSError, asyncio.TimeoutError) as exc:
        raise unavailable(redis, exc, timeout=timeout, what=what, operation=operation) from exc


def unavailable(
    redis: Any, exc: BaseException, *, timeout: float, what: str, operation: str = ""
) -> StoreUnavailable:
    """The :class:`StoreUnavailable` for ``exc``, its message scrubbed of credentials.

    Example::

        raise unavailable(redis, exc, timeout=1.0, what="RedisIdempotencyStore.reserve")
    """
    kwargs = _connection_kwargs(redis)
    where = _where(kwargs)
    if isinstance(exc, asyncio.TimeoutError) and not isinstance(exc, RedisError):
        problem = f"did not answer within {timeout:g}s"
    else:
        detail = _scrub(str(exc), kwargs)
        if len(detail) > _MAX_DETAIL:
            detail = detail[:_MAX_DETAIL] + "…"
        problem = f"failed ({type(exc).__name__}{': ' + detail if detail else ''})"
    message = _scrub(f"{what}: Redis at {where} {problem}", kwargs)
    return StoreUnavailable(message, operation=operation)


def _connection_kwargs(redis: Any) -> dict[str, Any]:
    # redis.asyncio.Redis (and an arq pool) keep host, port and password here; a client of
    # another shape simply gets a message without its address.
    pool = getattr(redis, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    return kwargs if isinstance(kwargs, dict) else {}


def _where(kwargs: dict[str, Any]) -> str:
    if kwargs.get("path"):
        return f"unix:{kwargs['path']}"
    if kwargs.get("host"):
        return f"{kwargs['host']}:{kwargs.get('port', 6379)}"
    return "(unknown address)"


def _scrub(text: str, kwargs: dict[str, Any]) -> str:
    text = _USERINFO.sub(r"\1***@", text)
    password = kwargs.get("password")
    if isinstance(password, str) and password:
        text = text.replace(password, "***")
    return text
