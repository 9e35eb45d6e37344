"""Configuration from keywords, mappings and the environment; secrets never shown."""

from __future__ import annotations

import pytest

from whatsapp_async import ConfigurationError, WhatsApp
from whatsapp_async.provider import redact

from .toy import ToySettings


def test_from_config_and_from_env() -> None:
    wa = WhatsApp.from_config({"provider": "toy", "api_key": "abcd-1234", "max_retries": 0})
    assert wa.provider_name == "toy" and wa.retry_policy.max_retries == 0
    env = {
        "WA_PROVIDER": "toy",
        "WA_API_KEY": "abcd-1234",
        "WA_IDEMPOTENT": "true",
        "WA_TIMEOUT": "5",
        "WA_RATE_LIMIT": "off",
        "UNRELATED": "x",
    }
    wa = WhatsApp.from_env(prefix="WA_", environ=env)
    assert wa.provider.settings.idempotent is True
    assert wa._limiter is None


def test_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="needs 'provider'"):
        WhatsApp.from_config({"api_key": "k"})
    with pytest.raises(ConfigurationError, match="WHATSAPP_PROVIDER is not set"):
        WhatsApp.from_env(environ={})
    with pytest.raises(ConfigurationError, match="rate_limit"):
        WhatsApp("toy", api_key="k", rate_limit=-1)
    with pytest.raises(ConfigurationError, match="max_retries"):
        WhatsApp("toy", api_key="k", max_retries=-1)
    with pytest.raises(ConfigurationError, match="phone_validation"):
        WhatsApp("toy", api_key="k", phone_validation="loose")  # type: ignore[arg-type]


def test_secrets_are_redacted_in_reprs() -> None:
    settings = ToySettings(api_key="super-secret-key", webhook_secret="whsec-xyz")
    text = repr(settings) + str(settings) + repr(WhatsApp("toy", api_key="super-secret-key"))
    assert "super-secret-key" not in text and "whsec-xyz" not in text
    assert "api_key=***" in text
    assert redact("key super-secret-key used", settings.secrets()) == "key *** used"
