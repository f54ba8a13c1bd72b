"""Alt text for the national draft's figures: each states the finding, with its numbers.

:func:`national_figure_alt` returns one sentence or two per figure label of
``analysis/national_report.py`` (``fig-bands``, ``fig-caterpillar-<domain>``,
``fig-areas-<domain>``, ``fig-groups-drivers``, ``fig-groups-outcomes``,
``fig-quadrant``, ``fig-lens-movers``, ``fig-need``, ``fig-interventions``,
``fig-change``), written from the same
:class:`~civicpulse_report.insight.national_analysis.NationalAnalysis` as the
key findings and with the same formatter, so the alt text and the tables
agree. The chart type is left to the caption.
"""

from __future__ import annotations

import pandas as pd

from civicpulse_report.insight.formatting import format_value
from civicpulse_report.insight.indicators import DRIVERS_INDEX, index_domain, index_indicator
from civicpulse_report.insight.national_analysis import NationalAnalysis
from civicpulse_report.insight.national_need import OUTCOMES_INDEX
from civicpulse_report.measures import Measures


def _count(value: object) -> str:
    return format_value(value, "count")


def _mean(value: object) -> str:
    return format_value(value, "mean")


def _bands_text(a: NationalAnalysis, indicator: str) -> str:
    row = a.bands.set_index("indicator").loc[indicator]
    return (
        f"{_count(row['n_worse'])} of {_count(row['n_published'])} LAs significantly below "
        f"England's {_mean(row['england_value'])}, {_count(row['n_similar'])} similar and "
        f"{_count(row['n_better'])} significantly above"
    )


def _extremes(rows: pd.DataFrame, name: str) -> str:
    ordered = rows.sort_values(["estimate", name], kind="mergesort")
    low, high = ordered.iloc[0], ordered.iloc[-1]
    return (
        f"lowest {low[name]} at {_mean(low['estimate'])}, "
        f"highest {high[name]} at {_mean(high['estimate'])}"
    )


def _domain_alt(a: NationalAnalysis, measures: Measures, domain_id: str) -> dict[str, str]:
    ind = index_indicator(domain_id)
    label = measures.domain(domain_id).label
    out: dict[str, str] = {}
    dist = a.distribution[a.distribution["indicator"] == ind]
    if dist.empty:
        out[f"fig-caterpillar-{domain_id}"] = f"No LA's {label.lower()} index is published."
    else:
        out[f"fig-caterpillar-{domain_id}"] = (
            f"{label} index for {_count(len(dist))} LAs, {_extremes(dist, 'la_name')}: "
            f"{_bands_text(a, ind)}."
        )
    regions = a.regions[a.regions["indicator"] == ind]
    types = a.la_types[a.la_types["indicator"] == ind]
    if regions.empty or types.empty:
        out[f"fig-areas-{domain_id}"] = f"No regional {label.lower()} index is published."
    else:
        below = int((regions["sig_england"] == "worse").sum())
        out[f"fig-areas-{domain_id}"] = (
            f"{label} index by region, {_extremes(regions, 'area')}, against England's "
            f"{_mean(regions['england_value'].iloc[0])}; {_count(below)} of "
            f"{_count(len(regions))} regions significantly below England. By LA type, "
            f"{_extremes(types, 'area')}."
        )
    return out


def _groups_alt(a: NationalAnalysis, measures: Measures, indicator: str) -> str:
    part = a.groups[a.groups["indicator"] == indicator]
    label = measures.domain(index_domain(indicator)).label
    if part.empty:
        return f"No national group estimate of the {label.lower()} index is published."
    worse = int((part["sig_england"] == "worse").sum())
    better = int((part["sig_england"] == "better").sum())
    return (
        f"{label} index by population group against England's "
        f"{_mean(part['england_value'].iloc[0])}: {_extremes(part, 'who')}; "
        f"{_count(worse)} of {_count(len(part))} groups significantly below England and "
        f"{_count(better)} significantly above."
    )


def _quadrant_alt(a: NationalAnalysis) -> str:
    c = a.quadrant_counts.set_index("quadrant")
    return (
        f"{_count(len(a.quadrant))} LAs on satisfaction and drivers. Placed only where both "
        f"differ significantly from England: {_count(c.loc['hidden need', 'n_significant'])} "
        f"hidden need, {_count(c.loc['hidden assets', 'n_significant'])} hidden assets, "
        f"{_count(c.loc['strong on both', 'n_significant'])} strong on both, "
        f"{_count(c.loc['low on both', 'n_significant'])} low on both and "
        f"{_count(c.loc['not clearly placed', 'n_significant'])} not clearly placed; on point "
        f"estimates, {_count(c.loc['hidden need', 'n_point_estimate'])} would be hidden need."
    )


