"""Strict checks of ``/messages`` request bodies, the way the simulator's Meta answers them.

Written independently of ``build.py`` (it reads the JSON, not the SDK's model), so a
wire bug in the SDK shows up as a rejected request in the tests. The interactive kinds
beyond reply buttons and lists are checked in ``simulator_interactive``, templates in
``simulator_template_check``. A failed check raises :class:`Rejection` carrying Meta's
error code:

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

from .simulator_checks import Rejection
from .simulator_checks import array as _array
from .simulator_checks import interactive_header as _interactive_header
from .simulator_checks import interactive_text as _interactive_text
from .simulator_checks import keys as _keys
from .simulator_checks import location as _location
from .simulator_checks import media as _media
from .simulator_checks import obj as _object
from .simulator_checks import string as _string
from .simulator_interactive import INTERACTIVE_CHECKS
from .simulator_template_check import validate_template
from .simulator_templates import TemplateBook

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
        validate_template(content, templates)
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


def _text(content: Any) -> None:
    text = _object(content, "text")
    _keys(text, {"body", "preview_url"}, "text")
    _string(text, "body", "text.body", max_len=lim.TEXT_BODY_MAX)
    if "preview_url" in text and not isinstance(text["preview_url"], bool):
        raise Rejection(100, "Param text.preview_url must be a boolean.")


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
    elif kind in INTERACTIVE_CHECKS:
        INTERACTIVE_CHECKS[kind](interactive)
    else:
        raise Rejection(131009, f"Param interactive.type {str(kind)[:40]!r} is not valid.")


def _reply_buttons(interactive: Mapping[str, Any]) -> None:
    _keys(interactive, {"type", "header", "body", "footer", "action"}, "interactive")
    if "body" not in interactive:
        raise Rejection(131008, "The parameter interactive.body is required.")
    _interactive_text(interactive, "body", lim.BUTTONS_BODY_MAX)
    if "footer" in interactive:
        _interactive_text(interactive, "footer", lim.FOOTER_MAX)
    if "header" in interactive:
        _interactive_header(interactive["header"])
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
