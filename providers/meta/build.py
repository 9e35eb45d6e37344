"""Unified messages -> Meta ``/messages`` request bodies, checked against Meta's limits.

``build_message`` is pure: it takes the recipient as the wire ``to`` string and
``recipient_type``, so the same code builds bodies for phones (``"+16505551234"``),
groups, and the spec's own examples. Every documented limit is checked here, before
any request, raising ``ValidationError`` that names the field and the limit.

Example::

    request = build_message(Text("hi"), to="+16505551234", recipient_type="individual",
                            options=SendOptions())
    encode_body(request, extra=None)
    # b'{"messaging_product":"whatsapp","recipient_type":"individual",...}'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import msgspec

from whatsapp_async.provider import (
    Audio,
    Buttons,
    Contacts,
    Document,
    Image,
    ListMessage,
    Location,
    Media,
    Message,
    Reaction,
    SendOptions,
    Sticker,
    Template,
    Text,
    ValidationError,
    Video,
    cloudapi,
    deep_merge,
)
from whatsapp_async.provider.cloudapi import MediaObject, TemplateRules, build_components

from .wire import (
    ENCODER,
    ActionObject,
    Context,
    InteractiveHeader,
    InteractiveObject,
    InteractiveText,
    MessageRequest,
    ReactionObject,
    ReplyButtonObject,
    ReplyObject,
    RowObject,
    SectionObject,
    TemplateLanguage,
    TemplateObject,
    TextObject,
)

__all__ = ["TEMPLATE_RULES", "build_message", "encode_body", "opaque_callback_data"]

PROVIDER = "meta"
# The client uploads a message's own file= first and sends the id; a file nested in a header
# never reaches that step, so the caller is told to upload it.
_FILE_HINT = "upload it with wa.upload_media(...) and pass id="

TEMPLATE_RULES = TemplateRules(provider=PROVIDER, local_file_hint=_FILE_HINT)
"""Meta expresses every template parameter kind the shared builder makes.

Example::

    build_components(Template("order_update", body=["Ada"]), TEMPLATE_RULES)
