"""Disclosure control, as a property: nothing resting on < min_base respondents gets out.

Random small surveys are cut from the small demo (2-3 LAs, random LA-wave
sizes, many of them tiny, so most groups and neighbourhoods are tiny too) and
run with a random minimum base. Every estimate of every cell below the
minimum base is recomputed directly from the microdata, and none of those
numbers may appear anywhere in any LA's fact bundle, which is the only source
of the report and of tables.csv. tables.csv is also checked row by row.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import hypothesis
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from civicpulse_report.inputs import Dataset
from civicpulse_report.insight import Intervention, load_interventions
from civicpulse_report.measures import Measures
from civicpulse_report.report.facts import build_facts
from civicpulse_report.report.tables import facts_to_table
from civicpulse_report.scoring import standardised_components
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import benchmark_table, summarise_groupings
from civicpulse_report.statistics.estimates import (
    NUMERIC_COLUMNS,
    EstimateSet,
    compute_estimates,
    indicator_types,
    respondent_values,
)
from civicpulse_report.statistics.reliability import cronbach_alpha
from civicpulse_report.statistics.weighting import weighted_proportion

ENGLAND = "E92000001"
ALL_LAS = (
    "X06000001", "X06000002", "X07000001", "X07000002",
    "X07000003", "X07000004", "X08000001", "X09000001",
)  # fmt: skip
TABLE_NUMBERS = ("estimate", "ci_lower", "ci_upper", "base", "weighted_base", "n_eff", "deff")

# Either a tiny LA-wave (every cell in it small) or a modest one (small groups).
SIZE = st.one_of(st.integers(1, 12), st.integers(13, 160))


@st.composite
def survey_cuts(draw: st.DrawFn) -> dict[str, Any]:
    las = draw(st.lists(st.sampled_from(ALL_LAS), min_size=2, max_size=3, unique=True))
    waves = draw(st.sampled_from([(2025, 2026), (2024, 2025, 2026)]))
    sizes = {(la, w): draw(SIZE) for la in sorted(las) for w in waves}
    return {
        "sizes": sizes,
        "min_base": draw(st.integers(5, 80)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def cut_dataset(full: Dataset, sizes: dict[tuple[str, int], int], seed: int) -> Dataset:
    """A valid Dataset holding a random subsample of the given size per LA and wave."""
    rng = np.random.default_rng(seed)
    survey = full.survey
    keep = []
    for (la, wave), n in sizes.items():
        rows = np.flatnonzero(((survey["la_code"] == la) & (survey["wave"] == wave)).to_numpy())
        keep.append(rng.choice(rows, size=min(n, rows.size), replace=False))
    las = sorted({la for la, _ in sizes})
    return dataclasses.replace(
        full,
        survey=survey.iloc[np.sort(np.concatenate(keep))].reset_index(drop=True),
        la_lookup=full.la_lookup[full.la_lookup["la_code"].isin(las)].reset_index(drop=True),
        neighbourhoods=full.neighbourhoods[full.neighbourhoods["la_code"].isin(las)].reset_index(
            drop=True
        ),
        legacy=full.legacy[full.legacy["la_code"].isin([*las, ENGLAND])].reset_index(drop=True),
    )


def _is_generic(value: float) -> bool:
    """0, 100, whole numbers and quarters turn up everywhere; searching for them proves nothing."""
    return abs(value * 4 - round(value * 4)) < 1e-9


def small_cell_values(
    values: pd.DataFrame, measures: Measures, settings: Settings, est: EstimateSet
) -> np.ndarray:
    """Every number (estimate, SE, CI, alpha) of a cell below min_base, recomputed directly."""
    types = indicator_types(measures)
    groupings = [
        ["wave"], ["wave", "region"], ["wave", "la_type"], ["wave", "la_code"],
        ["wave", "la_code", "neighbourhood_code"],
        *(["wave", b] for b in settings.breakdowns),
        *(["wave", "la_code", b] for b in settings.breakdowns),
    ]  # fmt: skip
    found: list[np.ndarray] = []
    for out in summarise_groupings(values, groupings, list(types), types):
        # A cell whose answers are all alike (one respondent, or SE ~0) has as its
        # estimate a value any respondent can have (index scores take few values):
        # a published cell may hold it too, so it proves nothing either way.
        alike = (out["base"] <= 1) | ~(out["se"] > 1e-6)
        small = out[(out["base"] < settings.min_base) & ~alike]
        scale = np.where(small["type"] == "proportion", 100.0, 1.0)
        for col in ("estimate", "se", "ci_lower", "ci_upper"):
            found.append(small[col].to_numpy(float) * scale)
    # Cronbach's alpha of England and each LA, per wave and domain, on complete cases.
    for dom in measures.domains:
        comp = standardised_components(values, measures, est.reference, dom.id)
        if comp.shape[1] < 2:
            continue
        complete = comp.notna().all(axis=1).to_numpy()
        for wave in est.waves:
            in_wave = (values["wave"] == wave).to_numpy()
            areas = [("england", in_wave)] + [
                (la, in_wave & (values["la_code"] == la).to_numpy())
                for la in values["la_code"].unique()
            ]
            for _, mask in areas:
                if (mask & complete).sum() < settings.min_base:
                    found.append(np.array([cronbach_alpha(comp[mask])]))
    flat = np.concatenate(found)
    flat = flat[np.isfinite(flat)]
    return np.array([v for v in flat if not _is_generic(v)])


def bundle_numbers(node: Any) -> Iterator[float]:
    if isinstance(node, dict):
        for v in node.values():
            yield from bundle_numbers(v)
    elif isinstance(node, list):
        for v in node:
            yield from bundle_numbers(v)
    elif isinstance(node, float):
        yield node


def leaked(forbidden: np.ndarray, published: np.ndarray) -> np.ndarray:
    """The forbidden values that match a published number (bundles round to 10 places)."""
    if forbidden.size == 0 or published.size == 0:
        return np.array([])
    pub = np.sort(published)
    idx = np.clip(np.searchsorted(pub, forbidden), 1, pub.size - 1)
    nearest = np.minimum(np.abs(pub[idx] - forbidden), np.abs(pub[idx - 1] - forbidden))
    return forbidden[nearest <= 1e-9 * np.maximum(1.0, np.abs(forbidden))]


def check_table(table: pd.DataFrame, min_base: int, la: str) -> None:
    has_base = table["base"].notna()
    low = table[has_base & (table["base"] < min_base)]
    assert low.empty, (
        f"{la}: rows with base < {min_base}:\n{low[['table', 'indicator', 'group', 'base']]}"
    )
    sup = table[table["suppressed"].astype(bool)]
    for col in TABLE_NUMBERS:
        assert sup[col].isna().all(), f"{la}: suppressed rows show {col}"
    # Survey estimates with a base beside them must rest on enough respondents;
    # rows that show an estimate and come from the survey's own cells carry their base.
    surveyed = table["table"].isin(["headline", "indicators", "breakdowns", "neighbourhoods"])
    shown = table[surveyed & table["estimate"].notna()]
    assert (shown["base"] >= min_base).all(), la


class Inputs:
    """The session inputs, with a short repr (Hypothesis prints its arguments on failure)."""

    def __init__(
        self,
        full: Dataset,
        measures: Measures,
        settings: Settings,
        interventions: tuple[Intervention, ...],
    ) -> None:
        self.full = full
        self.measures = measures
        self.settings = settings
        self.interventions = interventions

    def __repr__(self) -> str:
        return "Inputs(small demo)"


@pytest.fixture(scope="module")
def inputs(small_dataset: Dataset, measures: Measures, settings: Settings) -> Inputs:
    return Inputs(small_dataset, measures, settings, load_interventions(measures=measures))


def run_case(inputs: Inputs, case: dict[str, Any]) -> None:
    measures, interventions = inputs.measures, inputs.interventions
    dataset = cut_dataset(inputs.full, case["sizes"], case["seed"])
    settings = inputs.settings
    settings = dataclasses.replace(settings, min_base=case["min_base"])
    est = compute_estimates(dataset, measures, settings)
    frame = est.estimates

    # In the estimates frame itself: small cells are suppressed and carry no numbers.
    assert (frame.loc[~frame["suppressed"], "base"] >= settings.min_base).all()
    for col in NUMERIC_COLUMNS:
        assert frame.loc[frame["suppressed"], col].isna().all(), col

    values = respondent_values(dataset, measures)[0]
    forbidden = small_cell_values(values, measures, settings, est)
    year = max(est.waves)
    for la in sorted(dataset.la_lookup["la_code"]):
        facts = build_facts(
            est, dataset, measures, settings, interventions, la, year, synthetic=True
        )
        # Through JSON, exactly as the bundle is written and read back.
        facts = json.loads(json.dumps(facts))
        hits = leaked(forbidden, np.fromiter(bundle_numbers(facts), dtype=float))
        assert hits.size == 0, f"{la}: values of cells below min_base in the bundle: {hits[:5]}"
        for entry in facts["alpha"]:
            if entry["n"] is not None and entry["n"] < settings.min_base:
                assert entry["la"] is None, entry
        counts = dataset.survey.loc[dataset.survey["la_code"] == la, "wave"].value_counts()
        for entry in facts["data_quality"]:
            small = int(counts.get(entry["wave"], 0)) < settings.min_base
            assert entry["suppressed"] is small, entry
            if small:  # not even the respondent count of a wave under the minimum
                assert {entry[k] for k in ("respondents", "weighted_base", "n_eff", "deff")} == {
                    None
                }, entry
        check_table(facts_to_table(facts), settings.min_base, la)


@hypothesis.settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    # Shrinking a failure re-runs the whole pipeline hundreds of times (minutes);
    # the failing case is printed in full without it.
    phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate),
    suppress_health_check=[hypothesis.HealthCheck.too_slow, hypothesis.HealthCheck.data_too_large],
)
@given(case=survey_cuts())
# Two LAs, each the other's only neighbour; one below min_base in the latest wave.
@example(
    case={
        "sizes": {
            ("X06000001", 2025): 120,
            ("X06000001", 2026): 30,
            ("X09000001", 2025): 150,
            ("X09000001", 2026): 150,
        },
        "min_base": 50,
        "seed": 1,
    }
)
# England itself below min_base in the latest wave.
@example(
    case={
        "sizes": {
            ("X07000001", 2025): 90,
            ("X07000001", 2026): 9,
            ("X08000001", 2025): 90,
            ("X08000001", 2026): 11,
        },
        "min_base": 30,
        "seed": 2,
    }
)
# One respondent per LA and wave: every LA row suppressed (no spine), and
# indicators nobody in an LA answered (no estimates row at all).
@example(
    case={
        "sizes": {
            ("X07000004", 2025): 1,
            ("X07000004", 2026): 1,
            ("X09000001", 2025): 1,
            ("X09000001", 2026): 1,
        },
        "min_base": 5,
        "seed": 0,
    }
)
def test_no_value_resting_on_fewer_than_min_base_reaches_any_output(
    inputs: Inputs, case: dict[str, Any]
) -> None:
    run_case(inputs, case)


def test_the_leak_search_finds_a_planted_leak(inputs: Inputs) -> None:
    """The search is not vacuous: a small cell's estimate is found once it is in a bundle."""
    sizes = {("X06000001", 2026): 30, ("X09000001", 2026): 150}
    dataset = cut_dataset(inputs.full, sizes, seed=3)
    settings = dataclasses.replace(inputs.settings, min_base=50)
    est = compute_estimates(dataset, inputs.measures, settings)
    values = respondent_values(dataset, inputs.measures)[0]
    forbidden = small_cell_values(values, inputs.measures, settings, est)
    assert forbidden.size > 100
    facts = build_facts(
        est, dataset, inputs.measures, settings, inputs.interventions, "X09000001", 2026,
        synthetic=True,
    )  # fmt: skip
    assert leaked(forbidden, np.fromiter(bundle_numbers(facts), dtype=float)).size == 0
    # The 30-respondent LA is X09000001's only neighbour: its estimate, were it
    # used as the comparator, is what the search must catch.
    la = values[values["la_code"] == "X06000001"]
    own = 100 * weighted_proportion(la["acts_of_kindness"], la["weight"]).estimate
    row = next(r for r in facts["la_indicators"] if r["indicator"] == "acts_of_kindness")
    row["neighbours_value"] = round(own, 10)
    hits = leaked(forbidden, np.fromiter(bundle_numbers(facts), dtype=float))
    assert hits.size >= 1
    assert hits[0] == pytest.approx(own)


