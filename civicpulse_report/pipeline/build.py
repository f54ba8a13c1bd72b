"""Build reports: validate once, compute once, then one thin job per LA.

Flow (ARCHITECTURE.md): load and validate every input (nothing is written if
anything is wrong) -> one vectorised pass of estimates over all LAs -> for
each LA, in a worker: fact bundle -> papermill notebook -> HTML/PDF ->
tables -> manifest, all in a staging folder that replaces the previous
report only when complete. One LA failing never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import multiprocessing as mp
import os
import platform
import queue
import re
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import nbformat
import pandas as pd
import yaml

from civicpulse_report import __version__, paths
from civicpulse_report.errors import BuildFailure, InputError, Problem
from civicpulse_report.inputs import Dataset, check_la_code, file_sha256, load_dataset
from civicpulse_report.insight import Intervention, load_interventions
from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.pipeline.notebook import (
    KernelPool,
    check_parameters,
    execute_report_notebook,
)
from civicpulse_report.render import builtin as render
from civicpulse_report.report import facts, facts_to_table, write_tables
from civicpulse_report.settings import Settings, load_settings
from civicpulse_report.statistics import EstimateSet, compute_estimates

log = logging.getLogger(__name__)

Format = Literal["html", "pdf"]
SYNTHETIC_CODE = re.compile(r"^X0[6-9]\d{6}$")
STAGING = ".staging"


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs to know; resolved and logged at the start."""

    data_dir: Path
    year: int | None = None
    la_codes: tuple[str, ...] = ()
    formats: tuple[Format, ...] = ("html", "pdf")
    renderer: render.Renderer = "auto"
    jobs: int = 1
    out_dir: Path = paths.REPORTS_DIR
    build_dir: Path = paths.BUILD_DIR
    notebook: Path = paths.LA_REPORT_NOTEBOOK
    measures_path: Path = paths.MEASURES_FILE
    settings_path: Path = paths.SETTINGS_FILE
    interventions_path: Path = paths.INTERVENTIONS_FILE
    fresh_kernels: bool = False


@dataclass
class LAResult:
    la_code: str
    ok: bool
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)
    failure: BuildFailure | None = None


