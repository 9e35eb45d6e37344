"""OpenTelemetry spans and metrics for sends, following the semantic conventions.

Imported only when ``opentelemetry-api`` is installed (the ``otel`` extra). Each send is a
``PRODUCER`` span named ``send whatsapp`` (messaging conventions: ``messaging.system`` =
``whatsapp``, ``messaging.operation.type`` / ``.name`` = ``send``, ``messaging.message.id``
once accepted, ``error.type`` = the error class); each HTTP attempt is a child ``CLIENT`` span
named after its method (HTTP client conventions: ``http.request.method``, ``server.address``,
``url.full`` without the query string, ``http.response.status_code``, ``error.type``).
Every span and data point carries ``whatsapp.provider``. No span or metric ever holds a
credential: URLs lose their query strings, and no header or body is recorded.

Metrics: ``messaging.client.sent.messages`` (sends, with ``whatsapp.outcome`` = ``sent`` or
``failed`` and ``error.type``), ``whatsapp.client.retries``, ``whatsapp.client.throttled``
(requests the provider throttled), ``http.client.request.duration`` (seconds, per attempt),
and ``whatsapp.client.rate_limit`` (the sender limiter's current rate, msg/s).

Example::

    telemetry = OpenTelemetry(provider="meta", limiter=TokenBucket(80))
    with telemetry.send("text", "phone") as span:
        span.sent("wamid.X")
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind, Status, StatusCode

from . import __version__
from ._ratelimit import RateLimiter
from ._telemetry import AttemptSpan, SendSpan, Telemetry
from .provider import HttpRequest

__all__ = ["OpenTelemetry"]

_SCOPE = "whatsapp_async"


class _Send:
    __slots__ = ("span",)

    def __init__(self, span: trace.Span) -> None:
        self.span = span

    def sent(self, message_id: str) -> None:
        self.span.set_attribute("messaging.message.id", message_id)


class _Attempt:
    __slots__ = ("error", "span", "status")

    def __init__(self, span: trace.Span) -> None:
        self.span = span
        self.status: int | None = None
        self.error: BaseException | None = None

    def finish(self, status: int | None, error: BaseException | None) -> None:
        self.status = status
        self.error = error


class OpenTelemetry(Telemetry):
    """The OpenTelemetry implementation of :class:`Telemetry` (see the module docs).

    ``tracer_provider`` / ``meter_provider`` default to the global ones.

    Example::

        OpenTelemetry(provider="pilot", limiter=None, tracer_provider=my_provider)
    """

    enabled = True

    def __init__(
        self,
        *,
        provider: str,
        limiter: RateLimiter | None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._provider = provider
        self._base = {"messaging.system": "whatsapp", "whatsapp.provider": provider}
        self._tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider=meter_provider)
        self._sends = meter.create_counter(
            "messaging.client.sent.messages",
            unit="{message}",
            description="Messages sent (whatsapp.outcome: sent or failed)",
        )
        self._retries = meter.create_counter(
            "whatsapp.client.retries", unit="{request}", description="Request attempts retried"
        )
        self._throttled = meter.create_counter(
            "whatsapp.client.throttled",
            unit="{request}",
            description="Requests the provider answered with throttling",
        )
        self._duration = meter.create_histogram(
            "http.client.request.duration", unit="s", description="Duration of HTTP attempts"
        )
        if limiter is not None and isinstance(getattr(limiter, "rate", None), (int, float)):
            _watch_rate(meter, provider, limiter)

    @contextmanager
    def send(self, message_kind: str, recipient_kind: str) -> Iterator[SendSpan]:
        attributes: dict[str, Any] = {
            **self._base,
            "messaging.operation.type": "send",
            "messaging.operation.name": "send",
            "whatsapp.message.kind": message_kind,
            "whatsapp.recipient.kind": recipient_kind,
        }
        with self._tracer.start_as_current_span(
            "send whatsapp",
            kind=SpanKind.PRODUCER,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield _Send(span)
            except BaseException as exc:
                error_type = type(exc).__name__
                span.set_attribute("error.type", error_type)
                span.set_status(Status(StatusCode.ERROR, error_type))
                self._sends.add(
                    1, {**self._base, "whatsapp.outcome": "failed", "error.type": error_type}
                )
                raise
            self._sends.add(1, {**self._base, "whatsapp.outcome": "sent"})

    @contextmanager
    def attempt(self, request: HttpRequest, attempt: int) -> Iterator[AttemptSpan]:
        parts = urlsplit(request.url)
        attributes: dict[str, Any] = {
            "whatsapp.provider": self._provider,
            "http.request.method": request.method,
            "server.address": parts.hostname or "",
            # The query string may carry a token on some APIs: never recorded.
            "url.full": f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}",
        }
        if parts.port is not None:
            attributes["server.port"] = parts.port
        if attempt:
            attributes["http.request.resend_count"] = attempt
        started = time.perf_counter()
        with self._tracer.start_as_current_span(
            request.method,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            outcome = _Attempt(span)
            try:
                yield outcome
            except BaseException as exc:
                outcome.error = outcome.error or exc
                raise
            finally:
                measured = {
                    "whatsapp.provider": self._provider,
                    "http.request.method": request.method,
                    "server.address": attributes["server.address"],
                }
                if outcome.status is not None:
                    span.set_attribute("http.response.status_code", outcome.status)
                    measured["http.response.status_code"] = outcome.status
                if outcome.error is not None:
                    error_type = type(outcome.error).__name__
                    span.set_attribute("error.type", error_type)
                    span.set_status(Status(StatusCode.ERROR, error_type))
                    measured["error.type"] = error_type
                self._duration.record(time.perf_counter() - started, measured)

    def retry(self, error: BaseException) -> None:
        self._retries.add(
            1, {"whatsapp.provider": self._provider, "error.type": type(error).__name__}
        )

    def throttled(self) -> None:
        self._throttled.add(1, {"whatsapp.provider": self._provider})


# One gauge per meter for every client's limiter: the SDK keeps the first callback of an
# instrument name, so a gauge per client would report only the first client. Limiters are
# held weakly (the meter lives for the process, a client may not).
_watched: list[tuple[str, weakref.ReferenceType[RateLimiter]]] = []
_gauged: weakref.WeakSet[metrics.Meter] = weakref.WeakSet()


def _watch_rate(meter: metrics.Meter, provider: str, limiter: RateLimiter) -> None:
    _watched.append((provider, weakref.ref(limiter)))
    if meter in _gauged:
        return
    _gauged.add(meter)
    meter.create_observable_gauge(
        "whatsapp.client.rate_limit",
        callbacks=[_observe_rates],
        unit="{message}/s",
        description="The sender limiter's current rate",
    )


def _observe_rates(options: CallbackOptions) -> Iterable[Observation]:
    alive = [(name, ref) for name, ref in _watched if ref() is not None]
    _watched[:] = alive
    newest: dict[str, RateLimiter] = {}
    for name, ref in alive:  # registration order: the newest limiter of a provider wins
        limiter = ref()
        if limiter is not None:
            newest[name] = limiter
    for name, limiter in newest.items():
        yield Observation(float(getattr(limiter, "rate", 0.0)), {"whatsapp.provider": name})
