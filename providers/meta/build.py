"""Unified messages -> Meta ``/messages`` request bodies, checked against Meta's limits.

``build_message`` is pure: it takes the recipient as the wire ``to`` string and
``recipient_type``, so the same code builds bodies for phones (``"+16505551234"``),
groups, and the spec's own examples. Every documented limit is checked here, before
any request, raising ``ValidationError`` that names the field and the limit. The
interactive kinds beyond reply buttons and lists are built in ``build_interactive``; the
headers, footers and checks they all share are in ``build_parts``.

Example::

    request = build_message(Text("hi"), to="+16505551234", recipient_type="individual",
                            options=SendOptions())
    encode_body(request, extra=None)
    # b'{"messaging_product":"whatsapp","recipient_type":"individual",...}'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    Video,
    cloudapi,
    deep_merge,
)
from whatsapp_async.provider.cloudapi import TemplateRules, build_components

from .build_interactive import INTERACTIVE_BUILDERS
from .build_parts import (
    FILE_HINT,
    PROVIDER,
    BuildContext,
    check_max_length,
    check_not_blank,
    check_unique,
    footer,
    interactive_header,
    invalid,
    media_object,
)
from .wire import (
    ENCODER,
    ActionObject,
    Context,
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

__all__ = [
    "CORRELATION_KEY",
    "TEMPLATE_RULES",
    "build_message",
    "encode_body",
    "opaque_callback_data",
]

TEMPLATE_RULES = TemplateRules(provider=PROVIDER, local_file_hint=FILE_HINT)
"""Meta expresses every template parameter kind the shared builder makes.

Example::

    build_components(Template("order_update", body=["Ada"]), TEMPLATE_RULES)
