"""The comparator part of the pre-work checks, and the scope names a run announces.

Before any work, a build (and ``validate``) reads the benchmark file, if
there is one, makes the estimates' own cheap checks (so that ``validate``
refuses what the estimates would), and works out how many nearest
neighbours each LA can have: k, or fewer when the data set and the file
hold fewer other LAs with data (announced), or none at all with one LA
(announced: reports leave the column out). After the
estimates, :func:`comparator_scopes` and :func:`comparator_lines` name each
comparator for what it is, for the console and the manifests. The statistics
themselves live in ``statistics``.
"""

from __future__ import annotations

from pathlib import Path

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs import Dataset
from civicpulse_report.measures import Measures
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    COMPARATOR_LABELS,
    BenchmarkRelease,
    EstimateSet,
    estimate_problems,
    neighbour_candidates,
    neighbours_k_used,
    read_benchmarks,
)


def _read_benchmarks(path: Path) -> tuple[BenchmarkRelease | None, list[Problem]]:
    """The benchmark file, read and checked by ``statistics``, or the problems with it."""
    if not path.is_file():
        return None, [
            Problem(
                str(path),
                "the benchmark file does not exist",
                hint="check the path given to --benchmarks",
            )
        ]
    try:
        return read_benchmarks(path), []
    except InputError as error:
        return None, list(error.problems)


def comparator_checks(
    dataset: Dataset,
    measures: Measures,
    settings: Settings,
    year: int,
    benchmarks_path: Path | None,
) -> tuple[BenchmarkRelease | None, list[Problem], list[str]]:
    """Read the benchmark file, make the estimates' checks, say how many neighbours LAs get.

    Parameters
    ----------
    dataset : Dataset
    measures : Measures
    settings : Settings
    year : int
    benchmarks_path : Path, optional

    Returns
    -------
    benchmarks : BenchmarkRelease or None
        The file as ``statistics.read_benchmarks`` read it, for ``compute_estimates``.
    problems : list of Problem
        What the estimates would refuse (``statistics.estimate_problems``: a
        release that does not fit, a bad ``national_coverage`` flag, unknown
        or unusable nearest-neighbour variables) and what is wrong with the
        benchmark file; empty when the build can go ahead.
    notes : list of str
        What to tell the user at the start: fewer nearest neighbours than k,
        or none at all. The candidates are counted as the estimates count
        them (``statistics.neighbour_candidates``): LAs with data, never an LA
        of the lookup without survey responses.
    """
    benchmarks, problems = (None, [])
    if benchmarks_path is not None:
        benchmarks, problems = _read_benchmarks(benchmarks_path)
    problems += estimate_problems(dataset, measures, settings, benchmarks)
    notes: list[str] = []
    candidates = len(neighbour_candidates(dataset, settings, benchmarks))
    k = settings.neighbours_k
    used = neighbours_k_used(k, candidates)
    where = "this data set" + (" and the benchmark file" if benchmarks is not None else "")
    if used < 1:
        notes.append(
            f"No nearest-neighbour comparator: {where} holds only one LA with survey "
            "responses, so reports leave that column out and say why."
        )
    elif used < k:
        notes.append(
            f"{k} nearest neighbours are asked for, but {where} holds {candidates} LAs "
            f"with survey responses: each LA is compared with the {used} most similar."
        )
    return benchmarks, problems, notes


def comparator_scopes(estimates: EstimateSet) -> dict[str, str]:
    """Each comparator's name for the run (``england`` -> "England", or "the 5 LAs in ...").

    A pooled sample is never "England": the estimates name their comparators
    for what they are; without names (no scopes) the standard labels are used.
    """
    return dict(estimates.comparator_scopes) or dict(COMPARATOR_LABELS)


def comparator_lines(estimates: EstimateSet) -> tuple[str, ...]:
    """What the console says at build start about the comparators, one line each."""
    return tuple(estimates.comparator_summary())


def estimates_k_used(estimates: EstimateSet, la_code: str | None = None) -> int:
    """The nearest neighbours actually used: by one LA, or the most any LA gets."""
    if la_code is not None and la_code in estimates.la_scopes:
        k_used = estimates.la_scopes[la_code].get("neighbours")
        if k_used is not None and k_used.k_used is not None:
            return int(k_used.k_used)
    return estimates.neighbours_k_used
