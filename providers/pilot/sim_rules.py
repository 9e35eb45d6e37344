"""The simulator's request rules for ``POST /v1/messages/send``, with Pilot's error codes.

Written independently of the adapter's own checks (``body.py``) on purpose: the
simulator is the oracle the adapter is tested against, so a rule the adapter gets
wrong must show up as a rejected request, not be mirrored. Rules come from the
public send documentation; codes the sources name are used (``MISSING_TEMPLATE_VARIABLES``,
``INVALID_TEMPLATE_VARIABLE_VALUE``, ``TEMPLATE_NOT_FOUND``); other payload problems
answer 400 ``VALIDATION_ERROR`` with ``details.field``.

Example::

    try:
        checked = check_send({"destinationNumber": "+5511987654321", "text": "hi"})
    except Reject as reject:
        print(reject.status, reject.code, reject.details)
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import msgspec

__all__ = ["SIM_TEMPLATES", "CheckedSend", "Reject", "SimTemplate", "check_send"]

MAX_BUTTONS = 3
MAX_HEADER_TEXT = 60
MAX_FOOTER = 60

KNOWN_FIELDS = frozenset(
    {
        "destinationNumber",
        "groupId",
        "newsletterId",
        "templateId",
        "variables",
        "text",
        "media",
        "mediaType",
        "caption",
        "deliverAt",
        "deliverUntil",
        "labels",
        "marketingOptions",
        "buttons",
        "header",
        "footer",
        "markRead",
        "list",
        "carousel",
        "flow",
    }
)
MEDIA_TYPES = frozenset({"image", "video", "document", "audio", "voice", "sticker"})
NO_CAPTION = frozenset({"audio", "voice", "sticker"})
HEADER_TYPES = frozenset({"text", "image", "video", "document"})
BUTTON_FIELDS = {"reply": "id", "url": "url", "call": "phoneNumber", "copy": "copyCode"}
EXTENSIONS = {
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "mp4": "video",
    "3gp": "video",
    "pdf": "document",
    "docx": "document",
    "xlsx": "document",
    "ogg": "audio",
    "opus": "audio",
    "mp3": "audio",
    "m4a": "audio",
    "webp": "sticker",
}
DATA_URI = re.compile(
    r"data:(?P<type>[a-z]+)/(?P<subtype>[a-z0-9.+-]+)(?P<params>(;[a-z0-9_.-]+=[^;,]+)*)"
    r";base64,(?P<data>.*)",
    re.DOTALL,
)
"""``data:<type>/<subtype>[;name=value]*;base64,<data>`` (RFC 2397, base64 only)."""
MEDIA_TYPE_FAMILIES = {"image": "image", "video": "video", "audio": "audio", "voice": "audio"}
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
BSUID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9]+$")


class SimTemplate(msgspec.Struct, frozen=True, kw_only=True):
    """A template the simulator knows: its id, name, placeholders and approval.

    Example::

        SimTemplate(id="tpl_order_update", name="order_update", keys=("1", "2"), text="...")
    """

    id: str
    name: str
    keys: tuple[str, ...]
    text: str
    category: str = "UTILITY"
    approved: bool = True


SIM_TEMPLATES: tuple[SimTemplate, ...] = (
    SimTemplate(
        id="tpl_order_update",
        name="order_update",
        keys=("1", "2"),
        text="Hi {{1}}, your order {{2}} has shipped.",
    ),
    SimTemplate(
        id="tpl_welcome_message",
        name="welcome_message",
        keys=("name",),
        text="Welcome, {{name}}!",
    ),
    SimTemplate(
        id="tpl_appointment_reminder",
        name="appointment_reminder",
        keys=("name", "date"),
        text="{{name}}, see you on {{date}}.",
    ),
    SimTemplate(
        id="tpl_promo_blast",
        name="promo_blast",
        keys=(),
        text="This week only: 20% off.",
        category="MARKETING",
    ),
    SimTemplate(
        id="tpl_legacy_offer",
        name="legacy_offer",
        keys=(),
        text="An offer that was never approved.",
        approved=False,
    ),
)
"""Templates a send may name, by ``id`` or ``name``."""

_TEMPLATES_BY_REF = {ref: t for t in SIM_TEMPLATES for ref in (t.id, t.name)}


class Reject(Exception):
    """A request the simulator refuses: HTTP status, Pilot code, text and details.

    Example::

        raise Reject(400, "VALIDATION_ERROR", "footer requires buttons", {"field": "footer"})
    """

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class CheckedSend(msgspec.Struct, frozen=True, kw_only=True):
    """What an accepted send asks for, in the simulator's terms.

    Example::

        CheckedSend(destination=("destinationNumber", "+5511987654321"), kind="text", text="hi")
    """

    destination: tuple[str, str]
    kind: str
    text: str | None = None
    template: SimTemplate | None = None
    media: str | None = None
    media_type: str | None = None
    caption: str | None = None
    deliver_at: datetime | None = None
    deliver_until: datetime | None = None


def _bad(field: str, message: str, **details: Any) -> Reject:
    return Reject(400, "VALIDATION_ERROR", message, {"field": field, **details})


def _string(body: Mapping[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad(field, f"{field} must be a non-empty string")
    return value


def _timestamp(body: Mapping[str, Any], field: str) -> datetime | None:
    value = _string(body, field)
    if value is None:
        return None
    try:
        when = msgspec.convert(value, datetime)
    except msgspec.ValidationError:
        raise _bad(field, f"{field} must be an ISO 8601 datetime") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _destination(body: Mapping[str, Any]) -> tuple[str, str]:
    present = [key for key in ("destinationNumber", "groupId", "newsletterId") if key in body]
    if len(present) != 1:
        raise _bad(
            "destinationNumber",
            "exactly one of destinationNumber, groupId or newsletterId is required",
            present=present,
        )
    key = present[0]
    value = _string(body, key)
    if value is None:
        raise _bad(key, f"{key} must be a non-empty string")
    if key == "destinationNumber" and not (E164.match(value) or BSUID.match(value)):
        raise _bad(key, "destinationNumber must be E.164 with a leading + (e.g. +5511999999999)")
    if key == "groupId" and not value.endswith("@g.us"):
        raise _bad(key, "groupId must be a group JID ending in @g.us")
    if key == "newsletterId" and not value.endswith("@newsletter"):
        raise _bad(key, "newsletterId must be a channel JID ending in @newsletter")
    return key, value


def _data_uri_type(media: str, declared: Any, base64_media: bool) -> str:
    """The mediaType of a data URI send (declared, or from its MIME type), checked."""
    if not base64_media:
        raise _bad(
            "media",
            "base64 media is not accepted on Pilot Status web numbers; use a public http(s) URL",
        )
    match = DATA_URI.fullmatch(media)
    if match is None:
        raise _bad("media", "media must be a data URI like data:image/png;base64,...")
    try:
        content = base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise _bad("media", "the data URI's base64 is malformed") from None
    if not content:
        raise _bad("media", "the data URI holds no data")
    family, mime = match["type"], f"{match['type']}/{match['subtype']}"
    kind = declared if declared is not None else family
    if kind not in MEDIA_TYPES:
        raise _bad("mediaType", f"mediaType must be one of {sorted(MEDIA_TYPES)}")
    expected = MEDIA_TYPE_FAMILIES.get(str(kind))
    if (expected is not None and family != expected) or (
        kind == "sticker" and mime != "image/webp"
    ):
        raise _bad("mediaType", f"a {mime} file cannot be sent as mediaType {kind}")
    return str(kind)


def _media_type(
    body: Mapping[str, Any], media: str | None, *, base64_media: bool = True
) -> str | None:
    declared = body.get("mediaType")
    if media is None:
        if declared is not None:
            raise _bad("mediaType", "mediaType requires media")
        return None
    if not media.startswith(("http://", "https://", "data:")):
        raise _bad("media", "media must be a public http(s) URL or a base64 data URI")
    if media.startswith("data:"):
        return _data_uri_type(media, declared, base64_media)
    if declared is not None:
        if declared not in MEDIA_TYPES:
            raise _bad("mediaType", f"mediaType must be one of {sorted(MEDIA_TYPES)}")
        return str(declared)
    extension = media.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    inferred = EXTENSIONS.get(extension)
    if inferred is None:
        raise _bad("mediaType", "mediaType is required when the URL extension is not obvious")
    return inferred


def _variables(body: Mapping[str, Any], template: SimTemplate) -> None:
    variables = body.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(k, str) for k in variables):
        raise _bad("variables", "variables must be an object of strings")
    missing = [key for key in template.keys if key not in variables]
    if missing:
        raise Reject(
            400,
            "MISSING_TEMPLATE_VARIABLES",
            f"Template {template.name} is missing variables: {', '.join(missing)}",
            {"missingKeys": missing},
        )
    invalid = [
        {"key": key, "reason": "must be a non-blank string"}
        for key, value in variables.items()
        if key in template.keys and (not isinstance(value, str) or not value.strip())
    ]
    if invalid:
        raise Reject(
            400,
            "INVALID_TEMPLATE_VARIABLE_VALUE",
            "Template variables must be non-blank strings",
            {"invalidKeys": invalid},
        )


def _template(reference: str) -> SimTemplate:
    template = _TEMPLATES_BY_REF.get(reference)
    if template is None:
        raise Reject(404, "TEMPLATE_NOT_FOUND", "Template not found or without an approved version")
    if not template.approved:
        raise Reject(404, "TEMPLATE_NOT_APPROVED", "Template has no approved version")
    return template


def _buttons(body: Mapping[str, Any], mode: str) -> None:
    buttons = body.get("buttons")
    if buttons is None:
        for field in ("header", "footer"):
            if field in body:
                raise _bad(field, f"{field} is only supported when buttons is present")
        return
    if mode == "media":
        raise _bad("buttons", "buttons, header and footer are not allowed in direct media mode")
    if not isinstance(buttons, list) or not buttons:
        raise _bad("buttons", "buttons must be a non-empty array")
    if len(buttons) > MAX_BUTTONS:
        raise _bad("buttons", f"at most {MAX_BUTTONS} buttons are allowed", max=MAX_BUTTONS)
    for index, button in enumerate(buttons):
        if not isinstance(button, dict) or button.get("type") not in BUTTON_FIELDS:
            raise _bad(f"buttons[{index}].type", f"type must be one of {sorted(BUTTON_FIELDS)}")
        # The docs name the label displayText, the official SDK label: either is accepted.
        label = button.get("displayText", button.get("label"))
        if not isinstance(label, str) or not label.strip():
            raise _bad(f"buttons[{index}].displayText", "a button needs displayText")
        needed = BUTTON_FIELDS[button["type"]]
        if not isinstance(button.get(needed), str) or not button[needed]:
            raise _bad(f"buttons[{index}].{needed}", f"a {button['type']} button needs {needed}")
    header = body.get("header")
    if header is not None:
        if not isinstance(header, dict) or header.get("type") not in HEADER_TYPES:
            raise _bad("header.type", f"header type must be one of {sorted(HEADER_TYPES)}")
        content = header.get("content")
        if not isinstance(content, str) or not content:
            raise _bad("header.content", "header content is required")
        if header["type"] == "text" and len(content) > MAX_HEADER_TEXT:
            raise _bad("header.content", f"header text is limited to {MAX_HEADER_TEXT} characters")
    footer = body.get("footer")
    if footer is not None and (not isinstance(footer, str) or len(footer) > MAX_FOOTER):
        raise _bad("footer", f"footer must be a string of at most {MAX_FOOTER} characters")


def _others(body: Mapping[str, Any]) -> None:
    labels = body.get("labels")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)
    ):
        raise _bad("labels", "labels must be an array of strings")
    marketing = body.get("marketingOptions")
    if marketing is not None and (
        not isinstance(marketing, dict)
        or not isinstance(marketing.get("aiRewriteEnabled", False), bool)
    ):
        raise _bad("marketingOptions", "marketingOptions.aiRewriteEnabled must be a boolean")
    if "markRead" in body and not isinstance(body["markRead"], bool):
        raise _bad("markRead", "markRead must be a boolean")


def check_send(body: Any, *, base64_media: bool = True) -> CheckedSend:
    """The accepted send described by ``body``, or raise :class:`Reject`.

    ``base64_media=False`` (an unofficial "Pilot Status web" number) refuses data URIs.

    Example::

        check_send({"groupId": "1203@g.us", "text": "hi", "footer": "x"})
        # Reject(400, VALIDATION_ERROR, "footer is only supported when buttons is present")
    """
    if not isinstance(body, dict):
        raise _bad("body", "the request body must be a JSON object")
    unknown = sorted(set(body) - KNOWN_FIELDS)
    if unknown:
        raise _bad(unknown[0], f"unknown field {unknown[0]}")
    destination = _destination(body)
    template_ref = _string(body, "templateId")
    text = _string(body, "text")
    media = _string(body, "media")
    if template_ref is not None and text is not None:
        raise _bad("text", "templateId and text are mutually exclusive")
    if text is not None and media is not None:
        raise _bad("media", "media and mediaType cannot be used with text")
    if template_ref is None and text is None and media is None:
        raise _bad("text", "text is required when templateId is not sent")
    mode = "template" if template_ref is not None else "text" if text is not None else "media"
    media_type = _media_type(body, media, base64_media=base64_media)
    if "variables" in body and mode != "template":
        raise _bad("variables", "variables require templateId")
    caption = _string(body, "caption")
    if caption is not None and mode != "media":
        raise _bad("caption", "caption is only allowed in direct media mode")
    if caption is not None and media_type in NO_CAPTION:
        raise _bad("caption", f"caption is not allowed for {media_type}")
    _buttons(body, mode)
    _others(body)
    deliver_at = _timestamp(body, "deliverAt")
    deliver_until = _timestamp(body, "deliverUntil")
    if deliver_at and deliver_until and deliver_until <= deliver_at:
        raise _bad("deliverUntil", "deliverUntil must be after deliverAt")
    template = None
    if template_ref is not None:
        template = _template(template_ref)
        _variables(body, template)
    kind = media_type if mode == "media" and media_type else mode
    return CheckedSend(
        destination=destination,
        kind=kind,
        text=text,
        template=template,
        media=media,
        media_type=media_type,
        caption=caption,
        deliver_at=deliver_at,
        deliver_until=deliver_until,
    )
