"""The worker: the arq job function and the settings class worker processes run with.

Example::

    # myapp/worker.py, run with: arq myapp.worker.WorkerSettings
    WorkerSettings = make_worker_settings(load_profile("whatsapp.toml"), RedisSettings())
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, Literal, Union

import msgspec
from arq import Retry
from arq.connections import ArqRedis, RedisSettings
from arq.constants import default_queue_name
from arq.worker import Function, func

from ..._client import WhatsApp
from ..._idempotency import SendInProgress
from ..._ratelimit import RateLimiter
from ...errors import ConfigurationError, WhatsAppError
from ...messages import message_from_dict
from ..redis import RedisIdempotencyStore, RedisRateLimiter
from .wire import (
    DEFAULT_KEY_PREFIX,
    DELIVERY_IN_DOUBT,
    FUNCTION_NAME,
    JobOutcome,
    SendFailure,
    SendJob,
)

# One logger for the whole integration (not __name__), the name worker log filters use.
log = logging.getLogger("whatsapp_async.contrib.arq")

_STATE: Final = "whatsapp_async"  # the worker context key of the per-process state


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

        config = {"provider": "meta", "token": "...", "phone_number_id": "1"}
        WorkerSettings = make_worker_settings(config, RedisSettings())
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


def _rate(text: str) -> float | None:
    """A rate given as text (config or ``--rate``): messages/s, or None for "none"/"off"/"0"."""
    return None if text.lower() in ("none", "off", "0") else float(text)