@dataclass
class BuildSummary:
    year: int
    built: list[str]
    failed: list[BuildFailure]
    skipped: list[str]
    seconds: float
    out_dir: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class RunContext:
    """What the per-LA jobs share: computed once, inherited by forked workers."""

    options: BuildOptions
    year: int
    dataset: Dataset
    measures: Measures
    settings: Settings
    interventions: tuple[Intervention, ...]
    estimates: EstimateSet
    synthetic: bool
    renderer: str
    input_hashes: dict[str, str]
    tool_versions: dict[str, str]
    git_commit: str | None
    by_la: dict[str, pd.DataFrame]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def tool_versions() -> dict[str, str]:
    """Versions of Python and the packages and tools that shape the outputs."""
    versions = {"python": platform.python_version(), "civicpulse-report": __version__}
    for dist in (
        "pandas",
        "numpy",
        "scipy",
        "pandera",
        "papermill",
        "nbclient",
        "ipykernel",
        "matplotlib",
        "seaborn",
        "typst",
        "pypandoc-binary",
        "pyreadstat",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    versions.update(render.tool_versions())
    return versions


def is_synthetic(dataset: Dataset) -> bool:
    """True when the data are the synthetic demo (its LA codes are X0 codes)."""
    return bool(dataset.la_lookup["la_code"].astype(str).str.match(SYNTHETIC_CODE).any())


def prepare(options: BuildOptions) -> RunContext:
    """Load config and data, validate, and compute all estimates.

    Raises
    ------
    InputError
        Bad configuration, bad data, a missing year or an unknown LA code.
        Nothing has been written when this is raised.
    """
    measures = load_measures(options.measures_path)
    settings = load_settings(options.settings_path)
    interventions = load_interventions(options.interventions_path, measures)
    dataset = load_dataset(options.data_dir, measures, year=options.year)
    year = options.year if options.year is not None else dataset.waves[-1]

    problems = []
    known = set(dataset.la_lookup["la_code"].astype(str))
    for code in options.la_codes:
        if not check_la_code(code):
            problems.append(
                Problem(
                    "--la",
                    f"'{code}' is not a valid LA code",
                    hint="use a GSS code such as E06000001",
                )
            )
        elif code not in known:
            problems.append(
                Problem(
                    "--la",
                    f"LA code '{code}' is not in the LA lookup",
                    values=(code,),
                    hint="check the code against la_lookup",
                )
            )
    if problems:
        raise InputError(problems)
    check_parameters(options.notebook, notebook_parameters("X06000001", year, Path("facts.json")))
    renderer = render.resolve_renderer(options.renderer)

    started = time.perf_counter()
    estimates = compute_estimates(dataset, measures, settings)
    log.info("estimates for %d LAs computed in %.1fs", len(known), time.perf_counter() - started)
    est = estimates.estimates
    common = est[est["la_code"].isna() | ((est["level"] == "la") & (est["breakdown"] == "all"))]
    by_la = {
        code: pd.concat(
            [common, part[~((part["level"] == "la") & (part["breakdown"] == "all"))]],
            ignore_index=True,
        )
        for code, part in est[est["la_code"].notna()].groupby("la_code", sort=False)
    }
    hashes = dict(dataset.files)
    for cfg in (
        options.measures_path,
        options.settings_path,
        options.interventions_path,
        options.notebook,
    ):
        hashes[str(cfg)] = file_sha256(cfg)
    return RunContext(
        options=options,
        year=year,
        dataset=dataset,
        measures=measures,
        settings=settings,
        interventions=tuple(interventions),
        estimates=estimates,
        synthetic=is_synthetic(dataset),
        renderer=renderer,
        input_hashes=hashes,
        tool_versions=tool_versions(),
        git_commit=_git_commit(),
        by_la=by_la,
    )


def notebook_parameters(la_code: str, year: int, facts_path: Path) -> dict[str, Any]:
    """The parameters every LA notebook receives (its `parameters` cell contract)."""
    return {"la_code": la_code, "year": int(year), "facts_path": str(facts_path)}


def front_matter_yaml(bundle: dict[str, Any]) -> str:
    """Quarto-style YAML front matter for the executed notebook's first raw cell."""
    meta = bundle["meta"]
    brand = meta["branding"]
    data = {
        "title": f"Civic Pulse: {meta['la_name']}",
        "subtitle": f"Active citizenship report {meta['year']}",
        "la_name": meta["la_name"],
        "la_code": meta["la_code"],
        "year": meta["year"],
        "date": dt.date.today().isoformat(),
        "synthetic": bool(meta["synthetic"]),
        "organisation": brand["organisation"],
        "brand_colour": brand["colour"],
        "footer": brand["footer"],
    }
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n"


def _publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder into place, keeping the old one until then."""
    final.parent.mkdir(parents=True, exist_ok=True)
    trash = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        os.replace(final, trash)
    os.replace(staging, final)
    shutil.rmtree(trash, ignore_errors=True)


def recover_interrupted(year_dir: Path) -> list[str]:
    """Restore reports a killed run had moved aside; drop stale staging folders."""
    restored = []
    if not year_dir.exists():
        return restored
    for old in sorted(year_dir.glob(".*.old-*")):
        name = old.name[1:].split(".old-")[0]
        final = year_dir / name
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, final)
            restored.append(name)
    shutil.rmtree(year_dir / STAGING, ignore_errors=True)
    return restored


def _sha256_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_one(ctx: RunContext, la_code: str, pool: KernelPool | None) -> LAResult:
    """Build one LA's report into staging, then publish it. Never raises."""
    started = time.perf_counter()
    opts = ctx.options
    year_dir = opts.out_dir / str(ctx.year)
    staging = year_dir / STAGING / f"{la_code}.{os.getpid()}"
    stage = "facts"
    timings: dict[str, float] = {}
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        t = time.perf_counter()
        la_est = ctx.by_la[la_code]
        est = EstimateSet(
            estimates=la_est,
            neighbours=ctx.estimates.neighbours,
            alpha=ctx.estimates.alpha,
            spine=ctx.estimates.spine,
            reference=ctx.estimates.reference,
            waves=ctx.estimates.waves,
        )
        bundle = facts.build_facts(
            est,
            ctx.dataset,
            ctx.measures,
            ctx.settings,
            ctx.interventions,
            la_code,
            ctx.year,
            synthetic=ctx.synthetic,
        )
        facts_path = opts.build_dir / str(ctx.year) / "facts" / f"{la_code}.json"
        facts.write_facts(bundle, facts_path)
        timings["facts"] = time.perf_counter() - t

        stage = "notebook"
        t = time.perf_counter()
        executed = staging / "report.ipynb"
        nb = execute_report_notebook(
            opts.notebook,
            executed,
            notebook_parameters(la_code, ctx.year, facts_path.resolve()),
            pool=pool,
            cwd=staging,
        )
        nb.cells.insert(0, nbformat.v4.new_raw_cell(front_matter_yaml(bundle)))
        nbformat.write(nb, executed)
        timings["notebook"] = time.perf_counter() - t

        stage = "render"
        t = time.perf_counter()
        result = render.render_report(
            executed, staging, formats=opts.formats, renderer=ctx.renderer
        )
        timings.update({f"render_{k}": v for k, v in result.timings.items()})
        timings["render"] = time.perf_counter() - t

        stage = "tables"
        table = facts_to_table(bundle)
        write_tables(table, staging)

        stage = "manifest"
        outputs = {
            p.name: {"bytes": p.stat().st_size, "sha256": _sha256_bytes(p)}
            for p in sorted(staging.iterdir())
            if p.is_file()
        }
        timings["total"] = time.perf_counter() - started
        manifest = {
            "la_code": la_code,
            "la_name": bundle["meta"]["la_name"],
            "year": ctx.year,
            "synthetic": ctx.synthetic,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "package_version": __version__,
            "git_commit": ctx.git_commit,
            "renderer": result.renderer,
            "formats": list(opts.formats),
            "parameters": notebook_parameters(la_code, ctx.year, facts_path.resolve()),
            "inputs": ctx.input_hashes,
            "settings": ctx.settings.as_dict(),
            "tool_versions": {**ctx.tool_versions, **dict(result.tool_versions)},
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
            "outputs": outputs,
            "table_rows": len(table),
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8"
        )
        stage = "publish"
        _publish(staging, year_dir / la_code)
        return LAResult(
            la_code,
            True,
            time.perf_counter() - started,
            {k: str(year_dir / la_code / k) for k in outputs},
        )
    except Exception as exc:  # one LA failing must never stop the others
        shutil.rmtree(staging, ignore_errors=True)
        details = traceback.format_exception(exc)[-6:]
        log.debug("LA %s failed at %s:\n%s", la_code, stage, "".join(details))
        return LAResult(
            la_code,
            False,
            time.perf_counter() - started,
            failure=BuildFailure(la_code, stage, f"{type(exc).__name__}: {exc}", details),
        )


# --- workers -------------------------------------------------------------------

_WORKER_CTX: RunContext | None = None


def _forget_inherited_event_loops() -> None:
    """Drop the asyncio loops a forked worker inherits from its parent.

    jupyter_core runs coroutines on a per-thread loop, some in a background thread.
    After a fork that thread is gone, so reusing the parent's loop (left behind by an
    earlier in-process build) waits forever; the loop's selector is the parent's too.
    """
    with contextlib.suppress(ImportError, AttributeError):
        from jupyter_core import utils as jupyter_utils

        jupyter_utils._runner_map.clear()
        jupyter_utils._loop.set(None)
    asyncio.set_event_loop(None)


def _worker_main(tasks: mp.Queue, results: mp.Queue, fresh: bool) -> None:
    _forget_inherited_event_loops()
    pool = KernelPool(fresh=fresh)
    try:
        while True:
            la_code = tasks.get()
            if la_code is None:
                break
            results.put(("start", la_code, os.getpid()))
            assert _WORKER_CTX is not None
            results.put(("done", build_one(_WORKER_CTX, la_code, pool), os.getpid()))
    finally:
        pool.close()


def run_jobs(
    ctx: RunContext,
    la_codes: Sequence[str],
    on_done: Callable[[LAResult], None] | None = None,
) -> list[LAResult]:
    """Build the LAs, in ``ctx.options.jobs`` forked workers when more than one.

    A worker that dies (killed, out of memory) fails only the LA it was
    building; a replacement worker carries on with the rest.
    """
    global _WORKER_CTX
    jobs = max(1, min(ctx.options.jobs, len(la_codes)))
    results: list[LAResult] = []
    if jobs == 1:
        pool = KernelPool(fresh=ctx.options.fresh_kernels)
        try:
            for code in la_codes:
                res = build_one(ctx, code, pool)
                results.append(res)
                if on_done:
                    on_done(res)
        finally:
            pool.close()
        return results

    _WORKER_CTX = ctx
    mp_ctx = mp.get_context("fork")
    tasks: mp.Queue = mp_ctx.Queue()
    done: mp.Queue = mp_ctx.Queue()
    for code in la_codes:
        tasks.put(code)

    def spawn() -> mp.Process:
        proc = mp_ctx.Process(
            target=_worker_main, args=(tasks, done, ctx.options.fresh_kernels), daemon=False
        )
        proc.start()
        return proc

    workers = {p.pid: p for p in (spawn() for _ in range(jobs))}
    current: dict[int, str] = {}
    remaining = set(la_codes)
    try:
        while remaining:
            try:
                kind, payload, pid = done.get(timeout=1.0)
            except queue.Empty:
                for pid, proc in list(workers.items()):
                    if not proc.is_alive():
                        workers.pop(pid)
                        code = current.pop(pid, None)
                        if code and code in remaining:
                            remaining.discard(code)
                            res = LAResult(
                                code,
                                False,
                                0.0,
                                failure=BuildFailure(
                                    code,
                                    "worker",
                                    f"the worker process died (exit code {proc.exitcode})",
                                ),
                            )
                            results.append(res)
                            if on_done:
                                on_done(res)
                        if remaining:
                            new = spawn()
                            workers[new.pid] = new
                continue
            if kind == "start":
                current[pid] = payload
            else:
                current.pop(pid, None)
                remaining.discard(payload.la_code)
                results.append(payload)
                if on_done:
                    on_done(payload)
    finally:
        for _ in workers:
            tasks.put(None)
        for proc in workers.values():
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
        _WORKER_CTX = None
    order = {c: i for i, c in enumerate(la_codes)}
    return sorted(results, key=lambda r: order[r.la_code])


def build_reports(
    options: BuildOptions,
    on_start: Callable[[RunContext, list[str]], None] | None = None,
    on_done: Callable[[LAResult], None] | None = None,
) -> BuildSummary:
    """Validate, compute and build every requested LA's report.

    Parameters
    ----------
    options : BuildOptions
    on_start : callable, optional
        Called with the run context and LA list once inputs are valid.
    on_done : callable, optional
        Called with each LA's result as it finishes (progress bars).

    Returns
    -------
    BuildSummary

    Raises
    ------
    InputError
        Invalid inputs (nothing written).
    """
    started = time.perf_counter()
    ctx = prepare(options)
    prepared = time.perf_counter() - started
    la_codes = list(options.la_codes) or sorted(ctx.dataset.la_lookup["la_code"].astype(str))
    # Untrusted codes never become paths unless they pass validation.
    bad = [c for c in la_codes if not check_la_code(c)]
    if bad:
        raise InputError(
            [
                Problem(
                    "la_lookup",
                    "LA codes that cannot be used as folder names",
                    column="la_code",
                    values=tuple(bad[:5]),
                )
            ]
        )
    year_dir = options.out_dir / str(ctx.year)
    restored = recover_interrupted(year_dir)
    if restored:
        log.warning("restored %d report(s) left aside by an interrupted run", len(restored))
    if on_start:
        on_start(ctx, la_codes)
    results = run_jobs(ctx, la_codes, on_done)
    shutil.rmtree(year_dir / STAGING, ignore_errors=True)
    return BuildSummary(
        year=ctx.year,
        built=[r.la_code for r in results if r.ok],
        failed=[r.failure for r in results if not r.ok and r.failure],
        skipped=[],
        seconds=time.perf_counter() - started,
        out_dir=year_dir,
        timings={"prepare": prepared},
    )


def resolved_configuration(options: BuildOptions) -> dict[str, Any]:
    """The resolved options as plain data, for the start-of-run log."""
    data = asdict(options)
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()} | {
        "python": sys.version.split()[0],
        "package_version": __version__,
    }
