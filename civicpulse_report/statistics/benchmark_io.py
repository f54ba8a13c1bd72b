"""Reading and writing benchmark files, and nothing else.

Owns :func:`write_benchmarks` (``benchmarks.csv`` and ``benchmarks.parquet``,
each written to a temporary file and moved into place, so a reader never
sees half a file) and :func:`read_benchmarks` (either format back into a
checked :class:`~civicpulse_report.statistics.release.BenchmarkRelease`).
The table itself is built by :mod:`.benchmarks` and checked by
:mod:`.release`; this module only moves it to and from disk.

The CSV is for people and spreadsheets: a text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so
that a name from a data file never runs as a formula (numbers, negative ones
included, are numbers and are left alone); the reader takes the apostrophe
off again (the rule is :mod:`civicpulse_report.safe_files`'s, shared with
``tables.csv``). Floats are written with full precision, so a release read back
gives the same numbers bit for bit. The Parquet file keeps text as it is.

A table with a ``suppression`` column (the national release's, see
:func:`~civicpulse_report.statistics.benchmarks.benchmark_table`) is written
with it as the last column: ``primary`` or ``secondary`` on an estimate row
withheld by suppression, whose numbers are all blank, and blank elsewhere.
The reader checks it and leaves those rows out of the release's estimates, so
a withheld cell is "not available", exactly like a cell a file has no row
for, never a zero. A file without the column (written before it existed) is
read as it always was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.safe_files import atomic_write_with, neutralise_formulas, restore_cell
from civicpulse_report.statistics.benchmarks import SUPPRESSION_COLUMN, SUPPRESSION_FLAGS
from civicpulse_report.statistics.columns import NUMERIC_COLUMNS
from civicpulse_report.statistics.release import (
    BENCHMARK_COLUMNS,
    TEXT_COLUMNS,
    BenchmarkRelease,
    release_from_table,
    typed_table,
)

CSV_NAME = "benchmarks.csv"
PARQUET_NAME = "benchmarks.parquet"
FORMATS = ("csv", "parquet")


def write_benchmarks(
    table: pd.DataFrame, out_dir: Path | str, *, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Write a benchmark table as ``benchmarks.csv`` and ``benchmarks.parquet``.

    Parameters
    ----------
    table : DataFrame
        From :func:`~civicpulse_report.statistics.benchmarks.benchmark_table`;
        its ``suppression`` column, when it has one, is written last.
    out_dir : Path or str
        Created if needed; existing benchmark files are replaced atomically.
    formats : sequence of {'csv', 'parquet'}
        Which files to write (default both).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ValueError
        If a format is unknown, the table lacks a benchmark column, or a
        ``suppression`` value is unknown or sits on a row that has a number.
    """
    unknown = [f for f in formats if f not in FORMATS]
    missing = [c for c in BENCHMARK_COLUMNS if c not in table.columns]
    if unknown or missing:
        raise ValueError(f"cannot write benchmarks: unknown formats {unknown}, missing {missing}")
    typed = typed_table(table)
    text_columns = list(TEXT_COLUMNS)
    if SUPPRESSION_COLUMN in table.columns:
        typed[SUPPRESSION_COLUMN] = _written_flags(table, typed)
        text_columns.append(SUPPRESSION_COLUMN)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        if fmt == "csv":
            path = out / CSV_NAME
            safe = neutralise_formulas(typed, text_columns)
            atomic_write_with(path, lambda p, s=safe: s.to_csv(p, index=False, lineterminator="\n"))
        else:
            path = out / PARQUET_NAME
            atomic_write_with(path, lambda p: typed.to_parquet(p, index=False, compression="zstd"))
        written.append(path)
    return written


def _written_flags(table: pd.DataFrame, typed: pd.DataFrame) -> np.ndarray:
    """The suppression column as written: a flag, or None (blank) on a published row."""
    raw = table[SUPPRESSION_COLUMN].to_numpy(object)
    flags = np.array([None if _blank(v) else v for v in raw], dtype=object)
    bad = sorted({str(v) for v in flags if v is not None and v not in SUPPRESSION_FLAGS})
    if bad:
        raise ValueError(f"cannot write benchmarks: unknown suppression values {bad[:5]}")
    numbers = typed[list(NUMERIC_COLUMNS)].notna().any(axis=1).to_numpy()
    leaking = np.array([f is not None for f in flags], dtype=bool) & numbers
    if leaking.any():
        raise ValueError(
            f"cannot write benchmarks: {int(leaking.sum())} suppressed rows carry numbers"
        )
    return flags


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or value != value or str(value).strip() == ""


def _unreadable(path: Path, what: str, exc: BaseException) -> InputError:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return InputError(
        [
            Problem(
                str(path),
                f"could not be read as {what} ({detail})",
                hint="use the benchmarks.csv or benchmarks.parquet of a national release as "
                "published, not an edited copy",
            )
        ],
        summary=f"{path} is not a usable benchmark file",
    )


