"""Settings: exactly one key, secrets never shown, malformed values refused at construction."""

from __future__ import annotations

from typing import Any

import pytest

from whatsapp_async import ConfigurationError, WhatsApp
from whatsapp_async._registry import load
from whatsapp_async_providers.pilot import PilotProvider, PilotSettings


def test_registered_under_pilot_with_its_documented_defaults() -> None:
    assert load("pilot") is PilotProvider
    provider = PilotProvider(PilotSettings(api_key="ps_live_abc"))
    assert provider.base_url == "https://pilotstatus.com.br"
    assert provider.url("/v1/messages/send") == "https://pilotstatus.com.br/v1/messages/send"
    assert PilotProvider.default_rate_limit is None
    assert provider.settings.button_label_key == "displayText"
    assert provider.settings.number_kind is None
    caps = PilotProvider.capabilities
    assert caps.recipients == {"phone", "user", "group", "channel"}
    assert caps.options == {"deliver_at", "deliver_until"}
    assert caps.operations == {
        "get_status", "cancel", "idempotency", "webhooks", "inline_media", "status_events"
    }  # fmt: skip
    assert "list_templates" not in caps.operations
    assert caps.messages == {
        "text", "template", "image", "video", "audio", "document", "sticker", "buttons", "cta_url"
    }  # fmt: skip


@pytest.mark.parametrize(
    "settings",
    [{}, {"api_key": "ps_1", "api_key_id": "id_1"}, {"webhook_secret": "plwh_1"}],
)
def test_exactly_one_key_is_required(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="exactly one of 'api_key'"):
        WhatsApp("pilot", **settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("api_key", "ps_abc\r\nX-Evil: 1"),
        ("api_key", ""),
        ("api_key_id", "id with space"),
        ("whatsapp_number_id", "num\n"),
    ],
)
def test_header_values_are_checked_without_echoing_them(name: str, value: str) -> None:
    settings: dict[str, Any] = {"api_key": "ps_ok", name: value}
    with pytest.raises(ConfigurationError) as info:
        WhatsApp("pilot", **settings)
    assert name in str(info.value)
    if value:
        assert value not in str(info.value)


def test_unknown_and_malformed_settings() -> None:
    with pytest.raises(ConfigurationError, match="button_label_key"):
        WhatsApp("pilot", api_key="ps_1", button_label_key="title")
    with pytest.raises(ConfigurationError, match="token"):
        WhatsApp("pilot", api_key="ps_1", token="x")


def test_secrets_never_show_in_reprs() -> None:
    wa = WhatsApp(
        "pilot",
        api_key="ps_live_supersecret",
        webhook_secret="plwh_secret_one",
        webhook_secrets=["plwh_secret_two"],
    )
    text = repr(wa) + str(wa.provider.settings)
    for secret in ("ps_live_supersecret", "plwh_secret_one", "plwh_secret_two"):
        assert secret not in text
    key_id = WhatsApp("pilot", api_key_id="kid_hidden_value")
    assert "kid_hidden_value" not in repr(key_id)


def test_signing_secrets_collects_both_settings() -> None:
    settings = PilotSettings(api_key="k", webhook_secret="a", webhook_secrets=("b", " ", "c"))
    assert settings.signing_secrets() == ["a", "b", "c"]


def test_from_env_reads_pilot_settings() -> None:
    env = {
        "WHATSAPP_PROVIDER": "pilot",
        "WHATSAPP_API_KEY_ID": "kid_1",
        "WHATSAPP_BASE_URL": "http://127.0.0.1:9/",
        "WHATSAPP_BUTTON_LABEL_KEY": "label",
    }
    wa = WhatsApp.from_env(environ=env)
    assert wa.provider.auth_headers() == {"x-api-key-id": "kid_1"}
    assert wa.provider.base_url == "http://127.0.0.1:9"
    assert wa.provider.settings.button_label_key == "label"
