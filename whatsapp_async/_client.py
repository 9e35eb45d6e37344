"""The ``WhatsApp`` facade: one call site for every provider.

The facade only routes. It builds the parts of a client once — the provider adapter, the
transport, the executor (limits, retries, logging, scrubbing), the send pipeline, media I/O,
the template cache, the operations table — and each public method hands its work to the part
whose job it is (``docs/architecture.md`` draws the path of a send).

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("meta", token="...", phone_number_id="...") as wa:
        result = await wa.send("+14155552671", Text("Your order has shipped"))
        print(result.id, result.status)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

import aiohttp
import msgspec

from ._aliases import AliasStore, MemoryAliasStore, SuppressionList
from ._awaiting import DeliveryWaits
from ._bulk import ResultCallback
from ._bulk_send import BulkSend
from ._client_delivery import DeliveryMethods
from ._client_media import MediaMethods
from ._client_users import UserMethods
from ._client_webhooks import WebhookMethods
from ._config import (
    DEFAULT_RATE,
    ConfigConstructors,
    check_client_options,
    make_limiter,
    make_pair_limiter,
    make_provider,
)
from ._delivery import WindowMode, make_tracker
from ._executor import MIN_CONCURRENCY, Executor
from ._failover import Failover
from ._idempotency import IdempotencyStore
from ._items import BulkInput
from ._media_io import MediaIO
from ._operations import Operations
from ._pipeline import CallPolicy, SendPipeline, call_policy
from ._prepare import Preparer, SendParams
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy
from ._telemetry import make_telemetry
from ._templates import TemplateCache
from ._timeout import Timeout, as_timeout
from ._transport import Transport
from ._users import UserBook, check_user_options
from .errors import ConfigurationError, ValidationError
from .ledger import Ledger
from .messages import Message, Template
from .provider import Capabilities, Operation, Provider, Settings
from .recipients import PhoneValidation, Recipient
from .results import BulkResult, MessageStatus, SendResult, TemplateInfo

if TYPE_CHECKING:
    pass

__all__ = ["WhatsApp"]

webhook_log = logging.getLogger("whatsapp_async.webhooks")

P = ParamSpec("P")
R = TypeVar("R")


class WhatsApp(MediaMethods, WebhookMethods, DeliveryMethods, UserMethods, ConfigConstructors):
    """An async WhatsApp client bound to one provider.

    ``provider`` is a registered name (``"meta"``, ``"magpipe"``, ``"pilot"``,
    ``"gateway"``, or a third party's) or a :class:`Provider` instance;
    ``**settings`` are that provider's settings (see ``docs/providers.md``).

    - ``base_url`` replaces the provider's whole default base URL
    - ``session``: a caller-owned ``aiohttp.ClientSession`` (never closed by us)
    - ``timeout``: seconds (total) or a :class:`Timeout`
    - ``max_retries`` / ``retry``: the :class:`RetryPolicy` (default 2 retries)
    - ``retry_in_doubt``: also resend after failures that may have delivered the message (a
      5xx, a reset or timeout after sending): at least once instead of at most once
      (``docs/guarantees.md``); providers that honour idempotency keys are resent safely
      either way
    - ``rate_limit``: by default adaptive from the provider's documented rate up to its
      documented maximum (Meta: starts at 80 msg/s, learns up to 1,000 from throttling
      answers); a number is a ceiling (it starts at the documented rate when that is lower,
      learns up to the number, backs off when throttled); None for off; or a
      :class:`RateLimiter`
    - ``pair_spacing``: by default recipients the provider throttles as a pair (Meta's
      131056) get their messages spaced; a number of seconds spaces every recipient; None off
    - ``connection_limit``: requests in flight; by default sized by Little's law (rate *
      observed latency, 100 to 1,000)
    - ``default_region`` / ``phone_validation``: how phone numbers are read
    - ``idempotency_store``: an :class:`IdempotencyStore`; sends whose key already has a
      result return it without a request (see :class:`IdempotencyStore`)
    - ``check_templates``: check ``Template`` sends against the provider's approved
      templates (cached for ``template_cache_ttl`` seconds) before any request; providers
      without a template listing skip the check
    - ``telemetry``: OpenTelemetry spans and metrics for every send (None, the default: on
      when an OpenTelemetry SDK is configured; see ``docs/observability.md``)
    - ``ledger``: where sends and their statuses are recorded (``wait_for_status``,
      ``window``, ``resolve_in_doubt``): by default an in-process :class:`MemoryLedger` of
      this client; a ``RedisLedger`` shares one between processes; None for none
    - ``window``: ``"track"`` (the default: windows are tracked and reported, the provider
      refuses what falls outside), ``"enforce"`` (a free-form send to a user whose window is
      known closed raises ``OutsideWindowError`` before any request, or sends the send's
      ``outside_window`` template) or ``"off"``
    - ``aliases``: the :class:`AliasStore` of phone ↔ user id pairs learned from webhooks
      (default: an in-process one per client; share a ``RedisAliasStore`` between a webhook
      receiver and senders in other processes)
    - ``suppression``: a :class:`SuppressionList`; marketing templates to users on it raise
      ``OptedOut`` before any request, and opt-out webhooks feed it (default: none)
    - ``template_categories``: template name → category (``AUTHENTICATION``, ``MARKETING``,
      ``UTILITY``) for the local rules when the provider lists no templates (Pilot)

    Example::

        wa = WhatsApp("pilot", api_key="ps_...", rate_limit=20)
        async with wa:
            await wa.send("+5511987654321", Text("Olá"))
    """

    def __init__(
        self,
        provider: str | Provider,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: Timeout | float | None = 30.0,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        retry_in_doubt: bool | None = None,
        rate_limit: float | RateLimiter | str | None = DEFAULT_RATE,
        pair_spacing: float | RateLimiter | str | None = DEFAULT_RATE,
        default_region: str | None = None,
        phone_validation: PhoneValidation = "valid",
        connection_limit: int | None = None,
        idempotency_store: IdempotencyStore | None = None,
        check_templates: bool = False,
        template_cache_ttl: float = 300.0,
        telemetry: bool | None = None,
        ledger: Ledger | str | None = DEFAULT_RATE,
        window: WindowMode = "track",
        aliases: AliasStore | None = None,
        suppression: SuppressionList | None = None,
        template_categories: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> None:
        check_client_options(
            timeout=timeout,
            max_retries=max_retries,
            connection_limit=connection_limit,
            pair_spacing=pair_spacing,
            rate_limit=rate_limit,
            check_templates=check_templates,
            telemetry=telemetry,
            retry_in_doubt=retry_in_doubt,
            template_cache_ttl=template_cache_ttl,
        )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be a RetryPolicy")
        if idempotency_store is not None and not isinstance(idempotency_store, IdempotencyStore):
            raise ConfigurationError("idempotency_store must be an IdempotencyStore")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        check_user_options(aliases, suppression, template_categories)
        self._provider = make_provider(provider, base_url, settings)
        if phone_validation not in ("valid", "possible"):
            raise ConfigurationError("phone_validation must be 'valid' or 'possible'")
        if default_region is not None and (
            not isinstance(default_region, str) or len(default_region) != 2
        ):
            raise ConfigurationError("default_region must be an ISO 3166 alpha-2 code like 'US'")
        self._name = self._provider.name
        self._caps = self._provider.capabilities
        self._retry = (retry or RetryPolicy()).with_max_retries(max_retries)
        if retry_in_doubt is not None and retry_in_doubt != self._retry.retry_in_doubt:
            self._retry = msgspec.structs.replace(self._retry, retry_in_doubt=retry_in_doubt)
        self._timeout = as_timeout(timeout)
        self._transport = Transport(
            session=session,
            timeout=self._timeout,
            connection_limit=connection_limit,
            provider=self._name,
        )
        self._limiter = make_limiter(
            rate_limit, self._provider.default_rate_limit, self._provider.max_rate_limit
        )
        self._pair_limiter = make_pair_limiter(pair_spacing, self._provider.pair_limit_codes)
        sender_key = f"{self._name}:{self._provider.sender_key}"
        settings_obj = self._provider.settings
        self._executor = Executor(
            provider=self._provider,
            transport=self._transport,
            retry=self._retry,
            limiter=self._limiter,
            pair_limiter=self._pair_limiter,
            sender_key=sender_key,
            secrets=settings_obj.secrets() if isinstance(settings_obj, Settings) else [],
            telemetry=make_telemetry(telemetry, provider=self._name, limiter=self._limiter),
        )
        self._operations = Operations(self._executor, on_invalidate=self._invalidate)
        self._templates = TemplateCache(
            self.list_templates, ttl=template_cache_ttl, provider=self._name
        )
        self._media = MediaIO(self._executor, self._transport)
        self._tracker = make_tracker(ledger, self._provider, window)
        self._waits = DeliveryWaits(self._tracker)
        checks_templates = check_templates and "list_templates" in self._caps.operations
        self._users = UserBook(
            self._provider,
            aliases=aliases if aliases is not None else MemoryAliasStore(),
            suppression=suppression,
            categories=template_categories,
            templates=self._templates if "list_templates" in self._caps.operations else None,
        )
        self._pipeline = SendPipeline(
            Preparer(
                self._provider,
                default_region=default_region.upper() if default_region else None,
                validation=phone_validation,
                store=idempotency_store,
                sender_key=sender_key,
            ),
            self._executor,
            templates=self._templates if checks_templates else None,
            media=self._media,
            store=idempotency_store,
            tracker=self._tracker,
            users=self._users,
        )
        self._warned_unverified = False

    @classmethod
    def with_fallback(
        cls,
        *clients: WhatsApp,
        failover_on_ambiguous: bool = False,
        on_status_timeout: float | None = None,
        await_status: str = "delivered",
    ) -> Failover:
        """A :class:`Failover` that tries ``clients`` in order for each send.

        With ``on_status_timeout=seconds`` (opt-in) a send through a client with status events
        also waits for ``await_status``: a ``failed`` status, or none in time, sends it through
        the next client, and the ledger links the two messages. A message that was only slow
        may then arrive twice: choose the bound with that in mind.

        Example::

            wa = WhatsApp.with_fallback(WhatsApp("meta", ...), WhatsApp("pilot", ...))
            wa = WhatsApp.with_fallback(meta, pilot, on_status_timeout=120)
        """
        return Failover(
            clients,
            failover_on_ambiguous=failover_on_ambiguous,
            on_status_timeout=on_status_timeout,
            await_status=await_status,
        )

    # -- introspection ------------------------------------------------------------------------
    @property
    def provider(self) -> Provider:
        """The provider adapter (for provider-specific helpers)."""
        return self._provider

    @property
    def provider_name(self) -> str:
        """The provider's registered name."""
        return self._name

    @property
    def capabilities(self) -> Capabilities:
        """What this provider supports."""
        return self._caps

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The per-sender limiter in force (None: off)."""
        return self._limiter

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._retry

    def __repr__(self) -> str:
        return f"WhatsApp(provider={self._name!r}, settings={self._provider.settings!r})"

    # -- lifecycle ----------------------------------------------------------------------------
    async def __aenter__(self) -> WhatsApp:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session this client opened (a caller-owned one stays open).

        Ledger writes still running in the background finish first; the ledger itself stays
        open (it may be shared: close a ``RedisLedger`` yourself).
        """
        await self._tracker.flush()
        await self._transport.aclose()

    # -- sending ------------------------------------------------------------------------------
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
        """Send one message; return its :class:`SendResult` or raise a typed error.

        ``to`` is a phone number, a :class:`User` (or a user id string of the documented
        form), a :class:`Group`, :class:`Channel` or :class:`Conversation`. ``sender`` picks
        the business number to send from, one of :attr:`senders` (limits are kept per
        sender).

        Everything that can be checked locally is checked before any request:
        the recipient, the provider's capabilities, documented limits. A throttled send waits
        its turn (the limiter backs off) until ``deadline`` seconds, by default the retry
        policy's ``max_elapsed``; throttling never spends its error retries.
        ``outside_window``: a template sent instead when the user's window is closed (known
        closed with ``window="enforce"``, or refused by the provider with 131047); the result
        then has ``window_fallback=True``.

        Example::

            r = await wa.send("+14155552671", Text("hi"), reply_to="wamid.X")
        """
        self._transport.check_open()
        params = SendParams(
            reply_to=reply_to,
            idempotency_key=idempotency_key,
            metadata=metadata,
            deliver_at=deliver_at,
            deliver_until=deliver_until,
            extra=extra,
            outside_window=outside_window,
            sender=sender,
        )
        call = self._call(timeout, max_retries, deadline)
        return await self._pipeline.send(to, message, params, call)

    async def send_many(
        self,
        items: Iterable[BulkInput],
        *,
        concurrency: int | None = None,
        on_result: ResultCallback | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
    ) -> BulkResult:
        """Send many messages with bounded concurrency; one outcome per item, in input order.

        Items are ``(to, message)`` pairs or :class:`BulkItem`. Each outcome is a
        :class:`SendResult` or the :class:`WhatsAppError` that item failed with;
        ``on_result(index, outcome)`` is called as each item finishes. A provider
        with a native batch endpoint gets items that share a message in batches.

        ``concurrency`` is by default sized by Little's law (the limiter's rate * the observed
        latency, with headroom, up to 1,000 workers). Throttling is back-pressure: a throttled
        item waits its turn and goes again without spending its error retries, until
        ``deadline`` seconds after the call (default: the retry policy's ``max_elapsed``);
        only a throttle that outlasts it is a ``RateLimitError`` outcome.

        If the call is cancelled, outstanding sends are cancelled and
        ``CancelledError`` propagates carrying a complete :class:`BulkResult` whose
        unfinished items are :class:`SendCancelled` (``BulkResult.from_cancelled(exc)``).

        Example::

            bulk = await wa.send_many([(n, Text("hi")) for n in numbers])
            print(bulk.sent, bulk.failed)
        """
        self._transport.check_open()
        if concurrency is not None and (isinstance(concurrency, bool) or concurrency < 1):
            raise ValidationError("concurrency must be at least 1")
        call = self._call(timeout, max_retries, deadline)
        bulk = BulkSend(self._pipeline, list(items), call=call)
        return await bulk.run(
            concurrency=concurrency if concurrency is not None else self._wanted_workers,
            on_result=on_result,
        )

    def _wanted_workers(self) -> int:
        limiter = self._limiter
        rate = getattr(limiter, "rate", None)
        if not isinstance(rate, (int, float)):
            return MIN_CONCURRENCY
        return self._executor.wanted_concurrency(float(rate))

    def _call(
        self,
        timeout: Timeout | float | None,
        max_retries: int | None,
        deadline: float | None = None,
    ) -> CallPolicy:
        return call_policy(self._retry, timeout, max_retries, deadline)

    # -- other operations -----------------------------------------------------------------------
    async def mark_read(self, message_id: str, *, typing: bool = False) -> None:
        """Mark an inbound message as read (and show a typing indicator with ``typing=True``).

        Example::

            await wa.mark_read(event.message_id, typing=True)
        """
        await self._operations.mark_read(message_id, typing=typing)

    async def get_status(self, message_id: str) -> MessageStatus:
        """Look up a sent message's delivery status (providers with status look-ups).

        Example::

            status = await pilot.get_status(result.id)
        """
        return await self._operations.get_status(message_id)

    async def list_templates(self, *, max_pages: int = 100) -> list[TemplateInfo]:
        """Every template the provider lists, following paging cursors.

        Example::

            for t in await wa.list_templates():
                print(t.name, t.language, t.status)
        """
        return await self._operations.list_templates(max_pages=max_pages)

    async def get_template(self, name: str, language: str = "en_US") -> TemplateInfo | None:
        """The approved-template description of ``name``/``language`` (cached), or None.

        The listing is cached for ``template_cache_ttl`` seconds; a miss refreshes it
        once (a template approved since the last listing is found).

        Example::

            info = await wa.get_template("order_update", "en_US")
        """
        self._operations.require("list_templates")
        return await self._templates.get(name, language)

    def invalidate_templates(self) -> None:
        """Forget the cached template listing (the next check fetches it again).

        Example::

            wa.invalidate_templates()
        """
        self._templates.invalidate()

    def _invalidate(self, cache: str) -> None:
        if cache == "templates":
            self._templates.invalidate()

    @overload
    async def call(self, operation: Operation[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @overload
    async def call(self, operation: str, /, *args: Any, **kwargs: Any) -> Any: ...

    async def call(self, operation: Operation[Any, Any] | str, /, *args: Any, **kwargs: Any) -> Any:
        """Run a provider-specific operation: typed when given the provider's :class:`Operation`.

        Example::

            result = await pilot.call(PilotProvider.cancel, ["msg_1", "msg_2"])  # CancelResult
            result = await pilot.call("cancel", ["msg_1"])                       # by name
        """
        found = self._operations.lookup(operation)
        return await self._operations.call(found, *args, **kwargs)
