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
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from ._ratelimit import RateLimiter
from ._retry import RetryPolicy
from ._timeout import Timeout
from ._transport import Transport
from .errors import APIConnectionError, APIError, APIStatusError, WhatsAppError
from .provider import HttpRequest, HttpResponse, Provider, redact
from .recipients import Recipient

__all__ = ["Executor", "InDoubt", "describe"]

log = logging.getLogger("whatsapp_async")

T = TypeVar("T")


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


def describe(exc: WhatsAppError) -> str:
    """A one-line, credential-free description of an error for logs.

    Example::

        describe(err)  # 'RateLimitError status=429 code=130429'
    """
    if isinstance(exc, APIStatusError):
        return f"{type(exc).__name__} status={exc.status} code={exc.code}"
    return f"{type(exc).__name__}: {exc.message}"


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
    ) -> None:
        self.provider = provider
        self._provider = provider
        self._name = provider.name
        self._transport = transport
        self._retry = retry
        self._limiter = limiter
        self._pair_limiter = pair_limiter
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
    ) -> HttpResponse:
        """Send ``request`` under the rate limits and retry policy; a 2xx or a typed error."""
        policy = policy or self._retry
        loop = asyncio.get_running_loop()
        started = loop.time()
        waits = None
        attempt = 0
        while True:
            if self._limiter is not None:
                await self._limiter.acquire(self._sender_key)
            if self._pair_limiter is not None and recipient is not None:
                await self._pair_limiter.acquire(f"{self._sender_key}:{recipient}")
            try:
                if sent is not None:
                    sent.in_doubt = True
                response = await self._transport.execute(request, timeout=timeout)
                if sent is not None:
                    sent.in_doubt = False
                if response.status < 400:
                    return response
                raise self._provider.error_from_response(response)
            except APIError as exc:
                if sent is not None and isinstance(exc, APIConnectionError):
                    sent.in_doubt = exc.request_sent
                self.scrub(exc)
                if attempt >= policy.max_retries or not policy.is_retryable(
                    exc, idempotent=request.idempotent, server_errors=retry_server_errors
                ):
                    self._log_failure(exc, attempt)
                    raise
                waits = waits or policy.waits()
                wait = policy.wait_for(exc, next(waits))
                if wait is None or loop.time() - started + wait > policy.max_elapsed:
                    self._log_failure(exc, attempt, gave_up_wait=wait)
                    raise
                log.info(
                    "retrying %s %s after %s (attempt %d of %d, waiting %.2fs)",
                    self._name,
                    request.method,
                    describe(exc),
                    attempt + 1,
                    policy.max_retries,
                    wait,
                )
                attempt += 1
                if wait > 0:
                    await asyncio.sleep(wait)

    def parse(self, response: HttpResponse, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``: a provider's parse step, whose surprises still come out typed.

        A provider choking on an unexpected (2xx) body raises an ``APIStatusError`` carrying
        that body, never a ``KeyError`` or a msgspec error.
        """
        try:
            return fn(*args)
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
            self.scrub(error)
            raise error from exc

    def scrub(self, exc: WhatsAppError) -> None:
        """Remove configured secrets from ``exc`` (message and raw body)."""
        # Providers never put credentials in errors; this is the belt to that brace.
        if not self._secrets:
            return
        exc.message = redact(exc.message, self._secrets)
        exc.args = (exc.message,)
        if isinstance(exc, APIStatusError) and exc.body:
            for secret in self._secrets:
                if len(secret) >= 4:
                    exc.body = exc.body.replace(secret.encode(), b"***")

    def _log_failure(
        self, exc: WhatsAppError, attempt: int, gave_up_wait: float | None = None
    ) -> None:
        reason = ""
        if gave_up_wait is None and getattr(exc, "retry_after", None) is not None:
            reason = f" (retry_after {exc.retry_after}s exceeds the cap)"  # type: ignore[attr-defined]
        log.warning(
            "%s request failed after %d attempt(s): %s%s",
            self._name,
            attempt + 1,
            describe(exc),
            reason,
        )
