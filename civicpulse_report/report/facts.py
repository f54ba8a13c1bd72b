"""Fact bundles: every number one LA's report shows, computed before any notebook runs.

A bundle is a JSON document (``build/<year>/facts/<la_code>.json``). The
notebook only reads it and draws; ``tables.csv`` and ``tables.xlsx`` are
written from the same bundle, so every figure's numbers are in the tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report import __version__
from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.insight import (
    PRIORITY_METHOD,
    Intervention,
    LAView,
    key_findings,
    legacy_comparison,
    lens_comparison,
    priority_method,
    priority_table,
    quadrant_table,
    recommend,
)
from civicpulse_report.measures import Measures
from civicpulse_report.report.alt_text import figure_alt_texts
from civicpulse_report.report.present import read_facts  # noqa: F401  (its reader, kept where notebooks import it light)
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    COMPARATORS,
    GROUPS,
    EstimateSet,
    comparator_sentence,
    design_effect,
    index_id,
    indicator_polarity,
    indicator_types,
    kish_effective_n,
)

FACTS_VERSION = 1
SYNTHETIC_NOTICE = (
    "Synthetic demonstration data: these figures are generated, not real survey results."
)


def _clean(value: Any) -> Any:
    """JSON-safe plain values: NaN/NA -> None, numpy scalars -> Python."""
    if is_dataclass(value) and not isinstance(value, type):
        return _clean(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else round(f, 10)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A data frame as a list of JSON-safe dicts."""
    return [_clean(r) for r in frame.to_dict("records")]


def _estimate_rows(frame: pd.DataFrame, measures: Measures) -> pd.DataFrame:
    labels = {i.id: i.label for i in measures.indicators}
    shorts = {i.id: i.short for i in measures.indicators}
    for dom in measures.domains:
        labels[index_id(dom.id)] = f"{dom.label} index"
        shorts[index_id(dom.id)] = dom.label
    out = frame.copy()
    out["label"] = out["indicator"].map(labels)
    out["short"] = out["indicator"].map(shorts)
    return out


def _one_row_each(
    rows: pd.DataFrame, ids: Sequence[str], measures: Measures, year: int
) -> pd.DataFrame:
    """One row per indicator, in ``ids`` order, indexed by indicator.

    An indicator nobody in the LA answered has no estimates row (a base of 0
    is not a cell); it is shown as suppressed rather than crash the bundle.
    """
    out = rows[rows["indicator"].isin(ids)].set_index("indicator").reindex(list(ids))
    gap = out["suppressed"].isna().to_numpy()
    if gap.any():
        filler = _estimate_rows(pd.DataFrame({"indicator": list(ids)}), measures)
        filler["type"] = filler["indicator"].map(indicator_types(measures))
        filler["polarity"] = filler["indicator"].map(indicator_polarity(measures))
        for col in ("label", "short", "type", "polarity"):
            out.loc[gap, col] = filler[col].to_numpy()[gap]
        out.loc[gap, "wave"] = year
        for name in COMPARATORS:
            out.loc[gap, f"sig_{name}"] = "not tested"
        out["suppressed"] = out["suppressed"].astype("boolean").fillna(True).astype(bool)
    return out


