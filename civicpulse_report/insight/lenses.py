"""Inside one LA: do the groups and places that look fine on satisfaction have the drivers?

:func:`lens_comparison` sets each of the LA's demographic groups and
neighbourhoods on the traditional satisfaction index and the Civic Pulse
drivers index, flags those satisfied but lacking drivers, and measures how
differently the two lenses rank them (:func:`spearman_rho`). It selects from
the LA's view of estimates already computed; nothing here re-estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.insight.gaps import NOT_SIGNIFICANTLY_BELOW, publishable_mask
from civicpulse_report.insight.indicators import DRIVERS_INDEX, TRADITIONAL_INDEX
from civicpulse_report.insight.quadrants import lens_axis
from civicpulse_report.insight.view import LAView, code_text, describe_unit
from civicpulse_report.measures import Measures
from civicpulse_report.statistics import rank_correlation

LENS_COLUMNS = (
    "kind",
    "level",
    "area_code",
    "breakdown",
    "group_code",
    "group",
    "label",
    "base",
    "modelled",
    "traditional",
    "traditional_ci_lower",
    "traditional_ci_upper",
    "traditional_sig_england",
    "england_traditional",
    "drivers",
    "drivers_ci_lower",
    "drivers_ci_upper",
    "drivers_sig_england",
    "england_drivers",
    "drivers_gap",
    "flagged",
)


@dataclass(frozen=True)
class LensComparison:
    """Groups and neighbourhoods of one LA on the traditional and drivers lenses.

    Attributes
    ----------
    la_code : str
    wave : int
    units : tuple of dict
        One record per demographic group and neighbourhood with both indices
        published: kind ('group' or 'neighbourhood'), level, area_code,
        breakdown, group_code, group (the frame's label), label (a readable
        who/where, see :func:`~civicpulse_report.insight.view.describe_unit`),
        base, modelled; for each axis (traditional, drivers) the estimate,
        ``<axis>_ci_lower``, ``<axis>_ci_upper``, ``<axis>_sig_england``,
        ``england_<axis>``; drivers_gap (England minus drivers, positive =
        below England) and flagged. Ordered by kind (groups first), breakdown,
        group_code.
    flagged : tuple of dict
        The units that look fine on satisfaction but lack drivers: traditional
        index not significantly below England (sig_england better, similar or
        higher) and drivers index significantly below England (worse); largest
        drivers gap first.
    rho_groups, rho_neighbourhoods : float
        Spearman rank correlation of the two indices across the groups, and
        across the neighbourhoods; NaN with fewer than three units or when
        either index is constant. A low rho means the satisfaction lens ranks
        places and people differently from the drivers lens.
    n_groups, n_neighbourhoods : int
    """

    la_code: str
    wave: int
    units: tuple[dict[str, Any], ...]
    flagged: tuple[dict[str, Any], ...]
    rho_groups: float
    rho_neighbourhoods: float
    n_groups: int
    n_neighbourhoods: int

    @property
    def frame(self) -> pd.DataFrame:
        """The units as a data frame."""
        return pd.DataFrame(list(self.units))


def spearman_rho(x: pd.Series | np.ndarray, y: pd.Series | np.ndarray) -> float:
    """Spearman's rank correlation, NaN for fewer than 3 pairs or constant input.

    :func:`~civicpulse_report.statistics.rank_correlation` on the complete pairs
    (Pearson's correlation of average ranks).
    """
    return rank_correlation(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def lens_comparison(
    view: LAView,
    *,
    measures: Measures | None = None,
    neighbourhood_names: Mapping[str, str] | None = None,
) -> LensComparison:
    """Compare the two lenses across one LA's groups and neighbourhoods.

    Parameters
    ----------
    view : LAView
        The LA and wave compared, with its estimates.
    measures : Measures, optional
        For readable unit labels (see
        :func:`~civicpulse_report.insight.view.describe_unit`).
    neighbourhood_names : mapping, optional
        neighbourhood_code -> name, for the neighbourhoods' labels.

    Returns
    -------
    LensComparison
        Suppressed units (either index) are left out.
    """
    est = view.estimates
    in_wave = est[est["indicator"].isin([TRADITIONAL_INDEX, DRIVERS_INDEX])]
    _, groups, hoods = view.unit_masks(in_wave)
    rows = in_wave[(groups | hoods) & publishable_mask(in_wave)].copy()
    rows["kind"] = np.where(rows["level"] == "neighbourhood", "neighbourhood", "group")
    rows["_unit"] = rows["kind"] + "|" + rows["breakdown"] + "|" + code_text(rows["group_code"])
    table = lens_axis(rows, TRADITIONAL_INDEX, "traditional", "_unit").join(
        lens_axis(rows, DRIVERS_INDEX, "drivers", "_unit"), how="inner"
    )
    meta = rows[rows["indicator"] == DRIVERS_INDEX].drop_duplicates("_unit").set_index("_unit")
    table["kind"] = meta["kind"]
    for col in ("level", "area_code", "breakdown", "group_code", "group"):
        table[col] = meta[col]
    table["modelled"] = (
        meta["modelled"].astype("boolean").fillna(False).astype(bool)
        if "modelled" in meta
        else table["kind"].eq("neighbourhood")
    )
    table["label"] = [
        describe_unit(measures, b, str(g), c, neighbourhood_names)
        for b, g, c in zip(table["breakdown"], table["group"], table["group_code"], strict=True)
    ]
    table = table.rename(columns={"drivers_base": "base"})
    table = table.drop(columns=["traditional_base"])
    table["drivers_gap"] = table["england_drivers"] - table["drivers"]
    table["flagged"] = table["traditional_sig_england"].isin(NOT_SIGNIFICANTLY_BELOW) & (
        table["drivers_sig_england"] == "worse"
    )
    table["_kind"] = (table["kind"] == "neighbourhood").astype(int)
    table = table.sort_values(["_kind", "breakdown", "group_code"], kind="mergesort")
    units = table[list(LENS_COLUMNS)].reset_index(drop=True)
    flagged = units[units["flagged"]].sort_values(
        ["drivers_gap", "kind", "breakdown", "group_code"],
        ascending=[False, True, True, True],
        kind="mergesort",
    )
    is_group = units["kind"] == "group"
    return LensComparison(
        la_code=view.la_code,
        wave=int(view.wave),
        units=tuple(units.to_dict("records")),
        flagged=tuple(flagged.to_dict("records")),
        rho_groups=spearman_rho(units.loc[is_group, "traditional"], units.loc[is_group, "drivers"]),
        rho_neighbourhoods=spearman_rho(
            units.loc[~is_group, "traditional"], units.loc[~is_group, "drivers"]
        ),
        n_groups=int(is_group.sum()),
        n_neighbourhoods=int((~is_group).sum()),
    )
