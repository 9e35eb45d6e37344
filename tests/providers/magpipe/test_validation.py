"""Everything Magpipe cannot take is refused locally, with the typed error and zero requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from whatsapp_async import (
    Audio,
    Buttons,
    Channel,
    ConfigurationError,
    Contact,
    ContactName,
    Contacts,
    Conversation,
    Document,
    Group,
    Image,
    InvalidRecipient,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Reaction,
    ReplyButton,
    Sticker,
    Template,
    TemplateButton,
    Text,
    UnsupportedFeature,
    ValidationError,
    Video,
    WhatsApp,
)
from whatsapp_async.provider import SendOptions
from whatsapp_async.recipients import Phone
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.magpipe import MagpipeProvider, MagpipeSettings

from .helpers import TO

SUPPORTED = "magpipe supports text and template messages to phone numbers"

UNSUPPORTED_MESSAGES = [
    Image(link="https://example.com/a.png"),
    Video(link="https://example.com/a.mp4"),
    Audio(link="https://example.com/a.ogg"),
    Document(link="https://example.com/a.pdf", filename="a.pdf"),
    Sticker(id="798882015472548"),
    Location(49.28, -123.12),
    Contacts([Contact(name=ContactName(formatted_name="Ada Lovelace"))]),
    Reaction("wamid.HBgLMTYwNDU2Mjg2NDcVAgARGBI", "👍"),
    Buttons("Confirm?", [ReplyButton("y", "Yes")]),
    ListMessage("Pick", "Options", [ListSection("A", [ListRow("1", "One")])]),
]


async def expect_unsupported(sb: Sandbox, call: Awaitable[Any], feature: str) -> None:
    with pytest.raises(UnsupportedFeature) as caught:
        await call
    assert caught.value.feature == feature
    assert caught.value.provider == "magpipe"
    assert SUPPORTED in str(caught.value)
    assert sb.requests("magpipe") == []


@pytest.mark.parametrize("message", UNSUPPORTED_MESSAGES, ids=lambda m: m.kind)
async def test_unsupported_message_types(sb: Sandbox, message: Any) -> None:
    await expect_unsupported(sb, sb.client("magpipe").send(TO, message), message.kind)


@pytest.mark.parametrize(
    "recipient",
    [
        Group("120363025246125486@g.us"),
        Channel("120363000000000000@newsletter"),
        Conversation("42"),
    ],
    ids=lambda r: r.kind,
)
async def test_groups_channels_and_conversations_are_unsupported(
    sb: Sandbox, recipient: Any
) -> None:
    await expect_unsupported(sb, sb.client("magpipe").send(recipient, Text("hi")), recipient.kind)


LATER = datetime.now(timezone.utc) + timedelta(hours=1)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("reply_to", "wamid.HBgLMTYwNDU2Mjg2NDcVAgARGBI"),
        ("deliver_at", LATER),
        ("deliver_until", LATER),
    ],
)
@pytest.mark.parametrize("message", [Text("hi"), Template("hello_world")], ids=["text", "template"])
async def test_reply_context_and_scheduling_are_unsupported(
    sb: Sandbox, option: str, value: Any, message: Any
) -> None:
    call = sb.client("magpipe").send(TO, message, **{option: value})
    await expect_unsupported(sb, call, option)


async def test_link_preview_hint_is_ignored(sb: Sandbox) -> None:
    await sb.client("magpipe").send(TO, Text("see https://example.com", preview_url=True))
    [record] = sb.requests("magpipe")
    assert record.json["message"] == "see https://example.com"
    assert "preview_url" not in record.json


OPERATIONS: list[tuple[str, Callable[[WhatsApp], Awaitable[Any]]]] = [
    ("mark_read", lambda wa: wa.mark_read("wamid.HBgLMTYwNDU2Mjg2NDcVAgARGBI")),
    ("get_status", lambda wa: wa.get_status("wamid.HBgLMTYwNDU2Mjg2NDcVAgARGBI")),
    ("list_templates", lambda wa: wa.list_templates()),
]


@pytest.mark.parametrize(("operation", "call"), OPERATIONS, ids=[o for o, _ in OPERATIONS])
async def test_other_operations_are_unsupported(
    sb: Sandbox, operation: str, call: Callable[[WhatsApp], Awaitable[Any]]
) -> None:
    await expect_unsupported(sb, call(sb.client("magpipe")), operation)


def test_capabilities_say_what_magpipe_can_do() -> None:
    caps = MagpipeProvider.capabilities
    assert caps.messages == {"text", "template"}
    assert caps.recipients == {"phone"}
    assert caps.options == {"metadata"}
    assert caps.operations == {"webhooks"}
    assert MagpipeProvider.default_rate_limit is None


async def test_template_without_agent_id_is_a_configuration_error(sb: Sandbox) -> None:
    wa = sb.client("magpipe", agent_id=None)
    with pytest.raises(ConfigurationError, match="'agent_id'"):
        await wa.send(TO, Template("hello_world"))
    assert sb.requests("magpipe") == []
    # The other route still works: the setting is only needed by templates.
    await wa.send(TO, Text("hi"))
    assert [r.path for r in sb.requests("magpipe")] == ["/send-whatsapp-message"]


async def test_text_without_phone_number_id_is_a_configuration_error(sb: Sandbox) -> None:
    wa = sb.client("magpipe", phone_number_id=None)
    with pytest.raises(ConfigurationError, match="'phone_number_id'"):
        await wa.send(TO, Text("hi"))
    assert sb.requests("magpipe") == []
    await wa.send(TO, Template("hello_world"))
    assert [r.path for r in sb.requests("magpipe")] == ["/send-whatsapp-template"]


def test_construction_needs_only_the_api_key() -> None:
    wa = WhatsApp("magpipe", api_key="mgp_" + "ab" * 20)
    assert wa.provider_name == "magpipe"


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "api_key"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": "mgp_abc def"}, "api_key"),
        ({"api_key": "mgp_x", "agent_id": "agent-7"}, "agent_id"),
        ({"api_key": "mgp_x", "phone_number_id": " "}, "phone_number_id"),
        ({"api_key": "mgp_x", "webhook_token": "short"}, "webhook_token"),
        ({"api_key": "mgp_x", "token": "t"}, "token"),
    ],
)
def test_missing_or_malformed_settings_fail_at_construction(
    settings: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WhatsApp("magpipe", **settings)
    assert repr(named) in str(caught.value)


def test_from_env_builds_a_magpipe_client() -> None:
    wa = WhatsApp.from_env(
        environ={
            "WHATSAPP_PROVIDER": "magpipe",
            "WHATSAPP_API_KEY": "mgp_" + "cd" * 20,
            "WHATSAPP_AGENT_ID": "d920763c-59d8-490e-ad69-b6a3295e23a8",
        }
    )
    assert wa.provider.settings.agent_id == "d920763c-59d8-490e-ad69-b6a3295e23a8"


def test_secrets_never_show_in_reprs() -> None:
    key = "mgp_" + "ef" * 20
    wa = WhatsApp("magpipe", api_key=key, webhook_token="hook-token-123456")
    for text in (repr(wa), str(wa), repr(wa.provider), repr(wa.provider.settings)):
        assert key not in text
        assert "hook-token-123456" not in text


async def test_metadata_that_is_not_an_object_is_a_validation_error(sb: Sandbox) -> None:
    wa = sb.client("magpipe")
    for bad in (["schedule", "sch_123"], "sch_123", 42):
        with pytest.raises(ValidationError) as caught:
            await wa.send(TO, Template("hello_world"), metadata=bad)  # type: ignore[arg-type]
        assert caught.value.field == "metadata"
    assert sb.requests("magpipe") == []


def test_the_adapter_itself_refuses_non_object_and_non_json_metadata() -> None:
    provider = MagpipeProvider(
        MagpipeSettings(api_key="mgp_x", agent_id="d920763c-59d8-490e-ad69-b6a3295e23a8")
    )
    for bad in (["a"], {"when": object()}):
        with pytest.raises(ValidationError) as caught:
            provider.build_send(
                Phone(TO),
                Template("hello_world"),
                SendOptions(metadata=bad),  # type: ignore[arg-type]
            )
        assert caught.value.field == "metadata"


async def test_extra_that_is_not_json_is_a_validation_error(sb: Sandbox) -> None:
    with pytest.raises(ValidationError) as caught:
        await sb.client("magpipe").send(TO, Text("hi"), extra={"x": object()})
    assert caught.value.field == "extra"
    assert sb.requests("magpipe") == []


async def test_text_over_meta_limit_is_refused(sb: Sandbox) -> None:
    with pytest.raises(ValidationError, match="4096"):
        await sb.client("magpipe").send(TO, Text("x" * 4097))
    assert sb.requests("magpipe") == []
    await sb.client("magpipe").send(TO, Text("x" * 4096))
    assert len(sb.requests("magpipe")) == 1


async def test_too_short_number_for_magpipe_template_pattern_is_refused(sb: Sandbox) -> None:
    # +683 4002 is a valid Niue number, but Magpipe's `to` pattern needs 8-15 digits.
    wa = sb.client("magpipe")
    with pytest.raises(InvalidRecipient, match="8 to 15 digits"):
        await wa.send("+6834002", Template("hello_world"))
    assert sb.requests("magpipe") == []


@pytest.mark.parametrize(
    ("template", "field"),
    [
        (Template("t", body=["ok", ""]), "template.body[1]"),
        (Template("t", body={"First Name": "John"}), "template.body['First Name']"),
        (Template("t", body={"first_name": "John"}, header="Report"), "template.header"),
        (Template("t", header="h" * 61), "template.header"),
        (Template("t", body=["x" * 1025], header="Report"), "template.body[0]"),
        (Template("t", body=["x" * 32769]), "template.body[0]"),
        (
            Template("t", header=Image(link="https://x.example/a.png", caption="c")),
            "template.header.caption",
        ),
        (
            Template("t", buttons=[TemplateButton(sub_type="url", value="a", index=10)]),
            "template.buttons[0].index",
        ),
        (
            Template(
                "t",
                buttons=[
                    TemplateButton(sub_type="url", value="a", index=1),
                    TemplateButton(sub_type="quick_reply", value="b", index=1),
                ],
            ),
            "template.buttons",
        ),
        (
            Template("t", buttons=[TemplateButton(sub_type="url", value=" ")]),
            "template.buttons[0].value",
        ),
        (Template("t", components=[{"type": "body"}, "header"]), "template.components"),  # type: ignore[list-item]
    ],
)
async def test_template_parameters_outside_meta_rules_are_refused(
    sb: Sandbox, template: Template, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await sb.client("magpipe").send(TO, template)
    assert caught.value.field == field
    assert sb.requests("magpipe") == []


async def test_long_body_parameter_is_fine_when_body_is_the_only_component(sb: Sandbox) -> None:
    await sb.client("magpipe").send(TO, Template("t", body=["x" * 5000]))
    assert len(sb.requests("magpipe")) == 1
