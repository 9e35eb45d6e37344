"""A semaphore whose size can change while callers wait: the client's request slots.

Little's law sizes the slots: to send at ``rate`` messages per second when each request takes
``latency`` seconds, ``rate * latency`` requests must be in flight. The transport asks
:class:`Slots` for one before each request (its timeout starts after), and the executor resizes
it as the limiter's rate and the observed latency change.

Example::

    slots = Slots(100)
    async with slots:
        ...            # one request
    slots.resize(300)  # waiters are let in at once
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType

__all__ = ["Slots"]


class Slots:
    """A resizable counting semaphore, first come first served.

    Example::

        async with Slots(2):
            ...
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self.in_use = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def resize(self, size: int) -> None:
        """Allow ``size`` requests in flight from now on (waiters are woken when it grows)."""
        self.size = max(1, size)
        self._wake()

    async def __aenter__(self) -> None:
        if self.in_use < self.size and not self._waiters:
            self.in_use += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._release()  # we were given a slot just as we were cancelled
            elif not waiter.done():
                waiter.cancel()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release()

    def _release(self) -> None:
        self.in_use -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_use < self.size:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_use += 1
                waiter.set_result(None)
