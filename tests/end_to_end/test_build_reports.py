"""Build two LAs of the small synthetic demo end to end and check what a reader gets.

One build (module-scoped, two forked workers, the built-in pandoc + typst
renderer) is shared by every test here; each test opens the published files the
way a user would: the HTML in a browser, the PDF in a viewer, the tables in a
spreadsheet, the manifest to reproduce the run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from civicpulse_report import __version__
from civicpulse_report.pipeline import BuildOptions, BuildSummary, build_reports
from civicpulse_report.report import TABLE_COLUMNS
from civicpulse_report.settings import Settings

OUTPUT_FILES = {
    "report.html",
    "report.pdf",
    "report.ipynb",
    "tables.csv",
    "tables.xlsx",
    "manifest.json",
}
DATA_FILES = ("survey.parquet", "la_lookup.csv", "neighbourhoods.csv", "legacy_indicators.csv")
SECTION_HEADINGS = (
    "Summary",
    "Key findings",
    "Everyday citizenship",
    "Contemporary civic behaviour",
    "Drivers of active citizenship",
    "Social assets and deficits",
    "Active citizenship",
    "Old measures and Civic Pulse",
    "Where to act",
    "Recommendations",
    "Methodology and data quality",
)
SYNTHETIC_NOTICE = "synthetic demonstration data"
LA_NUMBERS = ("estimate", "ci_lower", "ci_upper", "base", "weighted_base", "n_eff", "deff")
ROLES = ("london", "other")


@dataclass(frozen=True)
class Built:
    summary: BuildSummary
    data_dir: Path
    out_dir: Path
    build_dir: Path
    codes: dict[str, str]
    names: dict[str, str]

    def folder(self, role: str) -> Path:
        return self.summary.out_dir / self.codes[role]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> Built:
    lookup = pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)
    london = lookup[lookup["la_type"] == "London borough"].iloc[0]
    other = lookup[lookup["la_type"] != "London borough"].iloc[0]
    root = tmp_path_factory.mktemp("e2e-build")
    options = BuildOptions(
        data_dir=small_demo_dir,
        la_codes=(london["la_code"], other["la_code"]),
        renderer="builtin",
        jobs=2,
        out_dir=root / "reports",
        build_dir=root / "build",
    )
    summary = build_reports(options)
    return Built(
        summary=summary,
        data_dir=small_demo_dir,
        out_dir=root / "reports",
        build_dir=root / "build",
        codes={"london": london["la_code"], "other": other["la_code"]},
        names={"london": london["la_name"], "other": other["la_name"]},
    )


class ReportHTML(HTMLParser):
    """What a reader's browser would load and show: links, headings, figures, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.headings: list[str] = []
        self.figures: list[dict[str, str]] = []
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self._caption: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name in ("src", "href", "srcset", "poster", "data"):
            if name in values:
                self.links.append((tag, name, values[name].strip()))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        elif tag == "figure":
            self.figures.append({"src": "", "alt": "", "caption": ""})
        elif tag == "img":
            if self.figures and not self.figures[-1]["src"]:
                self.figures[-1].update(src=values.get("src", ""), alt=values.get("alt", ""))
            else:
                self.figures.append(
                    {"src": values.get("src", ""), "alt": values.get("alt", ""), "caption": ""}
                )
        elif tag == "figcaption":
            self._caption = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        elif tag == "figcaption" and self._caption is not None:
            if self.figures:
                self.figures[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._caption is not None:
            self._caption.append(data)


def parse_html(path: Path) -> tuple[str, ReportHTML]:
    source = path.read_text(encoding="utf-8")
    parser = ReportHTML()
    parser.feed(source)
    return source, parser


def words(text: str) -> str:
    return " ".join(text.split()).lower()


def test_summary_reports_two_built_and_none_failed(built: Built) -> None:
    assert built.summary.failed == []
    assert sorted(built.summary.built) == sorted(built.codes.values())
    assert built.summary.exit_code == 0
    published = sorted(
        p.name
        for p in built.summary.out_dir.iterdir()
        if p.name not in {"index.html", "failed", "national"}
    )
    assert published == sorted(built.codes.values()), "staging or old folders left behind"


@pytest.mark.parametrize("role", ROLES)
def test_each_la_folder_holds_exactly_the_six_outputs(built: Built, role: str) -> None:
    folder = built.folder(role)
    assert {p.name for p in folder.iterdir()} == OUTPUT_FILES
    assert all((folder / name).stat().st_size > 0 for name in OUTPUT_FILES)


@pytest.mark.parametrize("role", ROLES)
def test_html_is_self_contained(built: Built, role: str) -> None:
    source, page = parse_html(built.folder(role) / "report.html")
    assert page.links, "the report links nothing at all: the parser found no src/href"
    folder = built.folder(role)
    external = [
        (tag, attr, value[:80])
        for tag, attr, value in page.links
        if not (value.startswith("#") or value.startswith("data:"))
        # A link (not a load) to a file of its own folder that exists: tables.csv, .xlsx.
        and not (tag == "a" and "/" not in value and (folder / value).is_file())
    ]
    assert external == [], f"the report loads or links files outside itself: {external}"
    # Styles must not fetch anything either (fonts, backgrounds, @import).
    assert not re.search(r"url\(\s*['\"]?(?!data:|#)", source), "CSS url() outside the file"
    assert "@import" not in source


@pytest.mark.parametrize("role", ROLES)
def test_html_names_the_la_shows_every_section_and_the_synthetic_banner(
    built: Built, role: str
) -> None:
    _, page = parse_html(built.folder(role) / "report.html")
    name = built.names[role]
    assert any(name in h for h in page.headings[:3]), f"title does not name {name}"
    missing = [h for h in SECTION_HEADINGS if h not in page.headings]
    assert missing == [], f"section headings missing from the HTML: {missing}"
    visible = words(" ".join(page.text))
    first_heading = visible.find(words(SECTION_HEADINGS[0]))
    banner = visible.find(SYNTHETIC_NOTICE)
    assert banner != -1, "no synthetic-data banner"
    assert banner < first_heading, "the synthetic banner must come before the report body"


@pytest.mark.parametrize("role", ROLES)
def test_html_figures_are_embedded_images_with_alt_text(built: Built, role: str) -> None:
    _, page = parse_html(built.folder(role) / "report.html")
    figures = [f for f in page.figures if f["src"]]
    assert len(figures) >= 10, f"only {len(figures)} figures in the report"
    for figure in figures:
        assert figure["src"].startswith(("data:image/png;base64,", "data:image/svg+xml;base64,"))
        image = base64.b64decode(figure["src"].split(",", 1)[1][:400])
        assert image.startswith(b"\x89PNG\r\n\x1a\n") or b"<svg" in image, "not a PNG or SVG"
        alt = " ".join(figure["alt"].split())
        assert len(alt) > 20, f"figure without useful alt text: {figure['caption']!r}"
        caption = re.sub(r"^Figure \d+:\s*", "", figure["caption"])
        assert alt != caption, f"alt text only repeats the caption: {caption!r}"
    captions = [f["caption"] for f in figures]
    assert captions[0].startswith("Figure 1:")


@pytest.mark.parametrize("role", ROLES)
def test_pdf_names_the_la_and_says_synthetic_on_every_page(built: Built, role: str) -> None:
    reader = PdfReader(built.folder(role) / "report.pdf")
    assert len(reader.pages) > 1
    name = words(built.names[role])
    pages = [words(page.extract_text()) for page in reader.pages]
    without_name = [i + 1 for i, text in enumerate(pages) if name not in text]
    without_notice = [i + 1 for i, text in enumerate(pages) if SYNTHETIC_NOTICE not in text]
    assert without_name == [], f"pages without the LA name: {without_name}"
    assert without_notice == [], f"pages without the synthetic notice: {without_notice}"
    assert "figure 1" in " ".join(pages)


def read_tables(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "tables.csv", keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("role", ROLES)
def test_tables_csv_has_the_documented_columns_and_complete_rows(built: Built, role: str) -> None:
    folder = built.folder(role)
    header = (folder / "tables.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == TABLE_COLUMNS
    table = read_tables(folder)
    assert set(table["table"]) >= {"headline", "indicators", "breakdowns", "neighbourhoods"}
    published = table[
        table["table"].isin(["headline", "indicators", "breakdowns", "neighbourhoods"])
    ]
    shown = published[~published["suppressed"]]
    blank = shown[shown["estimate"].isna()]
    assert blank.empty, f"published rows without an estimate:\n{blank.head()}"
    flags = table["flags"].fillna("").str.split(";")
    assert flags.map(lambda f: "synthetic" in f).all(), "a row is not flagged synthetic"


def test_tables_csv_discloses_nothing_below_the_minimum_base(
    built: Built, settings: Settings
) -> None:
    suppressed_rows = 0
    for role in ROLES:
        table = read_tables(built.folder(role))
        suppressed = table[table["suppressed"]]
        suppressed_rows += len(suppressed)
        leaked = suppressed[suppressed[list(LA_NUMBERS)].notna().any(axis=1)]
        assert leaked.empty, f"suppressed rows still carry numbers:\n{leaked.head()}"
        bases = table["base"].dropna()
        assert not bases.empty
        assert (bases >= settings.min_base).all(), f"bases below {settings.min_base}: {bases.min()}"
    # Small demo LAs have groups under the minimum base; suppression must have happened.
    assert suppressed_rows > 0


@pytest.mark.parametrize("role", ROLES)
def test_tables_xlsx_opens_and_holds_no_formulas(built: Built, role: str) -> None:
    folder = built.folder(role)
    book = openpyxl.load_workbook(folder / "tables.xlsx", data_only=False)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TABLE_COLUMNS
    assert len(rows) - 1 == len(read_tables(folder))
    formulas = [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]
    assert formulas == []


@pytest.mark.parametrize("role", ROLES)
def test_manifest_records_inputs_parameters_versions_timings_and_outputs(
    built: Built, role: str
) -> None:
    folder = built.folder(role)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in DATA_FILES:
        recorded = manifest["inputs"].get(name)
        actual = hashlib.sha256((built.data_dir / name).read_bytes()).hexdigest()
        assert recorded == actual, f"input hash of {name} is not the file's sha256"

    params = manifest["parameters"]
    assert params["la_code"] == built.codes[role]
    assert params["year"] == built.summary.year
    facts = json.loads(Path(params["facts_path"]).read_text(encoding="utf-8"))
    assert facts["meta"]["la_code"] == built.codes[role]
    assert Path(params["facts_path"]).is_relative_to(built.build_dir.resolve())

    assert manifest["package_version"] == __version__
    assert manifest["renderer"] == "builtin"
    tools = manifest["tool_versions"]
    assert re.match(r"\d+\.\d+", tools["pandoc"]) and re.match(r"\d+\.\d+", tools["typst"])
    timings = manifest["timings_seconds"]
    assert timings["notebook"] > 0 and timings["render"] > 0

    outputs = manifest["outputs"]
    assert set(outputs) == OUTPUT_FILES - {"manifest.json"}
    for name, info in outputs.items():
        data = (folder / name).read_bytes()
        assert info["bytes"] == len(data), f"recorded size of {name} is wrong"
        assert info["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("role", ROLES)
def test_executed_notebook_has_no_errors_and_starts_with_front_matter(
    built: Built, role: str
) -> None:
    nb = nbformat.read(built.folder(role) / "report.ipynb", as_version=4)
    errors = [
        (i, out.get("ename"), out.get("evalue"))
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert errors == []
    images = [
        out
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if {"image/png", "image/svg+xml"} & set(out.get("data", {}))
    ]
    assert images, "the notebook was not executed: it has no figures"
    first = nb.cells[0]
    assert first.cell_type == "raw"
    text = first.source.strip()
    assert text.startswith("---") and text.endswith("---")
    front = yaml.safe_load(text.strip("-"))
    assert front["la_name"] == built.names[role]
    assert html.unescape(front["title"]).endswith(built.names[role])


def test_rebuilding_one_la_gives_byte_identical_tables(built: Built, tmp_path: Path) -> None:
    code = built.codes["other"]
    again = build_reports(
        BuildOptions(
            data_dir=built.data_dir,
            la_codes=(code,),
            renderer="builtin",
            formats=("html",),
            jobs=1,
            out_dir=tmp_path / "reports",
            build_dir=tmp_path / "build",
        )
    )
    assert again.built == [code]
    first = built.folder("other")
    second = again.out_dir / code
    for name in ("tables.csv", "tables.xlsx"):
        assert (second / name).read_bytes() == (first / name).read_bytes(), f"{name} differs"
