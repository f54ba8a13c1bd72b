"""The index of reports: ``reports/<year>/index.html`` (issue 7).

One self-contained page lists every LA that has a report on disk for the
year, and every LA that failed: its region and type, the five Civic Pulse
domain indices with their confidence intervals and significance against
England (a symbol and a word, never colour alone), its quadrant, and links
to the files that exist (``report.html``, ``report.pdf``, ``report.docx``,
``tables.csv``). It links the national draft (``national/report.*``) when
built. Sorting and searching are a small inlined script
(``templates/index.js``); the page has no network dependency at all.

The page is built from what is on disk, not from one run, so a partial
rebuild (``--la X``) still lists every LA built earlier that year.

Inputs on disk
--------------
``<year_dir>/<la_code>/manifest.json``
    Written by the pipeline for each built LA. The index reads its
    ``index_entry`` member, a small dict made by :func:`index_entry_from_facts`
    from the LA's fact bundle. Its keys (all JSON types):

    ``version`` : int
        :data:`INDEX_ENTRY_VERSION` (1).
    ``la_code``, ``la_name``, ``region``, ``la_type`` : str
        From the bundle's ``meta``. The name is untrusted text and is escaped.
    ``synthetic`` : bool
        The report was built from the synthetic demo data.
    ``confidence_level`` : float
        For example 0.95; the legend names the interval from it.
    ``domains`` : list of dict, one per Civic Pulse domain, in report order
        ``indicator`` (str, e.g. ``"index_everyday"``), ``label`` (str, e.g.
        ``"Everyday citizenship"``), ``estimate``, ``ci_lower``, ``ci_upper``
        (float or null; always null when suppressed), ``sig_england`` (str, a
        key of :data:`~civicpulse_report.report.present.SIGNIFICANCE_TEXT`)
        and ``suppressed`` (bool).
    ``quadrant`` : str or null
        The LA's quadrant (``"hidden need"``, ...), null when not classified.

    A manifest without ``index_entry`` (an older build) is still listed: the
    numbers are read from the fact bundle at ``parameters.facts_path`` when
    that file exists, and otherwise the row shows the name and links only.
    A folder with report files but no readable manifest is listed by code.

``<year_dir>/failed/<la_code>/failure.json``
    Written by :func:`record_failure` when an LA fails: ``la_code``,
    ``reason``, ``failed_at`` (ISO 8601 UTC), ``synthetic`` and, when known,
    ``la_name``, ``region`` and ``la_type``. A failure is shown unless the LA's manifest
    was built after it. Failures passed to :func:`collect_index_entries`
    directly (this run's) always win.

A failed LA whose earlier report is still on disk is listed as failed, with
the reason, and links to the earlier report.

Modules: ``entries`` (the rows and the manifest's ``index_entry``),
``collect`` (reading the year folder, failure records, national links) and
``html`` (the page).
"""

from civicpulse_report.report.index_page.collect import (
    atomic_write,
    clear_failure,
    collect_index_entries,
    failure_reasons,
    find_national_links,
    record_failure,
)
from civicpulse_report.report.index_page.entries import (
    FAILED_DIR,
    FAILURE_FILE,
    INDEX_ENTRY_VERSION,
    INDEX_FILE,
    MANIFEST_FILE,
    NATIONAL_DIR,
    NATIONAL_FILES,
    REPORT_FILES,
    DomainResult,
    IndexEntry,
    Link,
    Status,
    entry_from_index_dict,
    index_entry_from_facts,
)
from civicpulse_report.report.index_page.html import render_index, write_index

__all__ = [
    "FAILED_DIR",
    "FAILURE_FILE",
    "INDEX_ENTRY_VERSION",
    "INDEX_FILE",
    "MANIFEST_FILE",
    "NATIONAL_DIR",
    "NATIONAL_FILES",
    "REPORT_FILES",
    "DomainResult",
    "IndexEntry",
    "Link",
    "Status",
    "atomic_write",
    "clear_failure",
    "collect_index_entries",
    "entry_from_index_dict",
    "failure_reasons",
    "find_national_links",
    "index_entry_from_facts",
    "record_failure",
    "render_index",
    "write_index",
]
