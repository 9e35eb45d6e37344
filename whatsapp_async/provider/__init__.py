"""The provider SDK: everything a provider package imports, from one place, without aiohttp.

A provider is a sans-I/O adapter: it turns a unified call into an :class:`HttpRequest` and an
:class:`HttpResponse` into a result or a typed error. It never opens sockets, sleeps, logs or
reads the clock; the core owns all of that. Importing this module (or any built-in provider)
loads no aiohttp module: ``tests/core/test_boundaries.py`` checks it in a fresh interpreter.
Headers that carry a credential travel in a :class:`RedactedHeaders`, so no repr of a request
or of its headers shows it (``Provider.json_request`` wraps them for you).

Meta's Cloud API shapes, shared by every provider that relays them, are in
:mod:`whatsapp_async.provider.cloudapi`. The simulator base class for tests lives in
:mod:`whatsapp_async.testing` (it is an aiohttp app). See ``docs/writing-a-provider.md``.

Example::

    from whatsapp_async.provider import Capabilities, Provider, SendResult, Settings, Text

    class EchoSettings(Settings, frozen=True):
        token: str
        secret_fields = frozenset({"token"})

    class EchoProvider(Provider):
        name = "echo"
        settings_type = EchoSettings
        capabilities = Capabilities(messages=frozenset({"text"}))
        default_base_url = "https://echo.example"
"""

from ..errors import (
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
    ServerError,
    TemplateError,
    UnsupportedFeature,
    ValidationError,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsAppError,
    error_class_for_status,
)
from ..events import (
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
from ..messages import (
    MESSAGE_KINDS,
    Audio,
    Buttons,
    Contact,
    Contacts,
    Document,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Media,
    Message,
    Reaction,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    Text,
    Video,
)
from ..recipients import Channel, Conversation, Group, Phone, Recipient, User, looks_like_user_id
from ..results import (
    DeliveryState,
    MessageStatus,
    SendResult,
    SendStatus,
    TemplateComponentInfo,
    TemplateInfo,
)
from ._contract import Capabilities, Provider, SendOptions
from ._helpers import (
    check_path_id,
    convert_or_none,
    decode_json,
    deep_merge,
    parse_retry_after,
    status_error,
    summarise_body,
)
from ._http import HttpRequest, HttpResponse, RedactedHeaders, header_value, is_secret_header
from ._lenient import convert_leniently
from ._media import (
    PLATFORM_MEDIA_LIMITS,
    FormFile,
    MediaInfo,
    MediaLimit,
    MediaSource,
    check_media,
    guess_mime_type,
)
from ._operation import Operation
from ._settings import REDACTED, Settings, redact, scrub_value
from ._signatures import (
    MAX_WEBHOOK_DEPTH,
    check_signature_header,
    hmac_sha256_hex,
    nested_deeper_than,
    read_webhook_json,
    verify_hmac_sha256,
)

__all__ = [
    "MAX_WEBHOOK_DEPTH",
    "MESSAGE_KINDS",
    "PLATFORM_MEDIA_LIMITS",
    "REDACTED",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AccountUpdate",
    "Audio",
    "AuthenticationError",
    "BadRequestError",
    "BillingError",
    "BusinessUsernameUpdate",
    "Buttons",
    "Capabilities",
    "Channel",
    "ConfigurationError",
    "Contact",
    "Contacts",
    "Conversation",
    "DeliveryState",
    "Document",
    "Event",
    "EventError",
    "FormFile",
    "Group",
    "GroupUpdate",
    "HttpRequest",
    "HttpResponse",
    "Image",
    "InboundMedia",
    "InvalidRecipient",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "Media",
    "MediaInfo",
    "MediaLimit",
    "MediaSource",
    "Message",
    "MessageReceived",
    "MessageStatus",
    "NotFoundError",
    "Operation",
    "OutsideWindowError",
    "PermissionDeniedError",
    "Phone",
    "PhoneNumberQualityUpdate",
    "Pricing",
    "PricingTier",
    "Provider",
    "RateLimitError",
    "Reaction",
    "Recipient",
    "RecipientError",
    "RedactedHeaders",
    "ReplyButton",
    "SendOptions",
    "SendResult",
    "SendStatus",
    "ServerError",
    "Settings",
    "StatusConversation",
    "StatusUpdate",
    "Sticker",
    "Template",
    "TemplateButton",
    "TemplateCategoryUpdate",
    "TemplateComponentInfo",
    "TemplateError",
    "TemplateInfo",
    "TemplateQualityUpdate",
    "TemplateStatusUpdate",
    "Text",
    "UnknownEvent",
    "UnsupportedFeature",
    "User",
    "UserIdentityChanged",
    "UserPreferenceUpdate",
    "ValidationError",
    "Video",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WhatsAppError",
    "check_media",
    "check_path_id",
    "check_signature_header",
    "convert_leniently",
    "convert_or_none",
    "decode_json",
    "deep_merge",
    "error_class_for_status",
    "guess_mime_type",
    "header_value",
    "hmac_sha256_hex",
    "is_secret_header",
    "looks_like_user_id",
    "nested_deeper_than",
    "parse_retry_after",
    "read_webhook_json",
    "redact",
    "scrub_value",
    "status_error",
    "summarise_body",
    "verify_hmac_sha256",
]
