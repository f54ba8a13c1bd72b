"""Statistics: pure estimators and the one vectorised pass of estimates over all LAs."""

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
from civicpulse_report.statistics.stats import (
    design_effect,
    kish_effective_n,
    summarise_groupings,
    summarise_groups,
)

__all__ = [
    "COMPARATORS",
    "COMPARATOR_LABELS",
    "INDEX_PREFIX",
    "EstimateSet",
    "compute_estimates",
    "design_effect",
    "index_id",
    "indicator_polarity",
    "indicator_types",
    "kish_effective_n",
    "respondent_values",
    "summarise_groupings",
    "summarise_groups",
]
