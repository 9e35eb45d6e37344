"""What a failover chain does with what comes back: webhooks, replies and statuses.

Inbound traffic belongs to the client it came through, so none of this fails over: a
delivery is parsed by the client of its provider, a reply goes out through the client whose
number received the message (the customer-service window is that number's), and a status is
awaited in the ledger of the client that sent the message.

Example::

    chain = WhatsApp.with_fallback(meta, pilot)
    app = chain.webhook_app(on_event, path="/hooks")     # /hooks/meta and /hooks/pilot
    await chain.reply(event, Text("Thanks"))             # through the event's provider
    await chain.wait_for_status(result, "delivered")     # in the sending client's ledger
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._protocols import Replier, Sender, StatusWaiter, WebhookSender, WebhookSource
from ._timeout import Timeout
from .errors import ConfigurationError, UnsupportedFeature, ValidationError
from .events import Event, MessageReceived, StatusUpdate
from .messages import Message
from .results import SendResult

if TYPE_CHECKING:
    from aiohttp import web

    from ._asgi import ASGIWebhookApp
    from ._receiving import EventHandler

__all__ = ["FailoverInbound"]


class FailoverInbound:
    """The inbound half of :class:`~whatsapp_async.Failover` (see the module docs).

    Example::

        events = chain.parse_webhook(headers, body, query, provider="pilot")
    """

    clients: list[Sender]

    def _receivers(self) -> list[WebhookSender]:
        return [client for client in self.clients if isinstance(client, WebhookSender)]

    def _client_for(self, provider: str, kind: type[Any], what: str) -> Any:
        for client in self.clients:
            if client.provider_name == provider and isinstance(client, kind):
                return client
        names = ", ".join(c.provider_name for c in self.clients)
        if any(client.provider_name == provider for client in self.clients):
            raise UnsupportedFeature(f"the {provider!r} client of this chain cannot {what}")
        raise ValidationError(f"this failover chain has no {provider!r} client ({names})")

    def parse_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None = None,
        *,
        provider: str,
    ) -> list[Event]:
        """Verify and normalise a delivery from ``provider`` with that client's settings.

        Example::

            events = chain.parse_webhook(request.headers, body, request.query, provider="pilot")
        """
        for client in self._receivers():
            if client.provider_name == provider:
                return client.parse_webhook(headers, body, query)
        names = ", ".join(c.provider_name for c in self.clients)
        raise ConfigurationError(f"this failover chain has no {provider!r} client ({names})")

    async def reply(
        self,
        event: MessageReceived,
        message: Message,
        *,
        quote: bool = True,
        idempotency_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
    ) -> SendResult:
        """Answer ``event`` through the client of its provider (never failed over).

        The answer must come from the number the customer wrote to: another provider would
        send it from another number, outside the conversation.

        Example::

            await chain.reply(event, Text("Thanks, we're on it"))
        """
        if not isinstance(event, MessageReceived):
            raise ValidationError("reply needs the MessageReceived event it answers")
        client: Replier = self._client_for(event.provider, Replier, "reply")
        return await client.reply(
            event,
            message,
            quote=quote,
            idempotency_key=idempotency_key,
            metadata=metadata,
            extra=extra,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def wait_for_status(
        self, result: SendResult, status: str = "delivered", *, timeout: float = 60.0
    ) -> StatusUpdate:
        """Wait for ``result``'s status in the ledger of the client that sent it.

        Takes the :class:`SendResult` (its ``provider`` names the client); a bare message id
        cannot say which client sent it. Raises as ``WhatsApp.wait_for_status`` does.

        Example::

            result = await chain.send(to, Text("Your code is 123456"))
            await chain.wait_for_status(result, "delivered", timeout=60)
        """
        if not isinstance(result, SendResult):
            raise ValidationError(
                "a failover chain's wait_for_status takes the SendResult (which client sent it)"
            )
        client: StatusWaiter = self._client_for(result.provider, StatusWaiter, "await statuses")
        return await client.wait_for_status(result, status, timeout=timeout)

    def _routes(self, path: str, allow_unsigned: bool) -> list[tuple[str, WebhookSource]]:
        from ._client_webhooks import require_verification

        base = path.rstrip("/")
        routes: list[tuple[str, WebhookSource]] = []
        used: dict[str, int] = {}
        for client in self._receivers():
            # Every client is checked before the app exists: one open route is enough to
            # let forged events in.
            require_verification(client, allow_unsigned=allow_unsigned)
            name = client.provider_name
            used[name] = used.get(name, 0) + 1
            suffix = "" if used[name] == 1 else f"-{used[name]}"
            routes.append((f"{base}/{name}{suffix}", client))
        return routes

    def _closing(self, close_clients: bool) -> Sequence[Sender]:
        return list(self.clients) if close_clients else ()

    def webhook_app(
        self,
        handler: EventHandler,
        *,
        path: str = "/",
        max_body: int = 3 * 1024 * 1024,
        dedupe_seconds: float = 600.0,
        max_concurrent_handlers: int = 100,
        shutdown_grace: float = 5.0,
        allow_unsigned: bool = False,
        close_clients: bool = False,
    ) -> web.Application:
        """One aiohttp app receiving every client's webhooks, each at ``{path}/{provider}``.

        A chain of ``meta`` and ``pilot`` listens at ``/hooks/meta`` and ``/hooks/pilot`` for
        ``path="/hooks"``; a provider that appears twice gets ``-2``, ``-3``... Give each
        provider its own URL in its console. Each route answers as ``WhatsApp.webhook_app``
        does; ``max_concurrent_handlers`` bounds the whole app. Raises
        ``ConfigurationError`` when any client could verify its webhooks but has no secret
        configured, unless ``allow_unsigned=True`` (then each such client warns once).

        Example::

            web.run_app(chain.webhook_app(on_event, path="/hooks"), port=8080)
        """
        from ._webhook_app import create_webhook_app

        return create_webhook_app(
            self._routes(path, allow_unsigned),
            handler,
            max_body=max_body,
            dedupe_seconds=dedupe_seconds,
            max_concurrent_handlers=max_concurrent_handlers,
            shutdown_grace=shutdown_grace,
            close=self._closing(close_clients),
        )

    def asgi_app(
        self,
        handler: EventHandler,
        *,
        path: str = "/",
        max_body: int = 3 * 1024 * 1024,
        dedupe_seconds: float = 600.0,
        max_concurrent_handlers: int = 100,
        shutdown_grace: float = 5.0,
        allow_unsigned: bool = False,
        close_clients: bool = False,
    ) -> ASGIWebhookApp:
        """:meth:`webhook_app` as an ASGI app (Starlette, FastAPI, any ASGI server).

        Example::

            api.mount("/hooks", chain.asgi_app(router))   # /hooks/meta, /hooks/pilot
        """
        from ._asgi import create_asgi_app

        return create_asgi_app(
            self._routes(path, allow_unsigned),
            handler,
            max_body=max_body,
            dedupe_seconds=dedupe_seconds,
            max_concurrent_handlers=max_concurrent_handlers,
            shutdown_grace=shutdown_grace,
            close=self._closing(close_clients),
        )
