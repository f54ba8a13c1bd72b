"""Every LA on two lenses: satisfaction against the Civic Pulse drivers.

:func:`quadrant_table` places every LA on two axes, the traditional
satisfaction/perception index and the Civic Pulse drivers index, each
against England, and names its quadrant (:data:`QUADRANTS`) two ways: by
point estimates (``quadrant``, :func:`classify_quadrant`) and by significance
(``quadrant_significant``, :func:`classify_quadrant_significant`: an LA is
placed only where both indices differ significantly from England, else it is
:data:`NOT_CLEARLY_PLACED`). :func:`quadrant_counts` counts LAs per quadrant
in both views. It is a selection of estimates already computed in the one
pass (:mod:`civicpulse_report.statistics.estimates`); nothing here
re-estimates. :func:`lens_axis` (one index as an axis) is shared with the
lens comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import pandas as pd

from civicpulse_report.insight.gaps import SIGNIFICANT_FLAGS, publishable_mask
from civicpulse_report.insight.indicators import DRIVERS_INDEX, TRADITIONAL_INDEX

Quadrant = Literal["hidden need", "hidden assets", "strong on both", "low on both"]

QUADRANTS: Mapping[str, str] = MappingProxyType(
    {
        "hidden need": (
            "Satisfaction and perceptions (the traditional index) are at or above "
            "England's level, but the Civic Pulse drivers of active citizenship are "
            "below it: the older measures hide missing capacity."
        ),
        "hidden assets": (
            "Satisfaction and perceptions are below England's level, but the drivers "
            "of active citizenship are at or above it: capacity the older measures miss."
        ),
        "strong on both": (
            "Both satisfaction and perceptions and the drivers of active citizenship "
            "are at or above England's level."
        ),
        "low on both": (
            "Both satisfaction and perceptions and the drivers of active citizenship "
            "are below England's level."
        ),
    }
)


def classify_quadrant(
    traditional: float, drivers: float, england_traditional: float, england_drivers: float
) -> Quadrant:
    """Place one unit in a quadrant by its point estimates against England.

    "At or above" includes equality on both axes, so a unit exactly on
    England's drivers line is not counted as lacking drivers.
    """
    trad_ok = traditional >= england_traditional
    drivers_ok = drivers >= england_drivers
    if trad_ok and not drivers_ok:
        return "hidden need"
    if drivers_ok and not trad_ok:
        return "hidden assets"
    return "strong on both" if trad_ok else "low on both"


#: The significance-based label of an LA that cannot be placed with confidence.
NOT_CLEARLY_PLACED = "not clearly placed"

#: Every label of the significance-based view, in display order.
SIGNIFICANT_QUADRANT_LABELS: tuple[str, ...] = (*QUADRANTS, NOT_CLEARLY_PLACED)

_ABOVE = frozenset({"better", "higher"})
_BELOW = frozenset({"worse", "lower"})


def classify_quadrant_significant(traditional_sig: str, drivers_sig: str) -> str:
    """Place one unit in a quadrant only where both indices differ significantly from England.

    Parameters
    ----------
    traditional_sig, drivers_sig : str
        The Fingertips-style flags of the two indices against England
        ('better', 'similar', 'worse', 'higher', 'lower' or 'not tested').

    Returns
    -------
    str
        A key of :data:`QUADRANTS` when both flags are significant (above:
        better/higher; below: worse/lower), otherwise
        :data:`NOT_CLEARLY_PLACED` (either index similar to England or not
        tested).

    Raises
    ------
    None
        An unknown flag counts as not significant.
    """
    trad, drivers = str(traditional_sig), str(drivers_sig)
    known = _ABOVE | _BELOW
    if trad not in known or drivers not in known:
        return NOT_CLEARLY_PLACED
    trad_up, drivers_up = trad in _ABOVE, drivers in _ABOVE
    if trad_up and not drivers_up:
        return "hidden need"
    if drivers_up and not trad_up:
        return "hidden assets"
    return "strong on both" if trad_up else "low on both"


def quadrant_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many LAs each quadrant holds, by point estimates and by significance.

    Parameters
    ----------
    table : DataFrame
        From :func:`quadrant_table` (columns ``quadrant`` and
        ``quadrant_significant``).

    Returns
    -------
    DataFrame
        One row per label of :data:`SIGNIFICANT_QUADRANT_LABELS`, in that
        order: ``quadrant``, ``n_point_estimate`` (LAs labelled so by point
        estimates; 0 for 'not clearly placed', which that view never uses) and
        ``n_significant`` (LAs placed so when both indices must differ
        significantly). Each count column sums to the number of LAs in
        ``table``.

    Raises
    ------
    KeyError
        If ``table`` lacks either label column.
    """
    point = table["quadrant"].value_counts()
    sig = table["quadrant_significant"].value_counts()
    labels = list(SIGNIFICANT_QUADRANT_LABELS)
    return pd.DataFrame(
        {
            "quadrant": labels,
            "n_point_estimate": [int(point.get(q, 0)) for q in labels],
            "n_significant": [int(sig.get(q, 0)) for q in labels],
        }
    )


