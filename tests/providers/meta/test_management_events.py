"""Every management webhook shape of PROVIDER_FACTS §6.4, §6.5 and §6.8 becomes its typed event;
odd field types degrade the field, not the event; the client learns opt-outs, categories and
identity changes from them (and refuses marketing templates to users who opted out).

Payloads follow the documented shapes (keys as Meta sends them; values made up).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from whatsapp_async import (
    AccountUpdate,
    BusinessUsernameUpdate,
    Event,
    GroupUpdate,
    MemorySuppressionList,
    MessageReceived,
    OptedOut,
    PhoneNumberQualityUpdate,
    StatusUpdate,
    Template,
    TemplateCategoryUpdate,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    UnknownEvent,
    UserIdentityChanged,
    UserPreferenceUpdate,
    WhatsApp,
)
from whatsapp_async.testing import Sandbox

WABA = "102290129340398"
PNID = "106540352242922"
META = {"display_phone_number": "15550783881", "phone_number_id": PNID}
AT = 1750100000


def envelope(field: str, value: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": WABA, "time": AT, "changes": [{"field": field, "value": value}]}],
        }
    ).encode()


def parse(field: str, value: dict[str, Any]) -> list[Event]:
    wa = WhatsApp("meta", token="EAAtest", phone_number_id=PNID)
    return wa.parse_webhook({}, envelope(field, value))


WHEN = datetime.fromtimestamp(AT, tz=timezone.utc)


def test_template_status_update() -> None:
    value = {
        "event": "PAUSED",
        "message_template_id": 806312974732579,
        "message_template_name": "spring_sale",
        "message_template_language": "en_US",
        "reason": None,
        "message_template_category": "MARKETING",
        "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours"},
    }
    [event] = parse("message_template_status_update", value)
    assert event == TemplateStatusUpdate(
        provider="meta",
        business_account_id=WABA,
        timestamp=WHEN,
        template_id="806312974732579",
        name="spring_sale",
        language="en_US",
        status="PAUSED",
        category="MARKETING",
        title="FIRST_PAUSE",
        description="Paused for 3 hours",
        raw=value,
    )
    rejected = {
        "event": "REJECTED",
        "message_template_id": 1,
        "message_template_name": "t",
        "message_template_language": "pt_BR",
        "reason": "INCORRECT_CATEGORY",
        "rejection_info": {"reason": "INCORRECT_CATEGORY", "recommendation": "Use UTILITY"},
        "disable_info": {"disable_date": "2026-05-01"},
    }
    [event] = parse("message_template_status_update", rejected)
    assert isinstance(event, TemplateStatusUpdate)
    assert (event.reason, event.rejection_reason, event.recommendation, event.disable_date) == (
        "INCORRECT_CATEGORY",
        "INCORRECT_CATEGORY",
        "Use UTILITY",
        "2026-05-01",
    )


def test_template_quality_update() -> None:
    value = {
        "previous_quality_score": "GREEN",
        "new_quality_score": "YELLOW",
        "message_template_id": 806312974732579,
        "message_template_name": "spring_sale",
        "message_template_language": "en_US",
    }
    [event] = parse("message_template_quality_update", value)
    assert isinstance(event, TemplateQualityUpdate)
    assert (event.previous_quality, event.quality, event.template_id) == (
        "GREEN",
        "YELLOW",
        "806312974732579",
    )


def test_template_category_update_impending_and_done() -> None:
    impending = {
        "message_template_id": 1,
        "message_template_name": "order_update",
        "message_template_language": "en_US",
        "correct_category": "MARKETING",
        "new_category": "UTILITY",
        "category_update_timestamp": AT + 86400,
    }
    [event] = parse("template_category_update", impending)
    assert isinstance(event, TemplateCategoryUpdate)
    assert event.pending and event.correct_category == "MARKETING"
    assert event.effective_at == datetime.fromtimestamp(AT + 86400, tz=timezone.utc)
    done = {**impending, "previous_category": "UTILITY", "new_category": "MARKETING"}
    del done["category_update_timestamp"], done["correct_category"]
    [event] = parse("template_category_update", done)
    assert isinstance(event, TemplateCategoryUpdate)
    assert not event.pending
    assert (event.previous_category, event.category) == ("UTILITY", "MARKETING")


@pytest.mark.parametrize(
    ("value", "kind", "detail"),
    [
        (
            {"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}},
            "ACCOUNT_VIOLATION",
            "violation_info",
        ),
        (
            {
                "event": "ACCOUNT_RESTRICTION",
                "restriction_info": [
                    {"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION", "expiration": AT}
                ],
            },
            "ACCOUNT_RESTRICTION",
            "restriction_info",
        ),
        (
            {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": ["DISABLE"]}},
            "DISABLED_UPDATE",
            "ban_info",
        ),
        ({"event": "MM_LITE_TERMS_SIGNED", "waba_info": {"waba_id": WABA}}, None, "waba_info"),
        (
            {
                "event": "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE",
                "partner_client_certification_info": {"status": "APPROVED"},
            },
            None,
            "partner_client_certification_info",
        ),
    ],
)
def test_account_updates(value: dict[str, Any], kind: str | None, detail: str) -> None:
    [event] = parse("account_update", value)
    assert isinstance(event, AccountUpdate)
    assert event.kind == value["event"]
    assert detail in event.details and event.pricing_tier is None


def test_account_update_pricing_tier() -> None:
    value = {
        "event": "VOLUME_BASED_PRICING_TIER_UPDATE",
        "volume_tier_info": {
            "tier_update_time": AT,
            "pricing_category": "UTILITY",
            "tier": "25000001:50000000",
            "effective_month": "2026-11",
            "region": "India",
        },
    }
    [event] = parse("account_update", value)
    assert isinstance(event, AccountUpdate) and event.pricing_tier is not None
    tier = event.pricing_tier
    assert (tier.tier, tier.pricing_category, tier.effective_month, tier.region) == (
        "25000001:50000000",
        "UTILITY",
        "2026-11",
        "India",
    )
    assert tier.updated_at == WHEN


def test_phone_number_quality_and_business_username() -> None:
    value = {
        "display_phone_number": "15550783881",
        "event": "THROUGHPUT_UPGRADE",
        "current_limit": "TIER_UNLIMITED",
        "max_daily_conversations_per_business": "TIER_UNLIMITED",
    }
    [event] = parse("phone_number_quality_update", value)
    assert isinstance(event, PhoneNumberQualityUpdate)
    assert (event.phone, event.kind, event.max_daily_conversations) == (
        "+15550783881",
        "THROUGHPUT_UPGRADE",
        "TIER_UNLIMITED",
    )
    name = {"display_phone_number": "15550783881", "username": "acme", "status": "approved"}
    [event] = parse("business_username_update", name)
    assert event == BusinessUsernameUpdate(
        provider="meta",
        business_account_id=WABA,
        timestamp=WHEN,
        phone="+15550783881",
        username="acme",
        status="approved",
        raw=name,
    )


PREFERENCES = {
    "messaging_product": "whatsapp",
    "metadata": META,
    "contacts": [{"profile": {"name": "Ada"}, "wa_id": "16505551234", "user_id": "US.1349"}],
    "user_preferences": [
        {
            "wa_id": "16505551234",
            "user_id": "US.1349",
            "detail": "User requested to stop marketing messages",
            "category": "marketing_messages",
            "value": "stop",
            "timestamp": AT,
        },
        {
            "user_id": "US.7777",
            "parent_user_id": "US.ENT.7777",
            "category": "marketing_messages",
            "value": "resume",
            "timestamp": "not a number",
        },
    ],
}


def test_user_preferences_one_event_per_entry() -> None:
    stop, resume = parse("user_preferences", PREFERENCES)
    assert isinstance(stop, UserPreferenceUpdate) and isinstance(resume, UserPreferenceUpdate)
    assert (stop.user, stop.phone, stop.user_id, stop.opted_out) == (
        "+16505551234",
        "+16505551234",
        "US.1349",
        True,
    )
    assert (stop.timestamp, stop.business_id) == (WHEN, PNID)
    # Without wa_id the user is the user id; an odd timestamp falls back to the entry's time.
    assert (resume.user, resume.phone, resume.parent_user_id, resume.opted_out) == (
        "US.7777",
        None,
        "US.ENT.7777",
        False,
    )
    assert resume.timestamp == WHEN


@pytest.mark.parametrize(
    ("field", "entry", "kind"),
    [
        (
            "group_lifecycle_update",
            {
                "timestamp": AT,
                "group_id": "Y2FwaV9ncm91cDox",
                "type": "group_create",
                "request_id": "req-1",
                "subject": "Team",
                "invite_link": "https://chat.whatsapp.com/abc",
                "join_approval_mode": "auto_approve",
            },
            "group_create",
        ),
        (
            "group_participants_update",
            {
                "timestamp": AT,
                "group_id": "Y2FwaV9ncm91cDox",
                "type": "group_participants_add",
                "reason": "invite_link",
                "added_participants": [{"wa_id": "16505551234"}],
            },
            "group_participants_add",
        ),
        (
            "group_settings_update",
            {
                "timestamp": AT,
                "group_id": "Y2FwaV9ncm91cDox",
                "type": "group_settings_update",
                "group_subject": {"text": "New", "update_successful": False},
                "errors": [{"code": 131210, "title": "Too big", "error_data": {"details": "x"}}],
            },
            "group_settings_update",
        ),
        (
            "group_status_update",
            {"timestamp": AT, "group_id": "Y2FwaV9ncm91cDox", "type": "group_suspend"},
            "group_suspend",
        ),
    ],
)
def test_group_updates(field: str, entry: dict[str, Any], kind: str) -> None:
    value = {"messaging_product": "whatsapp", "metadata": META, "groups": [entry]}
    [event] = parse(field, value)
    assert isinstance(event, GroupUpdate)
    assert (event.field, event.kind, event.group_id, event.business_id, event.timestamp) == (
        field,
        kind,
        "Y2FwaV9ncm91cDox",
        PNID,
        WHEN,
    )
    if field == "group_lifecycle_update":
        assert (event.invite_link, event.join_approval_mode) == (
            "https://chat.whatsapp.com/abc",
            "auto_approve",
        )
    if field == "group_participants_update":
        assert event.details["added_participants"] == [{"wa_id": "16505551234"}]
    if field == "group_settings_update":
        assert [e.code for e in event.errors] == ["131210"]


def _system(system: dict[str, Any], sender: str = "16505551234") -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": META,
        "messages": [
            {
                "from": sender,
                "id": "wamid.S",
                "timestamp": str(AT),
                "type": "system",
                "system": system,
            }
        ],
    }


def test_identity_changes_are_typed() -> None:
    [changed] = parse(
        "messages",
        _system(
            {
                "body": "Ada changed her number",
                "type": "user_changed_number",
                "wa_id": "16505559876",
                "user_id": "US.2000",
                "previous_user_id": "US.1349",
            }
        ),
    )
    assert isinstance(changed, UserIdentityChanged)
    assert (changed.phone, changed.previous_phone, changed.user_id, changed.previous_user_id) == (
        "+16505559876",
        "+16505551234",
        "US.2000",
        "US.1349",
    )
    [new_id] = parse(
        "messages",
        _system(
            {"type": "user_changed_user_id", "user_id": "US.3000", "previous_user_id": "US.2000"}
        ),
    )
    assert isinstance(new_id, UserIdentityChanged)
    assert (new_id.kind, new_id.user_id, new_id.previous_user_id) == (
        "user_changed_user_id",
        "US.3000",
        "US.2000",
    )
    # Other system messages stay messages.
    [other] = parse("messages", _system({"type": "customer_identity_changed", "body": "x"}))
    assert isinstance(other, MessageReceived) and other.type == "system"


def test_unknown_fields_stay_unknown_and_odd_types_degrade_fields() -> None:
    [unknown] = parse("some_future_field", {"x": 1})
    assert isinstance(unknown, UnknownEvent) and unknown.kind == "some_future_field"
    [odd] = parse(
        "message_template_status_update",
        {"event": ["not", "a", "string"], "message_template_name": "t", "reason": {"x": 1}},
    )
    assert isinstance(odd, TemplateStatusUpdate)
    assert (odd.name, odd.status, odd.reason) == ("t", None, None)
    status = {
        "metadata": META,
        "statuses": [
            {
                "id": "wamid.P",
                "status": "sent",
                "timestamp": AT,  # an integer where Meta documents a string
                "recipient_id": "16505551234",
                "pricing": {"pricing_model": "PMP", "type": "regular", "category": 7},
                "conversation": "odd",
            }
        ],
    }
    [update] = parse("messages", status)
    assert isinstance(update, StatusUpdate)
    assert update.timestamp == WHEN and update.conversation is None
    assert update.pricing is not None
    assert (update.pricing.model, update.pricing.type, update.pricing.category) == (
        "PMP",
        "regular",
        None,
    )


async def test_opt_outs_feed_the_suppression_list_checked_before_marketing_templates() -> None:
    async with Sandbox(["meta"]) as sb:
        suppression = MemorySuppressionList()
        wa = sb.client("meta", suppression=suppression)
        await wa.learn(parse("user_preferences", PREFERENCES))
        assert await suppression.contains("+16505551234")
        assert await suppression.contains("US.1349")
        before = len(sb.requests("meta"))
        with pytest.raises(OptedOut) as caught:
            await wa.send("+16505551234", Template("spring_sale", header=None))
        assert caught.value.user == "+16505551234"
        # The listing was read once for the category; no send went out.
        assert all(r.method == "GET" for r in sb.requests("meta")[before:])
        # Utility templates still go; a "resume" lifts the suppression.
        await wa.send("+16505551234", Template("hello_world"))
        resume = json.loads(json.dumps(PREFERENCES))
        resume["user_preferences"][0]["value"] = "resume"
        await wa.learn(parse("user_preferences", resume))
        assert not await suppression.contains("+16505551234")


async def test_template_webhooks_teach_categories_and_identity_changes_move_aliases() -> None:
    async with Sandbox(["pilot"]) as sb:
        wa = sb.client("pilot", suppression=MemorySuppressionList())
        meta = WhatsApp("meta", token="EAAtest", phone_number_id=PNID)
        status = meta.parse_webhook(
            {},
            envelope(
                "message_template_status_update",
                {
                    "event": "APPROVED",
                    "message_template_name": "promo",
                    "message_template_category": "MARKETING",
                },
            ),
        )
        await wa.learn(status)
        assert wa.suppression is not None
        await wa.suppression.add("+5511987654321")
        with pytest.raises(OptedOut):
            await wa.send("+5511987654321", Template("promo"))
        await wa.aliases.link("+16505551234", "US.1349")
        change = meta.parse_webhook(
            {},
            envelope(
                "messages",
                _system(
                    {
                        "type": "user_changed_number",
                        "wa_id": "16505559876",
                        "user_id": "US.2000",
                        "previous_user_id": "US.1349",
                    }
                ),
            ),
        )
        await wa.learn(change)
        assert await wa.aliases.phone_for("US.1349") is None
        assert await wa.aliases.phone_for("US.2000") == "+16505559876"
        assert await wa.aliases.user_id_for("+16505551234") is None
