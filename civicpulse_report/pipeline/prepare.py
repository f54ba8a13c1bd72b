"""Prepare a run once: every pre-work check, then the one pass of estimates.

:func:`precheck` is every check a build makes before any work: configuration,
the input tables, the year, the LA codes asked for, LAs without survey
responses in the year, nearest-neighbour candidates and comparators, the
benchmark file and every check the estimates make (the lookup's
``national_coverage`` flag, a release that does not fit the settings, the
nearest-neighbour variables), the authors' narrative files, the notebook
contract and the renderer. ``validate`` and ``build`` both call it, so
``validate`` never accepts what ``build`` then refuses. Nothing is written
if anything is wrong.

:func:`prepare` then computes all estimates once and returns the
:class:`RunContext` that the per-LA jobs share (computed in the parent and
inherited by forked workers).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report import render
from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs import Dataset, file_sha256, load_dataset
from civicpulse_report.insight import Intervention, load_interventions
from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.pipeline.comparators import (
    comparator_checks,
    comparator_lines,
    comparator_scopes,
)
from civicpulse_report.pipeline.contract import check_parameters, notebook_parameters
from civicpulse_report.pipeline.estimates_cache import cached_estimates, estimates_key
from civicpulse_report.pipeline.estimates_cache import load as load_cached_estimates
from civicpulse_report.pipeline.narrative import narrative_files, read_narratives
from civicpulse_report.pipeline.options import BuildOptions
from civicpulse_report.pipeline.plan import (
    benchmark_file,
    code_problems,
    folder_problems,
    national_plan,
    no_responses_message,
)
from civicpulse_report.pipeline.provenance import (
    display_path,
    git_commit,
    input_hashes,
    tool_versions,
)
from civicpulse_report.settings import Settings, load_settings
from civicpulse_report.statistics import (
    BenchmarkRelease,
    EstimateSet,
    compute_estimates,
    microdata_coverage,
)

log = logging.getLogger(__name__)

SYNTHETIC_CODE = re.compile(r"^X0[6-9]\d{6}$")


@dataclass(frozen=True)
class Prechecked:
    """What the pre-work checks found: the loaded inputs and the plan of the run.

    Attributes
    ----------
    year : int
        The wave reported.
    la_codes : tuple of str
        The LAs this run builds (may be empty with ``--national-only``).
    skipped : tuple of str
        LAs in the LA lookup with no survey responses in the year: not built,
        never failures.
    national : bool
        Whether the national draft is built.
    benchmarks_path : Path, optional
        The benchmark file that supplies comparators, if any.
    narratives : dict
        Authors' sections by report (``"national"`` or an LA code), from the
        Markdown files that exist.
    notes : tuple of str
        What the run says before it starts (skipped LAs, k used, comparators).
    """

    options: BuildOptions
    year: int
    dataset: Dataset
    measures: Measures
    settings: Settings
    interventions: tuple[Intervention, ...]
    la_codes: tuple[str, ...]
    skipped: tuple[str, ...]
    national: bool
    renderer: str
    benchmarks_path: Path | None = None
    benchmarks: BenchmarkRelease | None = None
    narratives: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunContext:
    """What the per-LA jobs share: computed once, inherited by forked workers."""

    options: BuildOptions
    year: int
    dataset: Dataset
    measures: Measures
    settings: Settings
    interventions: tuple[Intervention, ...]
    estimates: EstimateSet
    synthetic: bool
    renderer: str
    input_hashes: dict[str, str]
    tool_versions: dict[str, str]
    git_commit: str | None
    by_la: Mapping[str, pd.DataFrame]
    la_codes: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    national: bool = False
    narratives: dict[str, dict[str, str]] = field(default_factory=dict)
    narrative_sources: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    comparator_scopes: dict[str, str] = field(default_factory=dict)
    comparator_lines: tuple[str, ...] = ()
    build_keys: dict[str, str] = field(default_factory=dict)


def is_synthetic(dataset: Dataset) -> bool:
    """True when the data are the synthetic demo (its LA codes are X0 codes)."""
    return bool(dataset.la_lookup["la_code"].astype(str).str.match(SYNTHETIC_CODE).any())


def precheck(options: BuildOptions) -> Prechecked:
    """Every check a build makes before any work, in the order a build makes them.

    Parameters
    ----------
    options : BuildOptions

    Returns
    -------
    Prechecked
        The loaded inputs and the plan: LAs to build, LAs skipped for want of
        responses, whether the national draft is built, and the notes to show.

    Raises
    ------
    InputError
        Bad configuration or data, a missing year, an unknown or unsafe LA
        code, an LA asked for with no responses in the year, a bad benchmark
        or narrative file, or comparators that cannot be formed; every problem
        found at this point at once. Nothing is written.
    ParameterError
        The LA notebook's ``parameters`` cell does not match the contract.
    RenderError
        The renderer asked for is not available.
    """
    measures = load_measures(options.measures_path)
    settings = load_settings(options.settings_path)
    interventions = load_interventions(options.interventions_path, measures)
    dataset = load_dataset(options.data_dir, measures, year=options.year)
    year = options.year if options.year is not None else dataset.waves[-1]

    lookup_codes = [str(c) for c in dataset.la_lookup["la_code"]]
    known = set(lookup_codes)
    survey = dataset.survey
    responding = set(survey.loc[survey["wave"] == year, "la_code"].astype(str))
    empty = sorted(known - responding)
    problems = code_problems(options.la_codes, known, set(empty), year)
    problems += folder_problems(lookup_codes)

    benchmarks_path = benchmark_file(options)
    national, national_problems, notes = national_plan(options, benchmarks_path)
    problems += national_problems
    if options.national == "only":
        la_codes: tuple[str, ...] = ()
    elif options.la_codes:
        la_codes = tuple(options.la_codes)
    else:
        la_codes = tuple(c for c in sorted(known) if c in responding)
    if empty:
        notes.insert(0, no_responses_message(empty, year) + ".")

    benchmarks, comparator_problems, comparator_notes = comparator_checks(
        dataset, measures, settings, year, benchmarks_path
    )
    problems += comparator_problems
    notes += comparator_notes
    if national and benchmarks_path is None and not comparator_problems:
        national, refusal, note = _national_needs_the_nation(dataset, options)
        problems += refusal
        notes += note

    narratives, narrative_problems = read_narratives(
        narrative_files(options.narrative_folder, la_codes, national=national)
    )
    problems += narrative_problems
    if problems:
        raise InputError(problems, summary=_summary(problems))

    if la_codes:
        check_parameters(
            options.notebook, notebook_parameters("X06000001", year, Path("facts.json"))
        )
    renderer = render.resolve_renderer(options.renderer)
    return Prechecked(
        options=options,
        year=year,
        dataset=dataset,
        measures=measures,
        settings=settings,
        interventions=tuple(interventions),
        la_codes=la_codes,
        skipped=tuple(empty),
        national=national,
        renderer=renderer,
        benchmarks_path=benchmarks_path,
        benchmarks=benchmarks,
        narratives=narratives,
        notes=tuple(notes),
    )


def _national_needs_the_nation(
    dataset: Dataset, options: BuildOptions
) -> tuple[bool, list[Problem], list[str]]:
    """The national draft is of the whole nation: never of a pooled sample called England."""
    coverage = microdata_coverage(dataset)
    if coverage.national:
        return True, [], []
    if options.national == "only":
        return (
            False,
            [
                Problem(
                    "--national-only",
                    f"the national draft is of the whole nation, but {coverage.explanation}",
                    hint="build it from the national data folder, or mark the LA lookup's "
                    "national_coverage column yes if these LAs are the whole nation",
                )
            ],
            [],
        )
    return False, [], [f"The national draft is not built: {coverage.explanation}."]


def precheck_folders(folders: Sequence[Path], template: BuildOptions) -> list[str]:
    """:func:`precheck` each data folder as ``build --data`` would (``validate`` does this).

    Parameters
    ----------
    folders : sequence of Path
        Data folders.
    template : BuildOptions
        The build's options; ``data_dir`` is replaced by each folder.

    Returns
    -------
    list of str
        Every folder's notes (LAs without responses, neighbours, comparators).

    Raises
    ------
    InputError
        With the problems of every folder that a build would refuse.
    ParameterError, RenderError
        As :func:`precheck`.
    """
    notes: list[str] = []
    problems: list[Problem] = []
    for folder in folders:
        try:
            notes += precheck(dataclasses.replace(template, data_dir=Path(folder))).notes
        except InputError as error:
            problems += error.problems
    if problems:
        n = len(problems)
        raise InputError(
            problems, summary=f"{n} problem{'s' if n != 1 else ''} a build would refuse"
        )
    return notes


def _summary(problems: list[Problem]) -> str:
    n = len(problems)
    return f"{n} problem{'s' if n != 1 else ''} found before the build could start"


class LARows(Mapping[str, pd.DataFrame]):
    """Each LA's estimate rows, for its fact bundle, cut when a job asks for them.

    An LA gets its own rows plus the rows every report needs: those of no LA
    (England, regions, LA types) and every LA's overall (``la``, ``all``) rows.
    Cutting them all up front copied the shared rows once per LA in the parent
    (seconds and gigabytes for 300 LAs); here only the row positions are found
    up front, and each worker cuts the LAs it builds.
    """

    def __init__(self, estimates: EstimateSet) -> None:
        est = estimates.estimates
        la_all = (est["level"] == "la") & (est["breakdown"] == "all")
        self._est = est
        self._common = est[est["la_code"].isna() | la_all]
        own = est["la_code"].notna() & ~la_all
        self._rows = {
            str(code): rows
            for code, rows in est[own].groupby("la_code", sort=False, observed=True).indices.items()
        }
        self._positions = np.flatnonzero(own.to_numpy())

    def __getitem__(self, code: str) -> pd.DataFrame:
        part = self._est.iloc[self._positions[self._rows[code]]]
        return pd.concat([self._common, part], ignore_index=True)

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _split_by_la(estimates: EstimateSet) -> LARows:
    """Each LA's estimate rows (:class:`LARows`), cut on demand."""
    return LARows(estimates)


