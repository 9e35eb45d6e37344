"""Provider discovery through the ``whatsapp_async.providers`` entry-point group.

Built-in providers are registered the same way a third-party one is, in its
distribution's ``pyproject.toml``::

    [project.entry-points."whatsapp_async.providers"]
    acme = "acme_whatsapp:AcmeProvider"

``register`` adds one at run time (tests, scripts) without packaging.

Example::

    >>> "meta" in available()
    True
"""

from __future__ import annotations

from importlib.metadata import entry_points

from .errors import ConfigurationError
from .provider import Provider

__all__ = ["GROUP", "available", "load", "register"]

GROUP = "whatsapp_async.providers"

_registered: dict[str, type[Provider]] = {}
_loaded: dict[str, type[Provider]] = {}


def available() -> list[str]:
    """Names of every installed or registered provider, sorted.

    Example::

        print(available())  # ['gateway', 'magpipe', 'meta', 'pilot']
    """
    names = {ep.name for ep in entry_points(group=GROUP)}
    names.update(_registered)
    return sorted(names)


def register(name: str, provider: type[Provider]) -> None:
    """Make ``provider`` available under ``name`` in this process.

    Example::

        register("echo", EchoProvider)
        WhatsApp("echo", ...)
    """
    if not (isinstance(provider, type) and issubclass(provider, Provider)):
        raise TypeError("register() takes a Provider subclass")
    _registered[name] = provider
    _loaded.pop(name, None)


def load(name: str) -> type[Provider]:
    """The provider class registered as ``name``.

    Raises ``ConfigurationError`` listing the available names when it is unknown.

    Example::

        MetaProvider = load("meta")
    """
    if name in _registered:
        return _registered[name]
    cached = _loaded.get(name)
    if cached is not None:
        return cached
    for ep in entry_points(group=GROUP, name=name):
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Provider)):
            raise ConfigurationError(f"entry point {name!r} ({ep.value}) is not a Provider")
        _loaded[name] = cls
        return cls
    raise ConfigurationError(
        f"unknown provider {name!r}; available: {', '.join(available()) or 'none'}"
    )
