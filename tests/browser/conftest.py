"""Real-browser fixtures (issues 7 and 10): headless Debian chromium driven by Playwright.

``scripts/setup-browser-tools.sh`` (run by ``make test``) installs Debian's
``chromium`` and the pinned npm ``axe-core`` into ``build/browser-tools/``.
Nothing here downloads anything: Playwright launches ``/usr/bin/chromium``
through ``executable_path`` (``playwright install`` is never run) and axe is
injected from the local install. When chromium, Playwright or axe cannot be
had, the tests that need them skip and say why.

A page is opened with :func:`open_page`, which records what a reader's browser
would complain about: console errors and uncaught exceptions, failed requests,
and any request that is not for a local file (``file:``, ``data:``, ``about:``
or ``blob:``); such requests are also aborted, so a page can never reach the
network. :func:`run_axe`, :func:`broken_links`, :func:`unloaded_images`,
:func:`sideways_overflow` and :func:`save_screenshot` check and keep what it shows
(each is also a method of the :class:`PageVisit` that ``open_page`` returns).
Test modules use the fixtures (``open_page``, ``run_axe``, ``axe_source``) and
need import nothing from here.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# Exactly the flags of issue 7. Playwright adds the few it needs to drive the
# browser (a debugging pipe, a temporary profile); --headless is also its default.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SETUP_SCRIPT = "scripts/setup-browser-tools.sh"
TOOLS_DIR = ROOT / "build" / "browser-tools"
SETUP_STATUS = TOOLS_DIR / "status.txt"
AXE_JS = TOOLS_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
ARTEFACTS_DIR = ROOT / "build" / "browser-artefacts"
WIDTHS = (1280, 390)
VIEWPORT_HEIGHT = 900
LOCAL_SCHEMES = frozenset({"file", "data", "about", "blob"})
# Links that go nowhere but are fine: the top of the page.
TOP_FRAGMENTS = frozenset({"", "top"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (the marker pyproject declares)."""
    for item in items:
        if item.path.is_relative_to(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)


def _setup_said(tool: str) -> str:
    """Why the set-up script could not install ``tool``, as it wrote the last time it ran."""
    try:
        said = SETUP_STATUS.read_text(encoding="utf-8").splitlines()
    except OSError:
        said = []
    reasons = [line.split(": ", 1)[1] for line in said if line.startswith(f"{tool}: ")]
    if reasons:
        return f"; {SETUP_SCRIPT} said: " + " / ".join(reasons)
    return f"; run `bash {SETUP_SCRIPT}` to install it"


# --- the browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, launched once per session with the issue's flags."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip(
            "playwright (Python) is not installed in this environment: "
            "pip install playwright (never `playwright install`; chromium comes from Debian)"
        )
    if not CHROMIUM.is_file():
        pytest.skip(f"chromium is not installed at {CHROMIUM}{_setup_said('chromium')}")
    from playwright.sync_api import Error, sync_playwright

    manager = sync_playwright()
    playwright = manager.start()
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
        )
    except Error as exc:
        manager.__exit__(None, None, None)
        pytest.skip(f"chromium at {CHROMIUM} is installed but does not start: {exc}")
    try:
        yield launched
    finally:
        launched.close()
        manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The text of axe.min.js from the local npm install (never fetched at run time)."""
    if not AXE_JS.is_file():
        pytest.skip(
            f"axe-core is not installed at {AXE_JS.relative_to(ROOT)}{_setup_said('axe-core')}"
        )
    return AXE_JS.read_text(encoding="utf-8")


# --- the reports under test -----------------------------------------------------------

#: How many LAs of the small demo the browser tests build: enough rows for the
#: index's search and sort to have something to filter and reorder, and one
#: round of the two build workers (an LA's notebook takes seconds).
BROWSER_LAS = 2


@dataclass(frozen=True)
class BuiltYear:
    """A few LA reports built once for the browser tests: ``<out>/<year>/<la_code>/``."""

    year_dir: Path
    la_codes: tuple[str, ...]
    la_names: dict[str, str]

    def report_html(self, la_code: str) -> Path:
        return self.year_dir / la_code / "report.html"


@pytest.fixture(scope="session")
def built_year(
    chromium: Browser, tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path
) -> BuiltYear:
    """:data:`BROWSER_LAS` LA reports (builtin renderer) from the small demo.

    Only the HTML is rendered: it is what a browser opens, it links no other
    file of its folder, and the index links only the files that exist. It asks
    for ``chromium`` first so that, without a browser, the tests skip
    before spending time on a build nobody would look at.
    """
    import pandas as pd

    from civicpulse_report.pipeline import BuildOptions, build_reports

    lookup = pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)
    chosen = lookup.sort_values("la_code").head(BROWSER_LAS)
    root = tmp_path_factory.mktemp("browser-reports")
    summary = build_reports(
        BuildOptions(
            data_dir=small_demo_dir,
            la_codes=tuple(chosen["la_code"]),
            renderer="builtin",
            formats=("html",),
            jobs=2,
            out_dir=root / "reports",
            build_dir=root / "build",
        )
    )
    assert summary.failed == [], f"the browser tests' reports did not build: {summary.failed}"
    return BuiltYear(
        year_dir=summary.out_dir,
        la_codes=tuple(chosen["la_code"]),
        la_names=dict(zip(chosen["la_code"], chosen["la_name"], strict=True)),
    )


# --- opening a page ------------------------------------------------------------------


@dataclass
class PageVisit:
    """One page opened at one width, and everything the browser complained about."""

    page: Page
    path: Path
    width: int
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    non_file_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors, failed requests and non-file requests, one line each."""
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"failed request: {text}" for text in self.failed_requests]
            + [f"non-file request: {url}" for url in self.non_file_requests]
        )

    def links(self) -> list[str]:
        return page_links(self.page)

    def broken_links(self) -> list[str]:
        """:func:`broken_links`, relative to the folder of the opened file."""
        return broken_links(self.page, self.path.parent)

    def unloaded_images(self) -> ImageCheck:
        return unloaded_images(self.page)

    def sideways_overflow(self) -> Overflow:
        return sideways_overflow(self.page)

    def save_screenshot(self, name: str) -> Path:
        return save_screenshot(self.page, name, self.width)


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else f"{url[:limit]}…"


