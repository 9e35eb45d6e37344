"""Strict checks of ``/messages`` request bodies, the way the simulator's Meta answers them.

Written independently of ``build.py`` (it reads the JSON, not the SDK's model), so a
wire bug in the SDK shows up as a rejected request in the tests. A failed check raises
:class:`Rejection` carrying Meta's error code:

- ``131008`` a required parameter is missing;
- ``100`` a parameter has the wrong shape or type, is too long, or is not expected;
- ``131009`` a parameter's value is not allowed (unknown type, both ``id`` and ``link``,
  a non-http link, duplicate ids, too many items ...);
- ``132000``/``132001``/``132012``/``132015``/``132016`` template problems.

Example::

    check = validate_send(body, TemplateBook.default())
    check.to, check.recipient_type, check.type
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Meta's documented limits (a leaf module with their sources), never the adapter's builders:
# the checks below read the JSON on their own, so an SDK wire bug shows up as a rejection.
from whatsapp_async.provider import cloudapi as lim

from .simulator_templates import SimTemplate, TemplateBook

__all__ = ["Rejection", "SendCheck", "validate_mark_read", "validate_send"]

MESSAGE_TYPES = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "interactive",
        "template",
    }
)
_BASE_KEYS = frozenset(
    {
        "messaging_product",
        "recipient_type",
        "to",
        "recipient",
        "type",
        "context",
        "biz_opaque_callback_data",
    }
)
_MEDIA_KEYS = {
    "image": {"id", "link", "caption"},
    "video": {"id", "link", "caption"},
    "document": {"id", "link", "caption", "filename"},
    "audio": {"id", "link"},
    "sticker": {"id", "link"},
}
_PHONE = re.compile(r"\+?[1-9][0-9]{6,14}")
# Business-scoped user ids: the documented form (US.1349..., US.ENT.1349...) and the form
# Meta's own examples show (user.9373...).
_USER_ID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}|user\.[A-Za-z0-9.]{1,128}")
_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")
_TEMPLATE_BUTTON_PARAMS = {
    "quick_reply": "payload",
    "url": "text",
    "copy_code": "coupon_code",
}
_LISTED_BUTTON_TYPES = {"QUICK_REPLY": "quick_reply", "URL": "url", "COPY_CODE": "copy_code"}


class Rejection(Exception):
    """A request Meta would refuse: the code, the detail text and the HTTP status.

    Example::

        raise Rejection(131008, "The parameter to is required.")
    """

    def __init__(
        self,
        code: int,
        details: str,
        *,
        status: int = 400,
        error_type: str = "OAuthException",
        subcode: int | None = None,
    ) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.status = status
        self.error_type = error_type
        self.subcode = subcode


@dataclass(frozen=True)
class SendCheck:
    """What an accepted send is about.

    Example::

        SendCheck(to="+16505551234", recipient_type="individual", type="text")
    """

    to: str
    recipient_type: str
    type: str
    user_id: str | None = None
    """The business-scoped user id the send went to (``recipient``), when ``to`` was absent."""


def validate_send(body: Mapping[str, Any], templates: TemplateBook) -> SendCheck:
    """Check a send body; the accepted send's summary, or raise :class:`Rejection`.

    Example::

        validate_send({"messaging_product": "whatsapp", "to": "16505551234",
                       "type": "text", "text": {"body": "hi"}}, TemplateBook.default())
    """
    _messaging_product(body)
    recipient_type = body.get("recipient_type", "individual")
    if recipient_type not in ("individual", "group"):
        raise Rejection(131009, "Param recipient_type must be 'individual' or 'group'.")
    user_id: str | None = None
    if "to" in body or recipient_type != "individual" or "recipient" not in body:
        # Both given: "to" wins (Meta's documented rule).
        to = _string(body, "to", "to")
        if recipient_type == "individual" and not _PHONE.fullmatch(to):
            raise Rejection(100, f"Param to is not a valid WhatsApp phone number: {to[:30]!r}.")
    else:
        user_id = to = _string(body, "recipient", "recipient")
        if not _USER_ID.fullmatch(user_id):
            raise Rejection(
                100, f"Param recipient is not a valid business-scoped user ID: {user_id[:40]!r}."
            )
    # Meta sends a text message when "type" is left out.
    kind = body.get("type", "text")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise Rejection(131009, f"Unsupported message type {kind!r}.")
    _keys(body, _BASE_KEYS | {kind}, "message")
    if "context" in body:
        context = _object(body["context"], "context")
        _keys(context, {"message_id"}, "context")
        _string(context, "message_id", "context.message_id")
    if "biz_opaque_callback_data" in body:
        _string(
            body, "biz_opaque_callback_data", "biz_opaque_callback_data", max_len=lim.BIZ_OPAQUE_MAX
        )
    if kind not in body:
        raise Rejection(131008, f"The parameter {kind} is required.")
    content = body[kind]
    if kind == "text":
        _text(content)
    elif kind in _MEDIA_KEYS:
        _media(content, kind, allowed=_MEDIA_KEYS[kind])
    elif kind == "location":
        _location(content, "location")
    elif kind == "contacts":
        _contacts(content)
    elif kind == "reaction":
        _reaction(content)
    elif kind == "interactive":
        _interactive(content)
    else:
        _template(content, templates)
    if user_id is not None and kind == "template":
        _no_authentication_to_user_id(content, templates)
    return SendCheck(to=to, recipient_type=str(recipient_type), type=kind, user_id=user_id)


def _no_authentication_to_user_id(content: Any, templates: TemplateBook) -> None:
    """Meta's 131062: authentication templates need the phone number, not a BSUID."""
    name = content.get("name") if isinstance(content, dict) else None
    language = content.get("language") if isinstance(content, dict) else None
    code = language.get("code") if isinstance(language, dict) else None
    known = templates.find(str(name), str(code))
    if known is not None and known.category == "AUTHENTICATION":
        raise Rejection(
            131062,
            "Business-scoped User ID (BSUID) recipients are not supported for this message.",
        )


