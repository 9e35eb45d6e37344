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
from typing import Any, TypeVar

import msgspec

from .errors import ConfigurationError
from .provider._settings import Settings

__all__ = ["load_profile", "load_settings"]

S = TypeVar("S", bound=Settings)


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
        return msgspec.convert(clean, settings_type, strict=False)
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
