"""The bulk engine: bounded workers, one outcome per item, cancellation that loses nothing.

``send_many`` (on a client or a failover chain) describes its work as jobs
(an item index, or a list of indices sent as one native batch) and a coroutine
that runs one job and settles its items. :class:`BulkRun` runs the jobs on at
most ``concurrency`` long-lived workers (cheaper than one task per item: fewer
live tasks, less GC and memory), and guarantees every item exactly one outcome.

Example::

    run = BulkRun(len(items), provider="meta")
    result = await run.drive(jobs, run_job, concurrency=50)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Union

from .errors import APIError, SendCancelled, WhatsAppError
from .results import BulkResult, Outcome

__all__ = ["BulkRun", "Job", "ResultCallback"]

log = logging.getLogger("whatsapp_async")

Job = Union[int, list[int]]
ResultCallback = Callable[[int, Outcome], None]


class BulkRun:
    """Outcomes of one bulk send while it runs.

    Example::

        run = BulkRun(3, provider="toy", on_result=print)
        run.settle(0, some_result)
    """

    def __init__(
        self, size: int, *, provider: str, on_result: ResultCallback | None = None
    ) -> None:
        self.provider = provider
        self.outcomes: list[Outcome | None] = [None] * size
        self.started: list[bool] = [False] * size
        self._on_result = on_result

    def settle(self, index: int, outcome: Outcome) -> None:
        """Record ``index``'s outcome (the first one wins) and report it."""
        if self.outcomes[index] is not None:
            return
        self.outcomes[index] = outcome
        if self._on_result is not None:
            try:
                self._on_result(index, outcome)
            except Exception:
                log.exception("send_many on_result callback failed for item %d", index)

    def unexpected(self, exc: BaseException) -> WhatsAppError:
        """A typed error standing for a bug, so the item is not lost."""
        error = APIError(f"unexpected error: {type(exc).__name__}: {exc}", provider=self.provider)
        error.in_doubt = True  # where the bug struck is unknown: the request may have gone out
        return error

    async def drive(
        self,
        jobs: Sequence[Job] | range,
        run_job: Callable[[Job], Awaitable[None]],
        concurrency: int | Callable[[], int],
    ) -> BulkResult:
        """Run ``jobs`` on workers; return every item's outcome in order.

        ``concurrency`` is a number of workers, or a function giving the number wanted now
        (the client's Little's-law estimate): more workers start as it grows, never more than
        there are jobs left.

        On cancellation the workers are cancelled, unfinished items become
        :class:`SendCancelled`, and the ``CancelledError`` propagates with
        ``bulk_result`` set to the complete :class:`BulkResult`.
        """
        job_iter = iter(jobs)
        remaining = [len(jobs)]
        wanted = concurrency if callable(concurrency) else (lambda: concurrency)
        tasks: list[asyncio.Task[None]] = []

        def grow() -> None:
            target = min(wanted(), len(tasks) + remaining[0])
            while len(tasks) < target:
                tasks.append(asyncio.ensure_future(worker()))

        async def worker() -> None:
            for job in job_iter:
                remaining[0] -= 1
                for index in [job] if isinstance(job, int) else job:
                    self.started[index] = True
                try:
                    await run_job(job)
                except WhatsAppError as exc:
                    self._settle_job(job, exc)
                except Exception as exc:  # a bug must not lose the items
                    log.exception("unexpected error in send_many")
                    self._settle_job(job, self.unexpected(exc))
                if remaining[0] > 0:
                    grow()

        grow()
        try:
            while True:
                pending = [task for task in tasks if not task.done()]
                if not pending:
                    break
                await asyncio.wait(pending)
        except asyncio.CancelledError as cancel:
            await self._stop(tasks, cancel)
            raise
        for index, outcome in enumerate(self.outcomes):
            if outcome is None:  # only if a job forgot an item: never return a short result
                self.settle(index, APIError("item was not processed", provider=self.provider))
        return self.result()

    async def _stop(self, tasks: list[asyncio.Task[None]], cancel: asyncio.CancelledError) -> None:
        """Cancel the workers, wait for them however often we are cancelled meanwhile, and
        attach the complete result to every ``CancelledError`` raised here."""
        cancels = [cancel]
        for task in tasks:
            task.cancel()
        while not all(task.done() for task in tasks):
            try:
                await asyncio.gather(*tasks, return_exceptions=True)
            except asyncio.CancelledError as again:  # cancelled again while stopping
                cancels.append(again)
                for task in tasks:
                    task.cancel()
        for index, outcome in enumerate(self.outcomes):
            if outcome is None:
                self.settle(
                    index,
                    SendCancelled(
                        "send_many was cancelled before this item finished",
                        provider=self.provider,
                        request_started=self.started[index],
                    ),
                )
        result = self.result()
        for error in cancels:
            error.bulk_result = result  # type: ignore[attr-defined]

    def _settle_job(self, job: Job, error: WhatsAppError) -> None:
        for index in [job] if isinstance(job, int) else job:
            self.settle(index, error)

    def result(self) -> BulkResult:
        """The outcomes so far (every item must have one)."""
        return BulkResult([o for o in self.outcomes if o is not None])
