"""The two CSV formats of ``whatsapp-async send-bulk``: input rows in, result lines out (and back).

Input: a header row with ``to`` and, per row, either ``text`` or ``template``
(with optional ``language``); template parameters come from ``param1``,
``param2``, ... (positional, in number order) or ``param:<name>`` columns
(named). Command-line defaults fill empty cells. A row that cannot become a
message gets an error outcome; it never stops the run.

Output: one line per input row (columns :data:`RESULT_COLUMNS`), written and
flushed as each row finishes, so lines are in completion order and ``row``
(1-based, header excluded) says which input row a line is for. ``in_doubt`` is
``true`` for a failed row whose message may have gone out anyway
(:func:`may_have_been_sent`). :func:`read_results` reads such a file back for
``--resume``.

Example::

    rows = read_rows(open("customers.csv"), RowDefaults(template="order_update"))
    writer = ResultsWriter(open("results.csv", "x"), provider="meta")
    writer.write(rows[0].number, rows[0].to, some_outcome)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import NamedTuple, TextIO

import msgspec

from ._items import BulkItem
from .errors import (
    APIError,
    APIStatusError,
    ConfigurationError,
    SendCancelled,
    ValidationError,
    WhatsAppError,
)
from .messages import Message, Template, Text
from .results import Outcome, SendResult

__all__ = [
    "RESULT_COLUMNS",
    "InputRow",
    "PriorResult",
    "ResultsWriter",
    "RowDefaults",
    "may_have_been_sent",
    "read_results",
    "read_rows",
    "result_fields",
]

_POSITIONAL = re.compile(r"^param(\d+)$")
RESULT_COLUMNS = (
    "row",
    "to",
    "ok",
    "provider",
    "status",
    "id",
    "error_type",
    "error_code",
    "error",
    "in_doubt",
)
"""The header of a results file (``in_doubt`` last, so older readers by position still work)."""

_NEEDED = ("row", "to", "ok", "in_doubt")


def may_have_been_sent(outcome: Outcome) -> bool:
    """Whether ``outcome``'s request may have reached the provider (True for a success).

    A failed row is *in doubt* exactly when its error says so (``error.in_doubt``, decided by
    the client: a 5xx the provider does not document as "not processed", a reset or timeout
    after sending, a cancellation mid-request); a resumed run never resends such a row unless
    told to. An error the client did not classify (a bug caught by the bulk engine, another
    sender holding the key) is assumed to have gone out: the safe answer is "maybe".

    Example::

        >>> may_have_been_sent(ValidationError("row has no 'to'"))
        False
        >>> may_have_been_sent(SendCancelled("stopped", request_started=True))
        True
    """
    if isinstance(outcome, SendResult):
        return True
    if isinstance(outcome, (APIError, SendCancelled, ValidationError, ConfigurationError)):
        return outcome.in_doubt
    return True


class RowDefaults(msgspec.Struct, frozen=True, kw_only=True):
    """Values used where a row leaves a column empty.

    Example::

        RowDefaults(template="order_update", language="pt_BR")
    """

    text: str | None = None
    template: str | None = None
    language: str = "en_US"


class InputRow(NamedTuple):
    """One data row of the input: its number (1-based), its ``to`` as written, and
    the :class:`BulkItem` it becomes or the error that keeps it from being sent.

    Example::

        InputRow(1, "+14155552671", BulkItem(to="+14155552671", message=Text("hi")))
    """

    number: int
    to: str
    entry: BulkItem | WhatsAppError


def _message(row: dict[str, str], defaults: RowDefaults) -> Message:
    text = (row.get("text") or "").strip() or defaults.text
    template = (row.get("template") or "").strip() or defaults.template
    if text and template:
        raise ValidationError("row has both text and template; give one")
    if text:
        return Text(text)
    if not template:
        raise ValidationError("row has neither text nor template (and no --text/--template)")
    positional = sorted(
        ((int(m.group(1)), value) for key, value in row.items() if (m := _POSITIONAL.match(key))),
    )
    named = {key[6:]: value for key, value in row.items() if key.startswith("param:") and value}
    if positional and named:
        raise ValidationError("row mixes paramN and param:<name> columns")
    body: list[str] | dict[str, str] = named or [v for _, v in positional if v != ""]
    language = (row.get("language") or "").strip() or defaults.language
    return Template(template, language=language, body=body)


def read_rows(stream: TextIO, defaults: RowDefaults) -> list[InputRow]:
    """One :class:`InputRow` per data row, in input order.

    Example::

        rows = read_rows(io.StringIO("to,text\\n+14155552671,hi\\n"), RowDefaults())
    """
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "to" not in reader.fieldnames:
        raise ValidationError("the CSV needs a header row with a 'to' column")
    rows: list[InputRow] = []
    for number, row in enumerate(reader, start=1):
        clean = {k: (v or "") for k, v in row.items() if k is not None}
        to = clean.get("to", "").strip()
        entry: BulkItem | WhatsAppError
        try:
            if not to:
                raise ValidationError("row has no 'to'")
            entry = BulkItem(to=to, message=_message(clean, defaults))
        except WhatsAppError as exc:
            entry = exc
        rows.append(InputRow(number, to, entry))
    return rows


def _one_line(value: str) -> str:
    # One physical line per row: line tools (wc -l, tail, grep) work on the file, and a line cut
    # short by a crash is recognisable as the unterminated last line.
    return " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value


def result_fields(number: int, to: str, outcome: Outcome, *, provider: str = "") -> list[str]:
    """The result line of row ``number`` (``provider`` fills in an error that names none).

    Example::

        >>> result_fields(3, "", ValidationError("row has no 'to'"), provider="meta")[:4]
        ['3', '', 'false', 'meta']
    """
    if isinstance(outcome, SendResult):
        fields = [str(number), to, "true", outcome.provider, outcome.status, outcome.id]
        return [_one_line(f) for f in fields] + ["", "", "", "false"]
    code = outcome.code if isinstance(outcome, APIStatusError) else None
    fields = [
        str(number),
        to,
        "false",
        outcome.provider or provider,
        "",
        "",
        type(outcome).__name__,
        "" if code is None else str(code),
        outcome.message,
        "true" if may_have_been_sent(outcome) else "false",
    ]
    return [_one_line(f) for f in fields]


class PriorResult(NamedTuple):
    """A line read back from a results file (``fields`` by column name, to be carried over).

    Example::

        prior = read_results(open("results.csv"))[0][7]
        prior.ok, prior.in_doubt, prior.to
    """

    row: int
    to: str
    ok: bool
    in_doubt: bool
    fields: Mapping[str, str]


def _flag(value: str, column: str, where: str) -> bool:
    if value not in ("true", "false"):
        raise ValidationError(f"{where}: {column} is {value!r}, not true or false")
    return value == "true"


def read_results(stream: TextIO, name: str = "results") -> tuple[dict[int, PriorResult], bool]:
    """The lines of a results file by row number, and whether a cut-off last line was dropped.

    A row with several lines (files joined by hand) keeps a success if it has
    one, else an in-doubt line if it has one: the merge never makes a row
    look safer to resend than one of its lines says.

    Example::

        lines, dropped = read_results(open("results.csv"), "results.csv")
    """
    text = stream.read()
    dropped = bool(text) and not text.endswith("\n")
    if dropped:
        # Lines are written whole and flushed, so only a crash mid-write leaves an unterminated
        # last line: that row has no result.
        text = text[: text.rfind("\n") + 1]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or not set(_NEEDED) <= set(header):
        raise ValidationError(
            f"{name} is not a send-bulk results file (its header needs {', '.join(_NEEDED)})"
        )
    lines: dict[int, PriorResult] = {}
    for line_no, values in enumerate(reader, start=2):
        where = f"{name} line {line_no}"
        if len(values) != len(header):
            raise ValidationError(f"{where} has {len(values)} fields, the header {len(header)}")
        fields = dict(zip(header, values, strict=True))
        if not fields["row"].isdigit() or int(fields["row"]) < 1:
            raise ValidationError(f"{where}: row is {fields['row']!r}, not a row number")
        ok = _flag(fields["ok"], "ok", where)
        in_doubt = _flag(fields["in_doubt"], "in_doubt", where)
        prior = PriorResult(int(fields["row"]), fields["to"], ok, in_doubt, fields)
        earlier = lines.get(prior.row)
        if earlier is None or _rank(prior) >= _rank(earlier):
            lines[prior.row] = prior
    return lines, dropped


def _rank(prior: PriorResult) -> int:
    return 2 if prior.ok else 1 if prior.in_doubt else 0


class ResultsWriter:
    """Writes result lines as rows finish, one flushed line each; counts what it wrote.

    Each row is written once (a second outcome for a row is ignored), so the
    file ends with exactly one line per row that was written.

    Example::

        writer = ResultsWriter(open("results.csv", "x", newline=""), provider="meta")
        writer.write(1, "+14155552671", outcome)
    """

    def __init__(self, stream: TextIO, *, provider: str, header: bool = True) -> None:
        self._stream = stream
        self._csv = csv.writer(stream)
        self._provider = provider
        self.written: set[int] = set()
        self.ok = 0
        self.in_doubt = 0
        if header:
            self._line(list(RESULT_COLUMNS))

    @property
    def failed(self) -> int:
        """Rows written with a failure (in doubt or not)."""
        return len(self.written) - self.ok

    def retarget(self, stream: TextIO) -> None:
        """Write the following lines to ``stream`` (the file moved into place, reopened)."""
        self._stream = stream
        self._csv = csv.writer(stream)

    def _line(self, fields: list[str]) -> None:
        self._csv.writerow(fields)
        # Flushed per line: a crash of the process loses no finished row.
        self._stream.flush()

    def _count(self, row: int, ok: bool, in_doubt: bool) -> bool:
        if row in self.written:
            return False
        self.written.add(row)
        self.ok += ok
        self.in_doubt += in_doubt and not ok
        return True

    def write(self, row: int, to: str, outcome: Outcome) -> None:
        """Write row ``row``'s outcome (unless that row has a line already)."""
        ok = isinstance(outcome, SendResult)
        if self._count(row, ok, not ok and may_have_been_sent(outcome)):
            self._line(result_fields(row, to, outcome, provider=self._provider))

    def carry(self, prior: PriorResult) -> None:
        """Write a line read from an earlier results file again, as it was."""
        if self._count(prior.row, prior.ok, prior.in_doubt):
            self._line([_one_line(prior.fields.get(column, "")) for column in RESULT_COLUMNS])
