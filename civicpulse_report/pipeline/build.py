"""Build reports: check once, compute once, then one thin job per LA and the national draft.

Flow (ARCHITECTURE.md): every pre-work check (nothing is written if anything
is wrong; :mod:`.prepare`) -> one vectorised pass of estimates over all LAs
-> for each LA, and for the national draft, in a worker (:mod:`.executors`):
fact bundle -> papermill notebook -> HTML/PDF/DOCX -> tables -> manifest
(:mod:`.job`, :mod:`.national`), all in a staging folder that replaces the
previous report only when complete (:mod:`.publish`). One report failing
never stops the others. Last, the failures are recorded and the index of
reports (``<out>/<year>/index.html``) is rewritten from what is on disk.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from civicpulse_report import render
from civicpulse_report.errors import BuildFailure, RenderError
from civicpulse_report.pipeline.executors import OnDone, run_jobs
from civicpulse_report.pipeline.incremental import (
    CachedPlan,
    load_plan,
    run_inputs,
    save_plan,
    stale_tasks,
    task_keys,
)
from civicpulse_report.pipeline.lock import build_lock, reported_write_errors
from civicpulse_report.pipeline.options import NATIONAL, BuildOptions, BuildSummary, LAResult
from civicpulse_report.pipeline.prepare import Prechecked, RunContext, precheck, prepare
from civicpulse_report.pipeline.publish import recover_interrupted
from civicpulse_report.report import (
    clear_failure,
    collect_index_entries,
    failure_reasons,
    record_failure,
    write_index,
)

log = logging.getLogger(__name__)


def _lookup_text(ctx: RunContext, la_code: str, column: str) -> str | None:
    lookup = ctx.dataset.la_lookup
    if column not in lookup.columns:
        return None
    rows = lookup.loc[lookup["la_code"].astype(str) == la_code, column]
    return None if rows.empty else str(rows.iloc[0])


def update_index(ctx: RunContext, year_dir: Path, results: Sequence[LAResult]) -> Path:
    """Record this run's failures, clear the rebuilt LAs' ones, and rewrite the index.

    Parameters
    ----------
    ctx : RunContext
    year_dir : Path
        ``<out>/<year>``.
    results : sequence of LAResult
        This run's LA results (the national draft aside).

    Returns
    -------
    Path
        ``<year_dir>/index.html``, listing every LA with a report on disk for
        the year (built by this run or earlier) and every failed LA with the
        reason.

    Raises
    ------
    OSError
        The index or a failure record could not be written.
    """
    failures = [r.failure for r in results if not r.ok and r.failure is not None]
    reasons = failure_reasons(failures)
    for failure in failures:
        record_failure(
            year_dir,
            failure.la_code,
            reasons[failure.la_code],
            la_name=_lookup_text(ctx, failure.la_code, "la_name"),
            region=_lookup_text(ctx, failure.la_code, "region"),
            la_type=_lookup_text(ctx, failure.la_code, "la_type"),
            synthetic=ctx.synthetic,
        )
    for result in results:
        if result.ok:
            clear_failure(year_dir, result.la_code)
    return write_index(
        year_dir,
        collect_index_entries(year_dir, reasons),
        year=ctx.year,
        synthetic=ctx.synthetic,
        organisation=ctx.settings.branding.organisation,
    )


def up_to_date(options: BuildOptions) -> BuildSummary | None:
    """The summary of a run with nothing to do, found from file bytes alone; else None.

    When the last run with the same request passed its pre-work checks on the
    same inputs (its plan is cached) and every report it planned is on disk
    with a matching build key in the formats asked for, nothing is loaded,
    validated, estimated or written. Any doubt (no plan, a stale or missing
    report, no index, ``--force``) returns None and the full build runs.
    """
    if options.force:
        return None
    started = time.perf_counter()
    try:
        inputs = run_inputs(options, render.resolve_renderer(options.renderer))
    except (OSError, RenderError):
        return None
    plan = load_plan(options, inputs)
    if plan is None:
        return None
    year_dir = options.out_dir / str(plan.year)
    keys = task_keys(inputs, plan.tasks)
    if stale_tasks(year_dir, keys, options.formats) or not (year_dir / "index.html").is_file():
        return None
    return BuildSummary(
        year=plan.year,
        built=[],
        failed=[],
        skipped=list(plan.skipped),
        seconds=time.perf_counter() - started,
        out_dir=year_dir,
        index_path=year_dir / "index.html",
        notes=list(plan.notes),
        up_to_date=list(plan.tasks),
    )


def _plan(checked: Prechecked) -> CachedPlan:
    return CachedPlan(
        year=checked.year,
        tasks=_tasks(checked.la_codes, checked.national),
        skipped=checked.skipped,
        notes=checked.notes,
    )


def _tasks(la_codes: Sequence[str], national: bool) -> tuple[str, ...]:
    # The national draft goes first: it is the longest job and overlaps the LAs.
    return ((NATIONAL,) if national else ()) + tuple(la_codes)


def build_reports(
    options: BuildOptions,
    on_start: Callable[[RunContext, list[str]], None] | None = None,
    on_done: OnDone | None = None,
    *,
    checked: Prechecked | None = None,
) -> BuildSummary:
    """Check, compute and build every requested LA's report, and the national draft.

    Parameters
    ----------
    options : BuildOptions
    on_start : callable, optional
        Called once the inputs are checked and the estimates computed, with
        the run context and the tasks: the LA codes, after ``"national"``
        when the national draft is built.
    on_done : callable, optional
        Called with each task's result as it finishes (progress bars).
    checked : Prechecked, optional
        :func:`~civicpulse_report.pipeline.prepare.precheck` of these
        options, when the caller ran it already (to show its notes first).

    Returns
    -------
    BuildSummary

    Raises
    ------
    InputError
        Invalid inputs or an impossible request (nothing written).
    ParameterError
        The LA notebook's parameters cell breaks the contract (nothing written).
    RenderError
        The renderer asked for is not available (nothing written).
    BuildLockedError
        Another build holds ``<out>/<year>/.lock`` (nothing written; exit code 2).
    OutputWriteError
        The output folder cannot be written (disk full, read-only); the
        reports already published are unchanged.
    """
    started = time.perf_counter()
    checked = checked or precheck(options)
    year_dir = options.out_dir / str(checked.year)
    with build_lock(year_dir), reported_write_errors(year_dir):
        return _build_locked(options, on_start, on_done, checked, year_dir, started)


def _build_locked(
    options: BuildOptions,
    on_start: Callable[[RunContext, list[str]], None] | None,
    on_done: OnDone | None,
    checked: Prechecked,
    year_dir: Path,
    started: float,
) -> BuildSummary:
    """The build itself, under the output folder's lock (:func:`build_reports`)."""
    restored = recover_interrupted(year_dir)
    if restored:
        log.warning("restored %d report(s) left aside by an interrupted run", len(restored))
    inputs = run_inputs(options, checked.renderer)
    keys = task_keys(inputs, _tasks(checked.la_codes, checked.national))
    tasks = stale_tasks(year_dir, keys, options.formats, force=options.force)
    current = [t for t in keys if t not in tasks]
    if not tasks and (year_dir / "index.html").is_file():
        save_plan(options, inputs, _plan(checked))
        return BuildSummary(
            year=checked.year,
            built=[],
            failed=[],
            skipped=list(checked.skipped),
            seconds=time.perf_counter() - started,
            out_dir=year_dir,
            index_path=year_dir / "index.html",
            notes=list(checked.notes),
            up_to_date=current,
        )
    ctx = dataclasses.replace(prepare(options, checked), build_keys=keys)
    prepared = time.perf_counter() - started
    if on_start:
        on_start(ctx, tasks)
    results = run_jobs(ctx, tasks, on_done) if tasks else []
    recover_interrupted(year_dir)  # a worker killed mid-publish: its previous report back
    save_plan(options, inputs, _plan(checked))
    la_results = [r for r in results if r.la_code != NATIONAL]
    national = next((r for r in results if r.la_code == NATIONAL), None)
    index_path, index_failure = None, None
    try:
        index_path = update_index(ctx, year_dir, la_results)
    except Exception as exc:  # the reports are published; say the index is not
        log.debug("index of reports failed", exc_info=True)
        index_failure = BuildFailure("index", "index", f"{type(exc).__name__}: {exc}")
    return BuildSummary(
        year=ctx.year,
        built=[r.la_code for r in la_results if r.ok],
        failed=[r.failure for r in la_results if not r.ok and r.failure],
        skipped=list(ctx.skipped),
        seconds=time.perf_counter() - started,
        out_dir=year_dir,
        timings={"prepare": prepared},
        national=national,
        index_path=index_path,
        index_failure=index_failure,
        notes=list(ctx.notes),
        results=la_results,
        up_to_date=current,
    )
