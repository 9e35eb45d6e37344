"""Meta's management webhooks (every ``field`` but ``messages``) -> typed events.

Each field's ``value`` is read key by key, so a key of an unexpected type is left out and the
event is kept (with ``raw``, the change's value). Fields this module does not know return
None and the caller makes them ``UnknownEvent``.

| field | event |
|---|---|
| ``message_template_status_update`` | ``TemplateStatusUpdate`` |
| ``message_template_quality_update`` | ``TemplateQualityUpdate`` |
| ``template_category_update`` | ``TemplateCategoryUpdate`` |
| ``account_update`` | ``AccountUpdate`` (``pricing_tier`` for tier changes) |
| ``phone_number_quality_update`` | ``PhoneNumberQualityUpdate`` |
| ``user_preferences`` | one ``UserPreferenceUpdate`` per entry |
| ``group_lifecycle_update``, ``group_participants_update``, ``group_settings_update``,
  ``group_status_update`` | one ``GroupUpdate`` per ``groups[]`` entry |
| ``business_username_update`` | ``BusinessUsernameUpdate`` |

Example::

    events = parse_change("message_template_status_update",
                          {"event": "APPROVED", "message_template_id": 806312974732579,
                           "message_template_name": "order_update",
                           "message_template_language": "en_US", "reason": "NONE"},
                          "102290129340398", 1750100000)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from whatsapp_async.provider import (
    AccountUpdate,
    BusinessUsernameUpdate,
    Event,
    EventError,
    GroupUpdate,
    PhoneNumberQualityUpdate,
    PricingTier,
    TemplateCategoryUpdate,
    TemplateQualityUpdate,
    TemplateStatusUpdate,
    UserPreferenceUpdate,
)

__all__ = ["GROUP_FIELDS", "parse_change"]

PROVIDER = "meta"
GROUP_FIELDS = frozenset(
    {
        "group_lifecycle_update",
        "group_participants_update",
        "group_settings_update",
        "group_status_update",
    }
)
_GROUP_KEYS = frozenset(
    {
        "timestamp",
        "group_id",
        "type",
        "request_id",
        "subject",
        "description",
        "invite_link",
        "join_approval_mode",
        "errors",
    }
)


def parse_change(
    field: str, value: dict[str, Any], account: str | None, time: Any
) -> list[Event] | None:
    """The typed events of one management change, or None for a field not known here.

    ``account`` is the entry's id (the WABA); ``time`` the entry's unix ``time``.
    """
    if field in GROUP_FIELDS:
        return _groups(field, value, account)
    parser = _PARSERS.get(field)
    if parser is None:
        return None
    return parser(value, account, _when(time))


def _template_status(
    value: dict[str, Any], account: str | None, at: datetime | None
) -> list[Event]:
    other = _obj(value, "other_info")
    rejection = _obj(value, "rejection_info")
    disable = _obj(value, "disable_info")
    return [
        TemplateStatusUpdate(
            provider=PROVIDER,
            business_account_id=account,
            timestamp=at,
            template_id=_text(value, "message_template_id"),
            name=_text(value, "message_template_name"),
            language=_text(value, "message_template_language"),
            status=_text(value, "event"),
            reason=_text(value, "reason"),
            category=_text(value, "message_template_category"),
            title=_text(other, "title"),
            description=_text(other, "description"),
            rejection_reason=_text(rejection, "reason"),
            recommendation=_text(rejection, "recommendation"),
            disable_date=_text(disable, "disable_date"),
            raw=value,
        )
    ]


def _template_quality(
    value: dict[str, Any], account: str | None, at: datetime | None
) -> list[Event]:
    return [
        TemplateQualityUpdate(
            provider=PROVIDER,
            business_account_id=account,
            timestamp=at,
            template_id=_text(value, "message_template_id"),
            name=_text(value, "message_template_name"),
            language=_text(value, "message_template_language"),
            previous_quality=_text(value, "previous_quality_score"),
            quality=_text(value, "new_quality_score"),
            raw=value,
        )
    ]


def _template_category(
    value: dict[str, Any], account: str | None, at: datetime | None
) -> list[Event]:
    effective = _when(value.get("category_update_timestamp"))
    previous = _text(value, "previous_category")
    return [
        TemplateCategoryUpdate(
            provider=PROVIDER,
            business_account_id=account,
            timestamp=at,
            template_id=_text(value, "message_template_id"),
            name=_text(value, "message_template_name"),
            language=_text(value, "message_template_language"),
            previous_category=previous,
            category=_text(value, "new_category"),
            correct_category=_text(value, "correct_category"),
            effective_at=effective,
            # Meta's advance notice names when the change will happen and no previous one.
            pending=previous is None and effective is not None,
            raw=value,
        )
    ]


def _account(value: dict[str, Any], account: str | None, at: datetime | None) -> list[Event]:
    tier = _obj(value, "volume_tier_info")
    details = {k: v for k, v in value.items() if k not in ("event", "phone_number")}
    return [
        AccountUpdate(
            provider=PROVIDER,
            business_account_id=account,
            timestamp=at,
            kind=_text(value, "event"),
            phone=_phone(_text(value, "phone_number")),
            details=details,
            pricing_tier=(
                PricingTier(
                    tier=_text(tier, "tier"),
                    pricing_category=_text(tier, "pricing_category"),
                    effective_month=_text(tier, "effective_month"),
                    region=_text(tier, "region"),
                    updated_at=_when(tier.get("tier_update_time")),
                )
                if tier
                else None
            ),
            raw=value,
        )
    ]


def _number_quality(value: dict[str, Any], account: str | None, at: datetime | None) -> list[Event]:
    return [
        PhoneNumberQualityUpdate(
            provider=PROVIDER,
            business_account_id=account,
            timestamp=at,
            phone=_phone(_text(value, "display_phone_number")),
            kind=_text(value, "event"),
            current_limit=_text(value, "current_limit"),
            old_limit=_text(value, "old_limit"),
            max_daily_conversations=_text(value, "max_daily_conversations_per_business"),
            raw=value,
        )
    ]


def _preferences(value: dict[str, Any], account: str | None, at: datetime | None) -> list[Event]:
    business = _text(_obj(value, "metadata"), "phone_number_id")
    events: list[Event] = []
    for item in value.get("user_preferences") or ():
        if not isinstance(item, dict):
            continue
        phone = _phone(_text(item, "wa_id"))
        user_id = _text(item, "user_id")
        user = phone or user_id
        if user is None:
            continue
        events.append(
            UserPreferenceUpdate(
                provider=PROVIDER,
                business_account_id=account,
                timestamp=_when(item.get("timestamp")) or at,
                user=user,
                phone=phone,
                user_id=user_id,
                parent_user_id=_text(item, "parent_user_id"),
                category=_text(item, "category"),
                value=_text(item, "value"),
                detail=_text(item, "detail"),
                business_id=business,
                raw=item,
            )
        )
    return events


def _groups(field: str, value: dict[str, Any], account: str | None) -> list[Event]:
    business = _text(_obj(value, "metadata"), "phone_number_id")
    events: list[Event] = []
    for item in value.get("groups") or ():
        if not isinstance(item, dict):
            continue
        events.append(
            GroupUpdate(
                provider=PROVIDER,
                business_account_id=account,
                timestamp=_when(item.get("timestamp")),
                field=field,
                kind=_text(item, "type"),
                group_id=_text(item, "group_id"),
                request_id=_text(item, "request_id"),
                subject=_text(item, "subject"),
                description=_text(item, "description"),
                invite_link=_text(item, "invite_link"),
                join_approval_mode=_text(item, "join_approval_mode"),
                business_id=business,
                details={k: v for k, v in item.items() if k not in _GROUP_KEYS},
                errors=[_error(e) for e in item.get("errors") or () if isinstance(e, dict)],
                raw=item,
            )
        )
    return events


def _username(value: dict[str, Any], account: str | None, at: datetime | None) -> list[Event]:
    return [
        BusinessUsernameUpdate(
            provider=PROVIDER,
            business_account_id=account,
            timestamp=at,
            phone=_phone(_text(value, "display_phone_number")),
            username=_text(value, "username"),
            status=_text(value, "status"),
            raw=value,
        )
    ]


_PARSERS: dict[str, Callable[[dict[str, Any], str | None, datetime | None], list[Event]]] = {
    "message_template_status_update": _template_status,
    "message_template_quality_update": _template_quality,
    "template_category_update": _template_category,
    "account_update": _account,
    "phone_number_quality_update": _number_quality,
    "user_preferences": _preferences,
    "business_username_update": _username,
}


# -- lenient readers ---------------------------------------------------------------------------
def _text(value: dict[str, Any], key: str) -> str | None:
    """A string field; numbers (Meta sends ids as integers) become strings, others None."""
    item = value.get(key)
    if isinstance(item, str):
        return item or None
    if isinstance(item, int) and not isinstance(item, bool):
        return str(item)
    return None


def _obj(value: dict[str, Any], key: str) -> dict[str, Any]:
    item = value.get(key)
    return item if isinstance(item, dict) else {}


def _phone(digits: str | None) -> str | None:
    if digits is None:
        return None
    bare = digits.lstrip("+")
    return "+" + bare if bare.isdigit() else digits


def _when(value: Any) -> datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _error(raw: dict[str, Any]) -> EventError:
    data = raw.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    code = raw.get("code")
    return EventError(
        code=None if code is None else str(code),
        title=_text(raw, "title") or _text(raw, "message"),
        details=details if isinstance(details, str) else None,
    )
