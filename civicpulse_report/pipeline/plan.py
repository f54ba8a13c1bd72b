"""What a run will build: the LAs asked for, the LAs skipped, and the national draft.

Part of the pre-work checks (:func:`~civicpulse_report.pipeline.prepare.precheck`):
LA codes asked for with ``--la`` that are malformed, unknown, or have no survey
responses in the year; LA codes that cannot be folder names; LAs in the lookup
without responses (reported, never built, never failures); whether the
national draft is built; and which benchmark file, if any, a build uses.
"""

from __future__ import annotations

from pathlib import Path

from civicpulse_report.errors import Problem
from civicpulse_report.inputs import check_la_code
from civicpulse_report.pipeline.options import BENCHMARKS_FILE, BuildOptions

#: How many LA codes a message lists before it says "…".
SHOWN_CODES = 10


def listed(codes: list[str] | tuple[str, ...]) -> str:
    """Codes as a message lists them: the first few, then "…"."""
    shown = ", ".join(codes[:SHOWN_CODES])
    return shown + (", …" if len(codes) > SHOWN_CODES else "")


def no_responses_message(codes: list[str] | tuple[str, ...], year: int) -> str:
    """The sentence that reports LAs in the lookup without survey rows in the year."""
    n = len(codes)
    las = "1 LA" if n == 1 else f"{n} LAs"
    has = "has" if n == 1 else "have"
    they = "it is" if n == 1 else "they are"
    return (
        f"{las} in la_lookup {has} no survey responses in {year}: {listed(codes)}; {they} not built"
    )


def code_problems(
    requested: tuple[str, ...], known: set[str], empty: set[str], year: int
) -> list[Problem]:
    """Requested LA codes that are malformed, unknown, or have no responses in the year."""
    problems = []
    for code in requested:
        if not check_la_code(code):
            problems.append(
                Problem(
                    "--la",
                    f"'{code}' is not a valid LA code",
                    hint="use a GSS code such as E06000001",
                )
            )
        elif code not in known:
            problems.append(
                Problem(
                    "--la",
                    f"LA code '{code}' is not in the LA lookup",
                    values=(code,),
                    hint="check the code against la_lookup",
                )
            )
    without = [c for c in requested if c in empty]
    if without:
        problems.append(
            Problem(
                "--la",
                no_responses_message(without, year),
                hint=f"choose LAs with survey responses in {year}, or add their survey rows",
            )
        )
    return problems


def folder_problems(codes: list[str]) -> list[Problem]:
    """Untrusted codes never become paths unless they pass validation."""
    bad = [c for c in codes if not check_la_code(c)]
    if not bad:
        return []
    return [
        Problem(
            "la_lookup",
            "LA codes that cannot be used as folder names",
            column="la_code",
            values=tuple(bad[:5]),
            hint="use GSS-style codes (letters and digits only)",
        )
    ]


def national_plan(
    options: BuildOptions, benchmarks_path: Path | None
) -> tuple[bool, list[Problem], list[str]]:
    """Whether the national draft is built, with any refusal and what to say."""
    if options.national == "skip":
        return False, [], []
    if options.national == "only":
        problems = []
        if options.la_codes:
            problems.append(
                Problem(
                    "--national-only",
                    "--national-only builds the national draft alone, so --la cannot be given",
                    hint="drop --la, or drop --national-only to build those LAs",
                )
            )
        if benchmarks_path is not None:
            problems.append(
                Problem(
                    "--national-only",
                    "the national draft is built from microdata for the whole nation, "
                    f"but this build takes its comparators from {benchmarks_path.name}",
                    hint="build the national draft from the national data folder",
                )
            )
        return True, problems, []
    if options.la_codes:
        return False, [], []
    if benchmarks_path is not None:
        note = (
            f"The national draft is not built: comparators come from {benchmarks_path.name}, "
            "so this data folder is not the whole nation."
        )
        return False, [], [note]
    return True, [], []


def benchmark_file(options: BuildOptions) -> Path | None:
    """The benchmark file a build uses: ``--benchmarks``, else ``benchmarks.csv`` in the data."""
    if options.benchmarks_path is not None:
        return options.benchmarks_path
    found = options.data_dir / BENCHMARKS_FILE
    return found if found.is_file() else None
