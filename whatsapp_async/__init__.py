"""whatsapp_async: send WhatsApp messages through pluggable providers with identical semantics.

Everything a user imports comes from here (``__all__`` is the public API, checked by
``tests/core/test_public_api.py``). Provider authors import from :mod:`whatsapp_async.provider`.

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("meta", token="...", phone_number_id="...") as wa:
        result = await wa.send("+14155552671", Text("Your order has shipped"))
"""

from typing import TYPE_CHECKING, Any

from ._aliases import AliasStore, MemoryAliasStore, MemorySuppressionList, SuppressionList
from ._failover import Failover
from ._idempotency import IdempotencyStore, MemoryIdempotencyStore, SendInProgress
from ._items import BulkItem
from ._ratelimit import RateLimiter, TokenBucket
from ._registry import available as available_providers
from ._registry import register as register_provider
from ._retry import RetryPolicy
from ._router import Filter, Router
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
    InvalidRecipient,
    NotFoundError,
    OptedOut,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    SendCancelled,
    ServerError,
    StoreUnavailable,
    TemplateError,
    TemplateMismatch,
    UnsupportedFeature,
    ValidationError,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsAppError,
)
from .events import (
    AccountUpdate,
    BusinessUsernameUpdate,
    Event,
    EventError,
    GroupUpdate,
    InboundMedia,
    MessageReceived,
    PhoneNumberQualityUpdate,
    Pricing,
    PricingTier,
    StatusConversation,
    StatusUpdate,
    TemplateCategoryUpdate,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    UnknownEvent,
    UserIdentityChanged,
    UserPreferenceUpdate,
)
from .messages import (
    Audio,
    Buttons,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
    Document,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Message,
    Reaction,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    Text,
    Video,
    message_from_dict,
)
from .provider import Capabilities, HttpRequest, HttpResponse, Provider, SendOptions
from .recipients import Channel, Conversation, Group, Phone, Recipient, User
from .results import BulkResult, MessageStatus, SendResult, TemplateComponentInfo, TemplateInfo

if TYPE_CHECKING:
    from ._client import WhatsApp

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AccountUpdate",
    "AliasStore",
    "Audio",
    "AuthenticationError",
    "BadRequestError",
    "BillingError",
    "BulkItem",
    "BulkResult",
    "BusinessUsernameUpdate",
    "Buttons",
    "Capabilities",
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
    "Document",
    "Event",
    "EventError",
    "Failover",
    "Filter",
    "Group",
    "GroupUpdate",
    "HttpRequest",
    "HttpResponse",
    "IdempotencyStore",
    "Image",
    "InboundMedia",
    "InvalidRecipient",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "MemoryAliasStore",
    "MemoryIdempotencyStore",
    "MemorySuppressionList",
    "Message",
    "MessageReceived",
    "MessageStatus",
    "NotFoundError",
    "OptedOut",
    "OutsideWindowError",
    "PermissionDeniedError",
    "Phone",
    "PhoneNumberQualityUpdate",
    "Pricing",
    "PricingTier",
    "Provider",
    "RateLimitError",
    "RateLimiter",
    "Reaction",
    "Recipient",
    "RecipientError",
    "ReplyButton",
    "RetryPolicy",
    "Router",
    "SendCancelled",
    "SendInProgress",
    "SendOptions",
    "SendResult",
    "ServerError",
    "StatusConversation",
    "StatusUpdate",
    "Sticker",
    "StoreUnavailable",
    "SuppressionList",
    "Template",
    "TemplateButton",
    "TemplateCategoryUpdate",
    "TemplateComponentInfo",
    "TemplateError",
    "TemplateInfo",
    "TemplateMismatch",
    "TemplateQualityUpdate",
    "TemplateStatusUpdate",
    "Text",
    "Timeout",
    "TokenBucket",
    "UnknownEvent",
    "UnsupportedFeature",
    "User",
    "UserIdentityChanged",
    "UserPreferenceUpdate",
    "ValidationError",
    "Video",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WhatsApp",
    "WhatsAppError",
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
