"""The two key findings that set Civic Pulse beside the older satisfaction lens.

:func:`quadrant_finding` names the LA's quadrant (e.g. 'hidden need': satisfied,
but lacking the drivers of active citizenship) and :func:`legacy_finding` sets
an older survey's figure beside the nearest Civic Pulse measure now. Both are
written with :mod:`civicpulse_report.insight.sentences`, so every number is
traceable to a cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from civicpulse_report.insight.formatting import format_value, is_missing
from civicpulse_report.insight.gaps import SIGNIFICANT_FLAGS
from civicpulse_report.insight.indicators import (
    DRIVERS_INDEX,
    TRADITIONAL_INDEX,
    index_domain,
    is_index,
)
from civicpulse_report.insight.legacy import legacy_comparison
from civicpulse_report.insight.quadrants import quadrant_table
from civicpulse_report.insight.sentences import (
    Finding,
    References,
    comparator_name,
    figure,
    figure_of,
    is_proper_name,
    is_publishable,
    versus_england,
)
from civicpulse_report.insight.view import LAView
from civicpulse_report.measures import Measures

#: Domains a legacy finding prefers its Civic Pulse measure from, in order.
LEGACY_DOMAIN_PREFERENCE = ("drivers", "outcomes")


def quadrant_finding(
    view: LAView,
    la_rows: Mapping[str, Mapping[str, Any]],
    quadrant: pd.DataFrame | None,
    ci: str,
) -> Finding:
    """The LA's quadrant, e.g. 'hidden need', with both indices against the comparator.

    Parameters
    ----------
    view : LAView
    la_rows : mapping
        The LA's overall rows (records) by indicator.
    quadrant : DataFrame or None
        From :func:`~civicpulse_report.insight.quadrants.quadrant_table` (all
        LAs or this LA); taken from the view if omitted.
    ci : str
        The interval label, e.g. "95% CI".
    """
    la_name = view.la_name
    refs = References()
    if quadrant is None or "la_code" not in quadrant:
        quadrant = quadrant_table(view.overall, view.wave)
    here = quadrant[quadrant["la_code"] == view.la_code]
    trad, drivers = la_rows.get(TRADITIONAL_INDEX), la_rows.get(DRIVERS_INDEX)
    if here.empty or not (is_publishable(trad) and is_publishable(drivers)):
        text = (
            f"{la_name} cannot be placed on the satisfaction and drivers quadrant because one "
            "of the two indices is not published."
        )
        return Finding("quadrant", text, ())
    assert trad is not None and drivers is not None
    name = str(here["quadrant"].iloc[0])
    t_text = f"its traditional satisfaction index is {figure(trad, refs, ci)}, {versus_england(trad, refs)}"
    area = la_rows.get("satisfied_area")
    if name == "hidden need" and is_publishable(area):
        assert area is not None
        t_text += (
            f", and satisfaction with the local area is {format_value(refs.estimate_cell(area, 'estimate'), 'proportion')}, "
            f"{versus_england(area, refs)}"
        )
    d_text = f"its drivers index is {figure(drivers, refs, ci)}, {versus_england(drivers, refs)}"
    drivers_sig = drivers["sig_england"]
    # The comparator, named for what it is: "England's", or "the figure for the 5 LAs ...".
    versus = comparator_name(drivers) or "England"
    theirs = f"{versus}'s" if is_proper_name(versus) else figure_of(versus)
    either_sig = trad["sig_england"] in SIGNIFICANT_FLAGS or drivers_sig in SIGNIFICANT_FLAGS
    if name == "hidden need":
        text = f"{la_name} is a 'hidden need' area: {t_text}, but {d_text}."
        if drivers_sig == "worse":
            text += " Satisfaction measures alone would not show this lack of capacity."
        else:
            text += f" The drivers index is not significantly below {theirs}, so this placing is uncertain."
    elif name == "hidden assets":
        text = f"{la_name} is a 'hidden assets' area: {d_text}, although {t_text}."
        if drivers_sig == "better":
            text += (
                " Its capacity for active citizenship is stronger than satisfaction "
                "measures suggest."
            )
        else:
            text += f" The drivers index is not significantly above {theirs}, so this placing is uncertain."
    else:
        text = f"{la_name} is '{name}' lenses: {t_text}, and {d_text}."
        if not either_sig:
            text += (
                f" Neither difference from {versus} is statistically significant, so this "
                "placing is uncertain."
            )
    return Finding("quadrant", text, tuple(refs.items))


def legacy_finding(
    legacy: pd.DataFrame | None,
    view: LAView,
    la_rows: Mapping[str, Mapping[str, Any]],
    measures: Measures,
    ci: str,
) -> Finding | None:
    """An older survey's figure beside the nearest Civic Pulse measure now, if any is usable.

    Parameters
    ----------
    legacy : DataFrame or None
        From :func:`~civicpulse_report.insight.legacy.legacy_comparison`, or
        the raw legacy file (compared here).
    view : LAView
    la_rows : mapping
        The LA's overall rows (records) by indicator.
    measures : Measures
    ci : str
        The interval label, e.g. "95% CI".

    Returns
    -------
    Finding or None
        None without a legacy row whose Civic Pulse measure is published.
    """
    if legacy is None or legacy.empty:
        return None
    la_code, la_name = view.la_code, view.la_name
    if "legacy_indicator" not in legacy:
        legacy = legacy_comparison(legacy, view, measures)
    options = []
    for order, rec in enumerate(legacy.to_dict("records")):
        cp = rec.get("civic_pulse_indicator")
        row = la_rows.get(cp) if isinstance(cp, str) else None
        if not is_publishable(row):
            continue
        local = rec["scope"] == "local authority" and not is_missing(rec.get("legacy_value"))
        if not local and is_missing(rec.get("legacy_england_value")):
            continue
        domain = measures.indicator(cp).domain if not is_index(cp) else index_domain(cp)
        pref = (
            LEGACY_DOMAIN_PREFERENCE.index(domain)
            if domain in LEGACY_DOMAIN_PREFERENCE
            else len(LEGACY_DOMAIN_PREFERENCE)
        )
        options.append(((0 if local else 1, pref, order), rec, row, local))
    if not options:
        return None
    _, rec, row, local = min(options, key=lambda o: o[0])
    refs = References()
    year = rec.get("legacy_year")
    source = str(rec["source"])
    code = str(rec["legacy_indicator"])
    has_england = not is_missing(rec.get("legacy_england_value"))
    cp_text = (
        f"'{rec['civic_pulse_label']}', at {figure(row, refs, ci)}, {versus_england(row, refs)}"
    )
    now = format_value(refs.estimate_cell(row, "wave"), "year")
    if local:
        value = format_value(
            refs.legacy_cell(la_code, source, code, year, "value", rec["legacy_value"]),
            "proportion",
        )
        england = ""
        if has_england:
            england = " (England {})".format(
                format_value(
                    refs.legacy_cell(
                        "E92000001", source, code, year, "value", rec["legacy_england_value"]
                    ),
                    "proportion",
                )
            )
        text = (
            f"The {rec['source_label']} recorded {value} in {la_name} for "
            f"'{rec['legacy_label']}'{england}; Civic Pulse {now} puts the nearest measure, {cp_text}."
        )
    else:
        england = format_value(
            refs.legacy_cell("E92000001", source, code, year, "value", rec["legacy_england_value"]),
            "proportion",
        )
        text = (
            f"Nationally, the {rec['source_label']} recorded {england} for "
            f"'{rec['legacy_label']}' in England; Civic Pulse {now} puts the nearest measure in "
            f"{la_name}, {cp_text}."
        )
    text += (
        " The surveys differ in year, mode and question wording, so this sets two lenses "
        "side by side and is not a measure of change."
    )
    return Finding("legacy", text, tuple(refs.items))
