"""Read a CSV input table: its encoding, its rows, and where it goes wrong.

Owns what is particular to CSV text. A UTF-8 byte order mark (as Excel's
*CSV UTF-8* writes) is accepted silently. A file that is not UTF-8 is refused
with the row and column of its first bad byte and the fix, *and* read on as
Windows-1252 so its other problems are reported in the same run.

Why a non-UTF-8 file is refused rather than guessed: the bytes alone cannot
tell Windows-1252 from Latin-1, Mac Roman or an old DOS code page (0xF4 is
'ô' in the first two and 'Ù' in the third), and Excel's plain *CSV* has
usually already turned letters it cannot store, such as the Welsh ŵ and ŷ,
into '?'. Accepting the file would publish wrong names without a word, so no
decoding is unambiguous enough to accept; the message says what the bytes
would be in Windows-1252 to help find them.

Also refused with a location: a row with more fields than the header, a last
row cut short with no line break after it (a copy that did not finish), and
files of another format saved under a ``.csv`` name.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report.errors import Problem
from civicpulse_report.inputs.read_base import (
    READ_PROBLEMS,
    TEXT_COLUMNS,
    check_header,
    fail,
    unreadable,
)

# Text read as blank in numeric CSV columns (pandas' defaults, spelled out
# because code and name columns must keep e.g. 'NA' or 'None' as text).
CSV_NA = [
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

SAVE_AS_UTF8 = (
    "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)', not plain 'CSV' "
    "(in LibreOffice tick 'Edit filter settings' and choose 'Unicode (UTF-8)'), so names "
    "such as Ynys Môn survive"
)

# Each byte that is not UTF-8 becomes a private-use character (U+F780-U+F7FF)
# that pandas reads like any other, so its row and column can be found exactly.
_ERRORS = "civicpulse_report.bad_byte"
_PUA = 0xF700
_BAD = re.compile("[\uf780-\uf7ff]")
_AS_CP1252 = {_PUA + b: bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0x100)}


def _mark_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(chr(_PUA + b) for b in bad), error.end


codecs.register_error(_ERRORS, _mark_bad_bytes)

# Other formats saved with a .csv name, by their first bytes: (magic, what it is, fix).
_MAGIC = (
    (b"PK\x03\x04", "an Excel .xlsx workbook (or another zip file)", "rename it to .xlsx"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook", "save it as .xlsx"),
    (b"PAR1", "a Parquet file", "rename it to .parquet"),
    (b"$FL2", "an SPSS .sav file", "rename it to .sav"),
)
_LINE = re.compile(r"line (\d+)")


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV file; problems it survives go in ``attrs[READ_PROBLEMS]``.

    Parameters
    ----------
    path : Path

    Returns
    -------
    DataFrame
        Code and name columns (:data:`TEXT_COLUMNS`) as text, others inferred.
        If the file is not UTF-8 or its last row is cut short, the frame is the
        best reading (as Windows-1252; without the short row) and
        ``attrs[READ_PROBLEMS]`` holds what is wrong.

    Raises
    ------
    InputError
        If the file cannot be read, is another format under a .csv name
        (UTF-16 text, a workbook, Parquet, SPSS), has no header, or a row
        has more fields than the header.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise unreadable(path, "a CSV file", exc) from None
    _refuse_other_formats(path, raw)
    try:
        text, bad_bytes = raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        text, bad_bytes = raw.decode("utf-8-sig", errors=_ERRORS), True
        raw = text.encode("utf-8")  # each bad byte now a private-use character
    end = text.find("\n")
    try:
        header = next(csv.reader([text if end < 0 else text[:end]]), None)
    except csv.Error as exc:
        raise unreadable(path, "a CSV file", exc) from None
    if not header or all(not h.strip() for h in header):
        raise fail(path, "has no header row", "the first row must hold the column names")
    names = [h.strip() for h in header]
    check_header(path, names)
    text_columns = [n for n in names if n in TEXT_COLUMNS]
    na_values = {n: ([""] if n in TEXT_COLUMNS else CSV_NA) for n in names}
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            encoding="utf-8-sig",
            header=0,
            names=names,
            dtype=dict.fromkeys(text_columns, "str"),
            keep_default_na=False,
            na_values=na_values,
            low_memory=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError as exc:
        raise fail(path, "file is empty", "export the table again") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise _ragged(path, text, exc, bad_bytes) from None
    problems: list[Problem] = []
    short = _short_last_row(text, len(names))
    if short is not None and len(frame):
        row = len(frame) + 1
        problems.append(
            Problem(
                file=str(path),
                rule=(
                    f"the last row has only {short} of the header's {len(names)} fields: "
                    "the file seems to be cut off"
                ),
                rows=(row,),
                n_rows=1,
                hint="the copy or export did not finish: export the table again in full",
            )
        )
        frame = frame.iloc[:-1]
    if bad_bytes:
        cells = _cells_with_bad_bytes(frame)
        problems.insert(0, _not_utf8(path, frame, names, cells))
        frame = _as_cp1252(frame, cells)
    if problems:
        frame.attrs[READ_PROBLEMS] = problems
    return frame


def _refuse_other_formats(path: Path, raw: bytes) -> None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(
            path,
            "is UTF-16 text (Excel's 'Unicode Text'), not comma-separated UTF-8",
            SAVE_AS_UTF8,
        )
    for magic, what, fix in _MAGIC:
        if raw.startswith(magic):
            raise fail(
                path,
                f"is not a CSV file: it is {what} with a .csv name",
                f"{fix}, or open it and save it as CSV UTF-8",
            )


def _ragged(path: Path, text: str, exc: BaseException, bad_bytes: bool) -> Exception:
    """A row with more fields than the header: name the row, say why it happens."""
    error = unreadable(
        path,
        "a CSV file",
        exc,
        "every row needs as many fields as the header: put text containing commas in quotes, "
        "and write numbers without thousands separators (1143.4, not 1,143.4)",
    )
    found = _LINE.search(str(exc))
    problems = list(error.problems)
    if found:
        row = int(found.group(1))
        problems[0] = replace(problems[0], rows=(row,), n_rows=1)
    if bad_bytes:
        first = _BAD.search(text)
        assert first is not None
        line = text.count("\n", 0, first.start()) + 1
        byte = ord(first.group(0)) - _PUA
        problems.append(
            Problem(
                file=str(path),
                rule=f"is not UTF-8 text: the first byte that is not UTF-8 is 0x{byte:02X}",
                rows=(line,),
                n_rows=1,
                hint=SAVE_AS_UTF8,
            )
        )
    return type(error)(problems)


def _short_last_row(text: str, width: int) -> int | None:
    """The field count of an unfinished last row: short, and with no line break after it."""
    if width < 2 or text.endswith(("\n", "\r")) or "\n" not in text:
        return None
    last = text[text.rfind("\n") + 1 :]
    if not last.strip() or '"' in last:
        return None
    try:
        fields = next(csv.reader([last]), [])
    except csv.Error:
        return None
    return len(fields) if 0 < len(fields) < width else None


def _cells_with_bad_bytes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    found = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            hit = column.astype("str").str.contains(_BAD, na=False).to_numpy(dtype=bool)
            if hit.any():
                found[str(name)] = np.flatnonzero(hit)
    return found


def _not_utf8(
    path: Path, frame: pd.DataFrame, names: list[str], cells: dict[str, np.ndarray]
) -> Problem:
    """Where the bytes that are not UTF-8 are: the first one's row and column, and all rows."""
    header_bad = [n for n in names if _BAD.search(n)]
    if header_bad or not cells:
        column = header_bad[0] if header_bad else None
        return Problem(
            file=str(path),
            column=column.translate(_AS_CP1252) if column else None,
            rule="is not UTF-8 text: the header row holds bytes that are not UTF-8",
            rows=(1,),
            n_rows=1,
            hint=SAVE_AS_UTF8,
        )
    first_row = min(int(rows[0]) for rows in cells.values())
    column = next(n for n in map(str, frame.columns) if n in cells and cells[n][0] == first_row)
    value = str(frame[column].iloc[first_row])
    byte = ord(_BAD.search(value).group(0)) - _PUA  # type: ignore[union-attr]
    rows = np.unique(np.concatenate(list(cells.values())))
    others = [n for n in cells if n != column]
    also = f"; also in column{'s' if len(others) > 1 else ''} " if others else ""
    also += ", ".join(f"'{n}'" for n in others[:5])
    return Problem(
        file=str(path),
        column=column,
        rule=(
            f"is not UTF-8 text: the first byte that is not UTF-8 is 0x{byte:02X}, on row "
            f"{first_row + 2} in this column (in Windows-1252 it would be "
            f"'{bytes([byte]).decode('cp1252', errors='replace')}'){also}"
        ),
        rows=tuple(int(r) + 2 for r in rows[:5]),
        values=(f"'{value.translate(_AS_CP1252)}'",),
        n_rows=len(rows),
        hint=SAVE_AS_UTF8 + "; the file's other problems, if any, are listed too",
    )


def _as_cp1252(frame: pd.DataFrame, cells: dict[str, np.ndarray]) -> pd.DataFrame:
    """The frame with each byte that was not UTF-8 (in ``cells``) read as Windows-1252."""
    out = frame.copy()
    out.columns = [str(c).translate(_AS_CP1252) for c in frame.columns]
    for name, rows in cells.items():
        column = out[name.translate(_AS_CP1252)].astype(object)
        column.iloc[rows] = [str(v).translate(_AS_CP1252) for v in column.iloc[rows]]
        out[name.translate(_AS_CP1252)] = column.astype(frame[name].dtype)
    out.attrs = dict(frame.attrs)
    return out