def validate_mark_read(body: Mapping[str, Any]) -> tuple[str, bool]:
    """Check a mark-read body; ``(message_id, typing)`` or raise :class:`Rejection`.

    Example::

        validate_mark_read({"messaging_product": "whatsapp", "status": "read",
                            "message_id": "wamid.X"})  # ('wamid.X', False)
    """
    _messaging_product(body)
    _keys(body, {"messaging_product", "status", "message_id", "typing_indicator"}, "message")
    if body.get("status") != "read":
        raise Rejection(131009, "Param status must be 'read'.")
    message_id = _string(body, "message_id", "message_id")
    if not message_id.startswith("wamid."):
        raise Rejection(100, "Param message_id is not a valid WhatsApp message id.")
    typing = "typing_indicator" in body
    if typing:
        indicator = _object(body["typing_indicator"], "typing_indicator")
        _keys(indicator, {"type"}, "typing_indicator")
        if indicator.get("type") != "text":
            raise Rejection(131009, "Param typing_indicator.type must be 'text'.")
    return message_id, typing


# -- building blocks ---------------------------------------------------------------------------
def _messaging_product(body: Mapping[str, Any]) -> None:
    if "messaging_product" not in body:
        raise Rejection(100, "The parameter messaging_product is required.")
    if body["messaging_product"] != "whatsapp":
        raise Rejection(100, "Param messaging_product must be 'whatsapp'.")


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Rejection(100, f"Param {path} must be a JSON object.")
    return value


def _array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise Rejection(100, f"Param {path} must be an array.")
    return value


