"""Request timeouts: a plain value the core turns into aiohttp's when it sends.

Example::

    >>> as_timeout(5)
    Timeout(connect=5.0, total=5.0)
"""

from __future__ import annotations

import msgspec

from .errors import ValidationError

__all__ = ["Timeout", "as_timeout", "check_deadline"]


class Timeout(msgspec.Struct, frozen=True, kw_only=True):
    """Request timeouts in seconds (None: no limit).

    ``connect`` bounds opening a TCP connection; ``total`` bounds the whole
    request once it has a slot (waiting for one of the ``connection_limit``
    slots is not counted, so 10,000 gathered sends do not time out in the queue).

    Example::

        WhatsApp("meta", ..., timeout=Timeout(connect=5, total=20))
    """

    connect: float | None = 10.0
    total: float | None = 30.0


def as_timeout(value: Timeout | float | None) -> Timeout:
    """Normalise a number (total seconds) or None (no limit) to a :class:`Timeout`.

    Example::

        >>> as_timeout(5).total
        5.0
    """
    if isinstance(value, Timeout):
        return value
    if value is None:
        return Timeout(connect=None, total=None)
    total = float(value)
    return Timeout(connect=min(10.0, total), total=total)


def check_deadline(deadline: object) -> None:
    """``ValidationError`` unless ``deadline`` is None or a number of seconds, 0 or more.

    Example::

        check_deadline(2.5)
    """
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or deadline < 0
    ):
        raise ValidationError("deadline must be a number of seconds, 0 or more")
