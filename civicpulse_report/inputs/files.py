"""The files of a data directory: which table each holds, reading them all, and their hashes.

A data directory holds four tables, each in any supported format: the survey
microdata (``survey.<ext>`` or several ``survey_*.<ext>`` files, e.g. one per
wave), ``la_lookup``, ``legacy_indicators`` and ``neighbourhoods``. See
``data/README.md`` for the contract. Finding and reading collect the problems
of every file instead of stopping at the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs.readers import SUPPORTED_SUFFIXES, PartialRead, read_table
from civicpulse_report.inputs.schema import ROLES

EXPECTED_NAMES = (
    "survey.<ext> or survey_<anything>.<ext>, la_lookup.<ext>, legacy_indicators.<ext> "
    f"or neighbourhoods.<ext>, where <ext> is one of {', '.join(SUPPORTED_SUFFIXES)}"
)

_HASH_CHUNK = 1 << 20


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
    """Like :func:`find_input_files`, but return the problems instead of raising.

    A table there in two formats is reported and left out of the files found,
    so that it is not read twice (and its rows not reported as duplicates).
    """
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
    # A table there twice is not read at all: which one is right is the user's call.
    for role, paths in found.items():
        stems = [p.stem for p in paths]
        found[role] = [p for p in paths if stems.count(p.stem) == 1]
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
        the matching file names; unreadable files contribute problems only. A
        file refused but still readable (:class:`~.readers.PartialRead`, e.g.
        a CSV that is not UTF-8) gives its problems *and* its frame, so its
        other problems are found too.
    """
    tables: dict[str, list[pd.DataFrame]] = {}
    names: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for role, paths in found.items():
        for path in paths:
            try:
                frame = read_table(path)
            except PartialRead as exc:  # refused, but read well enough to check on
                problems.extend(exc.problems)
                frame = exc.frame
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            tables.setdefault(role, []).append(frame)
            names.setdefault(role, []).append(str(path))
    return tables, names, problems
