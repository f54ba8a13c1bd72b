"""Report: what a report shows. Fact bundles, tables, figures and presentation helpers.

The notebooks in ``analysis/`` read a bundle with :func:`read_facts` and draw
with :mod:`~civicpulse_report.report.plots` and
:mod:`~civicpulse_report.report.present`; they never compute a statistic.
"""

from civicpulse_report._lazy import lazy_exports

#: Where each public name lives; imported on first use (see :mod:`civicpulse_report._lazy`).
_EXPORTS = {
    "FAILED_DIR": "civicpulse_report.report.index_page",
    "FAILURE_FILE": "civicpulse_report.report.index_page",
    "LA_SECTIONS": "civicpulse_report.report.narrative",
    "NATIONAL_SECTIONS": "civicpulse_report.report.narrative",
    "TABLE_COLUMNS": "civicpulse_report.report.tables",
    "build_facts": "civicpulse_report.report.facts",
    "build_national_facts": "civicpulse_report.report.national_facts",
    "clear_failure": "civicpulse_report.report.index_page",
    "collect_index_entries": "civicpulse_report.report.index_page",
    "facts_to_table": "civicpulse_report.report.tables",
    "failure_reasons": "civicpulse_report.report.index_page",
    "fill_captions": "civicpulse_report.report.captions",
    "index_entry_from_facts": "civicpulse_report.report.index_page",
    "narrative_path": "civicpulse_report.report.narrative",
    "national_facts_to_table": "civicpulse_report.report.national_tables",
    "read_facts": "civicpulse_report.report.present",
    "read_narrative": "civicpulse_report.report.narrative",
    "record_failure": "civicpulse_report.report.index_page",
    "write_facts": "civicpulse_report.report.facts",
    "write_index": "civicpulse_report.report.index_page",
    "write_tables": "civicpulse_report.report.tables",
}

__all__ = [
    "FAILED_DIR",
    "FAILURE_FILE",
    "LA_SECTIONS",
    "NATIONAL_SECTIONS",
    "TABLE_COLUMNS",
    "build_facts",
    "build_national_facts",
    "clear_failure",
    "collect_index_entries",
    "facts_to_table",
    "failure_reasons",
    "fill_captions",
    "index_entry_from_facts",
    "narrative_path",
    "national_facts_to_table",
    "read_facts",
    "read_narrative",
    "record_failure",
    "write_facts",
    "write_index",
    "write_tables",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
