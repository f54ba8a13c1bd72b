"""The index of reports (``reports/<year>/index.html``, issue 7) in headless chromium.

The index lists the LA reports that ``built_year`` (tests/browser/conftest.py)
builds. When the pipeline does not write ``index.html`` itself, the test writes it
with ``civicpulse_report.report.index_page`` from what is on disk, as the
pipeline will. A reader opens it from disk and checks: no console errors and no
failed or non-file requests, every image drawn, every link lands on a file that
exists, the search box filters the rows, the column headings sort them, no
sideways scrolling on a phone, and (issue 10) no axe-core violation.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
PHONE = 390
INDEX_MODULE = "civicpulse_report.report.index_page"
# open_page(path, width) -> PageVisit and run_axe(page) -> lines, from tests/browser/conftest.py
OpenPage = Callable[[Path, int], Any]
RunAxe = Callable[[Any], list[str]]
# The page's script waits this long after typing before it announces the count.
ANNOUNCE_MS = 350


def index_page_module() -> ModuleType:
    """The index page module, or a skip that says it is not there yet."""
    try:
        return importlib.import_module(INDEX_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (INDEX_MODULE, *INDEX_MODULE.rsplit(".", 1)[:1]):
            raise
        pytest.skip(
            f"issue 7: {INDEX_MODULE} (render_index) does not exist yet, "
            "so there is no index page to open"
        )


@dataclass(frozen=True)
class IndexPage:
    html: Path
    names: dict[str, str]  # LA code -> name, of every LA listed


@pytest.fixture(scope="module")
def index(built_year: Any) -> IndexPage:
    module = index_page_module()
    html = built_year.year_dir / module.INDEX_FILE
    if not html.is_file():  # until the pipeline writes it after a build
        entries = module.collect_index_entries(built_year.year_dir)
        module.write_index(built_year.year_dir, entries, synthetic=True)
    assert html.is_file(), f"{html} was not written"
    return IndexPage(html=html, names=dict(built_year.la_names))


def fold(text: str) -> str:
    """Lower case, accents dropped, spaces collapsed: how a reader expects search to match."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_ROWS_JS = """
() => [...document.querySelectorAll('#la-index tbody tr')]
  .filter(row => row.getClientRects().length > 0)
  .map(row => ({
    text: row.textContent,
    keys: [...row.cells].map(cell => {
      const raw = cell.getAttribute('data-sort-value');
      return raw === null ? cell.textContent.trim() : raw.trim();
    }),
  }))
