"""What the core reports about sends and request attempts, to OpenTelemetry when it is there.

:class:`Telemetry` is the interface the pipeline and the executor call; its base class does
nothing, and the core skips even those calls when ``enabled`` is false, so a client without
OpenTelemetry pays one attribute check per send. :func:`make_telemetry` returns the
OpenTelemetry implementation (``_otel.py``) when ``opentelemetry-api`` is importable (the
``otel`` extra) and the caller did not say ``telemetry=False``; without it nothing is imported.

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
    from ._otel import OpenTelemetry  # only now: without the extra nothing is imported

    return OpenTelemetry(provider=provider, limiter=limiter, **options)
