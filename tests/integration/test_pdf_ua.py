"""PDF/UA-1: the built-in PDF is compiled to Typst's PDF/UA-1 standard (issue 10).

``_quarto.yml`` asks for ``pdf-standard: ua-1`` (Quarto 1.9's option); the built-in
renderer passes it to Typst, which then refuses what it can check (an image
without alt text, a document without a title) and tags the structure. These tests
read the PDF the way assistive technology does: the catalog's viewer preferences,
the XMP identification, and the structure tree (figures with /Alt, tables with
header cells and captions).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from pypdf import PdfReader
from test_render import FIG_ALT, TITLE, _figure_png, _front_matter, build_notebook

from civicpulse_report.errors import RenderError
from civicpulse_report.render import render_report
from civicpulse_report.render.pdf import render_pdf

PDFUA_ID = "{http://www.aiim.org/pdfua/ns/id/}"
DC = "{http://purl.org/dc/elements/1.1/}"


Element = dict[str, Any]


def _elements(node: Any, ancestors: tuple[Element, ...] = ()) -> list[tuple[Element, tuple]]:
    """Every structure element (with its ancestors, nearest last) under ``node``, in order."""
    node = node.get_object() if hasattr(node, "get_object") else node
    found: list[tuple[Element, tuple]] = []
    if isinstance(node, dict):
        if "/S" in node:
            found.append((node, ancestors))
            ancestors = (*ancestors, node)
        if "/K" in node:
            found += _elements(node["/K"], ancestors)
    elif isinstance(node, list):
        for child in node:
            found += _elements(child, ancestors)
    return found


def _descendants(node: Element) -> list[Element]:
    return [element for element, _ in _elements(node.get("/K", []))]


def _children(node: Element) -> list[Element]:
    return [element for element, ancestors in _elements(node.get("/K", [])) if not ancestors]


@pytest.fixture(scope="module")
def png() -> str:
    return _figure_png()


@pytest.fixture(scope="module")
def pdf(png: str, tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    folder = tmp_path_factory.mktemp("ua")
    source = folder / "report.ipynb"
    nbformat.write(build_notebook(png), str(source))
    result = render_report(source, folder, formats=("pdf",), renderer="builtin")
    return PdfReader(result.outputs["pdf"])


@pytest.fixture(scope="module")
def structure(pdf: PdfReader) -> list[tuple[Element, tuple]]:
    return _elements(pdf.trailer["/Root"]["/StructTreeRoot"])


def test_viewer_shows_the_title_not_the_file_name(pdf: PdfReader) -> None:
    catalog = pdf.trailer["/Root"]
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert bool(catalog["/MarkInfo"]["/Marked"]) is True
    assert catalog["/Lang"] == "en-GB"
    assert pdf.metadata is not None and pdf.metadata.title == TITLE


def test_xmp_identifies_pdf_ua_1(pdf: PdfReader) -> None:
    assert pdf.xmp_metadata is not None
    xmp = ET.fromstring(pdf.xmp_metadata.stream.get_data())
    parts = [element.text for element in xmp.iter(f"{PDFUA_ID}part")]
    assert parts == ["1"]
    titles = [li.text for title in xmp.iter(f"{DC}title") for li in title.iter() if li.text]
    assert TITLE in titles


def test_every_figure_has_alt_text(structure: list[tuple[Element, tuple]]) -> None:
    figures = [element for element, _ in structure if element["/S"] == "/Figure"]
    with_alt = [str(element["/Alt"]) for element in figures if str(element.get("/Alt", ""))]
    assert len(figures) >= 1
    assert len(with_alt) == len(figures)
    assert with_alt == [FIG_ALT]


def test_every_table_has_header_cells(structure: list[tuple[Element, tuple]]) -> None:
    tables = [element for element, _ in structure if element["/S"] == "/Table"]
    assert len(tables) == 3  # the notebook's three tables
    for number, table in enumerate(tables, 1):
        inside = _descendants(table)
        headers = [cell for cell in inside if cell["/S"] == "/TH"]
        assert headers, f"table {number} has no header cells"
        assert all(cell["/S"] != "/TH" or "/A" in cell for cell in inside)
        assert any(cell["/S"] == "/TD" for cell in inside)


def _table_scopes(cell: Element) -> list[str | None]:
    return [a.get("/Scope") for a in _attributes(cell) if a.get("/O") == "/Table"]


def test_column_header_cells_are_scoped_to_their_column(
    structure: list[tuple[Element, tuple]],
) -> None:
    tables = [element for element, _ in structure if element["/S"] == "/Table"]
    for table in tables:
        heads = [part for part in _descendants(table) if part["/S"] == "/THead"]
        assert heads, "a table without a header row"
        cells = [c for head in heads for c in _descendants(head) if c["/S"] in ("/TH", "/TD")]
        assert cells and all(c["/S"] == "/TH" for c in cells)
        assert {s for c in cells for s in _table_scopes(c)} == {"/Column"}


def test_the_first_cell_of_every_body_row_is_a_row_header(
    structure: list[tuple[Element, tuple]],
) -> None:
    """As the HTML's <th scope="row">: the label column names each row for a screen reader."""
    tables = [element for element, _ in structure if element["/S"] == "/Table"]
    rows = 0
    for table in tables:
        for body in (p for p in _descendants(table) if p["/S"] == "/TBody"):
            for row in (r for r in _children(body) if r["/S"] == "/TR"):
                cells = [c for c in _children(row) if c["/S"] in ("/TH", "/TD")]
                assert cells[0]["/S"] == "/TH" and _table_scopes(cells[0]) == ["/Row"], row
                assert all(c["/S"] == "/TD" for c in cells[1:]), "only the first cell"
                rows += 1
    assert rows >= 3


