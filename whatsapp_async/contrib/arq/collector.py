"""Collecting: one outcome per enqueued item, read back from arq's results.

Example::

    outcomes = await collect_results(redis, batch, timeout=600)
    bulk = as_bulk_result(outcomes)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import msgspec
from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import deserialize_result

from ...results import BulkResult, SendResult
from ..redis import RedisIdempotencyStore
from .wire import (
    JOB_FAILED,
    JOB_MISSING,
    NOT_FINISHED,
    EnqueuedBatch,
    JobOutcome,
    Outcome,
    SendFailure,
)


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
