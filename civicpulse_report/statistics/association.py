"""Association between two variables: Spearman's rank correlation and its interval.

Owns the rank correlation with average ranks for ties, computed by hand so
that a constant input gives NaN without a warning, and its confidence
interval (Fisher's z with the Bonett-Wright standard error). Pure: arrays in,
numbers out, no I/O; pairs with a NaN in either variable are dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from civicpulse_report.statistics.intervals import z_value


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
    # done by hand so a constant input gives NaN without a warning. pandas ranks
    # ties by their average rank as scipy.stats.rankdata does (and needs no scipy.stats).
    ra = pd.Series(a[keep]).rank(method="average").to_numpy() - (keep.sum() + 1) / 2.0
    rb = pd.Series(b[keep]).rank(method="average").to_numpy() - (keep.sum() + 1) / 2.0
    denom = np.sqrt((ra @ ra) * (rb @ rb))
    return float(ra @ rb / denom) if denom > 0 else float("nan")


def rank_correlation_interval(rho: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence interval for Spearman's rho: Fisher's z with the Bonett-Wright error.

    z = atanh(rho); se = sqrt((1 + rho² / 2) / (n - 3)) (Bonett and Wright
    2000, which corrects the Pearson error 1 / sqrt(n - 3) for ranks); the
    limits are tanh(z ± z_crit · se).

    Parameters
    ----------
    rho : float
        Spearman's rank correlation, between -1 and 1.
    n : int
        Number of complete pairs it was computed from.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (float, float)
        Lower and upper limits; (NaN, NaN) when rho is NaN or n < 4. A rho of
        exactly ±1 gives the degenerate interval (rho, rho).

    Raises
    ------
    ValueError
        If rho is outside [-1, 1] or ``confidence`` is not between 0 and 1.
    """
    crit = z_value(confidence)
    r = float(rho)
    if np.isnan(r):
        return float("nan"), float("nan")
    if not -1.0 <= r <= 1.0:
        raise ValueError(f"rho must be between -1 and 1, got {rho!r}")
    if n < 4:
        return float("nan"), float("nan")
    if abs(r) == 1.0:
        return r, r
    z = float(np.arctanh(r))
    se = float(np.sqrt((1.0 + r * r / 2.0) / (n - 3)))
    return float(np.tanh(z - crit * se)), float(np.tanh(z + crit * se))
