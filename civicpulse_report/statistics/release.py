"""The benchmark file's format, and a release read from it.

Owns the layout of a benchmark file (:data:`BENCHMARK_COLUMNS`,
:data:`RECORD_TYPES`, :data:`FORMAT_VERSION`; column by column in
data/README.md, "The benchmark file"), :class:`BenchmarkRelease` (what a
local build needs from a national release), :func:`release_from_table`
(a table -> a checked release, or an :class:`~civicpulse_report.errors.InputError`
naming the file, column and fix), :func:`check_release` (does a release fit
these measures and settings?) and :func:`release_rows` (the release as rows
of the estimates frame). Pure: frames in, frames out; the file reading and
writing are in :mod:`.benchmark_io`, the table is built by :mod:`.benchmarks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.measures import Measures
from civicpulse_report.scoring import IndexReference
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.columns import NUMERIC_COLUMNS, SOURCE_BENCHMARK
from civicpulse_report.statistics.derived import SPINE_COLUMNS

FORMAT_VERSION = 1
RECORD_TYPES = ("meta", "reference", "estimate", "spine", "context", "alpha")
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "format_version",
    "release_version",
    "record_type",
    "wave",
    "level",
    "area_code",
    "area_name",
    "region",
    "la_type",
    "indicator",
    "type",
    *NUMERIC_COLUMNS,
    "statistic",
    "value",
    "text",
)
TEXT_COLUMNS = (
    "release_version",
    "record_type",
    "level",
    "area_code",
    "area_name",
    "region",
    "la_type",
    "indicator",
    "type",
    "statistic",
    "text",
)
FLOAT_COLUMNS = tuple(c for c in (*NUMERIC_COLUMNS, "value") if c != "base")
INT_COLUMNS = ("format_version", "wave", "base")
REQUIRED_META = ("national_coverage", "n_las", "reference_wave", "confidence_level", "min_base")
_FIX = "export the benchmark file again with civicpulse-report (format version 1), unchanged"


@dataclass(frozen=True, eq=False)
class BenchmarkRelease:
    """A checked benchmark file: what a local build needs from the national release.

    Attributes
    ----------
    source : str
        The file it was read from, for messages.
    release_version : str
        Tells one release from another (latest wave and a content hash).
    national : bool
        Whether its England rows are the whole nation.
    n_las : int
        LAs in the release.
    confidence_level : float
    min_base : int
    reference : IndexReference
        England's first-wave mean and SD of every indicator.
    estimates : DataFrame
        wave, level, area_code, area_name, region, la_type, indicator, type and
        the published numbers (estimate, se, ci_lower, ci_upper, base,
        weighted_base, n_eff, deff).
    spine : DataFrame
        wave, indicator, min, q25, median, q75, max, n_las.
    areas : DataFrame
        la_code, la_name, region, la_type and one column per context variable.
    alpha : DataFrame
        wave, area_code, domain, alpha, n (England).
    """

    source: str
    release_version: str
    national: bool
    n_las: int
    confidence_level: float
    min_base: int
    reference: IndexReference
    estimates: pd.DataFrame
    spine: pd.DataFrame
    areas: pd.DataFrame
    alpha: pd.DataFrame

    @property
    def waves(self) -> tuple[int, ...]:
        """The waves the release has estimates for, oldest first."""
        return tuple(sorted(int(w) for w in pd.unique(self.estimates["wave"])))

    @property
    def released(self) -> frozenset[tuple[str, str]]:
        """The (level, area_code) of its England, region and LA-type rows."""
        top = self.estimates[self.estimates["level"] != "la"]
        return frozenset(zip(top["level"], top["area_code"], strict=True))


def typed_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its columns in order and their types fixed."""
    out = pd.DataFrame({c: frame.get(c) for c in BENCHMARK_COLUMNS})
    for col in TEXT_COLUMNS:
        out[col] = out[col].map(lambda v: None if v is None or v is pd.NA or v != v else str(v))
        out[col] = out[col].astype(object)
    for col in FLOAT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in INT_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    return out.reset_index(drop=True)


def context_columns(settings: Settings) -> list[str]:
    """The contextual variables a release carries: population and the neighbour variables."""
    return ["population", *(v for v in settings.neighbours_variables if v != "log_population")]


def _rows_of(mask: pd.Series) -> tuple[int, ...]:
    # Spreadsheet row numbers: header is row 1, first data row is row 2.
    return tuple(int(i) + 2 for i in np.flatnonzero(mask.to_numpy())[:5])


