"""The operations besides sending: mark-read, status look-ups, template listings, and the
provider-specific ones (``wa.call``), dispatched through the provider's operation table.

Every operation is checked against the provider's capabilities first (``UnsupportedFeature``
before any request), then runs the provider's pure build/parse pair through the executor.

Example::

    ops = Operations(executor)
    status = await ops.get_status("msg_1")
    result = await ops.call(PilotProvider.cancel, ["msg_1"])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ._executor import Executor
from .errors import ValidationError
from .provider import Operation, check_path_id
from .results import MessageStatus, TemplateInfo

__all__ = ["Operations"]

P = ParamSpec("P")
R = TypeVar("R")


class Operations:
    """The non-send operations of one client (see the module docs).

    ``on_invalidate(name)`` is told when an operation makes a core cache stale (``"templates"``).

    Example::

        await ops.mark_read("wamid.X", typing=True)
    """

    def __init__(
        self, executor: Executor, *, on_invalidate: Callable[[str], None] | None = None
    ) -> None:
        self._executor = executor
        self._provider = executor.provider
        self._name = self._provider.name
        self._on_invalidate = on_invalidate

    def require(self, operation: str) -> None:
        """``UnsupportedFeature`` unless the provider lists ``operation``."""
        if operation not in self._provider.capabilities.operations:
            raise self._provider.unsupported(
                operation, f"{self._name} does not support {operation}"
            )

    def _message_id(self, message_id: str) -> str:
        if not isinstance(message_id, str) or not message_id:
            raise ValidationError("message_id must not be empty", provider=self._name)
        return message_id

    async def mark_read(self, message_id: str, *, typing: bool = False) -> None:
        """Mark an inbound message read (and show a typing indicator)."""
        self.require("mark_read")
        request = self._provider.build_mark_read(self._message_id(message_id), typing)
        response = await self._executor.execute(request)
        self._executor.parse(response, self._provider.parse_mark_read, response)

    async def get_status(self, message_id: str) -> MessageStatus:
        """A sent message's status, looked up at the provider."""
        self.require("get_status")
        # The id goes into the URL path: ".." or "" would address another resource.
        check_path_id(message_id, "message_id", provider=self._name)
        request = self._provider.build_get_status(message_id)
        response = await self._executor.execute(request)
        return self._executor.parse(response, self._provider.parse_status, response)

    async def list_templates(self, *, max_pages: int = 100) -> list[TemplateInfo]:
        """Every template the provider lists, following paging cursors."""
        self.require("list_templates")
        out: list[TemplateInfo] = []
        cursor: str | None = None
        for _ in range(max_pages):
            request = self._provider.build_list_templates(cursor)
            response = await self._executor.execute(request)
            page, cursor = self._executor.parse(response, self._provider.parse_templates, response)
            out.extend(page)
            if not cursor:
                break
        return out

    def lookup(self, operation: Operation[P, R] | str) -> Operation[P, R] | Operation[..., Any]:
        """The provider's :class:`Operation` for ``operation`` (by name, or the object itself)."""
        name = operation if isinstance(operation, str) else operation.name
        self.require(name)
        found = self._provider.operations.get(name)
        if found is None or (not isinstance(operation, str) and found is not operation):
            raise self._provider.unsupported(name, f"{self._name} has no operation {name!r}")
        return found

    async def call(self, operation: Operation[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a provider-specific operation: its build, the executor, its parse."""
        request = operation.build(self._provider, *args, **kwargs)
        response = await self._executor.execute(request)
        for cache in operation.invalidates:
            if self._on_invalidate is not None:
                self._on_invalidate(cache)  # created or deleted: the cached state is stale
        return self._executor.parse(response, operation.parse, self._provider, response)
