"""Profile one LA's build with pyinstrument: the CLI process, the job, and the notebook in its kernel.

Usage::

    .venv/bin/pip install pyinstrument          # not a project dependency
    .venv/bin/python benchmarks/profile_la.py --data data/demo --la X06000012

Everything is written under a temporary folder, apart from the profiles
(``--out``, default ``build/profiles/``):

- ``cli.txt``: ``civicpulse-report build --la CODE`` with the estimates cached
  (the parent process only: checks, cache read; the job runs in a forked
  worker that pyinstrument does not follow);
- ``job.txt``: the LA's job (fact bundle, notebook, render, tables,
  manifest) run in this process with a warm kernel, as a worker runs it; the
  notebook shows as time waiting for the kernel;
- ``notebook.txt``: the notebook's own cells, profiled inside the kernel (a
  copy of the notebook with a first cell that starts a profiler and a last
  cell that stops it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
_SNAPSHOT_ENV = "CIVICPULSE_PROFILE_SNAPSHOT"


def _run_from_snapshot(args: argparse.Namespace) -> None:
    """Re-run this script on a snapshot copy of the project (see bench_build.snapshot_project).

    Edits made to the working tree during the profile would otherwise change
    the estimates cache key between the run that fills the cache and the
    profiled run, and the "cached" run would recompute the estimates.
    """
    if os.environ.get(_SNAPSHOT_ENV):
        return
    from bench_build import snapshot_project

    snap = Path(tempfile.mkdtemp(prefix="civicpulse-profile-project-"))
    snapshot_project(snap)
    env = dict(os.environ, PYTHONPATH=str(snap), **{_SNAPSHOT_ENV: str(snap)})
    argv = [sys.executable, str(Path(__file__).resolve()), "--data", str(args.data)]
    argv += ["--la", args.la, "--formats", args.formats, "--out", str(args.out)]
    code = subprocess.run(argv, env=env, cwd=snap).returncode
    shutil.rmtree(snap, ignore_errors=True)
    sys.exit(code)


START_CELL = """\
from pyinstrument import Profiler as _BenchProfiler
_bench_profiler = _BenchProfiler(interval=0.001, async_mode="disabled")
_bench_profiler.start()
"""
STOP_CELL = """\
_bench_profiler.stop()
with open({path!r}, "w", encoding="utf-8") as _f:
    _f.write(_bench_profiler.output_text(unicode=True, color=False, show_all=False))
"""


def profiled_notebook(source: Path, dest: Path, profile_path: Path) -> Path:
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(START_CELL))
    nb.cells.append(nbformat.v4.new_code_cell(STOP_CELL.format(path=str(profile_path))))
    nbformat.write(nb, dest)
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--la", default="X06000012")
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "profiles")
    args = parser.parse_args()
    args.data, args.out = args.data.resolve(), args.out.resolve()
    _run_from_snapshot(args)
    from pyinstrument import Profiler

    from civicpulse_report.paths import LA_REPORT_NOTEBOOK
    from civicpulse_report.pipeline import (
        BuildOptions,
        KernelPool,
        execute_report_notebook,
        notebook_parameters,
        precheck,
    )
    from civicpulse_report.pipeline.executors import run_task
    from civicpulse_report.pipeline.prepare import prepare

    print(f"profiling the package at {Path(LA_REPORT_NOTEBOOK).parents[1]}")

    args.out.mkdir(parents=True, exist_ok=True)
    formats = tuple(args.formats.split(","))
    with tempfile.TemporaryDirectory(prefix="civicpulse-profile-") as tmp:
        work = Path(tmp)
        build = work / "build"
        options = BuildOptions(
            data_dir=args.data,
            la_codes=(args.la,),
            formats=formats,
            renderer="builtin",
            out_dir=work / "out-job",
            build_dir=build,
        )
        t = time.perf_counter()
        ctx = prepare(options, precheck(options))  # computes and caches the estimates
        print(f"checks + estimates (filling the cache): {time.perf_counter() - t:.1f} s")

        cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(args.out / "cli.txt")]
        cmd += ["-m", "civicpulse_report.cli", "build", "--data", str(args.data), "--la", args.la]
        cmd += ["--format", args.formats, "--renderer", "builtin"]
        cmd += ["--out", str(work / "out-cli"), "--build-dir", str(build)]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        print(f"CLI, one LA, estimates cached: {time.perf_counter() - t:.1f} s -> cli.txt")

        pool = KernelPool()
        try:
            # One job first, so that the kernel is warm as in a worker's second LA.
            run_task(ctx, args.la, pool)
            profiler = Profiler(interval=0.001)
            t = time.perf_counter()
            profiler.start()
            result = run_task(ctx, args.la, pool)
            profiler.stop()
            print(f"job in-process, warm kernel: {time.perf_counter() - t:.1f} s (ok={result.ok})")
            (args.out / "job.txt").write_text(
                profiler.output_text(unicode=True, color=False), encoding="utf-8"
            )

            facts = build / str(ctx.year) / "facts" / f"{args.la}.json"
            nb = profiled_notebook(
                LA_REPORT_NOTEBOOK, work / "profiled.ipynb", args.out / "notebook.txt"
            )
            t = time.perf_counter()
            execute_report_notebook(
                nb,
                work / "profiled-out.ipynb",
                notebook_parameters(args.la, ctx.year, facts.resolve()),
                pool=pool,
                cwd=work,
            )
            print(f"notebook in-kernel (profiled): {time.perf_counter() - t:.1f} s")
        finally:
            pool.close()
    print(f"profiles in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
