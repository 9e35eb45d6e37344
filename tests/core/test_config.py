"""Configuration from keywords, mappings and the environment; secrets never shown."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", 0),
        ("timeout", -5),
        ("timeout", "5"),
        ("timeout", True),
        ("timeout", float("nan")),
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_retries", True),
        ("connection_limit", 0),
        ("connection_limit", -3),
        ("connection_limit", "100"),
        ("pair_spacing", 0),
        ("pair_spacing", -6),
        ("rate_limit", 0),
        ("rate_limit", -1),
        ("rate_limit", "fast"),
        ("check_templates", "yes"),
        ("check_templates", 1),
        ("telemetry", "on"),
        ("template_cache_ttl", -1),
    ],
)
def test_every_client_option_is_checked_at_construction(option: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{option} "):
        WhatsApp("toy", api_key="k", **{option: value})  # type: ignore[arg-type]


def test_a_timeout_struct_with_a_zero_part_is_refused() -> None:
    from whatsapp_async import Timeout

    with pytest.raises(ConfigurationError, match=r"^timeout "):
        WhatsApp("toy", api_key="k", timeout=Timeout(connect=0, total=10))
    assert WhatsApp("toy", api_key="k", timeout=Timeout(connect=None, total=10)).provider


def test_wrongly_typed_collaborators_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="retry must be a RetryPolicy"):
        WhatsApp("toy", api_key="k", retry=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="idempotency_store"):
        WhatsApp("toy", api_key="k", idempotency_store=object())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="session"):
        WhatsApp("toy", api_key="k", session="http://x")  # type: ignore[arg-type]


def test_flags_and_numbers_from_the_environment_are_parsed_then_checked() -> None:
    base = {"WA_PROVIDER": "toy", "WA_API_KEY": "abcd-1234"}
    wa = WhatsApp.from_env(
        prefix="WA_",
        environ={**base, "WA_CHECK_TEMPLATES": "true", "WA_TELEMETRY": "false"},
    )
    assert wa.provider_name == "toy"
    for key, raw, option in [
        ("WA_CHECK_TEMPLATES", "maybe", "check_templates"),
        ("WA_TIMEOUT", "soon", "timeout"),
        ("WA_TIMEOUT", "0", "timeout"),
        ("WA_MAX_RETRIES", "-2", "max_retries"),
        ("WA_CONNECTION_LIMIT", "many", "connection_limit"),
        ("WA_RATE_LIMIT", "0", "rate_limit"),
        ("WA_PAIR_SPACING", "-6", "pair_spacing"),
    ]:
        with pytest.raises(ConfigurationError, match=rf"^{option} "):
            WhatsApp.from_env(prefix="WA_", environ={**base, key: raw})


def test_flags_from_a_toml_profile_are_booleans(tmp_path: Path) -> None:
    path = tmp_path / "whatsapp.toml"
    path.write_text(
        '[profiles.a]\nprovider = "toy"\napi_key = "abcd-1234"\ncheck_templates = true\n'
        '[profiles.b]\nprovider = "toy"\napi_key = "abcd-1234"\ncheck_templates = "true"\n'
        '[profiles.c]\nprovider = "toy"\napi_key = "abcd-1234"\ntimeout = 0\n'
    )
    assert WhatsApp.from_file(path, "a").provider_name == "toy"
    with pytest.raises(ConfigurationError, match=r"^check_templates must be true or false"):
        WhatsApp.from_file(path, "b")
    with pytest.raises(ConfigurationError, match=r"^timeout "):
        WhatsApp.from_file(path, "c")
