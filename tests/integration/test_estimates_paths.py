"""The restricted pass (``compute_estimates(..., la_codes=...)``) against the whole pass.

A build of one or a few LAs with no national draft computes group breakdowns
and neighbourhoods for those LAs only. Every row their reports read must be
the whole pass's, exactly (floats compared with ``check_exact=True``, not to a
tolerance), suppression flags included, and so must their fact bundles. The
cases are chosen so that the test has teeth: X06000002's cells are suppressed
differently if the other LAs' group rows are left out of secondary
suppression (its "one group across every LA" sets join the LAs), which is
why the restricted pass still summarises every LA's groups for suppression.

Built on the small demo (``small_dataset``: 8 LAs, the whole synthetic
nation), a pooled cut of it (five LAs, no benchmark file) and the same cut
with the nation's benchmark file, so that every comparator mode is covered.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civicpulse_report.inputs import ENGLAND_CODE, Dataset, load_dataset
from civicpulse_report.insight import load_interventions
from civicpulse_report.measures import Measures
from civicpulse_report.pipeline.estimates_cache import estimates_key
from civicpulse_report.pipeline.options import BuildOptions
from civicpulse_report.pipeline.prepare import _split_by_la, prepare
from civicpulse_report.report import build_facts
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    EstimateSet,
    benchmark_table,
    compute_estimates,
    read_benchmarks,
    write_benchmarks,
)
from civicpulse_report.statistics.areas import area_table
from civicpulse_report.statistics.derived import shrink_neighbourhoods
from civicpulse_report.statistics.direct import direct_estimates, respondent_values
from civicpulse_report.statistics.suppression import suppression_marks

YEAR = 2026
KEYS = ["wave", "level", "area_code", "breakdown", "group_code", "indicator"]
ONE = ("X06000002",)
TWO = ("X07000003", "X09000001")
FIVE = ("X06000001", "X06000002", "X07000001", "X07000002", "X07000003")


def read_rows(est: pd.DataFrame, la_codes: tuple[str, ...]) -> pd.DataFrame:
    """Every row the LAs' fact bundles read, in a fixed order.

    England, region and LA-type rows (every breakdown), every LA's overall
    row, and the LAs' own rows of every breakdown and neighbourhood.
    """
    la_overall = (est["level"] == "la") & (est["breakdown"] == "all")
    keep = est["la_code"].isna() | est["la_code"].isin(la_codes) | la_overall
    return est[keep].sort_values(KEYS, na_position="first").reset_index(drop=True)


def assert_same_rows(full: EstimateSet, part: EstimateSet, la_codes: tuple[str, ...]) -> None:
    expected = read_rows(full.estimates, la_codes)
    # The restricted pass holds exactly these rows: nothing of the other LAs below LA level.
    got = part.estimates.sort_values(KEYS, na_position="first").reset_index(drop=True)
    assert len(got) == len(read_rows(part.estimates, la_codes))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def assert_same_context(full: EstimateSet, part: EstimateSet, la_codes: tuple[str, ...]) -> None:
    assert part.la_codes == tuple(sorted(la_codes)) and full.la_codes is None
    for name in ("spine", "neighbours", "areas"):
        pd.testing.assert_frame_equal(getattr(part, name), getattr(full, name), check_exact=True)
    alpha = full.alpha[full.alpha["area_code"].isin([*la_codes, ENGLAND_CODE])]
    pd.testing.assert_frame_equal(
        part.alpha.reset_index(drop=True), alpha.reset_index(drop=True), check_exact=True
    )
    assert part.scopes == full.scopes and part.la_scopes == full.la_scopes
    assert part.coverage == full.coverage and part.waves == full.waves
    assert part.reference == full.reference and part.reference_name == full.reference_name
    assert part.benchmark_release == full.benchmark_release


def bundle_text(
    est: EstimateSet, dataset: Dataset, measures: Measures, settings: Settings, la_code: str
) -> str:
    """The LA's fact bundle as the per-LA job builds it (from its share of the rows)."""
    mine = dataclasses.replace(est, estimates=_split_by_la(est)[la_code])
    facts = build_facts(
        mine,
        dataset,
        measures,
        settings,
        load_interventions(measures=measures),
        la_code,
        YEAR,
        synthetic=True,
    )
    return json.dumps(facts, sort_keys=True, default=str)