def test_row_headers_keep_typst_s_bytes_and_are_deterministic(tmp_path: Path) -> None:
    """The retagging is an incremental update after Typst's own bytes, the same every time."""
    import typst

    from civicpulse_report.render.pdf import tag_row_headers

    source = tmp_path / "t.typ"
    source.write_text(
        '#set document(title: "Row headers")\n'
        "#table(columns: 2, table.header([Group], [Score]), [Renters], [97.1], [Owners], [99])\n",
        encoding="utf-8",
    )
    original = typst.compile(str(source), root=str(tmp_path), pdf_standards=["ua-1"])
    tagged = tag_row_headers(original)
    assert tagged.startswith(original) and len(tagged) > len(original)
    assert tag_row_headers(original) == tagged
    assert tag_row_headers(tagged) == tagged, "a second pass finds nothing left to change"
    reader = PdfReader(io.BytesIO(tagged))
    cells = [e for e, _ in _elements(reader.trailer["/Root"]["/StructTreeRoot"])]
    assert [e["/S"] for e in cells if e["/S"] in ("/TH", "/TD")] == [
        "/TH", "/TH", "/TH", "/TD", "/TH", "/TD"
    ]  # fmt: skip


def _attributes(cell: Element) -> list[Element]:
    attributes = cell.get("/A", [])
    attributes = attributes.get_object() if hasattr(attributes, "get_object") else attributes
    items = attributes if isinstance(attributes, list) else [attributes]
    return [a.get_object() if hasattr(a, "get_object") else a for a in items]


def test_row_header_cells_are_still_impossible_with_this_typst(tmp_path: Path) -> None:
    """Typst tags a row header only through pdf.header-cell, behind a feature flag that
    the typst package cannot enable (see the note in render/pdf.py), so the PDF is
    retagged after compiling. When this fails, Typst can tag row headers itself: make
    each table's first column one (table-layout.lua) and drop tag_row_headers."""
    import typst

    source = tmp_path / "row-header.typ"
    source.write_text(
        '#set document(title: "Row headers")\n'
        "#table(columns: 2, table.header([Group], [Score]),\n"
        '  pdf.header-cell(scope: "row", table.cell[Renters]), [97.1])\n',
        encoding="utf-8",
    )
    with pytest.raises(typst.TypstError, match="header-cell"):
        typst.compile(str(source), root=str(tmp_path), pdf_standards=["ua-1"])
    source.write_text(
        '#set document(title: "Row headers")\n'
        "#table(columns: 2, table.header([Group], [Score]),\n"
        '  table.cell(scope: "row")[Renters], [97.1])\n',
        encoding="utf-8",
    )
    with pytest.raises(typst.TypstError, match="scope"):
        typst.compile(str(source), root=str(tmp_path), pdf_standards=["ua-1"])


def test_captioned_tables_carry_their_caption(
    structure: list[tuple[Element, tuple]],
) -> None:
    """The two captioned tables have a Caption: in their own tag, or (where Typst groups
    a figure that way) as a child of the figure's group around the table."""
    captioned = 0
    for element, ancestors in structure:
        if element["/S"] != "/Table":
            continue
        groups = [a for a in ancestors if a["/S"] not in ("/Document", "/Sect", "/Part")]
        holders = [element, *groups]
        if any(child["/S"] == "/Caption" for holder in holders for child in _children(holder)):
            captioned += 1
    assert captioned == 2


def test_an_image_without_alt_text_is_refused(png: str, tmp_path: Path) -> None:
    nb = build_notebook(png)
    nb.cells.append(
        new_code_cell(
            "plot_without_words()",
            outputs=[new_output("display_data", data={"image/png": png, "text/plain": ""})],
        )
    )
    source = tmp_path / "no-alt.ipynb"
    nbformat.write(nb, str(source))
    with pytest.raises(RenderError, match=r"(?s)alt text.*hint: .*fig-alt"):
        render_pdf(source, tmp_path / "no-alt.pdf")
    assert not (tmp_path / "no-alt.pdf").exists()


def test_a_document_without_a_title_is_refused(png: str, tmp_path: Path) -> None:
    front = "\n".join(
        line for line in _front_matter().splitlines() if not line.startswith(("title:", "la_name:"))
    )
    source = tmp_path / "untitled.ipynb"
    nbformat.write(build_notebook(png, front=front), str(source))
    with pytest.raises(RenderError, match=r"(?s)title.*hint: give the notebook a `title:`"):
        render_pdf(source, tmp_path / "untitled.pdf")


def test_an_unknown_pdf_standard_is_refused(png: str, tmp_path: Path) -> None:
    config = tmp_path / "_quarto.yml"
    config.write_text("format:\n  typst:\n    pdf-standard: ua-9\n", encoding="utf-8")
    source = tmp_path / "report.ipynb"
    nbformat.write(build_notebook(png), str(source))
    with pytest.raises(RenderError, match=r"pdf-standard: \['ua-9'\] not known"):
        render_pdf(source, tmp_path / "report.pdf", project_config=config)
