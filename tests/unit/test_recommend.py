"""Interventions config, priority scores and recommendations, on hand-made frames."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from estimate_rows import make_row
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from civicpulse_report.errors import ConfigError
from civicpulse_report.insight.interventions import Intervention, load_interventions
from civicpulse_report.insight.priorities import priority_table
from civicpulse_report.insight.recommendations import recommend
from civicpulse_report.insight.view import LAView, describe_unit
from civicpulse_report.measures import load_measures
from civicpulse_report.paths import INTERVENTIONS_FILE
from civicpulse_report.settings import Settings

ENG = "E92000001"
LA = "LA_A"
WAVE = 2024
POPULATION = 100_000.0


# England values and types of the indicators the tests use.
ENGLAND = {
    "index_drivers": (100.0, "mean", "higher_is_better"),
    "index_assets": (100.0, "mean", "higher_is_better"),
    "index_traditional": (100.0, "mean", "higher_is_better"),
    "can_influence": (40.0, "proportion", "higher_is_better"),
    "confident_speak_up": (45.0, "proportion", "higher_is_better"),
    "wellbeing": (24.0, "mean", "higher_is_better"),
    "skills_to_share": (50.0, "proportion", "higher_is_better"),
    "loneliness": (10.0, "proportion", "lower_is_better"),
    "formal_volunteering": (22.0, "proportion", "higher_is_better"),
    "satisfied_area": (80.0, "proportion", "higher_is_better"),
}


def england_rows() -> list[dict]:
    """England rows; means and indices have se 0.2 and n_eff 2500, so their SD is 10."""
    return [
        make_row("england", ENG, ind, value, type=t, polarity=p, se=0.2, n_eff=2500.0)
        for ind, (value, t, p) in ENGLAND.items()
    ]


def group_row(
    indicator: str,
    estimate: float,
    *,
    code: str = "2",
    breakdown: str = "tenure",
    label: str = "Social renter",
    **kw,
) -> dict:
    _, t, p = ENGLAND[indicator]
    return make_row(
        "la",
        LA,
        indicator,
        estimate,
        la_code=LA,
        breakdown=breakdown,
        group_code=code,
        group=label,
        type=t,
        polarity=p,
        england_value=ENGLAND[indicator][0],
        **kw,
    )


def hood_row(indicator: str, estimate: float, *, code: str = "N1", **kw) -> dict:
    _, t, p = ENGLAND[indicator]
    kw.setdefault("modelled", True)
    return make_row(
        "neighbourhood",
        code,
        indicator,
        estimate,
        la_code=LA,
        breakdown="neighbourhood",
        group_code=code,
        group=code,
        type=t,
        polarity=p,
        england_value=ENGLAND[indicator][0],
        **kw,
    )


@pytest.fixture(scope="module")
def measures():
    return load_measures()


@pytest.fixture(scope="module")
def interventions(measures):
    return load_interventions(INTERVENTIONS_FILE, measures)


SETTINGS = Settings()


# --------------------------------------------------------------------------
# interventions.yml
# --------------------------------------------------------------------------


def test_interventions_file_loads_and_every_indicator_id_exists(measures, interventions):
    known = {i.id for i in measures.indicators}
    assert 8 <= len(interventions) <= 14
    for iv in interventions:
        assert iv.addresses and set(iv.addresses) <= known, iv.id
        assert set(iv.builds_on) <= known, iv.id
        assert iv.name and iv.description and len(iv.evidence) > 40
    ids = [iv.id for iv in interventions]
    assert len(ids) == len(set(ids))
    for wanted in (
        "time_bank",
        "community_connectors",
        "hyperlocal_platform",
        "community_organising",
        "skills_exchange",
        "participatory_budgeting",
        "volunteering_brokerage",
        "wellbeing_resilience",
        "bridging_activities",
        "access_fund",
    ):
        assert wanted in ids


def test_every_civic_pulse_indicator_has_an_intervention(measures, interventions):
    addressed = {a for iv in interventions for a in iv.addresses}
    civic = {i.id for d in measures.civic_pulse_domains for i in measures.indicators_in(d.id)}
    assert civic - addressed == set()


def test_invalid_interventions_file_names_entry_and_field(tmp_path, measures):
    path = tmp_path / "interventions.yml"
    path.write_text(
        """
