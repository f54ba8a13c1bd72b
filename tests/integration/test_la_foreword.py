"""A council's own foreword (data/config/narrative/<la_code>.md) in its LA report, verbatim.

The foreword travels in the LA's fact bundle only when one is given (the
default bundle is unchanged), and the LA notebook shows it, as written, as
the report's first chapter.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from civicpulse_report import paths
from civicpulse_report.insight import load_interventions
from civicpulse_report.pipeline import execute_report_notebook, notebook_parameters
from civicpulse_report.report import build_facts, read_narrative, write_facts

LA = "X06000001"
FOREWORD = "A word from the council leader.\n\n1. We asked.\n2. **You answered.**"


@pytest.fixture(scope="module")
def facts_args(small_estimates, small_dataset, measures, settings):
    return (
        small_estimates,
        small_dataset,
        measures,
        settings,
        load_interventions(measures=measures),
        LA,
        small_estimates.latest_wave,
    )


def test_the_bundle_carries_the_narrative_only_when_given(facts_args, tmp_path: Path) -> None:
    assert "narrative" not in build_facts(*facts_args, synthetic=True)
    path = tmp_path / f"{LA}.md"
    path.write_text(f"# Council text\n\n## Foreword\n\n{FOREWORD}\n", encoding="utf-8")
    bundle = build_facts(*facts_args, synthetic=True, narrative=read_narrative(path))
    assert bundle["narrative"] == {"Foreword": FOREWORD}


def test_the_la_report_shows_the_foreword_first_and_verbatim(facts_args, tmp_path: Path) -> None:
    bundle = build_facts(*facts_args, synthetic=True, narrative={"Foreword": FOREWORD})
    facts_path = tmp_path / "facts.json"
    write_facts(bundle, facts_path)
    nb = execute_report_notebook(
        paths.LA_REPORT_NOTEBOOK,
        tmp_path / "report.ipynb",
        notebook_parameters(LA, bundle["meta"]["year"], facts_path),
        cwd=tmp_path,
    )

    def markdown_out(cell: nbformat.NotebookNode) -> str:
        return "".join(
            "".join(o["data"]["text/markdown"])
            for o in cell.get("outputs", [])
            if "text/markdown" in o.get("data", {})
        )

    with_foreword = [i for i, c in enumerate(nb.cells) if FOREWORD in markdown_out(c)]
    assert len(with_foreword) == 1
    assert markdown_out(nb.cells[with_foreword[0]]) == f"# Foreword\n\n{FOREWORD}\n"
    first_chapter = next(
        i
        for i, c in enumerate(nb.cells)
        if (c.cell_type == "markdown" and c.source.startswith("# "))
        or markdown_out(c).startswith("# ")
    )
    assert first_chapter == with_foreword[0]
