"""Weighted estimates of a single base: proportions, means, Kish n_eff and deff.

Owns the weighting arithmetic: the Kish effective sample size and design
effect, the validation of survey weights, and the turning of weighted sums
into an estimate, standard error and interval. Weighted proportions carry a
Wilson score interval on the Kish effective base; weighted means carry a
Taylor-linearised standard error, the same as R's ``survey::svymean`` for a
design with weights only (no strata or clusters). The grouped, many-indicator
version of the same numbers is :mod:`civicpulse_report.statistics.summaries`.

Pure: arrays in, numbers or arrays out, no I/O. Proportions are fractions
(0-1); missing values are NaN and drop out of the base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from civicpulse_report.statistics.intervals import wilson_interval, z_value

EstimateType = Literal["proportion", "mean"]

ESTIMATE_TYPES: tuple[str, ...] = ("proportion", "mean")


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


def estimates_from_sums(
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

    Parameters
    ----------
    n : numpy.ndarray
        Unweighted base of each cell.
    sw, sw2 : numpy.ndarray
        Σw and Σw² over the valid respondents of each cell.
    swx, sw2x, sw2x2 : numpy.ndarray
        Σw·x, Σw²·x and Σw²·x² of the shifted values.
    is_proportion : numpy.ndarray of bool
        Whether each cell is a proportion (else a mean).
    shift : numpy.ndarray
        The value subtracted from ``x`` before summing (0 for proportions).
    confidence : float
        Confidence level strictly between 0 and 1.

    Returns
    -------
    dict of str to numpy.ndarray
        ``estimate``, ``se``, ``ci_lower``, ``ci_upper``, ``base``,
        ``weighted_base``, ``n_eff`` and ``deff``, one value per cell.
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


def check_weights(w: np.ndarray, where: str) -> None:
    """Refuse survey weights that are not all finite and positive.

    Parameters
    ----------
    w : numpy.ndarray
        The weights; an empty array passes.
    where : str
        What is checking, to begin the error message.

    Raises
    ------
    ValueError
        If a weight is NaN, infinite, zero or negative (the first five shown).
    """
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
    check_weights(w, "weighted_" + kind)
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
    out = estimates_from_sums(
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