"""
_HEADERS_JS = """
() => [...document.querySelectorAll('#la-index thead th')].map(th => ({
  label: th.textContent.trim(),
  type: th.getAttribute('data-sort-type'),
  sort: th.getAttribute('aria-sort'),
}))
"""


@dataclass(frozen=True)
class Row:
    la_code: str  # the LA the row is about: whichever listed code it shows
    keys: list[str]  # each cell's sort value (data-sort-value, else its text)


def shown_rows(page: Any, codes: Iterable[str]) -> list[Row]:
    """The rows a reader can see, in screen order."""
    rows = []
    for found in page.evaluate(_ROWS_JS):
        named = [code for code in codes if code in found["text"]]
        assert len(named) == 1, f"a row names {named or 'no listed LA'}: {found['text'][:120]!r}"
        rows.append(Row(named[0], found["keys"]))
    return rows


def codes_shown(page: Any, index: IndexPage) -> list[str]:
    return [row.la_code for row in shown_rows(page, index.names)]


def column(headers: list[dict[str, Any]], label: str) -> int:
    matches = [i for i, h in enumerate(headers) if h["label"].startswith(label)]
    assert matches, f"no column headed {label!r}: {[h['label'] for h in headers]}"
    return matches[0]


def search_for(page: Any, query: str) -> None:
    page.fill("#la-search", query)  # fires `input`, as typing does


@pytest.mark.parametrize("width", WIDTHS)
def test_index_opens_without_errors_or_requests_beyond_the_file(
    open_page: OpenPage, index: IndexPage, width: int
) -> None:
    visit = open_page(index.html, width)
    visit.save_screenshot("index")
    assert sorted(codes_shown(visit.page, index)) == sorted(index.names), (
        "the index lists other LAs"
    )
    assert visit.problems() == [], "the browser complained:\n" + "\n".join(visit.problems())
    images = visit.unloaded_images()
    assert images.unloaded == [], "images that did not load:\n" + "\n".join(images.unloaded)


@pytest.mark.parametrize("width", WIDTHS)
def test_index_every_link_resolves_to_a_file(
    open_page: OpenPage, index: IndexPage, width: int
) -> None:
    visit = open_page(index.html, width)
    files = [href for href in visit.links() if not href.startswith("#")]
    # At least each LA's report.html (and PDF and tables) is linked.
    assert len(files) >= len(index.names), f"the index links only {files}"
    for code in index.names:
        assert f"{code}/report.html" in files, f"no link to {code}'s HTML report"
    broken = visit.broken_links()
    assert broken == [], "links that go nowhere:\n" + "\n".join(broken)


def test_index_search_filters_the_rows(open_page: OpenPage, index: IndexPage) -> None:
    visit = open_page(index.html, 1280)
    page = visit.page
    everyone = sorted(index.names)
    assert page.is_visible("#la-search"), "the search box is hidden (did the script run?)"

    def expect(query: str) -> list[str]:
        return sorted(
            code for code, name in index.names.items() if fold(query) in fold(f"{name} {code}")
        )

    first, second = everyone[0], everyone[1]
    queries = [
        index.names[first].upper(),  # a whole name, in the wrong case
        index.names[second][:4].lower(),  # the start of a name
        second.lower(),  # a code
        "no such local authority",
    ]
    for query in queries:
        search_for(page, query)
        wanted = expect(query)
        assert sorted(codes_shown(page, index)) == wanted, f"searching {query!r}"
        page.wait_for_function(
            "n => document.getElementById('la-search-status').textContent.startsWith(n + ' of ')",
            arg=len(wanted),
            timeout=ANNOUNCE_MS * 10,
        )
    assert expect(queries[0]) == [first] and expect(queries[-1]) == [], "queries prove nothing"
    search_for(page, "")
    assert sorted(codes_shown(page, index)) == everyone, (
        "clearing the search does not bring rows back"
    )
    assert visit.problems() == [], "\n".join(visit.problems())


def _number(value: str) -> float | None:
    return float(value) if value else None


def _is_ordered(keys: list[Any], *, descending: bool) -> bool:
    """Non-blank keys in order (blanks, None, always last), as the page promises."""
    present = [k for k in keys if k is not None]
    blanks_last = keys[: len(present)] == present
    return blanks_last and present == sorted(present, reverse=descending)


def test_index_column_headings_sort_the_rows(open_page: OpenPage, index: IndexPage) -> None:
    visit = open_page(index.html, 1280)
    page = visit.page
    headers = page.evaluate(_HEADERS_JS)
    name_col = column(headers, "Local authority")
    buttons = page.locator("#la-index thead th button")

    def names() -> list[str]:
        return [fold(row.keys[name_col]) for row in shown_rows(page, index.names)]

    assert headers[name_col]["sort"] == "ascending", "the table does not start sorted by name"
    assert names() == sorted(names()), "the rows do not start in name order"
    buttons.nth(name_col).click()  # the sorted column again: reversed
    assert names() == sorted(names(), reverse=True), "sorting by name again does not reverse"
    assert page.evaluate(_HEADERS_JS)[name_col]["sort"] == "descending"

    numeric = [i for i, h in enumerate(headers) if h["type"] == "number"]
    assert numeric, "no numeric (domain index) column to sort by"
    orders_seen = set()
    for col in numeric:
        for direction in ("ascending", "descending"):
            buttons.nth(col).click()
            state = page.evaluate(_HEADERS_JS)
            label = headers[col]["label"]
            assert state[col]["sort"] == direction, f"{label}: aria-sort is {state[col]['sort']}"
            others = [h["sort"] for i, h in enumerate(state) if i != col]
            assert set(others) == {None}, "another column still claims to be sorted"
            rows = shown_rows(page, index.names)
            keys = [_number(row.keys[col]) for row in rows]
            assert _is_ordered(keys, descending=direction == "descending"), (
                f"{label} {direction}: {keys}"
            )
            orders_seen.add(tuple(row.la_code for row in rows))
    assert len(orders_seen) > 1, "sorting by the domain columns never changed the row order"
    assert visit.problems() == [], "\n".join(visit.problems())


def test_index_does_not_scroll_sideways_on_a_phone(open_page: OpenPage, index: IndexPage) -> None:
    visit = open_page(index.html, PHONE)
    overflow = visit.sideways_overflow()
    assert not overflow.scrolls_sideways, (
        f"at {PHONE} px the page is {overflow.scroll_width} px wide "
        f"(window {overflow.inner_width} px); too wide: {overflow.offenders}"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_index_page(
    open_page: OpenPage,
    run_axe: RunAxe,
    index: IndexPage,
    width: int,
) -> None:
    visit = open_page(index.html, width)
    lines = run_axe(visit.page)
    assert lines == [], f"axe violations at {width} px:\n" + "\n".join(lines)
