"""Rendering an executed report notebook to HTML and PDF (civicpulse_report.render).

Word output is tested in test_render_docx.py, branding in test_branding.py and
PDF/UA-1 in test_pdf_ua.py, on the notebook built here.

A small executed notebook is built here with nbformat, shaped like the LA report:
front matter in a raw cell (with a hostile LA name), markdown with headings, a
callout and cross-references, a figure cell with a real matplotlib PNG, a table
cell with a markdown table, and outputs that must stay hidden. Each test checks
what a reader of the report would check.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from pypdf import PdfReader

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import TEMPLATES_DIR
from civicpulse_report.render import RenderResult, render_report, resolve_renderer
from civicpulse_report.render.html import render_html
from civicpulse_report.render.markdown import notebook_to_markdown
from civicpulse_report.render.notebook import cell_options
from civicpulse_report.render.pdf import render_pdf
from civicpulse_report.render.quarto import _quarto_front_matter, quarto_command
from civicpulse_report.render.tools import quarto_available

LA_NAME = "Ynys Môn <b>#1</b> $x$ @foo *bar*"
TITLE = f"Civic Pulse report: {LA_NAME}"
FIG_CAP = "Domain indices for the area, *Ashbridge* vs England"
FIG_ALT = 'Bar chart of three domain indices: belonging 62, participation 41, trust 55 "per cent"'
TBL_CAP = "Indicator scores with 95% confidence intervals"
HEADINGS = ("Main points", "How people take part", "Where to act", "Next steps")
HIDDEN = ("HIDDEN-OUTPUT-7f3a", "STDERR-WARNING-7f3a", "secret_setup()", "draw_domains()")


def _figure_png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3), dpi=80)
    ax.barh(["Belonging", "Participation", "Trust"], [62, 41, 55], color="#1f4e79")
    ax.set_xlabel("Per cent")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _front_matter(la_name: str = LA_NAME, **extra: str) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "---",
        f"title: {quoted('Civic Pulse report: ' + la_name)}",
        'subtitle: "Local authority report, 2026"',
        f"la_name: {quoted(la_name)}",
        'la_code: "X06000001"',
        "year: 2026",
        'date: "2026-11-28"',
        "synthetic: true",
        'organisation: "Civic Pulse"',
        'brand_colour: "#1f4e79"',
        'footer: "Civic Pulse local report"',
        *(f"{key}: {value}" for key, value in extra.items()),
        "---",
    ]
    return "\n".join(lines)


def build_notebook(png: str, *, front: str | None = None) -> nbformat.NotebookNode:
    """An executed LA-report-like notebook (outputs filled in as papermill would)."""
    prose = "Residents describe a strong sense of belonging and steady participation. " * 25
    cells = [
        new_raw_cell(front if front is not None else _front_matter()),
        new_code_cell(
            "#| include: false\nsecret_setup()",
            outputs=[new_output("stream", name="stdout", text="HIDDEN-OUTPUT-7f3a\n")],
        ),
        new_markdown_cell(
            "# Main points\n\n"
            "Belonging is the strongest domain (@fig-domains); every score is in @tbl-scores.\n\n"
            "::: {.callout-note}\n## About these estimates\n"
            "Estimates are weighted to the adult population.\n:::\n"
        ),
        new_markdown_cell(
            f"## How people take part\n\n{prose}\n\n"
            "| Wave | Respondents | Note |\n|--|--:|--|\n| 2025 | 1,204 | |\n"
            "| 2026 | 1,311 | Boost sample |\n\n"
            "| Group | Share |\n|--|--:|\n| All adults | 100 |\n\n: Respondents by group\n"
        ),
        new_code_cell(
            "#| label: fig-domains\n"
            f"#| fig-cap: {FIG_CAP!r}\n"
            f"#| fig-alt: '{FIG_ALT}'\n"
            "draw_domains()",
            outputs=[
                new_output("stream", name="stderr", text="STDERR-WARNING-7f3a\n"),
                new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
            ],
        ),
        new_code_cell(
            f"#| label: tbl-scores\n#| tbl-cap: {TBL_CAP!r}\nshow_scores()",
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "text/markdown": "| Indicator | Per cent | 95% CI |\n|:--|--:|:--|\n"
                        "| Belonging | 62.1 | 58.0–66.2 |\n"
                        "| Participation | 41.3 | 37.2–45.4 |\n"
                        "| Trust | 55.0 | 51.0–59.0 |\n",
                        "text/plain": "<Markdown>",
                    },
                )
            ],
        ),
        new_markdown_cell(
            f"# Where to act\n\n## Next steps\n\n{prose}\n\n"
            "::: {.callout-warning}\nSmall groups are suppressed.\n:::\n"
        ),
    ]
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
        },
    )


@pytest.fixture(scope="module")
def png() -> str:
    return _figure_png()


@pytest.fixture(scope="module")
def notebook_path(tmp_path_factory: pytest.TempPathFactory, png: str) -> Path:
    path = tmp_path_factory.mktemp("notebook") / "report.ipynb"
    nbformat.write(build_notebook(png), str(path))
    return path


@pytest.fixture(scope="module")
def rendered(notebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    return render_report(notebook_path, tmp_path_factory.mktemp("out"), renderer="builtin")


@pytest.fixture(scope="module")
def html(rendered: RenderResult) -> str:
    return rendered.outputs["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_pages(rendered: RenderResult) -> list[str]:
    reader = PdfReader(rendered.outputs["pdf"])
    return [" ".join(page.extract_text().replace("\xa0", " ").split()) for page in reader.pages]


class _Elements(HTMLParser):
    """Every element with its attributes and the text inside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.elements.append((tag, {k: v or "" for k, v in attrs}, text))
        if tag not in ("img", "meta", "link", "br", "hr", "input"):
            self._open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in ("img", "meta", "link", "br", "hr", "input"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)

    def find(self, tag: str, **attrs: str) -> Iterator[tuple[dict[str, str], str]]:
        for name, attributes, text in self.elements:
            if name != tag:
                continue
            if all(value in attributes.get(key, "").split() for key, value in attrs.items()):
                yield attributes, " ".join("".join(text).split())


