"""Throughput at the real operating point: 200 ms latency, a tier the client does not know.

For each case a fresh :class:`~benchmarks.tierserver.TierServer` (its own process, core 1)
enforces a tier of 80, 200 or 1,000 msg/s and answers after ~200 ms; the client (this process,
core 0) sends N texts with ``send_many`` or ``asyncio.gather`` of ``wa.send`` and the client's
defaults (no ``rate_limit=``, ``connection_limit=`` or ``concurrency=``) unless the case says
otherwise. Reported: achieved rate as a share of the tier (sends / wall time / tier), throttled
share of all requests (counted at the server), failures, and the limiter's rate over time.

``python -m benchmarks.tiers`` prints a table and writes ``results/tiers.json`` and
``results/tiers.png``; ``--quick`` runs smaller cases.

Example::

    python -m benchmarks.tiers --cases 1000:send_many,200:gather:1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from .loadserver import pin_to_cpu
from .tierserver import TierServer

__all__ = ["Case", "main", "run_case"]

RESULTS = Path(__file__).resolve().parent / "results"

DEFAULT_CASES = [
    # (tier, mode, client rate_limit or None for the default, sends)
    (1000, "send_many", None, 8000),
    (1000, "gather", None, 8000),
    (80, "send_many", None, 1600),
    (80, "gather", None, 1600),
    (200, "send_many", 1000, 3000),
    (200, "gather", 1000, 3000),
]


class Case:
    """One measured run (see the module docs).

    Example::

        Case(tier=200, mode="gather", rate_limit=1000, n=3000)
    """

    def __init__(self, tier: int, mode: str, rate_limit: float | None, n: int) -> None:
        self.tier, self.mode, self.rate_limit, self.n = tier, mode, rate_limit, n

    @property
    def label(self) -> str:
        limit = "defaults" if self.rate_limit is None else f"rate_limit={self.rate_limit:g}"
        return f"tier {self.tier}, {self.mode}, {limit}"


def _numbers(n: int) -> list[str]:
    # Distinct valid US numbers (the 415 area), one per send.
    return [f"+1415{200 + (i // 10000) % 800:03d}{i % 10000:04d}" for i in range(n)]


async def _send(case: Case, base_url: str, settings: dict[str, str]) -> dict[str, Any]:
    from whatsapp_async import SendResult, Text, WhatsApp

    options: dict[str, Any] = {"base_url": base_url, **settings}
    if case.rate_limit is not None:
        options["rate_limit"] = case.rate_limit
    samples: list[tuple[float, float]] = []
    async with WhatsApp("meta", **options) as wa:
        started = time.perf_counter()

        async def sample() -> None:
            while True:
                limiter = wa.rate_limiter
                rate = getattr(limiter, "rate", None)
                if isinstance(rate, (int, float)):
                    samples.append((time.perf_counter() - started, float(rate)))
                await asyncio.sleep(0.1)

        sampler = asyncio.ensure_future(sample())
        items = [(n, Text("Your order has shipped")) for n in _numbers(case.n)]
        if case.mode == "send_many":
            bulk = await wa.send_many(items)
            outcomes: list[Any] = list(bulk)
        else:
            outcomes = list(
                await asyncio.gather(*(wa.send(to, m) for to, m in items), return_exceptions=True)
            )
        elapsed = time.perf_counter() - started
        sampler.cancel()
    sent = sum(1 for o in outcomes if isinstance(o, SendResult))
    failures: dict[str, int] = {}
    for outcome in outcomes:
        if not isinstance(outcome, SendResult):
            failures[type(outcome).__name__] = failures.get(type(outcome).__name__, 0) + 1
    return {"elapsed": elapsed, "sent": sent, "failures": failures, "rate_samples": samples}


def run_case(case: Case, *, latency: float = 0.2) -> dict[str, Any]:
    """Run one case against a fresh tier server; the measurements as a dict.

    Example::

        run_case(Case(1000, "send_many", None, 8000))["fill"]  # 0.9
    """
    with TierServer(tier=case.tier, latency=latency) as server:
        result = asyncio.run(_send(case, server.base_url, server.settings))
    accepted = sum(server.counts["accepted"].values())
    throttled = sum(server.counts["throttled"].values())
    requests = accepted + throttled
    result.update(
        {
            "case": case.label,
            "tier": case.tier,
            "mode": case.mode,
            "rate_limit": case.rate_limit,
            "n": case.n,
            "fill": case.n / result["elapsed"] / case.tier,
            "accepted": accepted,
            "requests": requests,
            "throttled_share": throttled / requests if requests else 0.0,
            "server_accepted_per_100ms": server.counts["accepted"],
            "server_throttled_per_100ms": server.counts["throttled"],
        }
    )
    return result


def _parse_cases(text: str) -> list[Case]:
    cases = []
    for part in text.split(","):
        fields = part.split(":")
        tier, mode = int(fields[0]), fields[1]
        rate = float(fields[2]) if len(fields) > 2 and fields[2] else None
        n = int(fields[3]) if len(fields) > 3 else {1000: 8000, 200: 3000, 80: 1600}.get(tier, 2000)
        cases.append(Case(tier, mode, rate, n))
    return cases


def _plot(results: list[dict[str, Any]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 2.4 * len(results)), squeeze=False)
    for ax, result in zip(axes[:, 0], results, strict=True):
        times = [t for t, _ in result["rate_samples"]]
        rates = [r for _, r in result["rate_samples"]]
        ax.plot(times, rates, label="client limiter rate")
        # Bucket keys are ints when fresh, strings when read back from the JSON.
        accepted = {int(b): n for b, n in result["server_accepted_per_100ms"].items()}
        buckets = sorted(accepted)
        if buckets:
            first = buckets[0]
            ax.plot(
                [(b - first) / 10 for b in buckets],
                [accepted[b] * 10 for b in buckets],
                label="accepted at the server (msg/s)",
                alpha=0.6,
            )
        ax.axhline(result["tier"], color="grey", linestyle="--", label="tier")
        ax.set_title(result["case"], fontsize=9)
        ax.set_ylabel("msg/s")
        ax.legend(fontsize=7, loc="lower right")
    axes[-1, 0].set_xlabel("seconds")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main(argv: list[str] | None = None) -> None:
    """Run the cases, print the table, write the results and the plot.

    Example::

        python -m benchmarks.tiers --quick
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tiers")
    parser.add_argument("--cases", help="tier:mode[:rate_limit[:n]],... (default: the six)")
    parser.add_argument("--quick", action="store_true", help="a quarter of the sends")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--out", default=str(RESULTS / "tiers.json"))
    args = parser.parse_args(argv)
    pin_to_cpu(0)
    cases = _parse_cases(args.cases) if args.cases else [Case(*c) for c in DEFAULT_CASES]
    if args.quick:
        cases = [Case(c.tier, c.mode, c.rate_limit, max(400, c.n // 4)) for c in cases]
    results = []
    print(f"{'case':<42} {'n':>5} {'fill':>6} {'throttled':>9} {'failed':>7} {'secs':>6}")
    for case in cases:
        result = run_case(case, latency=args.latency)
        results.append(result)
        failed = sum(result["failures"].values())
        print(
            f"{result['case']:<42} {case.n:>5} {result['fill']:>6.2f} "
            f"{result['throttled_share']:>8.1%} {failed:>7} {result['elapsed']:>6.1f}"
            + (f"  {result['failures']}" if failed else "")
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    _plot(results, out.with_suffix(".png"))


if __name__ == "__main__":
    main()
