"""The Pilot Status adapter (sans-I/O): sends, status look-ups, cancels and webhooks.

Pilot queues every send: ``POST /v1/messages/send`` answers 202 with Pilot's own
message ``id`` (``SendResult.id``, status ``queued``); the wamid arrives later
on the ``message.sent`` webhook and in ``GET /v1/messages/{id}``. Sends carry an
``Idempotency-Key`` (one per logical send, reused on retries), so the client may
safely retry them after ambiguous failures.

Provider-only body fields go through ``extra=`` (deep-merged into the body, and
checked with the same rules; a ``None`` value removes a field)::

    await wa.send(to, Template("promo", body={"name": "Ada"}),
                  extra={"labels": ["vip"], "marketingOptions": {"aiRewriteEnabled": True}})
    # URL / call / copy buttons are not in the unified model; send them raw:
    await wa.send(to, Text("Track your order"), extra={"buttons": [
        {"type": "url", "displayText": "Track", "url": "https://example.com/t/1"}]})

Decisions where the sources leave room (each also noted where it is implemented):

- Buttons' visible text goes in ``displayText`` (the docs) unless ``button_label_key="label"``
  (the SDK's typing) is set: see ``settings.py``.
- Stickers are sent as ``mediaType: "sticker"`` (typed by the official SDK, not listed by
  the docs), never with a caption.
- A CTA URL message is free-form ``text`` with one ``url`` button (its label under the same
  key as reply buttons' labels), plus ``header``/``footer``: the same message on WhatsApp.
- A template's ``DateTime`` parameter is sent as its ``fallback_value`` variable: Cloud API
  always shows that text too, so the recipient sees the same.
- What Pilot has no field for raises ``UnsupportedFeature`` rather than being dropped: media by
  uploaded id, a document's ``filename``, template button parameters, text/location/product/
  currency template headers, currency parameters, carousels, offers, one-time passwords and
  raw Meta ``components``; Flows, lists, products and the other interactive kinds (the
  official SDK types ``flow``, ``list`` and ``carousel`` fields, but no source pins their
  shapes). ``Text.preview_url`` and ``Template.language`` are the
  exceptions: Pilot decides previews itself and a dashboard template fixes its own language.
- ``list_templates`` is not offered: Pilot has a templates area for number-scoped keys but no
  documented listing shape to parse.
- Local files (``Image(file=...)``): sent inline as a base64 data URI (``inline_media``),
  checked against Meta's media limits; refused with ``UnsupportedFeature('file')`` when
  ``number_kind="web"`` says base64 cannot work (see ``whatsapp_async_providers.pilot.media``).
- Error mapping (template 404s, the retryable ``IDEMPOTENCY_KEY_IN_USE``): see ``errors.py``.

Example::

    async with WhatsApp("pilot", api_key="ps_...") as wa:
        result = await wa.send("+5511987654321", Text("Olá"))
        status = await wa.get_status(result.id)
        outcome = await wa.call("cancel", [result.id])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import quote

import msgspec

from whatsapp_async.provider import (
    APIStatusError,
    Capabilities,
    ConfigurationError,
    DeliveryState,
    Event,
    EventError,
    HttpRequest,
    HttpResponse,
    Media,
    MediaLimit,
    Message,
    MessageStatus,
    Operation,
    Provider,
    Recipient,
    RedactedHeaders,
    SendOptions,
    SendResult,
    ValidationError,
)

from . import errors as pilot_errors
from .body import build_body, check_idempotency_key
from .media import INLINE_MEDIA_LIMITS
from .settings import PilotSettings
from .webhooks import parse_events, verify_signature
from .wire import (
    CancelRequest,
    CancelResponse,
    MessageLookup,
    SendAccepted,
    decode_json,
    encode,
    parse_timestamp,
)

__all__ = ["CancelFailure", "CancelResult", "PilotProvider"]


STATUSES: dict[str, DeliveryState] = {
    "QUEUED": "queued",
    "SENT": "sent",
    "DELIVERED": "delivered",
    "READ": "read",
    "FAILED": "failed",
    "CANCELED": "canceled",
    "CANCELLED": "canceled",
}


class CancelFailure(msgspec.Struct, frozen=True):
    """A message Pilot did not cancel, and why (e.g. it was not a future scheduled send).

    Example::

        CancelFailure(id="msg_2", reason="NOT_CANCELLABLE")
    """

    id: str
    reason: str | None = None


class CancelResult(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of ``await wa.call("cancel", ids)``.

    Example::

        result = await wa.call("cancel", ["msg_1", "msg_2"])
        result.cancelled  # ('msg_1',)
        result.failed     # (CancelFailure(id='msg_2', reason='NOT_CANCELLABLE'),)
    """

    cancelled: tuple[str, ...] = ()
    failed: tuple[CancelFailure, ...] = ()
    raw: Any = None


def _check_header_value(value: str | None, name: str) -> None:
    # A newline or control character would let a setting inject headers; the message must
    # not echo the value (it may be a credential).
    if value is None:
        return
    if not value or any(not (0x20 < ord(ch) < 0x7F) for ch in value):
        raise ConfigurationError(
            f"pilot: setting {name!r} must be non-empty printable ASCII without spaces",
            provider="pilot",
        )


