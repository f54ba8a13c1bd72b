"""Comparators named for what they are: each LA's comparator scopes and their sentences.

A pooled sample is never "England". Given the run's :class:`Coverage` (the
whole-nation rule, :mod:`.coverage`), this module owns, for every LA with
microdata, what each of its comparators is (:class:`ComparatorScope`): where
it comes from, what a report calls it, and why it is missing when it is; and
the sentences that name them (:func:`comparator_sentence` for the first page
and the methodology, :func:`scope_lines` for the console).

Pure: frames in, frozen values out, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE
from civicpulse_report.statistics.columns import (
    COMPARATOR_LABELS,
    COMPARATORS,
    ENGLAND_NAME,
    GROUPS,
    SOURCE_BENCHMARK,
    SOURCE_MICRODATA,
    SOURCE_NONE,
)
from civicpulse_report.statistics.coverage import Coverage

OWN_AVERAGE = "this LA's own average"
_KIND = {
    "england": "national",
    "region": "regional",
    "la_type": "LA-type",
    "neighbours": "nearest-neighbour",
}
_NO_ARTICLE = ("London", "Wales", "Yorkshire and The Humber")


@dataclass(frozen=True)
class ComparatorScope:
    """What one comparator of an LA is, and what reports call it.

    Attributes
    ----------
    level : str
        england, region, la_type, neighbours, or groups (what the LA's groups
        and neighbourhoods are compared with).
    available : bool
        Whether the comparator exists; when not, reports leave it out and say
        why (``reason``).
    source : str
        "microdata", "benchmark file" or "none".
    name : str
        Its name in tables and column headings: "England", "Region", "LA type",
        "Nearest neighbours" for the whole nation; "the 5 LAs in this data
        set", "the 2 LAs in this data set in the North East", "the 4 most
        similar LAs in this data set" or "this LA's own average" otherwise.
    description : str
        How running text names it, e.g. "the region (South West)".
    reason : str
        Why it is not available, or how it falls short of what was asked
        (fewer nearest neighbours than k); empty otherwise.
    k_used, k_requested : int or None
        Nearest neighbours used and asked for (neighbours only).
    n_las : int or None
        LAs it pools, where known.
    """

    level: str
    available: bool
    source: str
    name: str
    description: str
    reason: str = ""
    k_used: int | None = None
    k_requested: int | None = None
    n_las: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for fact bundles and manifests."""
        return asdict(self)


def in_region(region: str) -> str:
    """'in the North East', 'in London', 'in Wales'."""
    return f"in {region}" if region in _NO_ARTICLE else f"in the {region}"


def type_plural(la_type: str) -> str:
    """'unitary authorities', 'London boroughs', 'Welsh unitary authorities'."""
    text = la_type if la_type.startswith(("London", "Welsh")) else la_type[:1].lower() + la_type[1:]
    return text[:-1] + "ies" if text.endswith("y") else text + "s"


@dataclass(frozen=True)
class _Run:
    """What the scopes of every LA of one run depend on."""

    coverage: Coverage
    released: frozenset[tuple[str, str]]  # (level, area_code) a benchmark file has
    k_requested: int

    @property
    def mode(self) -> str:
        if self.coverage.source == SOURCE_BENCHMARK:
            return "benchmark"
        return "nation" if self.coverage.national else "pooled"


def _where(run: _Run) -> str:
    return "in the benchmark file" if run.mode == "benchmark" else "in this data set"


def _top(run: _Run, has_england: bool) -> ComparatorScope:
    cov, n = run.coverage, run.coverage.n_las
    if run.mode == "nation" or (run.mode == "benchmark" and cov.national and has_england):
        return ComparatorScope("england", True, cov.source, ENGLAND_NAME, ENGLAND_NAME, n_las=n)
    if run.mode == "benchmark":
        if not has_england:
            return _none("england", "the benchmark file has no England figures")
        name = f"the {n} LAs in the benchmark file"
        return ComparatorScope("england", True, cov.source, name, name, n_las=n)
    if n >= 2:
        name = f"the {n} LAs in this data set"
        return ComparatorScope("england", True, cov.source, name, name, n_las=n)
    return _none(
        "england",
        "this data set holds only this LA, and no benchmark file was given",
    )


def _none(level: str, reason: str, **extra: Any) -> ComparatorScope:
    label = "a wider area" if level == "england" else COMPARATOR_LABELS.get(level, level)
    return ComparatorScope(level, False, SOURCE_NONE, label, label, reason, **extra)


