"""The benchmark file flags withheld cells instead of dropping them (issue 11).

A council benchmarking against the national release must be able to tell
"suppressed" from "not surveyed". As official statistics do (ONS, OHID
Fingertips), a cell withheld by primary or secondary suppression keeps its row
in ``benchmarks.csv``/``.parquet``, with its labels, every number blank (value,
interval, bases, n_eff, deff) and ``suppression`` saying which rule withheld
it; published rows leave ``suppression`` blank.

Built from the small demo at a minimum base of 470 (inside the range of LA
bases, so that LAs, regions and LA types are withheld, both ways), this file
checks:

- the flagged table and file: every LA-level and higher cell has one row, the
  flags are the estimates' own, and a flagged row has no number;
- reading it: the withheld cells are not available (no row in the release's
  estimates, never a zero), in a council's own build too, and a file written
  before the column existed is read to the same release;
- a damaged flag column is refused with a located message, listed with the
  file's other problems.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demo_specs import keep_las

from civicpulse_report.errors import InputError
from civicpulse_report.inputs import Dataset, load_dataset
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    EstimateSet,
    benchmark_table,
    compute_estimates,
    read_benchmarks,
    write_benchmarks,
)
from civicpulse_report.statistics.columns import NUMERIC_COLUMNS
from civicpulse_report.statistics.release import BENCHMARK_COLUMNS

MIN_BASE = 470
ON = ["wave", "level", "area_code", "indicator"]
COUNCIL = "X06000002"  # South East, with one other LA


@pytest.fixture(scope="module")
def strict(settings: Settings) -> Settings:
    return dataclasses.replace(settings, min_base=MIN_BASE)


@pytest.fixture(scope="module")
def strict_estimates(small_dataset: Dataset, measures: Measures, strict: Settings) -> EstimateSet:
    return compute_estimates(small_dataset, measures, strict)


@pytest.fixture(scope="module")
def flagged(
    strict_estimates: EstimateSet, small_dataset: Dataset, strict: Settings
) -> pd.DataFrame:
    return benchmark_table(strict_estimates, small_dataset, strict, flag_suppressed=True)


@pytest.fixture(scope="module")
def files(
    flagged: pd.DataFrame,
    strict_estimates: EstimateSet,
    small_dataset: Dataset,
    strict: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("flagged-release")
    csv, parquet = write_benchmarks(flagged, root / "new")
    # The layout before the column: withheld cells have no row.
    (legacy,) = write_benchmarks(
        benchmark_table(strict_estimates, small_dataset, strict), root / "old", formats=("csv",)
    )
    return {"csv": csv, "parquet": parquet, "legacy": legacy}


def _area_cells(est: EstimateSet) -> pd.DataFrame:
    e = est.estimates
    return e[e["level"].isin(["england", "region", "la_type", "la"]) & (e["breakdown"] == "all")]


def test_every_withheld_cell_keeps_its_row_flagged_and_without_numbers(
    flagged: pd.DataFrame, strict_estimates: EstimateSet, files: dict[str, Path]
) -> None:
    rows = flagged[flagged["record_type"] == "estimate"]
    cells = _area_cells(strict_estimates)
    assert len(rows) == len(cells)
    keys = [rows[ON].astype(str).agg("|".join, axis=1), cells[ON].astype(str).agg("|".join, axis=1)]
    mine = rows.set_axis(keys[0])["suppression"].sort_index()
    theirs = cells.set_axis(keys[1]).sort_index()
    assert mine.index.is_unique and list(mine.index) == list(theirs.index)
    # The estimates' own primary and secondary marks, and secondary where the file
    # itself withholds a cell the estimates publish (so its own sets stay safe).
    suppressed = theirs["suppressed"].to_numpy(bool)
    assert (mine.to_numpy()[suppressed] == theirs["suppression"].to_numpy()[suppressed]).all()
    assert set(mine[~suppressed]) <= {"", "secondary"}
    withheld = rows[rows["suppression"] != ""]
    assert withheld[list(NUMERIC_COLUMNS)].isna().all().all()
    assert rows.loc[rows["suppression"] == "", "estimate"].notna().all()
    assert (rows.loc[rows["suppression"] == "", "base"] >= MIN_BASE).all()
    counts = withheld.groupby(["level", "suppression"]).size().to_dict()
    assert {("la", "primary"), ("la", "secondary"), ("region", "primary")} <= set(counts)
    assert ("region", "secondary") in counts
    assert (flagged.loc[flagged["record_type"] != "estimate", "suppression"] == "").all()

    # The CSV: the flag is the last column, blank on published rows, and a flagged
    # row's number cells are empty text (not 0, not NaN spelled out).
    text = pd.read_csv(files["csv"], dtype=str, keep_default_na=False)
    assert list(text.columns) == [*BENCHMARK_COLUMNS, "suppression"]
    est = text[text["record_type"] == "estimate"]
    assert sorted(set(est["suppression"])) == ["", "primary", "secondary"]
    assert (est.loc[est["suppression"] != "", list(NUMERIC_COLUMNS)] == "").all().all()
    assert (text.loc[text["record_type"] != "estimate", "suppression"] == "").all()
    parquet = pd.read_parquet(files["parquet"])
    assert list(parquet.columns) == list(text.columns)
    assert (parquet["suppression"].fillna("") == text["suppression"]).all()
    print(
        f"\nmin_base {MIN_BASE}: {len(rows)} estimate rows, {len(withheld)} withheld "
        f"and flagged: {counts}"
    )


@pytest.mark.parametrize("which", ["csv", "parquet", "legacy"])
def test_withheld_cells_are_not_available_and_a_file_without_the_column_still_reads(
    which: str, flagged: pd.DataFrame, files: dict[str, Path]
) -> None:
    release = read_benchmarks(files[which])
    rows = flagged[flagged["record_type"] == "estimate"]
    published = rows[rows["suppression"] == ""].reset_index(drop=True)
    got = release.estimates
    assert len(got) == len(published)
    assert got["estimate"].notna().all() and got["base"].notna().all()
    for col in ("estimate", "se", "ci_lower", "ci_upper", "weighted_base", "n_eff", "deff"):
        assert (got[col].to_numpy() == published[col].to_numpy()).all(), col
    assert got[ON].astype(str).equals(published[ON].astype(str))
    # The same release as the file without the column (written before it existed).
    legacy = read_benchmarks(files["legacy"])
    pd.testing.assert_frame_equal(got, legacy.estimates)
    pd.testing.assert_frame_equal(release.areas, legacy.areas)
    assert release.waves == legacy.waves and release.n_las == legacy.n_las


def test_a_council_gets_no_figure_for_a_withheld_comparator_exactly_as_for_a_missing_one(
    small_demo_dir: Path,
    flagged: pd.DataFrame,
    files: dict[str, Path],
    measures: Measures,
    strict: Settings,
    tmp_path: Path,
) -> None:
    """One LA's own survey benchmarked against the release: a flagged cell is "not available"."""
    folder = keep_las(small_demo_dir, tmp_path / "council", {COUNCIL})
    lookup = pd.read_csv(folder / "la_lookup.csv", dtype=str)
    lookup.assign(national_coverage="no").to_csv(folder / "la_lookup.csv", index=False)
    dataset = load_dataset(folder, measures)
    region = str(lookup["region"].iloc[0])

    # The release as published, with the council's region also withheld for half the
    # indicators of the latest wave (flagged, numbers blank); and the same release
    # in the layout before the column, where those rows are simply not there.
    text = pd.read_csv(files["csv"], dtype=str, keep_default_na=False)
    cells = (text["record_type"] == "estimate") & (text["level"] == "region")
    cells &= (text["area_code"] == region) & (text["wave"] == text["wave"].max())
    cells &= text["suppression"] == ""
    hide = text.index[cells][::2]
    text.loc[hide, list(NUMERIC_COLUMNS)] = ""
    text.loc[hide, "suppression"] = "secondary"
    text.to_csv(tmp_path / "flagged.csv", index=False)
    text[text["suppression"] == ""].drop(columns="suppression").to_csv(
        tmp_path / "legacy.csv", index=False
    )
    runs = {
        name: compute_estimates(
            dataset, measures, strict, benchmarks=read_benchmarks(tmp_path / f"{name}.csv")
        ).estimates
        for name in ("flagged", "legacy")
    }
    pd.testing.assert_frame_equal(runs["flagged"], runs["legacy"])

    e = runs["flagged"]
    from_file = e[e["source"] == "benchmark file"]
    # Each has the file's figure, unless this build's own secondary suppression hid it;
    # no withheld cell comes back as a row.
    assert len(from_file)
    assert (from_file["estimate"].notna() | from_file["suppressed"].astype(bool)).all()
    withheld = text[(text["record_type"] == "estimate") & (text["suppression"] != "")]
    keys = set(map(tuple, withheld[ON].to_numpy()))
    assert len(keys) > len(hide)
    assert not keys & set(map(tuple, from_file[ON].astype(str).to_numpy()))
    # The council's own rows of that wave: the region's figure where the release
    # publishes it, none where it withholds it (never a zero or another figure).
    latest = int(text["wave"].max())
    own = e[(e["level"] == "la") & (e["breakdown"] == "all") & (e["area_code"] == COUNCIL)]
    own = own[(own["wave"] == latest) & ~own["suppressed"].astype(bool)].set_index("indicator")
    gone = set(text.loc[hide, "indicator"])
    assert gone & set(own.index) and set(own.index) - gone
    published = text[cells & ~text.index.isin(hide)].set_index("indicator")["estimate"]
    for indicator, value in own["region_value"].items():
        if indicator in gone:
            assert np.isnan(value), indicator
        else:
            assert value == float(published[indicator]), indicator