def build_facts(
    est: EstimateSet,
    dataset: Dataset,
    measures: Measures,
    settings: Settings,
    interventions: Sequence[Intervention],
    la_code: str,
    year: int,
    *,
    synthetic: bool,
    narrative: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Assemble one LA's fact bundle.

    Parameters
    ----------
    est : EstimateSet
        The all-LA estimates of this run.
    dataset : Dataset
    measures : Measures
    settings : Settings
    interventions : sequence of Intervention
    la_code : str
    year : int
        The wave reported (must be in ``est.waves``).
    synthetic : bool
        Whether the inputs are the synthetic demo data (every output says so).
    narrative : mapping of str to str, optional
        The council's own text (:func:`~civicpulse_report.report.narrative.read_narrative`
        of ``data/config/narrative/<la_code>.md``), stored verbatim as
        ``bundle['narrative']``; the report shows its ``Foreword``. None (the
        default) leaves the bundle without the key.

    Returns
    -------
    dict
        JSON-safe bundle.
    """
    lookup = dataset.la_lookup.set_index("la_code")
    la = lookup.loc[la_code]
    waves = [w for w in est.waves if w <= year]
    previous = waves[-2] if len(waves) > 1 else None
    # The LA's view of the estimates, taken once: every insight function below reads it.
    view = LAView.from_estimates(est.estimates, la_code, year, la_name=str(la["la_name"]))
    # What each comparator is, for this LA: named for what it is, or absent and why.
    scopes = est.scopes_for(la_code, year)
    now = _estimate_rows(view.estimates, measures)
    la_all = _estimate_rows(view.overall, measures)
    eng_all = _estimate_rows(view.england, measures)

    civic_indices = [index_id(d.id) for d in measures.civic_pulse_domains]
    all_indices = [index_id(d.id) for d in measures.domains]
    headline = _one_row_each(la_all, civic_indices, measures, year)

    indicator_order = [i.id for i in measures.indicators]
    la_indicators = _one_row_each(la_all, indicator_order, measures, year)

    # reindex: an indicator suppressed in every LA has no spine row, and must not crash.
    spine = (
        est.spine[est.spine["wave"] == year]
        .set_index("indicator")
        .reindex([i.id for i in measures.indicators])
    )
    spine_rows = []
    for ind in measures.indicators:
        row = la_indicators.loc[ind.id]
        spine_rows.append(
            {
                "indicator": ind.id,
                "label": ind.short,
                "polarity": ind.polarity,
                "type": ind.type,
                "estimate": row["estimate"],
                "sig_england": row["sig_england"],
                "suppressed": row["suppressed"],
                **{
                    k: spine.loc[ind.id, k]
                    for k in ("min", "q25", "median", "q75", "max", "england", "n_las")
                },
            }
        )

    groups = now[
        (now["level"] == "la")
        & (now["area_code"] == la_code)
        & ~now["breakdown"].isin(["all"])
        & now["indicator"].isin(all_indices)
    ].copy()
    groups["breakdown_label"] = groups["breakdown"].map(
        {k: v.label for k, v in measures.demographics.items()}
    )
    order = {b: i for i, b in enumerate(settings.breakdowns)}
    groups["_order"] = groups["breakdown"].map(order)
    groups["_code"] = pd.to_numeric(groups["group_code"], errors="coerce")
    groups = groups.sort_values(["indicator", "_order", "_code"]).drop(columns=["_order", "_code"])

    nb_lookup = dataset.neighbourhoods.set_index("neighbourhood_code")
    hoods = now[
        (now["level"] == "neighbourhood")
        & (now["la_code"] == la_code)
        & now["indicator"].isin(all_indices)
    ].copy()
    hoods["name"] = hoods["area_code"].map(nb_lookup["neighbourhood_name"])
    hoods["tile_x"] = hoods["area_code"].map(nb_lookup["tile_x"])
    hoods["tile_y"] = hoods["area_code"].map(nb_lookup["tile_y"])
    hoods = hoods.sort_values(["indicator", "area_code"])
    names = dict(zip(hoods["area_code"], hoods["name"], strict=False))

    # Every wave up to this one: the trend is the one selection wider than the view.
    e = est.estimates
    trend = _estimate_rows(
        e[
            (e["wave"] <= year)
            & (e["breakdown"] == "all")
            & e["indicator"].isin(all_indices)
            & (
                ((e["level"] == "la") & (e["area_code"] == la_code))
                # No top-level line when it is the LA itself (a one-LA data set).
                | ((e["level"] == "england") & scopes["england"].available)
            )
        ],
        measures,
    ).sort_values(["indicator", "level", "wave"])

    changes = la_all[
        la_all["indicator"].isin(indicator_order + all_indices) & la_all["change_significant"]
    ]

    quadrant = quadrant_table(est.estimates, year)
    # Names from every LA of the run: those of the lookup and of a benchmark file.
    areas = est.areas if est.areas is not None else dataset.la_lookup
    quadrant = quadrant.merge(areas[["la_code", "la_name"]], on="la_code", how="left")
    quadrant = quadrant.sort_values("la_code")
    this_quadrant = quadrant[quadrant["la_code"] == la_code]
    legacy = legacy_comparison(dataset.legacy, view, measures)
    lens = lens_comparison(view, measures=measures, neighbourhood_names=names)
    priorities = priority_table(
        view, measures, settings, float(la["population"]), neighbourhood_names=names
    )
    recs = recommend(priorities, view, interventions, measures)
    key = key_findings(
        view,
        measures,
        quadrant=this_quadrant,
        priorities=priorities,
        legacy=legacy,
        recommendations=recs,
        confidence_level=settings.confidence_level,
    )

    alpha = est.alpha[
        (est.alpha["wave"] == year) & est.alpha["area_code"].isin([la_code, ENGLAND_CODE])
    ]
    alpha = alpha.pivot_table(index="domain", columns="area_code", values="alpha").reindex(
        [d.id for d in measures.domains]
    )
    alpha_n = est.alpha[
        (est.alpha["wave"] == year) & (est.alpha["area_code"] == la_code)
    ].set_index("domain")["n"]

    survey = dataset.survey
    in_la = survey["la_code"] == la_code
    quality = []
    for w in waves:
        wts = survey.loc[in_la & (survey["wave"] == w), "weight"].astype(float)
        # A wave with fewer respondents than the minimum base is shown as "fewer
        # than N": its count and weighting figures are disclosure-controlled too.
        small = len(wts) < settings.min_base
        quality.append(
            {
                "wave": w,
                "respondents": None if small else len(wts),
                "weighted_base": None if small else wts.sum(),
                "n_eff": None if small else kish_effective_n(wts),
                "deff": None if small else design_effect(wts),
                "suppressed": small,
            }
        )
    neighbour_codes = est.neighbours[est.neighbours["la_code"] == la_code].sort_values("rank")
    area_names = areas.set_index("la_code")["la_name"]
    neighbour_names = [str(area_names[c]) for c in neighbour_codes["neighbour_code"]]
    source_note = (
        f"National, regional, LA-type and nearest-neighbour figures come from the benchmark "
        f"file (release {est.benchmark_release})."
        if est.benchmark_release
        else ""
    )
    n_hoods = int((dataset.neighbourhoods["la_code"] == la_code).sum())

    facts = {
        "facts_version": FACTS_VERSION,
        "package_version": __version__,
        "meta": {
            "la_code": la_code,
            "la_name": str(la["la_name"]),
            "region": str(la["region"]),
            "la_type": str(la["la_type"]),
            "population": int(la["population"]),
            "year": year,
            "waves": waves,
            "previous_wave": previous,
            "synthetic": synthetic,
            "synthetic_notice": SYNTHETIC_NOTICE if synthetic else None,
            "min_base": settings.min_base,
            "confidence_level": settings.confidence_level,
            "reference_wave": est.reference.wave,
            "index_reference": est.reference_name,
            "neighbours": neighbour_names,
            "comparators": {level: scope.as_dict() for level, scope in scopes.items()},
            "comparator_sentence": comparator_sentence(scopes, source_note),
            "national_coverage": None if est.coverage is None else asdict(est.coverage),
            "benchmark_release": est.benchmark_release,
            "neighbours_k": {
                "requested": settings.neighbours_k,
                "used": scopes["neighbours"].k_used or 0,
            },
            "n_neighbourhoods": n_hoods,
            "n_las": len(lookup),
            "branding": asdict(settings.branding),
        },
        "indicators": [
            {
                "id": i.id,
                "domain": i.domain,
                "label": i.label,
                "short": i.short,
                "type": i.type,
                "polarity": i.polarity,
                "definition": i.definition,
                "items": list(i.items),
            }
            for i in measures.indicators
        ],
        "domains": [asdict(d) for d in measures.domains],
        "data_quality": quality,
        "headline": records(headline.reset_index()),
        "england_headline": records(eng_all[eng_all["indicator"].isin(all_indices)]),
        "la_indicators": records(la_indicators.reset_index()),
        "spine": _clean(spine_rows),
        "breakdowns": records(groups),
        "neighbourhoods": records(hoods),
        "trend": records(trend),
        "changes": records(changes),
        "quadrant": records(quadrant),
        "this_quadrant": records(this_quadrant),
        "legacy": records(legacy),
        "lens": _clean(lens),
        "priorities": records(priorities.head(10)),
        "recommendations": _clean(list(recs.recommendations)),
        "recommendation_notes": list(recs.notes),
        # The gaps are to what the groups are compared with, named for what it is.
        "priority_method": (
            priority_method(scopes[GROUPS].name) if scopes[GROUPS].available else PRIORITY_METHOD
        ),
        "findings": _clean(list(key)),
        "alpha": [
            {
                "domain": d,
                "la": alpha.loc[d].get(la_code),
                "england": alpha.loc[d].get(ENGLAND_CODE),
                "n": alpha_n.get(d),
            }
            for d in alpha.index
        ],
    }
    bundle = _clean(facts)
    # Words written from the numbers above: every figure's alt text.
    bundle["figure_alt"] = figure_alt_texts(bundle)
    if narrative is not None:
        bundle["narrative"] = {str(k): str(v) for k, v in narrative.items()}
    return bundle


def write_facts(facts: Mapping[str, Any], path: Path) -> None:
    """Write a bundle as deterministic JSON (sorted keys, UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(facts, sort_keys=True, ensure_ascii=False, indent=1), encoding="utf-8"
    )
