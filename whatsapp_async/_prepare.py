"""Preparing a send: the recipient normalised, the provider's capabilities checked, options set.

Everything here happens before any request and raises a :class:`ValidationError` (or its
:class:`UnsupportedFeature` / :class:`InvalidRecipient` subclasses) for bad input. The result,
a :class:`Prepared`, is what the provider's ``build_send`` receives.

Example::

    preparer = Preparer(provider, default_region=None, validation="valid", store=None)
    prepared = preparer.prepare("+14155552671", Text("hi"), SendParams())
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from ._idempotency import IdempotencyStore, fingerprint
from ._items import BulkInput, BulkItem
from .errors import UnsupportedFeature, ValidationError
from .messages import TEMPLATE_FEATURES, Media, Message, Template, template_features
from .provider import Provider, SendOptions
from .recipients import PhoneValidation, Recipient, normalise

__all__ = ["Prepared", "Preparer", "SendParams"]

_MESSAGE_TYPES = Message.__args__  # type: ignore[attr-defined]
_NO_OPTIONS = SendOptions()
"""Most sends carry no options: they share one (frozen) value instead of allocating one each."""


class _TemplateKey(msgspec.Struct, frozen=True, gc=False):
    """The fields of ``Template`` from before cards, offers and one-time passwords, in order."""

    name: str
    language: str
    body: Any
    header: Any
    buttons: Any
    components: Any


def _fingerprint_view(message: Message) -> Any:
    """What a message's idempotency fingerprint is computed from: the message itself, except
    that a template using none of the fields added since keys were first derived is keyed by
    the fields it had then, so its key (and a result stored under it) survives the upgrade.

    Example::

        _fingerprint_view(Text("hi"))  # Text(body='hi', preview_url=False)
    """
    if not isinstance(message, Template) or message.cards or message.offer or message.otp:
        return message
    return _TemplateKey(
        message.name,
        message.language,
        message.body,
        message.header,
        message.buttons,
        message.components,
    )


class SendParams(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The per-send options a caller gave (``wa.send(..., reply_to=...)``), not yet checked.

    Example::

        SendParams(reply_to="wamid.X", metadata={"order": "1234"})
    """

    reply_to: str | None = None
    idempotency_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    deliver_at: datetime | None = None
    deliver_until: datetime | None = None
    extra: Mapping[str, Any] | None = None
    outside_window: Template | None = None
    sender: str | None = None


_NO_PARAMS = SendParams()


class Prepared(msgspec.Struct, gc=False):
    """A send that passed every local check: what ``build_send`` gets.

    Example::

        Prepared(Phone("+14155552671"), Text("hi"), SendOptions())
    """

    recipient: Recipient
    message: Message
    options: SendOptions
    fallback: Template | None = None
    """The template to send instead when the user's window is closed (``outside_window=``)."""


