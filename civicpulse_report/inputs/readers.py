"""Read the input tables (CSV, Parquet, XLSX, SPSS .sav, Stata .dta) into frames.

A data directory holds four tables, each in any supported format: the survey
microdata (``survey.<ext>`` or several ``survey_*.<ext>`` files, e.g. one per
wave), ``la_lookup``, ``legacy_indicators`` and ``neighbourhoods``. See
``data/README.md`` for the contract. Everything that can go wrong with a file
is raised as :class:`~civicpulse_report.errors.InputError` with
:class:`~civicpulse_report.errors.Problem` records, never as a library's own
exception, and :func:`load_dataset` reports the problems of every file at once.

Reading never changes a value's meaning: codes stay codes (``E06000001`` and
respondent ids are text, ``-8``/``-9`` stay numbers), SPSS user-missing values
are kept as their codes, and spreadsheet formulas are refused rather than read
as blanks.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs.schema import (
    CONTEXT_COLUMNS,
    ROLES,
    respondent_id_text,
    validate_tables,
)
from civicpulse_report.measures import Measures

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

EXPECTED_NAMES = (
    "survey.<ext> or survey_<anything>.<ext>, la_lookup.<ext>, legacy_indicators.<ext> "
    f"or neighbourhoods.<ext>, where <ext> is one of {', '.join(SUPPORTED_SUFFIXES)}"
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
_HASH_CHUNK = 1 << 20


def _fail(path: Path, rule: str, hint: str = "") -> InputError:
    return InputError([Problem(file=str(path), rule=rule, hint=hint)])


# --------------------------------------------------------------------------- #
# Reading one file
# --------------------------------------------------------------------------- #


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


def file_sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file's bytes (recorded in each manifest).

    Raises
    ------
    OSError
        If the file cannot be read.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- #
# Finding the tables of a data directory
# --------------------------------------------------------------------------- #


def role_of(path: Path) -> str | None:
    """The table a file holds, judged by its name; None if the name is not one of ours."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES or path.name.startswith(("~$", ".")):
        return None
    stem = path.stem
    if stem == "survey" or (stem.startswith("survey_") and len(stem) > len("survey_")):
        return "survey"
    return stem if stem in ROLES else None