interventions:
  - id: good_one
    name: Fine
    addresses: [can_influence]
    builds_on: []
    description: Fine.
    evidence: Fine.
  - id: no_evidence
    name: Missing its evidence
    addresses: [can_influence]
    builds_on: []
    description: Something.
  - id: made_up
    name: Unknown indicator
    addresses: [can_influence, not_an_indicator]
    builds_on: [also_unknown]
    description: Something.
    evidence: Something.
    colour: red
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_interventions(path, measures)
    message = str(info.value)
    assert "intervention 'no_evidence' (entry 2): field 'evidence' is missing" in message
    assert (
        "intervention 'made_up' (entry 3): field 'addresses' names unknown indicator ids ['not_an_indicator']"
        in message
    )
    assert "field 'builds_on' names unknown indicator ids ['also_unknown']" in message
    assert "field 'colour' is not a known field" in message
    assert "good_one" not in message
    assert len(info.value.problems) == 4


def test_missing_interventions_file_is_a_config_error(tmp_path, measures):
    with pytest.raises(ConfigError, match="not found"):
        load_interventions(tmp_path / "nope.yml", measures)


# --------------------------------------------------------------------------
# Priority table
# --------------------------------------------------------------------------


def priority_frame() -> pd.DataFrame:
    rows = england_rows()
    rows += [
        # proportion: gap 10, sd sqrt(.4*.6)*100, z = 10/2.5 = 4 (capped at 3)
        group_row("can_influence", 30.0, se=2.5, weighted_base=5_000.0),
        # index: gap 5, sd 0.2*sqrt(2500) = 10, z = 2.5
        group_row(
            "index_drivers",
            95.0,
            se=2.0,
            weighted_base=20_000.0,
            code="1",
            breakdown="age_band",
            label="16-24",
        ),
        # lower is better: gap 14 - 10 = 4
        hood_row("loneliness", 14.0, se=1.0, weighted_base=3_000.0),
        # better than England: no gap, not ranked
        group_row("skills_to_share", 60.0, se=2.0),
        # too small a group to rank
        group_row("formal_volunteering", 10.0, se=2.0, weighted_base=500.0),
        # suppressed: never enters
        group_row("confident_speak_up", 20.0, suppressed=True),
        # traditional lens: not a Civic Pulse candidate
        group_row("satisfied_area", 60.0, se=1.0),
    ]
    return pd.DataFrame(rows)


def test_priority_score_hand_computed(measures):
    table = priority_table(
        LAView.from_estimates(priority_frame(), LA, WAVE), measures, SETTINGS, POPULATION
    )
    assert table["indicator"].tolist() == ["index_drivers", "can_influence", "loneliness"]
    assert table["rank"].tolist() == [1, 2, 3]
    by = table.set_index("indicator")

    sd = math.sqrt(0.4 * 0.6) * 100
    row = by.loc["can_influence"]
    assert row["gap"] == pytest.approx(10.0)
    assert row["standardised_gap"] == pytest.approx(10.0 / sd)
    assert row["z"] == pytest.approx(4.0)
    assert row["population_affected"] == 5_000.0
    assert row["score"] == pytest.approx(10.0 / sd * 1.0 * math.sqrt(5_000 / 100_000))
    assert row["where"] == "Social renters"
    assert bool(row["significant"]) is True

    idx = by.loc["index_drivers"]
    assert idx["standardised_gap"] == pytest.approx(0.5)
    assert idx["score"] == pytest.approx(0.5 * (2.5 / 3) * math.sqrt(0.2))
    assert idx["where"] == "People aged 16-24"
    assert idx["indicator_label"] == "Drivers of active citizenship index"

    lonely = by.loc["loneliness"]
    assert lonely["gap"] == pytest.approx(4.0)
    assert lonely["score"] == pytest.approx(4.0 / 30.0 * 1.0 * math.sqrt(0.03))
    assert lonely["where"] == "N1"


def test_priority_table_names_neighbourhoods_and_refuses_bad_population(measures):
    table = priority_table(
        LAView.from_estimates(priority_frame(), LA, WAVE),
        measures,
        SETTINGS,
        POPULATION,
        neighbourhood_names={"N1": "Riverside"},
    )
    assert "Riverside" in table["where"].tolist()
    with pytest.raises(ValueError, match="population"):
        priority_table(LAView.from_estimates(priority_frame(), LA, WAVE), measures, SETTINGS, 0)


