"""The path of one send, step by step: prepare → complete → reserve → build → execute → parse →
record. ``WhatsApp.send`` is :meth:`SendPipeline.send`; ``send_many`` runs the same steps per
item (or per native batch).

Each step is a method with a name, so the order reads on one screen and every step can be
tested (and, where a provider needs it, changed) on its own:

- ``prepare``: normalise the recipient, check capabilities and options (no I/O);
- ``complete``: the only I/O before the request, and only when needed — the template check
  against the cached listing, a local file uploaded or inlined;
- ``deliver``: the idempotency store's reservation, the provider's ``build_send``, the
  executor (limits, retries, timeouts), the provider's ``parse_send``, the store's record.

Example::

    pipeline = SendPipeline(preparer, executor, templates=None, media=media_io, store=None)
    result = await pipeline.send("+14155552671", Text("hi"), SendParams(), call=CallPolicy())
"""

from __future__ import annotations

import asyncio

import msgspec

from ._delivery import DeliveryTracker
from ._executor import Executor, InDoubt
from ._idempotency import IdempotencyStore, complete_or_log, release_or_log, reserve_or_raise
from ._media_io import MediaIO
from ._prepare import Prepared, Preparer, SendParams
from ._retry import RetryPolicy
from ._templates import TemplateCache
from ._timeout import Timeout, as_timeout, check_deadline
from ._users import UserBook
from .errors import OutsideWindowError, WhatsAppError
from .messages import Media, Message, Template
from .recipients import Recipient
from .results import SendResult

__all__ = ["CallPolicy", "SendPipeline", "call_policy"]


class CallPolicy(msgspec.Struct, frozen=True, gc=False):
    """The per-call overrides of one send (or one bulk): timeout and retry policy.

    Example::

        CallPolicy(timeout=Timeout(total=5), retry=RetryPolicy(max_retries=0))
    """

    timeout: Timeout | None = None
    retry: RetryPolicy | None = None
    deadline: float | None = None
    """``loop.time()`` by which a throttled send gives up (None: the policy's budget)."""


_DEFAULT_CALL = CallPolicy()


def call_policy(
    retry: RetryPolicy,
    timeout: Timeout | float | None,
    max_retries: int | None,
    deadline: float | None,
) -> CallPolicy:
    """The :class:`CallPolicy` of one call's ``timeout=``/``max_retries=``/``deadline=``.

    Most calls pass none and share one value. ``deadline`` is seconds from now.

    Example::

        call_policy(RetryPolicy(), 5.0, None, None).timeout  # Timeout(total=5.0)
    """
    if timeout is None and max_retries is None and deadline is None:
        return _DEFAULT_CALL
    check_deadline(deadline)
    return CallPolicy(
        timeout=None if timeout is None else as_timeout(timeout),
        retry=None if max_retries is None else retry.with_max_retries(max_retries),
        deadline=None if deadline is None else asyncio.get_running_loop().time() + deadline,
    )


