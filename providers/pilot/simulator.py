"""A Pilot Status simulator: the documented API on aiohttp, for tests and the demo.

Endpoints (under the base URL, like ``https://pilotstatus.com.br``):

- ``POST /v1/messages/send``: strict validation (``sim_rules``; a base64 ``data:`` URI in
  ``media`` must decode, and its MIME type must fit ``mediaType``), 202 ``{id, correlationId,
  status: "QUEUED", createdAt, origin, sourceNumber}``; ``Idempotency-Key`` replays
  (``Idempotent-Replayed: true``), 409 ``IDEMPOTENCY_KEY_REUSED`` / ``_IN_USE``, 400
  ``IDEMPOTENCY_KEY_INVALID``. Accepted messages move QUEUED -> SENT -> DELIVERED
  every ``progress_delay`` seconds (READ too with ``auto_read``); a ``deliverAt`` in the
  future holds them QUEUED until then, a passed ``deliverUntil`` fails them.
- ``GET /v1/messages/{id}`` by Pilot id, ``correlationId`` or wamid (404 otherwise).
- ``DELETE /v1/messages/cancel`` ``{"messageIds": [...]}``: future QUEUED sends only.
- Keys: ``x-api-key`` or ``x-api-key-id`` (401 otherwise); a tenant-scoped key gets 403.

Each status change is posted to the webhook URL as a v3 envelope signed with
``x-pilot-status-signature`` (hex HMAC-SHA256 of the body, ``webhook_secret``);
``emit_inbound`` posts inbound events on demand. The official Python SDK's
requests (``templateId`` + ``destinationNumber`` + ``variables``, ``x-api-key``)
work against it unchanged.

Example::

    async with Sandbox(["pilot"]) as sb:
        sim = sb.simulator("pilot")
        sim.progress_delay = 0.01
        result = await sb.client("pilot").send("+5511987654321", Text("Olá"))
"""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import datetime, timezone
from typing import Any, ClassVar

import msgspec
from aiohttp import web

from whatsapp_async.provider import hmac_sha256_hex
from whatsapp_async.testing import Simulator

from .sim_rules import CheckedSend, Reject, check_send

__all__ = [
    "API_KEY",
    "API_KEY_ID",
    "NUMBER_ID",
    "TENANT_API_KEY",
    "WEBHOOK_SECRET",
    "PilotSimulator",
    "SimMessage",
]

API_KEY = "ps_sim_3b8f0c2e9a6d4e17"
"""The number-scoped ``x-api-key`` the simulator accepts."""
API_KEY_ID = "sim_key_id_5c71a2"
"""The ``x-api-key-id`` the simulator accepts."""
TENANT_API_KEY = "ps_sim_tenant_9d04e6b1"
"""A tenant-scoped key: rejected with 403 on the message endpoints."""
WEBHOOK_SECRET = "plwh_sim_f2a94c0d7e18"
"""The secret outbound webhooks are signed with."""
NUMBER_ID = "cmm0sim0number0001"
"""The sending number's id (``numberId`` in webhooks, ``x-whatsapp-number-id``)."""
SOURCE_NUMBER = "5511900000001"

MAX_IDEMPOTENCY_KEY = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SCHEDULE_HORIZON = 3600.0
"""Sends scheduled further ahead than this stay QUEUED for the simulator's lifetime."""

DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("VALIDATION_ERROR", "Invalid payload"),
    401: ("UNAUTHORIZED", "Missing or invalid API key (x-api-key / x-api-key-id)"),
    403: ("FORBIDDEN", "This key cannot call this endpoint"),
    404: ("NOT_FOUND", "Not found"),
    409: ("CONFLICT", "Conflict"),
    422: ("BILLING_SUSPENDED", "Tenant billing is suspended"),
    429: ("RATE_LIMITED", "Rate limit exceeded"),
    500: ("INTERNAL_ERROR", "Internal server error"),
    502: ("BAD_GATEWAY", "Upstream provider failed"),
    503: ("SERVICE_UNAVAILABLE", "Service unavailable"),
}
TEMPLATE_DETAILS: dict[str, Any] = {
    "MISSING_TEMPLATE_VARIABLES": {"missingKeys": ["1"]},
    "INVALID_TEMPLATE_VARIABLE_VALUE": {"invalidKeys": [{"key": "1", "reason": "blank"}]},
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SimMessage(msgspec.Struct, kw_only=True):
    """One accepted message and its state (mutable: the simulator advances it).

    Example::

        sim.messages["msg_..."].status  # 'QUEUED'
    """

    id: str
    correlation_id: str
    request: CheckedSend
    body: Any
    status: str = "QUEUED"
    created_at: datetime
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    failed_at: datetime | None = None
    wa_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    number_id: str = NUMBER_ID


class _Stored(msgspec.Struct, frozen=True):
    body: Any
    status: int
    payload: Any


class PilotSimulator(Simulator):
    """Pilot Status on aiohttp (see the module docs for what it implements).

    Knobs: ``progress_delay`` (seconds between status steps, default 0.05),
    ``auto_read`` (also move DELIVERED -> READ), ``accept_delay`` (seconds a send
    takes to be accepted; keeps its idempotency key "in use" meanwhile),
    ``number_kind`` (``"meta"``, the default, accepts base64 data URIs in ``media``;
    ``"web"`` refuses them with 400 ``VALIDATION_ERROR``, as unofficial numbers do).

    Example::

        sim = PilotSimulator()
        sim.progress_delay = 0.01
        await sim.transition(message_id, "FAILED", error_code="WHATSAPP_NOT_EXIST")
    """

    name: ClassVar[str] = "pilot"

    def __init__(self) -> None:
        super().__init__()
        self.numbers: dict[str, str] = {NUMBER_ID: SOURCE_NUMBER}
        """Number ids a key may name in ``x-whatsapp-number-id`` -> their phone digits
        (:meth:`add_number`)."""
        self.inbound: list[dict[str, Any]] = []
        """Every inbound envelope :meth:`emit_inbound` posted."""
        self.progress_delay = 0.05
        self.auto_read = False
        self.accept_delay = 0.0
        self.number_kind = "meta"
        self.webhook_secret = WEBHOOK_SECRET
        self.messages: dict[str, SimMessage] = {}
        self._aliases: dict[str, str] = {}  # correlationId / wamid -> Pilot id
        self._idempotency: dict[tuple[str, str, str], _Stored] = {}
        self._in_flight: set[tuple[str, str, str]] = set()
        self._accepting: set[asyncio.Future[Any]] = set()

    # -- Simulator contract ----------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The key and webhook secret clients of this simulator use."""
        return {"api_key": API_KEY, "webhook_secret": self.webhook_secret}

    def add_routes(self, app: web.Application) -> None:
        """``/v1/messages/send``, ``/v1/messages/cancel`` and ``/v1/messages/{id}``."""
        app.router.add_post("/v1/messages/send", self.handle_send)
        app.router.add_delete("/v1/messages/cancel", self.handle_cancel)
        app.router.add_get("/v1/messages/{id}", self.handle_get)

    def error_response(
        self, status: int, code: str | int | None, message: str | None = None
    ) -> web.Response:
        """Pilot's error body ``{"error", "code", "details"?}`` for ``status`` / ``code``."""
        default_code, default_text = DEFAULT_ERRORS.get(
            status, ("SERVER_ERROR" if status >= 500 else "ERROR", f"HTTP {status}")
        )
        name = str(code) if code is not None else default_code
        payload: dict[str, Any] = {"error": message or default_text, "code": name}
        if name in TEMPLATE_DETAILS:
            payload["details"] = TEMPLATE_DETAILS[name]
        return self.json_response(payload, status=status)

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
        """Like ``Simulator.fail_next``; a 429 with ``retry_after`` also says it in the body.

        Example::

            sim.fail_next(status=429, retry_after=2)  # Retry-After: 2 and retryAfterSeconds: 2
        """
        if status == 429 and retry_after is not None and body is None:
            body = msgspec.json.encode(
                {
                    "error": "Rate limit exceeded",
                    "code": str(code) if code is not None else "RATE_LIMITED",
                    "retryAfterSeconds": retry_after,
                }
            )
        super().fail_next(
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

    async def close(self) -> None:
        """Stop pending acceptances too, then what the base class stops."""
        for job in list(self._accepting):
            job.cancel()
        await super().close()

    # -- helpers ----------------------------------------------------------------------------------
    def _reject(self, reject: Reject) -> web.Response:
        payload: dict[str, Any] = {"error": reject.message, "code": reject.code}
        if reject.details is not None:
            payload["details"] = reject.details
        return self.json_response(payload, status=reject.status)

    def _authenticate(self, request: web.Request) -> str:
        """The caller's credential identity, or raise ``Reject`` (401/403/404)."""
        key = request.headers.get("x-api-key")
        key_id = request.headers.get("x-api-key-id")
        if key == TENANT_API_KEY:
            raise Reject(
                403, "FORBIDDEN", "A tenant-scoped key cannot call number-scoped endpoints"
            )
        if key == API_KEY:
            identity = "key"
        elif key_id == API_KEY_ID:
            identity = "key-id"
        else:
            raise Reject(401, "UNAUTHORIZED", DEFAULT_ERRORS[401][1])
        number = request.headers.get("x-whatsapp-number-id")
        if number is not None and number not in self.numbers:
            raise Reject(404, "NUMBER_NOT_FOUND", "WhatsApp number not found")
        return identity

    def add_number(self, number_id: str, phone: str) -> None:
        """Let the key send from one more number (named by ``x-whatsapp-number-id``).

        Example::

            sim.add_number("cmm0sim0number0002", "+5511900000002")
        """
        self.numbers[number_id] = phone.lstrip("+")

    def find(self, reference: str) -> SimMessage | None:
        """The message with this Pilot id, correlationId or wamid.

        Example::

            sim.find("wamid.HBgL...")
        """
        found = self.messages.get(reference)
        if found is None and reference in self._aliases:
            found = self.messages.get(self._aliases[reference])
        return found

    # -- send -------------------------------------------------------------------------------------
    async def handle_send(self, request: web.Request) -> web.Response:
        """``POST /v1/messages/send``."""
        try:
            identity = self._authenticate(request)
            try:
                body = await self.json_body(request)
            except ValueError:
                raise Reject(
                    400, "VALIDATION_ERROR", "Body is not valid JSON", {"field": "body"}
                ) from None
            scope = self._idempotency_scope(request, identity)
            if scope is not None:
                replay = self._replay(scope, body)
                if replay is not None:
                    return replay
            checked = check_send(body, base64_media=self.number_kind == "meta")
        except Reject as reject:
            return self._reject(reject)
        number = request.headers.get("x-whatsapp-number-id", NUMBER_ID)
        if self.accept_delay <= 0:
            # Accepted at once: nothing can observe the key "in use", no task needed.
            status, payload = self._accept(checked, body, number)
            if scope is not None:
                self._idempotency[scope] = _Stored(body, status, payload)
            return self.json_response(payload, status=status)
        if scope is not None:
            self._in_flight.add(scope)
        job = asyncio.ensure_future(self._accept_later(scope, checked, body, number))
        self._accepting.add(job)
        job.add_done_callback(self._accepting.discard)
        # Shielded: a client that gives up does not stop the send (as on a real server).
        status, payload = await asyncio.shield(job)
        return self.json_response(payload, status=status)

    def _idempotency_scope(
        self, request: web.Request, identity: str
    ) -> tuple[str, str, str] | None:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return None
        if not key or len(key) > MAX_IDEMPOTENCY_KEY or _CONTROL.search(key):
            raise Reject(
                400,
                "IDEMPOTENCY_KEY_INVALID",
                f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY} characters without control "
                "characters",
            )
        return (identity, request.headers.get("x-whatsapp-number-id", NUMBER_ID), key)

    def _replay(self, scope: tuple[str, str, str], body: Any) -> web.Response | None:
        if scope in self._in_flight:
            raise Reject(
                409,
                "IDEMPOTENCY_KEY_IN_USE",
                "A request with this Idempotency-Key is still being processed",
            )
        stored = self._idempotency.get(scope)
        if stored is None:
            return None
        if stored.body != body:
            raise Reject(
                409,
                "IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was used with a different request body",
            )
        return self.json_response(
            stored.payload, status=stored.status, headers={"Idempotent-Replayed": "true"}
        )

    async def _accept_later(
        self,
        scope: tuple[str, str, str] | None,
        checked: CheckedSend,
        body: Any,
        number: str = NUMBER_ID,
    ) -> tuple[int, Any]:
        try:
            await asyncio.sleep(self.accept_delay)
            status, payload = self._accept(checked, body, number)
            if scope is not None:
                self._idempotency[scope] = _Stored(body, status, payload)  # only 2xx reach here
            return status, payload
        finally:
            if scope is not None:
                self._in_flight.discard(scope)

    def _accept(self, checked: CheckedSend, body: Any, number: str = NUMBER_ID) -> tuple[int, Any]:
        now = _now()
        message = SimMessage(
            id=f"msg_{secrets.token_hex(12)}",
            correlation_id=f"corr_{secrets.token_hex(12)}",
            request=checked,
            body=body,
            created_at=now,
            number_id=number,
        )
        self.messages[message.id] = message
        self._aliases[message.correlation_id] = message.id
        self._plan(message, now)
        payload = {
            "id": message.id,
            "correlationId": message.correlation_id,
            "status": "QUEUED",
            "createdAt": _iso(now),
            "origin": "API",
            "sourceNumber": self.numbers.get(number, SOURCE_NUMBER),
        }
        return 202, payload

    # -- progression ------------------------------------------------------------------------------
    def _plan(self, message: SimMessage, now: datetime) -> None:
        wait = 0.0
        if message.request.deliver_at is not None:
            wait = max(0.0, (message.request.deliver_at - now).total_seconds())
        if wait > SCHEDULE_HORIZON:
            return
        self.schedule(wait + self.progress_delay, lambda: self._step(message.id, "QUEUED"))

    async def _step(self, message_id: str, expected: str) -> None:
        message = self.messages.get(message_id)
        if message is None or message.status != expected:
            return  # cancelled or moved on by hand meanwhile
        if expected == "QUEUED":
            deadline = message.request.deliver_until
            if deadline is not None and _now() > deadline:
                await self.transition(
                    message_id,
                    "FAILED",
                    error_code="MESSAGE_EXPIRED",
                    error="The delivery deadline (deliverUntil) passed",
                )
                return
            await self.transition(message_id, "SENT")
            self.schedule(self.progress_delay, lambda: self._step(message_id, "SENT"))
        elif expected == "SENT":
            await self.transition(message_id, "DELIVERED")
            if self.auto_read:
                self.schedule(self.progress_delay, lambda: self._step(message_id, "DELIVERED"))
        elif expected == "DELIVERED":
            await self.transition(message_id, "READ")

    async def transition(
        self,
        message_id: str,
        status: str,
        *,
        error_code: str | None = None,
        error: str | None = None,
    ) -> None:
        """Move a message to ``status`` now and post its webhook (tests and the demo use it).

        Example::

            await sim.transition(result.id, "FAILED", error_code="WHATSAPP_NOT_EXIST",
                                 error="The number is not on WhatsApp")
        """
        message = self.messages[message_id]
        now = _now()
        message.status = status
        if status == "SENT":
            message.sent_at = now
            if message.wa_id is None:
                message.wa_id = f"wamid.{secrets.token_hex(16).upper()}"
                self._aliases[message.wa_id] = message.id
        elif status == "DELIVERED":
            message.delivered_at = now
        elif status == "READ":
            message.read_at = now
        elif status == "FAILED":
            message.failed_at = now
            message.error_code = error_code
            message.error_message = error or "The message could not be delivered"
        event = {
            "SENT": "message.sent",
            "DELIVERED": "message.delivered",
            "READ": "message.read",
            "FAILED": "message.failed",
        }.get(status)
        if event is not None:
            await self._post_event(event, self._status_data(message, now))

    def _status_data(self, message: SimMessage, now: datetime) -> dict[str, Any]:
        checked = message.request
        data: dict[str, Any] = {
            "numberId": message.number_id,
            "id": message.id,
            "messageId": message.wa_id,
            "fromMe": True,
            "createdAt": _iso(now),
            "to": checked.destination[1],
            "from": f"+{self.numbers.get(message.number_id, SOURCE_NUMBER)}",
            "type": checked.media_type or "text",
            "correlationId": message.correlation_id,
        }
        if checked.text is not None:
            data["content"] = checked.text
        elif checked.template is not None:
            data["content"] = checked.template.text
        if checked.media is not None:
            data["mediaLink"] = checked.media
            data["mediaType"] = checked.media_type
            if checked.caption is not None:
                data["mediaCaption"] = checked.caption
        if message.status == "FAILED":
            data["error"] = message.error_message
            if message.error_code is not None:
                data["errorCode"] = message.error_code
        return data

    # -- outbound webhooks -----------------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        """The ``x-pilot-status-signature`` value for ``body``.

        Example::

            sim.sign(b'{"event":"message.sent"}')  # 64 lowercase hex characters
        """
        return hmac_sha256_hex(self.webhook_secret, body)

    async def _post_event(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        envelope = {"event": event, "data": data}
        payload = msgspec.json.encode(envelope)
        await self.post_webhook(payload, {"x-pilot-status-signature": self.sign(payload)})
        return envelope

    async def emit_inbound(
        self,
        *,
        from_: str | None = None,
        text: str | None = "Hi",
        user_id: str | None = None,
        username: str | None = None,
        name: str | None = None,
        reply_to: str | None = None,
        to: str | None = None,
        event: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> str:
        """Post an inbound ``message.received|reply|group|newsletter`` event; return its id.

        The shared signature (``Simulator.emit_inbound``): ``from_`` (default
        ``+5511987654321``) or ``user_id`` (a BSUID, sent as ``from``) is the user,
        ``name`` their ``participantName``, ``reply_to`` makes a ``message.reply`` quoting
        that wamid, ``to`` the number id it came to (default :data:`NUMBER_ID`). ``event``
        and ``data`` (camelCase fields such as ``groupId``, ``mediaLink``) override the rest.
        The envelope is appended to :attr:`inbound`.

        Example::

            await sim.emit_inbound(text="yes", reply_to="wamid.X")
        """
        now = _now()
        number = to or NUMBER_ID
        fields: dict[str, Any] = {
            "from": from_ or user_id or "+5511987654321",
            "to": f"+{self.numbers.get(number, SOURCE_NUMBER)}",
            "numberId": number,
            "messageId": f"wamid.{secrets.token_hex(16).upper()}",
            "id": f"msg_in_{secrets.token_hex(10)}",
            "type": "text",
            "fromMe": False,
            "createdAt": _iso(now),
        }
        if text is not None:
            fields["content"] = text
        if name is not None:
            fields["participantName"] = name
        if reply_to is not None:
            fields["quotedMessageId"] = reply_to
        fields.update(data or {})
        kind = event or ("message.reply" if reply_to is not None else "message.received")
        envelope = await self._post_event(kind, fields)
        self.inbound.append(envelope)
        return str(fields["id"])

    # -- status look-up and cancel -------------------------------------------------------------
    async def handle_get(self, request: web.Request) -> web.Response:
        """``GET /v1/messages/{id}``."""
        try:
            self._authenticate(request)
        except Reject as reject:
            return self._reject(reject)
        message = self.find(request.match_info["id"])
        if message is None:
            return self._reject(Reject(404, "MESSAGE_NOT_FOUND", "Message not found"))
        key, value = message.request.destination
        payload: dict[str, Any] = {
            "id": message.id,
            "status": message.status,
            "correlationId": message.correlation_id,
            key: value,
            "createdAt": _iso(message.created_at),
            "sentAt": _iso(message.sent_at),
            "deliveredAt": _iso(message.delivered_at),
            "readAt": _iso(message.read_at),
            "externalMessageId": message.wa_id,
            "errorCode": message.error_code,
            "errorMessage": message.error_message,
            "origin": "API",
            "metaPricing": None,
        }
        if message.request.template is not None:
            payload["template"] = message.request.template.name
        return self.json_response(payload)

    async def handle_cancel(self, request: web.Request) -> web.Response:
        """``DELETE /v1/messages/cancel``: only scheduled sends still QUEUED are cancelled."""
        try:
            self._authenticate(request)
            try:
                body = await self.json_body(request)
            except ValueError:
                body = None
            ids = body.get("messageIds") if isinstance(body, dict) else None
            if (
                not isinstance(ids, list)
                or not ids
                or not all(isinstance(i, str) and i for i in ids)
            ):
                raise Reject(
                    400,
                    "VALIDATION_ERROR",
                    "messageIds must be a non-empty array of message ids",
                    {"field": "messageIds"},
                )
        except Reject as reject:
            return self._reject(reject)
        now = _now()
        cancelled: list[str] = []
        failed: list[dict[str, str]] = []
        for message_id in ids:
            message = self.messages.get(message_id)
            if message is None:
                failed.append({"id": message_id, "reason": "NOT_FOUND"})
                continue
            deliver_at = message.request.deliver_at
            if message.status != "QUEUED" or deliver_at is None or deliver_at <= now:
                failed.append({"id": message_id, "reason": "NOT_CANCELLABLE"})
                continue
            message.status = "CANCELED"
            cancelled.append(message_id)
        return self.json_response({"cancelled": cancelled, "failed": failed})