def test_priority_table_tie_break_is_deterministic(measures):
    rows = england_rows()
    for code in ("3", "1", "2"):
        rows.append(
            group_row(
                "can_influence",
                30.0,
                se=2.5,
                code=code,
                breakdown="age_band",
                label=f"group {code}",
            )
        )
    table = priority_table(
        LAView.from_estimates(pd.DataFrame(rows), LA, WAVE), measures, SETTINGS, POPULATION
    )
    assert table["group_code"].tolist() == ["1", "2", "3"]


def test_describe_unit(measures):
    assert describe_unit(measures, "tenure", "Social renter", "2") == "Social renters"
    assert describe_unit(measures, "age_band", "75+", "6") == "People aged 75+"
    assert describe_unit(measures, "ethnic_group", "White", "1") == "Ethnic group: White"
    assert (
        describe_unit(measures, "neighbourhood", "N9", "N9", {"N9": "Old <Town>"}) == "Old <Town>"
    )
    assert describe_unit(measures, "neighbourhood", "N9", "N9", {}) == "N9"


# --------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------


def recommendation_frame() -> pd.DataFrame:
    rows = england_rows()
    # Social renters: drivers index significantly low, because of confidence to speak up;
    # wellbeing similar; skills to share significantly high (an asset).
    rows += [
        group_row("index_drivers", 92.0, se=1.5, weighted_base=15_000.0),
        group_row("confident_speak_up", 30.0, se=2.0, weighted_base=15_000.0),
        group_row("wellbeing", 23.5, se=0.5, weighted_base=15_000.0),
        group_row("skills_to_share", 62.0, se=2.0, weighted_base=15_000.0),
        # people aged 16-24: can_influence significantly low
        group_row(
            "can_influence",
            30.0,
            se=2.0,
            code="1",
            breakdown="age_band",
            label="16-24",
            weighted_base=12_000.0,
        ),
        # A modelled neighbourhood on a small effective base: lonelier than England.
        hood_row("loneliness", 16.0, se=1.5, weighted_base=4_000.0, n_eff=60.0),
        # A large but not significant gap (CI includes England): monitoring only.
        group_row(
            "formal_volunteering",
            14.0,
            se=5.0,
            code="1",
            breakdown="disability",
            label="Disabled",
            weighted_base=30_000.0,
        ),
        # A suppressed row that would otherwise be the worst gap of all.
        group_row(
            "can_influence",
            5.0,
            code="3",
            breakdown="tenure",
            label="Private renter",
            suppressed=True,
        ),
    ]
    return pd.DataFrame(rows)


def run(est: pd.DataFrame, measures, interventions, **kw):
    view = LAView.from_estimates(est, LA, WAVE)
    priorities = priority_table(
        view, measures, SETTINGS, POPULATION, neighbourhood_names={"N1": "Riverside"}
    )
    return priorities, recommend(priorities, view, interventions, measures, **kw)


def test_index_gap_is_traced_to_significant_components(measures, interventions):
    _, recs = run(recommendation_frame(), measures, interventions)
    organising = next(r for r in recs if r.intervention.id == "community_organising")
    evidence = [(e.where, e.indicator) for e in organising.evidence]
    assert ("Social renters", "index_drivers") in evidence
    assert ("Social renters", "confident_speak_up") in evidence
    assert ("Social renters", "wellbeing") not in evidence  # similar to England
    speak = next(e for e in organising.evidence if e.indicator == "confident_speak_up")
    assert speak.estimate == 30.0 and speak.england_value == 45.0
    assert speak.sig_england == "worse" and speak.base == 500


def test_gaps_for_one_intervention_are_merged(measures, interventions):
    _, recs = run(recommendation_frame(), measures, interventions)
    organising = [r for r in recs if r.intervention.id == "community_organising"]
    assert len(organising) == 1
    # Social renters (confidence) and people aged 16-24 (influence) are both its targets.
    assert organising[0].targets == ("Social renters", "People aged 16-24")
    ids = [r.intervention.id for r in recs]
    assert len(ids) == len(set(ids))


