"""The Quarto path runs the same Lua filters as the built-in one (issue 10), without Quarto.

The built-in renderer passes every filter in LUA_FILTERS to pandoc. Under Quarto, the
ones that do what Quarto does itself (numbering, cross-references, callouts,
conditional content) are left to Quarto; every other one must be in _quarto.yml's
``filters:`` for the formats it acts on, in the same order, at a Quarto entry point,
with a path that resolves from the project root (and from the scratch project the
Quarto renderer builds). Otherwise the Quarto HTML would silently lose the table
scroll regions, row headers, the one-h1 structure and the figures' data and alt text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import PROJECT_ROOT, QUARTO_CONFIG, TEMPLATES_DIR
from civicpulse_report.render.outputs import FORMATS, QUARTO_FORMATS
from civicpulse_report.render.pandoc import (
    LUA_FILTERS,
    QUARTO_FILTER_STAGES,
    QUARTO_NATIVE_FILTERS,
    quarto_filters,
)
from civicpulse_report.render.quarto import _scratch_config, check_filter_paths

#: Quarto 1.4+ filter entry points ("Targeting of AST Processing Phases").
ENTRY_POINTS = {
    f"{when}-{stage}" for when in ("pre", "post") for stage in ("ast", "quarto", "render")
}
NAMES = [path.name for path in LUA_FILTERS]


@pytest.fixture(scope="module")
def project() -> dict:
    return yaml.safe_load(QUARTO_CONFIG.read_text(encoding="utf-8"))


def listed(project: dict, fmt: str) -> list[dict]:
    return list(project["format"][QUARTO_FORMATS[fmt]].get("filters") or [])


def test_every_filter_is_either_left_to_quarto_or_given_an_entry_point() -> None:
    assert set(NAMES) == set(QUARTO_FILTER_STAGES) | QUARTO_NATIVE_FILTERS
    assert not set(QUARTO_FILTER_STAGES) & QUARTO_NATIVE_FILTERS
    for stage, formats in QUARTO_FILTER_STAGES.values():
        assert stage in ENTRY_POINTS
        assert set(formats) <= set(FORMATS)


def test_the_quarto_html_runs_every_built_in_html_filter_quarto_lacks(project: dict) -> None:
    entries = listed(project, "html")
    names = [Path(e["path"]).name for e in entries]
    assert names == [n for n in NAMES if n not in QUARTO_NATIVE_FILTERS]  # all, in order
    for required in (
        "html-figures.lua",
        "table-layout.lua",
        "html-tables.lua",
        "html-headings.lua",
    ):
        assert required in names


@pytest.mark.parametrize("fmt", FORMATS)
def test_quarto_yml_lists_exactly_the_filters_of_each_format(project: dict, fmt: str) -> None:
    assert listed(project, fmt) == quarto_filters(fmt)
    assert "filters" not in project, "top-level filters would run in every format"


def test_no_quarto_native_filter_runs_under_quarto(project: dict) -> None:
    for fmt in FORMATS:
        assert not {Path(e["path"]).name for e in listed(project, fmt)} & QUARTO_NATIVE_FILTERS


def test_filter_paths_resolve_from_the_project_root_to_the_built_in_files(project: dict) -> None:
    built_in = {path.name: path.resolve() for path in LUA_FILTERS}
    for fmt in FORMATS:
        for entry in listed(project, fmt):
            assert not Path(entry["path"]).is_absolute()
            resolved = (PROJECT_ROOT / entry["path"]).resolve()
            assert resolved.is_file(), entry
            assert resolved == built_in[resolved.name]
    assert check_filter_paths(project, PROJECT_ROOT)


def test_filters_resolve_in_the_scratch_project_quarto_renders_in(
    project: dict, tmp_path: Path
) -> None:
    """render_quarto copies templates/ and writes this config beside it."""
    shutil.copytree(TEMPLATES_DIR, tmp_path / "templates")
    config, _ = _scratch_config(project, {}, ("html", "pdf"), PROJECT_ROOT)
    assert config["format"]["html"]["filters"] == quarto_filters("html")
    paths = check_filter_paths(config, tmp_path)
    assert {p.name for p in paths} == set(QUARTO_FILTER_STAGES)
    assert all(tmp_path in p.parents for p in paths)


def test_a_filter_missing_from_the_project_is_a_clear_error(tmp_path: Path) -> None:
    config = {"format": {"html": {"filters": [{"path": "templates/filters/gone.lua"}]}}}
    with pytest.raises(RenderError, match=r"gone\.lua.*project folder"):
        check_filter_paths(config, tmp_path)
