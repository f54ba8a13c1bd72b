"""Run settings from settings.yml: disclosure threshold, breakdowns, comparators, branding.

Owns reading and validating ``data/config/settings.yml``. Its ``branding`` section
is the one place an organisation sets its look (name, logo, colours, contact line,
report titles, the national draft's title and author line); both renderers and all
three formats read it through :meth:`Settings.brand_metadata`, which the pipeline
puts into each notebook's front matter.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from civicpulse_report import _yaml
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


#: Placeholders each title template may use.
LA_TITLE_FIELDS = ("la_name", "la_code", "year")
NATIONAL_TITLE_FIELDS = ("year",)
LOGO_SUFFIXES = (".svg", ".png")
#: WCAG 2.2 contrast minimums against white: text (1.4.3) and graphics (1.4.11).
TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0
#: The keys settings.yml may hold, by section ("" is the top level); branding's below.
SETTINGS_KEYS: dict[str, tuple[str, ...]] = {
    "": (
        "version", "min_base", "confidence_level", "breakdowns", "nearest_neighbours",
        "priority", "branding",
    ),
    "nearest_neighbours": ("k", "variables"),
    "priority": ("significance_cap", "min_population"),
}  # fmt: skip
_BRANDING_KEYS = {
    "name", "organisation", "logo", "colours", "colour", "contact", "footer",
    "la_report_title", "national_title", "national_author",
}  # fmt: skip


@dataclass(frozen=True)
class Branding:
    """The organisation's look, from settings.yml's ``branding`` section.

    ``organisation`` is the YAML ``name``; ``colour`` and ``accent`` are
    ``colours.primary`` and ``colours.accent``. ``logo`` is the path as written
    (relative to the settings file's folder; empty for none), so manifests hold no
    machine paths; :meth:`Settings.brand_metadata` resolves it.
    """

    organisation: str = "Civic Pulse"
    colour: str = "#1f4e79"
    footer: str = "Civic Pulse local report"
    accent: str = "#00796b"
    logo: str = ""
    contact: str = ""
    la_report_title: str = "Civic Pulse: {la_name}"
    national_title: str = "Civic Pulse: active citizenship in England, {year}"
    national_author: str = "Civic Pulse"

    def la_title(self, la_name: str, la_code: str = "", year: int | str = "") -> str:
        """The title of an LA's report: ``la_report_title`` filled in."""
        return self.la_report_title.format(la_name=la_name, la_code=la_code, year=year)

    def national_title_for(self, year: int | str) -> str:
        """The national draft's title: ``national_title`` filled in."""
        return self.national_title.format(year=year)


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour (0 black to 1 white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of a ``#rrggbb`` colour against white (1 to 21)."""
    return 1.05 / (relative_luminance(colour) + 0.05)


def _darker(colour: str, target: float) -> str:
    """The same hue, darkened until it reaches ``target`` contrast against white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for step in range(100, -1, -1):
        shade = "#" + "".join(f"{round(c * step / 100):02x}" for c in rgb)
        if contrast_with_white(shade) >= target:
            return shade
    return "#000000"


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

    def logo_path(self) -> Path | None:
        """The logo file, resolved against the settings file's folder; ``None`` for none."""
        if not self.branding.logo:
            return None
        base = Path(self.source).parent if self.source else SETTINGS_FILE.parent
        return (base / self.branding.logo).resolve()

    def brand_metadata(self) -> dict[str, Any]:
        """The ``branding`` mapping for a notebook's front matter (what render reads).

        Keys: ``name``, ``colours`` (``primary``, ``accent``), and ``logo`` (an
        absolute path) and ``contact`` when set.
        """
        brand = self.branding
        data: dict[str, Any] = {
            "name": brand.organisation,
            "colours": {"primary": brand.colour, "accent": brand.accent},
        }
        logo = self.logo_path()
        if logo is not None:
            data["logo"] = str(logo)
        if brand.contact:
            data["contact"] = brand.contact
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
        raw = _yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), "settings file not found")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(str(path), f"not valid YAML: {exc}")]) from None
    problems: list[Problem] = []

    def bad(key: str, rule: str) -> None:
        problems.append(Problem(str(path), f"'{key}' {rule}"))

    if not isinstance(raw, Mapping):
        raise ConfigError(
            [
                Problem(
                    str(path),
                    "must be a mapping of settings (min_base: 50, confidence_level: 0.95, ...)",
                    hint="start from the settings.yml in data/config",
                )
            ],
            summary=f"{path.name} is not a valid settings file",
        )
    problems += unknown_key_problems(raw, "", path)
    for section in ("nearest_neighbours", "priority"):
        if raw.get(section) is not None and not isinstance(raw[section], Mapping):
            bad(section, f"must be a mapping of {', '.join(SETTINGS_KEYS[section])}")
            raw = {**raw, section: {}}
        elif isinstance(raw.get(section), Mapping):
            problems += unknown_key_problems(raw[section], section, path)

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
    branding = _branding(raw.get("branding"), path, bad)
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


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``name`` (a likely typo's intended word), or ``None``."""
    found = difflib.get_close_matches(str(name), sorted(set(choices)), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_key_problems(raw: Mapping[Any, Any], section: str, path: Path | str) -> list[Problem]:
    """One problem per key of ``raw`` that settings.yml's ``section`` does not know.

    Each names the file, the key as written and, as the fix, the closest
    valid key (a typo such as ``min_bse`` is never silently ignored).
    """
    allowed = SETTINGS_KEYS[section]
    prefix = f"{section}." if section else ""
    problems = []
    for key in raw:
        if key in allowed:
            continue
        near = closest(str(key), allowed)
        fix = f"did you mean '{prefix}{near}'? Rename it" if near else "remove it"
        problems.append(
            Problem(
                str(path),
                f"'{prefix}{key}' is not a setting, so it would be ignored",
                hint=f"{fix}; the keys{' of ' + section if section else ''} are "
                + ", ".join(allowed),
            )
        )
    return problems


def _template_fields(template: str) -> set[str] | None:
    """The placeholders a title template uses; ``None`` if it is not a valid template."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    fields = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name:
            return None
        fields.add(name)
    return fields


def _branding(raw: Any, path: Path, bad: Callable[[str, str], None]) -> Branding:
    """Read and check settings.yml's ``branding`` section (problems go to ``bad``)."""
    default = Branding()
    if raw is None:
        return default
    if not isinstance(raw, Mapping):
        bad("branding", "must be a mapping of name, logo, colours, contact and titles")
        return default
    unknown = sorted(str(key) for key in raw if key not in _BRANDING_KEYS)
    if unknown:
        near = [f"'{k}' for '{c}'" for k in unknown if (c := closest(k, _BRANDING_KEYS))]
        bad(
            "branding",
            f"has unknown keys {unknown}; allowed: {sorted(_BRANDING_KEYS)}"
            + (f" (did you mean {', '.join(near)}?)" if near else ""),
        )

    def text(key: str, fallback: str) -> str:
        value = raw.get(key, fallback)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            bad(f"branding.{key}", "must be text")
            return fallback
        return str(value).strip()

    if "name" in raw and "organisation" in raw:
        bad("branding", "sets both 'name' and 'organisation'; keep 'name'")
    name = text("name", text("organisation", default.organisation))
    if not name:
        bad("branding.name", "must not be empty")

    colours = raw.get("colours") or {}
    if not isinstance(colours, Mapping):
        bad(
            "branding.colours", "must be a mapping with primary and accent, e.g. primary: '#1f4e79'"
        )
        colours = {}
    if "colour" in raw and "primary" in colours:
        bad("branding", "sets both 'colour' and 'colours.primary'; keep 'colours.primary'")
    primary = _colour(
        colours.get("primary", raw.get("colour", default.colour)),
        "branding.colour"
        if "colour" in raw and "primary" not in colours
        else "branding.colours.primary",
        TEXT_CONTRAST,
        "text (headings, links and the title band)",
        bad,
    )
    accent = _colour(
        colours.get("accent", default.accent),
        "branding.colours.accent",
        GRAPHIC_CONTRAST,
        "rules and other graphics",
        bad,
    )

    logo = text("logo", "")
    if logo:
        file = path.parent / logo
        if Path(logo).suffix.lower() not in LOGO_SUFFIXES:
            bad("branding.logo", f"must be an SVG or PNG file (.svg or .png), not {logo!r}")
        elif not file.is_file():
            bad("branding.logo", f"names {logo!r}, which is not a file at {file}")

    titles = {}
    for key, allowed in (
        ("la_report_title", LA_TITLE_FIELDS),
        ("national_title", NATIONAL_TITLE_FIELDS),
        ("national_author", ()),
    ):
        value = text(key, getattr(default, key))
        fields = _template_fields(value)
        if not value or fields is None or not fields <= set(allowed):
            shown = ", ".join("{" + f + "}" for f in allowed) or "no placeholders"
            bad(
                f"branding.{key}",
                f"must be non-empty text using only {shown}, e.g. {getattr(default, key)!r}",
            )
            value = getattr(default, key)
        titles[key] = value
    return Branding(
        organisation=name or default.organisation,
        colour=primary or default.colour,
        footer=text("footer", default.footer),
        accent=accent or default.accent,
        logo=logo,
        contact=text("contact", ""),
        **titles,
    )


def _colour(
    value: Any, key: str, minimum: float, use: str, bad: Callable[[str, str], None]
) -> str | None:
    """A checked ``#rrggbb`` colour in lower case, or ``None`` (after reporting it)."""
    colour = str(value).strip()
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        bad(key, "must be a hex colour like #1f4e79")
        return None
    colour = colour.lower()
    ratio = contrast_with_white(colour)
    if ratio < minimum:
        bad(
            key,
            f"{colour} has a contrast ratio of {ratio:.2f}:1 against white, below the "
            f"{minimum:g}:1 that {use} need (WCAG 2.2); use a darker shade such as "
            f"{_darker(colour, minimum)}",
        )
        return None
    return colour
