"""The benchmark file: what a national release publishes, and what reading it refuses.

Built from the small demo's whole-nation estimates (``small_estimates``);
each test checks what a user of the open-data file would: that it reads back
to the same numbers, that it holds nothing below LA level or under the
minimum base, and that a file of another version or with a missing column is
a clear input error, not a traceback.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civicpulse_report.errors import InputError
from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    BenchmarkRelease,
    EstimateSet,
    benchmark_table,
    compute_estimates,
    read_benchmarks,
    write_benchmarks,
)
from civicpulse_report.statistics.release import BENCHMARK_COLUMNS, FORMAT_VERSION


@pytest.fixture(scope="module")
def table(small_estimates: EstimateSet, small_dataset: Dataset, settings: Settings) -> pd.DataFrame:
    return benchmark_table(small_estimates, small_dataset, settings)


@pytest.fixture(scope="module")
def written(table: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_benchmarks(table, tmp_path_factory.mktemp("bench"))


def _estimates(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["record_type"] == "estimate"]


def test_writes_csv_and_parquet_with_every_column(written: list[Path]) -> None:
    assert [p.name for p in written] == ["benchmarks.csv", "benchmarks.parquet"]
    header = written[0].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(BENCHMARK_COLUMNS)
    assert not [p for p in written[0].parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("which", [0, 1], ids=["csv", "parquet"])
def test_round_trip_gives_the_same_numbers_bit_for_bit(
    which: int, written: list[Path], small_estimates: EstimateSet
) -> None:
    release = read_benchmarks(written[which])
    assert isinstance(release, BenchmarkRelease)
    assert release.national and release.n_las == 8
    assert release.waves == small_estimates.waves
    assert release.reference.wave == small_estimates.reference.wave
    assert dict(release.reference.mean) == dict(small_estimates.reference.mean)
    assert dict(release.reference.sd) == dict(small_estimates.reference.sd)

    e = small_estimates.estimates
    la = e[(e["level"] == "la") & (e["breakdown"] == "all") & ~e["suppressed"]]
    mine = la.set_index(["wave", "area_code", "indicator"]).sort_index()
    theirs = release.estimates[release.estimates["level"] == "la"]
    theirs = theirs.set_index(["wave", "area_code", "indicator"]).sort_index()
    assert mine.index.equals(theirs.index)
    for col in ("estimate", "se", "ci_lower", "ci_upper", "weighted_base", "n_eff", "deff"):
        assert (mine[col].to_numpy() == theirs[col].to_numpy()).all(), col
    assert (mine["base"].to_numpy() == theirs["base"].to_numpy()).all()
    spine = small_estimates.spine.set_index(["wave", "indicator"]).sort_index()
    rspine = release.spine.set_index(["wave", "indicator"]).sort_index()
    for col in ("min", "q25", "median", "q75", "max", "n_las"):
        assert (spine[col].to_numpy() == rspine[col].to_numpy()).all(), col


def test_csv_and_parquet_hold_the_same_release(written: list[Path]) -> None:
    a, b = read_benchmarks(written[0]), read_benchmarks(written[1])
    assert a.release_version == b.release_version
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    pd.testing.assert_frame_equal(a.areas, b.areas)


def test_every_area_level_every_indicator_and_wave_is_there(
    table: pd.DataFrame, small_dataset: Dataset, measures: Measures
) -> None:
    est = _estimates(table)
    regions = set(small_dataset.la_lookup["region"])
    types = set(small_dataset.la_lookup["la_type"])
    assert set(est.loc[est["level"] == "region", "area_code"]) == regions
    assert set(est.loc[est["level"] == "la_type", "area_code"]) == types
    assert set(est.loc[est["level"] == "england", "area_code"]) == {ENGLAND_CODE}
    assert set(est.loc[est["level"] == "la", "area_code"]) == set(
        small_dataset.la_lookup["la_code"]
    )
    ids = {i.id for i in measures.indicators} | {f"index_{d.id}" for d in measures.domains}
    assert set(est["indicator"]) == ids
    assert set(est["wave"]) == {2024, 2025, 2026}
    la = est[est["level"] == "la"].iloc[0]
    assert la["area_name"] and la["region"] in regions and la["la_type"] in types
    context = table[table["record_type"] == "context"]
    assert set(context["area_code"]) == set(small_dataset.la_lookup["la_code"])
    assert {"population", "imd_score"} <= set(context["statistic"])


def test_nothing_below_la_level(table: pd.DataFrame, small_dataset: Dataset) -> None:
    assert set(table["level"].dropna()) <= {"england", "region", "la_type", "la"}
    hoods = set(small_dataset.neighbourhoods["neighbourhood_code"])
    assert not hoods & set(table["area_code"].dropna())
    assert "breakdown" not in table.columns and "group_code" not in table.columns


def test_nothing_under_the_minimum_base(
    small_dataset: Dataset, measures: Measures, settings: Settings
) -> None:
    # A threshold inside the range of LA bases, so some LA cells are suppressed.
    strict = dataclasses.replace(settings, min_base=470)
    est = compute_estimates(small_dataset, measures, strict)
    e = est.estimates
    small = e[(e["level"] == "la") & (e["breakdown"] == "all") & e["suppressed"]]
    assert len(small) > 0
    table = benchmark_table(est, small_dataset, strict)
    rows = _estimates(table)
    assert (rows["base"] >= 470).all()
    published = set(zip(rows["wave"], rows["area_code"], rows["indicator"], strict=True))
    hidden = set(zip(small["wave"], small["area_code"], small["indicator"], strict=True))
    assert not published & hidden
    meta = table[table["record_type"] == "meta"].set_index("statistic")
    assert meta.loc["min_base", "value"] == 470


def test_release_version_tells_releases_apart(
    table: pd.DataFrame, small_estimates: EstimateSet, small_dataset: Dataset, settings: Settings
) -> None:
    assert table["format_version"].eq(FORMAT_VERSION).all()
    version = table["release_version"].iloc[0]
    assert table["release_version"].nunique() == 1 and version.startswith("2026-")
    again = benchmark_table(small_estimates, small_dataset, settings)
    assert again["release_version"].iloc[0] == version
    e = small_estimates.estimates.copy()
    e.loc[e["level"] == "england", "estimate"] += 0.5
    other = benchmark_table(
        dataclasses.replace(small_estimates, estimates=e), small_dataset, settings
    )
    assert other["release_version"].iloc[0] != version


def test_another_format_version_is_an_input_error(table: pd.DataFrame, tmp_path: Path) -> None:
    (path,) = write_benchmarks(table.assign(format_version=2), tmp_path, formats=("csv",))
    with pytest.raises(InputError) as info:
        read_benchmarks(path)
    (problem,) = info.value.problems
    assert problem.file == str(path) and problem.column == "format_version"
    assert "format version 2" in problem.rule and "format version 1" in problem.rule
    assert "export the benchmark file again" in problem.hint


def test_a_missing_column_is_an_input_error_naming_it(table: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.csv"
    table.drop(columns=["ci_upper"]).to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        read_benchmarks(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.column) == (str(path), "ci_upper")
    assert "no such column" in problem.rule and problem.hint


def test_unreadable_missing_or_mixed_files_are_input_errors(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_benchmarks(tmp_path / "benchmarks.csv")
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        read_benchmarks(tmp_path / "benchmarks.xlsx")
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="Parquet"):
        read_benchmarks(bad)
    mixed = pd.concat([table, table.assign(release_version="2027-abc")])
    (path,) = write_benchmarks(mixed, tmp_path, formats=("csv",))
    with pytest.raises(InputError) as info:
        read_benchmarks(path)
    assert [p.column for p in info.value.problems] == ["release_version"]


def test_formula_like_names_are_neutralised_in_the_csv_and_restored_on_reading(
    small_estimates: EstimateSet, small_dataset: Dataset, settings: Settings, tmp_path: Path
) -> None:
    areas = small_estimates.areas.copy()
    areas.loc[0, "la_name"] = '=HYPERLINK("http://x","y")'
    est = dataclasses.replace(small_estimates, areas=areas)
    csv_path, parquet_path = write_benchmarks(
        benchmark_table(est, small_dataset, settings), tmp_path
    )
    text = csv_path.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text
    code = areas.loc[0, "la_code"]
    for path in (csv_path, parquet_path):
        release = read_benchmarks(path)
        assert release.areas.set_index("la_code").loc[code, "la_name"] == areas.loc[0, "la_name"]
    # Numbers are left alone: negative values stay numbers.
    raw = pd.read_csv(csv_path)
    assert pd.api.types.is_float_dtype(raw["value"])


def test_a_release_that_does_not_fit_the_build_is_refused(
    written: list[Path], small_dataset: Dataset, measures: Measures, settings: Settings
) -> None:
    release = read_benchmarks(written[0])
    ninety = dataclasses.replace(settings, confidence_level=0.9)
    with pytest.raises(InputError) as info:
        compute_estimates(small_dataset, measures, ninety, benchmarks=release)
    assert any("95% intervals" in p.rule for p in info.value.problems)
    partial = dataclasses.replace(
        release,
        reference=dataclasses.replace(
            release.reference,
            mean={k: v for k, v in release.reference.mean.items() if k != "can_influence"},
        ),
    )
    with pytest.raises(InputError) as info:
        compute_estimates(small_dataset, measures, settings, benchmarks=partial)
    (problem,) = info.value.problems
    assert problem.column == "indicator" and "can_influence" in problem.values
    assert np.isclose(release.confidence_level, 0.95)


# --------------------------------------------------------------------------
# The whole-nation rule (statistics.coverage), documented with the benchmark file
# --------------------------------------------------------------------------


def _dataset(codes: list[str], with_data: list[str], flag: list[object] | None) -> Dataset:
    lookup = pd.DataFrame({"la_code": codes})
    if flag is not None:
        lookup["national_coverage"] = flag
    survey = pd.DataFrame({"la_code": with_data})
    empty = pd.DataFrame()
    return Dataset(survey, lookup, empty, empty, {"la_lookup.csv": "x"}, Path("data"))


@pytest.mark.parametrize(
    ("codes", "flag", "national"),
    [
        (["E06000001", "E06000002"], None, False),  # real codes, no flag: a part of the nation
        (["X06000001", "X06000002"], None, True),  # the synthetic demo's own nation
        (["E06000001", "E06000002"], ["yes", "YES"], True),
        (["X06000001", "X06000002"], ["no", "no"], False),
        (["E06000001", "E06000002"], [1, 1], True),
    ],
)
def test_whole_nation_rule(codes: list[str], flag: list[object] | None, national: bool) -> None:
    from civicpulse_report.statistics.coverage import microdata_coverage

    coverage = microdata_coverage(_dataset(codes, codes, flag))
    assert coverage.national is national
    assert coverage.n_las == 2 and coverage.explanation


def test_a_flagged_nation_with_las_lacking_data_is_not_the_nation() -> None:
    from civicpulse_report.statistics.coverage import microdata_coverage

    codes = ["E06000001", "E06000002", "E06000003"]
    coverage = microdata_coverage(_dataset(codes, codes[:1], ["yes"] * 3))
    assert not coverage.national and coverage.missing == ("E06000002", "E06000003")
    assert "E06000002" in coverage.explanation and "2 of its LAs" in coverage.explanation


@pytest.mark.parametrize("flag", [["yes", "maybe"], ["yes", "no"], ["yes", None]])
def test_a_bad_national_coverage_flag_is_an_input_error(flag: list[object]) -> None:
    from civicpulse_report.statistics.coverage import microdata_coverage

    with pytest.raises(InputError) as info:
        microdata_coverage(_dataset(["E06000001", "E06000002"], ["E06000001"], flag))
    (problem,) = info.value.problems
    assert problem.file == str(Path("data") / "la_lookup.csv")
    assert problem.column == "national_coverage" and problem.rows == (3,)
    assert "yes" in problem.hint


# --------------------------------------------------------------------------
# The shared output rules (civicpulse_report.safe_files): one copy for every writer
# --------------------------------------------------------------------------


def test_one_formula_rule_for_the_benchmark_file_and_tables_csv() -> None:
    from civicpulse_report.report import tables
    from civicpulse_report.safe_files import neutralise_formulas, restore_cell
    from civicpulse_report.statistics import benchmark_io

    assert tables.neutralise_formulas is neutralise_formulas
    assert benchmark_io.neutralise_formulas is neutralise_formulas
    frame = pd.DataFrame(
        {"name": ["=1+1", "+44", "-x", "@SUM(A1)", "\tx", "Ashbridge", None], "n": range(7)}
    )
    safe = neutralise_formulas(frame)
    assert list(safe["name"][:5]) == ["'=1+1", "'+44", "'-x", "'@SUM(A1)", "'\tx"]
    assert safe["name"][5] == "Ashbridge" and pd.isna(safe["name"][6])
    assert safe["n"].tolist() == list(range(7))  # numbers stay numbers
    assert [restore_cell(v) for v in safe["name"][:6]] == frame["name"][:6].tolist()
    assert restore_cell("'quoted") == "'quoted"  # an apostrophe of its own is kept


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    from civicpulse_report.report.index_page import collect
    from civicpulse_report.safe_files import atomic_write, atomic_write_with

    assert collect.atomic_write is atomic_write
    target = tmp_path / "benchmarks.csv"
    atomic_write(target, b"old\n")

    def broken(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_with(target, broken)
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["benchmarks.csv"]
    atomic_write(tmp_path / "new" / "index.html", b"<p>")
    assert (tmp_path / "new" / "index.html").read_bytes() == b"<p>"
    assert oct((tmp_path / "new" / "index.html").stat().st_mode & 0o777) == "0o644"
