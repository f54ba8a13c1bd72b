"""The naive baseline of issue 9: per LA, one fresh papermill run that computes from raw data, then a render.

Used by ``bench_build.py``. For each LA of the sample, with ``jobs`` LAs at a
time (worker processes started with ``spawn``):

1. ``papermill.execute_notebook`` with papermill's stock engine and a new
   kernel, on a copy of ``analysis/la_report.ipynb`` with one cell added after
   its parameters: it loads and validates the raw data and computes this LA's
   estimates (the restricted pass, ``compute_estimates(la_codes=(la,))``: all
   LAs' LA-level rows for the comparators, breakdowns for this LA only) and
   writes its fact bundle, with no cache; the notebook's own cells then run as
   usual;
2. the front matter and filled captions the build gives a report;
3. the built-in render of the formats asked for.

No tables, manifest, index or national draft: the baseline does less than the
build it is compared with, so the speed-up it gives is a lower bound.

Usage::

    python benchmarks/_naive_build.py SPEC.json RESULT.json

``SPEC.json``: ``data_dir``, ``la_codes``, ``formats``, ``jobs``, ``out_dir``.
``RESULT.json``: ``seconds`` (all of it), ``per_la`` (seconds per LA, in its
worker), ``built`` and ``failed``.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

COMPUTE_CELL = """\
# Naive baseline: this LA's statistics computed here, from the raw data.
from pathlib import Path as _Path

from civicpulse_report.pipeline import BuildOptions as _Options
from civicpulse_report.pipeline.job import _facts
from civicpulse_report.pipeline.prepare import prepare as _prepare
from civicpulse_report.report import write_facts as _write_facts

_ctx = _prepare(
    _Options(
        data_dir=_Path(data_dir),
        la_codes=(la_code,),
        national=False,
        force=True,
        build_dir=_Path(scratch_dir),
        out_dir=_Path(scratch_dir) / "out",
    )
)
_write_facts(_facts(_ctx, la_code), _Path(facts_path))
del _ctx
"""


def naive_notebook(source: Path, dest: Path) -> Path:
    """``source`` with the compute cell right after its parameters (papermill injects before it)."""
    nb = nbformat.read(source, as_version=4)
    at = next(
        i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])
    )
    nb.cells[at].source += '\ndata_dir = "data/demo"\nscratch_dir = "build/naive"'
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(COMPUTE_CELL))
    nbformat.write(nb, dest)
    return dest


def build_la(
    notebook: str, data_dir: str, year: int, la_code: str, out_dir: str, formats: list[str]
) -> Any:
    """One LA, the naive way. Returns (la_code, seconds, error or None)."""
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix=f"naive-{la_code}-"))
    try:
        import papermill

        from civicpulse_report import render
        from civicpulse_report.pipeline.job import front_matter_yaml
        from civicpulse_report.report import fill_captions
        from civicpulse_report.report.present import read_facts

        folder = Path(out_dir) / la_code
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "report.ipynb"
        facts_path = scratch / f"{la_code}.json"
        papermill.execute_notebook(
            notebook,
            str(executed),
            parameters={
                "la_code": la_code,
                "year": year,
                "facts_path": str(facts_path),
                "data_dir": data_dir,
                "scratch_dir": str(scratch),
            },
            kernel_name="python3",
            cwd=str(folder),
            progress_bar=False,
        )
        bundle = read_facts(facts_path)
        nb = nbformat.read(executed, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_raw_cell(front_matter_yaml(bundle)))
        nbformat.write(nb, executed)
        fill_captions(executed, bundle["meta"])
        render.render_report(executed, folder, formats=tuple(formats), renderer="builtin")
        return la_code, time.perf_counter() - started, None
    except Exception as exc:  # reported in the result, never hidden
        return la_code, time.perf_counter() - started, "".join(traceback.format_exception(exc)[-3:])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def latest_wave(data_dir: Path) -> int:
    """The latest wave in the data (what a build reports by default)."""
    import pandas as pd

    return int(pd.read_parquet(data_dir / "survey.parquet", columns=["wave"])["wave"].max())


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    started = time.perf_counter()
    from civicpulse_report.paths import PROJECT_ROOT

    work = Path(tempfile.mkdtemp(prefix="naive-notebook-"))
    notebook = naive_notebook(PROJECT_ROOT / "analysis" / "la_report.ipynb", work / "naive.ipynb")
    data_dir = Path(spec["data_dir"])
    year = latest_wave(data_dir)
    args = [
        (str(notebook), str(data_dir), year, code, str(spec["out_dir"]), list(spec["formats"]))
        for code in spec["la_codes"]
    ]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=int(spec["jobs"]), mp_context=context) as pool:
        done = list(pool.map(build_la, *zip(*args, strict=True)))
    shutil.rmtree(work, ignore_errors=True)
    result = {
        "path": "naive",
        "seconds": time.perf_counter() - started,
        "jobs_s": time.perf_counter() - started,
        "per_la": {code: round(seconds, 2) for code, seconds, _ in done},
        "built": [code for code, _, error in done if error is None],
        "failed": [{"la": code, "error": error} for code, _, error in done if error is not None],
    }
    Path(argv[1]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0 if not result["failed"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
