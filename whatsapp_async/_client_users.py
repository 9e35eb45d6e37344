"""The user-facing identity methods of ``WhatsApp`` (a mixin, like the media and webhook ones):
``reply``, ``learn``, and the senders, aliases and suppression list in force.

Example::

    async def on_message(event: MessageReceived) -> None:
        await wa.reply(event, Text("Thanks, we're on it"))
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from ._aliases import AliasStore, SuppressionList
from ._timeout import Timeout
from ._users import UserBook
from .errors import ValidationError
from .events import Event, MessageReceived
from .messages import Message
from .provider import Capabilities, Provider
from .recipients import Group, Phone, Recipient, User
from .results import SendResult

__all__ = ["UserMethods", "reply_target"]


class _UserClient(Protocol):
    """What ``reply`` needs of the client it is mixed into."""

    _provider: Provider
    _name: str
    _caps: Capabilities

    async def send(
        self,
        to: str | Recipient,
        message: Message,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        deliver_at: datetime | None = None,
        deliver_until: datetime | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        sender: str | None = None,
    ) -> SendResult: ...


class UserMethods:
    """``reply`` and ``learn``, and what the client knows of its senders and users.

    Example::

        wa.senders        # ('106540352242922', '106540352242923')
        await wa.learn(events)
    """

    _provider: Provider
    _name: str
    _caps: Capabilities
    _users: UserBook

    @property
    def senders(self) -> tuple[str, ...]:
        """The business numbers ``sender=`` may name, the default first (empty: one sender).

        Example::

            WhatsApp("meta", token="...", phone_number_id="1", phone_number_ids="2").senders
            # ('1', '2')
        """
        return self._provider.senders

    @property
    def aliases(self) -> AliasStore:
        """The phone ↔ user id pairs this client learned (or was given)."""
        return self._users.aliases

    @property
    def suppression(self) -> SuppressionList | None:
        """The suppression list checked before marketing templates (None: none)."""
        return self._users.suppression

    async def reply(
        self: _UserClient,
        event: MessageReceived,
        message: Message,
        *,
        quote: bool = True,
        idempotency_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
    ) -> SendResult:
        """Answer an inbound message: to its sender, from the number it came to.

        The sender is the event's group (group messages), else its phone when known, else its
        user id (:class:`User`); the reply goes out from ``event.business_id`` when that is
        one of this client's :attr:`senders`. ``reply_to`` (quoting the message) is set where
        the provider supports it (Meta) and left out elsewhere; ``quote=False`` never sets it.

        Example::

            async def on_message(event: MessageReceived) -> None:
                await wa.reply(event, Text("Thanks, we're on it"))
        """
        if not isinstance(event, MessageReceived):
            raise ValidationError("reply needs the MessageReceived event it answers")
        if event.provider != self._name:
            raise ValidationError(
                f"this {event.provider} event came through another provider than this "
                f"{self._name} client",
                provider=self._name,
            )
        quotes = quote and "reply_to" in self._caps.options and bool(event.message_id)
        sender = event.business_id if event.business_id in self._provider.senders else None
        return await self.send(
            reply_target(event),
            message,
            reply_to=event.message_id if quotes else None,
            idempotency_key=idempotency_key,
            metadata=metadata,
            extra=extra,
            timeout=timeout,
            max_retries=max_retries,
            sender=sender,
        )

    async def learn(self, events: list[Event]) -> None:
        """Learn from parsed events: phone ↔ user id pairs, opt-outs, template categories.

        The webhook receivers call it for every delivery; call it yourself after
        ``parse_webhook`` in another framework.

        Example::

            events = wa.parse_webhook(request.headers, body, request.query)
            await wa.learn(events)
        """
        await self._users.learn(events)


def reply_target(event: MessageReceived) -> Recipient:
    """Who an answer to an inbound message goes to: the group, the phone, else the user id.

    Example::

        reply_target(MessageReceived(provider="meta", message_id="wamid.X", sender="",
                                     sender_user_id="US.1349", type="text"))
        # User(id='US.1349')
    """
    if event.group_id:
        return Group(event.group_id)
    sender = event.sender
    if sender.startswith("+") and sender[1:].isdigit():
        return Phone(sender)
    user_id = event.sender_user_id or sender
    if not user_id:
        raise ValidationError(
            "the event names no sender to reply to", provider=event.provider, field="sender"
        )
    return User(user_id)
