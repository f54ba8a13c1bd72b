"""Change since the previous wave, nationally: England's own figures and how many LAs moved.

:func:`national_change` sets England's estimate of each measure beside the
previous wave's, with the change, its interval and the two-sample z test the
one pass already ran; :func:`la_change_counts` counts the LAs whose change
was significant, each way. Estimates are only selected here; the interval of
a change comes from :func:`civicpulse_report.statistics.change_test`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from civicpulse_report.insight.gaps import publishable_mask
from civicpulse_report.statistics import change_test, z_value

CHANGE_COLUMNS = (
    "indicator",
    "type",
    "polarity",
    "wave",
    "previous_wave",
    "estimate",
    "ci_lower",
    "ci_upper",
    "base",
    "previous_estimate",
    "change",
    "change_ci_lower",
    "change_ci_upper",
    "change_p",
    "change_significant",
    "direction",
)


def _direction(change: float, significant: bool, polarity: str) -> str:
    if not significant or np.isnan(change):
        return "no significant change"
    if polarity == "higher_is_better":
        return "improved" if change > 0 else "worsened"
    if polarity == "lower_is_better":
        return "improved" if change < 0 else "worsened"
    return "rose" if change > 0 else "fell"


def national_change(
    est: pd.DataFrame, wave: int, indicators: Sequence[str], confidence: float = 0.95
) -> pd.DataFrame:
    """England's change since the previous wave on each measure, with significance.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame.
    wave : int
    indicators : sequence of str
        In display order.
    confidence : float
        For the interval of each change (the test itself is the one pass's).

    Returns
    -------
    DataFrame
        Columns :data:`CHANGE_COLUMNS`: one row per indicator that England
        published in both ``wave`` and the wave before (none in a first
        wave). ``change`` = now - before; its interval is change ± z x
        sqrt(se_now² + se_before²); ``direction`` is 'improved' / 'worsened'
        by polarity ('rose' / 'fell' for neutral measures) when the change is
        significant, else 'no significant change'.

    Raises
    ------
    ValueError
        If ``confidence`` is not between 0 and 1.
    """
    crit = z_value(confidence)
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "england")
        & (est["breakdown"] == "all")
        & est["indicator"].isin(list(indicators))
    ]
    rows = rows[publishable_mask(rows) & rows["previous_estimate"].notna()].copy()
    rows = rows.drop_duplicates("indicator")
    test = change_test(
        rows["estimate"].to_numpy(float),
        rows["se"].to_numpy(float),
        rows["previous_estimate"].to_numpy(float),
        rows["previous_se"].to_numpy(float),
    )
    rows["change_ci_lower"] = (
        rows["change"].to_numpy(float) - crit * test["se_difference"].to_numpy()
    )
    rows["change_ci_upper"] = (
        rows["change"].to_numpy(float) + crit * test["se_difference"].to_numpy()
    )
    rows["change_significant"] = rows["change_significant"].astype(bool)
    rows["previous_wave"] = rows["previous_wave"].astype(int)
    rows["direction"] = [
        _direction(float(c), bool(s), str(p))
        for c, s, p in zip(
            rows["change"], rows["change_significant"], rows["polarity"], strict=True
        )
    ]
    order = {ind: i for i, ind in enumerate(indicators)}
    rows = rows.sort_values("indicator", key=lambda s: s.map(order), kind="mergesort")
    return rows[list(CHANGE_COLUMNS)].reset_index(drop=True)


def la_change_counts(est: pd.DataFrame, wave: int, indicators: Sequence[str]) -> pd.DataFrame:
    """How many LAs changed significantly since the previous wave, each way.

    Parameters
    ----------
    est : DataFrame
    wave : int
    indicators : sequence of str

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator``, ``n_las`` (LAs published in both
        waves), ``n_up`` and ``n_down`` (significant rises and falls) and
        ``n_unchanged``; with no previous wave every count is 0.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "la")
        & (est["breakdown"] == "all")
        & est["indicator"].isin(list(indicators))
    ]
    rows = rows[publishable_mask(rows) & rows["previous_estimate"].notna()]
    sig = rows["change_significant"].astype(bool)
    out = []
    for ind in indicators:
        mine = rows["indicator"] == ind
        n = int(mine.sum())
        up = int((mine & sig & (rows["change"] > 0)).sum())
        down = int((mine & sig & (rows["change"] < 0)).sum())
        out.append(
            {
                "indicator": ind,
                "n_las": n,
                "n_up": up,
                "n_down": down,
                "n_unchanged": n - up - down,
            }
        )
    return pd.DataFrame(out)
