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

from collections.abc import Callable, Mapping, Sequence
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
    TemplateButton,
    Text,
    UnsupportedFeature,
    Video,
    deep_merge,
)

from . import limits as lim
from .limits import check_max_length, check_not_blank, check_unique, invalid
from .wire import (
    ENCODER,
    ActionObject,
    Context,
    InteractiveHeader,
    InteractiveObject,
    InteractiveText,
    LocationObject,
    MediaObject,
    MessageRequest,
    ReactionObject,
    ReplyButtonObject,
    ReplyObject,
    RowObject,
    SectionObject,
    TemplateComponent,
    TemplateLanguage,
    TemplateObject,
    TemplateParameter,
    TextObject,
)

__all__ = ["build_message", "encode_body", "opaque_callback_data"]

# Captions: Meta documents them on image, video and document only.
_CAPTIONED = frozenset({"image", "video", "document"})
_BUTTON_PARAMETER = {"quick_reply": "payload", "url": "text", "copy_code": "coupon_code"}


def build_message(
    message: Message, *, to: str, recipient_type: str, options: SendOptions
) -> MessageRequest:
    """The wire body sending ``message`` to ``to``; raises ``ValidationError`` before any I/O.

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
            raise invalid("message", f"Meta cannot send a {type(message).__name__}")
    fields = builder(message)
    return MessageRequest(
        messaging_product="whatsapp",
        recipient_type=recipient_type,
        to=to,
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
        raise invalid("extra", f"extra must hold JSON values only ({exc})") from None


def opaque_callback_data(metadata: Mapping[str, Any]) -> str:
    """``metadata`` as the compact JSON string Meta echoes back in status webhooks.

    Example::

        opaque_callback_data({"order": "1234"})  # '{"order":"1234"}'
    """
    try:
        text = ENCODER.encode(dict(metadata)).decode()
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        raise invalid("metadata", f"metadata must hold JSON values only ({exc})") from None
    if len(text) > lim.BIZ_OPAQUE_MAX:
        raise invalid(
            "metadata",
            f"metadata is {len(text)} characters as JSON; Meta's biz_opaque_callback_data "
            f"holds at most {lim.BIZ_OPAQUE_MAX}",
        )
    return text


# -- one builder per message type: each returns MessageRequest keyword arguments ----------------
def _text(message: Text) -> dict[str, Any]:
    check_max_length("text.body", message.body, lim.TEXT_BODY_MAX)
    return {"type": "text", "text": TextObject(body=message.body, preview_url=message.preview_url)}


def _media_object(media: Media, field: str) -> MediaObject:
    if media.file is not None:
        # The client uploads a message's own file= first and sends the id; a file nested in
        # a header never reaches that step.
        raise UnsupportedFeature(
            f"meta: {field} cannot be a local file here; upload it with "
            "wa.upload_media(...) and pass id=",
            provider="meta",
            feature="file",
        )
    kind = media.kind
    caption = media.caption or None
    if caption is not None:
        if kind not in _CAPTIONED:
            raise invalid(
                f"{field}.caption",
                f"{field}.caption is not allowed: Meta takes captions on image, video and "
                "document only",
            )
        check_max_length(f"{field}.caption", caption, lim.CAPTION_MAX)
    filename = (media.filename or None) if isinstance(media, Document) else None
    return MediaObject(id=media.id, link=media.link, caption=caption, filename=filename)


def _media(message: Media) -> dict[str, Any]:
    return {"type": message.kind, message.kind: _media_object(message, message.kind)}


def _location_object(location: Location) -> LocationObject:
    return LocationObject(
        latitude=location.latitude,
        longitude=location.longitude,
        name=location.name,
        address=location.address,
    )


def _location(message: Location) -> dict[str, Any]:
    return {"type": "location", "location": _location_object(message)}


def _contacts(message: Contacts) -> dict[str, Any]:
    cards = list(message.contacts)
    if len(cards) > lim.CONTACTS_MAX:
        raise invalid(
            "contacts", f"contacts has {len(cards)} cards; Meta takes at most {lim.CONTACTS_MAX}"
        )
    for i, card in enumerate(cards):
        check_not_blank(f"contacts[{i}].name.formatted_name", card.name.formatted_name)
        for j, phone in enumerate(card.phones):
            check_not_blank(f"contacts[{i}].phones[{j}].phone", phone.phone)
    # The model's contact Structs already have Meta's field names: they encode as they are.
    return {"type": "contacts", "contacts": cards}


def _reaction(message: Reaction) -> dict[str, Any]:
    lim.check_emoji("reaction.emoji", message.emoji)
    return {
        "type": "reaction",
        "reaction": ReactionObject(message_id=message.message_id, emoji=message.emoji),
    }


def _footer(footer: str | None, field: str) -> InteractiveText | None:
    if footer is None:
        return None
    check_not_blank(field, footer)
    check_max_length(field, footer, lim.FOOTER_MAX)
    return InteractiveText(text=footer)


def _text_header(text: str, field: str) -> InteractiveHeader:
    check_not_blank(field, text)
    check_max_length(field, text, lim.HEADER_TEXT_MAX)
    return InteractiveHeader(type="text", text=text)


def _buttons_header(header: str | Image | Video | Document | None) -> InteractiveHeader | None:
    if header is None:
        return None
    if isinstance(header, str):
        return _text_header(header, "buttons.header")
    if header.caption:
        raise invalid(
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
    if len(buttons) > lim.BUTTONS_MAX:
        raise invalid(
            "buttons",
            f"buttons has {len(buttons)} reply buttons; Meta allows 1 to {lim.BUTTONS_MAX}",
        )
    for i, button in enumerate(buttons):
        field = f"buttons[{i}]"
        check_not_blank(f"{field}.id", button.id)
        if button.id != button.id.strip():
            raise invalid(f"{field}.id", f"{field}.id must not start or end with whitespace")
        check_max_length(f"{field}.id", button.id, lim.BUTTON_ID_MAX)
        check_not_blank(f"{field}.title", button.title)
        check_max_length(f"{field}.title", button.title, lim.BUTTON_TITLE_MAX)
    check_unique("buttons", (b.id for b in buttons), "reply button ids")
    check_unique("buttons", (b.title for b in buttons), "reply button titles")
    check_max_length("buttons.body", message.body, lim.BUTTONS_BODY_MAX)
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
    check_max_length("list.body", message.body, lim.LIST_BODY_MAX)
    check_max_length("list.button", message.button, lim.LIST_BUTTON_MAX)
    sections = list(message.sections)
    if len(sections) > lim.LIST_SECTIONS_MAX:
        raise invalid(
            "sections",
            f"list has {len(sections)} sections; Meta allows at most {lim.LIST_SECTIONS_MAX}",
        )
    total_rows = sum(len(s.rows) for s in sections)
    if total_rows > lim.LIST_ROWS_MAX:
        raise invalid(
            "sections",
            f"list has {total_rows} rows; Meta allows at most {lim.LIST_ROWS_MAX} rows in total "
            "across all sections",
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
            check_max_length(f"{field}.title", title, lim.SECTION_TITLE_MAX)
        if not section.rows:
            raise invalid(f"{field}.rows", f"{field} needs at least one row")
        rows = []
        for j, row in enumerate(section.rows):
            row_field = f"{field}.rows[{j}]"
            check_not_blank(f"{row_field}.id", row.id)
            check_max_length(f"{row_field}.id", row.id, lim.ROW_ID_MAX)
            check_not_blank(f"{row_field}.title", row.title)
            check_max_length(f"{row_field}.title", row.title, lim.ROW_TITLE_MAX)
            if row.description is not None:
                check_max_length(
                    f"{row_field}.description", row.description, lim.ROW_DESCRIPTION_MAX
                )
            rows.append(RowObject(id=row.id, title=row.title, description=row.description))
        wire_sections.append(SectionObject(title=title, rows=rows))
    check_unique("sections", (r.id for s in sections for r in s.rows), "list row ids")
    interactive = InteractiveObject(
        type="list",
        header=_text_header(message.header, "list.header") if message.header is not None else None,
        body=InteractiveText(text=message.body),
        footer=_footer(message.footer, "list.footer"),
        action=ActionObject(button=message.button, sections=wire_sections),
    )
    return {"type": "interactive", "interactive": interactive}


def _template_header(header: str | Image | Video | Document | Location) -> TemplateComponent:
    if isinstance(header, str):
        check_not_blank("template.header", header)
        check_max_length("template.header", header, lim.TEMPLATE_HEADER_TEXT_MAX)
        parameter = TemplateParameter(type="text", text=header)
    elif isinstance(header, Location):
        parameter = TemplateParameter(type="location", location=_location_object(header))
    else:
        if header.caption:
            raise invalid(
                "template.header.caption",
                "template.header.caption is not allowed: a template's media header takes no "
                "caption",
            )
        kind = header.kind
        media = _media_object(header, f"template.header.{kind}")
        parameter = TemplateParameter(
            type=kind,
            image=media if kind == "image" else None,
            video=media if kind == "video" else None,
            document=media if kind == "document" else None,
        )
    return TemplateComponent(type="header", parameters=[parameter])


def _body_parameter(field: str, value: str, limit: int, name: str | None) -> TemplateParameter:
    check_not_blank(field, value)
    check_max_length(field, value, limit)
    return TemplateParameter(type="text", parameter_name=name, text=value)


def _template_body(body: Sequence[str] | Mapping[str, str], *, only: bool) -> TemplateComponent:
    limit = lim.TEMPLATE_BODY_ONLY_PARAM_MAX if only else lim.TEMPLATE_BODY_PARAM_MAX
    if isinstance(body, Mapping):
        parameters = []
        for name, value in body.items():
            field = f"template.body[{name!r}]"
            if not isinstance(name, str) or not lim.TEMPLATE_PARAM_NAME.fullmatch(name):
                raise invalid(
                    field,
                    f"template parameter name {name!r} is invalid: Meta takes lowercase a-z and "
                    "'_' only, at most 20 characters",
                )
            parameters.append(_body_parameter(field, value, limit, name))
    else:
        parameters = [
            _body_parameter(f"template.body[{i}]", value, limit, None)
            for i, value in enumerate(body)
        ]
    return TemplateComponent(type="body", parameters=parameters)


def _template_button(position: int, button: TemplateButton) -> TemplateComponent:
    field = f"template.buttons[{position}]"
    key = _BUTTON_PARAMETER.get(button.sub_type)
    if key is None:
        raise invalid(
            f"{field}.sub_type",
            f"{field}.sub_type must be one of {', '.join(_BUTTON_PARAMETER)}, "
            f"got {button.sub_type!r}",
        )
    index = position if button.index is None else button.index
    if isinstance(index, bool) or not isinstance(index, int):
        raise invalid(f"{field}.index", f"{field}.index must be an integer")
    if not 0 <= index <= lim.TEMPLATE_BUTTON_INDEX_MAX:
        raise invalid(
            f"{field}.index",
            f"{field}.index is {index}; Meta's button positions run 0 to "
            f"{lim.TEMPLATE_BUTTON_INDEX_MAX}",
        )
    check_not_blank(f"{field}.value", button.value)
    value = button.value
    parameter = TemplateParameter(
        type=key,
        payload=value if key == "payload" else None,
        text=value if key == "text" else None,
        coupon_code=value if key == "coupon_code" else None,
    )
    return TemplateComponent(
        type="button", sub_type=button.sub_type, index=str(index), parameters=[parameter]
    )


def _passthrough(components: Sequence[Mapping[str, Any]]) -> list[Any]:
    plain = [dict(component) for component in components]
    try:
        ENCODER.encode(plain)
    except (TypeError, msgspec.EncodeError) as exc:
        raise invalid(
            "template.components", f"template.components must hold JSON values only ({exc})"
        ) from None
    return plain


def _template(message: Template) -> dict[str, Any]:
    components: list[Any] | None
    if message.components is not None:
        components = _passthrough(message.components)
    else:
        named = isinstance(message.body, Mapping) and bool(message.body)
        if named and isinstance(message.header, str):
            # Named and positional parameters cannot be mixed, and the model has no name for a
            # header parameter: say so instead of sending a body Meta will reject.
            raise invalid(
                "template.header",
                "template.header: a text header parameter cannot be combined with named body "
                "parameters "
                "(Meta needs its parameter_name); pass the raw components= instead",
            )
        built: list[TemplateComponent] = []
        if message.header is not None:
            built.append(_template_header(message.header))
        if message.body:
            only = message.header is None and not message.buttons
            built.append(_template_body(message.body, only=only))
        buttons = [_template_button(i, b) for i, b in enumerate(message.buttons)]
        check_unique(
            "template.buttons", (b.index or "" for b in buttons), "template button indexes"
        )
        built.extend(buttons)
        components = list(built) or None
    template = TemplateObject(
        name=message.name,
        language=TemplateLanguage(code=message.language),
        components=components,
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
