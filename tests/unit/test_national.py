"""The national picture on small hand-made frames, each number worked out by hand.

Counts of LAs significantly below England, the two quadrant views (with 'not
clearly placed'), the rank-correlation interval, the national groups' flag and
its polarity, the double deficit, change since the last wave, and the
intervention counts from every LA's recommendations.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from civicpulse_report.insight import Intervention, quadrant_counts, quadrant_table
from civicpulse_report.insight.national import (
    area_summary,
    la_distribution,
    national_groups,
    significance_bands,
)
from civicpulse_report.insight.national_change import la_change_counts, national_change
from civicpulse_report.insight.national_findings import agreement_words, ordinal
from civicpulse_report.insight.national_lenses import (
    lens_agreement,
    lens_pairs,
    lens_ranks,
    rank_movers,
)
from civicpulse_report.insight.national_need import (
    double_deficit,
    groups_in_need,
    intervention_counts,
)
from civicpulse_report.insight.quadrants import (
    NOT_CLEARLY_PLACED,
    classify_quadrant_significant,
)
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import rank_correlation_interval
from tests.unit.estimate_rows import WAVE, make_row

DRIVERS = "index_drivers"
OUTCOMES = "index_outcomes"
TRAD = "index_traditional"


def frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    out["previous_se"] = out["se"]
    return out


def lookup(codes: list[str], regions: list[str], types: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": codes,
            "la_name": [f"Name {c}" for c in codes],
            "region": regions,
            "la_type": types,
            "population": [50_000] * len(codes),
        }
    )


def la(code: str, indicator: str, estimate: float, **kw) -> dict:
    return make_row("la", code, indicator, estimate, england_value=100.0, **kw)


# --- the rank-correlation interval ---------------------------------------------------


def test_rank_correlation_interval_matches_the_hand_worked_value() -> None:
    # z = atanh(0.5) = 0.549306; se = sqrt((1 + 0.25/2) / 25) = 0.212132;
    # z +- 1.959964 * se = 0.133533 and 0.965079; tanh gives 0.13275 and 0.74653.
    lower, upper = rank_correlation_interval(0.5, 28)
    assert lower == pytest.approx(0.13275, abs=5e-5)
    assert upper == pytest.approx(0.74653, abs=5e-5)
    # Bonett-Wright is wider than the Pearson error 1/sqrt(n-3) (0.15603 to 0.73582).
    assert lower < 0.15603 and upper > 0.73582


def test_rank_correlation_interval_edges() -> None:
    assert all(math.isnan(v) for v in rank_correlation_interval(0.4, 3))
    assert all(math.isnan(v) for v in rank_correlation_interval(float("nan"), 50))
    assert rank_correlation_interval(1.0, 10) == (1.0, 1.0)
    narrow = rank_correlation_interval(0.5, 28, confidence=0.9)
    assert narrow[0] > 0.13275 and narrow[1] < 0.74653
    with pytest.raises(ValueError, match="between -1 and 1"):
        rank_correlation_interval(1.2, 10)
    with pytest.raises(ValueError, match="confidence"):
        rank_correlation_interval(0.5, 10, confidence=95)


# --- LAs against England: the bands ---------------------------------------------------

#: Five LAs on the drivers index, England 100, se 1 (interval +- 1.96):
#: A 95 and B 97 are below (upper limits 96.96, 98.96), C 99.5 similar,
#: D 103 above (lower 101.04), E suppressed.
BAND_ROWS = [
    la("X1", DRIVERS, 95.0),
    la("X2", DRIVERS, 97.0),
    la("X3", DRIVERS, 99.5),
    la("X4", DRIVERS, 103.0),
    la("X5", DRIVERS, 90.0, suppressed=True, base=20),
    make_row("england", "E92000001", DRIVERS, 100.0, se=0.1),
    make_row("region", "North", DRIVERS, 96.5, england_value=100.0, se=0.5),
    make_row("region", "South", DRIVERS, 101.0, england_value=100.0, se=0.5),
]
BAND_LOOKUP = lookup(
    ["X1", "X2", "X3", "X4", "X5"],
    ["North", "North", "South", "South", "North"],
    ["Type A", "Type B", "Type A", "Type A", "Type B"],
)


def test_significance_bands_count_the_las_below_england() -> None:
    est = frame(BAND_ROWS)
    dist = la_distribution(est, WAVE, [DRIVERS], BAND_LOOKUP)
    assert list(dist["la_code"]) == ["X1", "X2", "X3", "X4"]  # lowest first, suppressed out
    assert list(dist["gap"]) == pytest.approx([5.0, 3.0, 0.5, -3.0])
    bands = significance_bands(dist, [DRIVERS], n_las=5).iloc[0]
    assert (bands["n_published"], bands["n_not_published"]) == (4, 1)
    assert (bands["n_worse"], bands["n_similar"], bands["n_better"]) == (2, 1, 1)
    assert bands["share_worse"] == pytest.approx(0.5)
    assert bands["england_value"] == 100.0


def test_area_summary_counts_each_regions_las_below_england() -> None:
    est = frame(BAND_ROWS)
    dist = la_distribution(est, WAVE, [DRIVERS], BAND_LOOKUP)
    regions = area_summary(est, WAVE, [DRIVERS], dist, "region").set_index("area")
    # North: X1 and X2 below, X5 suppressed (not counted); South: X3 similar, X4 above.
    assert regions.loc["North", ["n_las", "n_worse", "n_similar", "n_better"]].tolist() == [
        2,
        2,
        0,
        0,
    ]
    assert regions.loc["South", ["n_las", "n_worse", "n_similar", "n_better"]].tolist() == [
        2,
        0,
        1,
        1,
    ]
    assert regions.loc["North", "share_worse"] == 1.0
    # The region's own interval against England: 96.5 +- 0.98 is below, 101 +- 0.98 above.
    assert regions.loc["North", "sig_england"] == "worse"
    assert regions.loc["South", "sig_england"] == "better"
    with pytest.raises(ValueError, match="level"):
        area_summary(est, WAVE, [DRIVERS], dist, "la")


# --- the quadrants: point estimates and significance ---------------------------------


@pytest.mark.parametrize(
    ("trad", "drivers", "expected"),
    [
        ("better", "worse", "hidden need"),
        ("worse", "better", "hidden assets"),
        ("better", "better", "strong on both"),
        ("worse", "worse", "low on both"),
        ("similar", "worse", NOT_CLEARLY_PLACED),
        ("better", "similar", NOT_CLEARLY_PLACED),
        ("not tested", "worse", NOT_CLEARLY_PLACED),
        ("higher", "lower", "hidden need"),
    ],
)
def test_significant_quadrant_needs_both_differences(
    trad: str, drivers: str, expected: str
) -> None:
    assert classify_quadrant_significant(trad, drivers) == expected


def test_quadrant_table_keeps_both_views_and_counts_add_up() -> None:
    # (traditional, drivers) estimates with se 1 against England 100 on both axes.
    placed = {
        "X1": (103.0, 96.0),  # better, worse: hidden need in both views
        "X2": (100.5, 96.0),  # similar, worse: hidden need by point estimate only
        "X3": (97.0, 103.0),  # worse, better: hidden assets
        "X4": (100.5, 100.8),  # similar, similar: strong on both by point estimate only
        "X5": (96.0, 96.5),  # worse, worse: low on both
    }
    rows = [make_row("england", "E92000001", i, 100.0) for i in (TRAD, DRIVERS)]
    for code, (t, d) in placed.items():
        rows += [la(code, TRAD, t), la(code, DRIVERS, d)]
    table = quadrant_table(frame(rows), WAVE).set_index("la_code")
    assert table["quadrant"].to_dict() == {
        "X1": "hidden need",
        "X2": "hidden need",
        "X3": "hidden assets",
        "X4": "strong on both",
        "X5": "low on both",
    }
    assert table["quadrant_significant"].to_dict() == {
        "X1": "hidden need",
        "X2": NOT_CLEARLY_PLACED,
        "X3": "hidden assets",
        "X4": NOT_CLEARLY_PLACED,
        "X5": "low on both",
    }
    counts = quadrant_counts(table.reset_index()).set_index("quadrant")
    assert counts.loc["hidden need"].tolist() == [2, 1]
    assert counts.loc[NOT_CLEARLY_PLACED].tolist() == [0, 2]
    assert counts["n_point_estimate"].sum() == counts["n_significant"].sum() == 5


# --- national groups: the flag against the national value ----------------------------


TENURE = {"1": "Owner-occupier", "2": "Social renter", "3": "Private renter"}


def test_national_groups_flag_follows_polarity(measures) -> None:
    def group(indicator: str, code: str, estimate: float, polarity: str, **kw) -> dict:
        # England's group rows carry no England value and no flag from the one pass.
        return make_row(
            "england", "E92000001", indicator, estimate, breakdown="tenure", group_code=code,
            group=TENURE[code], polarity=polarity, type="proportion", sig="not tested", **kw,
        )  # fmt: skip

    rows = [
        make_row(
            "england",
            "E92000001",
            "loneliness",
            20.0,
            type="proportion",
            polarity="lower_is_better",
        ),
        make_row("england", "E92000001", "trust_neighbours", 50.0, type="proportion"),
        group("loneliness", "1", 27.0, "lower_is_better"),  # 25.0 to 29.0, above 20: worse
        group("loneliness", "2", 12.0, "lower_is_better"),  # below 20: better
        group("loneliness", "3", 21.0, "lower_is_better"),  # 19.0 to 23.0: similar
        group("trust_neighbours", "1", 56.0, "higher_is_better"),  # above 50: better
        group("trust_neighbours", "2", 44.0, "higher_is_better"),  # below 50: worse
        group("trust_neighbours", "3", 30.0, "higher_is_better", suppressed=True, base=10),
    ]
    got = national_groups(
        frame(rows), WAVE, ["loneliness", "trust_neighbours"], ["tenure"], measures
    )
    flags = {(r.indicator, r.group_code): r.sig_england for r in got.itertuples()}
    assert flags == {
        ("loneliness", "1"): "worse",
        ("loneliness", "2"): "better",
        ("loneliness", "3"): "similar",
        ("trust_neighbours", "1"): "better",
        ("trust_neighbours", "2"): "worse",
    }
    assert set(got["england_value"]) == {20.0, 50.0}
    # Oriented gap: positive is worse either way (27 - 20 = 7; 50 - 44 = 6).
    gaps = got.set_index(["indicator", "group_code"])["gap"]
    assert gaps[("loneliness", "1")] == pytest.approx(7.0)
    assert gaps[("trust_neighbours", "2")] == pytest.approx(6.0)
    assert got.iloc[0]["who"] == "Owner-occupiers"


# --- the double deficit ------------------------------------------------------------------


def test_double_deficit_needs_both_indices_significantly_below() -> None:
    rows = [make_row("england", "E92000001", i, 100.0) for i in (DRIVERS, OUTCOMES)]
    values = {"X1": (96.0, 95.0), "X2": (97.0, 99.5), "X3": (93.0, 92.0), "X4": (103.0, 96.0)}
    for code, (outcomes, drivers) in values.items():
        rows += [la(code, OUTCOMES, outcomes), la(code, DRIVERS, drivers)]
    look = lookup(list(values), ["R"] * 4, ["T"] * 4)
    dist = la_distribution(frame(rows), WAVE, [OUTCOMES, DRIVERS], look)
    dd = double_deficit(dist)
    # X2 is similar on drivers, X4 above on outcomes: out. Mean gaps: X3 (7+8)/2, X1 (4+5)/2.
    assert list(dd["la_code"]) == ["X3", "X1"]
    assert list(dd["mean_gap"]) == pytest.approx([7.5, 4.5])
    assert list(dd["outcomes_estimate"]) == [93.0, 96.0]


def test_groups_in_need_pairs_the_two_indices(measures) -> None:
    rows = [make_row("england", "E92000001", i, 100.0) for i in (DRIVERS, OUTCOMES)]
    for code, (o, d) in {"1": (96.0, 95.0), "2": (101.0, 95.0)}.items():
        for ind, v in ((OUTCOMES, o), (DRIVERS, d)):
            rows.append(
                make_row("england", "E92000001", ind, v, breakdown="tenure", group_code=code,
                         group=TENURE[code], sig="not tested")
            )  # fmt: skip
    groups = national_groups(frame(rows), WAVE, [OUTCOMES, DRIVERS], ["tenure"], measures)
    need = groups_in_need(groups)
    assert list(need["group_code"]) == ["1"]
    assert need.iloc[0]["mean_gap"] == pytest.approx(4.5)


# --- the two lenses across LAs -----------------------------------------------------------


def test_lens_ranks_correlation_and_movers_by_hand() -> None:
    # Old lens (Place Survey 2008) ranks A..E 1..5; drivers rank D, B, A, C, E.
    legacy_values = {"A": 90.0, "B": 80.0, "C": 70.0, "D": 60.0, "E": 50.0}
    drivers = {"A": 101.0, "B": 103.0, "C": 99.0, "D": 104.0, "E": 98.0}
    quadrant = pd.DataFrame(
        {
            "la_code": list(drivers),
            "traditional": [100.0] * 5,
            "traditional_sig_england": ["similar"] * 5,
            "drivers": list(drivers.values()),
            "drivers_sig_england": ["similar"] * 5,
        }
    )
    legacy = pd.DataFrame(
        {
            "la_code": [*legacy_values, "E92000001", "A"],
            "source": ["place_survey_2008"] * 6 + ["place_survey_2008"],
            "indicator": ["NI5"] * 6 + ["NI1"],
            "value": [*legacy_values.values(), 70.0, 10.0],
            "year": [2008] * 7,
        }
    )
    ranks = lens_ranks(quadrant, legacy, lookup(list(drivers), ["R"] * 5, ["T"] * 5)).set_index(
        "la_code"
    )
    assert ranks["rank_legacy"].to_dict() == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}
    assert ranks["rank_drivers"].to_dict() == {"A": 3, "B": 2, "C": 4, "D": 1, "E": 5}
    # d = 2, 0, 1, -3, 0; sum d^2 = 14; rho = 1 - 6 * 14 / (5 * 24) = 0.3.
    agreement = lens_agreement(ranks.reset_index(), lens_pairs("Old", WAVE)).set_index("pair")
    row = agreement.loc["legacy_vs_drivers"]
    assert (row["n"], row["rho"]) == (5, pytest.approx(0.3))
    # atanh(0.3) = 0.30952, se = sqrt(1.045 / 2) = 0.72284: tanh(0.30952 -+ 1.41674).
    assert row["ci_lower"] == pytest.approx(-0.80308, abs=5e-5)
    assert row["ci_upper"] == pytest.approx(0.93861, abs=5e-5)
    movers = rank_movers(ranks.reset_index(), n=2)
    assert list(movers["la_code"]) == ["D", "A"]
    assert list(movers["direction"]) == ["higher on drivers", "lower on drivers"]
    assert math.isnan(
        lens_agreement(ranks.head(0).reset_index(), lens_pairs("Old", WAVE))["rho"][0]
    )


# --- change since the last wave ----------------------------------------------------------


def test_national_change_interval_and_direction() -> None:
    def england(indicator: str, now: float, before: float, polarity: str) -> dict:
        return make_row("england", "E92000001", indicator, now, previous_estimate=before,
                        previous_wave=WAVE - 1, polarity=polarity, type="proportion")  # fmt: skip

    rows = [
        england(
            "trust_neighbours", 52.0, 50.0, "higher_is_better"
        ),  # z = 2 / 1.414: not significant
        england("formal_volunteering", 55.0, 50.0, "higher_is_better"),  # z = 3.5: improved
        england("loneliness", 25.0, 20.0, "lower_is_better"),  # up and lower is better: worsened
    ]
    got = national_change(
        frame(rows), WAVE, ["trust_neighbours", "formal_volunteering", "loneliness"]
    )
    got = got.set_index("indicator")
    # 2 +- 1.959964 * sqrt(1 + 1) = -0.77181 to 4.77181.
    assert got.loc["trust_neighbours", "change_ci_lower"] == pytest.approx(-0.77181, abs=1e-4)
    assert got.loc["trust_neighbours", "change_ci_upper"] == pytest.approx(4.77181, abs=1e-4)
    assert got["direction"].to_dict() == {
        "trust_neighbours": "no significant change",
        "formal_volunteering": "improved",
        "loneliness": "worsened",
    }
    assert national_change(frame(rows), WAVE - 1, ["loneliness"]).empty


def test_la_change_counts_rises_and_falls() -> None:
    rows = [
        la("X1", DRIVERS, 105.0, previous_estimate=100.0, previous_wave=WAVE - 1),
        la("X2", DRIVERS, 95.0, previous_estimate=100.0, previous_wave=WAVE - 1),
        la("X3", DRIVERS, 101.0, previous_estimate=100.0, previous_wave=WAVE - 1),
        la("X4", DRIVERS, 101.0),
    ]
    got = la_change_counts(frame(rows), WAVE, [DRIVERS]).iloc[0]
    assert got[["n_las", "n_up", "n_down", "n_unchanged"]].tolist() == [3, 1, 1, 1]


# --- what the LA reports recommend -------------------------------------------------------


def test_intervention_counts_from_each_las_recommendations(measures) -> None:
    # X1's social renters are significantly below England on 'can_influence'
    # (20% against 30%, se 1); X2's are not (29% +- 2). Only X1 gets a recommendation.
    eng = make_row("england", "E92000001", "can_influence", 30.0, type="proportion", se=0.2)

    def renters(code: str, estimate: float) -> dict:
        return make_row("la", code, "can_influence", estimate, la_code=code, breakdown="tenure",
                        group_code="2", group="Social renter", type="proportion", england_value=30.0,
                        weighted_base=8_000.0)  # fmt: skip

    est = frame([eng, renters("X1", 20.0), renters("X2", 29.0)])
    library = (
        Intervention("organising", "Organising", ("can_influence",), (), "d", "e"),
        Intervention("time_bank", "Time bank", ("time_banking",), (), "d", "e"),
    )
    tally = intervention_counts(est, WAVE, lookup(["X1", "X2"], ["R"] * 2, ["T"] * 2), measures,
                                Settings(), library)  # fmt: skip
    counts = tally.counts.set_index("intervention")
    assert (tally.n_las_reported, tally.n_las_without) == (2, 1)
    assert counts.loc["organising", ["n_las", "n_first", "n_targets"]].tolist() == [1, 1, 1]
    assert counts.loc["organising", "share_las"] == pytest.approx(0.5)
    assert counts.loc["time_bank", "n_las"] == 0
    assert list(tally.counts["intervention"]) == ["organising", "time_bank"]  # most often first
    assert tally.per_la[["la_code", "intervention"]].values.tolist() == [["X1", "organising"]]


# --- words --------------------------------------------------------------------------------


def test_ordinals_and_agreement_words() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip
    assert agreement_words(0.85) == "in a broadly similar order"
    assert agreement_words(0.05) == "almost independently of each other"
    assert agreement_words(-0.4) == "in opposing orders"
