"""The HTML filters of issue 10, run by pandoc on a small document (templates/filters/html-*.lua).

A figure cell followed by its data block (written by
civicpulse_report.report.present.figure_data, with a hostile alt text), a labelled and an unlabelled table and a
section heading go through pandoc with the project's filters in the order the
renderer runs them. What a screen-reader or phone user relies on is checked in the
HTML: the generated alt text on the image, the data collapsed under the figure, the
size at which the chart's text is 12 px, column and row headers with their scope,
captions outside a focusable, labelled scroll region, one level of heading below the
title. The Typst output gets the same alt text and none of the HTML-only parts.
"""

from __future__ import annotations

import math
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from civicpulse_report.paths import PROJECT_ROOT, TEMPLATES_DIR
from civicpulse_report.render.pandoc import LUA_FILTERS, quarto_filters
from civicpulse_report.render.tools import pandoc_path
from civicpulse_report.report.present import figure_data

FILTERS = tuple(path.name for path in LUA_FILTERS)  # in the order the renderer runs them
ALT = 'Ashbridge is significantly worse than England on 1 of 2 domains: "drivers" (97.3 against 100.0) <b>'
VIEWBOX_WIDTH, SMALLEST_FONT = 518.4, 8
SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{VIEWBOX_WIDTH}pt" height="100pt" '
    f'viewBox="0 0 {VIEWBOX_WIDTH} 100"><text x="5" y="20" style="font-size: 10px">Title</text>'
    f'<text x="5" y="60" style="font-family: DejaVu Sans; font-size: {SMALLEST_FONT}px">Tick</text>'
    "</svg>"
)
DOCUMENT = f"""
# Where to act

::: {{#fig-demo .cell fig-cap="Domain indices" fig-alt="Static fallback"}}
![](media/fig-demo.svg)
:::

{figure_data(ALT, "The data behind @fig-demo.", (["Domain", "Index"], [["Drivers", "97.3"]]))}

## Groups

::: {{#tbl-demo .cell tbl-cap="Scores by group"}}
| Group | Score | England |
|:---|---:|---:|
| Renters | 97.1 | 100.0 |
| Owners | 101.2 | 100.0 |
:::

| Indicator | 2025 | 2026 |
|:---|---:|---:|
| Received help | 54.4% | 61.8% |

: Indicators that changed significantly between 2025 and 2026.

See @tbl-demo.
"""