def _damaged(files: dict[str, Path], tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    frame = pd.read_csv(files["csv"], dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / "benchmarks.csv"
    frame.to_csv(path, index=False)
    return path


def _first_withheld(frame: pd.DataFrame) -> int:
    return int(np.flatnonzero((frame["suppression"] != "").to_numpy())[0])


def test_an_unknown_flag_is_refused_naming_the_column_row_and_value(
    files: dict[str, Path], tmp_path: Path
) -> None:
    row = {}

    def edit(frame: pd.DataFrame) -> None:
        row["i"] = _first_withheld(frame)
        frame.loc[row["i"], "suppression"] = "yes"

    path = _damaged(files, tmp_path, edit)
    with pytest.raises(InputError) as info:
        read_benchmarks(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.column, problem.rows) == (
        str(path),
        "suppression",
        (row["i"] + 2,),
    )
    assert problem.values == ("'yes'",) and "primary or secondary" in problem.rule
    assert "as published" in problem.hint


def test_a_flagged_row_with_a_number_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    """A withheld cell given a figure (an edited copy) is never read as published, nor as zero."""
    row = {}

    def edit(frame: pd.DataFrame) -> None:
        row["i"] = _first_withheld(frame)
        frame.loc[row["i"], "estimate"] = "0"

    path = _damaged(files, tmp_path, edit)
    with pytest.raises(InputError) as info:
        read_benchmarks(path)
    (problem,) = info.value.problems
    assert (problem.column, problem.rows, problem.values) == ("estimate", (row["i"] + 2,), ("0.0",))
    assert "must be blank on a suppressed row" in problem.rule


def test_flag_problems_are_listed_with_the_files_other_problems(
    files: dict[str, Path], tmp_path: Path
) -> None:
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[0, "suppression"] = "primary"  # a meta row
        del frame["ci_upper"]

    path = _damaged(files, tmp_path, edit)
    with pytest.raises(InputError) as info:
        read_benchmarks(path)
    found = [(p.column, p.rule) for p in info.value.problems]
    assert ("ci_upper", "the benchmark file has no such column") in found
    assert any(c == "suppression" and "not an estimate record" in r for c, r in found), found
    assert info.value.problems[-1].rows == (2,)


def test_a_release_with_every_estimate_withheld_is_refused(
    files: dict[str, Path], tmp_path: Path
) -> None:
    def edit(frame: pd.DataFrame) -> None:
        estimate = frame["record_type"] == "estimate"
        frame.loc[estimate, list(NUMERIC_COLUMNS)] = ""
        frame.loc[estimate, "suppression"] = "secondary"

    with pytest.raises(InputError, match="no published estimate records"):
        read_benchmarks(_damaged(files, tmp_path, edit))


def test_the_writer_refuses_a_flagged_row_that_carries_a_number(
    flagged: pd.DataFrame, tmp_path: Path
) -> None:
    bad = flagged.copy()
    i = bad.index[bad["suppression"] != ""][0]
    bad.loc[i, "weighted_base"] = 123.0
    with pytest.raises(ValueError, match="suppressed rows carry numbers"):
        write_benchmarks(bad, tmp_path)
    with pytest.raises(ValueError, match="unknown suppression values"):
        write_benchmarks(flagged.assign(suppression="maybe"), tmp_path)
    assert not list(tmp_path.iterdir())
