"""A council with only its own survey, and research teams with a few LAs: honest comparators.

Built at the library level (compute_estimates -> build_facts -> facts_to_table)
from folders cut out of the small synthetic demo (8 LAs, the whole synthetic
nation):

- the acceptance test: one LA's own data plus the benchmark file exported from
  the full build gives that LA's LA-level rows of the full build (estimates
  and intervals to 1e-9, comparators exactly);
- one LA and no benchmark file: nothing is called England; groups and
  neighbourhoods are compared with the LA's own average, and said to be;
- five LAs: comparators are "the 5 LAs in this data set", and nearest
  neighbours use the 4 there are (k = 15 asked for), recorded as k used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civicpulse_report.inputs import ENGLAND_CODE, Dataset, load_dataset
from civicpulse_report.insight import load_interventions
from civicpulse_report.measures import Measures
from civicpulse_report.report import build_facts, facts_to_table
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    EstimateSet,
    benchmark_table,
    compute_estimates,
    read_benchmarks,
    write_benchmarks,
)

COUNCIL = "X07000002"
FIVE = ("X06000001", "X06000002", "X07000001", "X07000002", "X07000003")
YEAR = 2026
COMPARATOR_VALUES = ("england_value", "region_value", "la_type_value", "neighbours_value")
FLAGS = ("sig_england", "sig_region", "sig_la_type", "sig_neighbours")


def cut_folder(
    source: Path,
    dest: Path,
    codes: tuple[str, ...],
    *,
    national_coverage: str | None = "no",
    context_only: tuple[str, ...] = (),
) -> Path:
    """A data folder holding only ``codes`` (and the lookup rows of ``context_only``)."""
    dest.mkdir(parents=True, exist_ok=True)
    survey = pd.read_parquet(source / "survey.parquet")
    survey[survey["la_code"].isin(codes)].to_parquet(dest / "survey.parquet", index=False)
    lookup = pd.read_csv(source / "la_lookup.csv")
    lookup = lookup[lookup["la_code"].isin([*codes, *context_only])]
    if national_coverage is not None:
        lookup = lookup.assign(national_coverage=national_coverage)
    lookup.to_csv(dest / "la_lookup.csv", index=False)
    hoods = pd.read_csv(source / "neighbourhoods.csv")
    hoods[hoods["la_code"].isin(codes)].to_csv(dest / "neighbourhoods.csv", index=False)
    legacy = pd.read_csv(source / "legacy_indicators.csv")
    legacy = legacy[legacy["la_code"].isin([*codes, ENGLAND_CODE])]
    legacy.to_csv(dest / "legacy_indicators.csv", index=False)
    return dest


def bundle(
    est: EstimateSet, dataset: Dataset, measures: Measures, settings: Settings, la_code: str
) -> dict:
    return build_facts(
        est,
        dataset,
        measures,
        settings,
        load_interventions(measures=measures),
        la_code,
        YEAR,
        synthetic=True,
    )


def la_rows(est: EstimateSet, la_code: str) -> pd.DataFrame:
    e = est.estimates
    rows = e[(e["level"] == "la") & (e["breakdown"] == "all") & (e["area_code"] == la_code)]
    return rows.set_index(["wave", "indicator"]).sort_index()


# --------------------------------------------------------------------------
# Own data plus the national benchmark file == the national build
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def benchmark_file(
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    table = benchmark_table(small_estimates, small_dataset, settings)
    (path,) = write_benchmarks(table, tmp_path_factory.mktemp("release"), formats=("csv",))
    return path


@pytest.fixture(scope="module")
def council(
    small_demo_dir: Path,
    benchmark_file: Path,
    measures: Measures,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[EstimateSet, Dataset]:
    folder = cut_folder(small_demo_dir, tmp_path_factory.mktemp("council"), (COUNCIL,))
    dataset = load_dataset(folder, measures)
    est = compute_estimates(dataset, measures, settings, benchmarks=read_benchmarks(benchmark_file))
    return est, dataset


def test_council_la_rows_agree_with_the_national_build(
    council: tuple[EstimateSet, Dataset], small_estimates: EstimateSet
) -> None:
    own, national = la_rows(council[0], COUNCIL), la_rows(small_estimates, COUNCIL)
    assert own.index.equals(national.index)
    assert len(own) == 3 * 38  # every indicator and domain index in every wave
    worst = 0.0
    for col in ("estimate", "ci_lower", "ci_upper"):
        diff = np.abs(own[col].to_numpy(float) - national[col].to_numpy(float))
        worst = max(worst, float(np.nanmax(diff)))
        assert (own[col].isna() == national[col].isna()).all()
    assert worst <= 1e-9
    for col in (*COMPARATOR_VALUES, *FLAGS):
        same = (own[col] == national[col]) | (own[col].isna() & national[col].isna())
        assert same.all(), col
    assert own[list(COMPARATOR_VALUES)].notna().all().all()


def test_council_uses_the_release_reference_and_names_comparators_as_national(
    council: tuple[EstimateSet, Dataset], small_estimates: EstimateSet
) -> None:
    est, _ = council
    assert est.reference.wave == small_estimates.reference.wave == 2024
    assert dict(est.reference.mean) == dict(small_estimates.reference.mean)
    scopes = est.scopes_for(COUNCIL)
    assert {k: s.source for k, s in scopes.items()} == dict.fromkeys(scopes, "benchmark file")
    assert [scopes[k].name for k in ("england", "region", "la_type", "neighbours")] == [
        "England",
        "Region",
        "LA type",
        "Nearest neighbours",
    ]
    assert est.benchmark_release and est.coverage is not None and est.coverage.national
    # Its own breakdowns and neighbourhoods come from its own data only.
    e = est.estimates
    assert set(e.loc[e["level"] == "neighbourhood", "la_code"]) == {COUNCIL}
    assert set(e.loc[(e["level"] == "la") & (e["breakdown"] != "all"), "la_code"]) == {COUNCIL}


def test_council_report_shows_it_among_all_las_with_the_national_comparators(
    council: tuple[EstimateSet, Dataset],
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    measures: Measures,
    settings: Settings,
) -> None:
    est, dataset = council
    facts = bundle(est, dataset, measures, settings, COUNCIL)
    national = bundle(small_estimates, small_dataset, measures, settings, COUNCIL)
    assert len(facts["quadrant"]) == len(national["quadrant"]) == 8
    assert {r["la_name"] for r in facts["quadrant"]} == {r["la_name"] for r in national["quadrant"]}
    assert facts["spine"] == national["spine"]
    assert facts["meta"]["neighbours"] == national["meta"]["neighbours"]
    mine = facts_to_table(facts).drop(columns=["flags"])
    theirs = facts_to_table(national).drop(columns=["flags"])
    pick = ["indicators", "headline"]
    pd.testing.assert_frame_equal(
        mine[mine["table"].isin(pick)].reset_index(drop=True),
        theirs[theirs["table"].isin(pick)].reset_index(drop=True),
    )
    assert "benchmark file" in facts["meta"]["comparator_sentence"]


# --------------------------------------------------------------------------
# One LA, no benchmark file
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def alone(
    small_demo_dir: Path,
    measures: Measures,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[EstimateSet, Dataset, dict]:
    folder = cut_folder(small_demo_dir, tmp_path_factory.mktemp("alone"), (COUNCIL,))
    dataset = load_dataset(folder, measures)
    est = compute_estimates(dataset, measures, settings)
    return est, dataset, bundle(est, dataset, measures, settings, COUNCIL)


def test_one_la_without_benchmarks_claims_no_england(
    alone: tuple[EstimateSet, Dataset, dict],
) -> None:
    est, _, facts = alone
    scopes = est.scopes_for(COUNCIL)
    for level in ("england", "region", "la_type", "neighbours"):
        assert not scopes[level].available and scopes[level].reason, level
        assert scopes[level].name != "England"
    assert scopes["groups"].available and scopes["groups"].name == "this LA's own average"
    assert est.neighbours_k_used == 0 and facts["meta"]["neighbours_k"] == {
        "requested": 15,
        "used": 0,
    }
    sentence = facts["meta"]["comparator_sentence"]
    assert "England" not in sentence and "this LA's own average" in sentence
    assert "holds only this LA" in sentence
    rows = la_rows(est, COUNCIL)
    assert rows[list(COMPARATOR_VALUES)].isna().all().all()
    assert (rows["sig_england"] == "not tested").all()


def test_one_la_tables_name_its_own_average_and_leave_out_absent_comparators(
    alone: tuple[EstimateSet, Dataset, dict],
) -> None:
    table = facts_to_table(alone[2])
    not_legacy = table[table["table"] != "legacy"]
    assert not not_legacy["comparator"].fillna("").str.contains("England").any()
    assert table[table["table"] == "indicators"].empty
    for name in ("breakdowns", "neighbourhoods", "priorities"):
        part = table[table["table"] == name]
        assert len(part) and (part["comparator"] == "this LA's own average").all(), name
    headline = table[table["table"] == "headline"]
    assert headline["comparator"].isna().all() and headline["comparator_value"].isna().all()
    assert (
        not (table["table"] == "trend").any()
        or (table.loc[table["table"] == "trend", "area"] == "Holford").all()
    )


def test_one_la_findings_and_groups_use_the_own_average(
    alone: tuple[EstimateSet, Dataset, dict],
) -> None:
    facts = alone[2]
    texts = [f["text"] for f in facts["findings"]]
    assert not [t for t in texts if "England's" in t and "Place Survey" not in t]
    assert any("this LA's own average" in t for t in texts)
    own = {r["indicator"]: r["estimate"] for r in facts["headline"]}
    group = next(r for r in facts["breakdowns"] if r["indicator"] == "index_drivers")
    assert group["england_value"] == pytest.approx(own["index_drivers"])


# --------------------------------------------------------------------------
# Five LAs (a research team): named for what they are; k used recorded
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def five(
    small_demo_dir: Path,
    measures: Measures,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[EstimateSet, Dataset]:
    # X08000001 is in the lookup with context only: it has no survey responses.
    folder = cut_folder(
        small_demo_dir, tmp_path_factory.mktemp("five"), FIVE, context_only=("X08000001",)
    )
    dataset = load_dataset(folder, measures)
    return compute_estimates(dataset, measures, settings), dataset


def test_five_las_are_named_for_what_they_are(
    five: tuple[EstimateSet, Dataset], measures: Measures, settings: Settings
) -> None:
    est, dataset = five
    assert est.coverage is not None and not est.coverage.national
    assert "X08000001" in est.coverage.explanation or est.coverage.missing == ("X08000001",)
    scopes = est.scopes_for(COUNCIL)
    assert scopes["england"].name == "the 5 LAs in this data set"
    assert scopes["groups"].name == "the 5 LAs in this data set"
    assert scopes["la_type"].name == "the 3 shire districts in this data set"
    assert not scopes["region"].available  # no other LA of the East Midlands
    assert "East Midlands" in scopes["region"].reason
    facts = bundle(est, dataset, measures, settings, COUNCIL)
    table = facts_to_table(facts)
    named = set(table.loc[table["table"] == "indicators", "comparator"])
    assert named == {
        "the 5 LAs in this data set",
        "the 3 shire districts in this data set",
        "the 4 most similar LAs in this data set",
    }
    assert "the 5 LAs in this data set" in facts["meta"]["comparator_sentence"]
    assert not table.loc[table["table"] != "legacy", "comparator"].fillna("").eq("England").any()


def test_five_las_use_the_four_neighbours_there_are_and_record_it(
    five: tuple[EstimateSet, Dataset], measures: Measures, settings: Settings
) -> None:
    est, dataset = five
    assert settings.neighbours_k == 15
    counts = est.neighbours.groupby("la_code")["rank"].count()
    assert set(counts.index) == set(FIVE) and (counts == 4).all()
    assert est.neighbours_k_used == 4
    # The LA without survey data is never a neighbour, so never named as a comparator.
    assert "X08000001" not in set(est.neighbours["neighbour_code"])
    scopes = est.scopes_for(COUNCIL)["neighbours"]
    assert (scopes.k_used, scopes.k_requested) == (4, 15)
    assert scopes.name == "the 4 most similar LAs in this data set"
    assert "4 rather than the 15" in scopes.reason
    facts = bundle(est, dataset, measures, settings, COUNCIL)
    assert facts["meta"]["neighbours_k"] == {"requested": 15, "used": 4}
    assert len(facts["meta"]["neighbours"]) == 4
    assert any("4 rather than the 15" in line for line in est.comparator_summary())


def test_five_las_pooled_comparator_is_the_pool_not_england(
    five: tuple[EstimateSet, Dataset], small_estimates: EstimateSet
) -> None:
    est, _ = five
    rows = la_rows(est, COUNCIL).loc[YEAR]
    national = la_rows(small_estimates, COUNCIL).loc[YEAR]
    # The pooled value is not the nation's (8 LAs): the name must not say England.
    assert not np.allclose(rows["england_value"], national["england_value"])
    assert (est.estimates["england_name"].dropna() != "England").all()


# --------------------------------------------------------------------------
# A release that is not the whole nation, or lacks the wave reported
# --------------------------------------------------------------------------


def test_a_partial_release_is_named_for_what_it_is_and_a_missing_wave_is_said(
    council: tuple[EstimateSet, Dataset],
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    measures: Measures,
    settings: Settings,
    tmp_path: Path,
) -> None:
    _, dataset = council
    table = benchmark_table(small_estimates, small_dataset, settings)
    old = table[(table["record_type"] != "estimate") | (table["wave"] < YEAR)]
    meta = (table["record_type"] == "meta") & (table["statistic"] == "national_coverage")
    table.loc[meta, "text"] = "no"
    partial, earlier = tmp_path / "partial", tmp_path / "earlier"
    (p,) = write_benchmarks(table, partial, formats=("csv",))
    (q,) = write_benchmarks(old, earlier, formats=("csv",))

    est = compute_estimates(dataset, measures, settings, benchmarks=read_benchmarks(p))
    scopes = est.scopes_for(COUNCIL)
    assert scopes["england"].name == "the 8 LAs in the benchmark file"
    assert scopes["region"].name == "the LAs in the East Midlands in the benchmark file"
    assert est.reference_name == "the 8 LAs in the benchmark file"

    est = compute_estimates(dataset, measures, settings, benchmarks=read_benchmarks(q))
    now, before = est.scopes_for(COUNCIL, YEAR), est.scopes_for(COUNCIL, YEAR - 1)
    assert not now["england"].available and "no 2026 figure" in now["england"].reason
    assert before["england"].available and before["england"].name == "England"
    facts = bundle(est, dataset, measures, settings, COUNCIL)
    assert not facts["meta"]["comparators"]["england"]["available"]
    assert facts_to_table(facts).query("table == 'indicators'").empty


# --------------------------------------------------------------------------
# The council demo: one LA's own folder, with the nation's benchmark file
# --------------------------------------------------------------------------


def test_council_demo_writes_what_a_council_holds(
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    measures: Measures,
    settings: Settings,
    tmp_path: Path,
) -> None:
    import pyreadstat

    from civicpulse_report.demo import DemoSpec, write_council_demo

    spec = DemoSpec(n_las=8, respondents=(420, 520), seed=7)  # the small demo's spec
    written = write_council_demo(COUNCIL, tmp_path, spec, measures=measures, settings=settings)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written.values())
    assert written["survey"].suffix == ".sav"
    _, meta = pyreadstat.read_sav(written["survey"], metadataonly=True)
    assert meta.variable_value_labels["dr_influence"][1.0] == "Definitely agree"
    assert meta.variable_value_labels["sex"] == {1.0: "Male", 2.0: "Female"}

    dataset = load_dataset(tmp_path, measures)
    assert set(dataset.survey["la_code"]) == {COUNCIL} and len(dataset.la_lookup) == 1
    assert (dataset.la_lookup["national_coverage"] == "no").all()
    release = read_benchmarks(written["benchmarks"])
    # The national release of the same synthetic nation, the council included, as the
    # national build writes it (withheld cells flagged).
    national = benchmark_table(small_estimates, small_dataset, settings, flag_suppressed=True)
    assert release.release_version == national["release_version"].iloc[0]
    assert COUNCIL in set(release.estimates["area_code"])
    est = compute_estimates(dataset, measures, settings, benchmarks=release)
    own, full = la_rows(est, COUNCIL), la_rows(small_estimates, COUNCIL)
    assert np.nanmax(np.abs(own["estimate"] - full["estimate"])) <= 1e-9
    assert (own["neighbours_value"] == full["neighbours_value"]).all()


def test_council_demo_refuses_an_unknown_code(tmp_path: Path) -> None:
    from civicpulse_report.demo import DemoSpec, write_council_demo
    from civicpulse_report.errors import InputError

    with pytest.raises(InputError) as info:
        write_council_demo("X09000099", tmp_path, DemoSpec(n_las=4, respondents=(60, 80), seed=1))
    (problem,) = info.value.problems
    assert problem.file == "--council" and "X09000099" in problem.rule and problem.hint
    assert not list(tmp_path.iterdir())