"""


def build_message(
    message: Message,
    *,
    to: str | None,
    recipient_type: str,
    options: SendOptions,
    flow_cta_max: int = cloudapi.FLOW_CTA_MAX,
    recipient: str | None = None,
) -> MessageRequest:
    """The wire body sending ``message`` to ``to``; raises ``ValidationError`` before any I/O.

    A business-scoped user id goes in ``recipient`` (with ``to=None``): Meta's dedicated
    field, which ``to`` would override if both were sent.

    ``options.reply_to`` becomes ``context.message_id``; ``options.metadata`` becomes
    ``biz_opaque_callback_data`` (its compact JSON, at most 512 characters).
    ``options.extra`` is not applied here: see :func:`encode_body`. ``flow_cta_max`` is the
    longest Flow button label allowed (Meta's setting of the same name).

    Example::

        build_message(Image(link="https://x.test/a.png"), to="+16505551234",
                      recipient_type="individual", options=SendOptions(reply_to="wamid.X"))
    """
    interactive = INTERACTIVE_BUILDERS.get(type(message))
    if interactive is not None:
        fields = interactive(message, BuildContext(to, recipient_type, flow_cta_max))
    else:
        builder = _BUILDERS.get(type(message))
        if builder is None:
            builder = next((b for cls, b in _BUILDERS.items() if isinstance(message, cls)), None)
            if builder is None:
                raise invalid("message", f"Meta cannot send a {type(message).__name__}")
        fields = builder(message)
    return MessageRequest(
        messaging_product="whatsapp",
        recipient_type=recipient_type,
        to=to,
        recipient=recipient,
        context=Context(message_id=options.reply_to) if options.reply_to else None,
        biz_opaque_callback_data=(
            opaque_callback_data(options.metadata, options.correlation_id)
            if options.metadata is not None or options.correlation_id is not None
            else None
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
        raise invalid("extra", f"extra must hold JSON values only ({exc})") from None


CORRELATION_KEY = "_wa_cid"
"""The key of the client's correlation id inside ``biz_opaque_callback_data`` (taken out again
when a status comes back, so that ``StatusUpdate.metadata`` is the caller's own mapping)."""


def opaque_callback_data(
    metadata: Mapping[str, Any] | None, correlation_id: str | None = None
) -> str:
    """``metadata`` (and the correlation id) as the compact JSON string Meta echoes back.

    Example::

        opaque_callback_data({"order": "1234"})  # '{"order":"1234"}'
        opaque_callback_data({"order": "1234"}, "c1")  # '{"_wa_cid":"c1","order":"1234"}'
    """
    data: dict[str, Any] = {}
    if correlation_id is not None:
        if metadata is not None and CORRELATION_KEY in metadata:
            raise invalid("metadata", f"metadata key {CORRELATION_KEY!r} is reserved")
        data[CORRELATION_KEY] = correlation_id
    if metadata is not None:
        data.update(metadata)
    try:
        text = ENCODER.encode(data).decode()
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        raise invalid("metadata", f"metadata must hold JSON values only ({exc})") from None
    if len(text) > cloudapi.BIZ_OPAQUE_MAX:
        room = cloudapi.BIZ_OPAQUE_MAX
        if correlation_id is not None:
            room -= len(ENCODER.encode({CORRELATION_KEY: correlation_id})) - 1
        raise invalid(
            "metadata",
            f"metadata is {len(text)} characters as JSON with the client's correlation id; "
            f"Meta's biz_opaque_callback_data holds at most {cloudapi.BIZ_OPAQUE_MAX}, "
            f"which leaves about {room} for metadata",
        )
    return text


# -- one builder per message type: each returns MessageRequest keyword arguments ----------------
def _text(message: Text) -> dict[str, Any]:
    check_max_length("text.body", message.body, cloudapi.TEXT_BODY_MAX)
    return {"type": "text", "text": TextObject(body=message.body, preview_url=message.preview_url)}


def _media(message: Media) -> dict[str, Any]:
    return {"type": message.kind, message.kind: media_object(message, message.kind)}


def _location(message: Location) -> dict[str, Any]:
    return {"type": "location", "location": cloudapi.location_object(message)}


def _contacts(message: Contacts) -> dict[str, Any]:
    cards = list(message.contacts)
    if len(cards) > cloudapi.CONTACTS_MAX:
        raise invalid(
            "contacts",
            f"contacts has {len(cards)} cards; Meta takes at most {cloudapi.CONTACTS_MAX}",
        )
    for i, card in enumerate(cards):
        check_not_blank(f"contacts[{i}].name.formatted_name", card.name.formatted_name)
        for j, phone in enumerate(card.phones):
            check_not_blank(f"contacts[{i}].phones[{j}].phone", phone.phone)
    # The model's contact Structs already have Meta's field names: they encode as they are.
    return {"type": "contacts", "contacts": cards}


def _reaction(message: Reaction) -> dict[str, Any]:
    cloudapi.check_emoji("reaction.emoji", message.emoji, provider=PROVIDER)
    return {
        "type": "reaction",
        "reaction": ReactionObject(message_id=message.message_id, emoji=message.emoji),
    }


def _buttons(message: Buttons) -> dict[str, Any]:
    buttons = list(message.buttons)
    if len(buttons) > cloudapi.BUTTONS_MAX:
        raise invalid(
            "buttons",
            f"buttons has {len(buttons)} reply buttons; Meta allows 1 to {cloudapi.BUTTONS_MAX}",
        )
    for i, button in enumerate(buttons):
        field = f"buttons[{i}]"
        check_not_blank(f"{field}.id", button.id)
        if button.id != button.id.strip():
            raise invalid(f"{field}.id", f"{field}.id must not start or end with whitespace")
        check_max_length(f"{field}.id", button.id, cloudapi.BUTTON_ID_MAX)
        check_not_blank(f"{field}.title", button.title)
        check_max_length(f"{field}.title", button.title, cloudapi.BUTTON_TITLE_MAX)
    check_unique("buttons", (b.id for b in buttons), "reply button ids")
    check_unique("buttons", (b.title for b in buttons), "reply button titles")
    check_max_length("buttons.body", message.body, cloudapi.BUTTONS_BODY_MAX)
    interactive = InteractiveObject(
        type="button",
        header=interactive_header(message.header, "buttons.header"),
        body=InteractiveText(text=message.body),
        footer=footer(message.footer, "buttons.footer"),
        action=ActionObject(
            buttons=[
                ReplyButtonObject(type="reply", reply=ReplyObject(id=b.id, title=b.title))
                for b in buttons
            ]
        ),
    )
    return {"type": "interactive", "interactive": interactive}


def _list(message: ListMessage) -> dict[str, Any]:
    check_max_length("list.body", message.body, cloudapi.LIST_BODY_MAX)
    check_max_length("list.button", message.button, cloudapi.LIST_BUTTON_MAX)
    sections = list(message.sections)
    if len(sections) > cloudapi.LIST_SECTIONS_MAX:
        raise invalid(
            "sections",
            f"list has {len(sections)} sections; Meta allows at most {cloudapi.LIST_SECTIONS_MAX}",
        )
    total_rows = sum(len(s.rows) for s in sections)
    if total_rows > cloudapi.LIST_ROWS_MAX:
        raise invalid(
            "sections",
            f"list has {total_rows} rows; Meta allows at most {cloudapi.LIST_ROWS_MAX} rows in "
            "total across all sections",
        )
    wire_sections = []
    for i, section in enumerate(sections):
        field = f"sections[{i}]"
        title: str | None = section.title
        if len(sections) > 1:
            check_not_blank(f"{field}.title", section.title)  # required with several sections
        elif not section.title.strip():
            title = None
        if title is not None:
            check_max_length(f"{field}.title", title, cloudapi.SECTION_TITLE_MAX)
        if not section.rows:
            raise invalid(f"{field}.rows", f"{field} needs at least one row")
        rows = []
        for j, row in enumerate(section.rows):
            row_field = f"{field}.rows[{j}]"
            check_not_blank(f"{row_field}.id", row.id)
            check_max_length(f"{row_field}.id", row.id, cloudapi.ROW_ID_MAX)
            check_not_blank(f"{row_field}.title", row.title)
            check_max_length(f"{row_field}.title", row.title, cloudapi.ROW_TITLE_MAX)
            if row.description is not None:
                check_max_length(
                    f"{row_field}.description", row.description, cloudapi.ROW_DESCRIPTION_MAX
                )
            rows.append(RowObject(id=row.id, title=row.title, description=row.description))
        wire_sections.append(SectionObject(title=title, rows=rows))
    check_unique("sections", (r.id for s in sections for r in s.rows), "list row ids")
    interactive = InteractiveObject(
        type="list",
        header=interactive_header(message.header, "list.header"),
        body=InteractiveText(text=message.body),
        footer=footer(message.footer, "list.footer"),
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
