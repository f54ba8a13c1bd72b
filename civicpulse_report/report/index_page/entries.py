"""The index's rows: what one LA's entry holds, and how it is made from a fact bundle.

Owns the index's data model (:class:`IndexEntry`, :class:`DomainResult`,
:class:`Link`), the ``index_entry`` dict the pipeline writes into each
``manifest.json`` (:func:`index_entry_from_facts`) and its reading back from
untrusted JSON (:func:`entry_from_index_dict`), and the file names the index
uses. The package docstring (``index_page/__init__.py``) documents the keys.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from civicpulse_report.report.present import SIGNIFICANCE_TEXT

INDEX_ENTRY_VERSION = 1
INDEX_FILE = "index.html"
MANIFEST_FILE = "manifest.json"
FAILED_DIR = "failed"
FAILURE_FILE = "failure.json"
NATIONAL_DIR = "national"

#: The files a report folder may hold that the index links, in link order:
#: (kind, file name, link text).
REPORT_FILES: tuple[tuple[str, str, str], ...] = (
    ("html", "report.html", "HTML"),
    ("pdf", "report.pdf", "PDF"),
    ("docx", "report.docx", "Word"),
    ("csv", "tables.csv", "CSV tables"),
)
NATIONAL_FILES: tuple[tuple[str, str, str], ...] = (
    ("html", "report.html", "HTML"),
    ("pdf", "report.pdf", "PDF"),
    ("docx", "report.docx", "Word"),
)

Status = Literal["built", "failed"]


@dataclass(frozen=True)
class DomainResult:
    """One domain index of one LA, as the index shows it."""

    indicator: str
    label: str
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    sig_england: str = "not tested"
    suppressed: bool = False


@dataclass(frozen=True)
class Link:
    """A relative link to a file that exists (``X06000001/report.html``)."""

    kind: str
    href: str
    text: str


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index: an LA with a report on disk, or one that failed.

    Attributes
    ----------
    la_code, la_name : str
        ``la_name`` is untrusted text (from the LA lookup); it is escaped.
    region, la_type : str or None
    status : "built" or "failed"
    failure_reason : str or None
        Why the LA failed (only when ``status`` is "failed").
    domains : tuple of DomainResult
        The domain indices; empty when the numbers are not on disk.
    quadrant : str or None
    links : tuple of Link
        Links to the LA's files that exist, relative to the year folder. A
        failed LA keeps the links to its earlier report, if any.
    built_at : str or None
        ISO time the linked report was built (from its manifest).
    synthetic : bool
    confidence_level : float or None
    """

    la_code: str
    la_name: str
    region: str | None = None
    la_type: str | None = None
    status: Status = "built"
    failure_reason: str | None = None
    domains: tuple[DomainResult, ...] = ()
    quadrant: str | None = None
    links: tuple[Link, ...] = ()
    built_at: str | None = None
    synthetic: bool = False
    confidence_level: float | None = None


def as_number(value: Any) -> float | None:
    """A finite float from untrusted JSON, else None (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def as_text(value: Any) -> str | None:
    """Text with runs of white space collapsed, from untrusted JSON, else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        text = " ".join(str(value).split())
        return text or None
    return None


def known_flag(value: Any) -> str:
    """A significance key of ``SIGNIFICANCE_TEXT``; anything else is "not tested"."""
    return value if isinstance(value, str) and value in SIGNIFICANCE_TEXT else "not tested"


def index_entry_from_facts(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The ``index_entry`` dict for ``manifest.json``, from one LA's fact bundle.

    Parameters
    ----------
    bundle : mapping
        A fact bundle (:func:`~civicpulse_report.report.facts.build_facts`).

    Returns
    -------
    dict
        JSON-safe; the keys are listed in the module docstring. Suppressed
        indices carry no numbers.
    """
    meta = bundle["meta"]
    domains = []
    for rec in bundle.get("headline", []):
        suppressed = bool(rec.get("suppressed"))
        domains.append(
            {
                "indicator": str(rec.get("indicator")),
                "label": str(rec.get("short") or rec.get("label") or rec.get("indicator")),
                "estimate": None if suppressed else as_number(rec.get("estimate")),
                "ci_lower": None if suppressed else as_number(rec.get("ci_lower")),
                "ci_upper": None if suppressed else as_number(rec.get("ci_upper")),
                "sig_england": "not tested" if suppressed else known_flag(rec.get("sig_england")),
                "suppressed": suppressed,
            }
        )
    quadrant = None
    this = bundle.get("this_quadrant") or []
    if this and isinstance(this[0], Mapping):
        quadrant = as_text(this[0].get("quadrant"))
    return {
        "version": INDEX_ENTRY_VERSION,
        "la_code": str(meta["la_code"]),
        "la_name": str(meta["la_name"]),
        "region": as_text(meta.get("region")),
        "la_type": as_text(meta.get("la_type")),
        "synthetic": bool(meta.get("synthetic")),
        "confidence_level": as_number(meta.get("confidence_level")),
        "domains": domains,
        "quadrant": quadrant,
    }


def _domains(data: Any) -> tuple[DomainResult, ...]:
    if not isinstance(data, list):
        return ()
    out = []
    for rec in data:
        if not isinstance(rec, Mapping):
            continue
        indicator = as_text(rec.get("indicator"))
        if indicator is None:
            continue
        suppressed = bool(rec.get("suppressed"))
        out.append(
            DomainResult(
                indicator=indicator,
                label=as_text(rec.get("label")) or indicator,
                estimate=None if suppressed else as_number(rec.get("estimate")),
                ci_lower=None if suppressed else as_number(rec.get("ci_lower")),
                ci_upper=None if suppressed else as_number(rec.get("ci_upper")),
                sig_england="not tested" if suppressed else known_flag(rec.get("sig_england")),
                suppressed=suppressed,
            )
        )
    return tuple(out)


def entry_from_index_dict(
    data: Mapping[str, Any],
    *,
    la_code: str,
    links: Sequence[Link] = (),
    built_at: str | None = None,
) -> IndexEntry:
    """A built :class:`IndexEntry` from an ``index_entry`` dict (untrusted JSON).

    ``la_code`` is the folder's name, which wins over the dict's own code.
    Values of the wrong type are dropped, never trusted.
    """
    return IndexEntry(
        la_code=la_code,
        la_name=as_text(data.get("la_name")) or la_code,
        region=as_text(data.get("region")),
        la_type=as_text(data.get("la_type")),
        status="built",
        domains=_domains(data.get("domains")),
        quadrant=as_text(data.get("quadrant")),
        links=tuple(links),
        built_at=built_at,
        synthetic=data.get("synthetic") is True,
        confidence_level=as_number(data.get("confidence_level")),
    )


def fold(text: str) -> str:
    """Lower case without accents, as the page's search folds text."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def entry_order(entry: IndexEntry) -> tuple[str, str]:
    """Sort key of an entry: its folded name, then its code."""
    return (fold(entry.la_name), entry.la_code)
