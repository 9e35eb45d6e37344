"""Failover across clients and TOML profiles."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from whatsapp_async import (
    AuthenticationError,
    ClientClosedError,
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
        sb.fail_next("toy", status=503, code="UNAVAILABLE", times=2)  # not processed
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


async def test_failover_takes_the_clients_send_keywords(sb: Sandbox) -> None:
    async with Sandbox(["toy"]) as backup:
        chain = Failover([sb.client("toy", retry=FAST), backup.client("toy")])
        sb.fail_next("toy", status=503, code="UNAVAILABLE", times=1)
        # max_retries=0 on the call: the primary's one 503 is not retried, the chain moves on.
        result = await chain.send(PHONE, Text("x"), timeout=5, max_retries=0)
        assert result.provider == "toy"
        assert len(sb.requests("toy")) == 1 and len(backup.requests("toy")) == 1
        bulk = await chain.send_many([(PHONE, Text("y"))], timeout=5.0, max_retries=1)
        assert bulk.sent == 1
        assert chain.capabilities.messages == sb.client("toy").capabilities.messages
        assert chain.provider_name == "failover(toy, toy)"


async def test_a_closed_client_fails_at_once_without_retry_or_failover(sb: Sandbox) -> None:
    async with Sandbox(["toy"]) as backup:
        primary = sb.client("toy", retry=FAST)
        chain = Failover([primary, backup.client("toy")])
        await primary.aclose()
        with pytest.raises(ClientClosedError, match="closed"):
            await chain.send(PHONE, Text("x"))
        with pytest.raises(ClientClosedError):
            await primary.send(PHONE, Text("x"))
        with pytest.raises(ClientClosedError):
            await primary.send_many([(PHONE, Text("x"))])
        assert sb.requests("toy") == [] and backup.requests("toy") == []


async def test_failover_receives_each_clients_webhooks_at_its_own_path(sb: Sandbox) -> None:
    from aiohttp import ClientSession, web

    from .toy import ToySimulator

    events: list[object] = []
    async with Sandbox(["toy"]) as backup:
        chain = Failover([sb.client("toy"), backup.client("toy")])
        app = chain.webhook_app(events.append, path="/hooks", dedupe_seconds=0)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        body = b'[{"kind": "message", "id": "m1", "from": "+14155552671", "text": "hi"}]'
        signature = ToySimulator().sign(body)
        try:
            async with ClientSession() as http:
                for path in ("/hooks/toy", "/hooks/toy-2"):
                    async with http.post(
                        f"http://127.0.0.1:{port}{path}",
                        data=body,
                        headers={"x-toy-signature": signature},
                    ) as answer:
                        assert answer.status == 200
                async with http.post(f"http://127.0.0.1:{port}/hooks/toy", data=body) as answer:
                    assert answer.status == 401  # unsigned: rejected by that client's secret
            for _ in range(100):
                if len(events) == 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            await runner.cleanup()
        assert len(events) == 2
        parsed = chain.parse_webhook({"x-toy-signature": signature}, body, provider="toy")
        assert parsed[0].message_id == "m1"  # type: ignore[attr-defined]
        with pytest.raises(ConfigurationError, match="no 'meta' client"):
            chain.parse_webhook({}, body, provider="meta")


def test_a_failover_app_refuses_to_start_while_any_client_is_unsigned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    signed_meta = WhatsApp("meta", token="EAAtest-123456", phone_number_id="1", app_secret="s")
    unsigned_meta = WhatsApp("meta", token="EAAtest-123456", phone_number_id="1")
    unsigned_pilot = WhatsApp("pilot", api_key="ps_test")
    with pytest.raises(ConfigurationError, match="pilot: webhook_app needs webhook_secret"):
        Failover([signed_meta, unsigned_pilot]).webhook_app(lambda event: None)
    with pytest.raises(ConfigurationError, match="meta: webhook_app needs app_secret"):
        Failover([unsigned_meta, unsigned_pilot]).webhook_app(lambda event: None)
    chain = Failover([unsigned_meta, unsigned_pilot])
    with caplog.at_level(logging.WARNING, logger="whatsapp_async.webhooks"):
        app = chain.webhook_app(lambda event: None, path="/hooks", allow_unsigned=True)
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    assert paths == {"/hooks/meta", "/hooks/pilot"}
    warned = sorted(r.getMessage().split(":")[0] for r in caplog.records)
    assert warned == ["meta", "pilot"]  # one warning per unsigned client


async def test_webhook_app_closes_the_client_it_owns(sb: Sandbox) -> None:
    from aiohttp import web

    wa = sb.client("toy")
    runner = web.AppRunner(wa.webhook_app(lambda event: None, close_client=True))
    await runner.setup()
    await runner.cleanup()
    with pytest.raises(ClientClosedError):
        await wa.send(PHONE, Text("x"))
    kept = sb.client("toy")
    runner = web.AppRunner(kept.webhook_app(lambda event: None))
    await runner.setup()
    await runner.cleanup()
    assert (await kept.send(PHONE, Text("x"))).provider == "toy"
