"""One measured fan-out in a fresh process: warm up, then time one run of one scenario.

A fresh process per measurement keeps runs independent (no heap, cache or pool carried from
one scenario to the next) and makes peak RSS meaningful. The process pins itself to the
client core, warms up (connections opened, phonenumbers' metadata for the regions loaded),
collects garbage, then measures the run: wall time, process CPU time, time spent in CPython's
garbage collector, the server's CPU time, and memory (``ru_maxrss`` after the run minus the
resident set just before it). With ``"tracemalloc": true`` it also traces Python allocations
during the run (peak and still-live bytes per message: exact, allocator-independent, but the
run is ~2x slower, so such runs are used for memory only).

``python -m benchmarks.worker '<json spec>'`` prints one JSON line with the measurements.

Example::

    python -m benchmarks.worker '{"scenario": "sdk_gather", "kind": "text", "n": 10000, ...}'
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import json
import os
import pstats
import resource
import sys
import time
import tracemalloc
from typing import Any

from .loadserver import pin_to_cpu, process_cpu_seconds
from .scenarios import SCENARIOS

__all__ = ["main", "measure"]

_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def current_rss_kib() -> int:
    """This process's resident set size now, in KiB (Linux /proc; 0 elsewhere).

    Example::

        current_rss_kib()  # 41236
    """
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_KIB
    except OSError:
        return 0


def machine_busy_seconds() -> float | None:
    """CPU seconds all cores have spent busy since boot (Linux /proc/stat), or None.

    Example::

        machine_busy_seconds()  # 8123.4
    """
    try:
        with open("/proc/stat", "rb") as fh:
            fields = fh.readline().split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _CLK_TCK


class GcTimer:
    """Wall time spent inside CPython's garbage collector, and collections per generation.

    Example::

        with GcTimer() as timer: ...
        timer.seconds, timer.collections  # 0.41, [212, 19, 3]
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


