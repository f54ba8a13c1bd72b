"""Read one input table (CSV, Parquet, XLSX, SPSS .sav, Stata .dta) into a frame.

Owns the reader of each format and the tidying every reader's result gets.
Everything that can go wrong with a file is raised as
:class:`~civicpulse_report.errors.InputError` with
:class:`~civicpulse_report.errors.Problem` records, never as a library's own
exception.

Reading never changes a value's meaning: codes stay codes (``E06000001`` and
respondent ids are text, ``-8``/``-9`` stay numbers), SPSS user-missing values
are kept as their codes, and spreadsheet formulas are refused rather than read
as blanks.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report.errors import InputError, Problem

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx", ".sav", ".dta")

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

# Text read as blank in numeric CSV columns (pandas' defaults, spelled out
# because code and name columns must keep e.g. 'NA' or 'None' as text).
_CSV_NA = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]


def _fail(path: Path, rule: str, hint: str = "") -> InputError:
    return InputError([Problem(file=str(path), rule=rule, hint=hint)])


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
    InputError
        If the file does not exist, has an unsupported suffix, cannot be read
        (corrupt, not UTF-8, not the format its suffix claims), is empty or has
        a header but no rows, repeats a column name, or (XLSX) holds formulas.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = f"save it as one of {', '.join(SUPPORTED_SUFFIXES)}"
        if suffix in (".xls", ".xlsm", ".xlsb", ".ods"):
            hint = "open it in a spreadsheet program and save it as .xlsx (or .csv)"
        raise _fail(path, f"file type '{suffix or '(none)'}' is not supported", hint)
    if not path.exists():
        raise _fail(path, "file not found", "check the path and the file name")
    if not path.is_file():
        raise _fail(path, "is not a file", "give the path of a file")
    if path.stat().st_size == 0:
        raise _fail(path, "file is empty (0 bytes)", "export the table again")

    readers = {
        ".csv": _read_csv,
        ".parquet": _read_parquet,
        ".xlsx": _read_xlsx,
        ".sav": _read_spss,
        ".dta": _read_stata,
    }
    frame = readers[suffix](path)
    frame = _tidy(frame, path)
    if frame.empty:
        raise _fail(
            path,
            "has a header row but no data rows" if len(frame.columns) else "has no data",
            "export the table again with its rows",
        )
    return frame


def _unreadable(path: Path, what: str, exc: BaseException, hint: str = "") -> InputError:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return _fail(
        path,
        f"could not be read as {what} ({detail})",
        hint or f"check that the file really is {what} and is not damaged; export it again",
    )


def _check_header(path: Path, names: Sequence[object]) -> None:
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


def _not_utf8(path: Path) -> InputError:
    return _fail(
        path,
        "is not UTF-8 text",
        "save it as 'CSV UTF-8 (Comma delimited)' so names such as Ynys Môn survive",
    )


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except (OSError, csv.Error) as exc:
        raise _unreadable(path, "a CSV file", exc) from None
    if not header or all(not h.strip() for h in header):
        raise _fail(path, "has no header row", "the first row must hold the column names")
    names = [h.strip() for h in header]
    _check_header(path, names)
    text = [n for n in names if n in TEXT_COLUMNS]
    na_values = {n: ([""] if n in TEXT_COLUMNS else _CSV_NA) for n in names}
    try:
        return pd.read_csv(
            path,
            encoding="utf-8-sig",
            header=0,
            names=names,
            dtype=dict.fromkeys(text, "str"),
            keep_default_na=False,
            na_values=na_values,
            low_memory=False,
            skip_blank_lines=False,
        )
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except pd.errors.EmptyDataError as exc:
        raise _fail(path, "file is empty", "export the table again") from exc
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise _unreadable(
            path,
            "a CSV file",
            exc,
            "every row needs as many fields as the header; put text containing commas in quotes",
        ) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise _unreadable(path, "a Parquet file", exc) from None


def _read_spss(path: Path) -> pd.DataFrame:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(path, user_missing=True)
    except Exception as exc:  # pyreadstat's errors do not share a useful base
        raise _unreadable(path, "an SPSS .sav file", exc) from None
    return _with_labels(frame, meta)


def _read_stata(path: Path) -> pd.DataFrame:
    import pyreadstat

    # In Stata, -8 and -9 are ordinary values and are always kept. Extended
    # missing values (.a-.z) are read as blank: with user_missing=True they
    # would arrive as the text 'a', 'b', ... and be rejected as codes.
    try:
        frame, meta = pyreadstat.read_dta(path, user_missing=False)
    except Exception as exc:
        raise _unreadable(path, "a Stata .dta file", exc) from None
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


def _read_xlsx(path: Path) -> pd.DataFrame:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors
        raise _unreadable(path, "an Excel .xlsx workbook", exc) from None
    try:
        if not book.worksheets:
            raise _fail(path, "has no worksheet", "put the table on the first sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # don't trust the stored size: read what is there
        rows: list[list[object]] = []
        formulas: list[tuple[int, int, str]] = []
        for row_number, row in enumerate(sheet.iter_rows(), start=1):
            values: list[object] = []
            for column_number, cell in enumerate(row, start=1):
                value = cell.value
                if cell.data_type == "f":
                    formula = getattr(value, "text", value)
                    formulas.append((row_number, column_number, str(formula)))
                    value = None
                values.append(value)
            rows.append(values)
        title = sheet.title
    except InputError:
        raise
    except Exception as exc:
        raise _unreadable(path, "an Excel .xlsx workbook", exc) from None
    finally:
        book.close()

    if formulas:
        header = rows[0] if rows else []
        columns = {
            str(header[c - 1]).strip()
            for _, c, _ in formulas
            if c - 1 < len(header) and header[c - 1] is not None
        }
        shown = tuple(f"{get_column_letter(c)}{r}: {f}" for r, c, f in formulas[:5])
        raise InputError(
            [
                Problem(
                    file=str(path),
                    column=columns.pop() if len(columns) == 1 else None,
                    rule=(
                        f"sheet '{title}' holds {len(formulas)} formula cell"
                        f"{'s' if len(formulas) != 1 else ''}; formulas are not evaluated "
                        "when the file is read, so their results would be lost"
                    ),
                    rows=tuple(sorted({r for r, _, _ in formulas}))[:5],
                    values=shown,
                    n_rows=len({r for r, _, _ in formulas}),
                    hint=(
                        "save the sheet as values: copy it and use Paste Special > Values, "
                        "or save a copy as CSV"
                    ),
                )
            ]
        )
    return _frame_from_cells(path, rows)


def _frame_from_cells(path: Path, rows: list[list[object]]) -> pd.DataFrame:
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise _fail(path, "the first sheet is empty", "put the table on the first sheet")
    width = max(len(r) for r in rows)
    header = list(rows[0]) + [None] * (width - len(rows[0]))
    while (
        header
        and header[-1] is None
        and all(len(r) < len(header) or r[len(header) - 1] is None for r in rows)
    ):
        header.pop()
    width = len(header)
    names = [
        str(h).strip() if h is not None and str(h).strip() else f"Unnamed: {i}"
        for i, h in enumerate(header)
    ]
    _check_header(path, names)
    body = [(list(r) + [None] * (width - len(r)))[:width] for r in rows[1:]]
    columns = {}
    for i, name in enumerate(names):
        columns[name] = _infer_cells([r[i] for r in body], text=name in TEXT_COLUMNS)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(body)))


def _infer_cells(values: list[object], *, text: bool) -> pd.Series:
    """One spreadsheet column as numbers, text, or (mixed) objects."""
    if text:
        values = [_cell_text(v) for v in values]
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series(pd.to_numeric(pd.Series(values, dtype=object)))
    if all(isinstance(v, str) for v in present):
        return pd.Series(values, dtype="str")
    return pd.Series(values, dtype=object)


def _cell_text(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tidy(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Normalise what every reader returns: names, categories, text, empty rows."""
    attrs = dict(frame.attrs)
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(path, list(frame.columns))
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