@pytest.fixture(scope="module")
def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


# --- HTML ------------------------------------------------------------------------


def test_html_is_one_file_with_nothing_to_fetch(html: str) -> None:
    references = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert references, "expected the figure and the contents links"
    outside = [ref for ref in references if not ref.startswith(("data:", "#"))]
    assert outside == []
    assert "<link" not in html
    assert "--cp-brand" in html  # report.css is inlined
    assert re.search(r'<img [^>]*src="data:image/png;base64,', html)


def test_html_shows_the_la_name_as_text(elements: _Elements, html: str) -> None:
    titles = [text for _, text in elements.find("title")]
    assert titles == [TITLE]
    assert [text for _, text in elements.find("h1", **{"class": "title"})] == [TITLE]
    assert LA_NAME in [text for _, text in elements.find("dd", **{"class": "la-name"})]
    assert not list(elements.find("b")), "the name's markup became an element"
    assert "<b>#1</b>" not in html


def test_html_has_every_heading_and_a_contents_list(elements: _Elements) -> None:
    shown = {text for tag in ("h1", "h2", "h3") for _, text in elements.find(tag)}
    assert set(HEADINGS) <= shown
    contents = [text for _, text in elements.find("nav", id="TOC")]
    assert contents and all(heading in contents[0] for heading in HEADINGS[:3])
    assert "About these estimates" not in contents[0]  # a callout title is not a section


