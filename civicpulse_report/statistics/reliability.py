"""Scale reliability: Cronbach's alpha of the items forming a scale.

Owns the internal-consistency measure reported for each domain index,
unweighted or with survey weights. Pure: a data frame in, a number out, no
I/O; missing items are NaN and drop the respondent (listwise deletion).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from civicpulse_report.statistics.weighting import check_weights


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
    check_weights(w, "cronbach_alpha")
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
