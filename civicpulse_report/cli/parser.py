"""The command line's arguments: the parser of every ``civicpulse-report`` command.

Only parsing and argument checks live here; :mod:`civicpulse_report.cli` runs the
commands.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from civicpulse_report import __version__, paths


def _formats(value: str) -> tuple[str, ...]:
    from civicpulse_report.render import FORMATS

    parts = tuple(dict.fromkeys(p.strip().lower() for p in value.split(",") if p.strip()))
    bad = [p for p in parts if p not in FORMATS]
    if bad or not parts:
        raise argparse.ArgumentTypeError(
            f"formats are a comma-separated list of {', '.join(FORMATS)} (got {value!r})"
        )
    return parts


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number


def _add_config_options(p: argparse.ArgumentParser, *, benchmarks_help: str) -> None:
    """The configuration files a build reads: ``build``, ``demo`` and ``validate`` share them."""
    p.add_argument("--measures", type=Path, default=paths.MEASURES_FILE, help="measures YAML")
    p.add_argument("--settings", type=Path, default=paths.SETTINGS_FILE, help="settings YAML")
    p.add_argument(
        "--interventions",
        type=Path,
        default=paths.INTERVENTIONS_FILE,
        help="intervention library YAML",
    )
    p.add_argument("--benchmarks", type=Path, default=None, metavar="FILE", help=benchmarks_help)


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
        help="comma-separated output formats, e.g. html,pdf,docx (default html,pdf); "
        "files of formats not asked for are kept from the previous build",
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
        "--force",
        action="store_true",
        help="rebuild every report asked for and recompute the estimates, even when "
        "nothing they depend on has changed (default: rebuild only what is out of date)",
    )
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default=None,
        help="where the reports are built: local worker processes (default; fastest on "
        "one machine) or a Dask cluster (with --scheduler, else a LocalCluster of --jobs "
        "workers); needs the cluster extra",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://host:8786 (implies --executor dask)",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new Python kernel for every LA (slower; default reuses a warm kernel per worker)",
    )
    _add_config_options(
        p,
        benchmarks_help="benchmark file supplying comparators for areas without microdata "
        "(default: benchmarks.csv in the data folder, when there is one)",
    )
    national = p.add_mutually_exclusive_group()
    national.add_argument(
        "--national-only",
        dest="national",
        action="store_const",
        const="only",
        default="auto",
        help="build only the national draft (reports/<year>/national/)",
    )
    national.add_argument(
        "--no-national",
        dest="national",
        action="store_const",
        const="skip",
        help="do not build the national draft (it is built when every LA is)",
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
    demo.add_argument(
        "--add-wave",
        dest="add_wave",
        type=_positive_int,
        default=None,
        metavar="YEAR",
        help="append the next year's wave to the demo data in --out (its own spec is used; "
        "--las and --seed are ignored); the files already there are left untouched and "
        "no report is built",
    )
    demo.add_argument(
        "--council",
        dest="council",
        default=None,
        metavar="CODE",
        help="write only this LA's own survey (.sav) and tables into --out, with benchmarks.csv "
        "from the rest of the synthetic nation, as a council running its own survey has it; "
        "then build its report from that folder (unless --no-build)",
    )
    _add_build_options(demo, out_flag="--reports")

    validate = sub.add_parser(
        "validate",
        help="check input files against the contract",
        description="Check data folders or files against the input contract "
        "and print every problem at once. For a data folder, also run every check "
        "`build` makes before any work (year, LA codes, LAs without responses, "
        "nearest neighbours, comparators, benchmark and narrative files), so that "
        "exit 0 means the build starts. Exit 0 when clean, 2 when not.",
    )
    validate.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a data folder, or individual input files",
    )
    validate.add_argument(
        "--year", type=int, default=None, help="the wave a build would report (default latest)"
    )
    validate.add_argument(
        "--la",
        dest="la_codes",
        action="append",
        default=[],
        metavar="CODE",
        help="LA code a build would be asked for (repeatable)",
    )
    _add_config_options(
        validate,
        benchmarks_help="benchmark file a build would use "
        "(default: benchmarks.csv in the data folder)",
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
