"""Report: what a report shows. Fact bundles, tables, figures and presentation helpers.

The notebooks in ``analysis/`` read a bundle with :func:`read_facts` and draw
with :mod:`~civicpulse_report.report.plots` and
:mod:`~civicpulse_report.report.present`; they never compute a statistic.
"""

from civicpulse_report.report.facts import build_facts, read_facts, write_facts
from civicpulse_report.report.tables import TABLE_COLUMNS, facts_to_table, write_tables

__all__ = [
    "TABLE_COLUMNS",
    "build_facts",
    "facts_to_table",
    "read_facts",
    "write_facts",
    "write_tables",
]