def prepare(options: BuildOptions, checked: Prechecked | None = None) -> RunContext:
    """Run the pre-work checks (unless given), then compute all estimates once.

    Parameters
    ----------
    options : BuildOptions
    checked : Prechecked, optional
        The result of :func:`precheck` for these options, when already run.

    Returns
    -------
    RunContext

    Raises
    ------
    InputError
        As :func:`precheck`. Nothing has been written when this is raised.
    """
    checked = checked or precheck(options)
    started = time.perf_counter()
    # Building some LAs and no national draft: their breakdowns and
    # neighbourhoods are all the run needs (every row their reports read is
    # the whole pass's, exactly), and cheaper. A cached whole pass serves
    # any selection; a restricted pass is cached under its own key.
    cache_dir = options.build_dir / "cache" / "estimates"
    key_args = (
        checked.dataset.files,
        [options.measures_path, options.settings_path],
        checked.benchmarks_path,
    )
    every_la = {str(c) for c in checked.dataset.la_lookup["la_code"]}
    selection = (
        tuple(sorted(set(checked.la_codes)))
        if checked.la_codes and not checked.national and set(checked.la_codes) < every_la
        else None
    )
    whole = None
    if selection is not None and not options.force:
        whole = load_cached_estimates(cache_dir, estimates_key(*key_args))
    if whole is not None:
        estimates, cached = whole, True
    else:
        estimates, cached = cached_estimates(
            cache_dir,
            estimates_key(*key_args, la_codes=selection),
            lambda: compute_estimates(
                checked.dataset,
                checked.measures,
                checked.settings,
                benchmarks=checked.benchmarks,
                la_codes=selection,
            ),
            use_cache=not options.force,
        )
    log.info(
        "estimates for %d LAs %s in %.1fs",
        len(checked.dataset.la_lookup),
        "read from the cache" if cached else "computed",
        time.perf_counter() - started,
    )
    config_files = [
        options.measures_path,
        options.settings_path,
        options.interventions_path,
    ]
    if checked.la_codes:
        config_files.append(options.notebook)
    if checked.national:
        config_files.append(options.national_notebook)
    if checked.benchmarks_path is not None:
        config_files.append(checked.benchmarks_path)
    narrative_sources = {
        name: {"file": display_path(path), "sha256": file_sha256(path)}
        for name, path in narrative_files(
            options.narrative_folder, checked.la_codes, national=checked.national
        ).items()
    }
    return RunContext(
        options=options,
        year=checked.year,
        dataset=checked.dataset,
        measures=checked.measures,
        settings=checked.settings,
        interventions=checked.interventions,
        estimates=estimates,
        synthetic=is_synthetic(checked.dataset),
        renderer=checked.renderer,
        input_hashes=input_hashes(checked.dataset.files, config_files),
        tool_versions=tool_versions(),
        git_commit=git_commit(),
        by_la=_split_by_la(estimates),
        la_codes=checked.la_codes,
        skipped=checked.skipped,
        national=checked.national,
        narratives=checked.narratives,
        narrative_sources=narrative_sources,
        notes=checked.notes,
        comparator_scopes=comparator_scopes(estimates),
        comparator_lines=comparator_lines(estimates),
    )
