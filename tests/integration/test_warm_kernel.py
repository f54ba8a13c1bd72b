"""A warm kernel is reused from LA to LA, and nothing of one LA reaches the next.

Two tiny notebooks with the same ``parameters`` cell run one after the other
in one :class:`KernelPool` kernel (the same process, as its PID shows): the
first leaves a variable, a figure and an ``Out`` entry behind; the second
finds none of them, and its parameter is its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from civicpulse_report.pipeline import KernelPool, execute_report_notebook


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