def _grouped(run: _Run, level: str, value: str, peers: int) -> ComparatorScope:
    """The region or LA-type scope of one LA (``peers``: microdata LAs sharing it)."""
    label = COMPARATOR_LABELS[level]
    if level == "region":
        desc, where, other = f"the region ({value})", in_region(value), value
    else:
        desc, where, other = f"LAs of the same type ({type_plural(value)})", "", type_plural(value)
    source = run.coverage.source
    if run.mode == "nation":
        return ComparatorScope(level, True, source, label, desc)
    if run.mode == "benchmark":
        if (level, value) not in run.released:
            return _none(level, f"the benchmark file has no figures for {other}")
        if run.coverage.national:
            return ComparatorScope(level, True, source, label, desc)
        if level == "region":
            name = f"the LAs {where} in the benchmark file"
        else:
            name = f"the {type_plural(value)} in the benchmark file"
        return ComparatorScope(level, True, source, name, name)
    if peers < 2:
        what = in_region(value) if level == "region" else f"of the same type ({value})"
        return _none(level, f"no other LA in this data set is {what}")
    name = (
        f"the {peers} LAs in this data set {where}"
        if level == "region"
        else f"the {peers} {type_plural(value)} in this data set"
    )
    return ComparatorScope(level, True, source, name, name, n_las=peers)


def _neighbours(run: _Run, k_used: int) -> ComparatorScope:
    k = run.k_requested
    if k_used < 1:
        return _none(
            "neighbours",
            f"there is no other LA {_where(run)} to compare with",
            k_used=0,
            k_requested=k,
        )
    short = (
        f"{k_used} rather than the {k} asked for: only {k_used} other "
        f"{'LA is' if k_used == 1 else 'LAs are'} {_where(run)}"
        if k_used < k
        else ""
    )
    source = run.coverage.source
    national = run.mode == "nation" or (run.mode == "benchmark" and run.coverage.national)
    desc = f"the {k_used} most similar LAs (nearest neighbours)"
    name = (
        COMPARATOR_LABELS["neighbours"]
        if national
        else f"the {k_used} most similar LAs {_where(run)}"
    )
    return ComparatorScope(
        "neighbours", True, source, name, desc if national else name, short, k_used, k, k_used
    )


def _groups(run: _Run, top: ComparatorScope) -> ComparatorScope:
    if top.available:
        return ComparatorScope(GROUPS, True, top.source, top.name, top.description, n_las=top.n_las)
    if run.mode == "pooled":
        return ComparatorScope(GROUPS, True, SOURCE_MICRODATA, OWN_AVERAGE, OWN_AVERAGE, n_las=1)
    return _none(GROUPS, top.reason)


