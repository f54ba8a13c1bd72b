"""The stored LA report notebook keeps its contract (and the national one its parameters).

One ``parameters`` cell (la_code, year, facts_path; the national draft's: year,
facts_path) that the build checks before running anything; stored without outputs; paired with its jupytext ``.py``;
every cell hidden from readers, every figure captioned and described; and no
statistics computed in the notebook (ARCHITECTURE.md decision 1).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

from civicpulse_report import paths
from civicpulse_report.errors import ParameterError
from civicpulse_report.pipeline import BuildOptions, notebook_parameters
from civicpulse_report.pipeline import notebook as notebook_module
from civicpulse_report.pipeline.contract import check_parameters, declared_parameters
from civicpulse_report.pipeline.national import national_parameters
from civicpulse_report.pipeline.notebook import execute_report_notebook

NOTEBOOK = paths.LA_REPORT_NOTEBOOK
PAIRED = NOTEBOOK.with_suffix(".py")
CONTRACT = {"la_code", "year", "facts_path"}
GOOD_PARAMETERS = {"la_code": "X06000001", "year": 2026, "facts_path": "facts.json"}
#: Calls that put a figure in the report (the notebook's helpers and matplotlib's own).
FIGURE_CALLS = {"draw", "domain_figure", "plt.show", "plt.figure", "plt.subplots"}
STATISTICS_MODULES = {"statistics", "inputs", "measures"}
STATISTICS_CALLS = (".mean(", ".groupby(", "np.average")


@pytest.fixture(scope="module")
def nb() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def split_options(source: str) -> tuple[dict, str]:
    """The cell's leading ``#|`` options (as YAML) and the code after them."""
    lines = source.splitlines()
    options = []
    for line in lines:
        if not line.startswith("#|"):
            break
        options.append(line[2:].removeprefix(" "))
    return (yaml.safe_load("\n".join(options)) or {}), "\n".join(lines[len(options) :])


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def top_level_calls(code: str) -> set[str]:
    """Names called when the cell runs (not inside the functions it only defines)."""
    found: set[str] = set()

    class Calls(ast.NodeVisitor):
        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            return None

        visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

        def visit_Lambda(self, node: ast.Lambda) -> None:
            return None

        def visit_Call(self, node: ast.Call) -> None:
            found.add(_dotted(node.func))
            self.generic_visit(node)

    Calls().visit(ast.parse(code))
    return found


def makes_figure(code: str) -> bool:
    return bool(top_level_calls(code) & FIGURE_CALLS)


