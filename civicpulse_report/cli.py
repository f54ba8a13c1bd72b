"""The ``civicpulse-report`` command line: thin, it gathers options and calls the library.

Errors from the package (bad input, bad configuration, bad parameters) are
caught here once and printed as messages with exit code 2 - never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from civicpulse_report import __version__, paths
from civicpulse_report.errors import CivicPulseError, InputError

console = Console(stderr=True)
log = logging.getLogger("civicpulse_report")


def _formats(value: str) -> tuple[str, ...]:
    parts = tuple(p.strip().lower() for p in value.split(",") if p.strip())
    bad = [p for p in parts if p not in ("html", "pdf")]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"formats must be html, pdf or html,pdf (got {value!r})")
    return parts


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number


def _add_build_options(p: argparse.ArgumentParser, out_flag: str = "--out") -> None:
    p.add_argument(
        "--year",
        type=int,
        default=None,
        help="survey wave (year) to report; default: the latest wave in the data",
    )
    p.add_argument(
        "--la",
        dest="la_codes",
        action="append",
        default=[],
        metavar="CODE",
        help="LA code to build (repeat for several); default: every LA",
    )
    p.add_argument(
        "--format",
        dest="formats",
        type=_formats,
        default=("html", "pdf"),
        help="comma-separated output formats: html,pdf (default both)",
    )
    p.add_argument(
        "--renderer",
        choices=("auto", "builtin", "quarto"),
        default="auto",
        help="auto: quarto when on PATH, else builtin (pandoc + typst)",
    )
    p.add_argument(
        "--jobs", type=_positive_int, default=2, help="parallel worker processes (default 2)"
    )
    p.add_argument(
        out_flag,
        dest="reports_out",
        type=Path,
        default=paths.REPORTS_DIR,
        metavar="DIR",
        help="folder the reports are written to (default reports/)",
    )
    p.add_argument(
        "--build-dir",
        dest="build_dir",
        type=Path,
        default=paths.BUILD_DIR,
        help="folder for intermediate files such as fact bundles (default build/)",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new Python kernel for every LA (slower; default reuses a warm kernel per worker)",
    )
    p.add_argument("--measures", type=Path, default=paths.MEASURES_FILE, help="measures YAML")
    p.add_argument("--settings", type=Path, default=paths.SETTINGS_FILE, help="settings YAML")
    p.add_argument(
        "--interventions",
        type=Path,
        default=paths.INTERVENTIONS_FILE,
        help="intervention library YAML",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civicpulse-report",
        description="Build Civic Pulse reports (HTML and PDF), one per local authority.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="generate the synthetic demo data set, then build its reports",
        description="Write the deterministic synthetic demo data into data/demo/ "
        "(or --out DIR), then build every demo LA's report for the latest wave.",
    )
    demo.add_argument(
        "--out",
        dest="data_out",
        type=Path,
        default=paths.DEMO_DATA_DIR,
        metavar="DIR",
        help="where to write the demo data (default data/demo/)",
    )
    demo.add_argument(
        "--las", type=_positive_int, default=300, help="number of fictional LAs (default 300)"
    )
    demo.add_argument("--seed", type=int, default=20261128, help="random seed (default 20261128)")
    demo.add_argument("--no-build", action="store_true", help="only write the data")
    _add_build_options(demo, out_flag="--reports")

    validate = sub.add_parser(
        "validate",
        help="check input files against the contract",
        description="Check data folders or files against the input contract "
        "and print every problem at once. Exit 0 when clean, 2 when not.",
    )
    validate.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a data folder, or individual input files",
    )
    validate.add_argument(
        "--measures", type=Path, default=paths.MEASURES_FILE, help="measures YAML"
    )

    build = sub.add_parser(
        "build",
        help="build reports from a data folder",
        description="Validate the data, compute every estimate once, then build "
        "each LA's report into <out>/<year>/<la_code>/.",
    )
    build.add_argument("--data", type=Path, required=True, help="folder holding the input files")
    _add_build_options(build)
    return parser


def _print_problems(error: InputError) -> None:
    console.print(f"[bold red]Error:[/] {error.summary}")
    for i, problem in enumerate(error.problems, 1):
        console.print(f"  {i}. {problem.describe()}", markup=False, highlight=False)
    console.print("Nothing was written.")


def _run_build(args: argparse.Namespace, data_dir: Path) -> int:
    from civicpulse_report.pipeline import BuildOptions, build_reports, resolved_configuration

    options = BuildOptions(
        data_dir=data_dir,
        year=args.year,
        la_codes=tuple(args.la_codes),
        formats=tuple(args.formats),
        renderer=args.renderer,
        jobs=args.jobs,
        out_dir=args.reports_out,
        build_dir=args.build_dir,
        measures_path=args.measures,
        settings_path=args.settings,
        interventions_path=args.interventions,
        fresh_kernels=args.fresh_kernels,
    )
    log.info("resolved configuration: %s", json.dumps(resolved_configuration(options), default=str))
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    state: dict[str, object] = {}

    def on_start(ctx, la_codes) -> None:  # type: ignore[no-untyped-def]
        console.print(
            f"Validated inputs: {len(ctx.dataset.survey):,} responses, "
            f"{len(ctx.dataset.la_lookup)} LAs, waves {', '.join(map(str, ctx.dataset.waves))}. "
            f"Reporting {ctx.year} with the {ctx.renderer} renderer"
            + (" (synthetic demonstration data)." if ctx.synthetic else "."),
            highlight=False,
        )
        progress.start()
        state["task"] = progress.add_task("Building reports", total=len(la_codes), last="")

    def on_done(result) -> None:  # type: ignore[no-untyped-def]
        mark = "ok" if result.ok else "FAILED"
        progress.update(state["task"], advance=1, last=f"{result.la_code} {mark}")  # type: ignore[arg-type]

    try:
        summary = build_reports(options, on_start=on_start, on_done=on_done)
    finally:
        progress.stop()
    table = Table(title=f"Build summary ({summary.year})", show_header=False)
    table.add_row("Built", str(len(summary.built)))
    table.add_row("Failed", str(len(summary.failed)))
    table.add_row("Skipped", str(len(summary.skipped)))
    table.add_row("Time", f"{summary.seconds:.1f} s")
    table.add_row("Output", str(summary.out_dir))
    console.print(table)
    for failure in summary.failed:
        console.print(f"[red]FAILED[/] {failure.la_code} at {failure.stage}: ", end="")
        console.print(failure.message, markup=False, highlight=False)
    return summary.exit_code


def _cmd_demo(args: argparse.Namespace) -> int:
    from civicpulse_report.demo import DemoSpec, generate_demo, write_demo

    spec = DemoSpec(n_las=args.las, seed=args.seed)
    with console.status("Generating synthetic demo data"):
        data = generate_demo(spec)
        written = write_demo(data, args.data_out)
    console.print(
        f"Wrote synthetic demo data ({args.las} LAs, seed {args.seed}) to {args.data_out}: "
        + ", ".join(p.name for p in written.values()),
        highlight=False,
    )
    if args.no_build:
        return 0
    return _run_build(args, args.data_out)


def _cmd_validate(args: argparse.Namespace) -> int:
    from civicpulse_report.inputs import validate_paths
    from civicpulse_report.measures import load_measures

    measures = load_measures(args.measures)
    problems = validate_paths(args.paths, measures)
    if problems:
        raise InputError(problems)
    console.print(
        f"[green]OK[/]: {', '.join(str(p) for p in args.paths)} meet the input contract.",
        highlight=False,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``civicpulse-report`` command."""
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, show_time=False)],
    )
    if args.verbose:
        log.setLevel(logging.INFO)
    try:
        if args.command == "demo":
            return _cmd_demo(args)
        if args.command == "validate":
            return _cmd_validate(args)
        return _run_build(args, args.data)
    except InputError as error:
        _print_problems(error)
        return error.exit_code
    except CivicPulseError as error:
        console.print(f"[bold red]Error:[/] {error}", highlight=False)
        return error.exit_code
    except KeyboardInterrupt:
        console.print("Interrupted; reports already built are kept, partial ones discarded.")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
