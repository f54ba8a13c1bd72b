"""Read an Excel ``.xlsx`` input table from its first sheet.

Owns what is particular to workbooks: only the first sheet is read (its
name and the headers of the other sheets go in ``attrs[SHEETS]``, so a table
left on another sheet can be pointed to), cells holding formulas are refused
with the cell and the formula (a formula is not evaluated when a file is
read, so its result would silently be lost), and each column's cells become
numbers, text or, when mixed, objects.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs.read_base import TEXT_COLUMNS, check_header, fail, unreadable

#: ``frame.attrs`` key: ``{"read": first sheet's name, "others": {name: header cells}}``.
SHEETS = "sheets"


def read_xlsx(path: Path) -> pd.DataFrame:
    """Read the first sheet of a workbook.

    Parameters
    ----------
    path : Path

    Returns
    -------
    DataFrame
        With ``attrs[SHEETS]`` naming the sheet read and the other sheets' headers.

    Raises
    ------
    InputError
        If the workbook cannot be read, has no sheet, its first sheet is empty
        (naming the sheet that seems to hold the table), or it holds formulas.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile, XML and openpyxl errors
        raise unreadable(path, "an Excel .xlsx workbook", exc) from None
    try:
        if not book.worksheets:
            raise fail(path, "has no worksheet", "put the table on the first sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # don't trust the stored size: read what is there
        rows, formulas = _cells(sheet)
        title = sheet.title
        others = {}
        for other in book.worksheets[1:]:
            other.reset_dimensions()
            top = [list(r) for r in other.iter_rows(max_row=2, values_only=True)]
            others[other.title] = top
    except InputError:
        raise
    except Exception as exc:
        raise unreadable(path, "an Excel .xlsx workbook", exc) from None
    finally:
        book.close()

    if formulas:
        raise _formula_error(path, title, rows, formulas)
    filled = [r for r in rows if any(v is not None for v in r)]
    holding = [name for name, top in others.items() if _has_table(top)]
    if len(filled) <= 1 and holding:
        what = "is empty" if not filled else "holds no table (at most one row)"
        raise fail(
            path,
            f"the first sheet, '{title}', {what}; the table seems to be on sheet "
            f"'{holding[0]}', but only the first sheet is read",
            f"move sheet '{holding[0]}' to the front (drag its tab to the far left) "
            f"or delete sheet '{title}', then save",
        )
    frame = _frame_from_cells(path, rows)
    frame.attrs[SHEETS] = {
        "read": title,
        "others": {
            name: [str(v).strip() for v in top[0] if v is not None] if top else []
            for name, top in others.items()
        },
    }
    return frame


def _has_table(top: list[list[object]]) -> bool:
    return len(top) == 2 and all(any(v is not None for v in row) for row in top)


def _cells(sheet: object) -> tuple[list[list[object]], list[tuple[int, int, str]]]:
    rows: list[list[object]] = []
    formulas: list[tuple[int, int, str]] = []
    for row_number, row in enumerate(sheet.iter_rows(), start=1):  # type: ignore[attr-defined]
        values: list[object] = []
        for column_number, cell in enumerate(row, start=1):
            value = cell.value
            if cell.data_type == "f":
                formula = getattr(value, "text", value)
                formulas.append((row_number, column_number, str(formula)))
                value = None
            values.append(value)
        rows.append(values)
    return rows, formulas


def _formula_error(
    path: Path, title: str, rows: list[list[object]], formulas: list[tuple[int, int, str]]
) -> InputError:
    from openpyxl.utils import get_column_letter

    header = rows[0] if rows else []
    columns = {
        str(header[c - 1]).strip()
        for _, c, _ in formulas
        if c - 1 < len(header) and header[c - 1] is not None
    }
    shown = tuple(f"{get_column_letter(c)}{r}: {f}" for r, c, f in formulas[:5])
    return InputError(
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


def _frame_from_cells(path: Path, rows: list[list[object]]) -> pd.DataFrame:
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise fail(path, "the first sheet is empty", "put the table on the first sheet")
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
    check_header(path, names)
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