def test_assets_and_caveats(measures, interventions):
    _, recs = run(recommendation_frame(), measures, interventions)
    organising = next(r for r in recs if r.intervention.id == "community_organising")
    skills = [a for a in organising.assets_to_build_on if a.indicator == "skills_to_share"]
    assert skills and skills[0].where == "Social renters" and skills[0].significant
    assert skills[0].estimate == 62.0 and skills[0].listed_in_builds_on
    connectors = next(r for r in recs if r.intervention.id == "community_connectors")
    assert connectors.targets == ("Riverside",)
    assert connectors.caveats[0].startswith("Figures for Riverside are modelled neighbourhood")
    assert connectors.caveats[1].startswith(
        "Riverside: some of these figures rest on an effective sample of about 60 people"
    )
    # A low deficit is not an asset: loneliness never appears as one.
    assert all(
        a.indicator not in {"loneliness", "barrier_time"}
        for r in recs
        for a in r.assets_to_build_on
    )


def test_targets_are_capped_and_the_rest_named(measures, interventions):
    rows = england_rows()
    labels = {"1": "16-24", "2": "25-34", "3": "35-49", "4": "50-64", "5": "65-74"}
    for code, label in labels.items():
        rows.append(
            group_row(
                "can_influence",
                25.0 + int(code),
                se=1.5,
                code=code,
                breakdown="age_band",
                label=label,
                weighted_base=10_000.0,
            )
        )
    _, recs = run(pd.DataFrame(rows), measures, interventions, max_targets=2)
    pb = next(r for r in recs if r.intervention.id == "participatory_budgeting")
    assert pb.targets == ("People aged 16-24", "People aged 25-34")
    assert pb.further_targets == ("People aged 35-49", "People aged 50-64", "People aged 65-74")
    assert {e.where for e in pb.evidence} == set(pb.targets)


def test_non_significant_gaps_are_never_recommended(measures, interventions):
    priorities, recs = run(recommendation_frame(), measures, interventions)
    not_significant = priorities[~priorities["significant"]]
    assert not_significant.iloc[0]["indicator"] == "formal_volunteering"
    assert priorities["significant"].sum() >= 3
    for rec in recs:
        assert rec.intervention.id != "volunteering_brokerage"
        assert all(e.sig_england == "worse" for e in rec.evidence)
    assert len(recs) < 5
    assert any(
        "No other gap is statistically significant" in n
        and "the largest of the rest, Formal volunteering at least monthly for Disabled residents (14.0% against England's 22.0%)"
        in n
        and "is not significant and is shown for monitoring only" in n
        for n in recs.notes
    )


def test_no_significant_gap_gives_no_recommendation_and_says_so(measures, interventions):
    rows = [*england_rows(), group_row("can_influence", 38.0, se=3.0)]
    _, recs = run(pd.DataFrame(rows), measures, interventions)
    assert len(recs) == 0
    assert recs.notes[0].startswith("No gap to England is statistically significant")


def test_max_recommendations_caps_and_notes(measures, interventions):
    _, recs = run(recommendation_frame(), measures, interventions, max_recommendations=1)
    assert len(recs) == 1
    assert any("Only the first 1 recommendations" in n for n in recs.notes)
    with pytest.raises(ValueError):
        run(recommendation_frame(), measures, interventions, max_recommendations=0)


def test_unmatched_significant_gap_is_noted(measures, interventions):
    only = (replace(interventions[0], addresses=("time_banking",)),)
    _, recs = run(recommendation_frame(), measures, only)
    assert len(recs) == 0
    assert any("matches no intervention" in n and "People aged 16-24" in n for n in recs.notes)


def test_recommendations_are_deterministic(measures, interventions):
    est = recommendation_frame()
    _, first = run(est, measures, interventions)
    _, again = run(est.copy(), measures, interventions)
    assert first == again
    shuffled = est.sample(frac=1.0, random_state=7).reset_index(drop=True)
    priorities, from_shuffled = run(shuffled, measures, interventions)
    assert from_shuffled == first
    reordered = recommend(
        priorities.sample(frac=1.0, random_state=3),
        LAView.from_estimates(shuffled, LA, WAVE),
        interventions,
        measures,
    )
    assert reordered == first


def test_suppressed_rows_never_appear(measures, interventions):
    priorities, recs = run(recommendation_frame(), measures, interventions)
    assert "Private renters" not in priorities["where"].tolist()
    for rec in recs:
        assert "Private renters" not in rec.targets
        assert all(e.estimate is not None for e in rec.evidence)