class SendPipeline:
    """The steps of a send for one client (see the module docs).

    Example::

        prepared = pipeline.prepare("+14155552671", Text("hi"), SendParams())
        result = await pipeline.deliver(await pipeline.complete(prepared), CallPolicy())
    """

    def __init__(
        self,
        preparer: Preparer,
        executor: Executor,
        *,
        templates: TemplateCache | None,
        media: MediaIO,
        store: IdempotencyStore | None,
        tracker: DeliveryTracker | None = None,
        users: UserBook | None = None,
    ) -> None:
        self.preparer = preparer
        self.tracker = tracker
        self.users = users
        self.executor = executor
        self._provider = executor.provider
        self._templates = templates
        self._media = media
        self._store = store
        # The provider honours idempotency keys: a resend with the same key cannot duplicate.
        self._provider_dedupes = "idempotency" in self._provider.capabilities.operations
        self._default_sender = self._provider.default_sender
        self._sender_prefix = f"{self._provider.name}:"

    async def send(
        self, to: str | Recipient, message: Message, params: SendParams, call: CallPolicy
    ) -> SendResult:
        """All the steps, in order: one message to one recipient."""
        prepared = self.prepare(to, message, params)
        if self.needs_completion(prepared):
            prepared = await self.complete(prepared)
        return await self.deliver(prepared, call)

    # -- the steps ----------------------------------------------------------------------------
    def prepare(self, to: str | Recipient, message: Message, params: SendParams) -> Prepared:
        """Normalise and check, before any I/O (``ValidationError`` and subclasses)."""
        return self.preparer.prepare(to, message, params)

    def needs_completion(self, prepared: Prepared) -> bool:
        """Whether the send needs I/O before its request (kept off the common path)."""
        message = prepared.message
        return (
            (self._templates is not None and isinstance(message, Template))
            or (isinstance(message, Media) and message.file is not None)
            or (self.users is not None and self.users.needs(prepared))
        )

    async def complete(self, prepared: Prepared) -> Prepared:
        """The user rules (aliases, 131062, opt-outs), the template check and the media upload,
        for the sends that need them."""
        if self.users is not None and self.users.needs(prepared):
            prepared = await self.users.complete(prepared)
        await self.check_template(prepared.message)
        return await self._media.materialise(prepared)

    async def check_template(self, message: Message) -> None:
        """``TemplateError`` before any send request when ``check_templates`` finds a mismatch."""
        if self._templates is not None and isinstance(message, Template):
            await self._templates.check(message)

    async def deliver(self, prepared: Prepared, call: CallPolicy) -> SendResult:
        """Reserve the idempotency key, send, record: the request itself and its bookkeeping.

        With a ledger, also: the correlation id on the send, the window check
        (``window="enforce"``), the ``outside_window`` template when the window is closed, the
        ledger's entry, and what ``resolve_in_doubt`` needs on an in-doubt error.
        """
        tracker = self.tracker
        if tracker is None or not tracker.active:
            return await self._deliver(prepared, call)
        if tracker.correlates:
            prepared.options = msgspec.structs.replace(
                prepared.options, correlation_id=tracker.correlation_id()
            )
        if tracker.enforces:
            closed = await tracker.closed_window(prepared)
            if closed is not None:
                if prepared.fallback is None:
                    raise tracker.outside_window(prepared, closed)
                return await self._send_fallback(prepared, call)
        started = tracker.clock()
        try:
            result = await self._deliver(prepared, call)
        except OutsideWindowError:
            await tracker.refused(prepared)
            if prepared.fallback is None:
                raise
            # 131047 is a refusal, not a doubt: nothing went out, the template may.
            return await self._send_fallback(prepared, call)
        except WhatsAppError as exc:
            if exc.in_doubt and (tracker.correlates or tracker.dedupes):
                tracker.pend(exc, prepared, lambda: self.redeliver(prepared, call))
            raise
        await tracker.sent(prepared, result, started)
        return result

    async def _send_fallback(self, prepared: Prepared, call: CallPolicy) -> SendResult:
        assert prepared.fallback is not None
        options = prepared.options
        if options.correlation_id is not None:
            options = msgspec.structs.replace(options, correlation_id=None)
        template = Prepared(prepared.recipient, prepared.fallback, options)
        result = await self.deliver(template, call)
        return msgspec.structs.replace(result, window_fallback=True)

    async def redeliver(self, prepared: Prepared, call: CallPolicy) -> SendResult:
        """Send an in-doubt send once more, as it was (its idempotency key, correlation id).

        ``resolve_in_doubt`` calls it only once the provider will drop a duplicate (it
        dedupes on the key) or the ledger shows the first attempt never went out.
        """
        tracker = self.tracker
        assert tracker is not None
        started = tracker.clock()
        try:
            result = await self.request(prepared, call)
        except WhatsAppError as exc:
            if exc.in_doubt:
                tracker.pend(exc, prepared, lambda: self.redeliver(prepared, call))
            raise
        key = prepared.options.idempotency_key
        if self._store is not None and key is not None:
            await complete_or_log(self._store, key, result)
        await tracker.sent(prepared, result, started)
        return result

    async def _deliver(self, prepared: Prepared, call: CallPolicy) -> SendResult:
        key = prepared.options.idempotency_key
        store = self._store
        if store is None or key is None:
            return await self.request(prepared, call)
        stored = await reserve_or_raise(store, key)  # a store that is down: StoreUnavailable
        if stored is not None:
            return msgspec.structs.replace(stored, idempotent_replayed=True)
        sent = InDoubt()
        try:
            result = await self.request(prepared, call, sent=sent)
        except BaseException as exc:
            # The message may have been delivered (a 5xx, a reset or a timeout after the body
            # went out, a cancellation mid-request): keep the reservation until it expires
            # rather than invite a duplicate — unless the provider itself dedupes on this key,
            # so that a re-run is safe. A failing release is logged, so that the send's own
            # error is the one raised.
            in_doubt = sent.in_doubt or getattr(exc, "in_doubt", False)
            if not in_doubt or self._provider_dedupes:
                await release_or_log(store, key)
            raise
        # Accepted: a store failing now is logged, never raised; reporting the send as failed
        # would invite the caller to send it again.
        await complete_or_log(store, key, result)
        return result

    async def request(
        self, prepared: Prepared, call: CallPolicy, *, sent: InDoubt | None = None
    ) -> SendResult:
        """Build, execute (limits, retries, timeout), parse — inside a span when traced."""
        telemetry = self.executor.telemetry
        if not telemetry.enabled:
            return await self._request(prepared, call, sent)
        with telemetry.send(prepared.message.kind, prepared.recipient.kind) as span:
            result = await self._request(prepared, call, sent)
            span.sent(result.id)
            return result

    async def _request(
        self, prepared: Prepared, call: CallPolicy, sent: InDoubt | None
    ) -> SendResult:
        provider = self._provider
        request = provider.build_send(prepared.recipient, prepared.message, prepared.options)
        sender = prepared.options.sender
        response = await self.executor.execute(
            request,
            policy=call.retry,
            timeout=call.timeout,
            recipient=prepared.recipient,
            sent=sent,
            idempotency_key=prepared.options.idempotency_key,
            deadline=call.deadline,
            sender_key=(
                None if sender is None else self._sender_prefix + provider.sender_key_for(sender)
            ),
        )
        result: SendResult = self.executor.parse(
            response, provider.parse_send, response, prepared.recipient, prepared.message
        )
        sent_from = self._default_sender if sender is None else sender
        if sent_from is not None and result.sender != sent_from:
            result = msgspec.structs.replace(result, sender=sent_from)
        return result
