"""Key findings for one LA: short plain-English sentences generated from the numbers.

Every number in a finding comes from a named row and column (its
``references``), formatted by the one shared formatter :func:`format_value`
(and :func:`format_ci`), so a test can check each number against the
estimates frame, and ``tables.csv``. Wording follows the significance flags:
"significantly" only when the flag says so, "similar to" otherwise.

Names of LAs and neighbourhoods are untrusted text: they are inserted as they
are, with no markup around them, and escaped by the renderer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from civicpulse_report.insight.contrast import (
    DRIVERS_INDEX,
    INDEX_PREFIX,
    SIGNIFICANT_FLAGS,
    TRADITIONAL_INDEX,
    code_text,
    england_respondent_sd,
    index_indicator,
    is_index,
    la_slice,
    legacy_comparison,
    oriented_gap,
    quadrant_table,
)
from civicpulse_report.measures import Measures

ValueType = Literal["proportion", "mean", "count", "year"]
LEGACY_DOMAIN_PREFERENCE = ("drivers", "outcomes")
ASSET_DOMAINS = ("assets", "everyday")
NOT_PUBLISHED = "not published"


# --------------------------------------------------------------------------
# The one shared number formatter
# --------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
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
    if _is_missing(value):
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


# --------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One key finding.

    Attributes
    ----------
    key : str
        What it is about: headline, weakest_domain, quadrant, top_priority,
        change, legacy or asset.
    text : str
        Plain text, safe to place in markdown once names are escaped.
    references : tuple of dict
        Where each number in ``text`` comes from. For the estimates frame:
        table='estimates', level, area_code, breakdown, group_code, indicator,
        wave, column, value. For the legacy file: table='legacy', la_code,
        source, indicator, year, column, value.
    """

    key: str
    text: str
    references: tuple[dict[str, Any], ...]


