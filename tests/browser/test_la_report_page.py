"""One LA report, opened in headless chromium at desktop (1280 px) and phone (390 px) widths.

The report is built once per session (``built_year`` in ``tests/browser/conftest.py``:
the built-in renderer, from the small synthetic demo of ``tests/conftest.py``).
Each test opens ``report.html`` as a reader would (a ``file:`` URL, nothing else reachable) and checks what the
browser saw: no console errors and no failed or non-file requests, every image
drawn, every link landing somewhere that exists, no sideways scrolling on a
phone, and (issue 10) what a screen-reader, keyboard or phone user meets: no
axe-core violation (also with every data table shown and every chart full size),
chart text of at least 12 CSS px or a button that shows the chart at that size,
alt text that says what each chart shows, a skip link on the first Tab, every
scroll region and "Show the data" reachable by keyboard, row and column headers,
one h1. Screenshots are kept under ``build/browser-artefacts/``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
PHONE = 390
LEGIBLE_PX = 12
# open_page(path, width) -> PageVisit and run_axe(page) -> lines, from tests/browser/conftest.py
OpenPage = Callable[[Path, int], Any]
RunAxe = Callable[[Any], list[str]]

# The builtin report draws a dozen figures or more; far fewer means figures went missing.
MIN_IMAGES = 10
MAX_TABS = 800
ARTEFACTS = Path(__file__).resolve().parents[2] / "build" / "browser-artefacts"

# The smallest text of each figure's SVG, in CSS px as drawn now (the SVG's font-size
# scaled by the image's width on screen over the SVG's viewBox width).
CHART_TEXT_JS = """
() => [...document.querySelectorAll('main figure')].map(figure => {
  const img = figure.querySelector('img');
  const src = img ? img.getAttribute('src') || '' : '';
  if (!src.startsWith('data:image/svg+xml;base64,')) return {id: figure.id, svg: false};
  const bytes = Uint8Array.from(atob(src.split(',')[1]), c => c.charCodeAt(0));
  const doc = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml');
  const width = Number(doc.documentElement.getAttribute('viewBox').split(/[\\s,]+/)[2]);
  const texts = [...doc.querySelectorAll('text')];
  const sizes = texts.map(t => /font-size:\\s*([\\d.]+)px/.exec(t.getAttribute('style') || ''))
    .filter(m => m).map(m => Number(m[1]));
  const button = figure.querySelector('button.figure-enlarge');
  return {
    id: figure.id, svg: true, texts: texts.length, sized: sizes.length,
    smallest: Math.min(...sizes) * img.getBoundingClientRect().width / width,
    control: !!button && !button.hidden && button.getBoundingClientRect().width > 0,
  };
})
"""


@dataclass(frozen=True)
class LAReport:
    html: Path
    la_code: str
    la_name: str


@pytest.fixture(scope="module")
def la_report(built_year: Any) -> LAReport:
    """The first LA of the reports built for the browser tests (tests/browser/conftest.py)."""
    code = built_year.la_codes[0]
    html = built_year.report_html(code)
    assert html.is_file(), f"{html} was not built"
    return LAReport(html=html, la_code=code, la_name=built_year.la_names[code])


def show_everything(page: Any) -> None:
    """Open every "Show the data" and show every chart that offers it at full size."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    for button in page.locator("button.figure-enlarge:visible").all():
        button.click()


def report_axe(lines: list[str], what: str, capsys: pytest.CaptureFixture[str]) -> None:
    if lines:
        counts = Counter(line.split(": ", 1)[0] for line in lines)
        with capsys.disabled():
            print(f"\naxe on the LA report {what}: {len(lines)} violation(s)")
            for rule, count in counts.most_common():
                print(f"  {count:4d}  {rule}")
            for line in lines[:40]:
                print(f"        {line}")
    assert lines == [], f"axe violations {what}:\n" + "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_la_report_opens_without_errors_or_requests_beyond_the_file(
    open_page: OpenPage, la_report: LAReport, width: int
) -> None:
    visit = open_page(la_report.html, width)
    visit.save_screenshot("la-report")
    assert la_report.la_name in visit.page.title(), "the tab title does not name the LA"
    assert visit.problems() == [], "the browser complained:\n" + "\n".join(visit.problems())


