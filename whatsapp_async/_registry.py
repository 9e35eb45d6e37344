"""Provider and simulator discovery through entry points.

Built-in providers are registered the same way a third-party one is, in its distribution's
``pyproject.toml``; a provider's test double (its simulator) sits in a group of its own, so an
adapter never refers to the aiohttp app that checks it::

    [project.entry-points."whatsapp_async.providers"]
    acme = "acme_whatsapp:AcmeProvider"

    [project.entry-points."whatsapp_async.simulators"]
    acme = "acme_whatsapp.simulator:AcmeSimulator"

``register`` adds one at run time (tests, scripts) without packaging.

Example::

    >>> "meta" in available()
    True
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from .errors import ConfigurationError
from .provider import Provider

if TYPE_CHECKING:
    from ._simulation import Simulator

__all__ = ["GROUP", "SIMULATOR_GROUP", "available", "load", "load_simulator", "register"]

GROUP = "whatsapp_async.providers"
SIMULATOR_GROUP = "whatsapp_async.simulators"

_registered: dict[str, type[Provider]] = {}
_registered_simulators: dict[str, type[Simulator]] = {}
_loaded: dict[str, type[Provider]] = {}


def available() -> list[str]:
    """Names of every installed or registered provider, sorted.

    Example::

        print(available())  # ['gateway', 'magpipe', 'meta', 'pilot']
    """
    names = {ep.name for ep in entry_points(group=GROUP)}
    names.update(_registered)
    return sorted(names)


def simulators_available() -> list[str]:
    """Names of every provider that has a simulator installed or registered, sorted.

    Example::

        >>> "pilot" in simulators_available()
        True
    """
    names = {ep.name for ep in entry_points(group=SIMULATOR_GROUP)}
    names.update(_registered_simulators)
    return sorted(names)


def register(name: str, provider: type[Provider], simulator: type[Simulator] | None = None) -> None:
    """Make ``provider`` (and its ``simulator``, for the sandbox) available under ``name``.

    Example::

        register("echo", EchoProvider, EchoSimulator)
        WhatsApp("echo", ...)
    """
    if not (isinstance(provider, type) and issubclass(provider, Provider)):
        raise TypeError("register() takes a Provider subclass")
    _registered[name] = provider
    _loaded.pop(name, None)
    if simulator is not None:
        _registered_simulators[name] = simulator


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


def load_simulator(name: str) -> type[Simulator]:
    """The simulator class of provider ``name`` (from the ``whatsapp_async.simulators`` group).

    Example::

        sim = load_simulator("meta")()
    """
    from ._simulation import Simulator

    if name in _registered_simulators:
        return _registered_simulators[name]
    for ep in entry_points(group=SIMULATOR_GROUP, name=name):
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Simulator)):
            raise ConfigurationError(f"entry point {name!r} ({ep.value}) is not a Simulator")
        return cls
    raise ConfigurationError(
        f"{name!r} ships no simulator; simulators: {', '.join(simulators_available()) or 'none'}"
    )
