"""One LA's job: from the LA's inputs to a complete report in its staging folder.

:func:`write_report` is the work itself: fact bundle (with the council's own
narrative, if any) -> papermill notebook (with its front matter) -> the
formats asked for (the others kept from the previous build) -> tables ->
manifest (with the index entry the index of reports reads), every file
written into one staging folder. :func:`build_one` wraps it for the
executors: it stages, publishes, and never raises; a failure is recorded
with the stage it happened in, and the previous report is left untouched.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import Any

import yaml

from civicpulse_report.pipeline.contract import notebook_parameters
from civicpulse_report.pipeline.notebook import KernelPool
from civicpulse_report.pipeline.options import LAResult
from civicpulse_report.pipeline.prepare import RunContext
from civicpulse_report.pipeline.publish import output_digests, write_manifest
from civicpulse_report.pipeline.stages import (
    JobProgress,
    common_manifest,
    render_formats,
    report_date,
    run_notebook,
    run_staged,
)
from civicpulse_report.report import (
    build_facts,
    facts_to_table,
    fill_captions,
    index_entry_from_facts,
    write_facts,
    write_tables,
)
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import EstimateSet

log = logging.getLogger(__name__)


def front_matter_yaml(bundle: dict[str, Any], settings: Settings | None = None) -> str:
    """Quarto-style YAML front matter for the executed notebook's first raw cell.

    With ``settings``, the title follows the branding's ``la_report_title`` and
    the ``branding`` mapping (name, colours, logo, contact) goes in, for both
    renderers and every format to read.
    """
    meta = bundle["meta"]
    brand = meta["branding"]
    title = f"Civic Pulse: {meta['la_name']}"
    if settings is not None:
        title = settings.branding.la_title(meta["la_name"], meta["la_code"], meta["year"])
    data = {
        "title": title,
        "subtitle": f"Active citizenship report {meta['year']}",
        "la_name": meta["la_name"],
        "la_code": meta["la_code"],
        "year": meta["year"],
        "date": report_date(),
        "synthetic": bool(meta["synthetic"]),
        "organisation": brand["organisation"],
        "brand_colour": brand["colour"],
        "footer": brand["footer"],
    }
    if settings is not None:
        data["branding"] = settings.brand_metadata()
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n"


def _la_estimates(ctx: RunContext, la_code: str) -> EstimateSet:
    """The run's estimates, cut down to the rows this LA's bundle reads."""
    return dataclasses.replace(ctx.estimates, estimates=ctx.by_la[la_code])


def _facts(ctx: RunContext, la_code: str) -> dict[str, Any]:
    """The LA's fact bundle; its authors' narrative goes in when there is one."""
    return build_facts(
        _la_estimates(ctx, la_code),
        ctx.dataset,
        ctx.measures,
        ctx.settings,
        ctx.interventions,
        la_code,
        ctx.year,
        synthetic=ctx.synthetic,
        narrative=ctx.narratives.get(la_code),
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
    year_dir = opts.out_dir / str(ctx.year)
    if pool is not None:
        # A kernel starts, and imports what the notebook does, while the bundle is built.
        pool.prestart(opts.notebook)
    progress.stage = "facts"
    t = time.perf_counter()
    bundle = _facts(ctx, la_code)
    facts_path = opts.build_dir / str(ctx.year) / "facts" / f"{la_code}.json"
    write_facts(bundle, facts_path)
    progress.timings["facts"] = time.perf_counter() - t

    parameters = notebook_parameters(la_code, ctx.year, facts_path.resolve())
    executed = run_notebook(
        opts.notebook,
        staging,
        parameters,
        front_matter_yaml(bundle, ctx.settings),
        pool,
        progress,
    )
    # Cell options are fixed text: name the comparators in captions now that it has run.
    fill_captions(executed, bundle["meta"])
    rendered = render_formats(ctx, executed, staging, year_dir / la_code, progress)

    progress.stage = "tables"
    table = facts_to_table(bundle)
    write_tables(table, staging)

    progress.stage = "manifest"
    outputs = output_digests(staging)
    manifest = common_manifest(ctx, rendered, progress, la_code=la_code) | {
        "la_code": la_code,
        "la_name": bundle["meta"]["la_name"],
        "parameters": parameters,
        "narrative": ctx.narrative_sources.get(la_code),
        "outputs": outputs,
        "table_rows": len(table),
        "index_entry": index_entry_from_facts(bundle),
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
    return run_staged(
        ctx, la_code, lambda staging, progress: write_report(ctx, la_code, staging, pool, progress)
    )