# --------------------------------------------------------------------------
# Differencing: no suppressed cell can be recovered from its additive sets
# --------------------------------------------------------------------------
#
# The attack an analyst with the published numbers can make. In a set of cells
# whose weighted bases sum to a published total (the groups of a breakdown and
# their LA or England; one group in every LA and England's; the neighbourhoods
# and their LA; the LAs of a region, LA type or England and its row; regions,
# or LA types, and England), the hidden cells' pooled value is
#     (W_total E_total - sum W_i E_i) / (W_total - sum W_i)
# over the published members; a hidden total is sum W_i E_i / sum W_i. With one
# hidden cell that is the cell. The sets are built here from the frame's
# labels, independently of statistics.suppression.

KEYS = ["wave", "level", "area_code", "breakdown", "group_code", "indicator"]


def _attack_families(
    frame: pd.DataFrame, areas: pd.DataFrame
) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame, list[str], list[str]]]:
    """(name, members, totals, keys shared with the total, keys of the set)."""
    wi = ["wave", "indicator"]
    lvl, overall = frame["level"], frame["breakdown"] == "all"
    la_all = frame[(lvl == "la") & overall]
    eng = frame[(lvl == "england") & overall]
    la_groups = frame[(lvl == "la") & ~overall]
    eng_groups = frame[(lvl == "england") & ~overall]
    yield "groups in LA", la_groups, la_all, [*wi, "la_code"], ["breakdown"]
    yield "groups in England", eng_groups, eng, wi, ["breakdown"]
    yield "group in LAs", la_groups, eng_groups, [*wi, "breakdown", "group_code"], []
    yield "neighbourhoods", frame[lvl == "neighbourhood"], la_all, [*wi, "la_code"], []
    yield "LAs in England", la_all, eng, wi, []
    where = areas.set_index("la_code")
    for col in ("region", "la_type"):
        upper = frame[(lvl == col) & overall].assign(**{col: lambda f: f["area_code"]})
        yield f"{col}s in England", upper, eng, wi, []
        las = la_all.assign(**{col: la_all["la_code"].map(where[col])})
        yield f"LAs in {col}", las, upper, [*wi, col], []