def _structure_problems(table: pd.DataFrame, source: str) -> list[Problem]:
    missing = [c for c in BENCHMARK_COLUMNS if c not in table.columns]
    problems = [
        Problem(source, "the benchmark file has no such column", column=c, hint=_FIX)
        for c in missing
    ]
    if "format_version" in table.columns:
        version = pd.to_numeric(table["format_version"], errors="coerce")
        other = version != FORMAT_VERSION
        if other.any():
            found = sorted({str(v) for v in table.loc[other, "format_version"]})
            problems.append(
                Problem(
                    source,
                    f"is format version {', '.join(found[:3])}; this version of civicpulse-report "
                    f"reads format version {FORMAT_VERSION}",
                    column="format_version",
                    rows=_rows_of(other),
                    values=tuple(found[:5]),
                    n_rows=int(other.sum()),
                    hint="export the benchmark file again with this version of "
                    "civicpulse-report, or build with the version that wrote it",
                )
            )
    if "record_type" in table.columns:
        bad = ~table["record_type"].isin(RECORD_TYPES)
        if bad.any():
            problems.append(
                Problem(
                    source,
                    f"is not one of {', '.join(RECORD_TYPES)}",
                    column="record_type",
                    rows=_rows_of(bad),
                    values=tuple(sorted({str(v) for v in table.loc[bad, "record_type"]})[:5]),
                    n_rows=int(bad.sum()),
                    hint=_FIX,
                )
            )
    if "release_version" in table.columns and table["release_version"].nunique(dropna=False) > 1:
        problems.append(
            Problem(
                source,
                "holds more than one release (release_version differs between rows)",
                column="release_version",
                values=tuple(sorted(str(v) for v in table["release_version"].unique())[:5]),
                hint="use one release's file as it was published; do not append two",
            )
        )
    return problems


def release_from_table(table: pd.DataFrame, source: str) -> BenchmarkRelease:
    """Check a benchmark table and turn it into a :class:`BenchmarkRelease`.

    Parameters
    ----------
    table : DataFrame
        As written by :func:`~civicpulse_report.statistics.benchmark_io.write_benchmarks`
        and read back (any column types).
    source : str
        The file it came from, named in every problem.

    Returns
    -------
    BenchmarkRelease

    Raises
    ------
    InputError
        If a column is missing, the format version is not
        :data:`FORMAT_VERSION`, a record type is unknown, rows of two releases
        are mixed, a number does not read as a number, or the meta or
        reference records are missing. Every problem found is listed.
    """
    problems = _structure_problems(table, source)
    if problems:
        raise InputError(problems, summary=f"{source} is not a usable benchmark file")
    raw = table.reset_index(drop=True)
    typed = typed_table(raw)
    for col in (*FLOAT_COLUMNS, *INT_COLUMNS):
        bad = typed[col].isna() & raw[col].notna() & (raw[col].astype(str).str.strip() != "")
        if bad.any():
            problems.append(
                Problem(
                    source,
                    "must be a number",
                    column=col,
                    rows=_rows_of(bad),
                    values=tuple(sorted({str(v) for v in raw.loc[bad, col]})[:5]),
                    n_rows=int(bad.sum()),
                    hint=_FIX,
                )
            )
    by_type = {kind: typed[typed["record_type"] == kind] for kind in RECORD_TYPES}
    meta = by_type["meta"].drop_duplicates("statistic", keep="last").set_index("statistic")
    for key in REQUIRED_META:
        if key not in meta.index:
            problems.append(
                Problem(source, f"has no meta record '{key}'", column="statistic", hint=_FIX)
            )
    for kind in ("reference", "estimate"):
        if by_type[kind].empty:
            problems.append(
                Problem(source, f"has no {kind} records", column="record_type", hint=_FIX)
            )
    if problems:
        raise InputError(problems, summary=f"{source} is not a usable benchmark file")

    ref = by_type["reference"].pivot_table(
        index="indicator", columns="statistic", values="value", aggfunc="last"
    )
    reference = IndexReference(
        wave=int(by_type["reference"]["wave"].dropna().iloc[0]),
        mean={str(k): float(v) for k, v in ref.get("mean", pd.Series()).dropna().items()},
        sd={str(k): float(v) for k, v in ref.get("sd", pd.Series()).dropna().items()},
    )
    est_cols = ["wave", "level", "area_code", "area_name", "region", "la_type", "indicator", "type"]
    estimates = by_type["estimate"][[*est_cols, *NUMERIC_COLUMNS]].reset_index(drop=True)
    estimates["wave"] = estimates["wave"].astype("int64")
    estimates["base"] = estimates["base"].astype("float64")
    spine = (
        by_type["spine"]
        .pivot_table(index=["wave", "indicator"], columns="statistic", values="value")
        .reindex(columns=[*SPINE_COLUMNS, "n_las"])
        .reset_index()
    )
    spine.columns.name = None
    ctx = by_type["context"]
    areas = (
        ctx.pivot_table(index="area_code", columns="statistic", values="value", aggfunc="last")
        .reset_index()
        .rename(columns={"area_code": "la_code"})
    )
    areas.columns.name = None
    names = ctx.drop_duplicates("area_code").set_index("area_code")
    for col, src in (("la_name", "area_name"), ("region", "region"), ("la_type", "la_type")):
        areas[col] = areas["la_code"].map(names[src])
    alpha = by_type["alpha"]
    alpha = pd.DataFrame(
        {
            "wave": alpha["wave"].astype("int64"),
            "area_code": alpha["area_code"],
            "domain": alpha["indicator"].str.removeprefix("index_"),
            "alpha": alpha["value"],
            "n": alpha["base"].astype("int64"),
        }
    ).reset_index(drop=True)
    return BenchmarkRelease(
        source=source,
        release_version=str(typed["release_version"].iloc[0]),
        national=str(meta.loc["national_coverage", "text"]).strip().lower() == "yes",
        n_las=int(meta.loc["n_las", "value"]),
        confidence_level=float(meta.loc["confidence_level", "value"]),
        min_base=int(meta.loc["min_base", "value"]),
        reference=reference,
        estimates=estimates,
        spine=spine,
        areas=areas,
        alpha=alpha,
    )


