"""``whatsapp-async send-bulk``: a CSV in, one result line per row out, and no row ever lost.

Every row's line is written and flushed as the row finishes. Ctrl-C (SIGINT)
or SIGTERM stops new rows, cancels the ones in flight and writes every
unfinished row as ``SendCancelled`` (``in_doubt`` when its request may have
gone out). ``--resume`` sends only what an earlier results file says did not go
out (:mod:`._cli_resume`). The file formats are in :mod:`._bulkcsv`.

Example (shell)::

    whatsapp-async send-bulk customers.csv --template order_update --out results.csv
    whatsapp-async send-bulk customers.csv --template order_update --resume results.csv
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from ._bulkcsv import InputRow, ResultsWriter, RowDefaults, read_results, read_rows
from ._cli_config import add_config_flags, client_from_args
from ._cli_resume import ResumePlan, plan_resume
from ._client import WhatsApp
from ._console import Console
from ._items import BulkItem
from .errors import SendCancelled, ValidationError, WhatsAppError
from .results import BulkResult, Outcome

__all__ = ["add_bulk_parser", "cmd_send_bulk"]

_EPILOG = """\
results file: one line per input row with the columns
  row,to,ok,provider,status,id,error_type,error_code,error,in_doubt
written and flushed as each row finishes, so in completion order (sort by row for
input order). in_doubt=true: the row failed but its message may have gone out (cut
short in flight, a timeout after sending, a 5xx answer).

Ctrl-C (SIGINT) or SIGTERM: no new row starts, rows in flight are cancelled, and every
unfinished row is written as SendCancelled, in doubt if its request had started.

--resume FILE sends only the rows without a success in FILE, never one in doubt
(unless --resend-in-doubt), and rewrites FILE (or writes --out) so that it again holds
exactly one line per input row. A row of FILE whose `to` differs from the input is an
error.

exit codes:
  0    every row was sent
  1    some rows failed or stay in doubt
  2    bad usage, configuration or input, or the results file cannot be written
  130  interrupted by SIGINT (143: by SIGTERM) before every row finished
"""

_UNRECORDED = (
    "no result was recorded for this row: the run that wrote the results file stopped "
    "without warning, maybe while sending it"
)
_NOT_STARTED = "the run was stopped before this row was sent"


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return number


def add_bulk_parser(sub: Any) -> None:
    """Add the ``send-bulk`` command to the subcommands ``sub`` (``add_subparsers()``).

    Example::

        add_bulk_parser(parser.add_subparsers(dest="command"))
    """
    bulk = sub.add_parser(
        "send-bulk",
        help="send to every row of a CSV file",
        description="Columns: to, and text or template (+ language, param1.. or param:<name>). "
        "Writes one result line per input row as it finishes.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bulk.add_argument("csv", help="input CSV file")
    bulk.add_argument(
        "--out",
        help="results CSV (default results.csv, or the --resume file); must not exist "
        "unless --overwrite or it is the --resume file",
    )
    bulk.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    bulk.add_argument("--resume", metavar="RESULTS", help="continue the run that wrote RESULTS")
    bulk.add_argument(
        "--resend-in-doubt",
        action="store_true",
        help="with --resume, also resend rows whose message may have gone out (may duplicate)",
    )
    bulk.add_argument("--text", help="text for rows without one")
    bulk.add_argument("--template", help="template for rows without one")
    bulk.add_argument("--language", default="en_US", help="template language (default en_US)")
    bulk.add_argument(
        "--concurrency", type=_positive_int, default=50, help="sends in flight (default 50)"
    )
    bulk.add_argument(
        "--rate",
        type=_positive_float,
        metavar="PER_SECOND",
        help="messages per second (default: the profile's, else the provider's documented limit)",
    )
    bulk.add_argument(
        "--check-templates",
        action="store_true",
        help="check each template against the provider's approved ones before sending",
    )
    add_config_flags(bulk)


def cmd_send_bulk(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Run ``send-bulk``: the summary goes to ``out``, progress and warnings to ``err``.

    Example::

        code = cmd_send_bulk(parser.parse_args(["send-bulk", "in.csv"]), Console(),
                             Console(sys.stderr))
    """
    if args.resend_in_doubt and not args.resume:
        raise ValidationError("--resend-in-doubt only applies with --resume")
    defaults = RowDefaults(text=args.text, template=args.template, language=args.language)
    with open(args.csv, newline="", encoding="utf-8") as fh:
        rows = read_rows(fh, defaults)
    path = args.out or args.resume or "results.csv"
    if args.resume:
        plan = _resume_plan(args, rows, err)
        replaces = os.path.exists(path) and os.path.samefile(path, args.resume)
    else:
        plan = ResumePlan(carry=[], unrecorded=[], send=rows)
        replaces = False
    if os.path.exists(path) and not (replaces or args.overwrite):
        raise ValidationError(
            f"{path} exists: continue that run with --resume {path}, or start again with "
            "--overwrite"
        )
    overrides: dict[str, Any] = {}
    if args.rate is not None:
        overrides["rate_limit"] = args.rate
    if args.check_templates:
        overrides["check_templates"] = True
    # Built before the results file is touched: a configuration error leaves it as it was.
    client = client_from_args(args, **overrides)
    if args.check_templates and "list_templates" not in client.capabilities.operations:
        err.line(f"warning: {client.provider_name} lists no templates: nothing to check against")
    return asyncio.run(_BulkRun(client, plan, len(rows), path, err).run(args, out))


