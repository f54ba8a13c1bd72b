"""Survey items -> indicators -> domain indices, as declared in measures.yml.

The YAML (``data/config/measures.yml``) is the single place where an analyst
says what is measured. This module loads and validates it into frozen
dataclasses; :mod:`civicpulse_report.scoring` scores respondents with them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from civicpulse_report import _yaml
from civicpulse_report.errors import ConfigError, Problem
from civicpulse_report.paths import MEASURES_FILE

IndicatorType = Literal["proportion", "mean"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
DomainRole = Literal["civic_pulse", "traditional"]

INDEX_CENTRE = 100.0
INDEX_SPREAD = 10.0


@dataclass(frozen=True)
class Item:
    """One integer-coded survey question."""

    name: str
    question: str
    codes: Mapping[int, str]

    @property
    def valid_codes(self) -> frozenset[int]:
        return frozenset(self.codes)


@dataclass(frozen=True)
class Scale:
    """How a multi-item scale is scored (BRS-style mean, SWEMWBS-style sum)."""

    method: Literal["mean", "sum"]
    reverse: tuple[str, ...]
    min_items: int
    range: tuple[float, float]


@dataclass(frozen=True)
class Indicator:
    """One published measure: a proportion or a mean scale score."""

    id: str
    domain: str
    label: str
    short: str
    type: IndicatorType
    polarity: Polarity
    items: tuple[str, ...]
    definition: str
    positive_codes: tuple[int, ...] = ()
    scale: Scale | None = None

    @property
    def unit(self) -> str:
        """'%' for proportions, 'score' for means."""
        return "%" if self.type == "proportion" else "score"


@dataclass(frozen=True)
class Domain:
    id: str
    role: DomainRole
    label: str
    description: str


@dataclass(frozen=True)
class Demographic:
    name: str
    label: str
    codes: Mapping[int, str]


@dataclass(frozen=True)
class LegacyIndicator:
    code: str
    label: str
    civic_pulse: str


@dataclass(frozen=True)
class LegacySource:
    id: str
    label: str
    caveat: str


@dataclass(frozen=True)
class Measures:
    """The validated content of measures.yml."""

    items: Mapping[str, Item]
    indicators: tuple[Indicator, ...]
    domains: tuple[Domain, ...]
    demographics: Mapping[str, Demographic]
    missing_codes: Mapping[int, str]
    legacy_sources: Mapping[str, LegacySource]
    legacy_indicators: Mapping[str, LegacyIndicator]
    source: str = field(default="")

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def domain(self, domain_id: str) -> Domain:
        for dom in self.domains:
            if dom.id == domain_id:
                return dom
        raise KeyError(domain_id)

    def indicators_in(self, domain_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.domain == domain_id)

    @property
    def civic_pulse_domains(self) -> tuple[Domain, ...]:
        return tuple(d for d in self.domains if d.role == "civic_pulse")

    @property
    def traditional_domain(self) -> Domain:
        return next(d for d in self.domains if d.role == "traditional")

    @property
    def item_names(self) -> tuple[str, ...]:
        return tuple(self.items)


def _config_problem(path: Path, rule: str, where: str, hint: str = "") -> Problem:
    return Problem(file=str(path), rule=f"{where}: {rule}", hint=hint)


def _as_codes(raw: Any) -> dict[int, str]:
    return {int(k): str(v) for k, v in dict(raw).items()}


# The fields each entry of a section needs: section -> (what an entry is, fields).
# The fields each entry of a section needs: section -> (what an entry is, fields, optional).
_FIELDS = {
    "items": ("item", ("codes",), False),
    "demographics": ("demographic", ("label", "codes"), False),
    "domains": ("domain", ("id", "label"), False),
    "indicators": ("indicator", (), False),
    "legacy.sources": ("legacy source", ("label",), True),
    "legacy.indicators": ("legacy indicator", ("label", "civic_pulse"), True),
}


def _structure_problems(path: Path, raw: dict[str, Any]) -> list[Problem]:
    """Sections of the wrong kind, entries that are not mappings or lack a field, bad codes."""
    problems = []
    for key, (what, fields, optional) in _FIELDS.items():
        top, _, sub = key.partition(".")
        section = raw.get(top)
        if sub:
            section = section.get(sub) if isinstance(section, dict) else None
        if section is None and not optional:
            problems.append(_config_problem(path, f"missing section '{key}'", "top level"))
            continue
        listed = key in ("domains", "indicators")
        if section is not None and not isinstance(section, list if listed else dict):
            kind = "a list" if listed else "a mapping of names to entries"
            problems.append(_config_problem(path, f"must be {kind}", f"section '{key}'"))
            continue
        entries = enumerate(section or (), 1) if listed else (section or {}).items()
        for name, spec in entries:
            where = f"{what} '{spec.get('id', name) if isinstance(spec, dict) else name}'"
            if not isinstance(spec, dict):
                problems.append(_config_problem(path, "must be a mapping of fields", where))
                continue
            for field_name in (f for f in fields if f not in spec):
                hint = f"add '{field_name}:' to it, as in data/config/measures.yml"
                problems.append(_config_problem(path, f"missing field '{field_name}'", where, hint))
            if "codes" in fields and "codes" in spec:
                try:
                    _as_codes(spec["codes"])
                except (TypeError, ValueError):
                    hint = "codes map whole numbers to labels, e.g. codes: {1: Yes, 2: No}"
                    problems.append(_config_problem(path, "codes are malformed", where, hint))
    return problems


def _did_you_mean(names: list[str], known: Mapping[str, Any]) -> str:
    guesses = [
        f"'{n}' -> '{close[0]}'"
        for n in names
        if (close := difflib.get_close_matches(n, list(known), n=1, cutoff=0.75))
    ]
    if guesses:
        return f"did you mean {', '.join(guesses)}? Items are defined under 'items:'"
    return "every item an indicator uses must be defined under 'items:'"


def load_measures(path: Path | str = MEASURES_FILE) -> Measures:
    """Load and validate a measures YAML file.

    Parameters
    ----------
    path : Path or str
        The YAML file; defaults to ``data/config/measures.yml``.

    Returns
    -------
    Measures

    Raises
    ------
    ConfigError
        If the file is missing, is not YAML, or breaks a rule (every problem is
        listed at once).
    """
    path = Path(path)
    try:
        raw = _yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), "measures file not found")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(str(path), f"not valid YAML: {exc}")]) from None
    if not isinstance(raw, dict):
        raise ConfigError([Problem(str(path), "expected a mapping at the top level")])

    problems = _structure_problems(path, raw)
    if problems:  # the rules below need whole entries: stop here rather than guess
        raise ConfigError(problems, summary=f"{path.name} is not a valid measures file")

    items = {
        name: Item(
            name=name, question=str(spec.get("question", "")), codes=_as_codes(spec["codes"])
        )
        for name, spec in raw["items"].items()
    }
    for item in items.values():
        if any(code < 0 for code in item.codes):
            problems.append(
                _config_problem(
                    path,
                    "valid codes must be non-negative (negative codes mean missing)",
                    f"item '{item.name}'",
                )
            )

    domains = tuple(
        Domain(
            id=d["id"],
            role=d.get("role", "civic_pulse"),
            label=d["label"],
            description=d.get("description", ""),
        )
        for d in raw["domains"]
    )
    domain_ids = {d.id for d in domains}
    for d in domains:
        if d.role not in ("civic_pulse", "traditional"):
            problems.append(_config_problem(path, f"unknown role '{d.role}'", f"domain '{d.id}'"))
    if sum(d.role == "traditional" for d in domains) != 1:
        problems.append(
            _config_problem(path, "exactly one domain must have role 'traditional'", "domains")
        )

    indicators: list[Indicator] = []
    seen: set[str] = set()
    for spec in raw["indicators"]:
        iid = str(spec.get("id", "?"))
        where = f"indicator '{iid}'"
        if iid in seen:
            problems.append(_config_problem(path, "duplicate id", where))
        seen.add(iid)
        missing = [k for k in ("domain", "label", "type", "polarity", "items") if k not in spec]
        if missing:
            problems.append(_config_problem(path, f"missing keys {missing}", where))
            continue
        if spec["domain"] not in domain_ids:
            problems.append(_config_problem(path, f"unknown domain '{spec['domain']}'", where))
        if spec["type"] not in ("proportion", "mean"):
            problems.append(_config_problem(path, "type must be 'proportion' or 'mean'", where))
        if spec["polarity"] not in ("higher_is_better", "lower_is_better", "neutral"):
            problems.append(
                _config_problem(
                    path, "polarity must be higher_is_better, lower_is_better or neutral", where
                )
            )
        unknown_items = [i for i in spec["items"] if i not in items]
        if unknown_items:
            hint = _did_you_mean(unknown_items, items)
            problems.append(_config_problem(path, f"unknown items {unknown_items}", where, hint))
        scale = None
        positive: tuple[int, ...] = ()
        if spec["type"] == "proportion":
            positive = tuple(int(c) for c in spec.get("positive_codes", ()))
            if len(spec["items"]) != 1:
                problems.append(
                    _config_problem(path, "a proportion is defined on exactly one item", where)
                )
            elif not positive:
                problems.append(_config_problem(path, "positive_codes is required", where))
            elif not unknown_items:
                bad = set(positive) - items[spec["items"][0]].valid_codes
                if bad:
                    problems.append(
                        _config_problem(
                            path, f"positive_codes {sorted(bad)} not valid codes", where
                        )
                    )
        elif spec["type"] == "mean":
            sc = spec.get("scale") or {}
            try:
                scale = Scale(
                    method=sc.get("method", "mean"),
                    reverse=tuple(sc.get("reverse", ())),
                    min_items=int(sc.get("min_items", len(spec["items"]))),
                    range=tuple(float(v) for v in sc["range"]),  # type: ignore[arg-type]
                )
            except (KeyError, TypeError, ValueError):
                problems.append(_config_problem(path, "scale needs method and range", where))
            else:
                if scale.method not in ("mean", "sum"):
                    problems.append(
                        _config_problem(path, "scale method must be mean or sum", where)
                    )
                if not set(scale.reverse) <= set(spec["items"]):
                    problems.append(
                        _config_problem(path, "reverse items must be among the items", where)
                    )
                if not 1 <= scale.min_items <= len(spec["items"]):
                    problems.append(_config_problem(path, "min_items out of range", where))
        indicators.append(
            Indicator(
                id=iid,
                domain=spec["domain"],
                label=str(spec["label"]),
                short=str(spec.get("short", spec["label"])),
                type=spec["type"],
                polarity=spec["polarity"],
                items=tuple(spec["items"]),
                definition=str(spec.get("definition", "")),
                positive_codes=positive,
                scale=scale,
            )
        )
    for d in domains:
        if not any(i.domain == d.id for i in indicators):
            problems.append(_config_problem(path, "has no indicators", f"domain '{d.id}'"))

    demographics = {
        name: Demographic(name=name, label=str(spec["label"]), codes=_as_codes(spec["codes"]))
        for name, spec in raw["demographics"].items()
    }
    legacy_raw = raw.get("legacy") or {}
    legacy_sources = {
        sid: LegacySource(id=sid, label=str(s["label"]), caveat=str(s.get("caveat", "")))
        for sid, s in (legacy_raw.get("sources") or {}).items()
    }
    legacy_indicators = {
        code: LegacyIndicator(code=code, label=str(s["label"]), civic_pulse=str(s["civic_pulse"]))
        for code, s in (legacy_raw.get("indicators") or {}).items()
    }
    for li in legacy_indicators.values():
        if li.civic_pulse not in seen:
            problems.append(
                _config_problem(
                    path,
                    f"civic_pulse '{li.civic_pulse}' is not an indicator id",
                    f"legacy indicator '{li.code}'",
                )
            )
    if problems:
        raise ConfigError(problems, summary=f"{path.name} is not a valid measures file")

    return Measures(
        items=items,
        indicators=tuple(indicators),
        domains=domains,
        demographics=demographics,
        missing_codes=_as_codes(raw.get("missing_codes") or {}),
        legacy_sources=legacy_sources,
        legacy_indicators=legacy_indicators,
        source=str(path),
    )
