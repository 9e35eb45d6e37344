"""A minimal provider and simulator used to test the core on its own.

It is deliberately tiny: text messages to phones, an optional idempotency key,
and a signed webhook, so core behaviour (retries, limits, bulk, webhooks) can
be tested without depending on a real provider's rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec
from aiohttp import web

from whatsapp_async import register_provider
from whatsapp_async.provider import (
    APIStatusError,
    Capabilities,
    Event,
    HttpRequest,
    HttpResponse,
    Message,
    MessageReceived,
    Provider,
    Recipient,
    SendOptions,
    SendResult,
    Settings,
    StatusUpdate,
    Text,
    UnknownEvent,
    WebhookSignatureError,
    hmac_sha256_hex,
    status_error,
    verify_hmac_sha256,
)
from whatsapp_async.testing import Simulator

TOY_KEY = "toy-key-0123456789abcdef"
TOY_SECRET = "toy-webhook-secret-42"


class ToySettings(Settings, frozen=True):
    api_key: str
    idempotent: bool = False
    webhook_secret: str | None = None
    secret_fields: ClassVar[frozenset[str]] = frozenset({"api_key", "webhook_secret"})


class ToyProvider(Provider):
    name = "toy"
    settings_type = ToySettings
    capabilities = Capabilities(
        messages=frozenset({"text"}),
        options=frozenset({"metadata"}),
        operations=frozenset({"webhooks"}),
    )
    default_base_url = "https://toy.invalid"
    # Toy's docs (so to speak) say a 503 with code UNAVAILABLE was refused before processing.
    not_processed_codes = frozenset({"UNAVAILABLE"})
    settings: ToySettings

    def auth_headers(self) -> dict[str, str]:
        return {"x-key": self.settings.api_key}

    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        assert isinstance(message, Text)
        headers = {}
        if self.settings.idempotent and options.idempotency_key:
            headers["Idempotency-Key"] = options.idempotency_key
        return self.json_request(
            "POST",
            "/send",
            {"to": str(recipient), "text": message.body, "metadata": options.metadata},
            headers=headers,
            idempotent=self.settings.idempotent,
        )

    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        body = self.decode(response)
        return SendResult(
            id=body["id"], status="accepted", provider=self.name, recipient=str(recipient), raw=body
        )

    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        body = self.decode(response)
        body = body if isinstance(body, dict) else {}
        code = body.get("code") if isinstance(body.get("code"), str) else None
        message = body.get("error") if isinstance(body.get("error"), str) else None
        return status_error(
            None,
            message or f"HTTP {response.status}",
            provider=self.name,
            response=response,
            code=code,
            details=body or None,
        )

    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> list[Event]:
        secret = self.settings.webhook_secret
        if secret and not verify_hmac_sha256(body, headers.get("x-toy-signature"), [secret]):
            raise WebhookSignatureError("bad toy signature", provider=self.name)
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return [UnknownEvent(provider=self.name, raw=body.decode("utf-8", "replace"))]
        events: list[Event] = []
        for item in payload if isinstance(payload, list) else [payload]:
            if isinstance(item, dict) and item.get("kind") == "status":
                events.append(
                    StatusUpdate(
                        provider=self.name, message_id=item["id"], status=item["status"], raw=item
                    )
                )
            elif isinstance(item, dict) and item.get("kind") == "message":
                events.append(
                    MessageReceived(
                        provider=self.name,
                        message_id=item["id"],
                        sender=item["from"],
                        type="text",
                        text=item.get("text"),
                        raw=item,
                    )
                )
            else:
                events.append(UnknownEvent(provider=self.name, raw=item))
        return events


class ToySimulator(Simulator):
    name = "toy"

    def __init__(self) -> None:
        super().__init__()
        self.accepted: list[dict[str, Any]] = []
        self._by_key: dict[str, dict[str, Any]] = {}

    def settings(self) -> dict[str, Any]:
        return {"api_key": TOY_KEY, "webhook_secret": TOY_SECRET}

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/send", self.handle_send)

    def error_response(
        self, status: int, code: str | int | None, message: str | None = None
    ) -> web.Response:
        return self.json_response(
            {"error": message or f"toy error {status}", "code": code}, status=status
        )

    async def handle_send(self, request: web.Request) -> web.Response:
        if request.headers.get("x-key") != TOY_KEY:
            return self.error_response(401, "UNAUTHORIZED", "bad key")
        body = await self.json_body(request)
        key = request.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            return self.json_response(self._by_key[key])
        answer = {"id": f"toy-{len(self.accepted) + 1}", "to": body["to"]}
        self.accepted.append({**body, "id": answer["id"]})
        if key:
            self._by_key[key] = answer
        return self.json_response(answer)

    def sign(self, body: bytes) -> str:
        return hmac_sha256_hex(TOY_SECRET, body)


register_provider("toy", ToyProvider, ToySimulator)