class _Refs:
    """Collects references while a sentence is written."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def estimate_cell(self, row: Mapping[str, Any], column: str) -> Any:
        value = row[column]
        group_code = row.get("group_code")
        self.items.append(
            {
                "table": "estimates",
                "level": str(row["level"]),
                "area_code": str(row["area_code"]),
                "breakdown": str(row["breakdown"]),
                "group_code": None if _is_missing_code(group_code) else str(group_code),
                "indicator": str(row["indicator"]),
                "wave": int(row["wave"]),
                "column": column,
                "value": _plain(value),
            }
        )
        return value

    def legacy_cell(
        self, la_code: str, source: str, indicator: str, year: Any, column: str, value: Any
    ) -> Any:
        self.items.append(
            {
                "table": "legacy",
                "la_code": la_code,
                "source": source,
                "indicator": indicator,
                "year": None if _is_missing(year) else int(year),
                "column": column,
                "value": _plain(value),
            }
        )
        return value


def _is_missing_code(code: Any) -> bool:
    return code is None or (isinstance(code, float) and math.isnan(code)) or code is pd.NA


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _measure_name(measures: Measures, indicator_id: str) -> str:
    """How a sentence names a measure: "the drivers of active citizenship index" or 'Label'."""
    if is_index(indicator_id):
        domain = measures.domain(indicator_id[len(INDEX_PREFIX) :])
        return f"the {_lower_first(domain.label)} index"
    return f"'{measures.indicator(indicator_id).label}'"


def _publishable(row: Mapping[str, Any] | None) -> bool:
    return (
        row is not None
        and not bool(row.get("suppressed", False))
        and not _is_missing(row.get("estimate"))
    )


def _la_rows(est: pd.DataFrame, la_code: str, wave: int) -> dict[str, dict[str, Any]]:
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "la")
        & (est["area_code"] == la_code)
        & (est["breakdown"] == "all")
    ]
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


def _figure(row: Mapping[str, Any], refs: _Refs, ci: str) -> str:
    """Return an estimate with its interval, e.g. "95.2 (95% CI 94.0 to 96.4)"."""
    kind = str(row["type"])
    value = format_value(refs.estimate_cell(row, "estimate"), kind)
    lower = refs.estimate_cell(row, "ci_lower")
    upper = refs.estimate_cell(row, "ci_upper")
    return f"{value} ({ci} {format_ci(lower, upper, kind)})"


def _versus_england(row: Mapping[str, Any], refs: _Refs) -> str:
    """Return the comparison with England, worded by the significance flag.

    "significantly above/below England's X" only when the flag is a significant
    one; "similar to England's X" when the flag is 'similar'.
    """
    kind = str(row["type"])
    england = format_value(refs.estimate_cell(row, "england_value"), kind)
    sig = str(row.get("sig_england", "not tested"))
    if sig in SIGNIFICANT_FLAGS:
        direction = "above" if float(row["estimate"]) > float(row["england_value"]) else "below"
        return f"significantly {direction} England's {england}"
    if sig == "similar":
        return f"similar to England's {england}"
    return f"not tested against England's {england}"


def _headline(
    la_rows: Mapping[str, Mapping[str, Any]], measures: Measures, la_name: str, ci: str
) -> Finding:
    refs = _Refs()
    name = _measure_name(measures, DRIVERS_INDEX)
    row = la_rows.get(DRIVERS_INDEX)
    if row is None:
        text = f"{name[:1].upper()}{name[1:]} for {la_name} is not published."
    elif not _publishable(row):
        year = format_value(refs.estimate_cell(row, "wave"), "year")
        text = f"In {year}, {name} for {la_name} is not published because too few people responded."
    else:
        year = format_value(refs.estimate_cell(row, "wave"), "year")
        text = (
            f"In {year}, {name} for {la_name} is {_figure(row, refs, ci)}, "
            f"{_versus_england(row, refs)}."
        )
    return Finding("headline", text, tuple(refs.items))


def _weakest_domain(
    la_rows: Mapping[str, Mapping[str, Any]], measures: Measures, la_name: str, ci: str
) -> Finding:
    refs = _Refs()
    candidates = []
    for order, dom in enumerate(measures.civic_pulse_domains):
        row = la_rows.get(index_indicator(dom.id))
        if index_indicator(dom.id) == DRIVERS_INDEX or not _publishable(row):
            continue
        assert row is not None
        if _is_missing(row.get("england_value")):
            continue
        gap = float(row["england_value"]) - float(row["estimate"])
        candidates.append((-gap, order, dom, row))
    if not candidates:
        text = (
            f"The other Civic Pulse domain indices for {la_name} are not published because "
            "too few people responded."
        )
        return Finding("weakest_domain", text, ())
    neg_gap, _, dom, row = min(candidates, key=lambda c: (c[0], c[1]))
    label = _lower_first(dom.label)
    if -neg_gap > 0:
        text = (
            f"Beyond the drivers, the Civic Pulse domain furthest below England in {la_name} "
            f"is {label}: its index is {_figure(row, refs, ci)}, {_versus_england(row, refs)}."
        )
    else:
        text = (
            f"No other Civic Pulse domain index for {la_name} is below England's; the "
            f"closest to it is {label}, at {_figure(row, refs, ci)}, "
            f"{_versus_england(row, refs)}."
        )
    return Finding("weakest_domain", text, tuple(refs.items))


def _quadrant(
    est: pd.DataFrame,
    la_rows: Mapping[str, Mapping[str, Any]],
    la_code: str,
    la_name: str,
    wave: int,
    quadrant: pd.DataFrame | None,
    ci: str,
) -> Finding:
    refs = _Refs()
    if quadrant is None or "la_code" not in quadrant:
        quadrant = quadrant_table(est[est["area_code"] == la_code], wave)
    here = quadrant[quadrant["la_code"] == la_code]
    trad, drivers = la_rows.get(TRADITIONAL_INDEX), la_rows.get(DRIVERS_INDEX)
    if here.empty or not (_publishable(trad) and _publishable(drivers)):
        text = (
            f"{la_name} cannot be placed on the satisfaction and drivers quadrant because one "
            "of the two indices is not published."
        )
        return Finding("quadrant", text, ())
    assert trad is not None and drivers is not None
    name = str(here["quadrant"].iloc[0])
    t_text = f"its traditional satisfaction index is {_figure(trad, refs, ci)}, {_versus_england(trad, refs)}"
    area = la_rows.get("satisfied_area")
    if name == "hidden need" and _publishable(area):
        assert area is not None
        t_text += (
            f", and satisfaction with the local area is {format_value(refs.estimate_cell(area, 'estimate'), 'proportion')}, "
            f"{_versus_england(area, refs)}"
        )
    d_text = f"its drivers index is {_figure(drivers, refs, ci)}, {_versus_england(drivers, refs)}"
    drivers_sig = drivers["sig_england"]
    either_sig = trad["sig_england"] in SIGNIFICANT_FLAGS or drivers_sig in SIGNIFICANT_FLAGS
    if name == "hidden need":
        text = f"{la_name} is a 'hidden need' area: {t_text}, but {d_text}."
        if drivers_sig == "worse":
            text += " Satisfaction measures alone would not show this lack of capacity."
        else:
            text += " The drivers index is not significantly below England's, so this placing is uncertain."
    elif name == "hidden assets":
        text = f"{la_name} is a 'hidden assets' area: {d_text}, although {t_text}."
        if drivers_sig == "better":
            text += (
                " Its capacity for active citizenship is stronger than satisfaction "
                "measures suggest."
            )
        else:
            text += " The drivers index is not significantly above England's, so this placing is uncertain."
    else:
        text = f"{la_name} is '{name}' lenses: {t_text}, and {d_text}."
        if not either_sig:
            text += (
                " Neither difference from England is statistically significant, so this "
                "placing is uncertain."
            )
    return Finding("quadrant", text, tuple(refs.items))


def _top_priority(
    est: pd.DataFrame,
    measures: Measures,
    la_name: str,
    wave: int,
    priorities: pd.DataFrame,
    recommendations: Iterable[Any] | None,
    ci: str,
) -> Finding:
    refs = _Refs()
    ranked = priorities.sort_values("rank", kind="mergesort") if len(priorities) else priorities
    significant = ranked[ranked["significant"].astype(bool)] if len(ranked) else ranked
    if len(significant):
        top = significant.iloc[0].to_dict()
        row = _find_row(est, top, wave)
        if row is not None and _publishable(row):
            measure = _measure_name(measures, str(top["indicator"]))
            people = format_value(refs.estimate_cell(row, "weighted_base"), "count")
            if top.get("kind") == "area":
                text = (
                    f"The top priority for action is area-wide, on {measure}: "
                    f"{_figure(row, refs, ci)} across {la_name}, {_versus_england(row, refs)}, "
                    f"for an estimated {people} adults."
                )
            else:
                text = (
                    f"The top priority for action is {top['where']}, on {measure}: "
                    f"{_figure(row, refs, ci)}, {_versus_england(row, refs)}, among an "
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
        if row is not None and _publishable(row):
            kind = str(row["type"])
            value = format_value(refs.estimate_cell(row, "estimate"), kind)
            england = format_value(refs.estimate_cell(row, "england_value"), kind)
            text = (
                f"No group or neighbourhood in {la_name} is significantly below England on any "
                f"Civic Pulse measure; the largest gap, {_measure_name(measures, str(nxt['indicator']))} "
                f"for {nxt['where']} ({value} against England's {england}), is not significant."
            )
            return Finding("top_priority", text, tuple(refs.items))
    text = f"No group or neighbourhood in {la_name} is below England on any Civic Pulse measure."
    return Finding("top_priority", text, ())


def _change(
    est: pd.DataFrame,
    la_rows: Mapping[str, Mapping[str, Any]],
    measures: Measures,
    la_name: str,
    wave: int,
) -> Finding:
    refs = _Refs()
    published = [
        r for r in la_rows.values() if _publishable(r) and r["indicator"] in _known_ids(measures)
    ]
    with_previous = [r for r in published if not _is_missing(r.get("previous_wave"))]
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
            if bool(r.get("change_significant")) and not _is_missing(r.get("previous_estimate"))
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
        england_respondent_sd(changed, est), index=changed.index
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


def _legacy(
    legacy: pd.DataFrame | None,
    est: pd.DataFrame,
    la_rows: Mapping[str, Mapping[str, Any]],
    measures: Measures,
    la_code: str,
    la_name: str,
    wave: int,
    ci: str,
) -> Finding | None:
    if legacy is None or legacy.empty:
        return None
    if "legacy_indicator" not in legacy:
        legacy = legacy_comparison(legacy, est, measures, la_code, wave)
    options = []
    for order, rec in enumerate(legacy.to_dict("records")):
        cp = rec.get("civic_pulse_indicator")
        row = la_rows.get(cp) if isinstance(cp, str) else None
        if not _publishable(row):
            continue
        local = rec["scope"] == "local authority" and not _is_missing(rec.get("legacy_value"))
        if not local and _is_missing(rec.get("legacy_england_value")):
            continue
        domain = measures.indicator(cp).domain if not is_index(cp) else cp[len(INDEX_PREFIX) :]
        pref = (
            LEGACY_DOMAIN_PREFERENCE.index(domain)
            if domain in LEGACY_DOMAIN_PREFERENCE
            else len(LEGACY_DOMAIN_PREFERENCE)
        )
        options.append(((0 if local else 1, pref, order), rec, row, local))
    if not options:
        return None
    _, rec, row, local = min(options, key=lambda o: o[0])
    refs = _Refs()
    year = rec.get("legacy_year")
    source = str(rec["source"])
    code = str(rec["legacy_indicator"])
    has_england = not _is_missing(rec.get("legacy_england_value"))
    cp_text = (
        f"'{rec['civic_pulse_label']}', at {_figure(row, refs, ci)}, {_versus_england(row, refs)}"
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


def _asset(
    est: pd.DataFrame,
    la_rows: Mapping[str, Mapping[str, Any]],
    measures: Measures,
    la_name: str,
    ci: str,
) -> Finding | None:
    ids = (
        [i.id for d in ASSET_DOMAINS for i in measures.indicators_in(d) if i.polarity != "neutral"]
        if any(d.id in ASSET_DOMAINS for d in measures.domains)
        else []
    )
    rows = [la_rows[i] for i in ids if i in la_rows and _publishable(la_rows[i])]
    rows = [r for r in rows if not _is_missing(r.get("england_value"))]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["polarity"] = [_polarity(measures, i) for i in frame["indicator"]]
    gap = oriented_gap(frame["estimate"], frame["england_value"], frame["polarity"])
    frame["_advantage"] = -gap / england_respondent_sd(frame, est)
    frame = frame[frame["_advantage"].notna()]
    better = frame[frame["sig_england"] == "better"]
    refs = _Refs()
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
            f"{_figure(row, refs, ci)}, {_versus_england(row, refs)}."
        )
        return Finding("asset", text, tuple(refs.items))
    above = frame[frame["_advantage"] > 0]
    if above.empty:
        text = (
            f"No social asset or everyday citizenship measure for {la_name} is above "
            "England's level, so assets will need to be found locally."
        )
        return Finding("asset", text, ())
    row = (
        above.sort_values(["_advantage", "indicator"], ascending=[False, True], kind="mergesort")
        .iloc[0]
        .to_dict()
    )
    text = (
        f"No social asset in {la_name} is significantly stronger than in England; the "
        f"strongest relative to England is '{measures.indicator(row['indicator']).label}', at "
        f"{_figure(row, refs, ci)}, {_versus_england(row, refs)}."
    )
    return Finding("asset", text, tuple(refs.items))


def key_findings(
    est: pd.DataFrame,
    measures: Measures,
    *,
    la_code: str,
    la_name: str,
    wave: int,
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
    est : DataFrame
        The tidy estimates frame.
    measures : Measures
    la_code, la_name : str
        ``la_name`` is untrusted text and is inserted as is.
    wave : int
    priorities : DataFrame
        From :func:`civicpulse_report.insight.recommend.priority_table`.
    quadrant : DataFrame, optional
        From :func:`civicpulse_report.insight.contrast.quadrant_table` (all LAs or
        this LA); computed if omitted.
    legacy : DataFrame, optional
        From :func:`civicpulse_report.insight.contrast.legacy_comparison`, or the raw
        legacy file (compared here).
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
        If the estimates hold no overall row for this LA in ``wave``.
    """
    est = la_slice(est, la_code, wave)
    la_rows = _la_rows(est, la_code, wave)
    if not la_rows:
        raise ValueError(f"no estimates for LA {la_code!r} in wave {wave}")
    ci = ci_label(confidence_level)
    found: list[Finding | None] = [
        _headline(la_rows, measures, la_name, ci),
        _weakest_domain(la_rows, measures, la_name, ci),
        _quadrant(est, la_rows, la_code, la_name, wave, quadrant, ci),
        _top_priority(est, measures, la_name, wave, priorities, recommendations, ci),
        _change(est, la_rows, measures, la_name, wave),
        _legacy(legacy, est, la_rows, measures, la_code, la_name, wave, ci),
        _asset(est, la_rows, measures, la_name, ci),
    ]
    return tuple(f for f in found if f is not None)
