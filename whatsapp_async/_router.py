"""Inbound routing: handlers chosen by composable filters.

A :class:`Router` holds handlers, each with filters; :meth:`Router.dispatch` runs, for one
event, the first handler whose filters all match (``mode="first"``, the default) or every one
that matches (``mode="all"``, fan-out), in registration order; :meth:`Router.fallback` runs
when none matched. A router is itself an event handler, so it plugs into ``wa.webhook_app``
and ``wa.asgi_app``, and into any framework after ``parse_webhook``.

Filters (:class:`Filter`) combine with ``&``, ``|`` and ``~``; an event class (``StatusUpdate``)
or a plain predicate (``lambda event: ...``) works as a filter too; keywords of
:meth:`Router.on` are shorthands for the common ones.

Example::

    router = Router()

    @router.on(MessageReceived, text="stop")
    async def opt_out(event: Event) -> None: ...

    @router.on(Filter.button("confirm") | Filter.regex(r"^yes\\b"))
    async def confirmed(event: Event) -> None: ...

    router.add(on_failure, StatusUpdate, status="failed")
    app = wa.webhook_app(router)
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal, TypeVar, Union

from .events import Event, MessageReceived, StatusUpdate

__all__ = ["Filter", "Router"]

log = logging.getLogger("whatsapp_async.webhooks")

Handler = Callable[[Any], Union[Awaitable[Any], None]]
H = TypeVar("H", bound=Handler)
FilterLike = Union["Filter", type, Callable[[Any], bool]]


class Filter:
    """A predicate over events; combine with ``&`` (and), ``|`` (or), ``~`` (not).

    Example::

        >>> from whatsapp_async import MessageReceived
        >>> hello = Filter.text("hello") & Filter.provider("meta")
        >>> hello(MessageReceived(provider="meta", message_id="m", sender="+1", type="text",
        ...                       text="Hello"))
        True
    """

    __slots__ = ("_check", "name")

    def __init__(self, check: Callable[[Any], bool], name: str = "filter") -> None:
        self._check = check
        self.name = name

    def __call__(self, event: Any) -> bool:
        return bool(self._check(event))

    def __and__(self, other: FilterLike) -> Filter:
        right = as_filter(other)
        return Filter(lambda e: self(e) and right(e), f"({self.name} & {right.name})")

    def __or__(self, other: FilterLike) -> Filter:
        right = as_filter(other)
        return Filter(lambda e: self(e) or right(e), f"({self.name} | {right.name})")

    def __invert__(self) -> Filter:
        return Filter(lambda e: not self(e), f"~{self.name}")

    def __repr__(self) -> str:
        return f"Filter({self.name})"

    # -- the filters --------------------------------------------------------------------------
    @staticmethod
    def type(*kinds: type) -> Filter:
        """Events of these classes (``MessageReceived``, ``StatusUpdate``, ...)."""
        return Filter(
            lambda e: isinstance(e, kinds), f"type({', '.join(k.__name__ for k in kinds)})"
        )

    @staticmethod
    def message(*types: str) -> Filter:
        """Inbound messages, optionally of these provider types (``text``, ``image`` ...)."""
        wanted = frozenset(types)
        return Filter(
            lambda e: isinstance(e, MessageReceived) and (not wanted or e.type in wanted),
            f"message({', '.join(types)})",
        )

    @staticmethod
    def text(*values: str, ignore_case: bool = True) -> Filter:
        """Messages whose text (stripped) equals one of ``values``; any text without values."""

        def fold(value: str) -> str:
            return value.casefold() if ignore_case else value

        wanted = frozenset(fold(v.strip()) for v in values)

        def check(event: Any) -> bool:
            text = getattr(event, "text", None)
            if not isinstance(event, MessageReceived) or not isinstance(text, str):
                return False
            return not wanted or fold(text.strip()) in wanted

        return Filter(check, f"text({', '.join(map(repr, values))})")

    @staticmethod
    def regex(pattern: str | re.Pattern[str], flags: int = re.IGNORECASE) -> Filter:
        """Messages whose text matches ``pattern`` (``re.search``; case-insensitive by default)."""
        compiled = re.compile(pattern, flags) if isinstance(pattern, str) else pattern

        def check(event: Any) -> bool:
            text = event.text if isinstance(event, MessageReceived) else None
            return isinstance(text, str) and compiled.search(text) is not None

        return Filter(check, f"regex({compiled.pattern!r})")

    @staticmethod
    def button(*ids: str) -> Filter:
        """Taps of these reply buttons, list rows or template quick replies (any tap without
        ids); matched on ``MessageReceived.button_id``."""
        wanted = frozenset(ids)
        return Filter(
            lambda e: (
                isinstance(e, MessageReceived)
                and e.button_id is not None
                and (not wanted or e.button_id in wanted)
            ),
            f"button({', '.join(ids)})",
        )

    @staticmethod
    def media(*kinds: str) -> Filter:
        """Messages carrying media, optionally of these kinds (``image``, ``audio`` ...)."""
        wanted = frozenset(kinds)
        return Filter(
            lambda e: (
                isinstance(e, MessageReceived)
                and e.media is not None
                and (not wanted or e.type in wanted)
            ),
            f"media({', '.join(kinds)})",
        )

    @staticmethod
    def sender(*users: str) -> Filter:
        """Messages from (and statuses for) these users: a phone (E.164) or a user id."""
        wanted = frozenset(users)

        def check(event: Any) -> bool:
            if isinstance(event, MessageReceived):
                return event.sender in wanted or event.sender_user_id in wanted
            if isinstance(event, StatusUpdate):
                return event.recipient in wanted or event.recipient_user_id in wanted
            return False

        return Filter(check, f"sender({', '.join(users)})")

    @staticmethod
    def provider(*names: str) -> Filter:
        """Events from these providers (``meta``, ``pilot`` ...)."""
        wanted = frozenset(names)
        return Filter(
            lambda e: getattr(e, "provider", None) in wanted, f"provider({', '.join(names)})"
        )

    @staticmethod
    def status(*statuses: str) -> Filter:
        """Status updates, optionally with these statuses (``delivered``, ``failed`` ...)."""
        wanted = frozenset(statuses)
        return Filter(
            lambda e: isinstance(e, StatusUpdate) and (not wanted or e.status in wanted),
            f"status({', '.join(statuses)})",
        )

    @staticmethod
    def business(*ids: str) -> Filter:
        """Events of these business numbers (``business_id``: Meta's phone number id ...)."""
        wanted = frozenset(ids)
        return Filter(
            lambda e: getattr(e, "business_id", None) in wanted, f"business({', '.join(ids)})"
        )


def as_filter(value: FilterLike) -> Filter:
    """``value`` as a :class:`Filter`: a filter, an event class, or a predicate.

    Example::

        as_filter(StatusUpdate)   # Filter(type(StatusUpdate))
    """
    if isinstance(value, Filter):
        return value
    if isinstance(value, type):
        return Filter.type(value)
    if callable(value):
        return Filter(value, getattr(value, "__name__", "predicate"))
    raise TypeError(f"not a filter: {value!r}")


_SHORTHANDS: dict[str, Callable[..., Filter]] = {
    "text": Filter.text,
    "regex": Filter.regex,
    "button": Filter.button,
    "media": Filter.media,
    "sender": Filter.sender,
    "provider": Filter.provider,
    "status": Filter.status,
    "business": Filter.business,
    "message": Filter.message,
}


class _Route:
    __slots__ = ("filter", "handler")

    def __init__(self, handler: Handler, check: Filter) -> None:
        self.handler = handler
        self.filter = check


class Router:
    """Event handlers chosen by filters (see the module docs); itself an event handler.

    ``mode="first"`` (default) runs the first matching handler; ``mode="all"`` runs every
    matching handler in order (a failing one is logged and the others still run; the first
    error is raised at the end). A handler's exception reaches the caller of
    :meth:`dispatch` (the webhook receivers log it and go on with the next event).

    Example::

        router = Router()
        router.add(print, StatusUpdate)              # registration by call
        await router.dispatch(event)                 # 1 when a handler ran
        app = wa.webhook_app(router)                 # or: for e in events: await router(e)
    """

    def __init__(self, *, mode: Literal["first", "all"] = "first") -> None:
        if mode not in ("first", "all"):
            raise ValueError("mode must be 'first' or 'all'")
        self.mode = mode
        self._routes: list[_Route] = []
        self._fallback: Handler | None = None

    def on(self, *filters: FilterLike, **shorthands: Any) -> Callable[[H], H]:
        """Register the decorated handler for events matching every filter.

        Keywords are shorthands: ``text=`` (a value or a tuple of them), ``regex=``,
        ``button=``, ``media=``, ``sender=``, ``provider=``, ``status=``, ``business=``,
        ``message=`` (message types).

        Example::

            @router.on(MessageReceived, regex=r"order #?(\\d+)")
            async def order_question(event: Event) -> None: ...
        """

        def register(handler: H) -> H:
            self.add(handler, *filters, **shorthands)
            return handler

        return register

    def add(self, handler: Handler, *filters: FilterLike, **shorthands: Any) -> None:
        """Register ``handler`` (sync or async) for events matching every filter.

        Example::

            router.add(on_failed, StatusUpdate, status="failed")
        """
        if not callable(handler):
            raise TypeError("handler must be callable")
        checks = [as_filter(f) for f in filters]
        for key, value in shorthands.items():
            make = _SHORTHANDS.get(key)
            if make is None:
                raise TypeError(f"unknown filter keyword {key!r} (known: {', '.join(_SHORTHANDS)})")
            values = value if isinstance(value, (tuple, list, frozenset, set)) else (value,)
            checks.append(make(*values))
        combined = Filter(lambda e: all(c(e) for c in checks), " & ".join(c.name for c in checks))
        self._routes.append(_Route(handler, combined))

    def fallback(self, handler: H) -> H:
        """Register the handler of events no route matched (usable as a decorator).

        Example::

            @router.fallback
            def unhandled(event: Event) -> None:
                log.info("unrouted %s", type(event).__name__)
        """
        self._fallback = handler
        return handler

    def handlers_for(self, event: Event) -> list[Handler]:
        """The handlers that would run for ``event``, in order (for tests and logs)."""
        matched = [route.handler for route in self._routes if route.filter(event)]
        if self.mode == "first":
            matched = matched[:1]
        if not matched and self._fallback is not None:
            matched = [self._fallback]
        return matched

    async def dispatch(self, event: Event) -> int:
        """Run the handlers ``event`` matches; how many ran (0: none matched, no fallback)."""
        handlers = self.handlers_for(event)
        first_error: Exception | None = None
        for handler in handlers:
            try:
                await _call(handler, event)
            except Exception as exc:
                if self.mode == "first":
                    raise
                log.exception("router handler %r failed", getattr(handler, "__name__", handler))
                first_error = first_error or exc
        if first_error is not None:
            raise first_error
        return len(handlers)

    async def dispatch_all(self, events: Iterable[Event]) -> int:
        """Dispatch every event in order; how many handler calls ran.

        Example::

            await router.dispatch_all(wa.parse_webhook(headers, body, query))
        """
        total = 0
        for event in events:
            total += await self.dispatch(event)
        return total

    async def __call__(self, event: Event) -> None:
        await self.dispatch(event)

    def __len__(self) -> int:
        return len(self._routes)

    def __repr__(self) -> str:
        return f"Router(mode={self.mode!r}, routes={len(self)})"


async def _call(handler: Handler, event: Event) -> None:
    result = handler(event)
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        await result
