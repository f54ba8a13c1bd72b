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
* ``alt_text`` - what each chart of an LA report shows, in a sentence from
  the chart's rows (its alt text);
* ``indicators``, ``gaps`` - indicator ids and labels, and the comparisons
  with England that the rooms above share;
* ``national``, ``national_lenses``, ``national_need``, ``national_change``,
  ``national_analysis``, ``national_findings``, ``national_alt`` - England as
  a whole for the national draft, from the all-LA frame: LA distributions and
  significance bands, regions, LA types and groups, the old lens against the
  new across LAs, where need is greatest and what the LA reports recommend,
  change since the last wave, and the findings and figure descriptions
  written from them.
"""

from civicpulse_report.insight.alt_text import estimates_alt, spine_alt, trend_alt
from civicpulse_report.insight.alt_text_contrast import (
    legacy_alt,
    lens_alt,
    priorities_alt,
    quadrant_alt,
    tiles_alt,
)
from civicpulse_report.insight.findings import key_findings
from civicpulse_report.insight.formatting import format_ci, format_value
from civicpulse_report.insight.interventions import Intervention, load_interventions
from civicpulse_report.insight.legacy import legacy_comparison
from civicpulse_report.insight.lenses import lens_comparison
from civicpulse_report.insight.national_alt import national_figure_alt
from civicpulse_report.insight.national_analysis import NationalAnalysis, analyse_nation
from civicpulse_report.insight.national_findings import national_key_findings
from civicpulse_report.insight.priorities import PRIORITY_METHOD, priority_method, priority_table
from civicpulse_report.insight.quadrants import (
    NOT_CLEARLY_PLACED,
    SIGNIFICANT_QUADRANT_LABELS,
    quadrant_counts,
    quadrant_table,
)
from civicpulse_report.insight.recommendations import recommend
from civicpulse_report.insight.sentences import (
    figure_of,
    is_proper_name,
    named_value,
    possessive,
)
from civicpulse_report.insight.view import LAView

__all__ = [
    "NOT_CLEARLY_PLACED",
    "PRIORITY_METHOD",
    "SIGNIFICANT_QUADRANT_LABELS",
    "Intervention",
    "LAView",
    "NationalAnalysis",
    "analyse_nation",
    "estimates_alt",
    "figure_of",
    "format_ci",
    "format_value",
    "is_proper_name",
    "key_findings",
    "legacy_alt",
    "legacy_comparison",
    "lens_alt",
    "lens_comparison",
    "load_interventions",
    "named_value",
    "national_figure_alt",
    "national_key_findings",
    "possessive",
    "priorities_alt",
    "priority_method",
    "priority_table",
    "quadrant_alt",
    "quadrant_counts",
    "quadrant_table",
    "recommend",
    "spine_alt",
    "tiles_alt",
    "trend_alt",
]
