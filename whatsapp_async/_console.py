"""Terminal output for the CLI: tables and a progress bar, prettier with ``rich`` if installed.

``rich`` is the optional ``cli`` extra; without it the same information is
printed as plain text, so the commands work on a bare install.

Example::

    console = Console()
    console.table(["provider", "status"], [["meta", "accepted"]])
    with console.progress(1000, "sending") as advance:
        advance(1)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["Console"]


class Console:
    """Writes tables, lines and progress to a stream (stdout by default).

    Example::

        Console().line("hello")
    """

    def __init__(self, stream: TextIO | None = None, *, fancy: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self._rich: Any = None
        wants_rich = self.stream.isatty() if fancy is None else fancy
        if wants_rich:
            try:
                import rich.console

                self._rich = rich.console.Console(file=self.stream, highlight=False)
            except ImportError:
                self._rich = None

    def line(self, text: str = "") -> None:
        """Print one line."""
        if self._rich is not None:
            self._rich.print(text, markup=False)
        else:
            print(text, file=self.stream)

    def heading(self, text: str) -> None:
        """Print a section heading."""
        self.line()
        self.line(f"== {text}")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Print a table with aligned columns."""
        if self._rich is not None:
            import rich.table

            table = rich.table.Table(*header)
            for row in rows:
                table.add_row(*row)
            self._rich.print(table)
            return
        widths = [len(h) for h in header]
        for row in rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        self.line(fmt.format(*header).rstrip())
        self.line("  ".join("-" * w for w in widths))
        for row in rows:
            self.line(fmt.format(*row).rstrip())

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Callable[[int], None]]:
        """A progress bar; the context yields ``advance(n)``."""
        if self._rich is not None:
            import rich.progress

            with rich.progress.Progress(console=self._rich, transient=False) as bar:
                task = bar.add_task(label, total=total)
                yield lambda n: bar.advance(task, n)
            return
        done = 0
        drawn = -1
        last_print = 0.0
        started = time.monotonic()
        # On a terminal the bar redraws in place; in a log or pipe only the final line is written.
        live = self.stream.isatty()

        def draw(now: float) -> None:
            nonlocal drawn, last_print
            drawn, last_print = done, now
            width = 30
            filled = int(width * done / total) if total else width
            rate = done / max(now - started, 1e-9)
            self.stream.write(
                f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f}/s)"
            )
            self.stream.flush()

        def advance(n: int) -> None:
            nonlocal done
            done += n
            now = time.monotonic()
            if done == total or (live and now - last_print >= 0.5):
                draw(now)

        try:
            yield advance
        finally:
            # Also when the work stops early (an interrupted run): the last state is shown.
            if total == 0:
                self.stream.write(f"{label} nothing to do")
            elif drawn != done:
                draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
