"""The small interfaces the rest of the core depends on instead of the ``WhatsApp`` class.

:class:`Sender` is what ``Failover`` chains (a ``WhatsApp``, or another ``Failover``);
:class:`WebhookSource` is what the webhook receiver app needs (something that parses and
verifies a provider's deliveries). Both are structural: nothing has to inherit from them.

Example::

    def make_app(source: WebhookSource) -> web.Application: ...
    make_app(wa)        # a WhatsApp client is a WebhookSource
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ._timeout import Timeout
from .events import Event, MessageReceived, StatusUpdate
from .messages import Message, Template
from .provider import Capabilities
from .recipients import Recipient
from .results import SendResult

__all__ = [
    "EventLearner",
    "Replier",
    "Sender",
    "StatusWaiter",
    "WebhookSender",
    "WebhookSource",
]


class Sender(Protocol):
    """Something that sends one message with the client's keywords (``WhatsApp``, ``Failover``).

    Example::

        async def notify(sender: Sender) -> None:
            await sender.send("+14155552671", Text("hi"))
    """

    @property
    def provider_name(self) -> str:
        """The provider's name (``"meta"``), or a description of a chain."""

    @property
    def capabilities(self) -> Capabilities:
        """What the sender can express."""

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
        outside_window: Template | None = None,
        sender: str | None = None,
    ) -> SendResult:
        """Send one message (see ``WhatsApp.send``)."""

    async def aclose(self) -> None:
        """Release the sender's connections."""


@runtime_checkable
class WebhookSource(Protocol):
    """What the webhook receiver needs: verify-and-parse, and the GET handshake.

    Example::

        events = source.parse_webhook(headers, body, query)
    """

    @property
    def provider_name(self) -> str:
        """The provider's name, for log lines."""

    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str] | None = None
    ) -> list[Event]:
        """Verify one delivery and normalise it (``WebhookSignatureError`` when forged)."""

    def webhook_handshake(self, query: Mapping[str, str]) -> str | None:
        """The body answering a verification GET, or None when there is no handshake."""


@runtime_checkable
class WebhookSender(Sender, WebhookSource, Protocol):
    """A sender that also receives its provider's webhooks (a ``WhatsApp`` client).

    Example::

        isinstance(wa, WebhookSender)  # True
    """


@runtime_checkable
class StatusWaiter(Protocol):
    """A sender whose deliveries can be awaited (a ``WhatsApp`` client with status events).

    Example::

        if isinstance(client, StatusWaiter):
            await client.wait_for_status(result, "delivered", timeout=30)
    """

    async def wait_for_status(
        self, result: SendResult | str, status: str = "delivered", *, timeout: float = 60.0
    ) -> StatusUpdate:
        """The update that reached ``status``; raises ``DeliveryFailed`` / ``StatusTimeout``."""


@runtime_checkable
class Replier(Protocol):
    """A sender that answers inbound messages on their own provider (a ``WhatsApp`` client).

    Example::

        if isinstance(client, Replier):
            await client.reply(event, Text("Thanks"))
    """

    async def reply(
        self,
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
        """Answer ``event`` (see ``WhatsApp.reply``)."""


@runtime_checkable
class EventLearner(Protocol):
    """A webhook source that learns from the events it parsed (a client's alias store,
    suppression list and template categories); the receivers call it before the handler.

    Example::

        await wa.learn(wa.parse_webhook(headers, body, query))
    """

    async def learn(self, events: list[Event]) -> None:
        """Learn aliases, opt-outs and template categories from ``events``."""
