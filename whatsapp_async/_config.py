"""Provider settings: validated msgspec Structs whose secrets never show in a repr.

Each provider declares a :class:`Settings` subclass; ``secret_fields`` names
the fields that hold credentials. ``load_settings`` turns keyword arguments (or
a mapping) into that Struct, raising :class:`ConfigurationError` that names
the provider and the key.

Example::

    class AcmeSettings(Settings, frozen=True):
        api_key: str
        secret_fields = frozenset({"api_key"})

    load_settings("acme", AcmeSettings, {"api_key": "k"})
    # AcmeSettings(api_key='***')
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Final, TypeVar

import msgspec

from . import _registry
from ._adaptive import AdaptiveLimiter, PairBackoff
from ._ratelimit import RateLimiter, TokenBucket
from ._timeout import Timeout
from .errors import ConfigurationError
from .provider import Provider, Settings

__all__ = [
    "CLIENT_KEYS",
    "DEFAULT_RATE",
    "SANDBOX_ROUTES",
    "ConfigConstructors",
    "check_client_options",
    "env_values",
    "load_profile",
    "load_settings",
    "make_limiter",
    "make_pair_limiter",
    "make_provider",
]

S = TypeVar("S", bound=Settings)
C = TypeVar("C", bound="ConfigConstructors")

DEFAULT_RATE: Final = "default"
"""``rate_limit``'s default: the provider's documented rate (Meta 80 msg/s), if any."""


_FIELD = re.compile(r"`\$\.([A-Za-z0-9_]+)`|field `([A-Za-z0-9_]+)`")


def load_settings(provider: str, settings_type: type[S], values: Mapping[str, Any]) -> S:
    """Validate ``values`` into ``settings_type``; errors name the provider and the key.

    Example::

        load_settings("meta", MetaSettings, {"token": "t"})
        # ConfigurationError: meta: missing required setting 'phone_number_id'
    """
    clean = {k: v for k, v in values.items() if v is not None}
    for field in msgspec.structs.fields(settings_type):
        value = clean.get(field.name)
        # Ids written as numbers in a config file (phone_number_id = 1234) are still ids.
        if isinstance(value, int) and not isinstance(value, bool) and _wants_str(field.type):
            clean[field.name] = str(value)
    try:
        parsed = msgspec.convert(clean, settings_type, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _FIELD.search(text)
        key = (match.group(1) or match.group(2)) if match else None
        allowed = ", ".join(f for f in settings_type.__struct_fields__)
        if text.startswith("Object missing required field"):
            msg = f"{provider}: missing required setting {key!r}"
        elif text.startswith("Object contains unknown field"):
            msg = f"{provider}: unknown setting {key!r} (settings: {allowed})"
        else:
            # msgspec's messages name the type and path, never the value: safe to show.
            msg = f"{provider}: invalid setting {key!r}: {text}"
        raise ConfigurationError(msg, provider=provider) from None
    _check_control_characters(provider, parsed)
    return parsed


def _check_control_characters(provider: str, settings: Settings) -> None:
    # A token or id with CR, LF or NUL would reach aiohttp's header or URL code as a raw
    # ValueError (or split a header): refuse it here, naming the setting, never its value.
    for name in settings.__struct_fields__:
        value = getattr(settings, name)
        values = value if isinstance(value, (list, tuple)) else (value,)
        for item in values:
            if isinstance(item, str) and any(ch < " " or ch == "\x7f" for ch in item):
                raise ConfigurationError(
                    f"{provider}: invalid setting {name!r}: it contains a control character "
                    "(a line break, tab or NUL)",
                    provider=provider,
                )


def _wants_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    args = getattr(annotation, "__args__", ())
    return str in args and int not in args


def load_profile(path: str | os.PathLike[str], profile: str | None = None) -> dict[str, Any]:
    """The settings mapping of ``profile`` in a TOML profiles file (see ``WhatsApp.from_file``).

    Example::

        load_profile("whatsapp.toml", "prod")  # {"provider": "meta", "token": ..., ...}
    """
    try:
        with open(path, "rb") as fh:
            data = msgspec.toml.decode(fh.read())
    except FileNotFoundError:
        raise ConfigurationError(f"configuration file {os.fspath(path)!r} not found") from None
    except msgspec.DecodeError as exc:
        raise ConfigurationError(f"{os.fspath(path)}: invalid TOML: {exc}") from None
    except ImportError:  # Python 3.10 without tomli
        raise ConfigurationError("reading TOML needs Python 3.11+ or the 'tomli' package") from None
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not profiles:
        raise ConfigurationError(f"{os.fspath(path)}: no [profiles.<name>] tables")
    name = profile or data.get("default")
    if name is None:
        if len(profiles) != 1:
            raise ConfigurationError(
                f"{os.fspath(path)}: several profiles ({', '.join(profiles)}); choose one"
            )
        name = next(iter(profiles))
    chosen = profiles.get(name)
    if not isinstance(chosen, dict):
        raise ConfigurationError(
            f"{os.fspath(path)}: no profile {name!r} (profiles: {', '.join(profiles)})"
        )
    resolved: dict[str, Any] = {}
    for key, value in chosen.items():
        if isinstance(value, dict) and set(value) == {"env"}:
            var = value["env"]
            if var not in os.environ:
                raise ConfigurationError(
                    f"profile {name!r}: setting {key!r} reads ${var}, which is not set"
                )
            resolved[key] = os.environ[var]
        else:
            resolved[key] = value
    return resolved


# -- client options --------------------------------------------------------------------------
CLIENT_KEYS = (
    "base_url",
    "timeout",
    "max_retries",
    "rate_limit",
    "pair_spacing",
    "default_region",
    "phone_validation",
    "connection_limit",
    "check_templates",
    "template_cache_ttl",
    "telemetry",
    "retry_in_doubt",
)
"""Client options (not provider settings) that ``WhatsApp.from_env`` reads too."""


def env_values(
    settings_fields: tuple[str, ...], prefix: str, environ: Mapping[str, str]
) -> dict[str, Any]:
    """The client options and provider settings set as ``{prefix}<NAME>`` variables.

    Example::

        env_values(("api_key",), "WHATSAPP_", {"WHATSAPP_API_KEY": "k", "WHATSAPP_TIMEOUT": "5"})
        # {'api_key': 'k', 'timeout': 5.0}
    """
    values: dict[str, Any] = {}
    for key in (*settings_fields, *CLIENT_KEYS):
        raw = environ.get(f"{prefix}{key.upper()}")
        if raw is not None and raw != "":
            values[key] = _env_value(key, raw)
    return values


def _env_value(key: str, raw: str) -> Any:
    # An unparsable value is passed on as the string: the option check then names the option.
    try:
        if key in ("max_retries", "connection_limit"):
            return int(raw)
        if key in ("timeout", "pair_spacing", "template_cache_ttl"):
            return float(raw)
        if key == "rate_limit":
            return None if raw.lower() in ("none", "off") else float(raw)
    except ValueError:
        return raw
    if key in ("check_templates", "telemetry", "retry_in_doubt"):
        return _FLAGS.get(raw.strip().lower(), raw)
    return raw


_FLAGS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False}
_FLAGS.update({"no": False, "off": False})


class ConfigConstructors:
    """The ``WhatsApp.from_*`` constructors: a client from a mapping, a TOML file or the env.

    Example::

        WhatsApp.from_env()   # WHATSAPP_PROVIDER=pilot WHATSAPP_API_KEY=ps_...
    """

    def __init__(self, provider: str | Provider, **options: Any) -> None:
        raise NotImplementedError  # the client defines the real constructor

    @classmethod
    def from_config(cls: type[C], config: Mapping[str, Any], **overrides: Any) -> C:
        """A client from a mapping with ``provider`` plus client options and settings.

        Example::

            WhatsApp.from_config({"provider": "magpipe", "api_key": "mgp_...",
                                  "phone_number_id": "123"})
        """
        values = {**config, **overrides}
        provider = values.pop("provider", None)
        if not provider:
            raise ConfigurationError("configuration needs 'provider'")
        return cls(provider, **values)

    @classmethod
    def from_file(
        cls: type[C], path: str | os.PathLike[str], profile: str | None = None, **overrides: Any
    ) -> C:
        """A client from a named profile of a TOML file.

        The file holds ``[profiles.<name>]`` tables (each with ``provider`` and
        its settings) and optionally ``default = "<name>"``. A value written as
        ``{ env = "VAR" }`` is read from the environment, so secrets can stay
        out of the file.

        Example::

            # whatsapp.toml
            # default = "prod"
            # [profiles.prod]
            # provider = "meta"
            # token = { env = "META_TOKEN" }
            # phone_number_id = "1234567890"
            wa = WhatsApp.from_file("whatsapp.toml", profile="prod")
        """
        return cls.from_config(load_profile(path, profile), **overrides)

    @classmethod
    def from_env(
        cls: type[C],
        prefix: str = "WHATSAPP_",
        environ: Mapping[str, str] | None = None,
        *,
        provider: str | None = None,
        **overrides: Any,
    ) -> C:
        """A client from ``{prefix}PROVIDER`` and ``{prefix}<SETTING>`` environment variables.

        ``provider`` overrides ``{prefix}PROVIDER``.

        Example::

            # WHATSAPP_PROVIDER=pilot WHATSAPP_API_KEY=ps_...
            wa = WhatsApp.from_env()
        """
        env = os.environ if environ is None else environ
        name = provider or env.get(f"{prefix}PROVIDER")
        if not name:
            raise ConfigurationError(f"environment variable {prefix}PROVIDER is not set")
        fields = _registry.load(name).settings_type.__struct_fields__
        values = env_values(fields, prefix, env)
        values.update(overrides)
        return cls(name, **values)


SANDBOX_ROUTES: ContextVar[Mapping[str, tuple[str, Mapping[str, Any]]] | None] = ContextVar(
    "whatsapp_async_sandbox_routes", default=None
)
"""While ``Sandbox.redirect()`` is active: provider name -> (simulator URL, its settings)."""


def make_provider(
    provider: str | Provider, base_url: str | None, settings: dict[str, Any]
) -> Provider:
    """The provider adapter a client was configured with (a name and settings, or an instance).

    Example::

        make_provider("pilot", None, {"api_key": "ps_x"})  # PilotProvider(...)
    """
    if isinstance(provider, Provider):
        if settings:
            raise ConfigurationError(
                "settings go to the Provider instance, not to WhatsApp(), when passing one"
            )
        return provider
    if isinstance(provider, str):
        cls = _registry.load(provider)
        routes = SANDBOX_ROUTES.get()
        if routes is not None and provider in routes:
            # Sandbox.redirect(): the simulator's URL and credentials replace the caller's.
            base_url, simulated = routes[provider]
            settings = {**settings, **simulated, "base_url": None}
        parsed = load_settings(provider, cls.settings_type, settings)
        return cls(parsed, base_url=base_url)
    raise ConfigurationError("provider must be a registered name or a Provider instance")


def make_limiter(
    rate_limit: float | RateLimiter | str | None,
    default: float | None,
    ceiling: float | None = None,
) -> RateLimiter | None:
    """The sender limiter for ``rate_limit``.

    The default is the provider's documented rate, adaptive up to its documented maximum
    (Meta: from 80 up to 1,000 msg/s); a number is a ceiling: the limiter still starts at the
    provider's documented rate (or the number, when lower), learns up to the number and backs
    off on throttling, so that a ceiling above the sender's real tier does not open with a
    burst of throttled requests; None turns it off; a :class:`RateLimiter` is used as it is.

    Example::

        make_limiter(DEFAULT_RATE, 80.0, 1000.0)  # AdaptiveLimiter(initial=80, ceiling=1000)
        make_limiter(1000, 80.0)                   # AdaptiveLimiter(initial=80, ceiling=1000)
        make_limiter(200, None)                    # AdaptiveLimiter(initial=200, ceiling=200)
    """
    if rate_limit == DEFAULT_RATE:
        if not default:
            return None
        return AdaptiveLimiter(default, ceiling=max(default, ceiling or default))
    if rate_limit is None:
        return None
    if isinstance(rate_limit, (int, float)):
        if rate_limit <= 0:
            raise ConfigurationError("rate_limit must be a positive number or None")
        start = min(float(rate_limit), default) if default else float(rate_limit)
        return AdaptiveLimiter(start, ceiling=float(rate_limit))
    if isinstance(rate_limit, RateLimiter):
        return rate_limit
    raise ConfigurationError("rate_limit must be a number, None or a RateLimiter")


def make_pair_limiter(
    pair_spacing: float | RateLimiter | str | None, pair_codes: frozenset[int | str]
) -> RateLimiter | None:
    """The per-recipient limiter for ``pair_spacing``.

    The default spaces only recipients the provider throttled (Meta's 131056), for providers
    with a documented pair limit; a number spaces every recipient's messages by that many
    seconds; None turns it off.

    Example::

        make_pair_limiter(DEFAULT_RATE, frozenset({131056}))  # PairBackoff()
        make_pair_limiter(6, frozenset())                      # 1 message per 6 s per user
    """
    if pair_spacing == DEFAULT_RATE:
        return PairBackoff() if pair_codes else None
    if pair_spacing is None:
        return None
    if isinstance(pair_spacing, (int, float)):
        return TokenBucket(rate=1.0 / float(pair_spacing), burst=1)
    if isinstance(pair_spacing, RateLimiter):
        return pair_spacing
    raise ConfigurationError("pair_spacing must be seconds, None or a RateLimiter")


def check_client_options(**options: Any) -> None:
    """Raise ``ConfigurationError`` naming the first client option that is malformed.

    Numbers must be real numbers (not booleans or strings) in their documented range; flags
    must be booleans (``from_env`` and TOML files parse ``true``/``false`` before this check).

    Example::

        check_client_options(timeout=0)  # ConfigurationError: timeout must be ... positive
    """
    for name, value in options.items():
        check = _OPTION_CHECKS.get(name)
        if check is not None and value is not None:
            problem = check(value)
            if problem:
                raise ConfigurationError(f"{name} {problem}, got {_shown(value)}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _positive(value: Any) -> str | None:
    if not _number(value) or value <= 0 or value == float("inf"):
        return "must be a positive number of seconds"
    return None


def _timeout(value: Any) -> str | None:
    if isinstance(value, Timeout):
        for part in (value.connect, value.total):
            if part is not None and _positive(part):
                return "must have positive connect/total seconds (or None for no limit)"
        return None
    return _positive(value) and "must be a positive number of seconds, a Timeout, or None"


def _retries(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return "must be a whole number of retries, 0 or more"
    return None


def _limit(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return "must be a whole number of connections, 1 or more"
    return None


def _spacing(value: Any) -> str | None:
    if isinstance(value, RateLimiter) or value == DEFAULT_RATE:
        return None
    return _positive(value) and "must be positive seconds between messages, a RateLimiter or None"


def _rate(value: Any) -> str | None:
    if value == DEFAULT_RATE or isinstance(value, RateLimiter):
        return None
    if not _number(value) or value <= 0:
        return "must be a positive number of messages per second, a RateLimiter or None"
    return None


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _ttl(value: Any) -> str | None:
    if not _number(value) or value < 0:
        return "must be 0 or more seconds"
    return None


_OPTION_CHECKS: dict[str, Any] = {
    "timeout": _timeout,
    "max_retries": _retries,
    "connection_limit": _limit,
    "pair_spacing": _spacing,
    "rate_limit": _rate,
    "check_templates": _flag,
    "telemetry": _flag,
    "retry_in_doubt": _flag,
    "template_cache_ttl": _ttl,
}
