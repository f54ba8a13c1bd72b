"""The one-pass estimates (estimates.compute_estimates) checked against direct computations.

Each expected number is recomputed here from the microdata of the small demo
(``small_dataset``) with numpy or the scalar functions of ``stats``, never
from the estimates frame itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from civicpulse_report.inputs import Dataset
from civicpulse_report.measures import Measures
from civicpulse_report.scoring import score_indicators, standardised_components
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.comparison import change_test
from civicpulse_report.statistics.estimates import (
    COMPARATORS,
    ENGLAND_CODE,
    NUMERIC_COLUMNS,
    EstimateSet,
    indicator_types,
    respondent_values,
)
from civicpulse_report.statistics.intervals import wilson_interval
from civicpulse_report.statistics.reliability import cronbach_alpha
from civicpulse_report.statistics.summaries import summarise_groups
from civicpulse_report.statistics.weighting import weighted_mean, weighted_proportion

Z95 = float(norm.ppf(0.975))  # 1.959964...
REL = 1e-10


@pytest.fixture(scope="module")
def est(small_estimates: EstimateSet) -> pd.DataFrame:
    return small_estimates.estimates


@pytest.fixture(scope="module")
def values(small_dataset: Dataset, measures: Measures) -> pd.DataFrame:
    """Respondent-level indicator and index values, with geography and demographics."""
    return respondent_values(small_dataset, measures)[0]


def one_row(est: pd.DataFrame, **keys: object) -> pd.Series:
    mask = np.ones(len(est), dtype=bool)
    for col, value in keys.items():
        mask &= (est[col] == value).to_numpy()
    rows = est[mask]
    assert len(rows) == 1, f"{len(rows)} rows for {keys}"
    return rows.iloc[0]


def valid(x: pd.Series, w: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    ok = x.notna().to_numpy()
    return x.to_numpy(float)[ok], w.to_numpy(float)[ok]


# --------------------------------------------------------------------------
# Point estimates and intervals
# --------------------------------------------------------------------------


def test_england_proportion_and_wilson_interval_match_a_hand_computation(
    est: pd.DataFrame, small_dataset: Dataset, measures: Measures
) -> None:
    survey = small_dataset.survey
    scores = score_indicators(survey, measures)
    in_wave = survey["wave"] == 2025
    x, w = valid(scores.loc[in_wave, "can_influence"], survey.loc[in_wave, "weight"])
    assert set(np.unique(x)) == {0.0, 1.0}
    p = (w * x).sum() / w.sum()  # Σw·x / Σw over valid answers
    n_eff = w.sum() ** 2 / (w**2).sum()  # Kish
    lo, hi = wilson_interval(p, n_eff, 0.95)

    row = one_row(est, wave=2025, level="england", breakdown="all", indicator="can_influence")
    assert row["type"] == "proportion"
    assert row["estimate"] == pytest.approx(100 * p, rel=REL)
    assert row["ci_lower"] == pytest.approx(100 * lo, rel=REL)
    assert row["ci_upper"] == pytest.approx(100 * hi, rel=REL)
    assert row["se"] == pytest.approx(100 * np.sqrt(p * (1 - p) / n_eff), rel=REL)
    assert row["base"] == len(x)
    assert row["weighted_base"] == pytest.approx(w.sum(), rel=REL)
    assert row["n_eff"] == pytest.approx(n_eff, rel=REL)
    assert row["deff"] == pytest.approx(len(x) / n_eff, rel=REL)
    # The interval is on n_eff, not on the unweighted base: it is wider.
    lo_n, hi_n = wilson_interval(p, len(x), 0.95)
    assert hi - lo > hi_n - lo_n


def test_la_mean_and_its_linearised_standard_error(
    est: pd.DataFrame, small_dataset: Dataset, measures: Measures
) -> None:
    survey = small_dataset.survey
    scores = score_indicators(survey, measures)
    la = "X07000003"
    cell = (survey["wave"] == 2026) & (survey["la_code"] == la)
    x, w = valid(scores.loc[cell, "resilience"], survey.loc[cell, "weight"])
    n = len(x)
    m = np.average(x, weights=w)
    # var(m) = n/(n-1) · Σw²(x - m)² / (Σw)²  (svymean, weights-only design)
    se = np.sqrt(n / (n - 1) * np.sum(w**2 * (x - m) ** 2) / w.sum() ** 2)

    row = one_row(est, wave=2026, level="la", area_code=la, breakdown="all", indicator="resilience")
    assert row["type"] == "mean"
    assert row["estimate"] == pytest.approx(m, rel=REL)
    assert row["se"] == pytest.approx(se, rel=1e-8)
    assert row["ci_lower"] == pytest.approx(m - Z95 * se, rel=1e-9)
    assert row["ci_upper"] == pytest.approx(m + Z95 * se, rel=1e-9)
    assert row["base"] == n
    assert 1.0 <= m <= 5.0


# --------------------------------------------------------------------------
# Comparators and significance
# --------------------------------------------------------------------------


def _pooled_percent(
    survey: pd.DataFrame, scores: pd.DataFrame, las: list[str], wave: int, ind: str
) -> float:
    cell = (survey["wave"] == wave) & survey["la_code"].isin(las)
    x, w = valid(scores.loc[cell, ind], survey.loc[cell, "weight"])
    return 100 * (w * x).sum() / w.sum()


def test_region_la_type_and_neighbour_comparators_for_one_la(
    est: pd.DataFrame, small_estimates: EstimateSet, small_dataset: Dataset, measures: Measures
) -> None:
    survey = small_dataset.survey
    scores = score_indicators(survey, measures)
    lookup = small_dataset.la_lookup.set_index("la_code")
    la, wave, ind = "X07000001", 2026, "trust_neighbours"
    region_las = lookup.index[lookup["region"] == lookup.loc[la, "region"]].tolist()
    type_las = lookup.index[lookup["la_type"] == lookup.loc[la, "la_type"]].tolist()
    # Guard: the comparators pool more than the LA itself, or the test proves little.
    assert len(region_las) >= 2
    assert len(type_las) >= 3

    row = one_row(est, wave=wave, level="la", area_code=la, breakdown="all", indicator=ind)
    all_las = lookup.index.tolist()
    assert row["england_value"] == pytest.approx(
        _pooled_percent(survey, scores, all_las, wave, ind), rel=REL
    )
    assert row["region_value"] == pytest.approx(
        _pooled_percent(survey, scores, region_las, wave, ind), rel=REL
    )
    assert row["la_type_value"] == pytest.approx(
        _pooled_percent(survey, scores, type_las, wave, ind), rel=REL
    )

    nbrs = small_estimates.neighbours
    mine = nbrs.loc[nbrs["la_code"] == la, "neighbour_code"].tolist()
    assert len(mine) == min(15, len(lookup) - 1) == 7
    assert la not in mine
    theirs = est[
        (est["wave"] == wave)
        & (est["level"] == "la")
        & (est["breakdown"] == "all")
        & (est["indicator"] == ind)
        & est["area_code"].isin(mine)
    ]
    assert len(theirs) == 7
    # Σ(est·weighted_base) / Σ weighted_base over the neighbours ...
    expected = (theirs["estimate"] * theirs["weighted_base"]).sum() / theirs["weighted_base"].sum()
    assert row["neighbours_value"] == pytest.approx(expected, rel=REL)
    # ... which is the estimate over the neighbours' pooled respondents.
    assert row["neighbours_value"] == pytest.approx(
        _pooled_percent(survey, scores, mine, wave, ind), rel=REL
    )


def _expected_flag(lo: np.ndarray, hi: np.ndarray, comp: np.ndarray, pol: np.ndarray) -> np.ndarray:
    """The Fingertips rule, written out independently of stats.compare_to_comparator."""
    out = np.full(lo.shape, "similar", dtype=object)
    above = lo > comp
    below = hi < comp
    good_up = pol == "higher_is_better"
    good_down = pol == "lower_is_better"
    out[above & good_up] = "better"
    out[above & good_down] = "worse"
    out[above & ~good_up & ~good_down] = "higher"
    out[below & good_up] = "worse"
    out[below & good_down] = "better"
    out[below & ~good_up & ~good_down] = "lower"
    out[np.isnan(lo) | np.isnan(hi) | np.isnan(comp)] = "not tested"
    return out


@pytest.mark.parametrize("comparator", COMPARATORS)
def test_significance_flags_follow_the_interval_and_polarity(
    est: pd.DataFrame, comparator: str
) -> None:
    lo = est["ci_lower"].to_numpy(float)
    hi = est["ci_upper"].to_numpy(float)
    comp = est[f"{comparator}_value"].to_numpy(float)
    expected = _expected_flag(lo, hi, comp, est["polarity"].to_numpy())
    got = est[f"sig_{comparator}"].to_numpy()
    bad = np.flatnonzero(got != expected)
    assert bad.size == 0, est.iloc[bad[:5]][["indicator", "area_code", f"sig_{comparator}"]]
    # Both directions occur, so the check is not vacuous.
    assert {"better", "worse", "similar"} <= set(got)


def test_comparators_apply_where_they_should(est: pd.DataFrame) -> None:
    la_overall = (est["level"] == "la") & (est["breakdown"] == "all")
    for name in ("region", "la_type", "neighbours"):
        assert est.loc[~la_overall, f"{name}_value"].isna().all(), name
        assert (est.loc[~la_overall, f"sig_{name}"] == "not tested").all(), name
        assert est.loc[la_overall, f"{name}_value"].notna().all(), name
    assert est.loc[est["level"] == "england", "england_value"].isna().all()
    # Groups and neighbourhoods are compared with England overall, same wave and indicator.
    eng = est[(est["level"] == "england") & (est["breakdown"] == "all")]
    eng = eng.set_index(["wave", "indicator"])["estimate"]
    others = est[(est["level"] != "england") & ~est["suppressed"]]
    expected = eng.reindex(pd.MultiIndex.from_frame(others[["wave", "indicator"]])).to_numpy()
    np.testing.assert_allclose(others["england_value"].to_numpy(float), expected, rtol=1e-12)


# --------------------------------------------------------------------------
# Disclosure control
# --------------------------------------------------------------------------

LEVEL_KEYS: dict[tuple[str, str], list[str]] = {
    ("england", "all"): ["wave"],
    ("region", "all"): ["wave", "region"],
    ("la_type", "all"): ["wave", "la_type"],
    ("la", "all"): ["wave", "la_code"],
    ("neighbourhood", "neighbourhood"): ["wave", "la_code", "neighbourhood_code"],
}


def _level_keys(breakdowns: tuple[str, ...]) -> Iterator[tuple[tuple[str, str], list[str]]]:
    yield from LEVEL_KEYS.items()
    for b in breakdowns:
        yield ("england", b), ["wave", b]
        yield ("la", b), ["wave", "la_code", b]


def direct_bases(values: pd.DataFrame, est: pd.DataFrame, breakdowns: tuple[str, ...]) -> pd.Series:
    """Unweighted valid-answer count behind every estimates row, by plain groupby."""
    indicators = sorted(est["indicator"].unique())
    parts = []
    for (level, breakdown), keys in _level_keys(breakdowns):
        counts = values.dropna(subset=keys).groupby(keys)[indicators].count()
        counts = counts.stack().rename("direct_base").reset_index()
        counts = counts.rename(columns={counts.columns[len(keys)]: "indicator"})
        counts["level"] = level
        counts["breakdown"] = breakdown
        last = keys[-1]
        if level == "england" and breakdown == "all":
            counts["area_code"], counts["group_code"] = ENGLAND_CODE, ""
        elif breakdown == "all":
            counts["area_code"], counts["group_code"] = counts[last].astype(str), ""
        elif level == "neighbourhood":
            counts["area_code"] = counts[last].astype(str)
            counts["group_code"] = counts[last].astype(str)
        else:
            counts["area_code"] = ENGLAND_CODE if level == "england" else counts["la_code"]
            counts["group_code"] = counts[last].astype(int).astype(str)
        parts.append(
            counts[
                [
                    "wave",
                    "level",
                    "area_code",
                    "breakdown",
                    "group_code",
                    "indicator",
                    "direct_base",
                ]
            ]
        )
    direct = pd.concat(parts, ignore_index=True)
    keyed = est[["wave", "level", "area_code", "breakdown", "group_code", "indicator"]].copy()
    keyed["group_code"] = keyed["group_code"].fillna("").astype(str)
    merged = keyed.merge(direct, how="left", on=list(keyed.columns), validate="one_to_one")
    return merged["direct_base"].fillna(0).astype(int).set_axis(est.index)


def test_suppression_is_exactly_the_cells_below_min_base(
    est: pd.DataFrame, values: pd.DataFrame, settings: Settings
) -> None:
    base = direct_bases(values, est, settings.breakdowns)
    small = base < settings.min_base
    # Guards: the fixture has both kinds, including groups just either side of 50.
    assert small.sum() > 100
    assert ((base >= settings.min_base) & (base < 60)).any()
    assert ((base < settings.min_base) & (base >= 40)).any()
    # Primary suppression is exactly the small cells; secondary suppression
    # (tests/unit/test_suppression.py) hides some larger ones besides.
    primary = (est["suppression"] == "primary").to_numpy()
    np.testing.assert_array_equal(primary, small.to_numpy())
    secondary = (est["suppression"] == "secondary").to_numpy()
    assert (base[secondary] >= settings.min_base).all()
    np.testing.assert_array_equal(est["suppressed"].to_numpy(bool), primary | secondary)
    published = ~(primary | secondary)
    assert (est["base"].to_numpy()[published] == base[published].to_numpy()).all()


def test_suppressed_rows_carry_no_numbers(est: pd.DataFrame, settings: Settings) -> None:
    sup = est[est["suppressed"]]
    assert len(sup) > 0
    # previous_estimate may stay: it is the previous wave's own (published) figure.
    for col in (*NUMERIC_COLUMNS, "shrinkage_factor", "change", "change_p"):
        assert sup[col].isna().all(), col
    for name in COMPARATORS:
        assert (sup[f"sig_{name}"] == "not tested").all(), name
    assert not sup["change_significant"].any()
    assert (est.loc[~est["suppressed"], "base"] >= settings.min_base).all()


# --------------------------------------------------------------------------
# Change since the previous wave
# --------------------------------------------------------------------------


def test_change_is_the_difference_and_its_test_agrees_with_change_test(est: pd.DataFrame) -> None:
    keys = ["level", "area_code", "breakdown", "group_code", "indicator"]
    first = est["wave"] == 2024
    assert est.loc[first, "previous_wave"].isna().all()
    assert est.loc[first, "change"].isna().all()
    assert not est.loc[first, "change_significant"].any()

    later = est[~first].copy()
    assert set(later["previous_wave"].astype(int)) == {2024, 2025}
    assert (later["previous_wave"] == later["wave"] - 1).all()
    prev = est[["wave", *keys, "estimate", "se"]].rename(
        columns={"wave": "previous_wave", "estimate": "prev_est", "se": "prev_se"}
    )
    prev["previous_wave"] = prev["previous_wave"].astype(float)
    later["group_code"] = later["group_code"].fillna("")
    prev["group_code"] = prev["group_code"].fillna("")
    joined = later.merge(prev, on=["previous_wave", *keys], how="left", validate="one_to_one")
    np.testing.assert_array_equal(
        joined["previous_estimate"].to_numpy(float), joined["prev_est"].to_numpy(float)
    )
    both = joined["estimate"].notna() & joined["prev_est"].notna()
    assert both.sum() > 1000
    np.testing.assert_allclose(
        joined.loc[both, "change"], joined.loc[both, "estimate"] - joined.loc[both, "prev_est"],
        rtol=0, atol=1e-9,
    )  # fmt: skip
    assert joined.loc[~both, "change"].isna().all()
    test = change_test(
        joined["estimate"].to_numpy(float), joined["se"].to_numpy(float),
        joined["prev_est"].to_numpy(float), joined["prev_se"].to_numpy(float), confidence=0.95,
    )  # fmt: skip
    np.testing.assert_array_equal(joined["change_significant"].to_numpy(bool), test["significant"])
    np.testing.assert_allclose(joined["change_p"], test["p_value"], rtol=1e-12)
    # Significant changes exist (the demo has a trend and a sharp change), but are rare.
    share = joined.loc[both, "change_significant"].mean()
    assert 0 < share < 0.5


# --------------------------------------------------------------------------
# Neighbourhoods: modelled, shrunk between direct and LA values
# --------------------------------------------------------------------------


def test_neighbourhood_estimates_are_modelled_and_shrunk_toward_the_la(
    est: pd.DataFrame, values: pd.DataFrame, measures: Measures
) -> None:
    nb = est["level"] == "neighbourhood"
    assert est.loc[nb, "modelled"].all()
    assert not est.loc[~nb, "modelled"].any()

    types = indicator_types(measures)
    direct = summarise_groups(values, ["wave", "la_code", "neighbourhood_code"], list(types), types)
    scale = np.where(direct["type"] == "proportion", 100.0, 1.0)
    direct["direct"] = direct["estimate"] * scale
    direct = direct.rename(columns={"neighbourhood_code": "area_code"})
    la = est[(est["level"] == "la") & (est["breakdown"] == "all")]
    la = la[["wave", "area_code", "indicator", "estimate"]].rename(
        columns={"area_code": "la_code", "estimate": "la_value"}
    )
    rows = est[nb & ~est["suppressed"]].merge(
        direct[["wave", "la_code", "area_code", "indicator", "direct"]],
        on=["wave", "la_code", "area_code", "indicator"], how="left", validate="one_to_one",
    ).merge(la, on=["wave", "la_code", "indicator"], how="left", validate="many_to_one")  # fmt: skip
    assert len(rows) > 500
    assert rows[["direct", "la_value", "estimate"]].notna().all().all()
    lo = np.minimum(rows["direct"], rows["la_value"]) - 1e-9
    hi = np.maximum(rows["direct"], rows["la_value"]) + 1e-9
    outside = ~rows["estimate"].between(lo, hi)
    assert not outside.any(), rows.loc[
        outside, ["area_code", "indicator", "direct", "la_value", "estimate"]
    ]
    # θ̂ = μ + B (y - μ) with 0 <= B <= 1
    b = rows["shrinkage_factor"]
    assert b.between(0, 1).all()
    np.testing.assert_allclose(
        rows["estimate"], rows["la_value"] + b * (rows["direct"] - rows["la_value"]), atol=1e-9
    )
    # Shrinkage happens: most neighbourhoods move off their direct estimate.
    moved = (rows["estimate"] - rows["direct"]).abs() > 1e-6
    assert moved.mean() > 0.5


# --------------------------------------------------------------------------
# Cronbach's alpha
# --------------------------------------------------------------------------


@pytest.mark.parametrize("domain", ["everyday", "drivers", "assets", "traditional"])
def test_cronbach_alpha_matches_stats_on_standardised_components(
    small_estimates: EstimateSet, values: pd.DataFrame, measures: Measures, domain: str
) -> None:
    comp = standardised_components(values, measures, small_estimates.reference, domain)
    alpha = small_estimates.alpha.set_index(["wave", "area_code", "domain"])
    la = "X08000001"
    for wave in small_estimates.waves:
        in_wave = (values["wave"] == wave).to_numpy()
        eng = comp[in_wave]
        assert alpha.loc[(wave, ENGLAND_CODE, domain), "alpha"] == pytest.approx(
            cronbach_alpha(eng), rel=1e-9
        )
        assert alpha.loc[(wave, ENGLAND_CODE, domain), "n"] == eng.notna().all(axis=1).sum()
        # The per-LA alphas come from a separate grouped path: check one LA too.
        mine = comp[in_wave & (values["la_code"] == la).to_numpy()]
        assert alpha.loc[(wave, la, domain), "alpha"] == pytest.approx(
            cronbach_alpha(mine), rel=1e-9
        )
        assert alpha.loc[(wave, la, domain), "n"] == mine.notna().all(axis=1).sum()


def test_index_reference_wave_is_the_first_wave(
    small_estimates: EstimateSet, est: pd.DataFrame
) -> None:
    # England in the reference wave is 100 on every domain index, by construction.
    assert small_estimates.reference.wave == 2024
    eng = est[(est["wave"] == 2024) & (est["level"] == "england") & (est["breakdown"] == "all")]
    idx = eng[eng["indicator"].str.startswith("index_")]
    assert len(idx) == 6
    np.testing.assert_allclose(idx["estimate"], 100.0, atol=0.6)


# --------------------------------------------------------------------------
# The one pass equals the scalar functions cell by cell
# --------------------------------------------------------------------------


def test_random_la_group_cells_equal_scalar_estimates(
    est: pd.DataFrame, values: pd.DataFrame
) -> None:
    rng = np.random.default_rng(20260)
    cells = est[
        (est["level"] == "la")
        & ~est["breakdown"].isin(["all", "neighbourhood"])
        & ~est["suppressed"]
    ]
    picks = cells.iloc[rng.choice(len(cells), size=30, replace=False)]
    assert set(picks["type"]) == {"proportion", "mean"}
    for _, row in picks.iterrows():
        sub = values[
            (values["wave"] == row["wave"])
            & (values["la_code"] == row["area_code"])
            & (values[row["breakdown"]] == int(row["group_code"]))
        ]
        if row["type"] == "proportion":
            ref = weighted_proportion(sub[row["indicator"]], sub["weight"])
            scale = 100.0
        else:
            ref = weighted_mean(sub[row["indicator"]], sub["weight"])
            scale = 1.0
        where = f"{row['area_code']} {row['breakdown']}={row['group_code']} {row['indicator']}"
        for col in ("estimate", "se", "ci_lower", "ci_upper"):
            assert row[col] == pytest.approx(scale * getattr(ref, col), rel=1e-8, abs=1e-10), (
                where,
                col,
            )
        for col in ("base", "weighted_base", "n_eff", "deff"):
            assert row[col] == pytest.approx(getattr(ref, col), rel=1e-10), (where, col)


# --------------------------------------------------------------------------
# The whole nation keeps its names: England, Region, LA type, Nearest neighbours
# --------------------------------------------------------------------------


def test_the_whole_demo_nation_names_its_comparators_england(small_estimates: EstimateSet) -> None:
    assert small_estimates.coverage is not None and small_estimates.coverage.national
    names = {k: s.name for k, s in small_estimates.scopes.items()}
    assert names == {
        "england": "England",
        "region": "Region",
        "la_type": "LA type",
        "neighbours": "Nearest neighbours",
        "groups": "England",
    }
    e = small_estimates.estimates
    la = e[e["level"].isin(["la", "neighbourhood"]) & e["england_value"].notna()]
    assert (la["england_name"] == "England").all()
    # 8 LAs: each has the 7 others as neighbours, fewer than the 15 asked for, and says so.
    scope = small_estimates.scopes["neighbours"]
    assert (scope.k_used, scope.k_requested) == (7, 15) and "7 rather than the 15" in scope.reason
    assert small_estimates.neighbours_k_used == 7
    assert set(e["source"]) == {"microdata"}