async def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``spec``'s scenario once after a warm-up; the measurements as a dict.

    Example::

        await measure({"scenario": "floor_gather", "kind": "text", "n": 1000, ...})
    """
    numbers = _read_numbers(spec["numbers_file"])
    warmup, n = int(spec["warmup"]), int(spec["n"])
    fast_path_off = bool(spec.get("fast_path_off")) and _switch_fast_path_off()
    if len(numbers) < warmup + n:
        raise SystemExit(f"numbers file has {len(numbers)} numbers, need {warmup + n}")
    scenario = SCENARIOS[spec["scenario"]](
        spec["base_url"], spec["settings"], concurrency=int(spec["concurrency"]), kind=spec["kind"]
    )
    await scenario.open()
    try:
        if warmup:
            warmed = await scenario.run(scenario.prepare(numbers[:warmup]))
            if warmed != warmup:
                raise SystemExit(f"{scenario.name}: warm-up sent {warmed} of {warmup}")
        payload = scenario.prepare(numbers[warmup : warmup + n])
        gc.collect()
        profiler = cProfile.Profile() if spec.get("profile") else None
        traced = bool(spec.get("tracemalloc"))
        if traced:  # slows the run ~2x: such runs report memory, not speed
            tracemalloc.start()
        server_pid = spec.get("server_pid")
        rss_before = current_rss_kib()
        server_before = process_cpu_seconds(server_pid) if server_pid else None
        busy_before = machine_busy_seconds()
        with GcTimer() as gc_timer:
            cpu_before, wall_before = time.process_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            sent = await scenario.run(payload)
            if profiler is not None:
                profiler.disable()
            wall = time.perf_counter() - wall_before
            cpu = time.process_time() - cpu_before
        traced_end, traced_peak = tracemalloc.get_traced_memory() if traced else (0, 0)
        tracemalloc.stop()
        server_after = process_cpu_seconds(server_pid) if server_pid else None
        busy_after = machine_busy_seconds()
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    finally:
        await scenario.close()
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "fast_path_off": fast_path_off,
        "kind": spec["kind"],
        "concurrency": scenario.concurrency,
        "n": n,
        "sent": sent,
        "wall_s": wall,
        "cpu_s": cpu,
        "msg_per_s": sent / wall if wall else 0.0,
        "cpu_us_per_msg": cpu / n * 1e6,
        "gc_s": gc_timer.seconds,
        "gc_collections": gc_timer.collections,
        "rss_before_kib": rss_before,
        "max_rss_kib": max_rss,
        "rss_growth_kib": max(0, max_rss - rss_before),
        "traced": traced,
        "traced_peak_b_per_msg": traced_peak / n if traced else None,
        "traced_end_b_per_msg": traced_end / n if traced else None,
        "server_cpu_share": (
            (server_after - server_before) / wall
            if server_before is not None and server_after is not None and wall
            else None
        ),
    }
    if None not in (busy_before, busy_after, server_before, server_after):
        # Whatever else ran on the machine meanwhile (other jobs): a noise indicator.
        other = busy_after - busy_before - cpu - (server_after - server_before)  # type: ignore[operator]
        result["other_load_cores"] = max(0.0, other / wall) if wall else None
    if profiler is not None:
        result["profile"] = summarise_profile(profiler, top=int(spec.get("profile_top", 25)))
    return result


def _read_numbers(path: str) -> list[str]:
    # Read before anything is timed; blocking the loop here costs nothing measured.
    with open(path, encoding="utf-8") as fh:
        numbers: list[str] = json.load(fh)
    return numbers


def _switch_fast_path_off() -> bool:
    """Make the SDK parse recipients with phonenumbers only (here); False without a fast path."""
    from whatsapp_async import recipients

    if getattr(recipients, "fast_e164", None) is None:
        return False
    recipients.fast_e164 = lambda candidate: None  # type: ignore[attr-defined, unused-ignore]
    return True


def summarise_profile(profiler: cProfile.Profile, *, top: int) -> dict[str, Any]:
    """The top functions by own time, and own time grouped by library.

    Example::

        summarise_profile(profiler, top=20)["by_area"]  # {'aiohttp': 0.41, 'asyncio': 0.3, ...}
    """
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    by_area: dict[str, float] = {}
    rows = []
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        area = _area(filename)
        by_area[area] = by_area.get(area, 0.0) + tottime
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({function})",
                "area": area,
                "ncalls": ncalls,
                "tottime_share": tottime / total,
                "cumtime_share": cumtime / total,
            }
        )
    rows.sort(key=lambda row: row["tottime_share"], reverse=True)
    return {
        "total_s": total,
        "by_area": {k: v / total for k, v in sorted(by_area.items(), key=lambda kv: -kv[1])},
        "top": rows[:top],
    }


_AREAS = (
    ("/whatsapp_async/", "whatsapp_async"),
    ("/providers/", "providers"),
    ("/aiohttp/", "aiohttp"),
    ("/yarl/", "yarl/multidict"),
    ("/multidict/", "yarl/multidict"),
    ("/asyncio/", "asyncio"),
    ("/phonenumbers/", "phonenumbers"),
    ("/httpx/", "httpx"),
    ("/httpcore/", "httpcore"),
    ("/pywa", "pywa"),
    ("/pydantic", "pydantic"),
    ("/benchmarks/", "benchmarks"),
)


def _area(filename: str) -> str:
    for marker, area in _AREAS:
        if marker in filename:
            return area
    if filename == "~":
        return "builtins"
    if "/lib/python3" in filename and "site-packages" not in filename:
        return "stdlib"
    return "other"


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/lib/python3.11/", "/work/main/"):
        at = filename.find(marker)
        if at >= 0:
            return filename[at + len(marker) :]
    return filename


def main(argv: list[str] | None = None) -> None:
    """Run one spec (the JSON first argument) and print its result as one JSON line.

    Example::

        python -m benchmarks.worker '{"scenario": "floor_gather", ...}'
    """
    args = sys.argv[1:] if argv is None else argv
    spec = json.loads(args[0])
    pin_to_cpu(spec.get("cpu"))
    if spec.get("gc") is False:
        gc.disable()
    result = asyncio.run(measure(spec))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
