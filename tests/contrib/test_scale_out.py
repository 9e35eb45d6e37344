"""The issue's acceptance tests: worker processes, one shared rate, exactly once after SIGKILL.

Workers are real ``python -m whatsapp_async.contrib.arq`` processes; the Pilot simulator
runs in this process and proves what reached the provider. Each test prints its figures
(``pytest -s``); docs/scaling-out.md quotes them.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import cast

from arq.connections import ArqRedis
from arq.jobs import Job

from whatsapp_async import SendResult
from whatsapp_async.contrib.arq import collect_results, enqueue_bulk
from whatsapp_async.testing import Sandbox
from whatsapp_async_providers.pilot.simulator import PilotSimulator

from .conftest import RedisServer
from .helpers import arrival_times, start_worker, text_items, worker_processes, write_profile


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_three_worker_processes_share_one_rate_of_50_per_second(
    tmp_path: Path, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    count, rate = 1000, 50.0
    async with Sandbox(["pilot"]) as sb:
        sim = cast(PilotSimulator, sb.simulator("pilot"))
        sim.progress_delay = 3600  # no status traffic: only the sends
        profile = write_profile(tmp_path / "whatsapp.toml", sb)
        batch = await enqueue_bulk(arq_redis, text_items(count), provider="pilot")
        assert batch.enqueued == count
        options = ("--rate", "50", "--burst", "1", "--max-jobs", "30", "--poll-delay", "0.1")
        with worker_processes(3, tmp_path, profile, redis_server.url, *options) as workers:
            outcomes = await collect_results(arq_redis, batch, timeout=90, poll_interval=0.5)
            per_worker = [w.completed_jobs() for w in workers]
    assert all(isinstance(o, SendResult) for o in outcomes), Counter(type(o) for o in outcomes)
    times = arrival_times(sim)
    assert len(times) == count and len(sim.messages) == count
    span = times[-1] - times[0]
    measured = (count - 1) / span  # burst 1: every request is steady state
    print(f"\n{count} sends by 3 processes in {span:.2f}s: {measured:.2f} msg/s; jobs {per_worker}")
    assert abs(measured - rate) / rate <= 0.10, measured
    assert sum(per_worker) == count and min(per_worker) > 0


async def test_a_worker_killed_mid_batch_leaves_every_item_sent_exactly_once(
    tmp_path: Path, redis_server: RedisServer, arq_redis: ArqRedis
) -> None:
    count = 200
    async with Sandbox(["pilot"]) as sb:
        sim = cast(PilotSimulator, sb.simulator("pilot"))
        sim.progress_delay = 3600
        sim.accept_delay = 0.25  # each send is in flight at Pilot for a while
        profile = write_profile(tmp_path / "whatsapp.toml", sb)
        # arq re-delivers a dead worker's job once its in-progress mark lapses (job timeout
        # + 10 s); the reservations of the dead worker lapse after 3 s.
        options = [*("--rate", "40", "--burst", "1", "--max-jobs", "10", "--job-timeout", "3")]
        options += ["--lock-ttl", "3", "--poll-delay", "0.1"]
        batch = await enqueue_bulk(arq_redis, text_items(count, "kill"), provider="pilot")
        victim = start_worker(tmp_path / "victim.log", profile, redis_server.url, *options)
        try:
            await wait_until(lambda: len(sim.records) >= 40, 30, "the victim's first sends")
            in_flight = sum(1 for r in sim.records if r.status == 0)
            victim.kill()  # SIGKILL: no clean-up, reservations and arq marks stay behind
        finally:
            victim.stop()
        requests_before = len(sim.records)
        with worker_processes(1, tmp_path, profile, redis_server.url, *options):
            outcomes = await collect_results(arq_redis, batch, timeout=60, poll_interval=0.25)
        await asyncio.sleep(0.3)  # sends the victim left in flight are accepted by now
    assert in_flight > 0  # the kill did hit sends that were in flight at Pilot
    assert all(isinstance(o, SendResult) for o in outcomes), [
        o for o in outcomes if not isinstance(o, SendResult)
    ]
    texts = Counter(m.body["text"] for m in sim.messages.values())
    assert texts == Counter(f"kill {i}" for i in range(count))  # each item exactly once
    keys = Counter(r.headers.get("Idempotency-Key") for r in sim.records)
    repeated = sum(n - 1 for n in keys.values())
    replayed = sum(1 for o in outcomes if isinstance(o, SendResult) and o.idempotent_replayed)
    tries = [
        info.job_try if info is not None else 0
        for info in [await Job(i, arq_redis).result_info() for i in batch.job_ids if i]
    ]
    redelivered = sum(1 for t in tries if t > 1)
    print(
        f"\n{count} items; victim made {requests_before} requests, {in_flight} in flight at "
        f"SIGKILL; {len(sim.records)} requests in all, {repeated} repeated keys answered by "
        f"Pilot's replay; {len(sim.messages)} messages accepted; {redelivered} jobs "
        f"re-delivered by arq; {replayed} outcomes replayed"
    )
    assert repeated >= in_flight
    assert redelivered >= in_flight and 0 not in tries
    assert len(sim.messages) == count
