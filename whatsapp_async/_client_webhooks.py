"""The webhook methods of ``WhatsApp`` (a mixin: the facade stays one class, its file small).

``parse_webhook`` and ``webhook_app`` differ on one point on purpose. A provider that can
verify its webhooks (``Provider.webhook_secret_setting``: Meta ``app_secret``, Pilot
``webhook_secret``, Magpipe ``webhook_token``) but has no secret configured:

- ``webhook_app`` refuses to build (``ConfigurationError``) unless ``allow_unsigned=True``:
  it is the whole public endpoint, and without the secret anyone could post events to it;
- ``parse_webhook`` accepts the delivery and warns once: it is a building block inside
  another framework's route, whose owner may authenticate the request some other way.

Example::

    events = wa.parse_webhook(request.headers, await request.read(), request.query)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from ._delivery import DeliveryTracker
from ._protocols import WebhookSource
from .errors import ConfigurationError, WebhookPayloadError
from .events import Event
from .provider import MAX_WEBHOOK_DEPTH, Provider

if TYPE_CHECKING:
    from aiohttp import web

    from ._asgi import ASGIWebhookApp
    from ._receiving import EventHandler

__all__ = ["WebhookMethods", "require_verification"]


class _ClientLike(WebhookSource, Protocol):
    """What ``webhook_app`` needs of the client it is mixed into."""

    async def aclose(self) -> None:
        """Release the client's connections."""

    def _require_verification(self, *, allow_unsigned: bool) -> None:
        """Refuse (or warn) when deliveries would be accepted unverified."""


webhook_log = logging.getLogger("whatsapp_async.webhooks")

_MAX_BODY = 3 * 1024 * 1024  # the same default as _webhook_app, without importing aiohttp here


