"""Association between two variables: Spearman's rank correlation.

Owns the rank correlation with average ranks for ties, computed by hand so
that a constant input gives NaN without a warning. Pure: arrays in, a number
out, no I/O; pairs with a NaN in either variable are dropped.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps


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