class Elements(HTMLParser):
    """Every element as (tag, attributes, ancestors' tags and ids), in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.text: dict[int, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        item = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "ancestors": list(self.stack)}
        self.items.append(item)
        if tag not in ("img", "br", "col", "meta", "link", "input", "hr"):
            self.stack.append(item)
            self.text[id(item)] = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for item in self.stack:
            self.text[id(item)].append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, Any]]:
        return [
            i for i in self.items
            if i["tag"] == tag and all(i["attrs"].get(k) == v for k, v in attrs.items())
        ]  # fmt: skip

    def text_of(self, item: dict[str, Any]) -> str:
        return " ".join("".join(self.text.get(id(item), [])).split())


def run_pandoc(
    workdir: Path,
    to: str,
    *,
    document: str = DOCUMENT,
    filters: tuple[Path, ...] = tuple(TEMPLATES_DIR / "filters" / name for name in FILTERS),
) -> str:
    args = [pandoc_path(), "--from", "markdown", "--to", to, "--wrap", "none"]
    for path in filters:
        args += ["--lua-filter", str(path)]
    done = subprocess.run(
        args, input=document.encode(), capture_output=True, cwd=workdir, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("html-filters")
    (work / "media").mkdir()
    (work / "media" / "fig-demo.svg").write_text(SVG, encoding="utf-8")
    return work


@pytest.fixture(scope="module")
def html(workdir: Path) -> Elements:
    page = Elements()
    page.feed(run_pandoc(workdir, "html5"))
    return page


def test_the_figure_image_has_the_generated_alt_text(html: Elements) -> None:
    images = html.find("img")
    assert [i["attrs"]["alt"] for i in images] == [ALT]


def test_the_image_says_at_what_width_its_smallest_text_is_12_px(html: Elements) -> None:
    (image,) = html.find("img")
    expected = math.ceil(12 * VIEWBOX_WIDTH / SMALLEST_FONT)
    assert image["attrs"]["data-full-width"] == str(expected)


def test_the_data_are_collapsed_under_the_figure(html: Elements) -> None:
    tags = [i["tag"] for i in html.items]
    figure = tags.index("figure")
    (details,) = html.find("details", **{"class": "figure-data"})
    assert html.items.index(details) > figure
    assert "open" not in details["attrs"]
    (summary,) = html.find("summary")
    assert html.text_of(summary) == "Show the data"
    assert summary["ancestors"][-1] is details
    inside = [i for i in html.items if details in i["ancestors"]]
    assert any(i["tag"] == "table" for i in inside), "the data table is not inside <details>"
    links = [i["attrs"]["href"] for i in inside if i["tag"] == "a"]
    assert links == ["#fig-demo", "tables.csv", "tables.xlsx"]


def test_column_headers_and_row_headers_have_their_scope(html: Elements) -> None:
    for table in html.find("table"):
        cells = [i for i in html.items if table in i["ancestors"] and i["tag"] in ("th", "td")]
        head = [c for c in cells if any(a["tag"] == "thead" for a in c["ancestors"])]
        body = [c for c in cells if any(a["tag"] == "tbody" for a in c["ancestors"])]
        assert head and all(c["tag"] == "th" and c["attrs"].get("scope") == "col" for c in head)
        rows = [i for i in html.items if table in i["ancestors"] and i["tag"] == "tr"][1:]
        for row in rows:
            first = next(c for c in body if c["ancestors"][-1] is row)
            assert first["tag"] == "th" and first["attrs"].get("scope") == "row"
            others = [c for c in body if c["ancestors"][-1] is row][1:]
            assert others and all(c["tag"] == "td" for c in others)


def test_captions_sit_outside_a_focusable_labelled_scroll_region(html: Elements) -> None:
    regions = html.find("div", **{"class": "table-scroll"})
    assert len(regions) == 3  # the data table, the labelled table, the unlabelled one
    assert html.find("caption") == []
    for region in regions:
        assert region["attrs"].get("role") == "region"
        assert region["attrs"].get("tabindex") == "0"
        label_id = region["attrs"]["aria-labelledby"]
        (caption,) = [i for i in html.items if i["attrs"].get("id") == label_id]
        assert region not in caption["ancestors"] and caption not in region["ancestors"]
        assert html.text_of(caption)
        table = next(i for i in html.items if i["tag"] == "table" and region in i["ancestors"])
        assert table["attrs"].get("aria-labelledby") == label_id
    texts = [html.text_of(c) for c in html.find("div", **{"class": "table-caption"})]
    assert texts == [
        "The data behind Figure 1.",
        "Table 1: Scores by group",
        "Indicators that changed significantly between 2025 and 2026.",
    ]


def test_links_to_a_table_still_land_on_it(html: Elements) -> None:
    links = [a["attrs"]["href"] for a in html.find("a", **{"class": "quarto-xref"})]
    assert "#tbl-demo" in links
    (block,) = [i for i in html.items if i["attrs"].get("id") == "tbl-demo"]
    assert "table-block" in block["attrs"]["class"].split()


def test_sections_start_at_h2_under_the_page_title(html: Elements) -> None:
    assert [html.text_of(h) for h in html.find("h2")] == ["Where to act"]
    assert [html.text_of(h) for h in html.find("h3")] == ["Groups"]
    assert html.find("h1") == []


def test_typst_gets_the_same_alt_text_and_no_html_parts(workdir: Path) -> None:
    typst = run_pandoc(workdir, "typst")
    alt = re.search(r'cp-image\("media/fig-demo\.svg", alt: "((?:[^"\\]|\\.)*)"\)', typst)
    assert alt, typst[:2000]
    assert alt.group(1).replace('\\"', '"') == ALT
    assert "The data behind" not in typst and "Show the data" not in typst
    assert "tables.csv" not in typst
    assert re.search(r"^= Where to act", typst, flags=re.MULTILINE)
    assert re.search(r"^== Groups", typst, flags=re.MULTILINE)


#: A figure cell as Quarto writes an executed .ipynb cell: every output, the data block
#: too, inside the cell div.
QUARTO_CELL = f"""
::: {{#fig-demo .cell fig-cap="Domain indices" fig-alt="Static fallback"}}
::: {{.cell-output .cell-output-display}}
![](media/fig-demo.svg)
:::

::: {{.cell-output .cell-output-display .cell-output-markdown}}
{figure_data(ALT, "The data behind the figure.", (["Domain", "Index"], [["Drivers", "97.3"]]))}
:::
:::
"""


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_under_quarto_the_data_block_inside_a_figure_cell_is_lifted_out(
    workdir: Path, fmt: str
) -> None:
    """Quarto runs html-figures first (pre-ast), on cells that hold their data block."""
    pre_ast = tuple(PROJECT_ROOT / e["path"] for e in quarto_filters(fmt) if e["at"] == "pre-ast")
    assert [p.name for p in pre_ast] == ["html-figures.lua"]
    to = "html5" if fmt == "html" else "typst"
    out = run_pandoc(workdir, to, document=QUARTO_CELL, filters=pre_ast)
    if fmt == "pdf":
        assert "Show the data" not in out and "The data behind" not in out
        return
    page = Elements()
    page.feed(out)
    (cell,) = [i for i in page.items if i["attrs"].get("id") == "fig-demo"]
    assert cell["attrs"]["data-fig-alt"] == ALT  # Quarto gives the image its fig-alt
    (details,) = page.find("details", **{"class": "figure-data"})
    assert cell not in details["ancestors"], "the data block is still inside the figure"
    assert page.items.index(details) > page.items.index(cell)
    (image,) = page.find("img")
    assert image["attrs"]["data-full-width"]
