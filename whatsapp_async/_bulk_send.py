"""``send_many`` for one client: items become jobs (single sends or native batches) that the
bulk engine (:class:`~whatsapp_async._bulk.BulkRun`) runs on bounded workers.

Without native batches each item is prepared by the worker that sends it, so memory grows with
the concurrency, not with the number of items. With them (the gateway's templates), every item
is prepared first so that items sharing a message can be grouped; a batch is many messages, so
after a 5xx it is not resent (some of it may have gone out).

Example::

    bulk = BulkSend(pipeline, entries, call=CallPolicy())
    result = await bulk.run(concurrency=50, on_result=None)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._bulk import BulkRun, Job, ResultCallback
from ._items import BulkInput
from ._pipeline import CallPolicy, SendPipeline
from ._prepare import Prepared
from .errors import APIStatusError, WhatsAppError
from .results import BulkResult

__all__ = ["BulkSend"]


class BulkSend:
    """One ``send_many`` call (see the module docs).

    Example::

        result = await BulkSend(pipeline, [(n, Text("hi")) for n in numbers],
                                call=CallPolicy()).run(concurrency=100, on_result=None)
    """

    def __init__(
        self, pipeline: SendPipeline, entries: Sequence[BulkInput], *, call: CallPolicy
    ) -> None:
        self._pipeline = pipeline
        self._provider = pipeline.executor.provider
        self._entries = entries
        self._call = call
        self._batching = "native_batch" in self._provider.capabilities.operations
        self._prepared: dict[int, Prepared] = {}

    async def run(
        self, *, concurrency: int | Callable[[], int], on_result: ResultCallback | None
    ) -> BulkResult:
        """Send every item; one outcome each, in input order."""
        run = BulkRun(len(self._entries), provider=self._provider.name, on_result=on_result)
        self._run = run
        jobs: Sequence[Job] | range
        if self._batching:
            self._prepare_all(run)
            jobs = self._plan()
        else:
            jobs = range(len(self._entries))
        return await run.drive(jobs, self._run_job, concurrency)

    async def _run_job(self, job: Job) -> None:
        if isinstance(job, int):
            await self._send_one(job)
        else:
            await self._send_batch(job)

    async def _send_one(self, index: int) -> None:
        pipeline = self._pipeline
        if self._batching:
            item = self._prepared.pop(index)
        else:
            item = pipeline.preparer.prepare_item(self._entries[index])
        if pipeline.needs_completion(item):
            item = await pipeline.complete(item)
        self._run.settle(index, await pipeline.deliver(item, self._call))

    async def _send_batch(self, job: list[int]) -> None:
        pipeline = self._pipeline
        provider = self._provider
        executor = pipeline.executor
        first = self._prepared[job[0]]
        await pipeline.check_template(first.message)
        recipients = [self._prepared[i].recipient for i in job]
        request = provider.build_batch(recipients, first.message, first.options)
        response = await executor.execute(
            request,
            policy=self._call.retry,
            timeout=self._call.timeout,
            retry_server_errors=False,
            deadline=self._call.deadline,
        )
        results = executor.parse(
            response, provider.parse_batch, response, recipients, first.message
        )
        if len(results) != len(job):
            raise APIStatusError(
                f"batch response has {len(results)} results for {len(job)} recipients",
                provider=provider.name,
                status=response.status,
                body=response.body,
            )
        for index, outcome in zip(job, results, strict=True):
            self._run.settle(index, outcome)

    def _prepare_all(self, run: BulkRun) -> None:
        preparer = self._pipeline.preparer
        for index, entry in enumerate(self._entries):
            try:
                self._prepared[index] = preparer.prepare_item(entry)
            except WhatsAppError as exc:
                run.settle(index, exc)

    def _plan(self) -> list[Job]:
        """Single sends, or native batches of items sharing a message (input order kept)."""
        groups: dict[Any, list[int]] = {}
        singles: list[int] = []
        for index, item in self._prepared.items():
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
