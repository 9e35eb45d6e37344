"""The self-hosted conversation gateway adapter (sans-I/O).

Four endpoints under the service root: text to a phone number (which opens or
reuses a conversation), text into an existing conversation, one template to
many recipients, and the template listing. Templates to phone numbers go out
as native batches: ``send_many`` groups items that share a template and
options into one request per ``batch_size`` recipients.

Example::

    async with WhatsApp("gateway", token="...", base_url="https://gw.example.com") as wa:
        r = await wa.send("+14155552671", Text("Your request was received"),
                          extra={"requestId": 123})
        r.id, r.raw["data"]["conversation"]["conversation_id"]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar

import msgspec

from whatsapp_async.provider import (
    APIStatusError,
    Capabilities,
    ConfigurationError,
    Conversation,
    HttpRequest,
    HttpResponse,
    InvalidRecipient,
    Message,
    Phone,
    Provider,
    Recipient,
    SendOptions,
    SendResult,
    Settings,
    Template,
    TemplateInfo,
    Text,
    ValidationError,
    deep_merge,
)
from whatsapp_async.provider.cloudapi import (
    NOT_PROCESSED_CODES,
    PAIR_LIMIT_CODES,
    TEXT_BODY_MAX,
    check_max_length,
)

from . import wire
from .error_map import PROVIDER, error_from_body, recipient_error
from .templates import GATEWAY_TEMPLATE_FEATURES, build_components, template_info

__all__ = ["GatewayProvider", "GatewaySettings"]

# Sorted keys: two items with the same template and options get the same batch key
# whatever order their mappings were built in.
_key_encoder = msgspec.json.Encoder(order="sorted")

_SEND = f"{wire.API_PREFIX}/send"
_SEND_TEMPLATE = f"{wire.API_PREFIX}/send-template"
_TEMPLATES = f"{wire.API_PREFIX}/templates"


class GatewaySettings(Settings, frozen=True):
    """Settings of the gateway provider.

    - ``token``: the Bearer token (secret: redacted in reprs)
    - ``base_url``: the gateway's service root (paths ``/api/whatsapp/...`` go under it);
      required, since the gateway is self-hosted, unless ``WhatsApp(base_url=...)`` gives it
    - ``batch_size``: recipients per native template batch request (1..1000, default 100)

    Example::

        GatewaySettings(token="gw_...", base_url="https://gw.example.com", batch_size=200)
    """

    token: Annotated[str, msgspec.Meta(min_length=1)]
    base_url: str | None = None
    batch_size: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    secret_fields: ClassVar[frozenset[str]] = frozenset({"token"})


class GatewayProvider(Provider):
    """Adapter for the self-hosted conversation gateway.

    Texts go to a phone number (``POST /api/whatsapp/send``) or to a
    ``Conversation(id)`` (``POST /api/whatsapp/conversations/{id}/messages``);
    templates go to phone numbers through ``POST /api/whatsapp/send-template``,
    natively batched by ``send_many``. The gateway's ``requestId`` (an integer)
    is given as ``extra={"requestId": 123}``.

    Example::

        provider = GatewayProvider(GatewaySettings(token="t", base_url="https://gw.example.com"))
        request = provider.build_send(Phone("+14155552671"), Text("hi"), SendOptions())
        request.url  # 'https://gw.example.com/api/whatsapp/send'
    """

    # Meta's codes for "refused before processing": every other 5xx is in doubt.
    not_processed_codes = NOT_PROCESSED_CODES
    # Meta's pair limit (131056) throttles one recipient, not the sender.
    pair_limit_codes = PAIR_LIMIT_CODES

    name = PROVIDER
    settings_type = GatewaySettings
    capabilities = Capabilities(
        messages=frozenset({"text", "template"}),
        recipients=frozenset({"phone", "conversation"}),
        options=frozenset(),
        operations=frozenset({"list_templates", "native_batch"}),
        # Text parameters and the buttons that carry text (templates.py says why).
        template_features=GATEWAY_TEMPLATE_FEATURES,
    )
    default_base_url = None  # self-hosted: there is no public host to default to
    default_rate_limit = None  # the gateway documents no limit
    settings: GatewaySettings

    def __init__(self, settings: Any, *, base_url: str | None = None) -> None:
        if not isinstance(settings, GatewaySettings):
            raise ConfigurationError(
                f"{PROVIDER}: settings must be GatewaySettings, got {type(settings).__name__}",
                provider=PROVIDER,
            )
        root = base_url or settings.base_url
        if not root:
            raise ConfigurationError(
                f"{PROVIDER}: missing setting 'base_url' (the gateway is self-hosted: give its "
                "service root, e.g. base_url='https://gateway.example.com')",
                provider=PROVIDER,
            )
        if not root.lower().startswith(("http://", "https://")):
            raise ConfigurationError(
                f"{PROVIDER}: invalid setting 'base_url': it must be an http(s) URL",
                provider=PROVIDER,
            )
        super().__init__(settings, base_url=root)
        # Each gateway client chunks native batches by its own setting.
        self.batch_size = settings.batch_size

    @property
    def sender_key(self) -> str:
        """One sender per gateway deployment (its base URL).

        Example::

            provider.sender_key  # 'https://gw.example.com'
        """
        return self.base_url

    def auth_headers(self) -> dict[str, str]:
        """The Bearer token header.

        Example::

            provider.auth_headers()  # {'Authorization': 'Bearer ...'}
        """
        return {"Authorization": f"Bearer {self.settings.token}"}

    # -- building requests --------------------------------------------------------------------
    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        """The request for one text or template send (validated before any request).

        Example::

            provider.build_send(Conversation("123"), Text("hello again"), SendOptions())
        """
        if isinstance(message, Template):
            if not isinstance(recipient, Phone):
                raise self.unsupported(
                    recipient.kind,
                    f"{PROVIDER} sends templates to phone numbers only "
                    f"(its conversation endpoint takes text)",
                )
            return self.build_batch([recipient], message, options)
        if not isinstance(message, Text):
            raise self.unsupported(message.kind)
        # The gateway documents no length limit; WhatsApp's own (4,096 characters) applies.
        check_max_length("text.body", message.body, TEXT_BODY_MAX, provider=PROVIDER)
        # preview_url is a rendering hint the gateway has no field for: the text goes out as
        # is (the same rule on every provider without a preview switch; see docs/providers.md).
        request_id, extra = _split_extra(options.extra)
        if isinstance(recipient, Phone):
            body: Any = wire.SendTextRequest(
                phone_number=recipient.e164, content=message.body, request_id=request_id
            )
            return self._post(_SEND, body, extra)
        if isinstance(recipient, Conversation):
            if request_id is not None:
                raise ValidationError(
                    f"{PROVIDER}: requestId links a new conversation to a service request; "
                    "it applies to sends to a phone number, not to an existing conversation",
                    provider=PROVIDER,
                    field="requestId",
                )
            path = f"{wire.API_PREFIX}/conversations/{_conversation_id(recipient)}/messages"
            return self._post(path, wire.ConversationMessageRequest(content=message.body), extra)
        raise self.unsupported(recipient.kind, f"{PROVIDER} cannot send to a {recipient.kind}")

    def batch_key(self, recipient: Recipient, message: Message, options: SendOptions) -> Any:
        """Templates to phone numbers with equal template and options share a batch.

        Example::

            provider.batch_key(Phone("+14155552671"), Template("t"), SendOptions())
            # ('template', b'...')
        """
        if not isinstance(message, Template) or not isinstance(recipient, Phone):
            return None
        try:
            header_kind = type(message.header).__name__
            return ("template", header_kind, _key_encoder.encode((message, options)))
        except (TypeError, msgspec.EncodeError):
            return None  # not encodable: send it alone, where build_send reports the problem

    def build_batch(
        self, recipients: Sequence[Recipient], message: Message, options: SendOptions
    ) -> HttpRequest:
        """One template send to every recipient, in order.

        Example::

            provider.build_batch([Phone("+14155552671"), Phone("+442079460958")],
                                 Template("order_update", body=["Ada", "#1"]), SendOptions())
        """
        if not isinstance(message, Template):
            raise self.unsupported(
                message.kind, f"{PROVIDER} batches template messages only, not {message.kind}"
            )
        phones: list[str] = []
        for recipient in recipients:
            if not isinstance(recipient, Phone):
                raise self.unsupported(
                    recipient.kind, f"{PROVIDER} sends templates to phone numbers only"
                )
            phones.append(recipient.e164)
        if not phones:
            raise ValidationError(
                f"{PROVIDER}: a template send needs at least one recipient", provider=PROVIDER
            )
        request_id, extra = _split_extra(options.extra)
        body = wire.SendTemplateRequest(
            template_name=message.name,
            language_code=message.language,
            components=build_components(message),
            recipients=[
                wire.TemplateRecipient(phone_number=phone, request_id=request_id)
                for phone in phones
            ],
        )
        return self._post(_SEND_TEMPLATE, body, extra)

    def build_list_templates(self, cursor: str | None) -> HttpRequest:
        """``GET /api/whatsapp/templates`` (the listing has no paging).

        Example::

            provider.build_list_templates(None).url  # 'https://gw.example.com/api/whatsapp/templates'
        """
        return self.json_request("GET", _TEMPLATES)

    def _post(self, path: str, body: Any, extra: dict[str, Any] | None) -> HttpRequest:
        if extra:
            body = deep_merge(msgspec.to_builtins(body), extra)
        try:
            return self.json_request("POST", path, body)
        except (TypeError, msgspec.EncodeError) as exc:
            raise ValidationError(
                f"{PROVIDER}: extra= must hold JSON values only ({exc})",
                provider=PROVIDER,
                field="extra",
            ) from None

    # -- parsing responses --------------------------------------------------------------------
    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        """The typed error of a failed response (any body: JSON, HTML, empty, truncated).

        Example::

            provider.error_from_response(HttpResponse(status=404, body=b""))  # NotFoundError
        """
        return error_from_body(response)

    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        """The result of a successful send; a template's per-recipient failure is raised.

        Example::

            result = provider.parse_send(response, Phone("+14155552671"), Text("hi"))
            result.id, result.raw["data"]["conversation"]["conversation_id"]
        """
        if isinstance(message, Template):
            [outcome] = self.parse_batch(response, [recipient], message)
            if isinstance(outcome, APIStatusError):
                raise outcome
            return outcome
        body = self.decode(response)
        if isinstance(recipient, Conversation):
            reply = _convert(response, body, wire.ConversationMessageResponse)
            if reply.data is None:
                raise _unexpected(response, "no data in the conversation message response")
            message_id = reply.data.message_id
        else:
            sent = _convert(response, body, wire.SendTextResponse)
            if sent.data is None:
                raise _unexpected(response, "no data in the send response")
            message_id = sent.data.message.message_id
        return SendResult(
            id=str(message_id),
            status="accepted",
            provider=PROVIDER,
            recipient=str(recipient),
            raw=body,
        )

    def parse_batch(
        self, response: HttpResponse, recipients: Sequence[Recipient], message: Message
    ) -> list[SendResult | APIStatusError]:
        """One outcome per recipient, matched by phone number (never by position).

        Entries are queued per phone number in response order, so reordered
        results and repeated numbers still land on the right items; a recipient
        with no entry gets an error of its own.

        Example::

            outcomes = provider.parse_batch(response, [Phone("+14155552671")], template)
        """
        body = self.decode(response)
        batch = _convert(response, body, wire.SendTemplateResponse)
        queues: dict[str, deque[dict[str, Any]]] = {}
        for entry in batch.results or ():
            phone = entry.get("phoneNumber") if isinstance(entry, dict) else None
            if isinstance(phone, str) and (digits := _digits(phone)):
                queues.setdefault(digits, deque()).append(entry)
        outcomes: list[SendResult | APIStatusError] = []
        for recipient in recipients:
            label = str(recipient)
            queue = queues.get(_digits(label))
            if not queue:
                outcomes.append(
                    _unexpected(response, f"the batch response has no result for {label}")
                )
                continue
            outcomes.append(self._recipient_outcome(response, label, queue.popleft()))
        return outcomes

    def _recipient_outcome(
        self, response: HttpResponse, phone: str, entry: dict[str, Any]
    ) -> SendResult | APIStatusError:
        try:
            result = msgspec.convert(entry, wire.RecipientResult)
        except msgspec.ValidationError as exc:
            return _unexpected(response, f"malformed result for {phone} ({exc})")
        if not result.success:
            return recipient_error(response, phone, entry)
        messages = result.data.messages if result.data is not None else []
        if not messages or not messages[0].id:
            return _unexpected(
                response, f"the gateway reported success for {phone} but gave no message id"
            )
        wamid = messages[0].id
        return SendResult(
            id=wamid, status="accepted", provider=PROVIDER, recipient=phone, wa_id=wamid, raw=entry
        )

    def parse_templates(self, response: HttpResponse) -> tuple[list[TemplateInfo], str | None]:
        """Every listed template (no paging is documented, so never a next cursor).

        Example::

            templates, cursor = provider.parse_templates(response)  # cursor is None
        """
        body = self.decode(response)
        listing = _convert(response, body, wire.TemplatesResponse)
        templates = [info for entry in listing.data if (info := template_info(entry)) is not None]
        return templates, None


def _split_extra(extra: Mapping[str, Any] | None) -> tuple[int | None, dict[str, Any] | None]:
    """``requestId`` (checked to be an integer) and the rest of ``extra`` to merge into the body."""
    if not extra:
        return None, None
    rest = dict(extra)
    request_id = rest.pop("requestId", None)
    if request_id is not None and (isinstance(request_id, bool) or not isinstance(request_id, int)):
        raise ValidationError(
            f"{PROVIDER}: extra['requestId'] must be an integer (the service request id), "
            f"got {type(request_id).__name__}",
            provider=PROVIDER,
            field="requestId",
        )
    return request_id, rest or None


def _conversation_id(recipient: Conversation) -> str:
    # Conversation ids are integers on the gateway; anything else could never match one
    # and must not be spliced into the URL path.
    text = str(recipient).strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidRecipient(
            f"{PROVIDER} conversation ids are integers, got {text[:40]!r}", provider=PROVIDER
        )
    return text


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _convert(response: HttpResponse, body: Any, shape: type[Any]) -> Any:
    """``body`` as ``shape``; a ``success: false`` or unreadable body raises a typed error."""
    if isinstance(body, dict) and body.get("success") is False:
        raise error_from_body(response)
    try:
        return msgspec.convert(body, shape)
    except msgspec.ValidationError as exc:
        raise _unexpected(response, f"unexpected response body ({exc})") from None


def _unexpected(response: HttpResponse, what: str) -> APIStatusError:
    return APIStatusError(
        f"{PROVIDER}: {what}",
        provider=PROVIDER,
        status=response.status,
        body=response.body,
    )