# --------------------------------------------------------------------------
# Property: suppression is never leaked, on random frames
# --------------------------------------------------------------------------

UNITS = [
    ("la", "tenure", "1", "Owner-occupier"),
    ("la", "tenure", "2", "Social renter"),
    ("la", "age_band", "1", "16-24"),
    ("neighbourhood", "neighbourhood", "N1", "N1"),
    ("neighbourhood", "neighbourhood", "N2", "N2"),
]
INDICATORS = [
    "index_drivers",
    "can_influence",
    "confident_speak_up",
    "wellbeing",
    "skills_to_share",
    "loneliness",
    "formal_volunteering",
]

cell = st.tuples(
    st.floats(min_value=-15.0, max_value=15.0, allow_nan=False),  # offset from England
    st.floats(min_value=0.3, max_value=5.0, allow_nan=False),  # se
    st.booleans(),  # suppressed
    st.booleans(),  # suppressed but numbers left in (the flag alone must keep it out)
    st.floats(min_value=500.0, max_value=30_000.0, allow_nan=False),  # weighted base
)


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(
        cell, min_size=len(UNITS) * len(INDICATORS), max_size=len(UNITS) * len(INDICATORS)
    )
)
def test_property_suppressed_rows_never_in_priorities_or_recommendations(cells):
    measures = load_measures()
    interventions = load_interventions(INTERVENTIONS_FILE, measures)
    rows = england_rows()
    suppressed: set[tuple[str, str, str]] = set()
    cells_iter = iter(cells)
    for level, breakdown, code, label in UNITS:
        for ind in INDICATORS:
            offset, se, hidden, keep, wb = next(cells_iter)
            england, t, _ = ENGLAND[ind]
            value = (
                float(np.clip(england + offset, 0.5, 99.5))
                if t == "proportion"
                else england + offset
            )
            if level == "la":
                rows.append(
                    group_row(
                        ind,
                        value,
                        code=code,
                        breakdown=breakdown,
                        label=label,
                        se=se,
                        weighted_base=wb,
                        suppressed=hidden,
                        keep_numbers=keep,
                    )
                )
            else:
                rows.append(
                    hood_row(
                        ind,
                        value,
                        code=code,
                        se=se,
                        weighted_base=wb,
                        suppressed=hidden,
                        keep_numbers=keep,
                    )
                )
            if hidden:
                suppressed.add((breakdown, code, ind))
    view = LAView.from_estimates(pd.DataFrame(rows), LA, WAVE)
    priorities = priority_table(view, measures, SETTINGS, POPULATION)
    recs = recommend(priorities, view, interventions, measures)

    ranked = set(
        zip(priorities["breakdown"], priorities["group_code"], priorities["indicator"], strict=True)
    )
    assert not ranked & suppressed
    assert (priorities["gap"] > 0).all()
    for rec in recs:
        for e in rec.evidence:
            assert (e.breakdown, e.group_code, e.indicator) not in suppressed
            assert e.sig_england == "worse"
        for a in rec.assets_to_build_on:
            assert (a.breakdown, a.group_code, a.indicator) not in suppressed
    assert len(recs) <= 5


def test_intervention_is_a_frozen_dataclass():
    iv = Intervention("x", "X", ("can_influence",), (), "d", "e")
    with pytest.raises(AttributeError):
        iv.name = "Y"  # type: ignore[misc]


def test_index_gap_without_a_significant_component_is_noted_not_recommended(
    measures, interventions
):
    rows = [
        *england_rows(),
        # The index is significantly low, but each component on its own is not.
        group_row("index_drivers", 95.0, se=1.0, weighted_base=15_000.0),
        group_row("confident_speak_up", 43.0, se=2.0, weighted_base=15_000.0),
        group_row("wellbeing", 23.8, se=0.5, weighted_base=15_000.0),
    ]
    priorities, recs = run(pd.DataFrame(rows), measures, interventions)
    assert priorities.set_index("indicator").loc["index_drivers", "significant"]
    assert len(recs) == 0
    assert any(
        n.startswith(
            "The Drivers of active citizenship index is significantly below England for "
            "Social renters, but none of its component measures is on its own"
        )
        for n in recs.notes
    )
