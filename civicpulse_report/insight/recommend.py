"""Where to act, and what to do there.

:func:`priority_table` ranks an LA's demographic groups and neighbourhoods by
how far, how surely and for how many people they fall short of England on the
Civic Pulse measures. :func:`recommend` walks the statistically significant
gaps in that order and matches them to the interventions declared in
``data/config/interventions.yml`` (loaded by :func:`load_interventions`),
naming who and where to target, the evidence, the assets to build on and the
caveats. Estimates are only selected and compared here, never recomputed.

The priority score
------------------
For each group or neighbourhood g and indicator i with a gap to England:

    gap       = England - estimate        (higher is better)
              = estimate - England        (lower is better)     so gap > 0 is worse
    sd_i      = sqrt(p (1 - p)) * 100     proportions, p = England value / 100
              = se_E * sqrt(n_eff_E)      means and indices, from England's own row
    std_gap   = gap / sd_i                the gap in respondent-level SDs
    z         = gap / se_g                how surely the gap is real
    score     = std_gap * min(z, cap) / cap * sqrt(weighted_base_g / population_LA)

``cap`` is ``settings.significance_cap`` (default 3): beyond it more certainty
adds nothing, so large groups with small gaps do not crowd out real ones. The
population term is the share of the LA's adults in the group (the grossed
weighted base over the LA population), square-rooted so that a small group
with a large gap can still rank high. Only positive gaps are kept; groups with
a weighted base under ``settings.min_population`` are not ranked; a gap is
"significant" when the group's interval lies wholly on the worse side of
England (``sig_england == 'worse'``); only significant gaps are recommended on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from civicpulse_report.errors import ConfigError, Problem
from civicpulse_report.insight.contrast import (
    INDEX_PREFIX,
    code_text,
    describe_unit,
    england_respondent_sd,
    index_indicator,
    is_index,
    la_slice,
    oriented_gap,
)
from civicpulse_report.insight.findings import format_value
from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.paths import INTERVENTIONS_FILE
from civicpulse_report.settings import Settings

INTERVENTION_FIELDS = ("id", "name", "addresses", "builds_on", "description", "evidence")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: Domains whose higher-is-better indicators count as assets to build on (with the
#: intervention's own builds_on ids); a low deficit or barrier is not an asset.
ASSET_DOMAINS = ("assets", "everyday")
#: An evidence row on fewer effective respondents than this gets a caveat.
SMALL_EFFECTIVE_BASE = 100.0

PRIORITY_METHOD = (
    "For each population group and neighbourhood, and each Civic Pulse indicator or domain "
    "index, the gap to England is oriented so that a positive gap is worse (England minus the "
    "estimate where higher is better, the estimate minus England where lower is better) and "
    "standardised by the respondent-level standard deviation in England: sqrt(p(1-p)) x 100 "
    "for a percentage with England value p, and England's standard error x sqrt(its effective "
    "sample size) for a mean or index. Certainty is z = gap / the group's standard error. "
    "Score = standardised gap x min(z, C) / C x sqrt(group's weighted base / LA population), "
    "with C = 3: beyond three standard errors more certainty adds nothing, and the square root "
    "of the population share lets a small group with a large gap still rank high. 'People "
    "affected' is the group's estimated adult population. Only gaps worse than England are "
    "ranked; groups of fewer than 1,000 adults and suppressed estimates never enter. Only gaps "
    "whose 95% interval lies wholly on the worse side of England are recommended on."
)

PRIORITY_COLUMNS = (
    "rank",
    "where",
    "kind",
    "level",
    "area_code",
    "la_code",
    "breakdown",
    "group_code",
    "group",
    "wave",
    "indicator",
    "indicator_label",
    "domain",
    "type",
    "polarity",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "england_value",
    "sig_england",
    "gap",
    "respondent_sd",
    "standardised_gap",
    "z",
    "base",
    "weighted_base",
    "n_eff",
    "deff",
    "population_affected",
    "population_share",
    "modelled",
    "score",
    "significant",
)

# --------------------------------------------------------------------------
# Interventions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Intervention:
    """One action the reports can recommend (an entry of interventions.yml)."""

    id: str
    name: str
    addresses: tuple[str, ...]
    builds_on: tuple[str, ...]
    description: str
    evidence: str


def load_interventions(
    path: Path | str = INTERVENTIONS_FILE, measures: Measures | None = None
) -> tuple[Intervention, ...]:
    """Load and validate the interventions YAML.

    Parameters
    ----------
    path : Path or str
        Defaults to ``data/config/interventions.yml``.
    measures : Measures, optional
        To check indicator ids against; the default measures file if omitted.

    Returns
    -------
    tuple of Intervention
        In file order.

    Raises
    ------
    ConfigError
        If the file is missing or not YAML, or if any entry misses a field,
        has an unknown field, a duplicate or malformed id, an empty text, or
        names an indicator id that measures.yml does not define. Every problem
        is listed at once, naming the entry and the field.
    """
    path = Path(path)
    measures = load_measures() if measures is None else measures
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), "interventions file not found")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(str(path), f"not valid YAML: {exc}")]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("interventions"), list):
        raise ConfigError(
            [
                Problem(
                    str(path),
                    "expected a top-level 'interventions:' list",
                    hint="see data/config/interventions.yml for the layout",
                )
            ]
        )

    known = {ind.id for ind in measures.indicators}
    problems: list[Problem] = []
    out: list[Intervention] = []
    seen: set[str] = set()

    def bad(where: str, rule: str, hint: str = "") -> None:
        problems.append(Problem(str(path), f"{where}: {rule}", hint=hint))

    for n, entry in enumerate(raw["interventions"], start=1):
        if not isinstance(entry, dict):
            bad(f"entry {n}", "must be a mapping of fields")
            continue
        iid = entry.get("id")
        where = f"intervention '{iid}' (entry {n})" if iid else f"entry {n}"
        ok = True
        for name in INTERVENTION_FIELDS:
            if name not in entry:
                bad(where, f"field '{name}' is missing")
                ok = False
        for name in sorted(set(entry) - set(INTERVENTION_FIELDS)):
            bad(
                where,
                f"field '{name}' is not a known field",
                f"allowed: {list(INTERVENTION_FIELDS)}",
            )
            ok = False
        if "id" in entry:
            if not isinstance(iid, str) or not ID_PATTERN.match(iid):
                bad(where, "field 'id' must be lower-case letters, digits and underscores")
                ok = False
            elif iid in seen:
                bad(where, "field 'id' duplicates an earlier entry")
                ok = False
            seen.add(str(iid))
        for name in ("name", "description", "evidence"):
            if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
                bad(where, f"field '{name}' must be non-empty text")
                ok = False
        lists: dict[str, tuple[str, ...]] = {}
        for name in ("addresses", "builds_on"):
            if name not in entry:
                continue
            value = entry[name]
            if value is None and name == "builds_on":
                value = []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                bad(where, f"field '{name}' must be a list of indicator ids")
                ok = False
                continue
            if name == "addresses" and not value:
                bad(where, "field 'addresses' must name at least one indicator id")
                ok = False
            unknown = [v for v in value if v not in known]
            if unknown:
                bad(
                    where,
                    f"field '{name}' names unknown indicator ids {unknown}",
                    "use indicator ids defined in measures.yml",
                )
                ok = False
            lists[name] = tuple(value)
        if ok:
            out.append(
                Intervention(
                    id=str(iid),
                    name=entry["name"].strip(),
                    addresses=lists["addresses"],
                    builds_on=lists["builds_on"],
                    description=" ".join(entry["description"].split()),
                    evidence=" ".join(entry["evidence"].split()),
                )
            )
    if not raw["interventions"]:
        bad("interventions", "the list is empty")
    if problems:
        raise ConfigError(problems, summary=f"{path.name} is not a valid interventions file")
    return tuple(out)


# --------------------------------------------------------------------------
# Priorities
# --------------------------------------------------------------------------


def _indicator_meta(measures: Measures, domain_roles: Sequence[str]) -> pd.DataFrame:
    """id, label, domain, type, polarity for the non-neutral indicators and indices."""
    domains = [d for d in measures.domains if d.role in domain_roles]
    ids = {d.id for d in domains}
    rows = [
        {
            "indicator": i.id,
            "indicator_label": i.label,
            "domain": i.domain,
            "type": i.type,
            "polarity": i.polarity,
        }
        for i in measures.indicators
        if i.domain in ids and i.polarity != "neutral"
    ]
    rows += [
        {
            "indicator": index_indicator(d.id),
            "indicator_label": f"{d.label} index",
            "domain": d.id,
            "type": "mean",
            "polarity": "higher_is_better",
        }
        for d in domains
    ]
    return pd.DataFrame(rows)


def unit_rows(
    est: pd.DataFrame,
    measures: Measures,
    la_code: str,
    wave: int,
    neighbourhood_names: Mapping[str, str] | None = None,
    domain_roles: Sequence[str] = ("civic_pulse",),
) -> pd.DataFrame:
    """Publishable whole-area, group and neighbourhood rows of one LA, with gaps to England.

    Rows: level la overall (kind "area"), level la with a demographic
    breakdown (kind "group"), and level neighbourhood, in
    ``wave``, for the non-neutral indicators and indices of domains with the
    given roles; never a suppressed row. Adds where, kind, unit (a key),
    indicator_label, domain, polarity (from measures), gap (oriented, positive
    = worse than England), respondent_sd, standardised_gap and z.
    """
    est = la_slice(est, la_code, wave)
    meta = _indicator_meta(measures, domain_roles)
    in_wave = est[est["indicator"].isin(meta["indicator"])]
    groups = (
        (in_wave["level"] == "la")
        & (in_wave["area_code"] == la_code)
        & ~in_wave["breakdown"].isin(["all", "neighbourhood"])
    )
    hoods = (in_wave["level"] == "neighbourhood") & (in_wave["la_code"] == la_code)
    # The whole area is a unit too: where everyone lacks a driver (a "hidden
    # need" LA), that is the finding, not the largest group that mirrors it.
    whole = (
        (in_wave["level"] == "la")
        & (in_wave["area_code"] == la_code)
        & (in_wave["breakdown"] == "all")
    )
    suppressed = in_wave["suppressed"].astype("boolean").fillna(True).astype(bool)
    rows = in_wave[(groups | hoods | whole) & ~suppressed & in_wave["estimate"].notna()]
    rows = rows.drop(columns=["polarity", "type"], errors="ignore").merge(
        meta, on="indicator", how="left"
    )
    rows["group_code"] = rows["group_code"].astype(object)
    rows["kind"] = np.select(
        [rows["level"] == "neighbourhood", rows["breakdown"] == "all"],
        ["neighbourhood", "area"],
        default="group",
    )
    rows["unit"] = (
        rows["level"]
        + "|"
        + code_text(rows["area_code"])
        + "|"
        + rows["breakdown"]
        + "|"
        + code_text(rows["group_code"])
    )
    rows["where"] = [
        describe_unit(measures, b, str(g), c, neighbourhood_names)
        for b, g, c in zip(rows["breakdown"], rows["group"], rows["group_code"], strict=True)
    ]
    rows["gap"] = oriented_gap(rows["estimate"], rows["england_value"], rows["polarity"])
    rows["respondent_sd"] = england_respondent_sd(rows, est)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["standardised_gap"] = rows["gap"] / rows["respondent_sd"]
        rows["z"] = rows["gap"] / rows["se"].where(rows["se"] >= 0)
    if "modelled" not in rows:
        rows["modelled"] = rows["kind"] == "neighbourhood"
    rows["modelled"] = rows["modelled"].astype("boolean").fillna(False).astype(bool)
    return rows.reset_index(drop=True)


def priority_table(
    est: pd.DataFrame,
    measures: Measures,
    settings: Settings,
    la_code: str,
    wave: int,
    population: float,
    neighbourhood_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rank one LA's groups and neighbourhoods by where to act first.

    See the module docstring for the score. Candidates are the LA's
    demographic groups and neighbourhoods on every non-neutral indicator of
    the Civic Pulse domains and on the Civic Pulse domain indices; suppressed
    rows never enter.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame.
    measures : Measures
    settings : Settings
        Supplies ``significance_cap`` and ``min_population``.
    la_code : str
    wave : int
    population : float
        The LA's adult population (the denominator of the population share).
    neighbourhood_names : mapping, optional
        neighbourhood_code -> name, for the ``where`` column.

    Returns
    -------
    DataFrame
        Columns :data:`PRIORITY_COLUMNS`; only positive gaps (worse than
        England) with a finite score and a weighted base of at least
        ``settings.min_population``; ranked 1, 2, ... by score descending,
        ties broken by indicator id, breakdown and group_code.

    Raises
    ------
    ValueError
        If ``population`` is not a positive number.
    """
    if not (isinstance(population, int | float | np.number) and population > 0):
        raise ValueError(f"population must be a positive number, got {population!r}")
    rows = unit_rows(est, measures, la_code, wave, neighbourhood_names)
    cap = float(settings.significance_cap)
    rows["population_affected"] = rows["weighted_base"].astype(float)
    rows["population_share"] = rows["population_affected"] / float(population)
    with np.errstate(invalid="ignore"):
        rows["score"] = (
            rows["standardised_gap"]
            * np.minimum(rows["z"], cap)
            / cap
            * np.sqrt(rows["population_share"])
        )
    keep = (
        (rows["gap"] > 0)
        & np.isfinite(rows["score"])
        & (rows["population_affected"] >= settings.min_population)
    )
    rows = rows[keep].copy()
    rows["significant"] = rows["sig_england"] == "worse"
    rows["_group_code"] = code_text(rows["group_code"])
    rows = rows.sort_values(
        ["score", "indicator", "breakdown", "_group_code"],
        ascending=[False, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    rows["rank"] = np.arange(1, len(rows) + 1)
    for col in PRIORITY_COLUMNS:
        if col not in rows:
            rows[col] = np.nan
    return rows[list(PRIORITY_COLUMNS)]


# --------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    """A float, or None for a missing value (so results compare equal)."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def _is_nan(value: Any) -> bool:
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


def _evidence(rec: Mapping[str, Any], where: str, rank: int | None) -> EvidenceRow:
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


def _assets(
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
        r for r in unit_records if r["indicator"] in wanted and not _is_nan(r["standardised_gap"])
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


def _caveats(evidence: Sequence[EvidenceRow], small_effective_base: float) -> tuple[str, ...]:
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


def recommend(
    priorities: pd.DataFrame,
    est: pd.DataFrame,
    interventions: Sequence[Intervention],
    measures: Measures,
    la_code: str,
    wave: int,
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
    that are themselves significantly worse than England (worst first). Gaps
    that map to an intervention already chosen are merged into it, so one
    recommendation lists all its targets; new interventions are added until
    ``max_recommendations`` is reached. Non-significant gaps are never
    recommended on.

    Parameters
    ----------
    priorities : DataFrame
        From :func:`priority_table` (any row order; ``rank`` orders it).
    est : DataFrame
        The tidy estimates frame (for components and assets).
    interventions : sequence of Intervention
        In the order of interventions.yml, which breaks ties.
    measures : Measures
    la_code : str
    wave : int
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
    pool = unit_rows(est, measures, la_code, wave, domain_roles=("civic_pulse",))
    asset_ids = frozenset(
        i.id
        for i in measures.indicators
        if i.domain in ASSET_DOMAINS and i.polarity == "higher_is_better"
    )
    ranked = priorities.sort_values("rank", kind="mergesort")
    ranked = ranked.assign(
        unit=ranked["level"]
        + "|"
        + code_text(ranked["area_code"])
        + "|"
        + ranked["breakdown"]
        + "|"
        + code_text(ranked["group_code"])
    )
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
            domain_ids = {
                i.id for i in measures.indicators_in(gap["indicator"][len(INDEX_PREFIX) :])
            }
            targets = sorted(
                (
                    r
                    for r in by_unit.get(unit, ())
                    if r["indicator"] in domain_ids
                    and r["sig_england"] == "worse"
                    and not _is_nan(r["standardised_gap"])
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
                        draft.evidence[key] = _evidence(rec, where, rank_of.get(key))
        if not matched:
            unmatched.setdefault(str(gap["indicator_label"]), []).append(where)

    recommendations = []
    for draft in drafts.values():
        evidence = tuple(draft.evidence.values())
        assets: list[AssetRow] = []
        for unit, where in draft.units:
            assets += _assets(
                by_unit.get(unit, ()), where, draft.intervention, asset_ids, max_assets_per_unit
            )
        recommendations.append(
            Recommendation(
                intervention=draft.intervention,
                targets=tuple(draft.targets),
                further_targets=tuple(draft.further),
                evidence=evidence,
                assets_to_build_on=tuple(assets),
                caveats=_caveats(evidence, small_effective_base),
                first_rank=draft.first_rank,
            )
        )

    notes: list[str] = []
    if len(recommendations) < max_recommendations:
        not_significant = ranked[~ranked["significant"].astype(bool)]
        lead_text = (
            "No other gap is statistically significant"
            if len(significant)
            else "No gap to England is statistically significant"
        )
        if len(not_significant):
            nxt = not_significant.iloc[0]
            notes.append(
                f"{lead_text}; the largest of the rest, {nxt['indicator_label']} for {nxt['where']} "
                f"({format_value(nxt['estimate'], nxt['type'])} against England's "
                f"{format_value(nxt['england_value'], nxt['type'])}), is not significant and "
                "is shown for monitoring only."
            )
        elif len(significant):
            notes.append(f"{lead_text}, and no other group or area is below England.")
        else:
            notes.append(
                "No group or neighbourhood is below England on any Civic Pulse measure, "
                "so nothing is recommended."
            )
    for label, wheres in untraced.items():
        notes.append(
            f"The {label} is significantly below England for {'; '.join(wheres)}, but none "
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
        la_code=la_code, wave=int(wave), recommendations=tuple(recommendations), notes=tuple(notes)
    )