# --------------------------------------------------------------------------
# The whole synthetic nation
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restricted(
    small_dataset: Dataset, measures: Measures, settings: Settings
) -> dict[tuple[str, ...], EstimateSet]:
    return {
        codes: compute_estimates(small_dataset, measures, settings, la_codes=codes)
        for codes in (ONE, TWO)
    }


@pytest.mark.parametrize("codes", [ONE, TWO], ids=["one LA", "two LAs"])
def test_every_row_the_reports_read_is_the_whole_pass_row(
    codes: tuple[str, ...],
    restricted: dict[tuple[str, ...], EstimateSet],
    small_estimates: EstimateSet,
) -> None:
    part = restricted[codes]
    assert_same_rows(small_estimates, part, codes)
    assert_same_context(small_estimates, part, codes)
    # Secondary suppression is among what is compared.
    own = part.estimates[part.estimates["la_code"].isin(codes)]
    assert (own["suppression"] == "secondary").any() and (own["suppression"] == "primary").any()
    assert set(own["level"]) == {"la", "neighbourhood"} and own["breakdown"].nunique() > 2


@pytest.mark.parametrize("codes", [ONE, TWO], ids=["one LA", "two LAs"])
def test_fact_bundles_are_the_same_on_both_paths(
    codes: tuple[str, ...],
    restricted: dict[tuple[str, ...], EstimateSet],
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    measures: Measures,
    settings: Settings,
) -> None:
    for code in codes:
        whole = bundle_text(small_estimates, small_dataset, measures, settings, code)
        part = bundle_text(restricted[codes], small_dataset, measures, settings, code)
        assert part == whole, code


def test_secondary_suppression_joins_the_las_so_the_other_las_groups_are_kept(
    small_dataset: Dataset, measures: Measures, settings: Settings
) -> None:
    """Leaving the other LAs' groups out of suppression would change X06000002's cells."""
    values, _ = respondent_values(small_dataset, measures)
    est = shrink_neighbourhoods(
        direct_estimates(values, measures, settings), settings.confidence_level
    )
    areas = area_table(small_dataset, settings)
    whole = suppression_marks(est, settings.min_base, areas).to_numpy()
    la_overall = (est["level"] == "la") & (est["breakdown"] == "all")
    keep = (est["la_code"].isna() | est["la_code"].isin(ONE) | la_overall).to_numpy()
    alone = suppression_marks(est[keep], settings.min_base, areas).to_numpy()
    own = est["la_code"].isin(ONE).to_numpy()
    assert (alone[own[keep]] != whole[keep & own]).sum() > 0


def test_other_las_neighbourhoods_are_kept_for_suppression_when_not_a_partition(
    small_dataset: Dataset, measures: Measures, settings: Settings
) -> None:
    """A respondent with no neighbourhood could let an LA's neighbourhoods hide the LA."""
    values, _ = respondent_values(small_dataset, measures)
    hoods = "neighbourhood"
    part = direct_estimates(values, measures, settings, la_codes=ONE)
    assert set(part.loc[part["level"] == hoods, "la_code"]) == set(ONE)
    other = values["la_code"] != ONE[0]
    gappy = values.copy()
    gappy.loc[gappy.index[other.to_numpy()][0], "neighbourhood_code"] = np.nan
    kept = direct_estimates(gappy, measures, settings, la_codes=ONE)
    assert set(kept.loc[kept["level"] == hoods, "la_code"]) == set(values["la_code"])


# --------------------------------------------------------------------------
# Five LAs pooled, and the same five with the nation's benchmark file
# --------------------------------------------------------------------------


