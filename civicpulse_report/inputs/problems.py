"""Turn broken rules into :class:`~civicpulse_report.errors.Problem` records.

Owns how a problem is shown to the user: the rows as a spreadsheet shows them
(header = row 1), a few offending values written as the user would recognise
them, and the count of every row affected. Validation against a table's
pandera schema is lazy: every failure in a file is collected and translated,
with missing columns reported first (with a guess at the intended name).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from civicpulse_report.errors import Problem

#: Rows listed and values quoted per problem; ``n_rows`` gives the full count.
MAX_ROWS_SHOWN = 5
MAX_VALUES_SHOWN = 5


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
        if len(present) == 1 and any(sep in present[0] for sep in ";\t|"):
            hint_parts.append(
                "the file seems to use ';', tab or '|' between columns: save it with commas"
            )
        if len(present) <= 12:
            listed = ", ".join(f"'{p}'" for p in present)
            hint_parts.append(f"columns present: {listed}")
        else:
            hint_parts.append(
                f"none of the file's {len(present)} columns has this name; "
                "names must match exactly (lower case, underscores)"
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
    missing, problems = _missing_columns(frame, schema, file)
    present_schema = schema.remove_columns(missing) if missing else schema
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    try:
        present_schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        problems.extend(_translate(exc.failure_cases, frame, schema, file))
    return problems


def _translate(
    failures: pd.DataFrame, frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str
) -> list[Problem]:
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
