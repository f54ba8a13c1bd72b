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
from civicpulse_report.statistics import summarise_groupings
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