def test_html_numbers_figures_and_tables(elements: _Elements) -> None:
    captions = [text for _, text in elements.find("figcaption")]
    assert captions == ["Figure 1: Domain indices for the area, Ashbridge vs England"]
    # A captioned table without a tbl- label is not numbered, nor counted.
    assert [text for _, text in elements.find("div", **{"class": "table-caption"})] == [
        "Respondents by group",
        f"Table 1: {TBL_CAP}",
    ]
    links = {attrs["href"]: text for attrs, text in elements.find("a", **{"class": "quarto-xref"})}
    assert links == {"#fig-domains": "Figure 1", "#tbl-scores": "Table 1"}  # (no-break spaces)
    assert [attrs.get("id") for attrs, _ in elements.find("figure")] == ["fig-domains"]


def test_html_image_alt_is_the_fig_alt(elements: _Elements) -> None:
    assert [attrs["alt"] for attrs, _ in elements.find("img")] == [FIG_ALT]


def test_html_has_the_synthetic_banner_and_callouts(elements: _Elements) -> None:
    banners = [text for _, text in elements.find("div", **{"class": "synthetic-banner"})]
    assert len(banners) == 1
    assert "Synthetic demonstration data" in banners[0]
    assert elements.elements.index(
        next(e for e in elements.elements if "synthetic-banner" in e[1].get("class", ""))
    ) < elements.elements.index(next(e for e in elements.elements if e[0] == "main"))
    titles = [text for _, text in elements.find("div", **{"class": "callout-title"})]
    assert titles == ["About these estimates", "Warning"]


def test_html_leaves_out_hidden_outputs_and_code(html: str) -> None:
    for text in HIDDEN:
        assert text not in html


def test_html_is_byte_identical_when_rendered_again(
    notebook_path: Path, rendered: RenderResult, tmp_path: Path
) -> None:
    again = tmp_path / "again.html"
    render_html(notebook_path, again)
    assert again.read_bytes() == rendered.outputs["html"].read_bytes()


def test_echo_true_shows_the_code(png: str, tmp_path: Path) -> None:
    nb = build_notebook(png)
    nb.cells.append(new_code_cell("#| echo: true\nanswer = 6 * 7", outputs=[]))
    source = tmp_path / "echo.ipynb"
    nbformat.write(nb, str(source))
    render_html(source, tmp_path / "echo.html")
    assert "answer" in (tmp_path / "echo.html").read_text(encoding="utf-8")


# --- PDF -------------------------------------------------------------------------


def test_pdf_has_pages_numbered_with_the_la_name(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) > 1
    text = " ".join(pdf_pages)
    assert LA_NAME in text
    assert "Page 1 of " in pdf_pages[0]
    assert f"Page {len(pdf_pages)} of {len(pdf_pages)}" in pdf_pages[-1]
    assert all(LA_NAME in page for page in pdf_pages[1:]), "running header"


def test_pdf_marks_every_page_synthetic(pdf_pages: list[str]) -> None:
    for number, page in enumerate(pdf_pages, 1):
        assert "synthetic demonstration data" in page.lower(), f"page {number}"


def test_pdf_numbers_figures_and_tables(pdf_pages: list[str]) -> None:
    text = " ".join(pdf_pages)
    assert "Figure 1: Domain indices for the area" in text
    assert f"Table 1: {TBL_CAP}" in text
    assert "Respondents by group" in text and "Table 2" not in text
    # Table header rows and every cell, an empty one included, in reading order.
    assert "Indicator Per cent 95% CI Belonging 62.1 58.0–66.2" in text
    assert "Wave Respondents Note 2025 1,204 2026 1,311 Boost sample" in text
    assert "(Figure 1); every score is in Table 1." in text
    for heading in HEADINGS:
        assert heading in text
    for hidden in HIDDEN:
        assert hidden not in text


def test_pdf_keeps_the_alt_text(rendered: RenderResult) -> None:
    reader = PdfReader(rendered.outputs["pdf"])
    alts: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert alts == [FIG_ALT]


