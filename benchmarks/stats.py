"""Summaries of repeated measurements: medians per scenario, ratios paired by round.

Example::

    row = summarise(runs)
    paired_ratio(sdk_row, floor_row)  # median of per-round ratios
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["paired_ratio", "summarise"]


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Medians of a scenario's rounds (and the spread of its throughput).

    Example::

        summarise(runs)["msg_per_s"]  # 5123.4
    """
    failed = [run for run in runs if "error" in run]
    per_round = [run.get("msg_per_s") for run in runs]
    runs = [run for run in runs if "error" not in run]
    if not runs:
        return {"error": failed[0]["error"], "n": failed[0]["n"], "rounds": 0}

    def median(key: str) -> float | None:
        values = [run[key] for run in runs if run.get(key) is not None]
        return statistics.median(values) if values else None

    rates = [run["msg_per_s"] for run in runs]
    return {
        "rounds": len(runs),
        "n": runs[0]["n"],
        "concurrency": runs[0]["concurrency"],
        "sent_all": all(run["sent"] == run["n"] for run in runs),
        "msg_per_s": median("msg_per_s"),
        "msg_per_s_min": min(rates),
        "msg_per_s_max": max(rates),
        "msg_per_s_rounds": per_round,
        "cpu_us_per_msg": median("cpu_us_per_msg"),
        "rss_growth_mib": (median("rss_growth_kib") or 0) / 1024,
        "gc_share": statistics.median(run["gc_s"] / run["wall_s"] for run in runs),
        "server_cpu_share": median("server_cpu_share"),
        "other_load_cores_max": max((run.get("other_load_cores") or 0.0) for run in runs),
        "failed_rounds": len(failed),
    }


def paired_ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    """Median over rounds of a's rate / b's rate in the same round (drift cancels out).

    Example::

        paired_ratio(fanout["sdk_gather"], fanout["floor_gather"])  # 1.08
    """
    if a is None or b is None:
        return None
    rounds_a, rounds_b = a.get("msg_per_s_rounds", []), b.get("msg_per_s_rounds", [])
    pairs = [x / y for x, y in zip(rounds_a, rounds_b, strict=False) if x is not None and y]
    return statistics.median(pairs) if pairs else None
