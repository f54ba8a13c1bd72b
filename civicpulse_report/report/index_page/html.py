"""The index page itself: one self-contained HTML file from the index entries.

Owns :func:`render_index` (entries in, the page's text out, byte for byte the
same for the same entries) and :func:`write_index` (the page written
atomically to ``<year_dir>/index.html``). The page is ``templates/index.html``
filled with ``string.Template``; ``report.css`` and ``index.js`` are inlined
so it works opened from disk with no network. All text from input files is
escaped.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from civicpulse_report import paths
from civicpulse_report.insight import format_ci, format_value
from civicpulse_report.report.index_page.collect import atomic_write, find_national_links
from civicpulse_report.report.index_page.entries import (
    INDEX_FILE,
    DomainResult,
    IndexEntry,
    Link,
    fold,
    known_flag,
)
from civicpulse_report.report.present import SIGNIFICANCE_SYMBOL, SIGNIFICANCE_TEXT

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


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _sort_number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _sig_html(flag: str) -> str:
    flag = known_flag(flag)
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
    search = fold(f"{entry.la_name} {entry.la_code}")
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
    atomic_write(path, page.encode("utf-8"))
    return path
