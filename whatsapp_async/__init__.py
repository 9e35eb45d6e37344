"""whatsapp_async: send WhatsApp messages through pluggable providers with identical semantics.

Everything a user imports comes from here (``__all__`` is the public API, checked by
``tests/core/test_public_api.py``). Provider authors import from :mod:`whatsapp_async.provider`.

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("meta", token="...", phone_number_id="...") as wa:
        result = await wa.send("+14155552671", Text("Your order has shipped"))
"""

from typing import TYPE_CHECKING, Any

from ._failover import Failover
from ._idempotency import IdempotencyStore, MemoryIdempotencyStore, SendInProgress
from ._items import BulkItem
from ._ratelimit import RateLimiter, TokenBucket
from ._registry import available as available_providers
from ._registry import register as register_provider
from ._retry import RetryPolicy
from ._timeout import Timeout
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    ClientClosedError,
    ConfigurationError,
    DeliveryFailed,
    InvalidRecipient,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    SendCancelled,
    ServerError,
    StatusTimeout,
    StoreUnavailable,
    TemplateError,
    TemplateMismatch,
    UnsupportedFeature,
    ValidationError,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsAppError,
)
from .events import Event, EventError, InboundMedia, MessageReceived, StatusUpdate, UnknownEvent
from .ledger import Ledger, LedgerEntry, MemoryLedger, Window
from .messages import (
    AddressRequest,
    Audio,
    Buttons,
    CallPermissionRequest,
    Catalog,
    CatalogButton,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
    CtaUrl,
    Currency,
    DateTime,
    Document,
    Flow,
    FlowButton,
    Image,
    LimitedTimeOffer,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    LocationRequest,
    Message,
    MultiProductButton,
    Product,
    ProductHeader,
    ProductList,
    ProductSection,
    Reaction,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    TemplateCard,
    Text,
    Video,
    VoiceCall,
    message_from_dict,
)
from .provider import Capabilities, HttpRequest, HttpResponse, Provider, SendOptions
from .recipients import Channel, Conversation, Group, Phone, Recipient
from .results import (
    BulkResult,
    DeliveryReport,
    MessageStatus,
    SendResult,
    TemplateComponentInfo,
    TemplateInfo,
)

if TYPE_CHECKING:
    from ._client import WhatsApp

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AddressRequest",
    "Audio",
    "AuthenticationError",
    "BadRequestError",
    "BillingError",
    "BulkItem",
    "BulkResult",
    "Buttons",
    "CallPermissionRequest",
    "Capabilities",
    "Catalog",
    "CatalogButton",
    "Channel",
    "ClientClosedError",
    "ConfigurationError",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "Contacts",
    "Conversation",
    "CtaUrl",
    "Currency",
    "DateTime",
    "DeliveryFailed",
    "DeliveryReport",
    "Document",
    "Event",
    "EventError",
    "Failover",
    "Flow",
    "FlowButton",
    "Group",
    "HttpRequest",
    "HttpResponse",
    "IdempotencyStore",
    "Image",
    "InboundMedia",
    "InvalidRecipient",
    "Ledger",
    "LedgerEntry",
    "LimitedTimeOffer",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "LocationRequest",
    "MemoryIdempotencyStore",
    "MemoryLedger",
    "Message",
    "MessageReceived",
    "MessageStatus",
    "MultiProductButton",
    "NotFoundError",
    "OutsideWindowError",
    "PermissionDeniedError",
    "Phone",
    "Product",
    "ProductHeader",
    "ProductList",
    "ProductSection",
    "Provider",
    "RateLimitError",
    "RateLimiter",
    "Reaction",
    "Recipient",
    "RecipientError",
    "ReplyButton",
    "RetryPolicy",
    "SendCancelled",
    "SendInProgress",
    "SendOptions",
    "SendResult",
    "ServerError",
    "StatusTimeout",
    "StatusUpdate",
    "Sticker",
    "StoreUnavailable",
    "Template",
    "TemplateButton",
    "TemplateCard",
    "TemplateComponentInfo",
    "TemplateError",
    "TemplateInfo",
    "TemplateMismatch",
    "Text",
    "Timeout",
    "TokenBucket",
    "UnknownEvent",
    "UnsupportedFeature",
    "ValidationError",
    "Video",
    "VoiceCall",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WhatsApp",
    "WhatsAppError",
    "Window",
    "__version__",
    "available_providers",
    "message_from_dict",
    "register_provider",
]


def __getattr__(name: str) -> Any:
    # The client (and aiohttp with it) loads on first use, so that importing the provider SDK
    # or a provider package never pulls in aiohttp (tests/core/test_boundaries.py).
    if name == "WhatsApp":
        from ._client import WhatsApp

        return WhatsApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
