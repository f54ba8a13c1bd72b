"""Insight: what the numbers mean and what to do.

Every per-LA function works on one LA's view of the estimates
(:class:`LAView`, built once by :meth:`LAView.from_estimates`); the quadrant
table alone reads every LA. The rooms:

* ``view`` - the LA's view, and its units' keys and readable names;
* ``quadrants``, ``legacy``, ``lenses`` - Civic Pulse against the older
  satisfaction lens: every LA's quadrant, the older surveys' figures beside
  Civic Pulse, and the lenses compared across one LA's groups and places;
* ``interventions``, ``priorities``, ``evidence``, ``recommendations`` -
  the intervention library, where to act first, and what to do there;
* ``formatting``, ``sentences``, ``findings``, ``lens_findings`` - the one
  number formatter and the plain-English key findings written from the
  numbers;
* ``indicators``, ``gaps`` - indicator ids and labels, and the comparisons
  with England that the rooms above share.
"""

from civicpulse_report.insight.findings import key_findings
from civicpulse_report.insight.formatting import format_ci, format_value
from civicpulse_report.insight.interventions import Intervention, load_interventions
from civicpulse_report.insight.legacy import legacy_comparison
from civicpulse_report.insight.lenses import lens_comparison
from civicpulse_report.insight.priorities import PRIORITY_METHOD, priority_table
from civicpulse_report.insight.quadrants import quadrant_table
from civicpulse_report.insight.recommendations import recommend
from civicpulse_report.insight.view import LAView

__all__ = [
    "PRIORITY_METHOD",
    "Intervention",
    "LAView",
    "format_ci",
    "format_value",
    "key_findings",
    "legacy_comparison",
    "lens_comparison",
    "load_interventions",
    "priority_table",
    "quadrant_table",
    "recommend",
]
