"""One LA's job: from the LA's inputs to a complete report in its staging folder.

:func:`write_report` is the work itself: fact bundle -> papermill notebook
(with its front matter) -> HTML/PDF -> tables -> manifest, every file
written into one staging folder. :func:`build_one` wraps it for the
executors: it stages, publishes, and never raises; a failure is recorded
with the stage it happened in, and the previous report is left untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from civicpulse_report import __version__, render
from civicpulse_report.errors import BuildFailure
from civicpulse_report.pipeline.notebook import (
    KernelPool,
    execute_report_notebook,
    notebook_parameters,
)
from civicpulse_report.pipeline.options import LAResult
from civicpulse_report.pipeline.prepare import RunContext
from civicpulse_report.pipeline.publish import (
    discard_staging,
    open_staging,
    output_digests,
    publish,
    staging_folder,
    write_manifest,
)
from civicpulse_report.report import build_facts, facts_to_table, write_facts, write_tables
from civicpulse_report.statistics import EstimateSet

log = logging.getLogger(__name__)


@dataclass
class JobProgress:
    """Where a job has got to: the stage it is in and the seconds each stage took."""

    started: float
    stage: str = "facts"
    timings: dict[str, float] = field(default_factory=dict)


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


def _la_estimates(ctx: RunContext, la_code: str) -> EstimateSet:
    """The run's estimates, cut down to the rows this LA's bundle reads."""
    return EstimateSet(
        estimates=ctx.by_la[la_code],
        neighbours=ctx.estimates.neighbours,
        alpha=ctx.estimates.alpha,
        spine=ctx.estimates.spine,
        reference=ctx.estimates.reference,
        waves=ctx.estimates.waves,
    )


def write_report(
    ctx: RunContext,
    la_code: str,
    staging: Path,
    pool: KernelPool | None,
    progress: JobProgress,
) -> dict[str, dict[str, Any]]:
    """Write one LA's report files and manifest into an existing staging folder.

    Parameters
    ----------
    ctx : RunContext
    la_code : str
    staging : Path
        An empty folder; it holds every output when this returns.
    pool : KernelPool, optional
        A warm kernel to execute the notebook in.
    progress : JobProgress
        Updated as the job goes, so a failure can name its stage.

    Returns
    -------
    dict
        Size and SHA-256 of each output (``manifest.json`` aside), by file name.

    Raises
    ------
    Exception
        Whatever a stage raised; ``progress.stage`` names it.
    """
    opts = ctx.options
    timings = progress.timings
    t = time.perf_counter()
    bundle = build_facts(
        _la_estimates(ctx, la_code),
        ctx.dataset,
        ctx.measures,
        ctx.settings,
        ctx.interventions,
        la_code,
        ctx.year,
        synthetic=ctx.synthetic,
    )
    facts_path = opts.build_dir / str(ctx.year) / "facts" / f"{la_code}.json"
    write_facts(bundle, facts_path)
    timings["facts"] = time.perf_counter() - t

    progress.stage = "notebook"
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

    progress.stage = "render"
    t = time.perf_counter()
    result = render.render_report(executed, staging, formats=opts.formats, renderer=ctx.renderer)
    timings.update({f"render_{k}": v for k, v in result.timings.items()})
    timings["render"] = time.perf_counter() - t

    progress.stage = "tables"
    table = facts_to_table(bundle)
    write_tables(table, staging)

    progress.stage = "manifest"
    outputs = output_digests(staging)
    timings["total"] = time.perf_counter() - progress.started
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
    write_manifest(staging, manifest)
    return outputs


def build_one(ctx: RunContext, la_code: str, pool: KernelPool | None) -> LAResult:
    """Build one LA's report into staging, then publish it. Never raises.

    Parameters
    ----------
    ctx : RunContext
    la_code : str
    pool : KernelPool, optional
        The worker's warm kernel.

    Returns
    -------
    LAResult
        The published files, or the failure and the stage it happened in.
    """
    progress = JobProgress(started=time.perf_counter())
    year_dir = ctx.options.out_dir / str(ctx.year)
    staging = staging_folder(year_dir, la_code)
    try:
        open_staging(staging)
        outputs = write_report(ctx, la_code, staging, pool, progress)
        progress.stage = "publish"
        publish(staging, year_dir / la_code)
        return LAResult(
            la_code,
            True,
            time.perf_counter() - progress.started,
            {k: str(year_dir / la_code / k) for k in outputs},
        )
    except Exception as exc:  # one LA failing must never stop the others
        discard_staging(staging)
        details = traceback.format_exception(exc)[-6:]
        log.debug("LA %s failed at %s:\n%s", la_code, progress.stage, "".join(details))
        return LAResult(
            la_code,
            False,
            time.perf_counter() - progress.started,
            failure=BuildFailure(la_code, progress.stage, f"{type(exc).__name__}: {exc}", details),
        )
