"""Report: what a report shows. Fact bundles, tables, figures and presentation helpers.

The notebooks in ``analysis/`` read a bundle with :func:`read_facts` and draw
with :mod:`~civicpulse_report.report.plots` and
:mod:`~civicpulse_report.report.present`; they never compute a statistic.
"""

from civicpulse_report.report.facts import build_facts, read_facts, write_facts
from civicpulse_report.report.index_page import (
    FAILED_DIR,
    FAILURE_FILE,
    clear_failure,
    collect_index_entries,
    failure_reasons,
    index_entry_from_facts,
    record_failure,
    write_index,
)
from civicpulse_report.report.narrative import (
    LA_SECTIONS,
    NATIONAL_SECTIONS,
    narrative_path,
    read_narrative,
)
from civicpulse_report.report.national_facts import build_national_facts
from civicpulse_report.report.national_tables import national_facts_to_table
from civicpulse_report.report.present import fill_captions
from civicpulse_report.report.tables import TABLE_COLUMNS, facts_to_table, write_tables

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
