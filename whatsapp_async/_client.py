"""The ``WhatsApp`` facade: one call site for every provider.

The client normalises recipients, checks the provider's capabilities, asks the
provider for a request, and owns everything that does I/O or keeps time: the
aiohttp transport, retries, rate limits and bulk concurrency.

Example::

    from whatsapp_async import WhatsApp, Text

    async with WhatsApp("meta", token="...", phone_number_id="...") as wa:
        result = await wa.send("+14155552671", Text("Your order has shipped"))
        print(result.id, result.status)
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import msgspec

from . import _registry
from ._bulk import BulkInput, BulkItem, BulkRun, Job, ResultCallback
from ._config import load_profile, load_settings
from ._executor import Executor, InDoubt
from ._failover import Failover
from ._idempotency import IdempotencyStore, fingerprint
from ._ratelimit import RateLimiter, TokenBucket
from ._retry import RetryPolicy
from ._template_check import check_template
from ._timeout import Timeout, as_timeout
from ._transport import Transport
from .errors import (
    APIStatusError,
    ConfigurationError,
    UnsupportedFeature,
    ValidationError,
    WhatsAppError,
)
from .events import Event, InboundMedia
from .messages import Media, Message, Template
from .provider import (
    FormFile,
    HttpResponse,
    MediaInfo,
    MediaSource,
    Provider,
    SendOptions,
    Settings,
    check_media,
    guess_mime_type,
)
from .recipients import PhoneValidation, Recipient, normalise
from .results import BulkResult, MessageStatus, SendResult, TemplateInfo

if TYPE_CHECKING:
    from aiohttp import web

    from ._webhook_app import EventHandler

__all__ = ["WhatsApp"]

log = logging.getLogger("whatsapp_async")
webhook_log = logging.getLogger("whatsapp_async.webhooks")

_DEFAULT: Final = "default"
_MESSAGE_TYPES = Message.__args__  # type: ignore[attr-defined]
_CLIENT_KEYS = (
    "base_url",
    "timeout",
    "max_retries",
    "rate_limit",
    "pair_spacing",
    "default_region",
    "phone_validation",
    "connection_limit",
)


class _Prepared(msgspec.Struct):
    recipient: Recipient
    message: Message
    options: SendOptions


class WhatsApp:
    """An async WhatsApp client bound to one provider.

    ``provider`` is a registered name (``"meta"``, ``"magpipe"``, ``"pilot"``,
    ``"gateway"``, or a third party's) or a :class:`Provider` instance;
    ``**settings`` are that provider's settings (see ``docs/providers.md``).

    - ``base_url`` replaces the provider's whole default base URL
    - ``session``: a caller-owned ``aiohttp.ClientSession`` (never closed by us)
    - ``timeout``: seconds (total) or a :class:`Timeout`
    - ``max_retries`` / ``retry``: the :class:`RetryPolicy` (default 2 retries)
    - ``rate_limit``: messages per second per sender, None for off, or a
      :class:`RateLimiter`; by default the provider's documented limit (Meta 80/s)
    - ``pair_spacing``: seconds between messages to the same recipient (Meta's
      pair limit is 6 s), off by default
    - ``default_region`` / ``phone_validation``: how phone numbers are read
    - ``idempotency_store``: an :class:`IdempotencyStore`; sends whose key already has a
      result return it without a request (see ``whatsapp_async.IdempotencyStore``)
    - ``check_templates``: check ``Template`` sends against the provider's approved
      templates (cached for ``template_cache_ttl`` seconds) before any request; providers
      without a template listing skip the check

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
        rate_limit: float | RateLimiter | str | None = _DEFAULT,
        pair_spacing: float | RateLimiter | None = None,
        default_region: str | None = None,
        phone_validation: PhoneValidation = "valid",
        connection_limit: int = 100,
        idempotency_store: IdempotencyStore | None = None,
        check_templates: bool = False,
        template_cache_ttl: float = 300.0,
        **settings: Any,
    ) -> None:
        if isinstance(provider, Provider):
            if settings:
                raise ConfigurationError(
                    "settings go to the Provider instance, not to WhatsApp(), when passing one"
                )
            self._provider = provider
        elif isinstance(provider, str):
            cls = _registry.load(provider)
            parsed = load_settings(provider, cls.settings_type, settings)
            self._provider = cls(parsed, base_url=base_url)
        else:
            raise ConfigurationError("provider must be a registered name or a Provider instance")
        if phone_validation not in ("valid", "possible"):
            raise ConfigurationError("phone_validation must be 'valid' or 'possible'")
        if default_region is not None and (
            not isinstance(default_region, str) or len(default_region) != 2
        ):
            raise ConfigurationError("default_region must be an ISO 3166 alpha-2 code like 'US'")
        self._name = self._provider.name
        self._caps = self._provider.capabilities
        self._default_region = default_region.upper() if default_region else None
        self._validation: PhoneValidation = phone_validation
        policy = retry or RetryPolicy()
        self._retry = policy.with_max_retries(max_retries)
        self._timeout = as_timeout(timeout)
        self._transport = Transport(
            session=session,
            timeout=self._timeout,
            connection_limit=connection_limit,
            provider=self._name,
        )
        self._limiter = self._make_limiter(rate_limit)
        self._pair_limiter: RateLimiter | None = (
            TokenBucket(rate=1.0 / float(pair_spacing), burst=1)
            if isinstance(pair_spacing, (int, float))
            else pair_spacing
        )
        self._sender_key = f"{self._name}:{self._provider.sender_key}"
        self._store = idempotency_store
        self._check_templates = check_templates
        self._warned_unverified = False
        self._template_ttl = template_cache_ttl
        self._templates: dict[tuple[str, str], TemplateInfo] = {}
        self._templates_at: float | None = None
        self._templates_lock = asyncio.Lock()
        settings_obj = self._provider.settings
        secrets = settings_obj.secrets() if isinstance(settings_obj, Settings) else []
        self._executor = Executor(
            provider=self._provider,
            transport=self._transport,
            retry=self._retry,
            limiter=self._limiter,
            pair_limiter=self._pair_limiter,
            sender_key=self._sender_key,
            secrets=secrets,
        )
        self._execute = self._executor.execute

    def _make_limiter(self, rate_limit: float | RateLimiter | str | None) -> RateLimiter | None:
        if rate_limit == _DEFAULT:
            rate = self._provider.default_rate_limit
            return TokenBucket(rate) if rate else None
        if rate_limit is None:
            return None
        if isinstance(rate_limit, (int, float)):
            if rate_limit <= 0:
                raise ConfigurationError("rate_limit must be a positive number or None")
            return TokenBucket(float(rate_limit))
        if isinstance(rate_limit, RateLimiter):
            return rate_limit
        raise ConfigurationError("rate_limit must be a number, None or a RateLimiter")

    # -- construction from configuration ------------------------------------------------------
    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> WhatsApp:
        """A client from a mapping with ``provider`` plus client options and settings.

        Example::

            WhatsApp.from_config({"provider": "magpipe", "api_key": "mgp_...",
                                  "phone_number_id": "123"})
        """
        values = {**config, **overrides}
        provider = values.pop("provider", None)
        if not provider:
            raise ConfigurationError("configuration needs 'provider'")
        return cls(provider, **values)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], profile: str | None = None, **overrides: Any
    ) -> WhatsApp:
        """A client from a named profile of a TOML file.

        The file holds ``[profiles.<name>]`` tables (each with ``provider`` and
        its settings) and optionally ``default = "<name>"``. A value written as
        ``{ env = "VAR" }`` is read from the environment, so secrets can stay
        out of the file.

        Example::

            # whatsapp.toml
            # default = "prod"
            # [profiles.prod]
            # provider = "meta"
            # token = { env = "META_TOKEN" }
            # phone_number_id = "1234567890"
            wa = WhatsApp.from_file("whatsapp.toml", profile="prod")
        """
        return cls.from_config(load_profile(path, profile), **overrides)

    @classmethod
    def with_fallback(cls, *clients: WhatsApp, failover_on_ambiguous: bool = False) -> Failover:
        """A :class:`Failover` that tries ``clients`` in order for each send.

        Example::

            wa = WhatsApp.with_fallback(WhatsApp("meta", ...), WhatsApp("pilot", ...))
        """
        return Failover(clients, failover_on_ambiguous=failover_on_ambiguous)

    @classmethod
    def from_env(
        cls,
        prefix: str = "WHATSAPP_",
        environ: Mapping[str, str] | None = None,
        *,
        provider: str | None = None,
        **overrides: Any,
    ) -> WhatsApp:
        """A client from ``{prefix}PROVIDER`` and ``{prefix}<SETTING>`` environment variables.

        ``provider`` overrides ``{prefix}PROVIDER``.

        Example::

            # WHATSAPP_PROVIDER=pilot WHATSAPP_API_KEY=ps_...
            wa = WhatsApp.from_env()
        """
        env = os.environ if environ is None else environ
        name = provider or env.get(f"{prefix}PROVIDER")
        if not name:
            raise ConfigurationError(f"environment variable {prefix}PROVIDER is not set")
        provider_cls = _registry.load(name)
        values: dict[str, Any] = {}
        for key in (*provider_cls.settings_type.__struct_fields__, *_CLIENT_KEYS):
            raw = env.get(f"{prefix}{key.upper()}")
            if raw is not None and raw != "":
                values[key] = _env_value(key, raw)
        values.update(overrides)
        return cls(name, **values)

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
    def capabilities(self) -> Any:
        """What this provider supports (a :class:`Capabilities`)."""
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
        """Close the HTTP session this client opened (a caller-owned one stays open)."""
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
    ) -> SendResult:
        """Send one message; return its :class:`SendResult` or raise a typed error.

        Everything that can be checked locally is checked before any request:
        the recipient, the provider's capabilities, documented limits.

        Example::

            r = await wa.send("+14155552671", Text("hi"), reply_to="wamid.X")
        """
        prepared = self._prepare(
            to,
            message,
            reply_to=reply_to,
            idempotency_key=idempotency_key,
            metadata=metadata,
            deliver_at=deliver_at,
            deliver_until=deliver_until,
            extra=extra,
        )
        if self._needs_lookups(prepared.message):
            prepared = await self._complete(prepared)
        return await self._send_prepared(
            prepared,
            timeout=None if timeout is None else as_timeout(timeout),
            policy=self._retry.with_max_retries(max_retries),
        )

    def _prepare(
        self,
        to: str | Recipient,
        message: Message,
        *,
        reply_to: str | None,
        idempotency_key: str | None,
        metadata: Mapping[str, Any] | None,
        deliver_at: datetime | None,
        deliver_until: datetime | None,
        extra: Mapping[str, Any] | None,
    ) -> _Prepared:
        if not isinstance(message, _MESSAGE_TYPES):
            raise ValidationError(
                f"message must be one of the whatsapp_async message types, "
                f"got {type(message).__name__}",
                provider=self._name,
            )
        recipient = normalise(to, default_region=self._default_region, validation=self._validation)
        caps = self._caps
        if message.kind not in caps.messages:
            raise self._unsupported(
                message.kind, f"{self._name} cannot send {message.kind} messages"
            )
        if recipient.kind not in caps.recipients:
            raise self._unsupported(
                recipient.kind,
                f"{self._name} cannot send to a {recipient.kind} "
                f"(recipients: {', '.join(sorted(caps.recipients))})",
            )
        if (
            isinstance(message, Media)
            and message.file is not None
            and not {"upload_media", "inline_media"} & caps.operations
        ):
            raise self._unsupported(
                "file", f"{self._name} cannot send local files (use link= or id=)"
            )
        for option, value in (
            ("reply_to", reply_to),
            ("metadata", metadata),
            ("deliver_at", deliver_at),
            ("deliver_until", deliver_until),
        ):
            if value is not None and option not in caps.options:
                raise self._unsupported(option, f"{self._name} does not support {option}=")
        for option, when in (("deliver_at", deliver_at), ("deliver_until", deliver_until)):
            if when is not None and (not isinstance(when, datetime) or when.tzinfo is None):
                raise ValidationError(
                    f"{option} must be a timezone-aware datetime", provider=self._name, field=option
                )
        if metadata is not None and not isinstance(metadata, Mapping):
            raise ValidationError(
                "metadata must be a mapping (a JSON object)", provider=self._name, field="metadata"
            )
        if extra is not None and not isinstance(extra, Mapping):
            raise ValidationError("extra must be a mapping", provider=self._name, field="extra")
        if idempotency_key is None and self._store is not None:
            # The same logical send always gets the same key, so a re-run finds its result.
            idempotency_key = fingerprint(
                self._sender_key,
                recipient,
                message.kind,
                message,
                metadata,
                extra,
                reply_to,
                deliver_at,
                deliver_until,
            )
        elif idempotency_key is None and "idempotency" in caps.operations:
            # One key per logical send, reused by every retry of it.
            idempotency_key = uuid.uuid4().hex
        options = SendOptions(
            reply_to=reply_to,
            idempotency_key=idempotency_key,
            metadata=metadata,
            deliver_at=deliver_at,
            deliver_until=deliver_until,
            extra=extra,
        )
        return _Prepared(recipient, message, options)

    def _unsupported(self, feature: str, text: str) -> UnsupportedFeature:
        return self._provider.unsupported(feature, text)

    async def _send_prepared(
        self, prepared: _Prepared, *, timeout: Timeout | None, policy: RetryPolicy
    ) -> SendResult:
        key = prepared.options.idempotency_key
        if self._store is None or key is None:
            return await self._send_once(prepared, timeout=timeout, policy=policy)
        stored = await self._store.reserve(key)
        if stored is not None:
            return msgspec.structs.replace(stored, idempotent_replayed=True)
        sent = InDoubt()
        try:
            result = await self._send_once(prepared, timeout=timeout, policy=policy, sent=sent)
        except BaseException:
            # The message may have been delivered when the last request went out and no
            # answer came back (a reset, a timeout, a cancellation mid-request): keep the
            # reservation until it expires rather than invite a duplicate.
            if not sent.in_doubt:
                await self._store.release(key)
            raise
        await self._store.complete(key, result)
        return result

    async def _send_once(
        self,
        prepared: _Prepared,
        *,
        timeout: Timeout | None,
        policy: RetryPolicy,
        sent: InDoubt | None = None,
    ) -> SendResult:
        provider = self._provider
        request = provider.build_send(prepared.recipient, prepared.message, prepared.options)
        response = await self._execute(
            request, policy=policy, timeout=timeout, recipient=prepared.recipient, sent=sent
        )
        result: SendResult = self._parse(
            response, provider.parse_send, response, prepared.recipient, prepared.message
        )
        return result

    def _parse(self, response: HttpResponse, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except WhatsAppError:
            raise
        except Exception as exc:  # a provider choking on an unexpected body: still typed
            raise APIStatusError(
                f"unexpected response body ({type(exc).__name__})",
                provider=self._name,
                status=response.status,
                body=response.body,
            ) from exc

    # -- bulk -----------------------------------------------------------------------------------
    async def send_many(
        self,
        items: Iterable[BulkInput],
        *,
        concurrency: int = 50,
        on_result: ResultCallback | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
    ) -> BulkResult:
        """Send many messages with bounded concurrency; one outcome per item, in input order.

        Items are ``(to, message)`` pairs or :class:`BulkItem`. Each outcome is a
        :class:`SendResult` or the :class:`WhatsAppError` that item failed with;
        ``on_result(index, outcome)`` is called as each item finishes. A provider
        with a native batch endpoint gets items that share a message in batches.

        If the call is cancelled, outstanding sends are cancelled and
        ``CancelledError`` propagates carrying ``bulk_result``: a complete
        :class:`BulkResult` whose unfinished items are :class:`SendCancelled`.

        Example::

            bulk = await wa.send_many([(n, Text("hi")) for n in numbers], concurrency=100)
            print(bulk.sent, bulk.failed)
        """
        if concurrency < 1:
            raise ValidationError("concurrency must be at least 1")
        entries = list(items)
        run = BulkRun(len(entries), provider=self._name, on_result=on_result)
        call_timeout = None if timeout is None else as_timeout(timeout)
        policy = self._retry.with_max_retries(max_retries)
        batching = "native_batch" in self._caps.operations
        # Without native batches each item is prepared by the worker that sends it, so
        # memory grows with the concurrency, not with the number of items.
        prepared: dict[int, _Prepared] = {}
        if batching:
            for index, entry in enumerate(entries):
                try:
                    prepared[index] = self._prepare_item(entry)
                except WhatsAppError as exc:
                    run.settle(index, exc)

        async def run_single(index: int) -> None:
            item = prepared.pop(index) if batching else self._prepare_item(entries[index])
            if self._needs_lookups(item.message):
                item = await self._complete(item)
            run.settle(index, await self._send_prepared(item, timeout=call_timeout, policy=policy))

        async def run_batch(job: list[int]) -> None:
            first = prepared[job[0]]
            await self._check_template(first.message)
            recipients = [prepared[i].recipient for i in job]
            request = self._provider.build_batch(recipients, first.message, first.options)
            # A chunk is many messages: after a 5xx it is not resent (it may have gone out).
            response = await self._execute(
                request, policy=policy, timeout=call_timeout, retry_server_errors=False
            )
            results = self._parse(
                response, self._provider.parse_batch, response, recipients, first.message
            )
            if len(results) != len(job):
                raise APIStatusError(
                    f"batch response has {len(results)} results for {len(job)} recipients",
                    provider=self._name,
                    status=response.status,
                    body=response.body,
                )
            for index, outcome in zip(job, results, strict=True):
                run.settle(index, outcome)

        async def run_job(job: Job) -> None:
            await (run_single(job) if isinstance(job, int) else run_batch(job))

        jobs = self._plan_jobs(prepared) if batching else range(len(entries))
        return await run.drive(jobs, run_job, concurrency)

    def _prepare_item(self, entry: BulkInput) -> _Prepared:
        if isinstance(entry, BulkItem):
            return self._prepare(
                entry.to,
                entry.message,
                reply_to=entry.reply_to,
                idempotency_key=entry.idempotency_key,
                metadata=entry.metadata,
                deliver_at=entry.deliver_at,
                deliver_until=entry.deliver_until,
                extra=entry.extra,
            )
        if isinstance(entry, tuple) and len(entry) == 2:
            return self._prepare(
                entry[0],
                entry[1],
                reply_to=None,
                idempotency_key=None,
                metadata=None,
                deliver_at=None,
                deliver_until=None,
                extra=None,
            )
        raise ValidationError(
            "send_many items must be (to, message) pairs or BulkItem", provider=self._name
        )

    def _plan_jobs(self, prepared: Mapping[int, _Prepared]) -> list[Job]:
        """Single sends, or native batches of items sharing a message (input order kept)."""
        groups: dict[Any, list[int]] = {}
        singles: list[int] = []
        for index, item in prepared.items():
            key = self._provider.batch_key(item.recipient, item.message, item.options)
            if key is None:
                singles.append(index)
            else:
                groups.setdefault(key, []).append(index)
        jobs: list[Job] = list(singles)
        size = max(1, self._provider.batch_size)
        for members in groups.values():
            if len(members) == 1:
                jobs.append(members[0])
                continue
            for start in range(0, len(members), size):
                jobs.append(members[start : start + size])
        return jobs

    # -- other operations -------------------------------------------------------------------------
    def _require(self, operation: str) -> None:
        if operation not in self._caps.operations:
            raise self._unsupported(operation, f"{self._name} does not support {operation}")

    async def mark_read(self, message_id: str, *, typing: bool = False) -> None:
        """Mark an inbound message as read (and show a typing indicator with ``typing=True``).

        Example::

            await wa.mark_read(event.message_id, typing=True)
        """
        self._require("mark_read")
        if not message_id:
            raise ValidationError("message_id must not be empty", provider=self._name)
        request = self._provider.build_mark_read(message_id, typing)
        response = await self._execute(request)
        self._parse(response, self._provider.parse_mark_read, response)

    async def get_status(self, message_id: str) -> MessageStatus:
        """Look up a sent message's delivery status (providers with status look-ups).

        Example::

            status = await pilot.get_status(result.id)
        """
        self._require("get_status")
        if not message_id:
            raise ValidationError("message_id must not be empty", provider=self._name)
        request = self._provider.build_get_status(message_id)
        response = await self._execute(request)
        status: MessageStatus = self._parse(response, self._provider.parse_status, response)
        return status

    async def list_templates(self, *, max_pages: int = 100) -> list[TemplateInfo]:
        """Every template the provider lists, following paging cursors.

        Example::

            for t in await wa.list_templates():
                print(t.name, t.language, t.status)
        """
        self._require("list_templates")
        out: list[TemplateInfo] = []
        cursor: str | None = None
        for _ in range(max_pages):
            request = self._provider.build_list_templates(cursor)
            response = await self._execute(request)
            page, cursor = self._parse(response, self._provider.parse_templates, response)
            out.extend(page)
            if not cursor:
                break
        return out

    async def get_template(self, name: str, language: str = "en_US") -> TemplateInfo | None:
        """The approved-template description of ``name``/``language`` (cached), or None.

        The listing is cached for ``template_cache_ttl`` seconds; a miss refreshes it
        once (a template approved since the last listing is found).

        Example::

            info = await wa.get_template("order_update", "en_US")
        """
        self._require("list_templates")
        key = (name, language)
        loop = asyncio.get_running_loop()
        async with self._templates_lock:
            now = loop.time()
            age = None if self._templates_at is None else now - self._templates_at
            if age is None or age > self._template_ttl or (key not in self._templates and age > 1):
                listing = await self.list_templates()
                self._templates = {(t.name, t.language): t for t in listing}
                self._templates_at = loop.time()
        return self._templates.get(key)

    async def _check_template(self, message: Message) -> None:
        if (
            self._check_templates
            and isinstance(message, Template)
            and "list_templates" in self._caps.operations
        ):
            info = await self.get_template(message.name, message.language)
            check_template(message, info, provider=self._name)

    def _needs_lookups(self, message: Message) -> bool:
        """Whether a send needs I/O before its request: a template check or a file to upload."""
        return (self._check_templates and isinstance(message, Template)) or (
            isinstance(message, Media) and message.file is not None
        )

    async def _complete(self, prepared: _Prepared) -> _Prepared:
        # Kept off the common path: plain sends skip these two awaits entirely.
        await self._check_template(prepared.message)
        return await self._materialise_media(prepared)

    # -- media ------------------------------------------------------------------------------------
    async def _materialise_media(self, prepared: _Prepared) -> _Prepared:
        """Turn ``file=`` into what the provider takes: an uploaded id, or inline bytes."""
        message = prepared.message
        if not isinstance(message, Media) or message.file is None:
            return prepared
        if "upload_media" in self._caps.operations:
            media_id = await self.upload_media(
                message.file,
                mime_type=message.mime_type,
                filename=getattr(message, "filename", None),
                kind=message.kind,
            )
            replaced = msgspec.structs.replace(message, id=media_id, file=None)
        else:
            mime = message.mime_type or guess_mime_type(message.file)
            if not mime:
                raise ValidationError(
                    f"cannot tell the media type of {message.kind} file; pass mime_type=",
                    provider=self._name,
                    field="mime_type",
                )
            data = message.file
            if self._provider.media_limits:
                # Check before reading: an oversized file is refused without loading it.
                size = len(data) if isinstance(data, bytes) else await _file_size(data)
                check_media(
                    self._provider.media_limits,
                    mime_type=mime,
                    size=size,
                    kind=message.kind,
                    provider=self._name,
                )
            if not isinstance(data, bytes):
                data = await asyncio.to_thread(_read_file, os.fspath(data))
            replaced = msgspec.structs.replace(message, file=data, mime_type=mime)
        return _Prepared(prepared.recipient, replaced, prepared.options)

    async def upload_media(
        self,
        source: MediaSource,
        *,
        mime_type: str | None = None,
        filename: str | None = None,
        kind: str | None = None,
    ) -> str:
        """Upload a file (path, streamed; or bytes) and return its media id.

        The size and MIME type are checked against the provider's documented
        limits before any request (``kind`` narrows the check, e.g. ``"sticker"``).

        Example::

            media_id = await wa.upload_media("receipt.png", mime_type="image/png")
        """
        self._require("upload_media")
        mime = mime_type or guess_mime_type(source, filename)
        if not mime:
            raise ValidationError(
                "cannot tell the file's media type; pass mime_type=",
                provider=self._name,
                field="mime_type",
            )
        file = FormFile.from_source(source, content_type=mime, filename=filename)
        try:
            size = await asyncio.to_thread(file.size)
        except OSError as exc:
            raise ValidationError(
                f"cannot read {file.path!r}: {exc.strerror}", provider=self._name, field="file"
            ) from None
        limits = self._provider.media_limits
        if limits:
            check_media(limits, mime_type=mime, size=size, kind=kind, provider=self._name)
        request = self._provider.build_upload_media(file)
        response = await self._execute(request)
        media_id: str = self._parse(response, self._provider.parse_upload_media, response)
        return media_id

    async def media_url(self, media_id: str) -> MediaInfo:
        """The media object's short-lived download URL and description.

        Example::

            info = await wa.media_url(event.media.id)
        """
        self._require("upload_media")
        request = self._provider.build_media_url(media_id)
        response = await self._execute(request)
        info: MediaInfo = self._parse(response, self._provider.parse_media_url, response)
        return info

    async def download_media(
        self, media: str | InboundMedia, dest: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """Download a media object by id (or an inbound message's media).

        With ``dest`` the file is streamed to disk chunk by chunk and its path
        returned; without, the bytes are returned.

        Example::

            path = await wa.download_media(event.media, dest="inbox/photo.jpg")
        """
        self._require("upload_media")
        media_id = media.id if isinstance(media, InboundMedia) else media
        if not media_id:
            raise ValidationError("media has no id to download", provider=self._name)
        info = await self.media_url(media_id)
        request = self._provider.build_download(info.url)
        if dest is None:
            response = await self._execute(request)
            return response.body
        path = Path(dest)
        fh = await asyncio.to_thread(path.open, "wb")
        try:

            async def sink(chunk: bytes) -> None:
                await asyncio.to_thread(fh.write, chunk)

            response = await self._transport.stream(request, sink)
        finally:
            await asyncio.to_thread(fh.close)
        if response.status >= 300:
            await asyncio.to_thread(path.unlink, True)
            error = self._provider.error_from_response(response)
            self._executor.scrub(error)
            raise error
        return path

    async def delete_media(self, media_id: str) -> None:
        """Delete an uploaded media object.

        Example::

            await wa.delete_media(media_id)
        """
        self._require("upload_media")
        request = self._provider.build_delete_media(media_id)
        response = await self._execute(request)
        self._parse(response, self._provider.parse_delete_media, response)

    async def call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        """Run a provider-specific operation (``build_<op>`` / ``parse_<op>`` on the provider).

        Example::

            result = await pilot.call("cancel", ["msg_1", "msg_2"])
        """
        self._require(operation)
        build = getattr(self._provider, f"build_{operation}", None)
        parse = getattr(self._provider, f"parse_{operation}", None)
        if build is None or parse is None:
            raise self._unsupported(operation, f"{self._name} has no operation {operation!r}")
        request = build(*args, **kwargs)
        response = await self._execute(request)
        if operation.endswith("_template"):
            self.invalidate_templates()  # created or deleted: the cached listing is stale
        return self._parse(response, parse, response)

    def invalidate_templates(self) -> None:
        """Forget the cached template listing (the next check fetches it again).

        Example::

            wa.invalidate_templates()
        """
        self._templates_at = None

    # -- webhooks -------------------------------------------------------------------------------
    def parse_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes,
        query: Mapping[str, str] | None = None,
    ) -> list[Event]:
        """Verify and normalise one webhook delivery into events.

        Example::

            events = wa.parse_webhook(request.headers, await request.read(), request.query)
        """
        provider = self._provider
        if not self._warned_unverified and not provider.verifies_webhooks:
            setting = provider.webhook_secret_setting
            if setting is not None:
                self._warned_unverified = True
                webhook_log.warning(
                    "%s: no %s configured: webhooks are accepted unverified "
                    "(signatures are NOT being verified)",
                    self._name,
                    setting,
                )
        return provider.parse_webhook(headers, body, query or {})

    def webhook_app(
        self,
        handler: EventHandler,
        *,
        path: str = "/",
        max_body: int = 3 * 1024 * 1024,
        dedupe_seconds: float = 600.0,
    ) -> web.Application:
        """An aiohttp app that receives this provider's webhooks and calls ``handler(event)``.

        Example::

            app = wa.webhook_app(on_event, path="/webhooks/whatsapp")
            web.run_app(app, port=8080)
        """
        from ._webhook_app import create_webhook_app

        return create_webhook_app(
            self, handler, path=path, max_body=max_body, dedupe_seconds=dedupe_seconds
        )


def _env_value(key: str, raw: str) -> Any:
    if key in ("max_retries", "connection_limit"):
        return int(raw)
    if key in ("timeout", "pair_spacing"):
        return float(raw)
    if key == "rate_limit":
        return None if raw.lower() in ("none", "off", "0") else float(raw)
    return raw


async def _file_size(path: str | os.PathLike[str]) -> int:
    try:
        return (await asyncio.to_thread(os.stat, path)).st_size
    except OSError as exc:
        raise ValidationError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None


def _read_file(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()
