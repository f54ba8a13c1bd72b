"""Everything the national draft says about England, computed once from the all-LA frame.

:func:`analyse_nation` runs the national insight functions
(:mod:`~civicpulse_report.insight.national`,
:mod:`~civicpulse_report.insight.national_lenses`,
:mod:`~civicpulse_report.insight.national_need`,
:mod:`~civicpulse_report.insight.national_change`, and the quadrants) in
order and returns them as one :class:`NationalAnalysis`, which the key
findings (:mod:`~civicpulse_report.insight.national_findings`) and the
national fact bundle read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from civicpulse_report.insight.indicators import index_indicator
from civicpulse_report.insight.interventions import Intervention
from civicpulse_report.insight.national import (
    area_summary,
    la_distribution,
    national_groups,
    significance_bands,
)
from civicpulse_report.insight.national_change import la_change_counts, national_change
from civicpulse_report.insight.national_lenses import (
    LEGACY_SATISFACTION,
    lens_agreement,
    lens_pairs,
    lens_ranks,
    rank_movers,
)
from civicpulse_report.insight.national_need import (
    InterventionTally,
    double_deficit,
    groups_in_need,
    intervention_counts,
)
from civicpulse_report.insight.quadrants import quadrant_counts, quadrant_table
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings


@dataclass(frozen=True)
class NationalAnalysis:
    """The national picture in one wave (every frame is published rows only).

    Attributes
    ----------
    wave : int
    previous_wave : int or None
    indices : tuple of str
        The domain indices shown (Civic Pulse domains, then traditional).
    distribution : DataFrame
        :func:`~civicpulse_report.insight.national.la_distribution` of ``indices``.
    bands : DataFrame
        :func:`~civicpulse_report.insight.national.significance_bands`.
    regions, la_types : DataFrame
        :func:`~civicpulse_report.insight.national.area_summary` by region and LA type.
    groups : DataFrame
        :func:`~civicpulse_report.insight.national.national_groups` of ``indices``.
    quadrant : DataFrame
        :func:`~civicpulse_report.insight.quadrants.quadrant_table` with
        la_name, region and la_type.
    quadrant_counts : DataFrame
    lens_ranks, lens_agreement, rank_movers : DataFrame
        From :mod:`~civicpulse_report.insight.national_lenses`.
    legacy_label : str
        How the old lens is named in text.
    double_deficit, groups_in_need : DataFrame
    interventions : InterventionTally
    change, la_change : DataFrame
        England's change on every indicator and index, and LAs' change counts
        per index.
    n_las : int
        LAs in the LA lookup.
    """

    wave: int
    previous_wave: int | None
    indices: tuple[str, ...]
    distribution: pd.DataFrame
    bands: pd.DataFrame
    regions: pd.DataFrame
    la_types: pd.DataFrame
    groups: pd.DataFrame
    quadrant: pd.DataFrame
    quadrant_counts: pd.DataFrame
    lens_ranks: pd.DataFrame
    lens_agreement: pd.DataFrame
    rank_movers: pd.DataFrame
    legacy_label: str
    double_deficit: pd.DataFrame
    groups_in_need: pd.DataFrame
    interventions: InterventionTally
    change: pd.DataFrame
    la_change: pd.DataFrame
    n_las: int


def analyse_nation(
    est: pd.DataFrame,
    wave: int,
    waves: Sequence[int],
    la_lookup: pd.DataFrame,
    legacy: pd.DataFrame,
    measures: Measures,
    settings: Settings,
    interventions: Sequence[Intervention],
    *,
    n_movers: int = 10,
) -> NationalAnalysis:
    """Compute the national picture for one wave.

    Parameters
    ----------
    est : DataFrame
        The tidy all-LA estimates frame (every wave).
    wave : int
        The wave reported.
    waves : sequence of int
        The waves of the run; the previous wave is the latest before ``wave``.
    la_lookup : DataFrame
        la_code, la_name, region, la_type, population.
    legacy : DataFrame
        The validated legacy table (Place Survey 2008 and national figures).
    measures, settings, interventions
        As for the LA reports.
    n_movers : int
        How many LAs :func:`~civicpulse_report.insight.national_lenses.rank_movers` names.

    Returns
    -------
    NationalAnalysis

    Raises
    ------
    ValueError
        If ``wave`` is not one of ``waves``.
    """
    if wave not in set(waves):
        raise ValueError(f"wave {wave} is not among the run's waves {sorted(waves)}")
    earlier = sorted(w for w in waves if w < wave)
    indices = tuple(
        [index_indicator(d.id) for d in measures.civic_pulse_domains]
        + [index_indicator(measures.traditional_domain.id)]
    )
    n_las = len(la_lookup)
    dist = la_distribution(est, wave, indices, la_lookup)
    quadrant = quadrant_table(est, wave)
    info = la_lookup.set_index("la_code")
    for col in ("la_name", "region", "la_type"):
        quadrant[col] = quadrant["la_code"].map(info[col]).astype(object)
    source, code = LEGACY_SATISFACTION
    mapping = measures.legacy_indicators.get(code)
    source_def = measures.legacy_sources.get(source)
    legacy_label = (
        f"{source_def.label if source_def else source} '{mapping.label if mapping else code}'"
    )
    ranks = lens_ranks(quadrant, legacy, la_lookup, source=source, indicator=code)
    groups = national_groups(est, wave, indices, settings.breakdowns, measures)
    all_ids = [i.id for i in measures.indicators] + list(indices)
    return NationalAnalysis(
        wave=int(wave),
        previous_wave=int(earlier[-1]) if earlier else None,
        indices=indices,
        distribution=dist,
        bands=significance_bands(dist, indices, n_las),
        regions=area_summary(est, wave, indices, dist, "region"),
        la_types=area_summary(est, wave, indices, dist, "la_type"),
        groups=groups,
        quadrant=quadrant,
        quadrant_counts=quadrant_counts(quadrant),
        lens_ranks=ranks,
        lens_agreement=lens_agreement(
            ranks, lens_pairs(legacy_label, wave), settings.confidence_level
        ),
        rank_movers=rank_movers(ranks, n_movers),
        legacy_label=legacy_label,
        double_deficit=double_deficit(dist),
        groups_in_need=groups_in_need(groups),
        interventions=intervention_counts(est, wave, la_lookup, measures, settings, interventions),
        change=national_change(est, wave, all_ids, settings.confidence_level),
        la_change=la_change_counts(est, wave, indices),
        n_las=n_las,
    )