def statistics_used(code: str) -> list[str]:
    """Imports of the package's statistics modules and calls that compute statistics."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found += [
                a.name
                for a in node.names
                if a.name.split(".")[:2] in (["civicpulse_report", m] for m in STATISTICS_MODULES)
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "civicpulse_report" and len(parts) > 1:
                if parts[1] in STATISTICS_MODULES:
                    found.append(node.module)
            elif parts == ["civicpulse_report"]:
                found += [a.name for a in node.names if a.name in STATISTICS_MODULES]
    found += [call for call in STATISTICS_CALLS if call in code]
    return found


def code_cells(nb: nbformat.NotebookNode) -> list[tuple[int, dict, str]]:
    return [
        (i, *split_options(cell.source))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    ]


# --- the parameters contract ------------------------------------------------------


def test_exactly_one_parameters_cell_declares_the_contract(nb: nbformat.NotebookNode) -> None:
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
    # What the build passes is exactly what the notebook declares.
    assert set(notebook_parameters("X06000001", 2026, Path("f.json"))) == CONTRACT


def test_the_national_notebook_declares_what_the_pipeline_passes() -> None:
    passed = national_parameters(2026, Path("national.json"))
    assert set(passed) == {"year", "facts_path"}
    assert set(declared_parameters(BuildOptions(data_dir=Path(".")).national_notebook)) == set(
        passed
    )
    check_parameters(BuildOptions(data_dir=Path(".")).national_notebook, passed)


def test_check_parameters_accepts_the_contract() -> None:
    check_parameters(NOTEBOOK, GOOD_PARAMETERS)


def test_check_parameters_names_unknown_and_missing_parameters() -> None:
    wrong = {"la_code": "X06000001", "year": 2026, "facts_file": "facts.json"}
    with pytest.raises(ParameterError) as raised:
        check_parameters(NOTEBOOK, wrong)
    message = str(raised.value)
    assert "unknown" in message and "facts_file" in message
    assert "missing" in message and "facts_path" in message


def test_bad_parameters_execute_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_kernel(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a kernel was started for parameters that do not match")

    monkeypatch.setattr(notebook_module.KernelManager, "start_kernel", no_kernel)
    out = tmp_path / "executed.ipynb"
    with pytest.raises(ParameterError, match="colour"):
        execute_report_notebook(NOTEBOOK, out, {**GOOD_PARAMETERS, "colour": "red"})
    with pytest.raises(ParameterError, match="year"):
        execute_report_notebook(NOTEBOOK, out, {"la_code": "X06000001", "facts_path": "f.json"})
    with pytest.raises(ParameterError, match=r"'year' must be int, not str \('2026'\)"):
        execute_report_notebook(NOTEBOOK, out, {**GOOD_PARAMETERS, "year": "2026"})
    with pytest.raises(ParameterError, match=r"'la_code' must be str, not list"):
        execute_report_notebook(NOTEBOOK, out, {**GOOD_PARAMETERS, "la_code": ["x"]})
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# --- how it is stored -------------------------------------------------------------


def test_notebook_is_stored_without_outputs(nb: nbformat.NotebookNode) -> None:
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == [], f"cells with outputs or execution counts: {dirty}"
    run_metadata = {"execution", "ExecuteTime", "collapsed", "scrolled", "papermill"}
    noisy = [i for i, cell in enumerate(nb.cells) if run_metadata & set(cell.metadata)]
    assert noisy == [], f"cells with execution metadata: {noisy}"
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata
    assert '"output_type"' not in NOTEBOOK.read_text(encoding="utf-8")


def test_notebook_is_in_sync_with_its_paired_script() -> None:
    def cells(path: Path) -> list[tuple[str, str, list[str]]]:
        return [
            (c.cell_type, c.source.strip(), list(c.metadata.get("tags", [])))
            for c in jupytext.read(path).cells
        ]

    from_ipynb, from_py = cells(NOTEBOOK), cells(PAIRED)
    assert len(from_py) == len(from_ipynb), "the two files have different numbers of cells"
    for n, (a, b) in enumerate(zip(from_ipynb, from_py, strict=True)):
        assert a == b, f"cell {n} differs: run `make notebooks` or `jupytext --sync`"
    formats = jupytext.read(PAIRED).metadata["jupytext"]["formats"]
    assert "ipynb" in formats and "py" in formats


# --- what readers see -------------------------------------------------------------


def test_every_code_cell_hides_its_code(nb: nbformat.NotebookNode) -> None:
    shown = [
        i
        for i, options, _ in code_cells(nb)
        if options.get("echo") is not False and options.get("include") is not False
    ]
    assert shown == [], f"cells that would print their code in the report: {shown}"


def test_every_figure_has_a_label_caption_and_alt_text(nb: nbformat.NotebookNode) -> None:
    figures = [
        (i, options)
        for i, options, code in code_cells(nb)
        if options.get("include") is not False and makes_figure(code)
    ]
    assert len(figures) >= 10, "the figure detector found too few figures to be trusted"
    for i, options in figures:
        label = str(options.get("label", ""))
        assert re.fullmatch(r"fig-[A-Za-z0-9_-]+", label), f"cell {i}: label {label!r}"
        caption = str(options.get("fig-cap", "")).strip()
        alt = str(options.get("fig-alt", "")).strip()
        assert caption, f"cell {i} ({label}) has no fig-cap"
        assert alt, f"cell {i} ({label}) has no fig-alt"
        assert alt != caption, f"cell {i} ({label}): alt text only repeats the caption"
    labels = [str(o.get("label")) for _, o, _ in code_cells(nb) if o.get("label")]
    assert len(labels) == len(set(labels)), "duplicate cell labels"
    # And the reverse: a fig- label on a cell that draws nothing is a broken reference.
    empty = [
        options["label"]
        for _, options, code in code_cells(nb)
        if str(options.get("label", "")).startswith("fig-") and not makes_figure(code)
    ]
    assert empty == []


def test_notebook_computes_no_statistics(nb: nbformat.NotebookNode) -> None:
    offending = {i: statistics_used(code) for i, _, code in code_cells(nb) if statistics_used(code)}
    assert offending == {}, f"statistics computed in the notebook: {offending}"


# --- the guards above can fail ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("draw(plots.spine_chart(rows))", True),
        ("if rows:\n    domain_figure('drivers')", True),
        ("fig, ax = plt.subplots()\nax.plot([1, 2])", True),
        ("def draw(fig):\n    plt.show()", False),
        ("show(p.md_table(['a'], [[1]]))", False),
    ],
)
def test_figure_detector(code: str, expected: bool) -> None:
    assert makes_figure(code) is expected


@pytest.mark.parametrize(
    "code",
    [
        "from civicpulse_report import statistics",
        "from civicpulse_report.statistics import stats",
        "import civicpulse_report.statistics.estimates as est",
        "from civicpulse_report.measures import load_measures",
        "rows = frame.groupby('la_code')['x'].sum()",
        "value = frame['x'].mean()",
        "value = np.average(x, weights=w)",
    ],
)
def test_statistics_guard_catches_computation(code: str) -> None:
    assert statistics_used(code)


def test_statistics_guard_allows_presentation() -> None:
    code = "from civicpulse_report.report import plots\nfrom civicpulse_report.report.present import read_facts\n"
    assert statistics_used(code + "show(p.value(row))") == []
