"""Sandbox: the provider simulators on 127.0.0.1, with clients bound to them.

For tests (ours and yours) and the demo: no credentials, no network beyond
loopback. Every simulator speaks its provider's API as documented, so other
clients of the real API work against ``sb.base_url(name)`` too.

Example::

    async with Sandbox(["meta"]) as sb:
        wa = sb.client("meta")
        result = await wa.send("+14155552671", Text("hi"))
        assert sb.requests("meta")[0].json["text"]["body"] == "hi"
        sb.fail_next("meta", status=429, code=130429, retry_after=1)
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from aiohttp import web

from . import _registry
from ._config import SANDBOX_ROUTES
from ._simulation import Fault, RecordedRequest, Simulator
from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._client import WhatsApp
    from ._webhook_app import EventHandler
    from .events import Event

__all__ = ["Fault", "RecordedRequest", "Sandbox", "Simulator"]

S = TypeVar("S", bound=Simulator)


class Sandbox:
    """Runs simulators of the named providers (default: every registered one).

    Example::

        async with Sandbox(webhook_url="http://127.0.0.1:8080/hook") as sb:
            print(sb.base_url("pilot"), sb.settings("pilot"))
    """

    def __init__(
        self, providers: Iterable[str] | None = None, *, webhook_url: str | None = None
    ) -> None:
        self._names = list(providers) if providers is not None else None
        self._webhook_url = webhook_url
        self._simulators: dict[str, Simulator] = {}
        self._runners: dict[str, web.AppRunner] = {}
        self._urls: dict[str, str] = {}
        self._clients: list[WhatsApp] = []
        self._receivers: list[web.AppRunner] = []

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def providers(self) -> list[str]:
        """Names of the running simulators."""
        return list(self._simulators)

    async def start(self) -> None:
        """Start every simulator on an ephemeral loopback port."""
        names = self._names if self._names is not None else _registry.simulators_available()
        try:
            for name in names:
                sim = _registry.load_simulator(name)()
                # Handlers of clients that went away are cancelled (a hanging fault must not
                # outlive its client), and shutdown does not wait for stragglers.
                runner = web.AppRunner(
                    sim.make_app(),
                    access_log=None,
                    handle_signals=False,
                    handler_cancellation=True,
                    shutdown_timeout=0.5,
                )
                await runner.setup()
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", 0))
                site = web.SockSite(runner, sock)
                await site.start()
                port = sock.getsockname()[1]
                sim.base_url = f"http://127.0.0.1:{port}"
                if self._webhook_url:
                    sim.set_webhook(self._webhook_url)
                self._simulators[name] = sim
                self._runners[name] = runner
                self._urls[name] = sim.base_url
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop the webhook receivers, close the clients handed out, stop every simulator."""
        receivers, self._receivers = self._receivers, []
        for receiver in receivers:
            await receiver.cleanup()
        clients, self._clients = self._clients, []
        for client in clients:
            await client.aclose()
        runners, self._runners = self._runners, {}
        for runner in runners.values():
            await runner.cleanup()

    def _sim(self, name: str) -> Simulator:
        try:
            return self._simulators[name]
        except KeyError:
            raise ConfigurationError(
                f"sandbox runs no {name!r} simulator (running: {', '.join(self._simulators)})"
            ) from None

    @overload
    def simulator(self, name: str) -> Simulator: ...

    @overload
    def simulator(self, name: str, kind: type[S]) -> S: ...

    def simulator(self, name: str, kind: type[Simulator] = Simulator) -> Simulator:
        """The simulator object itself (for provider-specific controls).

        Pass its class to get it typed: ``sb.simulator("meta", MetaSimulator).emit_status(...)``.

        Example::

            sim = sb.simulator("pilot", PilotSimulator)
        """
        sim = self._sim(name)
        if not isinstance(sim, kind):
            raise TypeError(
                f"the {name!r} simulator is a {type(sim).__name__}, not {kind.__name__}"
            )
        return sim

    def base_url(self, name: str) -> str:
        """The URL to give any client of ``name``'s API (ours or not)."""
        self._sim(name)
        return self._urls[name]

    def settings(self, name: str) -> dict[str, Any]:
        """The credentials and ids the simulator accepts."""
        return dict(self._sim(name).settings())

    def client(self, name: str, **overrides: Any) -> WhatsApp:
        """A ``WhatsApp`` client bound to the simulator (closed when the sandbox stops)."""
        from ._client import WhatsApp

        options: dict[str, Any] = {**self.settings(name), "base_url": self.base_url(name)}
        options.update(overrides)
        token = SANDBOX_ROUTES.set(None)  # bound to this sandbox, whatever redirect is active
        try:
            client = WhatsApp(name, **options)
        finally:
            SANDBOX_ROUTES.reset(token)
        self._clients.append(client)
        return client

    def requests(self, name: str) -> list[RecordedRequest]:
        """Every request the simulator received, in order."""
        return list(self._sim(name).records)

    def reset(self, name: str | None = None) -> None:
        """Forget recorded requests and queued faults (of one simulator or all)."""
        for sim_name, sim in self._simulators.items():
            if name is None or sim_name == name:
                sim.records.clear()
                sim.clear_faults()

    def fail_next(
        self,
        name: str,
        *,
        status: int | None = None,
        code: str | int | None = None,
        times: int = 1,
        retry_after: float | None = None,
        delay: float | None = None,
        drop: bool = False,
        body: bytes | None = None,
        content_type: str = "application/json",
        after_accept: bool = False,
    ) -> None:
        """Make the next ``times`` requests to ``name`` fail (see ``Simulator.fail_next``).

        With ``after_accept=True`` the simulator processes the request (a send is delivered)
        before the fault replaces, drops or delays the answer.
        """
        self._sim(name).fail_next(
            status=status,
            code=code,
            times=times,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
            body=body,
            content_type=content_type,
            after_accept=after_accept,
        )

    @contextmanager
    def redirect(self) -> Iterator[None]:
        """While active, every client created by provider name talks to this sandbox instead.

        ``WhatsApp("meta", token="EAAG...", phone_number_id="...")`` (or ``from_env``,
        ``from_file``...) built inside the block gets the simulator's URL and credentials, so
        code that builds its own clients can be tested unchanged. Clients built before, or from
        a ``Provider`` instance, are not affected. The redirect follows the current context
        (tasks started inside inherit it; other threads do not).

        Example::

            with sb.redirect():
                await notify_customer()   # its WhatsApp("meta", ...) hits the simulator
        """
        routes = {name: (self._urls[name], self.settings(name)) for name in self._simulators}
        token = SANDBOX_ROUTES.set(routes)
        try:
            yield
        finally:
            SANDBOX_ROUTES.reset(token)

    async def serve_webhooks(
        self,
        client: WhatsApp,
        handler: EventHandler | None = None,
        *,
        name: str | None = None,
    ) -> str:
        """Receive ``name``'s webhooks with ``client.webhook_app(handler)`` on 127.0.0.1.

        Serves the app on a free loopback port, aims the simulator's webhooks at it and returns
        its URL; it stops with the sandbox. ``name`` defaults to the client's provider. The
        client's ledger then sees every status and inbound message, so
        ``wait_for_status`` and ``window`` work as in production.

        Example::

            wa = sb.client("meta")
            await sb.serve_webhooks(wa, on_event)
            result = await wa.send("+16505551234", Text("hi"))
            await wa.wait_for_status(result, "delivered", timeout=5)
        """
        target = name or client.provider_name
        self._sim(target)

        async def ignore(event: Event) -> None:
            return None

        app = client.webhook_app(handler or ignore, path="/webhooks", allow_unsigned=True)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(runner, sock)
        await site.start()
        self._receivers.append(runner)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks"
        self.set_webhook(target, url)
        return url

    def set_webhook(self, name: str, url: str | None) -> None:
        """Aim ``name``'s outbound webhooks at ``url``."""
        self._sim(name).set_webhook(url)