def _keys(obj: Mapping[str, Any], allowed: set[str] | frozenset[str], path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise Rejection(100, f'Unexpected key "{key}" on param "{path}".')


def _string(
    obj: Mapping[str, Any],
    key: str,
    path: str,
    *,
    required: bool = True,
    max_len: int | None = None,
    allow_empty: bool = False,
) -> str:
    if key not in obj or obj[key] is None:
        if required:
            raise Rejection(131008, f"The parameter {path} is required.")
        return ""
    value = obj[key]
    if not isinstance(value, str):
        raise Rejection(100, f"Param {path} must be a string.")
    if not allow_empty and not value.strip():
        raise Rejection(100, f"Param {path} must not be empty.")
    if max_len is not None and len(value) > max_len:
        raise Rejection(100, f"Param {path} must be at most {max_len} characters long.")
    return value


def _text(content: Any) -> None:
    text = _object(content, "text")
    _keys(text, {"body", "preview_url"}, "text")
    _string(text, "body", "text.body", max_len=lim.TEXT_BODY_MAX)
    if "preview_url" in text and not isinstance(text["preview_url"], bool):
        raise Rejection(100, "Param text.preview_url must be a boolean.")


def _media(content: Any, path: str, *, allowed: set[str]) -> None:
    media = _object(content, path)
    _keys(media, allowed, path)
    has_id, has_link = "id" in media, "link" in media
    if has_id and has_link:
        raise Rejection(131009, f"Param {path} must have either id or link, not both.")
    if not has_id and not has_link:
        raise Rejection(131008, f"The parameter {path}.id or {path}.link is required.")
    if has_id:
        _string(media, "id", f"{path}.id")
    else:
        link = _string(media, "link", f"{path}.link")
        if not link.lower().startswith(("http://", "https://")):
            raise Rejection(131009, f"Param {path}.link must be an http(s) URL.")
    if "caption" in media:
        _string(media, "caption", f"{path}.caption", max_len=lim.CAPTION_MAX)
    if "filename" in media:
        _string(media, "filename", f"{path}.filename")


def _number(value: Any, path: str, bound: float) -> None:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise Rejection(100, f"Param {path} must be a number.") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Rejection(100, f"Param {path} must be a number.")
    if not -bound <= value <= bound:
        raise Rejection(131009, f"Param {path} must be between -{bound:g} and {bound:g}.")


def _location(content: Any, path: str) -> None:
    location = _object(content, path)
    _keys(location, {"latitude", "longitude", "name", "address"}, path)
    for key, bound in (("latitude", 90.0), ("longitude", 180.0)):
        if key not in location:
            raise Rejection(131008, f"The parameter {path}.{key} is required.")
        _number(location[key], f"{path}.{key}", bound)
    for key in ("name", "address"):
        _string(location, key, f"{path}.{key}", required=False)


def _contacts(content: Any) -> None:
    cards = _array(content, "contacts")
    if not 1 <= len(cards) <= lim.CONTACTS_MAX:
        raise Rejection(131009, f"Param contacts must hold 1 to {lim.CONTACTS_MAX} contacts.")
    allowed = {"addresses", "birthday", "emails", "name", "org", "phones", "urls"}
    for i, card in enumerate(cards):
        path = f"contacts[{i}]"
        contact = _object(card, path)
        _keys(contact, allowed, path)
        if "name" not in contact:
            raise Rejection(131008, f"The parameter {path}.name is required.")
        name = _object(contact["name"], f"{path}.name")
        _string(name, "formatted_name", f"{path}.name.formatted_name")
        for j, phone in enumerate(_array(contact.get("phones", []), f"{path}.phones")):
            entry = _object(phone, f"{path}.phones[{j}]")
            _keys(entry, {"phone", "type", "wa_id"}, f"{path}.phones[{j}]")
            _string(entry, "phone", f"{path}.phones[{j}].phone")


def _reaction(content: Any) -> None:
    reaction = _object(content, "reaction")
    _keys(reaction, {"message_id", "emoji"}, "reaction")
    _string(reaction, "message_id", "reaction.message_id")
    emoji = _string(reaction, "emoji", "reaction.emoji", allow_empty=True)
    keycap = _KEYCAP.fullmatch(emoji) is not None
    if (not keycap and any(ch.isalnum() and ch.isascii() for ch in emoji)) or len(emoji) > 32:
        raise Rejection(131009, "Param reaction.emoji must be a single emoji.")


def _interactive(content: Any) -> None:
    interactive = _object(content, "interactive")
    kind = interactive.get("type")
    if kind is None:
        raise Rejection(131008, "The parameter interactive.type is required.")
    if "action" not in interactive:
        raise Rejection(131008, "The parameter interactive.action is required.")
    if kind == "button":
        _reply_buttons(interactive)
    elif kind == "list":
        _list(interactive)
    # Other interactive kinds (flows, products, CTA URLs ...) are accepted as they come.


def _interactive_text(interactive: Mapping[str, Any], key: str, max_len: int) -> None:
    part = _object(interactive[key], f"interactive.{key}")
    _keys(part, {"text"}, f"interactive.{key}")
    _string(part, "text", f"interactive.{key}.text", max_len=max_len)


def _reply_buttons(interactive: Mapping[str, Any]) -> None:
    _keys(interactive, {"type", "header", "body", "footer", "action"}, "interactive")
    if "body" not in interactive:
        raise Rejection(131008, "The parameter interactive.body is required.")
    _interactive_text(interactive, "body", lim.BUTTONS_BODY_MAX)
    if "footer" in interactive:
        _interactive_text(interactive, "footer", lim.FOOTER_MAX)
    if "header" in interactive:
        header = _object(interactive["header"], "interactive.header")
        kind = header.get("type")
        if kind == "text":
            _keys(header, {"type", "text"}, "interactive.header")
            _string(header, "text", "interactive.header.text", max_len=lim.HEADER_TEXT_MAX)
        elif kind in ("image", "video", "document"):
            _keys(header, {"type", kind}, "interactive.header")
            allowed = {"id", "link", "filename"} if kind == "document" else {"id", "link"}
            if kind not in header:
                raise Rejection(131008, f"The parameter interactive.header.{kind} is required.")
            _media(header[kind], f"interactive.header.{kind}", allowed=allowed)
        else:
            raise Rejection(131009, "Param interactive.header.type is not valid.")
    action = _object(interactive["action"], "interactive.action")
    _keys(action, {"buttons"}, "interactive.action")
    buttons = _array(action.get("buttons"), "interactive.action.buttons")
    if not 1 <= len(buttons) <= lim.BUTTONS_MAX:
        raise Rejection(
            131009, f"Param interactive.action.buttons must hold 1 to {lim.BUTTONS_MAX}."
        )
    ids, titles = set(), set()
    for i, raw in enumerate(buttons):
        path = f"interactive.action.buttons[{i}]"
        button = _object(raw, path)
        _keys(button, {"type", "reply"}, path)
        if button.get("type") != "reply":
            raise Rejection(131009, f"Param {path}.type must be 'reply'.")
        reply = _object(button.get("reply"), f"{path}.reply")
        _keys(reply, {"id", "title"}, f"{path}.reply")
        button_id = _string(reply, "id", f"{path}.reply.id", max_len=lim.BUTTON_ID_MAX)
        title = _string(reply, "title", f"{path}.reply.title", max_len=lim.BUTTON_TITLE_MAX)
        if button_id in ids or title in titles:
            raise Rejection(131009, "Button ids and titles must be unique.")
        ids.add(button_id)
        titles.add(title)


def _list(interactive: Mapping[str, Any]) -> None:
    _keys(interactive, {"type", "header", "body", "footer", "action"}, "interactive")
    if "body" not in interactive:
        raise Rejection(131008, "The parameter interactive.body is required.")
    _interactive_text(interactive, "body", lim.LIST_BODY_MAX)
    if "footer" in interactive:
        _interactive_text(interactive, "footer", lim.FOOTER_MAX)
    if "header" in interactive:
        header = _object(interactive["header"], "interactive.header")
        _keys(header, {"type", "text"}, "interactive.header")
        if header.get("type") != "text":
            raise Rejection(131009, "Param interactive.header.type must be 'text' for lists.")
        _string(header, "text", "interactive.header.text", max_len=lim.HEADER_TEXT_MAX)
    action = _object(interactive["action"], "interactive.action")
    _keys(action, {"button", "sections"}, "interactive.action")
    _string(action, "button", "interactive.action.button", max_len=lim.LIST_BUTTON_MAX)
    sections = _array(action.get("sections"), "interactive.action.sections")
    if not 1 <= len(sections) <= lim.LIST_SECTIONS_MAX:
        raise Rejection(131009, f"A list must have 1 to {lim.LIST_SECTIONS_MAX} sections.")
    row_ids: set[str] = set()
    for i, raw in enumerate(sections):
        path = f"interactive.action.sections[{i}]"
        section = _object(raw, path)
        _keys(section, {"title", "rows"}, path)
        _string(
            section,
            "title",
            f"{path}.title",
            required=len(sections) > 1,
            max_len=lim.SECTION_TITLE_MAX,
        )
        for j, row_raw in enumerate(_array(section.get("rows"), f"{path}.rows")):
            row_path = f"{path}.rows[{j}]"
            row = _object(row_raw, row_path)
            _keys(row, {"id", "title", "description"}, row_path)
            row_id = _string(row, "id", f"{row_path}.id", max_len=lim.ROW_ID_MAX)
            _string(row, "title", f"{row_path}.title", max_len=lim.ROW_TITLE_MAX)
            _string(
                row,
                "description",
                f"{row_path}.description",
                required=False,
                max_len=lim.ROW_DESCRIPTION_MAX,
            )
            if row_id in row_ids:
                raise Rejection(131009, "List row ids must be unique.")
            row_ids.add(row_id)
    if not 1 <= len(row_ids) <= lim.LIST_ROWS_MAX:
        raise Rejection(131009, f"A list must have 1 to {lim.LIST_ROWS_MAX} rows in total.")


# -- templates ---------------------------------------------------------------------------------
def _template(content: Any, templates: TemplateBook) -> None:
    template = _object(content, "template")
    _keys(template, {"name", "language", "components"}, "template")
    name = _string(template, "name", "template.name")
    if "language" not in template:
        raise Rejection(131008, "The parameter template.language is required.")
    language = _object(template["language"], "template.language")
    _keys(language, {"code", "policy"}, "template.language")
    code = _string(language, "code", "template.language.code")
    if "policy" in language and language["policy"] != "deterministic":
        raise Rejection(131009, "Param template.language.policy must be 'deterministic'.")
    components = _array(template.get("components", []), "template.components")
    sent = [_object(c, f"template.components[{i}]") for i, c in enumerate(components)]
    # Meta reads component types case-insensitively (clients send "BODY" as well as "body").
    only_body = len(sent) == 1 and str(sent[0].get("type", "")).lower() == "body"
    for i, component in enumerate(sent):
        _component_shape(component, f"template.components[{i}]", only_body=only_body)
    known = templates.find(name, code)
    if known is None:
        where = f"in {code}" if templates.has_name(name) else "at all"
        raise Rejection(
            132001,
            f"template name ({name}) does not exist {where}",
            status=404,
        )
    _matches_template(known, sent)


def _component_shape(component: Mapping[str, Any], path: str, *, only_body: bool) -> None:
    kind = str(component.get("type", "")).lower()
    if kind not in ("header", "body", "button"):
        return  # carousels, limited-time offers ...: accepted as they come
    if kind == "button":
        _keys(component, {"type", "sub_type", "index", "parameters"}, path)
        _string(component, "sub_type", f"{path}.sub_type")
        index = component.get("index")
        if index is None:
            raise Rejection(131008, f"The parameter {path}.index is required.")
        if not str(index).isdigit() or not 0 <= int(str(index)) <= lim.TEMPLATE_BUTTON_INDEX_MAX:
            raise Rejection(131009, f"Param {path}.index must be 0 to 9.")
    else:
        _keys(component, {"type", "parameters"}, path)
    for j, raw in enumerate(_array(component.get("parameters", []), f"{path}.parameters")):
        ppath = f"{path}.parameters[{j}]"
        parameter = _object(raw, ppath)
        ptype = parameter.get("type")
        if not isinstance(ptype, str):
            raise Rejection(131008, f"The parameter {ppath}.type is required.")
        if ptype not in parameter:
            raise Rejection(131008, f"The parameter {ppath}.{ptype} is required.")
        if "parameter_name" in parameter:
            pname = parameter["parameter_name"]
            if not isinstance(pname, str) or not lim.TEMPLATE_PARAM_NAME.fullmatch(pname):
                raise Rejection(100, f"Param {ppath}.parameter_name is not a valid name.")
        if ptype == "text" and kind in ("header", "body"):
            limit = lim.TEMPLATE_HEADER_TEXT_MAX
            if kind == "body":
                limit = (
                    lim.TEMPLATE_BODY_ONLY_PARAM_MAX if only_body else lim.TEMPLATE_BODY_PARAM_MAX
                )
            _string(parameter, "text", f"{ppath}.text", max_len=limit)
        elif ptype in ("image", "video", "document"):
            allowed = {"id", "link", "filename"} if ptype == "document" else {"id", "link"}
            _media(parameter[ptype], f"{ppath}.{ptype}", allowed=allowed)
        elif ptype == "location":
            _location(parameter["location"], f"{ppath}.location")
        elif ptype in ("payload", "coupon_code"):
            _string(parameter, ptype, f"{ppath}.{ptype}")


def _matches_template(template: SimTemplate, sent: list[dict[str, Any]]) -> None:
    if template.status == "PAUSED":
        raise Rejection(132015, f"template {template.name} is paused")
    if template.status == "DISABLED":
        raise Rejection(132016, f"template {template.name} is disabled")
    if template.status != "APPROVED":
        raise Rejection(132001, f"template {template.name} is not approved ({template.status})")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for component in sent:
        by_type.setdefault(str(component.get("type", "")).lower(), []).append(component)
    _header_matches(template, by_type.get("header", []))
    _params_match(template, "body", template.body_params, by_type.get("body", []))
    _buttons_match(template, by_type.get("button", []))


def _parameters(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for c in components for p in c.get("parameters", []) if isinstance(p, dict)]


def _header_matches(template: SimTemplate, components: list[dict[str, Any]]) -> None:
    fmt = template.header_format
    if fmt in (None, "TEXT"):
        _params_match(template, "header", template.header_params, components)
        return
    parameters = _parameters(components)
    if len(parameters) != 1:
        raise Rejection(
            132000, f"header: expected 1 {fmt.lower()} parameter, got {len(parameters)}"
        )
    if parameters[0].get("type") != fmt.lower():
        raise Rejection(
            132012, f"header: expected a {fmt.lower()} parameter, got {parameters[0].get('type')}"
        )


def _params_match(
    template: SimTemplate, where: str, expected: list[str], components: list[dict[str, Any]]
) -> None:
    parameters = _parameters(components)
    if len(parameters) != len(expected):
        raise Rejection(
            132000,
            f"{where}: number of localizable_params ({len(parameters)}) does not match the "
            f"expected number of params ({len(expected)})",
        )
    named = [p.get("parameter_name") for p in parameters]
    if template.parameter_format == "NAMED":
        if any(n is None for n in named):
            raise Rejection(132012, f"{where}: template {template.name} takes named parameters")
        if sorted(str(n) for n in named) != sorted(expected):
            raise Rejection(
                132000, f"{where}: parameter names {named} do not match {sorted(expected)}"
            )
    elif any(n is not None for n in named):
        raise Rejection(132012, f"{where}: template {template.name} takes positional parameters")


def _buttons_match(template: SimTemplate, components: list[dict[str, Any]]) -> None:
    listed = template.buttons
    given: dict[int, dict[str, Any]] = {}
    for component in components:
        index = int(str(component.get("index")))
        if index >= len(listed):
            raise Rejection(131009, f"button index {index} does not exist in {template.name}")
        expected_sub_type = _LISTED_BUTTON_TYPES.get(str(listed[index].get("type")))
        if component.get("sub_type") != expected_sub_type:
            raise Rejection(
                132012,
                f"button {index} is a {expected_sub_type} button, got {component.get('sub_type')}",
            )
        key = _TEMPLATE_BUTTON_PARAMS[expected_sub_type] if expected_sub_type else None
        parameters = _parameters([component])
        if parameters and expected_sub_type == "url" and not _dynamic(listed[index]):
            raise Rejection(132000, f"button {index} has a fixed URL and takes no parameter")
        for parameter in parameters:
            if parameter.get("type") != key:
                raise Rejection(132012, f"button {index} takes a {key} parameter")
        given[index] = component
    for index, button in enumerate(listed):
        if _dynamic(button) and index not in given:
            raise Rejection(132000, f"button {index} ({button.get('text')}) needs a parameter")


def _dynamic(button: Mapping[str, Any]) -> bool:
    """Whether a listed button needs a parameter on send (coupon codes, URLs with {{1}})."""
    return button.get("type") == "COPY_CODE" or "{{" in str(button.get("url", ""))
