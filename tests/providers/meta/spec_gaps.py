"""What Meta's v23.0 OpenAPI ``Message`` schema cannot express, and the rest of such a body.

The SDK sends some documented shapes that the spec has no schema for (PROVIDER_FACTS §6.1-§6.3,
"Spec?" = No): the interactive kinds ``cta_url``, ``location_request_message``, ``voice_call``
and ``address_message`` (missing from ``InteractiveObject.type``); template ``carousel`` and
``limited_time_offer`` components (missing from ``TemplateComponent.type``); Flow and
multi-product template buttons (``flow`` and ``mpm`` are missing from the ``sub_type`` enum);
location and product header parameters (missing from ``ParameterObject.type``).

:func:`spec_gaps` names the gaps of a body; :func:`without_gaps` is the body with those parts
taken out, which must still validate (None when nothing is left to check: a whole interactive
kind the spec lacks). Every other body must validate as it is.

Example::

    spec_gaps({"type": "interactive", "interactive": {"type": "cta_url", ...}})
    # ['interactive.type cta_url is not in the spec']
"""

from __future__ import annotations

import copy
from typing import Any

INTERACTIVE_GAPS = frozenset(
    {"cta_url", "location_request_message", "voice_call", "address_message"}
)
COMPONENT_GAPS = frozenset({"carousel", "limited_time_offer"})
BUTTON_GAPS = frozenset({"flow", "mpm"})
PARAMETER_GAPS = frozenset({"location", "product"})


def _components(body: dict[str, Any]) -> list[dict[str, Any]]:
    template = body.get("template")
    if body.get("type") != "template" or not isinstance(template, dict):
        return []
    return [c for c in template.get("components", []) if isinstance(c, dict)]


def _gap_of(component: dict[str, Any]) -> str | None:
    kind = str(component.get("type", "")).lower()
    if kind in COMPONENT_GAPS:
        return f"template {kind} component is not in the spec"
    if kind == "button" and str(component.get("sub_type", "")) in BUTTON_GAPS:
        return f"template button sub_type {component['sub_type']} is not in the spec"
    for parameter in component.get("parameters", []):
        if isinstance(parameter, dict) and parameter.get("type") in PARAMETER_GAPS:
            return f"template {parameter['type']} {kind} parameter is not in the spec"
    return None


def spec_gaps(body: dict[str, Any]) -> list[str]:
    """Why the spec's ``Message`` schema cannot express ``body`` (empty when it can)."""
    if body.get("type") == "interactive":
        kind = (body.get("interactive") or {}).get("type")
        if kind in INTERACTIVE_GAPS:
            return [f"interactive.type {kind} is not in the spec"]
    return [gap for c in _components(body) if (gap := _gap_of(c)) is not None]


def without_gaps(body: dict[str, Any]) -> dict[str, Any] | None:
    """``body`` without the parts the spec cannot express (None: nothing left to check)."""
    if body.get("type") == "interactive":
        return None if spec_gaps(body) else body
    stripped = copy.deepcopy(body)
    if body.get("type") == "template":
        kept = [c for c in _components(body) if _gap_of(c) is None]
        stripped["template"]["components"] = kept
    return stripped
