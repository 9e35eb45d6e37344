"""Interactive messages whose one button does one thing: open a URL, a Flow, a call, a form.

The model checks types, exclusive fields and the values that have a fixed set; the provider
checks Meta's length limits before any request.

Example::

    CtaUrl("Track your parcel", "Track", "https://example.com/t/1234")
    Flow("Book a table", "Book now", flow_id="1234567890", screen="WELCOME")
    LocationRequest("Where should we deliver?")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import msgspec

from ..errors import ValidationError
from ._basic import Document, Image, Video
from ._checks import optional_text, text

__all__ = [
    "AddressRequest",
    "CallPermissionRequest",
    "CtaUrl",
    "Flow",
    "FlowAction",
    "FlowMode",
    "LocationRequest",
    "VoiceCall",
]

FlowMode = Literal["published", "draft"]
FlowAction = Literal["navigate", "data_exchange"]


def _body(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must not be empty", field=field)
    text(value, field)


def _mapping(value: object, field: str, *, empty: bool = True) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ValidationError(f"{field} must be a mapping with string keys", field=field)
    if not empty and not value:
        raise ValidationError(f"{field} must not be empty when given", field=field)


class CtaUrl(msgspec.Struct, frozen=True):
    """A body with one button that opens ``url``; ``display_text`` is the button's label.

    ``header`` is text, or an image, video or document (Meta's own examples send media
    headers; one client library allows text only: PROVIDER_FACTS §6.2, CONFLICTING).

    Example::

        CtaUrl("Track your parcel", "Track", "https://example.com/t/1234", footer="Acme")
    """

    body: str
    display_text: str
    url: str
    header: str | Image | Video | Document | None = None
    footer: str | None = None
    kind: ClassVar[str] = "cta_url"

    def __post_init__(self) -> None:
        _body(self.body, "cta_url.body")
        _body(self.display_text, "cta_url.display_text")
        _body(self.url, "cta_url.url")
        if not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError(
                f"cta_url.url must be an http(s) URL, got {self.url[:40]!r}", field="cta_url.url"
            )
        if self.header is not None and not isinstance(self.header, (str, Image, Video, Document)):
            raise ValidationError(
                f"cta_url header must be text, Image, Video or Document, "
                f"got {type(self.header).__name__}",
                field="cta_url.header",
            )
        optional_text(self.header if isinstance(self.header, str) else None, "cta_url.header")
        optional_text(self.footer, "cta_url.footer", blank=True)


class Flow(msgspec.Struct, frozen=True, kw_only=True):
    """A WhatsApp Flow behind a button labelled ``cta``: exactly one of ``flow_id``/``flow_name``.

    - ``mode``: ``"published"`` (the default) or ``"draft"`` (for testing a Flow you edit);
    - ``action``: ``"navigate"`` (open ``screen``, default the Flow's first screen, with
      ``data`` as its initial data) or ``"data_exchange"`` (your endpoint gives the first
      screen; ``screen`` and ``data`` are not allowed);
    - ``flow_token``: your token echoed back with the answers (Meta's default is ``"unused"``);
    - ``header``: text only (Meta's examples; whether media headers work is CONFLICTING).

    Example::

        Flow(body="Book a table", cta="Book now", flow_id="1234567890", screen="WELCOME",
             data={"party_size": 2}, flow_token="booking-42")
    """

    body: str
    cta: str
    flow_id: str | None = None
    flow_name: str | None = None
    mode: FlowMode = "published"
    action: FlowAction = "navigate"
    screen: str | None = None
    data: Mapping[str, Any] | None = None
    flow_token: str | None = None
    header: str | None = None
    footer: str | None = None
    kind: ClassVar[str] = "flow"

    def __post_init__(self) -> None:
        _body(self.body, "flow.body")
        _body(self.cta, "flow.cta")
        given = [k for k in ("flow_id", "flow_name") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValidationError(
                "flow needs exactly one of flow_id= or flow_name= (got "
                f"{' and '.join(given) if given else 'neither'})",
                field="flow.flow_id",
            )
        _body(self.flow_id if self.flow_id is not None else self.flow_name, f"flow.{given[0]}")
        if self.mode not in ("published", "draft"):
            raise ValidationError(
                f"flow.mode must be 'published' or 'draft', got {self.mode!r:.30}",
                field="flow.mode",
            )
        if self.action not in ("navigate", "data_exchange"):
            raise ValidationError(
                f"flow.action must be 'navigate' or 'data_exchange', got {self.action!r:.30}",
                field="flow.action",
            )
        if self.action == "data_exchange" and (self.screen is not None or self.data is not None):
            raise ValidationError(
                "flow: screen= and data= go with action='navigate'; with 'data_exchange' your "
                "endpoint sends the first screen",
                field="flow.screen",
            )
        if self.screen is not None:
            _body(self.screen, "flow.screen")
        _mapping(self.data, "flow.data", empty=False)
        optional_text(self.flow_token, "flow.flow_token")
        optional_text(self.header, "flow.header")
        optional_text(self.footer, "flow.footer", blank=True)


class LocationRequest(msgspec.Struct, frozen=True):
    """Ask the user to share their location; the answer arrives as an inbound location.

    Meta shows neither a header nor a footer for it (whether they are allowed is UNKNOWN), so
    the model has a body only.

    Example::

        LocationRequest("Where should we deliver?")
    """

    body: str
    kind: ClassVar[str] = "location_request"

    def __post_init__(self) -> None:
        _body(self.body, "location_request.body")


class CallPermissionRequest(msgspec.Struct, frozen=True):
    """Ask the user for permission to call them (inside a customer-service window only).

    The body is optional (Meta advises one); header and footer are not supported.

    Example::

        CallPermissionRequest("May we call you about your order?")
    """

    body: str | None = None
    kind: ClassVar[str] = "call_permission"

    def __post_init__(self) -> None:
        if self.body is not None:
            _body(self.body, "call_permission.body")


class VoiceCall(msgspec.Struct, frozen=True, kw_only=True):
    """A button that starts a WhatsApp voice call to the business.

    ``display_text`` is the label (Meta's default "Call Now"), ``ttl_minutes`` how long the
    button works (Meta's default 10080, a week), ``payload`` comes back in the calls webhooks.
    Every example has a body, so the model requires one (whether it must is UNKNOWN).

    Example::

        VoiceCall(body="Talk to a person", display_text="Call us", ttl_minutes=60)
    """

    body: str
    display_text: str | None = None
    ttl_minutes: int | None = None
    payload: str | None = None
    kind: ClassVar[str] = "voice_call"

    def __post_init__(self) -> None:
        _body(self.body, "voice_call.body")
        optional_text(self.display_text, "voice_call.display_text")
        if self.ttl_minutes is not None and (
            isinstance(self.ttl_minutes, bool) or not isinstance(self.ttl_minutes, int)
        ):
            raise ValidationError(
                "voice_call.ttl_minutes must be an integer", field="voice_call.ttl_minutes"
            )
        optional_text(self.payload, "voice_call.payload")


class AddressRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Ask for a delivery address with WhatsApp's address form (India only, per Meta).

    ``values`` prefills the form (keys such as ``name``, ``phone_number``, ``in_pin_code``,
    ``city``); ``saved_addresses`` maps an id to a saved address's values;
    ``validation_errors`` maps a field to the message shown next to it.

    Example::

        AddressRequest(body="Where should we deliver?", values={"name": "Ada", "city": "Pune"})
    """

    body: str
    country: str = "IN"
    values: Mapping[str, str] | None = None
    saved_addresses: Mapping[str, Mapping[str, str]] | None = None
    validation_errors: Mapping[str, str] | None = None
    kind: ClassVar[str] = "address_request"

    def __post_init__(self) -> None:
        _body(self.body, "address_request.body")
        _body(self.country, "address_request.country")
        _mapping(self.values, "address_request.values")
        _mapping(self.saved_addresses, "address_request.saved_addresses")
        _mapping(self.validation_errors, "address_request.validation_errors")
        for field, mapping in (
            ("values", self.values),
            ("validation_errors", self.validation_errors),
            *(
                (f"saved_addresses[{key!r}]", saved)
                for key, saved in (self.saved_addresses or {}).items()
            ),
        ):
            _mapping(mapping, f"address_request.{field}")
            for value in (mapping or {}).values():
                text(value, f"address_request.{field}", blank=True)
