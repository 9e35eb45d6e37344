"""The benchmark run: fan-out rounds, concurrency sweep, memory, SDK work, profiles, E.164.

Every measurement runs in a fresh child process pinned to core 0 (``benchmarks.worker``,
``benchmarks.overhead``) against one load server pinned to core 1 (``benchmarks.loadserver``).
Fan-out scenarios are interleaved round by round (the order rotates), so slow drift on the
machine hits every scenario alike; each figure is the median over rounds.

Example::

    python -m benchmarks            # the full run (~8 minutes on 2 cores)
    python -m benchmarks --quick    # ~1 minute, smaller and fewer rounds
    python -m benchmarks --sandbox  # against the project's Meta simulator instead
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .corpus import distinct_valid_numbers
from .loadserver import PROJECT_ROOT, LoadServer, child_environment, pin_to_cpu
from .machine import load_average, machine_info
from .scenarios import MessageKind, template_params, wire_body
from .stats import paired_ratio, summarise

__all__ = ["Config", "main", "run"]

RESULTS = Path(__file__).resolve().parent / "results"
_PROFILED: tuple[tuple[str, MessageKind], ...] = (
    ("floor_gather", "text"),
    ("sdk_gather", "text"),
    ("sdk_send_many", "text"),
    ("sdk_gather", "template"),
)
CLIENT_CPU, SERVER_CPU = 0, 1


@dataclass
class Config:
    """Sizes of one run (defaults: the full run; ``quick()``: about a minute).

    Example::

        Config.quick().n  # 2000
    """

    n: int = 10_000
    rounds: int = 5
    warmup: int = 300
    concurrency: int = 100
    peer_n: int = 2_000
    peer_rounds: int = 3
    sweep: tuple[int, ...] = (10, 50, 100, 200)
    sweep_rounds: int = 2
    memory_items: tuple[int, ...] = (2_500, 10_000, 20_000)
    overhead_n: int = 5_000
    overhead_rounds: int = 5
    e164_cases: int = 100_000
    peer: bool = True
    profile: bool = True
    e164: bool = True
    sandbox: bool = False

    @classmethod
    def quick(cls) -> Config:
        """About a minute: fewer messages, one round."""
        return cls(
            n=2_000,
            rounds=1,
            warmup=200,
            peer_n=500,
            peer_rounds=1,
            sweep=(10, 100, 200),
            sweep_rounds=1,
            memory_items=(2_000, 4_000),
            overhead_n=2_000,
            overhead_rounds=3,
            e164_cases=10_000,
            profile=False,
        )


def _child(module: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``python -m module '<spec>'`` and parse its last stdout line as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
        env=child_environment(),
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class Run:
    """One benchmark run against one load server; collects every measurement.

    Example::

        Run(Config.quick(), server, numbers_file, log=print).fanout()
    """

    def __init__(
        self,
        config: Config,
        server: LoadServer,
        numbers_file: str,
        log: Callable[[str], None],
    ) -> None:
        self.config = config
        self.server = server
        self.numbers_file = numbers_file
        self.log = log

    def worker(
        self,
        scenario: str,
        kind: MessageKind,
        *,
        n: int,
        concurrency: int,
        profile: bool = False,
        fast_path_off: bool = False,
        traced: bool = False,
    ) -> dict[str, Any]:
        """One measured run of ``scenario`` in a fresh process."""
        spec = {
            "scenario": scenario,
            "kind": kind,
            "n": n,
            "warmup": self.config.warmup,
            "concurrency": concurrency,
            "numbers_file": self.numbers_file,
            "base_url": self.server.base_url,
            "settings": self.server.settings,
            "server_pid": self.server.pid,
            "cpu": CLIENT_CPU,
            "profile": profile,
            "fast_path_off": fast_path_off,
            "tracemalloc": traced,
        }
        name = scenario + (" (phonenumbers only)" if fast_path_off else "")
        label = f"  {name:34} {kind:8} n={n:<6} "
        try:
            result = _child("benchmarks.worker", spec)
        except RuntimeError as exc:
            # A scenario that cannot run here (e.g. a peer the simulator rejects) is reported.
            reason = str(exc).strip().splitlines()[-1]
            self.log(f"{label}FAILED: {reason}")
            return {"error": reason, "n": n, "concurrency": concurrency}
        self.log(
            f"{label}c={concurrency:<4} "
            f"{result['msg_per_s']:8.0f} msg/s {result['cpu_us_per_msg']:7.0f} µs CPU/msg "
            f"rss +{result['rss_growth_kib'] / 1024:6.1f} MiB "
            f"gc {result['gc_s'] / result['wall_s']:4.0%} "
            f"server {result['server_cpu_share'] or 0:4.0%} "
            f"other {result.get('other_load_cores') or 0:4.2f} cores"
        )
        if traced:
            self.log(
                f"    tracemalloc: peak {result['traced_peak_b_per_msg']:.0f} B/msg, "
                f"live at the end {result['traced_end_b_per_msg']:.0f} B/msg"
            )
        if result["sent"] != n:
            self.log(f"    !! only {result['sent']} of {n} sends succeeded")
        return result

    def fanout(self) -> dict[str, Any]:
        """Every fan-out scenario, ``rounds`` times interleaved; medians per scenario."""
        cfg = self.config
        plan: list[tuple[str, str, MessageKind, int, bool]] = [
            ("floor_gather", "floor_gather", "text", cfg.n, False),
            ("floor_workers", "floor_workers", "text", cfg.n, False),
            ("sdk_gather", "sdk_gather", "text", cfg.n, False),
            ("sdk_send_many", "sdk_send_many", "text", cfg.n, False),
            ("floor_gather_template", "floor_gather", "template", cfg.n, False),
            ("sdk_gather_template", "sdk_gather", "template", cfg.n, False),
            ("sdk_send_many_template", "sdk_send_many", "template", cfg.n, False),
        ]
        extra: list[tuple[str, str, MessageKind, int, bool]] = [
            ("sdk_gather_without_fast_path", "sdk_gather", "text", cfg.n, True),
            ("sdk_send_many_without_fast_path", "sdk_send_many", "text", cfg.n, True),
        ]
        peer: list[tuple[str, str, MessageKind, int, bool]] = [
            ("sdk_gather_peer_n", "sdk_gather", "text", cfg.peer_n, False),
            ("pywa_gather", "pywa_gather", "text", cfg.peer_n, False),
            ("sdk_gather_template_peer_n", "sdk_gather", "template", cfg.peer_n, False),
            ("pywa_gather_template", "pywa_gather", "template", cfg.peer_n, False),
        ]
        if cfg.peer:
            extra += peer
        samples: dict[str, list[dict[str, Any]]] = {label: [] for label, *_ in plan + extra}
        for round_index in range(cfg.rounds):
            self.log(f"fan-out round {round_index + 1} of {cfg.rounds}")
            # pywa takes ~8 s a run: it and the fast-path-off runs join the first rounds only.
            this_round = plan + (extra if round_index < cfg.peer_rounds else [])
            shift = round_index % len(this_round)
            for label, scenario, kind, n, off in this_round[shift:] + this_round[:shift]:
                samples[label].append(
                    self.worker(scenario, kind, n=n, concurrency=cfg.concurrency, fast_path_off=off)
                )
        return {label: summarise(runs) for label, runs in samples.items()}

    def sweep(self, fanout: dict[str, Any]) -> dict[str, Any]:
        """Throughput and memory against concurrency for the floor, the SDK and the peer.

        The fan-out's own concurrency is taken from the fan-out results (not run again).
        """
        cfg = self.config
        scenarios = ["floor_gather", "sdk_gather", "sdk_send_many", "floor_workers"]
        if cfg.peer:
            scenarios.append("pywa_gather")
        out: dict[str, Any] = {name: {} for name in scenarios}
        levels = [c for c in cfg.sweep if c != cfg.concurrency]
        self.log(f"concurrency sweep {levels} (c={cfg.concurrency} from the fan-out)")
        samples: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for round_index in range(cfg.sweep_rounds):
            for concurrency in levels:
                for name in scenarios:
                    if name == "pywa_gather" and round_index > 0:
                        continue  # one pywa run per level: it is slow and far off anyway
                    n = cfg.peer_n if name == "pywa_gather" else cfg.n
                    samples.setdefault((name, concurrency), []).append(
                        self.worker(name, "text", n=n, concurrency=concurrency)
                    )
        for (name, concurrency), runs in samples.items():
            out[name][str(concurrency)] = summarise(runs)
        if cfg.concurrency in cfg.sweep:
            for name in scenarios:
                if name in fanout:
                    out[name][str(cfg.concurrency)] = fanout[name]
        for name in scenarios:
            out[name] = dict(sorted(out[name].items(), key=lambda kv: int(kv[0])))
        return out

    def memory(self, fanout: dict[str, Any]) -> dict[str, Any]:
        """Peak RSS growth of send_many and of the raw worker loop as the item count grows.

        The fan-out's own item count is taken from the fan-out results (not run again).
        """
        cfg = self.config
        names = ("sdk_send_many", "floor_workers", "sdk_gather", "floor_gather")
        out: dict[str, Any] = {name: {} for name in names}
        items_list = [n for n in cfg.memory_items if n != cfg.n]
        self.log(f"memory against items {items_list} (n={cfg.n} from the fan-out)")
        for items in cfg.memory_items:
            for name in names:
                if items == cfg.n and name in fanout:
                    out[name][str(items)] = fanout[name]
                else:
                    out[name][str(items)] = summarise(
                        [self.worker(name, "text", n=items, concurrency=cfg.concurrency)]
                    )
        self.log("memory traced with tracemalloc (peak bytes per message; slower runs)")
        traced: dict[str, Any] = {"sdk_send_many": {}, "floor_workers": {}}
        for items in cfg.memory_items:
            for name in traced:
                run = self.worker(name, "text", n=items, concurrency=cfg.concurrency, traced=True)
                traced[name][str(items)] = {
                    key: run.get(key) for key in ("traced_peak_b_per_msg", "traced_end_b_per_msg")
                }
        out["traced"] = traced
        return out

    def profiles(self) -> dict[str, Any]:
        """cProfile of the floor and the SDK fan-outs: what dominates each."""
        cfg = self.config
        self.log("profiles (cProfile; throughput under the profiler is not comparable)")
        out = {}
        for name, kind in _PROFILED:
            result = self.worker(name, kind, n=cfg.n, concurrency=cfg.concurrency, profile=True)
            if "profile" in result:
                out[f"{name}_{kind}"] = result["profile"]
        return out


def check_wire_bytes(numbers: Sequence[str]) -> bool:
    """Whether the floor posts exactly the bytes the SDK sends (text and template).

    Example::

        check_wire_bytes(["+14155552671"])  # True
    """
    from whatsapp_async import Template, Text, WhatsApp
    from whatsapp_async.provider import SendOptions
    from whatsapp_async.recipients import normalise

    from .scenarios import TEMPLATE_LANGUAGE, TEMPLATE_NAME, TEXT_BODY

    provider: Any = WhatsApp(
        "meta", token="t", phone_number_id="1", base_url="http://127.0.0.1:9"
    ).provider
    for i, number in enumerate(numbers):
        text = provider.build_send(normalise(number), Text(TEXT_BODY), SendOptions())
        template = provider.build_send(
            normalise(number),
            Template(TEMPLATE_NAME, language=TEMPLATE_LANGUAGE, body=list(template_params(i))),
            SendOptions(),
        )
        if text.body != wire_body(number, "text", i) or template.body != wire_body(
            number, "template", i
        ):
            return False
    return True


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _rate(row: dict[str, Any] | None, key: str = "msg_per_s") -> float | None:
    value = None if row is None else row.get(key)
    return None if value is None else float(value)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of ``benchmarks/README.md`` against this run (reported, never asserted).

    The fan-out ones come from the project's first targets and from the throughput issue:
    the SDK's ``send_many`` against the raw loop with the same long-lived workers, and a
    gather of ``wa.send`` against a raw gathered loop.

    Example::

        [t["met"] for t in targets(results)]  # [True, False, ...]
    """
    fan = results["fanout"]
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, goal: str, met: bool | None) -> None:
        rows.append({"target": name, "value": value, "goal": goal, "met": met})

    gather = paired_ratio(fan.get("sdk_gather"), fan.get("floor_gather"))
    add("sdk gather / floor gather", gather, ">= 1.0", None if gather is None else gather >= 1.0)
    workers = paired_ratio(fan.get("sdk_send_many"), fan.get("floor_workers"))
    add(
        "send_many / floor workers (same workers, keeps decoded)",
        workers,
        ">= 0.95",
        None if workers is None else workers >= 0.95,
    )
    many = paired_ratio(fan.get("sdk_send_many"), fan.get("floor_gather"))
    add("send_many / floor gather", many, ">= 1.2", None if many is None else many >= 1.2)
    for label in ("sdk_gather", "sdk_send_many"):
        slow = paired_ratio(fan.get(f"{label}_without_fast_path"), fan.get("floor_gather"))
        goal = 1.0 if label == "sdk_gather" else 1.2
        name = "sdk gather" if label == "sdk_gather" else "send_many"
        add(
            f"  {name} with the fast path off (phonenumbers only) / floor gather",
            slow,
            f"(>= {goal})",
            None,
        )
    memory = _ratio(
        _rate(fan.get("sdk_send_many"), "rss_growth_mib"),
        _rate(fan.get("floor_workers"), "rss_growth_mib"),
    )
    add(
        "send_many peak RSS growth / raw 100-worker loop",
        memory,
        "<= 1.2",
        None if memory is None else memory <= 1.2,
    )
    traced = results.get("memory", {}).get("traced", {})
    size = str(max(results["config"]["memory_items"]))
    peak = _ratio(
        _rate(traced.get("sdk_send_many", {}).get(size), "traced_peak_b_per_msg"),
        _rate(traced.get("floor_workers", {}).get(size), "traced_peak_b_per_msg"),
    )
    add(
        f"send_many peak traced memory / raw 100-worker loop (n={size})",
        peak,
        "<= 1.2",
        None if peak is None else peak <= 1.2,
    )
    overhead = results.get("overhead")
    if overhead:
        work = overhead["total_us"]["text_distinct"]
        add("SDK work per message, distinct (µs)", work, "<= 10", work <= 10)
        slow = overhead.get("without_fast_path", {}).get("total_us", {}).get("text_distinct")
        if slow is not None:
            add("  same with the fast path off (phonenumbers only) (µs)", slow, "(<= 10)", None)
        template = overhead["total_us"]["template_distinct"]
        add("SDK work per template message, distinct (µs)", template, "<= 10", template <= 10)
    if "pywa_gather" in fan:
        peer = paired_ratio(fan.get("sdk_gather_peer_n"), fan.get("pywa_gather"))
        add(
            "sdk gather / pywa gather (same n)", peer, ">= 15", None if peer is None else peer >= 15
        )
    e164 = results.get("e164")
    if e164:
        same = e164["check"]["mismatches"] == 0 and e164["check"]["unsound"] == 0
        add("recipient verdicts identical to phonenumbers'", float(same), "== 1", same)
    return rows


