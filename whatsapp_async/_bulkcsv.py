"""CSV in, CSV out for ``whatsapp-async send-bulk``.

Input: a header row with ``to`` and, per row, either ``text`` or ``template``
(with optional ``language``); template parameters come from ``param1``,
``param2``, ... (positional, in number order) or ``param:<name>`` columns
(named). Command-line defaults fill empty cells. A row that cannot become a
message gets an error outcome; it never stops the run.

Output: one line per input row, in input order.

Example::

    rows = read_rows(open("customers.csv"), RowDefaults(template="order_update"))
    write_results(open("results.csv", "w"), rows_to, bulk_outcomes)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

import msgspec

from ._items import BulkItem
from .errors import APIStatusError, ValidationError, WhatsAppError
from .messages import Message, Template, Text
from .results import Outcome, SendResult

__all__ = ["RESULT_COLUMNS", "RowDefaults", "read_rows", "write_results"]

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
)


class RowDefaults(msgspec.Struct, frozen=True, kw_only=True):
    """Values used where a row leaves a column empty.

    Example::

        RowDefaults(template="order_update", language="pt_BR")
    """

    text: str | None = None
    template: str | None = None
    language: str = "en_US"


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


def read_rows(stream: TextIO, defaults: RowDefaults) -> list[BulkItem | WhatsAppError]:
    """One entry per data row: a :class:`BulkItem`, or the error that row has.

    Example::

        entries = read_rows(io.StringIO("to,text\\n+14155552671,hi\\n"), RowDefaults())
    """
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "to" not in reader.fieldnames:
        raise ValidationError("the CSV needs a header row with a 'to' column")
    entries: list[BulkItem | WhatsAppError] = []
    for row in reader:
        clean = {k: (v or "") for k, v in row.items() if k is not None}
        to = clean.get("to", "").strip()
        try:
            if not to:
                raise ValidationError("row has no 'to'")
            entries.append(BulkItem(to=to, message=_message(clean, defaults)))
        except WhatsAppError as exc:
            entries.append(exc)
    return entries


def write_results(stream: TextIO, recipients: Sequence[str], outcomes: Iterable[Outcome]) -> None:
    """Write one result line per row (header :data:`RESULT_COLUMNS`).

    Example::

        write_results(sys.stdout, ["+14155552671"], bulk)
    """
    writer = csv.writer(stream)
    writer.writerow(RESULT_COLUMNS)
    for index, (to, outcome) in enumerate(zip(recipients, outcomes, strict=True), start=1):
        if isinstance(outcome, SendResult):
            writer.writerow(
                [index, to, "true", outcome.provider, outcome.status, outcome.id, "", "", ""]
            )
        else:
            code = outcome.code if isinstance(outcome, APIStatusError) else ""
            writer.writerow(
                [
                    index,
                    to,
                    "false",
                    outcome.provider or "",
                    "",
                    "",
                    type(outcome).__name__,
                    "" if code is None else code,
                    outcome.message,
                ]
            )