@pytest.mark.parametrize("width", WIDTHS)
def test_la_report_every_image_has_loaded(
    open_page: OpenPage, la_report: LAReport, width: int
) -> None:
    visit = open_page(la_report.html, width)
    images = visit.unloaded_images()
    assert images.count >= MIN_IMAGES, f"only {images.count} images on the page"
    assert images.unloaded == [], "images that did not load:\n" + "\n".join(images.unloaded)


@pytest.mark.parametrize("width", WIDTHS)
def test_la_report_every_link_resolves(
    open_page: OpenPage, la_report: LAReport, width: int
) -> None:
    visit = open_page(la_report.html, width)
    assert visit.links(), "the report has no links at all (not even its contents)"
    show_everything(visit.page)
    broken = visit.broken_links()
    assert broken == [], "links that go nowhere:\n" + "\n".join(broken)
    assert {"tables.csv", "tables.xlsx"} <= set(visit.links()), "no link to the LA's tables"


def test_la_report_does_not_scroll_sideways_on_a_phone(
    open_page: OpenPage, la_report: LAReport
) -> None:
    visit = open_page(la_report.html, PHONE)
    for state in ("as opened", "with every table shown and every chart full size"):
        overflow = visit.sideways_overflow()
        assert not overflow.scrolls_sideways, (
            f"at {PHONE} px, {state}, the page is {overflow.scroll_width} px wide "
            f"(window {overflow.inner_width} px); too wide: {overflow.offenders}"
        )
        show_everything(visit.page)


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_la_report(
    open_page: OpenPage,
    run_axe: RunAxe,
    la_report: LAReport,
    width: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    visit = open_page(la_report.html, width)
    report_axe(run_axe(visit.page), f"at {width} px", capsys)


def test_axe_la_report_with_every_table_shown_and_every_chart_full_size(
    open_page: OpenPage, run_axe: RunAxe, la_report: LAReport, capsys: pytest.CaptureFixture[str]
) -> None:
    visit = open_page(la_report.html, PHONE)
    show_everything(visit.page)
    visit.save_screenshot("la-report-everything-shown")
    report_axe(run_axe(visit.page), f"at {PHONE} px, everything shown", capsys)


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_text_is_12_px_or_the_chart_offers_its_full_size(
    open_page: OpenPage, la_report: LAReport, width: int
) -> None:
    visit = open_page(la_report.html, width)
    charts = visit.page.evaluate(CHART_TEXT_JS)
    assert len(charts) >= MIN_IMAGES and all(c["svg"] for c in charts), charts
    assert all(c["texts"] and c["sized"] == c["texts"] for c in charts), "unmeasured chart text"
    small = [c for c in charts if c["smallest"] < LEGIBLE_PX]
    unaided = [f"{c['id']}: {c['smallest']:.1f} px" for c in small if not c["control"]]
    assert unaided == [], f"charts at {width} px with text under 12 px and no full-size button"
    if width == PHONE:
        assert small, "at 390 px every chart is legible as it is: the check would never bite"
    for chart in small:
        visit.page.locator(f"#{chart['id']} button.figure-enlarge").click()
    after = {c["id"]: c for c in visit.page.evaluate(CHART_TEXT_JS)}
    still = [f"{c['id']}: {after[c['id']]['smallest']:.1f} px" for c in small
             if after[c["id"]]["smallest"] < LEGIBLE_PX]  # fmt: skip
    assert still == [], "full size still shows chart text under 12 px"
    regions = visit.page.evaluate(
        """() => [...document.querySelectorAll('figure.figure-full .figure-scroll')].map(box => ({
             region: box.getAttribute('role') === 'region', tab: box.tabIndex,
             label: (document.getElementById(box.getAttribute('aria-labelledby')) || {}).textContent || '',
           }))"""
    )
    assert len(regions) == len(small)
    assert all(r["region"] and r["tab"] == 0 and r["label"].startswith("Figure") for r in regions)
    if width == PHONE:  # what a phone reader sees: a chart at full size, then a table
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        visit.page.locator(f"#{small[0]['id']}").screenshot(path=ARTEFACTS / "chart-full-390.png")
        table = visit.page.locator(".table-block[id^=tbl-]").first
        table.screenshot(path=ARTEFACTS / "table-390.png")


def test_first_tab_reaches_the_skip_link_which_goes_to_the_main_content(
    open_page: OpenPage, la_report: LAReport
) -> None:
    visit = open_page(la_report.html, PHONE)
    visit.page.keyboard.press("Tab")
    focused = visit.page.evaluate(
        """() => { const e = document.activeElement; const box = e.getBoundingClientRect();
             return {cls: e.className, text: e.textContent.trim(), href: e.getAttribute('href'),
                     seen: box.left >= 0 && box.top >= 0 && box.width > 0}; }"""
    )
    assert focused == {
        "cls": "skip-link",
        "text": "Skip to main content",
        "href": "#content",
        "seen": True,
    }
    visit.page.keyboard.press("Enter")
    assert visit.page.evaluate("document.activeElement.tagName") == "MAIN"


def tab_through(page: Any) -> list[str]:
    """Tab from the top of the page until focus comes back round; the keys of what got focus."""
    page.evaluate("""() => document.querySelectorAll('summary, .table-scroll, .figure-scroll, a')
                       .forEach((e, i) => { e.dataset.tabKey = String(i); })""")
    reached: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        key = page.evaluate("document.activeElement && document.activeElement.dataset.tabKey")
        if key is not None and reached and key == reached[0]:
            break
        if key is not None:
            reached.append(key)
    return reached


def test_every_scroll_region_and_show_the_data_is_reached_by_keyboard(
    open_page: OpenPage, la_report: LAReport
) -> None:
    visit = open_page(la_report.html, PHONE)
    page = visit.page
    reached = set(tab_through(page))
    summaries = page.evaluate(
        "() => [...document.querySelectorAll('summary')].map(e => e.dataset.tabKey)"
    )
    visible_regions = page.evaluate(
        """() => [...document.querySelectorAll('.table-scroll')]
                 .filter(e => !e.closest('details:not([open])')).map(e => e.dataset.tabKey)"""
    )
    assert len(summaries) >= MIN_IMAGES and set(summaries) <= reached, (
        "a Show the data is unreachable"
    )
    assert visible_regions and set(visible_regions) <= reached, (
        "a table's scroll region is unreachable"
    )
    show_everything(page)
    page.evaluate("() => document.activeElement.blur()")
    page.evaluate("() => window.scrollTo(0, 0)")
    reached = set(tab_through(page))
    regions = page.evaluate(
        """() => [...document.querySelectorAll('.table-scroll, .figure-scroll[role=region]')]
                 .map(e => e.dataset.tabKey)"""
    )
    missing = set(regions) - reached
    assert len(regions) > len(visible_regions) and missing == set(), f"{len(missing)} unreachable"


def test_alt_text_differs_names_the_la_and_quotes_tables_csv(
    open_page: OpenPage, la_report: LAReport
) -> None:
    visit = open_page(la_report.html, PHONE)
    alts = visit.page.evaluate(
        "() => [...document.querySelectorAll('main figure img')].map(i => i.alt)"
    )
    assert len(alts) >= MIN_IMAGES
    assert len(set(alts)) == len(alts), "two figures share one alt text"
    table = pd.read_csv(la_report.html.parent / "tables.csv")
    numbers = {
        f"{v:.1f}"
        for column in ("estimate", "comparator_value", "ci_lower", "ci_upper")
        for v in table[column].dropna()
    }
    for alt in alts:
        assert la_report.la_name in alt, f"alt text without the LA's name: {alt!r}"
        quoted = set(re.findall(r"(?<![\d+\-])(\d+\.\d)", alt))
        assert quoted & numbers, f"no number of this alt text is in tables.csv: {alt!r}"
    after = visit.page.evaluate(
        """() => [...document.querySelectorAll('main figure')].map(f => {
             const next = f.nextElementSibling;
             return next && next.matches('details.figure-data') && !next.open
               && next.querySelector('summary').textContent === 'Show the data'
               && !!next.querySelector('table'); })"""
    )
    assert all(after), "a figure without its collapsed data table right after it"


def test_tables_have_column_and_row_headers_and_captions_outside_the_scroll(
    open_page: OpenPage, la_report: LAReport
) -> None:
    visit = open_page(la_report.html, PHONE)
    tables = visit.page.evaluate(
        """() => [...document.querySelectorAll('main table')].map(t => {
             const region = t.closest('.table-scroll');
             const label = region && document.getElementById(region.getAttribute('aria-labelledby'));
             return {
               cols: [...t.querySelectorAll('thead th')].every(c => c.getAttribute('scope') === 'col')
                     && t.querySelectorAll('thead td').length === 0,
               rows: [...t.tBodies[0].rows].every(r => r.cells[0].tagName === 'TH'
                     && r.cells[0].getAttribute('scope') === 'row'),
               caption: !!label && !region.contains(label) && label.textContent.trim().length > 0,
               region: !!region && region.tabIndex === 0 && region.getAttribute('role') === 'region',
             }; })"""
    )
    assert len(tables) >= 20  # a dozen report tables and a data table under each figure
    for index, table in enumerate(tables):
        assert table == {"cols": True, "rows": True, "caption": True, "region": True}, index
    changed = visit.page.locator(".table-caption", has_text="changed significantly")
    assert changed.count() == 1, "the table of significant changes has no caption"


def test_one_h1_and_sections_from_h2(open_page: OpenPage, la_report: LAReport) -> None:
    visit = open_page(la_report.html, 1280)
    levels = visit.page.evaluate(
        "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => [h.tagName, h.textContent.trim()])"
    )
    h1 = [text for tag, text in levels if tag == "H1"]
    assert len(h1) == 1 and la_report.la_name in h1[0]
    in_main = visit.page.evaluate(
        "() => [...document.querySelectorAll('main h2, main h3, main h4')].map(h => Number(h.tagName[1]))"
    )
    assert in_main[0] == 2 and all(b - a <= 1 for a, b in pairwise(in_main))
    toc = visit.page.evaluate(
        "() => [...document.querySelectorAll('#TOC a')].map(a => a.textContent)"
    )
    assert "Key findings" in toc and "Everyday citizenship" in toc, "sections missing from Contents"


def test_significance_symbols_are_hidden_beside_their_words(
    open_page: OpenPage, la_report: LAReport
) -> None:
    visit = open_page(la_report.html, 1280)
    found = visit.page.evaluate(
        r"""() => { const out = []; const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
             while (walk.nextNode()) { const node = walk.currentNode;
               if (/[▲▼●]/.test(node.textContent)) out.push({
                 hidden: !!node.parentElement.closest('[aria-hidden="true"]'),
                 word: (node.parentElement.closest('td, th') || node.parentElement).textContent.replace(/[▲▼●]/g, '').trim() }); }
             return out; }"""
    )
    assert found, "no significance symbol on the page: the check would never bite"
    assert all(f["hidden"] for f in found), "a symbol a screen reader would read aloud"
    assert {f["word"] for f in found} <= {"Better", "Similar", "Worse", "Higher", "Lower"}
