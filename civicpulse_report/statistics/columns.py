"""The vocabulary of the estimates frame: levels, comparators, sources and index ids.

Owns the names every module of the all-LA pass shares, so that none of them
imports another for a constant: the comparator levels and their standard
labels, the numbers a published cell carries, where a row came from
(``microdata`` or ``benchmark file``) and how a domain index is named.
"""

from __future__ import annotations

from civicpulse_report.statistics.summaries import SUMMARY_COLUMNS

ENGLAND_NAME = "England"
INDEX_PREFIX = "index_"

# The numbers summarise_groups publishes for every cell.
NUMERIC_COLUMNS: tuple[str, ...] = SUMMARY_COLUMNS[2:]

# Comparator levels of an LA's overall rows, in report order.
COMPARATORS = ("england", "region", "la_type", "neighbours")
COMPARATOR_LABELS = {
    "england": "England",
    "region": "Region",
    "la_type": "LA type",
    "neighbours": "Nearest neighbours",
}
# The scope of what an LA's groups and neighbourhoods are compared with (the
# top-level row: England, the LAs of a data set, or the LA's own average).
GROUPS = "groups"
SCOPE_LEVELS = (*COMPARATORS, GROUPS)

# Where a row of the estimates frame, or a comparator, comes from.
SOURCE_MICRODATA = "microdata"
SOURCE_BENCHMARK = "benchmark file"
SOURCE_NONE = "none"

# The levels at or above LA level, the ones a benchmark file publishes.
AREA_LEVELS = ("england", "region", "la_type", "la")


def index_id(domain_id: str) -> str:
    """The indicator id under which a domain index is published.

    Parameters
    ----------
    domain_id : str

    Returns
    -------
    str
        ``index_<domain_id>``.
    """
    return f"{INDEX_PREFIX}{domain_id}"
