"""Where intervention is most needed nationally, and what the LA reports call for.

:func:`double_deficit` finds the LAs (and :func:`groups_in_need` England's
groups) significantly below England on both active citizenship and its
drivers; :func:`intervention_counts` runs every LA's priority table and
recommendations (:func:`~civicpulse_report.insight.priorities.priority_table`,
:func:`~civicpulse_report.insight.recommendations.recommend`, each on the
LA's :class:`~civicpulse_report.insight.view.LAView`) and counts how often
each intervention is recommended. Estimates are only selected and compared
here, never recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.insight.indicators import DRIVERS_INDEX, index_indicator
from civicpulse_report.insight.interventions import Intervention
from civicpulse_report.insight.priorities import priority_table
from civicpulse_report.insight.recommendations import recommend
from civicpulse_report.insight.view import LAView
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings

#: The active citizenship (formal volunteering and civic engagement) index.
OUTCOMES_INDEX = index_indicator("outcomes")

_AXIS_COLUMNS = ("estimate", "ci_lower", "ci_upper", "sig_england", "england_value", "gap")


def _pair(
    rows: pd.DataFrame, key: Sequence[str], first: str, second: str, keep: Sequence[str]
) -> pd.DataFrame:
    """One row per unit with both indicators side by side, both significantly worse."""
    parts = []
    for ind, name in ((first, "outcomes"), (second, "drivers")):
        part = rows[rows["indicator"] == ind].drop_duplicates(list(key)).set_index(list(key))
        part = part[list(_AXIS_COLUMNS)].rename(columns=lambda c, n=name: f"{n}_{c}")
        parts.append(part)
    both = parts[0].join(parts[1], how="inner")
    both = both[
        (both["outcomes_sig_england"] == "worse") & (both["drivers_sig_england"] == "worse")
    ]
    info = rows.drop_duplicates(list(key)).set_index(list(key))[list(keep)]
    both = both.join(info, how="left")
    both["mean_gap"] = (both["outcomes_gap"] + both["drivers_gap"]) / 2.0
    both = both.reset_index()
    both = both.sort_values(["mean_gap", *key], ascending=[False] + [True] * len(key))
    return both.reset_index(drop=True)


def double_deficit(
    distribution: pd.DataFrame,
    *,
    outcomes: str = OUTCOMES_INDEX,
    drivers: str = DRIVERS_INDEX,
) -> pd.DataFrame:
    """LAs significantly below England on both active citizenship and its drivers.

    Parameters
    ----------
    distribution : DataFrame
        From :func:`civicpulse_report.insight.national.la_distribution`,
        holding both indices.
    outcomes, drivers : str
        The two index ids.

    Returns
    -------
    DataFrame
        One row per such LA: la_code, la_name, region, la_type; for each of
        ``outcomes_`` and ``drivers_``: estimate, ci_lower, ci_upper,
        sig_england, england_value, gap (England minus the LA); and
        ``mean_gap`` (the mean of the two gaps, in index points). Largest
        mean gap first (ties: la_code).

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    return _pair(
        distribution, ["la_code"], outcomes, drivers, keep=["la_name", "region", "la_type"]
    )


