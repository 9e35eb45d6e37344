"""What sends and look-ups return: SendResult, BulkResult, MessageStatus, TemplateInfo.

Example::

    result = await wa.send("+14155552671", Text("hi"))
    result.id, result.status, result.provider, result.recipient
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Literal, Union, overload

import msgspec

from .errors import WhatsAppError
from .events import StatusUpdate

__all__ = [
    "BulkResult",
    "DeliveryOutcome",
    "DeliveryReport",
    "MessageStatus",
    "Outcome",
    "SendResult",
    "SendStatus",
    "TemplateComponentInfo",
    "TemplateInfo",
]

SendStatus = Literal["accepted", "held", "paused", "queued"]
"""What the provider said at send time: Meta ``accepted``/``held``/``paused``;
Pilot ``queued``; Magpipe and the gateway ``accepted``."""


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one successful send.

    ``id`` is the id this provider's status events and look-ups use for the
    message (a wamid on Meta and Magpipe, an internal id on Pilot and the
    gateway). ``raw`` is the provider's decoded response body. ``sender`` is the business
    number it went out from (Meta's ``phone_number_id``, Pilot's number id, Magpipe's
    ``phone_number_id``; None where a provider has no such identity); ``user_id`` the user's
    business-scoped id when the provider answers one (Meta).

    Example::

        r = await wa.send("+14155552671", Text("hi"))
        print(r.id, r.status)  # wamid.HBgL... accepted
    """

    id: str
    status: SendStatus
    provider: str
    recipient: str
    wa_id: str | None = None
    raw: Any = None
    idempotent_replayed: bool = False
    recovered: bool = False
    """The send's answer was lost (it was in doubt) and ``wa.resolve_in_doubt`` found the
    message in the ledger by its correlation id: it was sent once, no request was repeated."""
    window_fallback: bool = False
    """The user's window was closed, so the send's ``outside_window`` template was sent
    instead of the message."""
    sender: str | None = None
    user_id: str | None = None


Outcome = Union[SendResult, WhatsAppError]
"""One item's outcome in a bulk send."""


class BulkResult(Sequence[Outcome]):
    """Outcomes of ``send_many``, one per input item, in input order.

    Each outcome is a :class:`SendResult` or the :class:`WhatsAppError` that
    item failed with.

    Example::

        bulk = await wa.send_many(items)
        print(bulk.sent, bulk.failed)
        for index, error in bulk.failures():
            print(index, error)
    """

    __slots__ = ("_outcomes",)

    def __init__(self, outcomes: Sequence[Outcome]) -> None:
        self._outcomes = list(outcomes)

    @overload
    def __getitem__(self, index: int) -> Outcome: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Outcome]: ...
    def __getitem__(self, index: int | slice) -> Outcome | Sequence[Outcome]:
        return self._outcomes[index]

    def __len__(self) -> int:
        return len(self._outcomes)

    @staticmethod
    def from_cancelled(error: BaseException) -> BulkResult | None:
        """The complete result a cancelled ``send_many`` carried, or None for other errors.

        Example::

            try:
                await wa.send_many(items)
            except asyncio.CancelledError as exc:
                bulk = BulkResult.from_cancelled(exc)   # every item: a result or SendCancelled
                raise
        """
        result = getattr(error, "bulk_result", None)
        return result if isinstance(result, BulkResult) else None

    @property
    def sent(self) -> int:
        """How many items succeeded."""
        return sum(1 for o in self._outcomes if isinstance(o, SendResult))

    @property
    def failed(self) -> int:
        """How many items failed."""
        return len(self._outcomes) - self.sent

    @property
    def in_doubt_count(self) -> int:
        """How many failed items may have been delivered anyway (see :meth:`in_doubt`)."""
        return sum(1 for o in self._outcomes if isinstance(o, WhatsAppError) and o.in_doubt)

    def in_doubt(self) -> Iterator[tuple[int, WhatsAppError]]:
        """Yield ``(index, error)`` for every failed item that may have been delivered.

        These were not resent (at most once): look them up (``get_status``, status webhooks)
        before sending them again.

        Example::

            for index, error in bulk.in_doubt():
                print(index, type(error).__name__)  # ServerError, APITimeoutError, ...
        """
        for index, outcome in enumerate(self._outcomes):
            if isinstance(outcome, WhatsAppError) and outcome.in_doubt:
                yield index, outcome

    def failures(self) -> Iterator[tuple[int, WhatsAppError]]:
        """Yield ``(index, error)`` for every failed item, in input order."""
        for index, outcome in enumerate(self._outcomes):
            if isinstance(outcome, WhatsAppError):
                yield index, outcome

    def results(self) -> Iterator[tuple[int, SendResult]]:
        """Yield ``(index, result)`` for every successful item, in input order."""
        for index, outcome in enumerate(self._outcomes):
            if isinstance(outcome, SendResult):
                yield index, outcome

    def __repr__(self) -> str:
        return f"BulkResult(items={len(self)}, sent={self.sent}, failed={self.failed})"


