"""``send-bulk --resume``: which rows an earlier results file says to send again.

A row is sent again only when its line is a failure that did not go out. A row
with a success is kept as it is; so is a row in doubt (its request may have gone
out) unless ``--resend-in-doubt``. A row with no line at all is in doubt too:
only a run killed without warning (SIGKILL, power loss) leaves rows unwritten,
and the rows it had in flight cannot be told from the rows it never reached.

Rows are matched by number and their ``to`` must still be the same: a results
file for another (or an edited) input is an error, never a silent mismatch.

Example::

    lines, _ = read_results(open("results.csv"), "results.csv")
    plan = plan_resume(read_rows(open("in.csv"), RowDefaults()), lines,
                       resend_in_doubt=False, name="results.csv")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ._bulkcsv import InputRow, PriorResult
from .errors import ValidationError

__all__ = ["ResumePlan", "plan_resume"]


class ResumePlan(NamedTuple):
    """What a run does with each input row.

    ``carry``: lines kept as they were; ``unrecorded``: rows without a line that
    stay unsent (written as in doubt); ``send``: rows to read and send again.

    Example::

        plan = ResumePlan(carry=[], unrecorded=[], send=rows)  # a fresh run
    """

    carry: list[PriorResult]
    unrecorded: list[InputRow]
    send: list[InputRow]

    @property
    def kept_in_doubt(self) -> int:
        """Rows in doubt that this run leaves unsent."""
        return len(self.unrecorded) + sum(1 for p in self.carry if p.in_doubt and not p.ok)


def plan_resume(
    rows: Sequence[InputRow],
    prior: Mapping[int, PriorResult],
    *,
    resend_in_doubt: bool,
    name: str,
) -> ResumePlan:
    """Split ``rows`` by what their lines in ``prior`` (the results file ``name``) say.

    Raises :class:`ValidationError` when a line names a row the input does not
    have, or a ``to`` other than the input row's.

    Example::

        plan = plan_resume(rows, lines, resend_in_doubt=True, name="results.csv")
        print(len(plan.send), "rows to send")
    """
    for number, known in sorted(prior.items()):
        if number > len(rows):
            raise ValidationError(
                f"{name} has a line for row {number}, but the input has {len(rows)} rows: "
                "it is the results file of another input"
            )
        if known.to != rows[number - 1].to:
            raise ValidationError(
                f"{name} row {number} is for {known.to!r}, but input row {number} is for "
                f"{rows[number - 1].to!r}: the input changed since that run (resume with the "
                "input it was made from, or start a new results file)"
            )
    plan = ResumePlan(carry=[], unrecorded=[], send=[])
    for row in rows:
        line = prior.get(row.number)
        if line is None:
            (plan.send if resend_in_doubt else plan.unrecorded).append(row)
        elif line.ok or (line.in_doubt and not resend_in_doubt):
            plan.carry.append(line)
        else:
            plan.send.append(row)
    return plan
