"""The exception hierarchy shared by every provider.

Every failure a caller can see is a :class:`WhatsAppError`. Errors raised before
any request went out are :class:`ValidationError` (or :class:`ConfigurationError`
at construction); errors after a request are :class:`APIError`. Provider adapters
choose the subclass; the core decides what to retry.

Example::

    try:
        await wa.send("+14155550123", Text("hi"))
    except RateLimitError as exc:
        print("slow down for", exc.retry_after, "seconds")
    except APIStatusError as exc:
        print(exc.provider, exc.status, exc.code, exc.message)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BillingError",
    "ClientClosedError",
    "ConfigurationError",
    "InvalidRecipient",
    "NotFoundError",
    "OptedOut",
    "OutsideWindowError",
    "PermissionDeniedError",
    "RateLimitError",
    "RecipientError",
    "SendCancelled",
    "ServerError",
    "StoreUnavailable",
    "TemplateError",
    "TemplateMismatch",
    "UnsupportedFeature",
    "ValidationError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WhatsAppError",
    "error_class_for_status",
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


class APIError(WhatsAppError):
    """A request went out and did not succeed.

    ``in_doubt`` is decided by the client in one place (``docs/guarantees.md``): a connection
    failure after the request was sent, and a 5xx the provider does not document as "not
    processed", may have delivered the message.

    Example::

        try:
            await wa.send(to, message)
        except APIError as exc:
            retry_later(exc)
    """


class APIConnectionError(APIError):
    """No usable response: refused, reset, DNS or TLS failure.

    ``request_sent`` tells whether the request may have reached the provider
    (False only when the failure happened while connecting).

    Example::

        try:
            await wa.send(to, message)
        except APIConnectionError as exc:
            if not exc.request_sent: ...  # safe to resend
    """

    def __init__(
        self, message: str, *, provider: str | None = None, request_sent: bool = True
    ) -> None:
        super().__init__(message, provider=provider)
        self.request_sent = request_sent
        self.in_doubt = request_sent


class APITimeoutError(APIConnectionError):
    """A timeout fired; ``timeout`` names which one (``"connect"`` or ``"total"``).

    Example::

        try:
            await wa.send(to, message)
        except APITimeoutError as exc:
            print(exc.timeout)  # "total"
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        timeout: str = "total",
        request_sent: bool = True,
    ) -> None:
        super().__init__(message, provider=provider, request_sent=request_sent)
        self.timeout = timeout


class APIStatusError(APIError):
    """The provider answered with an error.

    Attributes: ``status`` (HTTP status), ``code`` (provider code or ``None``),
    ``provider``, ``message``, ``details`` (provider detail text or object), ``body`` (the
    raw response bytes), ``retry_after`` (the wait the provider asked for, any status) and
    ``in_doubt``. No attribute ever holds a credential.

    Example::

        try:
            await wa.send(to, message)
        except APIStatusError as exc:
            print(exc.status, exc.code, exc.details)
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int = 0,
        code: int | str | None = None,
        details: Any = None,
        body: bytes = b"",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider=provider)
        self.status = status
        self.code = code
        self.details = details
        self.body = body
        self.retry_after = retry_after
        # Conservative until the client decides with the provider's rules: a 5xx (or a code
        # mapped to ServerError at any status) may have been processed; the executor also
        # marks a 2xx it could not read as in doubt.
        self.in_doubt = status >= 500 or isinstance(self, ServerError)

    def __str__(self) -> str:
        where = f"{self.provider} " if self.provider else ""
        code = f" code={self.code}" if self.code is not None else ""
        return f"{where}HTTP {self.status}{code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, status={self.status}, "
            f"code={self.code!r}, message={self.message!r})"
        )


class AuthenticationError(APIStatusError):
    """Credentials were rejected (HTTP 401, Meta codes 0 and 190).

    Example::

        try:
            await wa.send(to, message)
        except AuthenticationError: rotate_token()
    """


class PermissionDeniedError(APIStatusError):
    """The credentials may not do this (HTTP 403, Meta 3, 10, 200-299, 368, 131005, 131031).

    Example::

        try:
            await wa.send(to, message)
        except PermissionDeniedError as exc: alert(exc.code)
    """


class NotFoundError(APIStatusError):
    """A template, account, agent or message was not found (HTTP 404).

    Example::

        try:
            await wa.send(to, message)
        except NotFoundError: ...
    """


class RateLimitError(APIStatusError):
    """Throttled (HTTP 429, Meta 4, 80007, 130429, 131056).

    ``retry_after`` is the wait in seconds the provider asked for, or ``None``.

    Example::

        try:
            await wa.send(to, message)
        except RateLimitError as exc: await asyncio.sleep(exc.retry_after or 1)
    """


class OutsideWindowError(APIStatusError):
    """Free-form message outside the 24 h customer-service window (Meta 131047).

    Example::

        try:
            await wa.send(to, message)
        except OutsideWindowError: await wa.send(to, Template("reengage"))
    """


class TemplateError(APIStatusError):
    """The template is missing, unapproved or its parameters do not fit (Meta 132xxx).

    Example::

        try:
            await wa.send(to, message)
        except TemplateError as exc: print(exc.details)
    """


class RecipientError(APIStatusError):
    """The recipient cannot receive this message (Meta 131026, 131021).

    Example::

        try:
            await wa.send(to, message)
        except RecipientError: mark_unreachable(to)
    """


class BillingError(APIStatusError):
    """The account's billing blocks sending (Meta 131042, HTTP 422 BILLING_SUSPENDED).

    Example::

        try:
            await wa.send(to, message)
        except BillingError: page_finance()
    """


class BadRequestError(APIStatusError):
    """Any other 4xx the provider returned.

    Example::

        try:
            await wa.send(to, message)
        except BadRequestError as exc: print(exc.details)
    """


class ServerError(APIStatusError):
    """The provider failed (5xx, Meta 1, 2, 131000, 131016, 131057, 133004); retried by default.

    Example::

        try:
            await wa.send(to, message)
        except ServerError: fail_over()
    """


def error_class_for_status(status: int) -> type[APIStatusError]:
    """The error class an HTTP status implies when the provider gave no usable code.

    Example::

        >>> error_class_for_status(429).__name__
        'RateLimitError'
    """
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return BadRequestError
