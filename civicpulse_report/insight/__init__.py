"""Insight: what the numbers mean and what to do.

``contrast`` sets Civic Pulse against the old satisfaction lens, ``recommend``
finds where to act and what to do, and ``findings`` turns both into
plain-English sentences generated from the numbers.
"""

from civicpulse_report.insight.contrast import (
    legacy_comparison,
    lens_comparison,
    quadrant_table,
)
from civicpulse_report.insight.findings import format_ci, format_value, key_findings
from civicpulse_report.insight.recommend import (
    PRIORITY_METHOD,
    Intervention,
    load_interventions,
    priority_table,
)

__all__ = [
    "PRIORITY_METHOD",
    "Intervention",
    "format_ci",
    "format_value",
    "key_findings",
    "legacy_comparison",
    "lens_comparison",
    "load_interventions",
    "priority_table",
    "quadrant_table",
]
