"""Rendering an executed report notebook to Word (civicpulse_report.render.docx).

The notebook is the one tests/integration/test_render.py builds (a hostile LA
name, headings, a numbered figure with fig-alt, a numbered table, a captioned
unnumbered table, hidden outputs). Each test opens the .docx as Word would read
it, through word/document.xml, and checks what an editor of the draft would
check: the styles that carry the headings, the numbered captions, the images'
descriptions, the synthetic-data notice at the top, and that the same notebook
gives the same bytes.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from test_render import (
    FAKE_QUARTO,
    FIG_ALT,
    HEADINGS,
    HIDDEN,
    LA_NAME,
    TBL_CAP,
    TITLE,
    build_notebook,
)

from civicpulse_report.errors import RenderError
from civicpulse_report.render import RenderResult, render_report
from civicpulse_report.render.docx import (
    REFERENCE_ACCENT,
    REFERENCE_DOCX,
    REFERENCE_PRIMARY,
    SYNTHETIC_NOTICE,
    render_docx,
)
from civicpulse_report.render.tools import quarto_available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
TEMPLATES = Path(REFERENCE_DOCX).parent


@dataclass(frozen=True)
class Paragraph:
    style: str
    text: str


def paragraphs(docx: bytes) -> list[Paragraph]:
    """Every paragraph of the body, with its style id and its text."""
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        root = ET.fromstring(package.read("word/document.xml"))
    found = []
    for p in root.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        found.append(Paragraph(style.get(f"{W}val") if style is not None else "", text))
    return found


def image_descriptions(docx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        root = ET.fromstring(package.read("word/document.xml"))
    return [doc_pr.get("descr", "") for doc_pr in root.iter(f"{WP}docPr")]


def member(docx: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return package.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def notebook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_render import _figure_png

    path = tmp_path_factory.mktemp("notebook") / "report.ipynb"
    nbformat.write(build_notebook(_figure_png()), str(path))
    return path


@pytest.fixture(scope="module")
def rendered(notebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    return render_report(
        notebook_path, tmp_path_factory.mktemp("out"), formats=("docx",), renderer="builtin"
    )


@pytest.fixture(scope="module")
def docx(rendered: RenderResult) -> bytes:
    return rendered.outputs["docx"].read_bytes()


@pytest.fixture(scope="module")
def body(docx: bytes) -> list[Paragraph]:
    return paragraphs(docx)


def test_docx_is_written_as_report_docx(rendered: RenderResult) -> None:
    assert set(rendered.outputs) == {"docx"}
    assert rendered.outputs["docx"].name == "report.docx"
    assert zipfile.is_zipfile(rendered.outputs["docx"])
    assert "docx" in rendered.timings


def test_headings_are_word_heading_styles(body: list[Paragraph]) -> None:
    styled = {(p.style, p.text) for p in body}
    assert ("Heading1", "Main points") in styled
    assert ("Heading2", "How people take part") in styled
    assert ("Heading1", "Where to act") in styled
    assert ("Heading2", "Next steps") in styled
    assert {p.text for p in body if p.style.startswith("Heading")} == set(HEADINGS)


def test_title_block_keeps_the_name_as_text(body: list[Paragraph], docx: bytes) -> None:
    assert body[0] == Paragraph("Title", TITLE)
    assert Paragraph("Subtitle", "Local authority report, 2026") in body
    assert Paragraph("ReportFacts", f"Local authority: {LA_NAME}") in body
    assert Paragraph("ReportFacts", "Area code: X06000001") in body
    assert "<b>#1</b>" not in member(docx, "word/document.xml")  # escaped, not markup
    assert f"<dc:title>{TITLE.replace('<', '&lt;').replace('>', '&gt;')}</dc:title>" in member(
        docx, "docProps/core.xml"
    )


def test_synthetic_notice_opens_the_document(body: list[Paragraph]) -> None:
    notices = [i for i, p in enumerate(body) if p.style == "SyntheticNotice"]
    assert len(notices) == 1
    assert body[notices[0]].text == " ".join(SYNTHETIC_NOTICE)
    first_heading = next(i for i, p in enumerate(body) if p.style == "Heading1")
    assert notices[0] < first_heading
    assert notices[0] <= 4  # after the title, subtitle and date: on the first screen


def test_figures_are_numbered_with_captions(body: list[Paragraph]) -> None:
    captions = [p.text for p in body if p.style == "ImageCaption"]
    assert captions == ["Figure 1: Domain indices for the area, Ashbridge vs England"]
    text = " ".join(p.text for p in body).replace("\xa0", " ")
    assert "(Figure 1); every score is in Table 1." in text


def test_cross_references_link_to_their_float(docx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        root = ET.fromstring(package.read("word/document.xml"))
    anchors = [link.get(f"{W}anchor") for link in root.iter(f"{W}hyperlink")]
    bookmarks = {mark.get(f"{W}name") for mark in root.iter(f"{W}bookmarkStart")}
    assert anchors == ["fig-domains", "tbl-scores"]
    assert set(anchors) <= bookmarks


def test_image_description_is_the_fig_alt(docx: bytes) -> None:
    assert image_descriptions(docx) == [FIG_ALT]


def test_tables_are_numbered_with_captions(body: list[Paragraph], docx: bytes) -> None:
    captions = [p.text for p in body if p.style == "TableCaption"]
    assert captions == ["Respondents by group", f"Table 1: {TBL_CAP}"]
    document = member(docx, "word/document.xml")
    assert document.count("<w:tblHeader") == 3  # each table's header row repeats
    assert "Belonging" in " ".join(p.text for p in body)


def test_hidden_outputs_and_code_stay_out(docx: bytes) -> None:
    document = member(docx, "word/document.xml")
    for hidden in HIDDEN:
        assert hidden not in document


def test_styles_are_the_reference_documents(docx: bytes) -> None:
    styles = member(docx, "word/styles.xml")
    assert 'w:styleId="SyntheticNotice"' in styles
    assert 'w:ascii="Arial"' in styles
    heading = styles[styles.index('w:styleId="Heading1"') :]
    heading = heading[: heading.index("</w:style>")]
    assert f'w:color w:val="{REFERENCE_PRIMARY}"' in heading  # the front matter's #1f4e79


def test_same_notebook_gives_the_same_bytes(
    notebook_path: Path, docx: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = tmp_path / "again.docx"
    render_docx(notebook_path, again)
    assert again.read_bytes() == docx
    core = member(docx, "docProps/core.xml")
    assert "2026-11-28T00:00:00Z" in core  # the report's date, not the time of the run
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert {info.date_time[:3] for info in package.infolist()} <= {
            (2026, 11, 28),
            (1980, 1, 1),
        }


def test_plain_text_fallback_of_an_html_output_shows_in_word(tmp_path: Path) -> None:
    from test_render import _figure_png

    nb = build_notebook(_figure_png())
    nb.cells.append(
        new_code_cell(
            "show_widget()",
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "text/html": "<div>HTML-ONLY-5c1e</div>",
                        "text/plain": "PLAIN-FALLBACK-5c1e",
                    },
                )
            ],
        )
    )
    source = tmp_path / "fallback.ipynb"
    nbformat.write(nb, str(source))
    render_docx(source, tmp_path / "fallback.docx")
    document = member((tmp_path / "fallback.docx").read_bytes(), "word/document.xml")
    assert "PLAIN-FALLBACK-5c1e" in document
    assert "HTML-ONLY-5c1e" not in document


def test_unknown_format_names_docx_among_the_choices(notebook_path: Path, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"choose from html, pdf, docx"):
        render_report(notebook_path, tmp_path, formats=("odt",), renderer="builtin")


def test_reference_docx_is_made_by_its_script() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_reference_docx", TEMPLATES / "make_reference_docx.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    built = script.build()
    assert built == REFERENCE_DOCX.read_bytes(), "run templates/make_reference_docx.py"
    styles = member(built, "word/styles.xml")
    assert REFERENCE_PRIMARY in styles and REFERENCE_ACCENT in styles


# --- The Quarto renderer ----------------------------------------------------------


def test_render_quarto_renders_word_too(
    notebook_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(FAKE_QUARTO.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = render_report(
        notebook_path, tmp_path / "out", formats=("html", "pdf", "docx"), renderer="quarto"
    )
    assert set(result.outputs) == {"html", "pdf", "docx"}
    assert result.outputs["docx"].name == "report.docx"
    assert result.outputs["docx"].read_text(encoding="utf-8").startswith("---\n")


@pytest.mark.quarto
@pytest.mark.skipif(not quarto_available(), reason="quarto is not on PATH")
def test_quarto_renders_the_same_word_document(notebook_path: Path, tmp_path: Path) -> None:
    result = render_report(notebook_path, tmp_path, formats=("docx",), renderer="quarto")
    docx = result.outputs["docx"].read_bytes()
    body = paragraphs(docx)
    assert any(p.style == "SyntheticNotice" for p in body)
    assert any(p.text.startswith("Figure 1") for p in body)
    assert FIG_ALT in image_descriptions(docx)
