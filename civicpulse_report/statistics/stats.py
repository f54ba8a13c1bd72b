"""Weighted survey estimates, confidence intervals, comparisons and shrinkage.

Every function here is pure: arrays or data frames in, arrays or data frames
out, no I/O. Proportions are fractions (0-1); the caller converts to percent.
Missing values are NaN and drop out of the base.

Methods follow official-statistics practice:

* weighted proportions carry a Wilson score interval (the OHID Fingertips
  method; Wilson 1927, Newcombe 1998) computed on the Kish effective sample
  size, so the interval reflects the loss of precision from weighting;
* weighted means carry a Taylor-linearised standard error, the same as R's
  ``survey::svymean`` for a design with weights only (no strata or clusters);
* comparisons with a benchmark follow the Fingertips rule: the area's interval
  against the comparator's point value;
* neighbourhood estimates can be shrunk toward their LA value with an
  empirical Bayes (Fay-Herriot style) model whose between-area variance is
  estimated by the DerSimonian-Laird method of moments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse
from scipy import stats as sps

EstimateType = Literal["proportion", "mean"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]

ESTIMATE_TYPES: tuple[str, ...] = ("proportion", "mean")
POLARITIES: tuple[str, ...] = ("higher_is_better", "lower_is_better", "neutral")

SUMMARY_COLUMNS: tuple[str, ...] = (
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
)

SHRINKAGE_COLUMNS: tuple[str, ...] = (
    "tau2",
    "shrinkage_factor",
    "shrunk_estimate",
    "shrunk_se",
    "shrunk_ci_lower",
    "shrunk_ci_upper",
)


@dataclass(frozen=True)
class Estimate:
    """One weighted estimate with its uncertainty.

    Attributes
    ----------
    estimate : float
        The weighted proportion (fraction 0-1) or weighted mean.
    se : float
        Standard error of ``estimate``.
    ci_lower, ci_upper : float
        Confidence limits: Wilson score on the effective base for a
        proportion, normal (estimate ± z·se) for a mean.
    base : int
        Unweighted number of respondents with a valid value.
    weighted_base : float
        Sum of the weights of those respondents.
    n_eff : float
        Kish effective sample size, (Σw)²/Σw².
    deff : float
        Kish design effect due to weighting, base / n_eff.
    type : {'proportion', 'mean'}
        Which kind of estimate this is.
    """

    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    base: int
    weighted_base: float
    n_eff: float
    deff: float
    type: EstimateType


def z_value(confidence: float = 0.95) -> float:
    """Return the two-sided standard normal critical value for a confidence level.

    Parameters
    ----------
    confidence : float
        Confidence level strictly between 0 and 1, e.g. 0.95.

    Returns
    -------
    float
        ``norm.ppf(1 - (1 - confidence) / 2)``; 1.959964 for 0.95.

    Raises
    ------
    ValueError
        If ``confidence`` is not strictly between 0 and 1 (a percentage such
        as 95 is a common slip, so it is refused rather than guessed at).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be a fraction between 0 and 1, got {confidence!r}")
    return float(sps.norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def kish_effective_n(weights: ArrayLike) -> float:
    """Kish effective sample size of a set of weights.

    Parameters
    ----------
    weights : array-like
        Survey weights of the respondents in the base.

    Returns
    -------
    float
        (Σw)² / Σw²; NaN when there are no weights.
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0:
        return float("nan")
    return float(np.sum(w) ** 2 / np.sum(w**2))


def design_effect(weights: ArrayLike) -> float:
    """Kish design effect due to unequal weighting.

    Parameters
    ----------
    weights : array-like
        Survey weights of the respondents in the base.

    Returns
    -------
    float
        n·Σw² / (Σw)² = n / n_eff; 1 for equal weights, NaN when empty.
    """
    w = np.asarray(weights, dtype=float)
    return float(w.size / kish_effective_n(w)) if w.size else float("nan")


def wilson_interval(
    p: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Wilson score interval for a proportion, without continuity correction.

    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)

    Parameters
    ----------
    p : float or array-like
        Observed proportion(s) as fractions.
    n : float or array-like
        Base(s). May be a non-integer effective sample size; broadcast with ``p``.
    confidence : float
        Confidence level, default 0.95.

    Returns
    -------
    tuple
        (lower, upper): floats for scalar input, arrays otherwise. NaN where
        ``n <= 0`` or either input is NaN.

    Raises
    ------
    ValueError
        If a proportion is outside 0-1 (a percentage passed by mistake) or
        ``confidence`` is not between 0 and 1.
    """
    z = z_value(confidence)
    scalar = np.ndim(p) == 0 and np.ndim(n) == 0
    p_arr, n_arr = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(n, dtype=float))
    outside = (p_arr < 0) | (p_arr > 1)
    if outside.any():
        raise ValueError(
            f"wilson_interval needs proportions as fractions 0-1, got {p_arr[outside][:5].tolist()}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        n_ok = np.where(n_arr > 0, n_arr, np.nan)
        z2n = z * z / n_ok
        centre = p_arr + z2n / 2.0
        # p(1-p) can be a hair below zero from rounding in a weighted p of 0 or 1.
        half = z * np.sqrt(np.clip(p_arr * (1.0 - p_arr), 0.0, None) / n_ok + z2n / (4.0 * n_ok))
        denom = 1.0 + z2n
        lower = (centre - half) / denom
        upper = (centre + half) / denom
    # The exact bounds at p = 0 or 1 are 0 or 1; remove rounding residue.
    lower = np.clip(lower, 0.0, 1.0)
    upper = np.clip(upper, 0.0, 1.0)
    if scalar:
        return float(lower), float(upper)
    return lower, upper


# --------------------------------------------------------------------------
# Weighted estimates from sufficient statistics
# --------------------------------------------------------------------------


def _estimates_from_sums(
    n: np.ndarray,
    sw: np.ndarray,
    sw2: np.ndarray,
    swx: np.ndarray,
    sw2x: np.ndarray,
    sw2x2: np.ndarray,
    is_proportion: np.ndarray,
    shift: np.ndarray,
    confidence: float,
) -> dict[str, np.ndarray]:
    """Turn per-cell sums into estimates; shared by the scalar and grouped paths.

    ``x`` in the sums has had ``shift`` subtracted (zero for proportions), so
    the variance sum of a mean is formed from centred values.
    """
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = sw**2 / sw2
        deff = n * sw2 / sw**2
        centred = swx / sw
        estimate = centred + shift

        # Proportion: binomial SE on the effective base, Wilson interval.
        p = np.clip(estimate, 0.0, 1.0)
        se_prop = np.sqrt(np.clip(p * (1.0 - p), 0.0, None) / n_eff)
        lo_prop, hi_prop = wilson_interval(p, n_eff, confidence)

        # Mean: linearised variance of a ratio, n/(n-1)·Σw²(x-m)²/(Σw)²,
        # with Σw²(x-m)² expanded so one pass of sums is enough.
        ss = np.clip(sw2x2 - 2.0 * centred * sw2x + centred**2 * sw2, 0.0, None)
        var_mean = np.where(n > 1, n / (n - 1.0) * ss / sw**2, np.nan)
        se_mean = np.sqrt(var_mean)

    se = np.where(is_proportion, se_prop, se_mean)
    return {
        "estimate": np.where(is_proportion, p, estimate),
        "se": se,
        "ci_lower": np.where(is_proportion, lo_prop, estimate - z * se_mean),
        "ci_upper": np.where(is_proportion, hi_prop, estimate + z * se_mean),
        "base": n,
        "weighted_base": sw,
        "n_eff": n_eff,
        "deff": deff,
    }


def _check_weights(w: np.ndarray, where: str) -> None:
    if w.size and not (np.all(np.isfinite(w)) and np.all(w > 0)):
        bad = w[~(np.isfinite(w) & (w > 0))][:5]
        raise ValueError(f"{where}: weights must be finite and > 0, found {bad.tolist()}")


def _weighted_estimate(
    values: ArrayLike, weights: ArrayLike, confidence: float, kind: EstimateType
) -> Estimate:
    x = np.asarray(values, dtype=float).ravel()
    w = np.asarray(weights, dtype=float).ravel()
    if x.shape != w.shape:
        raise ValueError(f"values and weights differ in length ({x.size} vs {w.size})")
    _check_weights(w, "weighted_" + kind)
    valid = ~np.isnan(x)
    x, w = x[valid], w[valid]
    if kind == "proportion" and not np.all((x == 0) | (x == 1)):
        raise ValueError(
            "weighted_proportion needs 0/1 values (NaN for missing), found "
            f"{np.unique(x[(x != 0) & (x != 1)])[:5].tolist()}"
        )
    z_value(confidence)  # validates, even when the base is empty
    if x.size == 0:
        nan = float("nan")
        return Estimate(nan, nan, nan, nan, 0, 0.0, nan, nan, kind)
    shift = 0.0 if kind == "proportion" else float(np.mean(x))
    xs = x - shift
    w2 = w * w
    out = _estimates_from_sums(
        n=np.array([float(x.size)]),
        sw=np.array([w.sum()]),
        sw2=np.array([w2.sum()]),
        swx=np.array([(w * xs).sum()]),
        sw2x=np.array([(w2 * xs).sum()]),
        sw2x2=np.array([(w2 * xs * xs).sum()]),
        is_proportion=np.array([kind == "proportion"]),
        shift=np.array([shift]),
        confidence=confidence,
    )
    return Estimate(
        estimate=float(out["estimate"][0]),
        se=float(out["se"][0]),
        ci_lower=float(out["ci_lower"][0]),
        ci_upper=float(out["ci_upper"][0]),
        base=int(x.size),
        weighted_base=float(out["weighted_base"][0]),
        n_eff=float(out["n_eff"][0]),
        deff=float(out["deff"][0]),
        type=kind,
    )


def weighted_proportion(
    values: ArrayLike, weights: ArrayLike, confidence: float = 0.95
) -> Estimate:
    """Weighted proportion with a Wilson interval on the Kish effective base.

    p = Σw·x / Σw; se = sqrt(p(1-p)/n_eff); CI = Wilson(p, n_eff).

    Parameters
    ----------
    values : array-like
        1 (has the characteristic), 0 (does not) or NaN (missing, not in base).
    weights : array-like
        Survey weights, same length as ``values``, finite and > 0.
    confidence : float
        Confidence level, default 0.95.

    Returns
    -------
    Estimate
        With ``type='proportion'``. All NaN (base 0) when no value is valid.

    Raises
    ------
    ValueError
        If lengths differ, a weight is not finite and positive, a value is not
        0, 1 or NaN, or ``confidence`` is not between 0 and 1.
    """
    return _weighted_estimate(values, weights, confidence, "proportion")


def weighted_mean(values: ArrayLike, weights: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Weighted mean with a Taylor-linearised standard error.

    m = Σw·x / Σw; var(m) = n/(n-1) · Σw²(x-m)² / (Σw)², as R's
    ``survey::svymean`` gives for a weights-only design; CI = m ± z·se.

    Parameters
    ----------
    values : array-like
        Numeric values; NaN is missing and not in the base.
    weights : array-like
        Survey weights, same length as ``values``, finite and > 0.
    confidence : float
        Confidence level, default 0.95.

    Returns
    -------
    Estimate
        With ``type='mean'``. ``se`` and the CI are NaN when the base is 1;
        everything is NaN when the base is 0.

    Raises
    ------
    ValueError
        If lengths differ, a weight is not finite and positive, or
        ``confidence`` is not between 0 and 1.
    """
    return _weighted_estimate(values, weights, confidence, "mean")


# --------------------------------------------------------------------------
# The vectorised workhorse
# --------------------------------------------------------------------------


def summarise_groups(
    frame: pd.DataFrame,
    by: Sequence[str],
    value_columns: Sequence[str],
    types: Mapping[str, str],
    weight: str = "weight",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Weighted estimates for many indicators in many groups in one pass.

    The numbers are identical (to rounding) to :func:`weighted_proportion` and
    :func:`weighted_mean` applied group by group, but computed from one set of
    grouped sums (n, Σw, Σw², Σwx, Σw²x, Σw²x² per group and column).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per respondent with the ``by`` columns, the weight column and
        the value columns (float; NaN = missing; proportions are 0/1).
    by : sequence of str
        Grouping columns, e.g. ``["wave", "la_code"]``. Rows with a missing
        key are dropped; only observed category combinations are returned.
    value_columns : sequence of str
        The indicator columns to summarise.
    types : mapping of str to {'proportion', 'mean'}
        The estimate type of every value column.
    weight : str
        Name of the weight column (finite, > 0).
    confidence : float
        Confidence level, default 0.95.

    Returns
    -------
    pandas.DataFrame
        Tidy: the ``by`` columns (dtypes kept), ``indicator``, ``type``,
        ``estimate``, ``se``, ``ci_lower``, ``ci_upper``, ``base`` (int),
        ``weighted_base``, ``n_eff``, ``deff``. Sorted by the group keys, then
        indicators in ``value_columns`` order. Cells with base 0 are dropped.

    Raises
    ------
    ValueError
        If a column is missing, a value column has no or an unknown type, a
        weight is not finite and positive, a proportion column holds a value
        other than 0, 1 or NaN, or ``confidence`` is not between 0 and 1.
    """
    return summarise_groupings(
        frame, [by], value_columns, types, weight=weight, confidence=confidence
    )[0]


def summarise_groupings(
    frame: pd.DataFrame,
    groupings: Sequence[Sequence[str]],
    value_columns: Sequence[str],
    types: Mapping[str, str],
    weight: str = "weight",
    confidence: float = 0.95,
) -> list[pd.DataFrame]:
    """:func:`summarise_groups` for several groupings of the same frame.

    The per-respondent products (w, w², wx, w²x, w²x²) are formed once and
    only the grouped sums are repeated, which is what makes the all-LA pass
    cheap: a national run summarises the same respondents at a dozen levels.

    Returns
    -------
    list of pandas.DataFrame
        One :func:`summarise_groups` result per grouping, in order.

    Raises
    ------
    ValueError
        As :func:`summarise_groups`.
    """
    value_columns = list(value_columns)
    z_value(confidence)  # validates before any work
    needed = {c for by in groupings for c in by}
    missing = [c for c in [*sorted(needed), weight, *value_columns] if c not in frame.columns]
    if missing:
        raise ValueError(f"summarise_groups: columns not in the frame: {missing}")
    untyped = [c for c in value_columns if types.get(c) not in ESTIMATE_TYPES]
    if untyped:
        raise ValueError(
            f"summarise_groups: these value columns need a type of {ESTIMATE_TYPES}: "
            + ", ".join(f"{c}={types.get(c)!r}" for c in untyped)
        )

    w_all = frame[weight].to_numpy(dtype=float)
    _check_weights(w_all, f"summarise_groups column '{weight}'")
    # Column-major arrays: pandas stores a frame's columns contiguously, so the
    # blocks below become DataFrames without a transposing copy.
    x = np.asfortranarray(frame[value_columns].to_numpy(dtype=float))
    valid = ~np.isnan(x)
    is_prop = np.array([types[c] == "proportion" for c in value_columns])

    bad_prop = valid & is_prop & (x != 0) & (x != 1)
    if bad_prop.any():
        cols = [value_columns[j] for j in np.flatnonzero(bad_prop.any(axis=0))]
        raise ValueError(f"summarise_groups: proportion columns must hold 0/1 or NaN; check {cols}")

    # Centre mean columns on their overall mean so that the expanded variance
    # sum Σw²x² - 2mΣw²x + m²Σw² does not cancel when the mean dwarfs the spread.
    n_valid = valid.sum(axis=0)
    col_mean = np.where(valid, x, 0.0).sum(axis=0) / np.maximum(n_valid, 1)
    shift = np.where(is_prop, 0.0, col_mean)
    xs = np.where(valid, x - shift, 0.0)
    wv = np.where(valid, w_all[:, None], 0.0)
    w2v = wv * w_all[:, None]
    names = ("n", "sw", "sw2", "swx", "sw2x", "sw2x2")
    n_cols = len(value_columns)
    # All six statistics side by side, so one sparse product per grouping sums them.
    stacked = np.ascontiguousarray(
        np.hstack([valid.astype(float), wv, w2v, wv * xs, w2v * xs, w2v * xs * xs])
    )
    del x, valid, xs, wv, w2v
    n_rows = len(frame)

    results = []
    for by in groupings:
        by = list(by)
        grouped = frame.groupby(by, observed=True, dropna=True, sort=True)
        codes = grouped.ngroup().to_numpy(dtype=float)
        keys = grouped.size().index.to_frame(index=False)
        in_group = ~np.isnan(codes)
        rows = np.flatnonzero(in_group)
        # Group-by-respondent indicator matrix: its product with the stacked
        # statistics is every group's sums at once (far faster than groupby.sum).
        membership = sparse.csc_matrix(
            (np.ones(len(rows)), (codes[in_group].astype(np.intp), rows)),
            shape=(len(keys), n_rows),
        )
        summed = np.asarray(membership @ stacked)
        sums = {name: summed[:, i * n_cols : (i + 1) * n_cols] for i, name in enumerate(names)}
        n = sums.pop("n")
        g_idx, c_idx = np.nonzero(n > 0)
        out = _estimates_from_sums(
            n=n[g_idx, c_idx],
            **{k: v[g_idx, c_idx] for k, v in sums.items()},
            is_proportion=is_prop[c_idx],
            shift=shift[c_idx],
            confidence=confidence,
        )
        result = keys.iloc[g_idx].reset_index(drop=True)
        result["indicator"] = np.asarray(value_columns, dtype=object)[c_idx]
        result["type"] = np.where(is_prop[c_idx], "proportion", "mean")
        for name in SUMMARY_COLUMNS[2:]:
            result[name] = out[name]
        result["base"] = result["base"].astype(np.int64)
        results.append(result)
    return results


# --------------------------------------------------------------------------
# Comparisons and tests
# --------------------------------------------------------------------------


def compare_to_comparator(
    ci_lower: ArrayLike,
    ci_upper: ArrayLike,
    comparator: ArrayLike,
    polarity: str | ArrayLike,
) -> np.ndarray:
    """Fingertips-style comparison of an area's interval with a benchmark value.

    Parameters
    ----------
    ci_lower, ci_upper : float or array-like
        The area's confidence limits.
    comparator : float or array-like
        The benchmark's point value (e.g. England, or the nearest-neighbour
        average), on the same scale.
    polarity : str or array-like of str
        'higher_is_better', 'lower_is_better' or 'neutral', per row or one for all.

    Returns
    -------
    numpy.ndarray of str
        'better' / 'worse' (or 'higher' / 'lower' when neutral) when the
        interval lies wholly above or below the comparator; 'similar' when it
        includes it (touching counts as including); 'not tested' when any input
        is NaN.

    Raises
    ------
    ValueError
        If a polarity is not one of the three allowed values.
    """
    lo, hi, comp, pol = np.broadcast_arrays(
        np.atleast_1d(np.asarray(ci_lower, dtype=float)),
        np.atleast_1d(np.asarray(ci_upper, dtype=float)),
        np.atleast_1d(np.asarray(comparator, dtype=float)),
        np.atleast_1d(np.asarray(polarity, dtype=object)),
    )
    unknown = sorted({str(v) for v in np.unique(pol.astype(str))} - set(POLARITIES))
    if unknown:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {unknown}")
    untested = np.isnan(lo) | np.isnan(hi) | np.isnan(comp)
    with np.errstate(invalid="ignore"):
        above = lo > comp
        below = hi < comp
    higher_good = pol == "higher_is_better"
    lower_good = pol == "lower_is_better"
    above_label = np.where(higher_good, "better", np.where(lower_good, "worse", "higher"))
    below_label = np.where(higher_good, "worse", np.where(lower_good, "better", "lower"))
    return np.select(
        [untested, above, below],
        [np.full(lo.shape, "not tested"), above_label, below_label],
        default="similar",
    ).astype(str)


def change_test(
    est_now: ArrayLike,
    se_now: ArrayLike,
    est_before: ArrayLike,
    se_before: ArrayLike,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Two-sided z test of change between two independent estimates.

    difference = now - before; se = sqrt(se_now² + se_before²); z = diff / se.

    Parameters
    ----------
    est_now, se_now : float or array-like
        The later estimate and its standard error.
    est_before, se_before : float or array-like
        The earlier estimate and its standard error.
    confidence : float
        Significant when the two-sided p-value is below 1 - confidence.

    Returns
    -------
    pandas.DataFrame
        Columns ``difference``, ``se_difference``, ``z``, ``p_value``,
        ``significant`` (bool). Indexed like ``est_now`` when it is a Series.
        Any NaN input gives NaN z and p-value and ``significant`` False.

    Raises
    ------
    ValueError
        If ``confidence`` is not between 0 and 1.

    Notes
    -----
    Independent samples are assumed (fresh samples each wave). With a panel
    the covariance term would reduce se_difference and this test is then
    conservative.
    """
    z_value(confidence)  # validates
    a, sa, b, sb = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(v, dtype=float))
            for v in (est_now, se_now, est_before, se_before)
        )
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = a - b
        se = np.sqrt(sa**2 + sb**2)
        z = diff / se
    p_value = 2.0 * sps.norm.sf(np.abs(z))
    with np.errstate(invalid="ignore"):
        significant = np.nan_to_num(p_value, nan=1.0) < 1.0 - confidence
    index = est_now.index if isinstance(est_now, pd.Series) and len(est_now) == len(a) else None
    return pd.DataFrame(
        {
            "difference": diff,
            "se_difference": se,
            "z": z,
            "p_value": p_value,
            "significant": significant,
        },
        index=index,
    )


# --------------------------------------------------------------------------
# Scales, shrinkage and association
# --------------------------------------------------------------------------


def cronbach_alpha(items: pd.DataFrame, weights: ArrayLike | None = None) -> float:
    """Cronbach's alpha of a set of items forming a scale.

    alpha = k/(k-1) · (1 - Σ var(item_i) / var(Σ items)).

    Rows with any missing item are dropped (listwise deletion). Unweighted,
    variances are sample variances (ddof=1). Weighted, they are the
    reliability-weighted variances Σw(x - m_w)² / (Σw - Σw²/Σw), which equal
    the ddof=1 variances when all weights are equal. Because every variance in
    the ratio shares the same divisor, the choice of divisor does not change
    alpha; only the weighting of respondents does.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent; NaN = missing.
    weights : array-like, optional
        Survey weights aligned with the rows of ``items`` (finite, > 0).

    Returns
    -------
    float
        Alpha; NaN if fewer than two complete rows or the total score has no
        variance.

    Raises
    ------
    ValueError
        If there are fewer than two items, the weights do not match the rows,
        or a weight is not finite and positive.
    """
    k = items.shape[1]
    if k < 2:
        raise ValueError(f"cronbach_alpha needs at least two items, got {k}")
    x = items.to_numpy(dtype=float)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float).ravel()
    if w.shape[0] != x.shape[0]:
        raise ValueError(f"weights have {w.shape[0]} rows but items have {x.shape[0]}")
    _check_weights(w, "cronbach_alpha")
    complete = ~np.isnan(x).any(axis=1)
    x, w = x[complete], w[complete]
    if len(x) < 2:
        return float("nan")
    # Columns: the k items then their total, so one weighted variance call.
    data = np.column_stack([x, x.sum(axis=1)])
    mean = w @ data / w.sum()
    divisor = w.sum() - (w @ w) / w.sum()
    var = w @ (data - mean) ** 2 / divisor
    if var[-1] <= 0:
        return float("nan")
    return float(k / (k - 1.0) * (1.0 - var[:-1].sum() / var[-1]))


def empirical_bayes_shrinkage(
    frame: pd.DataFrame,
    group_cols: Sequence[str],
    estimate: str = "estimate",
    variance: str = "variance",
    prior_mean: str = "prior_mean",
    bounds: tuple[float | str | None, float | str | None] | None = None,
    prior_variance: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Shrink small-area direct estimates toward their parent (LA) value.

    Model, per group (e.g. one LA, indicator and wave): y_j ~ N(θ_j, v_j) and
    θ_j ~ N(μ_j, τ²), with μ_j the ``prior_mean`` column (the LA's direct
    estimate). τ² is estimated by DerSimonian-Laird: w_j = 1/v_j,
    ȳ_w = Σw_j y_j / Σw_j, Q = Σw_j (y_j - ȳ_w)²,
    τ² = max(0, (Q - (k - 1)) / (Σw_j - Σw_j²/Σw_j)), and τ² = 0 when k < 2.
    Then B_j = τ²/(τ² + v_j), θ̂_j = μ_j + B_j (y_j - μ_j), var(θ̂_j) = B_j v_j.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per small area and group.
    group_cols : sequence of str
        Columns identifying the groups within which τ² is estimated. Rows with
        a missing key get NaN results.
    estimate : str
        Column of direct estimates y_j.
    variance : str
        Column of sampling variances v_j. For proportions pass
        p_LA(1 - p_LA) / n_eff_j, using the LA-level p rather than the area's
        own p, so that an area at 0% or 100% does not get zero variance (and
        infinite weight). Rows with v_j = 0 are taken as exact: they keep
        their direct estimate (B = 1) and do not enter the τ² estimate.
    prior_mean : str
        Column of the value to shrink toward, μ_j.
    bounds : tuple, optional
        (lower, upper) to clip the confidence limits to, e.g. ``(0, 1)`` for
        proportions. Each element is a number, a column name (per-row bounds,
        NaN = unbounded) or None (unbounded). The shrunk estimate itself lies
        between y_j and μ_j and needs no clipping.
    prior_variance : str, optional
        Column of var(μ_j). When given, the posterior variance adds
        (1 - B_j)² var(μ_j), which stops the interval collapsing to zero width
        when τ² = 0 (treating μ_j as independent of y_j, which is approximate
        because the area is part of its LA).
    confidence : float
        Confidence level for the normal interval, default 0.95.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``tau2``, ``shrinkage_factor`` (B_j),
        ``shrunk_estimate``, ``shrunk_se``, ``shrunk_ci_lower`` and
        ``shrunk_ci_upper`` added. Rows with a missing estimate, variance or
        prior mean get NaN results and do not enter τ².

    Raises
    ------
    ValueError
        If a column is missing, a variance is negative, or ``confidence`` is
        not between 0 and 1.

    Notes
    -----
    The posterior variance B_j v_j treats μ_j and τ² as known, so it slightly
    understates the uncertainty (more so for few areas per group); with
    τ² = 0 every area shrinks fully to μ_j and, without ``prior_variance``,
    its interval has zero width.
    """
    z = z_value(confidence)
    group_cols = list(group_cols)
    named_bounds = [b for b in (bounds or ()) if isinstance(b, str)]
    needed = [*group_cols, estimate, variance, prior_mean, *named_bounds]
    if prior_variance is not None:
        needed.append(prior_variance)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"empirical_bayes_shrinkage: columns not in the frame: {missing}")

    y = frame[estimate].to_numpy(dtype=float)
    v = frame[variance].to_numpy(dtype=float)
    mu = frame[prior_mean].to_numpy(dtype=float)
    if np.any(v < 0):
        raise ValueError(f"empirical_bayes_shrinkage: column '{variance}' has negative values")

    key_ok = frame[group_cols].notna().all(axis=1).to_numpy()
    usable = key_ok & np.isfinite(y) & np.isfinite(v) & np.isfinite(mu)
    informative = usable & (v > 0)
    with np.errstate(divide="ignore"):
        w = np.where(informative, 1.0 / v, 0.0)
    wy = np.where(informative, w * y, 0.0)

    # Factorise the group keys once; rows with a missing key get code -1 and
    # are not usable, so they are parked in group 0 with zero contributions.
    codes = frame.groupby(group_cols, observed=True, dropna=True, sort=False).ngroup()
    codes = np.nan_to_num(codes.to_numpy(dtype=float), nan=0.0).astype(np.intp)

    def group_total(values: np.ndarray) -> np.ndarray:
        # Group sums broadcast back to rows: one vectorised pass for all groups.
        return np.bincount(codes, weights=values)[codes]

    k = group_total(informative.astype(float))
    sw = group_total(w)
    sw2 = group_total(w * w)
    with np.errstate(divide="ignore", invalid="ignore"):
        ybar = group_total(wy) / sw
        # Second pass on centred values: Q = Σw(y - ȳ)² without cancellation.
        q = group_total(np.where(informative, w * (y - ybar) ** 2, 0.0))
        tau2 = np.maximum(0.0, (q - (k - 1.0)) / (sw - sw2 / sw))
    tau2 = np.where(k >= 2, tau2, 0.0)
    tau2 = np.where(usable, tau2, np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(v > 0, tau2 / (tau2 + v), 1.0)
    b = np.where(usable, b, np.nan)
    shrunk = mu + b * (y - mu)
    post_var = b * v
    if prior_variance is not None:
        post_var = post_var + (1.0 - b) ** 2 * frame[prior_variance].to_numpy(dtype=float)
    se = np.sqrt(post_var)
    lower = shrunk - z * se
    upper = shrunk + z * se
    if bounds is not None:
        lower = _clip_to_bound(lower, bounds[0], frame, np.fmax)
        upper = _clip_to_bound(upper, bounds[1], frame, np.fmin)

    out = frame.copy()
    out["tau2"] = tau2
    out["shrinkage_factor"] = b
    out["shrunk_estimate"] = shrunk
    out["shrunk_se"] = se
    out["shrunk_ci_lower"] = lower
    out["shrunk_ci_upper"] = upper
    return out


def _clip_to_bound(
    values: np.ndarray,
    bound: float | str | None,
    frame: pd.DataFrame,
    op: np.ufunc,
) -> np.ndarray:
    if bound is None:
        return values
    limit = frame[bound].to_numpy(dtype=float) if isinstance(bound, str) else float(bound)
    # fmax/fmin ignore a NaN bound (unbounded row) but must not fill a NaN value.
    return np.where(np.isnan(values), values, op(values, limit))


def rank_correlation(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman's rank correlation, with average ranks for ties.

    Parameters
    ----------
    x, y : array-like
        Paired values; pairs with a NaN in either are dropped.

    Returns
    -------
    float
        rho; NaN if fewer than three complete pairs or either variable is
        constant.

    Raises
    ------
    ValueError
        If ``x`` and ``y`` differ in length.
    """
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"x and y differ in length ({a.size} vs {b.size})")
    keep = ~(np.isnan(a) | np.isnan(b))
    if keep.sum() < 3:
        return float("nan")
    # Pearson on average ranks is Spearman's rho with the usual tie handling;
    # done by hand so a constant input gives NaN without a warning.
    ra = sps.rankdata(a[keep]) - (keep.sum() + 1) / 2.0
    rb = sps.rankdata(b[keep]) - (keep.sum() + 1) / 2.0
    denom = np.sqrt((ra @ ra) * (rb @ rb))
    return float(ra @ rb / denom) if denom > 0 else float("nan")
