"""Randomly broken inputs either load or get a clean error: never a crash.

Hypothesis takes the corpus's valid data folder (``tests/data/bad/_base/``),
breaks one table at random (drops a column, sets a cell to random text, a
number, NaN, infinity or a negative number, duplicates or blanks a row, or
cuts the file short), writes it in one of the five formats and validates the
folder. Validation must return a result whose every problem names a file
(the clean error ``civicpulse-report validate`` prints with exit code 2), and
a folder it passes must load as a :class:`~civicpulse_report.inputs.Dataset`
with finite, positive weights. Any exception is a bug.

Reproducible: ``derandomize=True`` makes the examples the same on every run.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from civicpulse_report.inputs import Dataset, check_paths, load_dataset
from civicpulse_report.measures import Measures, load_measures

BASE = Path(__file__).resolve().parents[1] / "data" / "bad" / "_base"
ROLES = {
    "survey": "survey.parquet",
    "la_lookup": "la_lookup.csv",
    "neighbourhoods": "neighbourhoods.csv",
    "legacy_indicators": "legacy_indicators.csv",
}
FORMATS = (".csv", ".parquet", ".xlsx", ".sav", ".dta")
SURVEY_FORMATS = (".csv", ".parquet", ".sav", ".dta")
TEXT = frozenset({"respondent_id", "la_code", "neighbourhood_code"})
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

MEASURES: Measures = load_measures()


def _read(role: str) -> pd.DataFrame:
    """A base table with numbers as numbers (codes and names as text)."""
    path = BASE / ROLES[role]
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for name in frame.columns:
        numbers = pd.to_numeric(frame[name], errors="coerce")
        if name not in TEXT and numbers.notna().sum() == (frame[name] != "").sum():
            frame[name] = numbers
    return frame


TABLES = {role: _read(role) for role in ROLES}

cell_values = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -1.0, -8, 0, "", " ", "1,143.4155"]),
)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str, str, tuple]:
    """(table, format, kind of mutation, its details)."""
    role = draw(st.sampled_from(sorted(ROLES)))
    frame = TABLES[role]
    # A 55-column survey is slow to write as .xlsx; the lookups cover that format.
    suffix = draw(st.sampled_from(SURVEY_FORMATS if role == "survey" else FORMATS[:3]))
    kind = draw(st.sampled_from(["drop", "cell", "cell", "cell", "duplicate", "blank", "cut"]))
    row = draw(st.integers(0, len(frame) - 1))
    column = draw(st.sampled_from(list(frame.columns)))
    if kind == "cell":
        return role, suffix, kind, (row, column, draw(cell_values))
    if kind == "cut":
        return role, suffix, kind, (draw(st.floats(0.0, 0.99)),)
    return role, suffix, kind, (row, column)


def mutate(frame: pd.DataFrame, kind: str, details: tuple) -> pd.DataFrame:
    frame = frame.copy()
    if kind == "drop":
        return frame.drop(columns=[details[1]])
    if kind == "cell":
        row, column, value = details
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        return frame
    if kind == "duplicate":
        return pd.concat([frame, frame.iloc[[details[0]]]], ignore_index=True)
    if kind == "blank":
        blank = pd.DataFrame([[None] * frame.shape[1]], columns=frame.columns)
        top, bottom = frame.iloc[: details[0] + 1], frame.iloc[details[0] + 1 :]
        return pd.concat([top, blank, bottom], ignore_index=True)
    return frame


def _uniform(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns a binary format can store: numbers where all are numbers, else text."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if name in TEXT or column.map(lambda v: isinstance(v, str)).any():
            out[name] = column.map(
                lambda v: v if isinstance(v, str) else ("" if pd.isna(v) else str(v))
            )
        else:
            out[name] = pd.to_numeric(column, errors="coerce").astype("float64")
    return out


def write(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        _uniform(frame).to_parquet(path, index=False)
    elif path.suffix == ".xlsx":
        clean = frame.map(lambda v: _XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v)
        clean.to_excel(path, index=False)
    elif path.suffix == ".sav":
        pyreadstat.write_sav(_uniform(frame), path)
    else:
        plain = _uniform(frame)
        plain.columns = [str(c)[:32] for c in plain.columns]
        plain = plain.map(
            lambda v: v.encode("latin-1", "replace").decode("latin-1") if isinstance(v, str) else v
        )
        pyreadstat.write_dta(plain, path)


def build_folder(folder: Path, role: str, suffix: str, kind: str, details: tuple) -> None:
    shutil.copytree(BASE, folder)
    (folder / ROLES[role]).unlink()
    path = folder / f"{role}{suffix}"
    frame = TABLES[role] if kind == "cut" else mutate(TABLES[role], kind, details)
    write(frame, path)
    if kind == "cut":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * details[0])])


def names_a_file(message_file: str, folder: Path) -> bool:
    return bool(message_file) and (
        Path(message_file).name in {p.name for p in folder.iterdir()}
        or Path(message_file) == folder
        or message_file.endswith((".yml", ".csv", ".parquet", ".xlsx", ".sav", ".dta"))
    )


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations())
def test_a_mutated_folder_loads_or_gets_a_clean_error(
    mutation: tuple[str, str, str, tuple],
) -> None:
    role, suffix, kind, details = mutation
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        try:
            build_folder(folder, role, suffix, kind, details)
        except (ValueError, TypeError, OverflowError, pyreadstat.ReadstatError):
            event("the format cannot store the value")
            return  # nothing to validate

        result = check_paths([folder], MEASURES)
        for problem in (*result.problems, *result.warnings):
            assert names_a_file(problem.file, folder), problem
            assert problem.rule, problem
        event(f"{kind}: {'loads' if result.ok else 'refused'}")
        if not result.ok:
            return  # the clean error the validate command prints (exit code 2)

        dataset = load_dataset(folder, MEASURES)  # what a build loads: must not fail now
        assert isinstance(dataset, Dataset)
        assert np.isfinite(dataset.survey["weight"]).all()
        assert (dataset.survey["weight"] > 0).all()
