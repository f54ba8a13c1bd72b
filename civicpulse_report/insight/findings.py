"""Key findings for one LA: short plain-English sentences generated from the numbers.

:func:`key_findings` writes them in order: the drivers index against
England, the weakest other domain, the quadrant and the legacy contrast
(:mod:`civicpulse_report.insight.lens_findings`), the top priority, the
largest change, and an asset to build on. The findings on the LA's own
figures, the priority and the change are written here.

Every number in a finding comes from a named row and column (its
``references``), formatted by the one shared formatter
:func:`~civicpulse_report.insight.formatting.format_value` (and
:func:`~civicpulse_report.insight.formatting.format_ci`), so a test can check
each number against the estimates frame, and ``tables.csv``. Wording follows
the significance flags: "significantly" only when the flag says so, "similar
to" otherwise.

Names of LAs and neighbourhoods are untrusted text: they are inserted as they
are, with no markup around them, and escaped by the renderer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from civicpulse_report.insight.formatting import ci_label, format_value, is_missing
from civicpulse_report.insight.gaps import england_respondent_sd, oriented_gap
from civicpulse_report.insight.indicators import (
    ASSET_DOMAINS,
    DRIVERS_INDEX,
    index_domain,
    index_indicator,
    is_index,
)
from civicpulse_report.insight.lens_findings import legacy_finding, quadrant_finding
from civicpulse_report.insight.sentences import (
    Finding,
    References,
    against,
    comparator_name,
    figure,
    is_publishable,
    versus_england,
)
from civicpulse_report.insight.view import LAView, code_text
from civicpulse_report.measures import Measures


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _measure_name(measures: Measures, indicator_id: str) -> str:
    """How a sentence names a measure: "the drivers of active citizenship index" or 'Label'."""
    if is_index(indicator_id):
        domain = measures.domain(index_domain(indicator_id))
        return f"the {_lower_first(domain.label)} index"
    return f"'{measures.indicator(indicator_id).label}'"


def _theirs(name: str) -> str:
    """How a sentence says the comparator's own figure: England's, or that of the 5 LAs."""
    return f"{name}'s" if name == "England" else f"that of {name}"


def _within_name(view: LAView) -> str:
    """What the LA's groups and neighbourhoods are compared with, as the estimates name it."""
    est = view.estimates
    rows = est[est["level"].isin(["la", "neighbourhood"]) & (est["breakdown"] != "all")]
    for rec in rows.head(50).to_dict("records"):
        name = comparator_name(rec)
        if name is not None:
            return name
    return "England"


def _la_rows(view: LAView) -> dict[str, dict[str, Any]]:
    """The LA's overall rows (records) by indicator, the first of each."""
    rows = view.overall
    return {r["indicator"]: r for r in rows.drop_duplicates("indicator").to_dict("records")}


def _find_row(est: pd.DataFrame, rec: Mapping[str, Any], wave: int) -> dict[str, Any] | None:
    match = est[
        (est["wave"] == wave)
        & (est["level"] == rec["level"])
        & (est["area_code"] == rec["area_code"])
        & (est["breakdown"] == rec["breakdown"])
        & (code_text(est["group_code"]) == code_text(pd.Series([rec["group_code"]])).iloc[0])
        & (est["indicator"] == rec["indicator"])
    ]
    return match.iloc[0].to_dict() if len(match) else None


def _headline(
    la_rows: Mapping[str, Mapping[str, Any]], measures: Measures, la_name: str, ci: str
) -> Finding:
    refs = References()
    name = _measure_name(measures, DRIVERS_INDEX)
    row = la_rows.get(DRIVERS_INDEX)
    if row is None:
        text = f"{name[:1].upper()}{name[1:]} for {la_name} is not published."
    elif not is_publishable(row):
        year = format_value(refs.estimate_cell(row, "wave"), "year")
        text = f"In {year}, {name} for {la_name} is not published because too few people responded."
    else:
        year = format_value(refs.estimate_cell(row, "wave"), "year")
        text = (
            f"In {year}, {name} for {la_name} is {figure(row, refs, ci)}, "
            f"{versus_england(row, refs)}."
        )
    return Finding("headline", text, tuple(refs.items))


