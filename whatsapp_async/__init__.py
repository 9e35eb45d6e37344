"""whatsapp_async: send WhatsApp messages through pluggable providers with identical semantics.

Everything a user imports comes from here.

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("meta", token="...", phone_number_id="...") as wa:
        result = await wa.send("+14155552671", Text("Your order has shipped"))
"""

from .client import BulkItem, WhatsApp
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BillingError,
    ConfigurationError,
    InvalidRecipient,
    NotFoundError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    RecipientError,
    SendCancelled,
    ServerError,
    TemplateError,
    UnsupportedFeature,
    ValidationError,
    WebhookSignatureError,
    WhatsAppError,
)
from .events import Event, EventError, InboundMedia, MessageReceived, StatusUpdate, UnknownEvent
from .failover import Failover
from .idempotency import IdempotencyStore, MemoryIdempotencyStore, SendInProgress
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
from .ratelimit import RateLimiter, TokenBucket
from .recipients import Channel, Conversation, Group, Phone, Recipient
from .results import BulkResult, MessageStatus, SendResult, TemplateComponentInfo, TemplateInfo
from .retry import RetryPolicy
from .transport import Timeout

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Audio",
    "AuthenticationError",
    "BadRequestError",
    "BillingError",
    "BulkItem",
    "BulkResult",
    "Buttons",
    "Capabilities",
    "Channel",
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
    "Group",
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
    "MemoryIdempotencyStore",
    "Message",
    "MessageReceived",
    "MessageStatus",
    "NotFoundError",
    "OutsideWindowError",
    "PermissionDeniedError",
    "Phone",
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
    "StatusUpdate",
    "Sticker",
    "Template",
    "TemplateButton",
    "TemplateComponentInfo",
    "TemplateError",
    "TemplateInfo",
    "Text",
    "Timeout",
    "TokenBucket",
    "UnknownEvent",
    "UnsupportedFeature",
    "ValidationError",
    "Video",
    "WebhookSignatureError",
    "WhatsApp",
    "WhatsAppError",
    "__version__",
    "message_from_dict",
]
