"""The base of every provider simulator: recording, fault injection, outbound webhooks.

A provider's ``simulator.py`` subclasses :class:`Simulator`, adds its routes
and says how its API spells an error. This base records every request, applies
queued or random faults before the routes see a request, and posts webhooks to
a configured URL. ``whatsapp_async.testing.Sandbox`` serves simulators on
127.0.0.1.

Example::

    class EchoSimulator(Simulator):
        name = "echo"

        def settings(self):
            return {"api_key": "sim-key"}

        def add_routes(self, app):
            app.router.add_post("/send", self.handle_send)

        def error_response(self, status, code):
            return self.json_response({"error": str(code or status)}, status=status)
"""

from __future__ import annotations

import abc
import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar

import aiohttp
import msgspec
from aiohttp import web

from .errors import UnsupportedFeature

__all__ = ["Fault", "RecordedRequest", "Simulator"]

_encoder = msgspec.json.Encoder()


class RecordedRequest(msgspec.Struct, kw_only=True):
    """One request a simulator received, and the status it answered (0: dropped).

    Example::

        rec = sb.requests("meta")[0]
        rec.method, rec.path, rec.json["type"], rec.status
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    status: int = 0
    fault: bool = False
    received_at: float = 0.0
    """When the request arrived (``time.monotonic()``), for rate measurements."""
    accepted: bool = False
    """The simulator's own routes handled the request and answered 2xx: a send counts as
    delivered even when a fault then replaced, dropped or delayed that answer."""


class Fault(msgspec.Struct, frozen=True, kw_only=True):
    """What to do instead of (or before) answering normally.

    ``status`` answers with the provider's own error body for ``code``;
    ``body`` (with ``content_type``) answers with exactly those bytes instead;
    ``delay`` waits first; ``drop`` closes the connection with no answer;
    ``retry_after`` adds a ``Retry-After`` header.

    With ``after_accept=True`` the request is handled first — a send is accepted, recorded as
    delivered and emits its status webhooks — and only then is the answer replaced (``status``
    / ``body``), lost (``drop``) or held back (``delay``): the fault a client cannot tell from
    one before the request was processed, and the one that makes a resend a duplicate.

    Example::

        Fault(status=503, retry_after=1)
        Fault(status=502, after_accept=True)   # delivered, but the client sees a 502
    """

    status: int | None = None
    code: str | int | None = None
    retry_after: float | None = None
    delay: float | None = None
    drop: bool = False
    body: bytes | None = None
    content_type: str = "application/json"
    after_accept: bool = False


class Simulator(abc.ABC):
    """Base of a provider simulator (an aiohttp app built by ``make_app``).

    Subclasses implement ``settings``, ``add_routes`` and ``error_response``.

    Example::

        sim = MetaSimulator()
        app = sim.make_app()
    """

    name: ClassVar[str]
    max_request_body: ClassVar[int] = 8 * 1024 * 1024
    """The largest request body the simulator reads (raise it for large uploads)."""

    def __init__(self) -> None:
        self.records: list[RecordedRequest] = []
        self.webhook_url: str | None = None
        self.webhook_deliveries: list[tuple[int, bytes]] = []
        self._faults: deque[Fault] = deque()
        self._random_fault: tuple[float, random.Random, list[Fault]] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.base_url: str = ""

    # -- inbound messages (providers that post them) -----------------------------------------
    async def emit_inbound(
        self,
        *,
        from_: str | None = None,
        text: str | None = None,
        user_id: str | None = None,
        username: str | None = None,
        name: str | None = "Simulated User",
        reply_to: str | None = None,
        to: str | None = None,
    ) -> str:
        """Post a user's message to the webhook as the provider would; return its message id.

        The one signature of every simulator (each may add keywords of its own): ``from_``
        the user's phone, ``user_id`` their business-scoped user id (where the provider has
        them), ``username``, ``name`` (profile name), ``reply_to`` the business message it
        answers, ``to`` the business number it is sent to (default: the simulator's first).
        A provider that posts no inbound webhooks raises ``UnsupportedFeature``.

        Example::

            message_id = await sim.emit_inbound(from_="+16505551234", text="hi")
        """
        raise UnsupportedFeature(
            f"the {self.name} simulator posts no inbound messages", provider=self.name
        )

    # -- what a subclass provides -------------------------------------------------------------
    @abc.abstractmethod
    def settings(self) -> dict[str, Any]:
        """Credentials and ids this simulator accepts (given to clients bound to it)."""

    @abc.abstractmethod
    def add_routes(self, app: web.Application) -> None:
        """Register the provider's endpoints on ``app``.

        The base middleware has already read (and recorded) each request body: parse it
        from ``await request.read()`` (cached), not from ``request.post()``/``multipart()``.
        """

    @abc.abstractmethod
    def error_response(
        self, status: int, code: str | int | None, message: str | None = None
    ) -> web.Response:
        """The provider's own error response for ``status`` / ``code``."""

    # -- the app --------------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        """The aiohttp application: recording and faults around the provider's routes."""
        app = web.Application(middlewares=[self._middleware], client_max_size=self.max_request_body)
        self.add_routes(app)
        app.on_cleanup.append(self._cleanup)
        return app

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        received_at = time.monotonic()
        body = await request.read()
        record = RecordedRequest(
            received_at=received_at,
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
            json=_maybe_json(body),
        )
        self.records.append(record)
        fault = self._next_fault()
        if fault is not None and not fault.after_accept:
            record.fault = True
            return await self._apply(fault, request, record, None, handler)
        try:
            answer = await handler(request)
        except web.HTTPException as exc:
            record.status = exc.status
            raise
        record.status = answer.status
        record.accepted = 200 <= answer.status < 300
        if fault is not None:
            record.fault = True
            return await self._apply(fault, request, record, answer, handler)
        return answer

    async def _apply(
        self,
        fault: Fault,
        request: web.Request,
        record: RecordedRequest,
        answer: web.StreamResponse | None,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Answer with ``fault`` instead of (or, with ``answer``, after) the routes' answer."""
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if request.transport is not None:
                request.transport.abort()
            record.status = 0
            raise asyncio.CancelledError  # aiohttp ends the handler quietly
        if fault.body is not None or fault.status is not None:
            if fault.body is not None:
                response = web.Response(
                    status=fault.status or 200,
                    body=fault.body,
                    content_type=fault.content_type,
                )
            else:
                assert fault.status is not None
                response = self.error_response(fault.status, fault.code)
            if fault.retry_after is not None:
                response.headers["Retry-After"] = _fmt_seconds(fault.retry_after)
            record.status = response.status
            return response
        if answer is not None:
            return answer  # only delayed, after processing
        # A delay alone before processing: then handle the request as usual.
        answer = await handler(request)
        record.status = answer.status
        record.accepted = 200 <= answer.status < 300
        return answer

    def _next_fault(self) -> Fault | None:
        if self._faults:
            return self._faults.popleft()
        if self._random_fault is not None:
            rate, rng, mix = self._random_fault
            if rng.random() < rate:
                return mix[0] if len(mix) == 1 else rng.choice(mix)
        return None

    # -- fault injection ------------------------------------------------------------------------
    def fail_next(
        self,
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
        """Make the next ``times`` requests fail this way (queued after earlier faults).

        ``after_accept=True`` handles the request first (see :class:`Fault`).

        Example::

            sim.fail_next(status=429, code=130429, retry_after=1)
            sim.fail_next(body=b"<html>502</html>", status=502, content_type="text/html")
            sim.fail_next(drop=True, after_accept=True)   # delivered, the answer lost
        """
        if status is None and not drop and delay is None and body is None:
            raise ValueError("fail_next needs status=, body=, delay= or drop=True")
        fault = Fault(
            status=status,
            code=code,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
            body=body,
            content_type=content_type,
            after_accept=after_accept,
        )
        self._faults.extend([fault] * times)

    def fail_randomly(
        self,
        rate: float,
        *,
        seed: int = 0,
        status: int = 500,
        code: str | int | None = None,
        faults: Sequence[Fault] | None = None,
    ) -> None:
        """Fail a fraction ``rate`` of requests, reproducibly (``seed``); rate 0 stops it.

        Each failing request gets ``Fault(status=status, code=code)``, or one of ``faults``
        chosen at random (a mix of faults before and after acceptance).

        Example::

            sim.fail_randomly(0.1, seed=7, status=503)
            sim.fail_randomly(0.1, seed=7, faults=[Fault(status=503),
                                                   Fault(drop=True, after_accept=True)])
        """
        if rate <= 0:
            self._random_fault = None
            return
        mix = list(faults) if faults else [Fault(status=status, code=code)]
        self._random_fault = (rate, random.Random(seed), mix)

    def clear_faults(self) -> None:
        """Forget every queued and random fault."""
        self._faults.clear()
        self._random_fault = None

    # -- helpers for subclasses -----------------------------------------------------------------
    @staticmethod
    def json_response(
        payload: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> web.Response:
        """A JSON response encoded with msgspec."""
        return web.Response(
            status=status,
            body=_encoder.encode(payload),
            content_type="application/json",
            headers=headers,
        )

    @staticmethod
    def bearer_token(request: web.Request) -> str | None:
        """The bearer token of ``request``, or None."""
        value = request.headers.get("Authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    @staticmethod
    async def json_body(request: web.Request) -> Any:
        """The request's JSON body, or raise ``ValueError`` when it is not JSON."""
        body = await request.read()
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise ValueError(str(exc)) from None

    # -- outbound webhooks ----------------------------------------------------------------------
    def set_webhook(self, url: str | None) -> None:
        """Aim this simulator's outbound webhooks at ``url`` (None: stop sending them)."""
        self.webhook_url = url

    async def post_webhook(self, payload: bytes, headers: Mapping[str, str]) -> int | None:
        """POST one webhook to the configured URL now; the status, or None when not sent.

        Example::

            await sim.post_webhook(body, {"X-Hub-Signature-256": sig})
        """
        if not self.webhook_url:
            return None
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        all_headers = {"Content-Type": "application/json", **headers}
        try:
            async with self._session.post(self.webhook_url, data=payload, headers=all_headers) as r:
                await r.read()
                self.webhook_deliveries.append((r.status, payload))
                return r.status
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.webhook_deliveries.append((0, payload))
            return 0

    def schedule(self, delay: float, job: Callable[[], Awaitable[Any]]) -> None:
        """Run ``job`` after ``delay`` seconds in the background (cancelled at shutdown)."""

        async def runner() -> None:
            await asyncio.sleep(delay)
            await job()

        task = asyncio.get_running_loop().create_task(runner())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait (up to ``timeout``) for scheduled background jobs to finish."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def _cleanup(self, app: web.Application) -> None:
        await self.close()

    async def close(self) -> None:
        """Cancel background jobs and close the webhook session."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _maybe_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None


def _fmt_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
