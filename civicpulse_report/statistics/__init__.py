"""Statistics: pure estimators and the one vectorised pass of estimates over all LAs.

Every estimator is pure: arrays or data frames in, arrays or data frames out,
no I/O. The modules, each owning one concern:

* ``intervals``: the normal critical value and the Wilson score interval;
* ``weighting``: weighted proportions and means, Kish n_eff, design effect;
* ``summaries``: grouped weighted summaries of many indicators in one pass;
* ``comparison``: significance against a comparator, change between waves;
* ``reliability``: Cronbach's alpha;
* ``shrinkage``: empirical Bayes estimates for small areas;
* ``association``: Spearman's rank correlation;
* ``neighbours``: statistical nearest neighbours of an LA;
* ``estimates``: the one vectorised pass that publishes every estimate.
"""

from civicpulse_report.statistics.association import rank_correlation
from civicpulse_report.statistics.comparison import change_test, compare_to_comparator
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
from civicpulse_report.statistics.summaries import summarise_groupings, summarise_groups
from civicpulse_report.statistics.weighting import (
    design_effect,
    kish_effective_n,
    weighted_mean,
    weighted_proportion,
)

__all__ = [
    "COMPARATORS",
    "COMPARATOR_LABELS",
    "INDEX_PREFIX",
    "EstimateSet",
    "change_test",
    "compare_to_comparator",
    "compute_estimates",
    "design_effect",
    "index_id",
    "indicator_polarity",
    "indicator_types",
    "kish_effective_n",
    "rank_correlation",
    "respondent_values",
    "summarise_groupings",
    "summarise_groups",
    "weighted_mean",
    "weighted_proportion",
    "wilson_interval",
    "z_value",
]
