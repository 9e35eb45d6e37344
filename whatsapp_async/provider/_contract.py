"""The provider contract: sans-I/O adapters that translate, while the core sends.

A provider turns a unified call into an :class:`HttpRequest` and an
:class:`HttpResponse` into a result or a typed error. It never touches sockets,
sessions, clocks or sleeps; the core (``client.py``) owns all I/O and policy.

A new backend is one package with a :class:`Provider` subclass registered in
the ``whatsapp_async.providers`` entry-point group.

Example::

    class EchoProvider(Provider):
        name = "echo"
        settings_type = EchoSettings
        capabilities = Capabilities(messages=frozenset({"text"}))
        default_base_url = "https://echo.example"

        def build_send(self, recipient, message, options):
            return self.json_request("POST", "/send", {"to": str(recipient), "text": message.body})

        def parse_send(self, response, recipient, message):
            body = self.decode(response)
            return SendResult(id=body["id"], status="accepted", provider=self.name,
                              recipient=str(recipient), raw=body)
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import msgspec

from ..errors import APIStatusError, ConfigurationError, UnsupportedFeature
from ..events import Event, EventError
from ..messages import Message
from ..recipients import Recipient
from ..results import MessageStatus, SendResult, TemplateInfo
from ._helpers import decode_json, status_error, summarise_body
from ._http import HttpRequest, HttpResponse, RedactedHeaders
from ._media import FormFile, MediaInfo, MediaLimit
from ._operation import Operation
from ._settings import Settings

__all__ = ["Capabilities", "Provider", "SendOptions"]

_json_encoder = msgspec.json.Encoder()


class Capabilities(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider can express. The core raises ``UnsupportedFeature`` from it.

    - ``messages``: message kinds (``Text.kind`` etc.: text, image, template, ...)
    - ``recipients``: phone, user (a business-scoped user id), group, channel, conversation
    - ``options``: send options: reply_to, metadata, deliver_at, deliver_until
    - ``operations``: mark_read, get_status, list_templates, native_batch,
      idempotency, webhooks, and provider-specific ones reachable via ``wa.call``
    - ``template_features``: what a template send may use beyond text body parameters
      (``TEMPLATE_FEATURES``: text_header, media_header, currency, flow_button, carousel,
      otp, ...); None (the default) leaves them to the provider's ``build_send``

    Example::

        Capabilities(messages=frozenset({"text", "template"}),
                     operations=frozenset({"list_templates"}),
                     template_features=frozenset({"text_header", "url_button"}))
    """

    messages: frozenset[str] = frozenset()
    recipients: frozenset[str] = frozenset({"phone"})
    options: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()
    template_features: frozenset[str] | None = None


class SendOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Per-send options, already checked against the provider's capabilities.

    ``idempotency_key`` is set by the core (the caller's, or a generated one)
    when the provider honours idempotency keys. ``sender`` is the business number to send
    from, one of ``Provider.senders`` (None: the provider's default).

    Example::

        SendOptions(reply_to="wamid.X", extra={"biz_opaque_callback_data": "t-1"})
    """

    reply_to: str | None = None
    idempotency_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    deliver_at: datetime | None = None
    deliver_until: datetime | None = None
    extra: Mapping[str, Any] | None = None
    correlation_id: str | None = None
    """Set by the core on providers with ``correlates_sends``: carry it on the send so that
    its status events name it (``StatusUpdate.correlation_id``)."""
    sender: str | None = None


class Provider(abc.ABC):
    """Base class of every provider adapter (sans-I/O).

    Subclasses set the class attributes and implement ``build_send`` and
    ``parse_send``; the optional operations default to ``UnsupportedFeature``.
    ``error_from_response`` maps an error response to a typed error by HTTP
    status; override it to map the provider's own codes first.

    Example::

        provider = MetaProvider(MetaSettings(token="t", phone_number_id="1"))
        request = provider.build_send(Phone("+14155552671"), Text("hi"), SendOptions())
    """

    name: ClassVar[str]
    settings_type: ClassVar[type[Settings]]
    capabilities: ClassVar[Capabilities]
    default_base_url: ClassVar[str | None] = None
    default_rate_limit: ClassVar[float | None] = None
    """Messages per second per sender when the caller leaves ``rate_limit`` at its default."""
    media_limits: ClassVar[Mapping[str, MediaLimit]] = {}
    """Per media kind, the largest file and the MIME types uploads may have."""
    batch_size: int = 100
    """Recipients per native batch request (``native_batch``); may be set per instance."""
    not_processed_codes: ClassVar[frozenset[int | str]] = frozenset()
    """Provider codes documented as "not processed" even on a 5xx: such a failure is not in
    doubt (nothing was delivered), so it may be retried. Every other 5xx is in doubt."""
    pair_limit_codes: ClassVar[frozenset[int | str]] = frozenset()
    """Throttling codes that concern one recipient, not the sender (Meta's 131056): the core
    slows down messages to that recipient instead of the whole sender."""
    max_rate_limit: ClassVar[float | None] = None
    """The highest throughput the provider documents for a sender (Meta: 1,000 msg/s): the
    adaptive limiter starts at ``default_rate_limit`` and never goes above this."""
    correlates_sends: ClassVar[bool] = False
    """The send can carry ``SendOptions.correlation_id`` and status events give it back
    (Meta: inside ``biz_opaque_callback_data``): a send whose answer was lost can be found."""
    customer_service_window: ClassVar[bool] = False
    """Free-form messages need an open 24 h customer-service window (the Cloud API, and the
    providers in front of it): the core tracks windows in the ledger."""
    operations: ClassVar[Mapping[str, Operation[..., Any]]] = {}
    """Provider-specific operations by name (collected from the class body; see ``wa.call``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[str, Operation[..., Any]] = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                if isinstance(value, Operation):
                    table[value.name] = value
        cls.operations = table

    def __init__(self, settings: Any, *, base_url: str | None = None) -> None:
        self.settings = settings
        root = base_url or getattr(settings, "base_url", None) or self.default_base_url
        if not root:
            raise ConfigurationError(f"{self.name}: missing setting 'base_url'", provider=self.name)
        self.base_url: str = root.rstrip("/")

    # -- identity ----------------------------------------------------------------------------
    @property
    def sender_key(self) -> str:
        """Key for per-sender rate limits (a phone number id, an account ...)."""
        return self.name

    @property
    def senders(self) -> tuple[str, ...]:
        """The business numbers this instance may send from with ``sender=`` (override).

        Empty (the default): one implicit sender, and ``sender=`` is refused. A provider
        that takes several (Meta's ``phone_number_ids``) lists them, its default first.

        Example::

            MetaProvider(MetaSettings(token="t", phone_number_id="1",
                                      phone_number_ids="2")).senders  # ('1', '2')
        """
        return ()

    @property
    def default_sender(self) -> str | None:
        """The business number a send without ``sender=`` goes out from, if the provider has
        such an identity (``SendResult.sender``); None otherwise."""
        senders = self.senders
        return senders[0] if senders else None

    def sender_key_for(self, sender: str | None) -> str:
        """The rate-limit key of ``sender`` (one of :attr:`senders`; None: the default).

        Example::

            provider.sender_key_for("106540352242922")  # '106540352242922'
        """
        return self.sender_key if sender is None else sender

    # -- helpers for subclasses ---------------------------------------------------------------
    def url(self, path: str) -> str:
        """An absolute URL under the base URL."""
        return f"{self.base_url}{path}"

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate every request (override)."""
        return {}

    def json_request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
    ) -> HttpRequest:
        """A JSON request to ``path`` with the auth headers (redacted in every repr).

        Example::

            provider.json_request("GET", "/v1/messages/42", idempotent=True).headers
            # {'x-api-key': '***'}
        """
        all_headers = self.auth_headers()
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if headers:
            all_headers.update(headers)
        return HttpRequest(
            method=method,
            url=self.url(path),
            headers=RedactedHeaders(all_headers),
            body=None if body is None else _json_encoder.encode(body),
            idempotent=idempotent,
        )

    @staticmethod
    def decode(response: HttpResponse) -> Any:
        """The response body as JSON, or None when it is not JSON."""
        return decode_json(response.body)

    def unsupported(self, feature: str, what: str | None = None) -> UnsupportedFeature:
        """An ``UnsupportedFeature`` naming what this provider does support."""
        caps = self.capabilities
        supported = ", ".join(sorted(caps.messages)) or "nothing"
        text = what or f"{self.name} does not support {feature}"
        return UnsupportedFeature(
            f"{text}; {self.name} supports messages: {supported}",
            provider=self.name,
            feature=feature,
        )

    # -- sending ------------------------------------------------------------------------------
    @abc.abstractmethod
    def build_send(
        self, recipient: Recipient, message: Message, options: SendOptions
    ) -> HttpRequest:
        """The request that sends ``message`` to ``recipient`` (raise ValidationError if not)."""

    @abc.abstractmethod
    def parse_send(
        self, response: HttpResponse, recipient: Recipient, message: Message
    ) -> SendResult:
        """The result of a successful (2xx) send response."""

    def error_from_response(self, response: HttpResponse) -> APIStatusError:
        """The typed error for a failed response; by HTTP status unless overridden."""
        body = self.decode(response)
        message = ""
        if isinstance(body, dict):
            err = body.get("error")
            if isinstance(err, str):
                message = err
            elif isinstance(err, dict) and isinstance(err.get("message"), str):
                message = err["message"]
            elif isinstance(body.get("message"), str):
                message = body["message"]
        if not message:
            message = summarise_body(response.body) or f"HTTP {response.status}"
        return status_error(
            None,
            message,
            provider=self.name,
            response=response,
            details=body if isinstance(body, dict) else None,
        )

    # -- native batch (optional) --------------------------------------------------------------
    def batch_key(self, recipient: Recipient, message: Message, options: SendOptions) -> Any:
        """A hashable key; items with equal keys may share one batch request (None: never)."""
        return None

    def build_batch(
        self, recipients: Sequence[Recipient], message: Message, options: SendOptions
    ) -> HttpRequest:
        """One request sending ``message`` to every recipient (``native_batch``)."""
        raise self.unsupported("native_batch")

    def parse_batch(
        self, response: HttpResponse, recipients: Sequence[Recipient], message: Message
    ) -> list[SendResult | APIStatusError]:
        """One outcome per recipient, in order, from a successful batch response."""
        raise self.unsupported("native_batch")

    # -- other operations (optional) ----------------------------------------------------------
    def build_mark_read(self, message_id: str, typing: bool) -> HttpRequest:
        """The request marking an inbound message read (optionally showing typing)."""
        raise self.unsupported("mark_read")

    def parse_mark_read(self, response: HttpResponse) -> None:
        """Check a successful mark-read response."""

    def build_get_status(self, message_id: str) -> HttpRequest:
        """The request looking up a sent message's status."""
        raise self.unsupported("get_status")

    def parse_status(self, response: HttpResponse) -> MessageStatus:
        """The status from a successful look-up response."""
        raise self.unsupported("get_status")

    def build_list_templates(self, cursor: str | None) -> HttpRequest:
        """The request for one page of templates (``cursor`` from the previous page)."""
        raise self.unsupported("list_templates")

    def parse_templates(self, response: HttpResponse) -> tuple[list[TemplateInfo], str | None]:
        """Templates on this page and the cursor of the next page (None: last page)."""
        raise self.unsupported("list_templates")

    # -- media (optional: "upload_media" operation) -------------------------------------------
    def build_upload_media(self, file: FormFile) -> HttpRequest:
        """The multipart request uploading ``file`` (checked against ``media_limits``)."""
        raise self.unsupported("upload_media")

    def parse_upload_media(self, response: HttpResponse) -> str:
        """The media id from a successful upload response."""
        raise self.unsupported("upload_media")

    def build_media_url(self, media_id: str) -> HttpRequest:
        """The request looking up a media object's (short-lived) download URL."""
        raise self.unsupported("upload_media")

    def parse_media_url(self, response: HttpResponse) -> MediaInfo:
        """The media description from a successful look-up."""
        raise self.unsupported("upload_media")

    def build_download(self, url: str) -> HttpRequest:
        """The (authenticated) GET of a media URL; the core streams the body."""
        raise self.unsupported("upload_media")

    def build_delete_media(self, media_id: str) -> HttpRequest:
        """The request deleting an uploaded media object."""
        raise self.unsupported("upload_media")

    def parse_delete_media(self, response: HttpResponse) -> None:
        """Check a successful delete response."""

    # -- after the send (optional) -----------------------------------------------------------
    def error_class_for_event(self, error: EventError) -> type[APIStatusError] | None:
        """The error class a status event's error code implies (None: decide generically).

        ``wa.wait_for_status`` raises ``DeliveryFailed`` carrying an instance of it, and a
        window-class error (``OutsideWindowError``) closes the user's window in the ledger.
        """
        return None

    # -- webhooks (optional) ------------------------------------------------------------------
    webhook_secret_setting: ClassVar[str | None] = None
    """The setting whose value lets ``parse_webhook`` verify deliveries (Meta ``app_secret``);
    None when the provider's webhooks carry nothing to verify."""

    @property
    def verifies_webhooks(self) -> bool:
        """Whether ``parse_webhook`` checks each delivery's signature or token (override).

        The core warns once when a provider that can verify does not (no secret set).
        """
        return False

    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]
    ) -> list[Event]:
        """Verify (when a secret is configured) and normalise one webhook delivery.

        Raises ``WebhookSignatureError`` on a bad signature; unknown shapes
        become ``UnknownEvent``.
        """
        raise self.unsupported("webhooks")

    def webhook_handshake(self, query: Mapping[str, str]) -> str | None:
        """The body to answer a GET verification request with, or None when there is none.

        Raises ``WebhookSignatureError`` when the request carries a wrong token.
        """
        return None
