"""Fixtures shared by the end-to-end builds: a two-LA nation, and notebooks that fail.

``two_la_dir`` is the small synthetic demo cut down to two LAs (one London
borough, one other), every table filtered consistently, so that a build of
*every* LA (which also builds the national draft and the index) stays fast.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from demo_specs import keep_las
from nbformat.v4 import new_code_cell

from civicpulse_report import paths


@pytest.fixture(scope="session")
def two_la_dir(small_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo with only two LAs: every table keeps their rows (and England's)."""
    lookup = pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)
    london = lookup[lookup["la_type"] == "London borough"].iloc[0]["la_code"]
    other = lookup[lookup["la_type"] != "London borough"].iloc[0]["la_code"]
    return keep_las(small_demo_dir, tmp_path_factory.mktemp("two-la"), {london, other})


def failing_copy(notebook: Path, tmp_path: Path, message: str = "boom") -> Path:
    """A copy of ``notebook`` whose last cell raises ``RuntimeError(message)``."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(new_code_cell(f'#| echo: false\nraise RuntimeError("{message}")'))
    path = tmp_path / f"{notebook.stem}_failing.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def failing_la_notebook(tmp_path: Path) -> Path:
    """The LA notebook with a last cell that raises."""
    return failing_copy(paths.LA_REPORT_NOTEBOOK, tmp_path)
