"""What a recommendation cites: the evidence rows, the assets to build on, the caveats.

:class:`EvidenceRow` is one published figure behind a recommendation (a
significant gap), :class:`AssetRow` a strength of a target group or area that
an intervention can build on; :func:`evidence_row`, :func:`asset_rows` and
:func:`caveats_for` build them from the rows of
:func:`civicpulse_report.insight.priorities.unit_rows`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from civicpulse_report.insight.formatting import format_value
from civicpulse_report.insight.interventions import Intervention

#: An evidence row on fewer effective respondents than this gets a caveat.
SMALL_EFFECTIVE_BASE = 100.0


def _num(value: Any) -> float | None:
    """A float, or None for a missing value (so results compare equal)."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def is_nan(value: Any) -> bool:
    """Whether a record value is missing: None or a float NaN."""
    return value is None or (isinstance(value, float) and np.isnan(value))


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


@dataclass(frozen=True)
class EvidenceRow:
    """One published figure behind a recommendation."""

    where: str
    kind: str
    level: str
    area_code: str
    breakdown: str
    group_code: str | None
    indicator: str
    indicator_label: str
    type: str
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    england_value: float | None
    sig_england: str
    base: float | None
    n_eff: float | None
    modelled: bool
    priority_rank: int | None


@dataclass(frozen=True)
class AssetRow:
    """A strength of a target group or area that an intervention can build on."""

    where: str
    level: str
    area_code: str
    breakdown: str
    group_code: str | None
    indicator: str
    indicator_label: str
    type: str
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    england_value: float | None
    sig_england: str
    base: float | None
    significant: bool
    listed_in_builds_on: bool
    reason: str


def evidence_row(rec: Mapping[str, Any], where: str, rank: int | None) -> EvidenceRow:
    """One unit_rows or priority_table record as evidence, named by ``where``, with its rank."""
    return EvidenceRow(
        where=where,
        kind=str(rec["kind"]),
        level=str(rec["level"]),
        area_code=str(rec["area_code"]),
        breakdown=str(rec["breakdown"]),
        group_code=_text(rec["group_code"]),
        indicator=str(rec["indicator"]),
        indicator_label=str(rec["indicator_label"]),
        type=str(rec["type"]),
        estimate=_num(rec["estimate"]),
        ci_lower=_num(rec["ci_lower"]),
        ci_upper=_num(rec["ci_upper"]),
        england_value=_num(rec["england_value"]),
        sig_england=str(rec["sig_england"]),
        base=_num(rec["base"]),
        n_eff=_num(rec["n_eff"]),
        modelled=bool(rec["modelled"]),
        priority_rank=None if rank is None else int(rank),
    )


def asset_rows(
    unit_records: Sequence[Mapping[str, Any]],
    where: str,
    intervention: Intervention,
    asset_ids: frozenset[str],
    limit: int,
) -> list[AssetRow]:
    """Strengths of one unit: significantly better than England, else the highest above it.

    Candidates are the intervention's ``builds_on`` indicators and the
    higher-is-better indicators of the asset domains; builds_on ones come first.
    """
    wanted = asset_ids | set(intervention.builds_on)
    cands = [
        r for r in unit_records if r["indicator"] in wanted and not is_nan(r["standardised_gap"])
    ]
    better = [r for r in cands if r["sig_england"] == "better"]
    if better:
        chosen = sorted(
            better,
            key=lambda r: (
                r["indicator"] not in intervention.builds_on,
                r["standardised_gap"],
                r["indicator"],
            ),
        )[:limit]
        reason = "significantly better than England"
    else:
        above = [r for r in cands if r["standardised_gap"] < 0]
        chosen = sorted(above, key=lambda r: (r["standardised_gap"], r["indicator"]))[:1]
        reason = "highest relative to England, though not significantly better"
    return [
        AssetRow(
            where=where,
            level=str(r["level"]),
            area_code=str(r["area_code"]),
            breakdown=str(r["breakdown"]),
            group_code=_text(r["group_code"]),
            indicator=str(r["indicator"]),
            indicator_label=str(r["indicator_label"]),
            type=str(r["type"]),
            estimate=_num(r["estimate"]),
            ci_lower=_num(r["ci_lower"]),
            ci_upper=_num(r["ci_upper"]),
            england_value=_num(r["england_value"]),
            sig_england=str(r["sig_england"]),
            base=_num(r["base"]),
            significant=r["sig_england"] == "better",
            listed_in_builds_on=r["indicator"] in intervention.builds_on,
            reason=reason,
        )
        for r in chosen
    ]


def caveats_for(evidence: Sequence[EvidenceRow], small_effective_base: float) -> tuple[str, ...]:
    """One caveat for modelled neighbourhoods, and one per unit on a small effective base."""
    out: list[str] = []
    modelled = list(
        dict.fromkeys(r.where for r in evidence if r.kind == "neighbourhood" and r.modelled)
    )
    if modelled:
        out.append(
            f"Figures for {'; '.join(modelled)} are modelled neighbourhood estimates (shrunk "
            "towards the local authority figure), so read them as a pattern rather than an "
            "exact level."
        )
    smallest: dict[str, float] = {}
    for row in evidence:
        if row.n_eff is not None and row.n_eff < small_effective_base:
            smallest[row.where] = min(row.n_eff, smallest.get(row.where, row.n_eff))
    for where, n_eff in smallest.items():
        out.append(
            f"{where}: some of these figures rest on an effective sample of about "
            f"{format_value(n_eff, 'count')} people, so their intervals are wide; check them "
            "against local knowledge before acting."
        )
    return tuple(out)
