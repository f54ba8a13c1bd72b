"""Turn broken rules into :class:`~civicpulse_report.errors.Problem` records.

Owns how a problem is shown to the user: the rows as a spreadsheet shows them
(header = row 1), a few offending values written as the user would recognise
them, and the count of every row affected. Validation against a table's
pandera schema is lazy: every failure in a file is collected and translated,
with missing columns reported first (with a guess at the intended name).

Some mistakes get one message that names their cause instead of one per
column or cell: a workbook whose table is on another sheet than the first, a
CSV separated by semicolons or tabs, an empty row in the middle of a table,
and numbers written with thousands separators (``1,143.4155``) or a decimal
comma, in any numeric column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from civicpulse_report.errors import Problem

#: Rows listed and values quoted per problem; ``n_rows`` gives the full count.
MAX_ROWS_SHOWN = 5
MAX_VALUES_SHOWN = 5

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SPACED = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_SEPARATOR_RULES = (
    (
        _THOUSANDS,
        "holds numbers written with thousands separators, which are not read as numbers",
        "write the numbers without separators (1,143.4155 as 1143.4155): in Excel select "
        "the column, use Format Cells > Number, untick 'Use 1000 Separator (,)' and save "
        "again; from SPSS, R or Python export the column as numbers, not formatted text",
    ),
    (
        _SPACED,
        "holds numbers written with spaces or apostrophes between the thousands, "
        "which are not read as numbers",
        "write the numbers without separators (1 143 as 1143): in Excel use Format Cells "
        "> Number without a thousands separator, and save again",
    ),
    (
        _DECIMAL_COMMA,
        "holds numbers written with a decimal comma, which are not read as numbers",
        "write decimals with a point (0,87 as 0.87): in Excel untick File > Options > "
        "Advanced > 'Use system separators' and set the decimal separator to '.', then "
        "save again",
    ),
)


def show_value(value: object, width: int = 40) -> str:
    """A value as a user would recognise it: 7 not 7.0, text in quotes.

    Text that reads as a number (a CSV column holding '0' beside 'abc') is
    shown as the number, so the user sees what their spreadsheet shows.
    """
    if isinstance(value, str):
        if value == value.strip() and _reads_as_number(value):
            return value
        text = value if len(value) <= width else value[: width - 3] + "..."
        return f"'{text}'"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if np.isfinite(number) and number.is_integer():
            return str(int(number))
        return repr(number)
    return str(value)[:width]


def _reads_as_number(text: str) -> bool:
    try:
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False


def _distinct_shown(values: pd.Series, *, formatted: bool = False) -> tuple[str, ...]:
    """Up to MAX_VALUES_SHOWN distinct values; ``formatted`` ones are used as they are."""
    shown: list[str] = []
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            continue
        text = str(value)[:80] if formatted else show_value(value)
        if text not in shown:
            shown.append(text)
            if len(shown) == MAX_VALUES_SHOWN:
                break
    return tuple(shown)


def make_problem(
    file: str,
    column: str | None,
    rule: str,
    hint: str,
    rows: np.ndarray,
    values: Sequence[object] | pd.Series = (),
    *,
    formatted: bool = False,
) -> Problem:
    """One Problem for the rows breaking a rule, quoting a few distinct values.

    Parameters
    ----------
    file, column, rule, hint : str
        As in :class:`~civicpulse_report.errors.Problem`; ``column`` may be None.
    rows : ndarray
        Spreadsheet row numbers (header = 1), in any order, repeats allowed.
    values : sequence or Series
        The offending values; up to :data:`MAX_VALUES_SHOWN` distinct ones are quoted.
    formatted : bool
        Whether ``values`` are already text to quote as they are (else each
        is shown with :func:`show_value`).

    Returns
    -------
    Problem
    """
    rows = np.unique(np.asarray(rows, dtype="int64"))
    shown = _distinct_shown(pd.Series(values, dtype=object), formatted=formatted)
    return Problem(
        file=file,
        column=column,
        rule=rule,
        hint=hint,
        rows=tuple(int(r) for r in rows[:MAX_ROWS_SHOWN]),
        values=tuple(shown),
        n_rows=len(rows),
    )


def _missing_columns(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str
) -> tuple[list[str], list[Problem]]:
    present = [str(c) for c in frame.columns]
    missing = [n for n, col in schema.columns.items() if col.required and n not in frame.columns]
    problems = []
    for name in missing:
        hint_parts = []
        close = difflib.get_close_matches(name.lower(), [p.lower() for p in present], n=1)
        if close:
            match = next(p for p in present if p.lower() == close[0])
            hint_parts.append(f"did you mean '{match}'?")
        if len(present) <= 12:
            listed = ", ".join(f"'{p}'" for p in present)
            hint_parts.append(f"columns present: {listed}")
        else:
            hint_parts.append(f"none of the file's {len(present)} columns has this name")
        hint_parts.append(
            f"add the column '{name}' or rename the column that holds it "
            "(names must match exactly: lower case, underscores)"
        )
        problems.append(
            Problem(
                file=file,
                column=name,
                rule="required column is missing",
                hint="; ".join(hint_parts),
            )
        )
    return missing, problems


def schema_problems(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> list[Problem]:
    """Validate one table lazily and translate every failure into Problems.

    Parameters
    ----------
    frame : DataFrame
        The table as read; row ``i`` is spreadsheet row ``i + 2``.
    schema : pandera.DataFrameSchema
        Built by :mod:`~civicpulse_report.inputs.schema`, with rules in its metadata.
    file : str
        The name to show in each Problem.

    Returns
    -------
    list of Problem
        Missing columns first, then the schema's columns in order.
    """
    whole = _table_on_another_sheet(frame, schema, file) or _other_separator(frame, schema, file)
    if whole is not None:
        return [whole]
    missing, problems = _missing_columns(frame, schema, file)
    present_schema = schema.remove_columns(missing) if missing else schema
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    blank = blank_rows(frame)
    if blank.size and blank.size < len(frame):
        many = blank.size > 1
        problems.append(
            make_problem(
                file,
                None,
                f"empty row{'s' if many else ''} in the middle of the table",
                f"delete the empty row{'s' if many else ''}: every row between the header "
                "and the last row must hold one record",
                blank + 2,
            )
        )
    try:
        present_schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        problems.extend(_translate(exc.failure_cases, frame, schema, file, blank))
    return problems


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Positions of the rows in which every cell is blank (missing, or only spaces).

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    ndarray of int
        Row positions (0 = the first data row, spreadsheet row 2).
    """
    filled = np.zeros(len(frame), dtype=bool)
    text = []
    for name in frame.columns:  # numbers first: one filled column settles most rows
        column = frame[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            text.append(column)
        else:
            filled |= column.notna().to_numpy(dtype=bool)
    for column in text:
        open_rows = np.flatnonzero(~filled)
        if not open_rows.size:
            break
        values = column.iloc[open_rows]
        kept = values.map(lambda v: not pd.isna(v) and (not isinstance(v, str) or bool(v.strip())))
        filled[open_rows[kept.to_numpy(dtype=bool)]] = True
    return np.flatnonzero(~filled)


def _other_separator(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> Problem | None:
    """One problem when the only column's name is the whole header joined by ';', tab or '|'."""
    if len(frame.columns) != 1:
        return None
    header = str(frame.columns[0])
    for sep, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
        names = [n.strip() for n in header.split(sep)]
        if len(names) > 1 and any(n in schema.columns for n in names):
            shown = header if len(header) <= 60 else header[:57] + "..."
            return Problem(
                file=file,
                rule=(
                    f"has a single column headed '{shown}': its columns seem to be "
                    f"separated by {name}, not commas"
                ),
                hint=(
                    "save it with commas between the columns: in Excel use Save As > "
                    "'CSV UTF-8 (Comma delimited)'; in LibreOffice set the field delimiter to ','"
                ),
            )
    return None


def _table_on_another_sheet(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str
) -> Problem | None:
    """One problem when a workbook's first sheet lacks columns another sheet has."""
    sheets = frame.attrs.get("sheets") or {}
    required = [n for n, col in schema.columns.items() if col.required]
    missing = [n for n in required if n not in frame.columns]
    if not missing or not sheets.get("others"):
        return None
    found = len(required) - len(missing)
    for name, header in sheets["others"].items():
        if sum(n in header for n in required) > found and all(n in header for n in missing):
            listed = ", ".join(f"'{n}'" for n in missing[:6]) + (
                ", ..." if len(missing) > 6 else ""
            )
            return Problem(
                file=file,
                rule=(
                    f"the table is not on the first sheet: only the first sheet, "
                    f"'{sheets['read']}', is read and it lacks the columns {listed}, "
                    f"which sheet '{name}' has"
                ),
                hint=(
                    f"move sheet '{name}' to the front (drag its tab to the far left) or "
                    f"delete the sheets before it, then save"
                ),
            )
    return None


def _translate(
    failures: pd.DataFrame,
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    file: str,
    blank: np.ndarray,
) -> list[Problem]:
    """Problems from pandera's failure cases, every failing row located; ``blank`` rows skipped."""
    problems: list[Problem] = []
    failures = failures[failures["column"].notna()]
    order = {name: i for i, name in enumerate(schema.columns)}
    groups = sorted(
        failures.groupby(["column", "check"], sort=False),
        key=lambda kv: order.get(kv[0][0], len(order)),
    )
    for (column, check), group in groups:
        metadata = schema.columns[column].metadata or {}
        rule, hint = metadata.get("rules", {}).get(str(check), (f"fails the check '{check}'", ""))
        failing = _failing_rows(frame[column], str(check), metadata.get("checks", {}))
        if failing is None:  # a check we did not write: trust pandera's list
            failing = pd.to_numeric(group["index"], errors="coerce").dropna().astype("int64")
            failing = np.unique(failing.to_numpy())
        failing = np.setdiff1d(failing, blank)  # an empty row is one problem, said once
        if metadata.get("numeric") and str(check) not in ("not_nullable", "field_uniqueness"):
            separated, failing = _separator_problems(frame[column], failing, file, str(column))
            problems.extend(separated)
        if not failing.size:
            continue
        values = frame[column].iloc[failing[: 50 * MAX_VALUES_SHOWN]]
        problems.append(make_problem(file, str(column), rule, hint, failing + 2, values))
    return problems


def _failing_rows(
    values: pd.Series, check: str, functions: Mapping[str, Callable[[pd.Series], pd.Series]]
) -> np.ndarray | None:
    """Positions of every row breaking ``check``, or None if it is not one of ours."""
    if check == "not_nullable":
        return np.flatnonzero(values.isna().to_numpy())
    if check == "field_uniqueness":
        return np.flatnonzero((values.notna() & values.duplicated(keep=False)).to_numpy())
    if check in functions:
        present = values.notna().to_numpy()
        ok = np.ones(len(values), dtype=bool)
        ok[present] = functions[check](values[present]).to_numpy(dtype=bool)
        return np.flatnonzero(~ok)
    return None


def _separator_problems(
    values: pd.Series, failing: np.ndarray, file: str, column: str
) -> tuple[list[Problem], np.ndarray]:
    """Split off the failing numbers written with thousands separators or a decimal comma.

    Returns
    -------
    problems, rest
        One problem per kind of separator found, and the failing rows left.
    """
    cells = values.iloc[failing]
    text = cells.map(lambda v: v.strip() if isinstance(v, str) else "")
    problems = []
    rest = np.ones(len(failing), dtype=bool)
    for pattern, rule, hint in _SEPARATOR_RULES:
        hit = rest & text.map(lambda v, p=pattern: p.fullmatch(v) is not None).to_numpy(bool)
        if hit.any():
            problems.append(make_problem(file, column, rule, hint, failing[hit] + 2, cells[hit]))
            rest &= ~hit
    return problems, failing[rest]
