"""The Meta WhatsApp Cloud API adapter (sans-I/O): unified calls <-> Graph API requests.

Sends go to ``POST {base}/{api_version}/{phone_number_id}/messages`` with a Bearer token
(``sender=`` picks another of the configured ``phone_number_ids``).
Phone recipients are sent as E.164 **with** the leading ``+`` (Meta accepts both forms; the
``+`` keeps the country code unambiguous) and ``recipient_type: "individual"``; a business-scoped
user id (``User``) goes in the top-level ``recipient`` field instead of ``to`` (Meta's
dedicated field since Feb 2026), also with ``recipient_type: "individual"``; groups as
``recipient_type: "group"`` with the group id. ``reply_to`` becomes ``context.message_id``;
``metadata`` becomes ``biz_opaque_callback_data`` (its compact JSON, at most 512
characters), which Meta echoes in status webhooks (``StatusUpdate.metadata``).

This module holds sending, mark-read, errors and webhooks; the shared roots, credentials and
answer checks are in ``base``, the template operations (listing, ``create_template``,
``delete_template``) in ``template_ops`` and the media operations (upload, look-up, download,
delete) in ``media_ops``, mixed into :class:`MetaProvider`.

Example::

    async with WhatsApp("meta", token="EAAG...", phone_number_id="106540352242922") as wa:
        result = await wa.send("+16505551234", Text("Your order has shipped"))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from whatsapp_async.provider import (
    MESSAGE_KINDS,
    TEMPLATE_FEATURES,
    APIStatusError,
    Capabilities,
    Event,
    EventError,
    Group,
    HttpRequest,
    HttpResponse,
    MediaLimit,
    Message,
    Phone,
    Recipient,
    SendOptions,
    SendResult,
    SendStatus,
    User,
    convert_or_none,
)
from whatsapp_async.provider.cloudapi import (
    NOT_PROCESSED_CODES,
    PAIR_LIMIT_CODES,
    class_for_platform_code,
    group_refusal,
)

from . import webhooks
from .build import build_message, encode_body
from .errors import error_from_response
from .media import MEDIA_LIMITS
from .media_ops import MediaOperations
from .response_wire import SendResponse
from .settings import MetaSettings
from .template_ops import TemplateOperations
from .wire import ENCODER, MarkReadRequest, TypingIndicator

__all__ = ["MetaProvider"]

_SEND_STATUS: dict[str, SendStatus] = {
    "accepted": "accepted",
    "held_for_quality_assessment": "held",
    "paused": "paused",
}


class MetaProvider(TemplateOperations, MediaOperations):
    """Meta's WhatsApp Cloud API: every message kind, groups, mark-read, templates, webhooks.

    Groups get the platform's rules (``cloudapi.group_refusal``): interactive, commerce and
    authentication messages raise ``UnsupportedFeature`` before any request.

    Example::

        provider = MetaProvider(MetaSettings(token="EAAG...", phone_number_id="1065403522"))
        request = provider.build_send(Phone("+16505551234"), Text("hi"), SendOptions())
        request.url  # 'https://graph.facebook.com/v26.0/1065403522/messages'
    """

    # Meta's codes for "refused before processing": every other 5xx is in doubt.
    not_processed_codes = NOT_PROCESSED_CODES
    # Meta's pair limit (131056) throttles one recipient, not the sender.
    pair_limit_codes = PAIR_LIMIT_CODES

    # The correlation id rides in biz_opaque_callback_data, which status webhooks echo.
    correlates_sends = True
    customer_service_window = True

    name = "meta"
    settings_type = MetaSettings
    capabilities = Capabilities(
        messages=frozenset(MESSAGE_KINDS),
        recipients=frozenset({"phone", "user", "group"}),
        options=frozenset({"reply_to", "metadata"}),
        operations=frozenset(
            {
                "mark_read",
                "list_templates",
                "webhooks",
                "status_events",
                "upload_media",
                "create_template",
                "delete_template",
            }
        ),
        template_features=frozenset(TEMPLATE_FEATURES),
    )
    default_base_url = "https://graph.facebook.com"
    default_rate_limit = 80.0
    max_rate_limit = 1000.0  # numbers upgrade to 1,000 msg/s on their own; never above
    media_limits: ClassVar[Mapping[str, MediaLimit]] = MEDIA_LIMITS
    settings: MetaSettings

    webhook_secret_setting = "app_secret"

    @property
    def verifies_webhooks(self) -> bool:
        """Whether deliveries are verified (``app_secret`` is configured)."""
        return bool(self._webhook_secrets)

    def __init__(self, settings: MetaSettings, *, base_url: str | None = None) -> None:
        super().__init__(settings, base_url=base_url)
        self._webhook_secrets = settings.webhook_secrets()

    # -- sending ------------------------------------------------------------------------------
    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        """``POST .../messages`` for ``message``; ``ValidationError`` on Meta's limits.

        Example::

            provider.build_send(Group("Y2FwaV9ncm91cDox..."), Text("hi"), SendOptions()).body
            # b'{"messaging_product":"whatsapp","recipient_type":"group",...}'
        """
        user_id: str | None = None
        to: str | None = None
        if isinstance(recipient, Phone):
            to, recipient_type = recipient.e164, "individual"
        elif isinstance(recipient, User):
            user_id, recipient_type = recipient.id, "individual"
        elif isinstance(recipient, Group):
            to, recipient_type = recipient.jid, "group"
            refusal = group_refusal(message)
            if refusal is not None:
                raise self.unsupported(f"group.{message.kind}", f"meta: {refusal}")
        else:
            raise self.unsupported(recipient.kind, f"meta cannot send to a {recipient.kind}")
        request = build_message(
            message,
            to=to,
            recipient_type=recipient_type,
            options=options,
            flow_cta_max=self.settings.flow_cta_max,
            recipient=user_id,
        )
        return HttpRequest(
            method="POST",
            url=self.messages_url(options.sender),
            headers=self._headers,
            body=encode_body(request, options.extra),
        )

    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        """``messages[0].id`` and ``message_status`` (absent means ``accepted``).

        Example::

            provider.parse_send(response, Phone("+16505551234"), Text("hi")).status  # 'accepted'
        """
        raw = self.decode(response)
        parsed = convert_or_none(raw, SendResponse)
        first = parsed.messages[0] if parsed is not None and parsed.messages else None
        if first is None or not first.id:
            raise APIStatusError(
                "meta answered a send without a message id",
                provider=self.name,
                status=response.status,
                body=response.body,
            )
        assert parsed is not None
        contact = parsed.contacts[0] if parsed.contacts else None
        return SendResult(
            id=first.id,
            # A status this SDK does not know yet still means Meta took the message.
            status=_SEND_STATUS.get(first.message_status or "accepted", "accepted"),
            provider=self.name,
            recipient=str(recipient),
            wa_id=(contact.wa_id or None) if contact is not None else None,
            raw=raw,
            sender=self.settings.phone_number_id,
            user_id=(contact.user_id or None) if contact is not None else None,
        )

    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        """Meta's ``error.code`` first, the HTTP status second (see ``errors.py``).

        Example::

            provider.error_from_response(HttpResponse(status=400, body=body)).code  # 131047
        """
        return error_from_response(response)

    # -- mark read ------------------------------------------------------------------------------
    def build_mark_read(self, message_id: str, typing: bool) -> HttpRequest:
        """``POST .../messages {"status": "read", ...}`` (+ ``typing_indicator`` when typing).

        Example::

            provider.build_mark_read("wamid.HBgL...", typing=True)
        """
        body = MarkReadRequest(
            messaging_product="whatsapp",
            status="read",
            message_id=message_id,
            typing_indicator=TypingIndicator(type="text") if typing else None,
        )
        return HttpRequest(
            method="POST",
            url=self._messages_url,
            headers=self._headers,
            body=ENCODER.encode(body),
            idempotent=True,  # marking read twice changes nothing
        )

    def parse_mark_read(self, response: HttpResponse) -> None:
        """Check Meta's ``{"success": true}``.

        Example::

            provider.parse_mark_read(HttpResponse(status=200, body=b'{"success": true}'))
        """
        body = self.decode(response)
        if not (isinstance(body, dict) and body.get("success") is True):
            raise APIStatusError(
                "meta did not confirm the read receipt",
                provider=self.name,
                status=response.status,
                body=response.body,
            )

    # -- after the send -------------------------------------------------------------------------
    def error_class_for_event(self, error: EventError) -> type[APIStatusError] | None:
        """The class a status's platform code implies (131026: ``RecipientError`` ...).

        Example::

            provider.error_class_for_event(EventError(code="131047"))  # OutsideWindowError
        """
        code = error.code
        return class_for_platform_code(int(code)) if code and code.isdigit() else None

    # -- webhooks -------------------------------------------------------------------------------
    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> list[Event]:
        """Verify ``X-Hub-Signature-256`` (when an app secret is set) and normalise the events.

        Example::

            events = provider.parse_webhook(request.headers, await request.read(), {})
        """
        if self._webhook_secrets:
            webhooks.verify_signature(headers, body, self._webhook_secrets)
        return webhooks.parse_payload(body)

    def webhook_handshake(self, query: Mapping[str, str]) -> str | None:
        """Meta's GET verification: the challenge for the configured ``verify_token``.

        Example::

            provider.webhook_handshake({"hub.mode": "subscribe", "hub.verify_token": "tok",
                                        "hub.challenge": "42"})  # '42'
        """
        return webhooks.handshake(query, self.settings.verify_token)
