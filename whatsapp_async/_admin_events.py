"""Typed management webhooks: templates, the account, numbers, user preferences, identities,
groups (re-exported by :mod:`whatsapp_async.events`, which documents them).

Every event keeps the provider's payload in ``raw``; a field that arrives with an unexpected
type is left at its default rather than losing the event. ``business_account_id`` is the
WhatsApp Business Account the change concerns (Meta's ``entry.id``), ``timestamp`` when the
platform says it happened, ``business_id`` the business number where the change names one.

Example::

    if isinstance(event, TemplateStatusUpdate) and event.status == "REJECTED":
        print(event.name, event.language, event.reason)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

__all__ = [
    "AccountUpdate",
    "BusinessUsernameUpdate",
    "EventError",
    "GroupUpdate",
    "PhoneNumberQualityUpdate",
    "PricingTier",
    "TemplateCategoryUpdate",
    "TemplateQualityUpdate",
    "TemplateStatusUpdate",
    "UserIdentityChanged",
    "UserPreferenceUpdate",
]


class EventError(msgspec.Struct, frozen=True, kw_only=True):
    """An error attached to a status, an inbound message or a management event.

    Example::

        EventError(code="131049", title="Not delivered to maintain healthy ecosystem")
    """

    code: str | None = None
    title: str | None = None
    details: str | None = None


class _Admin(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    business_account_id: str | None = None
    timestamp: datetime | None = None
    raw: Any = None


class TemplateStatusUpdate(_Admin, frozen=True, kw_only=True, tag_field="event", tag="template"):
    """A template was approved, rejected, paused, disabled ... (``message_template_status_update``).

    ``status`` is Meta's ``event`` (``APPROVED``, ``REJECTED``, ``PAUSED``, ``DISABLED``,
    ``PENDING_DELETION`` ...); ``reason`` why (``INCORRECT_CATEGORY``, ``NONE`` ...);
    ``title``/``description`` come from ``other_info`` (``FIRST_PAUSE`` ...).

    Example::

        TemplateStatusUpdate(provider="meta", template_id="806312974732579",
                             name="order_update", language="en_US", status="APPROVED")
    """

    template_id: str | None = None
    name: str | None = None
    language: str | None = None
    status: str | None = None
    reason: str | None = None
    category: str | None = None
    title: str | None = None
    description: str | None = None
    rejection_reason: str | None = None
    recommendation: str | None = None
    disable_date: str | None = None


class TemplateQualityUpdate(
    _Admin, frozen=True, kw_only=True, tag_field="event", tag="template_quality"
):
    """A template's quality rating changed (``message_template_quality_update``).

    Ratings: ``GREEN``, ``YELLOW``, ``RED``, ``UNKNOWN``.

    Example::

        TemplateQualityUpdate(provider="meta", name="order_update", previous_quality="GREEN",
                              quality="YELLOW")
    """

    template_id: str | None = None
    name: str | None = None
    language: str | None = None
    previous_quality: str | None = None
    quality: str | None = None


class TemplateCategoryUpdate(
    _Admin, frozen=True, kw_only=True, tag_field="event", tag="template_category"
):
    """A template's category changes or changed (``template_category_update``).

    ``pending`` is true for Meta's advance notice (the change takes effect at ``effective_at``;
    ``correct_category`` is what Meta found); otherwise ``previous_category`` became
    ``category``.

    Example::

        TemplateCategoryUpdate(provider="meta", name="promo", previous_category="UTILITY",
                               category="MARKETING")
    """

    template_id: str | None = None
    name: str | None = None
    language: str | None = None
    previous_category: str | None = None
    category: str | None = None
    correct_category: str | None = None
    effective_at: datetime | None = None
    pending: bool = False


class PricingTier(msgspec.Struct, frozen=True, kw_only=True):
    """A volume-based pricing tier (``account_update`` ``VOLUME_BASED_PRICING_TIER_UPDATE``).

    ``tier`` is the message range, e.g. ``"25000001:50000000"``; ``effective_month``
    ``"YYYY-MM"``.

    Example::

        PricingTier(tier="25000001:50000000", pricing_category="UTILITY",
                    effective_month="2026-11", region="India")
    """

    tier: str | None = None
    pricing_category: str | None = None
    effective_month: str | None = None
    region: str | None = None
    updated_at: datetime | None = None


class AccountUpdate(_Admin, frozen=True, kw_only=True, tag_field="event", tag="account"):
    """Something happened to the business account (``account_update``).

    ``kind`` is Meta's ``event`` (``ACCOUNT_VIOLATION``, ``ACCOUNT_RESTRICTION``,
    ``DISABLED_UPDATE``, ``MM_LITE_TERMS_SIGNED``, ``VOLUME_BASED_PRICING_TIER_UPDATE`` ...);
    ``details`` holds the rest of the payload (``ban_info``, ``violation_info``,
    ``restriction_info`` ...) as sent; ``pricing_tier`` is set for pricing-tier changes.

    Example::

        AccountUpdate(provider="meta", kind="ACCOUNT_VIOLATION",
                      details={"violation_info": {"violation_type": "SCAM"}})
    """

    kind: str | None = None
    phone: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)
    pricing_tier: PricingTier | None = None


class PhoneNumberQualityUpdate(
    _Admin, frozen=True, kw_only=True, tag_field="event", tag="number_quality"
):
    """A business number's messaging limit or throughput changed (``phone_number_quality_update``).

    ``phone`` is the number (E.164); ``kind`` Meta's ``event`` (``ONBOARDING``,
    ``THROUGHPUT_UPGRADE`` ...); limits are tiers such as ``TIER_250``, ``TIER_UNLIMITED``.

    Example::

        PhoneNumberQualityUpdate(provider="meta", phone="+15550783881",
                                 kind="THROUGHPUT_UPGRADE",
                                 max_daily_conversations="TIER_UNLIMITED")
    """

    phone: str | None = None
    kind: str | None = None
    current_limit: str | None = None
    old_limit: str | None = None
    max_daily_conversations: str | None = None


class UserPreferenceUpdate(_Admin, frozen=True, kw_only=True, tag_field="event", tag="preference"):
    """A user stopped or resumed a category of messages (``user_preferences``).

    ``user`` is the phone (E.164) when given, else the user id; ``value`` is ``stop``
    (opted out: ``opted_out`` is true), ``resume`` or another value Meta adds; ``category``
    is ``marketing_messages``. With a suppression list configured, the client learns it and
    refuses marketing templates to that user before any request.

    Example::

        UserPreferenceUpdate(provider="meta", user="+16505551234", phone="+16505551234",
                             category="marketing_messages", value="stop")
    """

    user: str
    phone: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    category: str | None = None
    value: str | None = None
    detail: str | None = None
    business_id: str | None = None

    @property
    def opted_out(self) -> bool:
        """Whether the user stopped this category (``value == "stop"``)."""
        return self.value == "stop"


class UserIdentityChanged(_Admin, frozen=True, kw_only=True, tag_field="event", tag="identity"):
    """A user changed phone number or got a new user id (Meta system messages
    ``user_changed_number`` / ``user_changed_user_id``).

    ``phone``/``user_id`` are the new identities; ``previous_phone``/``previous_user_id`` the
    old ones where Meta says. The client's alias store learns the change.

    Example::

        UserIdentityChanged(provider="meta", kind="user_changed_number",
                            previous_phone="+16505551234", phone="+16505559999",
                            user_id="US.13491208655302741918")
    """

    kind: str
    message_id: str | None = None
    phone: str | None = None
    previous_phone: str | None = None
    user_id: str | None = None
    previous_user_id: str | None = None
    parent_user_id: str | None = None
    previous_parent_user_id: str | None = None
    text: str | None = None
    business_id: str | None = None


class GroupUpdate(_Admin, frozen=True, kw_only=True, tag_field="event", tag="group"):
    """A group changed: lifecycle, participants, settings or status (Meta ``group_*_update``).

    ``field`` is the webhook field (``group_lifecycle_update``, ``group_participants_update``,
    ``group_settings_update``, ``group_status_update``); ``kind`` is the entry's ``type``
    (``group_create``, ``group_delete``, ``group_participants_add``, ``group_suspend`` ...);
    ``details`` holds the rest of the entry (participants, settings) as sent.

    Example::

        GroupUpdate(provider="meta", field="group_lifecycle_update", kind="group_create",
                    group_id="Y2FwaV9ncm91cDox...", invite_link="https://chat.whatsapp.com/...")
    """

    field: str
    kind: str | None = None
    group_id: str | None = None
    request_id: str | None = None
    subject: str | None = None
    description: str | None = None
    invite_link: str | None = None
    join_approval_mode: str | None = None
    business_id: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)
    errors: list[EventError] = msgspec.field(default_factory=list)


class BusinessUsernameUpdate(_Admin, frozen=True, kw_only=True, tag_field="event", tag="username"):
    """The business's username was approved, reserved or deleted (``business_username_update``).

    Example::

        BusinessUsernameUpdate(provider="meta", phone="+15550783881", username="acme",
                               status="approved")
    """

    phone: str | None = None
    username: str | None = None
    status: str | None = None
