"""Provider-specific operations: a named pair of pure functions the core runs with ``wa.call``.

A provider declares each operation in its class body, next to the two methods it pairs; the
base class collects them into ``Provider.operations``. The core dispatches through that table
(no method lookup by name) and, when an operation changes state the core caches (templates),
drops that cache afterwards.

Example::

    class AcmeProvider(Provider):
        def build_cancel(self, ids: Sequence[str]) -> HttpRequest: ...
        def parse_cancel(self, response: HttpResponse) -> CancelResult: ...

        cancel = Operation(build_cancel, parse_cancel)

    result = await wa.call(AcmeProvider.cancel, ["msg_1"])   # typed: CancelResult
    result = await wa.call("cancel", ["msg_1"])              # by name (untyped)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from ._http import HttpRequest, HttpResponse

__all__ = ["Operation"]

P = ParamSpec("P")
R = TypeVar("R")


class Operation(Generic[P, R]):
    """One provider-specific operation: ``build(self, *args)`` → request, ``parse`` → result.

    ``invalidates`` names core caches the operation makes stale (``"templates"``). The name is
    the attribute it is assigned to in the provider's class body; it must also be listed in the
    provider's ``capabilities.operations``.

    Example::

        create_template = Operation(build_create_template, parse_create_template,
                                    invalidates=frozenset({"templates"}))
    """

    __slots__ = ("build", "invalidates", "name", "parse")

    def __init__(
        self,
        build: Callable[Concatenate[Any, P], HttpRequest],
        parse: Callable[[Any, HttpResponse], R],
        *,
        invalidates: frozenset[str] = frozenset(),
        name: str = "",
    ) -> None:
        self.build = build
        self.parse = parse
        self.invalidates = invalidates
        self.name = name

    def __set_name__(self, owner: type, name: str) -> None:
        if not self.name:
            self.name = name

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"
