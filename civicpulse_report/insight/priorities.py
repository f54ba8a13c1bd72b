"""Where to act first: one LA's groups and neighbourhoods ranked by their gaps to England.

:func:`priority_table` ranks an LA's whole area, demographic groups and
neighbourhoods by how far, how surely and for how many people they fall
short of England on the Civic Pulse measures; :func:`unit_rows` gives the
candidate rows with their gaps (shared with the recommendations).
Estimates are only selected and compared here, never recomputed.

The priority score
------------------
For each group or neighbourhood g and indicator i with a gap to England:

    gap       = England - estimate        (higher is better)
              = estimate - England        (lower is better)     so gap > 0 is worse
    sd_i      = sqrt(p (1 - p)) * 100     proportions, p = England value / 100
              = se_E * sqrt(n_eff_E)      means and indices, from England's own row
    std_gap   = gap / sd_i                the gap in respondent-level SDs
    z         = gap / se_g                how surely the gap is real
    score     = std_gap * min(z, cap) / cap * sqrt(weighted_base_g / population_LA)

``cap`` is ``settings.significance_cap`` (default 3): beyond it more certainty
adds nothing, so large groups with small gaps do not crowd out real ones. The
population term is the share of the LA's adults in the group (the grossed
weighted base over the LA population), square-rooted so that a small group
with a large gap can still rank high. Only positive gaps are kept; groups with
a weighted base under ``settings.min_population`` are not ranked; a gap is
"significant" when the group's interval lies wholly on the worse side of
England (``sig_england == 'worse'``); only significant gaps are recommended on
(:func:`civicpulse_report.insight.recommendations.recommend`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from civicpulse_report.insight.gaps import england_respondent_sd, oriented_gap
from civicpulse_report.insight.indicators import index_indicator
from civicpulse_report.insight.sentences import is_proper_name, possessive
from civicpulse_report.insight.view import LAView, code_text, describe_unit, unit_key
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings


def priority_method(comparator: str = "England") -> str:
    """The priority score in words, for the methodology, naming what the gaps are to.

    Parameters
    ----------
    comparator : str
        What the groups and neighbourhoods are compared with: "England" (the
        text of the whole nation), "the 5 LAs in this data set", "this LA's own
        average".

    Returns
    -------
    str
    """
    if is_proper_name(comparator):
        first = later = comparator
        value_p = f"{comparator} value p"
    else:
        first, later = f"the comparator ({comparator})", "the comparator"
        value_p = "comparator value p"
    return (
        "For each population group and neighbourhood, and each Civic Pulse indicator or domain "
        f"index, the gap to {first} is oriented so that a positive gap is worse ({later} minus the "
        f"estimate where higher is better, the estimate minus {later} where lower is better) and "
        f"standardised by the respondent-level standard deviation in {later}: sqrt(p(1-p)) x 100 "
        f"for a percentage with {value_p}, and {possessive(later, 'standard error')} x sqrt(its "
        "effective sample size) for a mean or index. Certainty is z = gap / the group's standard "
        "error. Score = standardised gap x min(z, C) / C x sqrt(group's weighted base / LA "
        "population), with C = 3: beyond three standard errors more certainty adds nothing, and "
        "the square root of the population share lets a small group with a large gap still rank "
        "high. 'People affected' is the group's estimated adult population. Only gaps worse than "
        f"{later} are ranked; groups of fewer than 1,000 adults and suppressed estimates never "
        f"enter. Only gaps whose 95% interval lies wholly on the worse side of {later} are "
        "recommended on."
    )


#: The priority score in words, for the whole nation.
PRIORITY_METHOD = priority_method()

PRIORITY_COLUMNS = (
    "rank",
    "where",
    "kind",
    "level",
    "area_code",
    "la_code",
    "breakdown",
    "group_code",
    "group",
    "wave",
    "indicator",
    "indicator_label",
    "domain",
    "type",
    "polarity",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "england_value",
    "sig_england",
    "gap",
    "respondent_sd",
    "standardised_gap",
    "z",
    "base",
    "weighted_base",
    "n_eff",
    "deff",
    "population_affected",
    "population_share",
    "modelled",
    "score",
    "significant",
)


def _indicator_meta(measures: Measures, domain_roles: Sequence[str]) -> pd.DataFrame:
    """id, label, domain, type, polarity for the non-neutral indicators and indices."""
    domains = [d for d in measures.domains if d.role in domain_roles]
    ids = {d.id for d in domains}
    rows = [
        {
            "indicator": i.id,
            "indicator_label": i.label,
            "domain": i.domain,
            "type": i.type,
            "polarity": i.polarity,
        }
        for i in measures.indicators
        if i.domain in ids and i.polarity != "neutral"
    ]
    rows += [
        {
            "indicator": index_indicator(d.id),
            "indicator_label": f"{d.label} index",
            "domain": d.id,
            "type": "mean",
            "polarity": "higher_is_better",
        }
        for d in domains
    ]
    return pd.DataFrame(rows)


def unit_rows(
    view: LAView,
    measures: Measures,
    neighbourhood_names: Mapping[str, str] | None = None,
    domain_roles: Sequence[str] = ("civic_pulse",),
) -> pd.DataFrame:
    """Publishable whole-area, group and neighbourhood rows of one LA, with gaps to England.

    Rows: level la overall (kind "area"), level la with a demographic
    breakdown (kind "group"), and level neighbourhood, in the view's wave,
    for the non-neutral indicators and indices of domains with the given
    roles; never a suppressed row. Adds where, kind, unit (a key),
    indicator_label, domain, polarity (from measures), gap (oriented, positive
    = worse than England), respondent_sd, standardised_gap and z.
    """
    est = view.estimates
    meta = _indicator_meta(measures, domain_roles)
    in_wave = est[est["indicator"].isin(meta["indicator"])]
    # The whole area is a unit too: where everyone lacks a driver (a "hidden
    # need" LA), that is the finding, not the largest group that mirrors it.
    whole, groups, hoods = view.unit_masks(in_wave)
    suppressed = in_wave["suppressed"].astype("boolean").fillna(True).astype(bool)
    rows = in_wave[(groups | hoods | whole) & ~suppressed & in_wave["estimate"].notna()]
    rows = rows.drop(columns=["polarity", "type"], errors="ignore").merge(
        meta, on="indicator", how="left"
    )
    rows["group_code"] = rows["group_code"].astype(object)
    rows["kind"] = np.select(
        [rows["level"] == "neighbourhood", rows["breakdown"] == "all"],
        ["neighbourhood", "area"],
        default="group",
    )
    rows["unit"] = unit_key(rows)
    rows["where"] = [
        describe_unit(measures, b, str(g), c, neighbourhood_names)
        for b, g, c in zip(rows["breakdown"], rows["group"], rows["group_code"], strict=True)
    ]
    rows["gap"] = oriented_gap(rows["estimate"], rows["england_value"], rows["polarity"])
    rows["respondent_sd"] = england_respondent_sd(rows, view.england)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["standardised_gap"] = rows["gap"] / rows["respondent_sd"]
        rows["z"] = rows["gap"] / rows["se"].where(rows["se"] >= 0)
    if "modelled" not in rows:
        rows["modelled"] = rows["kind"] == "neighbourhood"
    rows["modelled"] = rows["modelled"].astype("boolean").fillna(False).astype(bool)
    return rows.reset_index(drop=True)


def priority_table(
    view: LAView,
    measures: Measures,
    settings: Settings,
    population: float,
    neighbourhood_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rank one LA's groups and neighbourhoods by where to act first.

    See the module docstring for the score. Candidates are the LA's
    demographic groups and neighbourhoods on every non-neutral indicator of
    the Civic Pulse domains and on the Civic Pulse domain indices; suppressed
    rows never enter.

    Parameters
    ----------
    view : LAView
        The LA and wave ranked, with its estimates.
    measures : Measures
    settings : Settings
        Supplies ``significance_cap`` and ``min_population``.
    population : float
        The LA's adult population (the denominator of the population share).
    neighbourhood_names : mapping, optional
        neighbourhood_code -> name, for the ``where`` column.

    Returns
    -------
    DataFrame
        Columns :data:`PRIORITY_COLUMNS`; only positive gaps (worse than
        England) with a finite score and a weighted base of at least
        ``settings.min_population``; ranked 1, 2, ... by score descending,
        ties broken by indicator id, breakdown and group_code.

    Raises
    ------
    ValueError
        If ``population`` is not a positive number.
    """
    if not (isinstance(population, int | float | np.number) and population > 0):
        raise ValueError(f"population must be a positive number, got {population!r}")
    rows = unit_rows(view, measures, neighbourhood_names)
    cap = float(settings.significance_cap)
    rows["population_affected"] = rows["weighted_base"].astype(float)
    rows["population_share"] = rows["population_affected"] / float(population)
    with np.errstate(invalid="ignore"):
        rows["score"] = (
            rows["standardised_gap"]
            * np.minimum(rows["z"], cap)
            / cap
            * np.sqrt(rows["population_share"])
        )
    keep = (
        (rows["gap"] > 0)
        & np.isfinite(rows["score"])
        & (rows["population_affected"] >= settings.min_population)
    )
    rows = rows[keep].copy()
    rows["significant"] = rows["sig_england"] == "worse"
    rows["_group_code"] = code_text(rows["group_code"])
    rows = rows.sort_values(
        ["score", "indicator", "breakdown", "_group_code"],
        ascending=[False, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    rows["rank"] = np.arange(1, len(rows) + 1)
    for col in PRIORITY_COLUMNS:
        if col not in rows:
            rows[col] = np.nan
    return rows[list(PRIORITY_COLUMNS)]
