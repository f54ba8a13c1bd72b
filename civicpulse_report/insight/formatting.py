"""The one way every report writes a number.

:func:`format_value` formats an estimate, a count or a year; :func:`format_ci`
an interval; :func:`ci_label` the interval's label ("95% CI"). The findings,
the recommendations' notes and the report's tables all use these, so a number
reads the same wherever it appears.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

NOT_PUBLISHED = "not published"


def is_missing(value: Any) -> bool:
    """Whether a value is missing or not a number (None, NA, NaN, text)."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def format_value(value: Any, type: str) -> str:
    """Format a number the one way every report shows it.

    Parameters
    ----------
    value : float
    type : str
        'proportion' (per cent, one decimal: "34.2%"), 'mean' or 'index'
        (one decimal: "95.2"), 'count' (whole number with thousands
        separators: "12,345") or 'year' ("2024").

    Returns
    -------
    str
        "not published" for a missing value.

    Raises
    ------
    ValueError
        If ``type`` is not one of those above.
    """
    if type not in ("proportion", "mean", "index", "count", "year"):
        raise ValueError(f"unknown value type {type!r}")
    if is_missing(value):
        return NOT_PUBLISHED
    v = float(value)
    if type in ("count", "year"):
        text = f"{round(v):,}" if type == "count" else str(round(v))
        return text
    text = f"{v:.1f}"
    if text == "-0.0":
        text = "0.0"
    return f"{text}%" if type == "proportion" else text


def format_ci(lower: Any, upper: Any, type: str) -> str:
    """Format an interval as "94.0 to 96.4" (or "31.0% to 37.5%")."""
    return f"{format_value(lower, type)} to {format_value(upper, type)}"


def ci_label(confidence_level: float) -> str:
    """Return the interval label, e.g. "95% CI" for a 0.95 confidence level."""
    return f"{confidence_level * 100:g}% CI"
