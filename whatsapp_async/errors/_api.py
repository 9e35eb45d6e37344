"""The errors of a request that went out: connection failures and the provider's answers.

Example::

    >>> error_class_for_status(503).__name__
    'ServerError'
"""

from __future__ import annotations

from typing import Any

from ._base import WhatsAppError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BillingError",
    "NotFoundError",
    "OutsideWindowError",
    "PermissionDeniedError",
    "RateLimitError",
    "RecipientError",
    "ServerError",
    "TemplateError",
    "error_class_for_status",
]


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

    Raised for the provider's refusal (``status`` and ``code`` set), and, with
    ``WhatsApp(window="enforce")``, before any request for a user whose window the ledger
    knows is closed (``status`` 0, ``code`` None, ``window`` the :class:`~whatsapp_async.Window`).
    Either way nothing was delivered.

    Example::

        try:
            await wa.send(to, message)
        except OutsideWindowError: await wa.send(to, Template("reengage"))
    """

    window: Any = None
    """The ledger's window that refused the send locally (None for the provider's refusal)."""


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
