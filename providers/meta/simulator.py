"""A local Meta Cloud API: ``/messages``, mark-read, template listing, signed webhooks.

Served by ``whatsapp_async.testing.Sandbox`` on 127.0.0.1; any Meta client aimed at its
base URL works unchanged (versioned paths, JSON bodies, Meta's responses and error
envelope). What it does:

- ``POST /{version}/{phone-number-id}/messages``: checks the Bearer token (a missing or
  wrong token gets ``401`` with code ``190``, ``OAuthException``), the phone number id (an
  unknown one gets ``400`` code ``100`` with subcode ``33``, ``GraphMethodException``) and
  the body, strictly (see ``simulator_validation``); answers Meta's success body with a
  fresh ``wamid``; a body with ``"status": "read"`` marks a message read
  (``{"success": true}``).
- ``GET /{version}/{waba-id}/message_templates``: the built-in templates
  (``simulator_templates``), at most :attr:`MetaSimulator.page_size` per page whatever
  ``limit`` asks, with Graph's ``paging.cursors`` and ``paging.next``.
- Faults (``Sandbox.fail_next``): Meta's envelope for the code, with the HTTP status the
  caller chose; without a code, a typical code for the status (401 -> 190, 429 -> 130429,
  503 -> 2, other 5xx -> 131000, other 4xx -> 100).
- Webhooks: after each accepted send, ``sent`` then ``delivered`` (then ``read`` when
  :attr:`MetaSimulator.send_read_receipts`) statuses, :attr:`status_delay` seconds apart,
  each signed ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, body)>``;
  recipients in :attr:`undeliverable` get ``failed`` (131026) instead.
  :meth:`MetaSimulator.emit_inbound` posts a user's message on demand.

Example::

    async with Sandbox(["meta"], webhook_url="http://127.0.0.1:8080/hook") as sb:
        sim = sb.simulator("meta")
        await sim.emit_inbound(from_="+16505551234", text="hi")
"""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

from aiohttp import web

from whatsapp_async.simulation import Simulator
from whatsapp_async.webhooks import hmac_sha256_hex

from .simulator_templates import TemplateBook
from .simulator_validation import Rejection, SendCheck, validate_mark_read, validate_send
from .wire import ENCODER

__all__ = ["MetaSimulator"]

_VERSION = re.compile(r"v\d+\.\d+")

# Meta's short titles per code (the "(#code) title" of error.message).
_TITLES: dict[int, str] = {
    0: "AuthException",
    1: "API Unknown",
    2: "API Service",
    3: "API Method",
    4: "API Too Many Calls",
    10: "Permission Denied",
    33: "This phone number is deleted",
    100: "Invalid parameter",
    190: "Access token has expired",
    200: "API Permission",
    368: "Temporarily blocked for policies violations",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    130472: "User's number is part of an experiment",
    130497: "Business account is restricted from messaging users in this country",
    131000: "Something went wrong",
    131005: "Access denied",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131021: "Recipient cannot be sender",
    131026: "Message undeliverable",
    131031: "Business Account locked",
    131042: "Business eligibility payment issue",
    131045: "Incorrect certificate",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "Meta chose not to deliver",
    131051: "Unsupported message type",
    131052: "Media download error",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131057: "Account in maintenance mode",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132005: "Translated text too long",
    132007: "Template Format Character Policy Violated",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is Paused",
    132016: "Template is Disabled",
    133004: "Server temporarily unavailable",
    133010: "Phone number not registered",
}
_DEFAULT_CODE_FOR_STATUS = {400: 100, 401: 190, 403: 10, 404: 100, 429: 130429, 503: 2}


