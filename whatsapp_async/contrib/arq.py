"""Durable fan-out of sends to arq worker processes, with shared limits and idempotency.

A producer calls :func:`enqueue_bulk`: each item becomes one arq job whose id is derived
from the item's idempotency key (the caller's ``idempotency_key``, or a fingerprint of
provider, recipient and message), so arq itself refuses a job it already has. Workers
built by :func:`make_worker_settings` run :func:`send_job` with one :class:`WhatsApp`
client per process, a :class:`RedisRateLimiter` shared by all of them and a
:class:`RedisIdempotencyStore`. :func:`collect_results` returns one outcome per input
item, in input order: a :class:`SendResult` or a :class:`SendFailure`.

Retries of API errors are the SDK's (its ``RetryPolicy``): an API error becomes the job's
result, never an arq retry. arq's ``max_tries`` only re-delivers jobs whose worker died,
and defers a job whose key another sender still holds (see ``docs/scaling-out.md``).

Example::

    # worker: python -m whatsapp_async.contrib.arq --config whatsapp.toml --redis redis://...
    redis = await arq.create_pool(RedisSettings.from_dsn("redis://127.0.0.1:6379/0"))
    batch = await enqueue_bulk(redis, [(n, Text("hi")) for n in numbers], provider="meta")
    outcomes = await collect_results(redis, batch, timeout=600)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Union, cast, get_args

import msgspec
from arq import Retry
from arq.connections import ArqRedis, RedisSettings
from arq.constants import default_queue_name, job_key_prefix, result_key_prefix
from arq.jobs import deserialize_result
from arq.worker import Function, func, run_worker

from .. import errors as error_types
from ..client import BulkItem, WhatsApp
from ..config import load_profile
from ..errors import ConfigurationError, ValidationError, WhatsAppError
from ..idempotency import SendInProgress, fingerprint
from ..messages import Message, message_from_dict
from ..ratelimit import RateLimiter
from ..recipients import Channel, Conversation, Group, Phone, PhoneValidation, Recipient, normalise
from ..results import BulkResult, SendResult
from .redis import RedisIdempotencyStore, RedisRateLimiter

if TYPE_CHECKING:
    from arq.typing import WorkerSettingsType

__all__ = [
    "FUNCTION_NAME",
    "EnqueuedBatch",
    "EnqueuedItem",
    "JobOutcome",
    "RecipientRef",
    "SendFailure",
    "SendJob",
    "WhatsAppWorkerSettings",
    "as_bulk_result",
    "collect_results",
    "encode_message",
    "enqueue_bulk",
    "main",
    "make_worker_settings",
    "send_job",
]

log = logging.getLogger("whatsapp_async.contrib.arq")

FUNCTION_NAME: Final = "whatsapp_send"
"""The name workers register :func:`send_job` under (what :func:`enqueue_bulk` enqueues)."""
DEFAULT_JOB_PREFIX: Final = "whatsapp:"
DEFAULT_KEY_PREFIX: Final = "whatsapp_async:"
_STATE: Final = "whatsapp_async"  # the worker context key of the per-process state
_MESSAGE_TYPES: tuple[type[Any], ...] = get_args(Message)
_RECIPIENT_TYPES: dict[str, Callable[[str], Recipient]] = {
    "phone": Phone,
    "group": Group,
    "channel": Channel,
    "conversation": Conversation,
}

# Outcomes that are not SDK errors: the job itself failed, vanished, or is not done yet.
JOB_FAILED: Final = "JobFailed"
JOB_MISSING: Final = "JobMissing"
NOT_FINISHED: Final = "NotFinished"
DELIVERY_IN_DOUBT: Final = "DeliveryInDoubt"


# -- wire shapes (plain data inside arq jobs and results) ------------------------------------------
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

        >>> encode_message(Text("hi"))
        {'type': 'text', 'body': 'hi', 'preview_url': False}
    """
    data: dict[str, Any] = msgspec.to_builtins(message)
    header = getattr(message, "header", None)
    if isinstance(header, _MESSAGE_TYPES):
        # Media and location headers are Structs too: message_from_dict picks them by type.
        data["header"] = encode_message(header)
    return {"type": message.kind, **data}


