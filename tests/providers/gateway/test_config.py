"""Settings, construction and the one call site: the gateway is chosen by configuration only."""

from __future__ import annotations

from typing import Any

import pytest

from whatsapp_async import (
    ConfigurationError,
    Phone,
    SendOptions,
    SendResult,
    Template,
    Text,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.gateway import GatewayProvider, GatewaySettings

from .helpers import numbers

TOKEN = "gw-config-token-abcdef"


async def notify(wa: WhatsApp, to: str) -> list[SendResult]:
    """A call site that knows nothing about which provider ``wa`` uses."""
    received = await wa.send(to, Text("Your service request has been received."))
    reminder = await wa.send(to, Template("order_update", body=["Ada", "#1234"]))
    bulk = await wa.send_many(
        [(n, Template("order_update", body=["Ada", "#1"])) for n in numbers(3)]
    )
    return [received, reminder, *(r for _, r in bulk.results())]


async def test_same_call_site_through_config_and_env(sb: Sandbox) -> None:
    settings = sb.settings("gateway")
    clients = [
        WhatsApp.from_config(
            {"provider": "gateway", "base_url": sb.base_url("gateway"), **settings}
        ),
        WhatsApp.from_env(
            environ={
                "WHATSAPP_PROVIDER": "gateway",
                "WHATSAPP_TOKEN": settings["token"],
                "WHATSAPP_BASE_URL": sb.base_url("gateway"),
                "WHATSAPP_BATCH_SIZE": "2",
            }
        ),
    ]
    for wa in clients:
        async with wa:
            results = await notify(wa, "+14155552671")
        assert [r.provider for r in results] == ["gateway"] * 5
        assert results[0].id.isdigit() and results[1].id.startswith("wamid.")
    batches = [
        len(rec.json["recipients"])
        for rec in sb.requests("gateway")
        if rec.path.endswith("/send-template")
    ]
    # from_config: 1 single + one batch of 3; from_env with batch_size=2: 1 single + 2 + 1.
    assert batches[:3] == [1, 3, 1] and sorted(batches[3:]) == [1, 2]


def test_base_url_is_required() -> None:
    with pytest.raises(ConfigurationError) as info:
        WhatsApp("gateway", token=TOKEN)
    assert "base_url" in str(info.value) and TOKEN not in str(info.value)


def test_token_is_required_and_not_empty() -> None:
    missing: list[dict[str, Any]] = [{}, {"token": ""}]
    for settings in missing:
        with pytest.raises(ConfigurationError) as info:
            WhatsApp("gateway", base_url="https://gw.example.com", **settings)
        assert "token" in str(info.value)


@pytest.mark.parametrize("base_url", ["gw.example.com", "ftp://gw.example.com"])
def test_base_url_must_be_http(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        WhatsApp("gateway", token=TOKEN, base_url=base_url)


def test_base_url_from_settings_or_client_and_paths_under_it() -> None:
    direct = GatewayProvider(GatewaySettings(token=TOKEN, base_url="https://gw.example.com/root/"))
    request = direct.build_send(Phone("+14155552671"), Text("x"), SendOptions())
    assert request.url == "https://gw.example.com/root/api/whatsapp/send"
    override = GatewayProvider(
        GatewaySettings(token=TOKEN, base_url="https://ignored.example"),
        base_url="http://127.0.0.1:9",
    )
    assert override.base_url == "http://127.0.0.1:9"
    with pytest.raises(ConfigurationError):
        GatewayProvider(GatewaySettings(token=TOKEN))
    with pytest.raises(ConfigurationError):
        GatewayProvider(object(), base_url="https://gw.example.com")


@pytest.mark.parametrize("size", [0, 1001, -5, "many"])
def test_batch_size_is_bounded(size: object) -> None:
    with pytest.raises(ConfigurationError, match="batch_size"):
        WhatsApp("gateway", token=TOKEN, base_url="https://gw.example.com", batch_size=size)


def test_batch_size_is_per_client() -> None:
    big = WhatsApp("gateway", token=TOKEN, base_url="https://gw.example.com", batch_size=1000)
    default = WhatsApp("gateway", token=TOKEN, base_url="https://gw.example.com")
    assert big.provider.batch_size == 1000 and default.provider.batch_size == 100
    assert GatewayProvider.batch_size == 100


def test_token_is_redacted_everywhere_it_could_show() -> None:
    wa = WhatsApp("gateway", token=TOKEN, base_url="https://gw.example.com")
    settings = wa.provider.settings
    for shown in (repr(wa), repr(settings), str(settings)):
        assert TOKEN not in shown and "***" in shown
    assert settings.secrets() == [TOKEN]
    request = wa.provider.build_send(
        Phone("+14155552671"), Template("t", body=["x"]), SendOptions()
    )
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(wa.provider.capabilities)
