"""Build reports: validate once, compute once, then one thin job per LA.

Flow (ARCHITECTURE.md): load and validate every input (nothing is written if
anything is wrong; :mod:`.prepare`) -> one vectorised pass of estimates over
all LAs -> for each LA, in a worker (:mod:`.executors`): fact bundle ->
papermill notebook -> HTML/PDF -> tables -> manifest (:mod:`.job`), all in a
staging folder that replaces the previous report only when complete
(:mod:`.publish`). One LA failing never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs import check_la_code
from civicpulse_report.pipeline.executors import OnDone, run_jobs
from civicpulse_report.pipeline.options import BuildOptions, BuildSummary
from civicpulse_report.pipeline.prepare import RunContext, prepare
from civicpulse_report.pipeline.publish import recover_interrupted, remove_staging

log = logging.getLogger(__name__)


def _check_folder_names(la_codes: list[str]) -> None:
    """Untrusted codes never become paths unless they pass validation."""
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


def build_reports(
    options: BuildOptions,
    on_start: Callable[[RunContext, list[str]], None] | None = None,
    on_done: OnDone | None = None,
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
    _check_folder_names(la_codes)
    year_dir = options.out_dir / str(ctx.year)
    restored = recover_interrupted(year_dir)
    if restored:
        log.warning("restored %d report(s) left aside by an interrupted run", len(restored))
    if on_start:
        on_start(ctx, la_codes)
    results = run_jobs(ctx, la_codes, on_done)
    remove_staging(year_dir)
    return BuildSummary(
        year=ctx.year,
        built=[r.la_code for r in results if r.ok],
        failed=[r.failure for r in results if not r.ok and r.failure],
        skipped=[],
        seconds=time.perf_counter() - started,
        out_dir=year_dir,
        timings={"prepare": prepared},
    )
