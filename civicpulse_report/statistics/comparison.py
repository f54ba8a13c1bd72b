"""Comparisons and tests: significance against a benchmark, change between waves.

Owns the verdicts published beside an estimate. A comparison with a benchmark
follows the OHID Fingertips rule: the area's confidence interval against the
comparator's point value, labelled by the indicator's polarity. Change
between two waves is a two-sided z test on independent estimates.

Pure: arrays in, arrays or data frames out, no I/O.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from civicpulse_report.statistics.intervals import z_value

Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]

POLARITIES: tuple[str, ...] = ("higher_is_better", "lower_is_better", "neutral")


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
    from scipy.special import ndtr  # norm.sf(x) is ndtr(-x), without importing scipy.stats

    p_value = 2.0 * ndtr(-np.abs(z))
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
