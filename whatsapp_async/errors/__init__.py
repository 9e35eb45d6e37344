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
    "DeliveryFailed",
    "InvalidRecipient",
    "NotFoundError",
    "OptedOut",
    "OutsideWindowError",
    "PermissionDeniedError",
    "RateLimitError",
    "RecipientError",
    "SendCancelled",
    "ServerError",
    "StatusTimeout",
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

from ._api import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    ServerError,
    TemplateError,
    error_class_for_status,
)
from ._base import (
    ClientClosedError,
    ConfigurationError,
    InvalidRecipient,
    OptedOut,
    SendCancelled,
    StoreUnavailable,
    TemplateMismatch,
    UnsupportedFeature,
    ValidationError,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsAppError,
)
from ._delivery import DeliveryFailed, StatusTimeout

# One public home: reprs, tracebacks and pickles name ``whatsapp_async.errors``.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
