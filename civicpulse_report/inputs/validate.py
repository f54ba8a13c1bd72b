"""Validate input tables, data directories and single files against the input contract.

Owns the two validation entry points. :func:`validate_tables` checks frames:
each table against its schema, then the cross-table rules, and returns every
problem, grouped by file. :func:`validate_paths` does the same for data
directories and single files, reading them first, for ``civicpulse-report
validate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs.checks import cross_table_problems
from civicpulse_report.inputs.files import (
    EXPECTED_NAMES,
    locate_input_files,
    read_inputs,
    role_of,
)
from civicpulse_report.inputs.problems import schema_problems
from civicpulse_report.inputs.readers import read_table
from civicpulse_report.inputs.schema import ROLES, schema_for
from civicpulse_report.measures import Measures

Table = pd.DataFrame | Sequence[pd.DataFrame]


def _as_parts(
    tables: Mapping[str, Table], files: Mapping[str, str | Sequence[str]]
) -> dict[str, list[tuple[str, pd.DataFrame]]]:
    parts: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for role, table in tables.items():
        if role not in ROLES:
            raise ValueError(f"unknown table role {role!r}; expected one of {ROLES}")
        frames = [table] if isinstance(table, pd.DataFrame) else list(table)
        names_raw = files.get(role, role)
        names = [names_raw] if isinstance(names_raw, str) else [str(n) for n in names_raw]
        if len(names) != len(frames):
            raise ValueError(f"{role}: {len(frames)} tables but {len(names)} file names")
        parts[role] = list(zip(names, frames, strict=True))
    return parts


def validate_tables(
    tables: Mapping[str, Table],
    measures: Measures,
    files: Mapping[str, str | Sequence[str]],
) -> list[Problem]:
    """Check tables against the input contract and return every problem found.

    Parameters
    ----------
    tables : mapping of role to DataFrame or sequence of DataFrames
        Keys are among :data:`ROLES`. The survey may be given as several frames
        (one per file, e.g. per wave); each is checked on its own, so problems
        name the file and the row within it. Frames are as read, with a
        default index: row ``i`` is spreadsheet row ``i + 2``. Tables that are
        absent are skipped, as are the cross-table checks that need them.
    measures : Measures
    files : mapping of role to file name(s)
        The name to show for each table (a list, matching the frames, for a
        survey given as several frames).

    Returns
    -------
    list of Problem
        Empty when the tables are valid.

    Raises
    ------
    ValueError
        If a role is unknown or the file names do not match the frames (a
        programming error, not bad input).
    """
    parts = _as_parts(tables, files)
    problems: list[Problem] = []
    for role in ROLES:
        schema = schema_for(role, measures) if role in parts else None
        for file, frame in parts.get(role, []):
            assert schema is not None
            problems += schema_problems(frame, schema, file)
    problems += cross_table_problems(parts)
    # Group by file (stable, so each file keeps column order), to fix one file at a time.
    order = {
        file: i for i, (file, _) in enumerate(f for role in ROLES for f in parts.get(role, []))
    }
    return sorted(problems, key=lambda p: order.get(p.file, len(order)))


def validate_paths(paths: Sequence[Path | str], measures: Measures) -> list[Problem]:
    """Validate data directories and single input files.

    A directory is checked as a whole: its four tables, then the cross-table
    rules. A single file is checked on its own against the table its name
    says it is (``survey.csv``, ``survey_2024.parquet``, ``la_lookup.xlsx``...).

    Parameters
    ----------
    paths : sequence of Path or str
    measures : Measures

    Returns
    -------
    list of Problem
        Empty when everything is valid.
    """
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, found_problems = locate_input_files(path)
            tables, names, read_problems = read_inputs(found)
            problems += found_problems + read_problems
            problems += validate_tables(tables, measures, names)
        elif path.is_file():
            role = role_of(path)
            if role is None:
                problems.append(
                    Problem(
                        file=str(path),
                        rule="is not a recognised input file name",
                        hint=f"name it {EXPECTED_NAMES}",
                    )
                )
                continue
            try:
                frame = read_table(path)
            except InputError as exc:
                problems += exc.problems
                continue
            problems += validate_tables({role: frame}, measures, {role: str(path)})
        else:
            problems.append(
                Problem(
                    file=str(path),
                    rule="does not exist",
                    hint="give a data directory or one of its input files",
                )
            )
    return problems
