"""The cheap half of the estimates' checks, for the checks a build makes before any work.

:func:`~civicpulse_report.statistics.estimates.compute_estimates` refuses
some inputs only once it runs: a bad ``national_coverage`` flag in the LA
lookup, a benchmark release that does not fit measures.yml or settings.yml,
nearest-neighbour variables that are not columns of the LA lookup or are
unusable for a candidate LA. :func:`estimate_problems` finds every one of
them without computing an estimate, so that ``validate`` and ``build`` refuse
them before any work, with the same messages. :func:`neighbour_candidates`
applies the estimates' rule for which LAs can be nearest neighbours (an LA
with data, in the microdata or in the release used; never one without), so
that the k a run announces is the k it uses.

Pure: a data set and settings in, problems or LA codes out.
"""

from __future__ import annotations

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs import Dataset
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings, closest
from civicpulse_report.statistics.areas import area_table
from civicpulse_report.statistics.coverage import lookup_file, microdata_coverage
from civicpulse_report.statistics.neighbours import (
    LOG_POPULATION,
    POPULATION,
    neighbour_input_problems,
)
from civicpulse_report.statistics.release import BenchmarkRelease, check_release

#: LA lookup columns that are never contextual variables.
_NOT_CONTEXT = ("la_code", "la_name", "region", "la_type", "national_coverage")


def _release_used(dataset: Dataset, release: BenchmarkRelease | None) -> BenchmarkRelease | None:
    """The release whose areas join the run: given, unless the microdata are the nation.

    A bad ``national_coverage`` flag is reported by :func:`estimate_problems`;
    here it counts as "not the whole nation".
    """
    if release is None:
        return None
    try:
        national = microdata_coverage(dataset).national
    except InputError:
        national = False
    return None if national else release


def neighbour_candidates(
    dataset: Dataset, settings: Settings, release: BenchmarkRelease | None = None
) -> tuple[str, ...]:
    """The LAs that can be nearest neighbours in this run, by the estimates' own rule.

    Every LA of the lookup with survey responses (in any wave), and every LA
    of the benchmark file when its figures are used (the microdata are not
    the whole nation). An LA in the lookup with no survey data, and not in
    the release used, is never a candidate, so never a comparator.

    Parameters
    ----------
    dataset : Dataset
    settings : Settings
    release : BenchmarkRelease, optional

    Returns
    -------
    tuple of str
        LA codes, sorted.
    """
    areas = area_table(dataset, settings, _release_used(dataset, release))
    return tuple(str(c) for c in areas.loc[areas["candidate"], "la_code"])


def neighbours_k_used(k: int, candidates: int) -> int:
    """Nearest neighbours each LA gets: k, or every other candidate when fewer (0 for one)."""
    return max(0, min(int(k), int(candidates) - 1))


def _unknown_variables(dataset: Dataset, settings: Settings) -> list[str]:
    columns = {str(c) for c in dataset.la_lookup.columns}
    return [
        name
        for name in settings.neighbours_variables
        if name not in columns and not (name == LOG_POPULATION and POPULATION in columns)
    ]


def unknown_variable_problems(dataset: Dataset, settings: Settings) -> list[Problem]:
    """A nearest-neighbour variable of settings.yml that the LA lookup has no column for.

    Each problem names settings.yml, the key, the name as written and, as the
    fix, the closest LA lookup column (``imd_scor`` -> ``imd_score``).
    ``log_population`` is derived from ``population``.
    """
    columns = [str(c) for c in dataset.la_lookup.columns]
    choices = [c for c in columns if c not in _NOT_CONTEXT]
    if POPULATION in columns:
        choices.append(LOG_POPULATION)
    source = settings.source or "settings.yml"
    lookup = lookup_file(dataset)
    problems = []
    for name in _unknown_variables(dataset, settings):
        near = closest(name, choices)
        fix = f"did you mean '{near}'? Rename it in settings.yml" if near else "remove it"
        problems.append(
            Problem(
                source,
                f"'nearest_neighbours.variables' names '{name}', which is not a column of the "
                "LA lookup",
                hint=f"{fix}, or add a '{name}' column to {lookup}; its contextual columns "
                f"are {', '.join(choices)}",
            )
        )
    return problems


def estimate_problems(
    dataset: Dataset,
    measures: Measures,
    settings: Settings,
    release: BenchmarkRelease | None = None,
) -> list[Problem]:
    """Every problem ``compute_estimates`` would raise, found without computing an estimate.

    Parameters
    ----------
    dataset : Dataset
        Validated inputs.
    measures : Measures
    settings : Settings
    release : BenchmarkRelease, optional
        The benchmark file, already read.

    Returns
    -------
    list of Problem
        In order: the release that does not fit measures.yml or settings.yml,
        a bad ``national_coverage`` flag in the LA lookup, nearest-neighbour
        variables the LA lookup lacks, and candidates whose contextual
        variables are unusable (not looked for when the release does not
        fit). Empty when the estimates can run.
    """
    problems: list[Problem] = []
    if release is not None:
        try:
            check_release(release, measures, settings)
        except InputError as error:
            problems += error.problems
    release_fits = not problems
    try:
        microdata_coverage(dataset)
    except InputError as error:
        problems += error.problems
    problems += unknown_variable_problems(dataset, settings)
    unknown = set(_unknown_variables(dataset, settings))
    variables = {k: v for k, v in settings.neighbours_variables.items() if k not in unknown}
    areas = area_table(dataset, settings, _release_used(dataset, release))
    candidates = areas[areas["candidate"]].reset_index(drop=True)
    k = neighbours_k_used(settings.neighbours_k, len(candidates))
    if k >= 1 and variables and release_fits:  # an unfitting release: its problems suffice
        problems += neighbour_input_problems(candidates, variables, k)
    return problems
