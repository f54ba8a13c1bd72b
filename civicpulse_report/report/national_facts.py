"""The national fact bundle: every number the national publication draft shows.

:func:`build_national_facts` runs the national insight once
(:func:`~civicpulse_report.insight.national_analysis.analyse_nation`) and
returns a JSON-ready bundle (``build/<year>/facts/national.json``, written
with :func:`~civicpulse_report.report.facts.write_facts`). The national
notebook (``analysis/national_report.ipynb``) only reads it and draws;
``tables.csv`` and ``tables.xlsx`` come from the same bundle
(:func:`~civicpulse_report.report.national_tables.national_facts_to_table`).
Only published (unsuppressed) estimates enter.

The bundle's ``figure_alt`` (figure label -> alt text that states the
figure's finding with its numbers) is what the notebook hands the renderer
under each figure (:func:`civicpulse_report.report.present.figure_data`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd

from civicpulse_report import __version__
from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.insight import (
    PRIORITY_METHOD,
    Intervention,
    analyse_nation,
    national_figure_alt,
    national_key_findings,
)
from civicpulse_report.measures import Measures
from civicpulse_report.report.facts import SYNTHETIC_NOTICE, _clean, _estimate_rows, records
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import EstimateSet, design_effect, kish_effective_n

NATIONAL_FACTS_VERSION = 1
SYNTHETIC_PREFIX = "X0"

QUADRANT_RULE = (
    "Each LA is placed on two axes, the traditional satisfaction and perceptions index and the "
    "Civic Pulse drivers index, each against England. Two views are kept. By point estimates, "
    "every LA gets a quadrant from which side of England's value its estimate falls ('at or "
    "above' counts as not below). By significance, an LA is counted in a quadrant only where "
    "both of its indices differ significantly from England (its 95% interval excludes England's "
    "value on both axes); every other LA is reported as 'not clearly placed'. The counts in the "
    "text use the significance view."
)
LENS_METHOD = (
    "Agreement between two rankings of LAs is Spearman's rank correlation (average ranks for "
    "ties) over the LAs with both figures. Its 95% interval uses Fisher's z transformation with "
    "the Bonett-Wright standard error sqrt((1 + rho^2/2) / (n - 3)). The old lens is the Place "
    "Survey 2008 figure for satisfaction with the local area (NI 5); the new lens is the Civic "
    "Pulse drivers index. Ranks shown are competition ranks (1 = highest). A rank carries the "
    "uncertainty of both surveys, so a move of a few places means little."
)


def _is_synthetic(dataset: Dataset) -> bool:
    """True when any LA code is a synthetic demo code (as the build decides it)."""
    codes = dataset.la_lookup["la_code"].astype(str)
    return bool(codes.str.startswith(SYNTHETIC_PREFIX).any())


def _labelled(frame: pd.DataFrame, measures: Measures) -> list[dict[str, Any]]:
    return records(_estimate_rows(frame, measures))


def _data_quality(dataset: Dataset, waves: Sequence[int]) -> list[dict[str, Any]]:
    survey = dataset.survey
    out = []
    for w in waves:
        in_wave = survey["wave"] == w
        weights = survey.loc[in_wave, "weight"].astype(float)
        out.append(
            {
                "wave": int(w),
                "respondents": int(in_wave.sum()),
                "las_surveyed": int(survey.loc[in_wave, "la_code"].nunique()),
                "weighted_base": float(weights.sum()),
                "n_eff": kish_effective_n(weights) if len(weights) else None,
                "deff": design_effect(weights) if len(weights) else None,
            }
        )
    return out


def build_national_facts(
    dataset: Dataset,
    est: EstimateSet,
    measures: Measures,
    settings: Settings,
    interventions: Sequence[Intervention],
    *,
    year: int,
    narrative: Mapping[str, str] | None = None,
    synthetic: bool | None = None,
) -> dict[str, Any]:
    """Assemble the national fact bundle for one wave.

    Parameters
    ----------
    dataset : Dataset
        The validated inputs (LA lookup, legacy table, survey for the data-quality table).
    est : EstimateSet
        The all-LA estimates of this run (not an LA's cut-down set).
    measures, settings, interventions
        As for the LA reports.
    year : int
        The wave reported (one of ``est.waves``).
    narrative : mapping of str to str, optional
        The authors' sections (:func:`~civicpulse_report.report.narrative.read_narrative`),
        stored verbatim as ``bundle['narrative']``; none gives ``{}``.
    synthetic : bool, optional
        Whether the inputs are the synthetic demo; by default, when any LA
        code is a demo code (X06-X09), as the build's own check decides.

    Returns
    -------
    dict
        JSON-safe bundle. Keys: facts_version, package_version, kind
        ('national'), meta, indicators, domains, data_quality, england,
        distribution, bands, regions, la_types, groups, quadrant,
        quadrant_counts, lens_ranks, lens_agreement, rank_movers,
        double_deficit, groups_in_need, interventions, interventions_meta,
        change, la_change, alpha, findings, figure_alt, narrative, methods.

    Raises
    ------
    ValueError
        If ``year`` is not one of the run's waves.
    """
    waves = [w for w in est.waves if w <= year]
    analysis = analyse_nation(
        est.estimates,
        year,
        est.waves,
        dataset.la_lookup,
        dataset.legacy,
        measures,
        settings,
        interventions,
    )
    synthetic = _is_synthetic(dataset) if synthetic is None else bool(synthetic)
    e = est.estimates
    england = e[
        (e["wave"] == year)
        & (e["level"] == "england")
        & (e["breakdown"] == "all")
        & ~e["suppressed"].astype(bool)
    ]
    spine = est.spine[est.spine["wave"] == year].set_index("indicator")
    bands = analysis.bands.copy()
    for col in ("min", "q25", "median", "q75", "max"):
        bands[col] = bands["indicator"].map(spine[col]) if col in spine else None
    alpha = est.alpha[(est.alpha["wave"] == year) & (est.alpha["area_code"] == ENGLAND_CODE)]
    organisation = settings.branding.organisation
    findings = national_key_findings(analysis, measures, confidence_level=settings.confidence_level)
    title = f"Civic Pulse: active citizenship in England, {year} \u2014 publication draft"
    meta = {
        "kind": "national",
        "title": title,
        "subtitle": "National publication draft"
        + (" from synthetic demonstration data" if synthetic else ""),
        "author": f"Prepared by {organisation} from the Civic Pulse survey, wave {year}",
        "organisation": organisation,
        "year": int(year),
        "waves": waves,
        "previous_wave": analysis.previous_wave,
        "synthetic": synthetic,
        "synthetic_notice": SYNTHETIC_NOTICE if synthetic else None,
        "comparator": "England",
        "confidence_level": settings.confidence_level,
        "min_base": settings.min_base,
        "reference_wave": est.reference.wave,
        "n_las": analysis.n_las,
        "n_las_placed": len(analysis.quadrant),
        "n_regions": int(dataset.la_lookup["region"].nunique()),
        "n_la_types": int(dataset.la_lookup["la_type"].nunique()),
        "n_respondents": int((dataset.survey["wave"] == year).sum()),
        "legacy_label": analysis.legacy_label,
        "breakdowns": [
            {"id": b, "label": measures.demographics[b].label} for b in settings.breakdowns
        ],
        "indices": list(analysis.indices),
        "branding": asdict(settings.branding),
    }
    tally = analysis.interventions
    bundle = {
        "facts_version": NATIONAL_FACTS_VERSION,
        "package_version": __version__,
        "kind": "national",
        "meta": meta,
        "indicators": [
            {
                "id": i.id,
                "domain": i.domain,
                "label": i.label,
                "short": i.short,
                "type": i.type,
                "polarity": i.polarity,
                "definition": i.definition,
            }
            for i in measures.indicators
        ],
        "domains": [asdict(d) for d in measures.domains],
        "data_quality": _data_quality(dataset, waves),
        "england": _labelled(england, measures),
        "distribution": _labelled(analysis.distribution, measures),
        "bands": records(bands),
        "regions": records(analysis.regions),
        "la_types": records(analysis.la_types),
        "groups": _labelled(analysis.groups, measures),
        "quadrant": records(analysis.quadrant),
        "quadrant_counts": records(analysis.quadrant_counts),
        "lens_ranks": records(analysis.lens_ranks),
        "lens_agreement": records(analysis.lens_agreement),
        "rank_movers": records(analysis.rank_movers),
        "double_deficit": records(analysis.double_deficit),
        "groups_in_need": records(analysis.groups_in_need),
        "interventions": records(tally.counts),
        "interventions_meta": {
            "n_las_reported": tally.n_las_reported,
            "n_las_without": tally.n_las_without,
        },
        "change": _labelled(analysis.change, measures),
        "la_change": records(analysis.la_change),
        "alpha": [
            {"domain": r["domain"], "england": r["alpha"], "n": r["n"]}
            for r in alpha.to_dict("records")
        ],
        "findings": _clean(list(findings)),
        "figure_alt": national_figure_alt(analysis, measures),
        "narrative": dict(narrative or {}),
        "methods": {
            "quadrant_rule": QUADRANT_RULE,
            "lens_agreement": LENS_METHOD,
            "priority": PRIORITY_METHOD,
        },
    }
    return _clean(bundle)
