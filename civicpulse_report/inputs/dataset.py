"""The validated :class:`Dataset` and :func:`load_dataset`, which builds it from a data directory.

Owns the orchestration of a load (find the files, read them, validate them,
check the year asked for) and the typing of the validated tables: codes as
text, counts as integers, answers as nullable integers. :func:`load_dataset`
reports the problems of every file at once; its warnings (value labels worded
differently from measures.yml) are logged and kept on the :class:`Dataset`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs.files import file_sha256, locate_input_files, read_inputs
from civicpulse_report.inputs.schema import CONTEXT_COLUMNS
from civicpulse_report.inputs.validate import check_tables
from civicpulse_report.inputs.values import respondent_id_text
from civicpulse_report.measures import Measures

log = logging.getLogger(__name__)


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
    warnings : tuple of Problem
        What validation found worth a look but did not refuse (also logged).
    """

    survey: pd.DataFrame
    la_lookup: pd.DataFrame
    legacy: pd.DataFrame
    neighbourhoods: pd.DataFrame
    files: Mapping[str, str]
    data_dir: Path
    warnings: tuple[Problem, ...] = ()

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
    checked = check_tables(tables, measures, names)
    problems += checked.problems
    for warning in checked.warnings:
        log.warning("%s", warning.describe())

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
        warnings=checked.warnings,
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
