"""The errors of what happens after a send: a failed status, a status that did not come.

Example::

    try:
        await wa.wait_for_status(result, "delivered", timeout=60)
    except DeliveryFailed as exc:
        print(type(exc.error).__name__)
"""

from __future__ import annotations

from typing import Any

from ._api import APIStatusError
from ._base import WhatsAppError

__all__ = ["DeliveryFailed", "StatusTimeout"]


class DeliveryFailed(WhatsAppError):
    """A sent message's status webhook said ``failed`` (``wa.wait_for_status``).

    ``update`` is the failed :class:`~whatsapp_async.StatusUpdate`; ``error`` the error its
    code maps to, the class a synchronous answer with that code would raise
    (``RecipientError`` for 131026, ``OutsideWindowError`` for 131047 ...); ``message_id``
    the message's id. Nothing was delivered: the message may be sent again (another way).

    Example::

        try:
            await wa.wait_for_status(result, "delivered", timeout=60)
        except DeliveryFailed as exc:
            print(exc.message_id, type(exc.error).__name__, exc.error.code)
    """

    def __init__(
        self, message: str, *, provider: str | None = None, update: Any, error: APIStatusError
    ) -> None:
        super().__init__(message, provider=provider)
        self.update = update
        self.error = error
        self.message_id: str = update.message_id


class StatusTimeout(WhatsAppError, TimeoutError):
    """No status at or past the one awaited arrived in time (``wa.wait_for_status``).

    Also a ``TimeoutError``. ``status`` is the furthest status known when the wait ended
    (``"accepted"`` when no webhook came at all), ``awaited`` the one waited for. The message
    may still arrive: this is not a failure of the send.

    Example::

        try:
            await wa.wait_for_status(result, "read", timeout=3600)
        except TimeoutError as exc:
            print(exc.message_id, exc.status)   # wamid.HBgL... delivered
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        message_id: str,
        status: str | None,
        awaited: str,
    ) -> None:
        super().__init__(message, provider=provider)
        self.message_id = message_id
        self.status = status
        self.awaited = awaited
