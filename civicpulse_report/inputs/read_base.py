"""What every format's reader shares: text columns, read failures and the partial read.

Owns :data:`TEXT_COLUMNS` (codes and names, never numbers), the helpers that
turn a failure to read into an :class:`~civicpulse_report.errors.InputError`
naming the file, the header check (a column name given twice), and
:class:`PartialRead`: a file that breaks a rule of its own (a CSV that is not
UTF-8, a CSV cut off mid-row) but could still be read well enough to look for
its other problems in the same run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem

#: Columns that hold codes or names: always text, never numbers.
TEXT_COLUMNS = frozenset(
    {
        "respondent_id",
        "la_code",
        "neighbourhood_code",
        "la_name",
        "neighbourhood_name",
        "region",
        "la_type",
        "source",
        "indicator",
    }
)

#: ``frame.attrs`` key of the problems a reader found in a file it could still read.
READ_PROBLEMS = "read_problems"


class PartialRead(InputError):
    """A file breaks a rule, but was read well enough to check it further.

    Callers that only care whether the file is valid treat it as any
    :class:`~civicpulse_report.errors.InputError`; validation also checks
    :attr:`frame` so that the file's other problems are reported in the same run.

    Parameters
    ----------
    problems : sequence of Problem
        What is wrong with the file itself.
    frame : DataFrame
        The best reading of the file, tidied like any other table.
    """

    def __init__(self, problems: Sequence[Problem], frame: pd.DataFrame) -> None:
        super().__init__(problems)
        self.frame = frame


def fail(path: Path, rule: str, hint: str = "", rows: tuple[int, ...] = ()) -> InputError:
    """An InputError with one whole-file problem (optionally at some rows)."""
    return InputError([Problem(file=str(path), rule=rule, hint=hint, rows=rows, n_rows=len(rows))])


def unreadable(path: Path, what: str, exc: BaseException, hint: str = "") -> InputError:
    """An InputError for a file a library could not read, quoting its first line of complaint."""
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return fail(
        path,
        f"could not be read as {what} ({detail})",
        hint or f"check that the file really is {what} and is not damaged; export it again",
    )


def check_header(path: Path, names: Sequence[object]) -> None:
    """Refuse a header that names a column twice.

    Raises
    ------
    InputError
        One problem per repeated name, at row 1.
    """
    seen: dict[str, int] = {}
    repeated: list[str] = []
    for name in names:
        text = str(name)
        seen[text] = seen.get(text, 0) + 1
        if seen[text] == 2:
            repeated.append(text)
    if repeated:
        raise InputError(
            [
                Problem(
                    file=str(path),
                    column=name,
                    rule="column name appears more than once in the header",
                    hint="rename or delete the repeated column",
                    rows=(1,),
                    n_rows=1,
                )
                for name in repeated
            ]
        )
