"""The ``civicpulse-report`` command line: thin, it gathers options and calls the library.

Errors from the package (bad input, bad configuration, bad parameters) are
caught here once and printed as messages with exit code 2 - never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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

from civicpulse_report.cli.parser import make_parser
from civicpulse_report.errors import CivicPulseError, InputError, Problem

if TYPE_CHECKING:
    from civicpulse_report.demo import DemoSpec

console = Console(stderr=True)
log = logging.getLogger("civicpulse_report")


def _print_problems(error: InputError) -> None:
    console.print(f"[bold red]Error:[/] {error.summary}")
    for i, problem in enumerate(error.problems, 1):
        console.print(f"  {i}. {problem.describe()}", markup=False, highlight=False)
    console.print("Nothing was written.")


def _build_options(args: argparse.Namespace, data_dir: Path):  # type: ignore[no-untyped-def]
    from civicpulse_report.pipeline import BuildOptions

    return BuildOptions(
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
        national=args.national,
        benchmarks_path=args.benchmarks,
        force=args.force,
        executor=_executor(args),
        scheduler=args.scheduler,
    )


def _executor(args: argparse.Namespace) -> str:
    """``--executor``, or ``dask`` when only ``--scheduler`` is given; never both at odds."""
    if args.scheduler and args.executor == "local":
        raise InputError(
            [
                Problem(
                    file="--scheduler",
                    rule="a Dask scheduler address was given with --executor local",
                    hint="use --executor dask with --scheduler, or leave out --scheduler",
                )
            ],
            summary="--scheduler needs --executor dask",
        )
    return args.executor or ("dask" if args.scheduler else "local")


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        console.print(f"[yellow]Note:[/] {note}", highlight=False)


def _print_summary(summary) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"Build summary ({summary.year})", show_header=False)
    current_las = [c for c in summary.up_to_date if c != "national"]
    table.add_row("Up to date", str(len(current_las)))
    table.add_row("Built", str(len(summary.built)))
    table.add_row("Failed", str(len(summary.failed)))
    skipped = str(len(summary.skipped))
    if summary.skipped:
        skipped += f" (no survey responses in {summary.year})"
    table.add_row("Skipped", skipped)
    if summary.national is not None:
        table.add_row("National draft", "built" if summary.national.ok else "FAILED")
    elif "national" in summary.up_to_date:
        table.add_row("National draft", "up to date")
    else:
        table.add_row("National draft", "not built")
    if summary.index_path is not None:
        table.add_row("Index", str(summary.index_path))
    table.add_row("Time", f"{summary.seconds:.1f} s")
    table.add_row("Output", str(summary.out_dir))
    console.print(table)
    console.print(
        f"{len(current_las)} up to date, {len(summary.built)} built"
        + (f", {len(summary.failed)} failed" if summary.failed else "")
        + (" (nothing they depend on changed; --force rebuilds them)" if current_las else ""),
        highlight=False,
    )
    results = [*summary.results, *([summary.national] if summary.national else [])]
    kept: dict[str, list[str]] = {}
    for result in results:
        for name in result.carried_over:
            kept.setdefault(name, []).append(result.la_code)
    for name, where in sorted(kept.items()):
        shown = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
        console.print(
            f"Kept {name} from the previous build of {shown}: its format was not "
            "asked for, so it was not rebuilt (the manifest records when it was built).",
            highlight=False,
        )
    failures = [*summary.failed]
    if summary.national is not None and summary.national.failure is not None:
        failures.append(summary.national.failure)
    if summary.index_failure is not None:
        failures.append(summary.index_failure)
    for failure in failures:
        console.print(f"[red]FAILED[/] {failure.la_code} at {failure.stage}: ", end="")
        console.print(failure.message, markup=False, highlight=False)


def _run_build(args: argparse.Namespace, data_dir: Path) -> int:
    from civicpulse_report.pipeline import (
        build_reports,
        precheck,
        resolved_configuration,
        up_to_date,
    )

    options = _build_options(args, data_dir)
    log.info("resolved configuration: %s", json.dumps(resolved_configuration(options), default=str))
    current = up_to_date(options)
    if current is not None:
        _print_notes(current.notes)
        _print_summary(current)
        return current.exit_code
    checked = precheck(options)
    _print_notes(checked.notes)
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

    def on_start(ctx, tasks) -> None:  # type: ignore[no-untyped-def]
        console.print(
            f"Validated inputs: {len(ctx.dataset.survey):,} responses, "
            f"{len(ctx.dataset.la_lookup)} LAs, waves {', '.join(map(str, ctx.dataset.waves))}. "
            f"Reporting {ctx.year} with the {ctx.renderer} renderer"
            + (" (synthetic demonstration data)." if ctx.synthetic else "."),
            highlight=False,
        )
        console.print("Comparators:", highlight=False)
        for line in ctx.comparator_lines:
            console.print(f"  {line}", markup=False, highlight=False)
        what = f"{len(ctx.la_codes)} LA report{'s' if len(ctx.la_codes) != 1 else ''}"
        what += " and the national draft" if ctx.national else " (no national draft)"
        console.print(f"Building {what}.", highlight=False)
        progress.start()
        state["task"] = progress.add_task("Building reports", total=len(tasks), last="")

    def on_done(result) -> None:  # type: ignore[no-untyped-def]
        mark = "ok" if result.ok else "FAILED"
        progress.update(state["task"], advance=1, last=f"{result.la_code} {mark}")  # type: ignore[arg-type]

    try:
        summary = build_reports(options, on_start=on_start, on_done=on_done, checked=checked)
    finally:
        progress.stop()
    _print_summary(summary)
    return summary.exit_code


def _cmd_add_wave(args: argparse.Namespace) -> int:
    from civicpulse_report.demo import add_wave

    with console.status(f"Adding synthetic wave {args.add_wave}"):
        added = add_wave(args.data_out, args.add_wave)
    console.print(
        f"Added wave {added.year} to {args.data_out}: {added.path.name}, "
        f"{added.respondents:,} responses in {added.n_las} LAs and "
        f"{added.n_neighbourhoods} neighbourhoods. Waves now "
        f"{', '.join(map(str, added.waves))}. Unchanged: {', '.join(added.unchanged)}; "
        f"entry added to {', '.join(added.updated)}.\n"
        f"Next: civicpulse-report build --data {args.data_out} --year {added.year}",
        highlight=False,
    )
    return 0


def _cmd_council_demo(args: argparse.Namespace, spec: DemoSpec) -> int:
    from civicpulse_report.demo import write_council_demo

    with console.status(f"Writing the council demo for {args.council} and its national release"):
        written = write_council_demo(args.council, args.data_out, spec)
    console.print(
        f"Wrote {args.council}'s own synthetic survey and tables, with the benchmark file of "
        f"the synthetic nation, to {args.data_out}: " + ", ".join(p.name for p in written.values()),
        highlight=False,
    )
    if args.no_build:
        return 0
    if not args.la_codes:
        args.la_codes = [args.council]
    return _run_build(args, args.data_out)


def _cmd_demo(args: argparse.Namespace) -> int:
    from civicpulse_report.demo import DemoSpec, generate_demo, write_demo

    if args.add_wave is not None:
        return _cmd_add_wave(args)
    spec = DemoSpec(n_las=args.las, seed=args.seed)
    if args.council is not None:
        return _cmd_council_demo(args, spec)
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


def _build_prechecks(args: argparse.Namespace) -> list[str]:
    from civicpulse_report.pipeline import BuildOptions, precheck_folders

    template = BuildOptions(
        data_dir=Path("."),
        year=args.year,
        la_codes=tuple(args.la_codes),
        measures_path=args.measures,
        settings_path=args.settings,
        interventions_path=args.interventions,
        benchmarks_path=args.benchmarks,
    )
    return precheck_folders([p for p in args.paths if p.is_dir()], template)


def _cmd_validate(args: argparse.Namespace) -> int:
    from civicpulse_report.inputs import check_paths
    from civicpulse_report.measures import load_measures

    measures = load_measures(args.measures)
    result = check_paths(args.paths, measures)
    for warning in result.warnings:
        console.print("[bold yellow]Warning:[/] ", end="")
        console.print(warning.describe(), markup=False, highlight=False)
    if result.problems:
        raise InputError(result.problems)
    inputs_log = logging.getLogger("civicpulse_report.inputs")
    level = inputs_log.level
    inputs_log.setLevel(logging.ERROR)  # the prechecks load the data again: warned above
    try:
        notes = _build_prechecks(args)
    finally:
        inputs_log.setLevel(level)
    checked = ", ".join(str(p) for p in args.paths)
    verb = "meets" if len(args.paths) == 1 else "meet"
    warned = len(result.warnings)
    aside = f" ({warned} warning{'s' if warned != 1 else ''} above)" if warned else ""
    console.print(f"[green]OK[/]: {checked} {verb} the input contract{aside}.", highlight=False)
    _print_notes(notes)
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
