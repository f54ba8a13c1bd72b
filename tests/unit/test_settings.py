"""settings.yml: the real file loads, and each bad value is refused by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from civicpulse_report.errors import ConfigError
from civicpulse_report.paths import SETTINGS_FILE
from civicpulse_report.settings import DEMOGRAPHIC_COLUMNS, Settings, load_settings


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
    raw["branding"]["colour"] = colour
    (problem,) = _problems(_write(tmp_path, raw))
    assert problem == "'branding.colour' must be a hex colour like #1f4e79"


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
    raw["branding"]["colour"] = "navy"
    problems = _problems(_write(tmp_path, raw))
    keys = sorted(p.split("'")[1] for p in problems)
    assert keys == ["branding.colour", "confidence_level", "min_base"]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="settings file not found"):
        load_settings(tmp_path / "absent.yml")


def test_file_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.yml"
    path.write_text("min_base: [50\nbranding: {\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)