class PilotProvider(Provider):
    """Pilot Status (``pilotstatus.com.br``): queued sends, status look-ups, cancels, webhooks.

    Settings: :class:`PilotSettings` (exactly one of ``api_key`` / ``api_key_id``).

    Example::

        wa = WhatsApp("pilot", api_key="ps_...", webhook_secret="plwh_...")
        result = await wa.send(Group("1203@g.us"), Template("order_update", body=["Ada", "#1"]))
        result.status  # 'queued'
    """

    name = "pilot"
    settings_type = PilotSettings
    capabilities = Capabilities(
        messages=frozenset(
            {
                "text",
                "template",
                "image",
                "video",
                "audio",
                "document",
                "sticker",
                "buttons",
                "cta_url",
            }
        ),
        recipients=frozenset({"phone", "user", "group", "channel"}),
        options=frozenset({"deliver_at", "deliver_until"}),
        operations=frozenset(
            {"get_status", "cancel", "idempotency", "webhooks", "inline_media", "status_events"}
        ),
        # Dashboard templates take string variables and a replacement media (body.py).
        template_features=frozenset({"media_header", "date_time"}),
    )
    # Meta numbers behind Pilot keep the Cloud API's window (META_OUTSIDE_24H_WINDOW); an
    # unofficial ("Pilot Status web") number has none: do not enforce windows there.
    customer_service_window = True
    default_base_url = "https://pilotstatus.com.br"
    default_rate_limit: ClassVar[float | None] = None  # Pilot documents no numbers
    media_limits: ClassVar[Mapping[str, MediaLimit]] = INLINE_MEDIA_LIMITS
    settings: PilotSettings

    webhook_secret_setting = "webhook_secret"

    @property
    def verifies_webhooks(self) -> bool:
        """Whether deliveries are verified (``webhook_secret`` is configured)."""
        return bool(self._signing_secrets)

    def __init__(self, settings: PilotSettings, *, base_url: str | None = None) -> None:
        if not isinstance(settings, PilotSettings):
            raise ConfigurationError("pilot: settings must be PilotSettings", provider="pilot")
        if (settings.api_key is None) == (settings.api_key_id is None):
            raise ConfigurationError(
                "pilot: set exactly one of 'api_key' (x-api-key) or 'api_key_id' (x-api-key-id)",
                provider="pilot",
            )
        _check_header_value(settings.api_key, "api_key")
        _check_header_value(settings.api_key_id, "api_key_id")
        _check_header_value(settings.whatsapp_number_id, "whatsapp_number_id")
        if settings.whatsapp_number_ids and settings.whatsapp_number_id is None:
            raise ConfigurationError(
                "pilot: setting 'whatsapp_number_ids' needs 'whatsapp_number_id' (the default "
                "number)",
                provider="pilot",
            )
        self._senders = settings.senders()
        for number in self._senders:
            _check_header_value(number, "whatsapp_number_ids")
        super().__init__(settings, base_url=base_url)
        self._auth = (
            {"x-api-key": settings.api_key}
            if settings.api_key is not None
            else {"x-api-key-id": settings.api_key_id or ""}
        )
        if settings.whatsapp_number_id is not None:
            self._auth["x-whatsapp-number-id"] = settings.whatsapp_number_id
        self._signing_secrets = settings.signing_secrets()

    # -- after the send ------------------------------------------------------------------------
    def error_class_for_event(self, error: EventError) -> type[APIStatusError] | None:
        """The class a ``message.failed`` ``errorCode`` implies (the closed set).

        Example::

            provider.error_class_for_event(EventError(code="META_OUTSIDE_24H_WINDOW"))
            # OutsideWindowError
        """
        return pilot_errors.CODE_CLASSES.get(error.code) if error.code else None

    # -- identity ----------------------------------------------------------------------------
    @property
    def sender_key(self) -> str:
        """The number id when set (never the key: this string may be logged)."""
        return self.settings.whatsapp_number_id or "default"

    @property
    def senders(self) -> tuple[str, ...]:
        """The number ids ``sender=`` may name (``whatsapp_number_id`` first; empty when the
        key's own number is used).

        Example::

            provider.senders  # ('cmm0abc123', 'cmm0abc456')
        """
        return self._senders

    def auth_headers(self) -> dict[str, str]:
        """``x-api-key`` or ``x-api-key-id`` (plus ``x-whatsapp-number-id`` when set)."""
        return dict(self._auth)

    # -- sending ------------------------------------------------------------------------------
    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        """``POST /v1/messages/send`` with the checked body and the ``Idempotency-Key``."""
        if (
            isinstance(message, Media)
            and message.file is not None
            and self.settings.number_kind == "web"
        ):
            raise self.unsupported(
                "file",
                "pilot: this is a Pilot Status web number, which does not accept base64 media; "
                "send a public URL with link=",
            )
        body = build_body(recipient, message, options, self.settings.button_label_key)
        headers = {}
        if options.sender is not None:
            headers["x-whatsapp-number-id"] = options.sender
        if options.idempotency_key is not None:
            headers["Idempotency-Key"] = check_idempotency_key(options.idempotency_key)
        return HttpRequest(
            method="POST",
            url=self.url("/v1/messages/send"),
            headers=RedactedHeaders({**self._auth, "Content-Type": "application/json", **headers}),
            body=encode(body),
            # With a key, a resend after an ambiguous failure is answered from Pilot's store.
            idempotent=options.idempotency_key is not None,
        )

    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        """The 202: Pilot's message id, status ``queued``; ``raw`` keeps ``correlationId``."""
        raw = decode_json(response.body)
        try:
            accepted = msgspec.convert(raw, SendAccepted)
        except msgspec.ValidationError as exc:
            raise self._bad_body(response, f"send answer without a message id ({exc})") from None
        replayed = (response.header("Idempotent-Replayed") or "").strip().lower() == "true"
        return SendResult(
            id=accepted.id,
            status="queued",
            provider=self.name,
            recipient=str(recipient),
            raw=raw,
            idempotent_replayed=replayed,
            sender=self.settings.whatsapp_number_id,
        )

    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        """Pilot's ``code`` first, the HTTP status second (see ``errors.py``)."""
        return pilot_errors.error_from_response(response)

    def _bad_body(self, response: HttpResponse, text: str) -> APIStatusError:
        return APIStatusError(
            f"pilot: unexpected response body: {text}",
            provider=self.name,
            status=response.status,
            body=response.body,
        )

    # -- status look-up -----------------------------------------------------------------------
    def build_get_status(self, message_id: str) -> HttpRequest:
        """``GET /v1/messages/{id}``: the id may be Pilot's id, the correlationId or the wamid."""
        if not isinstance(message_id, str) or not message_id.strip():
            raise ValidationError(
                "pilot: message_id must be a non-empty string", provider=self.name, field="id"
            )
        return self.json_request(
            "GET", f"/v1/messages/{quote(message_id, safe='')}", idempotent=True
        )

    def parse_status(self, response: HttpResponse) -> MessageStatus:
        """A :class:`MessageStatus` with lower-case status and aware timestamps."""
        raw = decode_json(response.body)
        try:
            lookup = msgspec.convert(raw, MessageLookup)
        except msgspec.ValidationError as exc:
            raise self._bad_body(response, f"status answer ({exc})") from None
        status = STATUSES.get(lookup.status.upper())
        if status is None:
            raise self._bad_body(response, f"unknown message status {lookup.status[:40]!r}")
        timestamps = {
            name: when
            for name, value in (
                ("created", lookup.created_at),
                ("sent", lookup.sent_at),
                ("delivered", lookup.delivered_at),
                ("read", lookup.read_at),
            )
            if (when := parse_timestamp(value)) is not None
        }
        return MessageStatus(
            id=lookup.id,
            status=status,
            provider=self.name,
            recipient=lookup.destination_number or lookup.group_id or lookup.newsletter_id,
            wa_id=lookup.external_message_id,
            error_code=lookup.error_code,
            error_message=lookup.error_message,
            timestamps=timestamps,
            raw=raw,
        )

    # -- cancel (``await wa.call("cancel", ids)``) ---------------------------------------------
    def build_cancel(self, message_ids: Sequence[str] | str) -> HttpRequest:
        """``DELETE /v1/messages/cancel`` for future scheduled sends (a single id works too)."""
        ids = [message_ids] if isinstance(message_ids, str) else list(message_ids)
        if not ids or not all(isinstance(i, str) and i.strip() for i in ids):
            raise ValidationError(
                "pilot: cancel takes a non-empty list of message ids",
                provider=self.name,
                field="messageIds",
            )
        unique = list(dict.fromkeys(ids))
        return HttpRequest(
            method="DELETE",
            url=self.url("/v1/messages/cancel"),
            headers=RedactedHeaders({**self._auth, "Content-Type": "application/json"}),
            body=encode(CancelRequest(unique)),
        )

    def parse_cancel(self, response: HttpResponse) -> CancelResult:
        """Which ids were cancelled and which were not (with Pilot's reason)."""
        raw = decode_json(response.body)
        try:
            answer = msgspec.convert(raw, CancelResponse)
        except msgspec.ValidationError as exc:
            raise self._bad_body(response, f"cancel answer ({exc})") from None
        return CancelResult(
            cancelled=tuple(answer.cancelled),
            failed=tuple(CancelFailure(f.id, f.reason) for f in answer.failed),
            raw=raw,
        )

    cancel = Operation(build_cancel, parse_cancel)
    """``await wa.call(PilotProvider.cancel, ids)``: cancel queued or scheduled messages."""

    # -- webhooks -----------------------------------------------------------------------------
    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> list[Event]:
        """Verify ``x-pilot-status-signature`` (when a secret is set), then normalise."""
        if self._signing_secrets:
            verify_signature(headers, body, self._signing_secrets)
        return parse_events(body)
