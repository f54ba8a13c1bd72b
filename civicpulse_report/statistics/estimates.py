"""Every published estimate for every LA, computed in one vectorised pass.

This is the statistical heart of a run (ARCHITECTURE decision 1): weighted
estimates with confidence intervals for each indicator and domain index, for
England, regions, LA types, LAs, demographic groups within LAs, and modelled
(shrunk) neighbourhood estimates; comparators (England, region, LA type,
nearest neighbours) with Fingertips-style significance; change since the
previous wave; disclosure control; Cronbach's alpha per domain.

With a benchmark file (a national release), every area the data folder has
no microdata for takes its figures from the file: England, regions, LA types
and the other LAs; the domain indices use the release's index reference.
Every comparator is named for what it is (:class:`ComparatorScope`). Owns
:class:`EstimateSet`, :func:`respondent_values` and :func:`compute_estimates`;
the steps it runs are in :mod:`.derived`, the names in :mod:`.scopes`.

A build of a few LAs with no national draft runs the restricted pass
(``la_codes``): group breakdowns and neighbourhoods for those LAs only, every
row their reports read exactly as the whole pass gives it (secondary
suppression still sees every LA's group bases, since its "one group across
every LA" sets join them; ``tests/integration/test_estimates_paths.py``).

Proportions are published in per cent; means and indices in their own units.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.measures import Measures
from civicpulse_report.scoring import IndexReference
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.areas import area_table, run_neighbours
from civicpulse_report.statistics.columns import (
    COMPARATOR_LABELS,
    COMPARATORS,
    ENGLAND_NAME,
    GROUPS,
    INDEX_PREFIX,
    NUMERIC_COLUMNS,
    SOURCE_BENCHMARK,
    SOURCE_MICRODATA,
    index_id,
)
from civicpulse_report.statistics.coverage import Coverage, microdata_coverage
from civicpulse_report.statistics.derived import (
    add_change,
    add_comparators,
    alpha_table,
    shrink_neighbourhoods,
    spine_table,
    with_england,
)
from civicpulse_report.statistics.direct import (
    direct_estimates,
    indicator_polarity,
    indicator_types,
    respondent_values,
)
from civicpulse_report.statistics.release import BenchmarkRelease, check_release, release_rows
from civicpulse_report.statistics.scopes import (
    ComparatorScope,
    comparator_scopes,
    in_wave,
    scope_lines,
)
from civicpulse_report.statistics.suppression import apply_suppression

__all__ = [
    "COMPARATORS",
    "COMPARATOR_LABELS",
    "ENGLAND_CODE",
    "ENGLAND_NAME",
    "INDEX_PREFIX",
    "NUMERIC_COLUMNS",
    "EstimateSet",
    "compute_estimates",
    "index_id",
    "indicator_polarity",
    "indicator_types",
    "respondent_values",
]


@dataclass(frozen=True)
class EstimateSet:
    """Everything computed for a run; the input to fact bundles.

    Attributes
    ----------
    estimates : DataFrame
        Tidy: one row per (wave, level, area, breakdown, group, indicator).
        ``level`` is one of england, region, la_type, la, neighbourhood;
        ``source`` says whether a row comes from the microdata or the
        benchmark file; ``england_name`` names the comparator of
        ``england_value`` on LA and neighbourhood rows (empty where the
        comparison would be of the LA with itself).
    neighbours : DataFrame
        la_code, neighbour_code, rank, distance.
    alpha : DataFrame
        wave, area_code, domain, alpha, n (complete cases).
    spine : DataFrame
        Distribution of LA estimates per wave and indicator (min, q25, median,
        q75, max, n_las, england).
    reference : IndexReference
    waves : tuple[int, ...]
        The waves of the microdata.
    scopes : Mapping[str, ComparatorScope]
        The run's comparators by level (england, region, la_type, neighbours,
        groups), as the console announces them.
    la_scopes : Mapping[str, Mapping[str, ComparatorScope]]
        Each LA's comparators (LAs with microdata), by LA code and level.
    areas : DataFrame or None
        Every LA of the run (lookup and benchmark file): la_code, la_name,
        region, la_type, source, candidate and the contextual variables.
    coverage : Coverage or None
        Whether the England-level figures are the whole nation, and why.
    benchmark_release : str or None
        The release_version of the benchmark file used, if any.
    reference_name : str
        Whose first wave is 100 on the index scale: "England", or "the 5 LAs
        in this data set" when the microdata are not the nation.
    la_codes : tuple of str or None
        None for the full pass. Otherwise the LAs whose group breakdowns,
        neighbourhoods and alpha the set holds (``compute_estimates(...,
        la_codes=...)``): every other row (England, regions, LA types, every
        LA's overall rows, the spine, neighbours and scopes) is the full
        pass's, and so is every row of these LAs; other LAs' reports and the
        national draft cannot be built from it.
    """

    estimates: pd.DataFrame
    neighbours: pd.DataFrame
    alpha: pd.DataFrame
    spine: pd.DataFrame
    reference: IndexReference
    waves: tuple[int, ...]
    scopes: Mapping[str, ComparatorScope] = field(default_factory=dict)
    la_scopes: Mapping[str, Mapping[str, ComparatorScope]] = field(default_factory=dict)
    areas: pd.DataFrame | None = None
    coverage: Coverage | None = None
    benchmark_release: str | None = None
    reference_name: str = ENGLAND_NAME
    la_codes: tuple[str, ...] | None = None

    @property
    def latest_wave(self) -> int:
        return self.waves[-1]

    @property
    def comparator_scopes(self) -> dict[str, str]:
        """Each comparator level's name for the run, e.g. ``{"england": "England", ...}``."""
        return {level: scope.name for level, scope in self.scopes.items()}

    @property
    def neighbours_k_used(self) -> int:
        """The nearest neighbours each LA actually gets (0 when there are none)."""
        counts = self.neighbours.groupby("la_code")["rank"].count()
        return int(counts.max()) if len(counts) else 0

    def scopes_for(self, la_code: str, wave: int | None = None) -> Mapping[str, ComparatorScope]:
        """One LA's comparator scopes by level, for the run or for one wave.

        Parameters
        ----------
        la_code : str
        wave : int, optional
            A comparator with no figure for the LA in this wave (a benchmark
            file without it, say) is then not available, and says why.

        Returns
        -------
        Mapping of str to ComparatorScope

        Raises
        ------
        KeyError
            If the LA has no microdata in this run (it gets no report).
        """
        if la_code not in self.la_scopes:
            raise KeyError(f"LA {la_code!r} has no microdata in this run, so no comparators")
        scopes = self.la_scopes[la_code]
        if wave is None:
            return scopes
        e = self.estimates
        rows = e[(e["wave"] == wave) & (e["la_code"] == la_code) & (e["level"] != "england")]
        return in_wave(scopes, rows, wave)

    def comparator_summary(self) -> list[str]:
        """What the console says at build start: one line per comparator, and why."""
        lines = scope_lines(self.scopes)
        if self.coverage is not None:
            lines.append(
                f"Whole nation: {'yes' if self.coverage.national else 'no'} "
                f"({self.coverage.explanation})."
            )
        if self.benchmark_release:
            lines.append(f"Benchmark release: {self.benchmark_release}.")
        return lines


def _with_release(est: pd.DataFrame, release: BenchmarkRelease, measures: Measures) -> pd.DataFrame:
    """Replace the pooled England, region and LA-type rows with the release's; add its LAs."""
    pooled = est["level"].isin(["england", "region", "la_type"])
    own = set(est.loc[est["level"] == "la", "la_code"])
    rows = release_rows(release, indicator_polarity(measures), own)
    return pd.concat([est[~pooled], rows], ignore_index=True)


def _name_comparators(est: pd.DataFrame, scopes: Mapping[str, ComparatorScope]) -> pd.DataFrame:
    """The ``england_name`` column: what each LA and neighbourhood row is compared with."""
    top, groups = scopes["england"], scopes[GROUPS]
    overall = (est["level"] == "la") & (est["breakdown"] == "all")
    within = est["level"].isin(["la", "neighbourhood"]) & ~overall
    names = pd.Series(None, index=est.index, dtype=object)
    if top.available:
        names[overall] = top.name
    if groups.available:
        names[within] = groups.name
    names[est["england_value"].isna()] = None
    est["england_name"] = names.astype("category")
    return est


def compute_estimates(
    dataset: Dataset,
    measures: Measures,
    settings: Settings,
    *,
    benchmarks: BenchmarkRelease | None = None,
    la_codes: Collection[str] | None = None,
) -> EstimateSet:
    """Run the one vectorised pass over all LAs.

    Parameters
    ----------
    dataset : Dataset
        Validated inputs.
    measures : Measures
    settings : Settings
    benchmarks : BenchmarkRelease, optional
        A national release (:func:`~civicpulse_report.statistics.benchmark_io.read_benchmarks`).
        Unless the microdata are the whole nation, every area without
        microdata (England, regions, LA types, other LAs) takes its figures
        from it. Its index reference is always used, so that "100 = England,
        first wave" means the same as in the release.
    la_codes : collection of str, optional
        Only the reports of these LAs will be built (no national draft): give
        their group breakdowns, neighbourhoods and alpha only (about 30%
        less CPU on the 300-LA demo). Every row their reports read is the
        full pass's, exactly: England, regions, LA types and every LA's overall rows (for
        comparators, spine chart and quadrant) are computed as ever, and
        secondary suppression still sees every LA's group bases (its "one
        group across every LA" sets join the LAs), the other LAs' group rows
        being dropped only after it. The other LAs' neighbourhoods are left
        out altogether: when every respondent has a neighbourhood they can
        hide nothing outside their own LA (see
        :func:`~civicpulse_report.statistics.direct.neighbourhoods_partition`;
        otherwise they are kept for suppression too).

    Returns
    -------
    EstimateSet
        Comparators named for what they are (``scopes``, ``la_scopes``) and
        the k of nearest neighbours actually used.

    Raises
    ------
    InputError
        If the LA lookup's ``national_coverage`` column is not yes or no, the
        benchmark file does not fit the measures or settings, or a
        neighbour candidate's contextual variables are unusable.
    """
    if benchmarks is not None:
        check_release(benchmarks, measures, settings)
    coverage = microdata_coverage(dataset)
    use_file = benchmarks is not None and not coverage.national
    values, reference = respondent_values(
        dataset, measures, reference=None if benchmarks is None else benchmarks.reference
    )
    conf = settings.confidence_level
    selected = None if la_codes is None else tuple(sorted({str(c) for c in la_codes}))
    est = direct_estimates(values, measures, settings, la_codes=selected)
    areas = area_table(dataset, settings, benchmarks if use_file else None)
    if use_file:
        assert benchmarks is not None
        est = _with_release(est, benchmarks, measures)
        coverage = Coverage(
            benchmarks.national,
            SOURCE_BENCHMARK,
            benchmarks.n_las,
            f"the comparators come from the benchmark file {benchmarks.source} "
            f"(release {benchmarks.release_version}), which is "
            + ("the whole nation" if benchmarks.national else "not the whole nation"),
            coverage.missing,
        )
    neighbours = run_neighbours(areas, settings)
    est = shrink_neighbourhoods(est, conf)
    # Suppress before comparators are attached, so that no comparator value
    # (a region or LA type of one small LA, a single small neighbour, a small
    # England) carries a suppressed estimate into a published row. Secondary
    # suppression hides more cells, so that no additive set (groups and their
    # LA, neighbourhoods and their LA, LAs and their region...) gives a
    # suppressed cell away by differencing.
    est = apply_suppression(est, settings.min_base, areas)
    if selected is not None:
        est = _only_selected(est, selected)
    pooled = coverage.source == SOURCE_MICRODATA and not coverage.national
    est = add_comparators(est, areas, neighbours, pooled_microdata=pooled)
    est = add_change(est, conf)
    spine = spine_table(est)
    alpha = alpha_table(values, measures, reference, la_codes=selected)
    if use_file or (pooled and coverage.n_las < 2):
        # The pooled microdata are not England, and one LA is not its own comparator.
        alpha = alpha[alpha["area_code"] != ENGLAND_CODE]
    if use_file:
        assert benchmarks is not None
        spine = _release_spine(spine, benchmarks, est)
        alpha = pd.concat([alpha, benchmarks.alpha], ignore_index=True)
    # Alpha is a published figure too: none on fewer than min_base complete cases.
    alpha.loc[alpha["n"] < settings.min_base, "alpha"] = np.nan
    scopes, la_scopes = comparator_scopes(
        areas,
        est,
        neighbours,
        coverage,
        k_requested=settings.neighbours_k,
        released=benchmarks.released if use_file and benchmarks is not None else frozenset(),
    )
    est = _name_comparators(est, scopes)
    est = est.sort_values(
        ["wave", "level", "area_code", "breakdown", "group_code", "indicator"], na_position="first"
    ).reset_index(drop=True)
    return EstimateSet(
        estimates=est,
        neighbours=neighbours,
        alpha=alpha,
        spine=spine,
        reference=reference,
        waves=tuple(sorted(int(w) for w in values["wave"].unique())),
        scopes=scopes,
        la_scopes=la_scopes,
        areas=areas,
        coverage=coverage,
        benchmark_release=benchmarks.release_version if use_file and benchmarks else None,
        reference_name=_reference_name(coverage, benchmarks),
        la_codes=selected,
    )


def _only_selected(est: pd.DataFrame, la_codes: tuple[str, ...]) -> pd.DataFrame:
    """Drop the group and neighbourhood rows of LAs not asked for (after suppression)."""
    other = est["la_code"].notna() & ~est["la_code"].isin(la_codes)
    overall = (est["level"] == "la") & (est["breakdown"] == "all")
    return est[~(other & ~overall)].reset_index(drop=True)


def _reference_name(coverage: Coverage, release: BenchmarkRelease | None) -> str:
    """Whose first wave the index reference is: England, or the LAs it really pools."""
    if release is not None:
        return (
            ENGLAND_NAME if release.national else f"the {release.n_las} LAs in the benchmark file"
        )
    if coverage.national:
        return ENGLAND_NAME
    return f"the {coverage.n_las} LAs in this data set" if coverage.n_las > 1 else "this LA"


def _release_spine(
    spine: pd.DataFrame, release: BenchmarkRelease, est: pd.DataFrame
) -> pd.DataFrame:
    """The release's LA distribution where it has the wave; the run's own elsewhere."""
    theirs = with_england(release.spine, est)
    waves = set(theirs["wave"])
    ours = spine[~spine["wave"].isin(waves)]
    return pd.concat([theirs, ours], ignore_index=True).sort_values(
        ["wave", "indicator"], ignore_index=True
    )
