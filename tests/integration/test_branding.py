"""Branding: one settings.yml section changes the look of HTML, PDF and DOCX alike.

An organisation edits ``branding`` in its settings.yml (name, logo, colours,
contact line); :meth:`Settings.brand_metadata` is what goes into each notebook's
front matter; both renderers read it. These tests change the brand to "Test
Borough Insight" in purple with a small SVG logo and look for it where a reader
would: the HTML page's text, colours and logo; the PDF's text, colours and logo;
the Word document's text, logo and heading colour. The Quarto renderer is checked
through a stand-in ``quarto`` that keeps the project it was given.
"""

from __future__ import annotations

import base64
import io
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from pypdf import PdfReader
from test_render import LA_NAME, _Elements, _figure_png, build_notebook
from test_render_docx import Paragraph, image_descriptions, member, paragraphs

from civicpulse_report.errors import RenderError
from civicpulse_report.render import RenderResult, render_report
from civicpulse_report.settings import Settings, load_settings

NAME = "Test Borough Insight"
COLOUR = "#5a2d82"
ACCENT = "#006d5b"
CONTACT = "insight@testborough.example · 01234 567890"
AUTHOR = "Insight Team, Test Borough"
LOGO_ALT = f"{NAME} logo"
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    f'<rect width="40" height="40" fill="{COLOUR}"/></svg>\n'
).encode()


def _settings(folder: Path) -> Settings:
    """A settings.yml with the test brand, loaded and checked as a run would load it."""
    (folder / "brand").mkdir(parents=True)
    (folder / "brand" / "tbi-logo.svg").write_bytes(LOGO)
    raw = yaml.safe_load((Path(__file__).parents[2] / "data/config/settings.yml").read_text())
    raw["branding"] = {
        "name": NAME,
        "logo": "brand/tbi-logo.svg",
        "colours": {"primary": COLOUR, "accent": ACCENT},
        "contact": CONTACT,
        "footer": "Test Borough local report",
    }
    path = folder / "settings.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_settings(path)


def _front(branding: dict[str, Any], **extra: Any) -> str:
    data = {
        "title": f"Civic Pulse report: {LA_NAME}",
        "subtitle": "Local authority report, 2026",
        "author": AUTHOR,
        "la_name": LA_NAME,
        "la_code": "X06000001",
        "year": 2026,
        "date": "2026-11-28",
        "synthetic": True,
        "organisation": "Civic Pulse",  # the brand's name replaces it
        "brand_colour": "#1f4e79",  # and its colour this one
        "footer": "Test Borough local report",
        "branding": branding,
        **extra,
    }
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _settings(tmp_path_factory.mktemp("config"))