def test_typst_source_escapes_the_la_name(notebook_path: Path, tmp_path: Path) -> None:
    source_path = tmp_path / "report.typ"
    render_pdf(notebook_path, tmp_path / "report.pdf", typst_source=source_path)
    source = source_path.read_text(encoding="utf-8")
    escaped = r"Ynys Môn \<b\>\#1\</b\> \$x\$ \@foo \*bar\*"
    assert f"la-name: [{escaped}]" in source
    assert f"title: [Civic Pulse report: {escaped}]" in source
    assert LA_NAME not in source
    assert (
        'alt: "Bar chart of three domain indices: belonging 62, participation 41, trust 55 \\"per cent\\""'
        in source
    )


def test_pdf_is_byte_identical_when_rendered_again(
    notebook_path: Path, rendered: RenderResult, tmp_path: Path
) -> None:
    again = tmp_path / "again.pdf"
    render_pdf(notebook_path, again)
    assert again.read_bytes() == rendered.outputs["pdf"].read_bytes()


# --- Inputs that must not render --------------------------------------------------


def test_error_output_stops_the_render(png: str, tmp_path: Path) -> None:
    nb = build_notebook(png)
    nb.cells.append(
        new_code_cell(
            "#| label: fig-broken\n1 / 0",
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"],
                )
            ],
        )
    )
    source = tmp_path / "broken.ipynb"
    nbformat.write(nb, str(source))
    with pytest.raises(
        RenderError, match=r"cell 8 \(fig-broken\).*ZeroDivisionError: division by zero"
    ):
        render_report(source, tmp_path / "out", renderer="builtin")
    assert not (tmp_path / "out" / "report.html").exists()


def test_bad_brand_colour_is_refused(png: str, tmp_path: Path) -> None:
    front = _front_matter().replace('"#1f4e79"', '"red; } body { display: none"')
    source = tmp_path / "colour.ipynb"
    nbformat.write(build_notebook(png, front=front), str(source))
    with pytest.raises(RenderError, match="brand_colour"):
        render_html(source, tmp_path / "colour.html")