class WebhookMethods:
    """Verify-and-parse, the verification handshake, and the aiohttp receiver app.

    Example::

        app = wa.webhook_app(on_event, path="/hooks")
    """

    _provider: Provider
    _name: str
    _warned_unverified: bool
    _tracker: DeliveryTracker

    def parse_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None = None,
    ) -> list[Event]:
        """Verify and normalise one webhook delivery into events.

        Raises ``WebhookSignatureError`` when verification fails, and ``WebhookPayloadError``
        for a verified body that cannot be read at all (empty, not JSON, nested deeper than
        64 levels); JSON of any other shape becomes ``UnknownEvent``. Nothing else, whatever
        the headers and body hold. The events feed the client's ledger (statuses, windows):
        the in-process one at once, a shared one in the background (``receive_webhook``
        waits for it). The body size is not bounded here: bound it where the
        body is read (``webhook_app`` does, 3 MB by default). Without a configured secret the
        delivery is accepted and a warning logged once (see the module docs).

        Example::

            events = wa.parse_webhook(request.headers, await request.read(), request.query)
        """
        events = self._parse_only(headers, body, query)
        self._tracker.observe_nowait(events)
        return events

    async def receive_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None = None,
    ) -> list[Event]:
        """``parse_webhook``, then wait until the ledger has recorded the events.

        Use it in another framework's route when the ledger is shared (Redis): answer the
        provider only once this returns, so that a delivery the ledger could not record
        (``StoreUnavailable``: answer 503) is delivered again. ``webhook_app`` does this.

        Example::

            events = await wa.receive_webhook(request.headers, await request.body())
        """
        events = self._parse_only(headers, body, query)
        await self._tracker.observe(events)
        return events

    def _parse_only(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None,
    ) -> list[Event]:
        provider = self._provider
        if not self._warned_unverified and self._unverified_setting() is not None:
            self._warned_unverified = True
            webhook_log.warning(
                "%s: no %s configured: webhooks are accepted unverified "
                "(signatures are NOT being verified)",
                self._name,
                provider.webhook_secret_setting,
            )
        try:
            return provider.parse_webhook(headers, body, query or {})
        except RecursionError:
            # A provider that decodes without read_webhook_json (a third-party one) still
            # ends in the documented error, not a crash, on a body nested too deep.
            raise WebhookPayloadError(
                f"{self._name} webhook body nests too deep to parse "
                f"(at most {MAX_WEBHOOK_DEPTH} levels are supported)",
                provider=self._name,
            ) from None

    def webhook_handshake(self, query: Mapping[str, str]) -> str | None:
        """The answer to the provider's webhook verification GET (Meta's ``hub.challenge``).

        Example::

            wa.webhook_handshake({"hub.mode": "subscribe", "hub.verify_token": "t",
                                  "hub.challenge": "42"})  # '42'
        """
        return self._provider.webhook_handshake(query)

    def webhook_app(
        self: _ClientLike,
        handler: EventHandler,
        *,
        path: str = "/",
        max_body: int = _MAX_BODY,
        dedupe_seconds: float = 600.0,
        max_concurrent_handlers: int = 100,
        shutdown_grace: float = 5.0,
        allow_unsigned: bool = False,
        close_client: bool = False,
    ) -> web.Application:
        """An aiohttp app that receives this provider's webhooks and calls ``handler(event)``.

        Answers 200 at once and runs the handler in the background, at most
        ``max_concurrent_handlers`` deliveries at a time (503 beyond, so the provider
        redelivers); 401 for a bad signature or token, 400 for an unreadable body, 413 over
        ``max_body`` (the full table is in the README, "Webhooks"). Raises
        ``ConfigurationError`` when the provider can verify its webhooks but its secret is
        not configured, unless ``allow_unsigned=True`` (then it warns once). On cleanup,
        handlers still running get ``shutdown_grace`` seconds, the rest are cancelled and
        their events logged by id; with ``close_client=True`` the app then closes this
        client (for an app that owns it, as in
        ``web.run_app(WhatsApp.from_env().webhook_app(on_event, close_client=True))``).

        Example::

            app = wa.webhook_app(on_event, path="/webhooks/whatsapp")
            web.run_app(app, port=8080)
        """
        from ._webhook_app import create_webhook_app

        self._require_verification(allow_unsigned=allow_unsigned)
        return create_webhook_app(
            [(path, self)],
            handler,
            max_body=max_body,
            dedupe_seconds=dedupe_seconds,
            max_concurrent_handlers=max_concurrent_handlers,
            shutdown_grace=shutdown_grace,
            close=[self] if close_client else (),
        )

    def asgi_app(
        self: _ClientLike,
        handler: EventHandler,
        *,
        path: str = "/",
        max_body: int = _MAX_BODY,
        dedupe_seconds: float = 600.0,
        max_concurrent_handlers: int = 100,
        shutdown_grace: float = 5.0,
        allow_unsigned: bool = False,
        close_client: bool = False,
    ) -> ASGIWebhookApp:
        """The same receiver as :meth:`webhook_app`, as an ASGI app (Starlette, FastAPI, any
        ASGI server): the same answers, the same fail-closed rule, no extra dependency.

        Mounted (``api.mount("/webhooks", wa.asgi_app(router))``), it gets no lifespan events:
        ``await receiver.aclose()`` in your app's shutdown drains its handlers.

        Example::

            api = FastAPI()
            api.mount("/webhooks/whatsapp", wa.asgi_app(router))
        """
        from ._asgi import create_asgi_app

        self._require_verification(allow_unsigned=allow_unsigned)
        return create_asgi_app(
            [(path, self)],
            handler,
            max_body=max_body,
            dedupe_seconds=dedupe_seconds,
            max_concurrent_handlers=max_concurrent_handlers,
            shutdown_grace=shutdown_grace,
            close=[self] if close_client else (),
        )

    def _unverified_setting(self) -> str | None:
        """The missing setting when the provider could verify deliveries but will not."""
        provider = self._provider
        if provider.verifies_webhooks:
            return None
        return provider.webhook_secret_setting

    def _require_verification(self, *, allow_unsigned: bool) -> None:
        setting = self._unverified_setting()
        if setting is None:
            return
        if not allow_unsigned:
            raise ConfigurationError(
                f"{self._name}: webhook_app needs {setting} to verify deliveries; without it "
                f"anyone could post events. Configure {setting}, or pass allow_unsigned=True "
                "to accept unverified webhooks"
            )
        if not self._warned_unverified:
            self._warned_unverified = True
            webhook_log.warning(
                "%s: webhook_app(allow_unsigned=True) and no %s configured: webhooks are "
                "accepted unverified (signatures are NOT being verified)",
                self._name,
                setting,
            )


def require_verification(source: object, *, allow_unsigned: bool) -> None:
    """``webhook_app``'s fail-closed rule for one source (a failover chain's clients).

    A source that is not a ``WhatsApp`` client has no settings to check and passes.

    Example::

        require_verification(client, allow_unsigned=False)  # ConfigurationError if unsigned
    """
    if isinstance(source, WebhookMethods):
        source._require_verification(allow_unsigned=allow_unsigned)
