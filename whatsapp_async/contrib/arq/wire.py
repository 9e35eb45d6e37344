"""Wire shapes: the plain data inside arq jobs and their results, and their constants.

A :class:`SendJob` is the argument of one job, a :class:`JobOutcome` its result, a
:class:`SendFailure` a failed item's error; :class:`EnqueuedBatch` records where each
input item went. All are msgspec Structs, so they survive Redis and a restart as data.

Example::

    job = SendJob(to=RecipientRef("phone", "+14155552671"),
                  message=encode_message(Text("hi")), key="order-1")
    payload = msgspec.to_builtins(job)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Union, get_args

import msgspec

from ... import errors as error_types
from ..._idempotency import SendInProgress
from ...errors import ValidationError, WhatsAppError
from ...messages import Message
from ...recipients import Channel, Conversation, Group, Phone, Recipient, User
from ...results import SendResult

FUNCTION_NAME: Final = "whatsapp_send"
"""The name workers register :func:`send_job` under (what :func:`enqueue_bulk` enqueues)."""
DEFAULT_JOB_PREFIX: Final = "whatsapp:"
DEFAULT_KEY_PREFIX: Final = "whatsapp_async:"
_MESSAGE_TYPES: tuple[type[Any], ...] = get_args(Message)
_RECIPIENT_TYPES: dict[str, Callable[[str], Recipient]] = {
    "phone": Phone,
    "user": User,
    "group": Group,
    "channel": Channel,
    "conversation": Conversation,
}

# Outcomes that are not SDK errors: the job itself failed, vanished, or is not done yet.
JOB_FAILED: Final = "JobFailed"
JOB_MISSING: Final = "JobMissing"
NOT_FINISHED: Final = "NotFinished"
DELIVERY_IN_DOUBT: Final = "DeliveryInDoubt"


class RecipientRef(msgspec.Struct, frozen=True):
    """A recipient as data: its kind and its id (E.164 for phones).

    Example::

        RecipientRef("phone", "+14155552671").build()  # Phone(e164='+14155552671')
    """

    kind: str
    id: str

    @classmethod
    def of(cls, recipient: Recipient) -> RecipientRef:
        """The reference of a normalised recipient."""
        return cls(recipient.kind, str(recipient))

    def build(self) -> Recipient:
        """The recipient again (raises :class:`ValidationError` for an unknown kind)."""
        make = _RECIPIENT_TYPES.get(self.kind)
        if make is None:
            raise ValidationError(f"unknown recipient kind {self.kind!r}", field="to")
        return make(self.id)


class SendJob(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One send as carried by an arq job (``msgspec.to_builtins`` of it is the job argument).

    ``message`` is ``{"type": <kind>, ...fields}`` (see :func:`encode_message`); ``key`` is
    the idempotency key, also the job id's suffix.

    Example::

        SendJob(to=RecipientRef("phone", "+14155552671"),
                message={"type": "text", "body": "hi"}, key="order-1")
    """

    to: RecipientRef
    message: dict[str, Any]
    key: str
    reply_to: str | None = None
    metadata: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None
    deliver_at: datetime | None = None
    deliver_until: datetime | None = None