def cut_folder(source: Path, dest: Path, codes: tuple[str, ...]) -> Path:
    """A data folder holding only ``codes``, not the whole nation."""
    dest.mkdir(parents=True, exist_ok=True)
    survey = pd.read_parquet(source / "survey.parquet")
    survey[survey["la_code"].isin(codes)].to_parquet(dest / "survey.parquet", index=False)
    lookup = pd.read_csv(source / "la_lookup.csv")
    lookup = lookup[lookup["la_code"].isin(codes)].assign(national_coverage="no")
    lookup.to_csv(dest / "la_lookup.csv", index=False)
    hoods = pd.read_csv(source / "neighbourhoods.csv")
    hoods[hoods["la_code"].isin(codes)].to_csv(dest / "neighbourhoods.csv", index=False)
    legacy = pd.read_csv(source / "legacy_indicators.csv")
    legacy = legacy[legacy["la_code"].isin([*codes, ENGLAND_CODE])]
    legacy.to_csv(dest / "legacy_indicators.csv", index=False)
    return dest


@pytest.fixture(scope="module")
def five(
    small_demo_dir: Path, measures: Measures, tmp_path_factory: pytest.TempPathFactory
) -> Dataset:
    return load_dataset(cut_folder(small_demo_dir, tmp_path_factory.mktemp("five"), FIVE), measures)


@pytest.fixture(scope="module")
def release(
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
):
    table = benchmark_table(small_estimates, small_dataset, settings)
    (path,) = write_benchmarks(table, tmp_path_factory.mktemp("release"), formats=("csv",))
    return read_benchmarks(path)


@pytest.mark.parametrize(
    ("codes", "with_release"),
    [(("X07000002",), False), (("X06000002", "X07000003"), True)],
    ids=["pooled, one LA", "benchmark file, two LAs"],
)
def test_restricted_pass_matches_in_every_comparator_mode(
    codes: tuple[str, ...],
    with_release: bool,
    five: Dataset,
    release,
    measures: Measures,
    settings: Settings,
) -> None:
    given = release if with_release else None
    full = compute_estimates(five, measures, settings, benchmarks=given)
    part = compute_estimates(five, measures, settings, benchmarks=given, la_codes=codes)
    assert full.coverage is not None
    assert full.coverage.source == ("benchmark file" if with_release else "microdata")
    assert with_release or not full.coverage.national
    assert_same_rows(full, part, codes)
    assert_same_context(full, part, codes)
    for code in codes:
        assert bundle_text(part, five, measures, settings, code) == bundle_text(
            full, five, measures, settings, code
        )


# --------------------------------------------------------------------------
# The pipeline: prepare() uses the restricted pass, keyed on the selection
# --------------------------------------------------------------------------


def test_the_cache_key_holds_the_selection() -> None:
    args = ({"survey.parquet": "abc"}, [], None)
    whole = estimates_key(*args)
    assert estimates_key(*args, la_codes=None) == whole
    one = estimates_key(*args, la_codes=("X06000002",))
    assert one != whole
    assert one != estimates_key(*args, la_codes=("X07000003",))
    pair = estimates_key(*args, la_codes=("X07000003", "X09000001"))
    assert pair == estimates_key(*args, la_codes=("X09000001", "X07000003"))


def test_prepare_builds_one_la_from_the_restricted_pass_and_reuses_a_whole_one(
    small_demo_dir: Path, small_estimates: EstimateSet, tmp_path: Path
) -> None:
    one = BuildOptions(data_dir=small_demo_dir, la_codes=ONE, build_dir=tmp_path / "build")
    ctx = prepare(one)
    assert ctx.estimates.la_codes == ONE and not ctx.national
    whole = _split_by_la(small_estimates)[ONE[0]]
    mine = ctx.by_la[ONE[0]]
    pd.testing.assert_frame_equal(
        mine.sort_values(KEYS, na_position="first").reset_index(drop=True),
        whole.sort_values(KEYS, na_position="first").reset_index(drop=True),
        check_exact=True,
    )
    cache = tmp_path / "build" / "cache" / "estimates"
    assert len(list(cache.glob("*.pkl"))) == 1
    # Again: read from its own cache entry.
    assert prepare(one).estimates.la_codes == ONE
    assert len(list(cache.glob("*.pkl"))) == 1
    # A whole pass in the cache serves any selection.
    every = dataclasses.replace(one, la_codes=(), national="skip")
    assert prepare(every).estimates.la_codes is None
    assert len(list(cache.glob("*.pkl"))) == 2
    assert prepare(dataclasses.replace(one, la_codes=TWO)).estimates.la_codes is None
    assert len(list(cache.glob("*.pkl"))) == 2
