"""The national publication draft, opened in headless chromium at 1280 px and 390 px.

The draft is built once per session with ``--national-only`` semantics
(``national="only"``) from the small synthetic demo of ``tests/conftest.py``,
HTML only, with the built-in renderer. Each test opens ``national/report.html``
as a reader would (a ``file:`` URL, nothing else reachable) and checks what
the browser saw: no console errors and no failed or non-file requests, every
image drawn, every link landing on a file or an id that exists, no sideways
scrolling on a phone, and no axe-core violation at either width. Screenshots
are kept under ``build/browser-artefacts/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
PHONE = 390
# The draft has a chart per domain and more; far fewer means figures went missing.
MIN_IMAGES = 10
OpenPage = Callable[[Path, int], Any]
RunAxe = Callable[[Any], list[str]]


@dataclass(frozen=True)
class NationalDraft:
    html: Path


@pytest.fixture(scope="module")
def national_draft(
    chromium: Any, tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path
) -> NationalDraft:
    from civicpulse_report.pipeline import BuildOptions, build_reports

    root = tmp_path_factory.mktemp("browser-national")
    summary = build_reports(
        BuildOptions(
            data_dir=small_demo_dir,
            renderer="builtin",
            formats=("html",),
            jobs=1,
            national="only",
            out_dir=root / "reports",
            build_dir=root / "build",
        )
    )
    assert summary.failed == [], f"the national draft did not build: {summary.failed}"
    html = summary.out_dir / "national" / "report.html"
    assert html.is_file(), f"no national draft at {html}"
    return NationalDraft(html=html)


def show_everything(page: Any) -> None:
    """Open every "Show the data" and show every chart that offers it at full size."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    for button in page.locator("button.figure-enlarge:visible").all():
        button.click()


@pytest.mark.parametrize("width", WIDTHS)
def test_national_draft_opens_without_errors_or_requests_beyond_the_file(
    open_page: OpenPage, national_draft: NationalDraft, width: int
) -> None:
    visit = open_page(national_draft.html, width)
    visit.save_screenshot("national-draft")
    assert "England" in visit.page.title() or "Civic Pulse" in visit.page.title()
    assert visit.problems() == [], "the browser complained:\n" + "\n".join(visit.problems())
    text = visit.page.inner_text("body")
    assert "Synthetic" in text, "the draft does not say its data are synthetic"


@pytest.mark.parametrize("width", WIDTHS)
def test_national_draft_every_image_has_loaded(
    open_page: OpenPage, national_draft: NationalDraft, width: int
) -> None:
    visit = open_page(national_draft.html, width)
    images = visit.unloaded_images()
    assert images.count >= MIN_IMAGES, f"only {images.count} images on the page"
    assert images.unloaded == [], "images that did not load:\n" + "\n".join(images.unloaded)


def test_national_draft_every_link_resolves(
    open_page: OpenPage, national_draft: NationalDraft
) -> None:
    visit = open_page(national_draft.html, 1280)
    assert visit.links(), "the draft has no links at all (not even its contents)"
    show_everything(visit.page)
    broken = visit.broken_links()
    assert broken == [], "links that go nowhere:\n" + "\n".join(broken)


def test_national_draft_does_not_scroll_sideways_on_a_phone(
    open_page: OpenPage, national_draft: NationalDraft
) -> None:
    visit = open_page(national_draft.html, PHONE)
    overflow = visit.sideways_overflow()
    assert not overflow.scrolls_sideways, (
        f"at {PHONE} px the page is {overflow.scroll_width} px wide "
        f"(window {overflow.inner_width} px); too wide: {overflow.offenders}"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_national_draft(
    open_page: OpenPage, run_axe: RunAxe, national_draft: NationalDraft, width: int
) -> None:
    visit = open_page(national_draft.html, width)
    lines = run_axe(visit.page)
    assert lines == [], f"axe violations on the national draft at {width} px:\n" + "\n".join(
        lines[:40]
    )
