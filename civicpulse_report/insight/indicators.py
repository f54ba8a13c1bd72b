"""How insight refers to indicators and domains.

The ids under which domain indices are published (``index_<domain>``), the
two indices the lenses compare (traditional satisfaction and the Civic Pulse
drivers), the domains that count as assets, and readable indicator labels.
"""

from __future__ import annotations

from civicpulse_report.measures import Measures
from civicpulse_report.statistics import INDEX_PREFIX

# These mirror civicpulse_report.statistics.estimates; defined here so insight does
# not import the estimation pass (and its I/O dependencies) to read a frame.
TRADITIONAL_INDEX = "index_traditional"
DRIVERS_INDEX = "index_drivers"

#: Domains whose higher-is-better indicators count as assets to build on; a low
#: deficit or barrier is not an asset.
ASSET_DOMAINS = ("assets", "everyday")


def index_indicator(domain_id: str) -> str:
    """The indicator id under which a domain index is published (``index_<domain>``)."""
    return f"{INDEX_PREFIX}{domain_id}"


def is_index(indicator_id: str) -> bool:
    """Whether an indicator id is a domain index."""
    return indicator_id.startswith(INDEX_PREFIX)


def index_domain(indicator_id: str) -> str:
    """The domain id of a domain index's indicator id (``index_<domain>`` -> ``<domain>``)."""
    return indicator_id[len(INDEX_PREFIX) :]


def indicator_label(measures: Measures, indicator_id: str) -> str:
    """Readable label of an indicator or a domain index ("Drivers of ... index")."""
    if is_index(indicator_id):
        return f"{measures.domain(index_domain(indicator_id)).label} index"
    return measures.indicator(indicator_id).label