DeliveryOutcome = Union[StatusUpdate, WhatsAppError]
"""One item's outcome in a :class:`DeliveryReport`: the update that reached the status awaited,
or the error (``DeliveryFailed``, ``StatusTimeout``, or the send's own error)."""


class DeliveryReport(Sequence[DeliveryOutcome]):
    """Delivery outcomes of a bulk send (``wa.wait_for_statuses``), one per item, in order.

    Each outcome is the :class:`~whatsapp_async.StatusUpdate` that reached the awaited status,
    a :class:`~whatsapp_async.DeliveryFailed` (a ``failed`` status), a
    :class:`~whatsapp_async.StatusTimeout` (nothing in time), or the item's own send error
    (it was never sent).

    Example::

        report = await wa.wait_for_statuses(bulk, "delivered", timeout=120)
        print(report.reached, report.failed, report.timed_out, report.not_sent)
    """

    __slots__ = ("_outcomes", "awaited")

    def __init__(self, outcomes: Sequence[DeliveryOutcome], awaited: str) -> None:
        self._outcomes = list(outcomes)
        self.awaited = awaited

    @overload
    def __getitem__(self, index: int) -> DeliveryOutcome: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DeliveryOutcome]: ...
    def __getitem__(self, index: int | slice) -> DeliveryOutcome | Sequence[DeliveryOutcome]:
        return self._outcomes[index]

    def __len__(self) -> int:
        return len(self._outcomes)

    def _count(self, name: str) -> int:
        return sum(1 for o in self._outcomes if type(o).__name__ == name)

    @property
    def reached(self) -> int:
        """How many items reached the awaited status (or further)."""
        return sum(1 for o in self._outcomes if not isinstance(o, WhatsAppError))

    @property
    def failed(self) -> int:
        """How many items got a ``failed`` status."""
        return self._count("DeliveryFailed")

    @property
    def timed_out(self) -> int:
        """How many items had not reached the status when the wait ended."""
        return self._count("StatusTimeout")

    @property
    def not_sent(self) -> int:
        """How many items had failed to send (their outcome is the send's error)."""
        return len(self._outcomes) - self.reached - self.failed - self.timed_out

    def __repr__(self) -> str:
        return (
            f"DeliveryReport(items={len(self)}, awaited={self.awaited!r}, "
            f"reached={self.reached}, failed={self.failed}, timed_out={self.timed_out}, "
            f"not_sent={self.not_sent})"
        )


DeliveryState = Literal["queued", "sent", "delivered", "read", "played", "failed", "canceled"]


class MessageStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A message's delivery state from a status look-up (``wa.get_status``).

    Example::

        s = await pilot.get_status(result.id)
        s.status, s.wa_id, s.timestamps.get("delivered")
    """

    id: str
    status: DeliveryState
    provider: str
    recipient: str | None = None
    wa_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    timestamps: dict[str, datetime] = msgspec.field(default_factory=dict)
    raw: Any = None


class TemplateComponentInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One component of an approved template, as listed by the provider.

    Example::

        TemplateComponentInfo(type="BODY", text="Hi {{1}}")
    """

    type: str
    format: str | None = None
    text: str | None = None
    buttons: list[dict[str, Any]] = msgspec.field(default_factory=list)


class TemplateInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A template as the provider lists it (shared by every provider with a listing).

    Example::

        for t in await wa.list_templates():
            print(t.name, t.language, t.status, t.category)
    """

    name: str
    language: str
    status: str | None = None
    category: str | None = None
    id: str | None = None
    components: list[TemplateComponentInfo] = msgspec.field(default_factory=list)
    raw: Any = None
