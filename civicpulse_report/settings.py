"""Run settings from settings.yml: disclosure threshold, breakdowns, comparators, branding."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from civicpulse_report.errors import ConfigError, Problem
from civicpulse_report.paths import SETTINGS_FILE

DEMOGRAPHIC_COLUMNS = (
    "age_band",
    "sex",
    "ethnic_group",
    "tenure",
    "disability",
    "imd_quintile",
    "years_in_area",
)


@dataclass(frozen=True)
class Branding:
    organisation: str = "Civic Pulse"
    colour: str = "#1f4e79"
    footer: str = "Civic Pulse local report"


@dataclass(frozen=True)
class Settings:
    """The validated content of settings.yml."""

    min_base: int = 50
    confidence_level: float = 0.95
    breakdowns: tuple[str, ...] = DEMOGRAPHIC_COLUMNS
    neighbours_k: int = 15
    neighbours_variables: Mapping[str, float] = field(
        default_factory=lambda: {
            "imd_score": 2.0,
            "urbanity": 1.0,
            "median_age": 1.0,
            "pct_over_65": 1.0,
            "pct_ethnic_minority": 1.0,
            "log_population": 0.5,
        }
    )
    significance_cap: float = 3.0
    min_population: int = 1000
    branding: Branding = field(default_factory=Branding)
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain-data form, for logs and manifests."""
        data = asdict(self)
        data["neighbours_variables"] = dict(self.neighbours_variables)
        data["breakdowns"] = list(self.breakdowns)
        return data


def load_settings(path: Path | str = SETTINGS_FILE) -> Settings:
    """Load and validate settings.yml.

    Raises
    ------
    ConfigError
        If the file is missing, not YAML, or a value is out of range.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), "settings file not found")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(str(path), f"not valid YAML: {exc}")]) from None
    problems: list[Problem] = []

    def bad(key: str, rule: str) -> None:
        problems.append(Problem(str(path), f"'{key}' {rule}"))

    min_base = raw.get("min_base", 50)
    # bool is an int in Python: `min_base: yes` must not become a base of 1.
    if isinstance(min_base, bool) or not isinstance(min_base, int) or min_base < 1:
        bad("min_base", "must be a whole number of at least 1")
    confidence = raw.get("confidence_level", 0.95)
    if not isinstance(confidence, float) or not 0.5 < confidence < 1:
        bad("confidence_level", "must be a number between 0.5 and 1, e.g. 0.95")
    breakdowns = tuple(raw.get("breakdowns", DEMOGRAPHIC_COLUMNS))
    unknown = [b for b in breakdowns if b not in DEMOGRAPHIC_COLUMNS]
    if unknown:
        bad("breakdowns", f"names unknown columns {unknown}; allowed: {list(DEMOGRAPHIC_COLUMNS)}")
    nn = raw.get("nearest_neighbours") or {}
    k = nn.get("k", 15)
    if not isinstance(k, int) or k < 1:
        bad("nearest_neighbours.k", "must be a whole number of at least 1")
    variables = nn.get("variables") or Settings().neighbours_variables
    if not isinstance(variables, dict) or not all(
        isinstance(v, int | float) and v > 0 for v in variables.values()
    ):
        bad("nearest_neighbours.variables", "must map column names to positive weights")
        variables = {}
    priority = raw.get("priority") or {}
    cap = float(priority.get("significance_cap", 3.0))
    min_pop = int(priority.get("min_population", 1000))
    if cap <= 0:
        bad("priority.significance_cap", "must be positive")
    brand = raw.get("branding") or {}
    branding = Branding(
        organisation=str(brand.get("organisation", Branding.organisation)),
        colour=str(brand.get("colour", Branding.colour)),
        footer=str(brand.get("footer", Branding.footer)),
    )
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", branding.colour):
        bad("branding.colour", "must be a hex colour like #1f4e79")
    if problems:
        raise ConfigError(problems, summary=f"{path.name} is not a valid settings file")
    return Settings(
        min_base=min_base,
        confidence_level=confidence,
        breakdowns=breakdowns,
        neighbours_k=k,
        neighbours_variables={str(key): float(v) for key, v in variables.items()},
        significance_cap=cap,
        min_population=min_pop,
        branding=branding,
        source=str(path),
    )
