"""Before/after: the same fan-out scenarios, one run, this tree against another checkout.

The other checkout (``--before``) is an older commit of this project with its own virtualenv
(``<before>/.venv``, ``pip install -e .``). Its SDK is measured with *this* tree's benchmark code:
the ``benchmarks`` package is copied to a temporary directory that is the only thing on the
child's ``PYTHONPATH``, so the child imports the old ``whatsapp_async`` and the current
scenarios, worker and load server. Every round runs every (scenario, tree) pair once in a
rotating order against one load server, so machine drift cancels out in the per-round ratios.

``python -m benchmarks.compare --before ../before`` prints the table and writes
``results/compare.json``.

Example::

    python -m benchmarks.compare --before /work/before --rounds 5 --n 10000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .corpus import distinct_valid_numbers
from .loadserver import PROJECT_ROOT, LoadServer, child_environment, pin_to_cpu
from .stats import summarise

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "results"
PLAN: tuple[tuple[str, str], ...] = (
    ("sdk_gather", "text"),
    ("sdk_send_many", "text"),
    ("sdk_gather", "template"),
    ("sdk_send_many", "template"),
)
FLOORS: tuple[tuple[str, str], ...] = (("floor_gather", "text"), ("floor_workers", "text"))


def _child(python: str, cwd: str, env: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [python, "-m", "benchmarks.worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _paired(after: list[float | None], before: list[float | None]) -> float | None:
    pairs = [a / b for a, b in zip(after, before, strict=False) if a and b]
    return statistics.median(pairs) if pairs else None


def main(argv: list[str] | None = None) -> None:
    """Run the comparison, print it, write ``results/compare.json``.

    Example::

        python -m benchmarks.compare --before /work/before --rounds 3
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare")
    parser.add_argument("--before", required=True, type=Path, help="the older checkout")
    parser.add_argument("--python", help="its interpreter (default <before>/.venv/bin/python)")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS / "compare.json")
    args = parser.parse_args(argv)
    before_python = args.python or str(args.before / ".venv" / "bin" / "python")
    label_before = _commit(args.before)
    label_after = _commit(Path(PROJECT_ROOT))

    with tempfile.TemporaryDirectory(prefix="wa-compare-") as tmp:
        # The old tree's child sees only a copy of this benchmark code, never this tree's SDK.
        shutil.copytree(Path(__file__).resolve().parent, Path(tmp) / "benchmarks")
        before_env = dict(os.environ, PYTHONPATH=tmp)
        trees = {
            "after": (sys.executable, PROJECT_ROOT, child_environment()),
            "before": (before_python, tmp, before_env),
        }
        numbers_file = os.path.join(tmp, "numbers.json")
        Path(numbers_file).write_text(json.dumps(distinct_valid_numbers(args.warmup + args.n)))
        runs: list[tuple[str, str, str]] = [(s, k, "after") for s, k in FLOORS]
        runs += [(s, k, tree) for s, k in PLAN for tree in ("before", "after")]
        samples: dict[str, list[dict[str, Any]]] = {_key(*run): [] for run in runs}
        with LoadServer(cpu=1) as server:
            pin_to_cpu(0)
            for round_index in range(args.rounds):
                shift = round_index % len(runs)
                for scenario, kind, tree in runs[shift:] + runs[:shift]:
                    python, cwd, env = trees[tree]
                    spec = {
                        "scenario": scenario,
                        "kind": kind,
                        "n": args.n,
                        "warmup": args.warmup,
                        "concurrency": args.concurrency,
                        "numbers_file": numbers_file,
                        "base_url": server.base_url,
                        "settings": server.settings,
                        "server_pid": server.pid,
                        "cpu": 0,
                    }
                    result = _child(python, cwd, env, spec)
                    samples[_key(scenario, kind, tree)].append(result)
                    print(
                        f"round {round_index + 1}: {_key(scenario, kind, tree):34} "
                        f"{result['msg_per_s']:7.0f} msg/s {result['cpu_us_per_msg']:5.0f} µs CPU",
                        file=sys.stderr,
                        flush=True,
                    )
    summary = {key: summarise(rows) for key, rows in samples.items()}
    report = _report(summary, label_before, label_after)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"before": label_before, "after": label_after, "summary": summary}, indent=1)
    )


def _key(scenario: str, kind: str, tree: str) -> str:
    return f"{scenario}/{kind}/{tree}"


def _commit(tree: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or str(tree)


def _report(summary: dict[str, dict[str, Any]], before: str, after: str) -> str:
    floor = summary["floor_gather/text/after"]
    lines = [
        f"before = {before}, after = {after}; median msg/s and CPU µs/msg over rounds;",
        "ratios are medians of per-round ratios",
        "",
        "| scenario | before msg/s | after msg/s | after / before | before CPU µs | after CPU µs"
        " | before / floor gather | after / floor gather |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for scenario, kind in PLAN:
        b, a = summary[_key(scenario, kind, "before")], summary[_key(scenario, kind, "after")]
        ratio = _paired(a["msg_per_s_rounds"], b["msg_per_s_rounds"])
        vs_floor_b = _paired(b["msg_per_s_rounds"], floor["msg_per_s_rounds"])
        vs_floor_a = _paired(a["msg_per_s_rounds"], floor["msg_per_s_rounds"])
        lines.append(
            f"| {scenario} {kind} | {b['msg_per_s']:,.0f} | {a['msg_per_s']:,.0f} | {ratio:.2f} | "
            f"{b['cpu_us_per_msg']:.0f} | {a['cpu_us_per_msg']:.0f} | {vs_floor_b:.2f} | "
            f"{vs_floor_a:.2f} |"
        )
    for scenario, kind in FLOORS:
        row = summary[_key(scenario, kind, "after")]
        lines.append(
            f"| {scenario} (raw aiohttp) | | {row['msg_per_s']:,.0f} | | | "
            f"{row['cpu_us_per_msg']:.0f} | | |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
