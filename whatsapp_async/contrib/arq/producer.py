"""Producing: turn send items into arq jobs whose ids come from their idempotency keys.

Example::

    batch = await enqueue_bulk(redis, [("+14155552671", Text("hi"))], provider="meta")
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import msgspec
from arq.connections import ArqRedis

from ..._idempotency import fingerprint
from ..._items import BulkItem
from ...errors import ValidationError, WhatsAppError
from ...messages import message_from_dict
from ...recipients import PhoneValidation, normalise
from .wire import (
    _MESSAGE_TYPES,
    DEFAULT_JOB_PREFIX,
    FUNCTION_NAME,
    EnqueuedBatch,
    EnqueuedItem,
    RecipientRef,
    SendFailure,
    SendJob,
    encode_message,
)


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
