"""The Magpipe adapter: text and template sends through Magpipe's WhatsApp functions.

Magpipe exposes two WhatsApp endpoints, and the route decides which sender id
is needed:

- ``Text`` -> ``POST /send-whatsapp-message`` with ``phone_number_id``,
  ``recipient_wa_id`` (digits, no ``+``), ``message`` and optional ``metadata``;
- ``Template`` -> ``POST /send-whatsapp-template`` with ``agent_id``, ``to``
  (E.164 with ``+``), ``template_name``, ``language`` (always sent; the
  ``Template`` default is ``en_US``), Meta ``components`` and optional ``metadata``.

Everything else (media, location, contacts, reactions, interactive messages,
replies, scheduling, groups/channels, mark-read, status look-ups, template
listing) cannot be expressed and raises ``UnsupportedFeature`` before any
request. ``SendResult.id`` is the wamid (``message_id``); the text endpoint's
stored row stays in ``result.raw["stored"]``.

Example::

    async with WhatsApp("magpipe", api_key="mgp_...", phone_number_id="1026733600525693",
                        agent_id="d920763c-59d8-490e-ad69-b6a3295e23a8") as wa:
        await wa.send("+14155551234", Text("Your appointment is confirmed"))
        await wa.send("+16045628647", Template("upcoming_site_report", body=["John"]),
                      metadata={"schedule_id": "sch_123"})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import msgspec

from whatsapp_async.provider import (
    TEMPLATE_FEATURES,
    APIStatusError,
    Capabilities,
    ConfigurationError,
    Event,
    HttpRequest,
    HttpResponse,
    InvalidRecipient,
    Message,
    Phone,
    Provider,
    Recipient,
    RedactedHeaders,
    SendOptions,
    SendResult,
    Template,
    Text,
    UnsupportedFeature,
    ValidationError,
    deep_merge,
)
from whatsapp_async.provider.cloudapi import NOT_PROCESSED_CODES, PAIR_LIMIT_CODES

from . import errors as error_map
from .api import MESSAGE_PATH, TEMPLATE_PATH, TEXT_MAX
from .api import TEMPLATE_TO as _MAGPIPE_E164
from .components import build_components
from .settings import MagpipeSettings, check_settings
from .webhooks import check_token, parse_inbound
from .wire import (
    SendResponse,
    TemplateSendBody,
    TextSendBody,
    convert_or_none,
    decode_json,
    encode,
)

__all__ = ["MESSAGE_PATH", "TEMPLATE_PATH", "TEXT_MAX", "MagpipeProvider"]


class MagpipeProvider(Provider):
    """Magpipe (magpipe.ai): WhatsApp text and template sends, and the inbound forward.

    Only ``api_key`` is needed at construction; ``phone_number_id`` (text) and
    ``agent_id`` (templates) are checked when their route is used, before any
    request.

    Example::

        provider = MagpipeProvider(MagpipeSettings(api_key="mgp_...", agent_id="d920..."))
        request = provider.build_send(Phone("+16045628647"), Template("hello"), SendOptions())
    """

    # Meta's codes for "refused before processing": every other 5xx is in doubt.
    not_processed_codes = NOT_PROCESSED_CODES
    # Meta's pair limit (131056) throttles one recipient, not the sender.
    pair_limit_codes = PAIR_LIMIT_CODES

    name = "magpipe"
    settings_type = MagpipeSettings
    capabilities = Capabilities(
        messages=frozenset({"text", "template"}),
        recipients=frozenset({"phone"}),
        options=frozenset({"metadata"}),
        operations=frozenset({"webhooks"}),
        # Components reach Meta untouched: every template feature Meta documents.
        template_features=frozenset(TEMPLATE_FEATURES),
    )
    default_base_url = "https://api.magpipe.ai/functions/v1"
    # Magpipe's general API docs state 100 requests/min per user, but no limiter was found
    # in its WhatsApp functions and the sends are proxied to Meta (which has its own
    # limits, reported back as 502 + 130429). A client-side bucket would throttle on a
    # guess, so it is off; pass ``rate_limit=`` to set one, 429s are retried either way.
    default_rate_limit: ClassVar[float | None] = None

    settings: MagpipeSettings

    webhook_secret_setting = "webhook_token"

    @property
    def verifies_webhooks(self) -> bool:
        """Whether deliveries are verified (``webhook_token`` is configured)."""
        return bool(self.settings.accepted_webhook_tokens())

    def __init__(self, settings: MagpipeSettings, *, base_url: str | None = None) -> None:
        check_settings(settings)
        super().__init__(settings, base_url=base_url)
        # Built once: every request carries the same credentials.
        self._auth = {"Authorization": f"Bearer {settings.api_key}"}

    def __repr__(self) -> str:
        return f"MagpipeProvider(base_url={self.base_url!r}, settings={self.settings!r})"

    # -- identity ----------------------------------------------------------------------------
    @property
    def sender_key(self) -> str:
        """The sending number (text) or agent (templates); never the API key.

        Example::

            provider.sender_key  # '1026733600525693'
        """
        return self.settings.phone_number_id or self.settings.agent_id or "default"

    def auth_headers(self) -> dict[str, str]:
        """``Authorization: Bearer <api key>``.

        Example::

            provider.auth_headers()  # {'Authorization': 'Bearer mgp_...'}
        """
        return dict(self._auth)

    def unsupported(self, feature: str, what: str | None = None) -> UnsupportedFeature:
        """An ``UnsupportedFeature`` that spells out everything Magpipe can do.

        Example::

            raise provider.unsupported("image", "magpipe cannot send image messages")
        """
        text = what or f"magpipe does not support {feature}"
        return UnsupportedFeature(
            f"{text}; magpipe supports text and template messages to phone numbers, "
            "with the metadata= option",
            provider=self.name,
            feature=feature,
        )

    # -- sending ------------------------------------------------------------------------------
    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        """The request for ``message``; everything checkable is checked first.

        Example::

            provider.build_send(Phone("+14155551234"), Text("hi"), SendOptions())
            # POST .../send-whatsapp-message {"phone_number_id": ..., "recipient_wa_id": ...}
        """
        if not isinstance(recipient, Phone):
            raise self.unsupported(recipient.kind, f"magpipe cannot send to a {recipient.kind}")
        self._check_options(options)
        metadata = _plain_metadata(options.metadata)
        body: TextSendBody | TemplateSendBody
        if isinstance(message, Text):
            body = self._text_body(recipient, message, metadata)
            path = MESSAGE_PATH
        elif isinstance(message, Template):
            body = self._template_body(recipient, message, metadata)
            path = TEMPLATE_PATH
        else:
            raise self.unsupported(message.kind, f"magpipe cannot send {message.kind} messages")
        return self._request(path, body, options.extra)

    def _check_options(self, options: SendOptions) -> None:
        # The client checks capabilities too; a provider used directly must not drop options.
        # ``idempotency_key`` is not among them: Magpipe has no such field, and the key is the
        # client's own (its idempotency store), so it is simply not sent.
        for option, value in (
            ("reply_to", options.reply_to),
            ("deliver_at", options.deliver_at),
            ("deliver_until", options.deliver_until),
        ):
            if value is not None:
                raise self.unsupported(option, f"magpipe does not support {option}=")

    def _text_body(
        self, recipient: Phone, message: Text, metadata: dict[str, Any] | None
    ) -> TextSendBody:
        phone_number_id = self.settings.phone_number_id
        if not phone_number_id:
            raise self._missing("phone_number_id", "text messages (send-whatsapp-message)")
        # preview_url is a rendering hint Magpipe has no field for: the text goes out as is
        # (the same rule on every provider without a preview switch; see docs/providers.md).
        if len(message.body) > TEXT_MAX:
            raise ValidationError(
                f"text body is {len(message.body)} characters; at most {TEXT_MAX} are allowed",
                provider=self.name,
                field="text.body",
            )
        return TextSendBody(
            phone_number_id=phone_number_id,
            recipient_wa_id=recipient.digits,
            message=message.body,
            metadata=metadata,
        )

    def _template_body(
        self, recipient: Phone, message: Template, metadata: dict[str, Any] | None
    ) -> TemplateSendBody:
        agent_id = self.settings.agent_id
        if not agent_id:
            raise self._missing("agent_id", "template messages (send-whatsapp-template)")
        if not _MAGPIPE_E164.match(recipient.e164):
            raise InvalidRecipient(
                f"{recipient.e164} is shorter than Magpipe accepts for templates "
                "(+ then 8 to 15 digits)",
                provider=self.name,
            )
        return TemplateSendBody(
            agent_id=agent_id,
            to=recipient.e164,
            template_name=message.name,
            language=message.language,
            components=build_components(message),
            metadata=metadata,
        )

    def _missing(self, setting: str, route: str) -> ConfigurationError:
        return ConfigurationError(
            f"magpipe: missing setting {setting!r}, needed for {route}", provider=self.name
        )

    def _request(
        self, path: str, body: TextSendBody | TemplateSendBody, extra: Mapping[str, Any] | None
    ) -> HttpRequest:
        try:
            if extra:
                payload = encode(deep_merge(msgspec.to_builtins(body), _plain(extra, "extra")))
            else:
                payload = encode(body)
        except (TypeError, ValueError, msgspec.EncodeError) as exc:
            raise ValidationError(
                f"the request body cannot be encoded as JSON ({exc})",
                provider=self.name,
                field="extra" if extra else None,
            ) from None
        headers = RedactedHeaders({**self.auth_headers(), "Content-Type": "application/json"})
        return HttpRequest(method="POST", url=self.url(path), headers=headers, body=payload)

    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        """The ``SendResult`` of a 2xx: id = the wamid, status ``accepted``, raw = the body.

        A 2xx without a wamid (Magpipe answers ``message_id: null`` when Meta gave
        none) is an ``APIStatusError`` that is not retried: the message may have gone.

        Example::

            result = provider.parse_send(response, Phone("+14155551234"), Text("hi"))
            result.id, result.raw["stored"]["id"]
        """
        raw = decode_json(response.body)
        parsed = convert_or_none(raw, SendResponse) if isinstance(raw, dict) else None
        if parsed is None or not parsed.message_id:
            raise APIStatusError(
                "magpipe answered success without a message_id; the message may have been "
                "sent, so it is not retried",
                provider=self.name,
                status=response.status,
                details=raw if isinstance(raw, dict) else None,
                body=response.body,
            )
        return SendResult(
            id=parsed.message_id,
            status="accepted",
            provider=self.name,
            recipient=str(recipient),
            raw=raw,
        )

    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        """Magpipe's error bodies (flat or nested) and Meta's codes inside 502 details.

        Example::

            provider.error_from_response(HttpResponse(status=404, body=b'{"error":"..."}'))
            # NotFoundError
        """
        return error_map.error_from_response(response)

    # -- webhooks -----------------------------------------------------------------------------
    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> list[Event]:
        """Check the ``token`` query parameter (when configured) and normalise the forward.

        Example::

            provider.parse_webhook({}, body, {"token": "the-configured-token"})
        """
        tokens = self.settings.accepted_webhook_tokens()
        if tokens:
            check_token(query, tokens)
        return parse_inbound(body)


def _plain_metadata(metadata: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Magpipe stores ``metadata`` only when it is a plain JSON object; anything else is refused."""
    if metadata is None:
        return None
    return _plain(metadata, "metadata")


def _plain(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field} must be a mapping (a JSON object), got {type(value).__name__}",
            provider="magpipe",
            field=field,
        )
    try:
        # Round-trip through JSON builtins: rejects values JSON cannot carry, and turns
        # nested mappings of any type into dicts that deep_merge and the encoder accept.
        plain = msgspec.to_builtins(dict(value), str_keys=True)
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        raise ValidationError(
            f"{field} must contain only JSON values ({exc})", provider="magpipe", field=field
        ) from None
    result: dict[str, Any] = plain  # a dict in gives a dict out
    return result