def locate_input_files(data_dir: Path) -> tuple[dict[str, list[Path]], list[Problem]]:
    """Like :func:`find_input_files`, but return the problems instead of raising."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        what = "is not a directory" if data_dir.exists() else "data directory not found"
        return {}, [
            Problem(file=str(data_dir), rule=what, hint="give the folder holding the input tables")
        ]
    found: dict[str, list[Path]] = {role: [] for role in ROLES}
    for path in sorted(data_dir.iterdir()):
        role = role_of(path)
        if role is not None and path.is_file():
            found[role].append(path)

    problems: list[Problem] = []
    for role, paths in found.items():
        by_stem: dict[str, list[Path]] = {}
        for path in paths:
            by_stem.setdefault(path.stem, []).append(path)
        for stem, same in by_stem.items():
            if len(same) > 1:
                problems.append(
                    Problem(
                        file=str(data_dir),
                        rule=(
                            f"the table '{stem}' is there in more than one format: "
                            + ", ".join(p.name for p in same)
                        ),
                        hint="keep one of them and move the others out of the folder",
                    )
                )
        if not paths:
            name = "survey" if role == "survey" else role
            others = sorted(
                p.name
                for p in data_dir.iterdir()
                if p.stem == name or (role == "survey" and p.stem.startswith("survey_"))
            )
            hint = f"add {name}.<ext> with <ext> one of {', '.join(SUPPORTED_SUFFIXES)}"
            if role == "survey":
                hint += " (or several survey_<wave>.<ext> files)"
            if others:
                hint = f"found {', '.join(others)}: save it as .csv, .xlsx, .parquet, .sav or .dta"
            problems.append(
                Problem(file=str(data_dir), rule=f"no {_ROLE_LABEL[role]} file", hint=hint)
            )
    return {role: paths for role, paths in found.items() if paths}, problems


_ROLE_LABEL = {
    "survey": "survey microdata (survey.<ext> or survey_*.<ext>)",
    "la_lookup": "LA lookup (la_lookup.<ext>)",
    "neighbourhoods": "neighbourhood lookup (neighbourhoods.<ext>)",
    "legacy_indicators": "legacy indicators (legacy_indicators.<ext>)",
}


def find_input_files(data_dir: Path) -> dict[str, list[Path]]:
    """The input files of a data directory, by role.

    Parameters
    ----------
    data_dir : Path

    Returns
    -------
    dict of str to list of Path
        Keys ``survey``, ``la_lookup``, ``legacy_indicators``,
        ``neighbourhoods``; several survey files are sorted by name.

    Raises
    ------
    InputError
        If the directory does not exist, a table is missing, or a table is
        there in two formats (``la_lookup.csv`` and ``la_lookup.xlsx``).
    """
    found, problems = locate_input_files(data_dir)
    if problems:
        raise InputError(problems, summary=f"the data directory {data_dir} is incomplete")
    return found


def read_inputs(
    found: Mapping[str, Sequence[Path]],
) -> tuple[dict[str, list[pd.DataFrame]], dict[str, list[str]], list[Problem]]:
    """Read every file found, collecting problems instead of stopping at the first.

    Returns
    -------
    tables, names, problems
        ``tables[role]`` holds one frame per readable file and ``names[role]``
        the matching file names; unreadable files contribute problems only.
    """
    tables: dict[str, list[pd.DataFrame]] = {}
    names: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for role, paths in found.items():
        for path in paths:
            try:
                frame = read_table(path)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            tables.setdefault(role, []).append(frame)
            names.setdefault(role, []).append(str(path))
    return tables, names, problems


# --------------------------------------------------------------------------- #
# The validated dataset
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, eq=False)
class Dataset:
    """The four validated input tables of one data directory.

    Attributes
    ----------
    survey : DataFrame
        All survey files stacked. ``respondent_id``, ``la_code`` and
        ``neighbourhood_code`` are text, ``wave`` int64, ``weight`` float64,
        demographics and items nullable ``Int64`` (blank = ``<NA>``; negative
        missing codes are kept as they are). Extra columns are kept unchanged.
    la_lookup, legacy, neighbourhoods : DataFrame
        The lookups, codes and names as text, counts as integers.
    files : Mapping[str, str]
        SHA-256 of every input file, keyed by its path relative to ``data_dir``.
    data_dir : Path
    """

    survey: pd.DataFrame
    la_lookup: pd.DataFrame
    legacy: pd.DataFrame
    neighbourhoods: pd.DataFrame
    files: Mapping[str, str]
    data_dir: Path

    @property
    def waves(self) -> tuple[int, ...]:
        """The survey waves present, oldest first."""
        return tuple(sorted(int(w) for w in pd.unique(self.survey["wave"])))


def load_dataset(data_dir: Path, measures: Measures, year: int | None = None) -> Dataset:
    """Read and validate a data directory.

    Parameters
    ----------
    data_dir : Path
        The folder holding the four input tables.
    measures : Measures
        Supplies the survey items and their valid codes.
    year : int, optional
        The wave a run reports on; it must be present in the survey.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        With every problem of every file at once: missing or ambiguous files,
        unreadable files, rule violations within a table or across tables, or
        a ``year`` the survey has no wave for.
    """
    data_dir = Path(data_dir)
    found, problems = locate_input_files(data_dir)
    tables, names, read_problems = read_inputs(found)
    problems += read_problems
    problems += validate_tables(tables, measures, names)

    if year is not None and tables.get("survey"):
        waves = _waves_present(tables["survey"])
        if waves and year not in waves:
            survey_names = names["survey"]
            shown = ", ".join(str(w) for w in waves)
            problems.append(
                Problem(
                    file=", ".join(survey_names) if len(survey_names) <= 3 else str(data_dir),
                    column="wave",
                    rule=f"the survey has no wave {year}; waves present: {shown}",
                    hint=f"report on one of {shown}, or add the survey file for {year}",
                )
            )
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise InputError(problems, summary=f"{count} found in the input data in {data_dir}")

    parts = [_typed_survey(frame, measures) for frame in tables["survey"]]
    survey = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    survey.attrs = _merged_labels(tables["survey"])
    hashes = {
        path.relative_to(data_dir).as_posix(): file_sha256(path)
        for paths in found.values()
        for path in paths
    }
    return Dataset(
        survey=survey,
        la_lookup=_typed_la_lookup(tables["la_lookup"][0]),
        legacy=_typed_legacy(tables["legacy_indicators"][0]),
        neighbourhoods=_typed_neighbourhoods(tables["neighbourhoods"][0]),
        files=dict(sorted(hashes.items())),
        data_dir=data_dir,
    )


def _waves_present(frames: Sequence[pd.DataFrame]) -> tuple[int, ...]:
    waves: set[int] = set()
    for frame in frames:
        if "wave" in frame.columns:
            values = pd.to_numeric(frame["wave"], errors="coerce").dropna()
            waves |= {int(w) for w in pd.unique(values) if float(w).is_integer()}
    return tuple(sorted(waves))


def _merged_labels(frames: Sequence[pd.DataFrame]) -> dict[str, dict]:
    merged: dict[str, dict] = {"value_labels": {}, "column_labels": {}}
    for frame in frames:
        for key in merged:
            merged[key].update(frame.attrs.get(key, {}))
    return merged


def _text(column: pd.Series) -> pd.Series:
    return column.astype("str")


def _whole_numbers(column: pd.Series, dtype: str = "int64") -> pd.Series:
    return pd.to_numeric(column, errors="coerce").astype("float64").astype(dtype)


def _numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _typed_survey(frame: pd.DataFrame, measures: Measures) -> pd.DataFrame:
    typed = frame.copy()
    typed["respondent_id"] = respondent_id_text(frame["respondent_id"])
    typed["wave"] = _whole_numbers(frame["wave"])
    typed["la_code"] = _text(frame["la_code"])
    typed["neighbourhood_code"] = _text(frame["neighbourhood_code"])
    typed["weight"] = _numbers(frame["weight"])
    for name in (*measures.demographics, *measures.items):
        column = frame[name]
        if pd.api.types.is_integer_dtype(column):
            typed[name] = column.astype("Int64")
        else:
            typed[name] = _whole_numbers(column, "Int64")
    return typed


def _typed_la_lookup(frame: pd.DataFrame) -> pd.DataFrame:
    typed = frame.copy()
    for name in ("la_code", "la_name", "region", "la_type"):
        typed[name] = _text(frame[name])
    typed["population"] = _whole_numbers(frame["population"])
    for name in CONTEXT_COLUMNS:
        typed[name] = _numbers(frame[name])
    return typed


def _typed_legacy(frame: pd.DataFrame) -> pd.DataFrame:
    typed = frame.copy()
    for name in ("la_code", "source", "indicator"):
        typed[name] = _text(frame[name])
    for name in ("value", "ci_lower", "ci_upper"):
        typed[name] = _numbers(frame[name])
    typed["base"] = _whole_numbers(frame["base"], "Int64")
    typed["year"] = _whole_numbers(frame["year"])
    return typed


def _typed_neighbourhoods(frame: pd.DataFrame) -> pd.DataFrame:
    typed = frame.copy()
    for name in ("neighbourhood_code", "neighbourhood_name", "la_code"):
        typed[name] = _text(frame[name])
    for name in ("tile_x", "tile_y"):
        typed[name] = _whole_numbers(frame[name])
    if "population" in frame.columns:
        typed["population"] = _whole_numbers(frame["population"], "Int64")
    return typed
