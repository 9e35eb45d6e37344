"""The root of the hierarchy and the errors raised before (or instead of) any request.

Example::

    raise ValidationError("text body must not be empty", field="text.body")
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ClientClosedError",
    "ConfigurationError",
    "InvalidRecipient",
    "OptedOut",
    "SendCancelled",
    "StoreUnavailable",
    "TemplateMismatch",
    "UnsupportedFeature",
    "ValidationError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WhatsAppError",
]


class WhatsAppError(Exception):
    """Base class of every error this SDK raises.

    ``in_doubt`` says whether the message may have been delivered although this error was
    raised (a 5xx or a reset after the request went out, a cancellation mid-request): such a
    send is not retried by default, so that a user never gets it twice. It is False for every
    error raised before a request went out.

    Example::

        try:
            await wa.send(to, message)
        except WhatsAppError as exc:
            log.warning("send failed: %s", exc)
    """

    in_doubt: bool = False
    correlation_id: str | None = None
    """For an in-doubt send on a provider that correlates statuses (Meta): the id its status
    webhooks carry, by which ``wa.resolve_in_doubt`` finds out whether it went out."""
    _pending: Any = None  # what resolve_in_doubt needs to send again (set by the client)

    def __init__(self, message: str, *, provider: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider


class ConfigurationError(WhatsAppError):
    """A setting is missing, unknown or malformed; raised at construction.

    Example::

        WhatsApp("meta", token="t")  # ConfigurationError: meta: missing setting 'phone_number_id'
    """


class ValidationError(WhatsAppError):
    """Input was rejected before any request went out.

    ``field`` names the offending field when there is one.

    Example::

        Text("")  # ValidationError: text body must not be empty
    """

    def __init__(
        self, message: str, *, provider: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message, provider=provider)
        self.field = field


class InvalidRecipient(ValidationError):
    """The recipient is not a valid phone number (or group/channel id).

    Example::

        await wa.send("12", Text("hi"))  # InvalidRecipient
    """


class UnsupportedFeature(ValidationError):
    """The provider cannot express this message type or option.

    ``feature`` names the capability (``"image"``, ``"reply_to"``, ``"mark_read"`` ...).

    Example::

        await magpipe.send(to, Image(link="https://x/y.png"))  # UnsupportedFeature
    """

    def __init__(self, message: str, *, provider: str | None = None, feature: str = "") -> None:
        super().__init__(message, provider=provider, field=feature or None)
        self.feature = feature


class OptedOut(ValidationError):
    """A marketing template to a user on the client's suppression list (fed by the
    ``user_preferences`` webhooks of users who tapped "stop"): refused before any request.

    Example::

        await wa.send("+16505551234", Template("spring_sale"))  # OptedOut: .user, .category
    """

    def __init__(self, message: str, *, provider: str | None = None, user: str = "") -> None:
        super().__init__(message, provider=provider, field="to")
        self.user = user
        self.category = "marketing"


class TemplateMismatch(ValidationError):
    """A ``Template`` does not fit the provider's approved template (``check_templates=True``).

    Raised by the local check before any request, so it is a :class:`ValidationError` (no
    status, nothing sent), not the provider's :class:`TemplateError`. ``template`` and
    ``language`` name the template; ``details`` holds both.

    Example::

        try:
            await wa.send(to, Template("order_update", body=["Ada"]))
        except TemplateMismatch as exc:
            print(exc.template, exc.language, exc.message)
    """

    def __init__(
        self, message: str, *, provider: str | None = None, template: str, language: str
    ) -> None:
        super().__init__(message, provider=provider, field="template")
        self.template = template
        self.language = language
        self.details = {"template": template, "language": language}


class ClientClosedError(WhatsAppError):
    """The client was closed (``aclose`` or its ``async with`` ended); nothing was sent.

    Raised at once, never retried and never failed over: a closed client is a mistake in the
    calling code, not a provider problem. Create a new client instead.

    Example::

        async with WhatsApp("meta", ...) as wa:
            ...
        await wa.send(to, Text("hi"))  # ClientClosedError
    """


class SendCancelled(WhatsAppError):
    """The outcome of a ``send_many`` item that had not finished when the bulk send was cancelled.

    The item may or may not have reached the provider (``request_started``, also
    ``in_doubt``).

    Example::

        for index, error in bulk.failures():
            if isinstance(error, SendCancelled): requeue(index)
    """

    def __init__(
        self, message: str, *, provider: str | None = None, request_started: bool = False
    ) -> None:
        super().__init__(message, provider=provider)
        self.request_started = request_started
        self.in_doubt = request_started


class StoreUnavailable(WhatsAppError):
    """Shared state a send depends on failed or did not answer in time; this attempt sent nothing.

    Raised when the idempotency store cannot reserve the key (nothing was sent), or when a
    shared rate limiter cannot schedule an attempt (it fails closed: that attempt is not
    sent; an earlier attempt of the same send may have been, see ``APIConnectionError``).
    A store that fails *after* the provider accepted a message never turns the accepted
    send into this error: the result is returned and the failure logged. ``operation``
    names the store call (``"reserve"``, ``"rate limit"`` ...). The message never holds a
    credential; the store's own error is chained as ``__cause__``.

    Example::

        try:
            await wa.send(to, message, idempotency_key="order-1234")
        except StoreUnavailable:
            await asyncio.sleep(5)  # nothing was sent: safe to try again later
    """

    def __init__(self, message: str, *, provider: str | None = None, operation: str = "") -> None:
        super().__init__(message, provider=provider)
        self.operation = operation


class WebhookSignatureError(WhatsAppError):
    """A webhook body failed signature verification.

    Example::

        wa.parse_webhook({"X-Hub-Signature-256": "sha256=bad"}, body)  # raises
    """


class WebhookPayloadError(WhatsAppError):
    """A webhook body that cannot be read at all: empty, not JSON (invalid UTF-8 included),
    or nested deeper than ``MAX_WEBHOOK_DEPTH`` (64) levels.

    Raised only after the delivery passed verification (a bad signature is a
    :class:`WebhookSignatureError` first). JSON of a shape the provider does not know is not
    an error: it becomes an ``UnknownEvent``. ``wa.webhook_app`` answers it with 400.

    Example::

        def status_for(headers, body):
            try:
                wa.parse_webhook(headers, body)
            except WebhookSignatureError:
                return 401
            except WebhookPayloadError:
                return 400
            return 200
    """
