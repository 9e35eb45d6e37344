"""A local Meta Cloud API: ``/messages``, mark-read, template listing, signed webhooks.

Served by ``whatsapp_async.testing.Sandbox`` on 127.0.0.1; any Meta client aimed at its
base URL works unchanged (versioned paths, JSON bodies, Meta's responses and error
envelope). What it does:

- Every path starts with a Graph version: one that is unknown, not released yet or past its
  end of availability (``simulator_versions``: v20.0 ran out on 24 Sep 2026; v21.0 to v26.0
  are served) answers ``400`` with code ``100`` (right after the token is checked).
- ``POST /{version}/{phone-number-id}/messages``: checks the Bearer token (a missing or
  wrong token gets ``401`` with code ``190``, ``OAuthException``), the phone number id (an
  unknown one gets ``400`` code ``100`` with subcode ``33``, ``GraphMethodException``) and
  the body, strictly (see ``simulator_validation``); answers Meta's success body with a
  fresh ``wamid``; a body with ``"status": "read"`` marks a message read
  (``{"success": true}``).
- ``GET /{version}/{waba-id}/message_templates``: the built-in templates
  (``simulator_templates``), at most :attr:`MetaSimulator.page_size` per page whatever
  ``limit`` asks, with Graph's ``paging.cursors`` and ``paging.next``.
- ``POST /{version}/{waba-id}/message_templates`` creates a template (checked by
  ``simulator_template_admin``) that is listed and sendable at once, with status
  :attr:`MetaSimulator.new_template_status` (``APPROVED`` by default, so tests need not
  wait for a review; set ``"PENDING"`` to see what an unreviewed template does);
  ``DELETE ...?name=...(&hsm_id=...)`` removes it (every language, or that one id)
  and answers ``{"success": true}``; an unknown name answers 404 with code 100.
- Media (``simulator_media``): ``POST /{version}/{phone-number-id}/media`` takes a
  multipart form (``messaging_product=whatsapp``, ``type`` = the MIME type, ``file``),
  checks type and size against Meta's table (an unaccepted type answers code 100, a
  file over its limit code 131053) and answers ``{"id"}``. ``GET /{version}/{media-id}``
  (optionally ``?phone_number_id=``) answers ``{messaging_product, url, mime_type,
  sha256 (hex), file_size, id}``; the ``url`` (on this simulator's host, shaped like
  Meta's ``lookaside`` URLs) works for :attr:`MetaSimulator.media_url_ttl` seconds
  (default 300, Meta's 5 minutes), needs the Bearer token (else 401/190) and answers a
  plain 404 once expired, as Meta's do (fetch a new URL). ``DELETE /{version}/{media-id}``
  answers ``{"success": true}``; a deleted or unknown id then answers 404 (code 100,
  subcode 33, ``GraphMethodException``). Sends by media id must name media the account
  holds (an upload, :meth:`MetaSimulator.add_generated_media`, or one of the ids Meta's
  documented examples use, see ``DOCUMENTED_MEDIA``); any other id answers 400 code
  131053, unless :attr:`MetaSimulator.strict_media_ids` is off.
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
import secrets
import time
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any, ClassVar
from urllib.parse import urlencode

from aiohttp import web

from whatsapp_async.provider import PLATFORM_MEDIA_LIMITS, hmac_sha256_hex
from whatsapp_async.provider.cloudapi import error_title
from whatsapp_async.testing import Simulator

from .simulator_media import FormPart, MediaStore, SimMedia, media_ids_in, parse_form
from .simulator_template_admin import new_template
from .simulator_templates import TemplateBook
from .simulator_validation import Rejection, SendCheck, validate_mark_read, validate_send
from .simulator_versions import GRAPH_VERSIONS, expired, version_problem
from .wire import ENCODER

__all__ = ["MetaSimulator"]

_DEFAULT_CODE_FOR_STATUS = {400: 100, 401: 190, 403: 10, 404: 100, 429: 130429, 503: 2}
_DOWNLOAD_PATH = "/whatsapp_business/attachments/"


class MetaSimulator(Simulator):
    """Meta's Cloud API on aiohttp, for tests and the demo (see the module docs).

    Knobs: ``status_delay`` (seconds between webhook statuses), ``send_read_receipts``,
    ``message_status`` (what sends answer: ``accepted``, ``held_for_quality_assessment``
    or ``paused``), ``page_size`` (templates per page), ``undeliverable`` (numbers, as
    digits, whose messages fail), ``templates`` (a :class:`TemplateBook`),
    ``new_template_status`` (``APPROVED``), ``media`` (a :class:`MediaStore`),
    ``media_url_ttl`` (seconds a download URL works, 300), ``strict_media_ids``,
    ``enforce_windows`` (refuse free-form sends outside the 24 h window with 131047;
    ``last_inbound`` holds when each user last wrote).
    ``api_versions`` / ``today`` / ``reject_expired_versions`` (which Graph versions are
    served: those PROVIDER_FACTS §6.7 lists, until their end date).

    Example::

        sim = MetaSimulator()
        sim.settings()["phone_number_id"]  # '106540352242922'
    """

    name: ClassVar[str] = "meta"
    # Uploads up to Meta's largest media limit (documents, 100 MB) plus the form's overhead.
    max_request_body: ClassVar[int] = (
        max(limit.max_bytes for limit in PLATFORM_MEDIA_LIMITS.values()) + 1024 * 1024
    )

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
        self.enforce_windows = False
        """Refuse free-form sends outside the user's 24 h window with 131047, as Meta does."""
        self.last_inbound: dict[str, float] = {}
        """When each user (digits) last wrote: ``emit_inbound`` sets it (epoch seconds)."""
        self.sent: dict[str, dict[str, Any]] = {}
        """Accepted send bodies by the wamid they were given."""
        self.marked_read: list[tuple[str, bool]] = []
        """``(message_id, typing)`` of every accepted mark-read request."""
        self.new_template_status = "APPROVED"
        self.media = MediaStore.with_documented_media()
        self.media_url_ttl = 300.0
        self.strict_media_ids = True
        self.api_versions: dict[str, tuple[date, date | None]] = dict(GRAPH_VERSIONS)
        """Graph versions served: version -> (released, available until or None)."""
        self.today: date | None = None
        """The date versions are judged on (None: today's UTC date)."""
        self.reject_expired_versions = True
        """Refuse an expired version (code 100); off, it is served as Meta's policy does."""
        self.numbers: dict[str, str] = {self.phone_number_id: self.display_phone_number}
        """Every business number the token may send from: phone number id -> display digits
        (:meth:`add_number` adds more)."""
        self.user_phones: dict[str, str] = {}
        """Business-scoped user id -> phone digits Meta may share in statuses (unset: none)."""
        self.sent_from: dict[str, str] = {}
        """The phone number id each accepted send (by wamid) went out from."""

    def add_number(self, phone_number_id: str, display_phone_number: str) -> None:
        """Let the token send from one more business number (several numbers, one token).

        Example::

            sim.add_number("106540352242923", "15550783882")
            WhatsApp("meta", phone_number_ids="106540352242923", **sim.settings())
        """
        self.numbers[phone_number_id] = display_phone_number.lstrip("+")

    def add_generated_media(self, size: int, mime_type: str) -> SimMedia:
        """Hold a ``size``-byte file made on the fly when downloaded; returns it (``.id``,
        ``.sha256``). Nothing of that size is kept in memory, here or in the caller.

        Example::

            media = sim.add_generated_media(50 * 1024 * 1024, "video/mp4")
            path = await wa.download_media(media.id, dest=tmp_path / "big.mp4")
        """
        return self.media.add_generated(size, mime_type)

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
        app.router.add_get(_DOWNLOAD_PATH, self._handle_download)
        app.router.add_post("/{version}/{node}/messages", self._handle_messages)
        app.router.add_post("/{version}/{node}/media", self._handle_upload)
        app.router.add_get("/{version}/{node}/message_templates", self._handle_templates)
        app.router.add_post("/{version}/{node}/message_templates", self._handle_create_template)
        app.router.add_delete("/{version}/{node}/message_templates", self._handle_delete_template)
        app.router.add_get("/{version}/{node}", self._handle_media_get)
        app.router.add_delete("/{version}/{node}", self._handle_media_delete)
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
            if self.strict_media_ids:
                self._check_media_ids(body)
            if self.enforce_windows:
                self._check_window(check)
        except Rejection as rejection:
            return self._reject(rejection)
        return self._accept(check, body, request.match_info["node"])

    def _check_window(self, check: SendCheck) -> None:
        """131047 for a free-form send to a user who has not written in the last 24 h."""
        if check.type == "template" or check.recipient_type != "individual":
            return
        last = self.last_inbound.get(check.to.lstrip("+"))
        if last is None or time.time() - last > 24 * 3600:
            raise Rejection(
                131047,
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.",
            )

    def _check_media_ids(self, body: dict[str, Any]) -> None:
        for media_id in media_ids_in(body):
            if self.media.get(media_id) is None:
                raise Rejection(
                    131053,
                    f"Media upload error: media id {media_id[:40]!r} does not exist or was "
                    "deleted.",
                )

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

    async def _handle_create_template(self, request: web.Request) -> web.Response:
        try:
            self._check_access(request, node_kind="waba")
            try:
                body = await self.json_body(request)
            except ValueError:
                raise Rejection(100, "The request body is not valid JSON.") from None
            template = new_template(
                body,
                self.templates,
                template_id=self._new_template_id(),
                status=self.new_template_status,
            )
        except Rejection as rejection:
            return self._reject(rejection)
        self.templates.add(template)
        return self.json_response(
            {"id": template.id, "status": template.status, "category": template.category}
        )

    async def _handle_delete_template(self, request: web.Request) -> web.Response:
        try:
            self._check_access(request, node_kind="waba")
            name = request.query.get("name")
            if not name:
                raise Rejection(100, "The parameter name is required.")
            if not self.templates.remove(name, request.query.get("hsm_id")):
                raise Rejection(100, f"Message template {name[:60]!r} does not exist.", status=404)
        except Rejection as rejection:
            return self._reject(rejection)
        return self.json_response({"success": True})

    async def _handle_upload(self, request: web.Request) -> web.Response:
        try:
            self._check_access(request, node_kind="phone_number")
            try:
                parts = parse_form(await request.read(), request.headers.get("Content-Type", ""))
            except ValueError as exc:
                raise Rejection(100, f"The upload must be multipart/form-data ({exc}).") from None
            fields: dict[str, FormPart] = {}
            for part in parts:
                fields.setdefault(part.name, part)
            product = fields.get("messaging_product")
            if product is None:
                raise Rejection(100, "The parameter messaging_product is required.")
            if product.text() != "whatsapp":
                raise Rejection(100, "Param messaging_product must be 'whatsapp'.")
            file = fields.get("file")
            if file is None or file.filename is None:
                raise Rejection(100, "The parameter file is required.")
            declared = fields.get("type")
            if declared is None or not declared.text().strip():
                raise Rejection(100, "The parameter type is required.")
            mime_type = declared.text().split(";", 1)[0].strip().lower()
            _check_upload(mime_type, len(file.data))
        except Rejection as rejection:
            return self._reject(rejection)
        media = self.media.add_bytes(file.data, mime_type)
        return self.json_response({"id": media.id})

    async def _handle_media_get(self, request: web.Request) -> web.Response:
        if not self._is_media_node(request.match_info["node"]):
            return await self._handle_unknown(request)
        try:
            media = self._owned_media(request)
        except Rejection as rejection:
            return self._reject(rejection)
        token, expires = self.media.issue_url(media.id, self.media_url_ttl)
        query = urlencode({"mid": media.id, "ext": expires, "hash": token})
        return self.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{request.url.origin()}{_DOWNLOAD_PATH}?{query}",
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": str(media.size),
                "id": media.id,
            }
        )

    async def _handle_media_delete(self, request: web.Request) -> web.Response:
        if not self._is_media_node(request.match_info["node"]):
            return await self._handle_unknown(request)
        try:
            media = self._owned_media(request)
        except Rejection as rejection:
            return self._reject(rejection)
        self.media.delete(media.id)
        return self.json_response({"success": True})

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        token = self.bearer_token(request)
        if token is None or not secrets.compare_digest(token.encode(), self.token.encode()):
            return self._graph_error(
                401, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        media = self.media.resolve(request.query.get("hash", ""))
        if media is None or media.id != request.query.get("mid"):
            # Meta's media URLs simply stop working: a plain 404, not a Graph error.
            return web.Response(status=404, text="URL signature expired or unknown")
        response = web.StreamResponse()
        response.content_type = media.mime_type
        response.content_length = media.size
        await response.prepare(request)
        for chunk in media.chunks():
            await response.write(chunk)
        await response.write_eof()
        return response

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

    def _check_token_and_version(self, request: web.Request) -> None:
        token = self.bearer_token(request) or request.query.get("access_token")
        if token is None or not secrets.compare_digest(token.encode(), self.token.encode()):
            raise Rejection(
                190, "Invalid OAuth access token - Cannot parse access token", status=401
            )
        version = request.match_info["version"]
        today = self.today or datetime.now(timezone.utc).date()
        problem = version_problem(version, today, self.api_versions)
        if problem is not None and (
            self.reject_expired_versions or not expired(version, today, self.api_versions)
        ):
            raise Rejection(100, problem)

    def _check_access(self, request: web.Request, *, node_kind: str) -> None:
        self._check_token_and_version(request)
        node = request.match_info["node"]
        known = node in self.numbers if node_kind == "phone_number" else node == self.waba_id
        if not known:
            raise _UnknownObject(node, request.method)

    def _is_media_node(self, node: str) -> bool:
        # Graph object ids are numbers; the number and account nodes have their own edges.
        if node in self.numbers or node == self.waba_id:
            return False
        return node.isdigit() or self.media.get(node) is not None

    def _owned_media(self, request: web.Request) -> SimMedia:
        """The media the path names, if it exists and belongs to ``?phone_number_id=``."""
        self._check_token_and_version(request)
        node = request.match_info["node"]
        media = self.media.get(node)
        owner = request.query.get("phone_number_id")
        if media is None or (owner is not None and owner != self.phone_number_id):
            raise _UnknownObject(node, request.method, status=404)
        return media

    def _new_template_id(self) -> str:
        taken = {t.id for t in self.templates.templates}
        while True:
            candidate = str(10**15 + secrets.randbelow(9 * 10**15))
            if candidate not in taken:
                return candidate

    def _graph_error(
        self,
        status: int,
        code: int,
        details: str | None,
        *,
        error_type: str = "OAuthException",
        subcode: int | None = None,
    ) -> web.Response:
        title = error_title(code)
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

    def _accept(self, check: SendCheck, body: dict[str, Any], number: str) -> web.Response:
        digits = check.to.lstrip("+")
        wamid = _new_wamid(digits)
        self.sent[wamid] = body
        self.sent_from[wamid] = number
        contact: dict[str, Any] = {"input": check.to}
        if check.user_id is not None:
            # Meta's documented answer to a send to a BSUID: no phone, the user id echoed.
            contact["wa_id"] = ""
            contact["user_id"] = check.user_id
        elif check.recipient_type == "individual":
            contact["wa_id"] = digits
        payload = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": wamid, "message_status": self.message_status}],
        }
        if self.webhook_url:
            opaque = body.get("biz_opaque_callback_data")

            async def deliver() -> None:
                await self._deliver_statuses(wamid, check, opaque, number)

            self.schedule(self.status_delay, deliver)
        return self.json_response(payload)

    async def _deliver_statuses(
        self, wamid: str, check: SendCheck, opaque: Any, number: str | None = None
    ) -> None:
        digits = check.to.lstrip("+")
        if check.user_id is not None:
            digits = self.user_phones.get(check.user_id, "")
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
            value: dict[str, Any] = {"statuses": [entry]}
            if check.user_id is not None:
                entry["recipient_user_id"] = check.user_id
                if status != "failed":
                    value["contacts"] = [
                        {
                            "profile": {"name": "Simulated User"},
                            "wa_id": digits,
                            "user_id": check.user_id,
                        }
                    ]
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
                        "title": error_title(131026),
                        "message": error_title(131026),
                        "error_data": {"details": "The recipient is not a WhatsApp user."},
                    }
                ]
            await self.emit_value(value, phone_number_id=number)

    # -- outbound webhooks ----------------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        """The ``X-Hub-Signature-256`` value for ``body`` under this simulator's app secret.

        Example::

            sim.sign(b"{}")  # 'sha256=...'
        """
        return "sha256=" + hmac_sha256_hex(self.app_secret, body)

    async def emit_value(
        self,
        value: Mapping[str, Any],
        *,
        field: str = "messages",
        phone_number_id: str | None = None,
    ) -> int | None:
        """Post one signed ``whatsapp_business_account`` change with ``value`` to the webhook.

        ``messaging_product`` and ``metadata`` (of ``phone_number_id``, by default the first
        number) are filled in when a ``messages`` value lacks them; other fields (template,
        account, ... updates) are posted as given. Returns the receiver's HTTP status (0:
        unreachable; None: no webhook URL set).

        Example::

            await sim.emit_value({"errors": [{"code": 131052, "title": "Media download error"}]})
            await sim.emit_value({"event": "APPROVED", "message_template_name": "promo"},
                                 field="message_template_status_update")
        """
        number = phone_number_id or self.phone_number_id
        full: dict[str, Any] = dict(value)
        if field in ("messages", "user_preferences") or field.startswith("group_"):
            full = {
                "messaging_product": "whatsapp",
                "metadata": {
                    "display_phone_number": self.numbers.get(number, self.display_phone_number),
                    "phone_number_id": number,
                },
                **value,
            }
        envelope = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": self.waba_id,
                    "time": int(time.time()),
                    "changes": [{"value": full, "field": field}],
                }
            ],
        }
        payload = ENCODER.encode(envelope)
        return await self.post_webhook(payload, {"X-Hub-Signature-256": self.sign(payload)})

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
        message: Mapping[str, Any] | None = None,
    ) -> str:
        """Post a user's message to the webhook; returns its wamid.

        The signature every simulator shares (``Simulator.emit_inbound``): ``from_`` is the
        user's phone, ``user_id`` their business-scoped user id (give only ``user_id`` for a
        username user whose phone Meta hides: ``from`` is then ``""``), ``username`` their
        username, ``to`` the business number it is sent to (a phone number id of
        :attr:`numbers`; default the first). ``text`` makes a text message; ``message`` gives
        any other type as Meta spells it (``{"type": "image", "image": {...}}``);
        ``reply_to`` sets ``context.id``.

        Example::

            wamid = await sim.emit_inbound(from_="+16505551234", text="hi")
            await sim.emit_inbound(user_id="US.13491208655302741918", username="@sheena",
                                   text="hi")
            await sim.emit_inbound(from_="16505551234", message={
                "type": "reaction", "reaction": {"message_id": wamid, "emoji": "👍"}})
        """
        if from_ is None and user_id is None:
            raise ValueError("emit_inbound needs from_ (a phone) or user_id (a BSUID)")
        digits = (from_ or "").lstrip("+")
        number = to or self.phone_number_id
        wamid = _new_wamid(digits or "0")
        now = time.time()
        # One user, one window, whichever identity a later send names (phone or BSUID).
        for identity in (digits, user_id):
            if identity:
                self.last_inbound[identity] = now
        item: dict[str, Any] = {"from": digits, "id": wamid, "timestamp": str(int(now))}
        if user_id is not None:
            item["from_user_id"] = user_id
        if message is not None:
            item.update(message)
        else:
            item.update({"type": "text", "text": {"body": text or ""}})
        if reply_to is not None:
            display = self.numbers.get(number, self.display_phone_number)
            item["context"] = {"from": display, "id": reply_to}
        profile: dict[str, Any] = {"name": name} if name is not None else {}
        if username is not None:
            profile["username"] = username
        contact: dict[str, Any] = {"profile": profile, "wa_id": digits}
        if user_id is not None:
            contact["user_id"] = user_id
        await self.emit_value({"contacts": [contact], "messages": [item]}, phone_number_id=number)
        return wamid


class _UnknownObject(Rejection):
    """Graph's answer for an id that is not this simulator's number, account or media."""

    def __init__(self, node: str, method: str, *, status: int = 400) -> None:
        super().__init__(
            100,
            f"Unsupported {method.lower()} request. Object with ID '{node[:40]}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation.",
            status=status,
            error_type="GraphMethodException",
            subcode=33,
        )


def _check_upload(mime_type: str, size: int) -> None:
    """Meta's type and size rules for an upload, as Graph errors."""
    fitting = [limit for limit in PLATFORM_MEDIA_LIMITS.values() if mime_type in limit.mime_types]
    if not fitting:
        accepted = sorted({m for limit in PLATFORM_MEDIA_LIMITS.values() for m in limit.mime_types})
        raise Rejection(
            100,
            f"Param file must be a file with one of the following types: {', '.join(accepted)}. "
            f"Received file of type '{mime_type[:60]}'.",
        )
    largest = max(limit.max_bytes for limit in fitting)
    if size > largest:
        raise Rejection(
            131053,
            f"Media upload error: the file is {size} bytes; {mime_type} files may be at most "
            f"{largest} bytes.",
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