def check_release(release: BenchmarkRelease, measures: Measures, settings: Settings) -> None:
    """Check that a release fits the measures and settings of this build.

    Parameters
    ----------
    release : BenchmarkRelease
    measures : Measures
    settings : Settings

    Raises
    ------
    InputError
        If an indicator of measures.yml has no index reference in the
        release, the release's intervals are at another confidence level, or
        a nearest-neighbour variable is missing from its context records.
    """
    src = release.source
    problems: list[Problem] = []
    no_ref = [i.id for i in measures.indicators if i.id not in release.reference.mean]
    if no_ref:
        problems.append(
            Problem(
                src,
                "has no index reference (England first-wave mean and SD) for indicators of "
                "measures.yml",
                column="indicator",
                values=tuple(no_ref[:5]),
                n_rows=len(no_ref),
                hint="use a benchmark file built with the same measures.yml, or remove those "
                "indicators from measures.yml",
            )
        )
    if not np.isclose(release.confidence_level, settings.confidence_level):
        problems.append(
            Problem(
                src,
                f"holds {release.confidence_level:.0%} intervals, but settings.yml asks for "
                f"{settings.confidence_level:.0%}",
                column="value",
                hint=f"set confidence_level: {release.confidence_level} in settings.yml, or use "
                "a benchmark file built at your level",
            )
        )
    context = set(release.areas.columns)
    for name in settings.neighbours_variables:
        source = "population" if name == "log_population" else name
        if source not in context:
            problems.append(
                Problem(
                    src,
                    f"has no context records for the nearest-neighbour variable '{source}'",
                    column="statistic",
                    hint="remove it from nearest_neighbours in settings.yml, or use a "
                    "benchmark file that has it",
                )
            )
    if problems:
        raise InputError(problems, summary=f"{src} does not fit this build")


def release_rows(
    release: BenchmarkRelease, polarity: dict[str, str], la_codes: set[str]
) -> pd.DataFrame:
    """The release's England, region, LA-type rows and the rows of LAs without microdata.

    Parameters
    ----------
    release : BenchmarkRelease
    polarity : dict
        Indicator id -> polarity (rows of indicators not in it are dropped).
    la_codes : set of str
        LAs with microdata in this build: their rows come from the microdata,
        not from the release.

    Returns
    -------
    DataFrame
        In the shape of the direct estimates frame, with ``source`` "benchmark file".
    """
    rel = release.estimates
    rel = rel[
        rel["indicator"].isin(polarity)
        & ~((rel["level"] == "la") & rel["area_code"].isin(la_codes))
    ]
    out = pd.DataFrame(
        {
            "wave": rel["wave"].astype("int64"),
            "level": rel["level"],
            "area_code": rel["area_code"],
            "la_code": np.where(rel["level"] == "la", rel["area_code"], None),
            "breakdown": "all",
            "group_code": None,
            "indicator": rel["indicator"],
            "type": rel["type"],
            **{c: rel[c].astype("float64") for c in NUMERIC_COLUMNS},
            "group": "All",
            "polarity": rel["indicator"].map(polarity),
            "source": SOURCE_BENCHMARK,
        }
    )
    return out.astype({"la_code": object, "group_code": object}).reset_index(drop=True)
