"""Executing one provider request under the client's policy: limits, retries, logging, scrubbing.

The client builds requests (through the provider) and decides what to send;
the executor sends one request until it succeeds or the retry policy gives
up: it waits for the rate limiters before every attempt, turns error
responses into the provider's typed errors, retries what the policy allows
(honouring ``retry_after``), logs one line per retry and per final failure,
and strips credentials from every error it raises.

Example::

    executor = Executor(provider=p, transport=t, retry=RetryPolicy(), limiter=None,
                        pair_limiter=None, sender_key="meta:123", secrets=[token])
    response = await executor.execute(request)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import msgspec

from ._adaptive import FeedbackLimiter
from ._budget import RetryBudget
from ._ratelimit import RateLimiter
from ._request_log import log_attempt, log_failure, log_retry, log_throttle, log_wait
from ._retry import RetryPolicy
from ._telemetry import Telemetry
from ._timeout import Timeout
from ._transport import Transport
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    RateLimitError,
    ServerError,
    WhatsAppError,
)
from .provider import HttpRequest, HttpResponse, Provider, redact, scrub_value
from .recipients import Recipient
from .results import SendResult

__all__ = ["Executor", "InDoubt"]

T = TypeVar("T")
_E = TypeVar("_E", bound=APIError)

MIN_CONCURRENCY = 100
"""Requests in flight the client allows at least (as before the pool sized itself)."""
MAX_CONCURRENCY = 1000
"""The most requests in flight a client lets itself grow to (documented in the README)."""
CONCURRENCY_HEADROOM = 1.5
"""In flight = rate * latency * this: latency varies, and a slot free early is cheap."""


class _DeadlinePassed(Exception):
    """A throttled send's wait in line reached its deadline (raised as its RateLimitError)."""


class InDoubt:
    """Whether a send's last request may have reached the provider unanswered.

    Example::

        flag = InDoubt()
        await executor.execute(request, sent=flag)
        flag.in_doubt  # False: an answer came back
    """

    __slots__ = ("in_doubt",)

    def __init__(self) -> None:
        self.in_doubt = False


def _keep_doubt(error: _E, doubt: bool) -> _E:
    """``error``, marked in doubt when an earlier attempt of the same send may have delivered."""
    if doubt:
        error.in_doubt = True
    return error