def _weakest_domain(
    la_rows: Mapping[str, Mapping[str, Any]], measures: Measures, la_name: str, ci: str
) -> Finding:
    refs = References()
    candidates = []
    uncompared = 0
    for order, dom in enumerate(measures.civic_pulse_domains):
        row = la_rows.get(index_indicator(dom.id))
        if index_indicator(dom.id) == DRIVERS_INDEX or not is_publishable(row):
            continue
        assert row is not None
        if is_missing(row.get("england_value")) or comparator_name(row) is None:
            uncompared += 1
            continue
        gap = float(row["england_value"]) - float(row["estimate"])
        candidates.append((-gap, order, dom, row))
    if not candidates and uncompared:
        text = (
            f"The other Civic Pulse domain indices for {la_name} have no wider figure to "
            "compare them with."
        )
        return Finding("weakest_domain", text, ())
    if not candidates:
        text = (
            f"The other Civic Pulse domain indices for {la_name} are not published because "
            "too few people responded."
        )
        return Finding("weakest_domain", text, ())
    neg_gap, _, dom, row = min(candidates, key=lambda c: (c[0], c[1]))
    label = _lower_first(dom.label)
    name = comparator_name(row) or "England"
    if -neg_gap > 0:
        text = (
            f"Beyond the drivers, the Civic Pulse domain furthest below {name} in {la_name} "
            f"is {label}: its index is {figure(row, refs, ci)}, {versus_england(row, refs)}."
        )
    else:
        text = (
            f"No other Civic Pulse domain index for {la_name} is below {_theirs(name)}; the "
            f"closest to it is {label}, at {figure(row, refs, ci)}, "
            f"{versus_england(row, refs)}."
        )
    return Finding("weakest_domain", text, tuple(refs.items))


def _top_priority(
    view: LAView,
    measures: Measures,
    priorities: pd.DataFrame,
    recommendations: Iterable[Any] | None,
    ci: str,
) -> Finding:
    est, la_name, wave = view.estimates, view.la_name, view.wave
    refs = References()
    ranked = priorities.sort_values("rank", kind="mergesort") if len(priorities) else priorities
    significant = ranked[ranked["significant"].astype(bool)] if len(ranked) else ranked
    if len(significant):
        top = significant.iloc[0].to_dict()
        row = _find_row(est, top, wave)
        if row is not None and is_publishable(row):
            measure = _measure_name(measures, str(top["indicator"]))
            people = format_value(refs.estimate_cell(row, "weighted_base"), "count")
            if top.get("kind") == "area":
                text = (
                    f"The top priority for action is area-wide, on {measure}: "
                    f"{figure(row, refs, ci)} across {la_name}, {versus_england(row, refs)}, "
                    f"for an estimated {people} adults."
                )
            else:
                text = (
                    f"The top priority for action is {top['where']}, on {measure}: "
                    f"{figure(row, refs, ci)}, {versus_england(row, refs)}, among an "
                    f"estimated {people} adults."
                )
            if top.get("kind") == "neighbourhood":
                text += " This is a modelled neighbourhood estimate."
            for rec in recommendations or ():
                ranks = {getattr(e, "priority_rank", None) for e in getattr(rec, "evidence", ())}
                if int(top["rank"]) in ranks:
                    text += f" Suggested response: {rec.intervention.name}."
                    break
            return Finding("top_priority", text, tuple(refs.items))
    if len(ranked):
        nxt = ranked.iloc[0].to_dict()
        row = _find_row(est, nxt, wave)
        if row is not None and is_publishable(row):
            kind = str(row["type"])
            value = format_value(refs.estimate_cell(row, "estimate"), kind)
            england = format_value(refs.estimate_cell(row, "england_value"), kind)
            name = comparator_name(row) or _within_name(view)
            text = (
                f"No group or neighbourhood in {la_name} is significantly below {name} on any "
                f"Civic Pulse measure; the largest gap, {_measure_name(measures, str(nxt['indicator']))} "
                f"for {nxt['where']} ({value} against {against(name, england)}), is not significant."
            )
            return Finding("top_priority", text, tuple(refs.items))
    text = (
        f"No group or neighbourhood in {la_name} is below {_within_name(view)} on any "
        "Civic Pulse measure."
    )
    return Finding("top_priority", text, ())


