"""Every figure's alt text for one LA report, from its fact bundle.

Owns which bundle rows each chart of ``analysis/la_report.ipynb`` is drawn
from, and hands them to the sentence writers in
:mod:`civicpulse_report.insight.alt_text`. :func:`figure_alt_texts` runs when
the bundle is built (:func:`~civicpulse_report.report.facts.build_facts`), so
the alt texts are stored in the bundle beside the numbers they quote and the
notebook only places them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicpulse_report.insight import (
    estimates_alt,
    legacy_alt,
    lens_alt,
    priorities_alt,
    quadrant_alt,
    spine_alt,
    tiles_alt,
    trend_alt,
)

#: The chart of groups and the tile map show this index.
BREAKDOWN_INDEX = "index_drivers"


def _index(domain_id: str) -> str:
    return f"index_{domain_id}"


def comparator_names(meta: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """What the area as a whole, and its groups and neighbourhoods, are compared with.

    The names of the bundle's comparator scopes ("England", "the 5 LAs in this
    data set", "this LA's own average"), None for one that is not available;
    "England" for a bundle without scopes.
    """
    scopes = meta.get("comparators") or {}

    def name(level: str) -> str | None:
        scope = scopes.get(level)
        if scope is None:
            return "England"
        return str(scope["name"]) if scope.get("available") else None

    return name("england"), name("groups")


def _domain_figures(facts: Mapping[str, Any], la_name: str) -> dict[str, str]:
    domains = {d["id"]: d for d in facts["domains"]}
    domain_of = {i["id"]: i["domain"] for i in facts["indicators"]}
    out = {}
    for domain in facts["domains"]:
        if domain.get("role") != "civic_pulse":
            continue
        rows = [r for r in facts["la_indicators"] if domain_of.get(r["indicator"]) == domain["id"]]
        if rows:
            out[f"fig-{domain['id']}"] = estimates_alt(
                la_name,
                [{**r, "label": r.get("short") or r.get("label")} for r in rows],
                what=f"{domains[domain['id']]['label']} indicators",
                noun="indicators",
                table="indicators",
                comparator=comparator_names(facts["meta"])[0],
            )
    return out


def figure_alt_texts(facts: Mapping[str, Any]) -> dict[str, str]:
    """Alt text for each figure of the LA report, keyed by the figure's cell label.

    Parameters
    ----------
    facts : Mapping
        A bundle from :func:`~civicpulse_report.report.facts.build_facts`
        (without ``figure_alt``).

    Returns
    -------
    dict of str to str
        ``{"fig-headline": "...", ...}``; a figure the report does not draw
        (no older survey figures, no priority gaps, no groups) has no entry.

    Raises
    ------
    KeyError
        If the bundle lacks a section every report has (``meta``, ``headline``,
        ``domains``, ...).
    """
    meta = facts["meta"]
    la_name = str(meta["la_name"])
    domains = {d["id"]: d for d in facts["domains"]}
    top, within = comparator_names(meta)
    out: dict[str, str] = {}

    headline = [
        {**r, "label": domains.get(r["indicator"].removeprefix("index_"), {}).get("label")}
        for r in facts["headline"]
    ]
    if headline:
        out["fig-headline"] = estimates_alt(
            la_name,
            headline,
            what="Civic Pulse domain indices",
            noun="domains",
            table="headline",
            comparator=top,
        )
    if facts["spine"]:
        n_las = max((int(r.get("n_las") or 0) for r in facts["spine"]), default=0)
        out["fig-spine"] = spine_alt(
            la_name, facts["spine"], n_las=n_las or int(meta["n_las"]), comparator=top
        )
    series = {
        d["label"]: [
            r
            for r in facts["trend"]
            if r["indicator"] == _index(d["id"]) and r.get("level") == "la"
        ]
        for d in facts["domains"]
    }
    if any(len(rows) > 1 for rows in series.values()):
        out["fig-trend"] = trend_alt(la_name, series, comparator=top)
    out.update(_domain_figures(facts, la_name))

    local = [
        {**r, "label": r.get("civic_pulse_label")}
        for r in facts["legacy"]
        if r.get("legacy_value") is not None
    ]
    if local:
        out["fig-legacy"] = legacy_alt(la_name, local)
    if facts["this_quadrant"]:
        out["fig-quadrant"] = quadrant_alt(
            la_name, facts["this_quadrant"][0], facts["quadrant"], comparator=top or "England"
        )
    units = facts.get("lens", {}).get("units", [])
    if units:
        out["fig-lens"] = lens_alt(la_name, units)
    if facts["priorities"]:
        out["fig-priorities"] = priorities_alt(
            la_name, facts["priorities"], comparator=within or "England"
        )
    groups = [
        {**r, "label": f"{r.get('breakdown_label')}: {r.get('group')}"}
        for r in facts["breakdowns"]
        if r["indicator"] == BREAKDOWN_INDEX
    ]
    if groups:
        out["fig-groups"] = estimates_alt(
            la_name,
            groups,
            what="Drivers index by population group",
            noun="population groups",
            table="breakdowns",
            comparator=within,
        )
    hoods = [r for r in facts["neighbourhoods"] if r["indicator"] == BREAKDOWN_INDEX]
    england = next(
        (r.get("estimate") for r in facts["england_headline"] if r["indicator"] == BREAKDOWN_INDEX),
        None,
    )
    if hoods:
        # The tiles are compared with what the groups are; the colour scale's
        # reference is the area-wide comparator's figure, when there is one.
        out["fig-tiles"] = tiles_alt(
            la_name,
            hoods,
            what="Modelled drivers index",
            england=england if top is not None else None,
            comparator=within,
        )
    return out
