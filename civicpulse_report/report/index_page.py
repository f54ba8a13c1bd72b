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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import logging
import math
import os
import re
import string
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from civicpulse_report import paths
from civicpulse_report.errors import BuildFailure
from civicpulse_report.inputs import check_la_code
from civicpulse_report.insight import format_ci, format_value
from civicpulse_report.report.present import SIGNIFICANCE_SYMBOL, SIGNIFICANCE_TEXT

log = logging.getLogger(__name__)

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

_TEMPLATE_FILE = "index.html"
_TEMPLATE_COMMENT = re.compile(r"(?<=<!DOCTYPE html>\n)<!--.*?-->\n", re.S)
_SCRIPT_FILE = "index.js"
_HOUSE_CSS = "report.css"
_SYNTHETIC_BANNER = (
    '<div class="synthetic-banner" role="note" aria-label="Synthetic data notice">\n'
    "<strong>Synthetic demonstration data — not real survey results.</strong>\n"
    "<span>Places, codes and numbers on this page and in every report it lists "
    "are fictional and made for testing.</span>\n"
    "</div>"
)


# --------------------------------------------------------------------------
# Entries
# --------------------------------------------------------------------------


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


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        text = " ".join(str(value).split())
        return text or None
    return None


def _flag(value: Any) -> str:
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
                "estimate": None if suppressed else _number(rec.get("estimate")),
                "ci_lower": None if suppressed else _number(rec.get("ci_lower")),
                "ci_upper": None if suppressed else _number(rec.get("ci_upper")),
                "sig_england": "not tested" if suppressed else _flag(rec.get("sig_england")),
                "suppressed": suppressed,
            }
        )
    quadrant = None
    this = bundle.get("this_quadrant") or []
    if this and isinstance(this[0], Mapping):
        quadrant = _text(this[0].get("quadrant"))
    return {
        "version": INDEX_ENTRY_VERSION,
        "la_code": str(meta["la_code"]),
        "la_name": str(meta["la_name"]),
        "region": _text(meta.get("region")),
        "la_type": _text(meta.get("la_type")),
        "synthetic": bool(meta.get("synthetic")),
        "confidence_level": _number(meta.get("confidence_level")),
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
        indicator = _text(rec.get("indicator"))
        if indicator is None:
            continue
        suppressed = bool(rec.get("suppressed"))
        out.append(
            DomainResult(
                indicator=indicator,
                label=_text(rec.get("label")) or indicator,
                estimate=None if suppressed else _number(rec.get("estimate")),
                ci_lower=None if suppressed else _number(rec.get("ci_lower")),
                ci_upper=None if suppressed else _number(rec.get("ci_upper")),
                sig_england="not tested" if suppressed else _flag(rec.get("sig_england")),
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
        la_name=_text(data.get("la_name")) or la_code,
        region=_text(data.get("region")),
        la_type=_text(data.get("la_type")),
        status="built",
        domains=_domains(data.get("domains")),
        quadrant=_text(data.get("quadrant")),
        links=tuple(links),
        built_at=built_at,
        synthetic=data.get("synthetic") is True,
        confidence_level=_number(data.get("confidence_level")),
    )


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _file_links(
    folder: Path, prefix: str, files: Sequence[tuple[str, str, str]]
) -> tuple[Link, ...]:
    return tuple(
        Link(kind, f"{prefix}/{name}", text)
        for kind, name, text in files
        if (folder / name).is_file()
    )


def _facts_entry(manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """An index_entry dict from the bundle an older manifest points at, if it is there."""
    params = manifest.get("parameters")
    raw = params.get("facts_path") if isinstance(params, Mapping) else None
    if not isinstance(raw, str) or not raw:
        return None
    candidates = [Path(raw)]
    if not Path(raw).is_absolute():
        candidates.append(paths.PROJECT_ROOT / raw)
    for path in candidates:
        bundle = _read_json(path)
        if bundle is None:
            continue
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            return index_entry_from_facts(bundle)
    return None


def _built_entry(folder: Path) -> IndexEntry | None:
    code = folder.name
    links = _file_links(folder, code, REPORT_FILES)
    manifest = _read_json(folder / MANIFEST_FILE)
    if manifest is None:
        if not links:
            return None
        return IndexEntry(la_code=code, la_name=code, links=links)
    if manifest.get("la_code") not in (None, code):
        log.warning(
            "%s/manifest.json names LA %r; using the folder name", code, manifest["la_code"]
        )
    built_at = _text(manifest.get("built_at"))
    data = manifest.get("index_entry")
    if not isinstance(data, Mapping):
        data = _facts_entry(manifest) or {}
    if not data.get("la_name"):
        data = {**data, "la_name": manifest.get("la_name")}
    if "synthetic" not in data:
        data = {**data, "synthetic": manifest.get("synthetic")}
    return entry_from_index_dict(data, la_code=code, links=links, built_at=built_at)


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _failed_entry(
    code: str, reason: str, built: IndexEntry | None, record: Mapping[str, Any]
) -> IndexEntry:
    def pick(key: str) -> str | None:
        if built is not None and getattr(built, key) not in (None, code):
            return getattr(built, key)
        return _text(record.get(key))

    if built is None:
        return IndexEntry(
            la_code=code,
            la_name=pick("la_name") or code,
            region=pick("region"),
            la_type=pick("la_type"),
            status="failed",
            failure_reason=reason,
            synthetic=record.get("synthetic") is True,
        )
    return IndexEntry(
        la_code=code,
        la_name=pick("la_name") or code,
        region=pick("region"),
        la_type=pick("la_type"),
        status="failed",
        failure_reason=reason,
        domains=built.domains,
        quadrant=built.quadrant,
        links=built.links,
        built_at=built.built_at,
        synthetic=built.synthetic,
        confidence_level=built.confidence_level,
    )


def _fold(text: str) -> str:
    """Lower case without accents, as the page's search folds text."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _order(entry: IndexEntry) -> tuple[str, str]:
    return (_fold(entry.la_name), entry.la_code)


def collect_index_entries(
    year_dir: Path, failures: Mapping[str, str] | None = None
) -> list[IndexEntry]:
    """Every LA with a report on disk for the year, and every failed LA.

    Parameters
    ----------
    year_dir : Path
        ``reports/<year>``. Folders whose names are not valid LA codes
        (``.staging``, ``failed``, ``national``) are not LAs.
    failures : mapping of str to str, optional
        This run's failures, LA code -> reason (see :func:`failure_reasons`).
        They win over what is on disk. Failures recorded on disk by
        :func:`record_failure` count too, unless the LA was built after them.

    Returns
    -------
    list of IndexEntry
        Sorted by LA name (accents and case ignored), then code. A failed LA
        with an earlier report on disk appears once, as failed, with the
        links to that report.
    """
    year_dir = Path(year_dir)
    built: dict[str, IndexEntry] = {}
    records: dict[str, dict[str, Any]] = {}
    if year_dir.is_dir():
        for folder in sorted(year_dir.iterdir()):
            if folder.is_dir() and check_la_code(folder.name):
                entry = _built_entry(folder)
                if entry is not None:
                    built[folder.name] = entry
        failed_dir = year_dir / FAILED_DIR
        if failed_dir.is_dir():
            for folder in sorted(failed_dir.iterdir()):
                if not (folder.is_dir() and check_la_code(folder.name)):
                    continue
                record = _read_json(folder / FAILURE_FILE)
                if record is None:
                    continue
                done = built.get(folder.name)
                failed_at = _parse_time(record.get("failed_at"))
                built_at = _parse_time(done.built_at) if done else None
                if done is not None and (
                    failed_at is None or built_at is None or built_at >= failed_at
                ):
                    continue  # rebuilt since it failed
                records[folder.name] = record

    reasons: dict[str, str] = {
        code: _text(rec.get("reason")) or "the build failed (no reason recorded)"
        for code, rec in records.items()
    }
    for code, reason in (failures or {}).items():
        reasons[str(code)] = _text(reason) or "the build failed (no reason recorded)"

    entries = {code: e for code, e in built.items() if code not in reasons}
    for code, reason in reasons.items():
        entries[code] = _failed_entry(code, reason, built.get(code), records.get(code, {}))
    return sorted(entries.values(), key=_order)


def failure_reasons(failures: Iterable[BuildFailure]) -> dict[str, str]:
    """LA code -> reason, for :func:`collect_index_entries`, from a run's failures."""
    return {f.la_code: f"{f.stage} stage: {f.message}" for f in failures}


def find_national_links(year_dir: Path) -> tuple[Link, ...]:
    """Links to the national draft's files that exist (``national/report.html``, ...)."""
    return _file_links(Path(year_dir) / NATIONAL_DIR, NATIONAL_DIR, NATIONAL_FILES)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def record_failure(
    year_dir: Path,
    la_code: str,
    reason: str,
    *,
    la_name: str | None = None,
    region: str | None = None,
    la_type: str | None = None,
    synthetic: bool = False,
    failed_at: dt.datetime | None = None,
) -> Path:
    """Write ``<year_dir>/failed/<la_code>/failure.json`` so later runs still list the failure.

    Raises
    ------
    ValueError
        If ``la_code`` is not a valid LA code (it becomes a folder name).
    """
    if not check_la_code(la_code):
        raise ValueError(f"{la_code!r} is not a valid LA code")
    when = failed_at or dt.datetime.now(dt.UTC)
    record = {
        "la_code": la_code,
        "reason": str(reason),
        "failed_at": when.isoformat(timespec="seconds"),
        "la_name": la_name,
        "region": region,
        "la_type": la_type,
        "synthetic": bool(synthetic),
    }
    path = Path(year_dir) / FAILED_DIR / la_code / FAILURE_FILE
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _atomic_write(path, text.encode("utf-8"))
    return path


def clear_failure(year_dir: Path, la_code: str) -> None:
    """Remove an LA's failure record (after it builds); absent is fine."""
    if not check_la_code(la_code):
        return
    folder = Path(year_dir) / FAILED_DIR / la_code
    with contextlib.suppress(FileNotFoundError):
        (folder / FAILURE_FILE).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _sort_number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _sig_html(flag: str) -> str:
    flag = _flag(flag)
    word = SIGNIFICANCE_TEXT[flag]
    symbol = SIGNIFICANCE_SYMBOL[flag].split(" ")[0]
    css = "sig-" + flag.replace(" ", "-")
    return (
        f'<span class="sig {css}"><span class="sig-symbol" aria-hidden="true">{_e(symbol)}</span>'
        f" {_e(word)}</span>"
    )


def _domain_cell(result: DomainResult | None) -> str:
    if result is None:
        return '<td class="num muted" data-sort-value="">–</td>'
    if result.suppressed or result.estimate is None:
        text = "Suppressed" if result.suppressed else "Not published"
        return f'<td class="num muted" data-sort-value="">{text}</td>'
    ci = ""
    if result.ci_lower is not None and result.ci_upper is not None:
        ci = (
            '<span class="ci"><span class="visually-hidden">confidence interval </span>'
            f"{_e(format_ci(result.ci_lower, result.ci_upper, 'index'))}</span>"
        )
    return (
        f'<td class="num" data-sort-value="{_sort_number(result.estimate)}">'
        f'<span class="idx-value">{_e(format_value(result.estimate, "index"))}</span> '
        f"{_sig_html(result.sig_england)}{ci}</td>"
    )


def _quadrant_text(quadrant: str | None) -> str:
    return "Not classified" if not quadrant else quadrant[:1].upper() + quadrant[1:]


def _links_html(entry: IndexEntry) -> str:
    if not entry.links:
        return ""
    name = _e(entry.la_name)
    items = "".join(
        f'<li><a href="{_e(link.href)}">{_e(link.text)}<span class="visually-hidden">'
        f"{'' if link.kind == 'csv' else ' report'} for {name}</span></a></li>"
        for link in entry.links
    )
    return f'<ul class="file-links">{items}</ul>'


def _status_cell(entry: IndexEntry) -> str:
    built = (
        f'<span class="built-at">Built {_e(entry.built_at[:10])}</span>' if entry.built_at else ""
    )
    if entry.status == "failed":
        earlier = ""
        if entry.links:
            earlier = (
                '<span class="earlier">The report from an earlier build is still available:</span>'
                f"{_links_html(entry)}{built}"
            )
        return (
            '<td class="files" data-sort-value="failed">'
            '<span class="status status-failed"><span aria-hidden="true">⚠</span> Failed</span>'
            f'<span class="failure-reason">{_e(entry.failure_reason or "")}</span>{earlier}</td>'
        )
    if not entry.links:
        return '<td class="files" data-sort-value="built">Built <span class="muted">(no files found)</span></td>'
    return f'<td class="files" data-sort-value="built">{_links_html(entry)}{built}</td>'


def _columns(entries: Sequence[IndexEntry]) -> list[tuple[str, str]]:
    """The domain columns, (indicator, label), in the order the entries first give them."""
    seen: dict[str, str] = {}
    for entry in entries:
        for result in entry.domains:
            seen.setdefault(result.indicator, result.label)
    return list(seen.items())


def _row(entry: IndexEntry, columns: Sequence[tuple[str, str]]) -> str:
    by_id = {d.indicator: d for d in entry.domains}
    search = _fold(f"{entry.la_name} {entry.la_code}")
    css = ' class="row-failed"' if entry.status == "failed" else ""
    cells = [
        f'<th scope="row" data-sort-value="{_e(entry.la_name)}">{_e(entry.la_name)}'
        f' <span class="la-code">{_e(entry.la_code)}</span></th>',
        f"<td>{_e(entry.region)}</td>" if entry.region else '<td data-sort-value="">–</td>',
        f"<td>{_e(entry.la_type)}</td>" if entry.la_type else '<td data-sort-value="">–</td>',
        *(_domain_cell(by_id.get(ind)) for ind, _ in columns),
        (
            f"<td>{_e(_quadrant_text(entry.quadrant))}</td>"
            if entry.quadrant
            else '<td data-sort-value="" class="muted">Not classified</td>'
        ),
        _status_cell(entry),
    ]
    return f'<tr{css} data-search="{_e(search)}">\n' + "\n".join(cells) + "\n</tr>"


def _header(label: str, *, numeric: bool = False, sorted_: bool = False) -> str:
    kind = "number" if numeric else "text"
    sort = ' aria-sort="ascending"' if sorted_ else ""
    return (
        f'<th scope="col" data-sort-type="{kind}"{sort}><button type="button">'
        f'{_e(label)}<span class="sort-icon" aria-hidden="true"></span></button></th>'
    )


def _confidence(entries: Sequence[IndexEntry]) -> str:
    levels = {e.confidence_level for e in entries if e.confidence_level is not None}
    if len(levels) == 1:
        return f"{next(iter(levels)) * 100:g}% confidence interval"
    return "confidence interval"


def _national_html(links: Sequence[Link]) -> str:
    if not links:
        return "<p>The national draft has not been built for this year yet.</p>"
    items = "".join(
        f'<li><a href="{_e(link.href)}">{_e(link.text)}'
        f'<span class="visually-hidden"> national draft</span></a></li>'
        for link in links
    )
    return (
        "<p>The national publication draft brings every local authority together.</p>"
        f'<ul class="national-links">{items}</ul>'
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _read_template(name: str) -> str:
    return (paths.TEMPLATES_DIR / name).read_text(encoding="utf-8")


def render_index(
    entries: Sequence[IndexEntry],
    *,
    year: int,
    title: str | None = None,
    synthetic: bool,
    national_links: Sequence[Link] = (),
    organisation: str | None = None,
) -> str:
    """The index page as one self-contained HTML document.

    Parameters
    ----------
    entries : sequence of IndexEntry
        Shown in the order given (:func:`collect_index_entries` sorts by name).
    year : int
    title : str, optional
        The h1; default "Civic Pulse reports <year>".
    synthetic : bool
        Show the synthetic-data banner. It is shown too when any entry is
        synthetic, so a page listing demo reports always says so.
    national_links : sequence of Link
        The national draft's files (:func:`find_national_links`).
    organisation : str, optional
        Publisher shown in the brand bar and footer (escaped).

    Returns
    -------
    str
        The same entries give the same text, byte for byte.
    """
    title = title or f"Civic Pulse reports {int(year)}"
    synthetic = bool(synthetic) or any(e.synthetic for e in entries)
    columns = _columns(entries)
    n_failed = sum(e.status == "failed" for e in entries)
    n_total = len(entries)

    headers = "\n".join(
        [
            _header("Local authority", sorted_=True),
            _header("Region"),
            _header("Type"),
            *(_header(label, numeric=True) for _, label in columns),
            _header("Quadrant"),
            _header("Report files"),
        ]
    )
    rows = "\n".join(_row(e, columns) for e in entries)
    if not entries:
        span = 5 + len(columns)
        rows = f'<tr><td colspan="{span}">No reports have been built for {int(year)} yet.</td></tr>'

    summary = _plural(n_total, "local authority", "local authorities")
    summary += f": {n_total - n_failed} built, {n_failed} failed."
    if n_failed:
        summary += " Failed local authorities are listed with the reason."
    ci = _confidence(entries)
    legend = (
        f"<p>Each domain index is shown with its {_e(ci)} beneath it, and how it "
        "compares with England:</p>\n<ul>"
        f"<li>{_sig_html('better')}: significantly better</li>"
        f"<li>{_sig_html('similar')}: not significantly different</li>"
        f"<li>{_sig_html('worse')}: significantly worse</li></ul>\n"
        "<p>Select a column heading to sort by it; select it again to reverse the order.</p>"
    )
    caption = (
        f"Civic Pulse reports for {int(year)}: one row per local authority, with the "
        "domain indices compared with England, the quadrant and links to the report files."
    )
    org = _e(organisation) if organisation else "Civic Pulse"
    footer = f"<p>{org} · Index of reports {int(year)}</p>"
    if synthetic:
        footer += '\n<p class="synthetic-note">Synthetic demonstration data — not real survey results.</p>'
    script = _read_template(_SCRIPT_FILE)
    if "</script" in script.lower():
        raise ValueError(f"{_SCRIPT_FILE} must not contain '</script'")
    values = {
        "page_title": _e(("Synthetic demo: " if synthetic else "") + title),
        "house_css": _read_template(_HOUSE_CSS).strip(),
        "synthetic_banner": _SYNTHETIC_BANNER if synthetic else "",
        "organisation": org,
        "year": str(int(year)),
        "title": _e(title),
        "subtitle": "Index of local authority reports and the national draft",
        "national": _national_html(national_links),
        "summary": _e(summary),
        "shown": _e(f"{n_total} of {_plural(n_total, 'LA', 'LAs')} shown"),
        "legend": legend,
        "caption": _e(caption),
        "headers": headers,
        "rows": rows,
        "footer": footer,
        "script": script.strip(),
    }
    template = _TEMPLATE_COMMENT.sub("", _read_template(_TEMPLATE_FILE), count=1)
    page = string.Template(template).substitute(values)
    return "\n".join(line.rstrip() for line in page.splitlines()) + "\n"


def write_index(
    year_dir: Path,
    entries: Sequence[IndexEntry],
    *,
    year: int | None = None,
    title: str | None = None,
    synthetic: bool = False,
    national_links: Sequence[Link] | None = None,
    organisation: str | None = None,
) -> Path:
    """Write ``<year_dir>/index.html`` atomically (temporary file, then ``os.replace``).

    ``year`` defaults to the folder's name; ``national_links`` default to the
    national draft's files found by :func:`find_national_links`.
    """
    year_dir = Path(year_dir)
    page = render_index(
        entries,
        year=int(year if year is not None else year_dir.name),
        title=title,
        synthetic=synthetic,
        national_links=(
            find_national_links(year_dir) if national_links is None else national_links
        ),
        organisation=organisation,
    )
    path = year_dir / INDEX_FILE
    _atomic_write(path, page.encode("utf-8"))
    return path
