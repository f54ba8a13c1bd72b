"""Validate input tables, data directories and single files against the input contract.

Owns the validation entry points and their result. :func:`check_tables`
checks frames: each table against its schema, an SPSS or Stata file's value
labels against measures.yml, then the cross-table rules; it returns a
:class:`Validation` holding every problem, grouped by file, and the warnings
(labels worded differently from the YAML). :func:`check_paths` does the same
for data directories and single files, reading them first, for
``civicpulse-report validate``. :func:`validate_tables` and
:func:`validate_paths` return the problems only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from civicpulse_report.inputs.labels import label_findings
from civicpulse_report.inputs.problems import schema_problems
from civicpulse_report.inputs.readers import PartialRead, read_table
from civicpulse_report.inputs.schema import ROLES, schema_for
from civicpulse_report.measures import Measures

Table = pd.DataFrame | Sequence[pd.DataFrame]


@dataclass(frozen=True)
class Validation:
    """What validation found.

    Attributes
    ----------
    problems : tuple of Problem
        Broken rules; any one means the inputs are refused (exit code 2).
    warnings : tuple of Problem
        Worth a look but not refused: an SPSS or Stata file whose value labels
        are worded differently from measures.yml.
    """

    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no problem (warnings allowed)."""
        return not self.problems

    def __add__(self, other: Validation) -> Validation:
        return Validation(self.problems + other.problems, self.warnings + other.warnings)


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

    The problems of :func:`check_tables`; see there for the parameters.

    Returns
    -------
    list of Problem
        Empty when the tables are valid.

    Raises
    ------
    ValueError
        If a role is unknown or the file names do not match the frames.
    """
    return list(check_tables(tables, measures, files).problems)


def check_tables(
    tables: Mapping[str, Table],
    measures: Measures,
    files: Mapping[str, str | Sequence[str]],
) -> Validation:
    """Check tables against the input contract: every problem and every warning.

    Parameters
    ----------
    tables : mapping of role to DataFrame or sequence of DataFrames
        Keys are among :data:`ROLES`. The survey may be given as several frames
        (one per file, e.g. per wave); each is checked on its own, so problems
        name the file and the row within it. Frames are as read, with a
        default index: row ``i`` is spreadsheet row ``i + 2``. Tables that are
        absent are skipped, as are the cross-table checks that need them.
        Value labels in ``frame.attrs["value_labels"]`` (SPSS, Stata) are
        compared with measures.yml.
    measures : Measures
    files : mapping of role to file name(s)
        The name to show for each table (a list, matching the frames, for a
        survey given as several frames).

    Returns
    -------
    Validation

    Raises
    ------
    ValueError
        If a role is unknown or the file names do not match the frames (a
        programming error, not bad input).
    """
    parts = _as_parts(tables, files)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for role in ROLES:
        schema = schema_for(role, measures) if role in parts else None
        for file, frame in parts.get(role, []):
            assert schema is not None
            problems += schema_problems(frame, schema, file)
            errors, cautions = label_findings(frame, measures, file)
            problems += errors
            warnings += cautions
    problems += cross_table_problems(parts)
    # Group by file (stable, so each file keeps column order), to fix one file at a time.
    order = {
        file: i for i, (file, _) in enumerate(f for role in ROLES for f in parts.get(role, []))
    }
    ordered = sorted(problems, key=lambda p: order.get(p.file, len(order)))
    return Validation(tuple(ordered), tuple(warnings))


def validate_paths(paths: Sequence[Path | str], measures: Measures) -> list[Problem]:
    """Validate data directories and single input files; the problems of :func:`check_paths`.

    Parameters
    ----------
    paths : sequence of Path or str
    measures : Measures

    Returns
    -------
    list of Problem
        Empty when everything is valid.
    """
    return list(check_paths(paths, measures).problems)


def check_paths(paths: Sequence[Path | str], measures: Measures) -> Validation:
    """Validate data directories and single input files: every problem and warning.

    A directory is checked as a whole: its four tables, then the cross-table
    rules. A single file is checked on its own against the table its name
    says it is (``survey.csv``, ``survey_2024.parquet``, ``la_lookup.xlsx``...).
    A file refused but still readable (a CSV that is not UTF-8) is checked on,
    so its other problems are reported in the same run.

    Parameters
    ----------
    paths : sequence of Path or str
    measures : Measures

    Returns
    -------
    Validation
        ``ok`` when everything is valid.
    """
    result = Validation()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, found_problems = locate_input_files(path)
            tables, names, read_problems = read_inputs(found)
            result += Validation(tuple(found_problems + read_problems))
            result += check_tables(tables, measures, names)
        elif path.is_file():
            role = role_of(path)
            if role is None:
                problem = Problem(
                    file=str(path),
                    rule="is not a recognised input file name",
                    hint=f"name it {EXPECTED_NAMES}",
                )
                result += Validation((problem,))
                continue
            try:
                frame = read_table(path)
            except PartialRead as exc:
                result += Validation(exc.problems)
                frame = exc.frame
            except InputError as exc:
                result += Validation(exc.problems)
                continue
            result += check_tables({role: frame}, measures, {role: str(path)})
        else:
            problem = Problem(
                file=str(path),
                rule="does not exist",
                hint="give a data directory or one of its input files",
            )
            result += Validation((problem,))
    return result
