"""Read one input table (CSV, Parquet, XLSX, SPSS .sav, Stata .dta) into a frame.

Owns the choice of reader by suffix (CSV in :mod:`.read_csv`, XLSX in
:mod:`.read_xlsx`, Parquet, SPSS and Stata here) and the tidying every
reader's result gets. Everything that can go wrong with a file is raised as
:class:`~civicpulse_report.errors.InputError` with
:class:`~civicpulse_report.errors.Problem` records, never as a library's own
exception.

Reading never changes a value's meaning: codes stay codes (``E06000001`` and
respondent ids are text, ``-8``/``-9`` stay numbers), SPSS user-missing values
are kept as their codes, and spreadsheet formulas are refused rather than read
as blanks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report.errors import InputError
from civicpulse_report.inputs.read_base import (
    READ_PROBLEMS,
    TEXT_COLUMNS,
    PartialRead,
    check_header,
    fail,
    unreadable,
)
from civicpulse_report.inputs.read_csv import read_csv
from civicpulse_report.inputs.read_xlsx import read_xlsx

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx", ".sav", ".dta")

__all__ = ["SUPPORTED_SUFFIXES", "TEXT_COLUMNS", "PartialRead", "read_table"]


def read_table(path: Path) -> pd.DataFrame:
    """Read one input table, choosing the reader by the file's suffix.

    CSV files are read as UTF-8 with types inferred, except that code and
    name columns (:data:`TEXT_COLUMNS`) stay text. XLSX files are read from
    their first sheet. SPSS and Stata files keep their value labels in
    ``df.attrs["value_labels"]`` (``{column: {code: label}}``) and variable
    labels in ``df.attrs["column_labels"]``; SPSS user-missing values (such as
    -8 and -9) are kept as codes. Surrounding spaces are removed from text
    columns, and rows that are entirely empty at the end of a file are dropped.
    Row ``i`` of the result is row ``i + 2`` of the file as a spreadsheet shows it.

    Parameters
    ----------
    path : Path

    Returns
    -------
    DataFrame
        With a default index.

    Raises
    ------
    PartialRead
        If the file breaks a rule of its own but could be read on (a CSV that
        is not UTF-8, or whose last row is cut short): its ``frame`` is the
        best reading, tidied, so validation can report the file's other
        problems in the same run.
    InputError
        If the file does not exist, has an unsupported suffix, cannot be read
        (corrupt, not the format its suffix claims), is empty or has a header
        but no rows, repeats a column name, or (XLSX) holds formulas or keeps
        its table on another sheet than the first.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = f"save it as one of {', '.join(SUPPORTED_SUFFIXES)}"
        if suffix in (".xls", ".xlsm", ".xlsb", ".ods"):
            hint = "open it in a spreadsheet program and save it as .xlsx (or .csv)"
        raise fail(path, f"file type '{suffix or '(none)'}' is not supported", hint)
    if not path.exists():
        raise fail(path, "file not found", "check the path and the file name")
    if not path.is_file():
        raise fail(path, "is not a file", "give the path of a file")
    if path.stat().st_size == 0:
        raise fail(path, "file is empty (0 bytes)", "export the table again")

    readers = {
        ".csv": read_csv,
        ".parquet": _read_parquet,
        ".xlsx": read_xlsx,
        ".sav": _read_spss,
        ".dta": _read_stata,
    }
    frame = readers[suffix](path)
    problems = frame.attrs.pop(READ_PROBLEMS, [])
    frame = _tidy(frame, path)
    if frame.empty:
        empty = fail(
            path,
            "has a header row but no data rows" if len(frame.columns) else "has no data",
            "export the table again with its rows",
        )
        raise InputError([*problems, *empty.problems]) if problems else empty
    if problems:
        raise PartialRead(problems, frame)
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise unreadable(path, "a Parquet file", exc) from None


def _read_spss(path: Path) -> pd.DataFrame:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(path, user_missing=True)
    except Exception as exc:  # pyreadstat's errors do not share a useful base
        raise unreadable(path, "an SPSS .sav file", exc) from None
    return _with_labels(frame, meta)


def _read_stata(path: Path) -> pd.DataFrame:
    import pyreadstat

    # In Stata, -8 and -9 are ordinary values and are always kept. Extended
    # missing values (.a-.z) are read as blank: with user_missing=True they
    # would arrive as the text 'a', 'b', ... and be rejected as codes.
    try:
        frame, meta = pyreadstat.read_dta(path, user_missing=False)
    except Exception as exc:
        raise unreadable(path, "a Stata .dta file", exc) from None
    return _with_labels(frame, meta)


def _with_labels(frame: pd.DataFrame, meta: object) -> pd.DataFrame:
    def code(value: object) -> object:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    value_labels = {
        column: {code(k): str(v) for k, v in labels.items()}
        for column, labels in (getattr(meta, "variable_value_labels", None) or {}).items()
    }
    column_labels = {
        column: label
        for column, label in (getattr(meta, "column_names_to_labels", None) or {}).items()
        if label
    }
    frame.attrs["value_labels"] = value_labels
    frame.attrs["column_labels"] = column_labels
    return frame


def _tidy(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Normalise what every reader returns: names, categories, text, empty rows."""
    attrs = dict(frame.attrs)
    frame.columns = [str(c).strip() for c in frame.columns]
    check_header(path, list(frame.columns))
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            frame[name] = column = column.astype(column.cat.categories.dtype)
        if name in TEXT_COLUMNS:
            frame[name] = _stripped_text(column)
    if len(frame):
        filled = frame.notna().any(axis=1).to_numpy()
        last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
        if last < len(frame):
            frame = frame.iloc[:last]
    frame = frame.reset_index(drop=True)
    frame.attrs = attrs
    return frame


def _stripped_text(column: pd.Series) -> pd.Series:
    """Text without surrounding spaces; empty text becomes blank (missing)."""
    if isinstance(column.dtype, pd.StringDtype):
        stripped = column.str.strip()
        return stripped.where(stripped != "")
    if column.dtype != object:
        return column
    stripped = column.map(lambda v: v.strip() or None if isinstance(v, str) else v)
    if all(isinstance(v, str) for v in stripped.dropna()):
        return stripped.astype("str")
    return stripped
