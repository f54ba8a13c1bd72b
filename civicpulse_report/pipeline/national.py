"""The national draft's job: ``reports/<year>/national/`` built like an LA report.

:func:`write_national` is the work: the national fact bundle (with the
authors' ``national.md``, if any) written to ``build/<year>/facts/national.json``
-> ``analysis/national_report.ipynb`` executed with papermill -> the formats
asked for (others kept from the previous build) -> ``tables.csv``/``.xlsx``
-> the benchmark release (``benchmarks.csv``/``.parquet``) -> manifest.
:func:`build_national` stages and publishes it like an LA report and never
raises, so a failing national draft is reported and never stops the LAs.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import yaml

from civicpulse_report.pipeline.notebook import KernelPool
from civicpulse_report.pipeline.options import NATIONAL, LAResult
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
    build_national_facts,
    national_facts_to_table,
    write_facts,
    write_tables,
)
from civicpulse_report.statistics import benchmark_table, write_benchmarks

log = logging.getLogger(__name__)


def national_parameters(year: int, facts_path: Path) -> dict[str, Any]:
    """The parameters the national notebook receives (its ``parameters`` cell contract)."""
    return {"year": int(year), "facts_path": str(facts_path)}


def national_front_matter(bundle: dict[str, Any], ctx: RunContext) -> str:
    """Quarto-style YAML front matter for the executed national notebook.

    The title and author line are the bundle's (from the branding); the
    ``branding`` mapping goes in for both renderers and every format to read.
    """
    meta = bundle.get("meta") or {}
    brand = ctx.settings.branding
    data = {
        "title": meta.get("title") or brand.national_title_for(ctx.year),
        "subtitle": meta.get("subtitle") or f"National publication draft {ctx.year}",
        "author": meta.get("author") or brand.national_author,
        "year": ctx.year,
        "date": report_date(),
        "synthetic": bool(meta.get("synthetic", ctx.synthetic)),
        "organisation": brand.organisation,
        "brand_colour": brand.colour,
        "footer": brand.footer,
        "branding": ctx.settings.brand_metadata(),
    }
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n"


def _national_facts(ctx: RunContext) -> dict[str, Any]:
    return build_national_facts(
        ctx.dataset,
        ctx.estimates,
        ctx.measures,
        ctx.settings,
        ctx.interventions,
        year=ctx.year,
        narrative=ctx.narratives.get(NATIONAL),
        synthetic=ctx.synthetic,
    )


def _write_benchmarks(ctx: RunContext, staging: Path) -> list[str]:
    """The open-data release of every LA-level and higher estimate; the files written.

    A cell withheld by suppression keeps its row, numbers blank, with
    ``suppression`` primary or secondary, so that a council benchmarking
    against the release can tell "suppressed" from "not surveyed".
    """
    table = benchmark_table(ctx.estimates, ctx.dataset, ctx.settings, flag_suppressed=True)
    return sorted(Path(p).name for p in write_benchmarks(table, staging))


def write_national(
    ctx: RunContext, staging: Path, pool: KernelPool | None, progress: JobProgress
) -> dict[str, dict[str, Any]]:
    """Write the national draft's files and manifest into an existing staging folder.

    Parameters
    ----------
    ctx : RunContext
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
    if pool is not None:
        # A kernel starts, and imports what the notebook does, while the bundle is built.
        pool.prestart(opts.national_notebook)
    progress.stage = "facts"
    t = time.perf_counter()
    bundle = _national_facts(ctx)
    facts_path = opts.build_dir / str(ctx.year) / "facts" / f"{NATIONAL}.json"
    write_facts(bundle, facts_path)
    progress.timings["facts"] = time.perf_counter() - t

    parameters = national_parameters(ctx.year, facts_path.resolve())
    executed = run_notebook(
        opts.national_notebook,
        staging,
        parameters,
        national_front_matter(bundle, ctx),
        pool,
        progress,
    )
    previous = opts.out_dir / str(ctx.year) / NATIONAL
    rendered = render_formats(ctx, executed, staging, previous, progress)

    progress.stage = "tables"
    table = national_facts_to_table(bundle)
    write_tables(table, staging)

    progress.stage = "benchmarks"
    t = time.perf_counter()
    benchmark_files = _write_benchmarks(ctx, staging)
    progress.timings["benchmarks"] = time.perf_counter() - t

    progress.stage = "manifest"
    outputs = output_digests(staging)
    manifest = common_manifest(ctx, rendered, progress) | {
        "report": NATIONAL,
        "parameters": parameters,
        "narrative": ctx.narrative_sources.get(NATIONAL),
        "benchmark_files": benchmark_files,
        "las_in_data": len(ctx.dataset.la_lookup),
        "outputs": outputs,
        "table_rows": len(table),
    }
    write_manifest(staging, manifest)
    return outputs


def build_national(ctx: RunContext, pool: KernelPool | None) -> LAResult:
    """Build the national draft into staging, then publish it. Never raises.

    Parameters
    ----------
    ctx : RunContext
    pool : KernelPool, optional
        The worker's warm kernel.

    Returns
    -------
    LAResult
        ``la_code`` is ``"national"``; the published files, or the failure
        and the stage it happened in.
    """
    return run_staged(
        ctx, NATIONAL, lambda staging, progress: write_national(ctx, staging, pool, progress)
    )
