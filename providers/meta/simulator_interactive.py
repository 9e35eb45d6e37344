"""Strict checks of the interactive kinds beyond reply buttons and lists (PROVIDER_FACTS §6.2).

Each check reads the ``interactive`` object as Meta documents it and raises
:class:`Rejection` with Meta's code: 131008 for a missing part, 100 for a wrong shape or an
unexpected key (a header where the kind takes none), 131009 for a value that is not
allowed. Where Meta's pages leave a part UNKNOWN (a header on a location request or a voice
call), the check takes the reading the SDK sends: the part is not expected. The payment kinds
(``order_details``, ``order_status``) are not modelled and are accepted as they come.

Example::

    INTERACTIVE_CHECKS["cta_url"]({"type": "cta_url", "body": {"text": "Track it"},
        "action": {"name": "cta_url",
                   "parameters": {"display_text": "Track", "url": "https://x.test/t"}}})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from whatsapp_async.provider import cloudapi as lim

from .simulator_checks import (
    Rejection,
    integer,
    interactive_header,
    interactive_text,
    keys,
    obj,
    string,
)
from .simulator_template_shapes import product_sections

__all__ = ["INTERACTIVE_CHECKS"]

_ENVELOPE = frozenset({"type", "header", "body", "footer", "action"})


def _envelope(
    interactive: Mapping[str, Any],
    *,
    header: str,
    body: bool,
    footer: bool,
    header_kinds: tuple[str, ...] = ("text", "image", "video", "document"),
) -> None:
    """The parts around ``action``: ``header`` is "required", "optional" or "none"."""
    allowed = {"type", "action"} | ({"body"} if body else set()) | ({"footer"} if footer else set())
    if header != "none":
        allowed.add("header")
    keys(interactive, allowed & _ENVELOPE, "interactive")
    if header == "required" and "header" not in interactive:
        raise Rejection(131008, "The parameter interactive.header is required.")
    if "header" in interactive:
        interactive_header(interactive["header"], kinds=header_kinds)
    if "body" in interactive:
        interactive_text(interactive, "body", lim.INTERACTIVE_BODY_MAX)
    if "footer" in interactive:
        interactive_text(interactive, "footer", lim.FOOTER_MAX)


def _require_body(interactive: Mapping[str, Any]) -> None:
    if "body" not in interactive:
        raise Rejection(131008, "The parameter interactive.body is required.")


def _named_action(
    interactive: Mapping[str, Any], name: str, parameters: frozenset[str] | None
) -> dict[str, Any] | None:
    """``action`` as ``{"name": name, "parameters"?}``; the parameters object, if any."""
    action = obj(interactive["action"], "interactive.action")
    keys(
        action, {"name", "parameters"} if parameters is not None else {"name"}, "interactive.action"
    )
    if action.get("name") != name:
        raise Rejection(131009, f"Param interactive.action.name must be {name!r}.")
    if "parameters" not in action:
        return None
    found = obj(action["parameters"], "interactive.action.parameters")
    keys(found, parameters or frozenset(), "interactive.action.parameters")
    return found


def _cta_url(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="optional", body=True, footer=True)
    _require_body(interactive)
    parameters = _named_action(interactive, "cta_url", frozenset({"display_text", "url"}))
    if parameters is None:
        raise Rejection(131008, "The parameter interactive.action.parameters is required.")
    path = "interactive.action.parameters"
    string(parameters, "display_text", f"{path}.display_text", max_len=lim.CTA_DISPLAY_TEXT_MAX)
    url = string(parameters, "url", f"{path}.url")
    if not url.lower().startswith(("http://", "https://")):
        raise Rejection(131009, f"Param {path}.url must be an http(s) URL.")


_FLOW_PARAMETERS = frozenset(
    {
        "flow_message_version",
        "flow_token",
        "flow_id",
        "flow_name",
        "flow_cta",
        "mode",
        "flow_action",
        "flow_action_payload",
    }
)


def _flow(interactive: Mapping[str, Any]) -> None:
    # Meta's examples give Flows text headers only (media headers: CONFLICTING sources).
    _envelope(interactive, header="optional", body=True, footer=True, header_kinds=("text",))
    _require_body(interactive)
    parameters = _named_action(interactive, "flow", _FLOW_PARAMETERS)
    if parameters is None:
        raise Rejection(131008, "The parameter interactive.action.parameters is required.")
    path = "interactive.action.parameters"
    version = parameters.get("flow_message_version")
    if version is None:
        raise Rejection(131008, f"The parameter {path}.flow_message_version is required.")
    if version != lim.FLOW_MESSAGE_VERSION:
        raise Rejection(131009, f"Param {path}.flow_message_version must be the string '3'.")
    given = [k for k in ("flow_id", "flow_name") if k in parameters]
    if not given:
        raise Rejection(131008, f"The parameter {path}.flow_id or {path}.flow_name is required.")
    if len(given) > 1:
        raise Rejection(131009, f"Param {path} takes flow_id or flow_name, not both.")
    string(parameters, given[0], f"{path}.{given[0]}")
    string(parameters, "flow_cta", f"{path}.flow_cta", max_len=lim.FLOW_CTA_SPEC_MAX)
    string(parameters, "flow_token", f"{path}.flow_token", required=False)
    mode = parameters.get("mode", "published")
    if mode not in ("published", "draft"):
        raise Rejection(131009, f"Param {path}.mode must be 'published' or 'draft'.")
    action = parameters.get("flow_action", "navigate")
    if action not in ("navigate", "data_exchange"):
        raise Rejection(131009, f"Param {path}.flow_action must be 'navigate' or 'data_exchange'.")
    if "flow_action_payload" in parameters:
        if action == "data_exchange":
            raise Rejection(131009, f"Param {path}.flow_action_payload goes with 'navigate' only.")
        payload = obj(parameters["flow_action_payload"], f"{path}.flow_action_payload")
        keys(payload, {"screen", "data"}, f"{path}.flow_action_payload")
        string(payload, "screen", f"{path}.flow_action_payload.screen", required=False)
        if "data" in payload and not obj(payload["data"], f"{path}.flow_action_payload.data"):
            raise Rejection(131009, f"Param {path}.flow_action_payload.data must not be empty.")


def _product(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="none", body=True, footer=True)
    action = obj(interactive["action"], "interactive.action")
    keys(action, {"catalog_id", "product_retailer_id"}, "interactive.action")
    string(action, "catalog_id", "interactive.action.catalog_id")
    string(action, "product_retailer_id", "interactive.action.product_retailer_id")


def _product_list(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="required", body=True, footer=True, header_kinds=("text",))
    _require_body(interactive)
    action = obj(interactive["action"], "interactive.action")
    keys(action, {"catalog_id", "sections"}, "interactive.action")
    string(action, "catalog_id", "interactive.action.catalog_id")
    if "sections" not in action:
        raise Rejection(131008, "The parameter interactive.action.sections is required.")
    product_sections(action["sections"], "interactive.action.sections")


def _catalog(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="none", body=True, footer=True)
    _require_body(interactive)
    parameters = _named_action(
        interactive, "catalog_message", frozenset({"thumbnail_product_retailer_id"})
    )
    # The spec requires the thumbnail, and the live API is reported to refuse a message
    # without it (Meta's page calls it optional: CONFLICTING).
    if parameters is None:
        raise Rejection(131008, "The parameter interactive.action.parameters is required.")
    string(
        parameters,
        "thumbnail_product_retailer_id",
        "interactive.action.parameters.thumbnail_product_retailer_id",
    )


def _location_request(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="none", body=True, footer=False)
    _require_body(interactive)
    _named_action(interactive, "send_location", None)


def _call_permission(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="none", body=True, footer=False)
    _named_action(interactive, "call_permission_request", None)


def _voice_call(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="none", body=True, footer=False)
    _require_body(interactive)
    parameters = _named_action(
        interactive, "voice_call", frozenset({"display_text", "ttl_minutes", "payload"})
    )
    if parameters is None:
        return
    path = "interactive.action.parameters"
    string(
        parameters,
        "display_text",
        f"{path}.display_text",
        required=False,
        max_len=lim.VOICE_CALL_DISPLAY_TEXT_MAX,
    )
    if "ttl_minutes" in parameters:
        integer(parameters["ttl_minutes"], f"{path}.ttl_minutes", 1, lim.VOICE_CALL_TTL_MAX)
    string(
        parameters, "payload", f"{path}.payload", required=False, max_len=lim.VOICE_CALL_PAYLOAD_MAX
    )


def _address_values(value: Any, path: str, *, messages: bool = False) -> None:
    values = obj(value, path)
    keys(values, lim.ADDRESS_FIELDS, path)
    for key in values:
        string(values, key, f"{path}.{key}", allow_empty=True)
    if "in_pin_code" in values and not messages:
        string(values, "in_pin_code", f"{path}.in_pin_code", max_len=lim.ADDRESS_PIN_CODE_MAX)


def _address(interactive: Mapping[str, Any]) -> None:
    _envelope(interactive, header="none", body=True, footer=False)
    _require_body(interactive)
    parameters = _named_action(
        interactive,
        "address_message",
        frozenset({"country", "values", "saved_addresses", "validation_errors"}),
    )
    path = "interactive.action.parameters"
    if parameters is None or "country" not in parameters:
        raise Rejection(131008, f"The parameter {path}.country is required.")
    if string(parameters, "country", f"{path}.country") not in lim.ADDRESS_COUNTRIES:
        raise Rejection(131009, f"Param {path}.country: address messages are for India (IN).")
    if "values" in parameters:
        _address_values(parameters["values"], f"{path}.values")
    if "validation_errors" in parameters:
        _address_values(parameters["validation_errors"], f"{path}.validation_errors", messages=True)
    saved = parameters.get("saved_addresses", [])
    if not isinstance(saved, list):
        raise Rejection(100, f"Param {path}.saved_addresses must be an array.")
    for i, raw in enumerate(saved):
        entry = obj(raw, f"{path}.saved_addresses[{i}]")
        keys(entry, {"id", "value"}, f"{path}.saved_addresses[{i}]")
        string(entry, "id", f"{path}.saved_addresses[{i}].id")
        _address_values(entry.get("value"), f"{path}.saved_addresses[{i}].value")


def _as_they_come(interactive: Mapping[str, Any]) -> None:
    """Payment kinds the simulator does not model."""


INTERACTIVE_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "cta_url": _cta_url,
    "flow": _flow,
    "product": _product,
    "product_list": _product_list,
    "catalog_message": _catalog,
    "location_request_message": _location_request,
    "call_permission_request": _call_permission,
    "voice_call": _voice_call,
    "address_message": _address,
    "order_details": _as_they_come,
    "order_status": _as_they_come,
}
"""``interactive.type`` -> its check (reply buttons and lists are in ``simulator_validation``)."""
