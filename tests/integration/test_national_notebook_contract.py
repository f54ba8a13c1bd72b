"""The stored national notebook keeps the same contract as the LA notebook.

One ``parameters`` cell (year, facts_path) that the build checks before
running anything; stored without outputs; paired with its jupytext ``.py``;
every cell hidden from readers, every figure captioned, described and given
its numbers' alt text by the bundle; every authors' section placed; and no
statistics computed in the notebook (ARCHITECTURE.md decision 1). The checks
are the LA contract's own helpers (tests/integration/test_notebook_contract.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from civicpulse_report import paths
from civicpulse_report.errors import ParameterError
from civicpulse_report.insight import load_interventions
from civicpulse_report.pipeline.contract import check_parameters, declared_parameters
from civicpulse_report.report import NATIONAL_SECTIONS, build_national_facts
from tests.integration.test_notebook_contract import (
    code_cells,
    makes_figure,
    split_options,
    statistics_used,
)

NOTEBOOK = paths.ANALYSIS_DIR / "national_report.ipynb"
PAIRED = NOTEBOOK.with_suffix(".py")
CONTRACT = {"year", "facts_path"}


@pytest.fixture(scope="module")
def nb() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_exactly_one_parameters_cell_declares_year_and_facts_path(
    nb: nbformat.NotebookNode,
) -> None:
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    _, code = split_options(tagged[0].source)
    assigned = {
        target.id
        for node in ast.parse(code).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert assigned == CONTRACT
    assert set(declared_parameters(NOTEBOOK)) == CONTRACT


def test_check_parameters_accepts_the_contract_and_names_what_is_wrong() -> None:
    check_parameters(NOTEBOOK, {"year": 2026, "facts_path": "national.json"})
    with pytest.raises(ParameterError) as raised:
        check_parameters(NOTEBOOK, {"la_code": "X06000001", "year": 2026})
    assert "la_code" in str(raised.value) and "facts_path" in str(raised.value)


def test_notebook_is_stored_without_outputs(nb: nbformat.NotebookNode) -> None:
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == []
    assert "papermill" not in nb.metadata
    assert '"output_type"' not in NOTEBOOK.read_text(encoding="utf-8")


def test_notebook_is_in_sync_with_its_paired_script() -> None:
    def cells(path: Path) -> list[tuple[str, str, list[str]]]:
        return [
            (c.cell_type, c.source.strip(), list(c.metadata.get("tags", [])))
            for c in jupytext.read(path).cells
        ]

    assert cells(NOTEBOOK) == cells(PAIRED), "run `jupytext --to ipynb analysis/national_report.py`"
    formats = jupytext.read(PAIRED).metadata["jupytext"]["formats"]
    assert "ipynb" in formats and "py" in formats


def test_every_code_cell_hides_its_code(nb: nbformat.NotebookNode) -> None:
    shown = [
        i
        for i, options, _ in code_cells(nb)
        if options.get("echo") is not False and options.get("include") is not False
    ]
    assert shown == []


def test_every_figure_has_a_label_caption_and_alt_text(nb: nbformat.NotebookNode) -> None:
    figures = [
        (i, options)
        for i, options, code in code_cells(nb)
        if options.get("include") is not False and makes_figure(code)
    ]
    assert len(figures) >= 15, "the figure detector found too few figures to be trusted"
    for i, options in figures:
        label = str(options.get("label", ""))
        assert re.fullmatch(r"fig-[A-Za-z0-9_-]+", label), f"cell {i}: label {label!r}"
        caption = str(options.get("fig-cap", "")).strip()
        alt = str(options.get("fig-alt", "")).strip()
        assert caption and alt, f"cell {i} ({label})"
        assert alt != caption, f"cell {i} ({label}): alt text only repeats the caption"
    labels = [str(o.get("label")) for _, o, _ in code_cells(nb) if o.get("label")]
    assert len(labels) == len(set(labels)), "duplicate cell labels"
    empty = [
        o["label"]
        for _, o, code in code_cells(nb)
        if str(o.get("label", "")).startswith("fig-") and not makes_figure(code)
    ]
    assert empty == []


def test_every_figure_hands_on_the_bundles_alt_text(
    nb: nbformat.NotebookNode, small_dataset, small_estimates, measures, settings
) -> None:
    bundle = build_national_facts(
        small_dataset,
        small_estimates,
        measures,
        settings,
        load_interventions(measures=measures),
        year=small_estimates.latest_wave,
    )
    figure_cells = {
        str(o["label"]): code
        for _, o, code in code_cells(nb)
        if str(o.get("label", "")).startswith("fig-")
    }
    # The bundle writes alt text (with numbers) for exactly the figures the notebook draws...
    assert set(figure_cells) == set(bundle["figure_alt"])
    # ...and each figure cell passes its own label on to the renderer.
    for label, code in figure_cells.items():
        assert f'chart_data("{label}"' in code, label


def test_notebook_computes_no_statistics(nb: nbformat.NotebookNode) -> None:
    offending = {i: statistics_used(code) for i, _, code in code_cells(nb) if statistics_used(code)}
    assert offending == {}


def test_every_authors_section_has_a_place(nb: nbformat.NotebookNode) -> None:
    source = "\n".join(code for _, _, code in code_cells(nb))
    placed = set(re.findall(r'authors\("([^"]+)"', source))
    placed |= {f"Commentary: {d}" for d in re.findall(r'^domain_chapter\("(\w+)"\)', source, re.M)}
    assert 'authors(f"Commentary: {domain_id}")' in source
    assert placed == set(NATIONAL_SECTIONS)
    # The foreword comes first, before the executive summary; framing before chapter 1.
    assert source.index('authors("Foreword"') < source.index("# Executive summary")
    assert source.index('authors("Framing"') < source.index('domain_chapter("everyday")')