"""


# The shared checks, bound to this provider's name (it goes into every ValidationError).
def _invalid(field: str, message: str) -> ValidationError:
    return cloudapi.invalid(field, message, provider=PROVIDER)


def _check_max_length(field: str, value: str, limit: int) -> None:
    cloudapi.check_max_length(field, value, limit, provider=PROVIDER)


def _check_not_blank(field: str, value: str) -> None:
    cloudapi.check_not_blank(field, value, provider=PROVIDER)


def _check_unique(field: str, values: Iterable[str], what: str) -> None:
    cloudapi.check_unique(field, values, what, provider=PROVIDER)


def build_message(
    message: Message,
    *,
    to: str | None,
    recipient_type: str,
    options: SendOptions,
    recipient: str | None = None,
) -> MessageRequest:
    """The wire body sending ``message`` to ``to``; raises ``ValidationError`` before any I/O.

    A business-scoped user id goes in ``recipient`` (with ``to=None``): Meta's dedicated
    field, which ``to`` would override if both were sent.

    ``options.reply_to`` becomes ``context.message_id``; ``options.metadata`` becomes
    ``biz_opaque_callback_data`` (its compact JSON, at most 512 characters).
    ``options.extra`` is not applied here: see :func:`encode_body`.

    Example::

        build_message(Image(link="https://x.test/a.png"), to="+16505551234",
                      recipient_type="individual", options=SendOptions(reply_to="wamid.X"))
    """
    builder = _BUILDERS.get(type(message))
    if builder is None:
        builder = next((b for cls, b in _BUILDERS.items() if isinstance(message, cls)), None)
        if builder is None:
            raise _invalid("message", f"Meta cannot send a {type(message).__name__}")
    fields = builder(message)
    return MessageRequest(
        messaging_product="whatsapp",
        recipient_type=recipient_type,
        to=to,
        recipient=recipient,
        context=Context(message_id=options.reply_to) if options.reply_to else None,
        biz_opaque_callback_data=(
            opaque_callback_data(options.metadata) if options.metadata is not None else None
        ),
        **fields,
    )


def encode_body(request: MessageRequest, extra: Mapping[str, Any] | None) -> bytes:
    """JSON bytes of ``request`` with ``extra`` deep-merged in (the escape hatch).

    Example::

        encode_body(request, {"biz_opaque_callback_data": "campaign-7"})
    """
    if not extra:
        return ENCODER.encode(request)
    body: dict[str, Any] = msgspec.to_builtins(request)
    deep_merge(body, extra)
    try:
        return ENCODER.encode(body)
    except (TypeError, msgspec.EncodeError) as exc:
        raise _invalid("extra", f"extra must hold JSON values only ({exc})") from None


def opaque_callback_data(metadata: Mapping[str, Any]) -> str:
    """``metadata`` as the compact JSON string Meta echoes back in status webhooks.

    Example::

        opaque_callback_data({"order": "1234"})  # '{"order":"1234"}'
    """
    try:
        text = ENCODER.encode(dict(metadata)).decode()
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        raise _invalid("metadata", f"metadata must hold JSON values only ({exc})") from None
    if len(text) > cloudapi.BIZ_OPAQUE_MAX:
        raise _invalid(
            "metadata",
            f"metadata is {len(text)} characters as JSON; Meta's biz_opaque_callback_data "
            f"holds at most {cloudapi.BIZ_OPAQUE_MAX}",
        )
    return text


# -- one builder per message type: each returns MessageRequest keyword arguments ----------------
def _text(message: Text) -> dict[str, Any]:
    _check_max_length("text.body", message.body, cloudapi.TEXT_BODY_MAX)
    return {"type": "text", "text": TextObject(body=message.body, preview_url=message.preview_url)}


def _media_object(media: Media, field: str) -> MediaObject:
    return cloudapi.media_object(media, field, provider=PROVIDER, file_hint=_FILE_HINT)


def _media(message: Media) -> dict[str, Any]:
    return {"type": message.kind, message.kind: _media_object(message, message.kind)}


def _location(message: Location) -> dict[str, Any]:
    return {"type": "location", "location": cloudapi.location_object(message)}


def _contacts(message: Contacts) -> dict[str, Any]:
    cards = list(message.contacts)
    if len(cards) > cloudapi.CONTACTS_MAX:
        raise _invalid(
            "contacts",
            f"contacts has {len(cards)} cards; Meta takes at most {cloudapi.CONTACTS_MAX}",
        )
    for i, card in enumerate(cards):
        _check_not_blank(f"contacts[{i}].name.formatted_name", card.name.formatted_name)
        for j, phone in enumerate(card.phones):
            _check_not_blank(f"contacts[{i}].phones[{j}].phone", phone.phone)
    # The model's contact Structs already have Meta's field names: they encode as they are.
    return {"type": "contacts", "contacts": cards}


def _reaction(message: Reaction) -> dict[str, Any]:
    cloudapi.check_emoji("reaction.emoji", message.emoji, provider=PROVIDER)
    return {
        "type": "reaction",
        "reaction": ReactionObject(message_id=message.message_id, emoji=message.emoji),
    }


def _footer(footer: str | None, field: str) -> InteractiveText | None:
    if footer is None:
        return None
    _check_not_blank(field, footer)
    _check_max_length(field, footer, cloudapi.FOOTER_MAX)
    return InteractiveText(text=footer)


def _text_header(text: str, field: str) -> InteractiveHeader:
    _check_not_blank(field, text)
    _check_max_length(field, text, cloudapi.HEADER_TEXT_MAX)
    return InteractiveHeader(type="text", text=text)


def _buttons_header(header: str | Image | Video | Document | None) -> InteractiveHeader | None:
    if header is None:
        return None
    if isinstance(header, str):
        return _text_header(header, "buttons.header")
    if header.caption:
        raise _invalid(
            "buttons.header.caption",
            "buttons.header.caption is not allowed: an interactive header's media takes no "
            "caption (put the text in the body)",
        )
    kind = header.kind
    media = _media_object(header, f"buttons.header.{kind}")
    return InteractiveHeader(
        type=kind,
        image=media if kind == "image" else None,
        video=media if kind == "video" else None,
        document=media if kind == "document" else None,
    )


def _buttons(message: Buttons) -> dict[str, Any]:
    buttons = list(message.buttons)
    if len(buttons) > cloudapi.BUTTONS_MAX:
        raise _invalid(
            "buttons",
            f"buttons has {len(buttons)} reply buttons; Meta allows 1 to {cloudapi.BUTTONS_MAX}",
        )
    for i, button in enumerate(buttons):
        field = f"buttons[{i}]"
        _check_not_blank(f"{field}.id", button.id)
        if button.id != button.id.strip():
            raise _invalid(f"{field}.id", f"{field}.id must not start or end with whitespace")
        _check_max_length(f"{field}.id", button.id, cloudapi.BUTTON_ID_MAX)
        _check_not_blank(f"{field}.title", button.title)
        _check_max_length(f"{field}.title", button.title, cloudapi.BUTTON_TITLE_MAX)
    _check_unique("buttons", (b.id for b in buttons), "reply button ids")
    _check_unique("buttons", (b.title for b in buttons), "reply button titles")
    _check_max_length("buttons.body", message.body, cloudapi.BUTTONS_BODY_MAX)
    interactive = InteractiveObject(
        type="button",
        header=_buttons_header(message.header),
        body=InteractiveText(text=message.body),
        footer=_footer(message.footer, "buttons.footer"),
        action=ActionObject(
            buttons=[
                ReplyButtonObject(type="reply", reply=ReplyObject(id=b.id, title=b.title))
                for b in buttons
            ]
        ),
    )
    return {"type": "interactive", "interactive": interactive}


def _list(message: ListMessage) -> dict[str, Any]:
    _check_max_length("list.body", message.body, cloudapi.LIST_BODY_MAX)
    _check_max_length("list.button", message.button, cloudapi.LIST_BUTTON_MAX)
    sections = list(message.sections)
    if len(sections) > cloudapi.LIST_SECTIONS_MAX:
        raise _invalid(
            "sections",
            f"list has {len(sections)} sections; Meta allows at most {cloudapi.LIST_SECTIONS_MAX}",
        )
    total_rows = sum(len(s.rows) for s in sections)
    if total_rows > cloudapi.LIST_ROWS_MAX:
        raise _invalid(
            "sections",
            f"list has {total_rows} rows; Meta allows at most {cloudapi.LIST_ROWS_MAX} rows in "
            "total across all sections",
        )
    wire_sections = []
    for i, section in enumerate(sections):
        field = f"sections[{i}]"
        title: str | None = section.title
        if len(sections) > 1:
            _check_not_blank(f"{field}.title", section.title)  # required with several sections
        elif not section.title.strip():
            title = None
        if title is not None:
            _check_max_length(f"{field}.title", title, cloudapi.SECTION_TITLE_MAX)
        if not section.rows:
            raise _invalid(f"{field}.rows", f"{field} needs at least one row")
        rows = []
        for j, row in enumerate(section.rows):
            row_field = f"{field}.rows[{j}]"
            _check_not_blank(f"{row_field}.id", row.id)
            _check_max_length(f"{row_field}.id", row.id, cloudapi.ROW_ID_MAX)
            _check_not_blank(f"{row_field}.title", row.title)
            _check_max_length(f"{row_field}.title", row.title, cloudapi.ROW_TITLE_MAX)
            if row.description is not None:
                _check_max_length(
                    f"{row_field}.description", row.description, cloudapi.ROW_DESCRIPTION_MAX
                )
            rows.append(RowObject(id=row.id, title=row.title, description=row.description))
        wire_sections.append(SectionObject(title=title, rows=rows))
    _check_unique("sections", (r.id for s in sections for r in s.rows), "list row ids")
    interactive = InteractiveObject(
        type="list",
        header=_text_header(message.header, "list.header") if message.header is not None else None,
        body=InteractiveText(text=message.body),
        footer=_footer(message.footer, "list.footer"),
        action=ActionObject(button=message.button, sections=wire_sections),
    )
    return {"type": "interactive", "interactive": interactive}


def _template(message: Template) -> dict[str, Any]:
    template = TemplateObject(
        name=message.name,
        language=TemplateLanguage(code=message.language),
        components=build_components(message, TEMPLATE_RULES),
    )
    return {"type": "template", "template": template}


_BUILDERS: dict[type[Any], Callable[[Any], dict[str, Any]]] = {
    Text: _text,
    Image: _media,
    Video: _media,
    Audio: _media,
    Document: _media,
    Sticker: _media,
    Location: _location,
    Contacts: _contacts,
    Reaction: _reaction,
    Buttons: _buttons,
    ListMessage: _list,
    Template: _template,
}
