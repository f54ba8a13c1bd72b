"""Statistics: pure estimators and the one vectorised pass of estimates over all LAs.

Every estimator is pure: arrays or data frames in, arrays or data frames out,
no I/O. The modules, each owning one concern:

* ``intervals``: the normal critical value and the Wilson score interval;
* ``weighting``: weighted proportions and means, Kish n_eff, design effect;
* ``summaries``: grouped weighted summaries of many indicators in one pass;
* ``comparison``: significance against a comparator, change between waves;
* ``reliability``: Cronbach's alpha;
* ``shrinkage``: empirical Bayes estimates for small areas;
* ``association``: Spearman's rank correlation and its confidence interval;
* ``neighbours``: statistical nearest neighbours of an LA;
* ``columns``: the vocabulary of the estimates frame (levels, comparators, sources);
* ``direct``: respondent values and the direct estimates of every level;
* ``derived``: what the pass derives (shrinkage, disclosure, comparators, change,
  spine, alpha);
* ``areas``: every LA of a run, neighbour candidates, the neighbours used;
* ``coverage``: the whole-nation rule (is a pooled sample the nation?);
* ``scopes``: comparators named for what they are, and their sentences;
* ``release``: the benchmark file's format and a checked release;
* ``benchmarks``: the benchmark table of a run (pure);
* ``benchmark_io``: reading and writing benchmark files (the only I/O here);
* ``prechecks``: what the pass would refuse, found cheaply before any work
  (for ``validate`` and ``build`` alike), and the nearest-neighbour candidates;
* ``estimates``: the one vectorised pass that publishes every estimate.
"""

from civicpulse_report.statistics.association import rank_correlation, rank_correlation_interval
from civicpulse_report.statistics.benchmark_io import read_benchmarks, write_benchmarks
from civicpulse_report.statistics.benchmarks import benchmark_table
from civicpulse_report.statistics.columns import GROUPS, SCOPE_LEVELS
from civicpulse_report.statistics.comparison import change_test, compare_to_comparator
from civicpulse_report.statistics.coverage import Coverage, microdata_coverage
from civicpulse_report.statistics.estimates import (
    COMPARATOR_LABELS,
    COMPARATORS,
    INDEX_PREFIX,
    EstimateSet,
    compute_estimates,
    index_id,
    indicator_polarity,
    indicator_types,
    respondent_values,
)
from civicpulse_report.statistics.intervals import wilson_interval, z_value
from civicpulse_report.statistics.prechecks import (
    estimate_problems,
    neighbour_candidates,
    neighbours_k_used,
)
from civicpulse_report.statistics.release import BenchmarkRelease, check_release
from civicpulse_report.statistics.scopes import ComparatorScope, comparator_sentence, scope_lines
from civicpulse_report.statistics.summaries import (
    SUMMARY_COLUMNS,
    summarise_groupings,
    summarise_groups,
)
from civicpulse_report.statistics.weighting import (
    design_effect,
    kish_effective_n,
    weighted_mean,
    weighted_proportion,
)

__all__ = [
    "COMPARATORS",
    "COMPARATOR_LABELS",
    "GROUPS",
    "INDEX_PREFIX",
    "SCOPE_LEVELS",
    "SUMMARY_COLUMNS",
    "BenchmarkRelease",
    "ComparatorScope",
    "Coverage",
    "EstimateSet",
    "benchmark_table",
    "change_test",
    "check_release",
    "comparator_sentence",
    "compare_to_comparator",
    "compute_estimates",
    "design_effect",
    "estimate_problems",
    "index_id",
    "indicator_polarity",
    "indicator_types",
    "kish_effective_n",
    "microdata_coverage",
    "neighbour_candidates",
    "neighbours_k_used",
    "rank_correlation",
    "rank_correlation_interval",
    "read_benchmarks",
    "respondent_values",
    "scope_lines",
    "summarise_groupings",
    "summarise_groups",
    "weighted_mean",
    "weighted_proportion",
    "wilson_interval",
    "write_benchmarks",
    "z_value",
]
