"""Quadrants, legacy comparison and the lens comparison, on hand-made frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from estimate_rows import Z, make_row

from civicpulse_report.insight.gaps import england_respondent_sd, oriented_gap
from civicpulse_report.insight.legacy import legacy_comparison
from civicpulse_report.insight.lenses import lens_comparison, spearman_rho
from civicpulse_report.insight.quadrants import QUADRANTS, classify_quadrant, quadrant_table
from civicpulse_report.insight.view import LAView
from civicpulse_report.measures import load_measures

ENG = "E92000001"
WAVE = 2024


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def measures():
    return load_measures()


# --------------------------------------------------------------------------
# Quadrants
# --------------------------------------------------------------------------


def quadrant_frame(placed: dict[str, tuple[float, float]], suppressed: set[str] = frozenset()):
    rows = [
        make_row("england", ENG, "index_traditional", 100.0, se=0.1),
        make_row("england", ENG, "index_drivers", 100.0, se=0.1),
    ]
    for code, (trad, drivers) in placed.items():
        rows.append(make_row("la", code, "index_traditional", trad, england_value=100.0))
        rows.append(
            make_row(
                "la",
                code,
                "index_drivers",
                drivers,
                england_value=100.0,
                suppressed=code in suppressed,
            )
        )
    return frame(rows)


def test_quadrant_table_places_hand_placed_las_including_boundaries():
    placed = {
        "LA_A": (105.0, 95.0),  # satisfied, lacks drivers
        "LA_B": (95.0, 105.0),
        "LA_C": (105.0, 105.0),
        "LA_D": (95.0, 95.0),
        "LA_E": (100.0, 100.0),  # exactly on both centre lines: at or above on both
        "LA_F": (100.0, 99.9),  # on the satisfaction line, just below on drivers
        "LA_G": (99.9, 100.0),
        "LA_H": (105.0, 90.0),  # suppressed drivers: left out
    }
    table = quadrant_table(quadrant_frame(placed, {"LA_H"}), WAVE)
    got = dict(zip(table["la_code"], table["quadrant"], strict=True))
    assert got == {
        "LA_A": "hidden need",
        "LA_B": "hidden assets",
        "LA_C": "strong on both",
        "LA_D": "low on both",
        "LA_E": "strong on both",
        "LA_F": "hidden need",
        "LA_G": "hidden assets",
    }
    assert set(table["england_traditional"]) == {100.0}
    assert set(table["england_drivers"]) == {100.0}
    a = table.set_index("la_code").loc["LA_A"]
    assert a["traditional"] == 105.0 and a["drivers"] == 95.0
    assert a["traditional_sig_england"] == "better" and a["drivers_sig_england"] == "worse"
    assert a["drivers_ci_lower"] == pytest.approx(95.0 - Z)
    assert bool(a["drivers_significant"]) is True
    f = table.set_index("la_code").loc["LA_F"]
    assert f["drivers_sig_england"] == "similar" and not f["drivers_significant"]


def test_quadrant_names_have_plain_english_meanings():
    assert list(QUADRANTS) == ["hidden need", "hidden assets", "strong on both", "low on both"]
    assert "hide" in QUADRANTS["hidden need"]
    assert all(len(text) > 40 for text in QUADRANTS.values())


@pytest.mark.parametrize(
    ("trad", "drivers", "expected"),
    [
        (100.0, 99.99, "hidden need"),
        (100.0, 100.0, "strong on both"),
        (99.99, 100.0, "hidden assets"),
        (99.99, 99.99, "low on both"),
    ],
)
def test_classify_quadrant_boundaries(trad, drivers, expected):
    assert classify_quadrant(trad, drivers, 100.0, 100.0) == expected


def test_quadrant_table_uses_only_the_requested_wave():
    est = quadrant_frame({"LA_A": (105.0, 95.0)})
    later = est.assign(wave=WAVE + 1, estimate=est["estimate"] + 20)
    table = quadrant_table(pd.concat([est, later]), WAVE)
    assert table["traditional"].tolist() == [105.0]


# --------------------------------------------------------------------------
# Legacy comparison
# --------------------------------------------------------------------------


def legacy_frame() -> pd.DataFrame:
    rows = [
        ("LA_A", "place_survey_2008", "NI4", 27.0, 24.0, 30.0, 1100, 2008),
        ("LA_A", "place_survey_2008", "NI5", 81.0, 79.0, 83.0, 1100, 2008),
        ("LA_B", "place_survey_2008", "NI4", 35.0, 32.0, 38.0, 1000, 2008),
        (ENG, "place_survey_2008", "NI4", 28.9, 28.7, 29.1, 500_000, 2008),
        (
            ENG,
            "citizenship_survey_2010_11",
            "formal_volunteering_monthly",
            25.0,
            24.0,
            26.0,
            9000,
            2010,
        ),
    ]
    return pd.DataFrame(
        rows,
        columns=["la_code", "source", "indicator", "value", "ci_lower", "ci_upper", "base", "year"],
    )


def legacy_est() -> pd.DataFrame:
    p = {"type": "proportion"}
    return frame(
        [
            make_row("england", ENG, "can_influence", 27.3, **p),
            make_row("england", ENG, "satisfied_area", 79.8, **p),
            make_row("england", ENG, "formal_volunteering", 22.0, **p),
            make_row("la", "LA_A", "can_influence", 24.5, england_value=27.3, **p),
            make_row("la", "LA_A", "satisfied_area", 83.1, england_value=79.8, **p),
            make_row(
                "la", "LA_A", "formal_volunteering", 20.0, england_value=22.0, suppressed=True, **p
            ),
        ]
    )


def test_legacy_comparison_rows_values_and_caveats(measures):
    table = legacy_comparison(
        legacy_frame(), LAView.from_estimates(legacy_est(), "LA_A", WAVE), measures
    )
    assert table["legacy_indicator"].tolist() == ["NI4", "NI5", "formal_volunteering_monthly"]
    assert table["scope"].tolist() == ["local authority", "local authority", "England only"]

    ni4 = table.iloc[0]
    assert ni4["source_label"] == "Place Survey 2008"
    assert ni4["legacy_label"].startswith("NI 4")
    assert ni4["legacy_value"] == 27.0 and ni4["legacy_base"] == 1100
    assert (ni4["legacy_ci_lower"], ni4["legacy_ci_upper"]) == (24.0, 30.0)
    assert ni4["legacy_england_value"] == 28.9
    assert ni4["legacy_year"] == 2008
    assert ni4["civic_pulse_indicator"] == "can_influence"
    assert ni4["civic_pulse_label"] == "Feel they can influence local decisions"
    assert ni4["civic_pulse_value"] == 24.5
    assert ni4["civic_pulse_ci_lower"] == pytest.approx(24.5 - Z)
    assert ni4["civic_pulse_england_value"] == 27.3
    assert "Postal survey" in ni4["caveat"]
    assert "differ in year, survey mode and question wording" in ni4["caveat"]
    assert "not read as a change" in ni4["caveat"]

    # NI5 has no England legacy figure in the file: left empty, not invented.
    assert math.isnan(table.iloc[1]["legacy_england_value"])

    cs = table.iloc[2]
    assert cs["source_label"] == "Citizenship Survey 2010-11"
    assert math.isnan(cs["legacy_value"]) and cs["legacy_england_value"] == 25.0
    assert "national figures only" in cs["caveat"]
    # The LA's Civic Pulse figure is suppressed: shown as such, England still given.
    assert bool(cs["civic_pulse_suppressed"]) is True
    assert math.isnan(cs["civic_pulse_value"]) and cs["civic_pulse_england_value"] == 22.0


def test_legacy_comparison_never_computes_a_change(measures):
    table = legacy_comparison(
        legacy_frame(), LAView.from_estimates(legacy_est(), "LA_A", WAVE), measures
    )
    assert not [c for c in table.columns if "change" in c or "diff" in c or "trend" in c]
    numbers = table.select_dtypes("number").to_numpy(float).ravel()
    assert not np.isclose(numbers, 24.5 - 27.0).any()  # no CP - legacy difference anywhere


def test_legacy_comparison_other_la_rows_are_not_used(measures):
    table = legacy_comparison(
        legacy_frame(), LAView.from_estimates(legacy_est(), "LA_B", WAVE), measures
    )
    assert table.loc[table["legacy_indicator"] == "NI4", "legacy_value"].tolist() == [35.0]
    assert "NI5" not in table["legacy_indicator"].tolist()
    # LA_B has no Civic Pulse estimates: the Civic Pulse side is empty but England is given.
    assert table["civic_pulse_value"].isna().all()


# --------------------------------------------------------------------------
# Lens comparison
# --------------------------------------------------------------------------


def lens_frame() -> pd.DataFrame:
    rows = [
        make_row("england", ENG, "index_traditional", 100.0, se=0.1),
        make_row("england", ENG, "index_drivers", 100.0, se=0.1),
    ]
    # Four age groups; traditional ranks 1,2,3,4 and drivers ranks 2,1,4,3:
    # d = (-1, 1, -1, 1), sum d^2 = 4, rho = 1 - 6*4 / (4 * (16 - 1)) = 0.6.
    groups = {
        "1": ("16-24", 90.0, 95.0),  # trad worse, drivers worse: not flagged
        "2": ("25-34", 99.5, 93.0),  # trad similar, drivers worse: flagged (gap 7)
        "3": ("35-49", 104.0, 104.0),
        "4": ("50-64", 106.0, 96.0),  # trad better, drivers worse: flagged (gap 4)
        "5": ("65-74", 120.0, 80.0),  # suppressed drivers: left out
    }
    for code, (label, trad, drivers) in groups.items():
        common = {"la_code": "LA_A", "breakdown": "age_band", "group_code": code, "group": label}
        rows.append(
            make_row("la", "LA_A", "index_traditional", trad, england_value=100.0, **common)
        )
        rows.append(
            make_row(
                "la",
                "LA_A",
                "index_drivers",
                drivers,
                england_value=100.0,
                suppressed=code == "5",
                **common,
            )
        )
    for code, trad, drivers in (("N1", 101.0, 99.0), ("N2", 98.0, 102.0)):
        common = {
            "la_code": "LA_A",
            "breakdown": "neighbourhood",
            "group_code": code,
            "group": code,
            "modelled": True,
        }
        rows.append(
            make_row(
                "neighbourhood", code, "index_traditional", trad, england_value=100.0, **common
            )
        )
        rows.append(
            make_row("neighbourhood", code, "index_drivers", drivers, england_value=100.0, **common)
        )
    # Another LA's group must not leak in.
    rows.append(
        make_row(
            "la",
            "LA_B",
            "index_traditional",
            100.0,
            breakdown="age_band",
            group_code="1",
            group="16-24",
            england_value=100.0,
        )
    )
    rows.append(
        make_row(
            "la",
            "LA_B",
            "index_drivers",
            80.0,
            breakdown="age_band",
            group_code="1",
            group="16-24",
            england_value=100.0,
        )
    )
    return frame(rows)


def test_lens_comparison_rho_matches_hand_worked_spearman():
    lens = lens_comparison(LAView.from_estimates(lens_frame(), "LA_A", WAVE))
    assert lens.n_groups == 4
    assert lens.rho_groups == pytest.approx(0.6)
    # Only two neighbourhoods: too few for a rank correlation.
    assert lens.n_neighbourhoods == 2
    assert math.isnan(lens.rho_neighbourhoods)


def test_lens_comparison_flags_units_fine_on_satisfaction_but_lacking_drivers(measures):
    lens = lens_comparison(
        LAView.from_estimates(lens_frame(), "LA_A", WAVE),
        measures=measures,
        neighbourhood_names={"N1": "Riverside"},
    )
    assert [u["group"] for u in lens.flagged] == ["25-34", "50-64"]
    assert [u["label"] for u in lens.flagged] == ["People aged 25-34", "People aged 50-64"]
    assert [u["drivers_gap"] for u in lens.flagged] == pytest.approx([7.0, 4.0])
    flagged = {u["group"] for u in lens.units if u["flagged"]}
    assert flagged == {"25-34", "50-64"}
    assert "65-74" not in {u["group"] for u in lens.units}
    kinds = {u["label"]: u["kind"] for u in lens.units}
    assert kinds["Riverside"] == "neighbourhood" and kinds["People aged 16-24"] == "group"
    assert kinds["N2"] == "neighbourhood"  # no name given: the code
    assert lens.frame.shape[0] == 6


def test_spearman_rho_needs_three_varying_units():
    assert math.isnan(spearman_rho([1, 2], [2, 1]))
    assert math.isnan(spearman_rho([1, 2, 3], [5, 5, 5]))
    assert spearman_rho([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


# --------------------------------------------------------------------------
# Shared comparisons
# --------------------------------------------------------------------------


def test_oriented_gap_is_positive_when_worse():
    gap = oriented_gap(
        [30.0, 14.0, 5.0], [40.0, 10.0, 5.0], ["higher_is_better", "lower_is_better", "neutral"]
    )
    assert gap[0] == 10.0 and gap[1] == 4.0 and math.isnan(gap[2])


def test_england_respondent_sd_for_proportions_and_means():
    est = frame(
        [
            make_row("england", ENG, "index_drivers", 100.0, se=0.2, n_eff=2500.0),
            make_row("england", ENG, "can_influence", 40.0, type="proportion"),
        ]
    )
    rows = pd.DataFrame(
        {
            "wave": [WAVE, WAVE, WAVE],
            "indicator": ["index_drivers", "can_influence", "can_influence"],
            "type": ["mean", "proportion", "proportion"],
            "england_value": [100.0, 40.0, 0.0],
        }
    )
    sd = england_respondent_sd(rows, est)
    assert sd[0] == pytest.approx(0.2 * 50.0)
    assert sd[1] == pytest.approx(math.sqrt(0.4 * 0.6) * 100)
    assert math.isnan(sd[2])  # 0%: no spread, no standardised gap