def comparator_scopes(
    areas: pd.DataFrame,
    est: pd.DataFrame,
    neighbours: pd.DataFrame,
    coverage: Coverage,
    *,
    k_requested: int,
    released: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[dict[str, ComparatorScope], dict[str, dict[str, ComparatorScope]]]:
    """Every comparator scope of a run, and of each LA with microdata.

    A comparator the rules allow but the estimates hold no value for, in any
    wave, is not available either ("no published figure").

    Parameters
    ----------
    areas : DataFrame
        la_code, region, la_type, source (microdata for LAs with survey rows).
    est : DataFrame
        The estimates frame, comparators attached.
    neighbours : DataFrame
        la_code, neighbour_code, rank.
    coverage : Coverage
    k_requested : int
    released : frozenset of (level, area_code)
        The England, region and LA-type areas a benchmark file has figures for.

    Returns
    -------
    (dict, dict)
        The run's scopes by level, and each LA's scopes by LA code and level
        (levels: england, region, la_type, neighbours, groups).
    """
    run = _Run(coverage, released, k_requested)
    own = areas[areas["source"] == SOURCE_MICRODATA]
    region_n = own["region"].value_counts()
    type_n = own["la_type"].value_counts()
    k_by_la = neighbours.groupby("la_code")["rank"].count()
    la_rows = est[(est["level"] == "la") & (est["breakdown"] == "all")]
    has_value = {
        name: set(la_rows.loc[la_rows[f"{name}_value"].notna(), "la_code"]) for name in COMPARATORS
    }
    top = _top(run, (("england", ENGLAND_CODE) in released) or run.mode != "benchmark")
    per_la: dict[str, dict[str, ComparatorScope]] = {}
    for rec in own.itertuples(index=False):
        code = str(rec.la_code)
        scopes = {
            "england": top,
            "region": _grouped(run, "region", str(rec.region), int(region_n[rec.region])),
            "la_type": _grouped(run, "la_type", str(rec.la_type), int(type_n[rec.la_type])),
            "neighbours": _neighbours(run, int(k_by_la.get(code, 0))),
        }
        for name, scope in scopes.items():
            if scope.available and code not in has_value[name]:
                scopes[name] = _none(name, "no published figure exists for it")
        scopes[GROUPS] = _groups(run, scopes["england"])
        per_la[code] = scopes
    return _run_scopes(run, top, per_la), per_la


def in_wave(
    scopes: Mapping[str, ComparatorScope], rows: pd.DataFrame, wave: int
) -> dict[str, ComparatorScope]:
    """One LA's scopes in one wave: a comparator with no figure in that wave is not available.

    Parameters
    ----------
    scopes : mapping of level to ComparatorScope
        The LA's scopes for the run.
    rows : DataFrame
        The LA's estimates rows of the wave (its own, groups and neighbourhoods).
    wave : int

    Returns
    -------
    dict of level to ComparatorScope
    """
    overall = rows[(rows["level"] == "la") & (rows["breakdown"] == "all")]
    within = rows[~rows.index.isin(overall.index)]
    out = dict(scopes)
    for level, scope in scopes.items():
        if not scope.available:
            continue
        part, column = (within, "england_value") if level == GROUPS else (overall, f"{level}_value")
        if column in part and not part[column].notna().any():
            where = "the benchmark file" if scope.source == SOURCE_BENCHMARK else "the data"
            out[level] = _none(level, f"{where} has no {wave} figure for it")
    return out


def _run_scopes(
    run: _Run, top: ComparatorScope, per_la: Mapping[str, Mapping[str, ComparatorScope]]
) -> dict[str, ComparatorScope]:
    """One scope per level for the run as a whole (what the console announces)."""
    out: dict[str, ComparatorScope] = {"england": top}
    for level in ("region", "la_type"):
        found = [s[level] for s in per_la.values() if s[level].available]
        if not found:
            reasons = sorted({s[level].reason for s in per_la.values()})
            out[level] = _none(level, "; ".join(reasons) or "no LA has microdata")
        elif run.mode == "nation" or (run.mode == "benchmark" and run.coverage.national):
            out[level] = found[0]
        else:
            what = "region" if level == "region" else "type"
            name = f"the LAs of the same {what} {_where(run)}, where there are any"
            out[level] = ComparatorScope(level, True, found[0].source, name, name)
    used = [s["neighbours"] for s in per_la.values()]
    best = max(used, key=lambda s: s.k_used or 0) if used else _neighbours(run, 0)
    out["neighbours"] = best
    groups = [s[GROUPS] for s in per_la.values()]
    out[GROUPS] = groups[0] if groups else _groups(run, top)
    return out


def comparator_sentence(scopes: Mapping[str, ComparatorScope], source_note: str = "") -> str:
    """The first-page sentence naming an LA's comparators, or saying why there are none.

    Parameters
    ----------
    scopes : mapping of level to ComparatorScope
        One LA's scopes (levels of :data:`COMPARATORS` and groups).
    source_note : str, optional
        Appended as its own sentence (e.g. which benchmark release).

    Returns
    -------
    str
    """
    levels = [scopes[level] for level in COMPARATORS if level in scopes]
    have = [s for s in levels if s.available]
    gone = [s for s in levels if not s.available]
    groups = scopes.get(GROUPS)
    parts: list[str] = []
    if have:
        described = _join([s.description for s in have])
        parts.append(f"Estimates for the area are compared with {described}.")
    if gone and not have and groups is not None and groups.name == OWN_AVERAGE:
        # A one-LA data set: one reason covers every level, so say it once.
        kinds = _join([_KIND[s.level] for s in gone], "or")
        parts.append(f"There is no {kinds} comparator for the area as a whole: {gone[0].reason}.")
    else:
        if not have:
            parts.append("Estimates for the area as a whole are not compared with any other area.")
        missing: dict[str, list[str]] = {}
        for s in gone:
            missing.setdefault(s.reason, []).append(_KIND[s.level])
        for reason, kinds_of in missing.items():
            parts.append(f"There is no {_join(kinds_of, 'or')} comparator: {reason}.")
    for s in have:
        if s.reason:
            parts.append(f"Nearest neighbours: {s.reason}.")
    top = scopes.get("england")
    if groups is not None and groups.available and (top is None or groups.name != top.name):
        parts.append(f"Its groups, neighbourhoods and priorities are compared with {groups.name}.")
    if source_note:
        parts.append(source_note)
    return " ".join(parts)


def scope_lines(scopes: Mapping[str, ComparatorScope]) -> list[str]:
    """One console line per comparator level, e.g. "England: the 5 LAs in this data set (microdata)".

    Parameters
    ----------
    scopes : mapping of level to ComparatorScope

    Returns
    -------
    list of str
    """
    lines = []
    for level in (*COMPARATORS, GROUPS):
        s = scopes.get(level)
        if s is None:
            continue
        label = "Groups and neighbourhoods" if level == GROUPS else COMPARATOR_LABELS[level]
        if s.available:
            extra = f"; {s.reason}" if s.reason else ""
            lines.append(f"{label}: {s.name} (from the {s.source}{extra})")
        else:
            lines.append(f"{label}: none ({s.reason})")
    return lines


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"