def groups_in_need(
    groups: pd.DataFrame,
    *,
    outcomes: str = OUTCOMES_INDEX,
    drivers: str = DRIVERS_INDEX,
) -> pd.DataFrame:
    """England's groups significantly below the national value on both indices.

    Parameters
    ----------
    groups : DataFrame
        From :func:`civicpulse_report.insight.national.national_groups`.
    outcomes, drivers : str

    Returns
    -------
    DataFrame
        One row per such group: breakdown, group_code, breakdown_label,
        group, who; the ``outcomes_`` and ``drivers_`` columns as in
        :func:`double_deficit`; ``mean_gap``. Largest mean gap first.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    return _pair(
        groups,
        ["breakdown", "group_code"],
        outcomes,
        drivers,
        keep=["breakdown_label", "group", "who"],
    )


@dataclass(frozen=True)
class InterventionTally:
    """What every LA's recommendations call for.

    Attributes
    ----------
    counts : DataFrame
        One row per intervention in the library: ``intervention``, ``name``,
        ``n_las`` (LAs whose report recommends it), ``share_las`` (of
        ``n_las_reported``), ``n_first`` (LAs where it is the first
        recommendation) and ``n_targets`` (groups and areas it is aimed at,
        summed over LAs). Most often recommended first; ties in library
        order.
    per_la : DataFrame
        la_code, order (1 = first), intervention, name, first_rank, n_targets.
    n_las_reported : int
        LAs whose recommendations were computed.
    n_las_without : int
        Of those, LAs with no recommendation (no significant gap).
    """

    counts: pd.DataFrame
    per_la: pd.DataFrame
    n_las_reported: int
    n_las_without: int


def intervention_counts(
    est: pd.DataFrame,
    wave: int,
    la_lookup: pd.DataFrame,
    measures: Measures,
    settings: Settings,
    interventions: Sequence[Intervention],
) -> InterventionTally:
    """Run every LA's priorities and recommendations, and count the interventions.

    The frame is split by LA once; each LA's view holds England's rows and the
    LA's own (overall, groups, neighbourhoods), which is all that
    :func:`~civicpulse_report.insight.priorities.priority_table` and
    :func:`~civicpulse_report.insight.recommendations.recommend` read, so
    each LA gets the recommendations its own report shows.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame (all LAs).
    wave : int
    la_lookup : DataFrame
        la_code, population (the priority score's denominator).
    measures, settings, interventions
        As for the LA reports.

    Returns
    -------
    InterventionTally

    Raises
    ------
    ValueError
        If an LA's population is not a positive number.
    """
    now = est[est["wave"] == wave]
    # Plain object columns: the per-LA functions turn rows into records many times,
    # which is about a fifth faster than from Arrow-backed strings (same values).
    text = [
        c for c in now.columns if now[c].dtype != object and pd.api.types.is_string_dtype(now[c])
    ]
    now = now.astype({c: object for c in text})
    england = now[now["level"] == "england"]
    own = now[now["la_code"].notna()]
    population = la_lookup.set_index("la_code")["population"]
    names = la_lookup.set_index("la_code")["la_name"]
    records = []
    reported = 0
    without = 0
    for la_code, part in own.groupby("la_code", sort=True):
        code = str(la_code)
        if code not in population.index:
            continue
        view = LAView.from_estimates(
            pd.concat([england, part]), code, wave, la_name=str(names.get(code, code))
        )
        priorities = priority_table(view, measures, settings, float(population[code]))
        recs = recommend(priorities, view, interventions, measures)
        reported += 1
        without += int(len(recs) == 0)
        for order, rec in enumerate(recs, 1):
            records.append(
                {
                    "la_code": code,
                    "order": order,
                    "intervention": rec.intervention.id,
                    "name": rec.intervention.name,
                    "first_rank": rec.first_rank,
                    "n_targets": len(rec.targets) + len(rec.further_targets),
                }
            )
    per_la = pd.DataFrame(
        records, columns=["la_code", "order", "intervention", "name", "first_rank", "n_targets"]
    )
    counts = pd.DataFrame(
        {
            "intervention": [iv.id for iv in interventions],
            "name": [iv.name for iv in interventions],
            "_library": np.arange(len(interventions)),
        }
    )
    grouped = per_la.groupby("intervention")
    counts["n_las"] = counts["intervention"].map(grouped["la_code"].nunique()).fillna(0)
    counts["n_first"] = counts["intervention"].map(
        per_la[per_la["order"] == 1].groupby("intervention").size()
    )
    counts["n_targets"] = counts["intervention"].map(grouped["n_targets"].sum())
    for col in ("n_las", "n_first", "n_targets"):
        counts[col] = counts[col].fillna(0).astype(int)
    counts["share_las"] = counts["n_las"] / reported if reported else np.nan
    counts = counts.sort_values(["n_las", "_library"], ascending=[False, True], kind="mergesort")
    counts = counts.drop(columns="_library").reset_index(drop=True)
    return InterventionTally(
        counts=counts[["intervention", "name", "n_las", "share_las", "n_first", "n_targets"]],
        per_la=per_la,
        n_las_reported=reported,
        n_las_without=without,
    )
