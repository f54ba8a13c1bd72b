"""Small-area shrinkage: empirical Bayes estimates for neighbourhoods.

Owns the model that shrinks small-area direct estimates toward their parent
(LA) value: an empirical Bayes (Fay-Herriot style) model whose between-area
variance is estimated by the DerSimonian-Laird method of moments, with a
normal interval on the posterior variance. Pure: a data frame in, a data
frame out, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from civicpulse_report.statistics.intervals import z_value

# The columns empirical_bayes_shrinkage adds to its frame, in order.
SHRINKAGE_COLUMNS: tuple[str, ...] = (
    "tau2",
    "shrinkage_factor",
    "shrunk_estimate",
    "shrunk_se",
    "shrunk_ci_lower",
    "shrunk_ci_upper",
)


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