class MetaSimulator(Simulator):
    """Meta's Cloud API on aiohttp, for tests and the demo (see the module docs).

    Knobs: ``status_delay`` (seconds between webhook statuses), ``send_read_receipts``,
    ``message_status`` (what sends answer: ``accepted``, ``held_for_quality_assessment``
    or ``paused``), ``page_size`` (templates per page), ``undeliverable`` (numbers, as
    digits, whose messages fail), ``templates`` (a :class:`TemplateBook`).

    Example::

        sim = MetaSimulator()
        sim.settings()["phone_number_id"]  # '106540352242922'
    """

    name: ClassVar[str] = "meta"

    def __init__(self) -> None:
        super().__init__()
        self.token = "EAAsim" + secrets.token_urlsafe(24)
        self.phone_number_id = "106540352242922"
        self.display_phone_number = "15550783881"
        self.waba_id = "102290129340398"
        self.app_secret = secrets.token_hex(16)
        self.verify_token = "sim-verify-" + secrets.token_hex(8)
        self.templates = TemplateBook.default()
        self.status_delay = 0.05
        self.send_read_receipts = False
        self.message_status = "accepted"
        self.page_size = 4
        self.undeliverable: set[str] = set()
        self.sent: dict[str, dict[str, Any]] = {}
        """Accepted send bodies by the wamid they were given."""
        self.marked_read: list[tuple[str, bool]] = []
        """``(message_id, typing)`` of every accepted mark-read request."""

    # -- Simulator contract ---------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The credentials and ids this simulator accepts (and signs webhooks with).

        Example::

            WhatsApp("meta", base_url=sim.base_url, **sim.settings())
        """
        return {
            "token": self.token,
            "phone_number_id": self.phone_number_id,
            "waba_id": self.waba_id,
            "app_secret": self.app_secret,
            "verify_token": self.verify_token,
        }

    def add_routes(self, app: web.Application) -> None:
        """The Graph paths this simulator serves; anything else is Graph's 'unsupported'.

        Example::

            app = web.Application(); sim.add_routes(app)
        """
        app.router.add_post("/{version}/{node}/messages", self._handle_messages)
        app.router.add_get("/{version}/{node}/message_templates", self._handle_templates)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)

    def error_response(
        self, status: int, code: str | int | None, message: str | None = None
    ) -> web.Response:
        """Meta's error envelope for ``code`` (or a typical code for ``status``), as ``status``.

        Example::

            sim.error_response(400, 131047)  # (#131047) Re-engagement message
        """
        number = _code_number(code)
        if number is None:
            number = _DEFAULT_CODE_FOR_STATUS.get(status, 131000 if status >= 500 else 100)
        return self._graph_error(status, number, message)

    # -- handlers -------------------------------------------------------------------------------
    async def _handle_messages(self, request: web.Request) -> web.Response:
        try:
            self._check_access(request, node_kind="phone_number")
            try:
                body = await self.json_body(request)
            except ValueError:
                raise Rejection(100, "The request body is not valid JSON.") from None
            if not isinstance(body, dict):
                raise Rejection(100, "The request body must be a JSON object.")
            if "status" in body:
                self.marked_read.append(validate_mark_read(body))
                return self.json_response({"success": True})
            check = validate_send(body, self.templates)
        except Rejection as rejection:
            return self._reject(rejection)
        return self._accept(check, body)

    async def _handle_templates(self, request: web.Request) -> web.Response:
        try:
            self._check_access(request, node_kind="waba")
            limit_text = request.query.get("limit", "25")
            if not limit_text.isdigit() or int(limit_text) < 1:
                raise Rejection(100, "Param limit must be a positive integer.")
            size = min(int(limit_text), self.page_size)
            if "before" in request.query and "after" not in request.query:
                offset = max(0, _decode_cursor(request.query["before"]) - size)
            else:
                offset = _decode_cursor(request.query.get("after"))
        except Rejection as rejection:
            return self._reject(rejection)
        fields = request.query.get("fields")
        wanted = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
        name = request.query.get("name")
        items = [t for t in self.templates.templates if name is None or t.name == name]
        page = items[offset : offset + size]
        payload: dict[str, Any] = {"data": [t.listing(wanted) for t in page]}
        if page:
            end = offset + len(page)
            paging: dict[str, Any] = {
                "cursors": {"before": _encode_cursor(offset), "after": _encode_cursor(end)}
            }
            base = f"{request.url.origin()}{request.path}"
            if end < len(items):
                query = {k: v for k, v in request.query.items() if k != "before"}
                query["after"] = _encode_cursor(end)
                paging["next"] = f"{base}?{urlencode(query)}"
            if offset > 0:
                query = {k: v for k, v in request.query.items() if k != "after"}
                query["before"] = _encode_cursor(offset)
                paging["previous"] = f"{base}?{urlencode(query)}"
            payload["paging"] = paging
        return self.json_response(payload)

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return self._graph_error(
            400,
            100,
            f"Unsupported {request.method.lower()} request: no such endpoint {request.path}",
            error_type="GraphMethodException",
        )

    # -- helpers --------------------------------------------------------------------------------
    def _reject(self, rejection: Rejection) -> web.Response:
        return self._graph_error(
            rejection.status,
            rejection.code,
            rejection.details,
            error_type=rejection.error_type,
            subcode=rejection.subcode,
        )

    def _check_access(self, request: web.Request, *, node_kind: str) -> None:
        token = self.bearer_token(request) or request.query.get("access_token")
        if token is None or not secrets.compare_digest(token.encode(), self.token.encode()):
            raise Rejection(
                190, "Invalid OAuth access token - Cannot parse access token", status=401
            )
        version = request.match_info["version"]
        if not _VERSION.fullmatch(version):
            raise Rejection(100, f"Unknown Graph API version {version[:20]!r}")
        node = request.match_info["node"]
        expected = self.phone_number_id if node_kind == "phone_number" else self.waba_id
        if node != expected:
            raise _UnknownObject(node, request.method)

    def _graph_error(
        self,
        status: int,
        code: int,
        details: str | None,
        *,
        error_type: str = "OAuthException",
        subcode: int | None = None,
    ) -> web.Response:
        title = _TITLES.get(code, "Unknown error")
        error: dict[str, Any] = {
            "message": f"(#{code}) {title}" if code != 190 else details or title,
            "type": error_type,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or title},
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return self.json_response({"error": error}, status=status)

    def _accept(self, check: SendCheck, body: dict[str, Any]) -> web.Response:
        digits = check.to.lstrip("+")
        wamid = _new_wamid(digits)
        self.sent[wamid] = body
        contact: dict[str, Any] = {"input": check.to}
        if check.recipient_type == "individual":
            contact["wa_id"] = digits
        payload = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": wamid, "message_status": self.message_status}],
        }
        if self.webhook_url:
            opaque = body.get("biz_opaque_callback_data")

            async def deliver() -> None:
                await self._deliver_statuses(wamid, check, opaque)

            self.schedule(self.status_delay, deliver)
        return self.json_response(payload)

    async def _deliver_statuses(self, wamid: str, check: SendCheck, opaque: Any) -> None:
        digits = check.to.lstrip("+")
        if digits in self.undeliverable:
            steps = ["failed"]
        else:
            steps = ["sent", "delivered"] + (["read"] if self.send_read_receipts else [])
        for i, status in enumerate(steps):
            if i:
                await asyncio.sleep(self.status_delay)
            entry: dict[str, Any] = {
                "id": wamid,
                "status": status,
                "timestamp": str(int(time.time())),
                "recipient_id": digits,
            }
            if check.recipient_type == "group":
                entry["recipient_type"] = "group"
            if isinstance(opaque, str):
                entry["biz_opaque_callback_data"] = opaque
            if status == "sent":
                entry["pricing"] = {
                    "billable": True,
                    "pricing_model": "PMP",
                    "type": "regular",
                    "category": "marketing" if check.type == "template" else "service",
                }
            if status == "failed":
                entry["errors"] = [
                    {
                        "code": 131026,
                        "title": _TITLES[131026],
                        "message": _TITLES[131026],
                        "error_data": {"details": "The recipient is not a WhatsApp user."},
                    }
                ]
            await self.emit_value({"statuses": [entry]})

    # -- outbound webhooks ----------------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        """The ``X-Hub-Signature-256`` value for ``body`` under this simulator's app secret.

        Example::

            sim.sign(b"{}")  # 'sha256=...'
        """
        return "sha256=" + hmac_sha256_hex(self.app_secret, body)

    async def emit_value(self, value: Mapping[str, Any], *, field: str = "messages") -> int | None:
        """Post one signed ``whatsapp_business_account`` change with ``value`` to the webhook.

        ``messaging_product`` and ``metadata`` are filled in when ``value`` lacks them.
        Returns the receiver's HTTP status (0: unreachable; None: no webhook URL set).

        Example::

            await sim.emit_value({"errors": [{"code": 131052, "title": "Media download error"}]})
        """
        full = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": self.display_phone_number,
                "phone_number_id": self.phone_number_id,
            },
            **value,
        }
        envelope = {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [{"value": full, "field": field}]}],
        }
        payload = ENCODER.encode(envelope)
        return await self.post_webhook(payload, {"X-Hub-Signature-256": self.sign(payload)})

    async def emit_inbound(
        self,
        *,
        from_: str,
        text: str | None = None,
        message: Mapping[str, Any] | None = None,
        name: str = "Simulated User",
        reply_to: str | None = None,
    ) -> str:
        """Post a user's message to the webhook; returns its wamid.

        ``text`` makes a text message; ``message`` gives any other type as Meta spells
        it (``{"type": "image", "image": {...}}``). ``reply_to`` sets ``context.id``.

        Example::

            wamid = await sim.emit_inbound(from_="+16505551234", text="hi")
            await sim.emit_inbound(from_="16505551234", message={
                "type": "reaction", "reaction": {"message_id": wamid, "emoji": "👍"}})
        """
        digits = from_.lstrip("+")
        wamid = _new_wamid(digits)
        item: dict[str, Any] = {"from": digits, "id": wamid, "timestamp": str(int(time.time()))}
        if message is not None:
            item.update(message)
        else:
            item.update({"type": "text", "text": {"body": text or ""}})
        if reply_to is not None:
            item["context"] = {"from": self.display_phone_number, "id": reply_to}
        await self.emit_value(
            {"contacts": [{"profile": {"name": name}, "wa_id": digits}], "messages": [item]}
        )
        return wamid


class _UnknownObject(Rejection):
    """Graph's answer for an id that is not this simulator's number or account."""

    def __init__(self, node: str, method: str) -> None:
        super().__init__(
            100,
            f"Unsupported {method.lower()} request. Object with ID '{node[:40]}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
            error_type="GraphMethodException",
            subcode=33,
        )


def _code_number(code: str | int | None) -> int | None:
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return None


def _new_wamid(digits: str) -> str:
    # Real wamids are base64 of a small binary record that starts with the number.
    raw = b"\x1c\x18\x0b" + digits.encode()[:20] + b"\x15\x02\x00\x12\x18" + secrets.token_bytes(18)
    return "wamid." + base64.b64encode(raw).decode()


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        label, _, number = text.partition(":")
        if label == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise Rejection(100, "Param after/before is not a valid cursor.")