def _movers_alt(a: NationalAnalysis) -> str:
    agreement = a.lens_agreement.set_index("pair")
    if a.rank_movers.empty or "legacy_vs_drivers" not in agreement.index:
        return "No LA has both a Place Survey 2008 figure and a published drivers index."
    top = a.rank_movers.iloc[0]
    rho = float(agreement.loc["legacy_vs_drivers", "rho"])
    return (
        f"Ranks of the {_count(len(a.rank_movers))} LAs that move most between "
        f"{a.legacy_label} and the drivers index; the largest mover, {top['la_name']}, goes "
        f"from {_count(top['rank_legacy'])} to {_count(top['rank_drivers'])} of "
        f"{_count(len(a.lens_ranks))}. Across all LAs the rank correlation is {rho:.2f}."
    )


def _need_alt(a: NationalAnalysis, measures: Measures) -> str:
    n = a.distribution[a.distribution["indicator"] == DRIVERS_INDEX]
    dd = a.double_deficit
    out_label = measures.domain(index_domain(OUTCOMES_INDEX)).label.lower()
    text = (
        f"{out_label[:1].upper() + out_label[1:]} against the drivers index for "
        f"{_count(len(n))} LAs: {_count(len(dd))} significantly below England on both"
    )
    if len(dd):
        first = dd.iloc[0]
        text += (
            f", furthest {first['la_name']} ({out_label} {_mean(first['outcomes_estimate'])}, "
            f"drivers {_mean(first['drivers_estimate'])})"
        )
    return text + "."


def _interventions_alt(a: NationalAnalysis) -> str:
    used = a.interventions.counts[a.interventions.counts["n_las"] > 0]
    n = _count(a.interventions.n_las_reported)
    if used.empty:
        return f"None of the {n} LA reports recommends an intervention."
    listed = "; ".join(f"{r['name']} {_count(r['n_las'])}" for r in used.to_dict("records"))
    return f"LAs out of {n} whose report recommends each intervention: {listed}."


def _change_alt(a: NationalAnalysis, measures: Measures) -> str:
    if a.previous_wave is None or a.change.empty:
        return f"{a.wave} is the first wave, so no change is shown."
    rows = a.change[a.change["indicator"].isin(a.indices)]
    parts = []
    for r in rows.to_dict("records"):
        label = measures.domain(index_domain(r["indicator"])).label
        sig = "significant" if r["change_significant"] else "not significant"
        parts.append(f"{label} {_mean(r['previous_estimate'])} to {_mean(r['estimate'])} ({sig})")
    return f"England's domain indices, {a.previous_wave} to {a.wave}: " + "; ".join(parts) + "."


def national_figure_alt(analysis: NationalAnalysis, measures: Measures) -> dict[str, str]:
    """Alt text for every figure of the national draft, keyed by figure label.

    Parameters
    ----------
    analysis : NationalAnalysis
    measures : Measures

    Returns
    -------
    dict of str to str
        One entry per figure label the national notebook draws; each text
        states what the figure shows with the numbers from ``analysis``.

    Raises
    ------
    KeyError
        If ``analysis`` lacks an index that ``measures`` declares.
    """
    a = analysis
    bands = "; ".join(
        f"{measures.domain(index_domain(ind)).label}: {_bands_text(a, ind)}"
        for ind in a.indices
        if ind in set(a.bands["indicator"])
        and int(a.bands.set_index("indicator").loc[ind, "n_published"])
    )
    alt = {"fig-bands": f"LAs by comparison with England in {a.wave}. {bands}."}
    for dom in measures.civic_pulse_domains:
        alt.update(_domain_alt(a, measures, dom.id))
    alt["fig-groups-drivers"] = _groups_alt(a, measures, DRIVERS_INDEX)
    alt["fig-groups-outcomes"] = _groups_alt(a, measures, OUTCOMES_INDEX)
    alt["fig-quadrant"] = _quadrant_alt(a)
    alt["fig-lens-movers"] = _movers_alt(a)
    alt["fig-need"] = _need_alt(a, measures)
    alt["fig-interventions"] = _interventions_alt(a)
    alt["fig-change"] = _change_alt(a, measures)
    return alt
