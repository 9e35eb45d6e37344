"""A simulator of Magpipe's two WhatsApp endpoints, its errors, and its inbound forward.

It behaves as Magpipe's functions do, in their order: ``OPTIONS`` answers the
CORS preflight; a missing or unknown bearer key is 401 ``{"error":"Unauthorized"}``
(checked before the method); any method but ``POST`` is 405 with the plain text
``Method Not Allowed``; a body that is not JSON is 400 ``{"error":"Invalid JSON"}``;
missing fields are 400 with Magpipe's exact sentences; the template endpoint
then checks ``agent_id`` against a UUID pattern and ``to`` against
``^\\+[1-9]\\d{7,14}$``; an unknown ``phone_number_id`` / agent is 404.

What Meta would refuse is answered as Magpipe relays it, 502 with Meta's error
in ``detail``: a ``recipient_wa_id`` that is not digits, a text over 4096
characters, or malformed template components give Meta's ``(#100) Invalid
parameter``. Accepted sends answer 200 with a wamid shaped like Meta's (and the
stored row on the text endpoint) and are kept in :attr:`MagpipeSimulator.sent`,
so :meth:`MagpipeSimulator.emit_inbound` can echo their ``metadata`` the way
Magpipe does when the user replies.

Faults come from the base class; :meth:`MagpipeSimulator.error_response` gives
them Magpipe's bodies: flat ``{"error": ...}`` by default, Meta's error inside
``detail`` for 502 (``code=131047`` etc.), and the general API's nested
``{"error": {"code", "message"}}`` for other statuses given a string code.

Example::

    async with Sandbox(["magpipe"]) as sb:
        sim = sb.simulator("magpipe")
        sb.fail_next("magpipe", status=502, code=131047)  # -> OutsideWindowError
        sim.set_webhook("http://127.0.0.1:8080/hook")
        await sim.emit_inbound(from_="+16045628647", content="Report done")
"""

from __future__ import annotations

import base64
import math
import re
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import msgspec
from aiohttp import web

from whatsapp_async.provider.cloudapi import error_title
from whatsapp_async.testing import Simulator

# The documented paths and limits, from the leaf module the adapter also reads (never the
# adapter itself: the simulator is what checks it).
from .api import MESSAGE_PATH, TEMPLATE_PATH, TEMPLATE_TO, TEXT_MAX
from .wire import encode

__all__ = ["DEFAULT_AGENT_ID", "DEFAULT_PHONE_NUMBER_ID", "MagpipeSimulator", "SentMessage"]

DEFAULT_PHONE_NUMBER_ID = "1026733600525693"
DEFAULT_AGENT_ID = "d920763c-59d8-490e-ad69-b6a3295e23a8"

TEMPLATE_DOCS = "https://developers.facebook.com/docs/whatsapp/message-templates/guidelines"
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_WA_ID = re.compile(r"^[1-9]\d{6,14}$")
_COMPONENT_TYPES = frozenset({"header", "body", "button", "carousel", "limited_time_offer"})

# Meta's ``error_data.details`` sentence per code (the titles are Meta's, from cloudapi).
_META_DETAILS: dict[int, str] = {
    100: "A parameter of the message is invalid.",
    130429: "Cloud API message throughput has been reached.",
    131000: "Message failed to send because of an unknown error.",
    131026: "Message could not be delivered to the recipient.",
    131047: "More than 24 hours have passed since the recipient last replied to this number.",
    131056: "Too many messages sent from this number to the same recipient in a short time.",
    132000: "The number of template parameters does not match the template.",
    132001: "The template does not exist in this language or is not approved.",
    190: "The stored access token is expired or invalid.",
}


class SentMessage(msgspec.Struct, kw_only=True):
    """One send the simulator accepted (what Magpipe stores as an outbound row).

    Example::

        sim.sent[-1].message_id, sim.sent[-1].recipient, sim.sent[-1].metadata
    """

    message_id: str
    route: str
    recipient: str
    content: str
    metadata: dict[str, Any] | None = None
    request: dict[str, Any] = msgspec.field(default_factory=dict)


