"""Unit tests for civicpulse_report.statistics.stats against published and hand-worked values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from civicpulse_report.statistics.association import rank_correlation
from civicpulse_report.statistics.comparison import change_test, compare_to_comparator
from civicpulse_report.statistics.intervals import wilson_interval, z_value
from civicpulse_report.statistics.reliability import cronbach_alpha
from civicpulse_report.statistics.shrinkage import empirical_bayes_shrinkage
from civicpulse_report.statistics.summaries import summarise_groups
from civicpulse_report.statistics.weighting import (
    Estimate,
    design_effect,
    kish_effective_n,
    weighted_mean,
    weighted_proportion,
)

# Newcombe RG (1998). Two-sided confidence intervals for the single proportion:
# comparison of seven methods. Statistics in Medicine 17:857-872, Table I,
# method 3 (Wilson score interval without continuity correction), 95% level.
NEWCOMBE_1998_WILSON = [
    # (r, n, lower, upper)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


# --------------------------------------------------------------------------
# Wilson score interval
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("r", "n", "lower", "upper"), NEWCOMBE_1998_WILSON)
def test_wilson_matches_newcombe_1998_table(r: int, n: int, lower: float, upper: float) -> None:
    lo, hi = wilson_interval(r / n, n)
    assert isinstance(lo, float)
    assert round(lo, 4) == lower
    assert round(hi, 4) == upper


def test_wilson_vectorised_matches_newcombe_in_one_call() -> None:
    r = np.array([row[0] for row in NEWCOMBE_1998_WILSON], dtype=float)
    n = np.array([row[1] for row in NEWCOMBE_1998_WILSON], dtype=float)
    lo, hi = wilson_interval(r / n, n)
    np.testing.assert_array_equal(np.round(lo, 4), [row[2] for row in NEWCOMBE_1998_WILSON])
    np.testing.assert_array_equal(np.round(hi, 4), [row[3] for row in NEWCOMBE_1998_WILSON])


def test_wilson_non_positive_or_missing_base_gives_nan() -> None:
    lo, hi = wilson_interval(np.array([0.5, 0.5, 0.5, np.nan]), np.array([0.0, -3.0, 10.0, 10.0]))
    assert np.isnan(lo[[0, 1, 3]]).all() and np.isnan(hi[[0, 1, 3]]).all()
    assert 0.0 < lo[2] < 0.5 < hi[2] < 1.0


def test_wilson_accepts_non_integer_effective_base() -> None:
    # Wilson on n_eff = 2.909...: the 0.375 example below, worked by hand:
    # z = 1.959964, z²/n = 3.841459/2.909091 = 1.320501,
    # centre = 0.375 + 0.660251 = 1.035251,
    # half = 1.959964 * sqrt(0.234375/2.909091 + 3.841459/(4 * 2.909091²))
    #      = 1.959964 * sqrt(0.080566 + 0.113481) = 1.959964 * 0.440508 = 0.863379,
    # limits = (1.035251 ∓ 0.863379) / 2.320501 = 0.074067, 0.818198.
    lo, hi = wilson_interval(0.375, 64 / 22)
    assert lo == pytest.approx(0.074067, abs=5e-6)
    assert hi == pytest.approx(0.818198, abs=5e-6)


def test_wilson_other_confidence_level_widens() -> None:
    lo95, hi95 = wilson_interval(81 / 263, 263)
    lo99, hi99 = wilson_interval(81 / 263, 263, confidence=0.99)
    assert lo99 < lo95 and hi99 > hi95


def test_percentages_are_refused() -> None:
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        wilson_interval(0.5, 10, confidence=95)
    with pytest.raises(ValueError, match=r"fractions 0-1, got \[30.8\]"):
        wilson_interval(np.array([0.3, 30.8]), 263)
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)


# --------------------------------------------------------------------------
# Kish effective n and design effect
# --------------------------------------------------------------------------


def test_kish_effective_n_and_design_effect_hand_worked() -> None:
    # w = [1, 1, 2, 4]: Σw = 8, Σw² = 1 + 1 + 4 + 16 = 22.
    # n_eff = 8²/22 = 64/22 = 2.90909...; deff = 4 * 22 / 64 = 1.375.
    weights = [1, 1, 2, 4]
    assert kish_effective_n(weights) == pytest.approx(64 / 22, rel=1e-15)
    assert design_effect(weights) == pytest.approx(1.375, rel=1e-15)


def test_equal_weights_have_no_design_effect() -> None:
    assert kish_effective_n([3.0] * 7) == pytest.approx(7.0)
    assert design_effect([3.0] * 7) == pytest.approx(1.0)
    assert np.isnan(kish_effective_n([]))


# --------------------------------------------------------------------------
# Weighted proportion and mean
# --------------------------------------------------------------------------


def test_weighted_proportion_hand_worked() -> None:
    # x = [1, 0, 1, 0, NaN], w = [1, 1, 2, 4, 3]; the NaN drops out of the base.
    # Σw = 8, Σwx = 1 + 2 = 3, p = 3/8 = 0.375.
    # Σw² = 22, n_eff = 64/22 = 2.909091, deff = 1.375.
    # se = sqrt(0.375 * 0.625 / 2.909091) = sqrt(0.0805664) = 0.2838422.
    est = weighted_proportion([1, 0, 1, 0, np.nan], [1, 1, 2, 4, 3])
    assert est.type == "proportion"
    assert est.estimate == pytest.approx(0.375)
    assert est.se == pytest.approx(0.2838422, abs=1e-7)
    assert est.base == 4
    assert est.weighted_base == pytest.approx(8.0)
    assert est.n_eff == pytest.approx(2.909091, abs=1e-6)
    assert est.deff == pytest.approx(1.375)
    assert (est.ci_lower, est.ci_upper) == pytest.approx((0.074067, 0.818198), abs=5e-6)


def test_weighted_proportion_unweighted_reduces_to_newcombe() -> None:
    values = np.r_[np.ones(81), np.zeros(182)]
    est = weighted_proportion(values, np.full(263, 2.5))
    assert est.n_eff == pytest.approx(263)
    assert (round(est.ci_lower, 4), round(est.ci_upper, 4)) == (0.2553, 0.3662)
    assert est.se == pytest.approx(np.sqrt((81 / 263) * (182 / 263) / 263))


def test_weighted_proportion_rejects_non_binary_values() -> None:
    with pytest.raises(ValueError, match="0/1"):
        weighted_proportion([0, 1, 2], [1, 1, 1])


def test_weighted_proportion_empty_base_is_all_nan() -> None:
    est = weighted_proportion([np.nan, np.nan], [1.0, 2.0])
    assert est.base == 0 and est.weighted_base == 0.0
    assert np.isnan([est.estimate, est.se, est.ci_lower, est.ci_upper]).all()


def test_weighted_mean_hand_worked() -> None:
    # x = [2, 4, 6, 8, NaN], w = [1, 1, 2, 4, 5]; the NaN drops out.
    # Σw = 8, Σwx = 2 + 4 + 12 + 32 = 50, m = 6.25.
    # x - m = [-4.25, -2.25, -0.25, 1.75]; w² = [1, 1, 4, 16];
    # Σw²(x - m)² = 18.0625 + 5.0625 + 0.25 + 49 = 72.375.
    # var = n/(n-1) * 72.375 / 8² = 4/3 * 72.375 / 64 = 1.5078125; se = 1.2279302.
    # CI = 6.25 ∓ 1.959964 * 1.2279302 = 3.843301, 8.656699.
    est = weighted_mean([2, 4, 6, 8, np.nan], [1, 1, 2, 4, 5])
    assert est.type == "mean"
    assert est.estimate == pytest.approx(6.25)
    assert est.se**2 == pytest.approx(1.5078125, rel=1e-12)
    assert est.se == pytest.approx(1.2279302, abs=1e-7)
    assert est.ci_lower == pytest.approx(3.843301, abs=1e-6)
    assert est.ci_upper == pytest.approx(8.656699, abs=1e-6)
    assert est.base == 4
    assert est.deff == pytest.approx(1.375)


def test_weighted_mean_equal_weights_is_classical_standard_error() -> None:
    # With equal weights the linearised variance is s²/n (s² with ddof=1).
    x = np.array([3.0, 7.0, 1.0, 9.0, 4.0, 6.0])
    est = weighted_mean(x, np.ones_like(x))
    assert est.se == pytest.approx(x.std(ddof=1) / np.sqrt(x.size), rel=1e-12)


def test_weighted_mean_is_accurate_for_large_values() -> None:
    # A large mean relative to the spread must not lose the variance to cancellation.
    x = 1e9 + np.array([2.0, 4.0, 6.0, 8.0])
    est = weighted_mean(x, [1, 1, 2, 4])
    assert est.estimate == pytest.approx(1e9 + 6.25, abs=1e-6)
    assert est.se**2 == pytest.approx(1.5078125, rel=1e-9)


def test_weighted_mean_base_one_has_no_standard_error() -> None:
    est = weighted_mean([np.nan, 5.0], [1.0, 2.0])
    assert est.estimate == 5.0 and est.base == 1
    assert np.isnan(est.se) and np.isnan(est.ci_lower) and np.isnan(est.ci_upper)


def test_bad_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="finite and > 0"):
        weighted_mean([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="differ in length"):
        weighted_mean([1.0, 2.0], [1.0])


# --------------------------------------------------------------------------
# summarise_groups
# --------------------------------------------------------------------------


def _random_survey(seed: int = 20240517, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "wave": rng.choice([2023, 2024], n),
            "la_code": pd.Categorical(
                rng.choice(["X03", "X01", "X02"], n), categories=["X03", "X02", "X01", "X99"]
            ),
            "weight": rng.gamma(2.0, 0.6, n),
            "volunteered": rng.binomial(1, 0.3, n).astype(float),
            "trust": rng.normal(6.0, 2.0, n),
        }
    )
    frame.loc[rng.random(n) < 0.15, "volunteered"] = np.nan
    frame.loc[rng.random(n) < 0.10, "trust"] = np.nan
    frame.loc[rng.random(n) < 0.05, "la_code"] = np.nan
    return frame


TYPES = {"volunteered": "proportion", "trust": "mean"}


def test_summarise_groups_equals_scalar_functions() -> None:
    frame = _random_survey()
    result = summarise_groups(frame, ["wave", "la_code"], ["volunteered", "trust"], TYPES)

    # 2 waves x 3 observed LAs x 2 indicators; the unused category X99 and
    # rows with a missing la_code are not there.
    assert len(result) == 12
    assert set(result["la_code"].astype(str)) == {"X01", "X02", "X03"}
    assert list(result.columns) == [
        "wave",
        "la_code",
        "indicator",
        "type",
        "estimate",
        "se",
        "ci_lower",
        "ci_upper",
        "base",
        "weighted_base",
        "n_eff",
        "deff",
    ]
    for row in result.itertuples(index=False):
        cell = frame[(frame["wave"] == row.wave) & (frame["la_code"] == row.la_code)]
        scalar = weighted_proportion if row.type == "proportion" else weighted_mean
        expected: Estimate = scalar(cell[row.indicator], cell["weight"])
        assert row.base == expected.base
        for field in ("estimate", "se", "ci_lower", "ci_upper", "weighted_base", "n_eff", "deff"):
            assert getattr(row, field) == pytest.approx(getattr(expected, field), rel=1e-12), (
                row.la_code,
                row.indicator,
                field,
            )


def test_summarise_groups_keeps_key_dtypes_and_order() -> None:
    frame = _random_survey()
    result = summarise_groups(frame, ["wave", "la_code"], ["volunteered", "trust"], TYPES)
    assert isinstance(result["la_code"].dtype, pd.CategoricalDtype)
    assert list(result["la_code"].cat.categories) == ["X03", "X02", "X01", "X99"]
    assert result["wave"].dtype == frame["wave"].dtype
    assert result["base"].dtype == np.int64
    # Sorted by keys (categorical order), indicators in the order given.
    assert list(result["la_code"].astype(str)[:6]) == ["X03", "X03", "X02", "X02", "X01", "X01"]
    assert list(result["indicator"][:2]) == ["volunteered", "trust"]


def test_summarise_groups_drops_empty_cells_and_handles_base_one() -> None:
    frame = pd.DataFrame(
        {
            "la_code": ["A", "A", "B", "C"],
            "weight": [1.0, 3.0, 2.0, 1.0],
            "volunteered": [1.0, 0.0, np.nan, 1.0],
            "trust": [4.0, 8.0, 5.0, np.nan],
        }
    )
    result = summarise_groups(frame, ["la_code"], ["volunteered", "trust"], TYPES)
    cells = {(r.la_code, r.indicator) for r in result.itertuples()}
    assert cells == {("A", "volunteered"), ("A", "trust"), ("B", "trust"), ("C", "volunteered")}
    a_prop = result[(result["la_code"] == "A") & (result["indicator"] == "volunteered")].iloc[0]
    assert a_prop["estimate"] == pytest.approx(0.25)  # 1*1 / (1 + 3)
    b_mean = result[(result["la_code"] == "B")].iloc[0]
    assert b_mean["estimate"] == 5.0 and b_mean["base"] == 1 and np.isnan(b_mean["se"])


def test_summarise_groups_refuses_untyped_or_non_binary_columns() -> None:
    frame = _random_survey()
    with pytest.raises(ValueError, match="trust=None"):
        summarise_groups(frame, ["wave"], ["volunteered", "trust"], {"volunteered": "proportion"})
    frame["volunteered"] = frame["volunteered"] * 2
    with pytest.raises(ValueError, match=r"0/1 or NaN; check \['volunteered'\]"):
        summarise_groups(frame, ["wave"], ["volunteered"], TYPES)


# --------------------------------------------------------------------------
# Comparisons and change
# --------------------------------------------------------------------------


def test_compare_to_comparator_every_branch() -> None:
    comparator = 0.30
    lower = np.array([0.32, 0.32, 0.32, 0.20, 0.20, 0.20, 0.25, 0.30, np.nan, 0.25])
    upper = np.array([0.40, 0.40, 0.40, 0.28, 0.28, 0.28, 0.35, 0.36, 0.40, 0.35])
    polarity = [
        "higher_is_better",
        "lower_is_better",
        "neutral",
        "higher_is_better",
        "lower_is_better",
        "neutral",
        "higher_is_better",
        "higher_is_better",  # lower limit touches the comparator: similar
        "neutral",
        "neutral",
    ]
    result = compare_to_comparator(lower, upper, comparator, polarity)
    assert result.tolist() == [
        "better",
        "worse",
        "higher",
        "worse",
        "better",
        "lower",
        "similar",
        "similar",
        "not tested",
        "similar",
    ]


def test_compare_to_comparator_scalar_polarity_and_nan_comparator() -> None:
    result = compare_to_comparator([0.5, 0.5], [0.6, 0.6], [0.4, np.nan], "lower_is_better")
    assert result.tolist() == ["worse", "not tested"]
    with pytest.raises(ValueError, match="polarity must be one of"):
        compare_to_comparator(0.5, 0.6, 0.4, "up")


def test_change_test_hand_worked() -> None:
    # now 0.55 (se 0.02), before 0.50 (se 0.015):
    # diff = 0.05, se = sqrt(0.0004 + 0.000225) = sqrt(0.000625) = 0.025,
    # z = 2.0, p = 2 * (1 - Φ(2)) = 0.0455003 < 0.05 -> significant.
    # A second pair: diff = 0.03, se = 0.025, z = 1.2, p = 0.2301393 -> not.
    result = change_test([0.55, 0.53, np.nan], [0.02, 0.02, 0.02], [0.50, 0.50, 0.5], 0.015)
    assert result["difference"].tolist()[:2] == pytest.approx([0.05, 0.03])
    assert result["se_difference"].tolist()[:2] == pytest.approx([0.025, 0.025])
    assert result["z"].tolist()[:2] == pytest.approx([2.0, 1.2])
    assert result["p_value"].tolist()[:2] == pytest.approx([0.0455003, 0.2301393], abs=1e-7)
    assert result["significant"].tolist() == [True, False, False]
    assert np.isnan(result.loc[2, "p_value"]) and np.isnan(result.loc[2, "z"])
    assert result["significant"].dtype == bool


def test_change_test_keeps_series_index_and_confidence() -> None:
    now = pd.Series([0.55], index=["E06000001"])
    result = change_test(now, 0.02, 0.50, 0.015, confidence=0.99)
    assert list(result.index) == ["E06000001"]
    assert not result["significant"].iloc[0]  # p = 0.0455 is not below 0.01


# --------------------------------------------------------------------------
# Cronbach's alpha
# --------------------------------------------------------------------------

# Three items, four respondents (hand-worked):
#   a = [1, 2, 3, 4]: mean 2.5, SS = 2.25 + 0.25 + 0.25 + 2.25 = 5, var = 5/3
#   b = [2, 4, 3, 5]: mean 3.5, SS = 5, var = 5/3
#   c = [1, 3, 2, 4]: mean 2.5, SS = 5, var = 5/3
#   total = [4, 9, 8, 13]: mean 8.5, SS = 20.25 + 0.25 + 0.25 + 20.25 = 41, var = 41/3
#   alpha = 3/2 * (1 - (15/3) / (41/3)) = 3/2 * 26/41 = 39/41 = 0.9512195
ITEMS = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 3, 5], "c": [1, 3, 2, 4]}, dtype=float)


def test_cronbach_alpha_hand_worked() -> None:
    assert cronbach_alpha(ITEMS) == pytest.approx(39 / 41, rel=1e-12)


def test_cronbach_alpha_listwise_deletion() -> None:
    with_gaps = pd.concat(
        [ITEMS, pd.DataFrame({"a": [np.nan, 5.0], "b": [1.0, np.nan], "c": [2.0, 2.0]})],
        ignore_index=True,
    )
    assert cronbach_alpha(with_gaps) == pytest.approx(39 / 41, rel=1e-12)


def test_cronbach_alpha_agrees_with_covariance_form() -> None:
    # Independent route: alpha = k·c̄ / (v̄ + (k-1)·c̄), mean covariance c̄ and variance v̄.
    rng = np.random.default_rng(7)
    common = rng.normal(size=200)
    items = pd.DataFrame(
        {f"q{i}": common + rng.normal(scale=1.0 + i / 2, size=200) for i in range(5)}
    )
    cov = items.cov().to_numpy()
    k = cov.shape[0]
    c_bar = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    v_bar = np.trace(cov) / k
    assert cronbach_alpha(items) == pytest.approx(k * c_bar / (v_bar + (k - 1) * c_bar), rel=1e-12)


def test_cronbach_alpha_weights_act_like_replicated_rows() -> None:
    # A weight of 3 on the first respondent equals that row appearing three times.
    replicated = pd.concat([ITEMS.iloc[[0, 0]], ITEMS], ignore_index=True)
    weighted = cronbach_alpha(ITEMS, weights=[3.0, 1.0, 1.0, 1.0])
    assert weighted == pytest.approx(cronbach_alpha(replicated), rel=1e-12)
    assert weighted != pytest.approx(39 / 41)
    assert cronbach_alpha(ITEMS, weights=[2.0] * 4) == pytest.approx(39 / 41, rel=1e-12)


def test_cronbach_alpha_needs_two_items() -> None:
    with pytest.raises(ValueError, match="at least two items"):
        cronbach_alpha(ITEMS[["a"]])


# --------------------------------------------------------------------------
# Empirical Bayes shrinkage
# --------------------------------------------------------------------------

# DerSimonian-Laird, worked by hand, one LA with three neighbourhoods:
#   y = [0.1, 0.5, 0.3], v = [0.04, 0.01, 0.0025] -> w = 1/v = [25, 100, 400]
#   Σw = 525, Σwy = 2.5 + 50 + 120 = 172.5, ȳ_w = 172.5/525 = 23/70
#   y - ȳ_w = [-16, 12, -2]/70
#   Q = (25*256 + 100*144 + 400*4) / 4900 = 22400/4900 = 32/7
#   Σw² = 625 + 10000 + 160000 = 170625, Σw²/Σw = 325, denominator = 525 - 325 = 200
#   τ² = (32/7 - 2) / 200 = 9/700 = 0.0128571
#   B = τ²/(τ² + v) = [9/37, 9/16, 36/43] = [0.243243, 0.5625, 0.837209]
#   with μ = 0.35: θ̂ = 0.35 + B(y - 0.35) = [0.289189, 0.434375, 0.308140]
DL_FRAME = pd.DataFrame(
    {
        "la_code": ["A", "A", "A"],
        "indicator": ["volunteered"] * 3,
        "estimate": [0.1, 0.5, 0.3],
        "variance": [0.04, 0.01, 0.0025],
        "prior_mean": [0.35] * 3,
    }
)


def test_shrinkage_dersimonian_laird_hand_worked() -> None:
    out = empirical_bayes_shrinkage(DL_FRAME, ["la_code", "indicator"])
    np.testing.assert_allclose(out["tau2"], 9 / 700, rtol=1e-12)
    np.testing.assert_allclose(out["shrinkage_factor"], [9 / 37, 9 / 16, 36 / 43], rtol=1e-12)
    expected = 0.35 + np.array([9 / 37, 9 / 16, 36 / 43]) * (np.array([0.1, 0.5, 0.3]) - 0.35)
    np.testing.assert_allclose(out["shrunk_estimate"], expected, rtol=1e-12)
    np.testing.assert_allclose(
        out["shrunk_se"], np.sqrt(np.array([9 / 37, 9 / 16, 36 / 43]) * DL_FRAME["variance"])
    )
    np.testing.assert_allclose(
        out["shrunk_ci_upper"] - out["shrunk_estimate"], 1.959964 * out["shrunk_se"], rtol=1e-6
    )
    # Input columns and row order are kept.
    pd.testing.assert_frame_equal(out[DL_FRAME.columns], DL_FRAME)


def test_small_base_moves_toward_la_large_base_stays() -> None:
    out = empirical_bayes_shrinkage(DL_FRAME, ["la_code", "indicator"])
    gap_before = (0.35 - DL_FRAME["estimate"]).abs()
    moved = (out["shrunk_estimate"] - DL_FRAME["estimate"]).abs() / gap_before
    # Small base (v = 0.04) moves 1 - 9/37 = 76% of the way to the LA value;
    # large base (v = 0.0025) only 1 - 36/43 = 16%.
    assert moved[0] == pytest.approx(28 / 37)
    assert moved[2] == pytest.approx(7 / 43)
    assert moved[0] > 0.7 and moved[2] < 0.2


def test_shrinkage_tau2_zero_when_areas_agree_more_than_noise() -> None:
    # Spread of 0.01 around 0.40 with v = 0.01 each: Q = 100*(0.0001 + 0 + 0.0001) = 0.02
    # < k - 1 = 2, so τ² = 0, B = 0, and every area takes the LA value.
    frame = pd.DataFrame(
        {
            "la_code": ["A"] * 3,
            "estimate": [0.41, 0.40, 0.39],
            "variance": [0.01] * 3,
            "prior_mean": [0.38] * 3,
        }
    )
    out = empirical_bayes_shrinkage(frame, ["la_code"], bounds=(0.0, 1.0))
    assert (out["tau2"] == 0).all()
    assert (out["shrinkage_factor"] == 0).all()
    np.testing.assert_allclose(out["shrunk_estimate"], 0.38)
    # Without prior uncertainty the interval collapses; with it, it does not.
    assert (out["shrunk_se"] == 0).all()
    frame["prior_var"] = 0.0004
    out = empirical_bayes_shrinkage(frame, ["la_code"], prior_variance="prior_var")
    np.testing.assert_allclose(out["shrunk_se"], 0.02)


def test_shrinkage_is_per_group_and_single_area_groups_get_zero_tau2() -> None:
    other = DL_FRAME.assign(la_code="B", estimate=[0.30, 0.31, 0.29])
    single = DL_FRAME.iloc[[0]].assign(la_code="C")
    both = pd.concat([other, DL_FRAME, single], ignore_index=True)
    out = empirical_bayes_shrinkage(both, ["la_code", "indicator"])
    alone = empirical_bayes_shrinkage(DL_FRAME, ["la_code", "indicator"])
    np.testing.assert_allclose(out.loc[3:5, "shrunk_estimate"], alone["shrunk_estimate"])
    assert out.loc[6, "tau2"] == 0 and out.loc[6, "shrunk_estimate"] == pytest.approx(0.35)
    assert out.loc[0, "tau2"] != out.loc[3, "tau2"]


def test_shrinkage_bounds_clip_interval_from_tuple_or_columns() -> None:
    frame = pd.DataFrame(
        {
            "la_code": ["A", "A"],
            "estimate": [0.01, 0.9],
            "variance": [0.05, 0.05],
            "prior_mean": [0.02, 0.02],
            "lo": [0.0, np.nan],
            "hi": [1.0, np.nan],
        }
    )
    raw = empirical_bayes_shrinkage(frame, ["la_code"])
    assert raw.loc[0, "shrunk_ci_lower"] < 0 and raw.loc[1, "shrunk_ci_upper"] > 1
    clipped = empirical_bayes_shrinkage(frame, ["la_code"], bounds=(0.0, 1.0))
    assert clipped.loc[0, "shrunk_ci_lower"] == 0.0 and clipped.loc[1, "shrunk_ci_upper"] == 1.0
    # Unclipped limits and the estimates are untouched.
    assert clipped.loc[1, "shrunk_ci_lower"] == raw.loc[1, "shrunk_ci_lower"]
    pd.testing.assert_series_equal(clipped["shrunk_estimate"], raw["shrunk_estimate"])
    # Per-row bounds from columns; NaN means unbounded.
    by_column = empirical_bayes_shrinkage(frame, ["la_code"], bounds=("lo", "hi"))
    assert by_column.loc[0, "shrunk_ci_lower"] == 0.0
    assert by_column.loc[1, "shrunk_ci_upper"] == raw.loc[1, "shrunk_ci_upper"] > 1


def test_shrinkage_missing_inputs_give_nan_rows_without_disturbing_others() -> None:
    frame = pd.concat([DL_FRAME, DL_FRAME.iloc[[0]].assign(estimate=np.nan)], ignore_index=True)
    out = empirical_bayes_shrinkage(frame, ["la_code", "indicator"])
    assert out.loc[3, ["tau2", "shrunk_estimate", "shrunk_se"]].isna().all()
    np.testing.assert_allclose(out.loc[:2, "tau2"], 9 / 700, rtol=1e-12)


# --------------------------------------------------------------------------
# Rank correlation
# --------------------------------------------------------------------------


def test_rank_correlation_hand_worked_with_ties() -> None:
    # x ranks [1, 2, 3, 4, 5]; y = [2, 1, 4, 4, 5] ranks [2, 1, 3.5, 3.5, 5].
    # Pearson on ranks: deviations x [-2,-1,0,1,2], y [-1,-2,0.5,0.5,2];
    # Σdxdy = 2 + 2 + 0 + 0.5 + 4 = 8.5; Σdx² = 10; Σdy² = 1 + 4 + .25 + .25 + 4 = 9.5
    # rho = 8.5 / sqrt(95) = 0.8720816.
    rho = rank_correlation([1, 2, 3, 4, 5], [2, 1, 4, 4, 5])
    assert rho == pytest.approx(8.5 / np.sqrt(95), rel=1e-12)
    assert rho == pytest.approx(sps.spearmanr([1, 2, 3, 4, 5], [2, 1, 4, 4, 5])[0])


def test_rank_correlation_needs_three_pairs() -> None:
    assert np.isnan(rank_correlation([1, 2, np.nan, 4], [3, 1, 2, np.nan]))
    assert rank_correlation([1, 2, 3, np.nan], [3, 2, 1, 0]) == pytest.approx(-1.0)
    assert np.isnan(rank_correlation([1, 1, 1], [1, 2, 3]))


def _hood_frame(kind: str, la: tuple[float, float, float], hoods: list[tuple[float, float]]):
    """One LA row (estimate, se, n_eff) and its neighbourhoods (estimate, se), n_eff 60 each."""
    import pandas as pd

    base = {"wave": 2026, "la_code": "E06000001", "indicator": "x", "type": kind}
    rows = [{**base, "level": "la", "breakdown": "all", "estimate": la[0], "se": la[1],
             "n_eff": la[2], "ci_lower": None, "ci_upper": None}]  # fmt: skip
    rows += [
        {
            **base,
            "level": "neighbourhood",
            "breakdown": "neighbourhood",
            "estimate": e,
            "se": s,
            "n_eff": 60.0,
            "ci_lower": None,
            "ci_upper": None,
        }
        for e, s in hoods
    ]
    return pd.DataFrame(rows)


def test_a_neighbourhood_whose_answers_are_all_the_same_still_has_a_standard_error() -> None:
    from civicpulse_report.statistics.derived import shrink_neighbourhoods

    # Hand-worked: the LA's unit variance is se² · n_eff = 0.5² · 400 = 100, so a
    # neighbourhood with no spread of its own gets variance 100 / 60 before shrinkage.
    frame = _hood_frame("mean", (50.0, 0.5, 400.0), [(40.0, 0.0), (55.0, 1.4), (60.0, 1.2)])
    out = shrink_neighbourhoods(frame, 0.95)
    hoods = out[out["level"] == "neighbourhood"].reset_index(drop=True)
    assert (hoods["se"] > 0).all(), hoods[["estimate", "se"]]
    assert hoods["ci_upper"].gt(hoods["ci_lower"]).all()
    unchanged = shrink_neighbourhoods(
        _hood_frame(
            "mean", (50.0, 0.5, 400.0), [(40.0, (100 / 60) ** 0.5), (55.0, 1.4), (60.0, 1.2)]
        ),
        0.95,
    )
    assert np.allclose(unchanged.loc[unchanged["level"] == "neighbourhood", "se"], hoods["se"])


def test_a_neighbourhood_of_an_la_at_zero_per_cent_is_not_infinitely_precise() -> None:
    from civicpulse_report.statistics.derived import shrink_neighbourhoods

    frame = _hood_frame("proportion", (0.0, 0.0, 400.0), [(0.0, 0.0), (0.0, 0.0)])
    out = shrink_neighbourhoods(frame, 0.95)
    hoods = out[out["level"] == "neighbourhood"]
    # p~ = 2 / 404 for the LA: its variance p~(1 - p~)/400, in per cent squared.
    p = 2 / 404
    assert np.allclose(hoods["se"], (p * (1 - p) / 400) ** 0.5 * 100), hoods