class Executor:
    """Sends requests for one client (see the module docs).

    Example::

        response = await executor.execute(request, policy=RetryPolicy(max_retries=0))
    """

    def __init__(
        self,
        *,
        provider: Provider,
        transport: Transport,
        retry: RetryPolicy,
        limiter: RateLimiter | None,
        pair_limiter: RateLimiter | None,
        sender_key: str,
        secrets: list[str],
        telemetry: Telemetry | None = None,
        budget: RetryBudget | None = None,
    ) -> None:
        self.provider = provider
        self.budget = budget or RetryBudget()
        self.telemetry = telemetry or Telemetry()
        self._provider = provider
        self._name = provider.name
        self._transport = transport
        self._retry = retry
        self._limiter = limiter
        self._pair_limiter = pair_limiter
        # Decided once: a runtime protocol check costs ~30 µs, too much for every answer.
        self._feedback = limiter if isinstance(limiter, FeedbackLimiter) else None
        self._pair_feedback = pair_limiter if isinstance(pair_limiter, FeedbackLimiter) else None
        self._sender_key = sender_key
        self._secrets = secrets

    async def execute(
        self,
        request: HttpRequest,
        *,
        policy: RetryPolicy | None = None,
        timeout: Timeout | None = None,
        recipient: Recipient | None = None,
        retry_server_errors: bool = True,
        sent: InDoubt | None = None,
        idempotency_key: str | None = None,
        deadline: float | None = None,
        sender_key: str | None = None,
    ) -> HttpResponse:
        """Send ``request`` under the rate limits and retry policy; a 2xx or a typed error.

        ``sender_key`` keys the sender and pair limiters when the send goes out from another
        of the client's business numbers (``sender=``); by default the client's own.

        Throttling is back-pressure, not failure: a throttled request waits its turn (the
        adaptive limiter has slowed down; or the provider's ``retry_after``; or a backoff) and
        goes again, without spending an error retry, until ``deadline`` (``loop.time()``;
        default: ``policy.max_elapsed`` after the first attempt). Other errors are retried as
        the policy allows, within the client's retry budget.
        """
        policy = policy or self._retry
        key = self._sender_key if sender_key is None else sender_key
        loop = asyncio.get_running_loop()
        started = loop.time()
        ends = started + policy.max_elapsed if deadline is None else deadline
        if deadline is None and policy.throttle_deadline is not None:
            throttle_ends = started + policy.throttle_deadline
        else:
            throttle_ends = ends
        waits: Iterator[float] | None = None
        throttle_waits: Iterator[float] | None = None
        retries = 0
        tries = 0
        slots = self._transport.slots
        throttled: RateLimitError | None = None
        # An earlier attempt that may have delivered the message keeps the send in doubt,
        # whatever the last attempt answered (a throttle or a refusal says nothing about it).
        doubt = False
        while True:
            try:
                async with slots:  # first the slot, then the limiter: paced requests leave paced
                    if throttled is None:
                        sent_at = await self._wait_for_limits(recipient, loop, key)
                    else:
                        # Back in line after a throttle: the wait in line counts against the
                        # send's deadline too.
                        sent_at = await self._wait_in_line(recipient, loop, throttle_ends, key)
                    response = await self._attempt(request, timeout, tries, sent, idempotency_key)
            except _DeadlinePassed:
                assert throttled is not None
                reason = " (throttled past its deadline)"
                self._log_failure(request, throttled, tries, recipient, reason=reason)
                raise _keep_doubt(throttled, doubt) from None
            except RateLimitError as exc:
                throttled = _keep_doubt(exc, doubt)
                self.scrub(exc)
                paced = self._learn_throttle(exc, recipient, sent_at, key)
                throttle_waits = throttle_waits or policy.waits()
                wait = self._throttle_wait(exc, policy, paced, throttle_waits)
                if wait is None or loop.time() + wait > throttle_ends:
                    reason = (
                        f" (retry_after {exc.retry_after}s exceeds the cap)"
                        if wait is None
                        else " (still throttled at the send's deadline)"
                    )
                    self._log_failure(request, exc, tries, recipient, reason=reason)
                    raise
                log_throttle(
                    provider=self._name, method=request.method, error=exc, attempt=tries, wait=wait
                )
                tries += 1
                if wait > 0:
                    await asyncio.sleep(wait)
                continue
            except APIError as exc:
                doubt = _keep_doubt(exc, doubt).in_doubt
                self.scrub(exc)
                if retries >= policy.max_retries or not policy.is_retryable(
                    exc, idempotent=request.idempotent, server_errors=retry_server_errors
                ):
                    self._log_failure(request, exc, tries, recipient)
                    raise
                waits = waits or policy.waits()
                wait = policy.wait_for(exc, next(waits))
                if wait is None or loop.time() + wait > ends:
                    reason = (
                        f" (retry_after {getattr(exc, 'retry_after', None)}s exceeds the cap)"
                        if wait is None
                        else f" (a retry would end after max_elapsed={policy.max_elapsed}s)"
                    )
                    self._log_failure(request, exc, tries, recipient, reason=reason)
                    raise
                if not self.budget.take():
                    reason = " (the client's retry budget is spent: the provider looks down)"
                    self._log_failure(request, exc, tries, recipient, reason=reason)
                    raise
                log_retry(
                    provider=self._name,
                    method=request.method,
                    error=exc,
                    attempt=retries,
                    retries=policy.max_retries,
                    wait=wait,
                )
                if self.telemetry.enabled:
                    self.telemetry.retry(exc)
                retries += 1
                tries += 1
                if wait > 0:
                    await asyncio.sleep(wait)
                continue
            self._learn_success(recipient, sent_at, key)
            return response

    # -- what the limiters and the budget learn --------------------------------------------------
    def _learn_success(self, recipient: Recipient | None, sent_at: float, sender: str) -> None:
        self.budget.succeeded()
        limiter = self._feedback
        if limiter is not None:
            limiter.observe(sender, sent_at=sent_at, throttled=False)
            self._size_slots(limiter)

    def _learn_throttle(
        self, error: RateLimitError, recipient: Recipient | None, sent_at: float, sender: str
    ) -> bool:
        """Tell the limiter in charge; whether that limiter now paces the retry itself."""
        if error.code is not None and error.code in self._provider.pair_limit_codes:
            pair = self._pair_feedback
            if pair is not None and recipient is not None:
                key = f"{sender}:{recipient}"
                pair.observe(key, sent_at=sent_at, throttled=True, retry_after=error.retry_after)
                return True
            return False
        limiter = self._feedback
        if limiter is not None:
            limiter.observe(sender, sent_at=sent_at, throttled=True, retry_after=error.retry_after)
            return True
        return False

    @staticmethod
    def _throttle_wait(
        error: RateLimitError, policy: RetryPolicy, paced: bool, waits: Iterator[float]
    ) -> float | None:
        requested = error.retry_after
        if requested is not None and requested > policy.retry_after_cap:
            return None
        if requested is not None and requested > 0:
            return float(requested)
        # The adaptive limiter has just slowed down and spaces this retry with the others;
        # without one, back off so as not to hammer a provider that says "too fast".
        return 0.0 if paced else next(waits)

    def _size_slots(self, limiter: FeedbackLimiter) -> None:
        """Little's law: keep ``rate * latency`` (with headroom) requests in flight."""
        slots = self._transport.auto_slots
        if slots is None:
            return
        rate = getattr(limiter, "rate", None)
        if not isinstance(rate, (int, float)):
            return
        wanted = self.wanted_concurrency(float(rate))
        if wanted != slots.size:
            slots.resize(wanted)

    def wanted_concurrency(self, rate: float) -> int:
        """Requests in flight needed to sustain ``rate`` at the observed latency (bounded).

        Example::

            executor.wanted_concurrency(1000.0)  # ~300 at 200 ms
        """
        latency = self._transport.latency
        wanted: int = math.ceil(rate * latency * CONCURRENCY_HEADROOM) + 4
        return max(MIN_CONCURRENCY, min(MAX_CONCURRENCY, wanted))

    async def _wait_in_line(
        self,
        recipient: Recipient | None,
        loop: asyncio.AbstractEventLoop,
        ends: float,
        sender: str,
    ) -> float:
        left = ends - loop.time()
        if left <= 0:
            raise _DeadlinePassed
        try:
            return await asyncio.wait_for(self._wait_for_limits(recipient, loop, sender), left)
        except asyncio.TimeoutError:
            raise _DeadlinePassed from None

    async def _wait_for_limits(
        self, recipient: Recipient | None, loop: asyncio.AbstractEventLoop, sender: str
    ) -> float:
        """Wait for the sender and pair limiters; the time the request may leave."""
        if self._limiter is not None:
            before = loop.time()
            await self._limiter.acquire(sender)
            log_wait(provider=self._name, limiter="sender", seconds=loop.time() - before)
        if self._pair_limiter is not None and recipient is not None:
            before = loop.time()
            await self._pair_limiter.acquire(f"{sender}:{recipient}")
            log_wait(provider=self._name, limiter="pair", seconds=loop.time() - before)
        return time.monotonic()

    async def _attempt(
        self,
        request: HttpRequest,
        timeout: Timeout | None,
        attempt: int,
        sent: InDoubt | None,
        key: str | None,
    ) -> HttpResponse:
        """One HTTP attempt: a 2xx response, or the typed error (logged and traced)."""
        telemetry = self.telemetry
        if not telemetry.enabled:
            return await self._attempt_once(request, timeout, attempt, sent, key)
        with telemetry.attempt(request, attempt) as span:
            try:
                response = await self._attempt_once(request, timeout, attempt, sent, key)
            except APIStatusError as exc:
                span.finish(exc.status, exc)
                if isinstance(exc, RateLimitError):
                    telemetry.throttled()
                raise
            except BaseException as exc:
                span.finish(None, exc)
                raise
            span.finish(response.status, None)
            return response

    async def _attempt_once(
        self,
        request: HttpRequest,
        timeout: Timeout | None,
        attempt: int,
        sent: InDoubt | None,
        key: str | None,
    ) -> HttpResponse:
        started = time.perf_counter()
        if sent is not None:
            sent.in_doubt = True
        try:
            response = await self._transport.send(request, timeout=timeout)
        except APIConnectionError as exc:
            if sent is not None:
                sent.in_doubt = exc.request_sent
            self._log_attempt(request, None, None, attempt, started, key)
            raise
        if sent is not None:
            sent.in_doubt = False
        if 200 <= response.status < 300:
            self._log_attempt(request, response.status, None, attempt, started, key)
            return response
        # Not a success: an error answer, or a redirect (never followed: a 3xx body is a
        # redirect page, not what was asked for).
        error = self._provider.error_from_response(response)
        self.decide_in_doubt(error)
        self._log_attempt(request, response.status, error.code, attempt, started, key)
        raise error

    def decide_in_doubt(self, error: APIStatusError) -> None:
        """Whether the message may have been delivered despite this error answer.

        The one place that decides it (``docs/guarantees.md``): a 4xx is a refusal; a 5xx (or
        a code the provider maps to ``ServerError`` whatever the status) may have been
        processed before it failed, unless the provider documents the code as "not
        processed" (``Provider.not_processed_codes``).
        """
        failed_there = error.status >= 500 or isinstance(error, ServerError)
        error.in_doubt = failed_there and error.code not in self._provider.not_processed_codes

    def _log_attempt(
        self,
        request: HttpRequest,
        status: int | None,
        code: int | str | None,
        attempt: int,
        started: float,
        key: str | None,
    ) -> None:
        log_attempt(
            provider=self._name,
            method=request.method,
            url=request.url,
            status=status,
            code=code,
            attempt=attempt,
            latency=time.perf_counter() - started,
            key=key,
        )

    def parse(self, response: HttpResponse, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``: a provider's parse step, whose surprises still come out typed.

        A provider choking on an unexpected (2xx) body raises an ``APIStatusError`` carrying
        that body, never a ``KeyError`` or a msgspec error; it is in doubt (the provider said
        yes, we could not read what to). A decoded body that echoes a credential is
        scrubbed before it is kept (``SendResult.raw``).
        """
        try:
            result = fn(*args)
        except WhatsAppError as exc:
            self.scrub(exc)
            raise
        except Exception as exc:
            error = APIStatusError(
                f"unexpected response body ({type(exc).__name__})",
                provider=self._name,
                status=response.status,
                body=response.body,
            )
            error.in_doubt = 200 <= response.status < 300
            self.scrub(error)
            raise error from exc
        if self._secrets and self._echoes_secret(response.body):
            result = self._scrub_result(result)
        return result

    def _echoes_secret(self, body: bytes) -> bool:
        return any(len(s) >= 4 and s.encode() in body for s in self._secrets)

    def _scrub_result(self, result: T) -> T:
        if isinstance(result, SendResult):
            scrubbed = msgspec.structs.replace(result, raw=scrub_value(result.raw, self._secrets))
            return scrubbed
        return result

    def scrub(self, exc: WhatsAppError) -> None:
        """Remove configured secrets from ``exc`` (message and raw body)."""
        # Providers never put credentials in errors; this is the belt to that brace.
        if not self._secrets:
            return
        exc.message = redact(exc.message, self._secrets)
        exc.args = (exc.message,)
        if isinstance(exc, APIStatusError):
            if exc.body:
                for secret in self._secrets:
                    if len(secret) >= 4:
                        exc.body = exc.body.replace(secret.encode(), b"***")
            if exc.details is not None:
                exc.details = scrub_value(exc.details, self._secrets)

    def _log_failure(
        self,
        request: HttpRequest,
        exc: WhatsAppError,
        attempt: int,
        recipient: Recipient | None,
        reason: str = "",
    ) -> None:
        log_failure(
            provider=self._name,
            method=request.method,
            error=exc,
            attempts=attempt + 1,
            recipient=recipient,
            reason=reason,
        )
