"""Failover across clients and TOML profiles."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from whatsapp_async import (
    AuthenticationError,
    ConfigurationError,
    Failover,
    InvalidRecipient,
    RetryPolicy,
    SendResult,
    Text,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox

from .toy import TOY_KEY

PHONE = "+14155552671"
FAST = RetryPolicy(initial_delay=0.001, max_retries=1)


async def test_server_errors_fail_over_and_result_names_the_deliverer(sb: Sandbox) -> None:
    async with Sandbox(["toy"]) as backup:
        primary = sb.client("toy", retry=FAST)
        secondary = backup.client("toy", retry=FAST)
        wa = WhatsApp.with_fallback(primary, secondary)
        assert isinstance(wa, Failover)
        sb.fail_next("toy", status=503, times=2)
        result = await wa.send(PHONE, Text("x"))
        assert isinstance(result, SendResult)
        assert len(sb.requests("toy")) == 2 and len(backup.requests("toy")) == 1
        # Errors another provider cannot fix are raised without trying it.
        sb.fail_next("toy", status=401, code="UNAUTHORIZED")
        with pytest.raises(AuthenticationError):
            await wa.send(PHONE, Text("x"))
        with pytest.raises(InvalidRecipient):
            await wa.send("123", Text("x"))
        assert len(backup.requests("toy")) == 1


async def test_unreachable_primary_fails_over_in_bulk(sb: Sandbox) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    primary = WhatsApp("toy", api_key=TOY_KEY, base_url=dead, retry=FAST)
    async with Failover([primary, sb.client("toy")]) as wa:
        bulk = await wa.send_many([(PHONE, Text(str(i))) for i in range(5)] + [("1", Text("x"))])
    assert bulk.sent == 5 and bulk.failed == 1
    assert len(sb.requests("toy")) == 5


async def test_ambiguous_failures_do_not_fail_over_by_default(sb: Sandbox) -> None:
    async with Sandbox(["toy"]) as backup:
        wa = Failover([sb.client("toy", retry=FAST), backup.client("toy")])
        sb.fail_next("toy", drop=True)
        with pytest.raises(Exception, match="connection failed"):
            await wa.send(PHONE, Text("x"))
        assert backup.requests("toy") == []
        eager = Failover(
            [sb.client("toy", retry=FAST), backup.client("toy")], failover_on_ambiguous=True
        )
        sb.fail_next("toy", drop=True)
        await eager.send(PHONE, Text("x"))
        assert len(backup.requests("toy")) == 1


def test_failover_needs_two_clients() -> None:
    with pytest.raises(ConfigurationError):
        Failover([WhatsApp("toy", api_key="k")])


def test_profiles_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wa.toml"
    path.write_text(
        'default = "main"\n'
        "[profiles.main]\n"
        'provider = "toy"\n'
        'api_key = { env = "TOY_KEY_FOR_TEST" }\n'
        "max_retries = 0\n"
        "[profiles.other]\n"
        'provider = "toy"\n'
        'api_key = "inline-key"\n'
    )
    monkeypatch.setenv("TOY_KEY_FOR_TEST", "from-env-key")
    wa = WhatsApp.from_file(path)
    assert wa.provider.settings.api_key == "from-env-key"
    assert wa.retry_policy.max_retries == 0
    assert WhatsApp.from_file(path, profile="other").provider.settings.api_key == "inline-key"
    with pytest.raises(ConfigurationError, match="no profile 'missing'"):
        WhatsApp.from_file(path, profile="missing")
    monkeypatch.delenv("TOY_KEY_FOR_TEST")
    with pytest.raises(ConfigurationError, match="TOY_KEY_FOR_TEST"):
        WhatsApp.from_file(path)
    with pytest.raises(ConfigurationError, match="not found"):
        WhatsApp.from_file(tmp_path / "absent.toml")
    (tmp_path / "bad.toml").write_text("[profiles\n")
    with pytest.raises(ConfigurationError, match="invalid TOML"):
        WhatsApp.from_file(tmp_path / "bad.toml")
