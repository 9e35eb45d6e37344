"""The after-the-send methods of ``WhatsApp`` (a mixin): await statuses, windows, in-doubt sends.

Everything here reads the client's ledger (``whatsapp_async.ledger``), which the client's own
sends and every webhook it parses keep current. The README's "After the send" is the
behavioural spec.

Example::

    result = await wa.send(to, Text("Your code is 123456"))
    update = await wa.wait_for_status(result, "delivered", timeout=60)
"""

from __future__ import annotations

from typing import overload

from ._awaiting import DeliveryWaits
from ._windows import Window
from .errors import ValidationError, WhatsAppError
from .events import StatusUpdate
from .ledger import Ledger
from .recipients import Recipient, normalise
from .results import BulkResult, DeliveryReport, SendResult

__all__ = ["DeliveryMethods"]


class DeliveryMethods:
    """``wait_for_status``, ``wait_for_statuses``, ``window``, ``resolve_in_doubt``.

    Example::

        report = await wa.wait_for_statuses(bulk, "delivered", timeout=120)
    """

    _waits: DeliveryWaits
    _name: str

    @property
    def ledger(self) -> Ledger | None:
        """The ledger this client records to (None when built with ``ledger=None``).

        Example::

            entry = await wa.ledger.get(result.id)
        """
        return self._waits.tracker.ledger

    async def wait_for_status(
        self, result: SendResult | str, status: str = "delivered", *, timeout: float = 60.0
    ) -> StatusUpdate:
        """Wait until a sent message reaches ``status`` (or passes it); return that update.

        ``status`` is ``"sent"``, ``"delivered"``, ``"read"`` or ``"played"``; ``result`` a
        :class:`SendResult` or a message id (its wamid works on Pilot too). Statuses come
        from webhooks this client's ledger sees: ``parse_webhook``/``webhook_app`` of this
        client, or of any client sharing a Redis ledger. Raises ``DeliveryFailed`` on a
        ``failed`` status, ``StatusTimeout`` (a ``TimeoutError``) after ``timeout`` seconds,
        and ``UnsupportedFeature`` on providers without status events (Magpipe, gateway).

        Example::

            result = await wa.send(to, Text("Your code is 123456"))
            update = await wa.wait_for_status(result, "delivered", timeout=60)
            print(update.status, update.timestamp)
        """
        message_id = result.id if isinstance(result, SendResult) else result
        if not isinstance(message_id, str) or not message_id:
            raise ValidationError("wait_for_status takes a SendResult or a message id")
        return await self._waits.wait_for_status(message_id, status, timeout)

    async def wait_for_statuses(
        self,
        results: BulkResult | list[SendResult | WhatsAppError],
        status: str = "delivered",
        *,
        timeout: float = 120.0,
    ) -> DeliveryReport:
        """Wait for every sent item of a bulk send at once; one outcome per item, in order.

        The wait ends ``timeout`` seconds after the call for every item still short of
        ``status``. Items that were not sent keep their send error.

        Example::

            bulk = await wa.send_many(items)
            report = await wa.wait_for_statuses(bulk, "delivered", timeout=120)
            print(report.reached, report.failed, report.timed_out, report.not_sent)
        """
        outcomes = list(results)
        done = await self._waits.wait_many(outcomes, status, timeout)
        return DeliveryReport(done, status)

    async def window(self, user: str | Recipient, *, sender: str | None = None) -> Window:
        """The customer-service window with ``user``: open (and until when), closed, or unknown.

        Every message from the user the ledger sees opens it for 24 h; a refusal for being
        outside it (131047) closes it. ``sender`` picks the business number (default: this
        client's). Providers without windows (the gateway) raise ``UnsupportedFeature``.

        Example::

            w = await wa.window("+16505551234")
            print(w.state, w.until, w.free_until)
        """
        recipient = normalise(user) if isinstance(user, str) else user
        return await self._waits.window(str(recipient), sender)

    @overload
    async def resolve_in_doubt(
        self, outcome: WhatsAppError, *, wait: float = 30.0
    ) -> SendResult: ...

    @overload
    async def resolve_in_doubt(self, outcome: BulkResult, *, wait: float = 30.0) -> BulkResult: ...

    async def resolve_in_doubt(
        self, outcome: WhatsAppError | BulkResult, *, wait: float = 30.0
    ) -> SendResult | BulkResult:
        """Settle sends whose answer was lost: found as sent, or sent again only if provably lost.

        For each in-doubt send (``error.in_doubt``) of this client:

        - on a provider that dedupes on idempotency keys (Pilot), it is sent again with the
          same key: the provider drops a duplicate;
        - on Meta, the ledger is watched up to ``wait`` seconds for a status carrying the
          send's correlation id: found, it is a :class:`SendResult` with ``recovered=True``
          and no request; not found while a status for a later send did arrive, it never
          went out and is sent once more (same correlation id); with no such evidence (no
          webhooks reach the ledger) it stays in doubt.

        Given an error, returns the result or raises (the same error when it stays in doubt,
        ``DeliveryFailed`` when its status says failed). Given a :class:`BulkResult`, returns
        a new one with every in-doubt item settled where it could be.

        Example::

            bulk = await wa.send_many(items)
            if bulk.in_doubt_count:
                bulk = await wa.resolve_in_doubt(bulk, wait=60)
        """
        if isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait < 0:
            raise ValidationError("wait must be a number of seconds, 0 or more")
        if isinstance(outcome, BulkResult):
            return BulkResult(await self._waits.resolve_many(list(outcome), wait=wait))
        if not isinstance(outcome, WhatsAppError):
            raise ValidationError("resolve_in_doubt takes an in-doubt error or a BulkResult")
        return await self._waits.resolve(outcome, wait=wait)
