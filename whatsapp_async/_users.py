"""What a client knows of users and templates beyond one send: the alias store, the
suppression list, template categories, and the send-time rules that need them.

- **Sending to a user id** where the provider takes none (Magpipe, the gateway): the alias
  store's phone is used instead; without one, ``UnsupportedFeature``.
- **Authentication templates to a user id** (Meta refuses them with 131062): sent to the
  user's phone when the alias store knows it, else refused with ``InvalidRecipient``.
- **Marketing templates to a user who opted out**: refused with ``OptedOut`` when a
  suppression list is configured.
- **Learning** (``learn``): every parsed event may teach a pair (a message or status that
  names both phone and user id, a user-identity change), an opt-out or opt-in, or a
  template's category.

A template's category comes from, in order: the message itself (a ``category`` attribute),
what the client was told (``template_categories=``) or learned from template webhooks, then
the provider's template listing (cached; only when the provider lists templates). Unknown:
no local rule applies, and the provider decides.

Example::

    users = UserBook(provider, aliases=MemoryAliasStore(), suppression=None,
                     categories=None, templates=None)
    if users.needs(prepared):
        prepared = await users.complete(prepared)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping

import msgspec

from ._aliases import MARKETING, AliasStore, SuppressionList
from ._prepare import Prepared
from ._templates import TemplateCache
from .errors import (
    ConfigurationError,
    InvalidRecipient,
    OptedOut,
    UnsupportedFeature,
    WhatsAppError,
)
from .events import (
    Event,
    MessageReceived,
    StatusUpdate,
    TemplateCategoryUpdate,
    TemplateStatusUpdate,
    UserIdentityChanged,
    UserPreferenceUpdate,
)
from .messages import Template
from .provider import Provider
from .recipients import Phone, User

__all__ = ["UserBook", "check_user_options"]

log = logging.getLogger("whatsapp_async")

AUTHENTICATION = "AUTHENTICATION"
_LISTING_RETRY = 60.0
"""Seconds before a template listing that failed is tried again for categories."""
_PREFERENCE_CATEGORIES = {"marketing_messages": MARKETING}


class UserBook:
    """Aliases, opt-outs and template categories for one client (see the module docs).

    Example::

        await users.learn(events)        # from a webhook delivery
        await users.phone_for(User("US.1349..."))
    """

    def __init__(
        self,
        provider: Provider,
        *,
        aliases: AliasStore,
        suppression: SuppressionList | None,
        categories: Mapping[str, str] | None,
        templates: TemplateCache | None,
    ) -> None:
        self.aliases = aliases
        self.suppression = suppression
        self._name = provider.name
        self._takes_users = "user" in provider.capabilities.recipients
        self._categories: dict[str, str] = {
            name: category.upper() for name, category in (categories or {}).items()
        }
        self._templates = templates
        self._listing_failed_at: float | None = None

    # -- sending ----------------------------------------------------------------------------------
    def needs(self, prepared: Prepared) -> bool:
        """Whether the send needs a look-up before its request (cheap, no I/O)."""
        recipient = prepared.recipient
        if isinstance(recipient, User):
            return not self._takes_users or isinstance(prepared.message, Template)
        return self.suppression is not None and isinstance(prepared.message, Template)

    async def complete(self, prepared: Prepared) -> Prepared:
        """Apply the user rules (module docs): a new recipient, or a refusal."""
        recipient = prepared.recipient
        if isinstance(recipient, User) and not self._takes_users:
            phone = await self.aliases.phone_for(recipient.id)
            if phone is None:
                raise UnsupportedFeature(
                    f"{self._name} cannot send to a user id, and no phone number is known for "
                    f"{recipient.id[:40]!r} (the alias store learns pairs from webhooks)",
                    provider=self._name,
                    feature="user",
                )
            prepared = msgspec.structs.replace(prepared, recipient=Phone(phone))
        message = prepared.message
        if not isinstance(message, Template):
            return prepared
        category = await self.category(message)
        recipient = prepared.recipient
        if category == AUTHENTICATION and isinstance(recipient, User):
            phone = await self.aliases.phone_for(recipient.id)
            if phone is None:
                raise InvalidRecipient(
                    f"authentication template {message.name!r} cannot go to a business-scoped "
                    "user id (Meta error 131062) and no phone number is known for "
                    f"{recipient.id[:40]!r}: send it to the user's phone number",
                    provider=self._name,
                    field="to",
                )
            prepared = msgspec.structs.replace(prepared, recipient=Phone(phone))
        if category == "MARKETING" and self.suppression is not None:
            await self._check_not_suppressed(prepared.recipient)
        return prepared

    async def _check_not_suppressed(self, recipient: object) -> None:
        assert self.suppression is not None
        keys: list[str] = []
        if isinstance(recipient, Phone):
            keys = [recipient.e164]
            user_id = await self.aliases.user_id_for(recipient.e164)
            if user_id is not None:
                keys.append(user_id)
        elif isinstance(recipient, User):
            keys = [recipient.id]
            phone = await self.aliases.phone_for(recipient.id)
            if phone is not None:
                keys.append(phone)
        for key in keys:
            if await self.suppression.contains(key, MARKETING):
                raise OptedOut(
                    f"{key[:40]} opted out of marketing messages: the template was not sent",
                    provider=self._name,
                    user=key,
                )

    async def category(self, template: Template) -> str | None:
        """The template's category (``MARKETING``, ``UTILITY``, ``AUTHENTICATION``), if known."""
        own = getattr(template, "category", None)
        if isinstance(own, str) and own:
            return own.upper()
        known = self._categories.get(f"{template.name}:{template.language}")
        if known is None:
            known = self._categories.get(template.name)
        if known is not None or self._templates is None:
            return known
        loop = asyncio.get_running_loop()
        failed = self._listing_failed_at
        if failed is not None and loop.time() - failed < _LISTING_RETRY:
            return None
        try:
            info = await self._templates.get(template.name, template.language)
        except WhatsAppError as exc:
            # No listing (no waba_id, a failing listing): no local rule, the provider decides.
            self._listing_failed_at = loop.time()
            log.debug("%s: template categories unavailable: %s", self._name, exc.message)
            return None
        self._listing_failed_at = None
        if info is None or not info.category:
            return None
        return info.category.upper()

    # -- learning ---------------------------------------------------------------------------------
    async def learn(self, events: Iterable[Event]) -> None:
        """Learn aliases, opt-outs and template categories from parsed events."""
        for event in events:
            if isinstance(event, MessageReceived):
                await self._pair(event.sender, event.sender_user_id)
            elif isinstance(event, StatusUpdate):
                await self._pair(event.recipient, event.recipient_user_id)
            elif isinstance(event, UserIdentityChanged):
                await self._identity_changed(event)
            elif isinstance(event, UserPreferenceUpdate):
                await self._preference(event)
            elif (isinstance(event, TemplateStatusUpdate) and event.name and event.category) or (
                isinstance(event, TemplateCategoryUpdate)
                and event.name
                and event.category
                and not event.pending
            ):
                self._remember_category(event.name, event.language, event.category)

    def _remember_category(self, name: str, language: str | None, category: str) -> None:
        self._categories[name] = category.upper()
        if language:
            self._categories[f"{name}:{language}"] = category.upper()

    async def _pair(self, phone: str | None, user_id: str | None) -> None:
        if phone and user_id and phone.startswith("+") and phone != user_id:
            await self.aliases.link(phone, user_id)

    async def _identity_changed(self, event: UserIdentityChanged) -> None:
        if event.previous_user_id:
            await self.aliases.forget(user_id=event.previous_user_id)
        if event.previous_phone:
            await self.aliases.forget(phone=event.previous_phone)
        await self._pair(event.phone, event.user_id)

    async def _preference(self, event: UserPreferenceUpdate) -> None:
        await self._pair(event.phone, event.user_id)
        suppression = self.suppression
        category = _PREFERENCE_CATEGORIES.get(event.category or "", event.category or MARKETING)
        if suppression is None:
            return
        for key in {event.phone, event.user_id} - {None}:
            assert key is not None
            if event.value == "stop":
                await suppression.add(key, category)
            elif event.value == "resume":
                await suppression.remove(key, category)


def check_user_options(aliases: object, suppression: object, template_categories: object) -> None:
    """``WhatsApp(aliases=..., suppression=..., template_categories=...)`` checked.

    Example::

        check_user_options(None, None, {"login_code": "AUTHENTICATION"})
    """
    if aliases is not None and not isinstance(aliases, AliasStore):
        raise ConfigurationError("aliases must be an AliasStore")
    if suppression is not None and not isinstance(suppression, SuppressionList):
        raise ConfigurationError("suppression must be a SuppressionList")
    if template_categories is not None and not (
        isinstance(template_categories, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in template_categories.items())
    ):
        raise ConfigurationError("template_categories must map template names to categories")