@pytest.fixture(scope="module")
def notebook_path(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    path = tmp_path_factory.mktemp("notebook") / "report.ipynb"
    nb = build_notebook(_figure_png(), front=_front(settings.brand_metadata()))
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def rendered(notebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    return render_report(
        notebook_path,
        tmp_path_factory.mktemp("out"),
        formats=("html", "pdf", "docx"),
        renderer="builtin",
    )


def test_settings_hand_render_a_plain_branding_mapping(settings: Settings) -> None:
    brand = settings.brand_metadata()
    assert brand["name"] == NAME
    assert brand["colours"] == {"primary": COLOUR, "accent": ACCENT}
    assert brand["contact"] == CONTACT
    assert Path(brand["logo"]).is_absolute() and Path(brand["logo"]).read_bytes() == LOGO
    # The manifest keeps the path as written, not this machine's.
    assert settings.as_dict()["branding"]["logo"] == "brand/tbi-logo.svg"


# --- HTML ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html(rendered: RenderResult) -> str:
    return rendered.outputs["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def test_html_shows_the_brand_name_contact_and_author(elements: _Elements) -> None:
    assert [text for _, text in elements.find("span", **{"class": "report-organisation"})] == [NAME]
    facts = [text for _, text in elements.find("dd")]
    assert NAME in facts
    assert [text for _, text in elements.find("dd", **{"class": "report-contact"})] == [CONTACT]
    assert [text for _, text in elements.find("p", **{"class": "author"})] == [AUTHOR]


def test_html_uses_the_brand_colours(html: str) -> None:
    brand = html.index(f"--cp-brand: {COLOUR};")
    assert f"--cp-accent: {ACCENT};" in html
    # It follows report.css's default, so the brand wins the cascade.
    assert html.index("--cp-brand: #1f4e79") < brand
    assert html.count("--cp-brand: #1f4e79") == 1  # the front matter's own colour is not used


def test_html_shows_the_logo_inside_the_page(elements: _Elements) -> None:
    (logo,) = [attrs for attrs, _ in elements.find("img", **{"class": "report-logo"})]
    prefix = "data:image/svg+xml;base64,"
    assert logo["src"].startswith(prefix)
    assert base64.b64decode(logo["src"][len(prefix) :]) == LOGO
    assert logo["alt"] == LOGO_ALT


# --- PDF -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(rendered: RenderResult) -> PdfReader:
    return PdfReader(rendered.outputs["pdf"])


def _text(page: Any) -> str:
    return " ".join(page.extract_text().replace("\xa0", " ").split())


def test_pdf_shows_the_brand_name_contact_and_author(pdf: PdfReader) -> None:
    first = _text(pdf.pages[0])
    assert f"Publisher {NAME}" in first
    assert f"Contact {CONTACT}" in first
    assert AUTHOR in first
    for number, page in enumerate(pdf.pages[1:], 2):
        assert NAME in _text(page), f"running header, page {number}"
    assert pdf.metadata is not None and pdf.metadata.get("/Author") == AUTHOR


def _fill_colours(page: Any) -> set[tuple[float, ...]]:
    stream = page.get_contents().get_data().decode("latin-1")
    found = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:scn|sc|rg)\b", stream)
    return {tuple(round(float(c) * 255) for c in triple) for triple in found}


def test_pdf_uses_the_brand_colour(pdf: PdfReader) -> None:
    purple = tuple(int(COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert purple in _fill_colours(pdf.pages[0])  # the title band and title
    old_blue = (0x1F, 0x4E, 0x79)
    assert all(old_blue not in _fill_colours(page) for page in pdf.pages)


def test_pdf_shows_the_logo_with_alt_text(pdf: PdfReader) -> None:
    alts: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(pdf.trailer["/Root"]["/StructTreeRoot"])
    assert alts[0] == LOGO_ALT  # the first figure, on the title page


# --- DOCX ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx(rendered: RenderResult) -> bytes:
    return rendered.outputs["docx"].read_bytes()


def test_docx_shows_the_brand_name_logo_contact_and_author(docx: bytes) -> None:
    body = paragraphs(docx)
    assert [p.text.strip() for p in body if p.style == "Brand"] == [NAME]  # after the logo
    assert Paragraph("ReportFacts", f"Publisher: {NAME}") in body
    assert Paragraph("ReportFacts", f"Contact: {CONTACT}") in body
    assert Paragraph("Author", AUTHOR) in body
    assert image_descriptions(docx)[0] == LOGO_ALT
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        media = [package.read(n) for n in package.namelist() if n.startswith("word/media/")]
    assert LOGO in media


def test_docx_headings_take_the_brand_colour(docx: bytes) -> None:
    styles = member(docx, "word/styles.xml")
    heading = styles[styles.index('w:styleId="Heading1"') :]
    heading = heading[: heading.index("</w:style>")]
    assert f'w:val="{COLOUR[1:].upper()}"' in heading
    assert "1F4E79" not in styles
    assert ACCENT[1:].upper() in styles  # the title's rule


# --- What is refused -------------------------------------------------------------


@pytest.mark.parametrize(
    ("branding", "message"),
    [
        ({"name": NAME, "colours": {"primary": "purple"}}, r"branding\.colours\.primary"),
        ({"name": NAME, "logo": "/no/such/logo.svg"}, r"branding\.logo .*not found"),
        ({"name": NAME, "logo": __file__}, r"must be an SVG or PNG"),
        ({"name": NAME, "colour": COLOUR}, r"unknown keys \['colour'\]"),
    ],
)
def test_bad_branding_is_refused(branding: dict[str, Any], message: str, tmp_path: Path) -> None:
    source = tmp_path / "bad.ipynb"
    nbformat.write(build_notebook(_figure_png(), front=_front(branding)), str(source))
    with pytest.raises(RenderError, match=message):
        render_report(source, tmp_path / "out", formats=("html",), renderer="builtin")


# --- Quarto mirrors it -------------------------------------------------------------

KEEPING_QUARTO = """\
#!{python}
# Stands in for the quarto CLI: keeps the project it was given, writes placeholder outputs.
import os, pathlib, shutil, sys
args = sys.argv[1:]
to = args[args.index("--to") + 1]
work = pathlib.Path.cwd()
keep = pathlib.Path(os.environ["KEEP_QUARTO_PROJECT"])
if not keep.exists():
    shutil.copytree(work, keep)
name = {{"html": "report.html", "typst": "report.pdf", "docx": "report.docx"}}[to]
(work / name).write_text(to, encoding="utf-8")
"""


@pytest.fixture()
def quarto_project(
    notebook_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RenderResult, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(KEEPING_QUARTO.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("KEEP_QUARTO_PROJECT", str(tmp_path / "kept"))
    result = render_report(
        notebook_path, tmp_path / "out", formats=("html", "pdf", "docx"), renderer="quarto"
    )
    return result, tmp_path / "kept"


def _unescape(value: Any) -> Any:
    return re.sub(r"\\(.)", r"\1", value) if isinstance(value, str) else value


def test_quarto_gets_the_same_brand(
    quarto_project: tuple[RenderResult, Path], html: str, docx: bytes
) -> None:
    result, kept = quarto_project
    assert set(result.outputs) == {"html", "pdf", "docx"}
    cells = nbformat.read(str(kept / "report.ipynb"), as_version=4).cells
    front = yaml.safe_load(cells[0].source.strip().strip("-"))
    assert "branding" not in front
    assert _unescape(front["organisation"]) == NAME
    assert _unescape(front["brand_colour"]) == COLOUR
    assert _unescape(front["brand_accent"]) == ACCENT
    assert _unescape(front["brand_contact"]) == CONTACT
    assert _unescape(front["brand_logo_alt"]) == LOGO_ALT
    assert _unescape(front["brand_logo"]) == "brand-logo.svg"
    assert _unescape(front["byline"]) == AUTHOR
    # The same logo as the built-in page shows, and the file the Typst partial names.
    assert f'src="{_unescape(front["brand_logo_uri"])}"' in html
    assert (kept / "brand-logo.svg").read_bytes() == LOGO


def test_quarto_word_output_gets_the_same_opening_block_and_colours(
    quarto_project: tuple[RenderResult, Path],
) -> None:
    _, kept = quarto_project
    cells = nbformat.read(str(kept / "report.ipynb"), as_version=4).cells
    block = cells[1].source
    assert block.startswith('::::: {.content-visible when-format="docx"}')
    for text in ('custom-style="Synthetic Notice"', 'custom-style="Brand"', "brand-logo.svg"):
        assert text in block
    assert "Publisher: **Test Borough Insight**" in block
    assert _unescape(CONTACT) in _unescape(block)
    config = yaml.safe_load((kept / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["format"]["docx"]["reference-doc"] == "reference-branded.docx"
    assert config["format"]["typst"]["pdf-standard"] == "ua-1"
    styles = member((kept / "reference-branded.docx").read_bytes(), "word/styles.xml")
    assert COLOUR[1:].upper() in styles and "1F4E79" not in styles


def test_quarto_html_only_gets_no_word_block(
    notebook_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "quarto").write_text(KEEPING_QUARTO.format(python=sys.executable), "utf-8")
    (bin_dir / "quarto").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("KEEP_QUARTO_PROJECT", str(tmp_path / "kept"))
    render_report(notebook_path, tmp_path / "out", formats=("html",), renderer="quarto")
    cells = nbformat.read(str(tmp_path / "kept" / "report.ipynb"), as_version=4).cells
    assert "content-visible" not in cells[1].source
    assert not (tmp_path / "kept" / "reference-branded.docx").exists()