def read_benchmarks(path: Path | str) -> BenchmarkRelease:
    """Read a benchmark file (``.csv`` or ``.parquet``) and check it.

    Parameters
    ----------
    path : Path or str

    Returns
    -------
    BenchmarkRelease

    Raises
    ------
    InputError
        If the file is missing, not a CSV or Parquet file, unreadable, from
        another format version, lacks a column, or fails the checks of
        :func:`~civicpulse_report.statistics.release.release_from_table`;
        every problem names the file (and the column and fix where known).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(
            [
                Problem(
                    str(path),
                    f"a benchmark file must be .csv or .parquet, not '{suffix or '(none)'}'",
                    hint="give the benchmarks.csv or benchmarks.parquet of a national release",
                )
            ]
        )
    if not path.is_file():
        raise InputError(
            [Problem(str(path), "the benchmark file does not exist", hint="check the path")]
        )
    if suffix == ".csv":
        try:
            frame = pd.read_csv(
                path,
                dtype={c: "str" for c in (*TEXT_COLUMNS, SUPPRESSION_COLUMN)},
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8",
            )
        except UnicodeDecodeError as exc:
            raise _unreadable(path, "UTF-8 CSV text", exc) from None
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise _unreadable(path, "a CSV file", exc) from None
        for col in (*TEXT_COLUMNS, SUPPRESSION_COLUMN):
            if col in frame.columns:
                frame[col] = frame[col].map(restore_cell)
    else:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise _unreadable(path, "a Parquet file", exc) from None
    return _release_without_withheld(frame, str(path))


_FLAG_FIX = (
    "use the benchmark file of a national release as published, not an edited copy: a "
    "suppressed row has 'primary' or 'secondary' here and every number blank; a "
    "published row has this column blank"
)


def _rows_of(mask: np.ndarray) -> tuple[int, ...]:
    # Spreadsheet row numbers: header is row 1, first data row is row 2.
    return tuple(int(i) + 2 for i in np.flatnonzero(mask)[:5])


def _flag_problems(frame: pd.DataFrame, flags: np.ndarray, source: str) -> list[Problem]:
    """What is wrong with the suppression column: unknown values, flags on rows with numbers."""
    problems: list[Problem] = []
    unknown = np.array([f is not None and f not in SUPPRESSION_FLAGS for f in flags], dtype=bool)
    if unknown.any():
        found = sorted({repr(str(f)) for f in flags[unknown]})
        problems.append(
            Problem(
                source,
                "must be blank (a published row), primary or secondary",
                column=SUPPRESSION_COLUMN,
                rows=_rows_of(unknown),
                values=tuple(found[:5]),
                n_rows=int(unknown.sum()),
                hint=_FLAG_FIX,
            )
        )
    flagged = np.array([f is not None for f in flags], dtype=bool) & ~unknown
    if "record_type" in frame.columns:
        record = frame["record_type"].astype(object).to_numpy()
        other = flagged & (record != "estimate")
        if other.any():
            problems.append(
                Problem(
                    source,
                    "marks a row that is not an estimate record as suppressed",
                    column=SUPPRESSION_COLUMN,
                    rows=_rows_of(other),
                    values=tuple(sorted({str(v) for v in record[other]})[:5]),
                    n_rows=int(other.sum()),
                    hint=_FLAG_FIX,
                )
            )
    for col in NUMERIC_COLUMNS:
        if col not in frame.columns:
            continue  # the missing column is reported with the others
        raw = frame[col]
        filled = (raw.notna() & (raw.astype(str).str.strip() != "")).to_numpy()
        carried = flagged & filled
        if carried.any():
            problems.append(
                Problem(
                    source,
                    "must be blank on a suppressed row (suppression primary or secondary): "
                    "a suppressed cell is published without numbers",
                    column=col,
                    rows=_rows_of(carried),
                    values=tuple(sorted({str(v) for v in raw[carried]})[:5]),
                    n_rows=int(carried.sum()),
                    hint=_FLAG_FIX,
                )
            )
    return problems


def _release_without_withheld(frame: pd.DataFrame, source: str) -> BenchmarkRelease:
    """The checked release of a table; its suppressed estimate rows are not available.

    The table's own checks (:func:`release_from_table`) run on every row, so
    their row numbers are the file's; the suppression column's problems are
    listed with theirs.
    """
    frame = frame.reset_index(drop=True)
    if SUPPRESSION_COLUMN not in frame.columns:
        return release_from_table(frame, source)  # the layout before the column
    raw = frame[SUPPRESSION_COLUMN].to_numpy(object)
    flags = np.array([None if _blank(v) else str(v) for v in raw], dtype=object)
    problems = _flag_problems(frame, flags, source)
    try:
        release = release_from_table(frame, source)
    except InputError as error:
        raise InputError(
            [*error.problems, *problems], summary=f"{source} is not a usable benchmark file"
        ) from None
    if problems:
        raise InputError(problems, summary=f"{source} is not a usable benchmark file")
    # release_from_table keeps the estimate records in the file's order.
    withheld = np.array([f is not None for f in flags], dtype=bool)
    withheld = withheld[(frame["record_type"] == "estimate").to_numpy()]
    if len(withheld) != len(release.estimates):  # pragma: no cover (a broken invariant)
        raise RuntimeError("the release's estimate records are not the file's, row for row")
    if withheld.all():
        raise InputError(
            [
                Problem(
                    source,
                    "has no published estimate records (every one is suppressed)",
                    column=SUPPRESSION_COLUMN,
                    hint=_FLAG_FIX,
                )
            ],
            summary=f"{source} is not a usable benchmark file",
        )
    estimates = release.estimates.loc[~withheld].reset_index(drop=True)
    return dataclasses.replace(release, estimates=estimates)
