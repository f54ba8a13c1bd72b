"""A warm kernel is reused from LA to LA, and nothing of one LA reaches the next.

Two tiny notebooks with the same ``parameters`` cell run one after the other
in one :class:`KernelPool` kernel (the same process, as its PID shows): the
first leaves a variable, a figure and an ``Out`` entry behind; the second
finds none of them, and its parameter is its own. A kernel launched early by
``prestart`` has done the notebook's imports before its first cell, and left
no names behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from civicpulse_report.pipeline import KernelPool, execute_report_notebook
from civicpulse_report.pipeline.notebook import notebook_imports


def _notebook(path: Path, *cells: str) -> Path:
    params = new_code_cell('la_code = ""')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, *(new_code_cell(c) for c in cells)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def _printed(nb: nbformat.NotebookNode) -> dict:
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    return json.loads(text.strip().splitlines()[-1])


def test_nothing_of_one_la_reaches_the_next_in_a_warm_kernel(tmp_path: Path) -> None:
    first = _notebook(
        tmp_path / "first.ipynb",
        "import os, matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
        "leaked = la_code\nfig = plt.figure()\n41 + 1",
        "import json\nprint(json.dumps({'pid': os.getpid(), 'figures': len(plt.get_fignums())}))",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import os, json, sys\n"
        "plt_open = len(sys.modules['matplotlib.pyplot'].get_fignums())\n"
        "print(json.dumps({'pid': os.getpid(), 'leaked': 'leaked' in globals(), "
        "'fig': 'fig' in globals(), 'figures': plt_open, 'la_code': la_code, "
        "'out': len(Out)}))",
    )
    pool = KernelPool()
    try:
        a = _printed(execute_report_notebook(first, tmp_path / "a.ipynb", {"la_code": "A"}, pool))
        b = _printed(execute_report_notebook(second, tmp_path / "b.ipynb", {"la_code": "B"}, pool))
    finally:
        pool.close()
    assert a["figures"] == 1
    assert b["pid"] == a["pid"], "the kernel was not reused, so this proves nothing"
    assert b == {"pid": a["pid"], "leaked": False, "fig": False, "figures": 0, "la_code": "B",
                 "out": 0}  # fmt: skip


#: What the probe notebook imports (in its last cell), and so what a prestarted kernel imports first.
PROBED = ("civicpulse_report.report.plots", "matplotlib.pyplot")


def _probe(path: Path) -> Path:
    """A notebook printing its PID, which of PROBED were imported before its own import ran."""
    return _notebook(
        path,
        "import os, json, sys\n"
        f"missing = [m for m in {list(PROBED)!r} if m not in sys.modules]\n"
        "print(json.dumps({'pid': os.getpid(), 'missing': missing, "
        "'names': sorted(n for n in ('matplotlib', 'civicpulse_report', '_p') if n in globals())}))",
        "from civicpulse_report.report import plots\nimport matplotlib.pyplot as plt",
    )


def test_notebook_imports_lists_each_top_level_import_once() -> None:
    from civicpulse_report.paths import LA_REPORT_NOTEBOOK

    found = notebook_imports(LA_REPORT_NOTEBOOK)
    assert {"matplotlib.pyplot", "civicpulse_report.report.plots"} <= set(found)
    assert (
        "civicpulse_report.report.present" in found
    )  # from civicpulse_report.report import present
    assert len(found) == len(set(found))


def test_a_prestarted_kernel_runs_the_next_notebook_with_its_imports_done_and_no_names(
    tmp_path: Path,
) -> None:
    """prestart(nb) launches the kernel early; it imported what nb imports, leaving no names."""
    probe = _probe(tmp_path / "probe.ipynb")
    pool = KernelPool()
    try:
        pool.prestart(probe)
        launched = pool._launched
        assert launched is not None, "prestart launched no kernel"
        pool.prestart(probe)  # a second call while one is launched starts no other
        assert pool._launched is launched
        seen = _printed(
            execute_report_notebook(probe, tmp_path / "p.ipynb", {"la_code": "A"}, pool)
        )
        assert pool._launched is None and pool._km is launched
        assert seen["pid"] == launched.provisioner.process.pid
        pool.prestart(probe)  # the warm kernel will serve the next notebook: nothing to launch
        assert pool._launched is None
    finally:
        pool.close()
    assert seen["missing"] == [], f"not imported as the kernel started: {seen['missing']}"
    assert seen["names"] == [], f"the early imports left names behind: {seen['names']}"
    # The control: a kernel started without prestart has imported none of them by then.
    cold = KernelPool()
    try:
        plain = _printed(
            execute_report_notebook(probe, tmp_path / "c.ipynb", {"la_code": "A"}, cold)
        )
    finally:
        cold.close()
    assert plain["missing"] == list(PROBED)


def test_a_prestart_that_cannot_launch_leaves_the_start_and_its_retries_to_kernel(
    tmp_path: Path,
) -> None:
    from civicpulse_report.errors import BuildError

    pool = KernelPool(kernel_name="no-such-kernel-spec")
    try:
        pool.prestart()  # the launch fails; nothing is raised here
        assert pool._launched is None
        try:
            with pool.kernel():
                raise AssertionError("a kernel started from a spec that does not exist")
        except BuildError as err:
            assert "failed to start on all 3 attempts" in str(err)
    finally:
        pool.close()
