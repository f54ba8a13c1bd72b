"""The intervention library: the actions a report can recommend.

:class:`Intervention` is one entry of ``data/config/interventions.yml``;
:func:`load_interventions` reads and validates the file, naming every problem
at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from civicpulse_report import _yaml
from civicpulse_report.errors import ConfigError, Problem
from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.paths import INTERVENTIONS_FILE

INTERVENTION_FIELDS = ("id", "name", "addresses", "builds_on", "description", "evidence")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


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
        raw = _yaml.safe_load(path.read_text(encoding="utf-8"))
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