class Preparer:
    """Turns a caller's ``(to, message, options)`` into a :class:`Prepared`, or raises.

    Example::

        preparer.prepare_item(BulkItem(to="+14155552671", message=Text("hi")))
    """

    def __init__(
        self,
        provider: Provider,
        *,
        default_region: str | None,
        validation: PhoneValidation,
        store: IdempotencyStore | None,
        sender_key: str,
    ) -> None:
        self._provider = provider
        self._name = provider.name
        self._caps = provider.capabilities
        self._region = default_region
        self._validation: PhoneValidation = validation
        self._store = store
        self._sender_key = sender_key
        self._keys_per_send = "idempotency" in self._caps.operations
        declared = self._caps.template_features
        # Only a provider that lacks some template feature needs each template looked at.
        self._template_gate = (
            declared
            if declared is not None and not frozenset(TEMPLATE_FEATURES) <= declared
            else None
        )

    def prepare(self, to: str | Recipient, message: Message, params: SendParams) -> Prepared:
        """Check and normalise one send (see the module docs)."""
        if not isinstance(message, _MESSAGE_TYPES):
            raise ValidationError(
                f"message must be one of the whatsapp_async message types, "
                f"got {type(message).__name__}",
                provider=self._name,
            )
        recipient = normalise(to, default_region=self._region, validation=self._validation)
        self._check_capabilities(recipient, message)
        options = self._options(recipient, message, params)
        fallback = params.outside_window
        if fallback is None:
            return Prepared(recipient, message, options)
        if not isinstance(fallback, Template):
            raise ValidationError(
                "outside_window must be a Template (sent when the user's window is closed)",
                provider=self._name,
                field="outside_window",
            )
        self._check_capabilities(recipient, fallback)
        return Prepared(recipient, message, options, fallback)

    def prepare_item(self, entry: BulkInput) -> Prepared:
        """One ``send_many`` item: a :class:`BulkItem` or a ``(to, message)`` pair."""
        if isinstance(entry, BulkItem):
            params = SendParams(
                reply_to=entry.reply_to,
                idempotency_key=entry.idempotency_key,
                metadata=entry.metadata,
                deliver_at=entry.deliver_at,
                deliver_until=entry.deliver_until,
                extra=entry.extra,
                outside_window=entry.outside_window,
                sender=entry.sender,
            )
            return self.prepare(entry.to, entry.message, params)
        if isinstance(entry, tuple) and len(entry) == 2:
            return self.prepare(entry[0], entry[1], _NO_PARAMS)
        raise ValidationError(
            "send_many items must be (to, message) pairs or BulkItem", provider=self._name
        )

    def unsupported(self, feature: str, text: str) -> UnsupportedFeature:
        """The provider's ``UnsupportedFeature`` for ``feature`` (it lists what it supports)."""
        return self._provider.unsupported(feature, text)

    def _check_capabilities(self, recipient: Recipient, message: Message) -> None:
        caps = self._caps
        if message.kind not in caps.messages:
            raise self.unsupported(
                message.kind, f"{self._name} cannot send {message.kind} messages"
            )
        if recipient.kind not in caps.recipients and recipient.kind != "user":
            # A user id the provider cannot take may still be sent to the user's phone: the
            # alias store decides that before the request (``_users.UserBook``).
            raise self.unsupported(
                recipient.kind,
                f"{self._name} cannot send to a {recipient.kind} "
                f"(recipients: {', '.join(sorted(caps.recipients))})",
            )
        if (
            isinstance(message, Media)
            and message.file is not None
            and not {"upload_media", "inline_media"} & caps.operations
        ):
            raise self.unsupported(
                "file", f"{self._name} cannot send local files (use link= or id=)"
            )
        if self._template_gate is not None and isinstance(message, Template):
            missing = template_features(message) - self._template_gate
            if missing:
                first = min(missing)
                raise self.unsupported(
                    f"template.{first}",
                    f"{self._name} cannot send templates with {', '.join(sorted(missing))} "
                    f"(template features: {', '.join(sorted(self._template_gate)) or 'none'})",
                )

    def _options(self, recipient: Recipient, message: Message, params: SendParams) -> SendOptions:
        if params is _NO_PARAMS and self._store is None and not self._keys_per_send:
            return _NO_OPTIONS
        caps = self._caps
        for option, value in (
            ("reply_to", params.reply_to),
            ("metadata", params.metadata),
            ("deliver_at", params.deliver_at),
            ("deliver_until", params.deliver_until),
        ):
            if value is not None and option not in caps.options:
                raise self.unsupported(option, f"{self._name} does not support {option}=")
        for option, when in (
            ("deliver_at", params.deliver_at),
            ("deliver_until", params.deliver_until),
        ):
            if when is not None and (not isinstance(when, datetime) or when.tzinfo is None):
                raise ValidationError(
                    f"{option} must be a timezone-aware datetime", provider=self._name, field=option
                )
        if params.metadata is not None and not isinstance(params.metadata, Mapping):
            raise ValidationError(
                "metadata must be a mapping (a JSON object)", provider=self._name, field="metadata"
            )
        if params.extra is not None and not isinstance(params.extra, Mapping):
            raise ValidationError("extra must be a mapping", provider=self._name, field="extra")
        sender = self._sender(params.sender)
        key = params.idempotency_key
        if key is None and self._store is not None:
            # The same logical send always gets the same key, so a re-run finds its result.
            key = fingerprint(
                self._sender_key if sender is None else f"{self._name}:{sender}",
                recipient,
                message.kind,
                _fingerprint_view(message),
                params.metadata,
                params.extra,
                params.reply_to,
                params.deliver_at,
                params.deliver_until,
            )
        elif key is None and self._keys_per_send:
            # One key per logical send, reused by every retry of it.
            key = uuid.uuid4().hex
        if (
            key is None
            and params.reply_to is None
            and params.metadata is None
            and params.deliver_at is None
            and params.deliver_until is None
            and params.extra is None
            and sender is None
        ):
            return _NO_OPTIONS
        return SendOptions(
            reply_to=params.reply_to,
            idempotency_key=key,
            metadata=params.metadata,
            deliver_at=params.deliver_at,
            deliver_until=params.deliver_until,
            extra=params.extra,
            sender=sender,
        )

    def _sender(self, sender: str | None) -> str | None:
        """``sender=`` checked against the provider's business numbers; None: the default."""
        if sender is None:
            return None
        senders = self._provider.senders
        if not senders:
            raise self.unsupported(
                "sender",
                f"{self._name} sends from one business number per client: sender= is not "
                "supported (configure one client per number)",
            )
        if not isinstance(sender, str) or sender not in senders:
            raise ValidationError(
                f"sender {str(sender)[:40]!r} is not one of this client's business numbers "
                f"({', '.join(senders)})",
                provider=self._name,
                field="sender",
            )
        return None if sender == senders[0] else sender