def run(config: Config, *, log: Callable[[str], None]) -> dict[str, Any]:
    """The whole benchmark; the results as a dict (see ``results/latest.json``).

    Example::

        results = run(Config.quick(), log=print)
    """
    started = time.perf_counter()
    machine = machine_info()
    needed = config.warmup + max(config.n, config.peer_n, *config.memory_items)
    numbers = distinct_valid_numbers(max(needed, config.overhead_n))
    results: dict[str, Any] = {
        "machine": machine,
        "config": asdict(config),
        "wire_bytes_identical": check_wire_bytes(numbers[:200]),
    }
    with tempfile.TemporaryDirectory(prefix="wa-bench-") as tmp:
        numbers_file = os.path.join(tmp, "numbers.json")
        with open(numbers_file, "w", encoding="utf-8") as fh:
            json.dump(numbers, fh)
        with LoadServer(sandbox=config.sandbox, cpu=SERVER_CPU) as server:
            pinned = pin_to_cpu(CLIENT_CPU)
            results["load_target"] = {
                "kind": "meta simulator (Sandbox)" if config.sandbox else "asyncio.Protocol",
                "base_url": server.base_url,
                "server_pinned_to_cpu": SERVER_CPU if server.pinned else None,
                "client_pinned_to_cpu": CLIENT_CPU if pinned else None,
            }
            log(f"load server {server.base_url} (pinned: {server.pinned}); client pinned: {pinned}")
            bench = Run(config, server, numbers_file, log)
            results["fanout"] = bench.fanout()
            results["sweep"] = bench.sweep(results["fanout"])
            results["memory"] = bench.memory(results["fanout"])
            if config.profile:
                results["profiles"] = bench.profiles()
        log("SDK work per message (no network)")
        results["overhead"] = _child(
            "benchmarks.overhead",
            {
                "numbers_file": numbers_file,
                "n": config.overhead_n,
                "rounds": config.overhead_rounds,
                "cpu": CLIENT_CPU,
            },
        )
    if config.e164:
        log(f"fast E.164 path against phonenumbers on {config.e164_cases} cases, and speed")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.e164",
                "--json",
                "--cases",
                str(config.e164_cases),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=PROJECT_ROOT,
            env=child_environment(),
        )
        lines = done.stdout.strip().splitlines()
        if lines:
            results["e164"] = json.loads(lines[-1])
        else:
            log(f"E.164 check failed ({done.returncode}): {done.stderr[-2000:]}")
    results["targets"] = targets(results)
    results["machine"]["load_average_at_end"] = load_average()
    results["seconds"] = time.perf_counter() - started
    return results


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run, print the table, write the JSON and the plot.

    Example::

        python -m benchmarks --quick --no-peer
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Fan-out throughput, SDK work per message and memory of whatsapp_async.",
    )
    parser.add_argument("--quick", action="store_true", help="about a minute instead of ~8")
    parser.add_argument("--sandbox", action="store_true", help="load the real Meta simulator")
    parser.add_argument("--n", type=int, help="messages per fan-out (default 10000)")
    parser.add_argument("--rounds", type=int, help="rounds per fan-out scenario (default 5)")
    parser.add_argument("--peer-n", type=int, help="messages per pywa run (default 2000)")
    parser.add_argument("--no-peer", action="store_true", help="skip pywa")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    parser.add_argument("--no-e164", action="store_true", help="skip the E.164 check")
    parser.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results directory")
    args = parser.parse_args(argv)
    config = Config.quick() if args.quick else Config()
    for field, value in (("n", args.n), ("rounds", args.rounds), ("peer_n", args.peer_n)):
        if value is not None:
            setattr(config, field, value)
    config.peer = config.peer and not args.no_peer
    config.profile = config.profile and not args.no_profile
    config.e164 = config.e164 and not args.no_e164
    config.sandbox = args.sandbox

    from . import report

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = run(config, log=log)
    stem = "latest-sandbox" if config.sandbox else ("latest-quick" if args.quick else "latest")
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    report.print_report(results)
    if not args.no_plot:
        png = args.output / f"{stem.replace('latest', 'throughput')}.png"
        if report.plot(results, png):
            log(f"plot written to {png}")
    log(f"results written to {args.output / (stem + '.json')} in {results['seconds']:.0f} s")