# -- producing -------------------------------------------------------------------------------------
async def enqueue_bulk(
    redis: ArqRedis,
    items: Iterable[BulkItem | tuple[Any, Any]],
    *,
    provider: str,
    queue_name: str | None = None,
    job_id_prefix: str = DEFAULT_JOB_PREFIX,
    default_region: str | None = None,
    phone_validation: PhoneValidation = "valid",
    expires: float | None = None,
    concurrency: int = 32,
) -> EnqueuedBatch:
    """Enqueue one send job per item; job ids come from the items' idempotency keys.

    Items are ``(to, message)`` pairs or :class:`BulkItem`; a message may also be a
    mapping ``{"type": ..., ...}``. The key is the item's ``idempotency_key`` or a
    fingerprint of ``provider`` (add the sender, e.g. ``"meta:1234"``, when one queue
    serves several), the recipient, the message and its options, so enqueuing the same
    items again enqueues nothing new. Recipients and messages are checked here: a bad
    item is not enqueued and its failure is its outcome (no request is ever made for it).

    Example::

        batch = await enqueue_bulk(redis, [("+14155552671", Text("hi"))], provider="meta")
        batch.job_ids  # ['whatsapp:3f2a...']
    """
    if concurrency < 1:
        raise ValidationError("concurrency must be at least 1")
    queue = queue_name or redis.default_queue_name
    entries = list(items)
    planned: list[EnqueuedItem | _Planned] = []
    for entry in entries:
        try:
            planned.append(_plan(entry, provider, default_region, phone_validation))
        except WhatsAppError as exc:
            planned.append(EnqueuedItem(failure=SendFailure.from_exception(exc)))
    gate = asyncio.Semaphore(concurrency)
    first_for_id: dict[str, asyncio.Task[bool]] = {}

    async def enqueue(job_id: str, payload: dict[str, Any]) -> bool:
        async with gate:
            created = await redis.enqueue_job(
                FUNCTION_NAME, payload, _job_id=job_id, _queue_name=queue, _expires=expires
            )
            return created is not None

    for plan in planned:
        if isinstance(plan, _Planned):
            job_id = job_id_prefix + plan.key
            if job_id not in first_for_id:
                first_for_id[job_id] = asyncio.ensure_future(enqueue(job_id, plan.payload))
    # Every enqueue finishes before any error is raised; calling again after an error is
    # safe, as items already enqueued come back as duplicates.
    for outcome in await asyncio.gather(*first_for_id.values(), return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome
    seen: set[str] = set()
    out: list[EnqueuedItem] = []
    for plan in planned:
        if isinstance(plan, EnqueuedItem):
            out.append(plan)
            continue
        job_id = job_id_prefix + plan.key
        created = first_for_id[job_id].result() and job_id not in seen
        seen.add(job_id)
        out.append(EnqueuedItem(job_id=job_id, key=plan.key, duplicate=not created))
    return EnqueuedBatch(items=out, queue_name=queue)


class _Planned(msgspec.Struct, frozen=True):
    key: str
    payload: dict[str, Any]


def _plan(
    entry: BulkItem | tuple[Any, Any],
    provider: str,
    default_region: str | None,
    phone_validation: PhoneValidation,
) -> _Planned:
    if isinstance(entry, BulkItem):
        item = entry
    elif isinstance(entry, tuple) and len(entry) == 2:
        item = BulkItem(to=entry[0], message=entry[1])
    else:
        raise ValidationError("items must be (to, message) pairs or BulkItem")
    message = item.message
    if isinstance(message, Mapping):
        message = message_from_dict(message)
    if not isinstance(message, _MESSAGE_TYPES):
        raise ValidationError(
            f"message must be a whatsapp_async message or a mapping with 'type', "
            f"got {type(message).__name__}",
            field="message",
        )
    recipient = normalise(item.to, default_region=default_region, validation=phone_validation)
    encoded = encode_message(message)
    for name, value in (("metadata", item.metadata), ("extra", item.extra)):
        if value is not None and not isinstance(value, Mapping):
            raise ValidationError(f"{name} must be a mapping", field=name)
    for name, when in (("deliver_at", item.deliver_at), ("deliver_until", item.deliver_until)):
        if when is not None and (not isinstance(when, datetime) or when.tzinfo is None):
            raise ValidationError(f"{name} must be a timezone-aware datetime", field=name)
    key = item.idempotency_key
    if key is not None and (not isinstance(key, str) or not key):
        raise ValidationError("idempotency_key must be a non-empty string", field="idempotency_key")
    metadata = dict(item.metadata) if item.metadata is not None else None
    extra = dict(item.extra) if item.extra is not None else None
    job = SendJob(
        to=RecipientRef.of(recipient),
        message=encoded,
        key=key or "",
        reply_to=item.reply_to,
        metadata=metadata,
        extra=extra,
        deliver_at=item.deliver_at,
        deliver_until=item.deliver_until,
    )
    try:
        payload: dict[str, Any] = msgspec.to_builtins(job)
        if not key:
            key = fingerprint(provider, {k: v for k, v in payload.items() if k != "key"})
            payload["key"] = key
    except TypeError as exc:  # a value in metadata/extra that is not plain data
        raise ValidationError(f"item is not serialisable: {exc}") from None
    return _Planned(key, payload)


# -- collecting ------------------------------------------------------------------------------------
async def collect_results(
    redis: ArqRedis,
    batch: EnqueuedBatch,
    *,
    timeout: float | None = None,
    poll_interval: float = 0.25,
    store: RedisIdempotencyStore | None = None,
) -> list[Outcome]:
    """One outcome per input item of ``batch``, in input order, waiting up to ``timeout``.

    An item whose job is still queued or running when ``timeout`` passes is a
    ``NotFinished`` :class:`SendFailure`; one whose job and arq result are both gone is
    looked up in ``store`` (the idempotency store keeps results longer) and is otherwise
    ``JobMissing``. Items rejected at enqueue time keep their failure. Nothing is dropped.

    Example::

        outcomes = await collect_results(redis, batch, timeout=600, store=store)
        sent = [o for o in outcomes if isinstance(o, SendResult)]
    """
    by_job: dict[str, Outcome] = {}
    pending = {i.job_id for i in batch.items if i.job_id is not None}
    keys = {i.job_id: i.key for i in batch.items if i.job_id is not None and i.key}
    deadline = None if timeout is None else time.monotonic() + timeout
    while pending:
        order = sorted(pending)
        async with redis.pipeline(transaction=True) as pipe:
            for job_id in order:
                pipe.get(result_key_prefix + job_id)
                pipe.exists(job_key_prefix + job_id)
            replies: list[Any] = await pipe.execute()
        for index, job_id in enumerate(order):
            raw, job_exists = replies[2 * index], replies[2 * index + 1]
            if raw is not None:
                by_job[job_id] = _decode_job_result(raw, redis)
            elif not job_exists:
                by_job[job_id] = await _missing(job_id, keys.get(job_id), store)
            else:
                continue
            pending.discard(job_id)
        if not pending or (deadline is not None and time.monotonic() >= deadline):
            break
        await asyncio.sleep(poll_interval)
    for job_id in pending:
        by_job[job_id] = SendFailure(
            error=NOT_FINISHED, message=f"job {job_id} is still queued or running"
        )
    outcomes: list[Outcome] = []
    for item in batch.items:
        if item.job_id is not None:
            outcomes.append(by_job[item.job_id])
        else:
            outcomes.append(
                item.failure or SendFailure(error=JOB_MISSING, message="item was not enqueued")
            )
    return outcomes


def as_bulk_result(outcomes: Sequence[Outcome]) -> BulkResult:
    """The outcomes as a :class:`BulkResult` (failures become typed exceptions again).

    Example::

        bulk = as_bulk_result(await collect_results(redis, batch))
        print(bulk.sent, bulk.failed)
    """
    return BulkResult([o if isinstance(o, SendResult) else o.to_exception() for o in outcomes])


def _decode_job_result(raw: bytes, redis: ArqRedis) -> Outcome:
    try:
        info = deserialize_result(raw, deserializer=redis.job_deserializer)
    except Exception as exc:  # arq's own DeserializationError, or a foreign serializer's
        return SendFailure(error=JOB_FAILED, message=f"unreadable job result: {exc}")
    if not info.success:
        result = info.result
        detail = f"{type(result).__name__}: {result}" if isinstance(result, BaseException) else ""
        return SendFailure(error=JOB_FAILED, message=detail or repr(result))
    try:
        return msgspec.convert(info.result, JobOutcome, strict=False).outcome()
    except msgspec.ValidationError as exc:
        return SendFailure(error=JOB_FAILED, message=f"unexpected job result: {exc}")


async def _missing(job_id: str, key: str | None, store: RedisIdempotencyStore | None) -> Outcome:
    if store is not None and key is not None:
        stored = await store.get(key)
        if stored is not None:
            return msgspec.structs.replace(stored, idempotent_replayed=True)
    return SendFailure(
        error=JOB_MISSING,
        message=f"job {job_id} has neither a queued job nor a kept result (expired?)",
    )


# -- the worker ------------------------------------------------------------------------------------
class _WorkerState:
    """What one worker process builds at start-up and every job uses."""

    def __init__(
        self, client: WhatsApp, store: RedisIdempotencyStore, resend_in_doubt: bool
    ) -> None:
        self.client = client
        self.store = store
        self.resend_in_doubt = resend_in_doubt


async def send_job(ctx: dict[Any, Any], payload: Any) -> dict[str, Any]:
    """The arq job function: send one :class:`SendJob` with the worker's client.

    Returns the outcome as plain data (``{"result": ...}`` or ``{"failure": ...}``): API
    errors after the SDK's own retries are results, not arq retries.

    With ``resend_in_doubt`` (the default for providers that honour idempotency keys) a
    key still held by another sender (say, a worker that died mid-send) defers the job
    until the reservation expires, then sends again under the same key. Without it, a
    key held by someone else is reported as ``SendInProgress``, and a re-delivered job
    (an earlier attempt died) returns the recorded result or ``DeliveryInDoubt``, never
    sending again.

    Example::

        await redis.enqueue_job(FUNCTION_NAME, msgspec.to_builtins(send_job_struct))
    """
    state: _WorkerState = ctx[_STATE]
    try:
        job = msgspec.convert(payload, SendJob, strict=False)
        message = message_from_dict(job.message)
        recipient = job.to.build()
    except (msgspec.ValidationError, WhatsAppError) as exc:
        failure = (
            SendFailure.from_exception(exc)
            if isinstance(exc, WhatsAppError)
            else SendFailure(error="ValidationError", message=f"malformed job: {exc}")
        )
        return _plain_outcome(JobOutcome(failure=failure))
    if not state.resend_in_doubt and int(ctx.get("job_try", 1)) > 1:
        # A re-delivery: an earlier attempt died, perhaps after the provider accepted the
        # message. Without a provider that dedupes keys, only a recorded result is safe.
        stored = await state.store.get(job.key)
        if stored is not None:
            replayed = msgspec.structs.replace(stored, idempotent_replayed=True)
            return _plain_outcome(JobOutcome(result=replayed))
        return _plain_outcome(JobOutcome(failure=_in_doubt(state.client.provider_name)))
    try:
        result = await state.client.send(
            recipient,
            message,
            idempotency_key=job.key,
            reply_to=job.reply_to,
            metadata=job.metadata,
            extra=job.extra,
            deliver_at=job.deliver_at,
            deliver_until=job.deliver_until,
        )
    except SendInProgress as exc:
        if state.resend_in_doubt:
            # Come back once the holder's reservation has expired; the provider dedupes
            # the repeated key if the holder's request did reach it.
            held = await state.store.held_for(job.key)
            log.info("key %.16s… is held for %.1fs more; deferring the job", job.key, held)
            raise Retry(defer=held + 0.05) from exc
        return _plain_outcome(JobOutcome(failure=SendFailure.from_exception(exc)))
    except WhatsAppError as exc:
        return _plain_outcome(JobOutcome(failure=SendFailure.from_exception(exc)))
    return _plain_outcome(JobOutcome(result=result))


def _in_doubt(provider: str) -> SendFailure:
    return SendFailure(
        error=DELIVERY_IN_DOUBT,
        category="APIConnectionError",
        provider=provider,
        request_sent=True,
        message=(
            "an earlier attempt of this job died with no recorded result: the message may "
            "or may not have been sent, and was not sent again (at most once)"
        ),
    )


def _plain_outcome(outcome: JobOutcome) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(outcome)
    return data


class WhatsAppWorkerSettings:
    """The base of the arq worker settings classes :func:`make_worker_settings` returns.

    arq reads these class attributes (``arq <module>.WorkerSettings`` or ``run_worker``).

    Example::

        WorkerSettings = make_worker_settings({"provider": "meta", ...}, RedisSettings())
        issubclass(WorkerSettings, WhatsAppWorkerSettings)  # True
    """

    functions: ClassVar[list[Function]]
    redis_settings: ClassVar[RedisSettings | None]
    queue_name: ClassVar[str]
    max_jobs: ClassVar[int]
    job_timeout: ClassVar[float]
    max_tries: ClassVar[int]
    keep_result: ClassVar[float]
    poll_delay: ClassVar[float]
    job_completion_wait: ClassVar[int]


ClientFactory = Callable[..., WhatsApp]
"""Builds the worker's client from keyword options it must pass on to ``WhatsApp``:
``rate_limit``, ``pair_spacing`` and ``idempotency_store``."""

RateSetting = Union[float, None, Literal["config"]]
"""A shared rate for :func:`make_worker_settings`: messages/s, None (off) or ``"config"``."""


def make_worker_settings(
    config: Mapping[str, Any] | None = None,
    redis_settings: RedisSettings | None = None,
    *,
    factory: ClientFactory | None = None,
    rate: RateSetting = "config",
    burst: int | None = None,
    pair_spacing: float | None = None,
    key_prefix: str = DEFAULT_KEY_PREFIX,
    idempotency_ttl: float = 24 * 3600.0,
    lock_ttl: float = 300.0,
    resend_in_doubt: bool | None = None,
    queue_name: str = default_queue_name,
    max_jobs: int = 50,
    job_timeout: float = 300.0,
    max_tries: int = 5,
    keep_result: float = 24 * 3600.0,
    poll_delay: float = 0.5,
    job_completion_wait: int = 30,
    name: str = "WorkerSettings",
) -> type[WhatsAppWorkerSettings]:
    """An arq worker settings class sending with one shared-limit client per process.

    The client comes from ``config`` (a ``WhatsApp.from_config`` mapping, e.g. a TOML
    profile) or from ``factory(**options)``. Every process gets:

    - ``rate_limit``: a :class:`RedisRateLimiter` at ``rate`` messages/s per sender,
      bursts of ``burst``; ``rate="config"`` takes ``config["rate_limit"]`` when present,
      else the provider's documented default (Meta 80/s); None turns it off;
    - ``pair_spacing``: seconds between messages to one recipient (``pair_spacing`` or
      ``config["pair_spacing"]``), shared the same way;
    - ``idempotency_store``: a :class:`RedisIdempotencyStore` (``idempotency_ttl``,
      ``lock_ttl``).

    ``resend_in_doubt`` (default: whether the provider honours idempotency keys) decides
    what a job re-delivered after a worker died does: send again under the same key once
    the dead worker's reservation expires (safe when the provider dedupes the key), or
    return the recorded result or ``DeliveryInDoubt`` without sending (at most once); see
    :func:`send_job`. ``job_timeout``,
    ``max_tries``, ``max_jobs``, ``keep_result``, ``poll_delay``, ``queue_name`` and
    ``job_completion_wait`` (seconds running jobs get to finish on SIGTERM) are arq's.

    Example::

        # myapp/worker.py, run with: arq myapp.worker.WorkerSettings
        WorkerSettings = make_worker_settings(
            load_profile("whatsapp.toml", "prod"),
            RedisSettings.from_dsn(os.environ["REDIS_URL"]),
            rate=50,
        )
    """
    if (config is None) == (factory is None):
        raise ConfigurationError("make_worker_settings needs exactly one of config or factory")
    client_config = dict(config) if config is not None else {}
    configured_rate = client_config.pop("rate_limit", "provider")
    configured_spacing = client_config.pop("pair_spacing", None)
    spacing = pair_spacing if pair_spacing is not None else configured_spacing
    wanted_rate: Any = configured_rate if rate == "config" else rate
    if isinstance(wanted_rate, str) and wanted_rate != "provider":
        wanted_rate = _rate(wanted_rate)  # "none"/"off" or a number in a string

    async def on_startup(ctx: dict[Any, Any]) -> None:
        redis: ArqRedis = ctx["redis"]
        limiter = _DeferredLimiter()
        store = RedisIdempotencyStore(
            redis, ttl=idempotency_ttl, lock_ttl=lock_ttl, prefix=f"{key_prefix}idem:"
        )
        options: dict[str, Any] = {"rate_limit": limiter, "idempotency_store": store}
        if spacing is not None:
            options["pair_spacing"] = RedisRateLimiter.pair_spacing(
                redis, float(spacing), prefix=f"{key_prefix}pair:"
            )
        client = factory(**options) if factory is not None else _from_config(client_config, options)
        shared_rate = (
            client.provider.default_rate_limit if wanted_rate == "provider" else wanted_rate
        )
        if shared_rate is not None:
            limiter.inner = RedisRateLimiter(
                redis, rate=float(shared_rate), burst=burst, prefix=f"{key_prefix}rate:"
            )
        in_doubt = (
            "idempotency" in client.capabilities.operations
            if resend_in_doubt is None
            else resend_in_doubt
        )
        ctx[_STATE] = _WorkerState(client, store, in_doubt)
        log.info(
            "whatsapp worker ready: provider=%s rate=%s pair_spacing=%s resend_in_doubt=%s",
            client.provider_name,
            limiter.inner,
            spacing,
            in_doubt,
        )

    async def on_shutdown(ctx: dict[Any, Any]) -> None:
        state: _WorkerState | None = ctx.pop(_STATE, None)
        if state is not None:
            await state.client.aclose()

    attrs: dict[str, Any] = {
        "__doc__": f"arq worker settings for whatsapp_async sends (queue {queue_name!r}).",
        "functions": [func(send_job, name=FUNCTION_NAME, max_tries=max_tries)],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "redis_settings": redis_settings,
        "queue_name": queue_name,
        "max_jobs": max_jobs,
        "job_timeout": job_timeout,
        "max_tries": max_tries,
        "keep_result": keep_result,
        "poll_delay": poll_delay,
        "job_completion_wait": job_completion_wait,
    }
    # arq reads a settings class's own __dict__, so every attribute lives on the new class.
    return type(name, (WhatsAppWorkerSettings,), attrs)


def _from_config(config: Mapping[str, Any], options: Mapping[str, Any]) -> WhatsApp:
    return WhatsApp.from_config(config, **options)


class _DeferredLimiter:
    """A limiter whose shared rate is known only once the client (and its provider) exist."""

    def __init__(self) -> None:
        self.inner: RateLimiter | None = None

    async def acquire(self, key: str) -> None:
        if self.inner is not None:
            await self.inner.acquire(key)


# -- helpers ---------------------------------------------------------------------------------------
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


# -- command line ----------------------------------------------------------------------------------
def _rate(text: str) -> float | None:
    return None if text.lower() in ("none", "off", "0") else float(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m whatsapp_async.contrib.arq",
        description="Run an arq worker that sends whatsapp_async jobs (see docs/scaling-out.md).",
    )
    parser.add_argument("--config", required=True, help="TOML profiles file (WhatsApp.from_file)")
    parser.add_argument("--profile", help="profile name in the file (default: its default)")
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis URL (default: $REDIS_URL or redis://127.0.0.1:6379/0)",
    )
    parser.add_argument("--queue", default=default_queue_name, help="arq queue name")
    parser.add_argument(
        "--rate",
        default="config",
        help="shared messages/s per sender, 'none', or 'config' (the profile's rate_limit)",
    )
    parser.add_argument("--burst", type=int, help="burst size of the shared limit")
    parser.add_argument("--pair-spacing", type=float, help="seconds between sends to one number")
    parser.add_argument("--key-prefix", default=DEFAULT_KEY_PREFIX, help="Redis key prefix")
    parser.add_argument("--lock-ttl", type=float, default=300.0, help="reservation lifetime (s)")
    parser.add_argument(
        "--idempotency-ttl", type=float, default=24 * 3600.0, help="how long results are kept (s)"
    )
    doubt = parser.add_mutually_exclusive_group()
    doubt.add_argument(
        "--resend-in-doubt",
        dest="resend_in_doubt",
        action="store_true",
        help="re-delivered jobs send again under the same key (default if the provider dedupes)",
    )
    doubt.add_argument(
        "--no-resend-in-doubt",
        dest="resend_in_doubt",
        action="store_false",
        help="re-delivered jobs never send again: at most once (default otherwise)",
    )
    parser.set_defaults(resend_in_doubt=None)
    parser.add_argument("--max-jobs", type=int, default=50, help="concurrent jobs per process")
    parser.add_argument("--job-timeout", type=float, default=300.0, help="seconds per job")
    parser.add_argument("--max-tries", type=int, default=5, help="deliveries per job")
    parser.add_argument("--poll-delay", type=float, default=0.5, help="queue poll interval (s)")
    parser.add_argument("--burst-mode", action="store_true", help="exit once the queue is empty")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every job")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker from the command line; returns the exit status.

    Example::

        python -m whatsapp_async.contrib.arq --config whatsapp.toml --profile prod \\
            --redis redis://127.0.0.1:6379/0 --rate 50 --max-jobs 50
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
    )
    try:
        config = load_profile(args.config, args.profile)
        settings = make_worker_settings(
            config,
            RedisSettings.from_dsn(args.redis),
            rate="config" if args.rate == "config" else _rate(args.rate),
            burst=args.burst,
            pair_spacing=args.pair_spacing,
            key_prefix=args.key_prefix,
            idempotency_ttl=args.idempotency_ttl,
            lock_ttl=args.lock_ttl,
            resend_in_doubt=args.resend_in_doubt,
            queue_name=args.queue,
            max_jobs=args.max_jobs,
            job_timeout=args.job_timeout,
            max_tries=args.max_tries,
            poll_delay=args.poll_delay,
        )
    except (ConfigurationError, RuntimeError, ValueError) as exc:  # from_dsn: RuntimeError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # arq types settings classes as a Protocol of instance attributes; ours are ClassVars.
    run_worker(cast("WorkerSettingsType", settings), burst=args.burst_mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