OpenPage = Callable[[Path, int], PageVisit]


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[OpenPage]:
    """``open_page(path, width)``: open a local HTML file in a fresh context at that width.

    Console errors, uncaught page errors, failed requests and requests whose URL
    is not a local one are recorded on the returned :class:`PageVisit`; the
    non-local ones are also aborted. The page is returned loaded, fonts ready.
    """
    contexts = []

    def _open(path: Path, width: int) -> PageVisit:
        context = chromium.new_context(
            viewport={"width": width, "height": VIEWPORT_HEIGHT},
            device_scale_factor=1,
            locale="en-GB",
            timezone_id="Europe/London",
            reduced_motion="reduce",
        )
        contexts.append(context)
        page = context.new_page()
        visit = PageVisit(page=page, path=path, width=width)

        def _guard(route: Any) -> None:
            url = route.request.url
            if urlsplit(url).scheme.lower() in LOCAL_SCHEMES:
                route.continue_()
            else:
                route.abort("blockedbyclient")

        def _on_request(request: Any) -> None:
            if urlsplit(request.url).scheme.lower() not in LOCAL_SCHEMES:
                visit.non_file_requests.append(_short(request.url))

        def _on_console(message: Any) -> None:
            if message.type == "error":
                where = message.location or {}
                at = (
                    f" ({_short(where['url'], 60)}:{where.get('lineNumber')})"
                    if where.get("url")
                    else ""
                )
                visit.console_errors.append(f"{message.text}{at}")

        context.route("**/*", _guard)
        page.on("request", _on_request)
        page.on(
            "requestfailed", lambda r: visit.failed_requests.append(f"{_short(r.url)}: {r.failure}")
        )
        page.on("console", _on_console)
        page.on("pageerror", lambda exc: visit.console_errors.append(f"uncaught: {exc}"))
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return visit

    yield _open
    for context in contexts:
        context.close()


# --- what the page shows -------------------------------------------------------------

_IMAGES_JS = """
async () => {
  const images = [...document.images];
  for (const img of images) {
    if (img.loading === 'lazy' && !img.complete) img.scrollIntoView();
  }
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
    setTimeout(done, 5000);
  })));
  const svgs = [...document.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
  return {
    images: images.map(img => ({
      src: (img.currentSrc || img.src || '').slice(0, 80),
      alt: img.alt,
      loaded: img.complete && img.naturalWidth > 0 && img.naturalHeight > 0,
    })),
    svgs: svgs.map(svg => {
      const box = svg.getBoundingClientRect();
      return {
        label: svg.getAttribute('aria-label') || svg.id || svg.outerHTML.slice(0, 60),
        drawn: box.width > 0 && box.height > 0 && svg.childElementCount > 0,
      };
    }),
  };
}
"""


@dataclass(frozen=True)
class ImageCheck:
    """Every ``<img>`` and top-level inline ``<svg>`` on a page, and which did not load."""

    count: int
    unloaded: list[str]


def unloaded_images(page: Page) -> ImageCheck:
    """Wait for the page's images, then list those with no pixels (naturalWidth 0).

    Inline SVG counts as an image too: it must have content and a size on screen.
    """
    found = page.evaluate(_IMAGES_JS)
    unloaded = [
        f"<img src={img['src']!r} alt={img['alt'][:40]!r}>"
        for img in found["images"]
        if not img["loaded"]
    ] + [
        f"<svg {svg['label']!r}> is empty or has no size"
        for svg in found["svgs"]
        if not svg["drawn"]
    ]
    return ImageCheck(count=len(found["images"]) + len(found["svgs"]), unloaded=unloaded)


