"""The steps every report job shares, LA report or national draft alike.

A job builds into its staging folder: execute the notebook and give it its
front matter (:func:`run_notebook`), render the formats asked for and keep
the others from the previous build (:func:`render_formats`), then write the
manifest with the run's provenance (:func:`common_manifest`). :func:`run_staged`
wraps a job: it opens the staging folder, publishes it whole when the job is
done, and turns any failure into a :class:`~civicpulse_report.errors.BuildFailure`
naming the stage, leaving the previous report untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from civicpulse_report import __version__, render
from civicpulse_report.errors import BuildFailure
from civicpulse_report.pipeline.comparators import estimates_k_used
from civicpulse_report.pipeline.incremental import MANIFEST_KEY
from civicpulse_report.pipeline.lock import WRITE_ERRNOS
from civicpulse_report.pipeline.notebook import KernelPool, execute_report_notebook
from civicpulse_report.pipeline.options import NATIONAL, LAResult
from civicpulse_report.pipeline.prepare import RunContext
from civicpulse_report.pipeline.publish import (
    carry_over,
    discard_staging,
    drop_failed_notebook,
    keep_failed_notebook,
    open_staging,
    publish,
    read_manifest,
    staging_folder,
)

log = logging.getLogger(__name__)


def report_date() -> str:
    """The date a report shows (ISO): the day of ``SOURCE_DATE_EPOCH`` when it is set, else today.

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds convention
    (https://reproducible-builds.org/specs/source-date-epoch/): with it, the same
    inputs give the same report bytes on any day. A value that is not a whole
    number of seconds is ignored, with a warning.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            log.warning("SOURCE_DATE_EPOCH=%r is not a Unix time in seconds; using today", epoch)
    return dt.date.today().isoformat()


@dataclass
class JobProgress:
    """Where a job has got to: the stage it is in and the seconds each stage took."""

    started: float
    stage: str = "facts"
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """What the render step left in the staging folder."""

    renderer: str
    built: tuple[str, ...]
    carried_over: dict[str, dict[str, Any]]
    tool_versions: Mapping[str, str]


def run_notebook(
    notebook: Path,
    staging: Path,
    parameters: Mapping[str, Any],
    front_matter: str,
    pool: KernelPool | None,
    progress: JobProgress,
) -> Path:
    """Execute ``notebook`` into ``staging/report.ipynb`` and prepend its front matter.

    Raises
    ------
    ParameterError
        The parameters do not match the notebook's ``parameters`` cell.
    BuildError
        The notebook raised, or its kernel could not start.
    """
    progress.stage = "notebook"
    t = time.perf_counter()
    executed = staging / "report.ipynb"
    nb = execute_report_notebook(notebook, executed, parameters, pool=pool, cwd=staging)
    nb.cells.insert(0, nbformat.v4.new_raw_cell(front_matter))
    nbformat.write(nb, executed)
    progress.timings["notebook"] = time.perf_counter() - t
    return executed


def render_formats(
    ctx: RunContext, executed: Path, staging: Path, previous: Path, progress: JobProgress
) -> Rendered:
    """Render the formats asked for; keep the previous build's files of the others.

    Raises
    ------
    RenderError
        The renderer failed or a format is unknown.
    """
    progress.stage = "render"
    t = time.perf_counter()
    result = render.render_report(
        executed, staging, formats=ctx.options.formats, renderer=ctx.renderer
    )
    progress.timings.update({f"render_{k}": v for k, v in result.timings.items()})
    progress.timings["render"] = time.perf_counter() - t
    built = tuple(result.outputs)
    return Rendered(
        renderer=result.renderer,
        built=built,
        carried_over=carry_over(previous, staging, built),
        tool_versions=result.tool_versions,
    )


def common_manifest(
    ctx: RunContext,
    rendered: Rendered,
    progress: JobProgress,
    *,
    la_code: str | None = None,
) -> dict[str, Any]:
    """The manifest members every report shares: provenance, formats, waves, comparators."""
    progress.timings["total"] = time.perf_counter() - progress.started
    return {
        "year": ctx.year,
        MANIFEST_KEY: ctx.build_keys.get(la_code or NATIONAL),
        "synthetic": ctx.synthetic,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "git_commit": ctx.git_commit,
        "renderer": rendered.renderer,
        "formats": list(rendered.built),
        "carried_over": rendered.carried_over,
        "waves": [int(w) for w in ctx.estimates.waves],
        "neighbours_k_requested": ctx.settings.neighbours_k,
        "neighbours_k_used": estimates_k_used(ctx.estimates, la_code),
        "comparators": _comparator_names(ctx, la_code),
        "benchmark_release": ctx.estimates.benchmark_release,
        "inputs": ctx.input_hashes,
        "settings": ctx.settings.as_dict(),
        "tool_versions": {**ctx.tool_versions, **dict(rendered.tool_versions)},
        "timings_seconds": {k: round(v, 3) for k, v in progress.timings.items()},
    }


def _comparator_names(ctx: RunContext, la_code: str | None) -> dict[str, str]:
    """What the report calls each comparator: the LA's own scopes, else the run's."""
    scopes = ctx.estimates.la_scopes.get(la_code) if la_code else None
    if scopes:
        return {level: scope.name for level, scope in scopes.items()}
    return dict(ctx.comparator_scopes)


Job = Callable[[Path, JobProgress], dict[str, dict[str, Any]]]


def run_staged(ctx: RunContext, name: str, job: Job) -> LAResult:
    """Run ``job`` in a fresh staging folder, then publish it as ``<year>/<name>``. Never raises.

    Parameters
    ----------
    ctx : RunContext
    name : str
        The folder published: an LA code, or ``national``.
    job : callable
        ``job(staging, progress)`` writes every file into ``staging`` and
        returns the output digests, by file name.

    Returns
    -------
    LAResult
        The published files (and those kept from the previous build), or the
        failure and the stage it happened in.
    """
    progress = JobProgress(started=time.perf_counter())
    year_dir = ctx.options.out_dir / str(ctx.year)
    staging = staging_folder(year_dir, name)
    try:
        open_staging(staging)
        outputs = job(staging, progress)
        progress.stage = "publish"
        kept = (read_manifest(staging) or {}).get("carried_over") or {}
        publish(staging, year_dir / name)
        return LAResult(
            name,
            True,
            time.perf_counter() - progress.started,
            {k: str(year_dir / name / k) for k in outputs},
            carried_over=tuple(sorted(kept)),
        )
    except Exception as exc:  # one report failing must never stop the others
        kept_notebook = None
        if progress.stage == "notebook":
            kept_notebook = keep_failed_notebook(staging, year_dir, name)
        else:
            drop_failed_notebook(year_dir, name)  # it would describe an older failure
        discard_staging(staging)
        details = traceback.format_exception(exc)[-6:]
        log.debug("%s failed at %s:\n%s", name, progress.stage, "".join(details))
        message = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
            message = (
                f"cannot write to {year_dir / name} ({exc.filename or staging}): "
                f"{exc.strerror or exc}; the previous report is unchanged"
            )
        if kept_notebook is not None:
            message += f" (the partly run notebook, with its traceback, is kept at {kept_notebook})"
        return LAResult(
            name,
            False,
            time.perf_counter() - progress.started,
            failure=BuildFailure(name, progress.stage, message, details),
        )