class SendFailure(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A failed item's error as data: what went wrong, typed by ``error`` (a class name).

    ``error`` is the SDK error class (``"RateLimitError"``, ``"InvalidRecipient"``,
    ``"SendInProgress"``...) or one of ``"JobFailed"`` (the job raised something else,
    timed out or ran out of tries), ``"JobMissing"`` (neither job nor result exists any
    more), ``"NotFinished"`` (still queued or running when collection stopped) and
    ``"DeliveryInDoubt"`` (a re-delivered job that was not sent again: see
    :func:`send_job`). ``category`` is the nearest core class (``RateLimitError`` for a
    provider's subclass, ``APIConnectionError`` with ``request_sent`` for doubt).

    Example::

        failure = SendFailure.from_exception(exc)
        raise failure.to_exception()  # the same class, status, code and message
    """

    error: str
    message: str
    category: str | None = None
    provider: str | None = None
    status: int | None = None
    code: int | str | None = None
    field: str | None = None
    retry_after: float | None = None
    request_sent: bool | None = None
    details: Any = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> SendFailure:
        """The summary of ``exc`` (any exception; SDK errors keep their attributes).

        Example::

            SendFailure.from_exception(RateLimitError("slow", status=429, retry_after=2))
        """
        if not isinstance(exc, WhatsAppError):
            return cls(error=JOB_FAILED, message=f"{type(exc).__name__}: {exc}")
        code = getattr(exc, "code", None)
        return cls(
            error=type(exc).__name__,
            message=exc.message,
            category=_core_class(type(exc)).__name__,
            provider=exc.provider,
            status=getattr(exc, "status", None),
            code=code if isinstance(code, (int, str)) else None,
            field=getattr(exc, "field", None),
            retry_after=getattr(exc, "retry_after", None),
            request_sent=getattr(exc, "request_sent", None),
            details=_plain(getattr(exc, "details", None)),
        )

    def to_exception(self) -> WhatsAppError:
        """A :class:`WhatsAppError` of the recorded (core) class with the recorded details.

        Example::

            isinstance(failure.to_exception(), RateLimitError)
        """
        cls = _error_class(self.category or self.error)
        kwargs: dict[str, Any] = {"provider": self.provider}
        if issubclass(cls, error_types.APIStatusError):
            kwargs.update(status=self.status or 0, code=self.code, details=self.details)
            if issubclass(cls, error_types.RateLimitError):
                kwargs["retry_after"] = self.retry_after
        elif issubclass(cls, error_types.APIConnectionError):
            kwargs["request_sent"] = True if self.request_sent is None else self.request_sent
        elif issubclass(cls, error_types.UnsupportedFeature):
            kwargs["feature"] = self.field or ""
        elif issubclass(cls, error_types.ValidationError):
            kwargs["field"] = self.field
        return cls(self.message, **kwargs)


Outcome = Union[SendResult, SendFailure]
"""One item's outcome from :func:`collect_results`."""


class JobOutcome(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What :func:`send_job` returns (as plain data): a result or a failure.

    Example::

        msgspec.convert(job_result, JobOutcome).result
    """

    result: SendResult | None = None
    failure: SendFailure | None = None

    def outcome(self) -> Outcome:
        """The result, or the failure (a malformed outcome is a ``JobFailed`` failure)."""
        if self.result is not None:
            return self.result
        if self.failure is not None:
            return self.failure
        return SendFailure(error=JOB_FAILED, message="the job returned neither result nor error")


class EnqueuedItem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where one input item went: its job id, or why it was not enqueued.

    ``duplicate`` is True when arq already had a job with this id (queued, running or
    finished and its result still kept): nothing new was enqueued for the item.

    Example::

        item.job_id, item.key, item.duplicate, item.failure
    """

    job_id: str | None = None
    key: str | None = None
    duplicate: bool = False
    failure: SendFailure | None = None


class EnqueuedBatch(msgspec.Struct, frozen=True, kw_only=True):
    """What :func:`enqueue_bulk` did, item by item (plain data: store it, collect later).

    Example::

        batch = await enqueue_bulk(redis, items, provider="meta")
        print(batch.enqueued, batch.duplicates, batch.rejected)
        saved = msgspec.json.encode(batch)
    """

    items: list[EnqueuedItem]
    queue_name: str

    @property
    def enqueued(self) -> int:
        """Items for which a new job was enqueued."""
        return sum(1 for i in self.items if i.job_id is not None and not i.duplicate)

    @property
    def duplicates(self) -> int:
        """Items whose job arq already had."""
        return sum(1 for i in self.items if i.duplicate)

    @property
    def rejected(self) -> int:
        """Items refused before enqueuing (invalid recipient or message)."""
        return sum(1 for i in self.items if i.failure is not None)

    @property
    def job_ids(self) -> list[str | None]:
        """The job id of each item, in input order (None for rejected items)."""
        return [i.job_id for i in self.items]


def encode_message(message: Message) -> dict[str, Any]:
    """A message as plain data ``{"type": <kind>, ...fields}`` (``message_from_dict`` reverses it).

    Example::

        >>> from whatsapp_async import Text
        >>> encode_message(Text("hi"))
        {'type': 'text', 'body': 'hi', 'preview_url': False}
    """
    data: dict[str, Any] = msgspec.to_builtins(message)
    header = getattr(message, "header", None)
    if isinstance(header, _MESSAGE_TYPES):
        # Media and location headers are Structs too: message_from_dict picks them by type.
        data["header"] = encode_message(header)
    return {"type": message.kind, **data}


def _core_class(cls: type[BaseException]) -> type[BaseException]:
    for base in cls.__mro__:
        if base is SendInProgress or getattr(error_types, base.__name__, None) is base:
            return base
    return WhatsAppError


def _error_class(name: str) -> type[WhatsAppError]:
    if name == "SendInProgress":
        return SendInProgress
    found = getattr(error_types, name, None)
    if isinstance(found, type) and issubclass(found, WhatsAppError):
        return found
    return WhatsAppError


def _plain(value: Any) -> Any:
    if value is None:
        return None
    try:
        return msgspec.to_builtins(value)
    except TypeError:
        return str(value)
