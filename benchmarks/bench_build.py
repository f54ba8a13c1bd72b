"""Benchmark the build, each optimisation against its baseline in the same run.

Usage::

    .venv/bin/python benchmarks/bench_build.py [--data data/demo] [--las 4] [--out FILE]

Measures, on the same machine and data, in one run:

1. loading and validating the inputs;
2. the all-LA estimates: one ``summarise_groupings`` pass (products formed once,
   sparse group sums) against the baseline of one ``summarise_groups`` call per
   level, checking both give the same numbers;
3. per-LA notebook execution with a warm kernel (reused by a worker) against
   the baseline of a fresh kernel per LA;
4. rendering one executed notebook to HTML and to PDF.

Prints a table and writes the timings as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civicpulse_report.inputs import load_dataset  # noqa: E402
from civicpulse_report.insight import load_interventions  # noqa: E402
from civicpulse_report.measures import load_measures  # noqa: E402
from civicpulse_report.paths import LA_REPORT_NOTEBOOK  # noqa: E402
from civicpulse_report.pipeline import (  # noqa: E402
    KernelPool,
    execute_report_notebook,
    front_matter_yaml,
    notebook_parameters,
)
from civicpulse_report.render import render_report  # noqa: E402
from civicpulse_report.report import build_facts, write_facts  # noqa: E402
from civicpulse_report.settings import load_settings  # noqa: E402
from civicpulse_report.statistics import (  # noqa: E402
    compute_estimates,
    indicator_types,
    respondent_values,
    summarise_groupings,
    summarise_groups,
)


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--las", type=int, default=4, help="LAs per notebook variant")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "benchmark.json")
    args = parser.parse_args()
    if not (args.data / "la_lookup.csv").exists():
        print(f"No data in {args.data}: run `make demo-data` first.", file=sys.stderr)
        return 2

    results: dict[str, float | int | str] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    measures = load_measures()
    settings = load_settings()
    dataset, results["load_validate_s"] = timed(load_dataset, args.data, measures)
    results["respondents"] = len(dataset.survey)
    results["las"] = len(dataset.la_lookup)

    values, _ = respondent_values(dataset, measures)
    types = indicator_types(measures)
    groupings = [
        ["wave"],
        ["wave", "region"],
        ["wave", "la_type"],
        ["wave", "la_code"],
        ["wave", "la_code", "neighbourhood_code"],
    ]
    for b in settings.breakdowns:
        groupings += [["wave", b], ["wave", "la_code", b]]
    one_pass, results["estimates_one_pass_s"] = timed(
        summarise_groupings, values, groupings, list(types), types
    )
    start = time.perf_counter()
    per_level = [summarise_groups(values, g, list(types), types) for g in groupings]
    results["estimates_per_level_baseline_s"] = time.perf_counter() - start
    for a, b in zip(one_pass, per_level, strict=True):
        np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-9)
    results["estimates_speedup"] = round(
        results["estimates_per_level_baseline_s"] / results["estimates_one_pass_s"], 2
    )

    est, results["compute_estimates_total_s"] = timed(
        compute_estimates, dataset, measures, settings
    )
    interventions = load_interventions(measures=measures)
    codes = sorted(dataset.la_lookup["la_code"])[: args.las * 2]
    year = est.latest_wave
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        bundles = {}
        for code in codes:
            bundle, t = timed(
                build_facts,
                est,
                dataset,
                measures,
                settings,
                interventions,
                code,
                year,
                synthetic=True,
            )
            bundles[code] = bundle
            path = tmp_path / f"{code}.json"
            write_facts(bundle, path)
        results["facts_per_la_full_frame_s"] = t

        def run(codes_subset, pool):  # type: ignore[no-untyped-def]
            times = []
            for code in codes_subset:
                out = tmp_path / f"{code}.ipynb"
                _, t = timed(
                    execute_report_notebook,
                    LA_REPORT_NOTEBOOK,
                    out,
                    notebook_parameters(code, year, tmp_path / f"{code}.json"),
                    pool=pool,
                )
                times.append(t)
            return times

        warm_pool = KernelPool()
        try:
            warm = run(codes[: args.las], warm_pool)
        finally:
            warm_pool.close()
        fresh = run(codes[args.las :], None)
        results["notebook_warm_first_s"] = round(warm[0], 3)
        results["notebook_warm_median_after_first_s"] = round(
            statistics.median(warm[1:] or warm), 3
        )
        results["notebook_fresh_median_s"] = round(statistics.median(fresh), 3)

        import nbformat

        code = codes[0]
        nb_path = tmp_path / f"{code}.ipynb"
        nb = nbformat.read(nb_path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_raw_cell(front_matter_yaml(bundles[code], settings)))
        nbformat.write(nb, nb_path)
        result, results["render_total_s"] = timed(
            render_report, nb_path, tmp_path / "out", ("html", "pdf"), "builtin"
        )
        results["render_html_s"] = round(result.timings.get("html", float("nan")), 3)
        results["render_pdf_s"] = round(result.timings.get("pdf", float("nan")), 3)

    # Per LA: notebook (warm) + render + fact bundle (measured on the full frame,
    # an upper bound: builds use a per-LA slice) + about 0.3 s for tables and manifest.
    per_la = (
        results["notebook_warm_median_after_first_s"]
        + results["render_total_s"]
        + results["facts_per_la_full_frame_s"]
        + 0.3
    )
    results["projected_national_two_workers_s"] = round(
        results["load_validate_s"]
        + results["compute_estimates_total_s"]
        + results["las"] * per_la / 2,
        1,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    width = max(len(k) for k in results)
    for key, value in results.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