class MagpipeSimulator(Simulator):
    """Magpipe's ``/send-whatsapp-message`` and ``/send-whatsapp-template`` on aiohttp.

    Accepts one ``mgp_`` key (40 random hex characters per simulator), the
    phone number ids in :attr:`phone_number_ids` and the agents in
    :attr:`agent_ids` (add more to model several accounts).
    :meth:`limit_requests` turns on the documented per-user limit with its
    ``X-RateLimit-*`` headers (off by default, like the real WhatsApp functions).

    Example::

        sim = MagpipeSimulator()
        sim.settings()  # {"api_key": "mgp_...", "phone_number_id": "...", "agent_id": "..."}
    """

    name = "magpipe"

    def __init__(self) -> None:
        super().__init__()
        self.api_key = "mgp_" + secrets.token_hex(20)
        self.inbound: list[dict[str, Any]] = []
        """Every payload :meth:`emit_inbound` posted."""
        self.phone_number_ids: set[str] = {DEFAULT_PHONE_NUMBER_ID}
        self.agent_ids: set[str] = {DEFAULT_AGENT_ID}
        self.whatsapp_account_id = str(uuid.uuid4())
        self.sent: list[SentMessage] = []
        self._limit: tuple[int, float] | None = None
        self._window_start = 0.0
        self._window_count = 0

    # -- Simulator contract -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The key and ids this simulator accepts.

        Example::

            WhatsApp("magpipe", base_url=sim.base_url, **sim.settings())
        """
        return {
            "api_key": self.api_key,
            "phone_number_id": DEFAULT_PHONE_NUMBER_ID,
            "agent_id": DEFAULT_AGENT_ID,
        }

    def add_routes(self, app: web.Application) -> None:
        """Both endpoints, for every method (the functions answer non-POST themselves).

        Example::

            app = sim.make_app()  # calls add_routes(app)
        """
        app.router.add_route("*", MESSAGE_PATH, self.handle_message)
        app.router.add_route("*", TEMPLATE_PATH, self.handle_template)

    def error_response(
        self, status: int, code: str | int | None, message: str | None = None
    ) -> web.Response:
        """Magpipe's answer for an injected fault (see the module docs for the shapes).

        The endpoint being faulted (the last recorded request) picks the wording:
        on 502 the text endpoint relays Meta's raw error JSON in ``detail``, the
        template endpoint only Meta's ``error.message`` (plus ``docs``).

        Example::

            sim.error_response(502, 131047)  # {"error": "Failed to send ...", "detail": ...}
        """
        template = bool(self.records) and self.records[-1].path == TEMPLATE_PATH
        if status == 405:
            return web.Response(status=405, text="Method Not Allowed", headers=_CORS)
        meta_code = _as_meta_code(code)
        if status == 502 and (meta_code is not None or code is None):
            return self._meta_failure(
                meta_code if meta_code is not None else 131000, template, message
            )
        if code is not None:
            nested = {"code": str(code), "message": message or _default_error(status, template)}
            return self._json({"data": None, "error": nested}, status, rate=status == 429)
        payload: dict[str, Any] = {"error": message or _default_error(status, template)}
        if status == 400 and template and message is None:
            payload["docs"] = TEMPLATE_DOCS
        return self._json(payload, status, rate=status == 429)

    # -- controls -------------------------------------------------------------------------------
    def limit_requests(self, limit: int | None, window: float = 60.0) -> None:
        """Enforce ``limit`` authenticated requests per ``window`` seconds (None: off).

        Every answer then carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining``
        and ``X-RateLimit-Reset`` (epoch seconds, as Magpipe's docs show); requests
        over the limit get 429.

        Example::

            sim.limit_requests(100)  # the documented 100 requests/min per user
        """
        self._limit = None if limit is None else (limit, window)
        self._window_start = time.time()
        self._window_count = 0

    async def emit_inbound(
        self,
        *,
        from_: str | None = None,
        text: str | None = None,
        user_id: str | None = None,
        username: str | None = None,
        name: str | None = "John",
        reply_to: str | None = None,
        to: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        media: Sequence[Mapping[str, Any]] | None = None,
        timestamp: int | None = None,
    ) -> str:
        """POST a ``whatsapp.received`` forward to :attr:`webhook_url`, unsigned, as Magpipe does;
        return its wamid (the payload is appended to :attr:`inbound`).

        The shared signature (``Simulator.emit_inbound``): ``from_`` the user's phone (Magpipe
        forwards digits; it has no user ids), ``name`` the ``contact_name``, ``reply_to`` the
        replied-to wamid, ``to`` the ``phone_number_id`` it came to. Without ``metadata``,
        Magpipe's echo is reproduced: the metadata of the replied-to send, else of the newest
        send to this contact that had any. The receiver's answer is appended to
        ``webhook_deliveries``.

        Example::

            sim.set_webhook(url)
            wamid = await sim.emit_inbound(from_="+16045628647", text="Done",
                                           reply_to=result.id)
        """
        if not self.webhook_url:
            raise RuntimeError("set_webhook(url) first: Magpipe forwards only to a webhook_url")
        if from_ is None:
            raise ValueError("magpipe forwards phone numbers only: give from_")
        sender = re.sub(r"\D", "", from_)
        echoed = dict(metadata) if metadata is not None else self._echo(sender, reply_to)
        payload: dict[str, Any] = {
            "event": "whatsapp.received",
            "conversation_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"magpipe:{sender}")),
            "from": sender,
            "content": text or "",
            "media": [dict(item) for item in media] if media else [],
            "phone_number_id": to or DEFAULT_PHONE_NUMBER_ID,
            "whatsapp_account_id": self.whatsapp_account_id,
            "message_id": _wamid(sender),
            "context": {"in_reply_to_message_id": reply_to} if reply_to else None,
            "metadata": echoed,
            "timestamp": str(int(time.time()) if timestamp is None else timestamp),
            "contact_name": name,
        }
        self.inbound.append(payload)
        await self.post_webhook(encode(payload), {})
        return str(payload["message_id"])

    def _echo(self, sender: str, in_reply_to: str | None) -> dict[str, Any] | None:
        if in_reply_to:
            for sent in self.sent:
                if sent.message_id == in_reply_to and sent.metadata is not None:
                    return sent.metadata
        for sent in reversed(self.sent):
            if sent.recipient == sender and sent.metadata is not None:
                return sent.metadata
        return None

    # -- handlers -------------------------------------------------------------------------------
    async def handle_message(self, request: web.Request) -> web.StreamResponse:
        """``/send-whatsapp-message``: a text via the number ``phone_number_id``.

        Example (HTTP)::

            POST /send-whatsapp-message {"phone_number_id": "1026733600525693",
                                         "recipient_wa_id": "14155551234", "message": "hi"}
        """
        early, body = await self._preamble(request)
        if early is not None:
            return early
        fields = body if isinstance(body, dict) else {}
        phone_number_id = fields.get("phone_number_id")
        recipient = fields.get("recipient_wa_id")
        text = fields.get("message")
        if not (_truthy(phone_number_id) and _truthy(recipient) and _truthy(text)):
            return self._json(
                {"error": "phone_number_id, recipient_wa_id, and message are required"}, 400
            )
        if not isinstance(phone_number_id, str) or phone_number_id not in self.phone_number_ids:
            return self._json({"error": "WhatsApp account not found"}, 404)
        if not (isinstance(recipient, str) and _WA_ID.match(recipient)):
            return self._meta_failure(100, False, "recipient_wa_id must be digits, no '+'")
        if not isinstance(text, str) or len(text) > TEXT_MAX:
            return self._meta_failure(100, False, "text body must be a string of <= 4096 chars")
        metadata = fields.get("metadata")
        kept = metadata if isinstance(metadata, dict) else None  # Magpipe ignores non-objects
        message_id = _wamid(recipient)
        stored = {
            "id": f"msg_{uuid.uuid4()}",
            "content": text,
            "direction": "outbound",
            "status": "sent",
            "channel": "whatsapp",
            "sent_at": _iso_now(),
            "sender_number": phone_number_id,
            "recipient_number": recipient,
            "external_id": message_id,
            "metadata": kept,
        }
        self.sent.append(
            SentMessage(
                message_id=message_id,
                route=MESSAGE_PATH,
                recipient=recipient,
                content=text,
                metadata=kept,
                request=fields,
            )
        )
        return self._json({"success": True, "message_id": message_id, "stored": stored}, 200)

    async def handle_template(self, request: web.Request) -> web.StreamResponse:
        """``/send-whatsapp-template``: an approved template via the agent's number.

        Example (HTTP)::

            POST /send-whatsapp-template {"agent_id": "d920763c-...", "to": "+16045628647",
                                          "template_name": "upcoming_site_report"}
        """
        early, body = await self._preamble(request)
        if early is not None:
            return early
        fields = body if isinstance(body, dict) else {}
        agent_id = fields.get("agent_id")
        to = fields.get("to")
        name = fields.get("template_name")
        if not (_truthy(agent_id) and _truthy(to) and _truthy(name)):
            return self._json(
                {"error": "agent_id, to, and template_name are required", "docs": TEMPLATE_DOCS},
                400,
            )
        if not (isinstance(agent_id, str) and _UUID.match(agent_id)):
            return self._json({"error": "agent_id must be a valid UUID"}, 400)
        if not (isinstance(to, str) and TEMPLATE_TO.match(to)):
            return self._json({"error": "to must be a valid E.164 phone number"}, 400)
        if agent_id.lower() not in {a.lower() for a in self.agent_ids}:
            return self._json({"error": "No active WhatsApp account found for this agent"}, 404)
        language = fields.get("language", "en_US")
        components = fields.get("components")
        problem = _template_problem(name, language, components)
        if problem is not None:
            return self._meta_failure(100, True, problem)
        metadata = fields.get("metadata")
        message_id = _wamid(to[1:])
        self.sent.append(
            SentMessage(
                message_id=message_id,
                route=TEMPLATE_PATH,
                recipient=to[1:],
                content=f"[Template: {name}]",
                metadata=metadata if isinstance(metadata, dict) else None,
                request=fields,
            )
        )
        return self._json({"success": True, "message_id": message_id}, 200)

    async def _preamble(self, request: web.Request) -> tuple[web.StreamResponse | None, Any]:
        """CORS, auth, rate limit, method and JSON, in Magpipe's order."""
        if request.method == "OPTIONS":
            return web.Response(text="ok", headers=_CORS), None
        header = request.headers.get("Authorization", "")
        # Magpipe strips the first "Bearer " and looks the rest up; nothing else authenticates.
        token = header.replace("Bearer ", "", 1)
        if not header or not secrets.compare_digest(token.encode(), self.api_key.encode()):
            return self._json({"error": "Unauthorized"}, 401), None
        limited = self._count_request()
        if limited is not None:
            return limited, None
        if request.method != "POST":
            return web.Response(status=405, text="Method Not Allowed", headers=_CORS), None
        try:
            body = await self.json_body(request)
        except ValueError:
            return self._json({"error": "Invalid JSON"}, 400), None
        return None, body

    def _count_request(self) -> web.Response | None:
        if self._limit is None:
            return None
        limit, window = self._limit
        now = time.time()
        if now - self._window_start >= window:
            self._window_start = now
            self._window_count = 0
        self._window_count += 1
        if self._window_count > limit:
            return self._json(
                {"data": None, "error": {"code": "RATE_LIMITED", "message": "Rate limit exceeded"}},
                429,
            )
        return None

    # -- responses ------------------------------------------------------------------------------
    def _json(self, payload: Any, status: int, *, rate: bool = False) -> web.Response:
        headers = dict(_CORS)
        headers.update(self._rate_headers(for_429=rate))
        return web.Response(
            status=status, body=encode(payload), content_type="application/json", headers=headers
        )

    def _rate_headers(self, *, for_429: bool) -> dict[str, str]:
        if self._limit is None:
            # An injected 429 says how full the bucket is but leaves the wait to Retry-After.
            return {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"} if for_429 else {}
        limit, window = self._limit
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - self._window_count)),
            "X-RateLimit-Reset": str(math.ceil(self._window_start + window)),
        }

    def _meta_failure(self, code: int, template: bool, message: str | None) -> web.Response:
        details = _META_DETAILS.get(code, "Meta refused the message.")
        meta_message = f"(#{code}) {error_title(code)}"
        if template:
            payload: dict[str, Any] = {
                "error": "Failed to send template",
                "detail": meta_message,
                "docs": TEMPLATE_DOCS,
            }
        else:
            meta_error = {
                "error": {
                    "message": meta_message,
                    "type": "OAuthException",
                    "code": code,
                    "error_data": {"messaging_product": "whatsapp", "details": message or details},
                    "fbtrace_id": secrets.token_urlsafe(16),
                }
            }
            payload = {
                "error": "Failed to send WhatsApp message",
                "detail": encode(meta_error).decode(),
            }
        return self._json(payload, 502)


