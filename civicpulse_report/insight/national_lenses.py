"""The old lens against the new, across LAs: do satisfaction and the drivers rank LAs alike?

:func:`lens_ranks` ranks every LA on the Place Survey 2008 satisfaction
figure (the old lens, from the legacy table), on today's traditional
satisfaction index and on the Civic Pulse drivers index (the new lens);
:func:`lens_agreement` measures how far each pair of rankings agrees
(Spearman's rho with a Fisher-z / Bonett-Wright interval, from
:mod:`civicpulse_report.statistics`); :func:`rank_movers` names the LAs whose
rank moves most between the old lens and the new. Estimates are only
selected here, never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE
from civicpulse_report.statistics import rank_correlation, rank_correlation_interval

#: The old lens: Place Survey 2008, NI 5 (satisfied with the local area as a place to live).
LEGACY_SATISFACTION = ("place_survey_2008", "NI5")

LENS_RANK_COLUMNS = (
    "la_code",
    "la_name",
    "region",
    "la_type",
    "legacy_value",
    "legacy_year",
    "traditional",
    "traditional_sig_england",
    "drivers",
    "drivers_sig_england",
    "rank_legacy",
    "rank_traditional",
    "rank_drivers",
    "rank_shift",
)


@dataclass(frozen=True)
class LensPair:
    """Two rankings of LAs that :func:`lens_agreement` compares."""

    id: str
    x: str
    y: str
    label: str


def lens_pairs(legacy_label: str, wave: int) -> tuple[LensPair, ...]:
    """The three comparisons of the national draft, the headline one first.

    Parameters
    ----------
    legacy_label : str
        How the old lens is named, e.g. "Place Survey 2008 satisfaction with the area".
    wave : int
        The Civic Pulse wave.

    Raises
    ------
    None
        Any text is accepted.
    """
    return (
        LensPair(
            "legacy_vs_drivers",
            "legacy_value",
            "drivers",
            f"{legacy_label} against the Civic Pulse drivers index, {wave}",
        ),
        LensPair(
            "traditional_vs_drivers",
            "traditional",
            "drivers",
            f"Civic Pulse traditional satisfaction index against the drivers index, {wave}",
        ),
        LensPair(
            "legacy_vs_traditional",
            "legacy_value",
            "traditional",
            f"{legacy_label} against the Civic Pulse traditional satisfaction index, {wave}",
        ),
    )


def lens_ranks(
    quadrant: pd.DataFrame,
    legacy: pd.DataFrame,
    la_lookup: pd.DataFrame,
    *,
    source: str = LEGACY_SATISFACTION[0],
    indicator: str = LEGACY_SATISFACTION[1],
) -> pd.DataFrame:
    """Every LA with all three measures, ranked on each (1 = highest).

    Parameters
    ----------
    quadrant : DataFrame
        From :func:`civicpulse_report.insight.quadrants.quadrant_table`
        (LAs with both indices published).
    legacy : DataFrame
        The validated legacy table (la_code, source, indicator, value, year).
    la_lookup : DataFrame
        la_code, la_name, region, la_type.
    source, indicator : str
        The legacy figure that stands for the old lens.

    Returns
    -------
    DataFrame
        Columns :data:`LENS_RANK_COLUMNS`, one row per LA that has the legacy
        figure and both indices. Ranks are competition ranks ("1224") within
        these LAs, 1 = highest; ``rank_shift`` = rank_drivers - rank_legacy
        (positive: the LA ranks lower on the drivers now than on satisfaction
        in the old survey). Sorted by la_code. Empty when the legacy table has
        no such figure.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    old = legacy[
        (legacy["source"] == source)
        & (legacy["indicator"] == indicator)
        & (legacy["la_code"].astype(str) != ENGLAND_CODE)
    ]
    old = old.assign(la_code=old["la_code"].astype(str)).drop_duplicates("la_code")
    old = old.set_index("la_code")
    table = quadrant[
        ["la_code", "traditional", "traditional_sig_england", "drivers", "drivers_sig_england"]
    ].copy()
    table["legacy_value"] = table["la_code"].map(old["value"]).astype(float)
    table["legacy_year"] = table["la_code"].map(old["year"])
    table = table[table["legacy_value"].notna()].copy()
    lookup = la_lookup.set_index("la_code")
    for col in ("la_name", "region", "la_type"):
        table[col] = table["la_code"].map(lookup[col]).astype(object)
    for name, col in (
        ("rank_legacy", "legacy_value"),
        ("rank_traditional", "traditional"),
        ("rank_drivers", "drivers"),
    ):
        table[name] = table[col].rank(method="min", ascending=False).astype(int)
    table["rank_shift"] = table["rank_drivers"] - table["rank_legacy"]
    table = table.sort_values("la_code", kind="mergesort").reset_index(drop=True)
    return table[list(LENS_RANK_COLUMNS)]


def lens_agreement(
    ranks: pd.DataFrame, pairs: tuple[LensPair, ...], confidence: float = 0.95
) -> pd.DataFrame:
    """How far each pair of rankings agrees: Spearman's rho with its interval.

    Parameters
    ----------
    ranks : DataFrame
        From :func:`lens_ranks`.
    pairs : tuple of LensPair
        From :func:`lens_pairs`.
    confidence : float

    Returns
    -------
    DataFrame
        One row per pair: ``pair``, ``x``, ``y``, ``label``, ``n`` (LAs),
        ``rho``, ``ci_lower``, ``ci_upper`` (Fisher z with the Bonett-Wright
        standard error sqrt((1 + rho²/2) / (n - 3))) and ``confidence``. rho
        and its limits are NaN with fewer than 4 LAs.

    Raises
    ------
    ValueError
        If ``confidence`` is not between 0 and 1.
    """
    out = []
    for pair in pairs:
        x = ranks[pair.x].to_numpy(float)
        y = ranks[pair.y].to_numpy(float)
        n = int((~(np.isnan(x) | np.isnan(y))).sum())
        rho = rank_correlation(x, y) if n >= 4 else float("nan")
        lower, upper = rank_correlation_interval(rho, n, confidence)
        out.append(
            {
                "pair": pair.id,
                "x": pair.x,
                "y": pair.y,
                "label": pair.label,
                "n": n,
                "rho": rho,
                "ci_lower": lower,
                "ci_upper": upper,
                "confidence": confidence,
            }
        )
    return pd.DataFrame(out)


def rank_movers(ranks: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The LAs whose rank moves most between the old lens and the drivers.

    Parameters
    ----------
    ranks : DataFrame
        From :func:`lens_ranks`.
    n : int
        How many to name.

    Returns
    -------
    DataFrame
        The ``n`` rows of ``ranks`` with the largest absolute ``rank_shift``
        (ties: la_code), largest first, with ``direction``: 'lower on drivers'
        (it ranked higher on satisfaction than it does on the drivers) or
        'higher on drivers'.

    Raises
    ------
    ValueError
        If ``n`` is less than 1.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    moved = ranks.assign(_abs=ranks["rank_shift"].abs())
    moved = moved[moved["_abs"] > 0].sort_values(
        ["_abs", "la_code"], ascending=[False, True], kind="mergesort"
    )
    moved = moved.head(n).drop(columns="_abs").reset_index(drop=True)
    moved["direction"] = np.where(
        moved["rank_shift"] > 0, "lower on drivers", "higher on drivers"
    ).astype(object)
    return moved