_LINKS_JS = """
() => ({
  hrefs: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)
       .concat([...document.querySelectorAll('a[name]')].map(a => a.getAttribute('name'))),
})
"""
_ID_ATTR = re.compile(r"""\b(?:id|name)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def page_links(page: Page) -> list[str]:
    """The raw ``href`` of every ``a[href]`` on the page."""
    return page.evaluate(_LINKS_JS)["hrefs"]


def broken_links(page: Page, base_dir: Path) -> list[str]:
    """Links on ``page`` that do not resolve to an existing file (or to an id that exists).

    ``#fragment`` links must name an id (or ``a[name]``) on the page. A relative or
    ``file:`` link must name a file that exists, relative to ``base_dir``; when it
    carries a fragment into an HTML file, that file must hold the id. Any other
    scheme (``https:``, ``mailto:``, ...) is reported: a report links only files.
    """
    found = page.evaluate(_LINKS_JS)
    ids = set(found["ids"])
    broken: list[str] = []
    for href in found["hrefs"]:
        href = href.strip()
        parts = urlsplit(href)
        fragment = unquote(parts.fragment)
        if not parts.scheme and not parts.netloc and not parts.path:
            if fragment not in TOP_FRAGMENTS and fragment not in ids:
                broken.append(f"{href!r}: no element with id {fragment!r} on the page")
            continue
        if parts.scheme.lower() == "file":
            target = Path(url2pathname(parts.path))
        elif parts.scheme or parts.netloc:
            broken.append(f"{_short(href)!r}: not a link to a local file")
            continue
        else:
            target = base_dir / url2pathname(parts.path)
        if not target.is_file():
            broken.append(f"{href!r}: {target} does not exist")
        elif fragment and target.suffix.lower() in {".html", ".htm"}:
            text = target.read_text(encoding="utf-8", errors="replace")
            if fragment not in {unescape(m) for m in _ID_ATTR.findall(text)}:
                broken.append(f"{href!r}: {target.name} has no id {fragment!r}")
    return broken


_OVERFLOW_JS = """
() => {
  const limit = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= limit) return {scrollWidth, innerWidth: limit, offenders: []};
  // What sticks out past the window, not clipped by a scrolling or hidden-overflow box.
  const clipped = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > limit + 1 && !clipped(e);
  });
  // Only the outermost offenders: their children overflow with them.
  const outer = wide.filter(e => !wide.includes(e.parentElement));
  const name = e => {
    const cls = typeof e.className === 'string' && e.className.trim()
      ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
    return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls}`;
  };
  return {
    scrollWidth,
    innerWidth: limit,
    offenders: outer.slice(0, 10).map(e => `${name(e)} right=${Math.round(e.getBoundingClientRect().right)}`),
  };
}
"""


@dataclass(frozen=True)
class Overflow:
    scroll_width: int
    inner_width: int
    offenders: list[str]

    @property
    def scrolls_sideways(self) -> bool:
        return self.scroll_width > self.inner_width


def sideways_overflow(page: Page) -> Overflow:
    """``document.documentElement.scrollWidth`` against ``window.innerWidth``, and the culprits."""
    found = page.evaluate(_OVERFLOW_JS)
    return Overflow(found["scrollWidth"], found["innerWidth"], found["offenders"])


def save_screenshot(page: Page, name: str, width: int) -> Path:
    """A full-page screenshot, kept as a test artefact: build/browser-artefacts/<name>-<width>.png."""
    ARTEFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS_DIR / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


# --- accessibility -------------------------------------------------------------------

_AXE_RUN_JS = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' | ')),
  }));
}
"""


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    help: str
    targets: list[str]


def axe_violations(page: Page, axe_source: str) -> list[AxeViolation]:
    """Inject axe (from the local install) and run it with :data:`AXE_TAGS`."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(_AXE_RUN_JS, list(AXE_TAGS))
    return [AxeViolation(v["id"], v["impact"] or "unknown", v["help"], v["targets"]) for v in found]


def axe_lines(page: Page, axe_source: str) -> list[str]:
    """axe's violations on ``page``, one ``"rule-id (impact): target selector"`` line per node."""
    return [
        f"{violation.rule} ({violation.impact}): {target}"
        for violation in axe_violations(page, axe_source)
        for target in violation.targets
    ]


RunAxe = Callable[["Page"], list[str]]


@pytest.fixture
def run_axe(axe_source: str) -> RunAxe:
    """``run_axe(page)``: inject the local axe-core and list its violations (see :func:`axe_lines`)."""

    def _run(page: Page) -> list[str]:
        return axe_lines(page, axe_source)

    return _run