def _change(view: LAView, la_rows: Mapping[str, Mapping[str, Any]], measures: Measures) -> Finding:
    la_name = view.la_name
    refs = References()
    published = [
        r for r in la_rows.values() if is_publishable(r) and r["indicator"] in _known_ids(measures)
    ]
    with_previous = [r for r in published if not is_missing(r.get("previous_wave"))]
    if not with_previous:
        anchor = la_rows.get(DRIVERS_INDEX) or next(iter(la_rows.values()))
        year = format_value(refs.estimate_cell(anchor, "wave"), "year")
        text = (
            f"This is the first Civic Pulse wave for {la_name} ({year}), so change over time "
            "cannot yet be measured."
        )
        return Finding("change", text, tuple(refs.items))
    changed = pd.DataFrame(
        [
            r
            for r in with_previous
            if bool(r.get("change_significant")) and not is_missing(r.get("previous_estimate"))
        ]
    )
    if changed.empty:
        anchor = next(
            (r for r in with_previous if r["indicator"] == DRIVERS_INDEX), with_previous[0]
        )
        prev = format_value(refs.estimate_cell(anchor, "previous_wave"), "year")
        now = format_value(refs.estimate_cell(anchor, "wave"), "year")
        text = f"No published measure for {la_name} changed significantly between {prev} and {now}."
        return Finding("change", text, tuple(refs.items))
    changed["_size"] = (changed["estimate"] - changed["previous_estimate"]).abs() / pd.Series(
        england_respondent_sd(changed, view.england), index=changed.index
    )
    changed = changed[changed["_size"].notna()] if changed["_size"].notna().any() else changed
    changed = changed.assign(_size=changed["_size"].fillna(0.0)).sort_values(
        ["_size", "indicator"], ascending=[False, True], kind="mergesort"
    )
    row = changed.iloc[0].to_dict()
    kind = str(row["type"])
    prev_wave = format_value(refs.estimate_cell(row, "previous_wave"), "year")
    before = format_value(refs.estimate_cell(row, "previous_estimate"), kind)
    after = format_value(refs.estimate_cell(row, "estimate"), kind)
    now = format_value(refs.estimate_cell(row, "wave"), "year")
    rose = float(row["estimate"]) > float(row["previous_estimate"])
    polarity = _polarity(measures, str(row["indicator"]))
    judgement = ""
    if polarity != "neutral":
        improved = rose == (polarity == "higher_is_better")
        judgement = " (an improvement)" if improved else " (a deterioration)"
    text = (
        f"The largest significant change since {prev_wave} is in "
        f"{_measure_name(measures, str(row['indicator']))}, which {'rose' if rose else 'fell'} "
        f"from {before} to {after} in {now}{judgement}."
    )
    return Finding("change", text, tuple(refs.items))


def _known_ids(measures: Measures) -> set[str]:
    return {i.id for i in measures.indicators} | {index_indicator(d.id) for d in measures.domains}


def _polarity(measures: Measures, indicator_id: str) -> str:
    return (
        "higher_is_better" if is_index(indicator_id) else measures.indicator(indicator_id).polarity
    )


