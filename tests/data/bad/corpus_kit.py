"""The tools the bad-input corpus is made with: read a base table, break it, write it back.

Owns reading the base data folder's tables (the survey from Parquet, the
lookups from CSV as exact text, so writing one back changes nothing else),
writing a table in another format (CSV in any encoding, Parquet, SPSS .sav
with value labels, Excel .xlsx), copying a configuration YAML with one edit,
and the small factories the cases in ``corpus_cases.py`` are built from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat

from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.paths import CONFIG_DIR

TEXT = ("respondent_id", "la_code", "neighbourhood_code")
FILES = {
    "survey": "survey.parquet",
    "la_lookup": "la_lookup.csv",
    "neighbourhoods": "neighbourhoods.csv",
    "legacy_indicators": "legacy_indicators.csv",
}
MEASURES: Measures = load_measures()

Make = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One broken data folder: how to break it and what the message must hold.

    ``args`` are added to the command line; ``{case}`` in them stands for the
    folder the test runs on (so a case can bring its own YAML).
    """

    name: str
    description: str
    make: Make
    messages: tuple[str, ...]
    command: str = "validate"
    args: tuple[str, ...] = field(default=())


def read(folder: Path, role: str) -> pd.DataFrame:
    """A base table: the survey as stored, the lookups as exact text."""
    path = folder / FILES[role]
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode(encoding))


def sav_labels(frame: pd.DataFrame) -> dict[str, dict[float, str]]:
    """The value labels measures.yml gives each coded column of ``frame``."""
    labels = {}
    for name, spec in (*MEASURES.demographics.items(), *MEASURES.items.items()):
        if name in frame.columns:
            labels[name] = {float(k): v for k, v in spec.codes.items()}
    return labels


def write_sav(
    frame: pd.DataFrame, path: Path, labels: dict[str, dict[float, str]] | None = None
) -> None:
    plain = frame.copy()
    for name in plain.columns:
        plain[name] = plain[name].astype(object if name in TEXT else "float64")
    pyreadstat.write_sav(plain, path, variable_value_labels=labels or sav_labels(plain))


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """A lookup as a workbook, numbers as numbers and codes as text."""
    typed = frame.astype(object)
    for name in typed.columns:
        if name in TEXT:
            continue
        numbers = pd.to_numeric(typed[name], errors="coerce")
        typed[name] = [v if pd.isna(n) else n for n, v in zip(numbers, typed[name], strict=True)]
    typed.to_excel(path, index=False, sheet_name="LA lookup")


def write(folder: Path, role: str, frame: pd.DataFrame, name: str | None = None) -> Path:
    """Write ``frame`` as the table ``role``, in its base format or as file ``name``."""
    original = folder / FILES[role]
    path = folder / (name or original.name)
    if path != original:
        original.unlink()
    if path.suffix == ".csv":
        write_csv(frame, path)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".sav":
        write_sav(frame, path)
    elif path.suffix == ".xlsx":
        write_xlsx(frame, path)
    return path


def edit(
    role: str, change: Callable[[pd.DataFrame], pd.DataFrame | None], name: str | None = None
) -> Make:
    """A case that changes one table (in place, or by returning the new frame)."""

    def make(folder: Path) -> None:
        frame = read(folder, role)
        changed = change(frame)
        write(folder, role, frame if changed is None else changed, name)

    return make


def cell(role: str, row: int, column: str, value: object, name: str | None = None) -> Make:
    """A case that sets one cell (frame row ``row``, spreadsheet row ``row + 2``)."""

    def change(frame: pd.DataFrame) -> None:
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value

    return edit(role, change, name)


def yaml_edit(name: str, change: Callable[[str], str]) -> Make:
    """A case that brings its own copy of a configuration YAML with one edit."""

    def make(folder: Path) -> None:
        text = (CONFIG_DIR / name).read_text(encoding="utf-8")
        changed = change(text)
        assert changed != text, f"the edit of {name} changed nothing"
        (folder / name).write_text(changed, encoding="utf-8")

    return make


def replace_text(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, 1)


def cut(path: Path, keep: float) -> None:
    """Keep the first ``keep`` share of a file's bytes, as a copy that did not finish."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def benchmarks(folder: Path, version: int, drop: str | None = None) -> None:
    """A two-row benchmarks.csv in the release layout (its meta records only)."""
    from civicpulse_report.statistics.release import BENCHMARK_COLUMNS

    rows = [
        {"record_type": "meta", "statistic": "national_coverage", "value": 1.0},
        {"record_type": "meta", "statistic": "n_las", "value": 3.0},
    ]
    frame = pd.DataFrame(rows, columns=list(BENCHMARK_COLUMNS))
    frame["format_version"] = version
    frame["release_version"] = "2026-synthetic"
    write_csv(frame.drop(columns=[drop]) if drop else frame, folder / "benchmarks.csv")
