"""Hostile data (issue 11): LA names from an input file are data, never markup or code.

The small demo's LAs are renamed in a copy of ``la_lookup.csv``: one to each
hostile name below, and the LA that is built to all of them at once (it starts
with ``=`` so that its table cells must be neutralised). One build in HTML,
PDF and DOCX, then every output is read back the way a reader's tool would:

- HTML (the report and the index): parsed; no ``<script>`` carries the payload,
  and the page text holds the name exactly;
- PDF: pypdf's text holds the name (whitespace aside) and the Typst in it did
  not run (the page is still A4);
- DOCX: the document's text holds the name;
- ``tables.csv`` and ``tables.xlsx``: the name's cells start with an apostrophe,
  never ``=``, and no cell is a formula;
- the file system: every file written is under the output and build folders,
  in folders named by LA code only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from civicpulse_report.pipeline import BuildOptions, build_reports

WELSH = "Ynys Môn"
FORMULA = "=cmd|' /C calc'!A0"
HOSTILE = (
    "<script>alert(1)</script>",
    '#set page(fill: red) #set page(paper: "a0")',
    "$x$ and ${x}",
    "{{ secret }}",
    "../../etc/passwd",
    FORMULA,
    WELSH,
)
#: The built LA's name: every payload at once, formula first, an apostrophe and Welsh last.
BUILT_NAME = (
    f'{FORMULA} <script>alert(1)</script> #set page(paper: "a0") #set page(fill: red) '
    f"$x$ ${{x}} {{{{ secret }}}} ../../etc/passwd O'Brien {WELSH}"
)
A4 = (595, 842)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def squash(text: str) -> str:
    """Whitespace runs as one space, Unicode composed (NFC), for comparing extracted text."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class PageText(HTMLParser):
    """The visible text of a page, the text of its scripts, and its attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._in.append(tag)
            if tag == "script":
                self.scripts.append("")
        self.attributes += [(k, v or "") for k, v in attrs]

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if not self._in:
            self.text.append(data)
        elif self._in[-1] == "script":
            self.scripts[-1] += data


def parse_html(path: Path) -> PageText:
    page = PageText()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def assert_name_is_text(path: Path) -> PageText:
    page = parse_html(path)
    for script in page.scripts:
        assert "alert(1)" not in script, f"{path.name}: the name's <script> ran as a script"
    for key, value in page.attributes:
        assert not key.startswith("on"), f"{path.name}: an event handler attribute {key}={value!r}"
    assert squash(BUILT_NAME) in squash(" ".join(page.text)), f"{path.name} lost the name"
    return page


def files_under(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def hostile(small_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The small demo with hostile LA names, and one LA's report in HTML, PDF and DOCX."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    for path in small_demo_dir.iterdir():
        if path.is_file():
            (data / path.name).write_bytes(path.read_bytes())
    lookup = pd.read_csv(data / "la_lookup.csv", dtype=str, keep_default_na=False)
    assert len(lookup) > len(HOSTILE), "the small demo needs an LA per hostile name"
    names = [BUILT_NAME, *HOSTILE, *lookup["la_name"].iloc[len(HOSTILE) + 1 :]]
    lookup["la_name"] = names
    lookup.to_csv(data / "la_lookup.csv", index=False, encoding="utf-8")
    code = str(lookup["la_code"].iloc[0])
    data_before = files_under(data)
    passwd = Path("/etc/passwd")
    passwd_before = passwd.stat().st_mtime_ns if passwd.exists() else None

    summary = build_reports(
        BuildOptions(
            data_dir=data,
            la_codes=(code,),
            formats=("html", "pdf", "docx"),
            renderer="builtin",
            jobs=1,
            out_dir=root / "reports",
            build_dir=root / "build",
            national="skip",
        )
    )
    assert summary.built == [code], summary.failed
    assert files_under(data) == data_before, "the build changed its input folder"
    if passwd_before is not None:
        assert passwd.stat().st_mtime_ns == passwd_before
    return root, summary.out_dir, code


def test_the_report_html_shows_the_names_as_text(hostile) -> None:  # type: ignore[no-untyped-def]
    _, year_dir, code = hostile
    page = assert_name_is_text(year_dir / code / "report.html")
    assert WELSH in " ".join(page.text)


def test_the_index_escapes_the_names(hostile) -> None:  # type: ignore[no-untyped-def]
    _, year_dir, _ = hostile
    page = assert_name_is_text(year_dir / "index.html")
    assert WELSH in " ".join(page.text)


def test_the_pdf_text_holds_the_names_and_their_typst_never_ran(hostile) -> None:  # type: ignore[no-untyped-def]
    _, year_dir, code = hostile
    reader = PdfReader(year_dir / code / "report.pdf")
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    assert squash(BUILT_NAME) in text, "the PDF lost or changed the name"
    assert WELSH in text
    for page in reader.pages:
        size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        assert size == A4, f"a page is {size} points: the name's #set page ran"


def test_the_docx_holds_the_names(hostile) -> None:  # type: ignore[no-untyped-def]
    _, year_dir, code = hostile
    with zipfile.ZipFile(year_dir / code / "report.docx") as package:
        root = ET.fromstring(package.read("word/document.xml"))
    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
    text = squash(" ".join(paragraphs))
    assert squash(BUILT_NAME) in text, "the DOCX lost or changed the name"
    assert WELSH in text


def test_the_tables_neutralise_the_formula_and_keep_the_name(hostile) -> None:  # type: ignore[no-untyped-def]
    _, year_dir, code = hostile
    with (year_dir / code / "tables.csv").open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert "'" + BUILT_NAME in cells, "the name is not in tables.csv, neutralised"
    assert BUILT_NAME not in cells
    assert not [c for c in cells if c.startswith("=")], "a formula cell in tables.csv"

    book = openpyxl.load_workbook(year_dir / code / "tables.xlsx")
    values = [
        (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert ("'" + BUILT_NAME, "s") in values, "the name is not in tables.xlsx, neutralised"
    assert not [v for v, kind in values if kind == "f" or str(v).startswith("=")]


def test_the_manifest_keeps_the_name_exactly(hostile) -> None:  # type: ignore[no-untyped-def]
    _, year_dir, code = hostile
    manifest = json.loads((year_dir / code / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["la_name"] == BUILT_NAME
    assert manifest["index_entry"]["la_name"] == BUILT_NAME


def test_no_file_is_written_outside_the_output_and_build_folders(hostile) -> None:  # type: ignore[no-untyped-def]
    root, year_dir, code = hostile
    written = [
        p for p in root.rglob("*") if p.is_file() and "data" not in p.relative_to(root).parts[:1]
    ]
    for path in written:
        top = path.relative_to(root).parts[0]
        assert top in ("reports", "build"), f"{path} is outside the output and build folders"
        assert "passwd" not in path.name and "etc" not in path.relative_to(root).parts
    assert sorted(p.name for p in year_dir.iterdir()) == sorted([code, "index.html"])
    assert sorted(os.listdir(year_dir / code)) == sorted(
        [
            "manifest.json",
            "report.docx",
            "report.html",
            "report.ipynb",
            "report.pdf",
            "tables.csv",
            "tables.xlsx",
        ]
    )