def _asset(
    view: LAView, la_rows: Mapping[str, Mapping[str, Any]], measures: Measures, ci: str
) -> Finding | None:
    la_name = view.la_name
    ids = (
        [i.id for d in ASSET_DOMAINS for i in measures.indicators_in(d) if i.polarity != "neutral"]
        if any(d.id in ASSET_DOMAINS for d in measures.domains)
        else []
    )
    rows = [la_rows[i] for i in ids if i in la_rows and is_publishable(la_rows[i])]
    rows = [r for r in rows if not is_missing(r.get("england_value")) and comparator_name(r)]
    if not rows:
        return None
    name = comparator_name(rows[0]) or "England"
    frame = pd.DataFrame(rows)
    frame["polarity"] = [_polarity(measures, i) for i in frame["indicator"]]
    gap = oriented_gap(frame["estimate"], frame["england_value"], frame["polarity"])
    frame["_advantage"] = -gap / england_respondent_sd(frame, view.england)
    frame = frame[frame["_advantage"].notna()]
    better = frame[frame["sig_england"] == "better"]
    refs = References()
    if len(better):
        row = (
            better.sort_values(
                ["_advantage", "indicator"], ascending=[False, True], kind="mergesort"
            )
            .iloc[0]
            .to_dict()
        )
        text = (
            f"An asset to build on: '{measures.indicator(row['indicator']).label}', at "
            f"{figure(row, refs, ci)}, {versus_england(row, refs)}."
        )
        return Finding("asset", text, tuple(refs.items))
    above = frame[frame["_advantage"] > 0]
    if above.empty:
        text = (
            f"No social asset or everyday citizenship measure for {la_name} is above "
            f"{_theirs(name)} level, so assets will need to be found locally."
        )
        return Finding("asset", text, ())
    row = (
        above.sort_values(["_advantage", "indicator"], ascending=[False, True], kind="mergesort")
        .iloc[0]
        .to_dict()
    )
    text = (
        f"No social asset in {la_name} is significantly stronger than in {name}; the "
        f"strongest relative to {name} is '{measures.indicator(row['indicator']).label}', at "
        f"{figure(row, refs, ci)}, {versus_england(row, refs)}."
    )
    return Finding("asset", text, tuple(refs.items))


def _quadrant(
    view: LAView, la_rows: Mapping[str, Mapping[str, Any]], quadrant: pd.DataFrame | None, ci: str
) -> Finding:
    """The quadrant finding, or why there is none when the LA has no wider comparator."""
    drivers = la_rows.get(DRIVERS_INDEX)
    if is_publishable(drivers) and drivers is not None and comparator_name(drivers) is None:
        text = (
            f"{view.la_name} is not placed on the satisfaction and drivers quadrant: the "
            "quadrant sets an area against a wider figure, and there is none to set it against."
        )
        return Finding("quadrant", text, ())
    return quadrant_finding(view, la_rows, quadrant, ci)


def key_findings(
    view: LAView,
    measures: Measures,
    *,
    priorities: pd.DataFrame,
    quadrant: pd.DataFrame | None = None,
    legacy: pd.DataFrame | None = None,
    recommendations: Sequence[Any] | Iterable[Any] | None = None,
    confidence_level: float = 0.95,
) -> tuple[Finding, ...]:
    """Five to seven plain-English key findings for one LA.

    In order: the drivers index against England; the other Civic Pulse domain
    furthest below England; the quadrant (e.g. 'hidden need'); the top
    priority group or neighbourhood (with its suggested response); the
    largest significant change since the previous wave (or that there is
    none); a legacy contrast (when the legacy table has a usable row); an
    asset to build on (when one is published).

    Parameters
    ----------
    view : LAView
        The LA and wave, with its estimates; its ``la_name`` is untrusted text
        and is inserted as is.
    measures : Measures
    priorities : DataFrame
        From :func:`civicpulse_report.insight.priorities.priority_table`.
    quadrant : DataFrame, optional
        From :func:`civicpulse_report.insight.quadrants.quadrant_table` (all LAs
        or this LA); computed if omitted.
    legacy : DataFrame, optional
        From :func:`civicpulse_report.insight.legacy.legacy_comparison`, or the
        raw legacy file (compared here).
    recommendations : iterable of Recommendation, optional
        To name the response to the top priority.
    confidence_level : float
        For the "95% CI" label; must match the level the intervals use.

    Returns
    -------
    tuple of Finding

    Raises
    ------
    ValueError
        If the view holds no overall row for its LA in its wave.
    """
    la_rows = _la_rows(view)
    if not la_rows:
        raise ValueError(f"no estimates for LA {view.la_code!r} in wave {view.wave}")
    ci = ci_label(confidence_level)
    found: list[Finding | None] = [
        _headline(la_rows, measures, view.la_name, ci),
        _weakest_domain(la_rows, measures, view.la_name, ci),
        _quadrant(view, la_rows, quadrant, ci),
        _top_priority(view, measures, priorities, recommendations, ci),
        _change(view, la_rows, measures),
        legacy_finding(legacy, view, la_rows, measures, ci),
        _asset(view, la_rows, measures, ci),
    ]
    return tuple(f for f in found if f is not None)
