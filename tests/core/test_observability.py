"""Spans, metrics and log lines of a successful, a retried and a failed send; no credential in any.

The OpenTelemetry SDK's in-memory exporters collect what the client reports (the SDK is a dev
dependency; the package itself needs only ``opentelemetry-api``, from the ``otel`` extra).
Without OpenTelemetry nothing is imported: checked in a fresh interpreter that cannot import it.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from whatsapp_async import AuthenticationError, Text, WhatsApp
from whatsapp_async.testing import Sandbox

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = "+14155552671"

_EXPORTER = InMemorySpanExporter()
_READER = InMemoryMetricReader()


class _Switch(SimpleSpanProcessor):
    """Exports while this module's tests run, and drops spans of later modules' clients."""

    enabled = True

    def on_end(self, span: ReadableSpan) -> None:
        if self.enabled:
            super().on_end(span)


@pytest.fixture(scope="module", autouse=True)
def _otel_sdk() -> Iterator[None]:
    # The global providers can be set once per process (this module is the only one that
    # does); every client created afterwards reports to these in-memory exporters.
    provider = TracerProvider()
    switch = _Switch(_EXPORTER)
    provider.add_span_processor(switch)
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[_READER]))
    yield
    # Later test modules' clients would keep filling the exporter: stop exporting.
    switch.enabled = False
    _EXPORTER.clear()


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    _EXPORTER.clear()
    _READER.get_metrics_data()  # drop what earlier tests recorded (cumulative: we diff below)
    async with Sandbox(["meta"]) as sandbox:
        yield sandbox


def _client(sb: Sandbox, **overrides: Any) -> WhatsApp:
    return sb.client("meta", rate_limit=None, telemetry=True, **overrides)


def _spans(name: str | None = None) -> list[ReadableSpan]:
    spans = list(_EXPORTER.get_finished_spans())
    return [s for s in spans if name is None or s.name == name]


def _points(metric: str) -> list[tuple[dict[str, Any], Any]]:
    data = _READER.get_metrics_data()
    found: list[tuple[dict[str, Any], Any]] = []
    if data is None:
        return found
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for item in scope.metrics:
                if item.name == metric:
                    found.extend((dict(p.attributes or {}), p) for p in item.data.data_points)
    return found


def _count(metric: str, **attributes: Any) -> float:
    total = 0.0
    for attrs, point in _points(metric):
        if all(attrs.get(k) == v for k, v in attributes.items()):
            total += getattr(point, "value", getattr(point, "count", 0))
    return total


def _everything_reported(caplog: pytest.LogCaptureFixture) -> str:
    parts: list[str] = []
    for span in _spans():
        parts.append(f"{span.name} {dict(span.attributes or {})} {span.status}")
    data = _READER.get_metrics_data()
    if data is not None:
        parts.append(data.to_json())
    for record in caplog.records:
        parts.append(f"{record.getMessage()} {record.__dict__}")
    return "\n".join(parts)


async def test_a_successful_send_is_one_producer_span_with_a_client_child(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="whatsapp_async")
    sent_before = _count("messaging.client.sent.messages", **{"whatsapp.outcome": "sent"})
    async with _client(sb) as wa:
        result = await wa.send(CUSTOMER, Text("hello"))

    (send,) = _spans("send whatsapp")
    (attempt,) = _spans("POST")
    assert send.kind is SpanKind.PRODUCER and attempt.kind is SpanKind.CLIENT
    assert attempt.parent is not None and attempt.parent.span_id == send.context.span_id
    attrs = dict(send.attributes or {})
    assert attrs["messaging.system"] == "whatsapp"
    assert attrs["messaging.operation.type"] == "send"
    assert attrs["messaging.message.id"] == result.id
    assert attrs["whatsapp.provider"] == "meta"
    assert "error.type" not in attrs and send.status.status_code is not StatusCode.ERROR
    http = dict(attempt.attributes or {})
    assert http["http.request.method"] == "POST"
    assert http["http.response.status_code"] == 200
    assert http["server.address"] == "127.0.0.1"
    assert "?" not in http["url.full"]
    sent_after = _count("messaging.client.sent.messages", **{"whatsapp.outcome": "sent"})
    assert sent_after - sent_before == 1
    assert _count("http.client.request.duration", **{"whatsapp.provider": "meta"}) >= 1

    (line,) = [r for r in caplog.records if r.levelno == logging.DEBUG and " -> " in r.getMessage()]
    assert line.__dict__["whatsapp_provider"] == "meta"
    assert line.__dict__["whatsapp_method"] == "POST"
    assert line.__dict__["whatsapp_status"] == 200
    assert line.__dict__["whatsapp_attempt"] == 1
    assert line.__dict__["whatsapp_path"].endswith("/messages")
    assert line.__dict__["whatsapp_latency_ms"] >= 0
    assert sb.settings("meta")["token"] not in _everything_reported(caplog)


async def test_a_retried_send_has_two_attempt_spans_and_counts_the_retry_and_the_throttle(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="whatsapp_async")
    retries_before = _count("whatsapp.client.retries")
    throttled_before = _count("whatsapp.client.throttled")
    sb.fail_next("meta", status=429, code=130429, retry_after=0)
    async with _client(sb) as wa:
        await wa.send(CUSTOMER, Text("again"))

    (send,) = _spans("send whatsapp")
    first, second = sorted(_spans("POST"), key=lambda s: s.start_time or 0)
    assert dict(first.attributes or {})["http.response.status_code"] == 429
    assert dict(first.attributes or {})["error.type"] == "RateLimitError"
    assert first.status.status_code is StatusCode.ERROR
    assert dict(second.attributes or {})["http.response.status_code"] == 200
    assert dict(second.attributes or {})["http.request.resend_count"] == 1
    assert "error.type" not in dict(send.attributes or {})
    # Throttling is back-pressure, not an error retry: counted as throttled only.
    assert _count("whatsapp.client.retries") - retries_before == 0
    assert _count("whatsapp.client.throttled") - throttled_before == 1

    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 1 and infos[0].getMessage().startswith("throttled: meta POST")
    assert infos[0].__dict__["whatsapp_error"] == "RateLimitError"
    assert infos[0].__dict__["whatsapp_code"] == 130429
    attempts = [
        r for r in caplog.records if r.levelno == logging.DEBUG and " -> " in r.getMessage()
    ]
    assert [r.__dict__["whatsapp_status"] for r in attempts] == [429, 200]
    assert sb.settings("meta")["token"] not in _everything_reported(caplog)


async def test_a_failed_send_marks_its_span_and_logs_one_warning_with_the_number_masked(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="whatsapp_async")
    failed_before = _count(
        "messaging.client.sent.messages",
        **{"whatsapp.outcome": "failed", "error.type": "AuthenticationError"},
    )
    sb.fail_next("meta", status=401, code=190)
    async with _client(sb) as wa:
        with pytest.raises(AuthenticationError):
            await wa.send(CUSTOMER, Text("nope"))

    (send,) = _spans("send whatsapp")
    assert dict(send.attributes or {})["error.type"] == "AuthenticationError"
    assert send.status.status_code is StatusCode.ERROR
    failed_after = _count(
        "messaging.client.sent.messages",
        **{"whatsapp.outcome": "failed", "error.type": "AuthenticationError"},
    )
    assert failed_after - failed_before == 1
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "+1415555****" in warning.getMessage()
    assert CUSTOMER not in warning.getMessage()
    assert warning.__dict__["whatsapp_recipient"] == "+1415555****"
    assert warning.__dict__["whatsapp_status"] == 401
    reported = _everything_reported(caplog)
    assert sb.settings("meta")["token"] not in reported
    assert CUSTOMER not in "\n".join(r.getMessage() for r in caplog.records if r.levelno >= 30)


async def test_the_limiter_rate_is_a_gauge(sb: Sandbox) -> None:
    # A ceiling below Meta's documented 80 msg/s is where the limiter starts, so the
    # gauge must show it (and what the limiter itself reports), not the default.
    async with sb.client("meta", rate_limit=50, telemetry=True) as wa:
        await wa.send(CUSTOMER, Text("hi"))
        rates = [p.value for attrs, p in _points("whatsapp.client.rate_limit")]
        assert wa.rate_limiter is not None
        assert rates == [50.0] == [wa.rate_limiter.rate]


async def test_telemetry_false_reports_nothing(sb: Sandbox) -> None:
    async with sb.client("meta", rate_limit=None, telemetry=False) as wa:
        await wa.send(CUSTOMER, Text("quiet"))
    assert _spans() == []


def test_without_opentelemetry_nothing_is_imported_and_sends_work() -> None:
    # "Not installed", simulated exactly: find_spec finds nothing and the import fails.
    script = textwrap.dedent(
        """
        import asyncio, importlib.util, sys
        real_find_spec = importlib.util.find_spec

        def find_spec(name, package=None):
            if name == "opentelemetry" or name.startswith("opentelemetry."):
                return None
            return real_find_spec(name, package)

        importlib.util.find_spec = find_spec
        sys.modules["opentelemetry"] = None  # import opentelemetry -> ImportError

        from whatsapp_async import ConfigurationError, Text
        from whatsapp_async.testing import Sandbox

        async def main():
            async with Sandbox(["meta"]) as sb:
                wa = sb.client("meta", rate_limit=None)
                result = await wa.send("+14155552671", Text("hi"))
                assert result.id.startswith("wamid.")
                try:
                    sb.client("meta", telemetry=True)
                except ConfigurationError as exc:
                    assert "otel" in str(exc)
                else:
                    raise AssertionError("telemetry=True without opentelemetry must fail")

        asyncio.run(main())
        loaded = [m for m in sys.modules if m.startswith("opentelemetry.")]
        print("ok", loaded)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok []"


def test_auto_telemetry_waits_for_a_configured_sdk() -> None:
    from whatsapp_async._telemetry import make_telemetry

    # This module set global providers: the default (None) turns telemetry on.
    assert make_telemetry(None, provider="meta", limiter=None).enabled
    # A fresh process with the API installed but nothing configured: off, no span cost.
    script = (
        "from whatsapp_async._telemetry import make_telemetry\n"
        "print(make_telemetry(None, provider='meta', limiter=None).enabled,"
        " make_telemetry(True, provider='meta', limiter=None).enabled)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.split() == ["False", "True"], result.stderr
