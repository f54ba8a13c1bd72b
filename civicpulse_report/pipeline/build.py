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

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from civicpulse_report.errors import BuildFailure
from civicpulse_report.pipeline.executors import OnDone, run_jobs
from civicpulse_report.pipeline.options import NATIONAL, BuildOptions, BuildSummary, LAResult
from civicpulse_report.pipeline.prepare import Prechecked, RunContext, precheck, prepare
from civicpulse_report.pipeline.publish import recover_interrupted, remove_staging
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
    """
    started = time.perf_counter()
    ctx = prepare(options, checked or precheck(options))
    prepared = time.perf_counter() - started
    year_dir = options.out_dir / str(ctx.year)
    restored = recover_interrupted(year_dir)
    if restored:
        log.warning("restored %d report(s) left aside by an interrupted run", len(restored))
    # The national draft goes first: it is the longest job and overlaps the LAs.
    tasks = ([NATIONAL] if ctx.national else []) + list(ctx.la_codes)
    if on_start:
        on_start(ctx, tasks)
    results = run_jobs(ctx, tasks, on_done) if tasks else []
    remove_staging(year_dir)
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
    )
