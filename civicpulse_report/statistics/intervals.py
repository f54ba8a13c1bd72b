"""Confidence intervals: the normal critical value and the Wilson score interval.

Owns the interval arithmetic that the estimators build on. Proportions carry a
Wilson score interval without continuity correction (the OHID Fingertips
method; Wilson 1927, Newcombe 1998), which the callers compute on the Kish
effective sample size so that the interval reflects the loss of precision
from weighting. Pure: numbers or arrays in, numbers or arrays out, no I/O;
proportions are fractions (0-1).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


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
    # scipy.special's ndtri is what scipy.stats.norm.ppf computes, to the bit, without
    # importing scipy.stats (about a second, in every build and every test run).
    from scipy.special import ndtri

    return float(ndtri(1.0 - (1.0 - confidence) / 2.0))


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
