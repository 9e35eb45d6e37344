"""The interactive kinds beyond reply buttons and lists -> Meta's ``interactive`` objects.

One builder per kind, each checking Meta's documented limits before any request
(PROVIDER_FACTS §6.2) and returning ``MessageRequest`` keyword arguments:

- CTA URL: ``{"type": "cta_url", header?, body, footer?, "action": {"name": "cta_url",
  "parameters": {"display_text", "url"}}}``;
- Flow: ``{"type": "flow", header?, body, footer?, "action": {"name": "flow", "parameters":
  {"flow_message_version": "3", flow_token?, flow_id | flow_name, flow_cta, mode?,
  flow_action, flow_action_payload?}}}``;
- product: ``{"type": "product", body?, footer?, "action": {catalog_id, product_retailer_id}}``;
- product list: ``{"type": "product_list", header, body, footer?, "action": {catalog_id,
  sections: [{title?, product_items: [{product_retailer_id}]}]}}``;
- catalogue: ``{"type": "catalog_message", body, footer?, "action": {"name":
  "catalog_message", "parameters": {thumbnail_product_retailer_id}}}``;
- location request: ``{"type": "location_request_message", body, "action": {"name":
  "send_location"}}``;
- call permission: ``{"type": "call_permission_request", body?, "action": {"name":
  "call_permission_request"}}``;
- voice call: ``{"type": "voice_call", body, "action": {"name": "voice_call",
  parameters?: {display_text?, ttl_minutes?, payload?}}}``;
- address request: ``{"type": "address_message", body, "action": {"name": "address_message",
  "parameters": {country, values?, saved_addresses?, validation_errors?}}}``.

Example::

    INTERACTIVE_BUILDERS[CtaUrl](CtaUrl("Track it", "Track", "https://x.test/t/1"),
                                 BuildContext("+16505551234", "individual"))
    # {'type': 'interactive', 'interactive': InteractiveObject(type='cta_url', ...)}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from whatsapp_async.provider import (
    AddressRequest,
    CallPermissionRequest,
    Catalog,
    CtaUrl,
    Flow,
    LocationRequest,
    Product,
    ProductList,
    VoiceCall,
    cloudapi,
)

from .build_parts import (
    PROVIDER,
    BuildContext,
    check_max_length,
    check_not_blank,
    footer,
    interactive_body,
    interactive_header,
    invalid,
)
from .wire import InteractiveObject
from .wire_interactive import (
    AddressParameters,
    CatalogParameters,
    CtaUrlParameters,
    FlowActionPayload,
    FlowParameters,
    NamedAction,
    ProductAction,
    SavedAddress,
    VoiceCallParameters,
)

__all__ = ["INTERACTIVE_BUILDERS"]

_ENCODER = msgspec.json.Encoder()
_BODY_MAX = cloudapi.INTERACTIVE_BODY_MAX


def _interactive(interactive: InteractiveObject) -> dict[str, Any]:
    return {"type": "interactive", "interactive": interactive}


def _json_object(value: Mapping[str, Any], field: str) -> dict[str, Any]:
    try:
        plain: dict[str, Any] = msgspec.to_builtins(dict(value))
        _ENCODER.encode(plain)
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        raise invalid(field, f"{field} must hold JSON values only ({exc})") from None
    return plain


def _cta_url(message: CtaUrl, ctx: BuildContext) -> dict[str, Any]:
    check_not_blank("cta_url.display_text", message.display_text)
    check_max_length("cta_url.display_text", message.display_text, cloudapi.CTA_DISPLAY_TEXT_MAX)
    return _interactive(
        InteractiveObject(
            type="cta_url",
            header=interactive_header(message.header, "cta_url.header"),
            body=interactive_body(message.body, "cta_url.body", _BODY_MAX),
            footer=footer(message.footer, "cta_url.footer"),
            action=NamedAction(
                name="cta_url",
                parameters=CtaUrlParameters(display_text=message.display_text, url=message.url),
            ),
        )
    )


def _flow(message: Flow, ctx: BuildContext) -> dict[str, Any]:
    check_not_blank("flow.cta", message.cta)
    check_max_length("flow.cta", message.cta, ctx.flow_cta_max)
    payload = None
    if message.action == "navigate" and (message.screen is not None or message.data):
        # Without either, Meta opens the Flow's first screen (the newer page and the spec; an
        # older page required the payload: facts §6.2, CONFLICTING).
        payload = FlowActionPayload(
            screen=message.screen,
            data=_json_object(message.data, "flow.data") if message.data else None,
        )
    if message.flow_token is not None:
        check_not_blank("flow.flow_token", message.flow_token)
    parameters = FlowParameters(
        flow_message_version=cloudapi.FLOW_MESSAGE_VERSION,
        flow_token=message.flow_token,
        flow_id=message.flow_id,
        flow_name=message.flow_name,
        flow_cta=message.cta,
        mode="draft" if message.mode == "draft" else None,  # "published" is Meta's default
        flow_action=message.action,
        flow_action_payload=payload,
    )
    return _interactive(
        InteractiveObject(
            type="flow",
            header=interactive_header(message.header, "flow.header"),
            body=interactive_body(message.body, "flow.body", _BODY_MAX),
            footer=footer(message.footer, "flow.footer"),
            action=NamedAction(name="flow", parameters=parameters),
        )
    )


def _product(message: Product, ctx: BuildContext) -> dict[str, Any]:
    check_not_blank("product.catalog_id", message.catalog_id)
    check_not_blank("product.product_retailer_id", message.product_retailer_id)
    body = message.body
    return _interactive(
        InteractiveObject(
            type="product",
            body=interactive_body(body, "product.body", _BODY_MAX) if body is not None else None,
            footer=footer(message.footer, "product.footer"),
            action=ProductAction(
                catalog_id=message.catalog_id, product_retailer_id=message.product_retailer_id
            ),
        )
    )


def _product_list(message: ProductList, ctx: BuildContext) -> dict[str, Any]:
    check_not_blank("product_list.catalog_id", message.catalog_id)
    sections = cloudapi.product_sections(message.sections, "product_list", PROVIDER)
    return _interactive(
        InteractiveObject(
            type="product_list",
            # Meta requires a text header on product lists (facts §6.2).
            header=interactive_header(message.header, "product_list.header"),
            body=interactive_body(message.body, "product_list.body", _BODY_MAX),
            footer=footer(message.footer, "product_list.footer"),
            action=ProductAction(catalog_id=message.catalog_id, sections=sections),
        )
    )


def _catalog(message: Catalog, ctx: BuildContext) -> dict[str, Any]:
    thumbnail = message.thumbnail_product_retailer_id
    check_not_blank("catalog.thumbnail_product_retailer_id", thumbnail)
    return _interactive(
        InteractiveObject(
            type="catalog_message",
            body=interactive_body(message.body, "catalog.body", _BODY_MAX),
            footer=footer(message.footer, "catalog.footer"),
            action=NamedAction(
                name="catalog_message",
                parameters=CatalogParameters(thumbnail_product_retailer_id=thumbnail),
            ),
        )
    )


def _location_request(message: LocationRequest, ctx: BuildContext) -> dict[str, Any]:
    return _interactive(
        InteractiveObject(
            type="location_request_message",
            body=interactive_body(message.body, "location_request.body", _BODY_MAX),
            action=NamedAction(name="send_location"),
        )
    )


def _call_permission(message: CallPermissionRequest, ctx: BuildContext) -> dict[str, Any]:
    body = message.body
    return _interactive(
        InteractiveObject(
            type="call_permission_request",
            body=(
                interactive_body(body, "call_permission.body", _BODY_MAX)
                if body is not None
                else None
            ),
            action=NamedAction(name="call_permission_request"),
        )
    )


def _voice_call(message: VoiceCall, ctx: BuildContext) -> dict[str, Any]:
    if message.display_text is not None:
        check_not_blank("voice_call.display_text", message.display_text)
        check_max_length(
            "voice_call.display_text", message.display_text, cloudapi.VOICE_CALL_DISPLAY_TEXT_MAX
        )
    ttl = message.ttl_minutes
    if ttl is not None and not 1 <= ttl <= cloudapi.VOICE_CALL_TTL_MAX:
        raise invalid(
            "voice_call.ttl_minutes",
            f"voice_call.ttl_minutes is {ttl}; Meta allows 1 to {cloudapi.VOICE_CALL_TTL_MAX}",
        )
    if message.payload is not None:
        check_not_blank("voice_call.payload", message.payload)
        check_max_length("voice_call.payload", message.payload, cloudapi.VOICE_CALL_PAYLOAD_MAX)
    given = message.display_text is not None or ttl is not None or message.payload is not None
    parameters = (
        VoiceCallParameters(
            display_text=message.display_text, ttl_minutes=ttl, payload=message.payload
        )
        if given
        else None
    )
    return _interactive(
        InteractiveObject(
            type="voice_call",
            body=interactive_body(message.body, "voice_call.body", _BODY_MAX),
            action=NamedAction(name="voice_call", parameters=parameters),
        )
    )


def _address_values(
    values: Mapping[str, str] | None, field: str, *, messages: bool = False
) -> dict[str, str] | None:
    """Address form values (or, with ``messages``, the error shown next to each field)."""
    if values is None:
        return None
    unknown = sorted(set(values) - cloudapi.ADDRESS_FIELDS)
    if unknown:
        raise invalid(
            field,
            f"{field} has unknown address fields {unknown}; Meta's are "
            f"{', '.join(sorted(cloudapi.ADDRESS_FIELDS))}",
        )
    pin = values.get("in_pin_code")
    if pin is not None and not messages:
        check_max_length(f"{field}.in_pin_code", pin, cloudapi.ADDRESS_PIN_CODE_MAX)
    return dict(values)


def _address_request(message: AddressRequest, ctx: BuildContext) -> dict[str, Any]:
    if message.country not in cloudapi.ADDRESS_COUNTRIES:
        raise invalid(
            "address_request.country",
            f"address_request.country is {message.country!r}; Meta offers address messages in "
            f"{', '.join(sorted(cloudapi.ADDRESS_COUNTRIES))} only",
        )
    if ctx.recipient_type == "individual" and not (ctx.to or "").startswith("+91"):
        # Only Indian users get the form; others' clients drop the message (error 1026 later).
        raise invalid(
            "address_request",
            "address_request: Meta sends address messages to Indian (+91) numbers only",
        )
    saved = None
    if message.saved_addresses is not None:
        saved = [
            SavedAddress(
                id=key,
                value=_address_values(value, f"address_request.saved_addresses[{key!r}]") or {},
            )
            for key, value in message.saved_addresses.items()
        ]
    errors = message.validation_errors
    if errors is not None:
        _address_values(errors, "address_request.validation_errors", messages=True)
    parameters = AddressParameters(
        country=message.country,
        values=_address_values(message.values, "address_request.values"),
        saved_addresses=saved,
        validation_errors=dict(errors) if errors is not None else None,
    )
    return _interactive(
        InteractiveObject(
            type="address_message",
            body=interactive_body(message.body, "address_request.body", _BODY_MAX),
            action=NamedAction(name="address_message", parameters=parameters),
        )
    )


INTERACTIVE_BUILDERS: dict[type[Any], Callable[[Any, BuildContext], dict[str, Any]]] = {
    CtaUrl: _cta_url,
    Flow: _flow,
    Product: _product,
    ProductList: _product_list,
    Catalog: _catalog,
    LocationRequest: _location_request,
    CallPermissionRequest: _call_permission,
    VoiceCall: _voice_call,
    AddressRequest: _address_request,
}
"""Message type -> its builder (``MessageRequest`` keyword arguments)."""
