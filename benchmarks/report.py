"""The run's results as tables on stdout and a PNG plot (throughput and memory vs concurrency).

Tables use rich when it is installed (the ``bench`` extra) and plain text otherwise.

Example::

    print_report(results)
    plot(results, Path("benchmarks/results/throughput.png"))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .stats import paired_ratio

__all__ = ["plot", "print_report", "tables"]

_LABELS = {
    "floor_gather": "floor: raw aiohttp, gather",
    "floor_workers": "floor: raw aiohttp, c workers, keeps decoded",
    "sdk_gather": "SDK: gather of wa.send",
    "sdk_send_many": "SDK: send_many",
    "sdk_gather_without_fast_path": "SDK: gather, fast path off (phonenumbers only)",
    "sdk_send_many_without_fast_path": "SDK: send_many, fast path off (phonenumbers only)",
    "floor_gather_template": "floor: raw aiohttp, gather (template bytes)",
    "sdk_gather_template": "SDK: gather of wa.send (template)",
    "sdk_send_many_template": "SDK: send_many (template)",
    "sdk_gather_peer_n": "SDK: gather of wa.send (peer's n)",
    "pywa_gather": "pywa 4.5 async: gather",
    "sdk_gather_template_peer_n": "SDK: gather (template, peer's n)",
    "pywa_gather_template": "pywa 4.5 async: gather (template)",
}
_FLOORS = {
    "sdk_gather_template": "floor_gather_template",
    "sdk_send_many_template": "floor_gather_template",
    "floor_gather_template": "floor_gather_template",
}


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _sweep_cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "-"
    if "error" in row:
        return "failed"
    return f"{row['msg_per_s']:,.0f} / {row['rss_growth_mib']:.0f}"


Table = tuple[str, list[str], list[list[str]]]


def tables(results: dict[str, Any]) -> list[Table]:
    """(title, header, rows) of every table of the report.

    Example::

        for title, header, rows in tables(results): ...
    """
    out: list[Table] = []
    fan = results["fanout"]
    rows = []
    for key, row in fan.items():
        if "error" in row:
            rows.append([_LABELS.get(key, key), str(row["n"]), f"failed: {row['error']}"])
            continue
        floor_key = _FLOORS.get(key, "floor_gather")
        ratio = None
        if "peer_n" not in key and not key.startswith("pywa"):
            ratio = paired_ratio(row, fan.get(floor_key))
        rows.append(
            [
                _LABELS.get(key, key),
                str(row["n"]),
                _fmt(row["msg_per_s"], ",.0f"),
                f"{row['msg_per_s_min']:,.0f}-{row['msg_per_s_max']:,.0f}",
                _fmt(ratio, ".2f"),
                _fmt(row["cpu_us_per_msg"], ".0f"),
                _fmt(row["rss_growth_mib"], ".1f"),
                f"{row['gc_share']:.0%}",
                _fmt(row["server_cpu_share"], ".0%"),
            ]
        )
    out.append(
        (
            f"Fan-out, concurrency {results['config']['concurrency']}, "
            f"median of {results['config']['rounds']} rounds",
            [
                "scenario",
                "n",
                "msg/s",
                "range",
                "x floor (paired)",
                "CPU µs/msg",
                "peak RSS +MiB",
                "GC",
                "server CPU",
            ],
            rows,
        )
    )
    sweep = results.get("sweep", {})
    if sweep:
        levels = sorted({int(c) for series in sweep.values() for c in series})
        out.append(
            (
                "Throughput (msg/s) and peak RSS growth (MiB) against concurrency",
                ["scenario", *[f"c={c}" for c in levels]],
                [
                    [
                        _LABELS.get(name, name),
                        *[_sweep_cell(series.get(str(c))) for c in levels],
                    ]
                    for name, series in sweep.items()
                ],
            )
        )
    memory = {k: v for k, v in results.get("memory", {}).items() if k != "traced"}
    if memory:
        items = sorted({int(n) for series in memory.values() for n in series})
        out.append(
            (
                "Memory against items, concurrency "
                f"{results['config']['concurrency']}: peak RSS growth (MiB)",
                ["scenario", *[f"n={n}" for n in items]],
                [
                    [
                        _LABELS.get(name, name),
                        *[_fmt(series.get(str(n), {}).get("rss_growth_mib"), ".1f") for n in items],
                    ]
                    for name, series in memory.items()
                ],
            )
        )
    traced = results.get("memory", {}).get("traced", {})
    if traced:
        items = sorted({int(n) for series in traced.values() for n in series})
        out.append(
            (
                "Memory against items (tracemalloc): peak / still allocated at the end, "
                "bytes per message",
                ["scenario", *[f"n={n}" for n in items]],
                [
                    [
                        _LABELS.get(name, name),
                        *[
                            f"{_fmt(series.get(str(n), {}).get('traced_peak_b_per_msg'), ',.0f')}"
                            f" / {_fmt(series.get(str(n), {}).get('traced_end_b_per_msg'), ',.0f')}"
                            for n in items
                        ],
                    ]
                    for name, series in traced.items()
                ],
            )
        )
    overhead = results.get("overhead")
    if overhead:
        total, stages = overhead["total_us"], overhead["stages_us"]
        slow = overhead.get("without_fast_path", {}).get("total_us", {})
        out.append(
            (
                f"SDK work per message, no network (µs, median of {overhead['rounds']} rounds "
                f"of {overhead['n']})",
                ["work", "text", "template"],
                [
                    ["normalise, distinct", _fmt(stages["normalise_distinct"], ".2f"), ""],
                    ["normalise, repeated (cached)", _fmt(stages["normalise_repeated"], ".2f"), ""],
                    [
                        "build message Structs",
                        _fmt(stages["build_message_text"], ".2f"),
                        _fmt(stages["build_message_template"], ".2f"),
                    ],
                    [
                        "msgspec encode",
                        _fmt(stages["encode_text"], ".2f"),
                        _fmt(stages["encode_template"], ".2f"),
                    ],
                    [
                        "provider.build_send (both)",
                        _fmt(stages["build_send_text"], ".2f"),
                        _fmt(stages["build_send_template"], ".2f"),
                    ],
                    ["provider.parse_send", _fmt(stages["parse_send"], ".2f"), ""],
                    [
                        "all, distinct recipients",
                        _fmt(total["text_distinct"], ".2f"),
                        _fmt(total["template_distinct"], ".2f"),
                    ],
                    [
                        "all, repeated recipients",
                        _fmt(total["text_repeated"], ".2f"),
                        _fmt(total["template_repeated"], ".2f"),
                    ],
                    [
                        "all, distinct, fast path off (phonenumbers)",
                        _fmt(slow.get("text_distinct"), ".2f"),
                        _fmt(slow.get("template_distinct"), ".2f"),
                    ],
                ],
            )
        )
    e164 = results.get("e164")
    if e164:
        check, speed = e164["check"], e164["speed"]
        out.append(
            (
                "The core's fast E.164 path against phonenumbers",
                ["measure", "value"],
                [
                    ["cases (valid / invalid)", f"{check['cases']} ({check['valid']} / "
                     f"{check['invalid']})"],
                    ["_parse_phone outcomes differing from phonenumbers only",
                     str(check["mismatches"])],
                    ["fast answers phonenumbers disagrees with", str(check["unsound"])],
                    ["valid E.164 inputs decided by the fast path",
                     f"{check['coverage_of_e164_valid']:.1%}"],
                    ["phonenumbers parse+is_valid+format µs", f"{speed['phonenumbers_us']:.2f}"],
                    ["_parse_phone µs, fast path off (uncached)",
                     f"{speed['parse_phone_without_fast_path_us']:.2f}"],
                    ["fast_e164 µs", f"{speed['fast_e164_us']:.2f}"],
                    ["_parse_phone µs (uncached)",
                     f"{speed['parse_phone_us']:.2f} ({speed['speedup']:.1f}x faster)"],
                ],
            )
        )  # fmt: skip
    out.append(
        (
            "Targets (benchmarks/README.md), reported, not asserted",
            ["target", "value", "goal", "met"],
            [
                [
                    row["target"],
                    _fmt(row["value"], ".2f"),
                    row["goal"],
                    "-" if row["met"] is None else ("yes" if row["met"] else "NO"),
                ]
                for row in results.get("targets", [])
            ],
        )
    )
    return out


def _machine_line(results: dict[str, Any]) -> str:
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, {m['python']}; "
        f"{libs}; load average {m['load_average_at_start']} -> {m.get('load_average_at_end')}; "
        f"load target: {results['load_target']['kind']}, server on core "
        f"{results['load_target']['server_pinned_to_cpu']}, client on core "
        f"{results['load_target']['client_pinned_to_cpu']}; "
        f"floor bytes identical to the SDK's: {results['wire_bytes_identical']}"
    )


def print_report(results: dict[str, Any]) -> None:
    """Print every table (rich if available) and the machine line.

    Example::

        print_report(json.loads(Path("benchmarks/results/latest.json").read_text()))
    """
    try:
        from rich.console import Console
        from rich.table import Table as RichTable
    except ImportError:
        for title, header, rows in tables(results):
            widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
            print(f"\n{title}")
            for line in (header, *rows):
                print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)))
        print("\n" + _machine_line(results))
        return
    console = Console(width=max(140, Console().width))
    for title, header, rows in tables(results):
        table = RichTable(title=title, title_justify="left")
        for index, name in enumerate(header):
            table.add_column(name, justify="left" if index == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    console.print(_machine_line(results))


def plot(results: dict[str, Any], path: Path) -> bool:
    """Throughput and peak RSS growth against concurrency; False without matplotlib.

    Example::

        plot(results, Path("benchmarks/results/throughput.png"))
    """
    try:
        import matplotlib  # type: ignore[import-not-found, import-untyped, unused-ignore]

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return False
    sweep = results.get("sweep", {})
    if not sweep:
        return False
    figure, (rate_axis, memory_axis) = plt.subplots(1, 2, figsize=(12, 4.8))
    styles = {
        "floor_gather": ("black", "o", "--"),
        "floor_workers": ("grey", "s", ":"),
        "sdk_gather": ("tab:blue", "o", "-"),
        "sdk_send_many": ("tab:green", "^", "-"),
        "pywa_gather": ("tab:red", "x", "-"),
    }
    for name, all_series in sweep.items():
        series = {c: row for c, row in all_series.items() if "error" not in row}
        if not series:
            continue
        levels = sorted(int(c) for c in series)
        color, marker, line = styles.get(name, ("tab:purple", ".", "-"))
        label = _LABELS.get(name, name)
        if name == "pywa_gather":
            label += f" (n={series[str(levels[0])]['n']})"
        rates = [series[str(c)]["msg_per_s"] for c in levels]
        memory = [series[str(c)]["rss_growth_mib"] for c in levels]
        rate_axis.plot(levels, rates, color=color, marker=marker, linestyle=line, label=label)
        memory_axis.plot(levels, memory, color=color, marker=marker, linestyle=line, label=label)
    n = results["config"]["n"]
    rate_axis.set_title(f"Throughput, {n:,} text sends to distinct numbers")
    rate_axis.set_xlabel("concurrency (connector limit / workers)")
    rate_axis.set_ylabel("messages per second (log)")
    rate_axis.set_yscale("log")
    levels_all = sorted({int(c) for series in sweep.values() for c in series})
    for axis in (rate_axis, memory_axis):
        axis.set_xscale("log")
        axis.set_xticks(levels_all)
        axis.set_xticklabels([str(c) for c in levels_all])
        axis.set_xticks([], minor=True)
    rate_axis.grid(True, which="both", alpha=0.3)
    rate_axis.legend(fontsize=8)
    memory_axis.set_title("Peak RSS growth during the fan-out")
    memory_axis.set_xlabel("concurrency (connector limit / workers)")
    memory_axis.set_ylabel("MiB")
    memory_axis.grid(True, alpha=0.3)
    m = results["machine"]
    figure.suptitle(
        f"whatsapp_async benchmarks: {m['cpu']}, {m['cores']} cores, {m['python']}, loopback",
        fontsize=10,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
