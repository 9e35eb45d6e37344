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
import email.utils
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

from .config import REDACTED, Settings
from .errors import (
    APIStatusError,
    RateLimitError,
    UnsupportedFeature,
    error_class_for_status,
)
from .events import Event
from .media import FormFile, MediaInfo, MediaLimit
from .messages import Message
from .recipients import Recipient
from .results import MessageStatus, SendResult, TemplateInfo

if TYPE_CHECKING:
    from .simulation import Simulator

__all__ = [
    "Capabilities",
    "HttpRequest",
    "HttpResponse",
    "Provider",
    "SendOptions",
    "deep_merge",
    "parse_retry_after",
]

_json_encoder = msgspec.json.Encoder()
_json_decoder = msgspec.json.Decoder()


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A request a provider wants sent. ``url`` is absolute.

    ``idempotent`` is True when resending after the body may have reached the
    server cannot duplicate the effect (the provider honours an idempotency key,
    or the request only reads); the core then retries ambiguous failures too.

    Example::

        HttpRequest(method="POST", url="https://x/send", headers={...}, body=b"{}")
    """

    method: str
    url: str
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    body: bytes | None = None
    form: Sequence[tuple[str, str | FormFile]] | None = None
    """A multipart form (instead of ``body``): plain fields and at most one file."""
    idempotent: bool = False

    def __repr__(self) -> str:
        # A logged request must not show credentials: redact headers that carry them.
        headers = {k: (REDACTED if _is_secret_header(k) else v) for k, v in self.headers.items()}
        size = "form" if self.form is not None else f"{len(self.body or b'')} bytes"
        return f"HttpRequest({self.method} {self.url}, headers={headers}, body={size})"


_SECRET_HEADER_PARTS = ("auth", "key", "token", "secret", "signature", "cookie")


def _is_secret_header(name: str) -> bool:
    lower = name.lower()
    return any(part in lower for part in _SECRET_HEADER_PARTS)


class HttpResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A response as the core received it. Header names are matched case-insensitively.

    Example::

        HttpResponse(status=200, headers={"content-type": "application/json"}, body=b"{}")
    """

    status: int
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        value = self.headers.get(name)
        if value is not None:
            return value
        lower = name.lower()
        for key, val in self.headers.items():
            if key.lower() == lower:
                return val
        return None


class Capabilities(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider can express. The core raises ``UnsupportedFeature`` from it.

    - ``messages``: message kinds (``Text.kind`` etc.: text, image, template, ...)
    - ``recipients``: phone, group, channel, conversation
    - ``options``: send options: reply_to, metadata, deliver_at, deliver_until
    - ``operations``: mark_read, get_status, list_templates, native_batch,
      idempotency, webhooks, and provider-specific ones reachable via ``wa.call``

    Example::

        Capabilities(messages=frozenset({"text", "template"}),
                     operations=frozenset({"list_templates"}))
    """

    messages: frozenset[str] = frozenset()
    recipients: frozenset[str] = frozenset({"phone"})
    options: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()


class SendOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Per-send options, already checked against the provider's capabilities.

    ``idempotency_key`` is set by the core (the caller's, or a generated one)
    when the provider honours idempotency keys.

    Example::

        SendOptions(reply_to="wamid.X", extra={"biz_opaque_callback_data": "t-1"})
    """

    reply_to: str | None = None
    idempotency_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    deliver_at: datetime | None = None
    deliver_until: datetime | None = None
    extra: Mapping[str, Any] | None = None


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge ``extra`` into ``base`` recursively (mappings merge, anything else replaces).

    Example::

        >>> deep_merge({"a": {"b": 1}}, {"a": {"c": 2}})
        {'a': {'b': 1, 'c': 2}}
    """
    if not extra:
        return base
    for key, value in extra.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            base[key] = deep_merge(current, value)
        else:
            base[key] = value
    return base


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    Example::

        >>> parse_retry_after("7")
        7.0
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


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

    def __init__(self, settings: Any, *, base_url: str | None = None) -> None:
        self.settings = settings
        root = base_url or getattr(settings, "base_url", None) or self.default_base_url
        if not root:
            from .errors import ConfigurationError

            raise ConfigurationError(f"{self.name}: missing setting 'base_url'", provider=self.name)
        self.base_url: str = root.rstrip("/")

    # -- identity ----------------------------------------------------------------------------
    @property
    def sender_key(self) -> str:
        """Key for per-sender rate limits (a phone number id, an account ...)."""
        return self.name

    @classmethod
    def simulator(cls) -> Simulator:
        """A fresh simulator of this provider's API (used by ``Sandbox``)."""
        raise UnsupportedFeature(f"{cls.name} ships no simulator", provider=cls.name)

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
        """A JSON request to ``path`` with the auth headers."""
        all_headers = self.auth_headers()
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if headers:
            all_headers.update(headers)
        return HttpRequest(
            method=method,
            url=self.url(path),
            headers=all_headers,
            body=None if body is None else _json_encoder.encode(body),
            idempotent=idempotent,
        )

    @staticmethod
    def decode(response: HttpResponse) -> Any:
        """The response body as JSON, or None when it is not JSON."""
        if not response.body:
            return None
        try:
            return _json_decoder.decode(response.body)
        except msgspec.DecodeError:
            return None

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
            message = _summarise(response.body) or f"HTTP {response.status}"
        cls = error_class_for_status(response.status)
        kwargs: dict[str, Any] = {
            "provider": self.name,
            "status": response.status,
            "code": None,
            "details": body if isinstance(body, dict) else None,
            "body": response.body,
        }
        if cls is RateLimitError:
            return RateLimitError(
                message, retry_after=parse_retry_after(response.header("Retry-After")), **kwargs
            )
        return cls(message, **kwargs)

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

    # -- webhooks (optional) ------------------------------------------------------------------
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


def _summarise(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", "replace").strip()
    return " ".join(text.split())