def test_project_config_is_read_under_the_front_matter(png: str, tmp_path: Path) -> None:
    config = tmp_path / "_quarto.yml"
    config.write_text(
        "lang: cy\ntoc: true\ntoc-title: Yn yr adroddiad hwn\norganisation: Project default\n"
        f"format:\n  html:\n    css: {TEMPLATES_DIR / 'report.css'}\n",
        encoding="utf-8",
    )
    source = tmp_path / "cy.ipynb"
    nbformat.write(build_notebook(png), str(source))
    render_html(source, tmp_path / "cy.html", project_config=config)
    page = (tmp_path / "cy.html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in page
    assert "Yn yr adroddiad hwn" in page
    assert "Project default" not in page  # the front matter's organisation wins


def test_formats_written_at_once_fail_with_the_failing_formats_error(
    notebook_path: Path, tmp_path: Path
) -> None:
    """The writers run at once; the HTML's missing stylesheet is the error, whatever the PDF did."""
    config = tmp_path / "_quarto.yml"
    config.write_text("format:\n  html:\n    css: no-such.css\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"Stylesheet 'no-such.css'"):
        render_report(
            notebook_path,
            tmp_path / "out",
            ("html", "pdf", "docx"),
            renderer="builtin",
            project_config=config,
        )
    assert not (tmp_path / "out" / "report.html").exists()


def test_notebook_to_markdown_writes_quarto_style_cells(png: str, tmp_path: Path) -> None:
    markdown, front = notebook_to_markdown(build_notebook(png), tmp_path / "media")
    assert front["la_name"] == LA_NAME and front["synthetic"] is True
    assert "::: {#fig-domains .cell fig-cap=" in markdown
    assert "![](media/fig-domains.png)" in markdown
    assert (tmp_path / "media" / "fig-domains.png").read_bytes().startswith(b"\x89PNG")
    assert "::: {#tbl-scores .cell tbl-cap=" in markdown
    assert not any(hidden in markdown for hidden in HIDDEN)


def test_cell_options_are_yaml() -> None:
    options, code = cell_options('#| label: fig-x\n#| fig-cap: "A: b"\n#| echo: true\nplot()')
    assert options == {"label": "fig-x", "fig-cap": "A: b", "echo": True}
    assert code == "plot()"


# --- Choosing a renderer ----------------------------------------------------------


def test_auto_uses_builtin_without_quarto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert resolve_renderer("auto") == "builtin"
    assert resolve_renderer("builtin") == "builtin"


def test_auto_prefers_quarto_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/opt/bin/{name}")
    assert resolve_renderer("auto") == "quarto"


def test_quarto_requested_without_quarto_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match=r"`quarto` is not on PATH.*--renderer builtin"):
        resolve_renderer("quarto")


def test_quarto_command() -> None:
    assert quarto_command("report.ipynb", "html") == [
        "quarto", "render", "report.ipynb", "--to", "html", "--no-execute",
    ]  # fmt: skip
    assert quarto_command("report.ipynb", "pdf", quarto="/opt/quarto/bin/quarto") == [
        "/opt/quarto/bin/quarto", "render", "report.ipynb", "--to", "typst", "--no-execute",
    ]  # fmt: skip
    assert quarto_command("report.ipynb", "docx") == [
        "quarto", "render", "report.ipynb", "--to", "docx", "--no-execute",
    ]  # fmt: skip


def test_quarto_front_matter_is_escaped_markdown() -> None:
    front = _quarto_front_matter({"la_name": LA_NAME, "date": "2026-11-28", "year": 2026})
    assert front["la_name"] == r"Ynys Môn \<b\>\#1\<\/b\> \$x\$ \@foo \*bar\*"
    assert front["date"] == "2026-11-28" and front["year"] == 2026


FAKE_QUARTO = """\
#!{python}
# Stands in for the quarto CLI: checks what render_quarto prepared, writes outputs.
import json, pathlib, sys
args = sys.argv[1:]
assert args[:2] == ["render", "report.ipynb"] and args[-1] == "--no-execute", args
to = args[args.index("--to") + 1]
work = pathlib.Path.cwd()
assert (work / "templates" / "typst-show.typ").is_file()
config = (work / "_quarto.yml").read_text()
assert "project:" in config
cells = json.loads((work / "report.ipynb").read_text())["cells"]
if to == "docx":
    # Word: the project's styles (in the brand's colours) and the opening block.
    assert "reference-doc: reference-branded.docx" in config
    assert (work / "reference-branded.docx").is_file()
    assert "when-format" in "".join(cells[1]["source"])
name = {{"html": "report.html", "typst": "report.pdf", "docx": "report.docx"}}[to]
(work / name).write_text("".join(cells[0]["source"]), encoding="utf-8")
"""


def test_render_quarto_prepares_a_project_for_quarto(
    notebook_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(FAKE_QUARTO.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = render_report(notebook_path, tmp_path / "out", renderer="auto")
    assert result.renderer == "quarto"
    assert set(result.outputs) == {"html", "pdf"}
    front = result.outputs["html"].read_text(encoding="utf-8")
    assert front.startswith("---\n")
    assert r"la_name: Ynys Môn \<b\>\#1\<\/b\> \$x\$ \@foo \*bar\*" in front
    assert "date: '2026-11-28'" in front


@pytest.mark.quarto
@pytest.mark.skipif(not quarto_available(), reason="quarto is not on PATH")
def test_quarto_renders_the_same_report(notebook_path: Path, tmp_path: Path) -> None:
    result = render_report(notebook_path, tmp_path, renderer="quarto")
    assert result.renderer == "quarto"
    page = result.outputs["html"].read_text(encoding="utf-8")
    assert "Ynys Môn &lt;b&gt;#1&lt;/b&gt;" in page
    assert "Figure" in page and FIG_ALT.split(":")[0] in page
    assert "synthetic-banner" in page
    text = " ".join(p.extract_text() for p in PdfReader(result.outputs["pdf"]).pages)
    assert LA_NAME in " ".join(text.replace("\xa0", " ").split())