def _resume_plan(args: argparse.Namespace, rows: list[InputRow], err: Console) -> ResumePlan:
    with open(args.resume, newline="", encoding="utf-8") as fh:
        lines, dropped = read_results(fh, args.resume)
    if dropped:
        err.line(f"warning: the last line of {args.resume} was cut short; that row has no result")
    plan = plan_resume(rows, lines, resend_in_doubt=args.resend_in_doubt, name=args.resume)
    if plan.unrecorded:
        err.line(
            f"warning: {len(plan.unrecorded)} rows have no line in {args.resume} (its run was "
            "killed?): they count as in doubt"
        )
    if plan.kept_in_doubt:
        err.line(
            f"warning: {plan.kept_in_doubt} rows in doubt are not resent (their message may "
            "have gone out); --resend-in-doubt sends them again"
        )
    return plan


class _ResultsFile:
    """The results file, first written beside its name, then moved into place and appended to.

    The lines known at once (carried over, rejected rows) go to a temporary file that
    replaces ``path`` in one step: resuming into the file being read never leaves it
    half rewritten.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        folder, name = os.path.split(os.path.abspath(path))
        self._tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        # Created like any new file (0666 less the umask), not mkstemp's 0600.
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.stream: TextIO = os.fdopen(fd, "w", newline="", encoding="utf-8")
        if os.path.exists(path):
            shutil.copymode(path, self._tmp)  # a replaced file keeps its permissions
        self._published = False

    def publish(self) -> TextIO:
        """Move the temporary file into place; return the stream to append to."""
        self._sync_close()
        os.replace(self._tmp, self.path)
        self._published = True
        self.stream = open(self.path, "a", newline="", encoding="utf-8")  # noqa: SIM115
        return self.stream

    def _sync_close(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()

    def close(self) -> None:
        """Flush to disk and close (before publishing: discard the temporary file)."""
        if self.stream.closed:
            return
        if self._published:
            self._sync_close()
        else:
            self.stream.close()
            os.unlink(self._tmp)


@contextmanager
def _stop_signals(handler: Any) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    installed: list[tuple[int, Any]] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        try:
            loop.add_signal_handler(sig, handler, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or Windows: Ctrl-C still cancels the run
        installed.append((sig, previous))
    try:
        yield
    finally:
        for signum, previous in installed:
            loop.remove_signal_handler(signum)
            if previous is not None:  # restore a handler set before the run (None: set in C)
                signal.signal(signum, previous)


class _BulkRun:
    """One ``send-bulk`` run: writes every row's line, whatever stops it."""

    def __init__(
        self, client: WhatsApp, plan: ResumePlan, total: int, path: str, err: Console
    ) -> None:
        self._wa = client
        self._plan = plan
        self._total = total
        self._path = path
        self._err = err
        self._task: asyncio.Future[BulkResult] | None = None
        self.signum: int | None = None
        self.write_error: OSError | None = None
        self.cut_short = 0
        """Rows this run wrote as cancelled: the run stopped before they finished."""

    def _stop(self, signum: int | None = None) -> None:
        if self.signum is None and self.write_error is None:
            self._err.line(
                "interrupted: stopping; unfinished rows are written as cancelled"
                if signum is not None
                else f"cannot write {self._path}: stopping, no new row starts"
            )
        if signum is not None and self.signum is None:
            self.signum = signum
        if self._task is not None:
            self._task.cancel()

    async def run(self, args: argparse.Namespace, out: Console) -> int:
        """Send, write every line, print the summary; the exit code."""
        target = _ResultsFile(self._path)
        try:
            with _stop_signals(self._stop):
                async with self._wa:
                    writer = ResultsWriter(target.stream, provider=self._wa.provider_name)
                    with self._err.progress(self._total, "sending") as advance:
                        await self._send_all(args, writer, target, advance)
        finally:
            target.close()
        if self.write_error is not None:
            raise self.write_error
        summary = f"{self._total} rows: {writer.ok} sent, {writer.failed} failed"
        if writer.in_doubt:
            summary += f" ({writer.in_doubt} in doubt)"
        summary += f"; results in {self._path}"
        if self.cut_short:
            out.line(f"interrupted: {summary}; continue with --resume {self._path}")
            return 128 + (self.signum or signal.SIGINT)
        out.line(summary)
        return 1 if writer.failed else 0

    async def _send_all(
        self, args: argparse.Namespace, writer: ResultsWriter, target: _ResultsFile, advance: Any
    ) -> None:
        for line in self._plan.carry:
            writer.carry(line)
        for row in self._plan.unrecorded:
            writer.write(row.number, row.to, self._cancelled(_UNRECORDED, started=True))
        sending: list[tuple[InputRow, BulkItem]] = []
        for row in self._plan.send:
            if isinstance(row.entry, WhatsAppError):
                writer.write(row.number, row.to, row.entry)
            else:
                sending.append((row, row.entry))
        advance(self._total - len(sending))
        writer.retarget(target.publish())

        def on_result(index: int, outcome: Outcome) -> None:
            try:
                self._write(writer, sending[index][0], outcome)
            except OSError as exc:  # disk full: stop sending what could not be recorded
                if self.write_error is None:
                    self._stop()
                    self.write_error = exc
                return
            advance(1)

        bulk: BulkResult | None = None
        try:
            if sending and self.signum is None:
                items = [item for _, item in sending]
                send = self._wa.send_many(items, concurrency=args.concurrency, on_result=on_result)
                self._task = asyncio.create_task(send)  # what a signal cancels
                bulk = await self._task
        except asyncio.CancelledError as exc:
            bulk = BulkResult.from_cancelled(exc)
            if self.signum is None and self.write_error is None:
                raise  # cancelled from outside (Ctrl-C where signals cannot be caught)
        finally:
            if self.write_error is None:
                self._write_unfinished(writer, sending, bulk, advance)

    def _write_unfinished(
        self,
        writer: ResultsWriter,
        sending: list[tuple[InputRow, BulkItem]],
        bulk: BulkResult | None,
        advance: Any,
    ) -> None:
        # send_many reports cancelled items through on_result; this covers whatever it could
        # not report (stopped before it started, or an error escaping it).
        started = self._task is not None
        for index, (row, _) in enumerate(sending):
            if row.number in writer.written:
                continue
            outcome = bulk[index] if bulk is not None else None
            if outcome is None:
                outcome = self._cancelled(_NOT_STARTED if not started else _UNRECORDED, started)
            self._write(writer, row, outcome)
            advance(1)

    def _write(self, writer: ResultsWriter, row: InputRow, outcome: Outcome) -> None:
        if row.number not in writer.written and isinstance(outcome, SendCancelled):
            self.cut_short += 1
        writer.write(row.number, row.to, outcome)

    def _cancelled(self, message: str, started: bool) -> SendCancelled:
        return SendCancelled(message, provider=self._wa.provider_name, request_started=started)