def _truthy(value: Any) -> bool:
    """JavaScript truthiness, as Magpipe's ``if (!field)`` checks apply it."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0
    return True


def _template_problem(name: Any, language: Any, components: Any) -> str | None:
    """What Meta would refuse in a template send, or None."""
    if not isinstance(name, str):
        return "template_name must be a string"
    if not isinstance(language, str) or not language:
        return "language must be a language code such as en_US"
    # Magpipe forwards components only when they are a non-empty array.
    if not isinstance(components, list) or not components:
        return None
    for position, component in enumerate(components):
        if not isinstance(component, dict) or component.get("type") not in _COMPONENT_TYPES:
            return f"components[{position}] must be an object with a known type"
        if component["type"] == "button" and (
            component.get("sub_type") is None or component.get("index") is None
        ):
            return f"components[{position}]: buttons need sub_type and index"
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list) or not all(
            isinstance(p, dict) and isinstance(p.get("type"), str) for p in parameters
        ):
            return f"components[{position}].parameters must be objects with a type"
    return None


def _as_meta_code(code: str | int | None) -> int | None:
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    if isinstance(code, str) and code.isdigit():
        return int(code)
    return None


def _default_error(status: int, template: bool) -> str:
    if status == 400:
        if template:
            return "agent_id, to, and template_name are required"
        return "phone_number_id, recipient_wa_id, and message are required"
    if status == 401:
        return "Unauthorized"
    if status == 404:
        if template:
            return "No active WhatsApp account found for this agent"
        return "WhatsApp account not found"
    if status == 429:
        return "Rate limit exceeded"
    if status == 502:
        return "Failed to send template" if template else "Failed to send WhatsApp message"
    return "Internal Server Error" if status >= 500 else f"HTTP {status}"


def _wamid(digits: str) -> str:
    """A message id shaped like Meta's: base64 of the wa_id and a random 18-character tag."""
    number = digits.encode()[:255]
    tag = secrets.token_hex(9).upper().encode()
    raw = b"\x1c\x18" + bytes([len(number)]) + number + b"\x15\x02\x00\x11\x18\x12" + tag + b"\x00"
    return "wamid." + base64.b64encode(raw).decode()


def _iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
