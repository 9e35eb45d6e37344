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

# `from .m import X as X` re-exports a name the single-module arq.py also offered outside
# __all__ (Outcome, JOB_FAILED, ClientFactory...), so importing it from here keeps working.
from ..._config import load_profile
from .cli import main
from .collector import as_bulk_result, collect_results
from .producer import enqueue_bulk
from .wire import DEFAULT_JOB_PREFIX as DEFAULT_JOB_PREFIX
from .wire import DEFAULT_KEY_PREFIX as DEFAULT_KEY_PREFIX
from .wire import DELIVERY_IN_DOUBT as DELIVERY_IN_DOUBT
from .wire import (
    FUNCTION_NAME,
    EnqueuedBatch,
    EnqueuedItem,
    JobOutcome,
    RecipientRef,
    SendFailure,
    SendJob,
    encode_message,
)
from .wire import JOB_FAILED as JOB_FAILED
from .wire import JOB_MISSING as JOB_MISSING
from .wire import NOT_FINISHED as NOT_FINISHED
from .wire import Outcome as Outcome
from .worker import ClientFactory as ClientFactory
from .worker import RateSetting as RateSetting
from .worker import WhatsAppWorkerSettings, make_worker_settings, send_job

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
    "load_profile",
    "main",
    "make_worker_settings",
    "send_job",
]
