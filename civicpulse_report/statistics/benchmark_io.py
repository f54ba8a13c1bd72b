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
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.safe_files import atomic_write_with, neutralise_formulas, restore_cell
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
        From :func:`~civicpulse_report.statistics.benchmarks.benchmark_table`.
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
        If a format is unknown or the table lacks a benchmark column.
    """
    unknown = [f for f in formats if f not in FORMATS]
    missing = [c for c in BENCHMARK_COLUMNS if c not in table.columns]
    if unknown or missing:
        raise ValueError(f"cannot write benchmarks: unknown formats {unknown}, missing {missing}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    typed = typed_table(table)
    written = []
    for fmt in formats:
        if fmt == "csv":
            path = out / CSV_NAME
            safe = neutralise_formulas(typed, TEXT_COLUMNS)
            atomic_write_with(path, lambda p, s=safe: s.to_csv(p, index=False, lineterminator="\n"))
        else:
            path = out / PARQUET_NAME
            atomic_write_with(path, lambda p: typed.to_parquet(p, index=False, compression="zstd"))
        written.append(path)
    return written


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
                dtype={c: "str" for c in TEXT_COLUMNS},
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8",
            )
        except UnicodeDecodeError as exc:
            raise _unreadable(path, "UTF-8 CSV text", exc) from None
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise _unreadable(path, "a CSV file", exc) from None
        for col in TEXT_COLUMNS:
            if col in frame.columns:
                frame[col] = frame[col].map(restore_cell)
    else:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise _unreadable(path, "a Parquet file", exc) from None
    return release_from_table(frame, str(path))
