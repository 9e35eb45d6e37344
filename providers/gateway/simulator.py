"""A simulator of the self-hosted conversation gateway's API (aiohttp).

It serves the four documented endpoints with Bearer auth and strict request
validation, keeps conversations (created on the first text to a phone number,
reused afterwards), and answers template sends per recipient with a
``summary``. Rules it applies where the gateway's docs are silent:

- numbers in ``unreachable`` (E.164) are not on WhatsApp: a template send
  fails for that recipient with code 131026; a text send answers 400 with it;
- an unknown template/language fails per recipient with 132001, a parameter
  count that does not fit the template's text with 132000;
- a malformed ``phoneNumber`` in ``recipients`` fails for that recipient with 100;
- missing or mistyped fields answer 400 ``{"success": false, "error": "..."}``.

Example::

    async with Sandbox(["gateway"]) as sb:
        sim = sb.simulator("gateway")
        sim.unreachable.add("+14155550100")
        await sb.client("gateway").send("+14155552671", Text("hi"))
        sim.accepted[0]["phone"]  # '+14155552671'
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import Any, ClassVar

from aiohttp import web

from whatsapp_async.testing import Simulator

__all__ = ["SIMULATOR_TOKEN", "GatewaySimulator"]

SIMULATOR_TOKEN = "gw-sim-token-5f0c2a7e91d4"
"""The Bearer token the simulator accepts."""

_PREFIX = "/api/whatsapp"
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_COMPONENT_TYPES = frozenset({"header", "body", "button"})

_DEFAULT_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}

_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "appointment_reminder",
        "status": "APPROVED",
        "category": "UTILITY",
        "language": "es",
        "components": [
            {"type": "BODY", "text": "Hola {{1}}, te recordamos tu cita para el {{2}}."},
            {"type": "FOOTER", "text": "Servicios Profesionales"},
        ],
    },
    {
        "name": "service_confirmation",
        "status": "APPROVED",
        "category": "UTILITY",
        "language": "es",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "{{1}}"},
            {"type": "BODY", "text": "Hola {{1}}, tu solicitud {{2}} queda confirmada: {{3}}."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Seguimiento", "url": "https://track.example/{{1}}"}
                ],
            },
        ],
    },
    {
        "name": "order_update",
        "status": "APPROVED",
        "category": "UTILITY",
        "language": "en_US",
        "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."}],
    },
    {
        "name": "welcome_named",
        "status": "APPROVED",
        "category": "MARKETING",
        "language": "en_US",
        "components": [{"type": "BODY", "text": "Welcome {{first_name}}, enjoy {{offer}}!"}],
    },
    {
        "name": "verify_code",
        "status": "APPROVED",
        "category": "AUTHENTICATION",
        "language": "en_US",
        "components": [
            {"type": "BODY", "text": "{{1}} is your verification code."},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
        ],
    },
]


class _BadRequest(Exception):
    """A request that fails validation (answered 400 with this message)."""


class GatewaySimulator(Simulator):
    """The gateway's API on aiohttp, as documented, plus the rules in the module docstring.

    ``accepted`` lists every message it accepted, in order, as
    ``{"id", "kind", "phone", "conversation_id", "content" | "template", "request_id"}``;
    ``conversations`` maps conversation ids to ``{"phone_number", "request_id"}``.

    Example::

        sim = GatewaySimulator()
        sim.unreachable.update({"+14155550100", "+14155550101"})
    """

    name: ClassVar[str] = "gateway"

    def __init__(self) -> None:
        super().__init__()
        self.token = SIMULATOR_TOKEN
        self.unreachable: set[str] = set()
        self.templates: list[dict[str, Any]] = copy.deepcopy(_TEMPLATES)
        self.accepted: list[dict[str, Any]] = []
        self.conversations: dict[int, dict[str, Any]] = {}
        self._conversation_by_phone: dict[str, int] = {}
        self._next_message_id = 456
        self._next_conversation_id = 123
        self._next_wamid = 1

    # -- Simulator contract -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The token this simulator accepts (the sandbox adds ``base_url``).

        Example::

            GatewaySimulator().settings()  # {'token': 'gw-sim-token-...'}
        """
        return {"token": self.token}

    def add_routes(self, app: web.Application) -> None:
        """The four documented endpoints.

        Example::

            app = web.Application()
            GatewaySimulator().add_routes(app)
        """
        app.router.add_post(f"{_PREFIX}/send", self.handle_send)
        app.router.add_post(
            f"{_PREFIX}/conversations/{{conversation_id}}/messages", self.handle_conversation
        )
        app.router.add_post(f"{_PREFIX}/send-template", self.handle_send_template)
        app.router.add_get(f"{_PREFIX}/templates", self.handle_templates)

    def error_response(
        self, status: int, code: str | int | None, message: str | None = None
    ) -> web.Response:
        """``{"success": false, "error": "...", "code"?: ...}`` with ``status``.

        Example::

            sim.error_response(429, None)  # 429 {"success": false, "error": "Too many requests"}
        """
        payload: dict[str, Any] = {
            "success": False,
            "error": message or _DEFAULT_MESSAGES.get(status, f"Request failed ({status})"),
        }
        if code is not None:
            payload["code"] = code
        return self.json_response(payload, status=status)

    # -- helpers --------------------------------------------------------------------------------
    def _authorised(self, request: web.Request) -> bool:
        return self.bearer_token(request) == self.token

    async def _object_body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await self.json_body(request)
        except ValueError:
            raise _BadRequest("Invalid JSON body") from None
        if not isinstance(body, dict):
            raise _BadRequest("Request body must be a JSON object")
        return body

    def _is_unreachable(self, phone: str) -> bool:
        digits = _digits(phone)
        return any(_digits(number) == digits for number in self.unreachable)

    def _message_id(self) -> int:
        value = self._next_message_id
        self._next_message_id += 1
        return value

    def _wamid(self, phone: str) -> str:
        value = self._next_wamid
        self._next_wamid += 1
        return f"wamid.GW{_digits(phone)}{value:010d}"

    def _conversation_for(self, phone: str, request_id: int | None) -> int:
        digits = _digits(phone)
        conversation_id = self._conversation_by_phone.get(digits)
        if conversation_id is None:
            conversation_id = self._next_conversation_id
            self._next_conversation_id += 1
            self._conversation_by_phone[digits] = conversation_id
            self.conversations[conversation_id] = {"phone_number": digits, "request_id": None}
        if request_id is not None:
            self.conversations[conversation_id]["request_id"] = request_id
        return conversation_id

    # -- POST /api/whatsapp/send ----------------------------------------------------------------
    async def handle_send(self, request: web.Request) -> web.Response:
        """Text to a phone number; opens the phone's conversation or reuses it.

        Example (HTTP)::

            POST /api/whatsapp/send {"phoneNumber": "+14155552671", "content": "hi"}
        """
        if not self._authorised(request):
            return self.error_response(401, None)
        try:
            body = await self._object_body(request)
            phone = _required_phone(body.get("phoneNumber"))
            content = _required_text(body.get("content"), "content")
            request_id = _optional_int(body.get("requestId"), "requestId")
        except _BadRequest as exc:
            return self.error_response(400, None, str(exc))
        if self._is_unreachable(phone):
            return self.error_response(
                400, 131026, "Message undeliverable: the recipient is not a WhatsApp user"
            )
        conversation_id = self._conversation_for(phone, request_id)
        message_id = self._message_id()
        created_at = _now()
        self.accepted.append(
            {
                "id": str(message_id),
                "kind": "text",
                "phone": phone,
                "conversation_id": conversation_id,
                "content": content,
                "request_id": request_id,
            }
        )
        conversation = self.conversations[conversation_id]
        return self.json_response(
            {
                "success": True,
                "data": {
                    "message": {
                        "message_id": message_id,
                        "conversation_id": conversation_id,
                        "content": content,
                        "message_type": "text",
                        "direction": "outbound",
                        "status": "sent",
                        "created_at": created_at,
                    },
                    "conversation": {
                        "conversation_id": conversation_id,
                        "phone_number": conversation["phone_number"],
                        "request_id": conversation["request_id"],
                    },
                },
            }
        )

    # -- POST /api/whatsapp/conversations/{id}/messages -----------------------------------------
    async def handle_conversation(self, request: web.Request) -> web.Response:
        """Text into an existing conversation; 404 for an unknown one.

        Example (HTTP)::

            POST /api/whatsapp/conversations/123/messages {"content": "hi"}
        """
        if not self._authorised(request):
            return self.error_response(401, None)
        raw_id = request.match_info["conversation_id"]
        conversation_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
        if conversation_id is None or conversation_id not in self.conversations:
            return self.error_response(404, None, "Conversation not found")
        try:
            body = await self._object_body(request)
            content = _required_text(body.get("content"), "content")
            message_type = body.get("messageType", "text")
            if message_type != "text":
                raise _BadRequest("messageType must be 'text' (only text is supported)")
        except _BadRequest as exc:
            return self.error_response(400, None, str(exc))
        message_id = self._message_id()
        phone = "+" + self.conversations[conversation_id]["phone_number"]
        self.accepted.append(
            {
                "id": str(message_id),
                "kind": "text",
                "phone": phone,
                "conversation_id": conversation_id,
                "content": content,
                "request_id": None,
            }
        )
        return self.json_response(
            {
                "success": True,
                "data": {
                    "message_id": message_id,
                    "conversation_id": conversation_id,
                    "content": content,
                    "status": "sent",
                },
            }
        )

    # -- POST /api/whatsapp/send-template -------------------------------------------------------
    async def handle_send_template(self, request: web.Request) -> web.Response:
        """One template to every recipient; per-recipient results, ``success`` always true.

        Example (HTTP)::

            POST /api/whatsapp/send-template {"templateName": "order_update",
                "languageCode": "en_US", "components": [...], "recipients": [...]}
        """
        if not self._authorised(request):
            return self.error_response(401, None)
        try:
            body = await self._object_body(request)
            name = _required_text(body.get("templateName"), "templateName")
            language = _required_text(body.get("languageCode"), "languageCode")
            components = _components(body.get("components", []))
            recipients = _recipients(body.get("recipients"))
        except _BadRequest as exc:
            return self.error_response(400, None, str(exc))
        problem = self._template_problem(name, language, components)
        results: list[dict[str, Any]] = []
        for phone, request_id in recipients:
            failure = problem
            if failure is None and not _PHONE.match(phone):
                failure = (100, f"Invalid phone number format: {phone!r}")
            if failure is None and self._is_unreachable(phone):
                failure = (131026, "Message undeliverable: the recipient is not a WhatsApp user")
            if failure is not None:
                code, text = failure
                results.append(
                    {
                        "phoneNumber": phone,
                        "success": False,
                        "error": {"code": code, "message": text},
                    }
                )
                continue
            wamid = self._wamid(phone)
            self.accepted.append(
                {
                    "id": wamid,
                    "kind": "template",
                    "phone": phone,
                    "conversation_id": None,
                    "template": name,
                    "request_id": request_id,
                }
            )
            results.append(
                {"phoneNumber": phone, "success": True, "data": {"messages": [{"id": wamid}]}}
            )
        sent = sum(1 for result in results if result["success"])
        return self.json_response(
            {
                "success": True,
                "summary": {"total": len(results), "sent": sent, "failed": len(results) - sent},
                "results": results,
            }
        )

    def _template_problem(
        self, name: str, language: str, components: list[dict[str, Any]]
    ) -> tuple[int, str] | None:
        template = next(
            (t for t in self.templates if t["name"] == name and t["language"] == language), None
        )
        if template is None:
            return 132001, f"Template name does not exist in the translation: {name} ({language})"
        for part in ("header", "body"):
            stored = next(
                (c for c in template["components"] if str(c["type"]).lower() == part), None
            )
            expected = _PLACEHOLDER.findall(stored.get("text", "")) if stored else []
            given = next((c for c in components if c["type"].lower() == part), None)
            parameters = given["parameters"] if given else []
            if len(set(expected)) != len(parameters):
                return 132000, (
                    f"Number of parameters does not match the expected number of params "
                    f"({part}: expected {len(set(expected))}, got {len(parameters)})"
                )
            named = {p.get("parameter_name") for p in parameters if "parameter_name" in p}
            wanted = {key for key in expected if not key.isdigit()}
            if wanted and named != wanted:
                return 132000, f"Named parameters do not match the template ({part})"
        return None

    # -- GET /api/whatsapp/templates ------------------------------------------------------------
    async def handle_templates(self, request: web.Request) -> web.Response:
        """The approved templates.

        Example (HTTP)::

            GET /api/whatsapp/templates -> {"success": true, "data": [...]}
        """
        if not self._authorised(request):
            return self.error_response(401, None)
        approved = [t for t in self.templates if t.get("status") == "APPROVED"]
        return self.json_response({"success": True, "data": approved})