def differencing_attack(published: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Every set with a hidden cell: what differencing gives, and which cells it pools.

    ``published`` has the estimates frame's labels, ``estimate``,
    ``weighted_base`` and ``suppressed``; a suppressed row's numbers are not used.
    Returns one row per set: family, ``n_hidden``, ``recovered``, ``cell``
    (the position of a hidden cell) and ``respondents`` (how many the
    recovered value rests on: the hidden cells' and those with no group).
    """
    f = published.copy()
    f["_row"] = np.arange(len(f))
    f["la_code"] = f["la_code"].astype(object).where(f["la_code"].notna(), "")
    f["group_code"] = f["group_code"].astype(object).where(f["group_code"].notna(), "")
    hid = f["suppressed"].astype(bool)
    f["_w"] = np.where(hid, 0.0, f["weighted_base"])
    f["_we"] = np.where(hid, 0.0, f["weighted_base"] * f["estimate"])
    f["_b"] = np.where(hid, 0.0, f["base"])
    f["_hid"] = hid
    f["_hrow"] = np.where(hid, f["_row"], -1)
    out = []
    for name, members, totals, on, by in _attack_families(f, areas):
        if members.empty or totals.empty:
            continue
        keys = [*on, *by]
        g = members.groupby(keys, dropna=False).agg(
            sw=("_w", "sum"), swe=("_we", "sum"), sb=("_b", "sum"), n_hidden=("_hid", "sum"),
            cell=("_hrow", "max"),
        ).reset_index()  # fmt: skip
        t = totals[[*on, "_w", "_we", "_b", "_hid", "_row"]].drop_duplicates(on)
        g = g.merge(t, on=on, how="inner")
        # A published total: the hidden members' pooled value.
        open_total = ~g["_hid"] & (g["n_hidden"] >= 1)
        rec = (g["_we"] - g["swe"]) / (g["_w"] - g["sw"])
        part = g.loc[open_total, ["n_hidden", "cell"]].assign(
            recovered=rec[open_total], respondents=(g["_b"] - g["sb"])[open_total]
        )
        # A hidden total with every member published: the total itself.
        shut = g["_hid"] & (g["n_hidden"] == 0) & (g["sw"] > 0)
        tot = pd.DataFrame(
            {
                "n_hidden": 1,
                "cell": g.loc[shut, "_row"],
                "recovered": (g["swe"] / g["sw"])[shut],
                "respondents": g["sb"][shut],
            }
        )
        out.append(pd.concat([part, tot], ignore_index=True).assign(family=name))
    return pd.concat(out, ignore_index=True)


def recovered_cells(attack: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The sets whose differenced value isolates one hidden cell within its CI half-width."""
    single = attack[attack["n_hidden"] == 1].copy()
    row = single["cell"].to_numpy(int)
    true = truth["estimate"].to_numpy(float)[row]
    half = (truth["ci_upper"] - truth["ci_lower"]).to_numpy(float)[row] / 2
    single["true"], single["half_width"] = true, half
    single["error"] = (single["recovered"] - true).abs()
    return single[single["error"] <= half]


@pytest.fixture(scope="module")
def truth(small_dataset: Dataset, measures: Measures, settings: Settings) -> pd.DataFrame:
    """The small demo's estimates with suppression off (min_base 0): the true values."""
    no_rule = dataclasses.replace(settings, min_base=0)
    return compute_estimates(small_dataset, measures, no_rule).estimates


def primary_only(truth: pd.DataFrame, min_base: int) -> pd.DataFrame:
    """What was published before secondary suppression: only cells under min_base hidden."""
    return truth.assign(suppressed=truth["base"] < min_base)


def test_differencing_recovered_suppressed_cells_before_secondary_suppression(
    truth: pd.DataFrame, small_estimates: EstimateSet, settings: Settings
) -> None:
    """The attack is not vacuous: with primary suppression alone it recovers cells."""
    attack = differencing_attack(primary_only(truth, settings.min_base), small_estimates.areas)
    hits = recovered_cells(attack, truth)
    # Sets with exactly one hidden cell, in the breakdowns and the neighbourhoods.
    assert len(hits) > 1000
    assert {"groups in LA", "neighbourhoods", "group in LAs"} <= set(hits["family"])
    # The breakdowns' differencing is exact up to the respondents with no group.
    groups = hits[hits["family"] == "groups in LA"]
    assert (groups["error"] < 1e-6).mean() > 0.2


def test_no_suppressed_cell_is_recovered_by_differencing(
    truth: pd.DataFrame, small_estimates: EstimateSet, settings: Settings
) -> None:
    est = small_estimates.estimates
    assert (est[KEYS].fillna("").to_numpy() == truth[KEYS].fillna("").to_numpy()).all()
    kinds = est["suppression"].value_counts()
    assert kinds["primary"] > 0 and kinds["secondary"] > 0
    assert (est["suppressed"] == est["suppression"].isin(["primary", "secondary"])).all()
    attack = differencing_attack(est, small_estimates.areas)
    hits = recovered_cells(attack, truth)
    assert hits.empty, hits.head()
    # No set isolates one hidden cell; where several are hidden, differencing
    # gives only their pooled value, on at least min_base respondents.
    assert (attack["n_hidden"] >= 2).all()
    assert (attack["respondents"] >= settings.min_base).all()


def test_secondary_cells_are_hidden_in_the_tables(
    inputs: Inputs, small_estimates: EstimateSet
) -> None:
    est = small_estimates.estimates
    la = "X06000001"
    facts = build_facts(
        small_estimates, inputs.full, inputs.measures, inputs.settings, inputs.interventions,
        la, max(small_estimates.waves), synthetic=True,
    )  # fmt: skip
    table = facts_to_table(json.loads(json.dumps(facts)))
    check_table(table, inputs.settings.min_base, la)
    rows = est[
        (est["la_code"] == la)
        & (est["wave"] == max(small_estimates.waves))
        & (est["suppression"] == "secondary")
        & (est["level"] == "la")
    ]
    assert len(rows) > 0
    shown = table[table["table"] == "breakdowns"].merge(
        rows[["indicator", "group"]], on=["indicator", "group"]
    )
    assert len(shown) > 0 and shown["suppressed"].all()
    assert shown["estimate"].isna().all() and shown["weighted_base"].isna().all()


def test_no_la_is_recovered_from_the_benchmark_file(
    small_dataset: Dataset, measures: Measures, settings: Settings
) -> None:
    """The benchmark file (LAs, regions, LA types, England) under the same attack."""
    strict = dataclasses.replace(settings, min_base=470)  # some LA cells fall under it
    est = compute_estimates(small_dataset, measures, strict)
    truth = compute_estimates(
        small_dataset, measures, dataclasses.replace(settings, min_base=0)
    ).estimates
    table = benchmark_table(est, small_dataset, strict)
    rows = table[table["record_type"] == "estimate"]
    area = truth[
        truth["level"].isin(["england", "region", "la_type", "la"]) & (truth["breakdown"] == "all")
    ]
    area = area.reset_index(drop=True)
    on = ["wave", "level", "area_code", "indicator"]
    pub = area[[*on, "la_code", "breakdown", "group_code", "ci_lower", "ci_upper"]].merge(
        rows[[*on, "estimate", "base", "weighted_base"]], on=on, how="left", validate="one_to_one"
    )
    pub["suppressed"] = pub["estimate"].isna()
    assert pub["suppressed"].any() and not pub["suppressed"].all()
    # Primary suppression alone would have let the file give LAs away.
    before = differencing_attack(area.assign(suppressed=area["base"] < strict.min_base), est.areas)
    assert len(recovered_cells(before, area)) > 0
    attack = differencing_attack(pub, est.areas)
    assert recovered_cells(attack, area).empty
    assert (attack["n_hidden"] >= 2).all()
