"""Provider settings: validated msgspec Structs whose secrets never show in a repr.

Each provider declares a :class:`Settings` subclass; ``secret_fields`` names the fields that
hold credentials. The core validates keyword arguments into it (``ConfigurationError`` naming
the provider and the key) and strips every secret value from the text it keeps.

Example::

    class AcmeSettings(Settings, frozen=True):
        api_key: str
        secret_fields = frozenset({"api_key"})

    repr(AcmeSettings(api_key="k"))  # "AcmeSettings(api_key='***')"
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = ["REDACTED", "Settings", "redact", "scrub_value"]

REDACTED = "***"


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base class of provider settings; fields in ``secret_fields`` are redacted in reprs.

    Example::

        repr(MetaSettings(token="EAAG...", phone_number_id="1"))  # token='***'
    """

    secret_fields: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        parts = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            shown = REDACTED if (name in self.secret_fields and value) else repr(value)
            parts.append(f"{name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    __str__ = __repr__

    def secrets(self) -> list[str]:
        """The secret values configured (for redacting them from text)."""
        out: list[str] = []
        for name in self.secret_fields:
            value = getattr(self, name, None)
            if isinstance(value, str) and value:
                out.append(value)
            elif isinstance(value, (list, tuple)):
                out.extend(v for v in value if isinstance(v, str) and v)
        return out


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced by ``***``.

    Example::

        >>> redact("token abc123 failed", ["abc123"])
        'token *** failed'
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def scrub_value(value: Any, secrets: list[str]) -> Any:
    """``value`` (decoded JSON: dicts, lists, strings) with every secret replaced by ``***``.

    Used on what the SDK keeps of a provider's answers (error details, ``SendResult.raw``),
    for a server that echoes credentials back.

    Example::

        >>> scrub_value({"echo": ["Bearer abc123"]}, ["abc123"])
        {'echo': ['Bearer ***']}
    """
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {scrub_value(k, secrets): scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub_value(v, secrets) for v in value)
    return value