def lens_axis(rows: pd.DataFrame, indicator: str, name: str, key: str) -> pd.DataFrame:
    """One index as an axis: its rows' figures, one row per ``key``, columns named for the axis.

    Parameters
    ----------
    rows : DataFrame
        Estimates rows (other indicators are ignored).
    indicator : str
        The index to take, e.g. index_traditional.
    name : str
        The axis name that prefixes the columns, e.g. 'traditional'.
    key : str
        The column that identifies a unit (the first row of each is kept).

    Returns
    -------
    DataFrame
        Indexed by ``key``; columns ``<name>`` (the estimate),
        ``<name>_ci_lower``, ``<name>_ci_upper``, ``<name>_sig_england``,
        ``england_<name>`` and ``<name>_base``.
    """
    part = rows[rows["indicator"] == indicator]
    part = part.drop_duplicates(subset=[key], keep="first").set_index(key)
    return pd.DataFrame(
        {
            name: part["estimate"].astype(float),
            f"{name}_ci_lower": part["ci_lower"].astype(float),
            f"{name}_ci_upper": part["ci_upper"].astype(float),
            f"{name}_sig_england": part["sig_england"].astype(str),
            f"england_{name}": part["england_value"].astype(float),
            f"{name}_base": part["base"].astype(float),
        }
    )


def quadrant_table(est: pd.DataFrame, wave: int) -> pd.DataFrame:
    """Every LA on both lenses in one wave, with its quadrant.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame (all LAs; or one LA's rows, for its own place).
    wave : int

    Returns
    -------
    DataFrame
        One row per LA (level la, breakdown all) with both indices published,
        sorted by la_code. Columns: la_code, wave; for each axis ``traditional``
        (index_traditional) and ``drivers`` (index_drivers): the estimate,
        ``<axis>_ci_lower``, ``<axis>_ci_upper``, ``<axis>_sig_england``,
        ``england_<axis>`` (England's value that wave: the centre line),
        ``<axis>_base`` and ``<axis>_significant`` (differs significantly from
        England); and ``quadrant`` (a key of :data:`QUADRANTS`, by point
        estimates, "at or above" including equality) and
        ``quadrant_significant`` (by significance, see
        :func:`classify_quadrant_significant`: a quadrant only where both
        indices differ significantly from England, else "not clearly
        placed"). LAs with either index suppressed, or no England value, are
        left out.
    """
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "la")
        & (est["breakdown"] == "all")
        & est["indicator"].isin([TRADITIONAL_INDEX, DRIVERS_INDEX])
    ]
    rows = rows[publishable_mask(rows) & rows["england_value"].notna()]
    table = lens_axis(rows, TRADITIONAL_INDEX, "traditional", "area_code").join(
        lens_axis(rows, DRIVERS_INDEX, "drivers", "area_code"), how="inner"
    )
    table.index.name = "la_code"
    table = table.reset_index().sort_values("la_code", kind="mergesort").reset_index(drop=True)
    table.insert(1, "wave", int(wave))
    for axis in ("traditional", "drivers"):
        table[f"{axis}_significant"] = table[f"{axis}_sig_england"].isin(SIGNIFICANT_FLAGS)
    table["quadrant"] = [
        classify_quadrant(t, d, et, ed)
        for t, d, et, ed in zip(
            table["traditional"],
            table["drivers"],
            table["england_traditional"],
            table["england_drivers"],
            strict=True,
        )
    ]
    table["quadrant_significant"] = [
        classify_quadrant_significant(t, d)
        for t, d in zip(table["traditional_sig_england"], table["drivers_sig_england"], strict=True)
    ]
    return table
