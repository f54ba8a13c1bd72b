"""settings.yml: the real file loads, and each bad value is refused by name.

The branding section is the one file an organisation edits to set its look; each
bad brand value (a colour that is not #rrggbb or too pale to read on white, a logo
that is missing or not SVG/PNG, a title template with an unknown placeholder) is
refused with the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from civicpulse_report.errors import ConfigError
from civicpulse_report.paths import SETTINGS_FILE
from civicpulse_report.settings import (
    DEMOGRAPHIC_COLUMNS,
    Branding,
    Settings,
    contrast_with_white,
    load_settings,
)


def _real() -> dict[str, Any]:
    return yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "settings.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "settings" in str(info.value)
    return [p.rule for p in info.value.problems]


def test_real_settings_file_loads() -> None:
    s = load_settings()
    assert s.min_base == 50
    assert s.confidence_level == 0.95
    assert s.breakdowns == DEMOGRAPHIC_COLUMNS
    assert s.neighbours_k == 15
    assert dict(s.neighbours_variables) == {
        "imd_score": 2.0, "urbanity": 1.0, "median_age": 1.0, "pct_over_65": 1.0,
        "pct_ethnic_minority": 1.0, "log_population": 0.5,
    }  # fmt: skip
    assert s.significance_cap == 3.0
    assert s.min_population == 1000
    assert s.branding.colour == "#1f4e79"
    assert s.source == str(SETTINGS_FILE)
    # The file and the dataclass defaults agree, so a missing key changes nothing.
    assert s == Settings(source=str(SETTINGS_FILE))


def test_a_copy_of_the_real_file_is_valid(tmp_path: Path) -> None:
    assert load_settings(_write(tmp_path, _real())).min_base == 50


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("min_base", 0, "'min_base' must be a whole number of at least 1"),
        ("min_base", -5, "'min_base' must be a whole number of at least 1"),
        ("min_base", 12.5, "'min_base' must be a whole number of at least 1"),
        # YAML `min_base: yes` is True, and True is an int in Python: it must not
        # quietly become a minimum base of 1 (disclosure control off).
        ("min_base", True, "'min_base' must be a whole number of at least 1"),
        ("confidence_level", 95, "'confidence_level' must be a number between 0.5 and 1"),
        ("confidence_level", 0.3, "'confidence_level' must be a number between 0.5 and 1"),
        ("confidence_level", 1.0, "'confidence_level' must be a number between 0.5 and 1"),
    ],
)
def test_bad_top_level_value_is_named(tmp_path: Path, key: str, value: Any, named: str) -> None:
    raw = _real()
    raw[key] = value
    problems = _problems(_write(tmp_path, raw))
    assert len(problems) == 1
    assert named in problems[0]


def test_unknown_breakdown_is_named(tmp_path: Path) -> None:
    raw = _real()
    raw["breakdowns"] = ["age_band", "religion", "sex"]
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem.startswith("'breakdowns' names unknown columns ['religion']")
    assert "age_band" in problem  # the allowed columns are listed


@pytest.mark.parametrize("colour", ["blue", "#12345", "#1f4e7g", "1f4e79"])
def test_bad_colour_is_named(tmp_path: Path, colour: str) -> None:
    raw = _real()
    raw["branding"]["colours"]["primary"] = colour
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem == "'branding.colours.primary' must be a hex colour like #1f4e79"


def test_old_single_colour_key_still_works_and_is_named(tmp_path: Path) -> None:
    raw = _real()
    del raw["branding"]["colours"]
    raw["branding"]["colour"] = "#5a2d82"
    assert load_settings(_write(tmp_path, raw)).branding.colour == "#5a2d82"
    raw["branding"]["colour"] = "purple"
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem == "'branding.colour' must be a hex colour like #1f4e79"


def test_real_branding_section(tmp_path: Path) -> None:
    brand = load_settings().branding
    assert (brand.organisation, brand.colour, brand.accent) == ("Civic Pulse", "#1f4e79", "#00796b")
    assert brand.logo == "" and brand.contact == ""
    assert brand.la_title("Ashbridge") == "Civic Pulse: Ashbridge"
    assert brand.national_title_for(2026) == "Civic Pulse: active citizenship in England, 2026"
    assert brand.national_author == "Civic Pulse"
    assert load_settings().brand_metadata() == {
        "name": "Civic Pulse",
        "colours": {"primary": "#1f4e79", "accent": "#00796b"},
    }


def test_contrast_ratio_against_white() -> None:
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the AA grey


def test_pale_primary_colour_is_refused_with_ratio_and_fix(tmp_path: Path) -> None:
    raw = _real()
    raw["branding"]["colours"]["primary"] = "#9AB3D5"
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem.startswith("'branding.colours.primary' #9ab3d5 has a contrast ratio of 2.")
    assert ":1 against white, below the 4.5:1 that text" in problem
    suggested = problem.rsplit(" ", 1)[-1]
    assert contrast_with_white(suggested) >= 4.5  # the suggested shade passes
    raw["branding"]["colours"]["primary"] = suggested
    assert load_settings(_write(tmp_path, raw)).branding.colour == suggested


def test_pale_accent_colour_is_refused(tmp_path: Path) -> None:
    raw = _real()
    raw["branding"]["colours"]["accent"] = "#cccccc"
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem.startswith("'branding.colours.accent' #cccccc has a contrast ratio of 1.")
    assert "3:1" in problem


def test_logo_is_read_from_the_settings_folder(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    raw = _real()
    raw["branding"]["logo"] = "brand/logo.png"
    settings = load_settings(_write(tmp_path, raw))
    assert settings.branding.logo == "brand/logo.png"  # as written, for the manifest
    assert settings.logo_path() == (tmp_path / "brand" / "logo.png").resolve()
    assert settings.brand_metadata()["logo"] == str((tmp_path / "brand" / "logo.png").resolve())


def test_missing_logo_is_named(tmp_path: Path) -> None:
    raw = _real()
    raw["branding"]["logo"] = "brand/missing.svg"
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem.startswith("'branding.logo' names 'brand/missing.svg', which is not a file")


@pytest.mark.parametrize("name", ["logo.jpg", "logo.gif", "logo"])
def test_logo_that_is_not_svg_or_png_is_named(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"GIF89a")
    raw = _real()
    raw["branding"]["logo"] = name
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem == f"'branding.logo' must be an SVG or PNG file (.svg or .png), not {name!r}"


@pytest.mark.parametrize(
    ("key", "template"),
    [
        ("la_report_title", "Report for {la_nme}"),
        ("la_report_title", "{la_name.__class__}"),
        ("la_report_title", "{la_name!r}"),
        ("la_report_title", "Unclosed {la_name"),
        ("national_title", "England {la_name}"),
        ("national_author", "{year} team"),
        ("national_author", ""),
    ],
)
def test_bad_title_template_is_named(tmp_path: Path, key: str, template: str) -> None:
    raw = _real()
    raw["branding"][key] = template
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem.startswith(f"'branding.{key}' must be non-empty text using only")


def test_titles_fill_in_their_placeholders(tmp_path: Path) -> None:
    raw = _real()
    raw["branding"]["la_report_title"] = "{la_name} ({la_code}): Civic Pulse {year}"
    raw["branding"]["national_title"] = "England {year}"
    brand = load_settings(_write(tmp_path, raw)).branding
    assert (
        brand.la_title("Ashbridge", "X06000001", 2026) == "Ashbridge (X06000001): Civic Pulse 2026"
    )
    assert brand.national_title_for(2026) == "England 2026"
    assert Branding().la_title("Ashbridge") == "Civic Pulse: Ashbridge"


def test_unknown_branding_key_and_two_names_are_named(tmp_path: Path) -> None:
    raw = _real()
    raw["branding"]["colour_primary"] = "#1f4e79"
    raw["branding"]["organisation"] = "Other"
    problems = _problems(_write(tmp_path, raw))
    assert any("unknown keys ['colour_primary']" in p for p in problems)
    assert any("sets both 'name' and 'organisation'" in p for p in problems)


def test_bad_neighbours_k_and_weights_are_named(tmp_path: Path) -> None:
    raw = _real()
    raw["nearest_neighbours"]["k"] = 0
    raw["nearest_neighbours"]["variables"]["urbanity"] = -1.0
    problems = _problems(_write(tmp_path, raw))
    assert any(p.startswith("'nearest_neighbours.k'") for p in problems)
    assert any(p.startswith("'nearest_neighbours.variables'") for p in problems)


def test_every_bad_value_is_listed_at_once(tmp_path: Path) -> None:
    raw = _real()
    raw["min_base"] = 0
    raw["confidence_level"] = 95
    raw["branding"]["colours"]["primary"] = "navy"
    raw["branding"]["logo"] = "absent.svg"
    problems = _problems(_write(tmp_path, raw))
    keys = sorted(p.split("'")[1] for p in problems)
    assert keys == ["branding.colours.primary", "branding.logo", "confidence_level", "min_base"]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="settings file not found"):
        load_settings(tmp_path / "absent.yml")


def test_file_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.yml"
    path.write_text("min_base: [50\nbranding: {\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)


@pytest.mark.parametrize(
    ("section", "typo", "meant"),
    [
        ("", "min_bse", "min_base"),
        ("", "confidence_levle", "confidence_level"),
        ("nearest_neighbours", "kk", "k"),
        ("priority", "min_populaton", "min_population"),
    ],
)
def test_an_unknown_key_is_refused_with_the_closest_valid_key(
    tmp_path: Path, section: str, typo: str, meant: str
) -> None:
    raw = _real()
    where = raw[section] if section else raw
    where[typo] = where.pop(meant)
    path = _write(tmp_path, raw)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    (problem,) = info.value.problems
    prefix = f"{section}." if section else ""
    assert problem.file == str(path) and problem.file.endswith("settings.yml")
    assert problem.rule == f"'{prefix}{typo}' is not a setting, so it would be ignored"
    assert problem.hint.startswith(f"did you mean '{prefix}{meant}'?")


def test_an_unknown_key_like_nothing_is_told_to_go(tmp_path: Path) -> None:
    raw = _real()
    raw["zzzzzz"] = 1
    (problem,) = _problem_objects(_write(tmp_path, raw))
    assert "'zzzzzz'" in problem.rule and problem.hint.startswith("remove it")


def test_a_branding_typo_names_the_key_it_resembles(tmp_path: Path) -> None:
    raw = _real()
    raw["branding"]["contcat"] = raw["branding"].pop("contact")
    (problem,) = _problem_objects(_write(tmp_path, raw))
    assert "unknown keys ['contcat']" in problem.rule and "'contcat' for 'contact'" in problem.rule


@pytest.mark.parametrize("body", ["- min_base\n- 50\n", "nearest_neighbours: [k, 15]\n"])
def test_settings_that_are_not_mappings_are_config_errors(tmp_path: Path, body: str) -> None:
    path = tmp_path / "settings.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_settings(path)


def _problem_objects(path: Path) -> tuple:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value.problems
