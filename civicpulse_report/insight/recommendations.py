"""What to do: significant gaps matched, in priority order, to interventions.

:func:`recommend` walks the statistically significant gaps of the priority
table (:func:`civicpulse_report.insight.priorities.priority_table`) in rank
order and matches them to the interventions of ``interventions.yml``
(:mod:`civicpulse_report.insight.interventions`), naming who and where to
target, the evidence, the assets to build on and the caveats
(:mod:`civicpulse_report.insight.evidence`). Estimates are only selected and
compared here, never recomputed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from civicpulse_report.insight.evidence import (
    SMALL_EFFECTIVE_BASE,
    AssetRow,
    EvidenceRow,
    asset_rows,
    caveats_for,
    evidence_row,
    is_nan,
)
from civicpulse_report.insight.formatting import format_value
from civicpulse_report.insight.indicators import ASSET_DOMAINS, index_domain, is_index
from civicpulse_report.insight.interventions import Intervention
from civicpulse_report.insight.priorities import unit_rows
from civicpulse_report.insight.sentences import against, within_name
from civicpulse_report.insight.view import LAView, unit_key
from civicpulse_report.measures import Measures


@dataclass(frozen=True)
class Recommendation:
    """One intervention, where to target it, and why.

    Attributes
    ----------
    intervention : Intervention
    targets : tuple of str
        Who and where, in priority order (at most ``max_targets``).
    further_targets : tuple of str
        Other groups and areas with significant gaps this intervention
        addresses, named without their evidence (see the priority table).
    evidence : tuple of EvidenceRow
        The significant gaps it answers (a domain-index gap is followed by the
        significantly worse components it was traced to).
    assets_to_build_on : tuple of AssetRow
    caveats : tuple of str
    first_rank : int
        Priority rank of the highest-ranked gap it answers.
    """

    intervention: Intervention
    targets: tuple[str, ...]
    further_targets: tuple[str, ...]
    evidence: tuple[EvidenceRow, ...]
    assets_to_build_on: tuple[AssetRow, ...]
    caveats: tuple[str, ...]
    first_rank: int


@dataclass(frozen=True)
class RecommendationSet:
    """The recommendations for one LA and wave, with notes on what was left out.

    Iterating over it (or ``len``, indexing) gives the recommendations.
    """

    la_code: str
    wave: int
    recommendations: tuple[Recommendation, ...]
    notes: tuple[str, ...]

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self.recommendations)

    def __len__(self) -> int:
        return len(self.recommendations)

    def __getitem__(self, i: int) -> Recommendation:
        return self.recommendations[i]


@dataclass
class _Draft:
    intervention: Intervention
    first_rank: int
    targets: list[str] = field(default_factory=list)
    further: list[str] = field(default_factory=list)
    units: list[tuple[str, str]] = field(default_factory=list)
    evidence: dict[tuple[str, str], EvidenceRow] = field(default_factory=dict)


def recommend(
    priorities: pd.DataFrame,
    view: LAView,
    interventions: Sequence[Intervention],
    measures: Measures,
    max_recommendations: int = 5,
    *,
    max_targets: int = 3,
    small_effective_base: float = SMALL_EFFECTIVE_BASE,
    max_assets_per_unit: int = 3,
) -> RecommendationSet:
    """Match the significant gaps, in priority order, to interventions.

    Each significant gap (``priorities.significant``) is mapped to every
    intervention whose ``addresses`` includes its indicator. A gap in a domain
    index is first traced to the unit's component indicators of that domain
    that are themselves significantly worse than the comparator (worst first). Gaps
    that map to an intervention already chosen are merged into it, so one
    recommendation lists all its targets; new interventions are added until
    ``max_recommendations`` is reached. Non-significant gaps are never
    recommended on.

    Parameters
    ----------
    priorities : DataFrame
        From :func:`~civicpulse_report.insight.priorities.priority_table`
        for the same view (any row order; ``rank`` orders it).
    view : LAView
        The LA and wave, with its estimates (for components and assets).
    interventions : sequence of Intervention
        In the order of interventions.yml, which breaks ties.
    measures : Measures
    max_recommendations : int
    max_targets : int
        Groups and areas per recommendation shown with their evidence, highest
        priority first; further ones are named in ``further_targets`` only.
    small_effective_base : float
        Evidence rows on fewer effective respondents get a caveat.
    max_assets_per_unit : int

    Returns
    -------
    RecommendationSet
        Deterministic for the same inputs in any row order. ``notes`` says
        when fewer than ``max_recommendations`` could be made and names the
        largest gap that is not significant (for monitoring only); it also
        names significant gaps no intervention addresses, index gaps with no
        significant component, and interventions left out by the cap.

    Raises
    ------
    ValueError
        If ``max_recommendations`` or ``max_targets`` is less than 1.
    """
    if max_recommendations < 1 or max_targets < 1:
        raise ValueError("max_recommendations and max_targets must be at least 1")
    pool = unit_rows(view, measures, domain_roles=("civic_pulse",))
    asset_ids = frozenset(
        i.id
        for i in measures.indicators
        if i.domain in ASSET_DOMAINS and i.polarity == "higher_is_better"
    )
    ranked = priorities.sort_values("rank", kind="mergesort")
    ranked = ranked.assign(unit=unit_key(ranked))
    rank_of = {
        (u, i): int(r)
        for u, i, r in zip(ranked["unit"], ranked["indicator"], ranked["rank"], strict=True)
    }
    significant = ranked[ranked["significant"].astype(bool)]
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for rec in pool.to_dict("records"):
        by_unit.setdefault(rec["unit"], []).append(rec)

    drafts: dict[str, _Draft] = {}
    unmatched: dict[str, list[str]] = {}
    untraced: dict[str, list[str]] = {}
    left_out: list[str] = []
    for gap in significant.to_dict("records"):
        where = str(gap["where"])
        unit = str(gap["unit"])
        lead: list[Mapping[str, Any]] = []
        if is_index(gap["indicator"]):
            domain_ids = {i.id for i in measures.indicators_in(index_domain(gap["indicator"]))}
            targets = sorted(
                (
                    r
                    for r in by_unit.get(unit, ())
                    if r["indicator"] in domain_ids
                    and r["sig_england"] == "worse"
                    and not is_nan(r["standardised_gap"])
                ),
                key=lambda r: (-r["standardised_gap"], r["indicator"]),
            )
            lead = [gap]
            if not targets:
                untraced.setdefault(str(gap["indicator_label"]), []).append(where)
                continue
        else:
            targets = [gap]
        matched = False
        for target in targets:
            for iv in interventions:
                if target["indicator"] not in iv.addresses:
                    continue
                matched = True
                if iv.id not in drafts:
                    if len(drafts) >= max_recommendations:
                        if iv.name not in left_out:
                            left_out.append(iv.name)
                        continue
                    drafts[iv.id] = _Draft(iv, first_rank=int(gap["rank"]))
                draft = drafts[iv.id]
                if where not in draft.targets:
                    if len(draft.targets) >= max_targets:
                        if where not in draft.further:
                            draft.further.append(where)
                        continue
                    draft.targets.append(where)
                    draft.units.append((unit, where))
                for rec in (*lead, target):
                    key = (unit, str(rec["indicator"]))
                    if key not in draft.evidence:
                        draft.evidence[key] = evidence_row(rec, where, rank_of.get(key))
        if not matched:
            unmatched.setdefault(str(gap["indicator_label"]), []).append(where)

    recommendations = []
    for draft in drafts.values():
        evidence = tuple(draft.evidence.values())
        assets: list[AssetRow] = []
        for unit, where in draft.units:
            assets += asset_rows(
                by_unit.get(unit, ()), where, draft.intervention, asset_ids, max_assets_per_unit
            )
        recommendations.append(
            Recommendation(
                intervention=draft.intervention,
                targets=tuple(draft.targets),
                further_targets=tuple(draft.further),
                evidence=evidence,
                assets_to_build_on=tuple(assets),
                caveats=caveats_for(evidence, small_effective_base),
                first_rank=draft.first_rank,
            )
        )

    notes: list[str] = []
    # What the gaps are to, named for what it is ("England", "this LA's own average").
    versus = within_name(view.estimates) or "England"
    if len(recommendations) < max_recommendations:
        not_significant = ranked[~ranked["significant"].astype(bool)]
        lead_text = (
            "No other gap is statistically significant"
            if len(significant)
            else f"No gap to {versus} is statistically significant"
        )
        if len(not_significant):
            nxt = not_significant.iloc[0]
            notes.append(
                f"{lead_text}; the largest of the rest, {nxt['indicator_label']} for {nxt['where']} "
                f"({format_value(nxt['estimate'], nxt['type'])} against "
                f"{against(versus, format_value(nxt['england_value'], nxt['type']))}), "
                "is not significant and "
                "is shown for monitoring only."
            )
        elif len(significant):
            notes.append(f"{lead_text}, and no other group or area is below {versus}.")
        else:
            notes.append(
                f"No group or neighbourhood is below {versus} on any Civic Pulse measure, "
                "so nothing is recommended."
            )
    for label, wheres in untraced.items():
        notes.append(
            f"The {label} is significantly below {versus} for {'; '.join(wheres)}, but none "
            "of its component measures is on its own, so no single intervention is suggested."
        )
    for label, wheres in unmatched.items():
        notes.append(
            f"The significant gap in {label} for {'; '.join(wheres)} matches no intervention "
            "in interventions.yml, so no action is suggested for it."
        )
    if left_out:
        notes.append(
            "Further significant gaps also point to: "
            + "; ".join(left_out)
            + f". Only the first {max_recommendations} recommendations are listed."
        )
    return RecommendationSet(
        la_code=view.la_code,
        wave=int(view.wave),
        recommendations=tuple(recommendations),
        notes=tuple(notes),
    )
