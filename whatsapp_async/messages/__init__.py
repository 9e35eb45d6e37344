"""The unified message model: one set of types for every provider.

Messages are immutable msgspec Structs. Checks that hold for every provider
(empty text, a media object with both or neither of ``id``/``link``, a link that
is not http(s)) run at construction and raise :class:`ValidationError`; limits
that one provider documents (Meta's 4096-character text, for instance) are
checked by that provider before any request.

Families: text, media, location and reactions (``_basic``), contact cards (``_contacts``),
reply buttons and lists (``_interactive``), one-action interactive messages (``_actions``:
CTA URL, Flow, location/call-permission/address requests, voice call), commerce
(``_commerce``: product, product list, catalogue) and templates (``_template``, with their
typed parts in ``_template_parts``).

Example::

    from whatsapp_async import Text, Image, Template

    Text("Your order has shipped", preview_url=True)
    Image(link="https://example.com/receipt.png", caption="Receipt")
    Template("order_update", body=["Ada", "#1234"])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import msgspec

from ..errors import ValidationError
from ._actions import (
    AddressRequest,
    CallPermissionRequest,
    CtaUrl,
    Flow,
    FlowAction,
    FlowMode,
    LocationRequest,
    VoiceCall,
)
from ._basic import Audio, Document, Image, Location, Media, Reaction, Sticker, Text, Video
from ._commerce import Catalog, Product, ProductList, ProductSection
from ._contacts import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactKind,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
)
from ._from_dict import nested_fields
from ._interactive import Buttons, ListMessage, ListRow, ListSection, ReplyButton
from ._template import (
    TEMPLATE_FEATURES,
    AnyTemplateButton,
    Template,
    TemplateButton,
    TemplateButtonType,
    TemplateHeader,
    template_features,
)
from ._template_parts import (
    BodyValue,
    CatalogButton,
    Currency,
    DateTime,
    FlowButton,
    LimitedTimeOffer,
    MultiProductButton,
    ProductHeader,
    TemplateCard,
)

__all__ = [
    "MESSAGE_KINDS",
    "TEMPLATE_FEATURES",
    "AddressRequest",
    "AnyTemplateButton",
    "Audio",
    "BodyValue",
    "Buttons",
    "CallPermissionRequest",
    "Catalog",
    "CatalogButton",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactKind",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "Contacts",
    "CtaUrl",
    "Currency",
    "DateTime",
    "Document",
    "Flow",
    "FlowAction",
    "FlowButton",
    "FlowMode",
    "Image",
    "LimitedTimeOffer",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "LocationRequest",
    "Media",
    "Message",
    "MultiProductButton",
    "Product",
    "ProductHeader",
    "ProductList",
    "ProductSection",
    "Reaction",
    "ReplyButton",
    "Sticker",
    "Template",
    "TemplateButton",
    "TemplateButtonType",
    "TemplateCard",
    "TemplateHeader",
    "Text",
    "Video",
    "VoiceCall",
    "message_from_dict",
    "template_features",
]

_TYPES = (
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    Template,
    Buttons,
    ListMessage,
    CtaUrl,
    Flow,
    Product,
    ProductList,
    Catalog,
    LocationRequest,
    CallPermissionRequest,
    VoiceCall,
    AddressRequest,
)

Message = Union[
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    Template,
    Buttons,
    ListMessage,
    CtaUrl,
    Flow,
    Product,
    ProductList,
    Catalog,
    LocationRequest,
    CallPermissionRequest,
    VoiceCall,
    AddressRequest,
]
"""Any message the SDK can send."""

MESSAGE_KINDS: tuple[str, ...] = tuple(cls.kind for cls in _TYPES)
"""Every ``kind`` a message can have, in display order: text, image, video, audio, document,
sticker, location, contacts, reaction, template, buttons, list, cta_url, flow, product,
product_list, catalog, location_request, call_permission, voice_call, address_request."""


_BY_KIND: dict[str, type[Any]] = {cls.kind: cls for cls in _TYPES}


def message_from_dict(data: Mapping[str, Any]) -> Message:
    """Build a message from plain data: ``{"type": <kind>, ...fields}`` (JSON, CSV, config).

    Nested parts are plain data too: a media header is ``{"type": "image", "link": ...}``, a
    template body value may be ``{"type": "currency", ...}`` or ``{"type": "date_time", ...}``,
    a template button ``{"sub_type": "flow", "flow_token": ...}``, a card
    ``{"header": {...}, "body": [...]}``.

    Example::

        >>> message_from_dict({"type": "text", "body": "hi"})
        Text(body='hi', preview_url=False)
        >>> message_from_dict({"type": "template", "name": "hello", "body": ["Ada"]}).name
        'hello'
        >>> message_from_dict({"type": "cta_url", "body": "Track it", "display_text": "Track",
        ...                    "url": "https://example.com/t/1"}).kind
        'cta_url'
    """
    if not isinstance(data, Mapping):
        raise ValidationError("a message must be a JSON object with a 'type'")
    fields = dict(data)
    kind = fields.pop("type", None)
    cls = _BY_KIND.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError(
            f"unknown message type {kind!r}; types: {', '.join(MESSAGE_KINDS)}", field="type"
        )
    try:
        message: Message = cls(**nested_fields(kind, fields))
    except msgspec.ValidationError as exc:
        raise ValidationError(f"{kind} message: {exc}", field=kind) from None
    except TypeError as exc:
        raise ValidationError(f"{kind} message: {exc}", field=kind) from None
    return message
