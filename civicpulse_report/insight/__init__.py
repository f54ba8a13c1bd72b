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

from civicpulse_report._lazy import lazy_exports

#: Where each public name lives; imported on first use (see :mod:`civicpulse_report._lazy`).
_EXPORTS = {
    "Intervention": "civicpulse_report.insight.interventions",
    "LAView": "civicpulse_report.insight.view",
    "NOT_CLEARLY_PLACED": "civicpulse_report.insight.quadrants",
    "NationalAnalysis": "civicpulse_report.insight.national_analysis",
    "PRIORITY_METHOD": "civicpulse_report.insight.priorities",
    "SIGNIFICANT_QUADRANT_LABELS": "civicpulse_report.insight.quadrants",
    "analyse_nation": "civicpulse_report.insight.national_analysis",
    "estimates_alt": "civicpulse_report.insight.alt_text",
    "figure_of": "civicpulse_report.insight.sentences",
    "format_ci": "civicpulse_report.insight.formatting",
    "format_value": "civicpulse_report.insight.formatting",
    "is_proper_name": "civicpulse_report.insight.sentences",
    "key_findings": "civicpulse_report.insight.findings",
    "legacy_alt": "civicpulse_report.insight.alt_text_contrast",
    "legacy_comparison": "civicpulse_report.insight.legacy",
    "lens_alt": "civicpulse_report.insight.alt_text_contrast",
    "lens_comparison": "civicpulse_report.insight.lenses",
    "load_interventions": "civicpulse_report.insight.interventions",
    "named_value": "civicpulse_report.insight.sentences",
    "national_figure_alt": "civicpulse_report.insight.national_alt",
    "national_key_findings": "civicpulse_report.insight.national_findings",
    "possessive": "civicpulse_report.insight.sentences",
    "priorities_alt": "civicpulse_report.insight.alt_text_contrast",
    "priority_method": "civicpulse_report.insight.priorities",
    "priority_table": "civicpulse_report.insight.priorities",
    "quadrant_alt": "civicpulse_report.insight.alt_text_contrast",
    "quadrant_counts": "civicpulse_report.insight.quadrants",
    "quadrant_table": "civicpulse_report.insight.quadrants",
    "recommend": "civicpulse_report.insight.recommendations",
    "spine_alt": "civicpulse_report.insight.alt_text",
    "tiles_alt": "civicpulse_report.insight.alt_text_contrast",
    "trend_alt": "civicpulse_report.insight.alt_text",
}

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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
