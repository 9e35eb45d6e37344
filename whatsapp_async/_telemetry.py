"""What the core reports about sends and request attempts, to OpenTelemetry when it is there.

:class:`Telemetry` is the interface the pipeline and the executor call; its base class does
nothing, and the core skips even those calls when ``enabled`` is false, so a client without
OpenTelemetry pays one attribute check per send. :func:`make_telemetry` returns the
OpenTelemetry implementation (``_otel.py``) when ``opentelemetry-api`` is importable (the
``otel`` extra) and the process configured a tracer or meter provider (an SDK) before the client
was built, or the caller said ``telemetry=True``; without the API nothing is imported.

Example::

    telemetry = make_telemetry(None, provider="meta", limiter=None)
    telemetry.enabled   # True when opentelemetry-api is installed
"""

from __future__ import annotations

import importlib.util
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from ._ratelimit import RateLimiter
from .errors import ConfigurationError
from .provider import HttpRequest

__all__ = ["AttemptSpan", "SendSpan", "Telemetry", "make_telemetry"]


class SendSpan(Protocol):
    """The span of one send: told the message id once the provider accepted it."""

    def sent(self, message_id: str) -> None:
        """The provider accepted the message under ``message_id``."""


class AttemptSpan(Protocol):
    """The span of one HTTP attempt: told how it ended."""

    def finish(self, status: int | None, error: BaseException | None) -> None:
        """The attempt ended with ``status`` (None: no response) or ``error``."""


class _NoSpan:
    def sent(self, message_id: str) -> None:
        return None

    def finish(self, status: int | None, error: BaseException | None) -> None:
        return None


_NO_SPAN = _NoSpan()


class Telemetry:
    """Spans and metrics of one client; this base reports nothing (see the module docs).

    Example::

        with telemetry.send("text", "phone") as span:
            span.sent("wamid.X")
    """

    enabled = False

    def send(self, message_kind: str, recipient_kind: str) -> AbstractContextManager[SendSpan]:
        """A span around one send (its attempts are child spans); records the outcome."""
        return nullcontext(_NO_SPAN)

    def attempt(self, request: HttpRequest, attempt: int) -> AbstractContextManager[AttemptSpan]:
        """A span around one HTTP attempt; records its duration."""
        return nullcontext(_NO_SPAN)

    def retry(self, error: BaseException) -> None:
        """An attempt failed with ``error`` and will be retried."""

    def throttled(self) -> None:
        """The provider answered that we send too fast."""


def make_telemetry(
    setting: bool | None, *, provider: str, limiter: RateLimiter | None, **options: Any
) -> Telemetry:
    """The client's telemetry: OpenTelemetry when wanted and importable, else the no-op.

    ``setting`` is the client's ``telemetry=`` (None: on when ``opentelemetry-api`` is
    installed). ``options`` may pass ``tracer_provider`` / ``meter_provider``.

    Example::

        make_telemetry(False, provider="meta", limiter=None).enabled  # False
    """
    installed = importlib.util.find_spec("opentelemetry") is not None
    if setting is True and not installed:
        raise ConfigurationError(
            "telemetry=True needs opentelemetry-api: pip install 'whatsapp-async[otel]'"
        )
    if setting is False or not installed:
        return Telemetry()
    if setting is None and not _configured():
        # The API alone (pulled in by some other package) with no SDK set up records nothing,
        # but its no-op spans still cost ~50-100 µs a send: stay off until one is configured.
        return Telemetry()
    from ._otel import OpenTelemetry  # only now: without the extra nothing is imported

    return OpenTelemetry(provider=provider, limiter=limiter, **options)


def _configured() -> bool:
    """Whether the process has set an OpenTelemetry tracer or meter provider of its own."""
    from opentelemetry import metrics, trace

    tracer_provider = trace.get_tracer_provider()
    meter_provider = metrics.get_meter_provider()
    defaults = {"ProxyTracerProvider", "NoOpTracerProvider", "_ProxyMeterProvider"}
    defaults.add("NoOpMeterProvider")
    return (
        type(tracer_provider).__name__ not in defaults
        or type(meter_provider).__name__ not in defaults
    )
