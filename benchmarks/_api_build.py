"""Run one build through the Python API, as ``civicpulse-report build`` does, and time its stages.

Used by ``bench_build.py`` for the runs the CLI cannot express (a notebook
other than ``analysis/la_report.ipynb``) and for the runs whose split between
stages the benchmark reports. It calls exactly what the CLI's build command
calls: :func:`up_to_date` (the no-change fast path), then :func:`precheck`
and :func:`build_reports`.

Usage::

    python benchmarks/_api_build.py SPEC.json RESULT.json

``SPEC.json`` holds :class:`BuildOptions` fields (paths as strings, tuples as
lists). ``RESULT.json`` receives the summary and the timings: ``precheck_s``
(load and validate), ``prepare_s`` (build keys, estimates or their cache, the
run context), ``jobs_s`` (first task started to last task done, in the
workers), ``finish_s`` (staging clean-up, the plan and the index) and
``seconds`` (all of it, from before the no-change check; interpreter start-up
and imports are not in it: the benchmark times those from outside).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from civicpulse_report.pipeline import BuildOptions, build_reports, precheck, up_to_date

_PATHS = {
    "data_dir",
    "out_dir",
    "build_dir",
    "notebook",
    "national_notebook",
    "measures_path",
    "settings_path",
    "interventions_path",
    "benchmarks_path",
    "narrative_dir",
}
_TUPLES = {"la_codes", "formats"}


def options_from(spec: dict) -> BuildOptions:
    """BuildOptions from plain JSON data."""
    fields = {}
    for name, value in spec.items():
        if name in _PATHS and value is not None:
            value = Path(value)
        elif name in _TUPLES:
            value = tuple(value)
        fields[name] = value
    return BuildOptions(**fields)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    spec_path, result_path = Path(argv[0]), Path(argv[1])
    options = options_from(json.loads(spec_path.read_text(encoding="utf-8")))
    started = time.perf_counter()
    current = up_to_date(options)
    if current is not None:
        result = {
            "path": "up_to_date",
            "seconds": time.perf_counter() - started,
            "built": [],
            "failed": [],
            "up_to_date": list(current.up_to_date),
            "national": "up to date" if "national" in current.up_to_date else None,
        }
        result_path.write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0
    checked = precheck(options)
    checked_at = time.perf_counter()
    marks: dict[str, float] = {}

    def on_start(ctx, tasks) -> None:  # type: ignore[no-untyped-def]
        marks["start"] = time.perf_counter()

    def on_done(result) -> None:  # type: ignore[no-untyped-def]
        marks["done"] = time.perf_counter()

    summary = build_reports(options, on_start=on_start, on_done=on_done, checked=checked)
    ended = time.perf_counter()
    start = marks.get("start", ended)
    done = marks.get("done", start)
    national = None
    if summary.national is not None:
        national = "built" if summary.national.ok else "FAILED"
    elif "national" in summary.up_to_date:
        national = "up to date"
    result = {
        "path": "build",
        "seconds": ended - started,
        "precheck_s": checked_at - started,
        "prepare_s": start - checked_at,
        "jobs_s": done - start,
        "finish_s": ended - done,
        "built": list(summary.built),
        "failed": [f"{f.la_code} at {f.stage}: {f.message}" for f in summary.failed],
        "up_to_date": list(summary.up_to_date),
        "national": national,
        "index": summary.index_path is not None,
    }
    result_path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