# -- request validation ----------------------------------------------------------------------
def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _required_text(value: Any, field: str) -> str:
    if value is None:
        raise _BadRequest(f"{field} is required")
    if not isinstance(value, str) or not value.strip():
        raise _BadRequest(f"{field} must be a non-empty string")
    return value


def _required_phone(value: Any) -> str:
    phone = _required_text(value, "phoneNumber")
    if not _PHONE.match(phone):
        raise _BadRequest("phoneNumber must be in international format, e.g. +14155552671")
    return phone


def _optional_int(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadRequest(f"{field} must be an integer")
    return value


def _components(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _BadRequest("components must be an array")
    out: list[dict[str, Any]] = []
    for position, component in enumerate(value):
        where = f"components[{position}]"
        if not isinstance(component, dict):
            raise _BadRequest(f"{where} must be an object")
        kind = component.get("type")
        if not isinstance(kind, str) or kind.lower() not in _COMPONENT_TYPES:
            raise _BadRequest(f"{where}.type must be header, body or button")
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise _BadRequest(f"{where}.parameters must be an array")
        for index, parameter in enumerate(parameters):
            _check_parameter(parameter, f"{where}.parameters[{index}]")
        if kind.lower() == "button":
            if not isinstance(component.get("sub_type"), str):
                raise _BadRequest(f"{where}.sub_type is required for a button")
            if not isinstance(component.get("index"), (str, int)):
                raise _BadRequest(f"{where}.index is required for a button")
        out.append(component)
    return out


def _check_parameter(parameter: Any, where: str) -> None:
    if not isinstance(parameter, dict) or not isinstance(parameter.get("type"), str):
        raise _BadRequest(f"{where} must be an object with a type")
    kind = parameter["type"]
    # A text parameter carries `text`; Meta-style payload and coupon_code carry their own field.
    field = kind if kind in ("payload", "coupon_code") else "text"
    if not isinstance(parameter.get(field), str):
        raise _BadRequest(f"{where}.{field} must be a string")


def _recipients(value: Any) -> list[tuple[str, int | None]]:
    if value is None:
        raise _BadRequest("recipients is required")
    if not isinstance(value, list) or not value:
        raise _BadRequest("recipients must be a non-empty array")
    out: list[tuple[str, int | None]] = []
    for position, recipient in enumerate(value):
        where = f"recipients[{position}]"
        if not isinstance(recipient, dict):
            raise _BadRequest(f"{where} must be an object")
        phone = _required_text(recipient.get("phoneNumber"), f"{where}.phoneNumber")
        out.append((phone, _optional_int(recipient.get("requestId"), f"{where}.requestId")))
    return out
