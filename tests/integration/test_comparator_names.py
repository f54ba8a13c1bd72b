"""Comparators are named for what they are, in the report a reader gets (issue 8).

Two real builds (HTML only, one LA each) from folders cut out of the small
synthetic demo, read as a reader reads them: the HTML's text (tags
stripped), the figures' alt text and ``tables.csv``.

- One council with only its own survey and no benchmark file: there is no
  comparator for the area as a whole, and the report says so; its groups and
  neighbourhoods are compared with "this LA's own average". Nothing is
  called England except the older surveys' published figures for England.
- Five LAs: the top comparator is "the 5 LAs in this data set", the nearest
  neighbours "the 4 most similar LAs in this data set"; no heading, caption,
  column or sentence calls them England.

And the whole nation keeps the captions it always had.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from civicpulse_report import cli, paths
from civicpulse_report.report.captions import caption_fields, fill_caption_options

COUNCIL = "X07000002"
FIVE = ("X06000001", "X06000002", "X07000001", "X07000002", "X07000003")
ENGLAND_CODE = "E92000001"
YEAR = 2026

#: Where "England" is honest in an LA report that is not compared with England:
#: the synthetic-data notice, and the older surveys' own published England figures.
HONEST_ENGLAND = (
    r"calibrated to published England figures",
    r"\(England \d+\.\d%\)",  # a Place Survey 2008 figure for England, beside the LA's
    r"Then \(England\)",  # the legacy table's column of those figures
    r"Face-to-face survey of adults 16\+ in England",  # the Citizenship Survey's caveat
    r"recorded \d+\.\d% for '[^']*' in England",  # a national-only older figure
    # The methodology's disclosure rule, about sets of figures in general.
    r"one group in every area and England",
    r"area type or England\)",
)
PLACEHOLDER = re.compile(r"\{(top|within|comparators)_[a-z_]+\}")


def cut_folder(source: Path, dest: Path, codes: tuple[str, ...]) -> Path:
    """A data folder holding only ``codes``, whose lookup says it is not the whole nation."""
    dest.mkdir(parents=True)
    survey = pd.read_parquet(source / "survey.parquet")
    survey[survey["la_code"].isin(codes)].to_parquet(dest / "survey.parquet", index=False)
    lookup = pd.read_csv(source / "la_lookup.csv")
    lookup[lookup["la_code"].isin(codes)].assign(national_coverage="no").to_csv(
        dest / "la_lookup.csv", index=False
    )
    for name, keep in (
        ("neighbourhoods.csv", codes),
        ("legacy_indicators.csv", (*codes, ENGLAND_CODE)),
    ):
        table = pd.read_csv(source / name)
        table[table["la_code"].isin(keep)].to_csv(dest / name, index=False)
    return dest


def build_one(data: Path, out: Path) -> Path:
    """Build the council's HTML report from ``data``; its report folder."""
    argv = ["build", "--data", str(data), "--out", str(out / "reports"),
            "--build-dir", str(out / "build"), "--la", COUNCIL, "--format", "html",
            "--jobs", "1", "--no-national"]  # fmt: skip
    assert cli.main(argv) == 0
    return out / "reports" / str(YEAR) / COUNCIL


def page_text(report: Path) -> str:
    """The HTML as a reader sees it: scripts, styles and tags gone, whitespace collapsed."""
    page = report.joinpath("report.html").read_text("utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u2019", "'").split())


def alt_texts(report: Path) -> list[str]:
    page = report.joinpath("report.html").read_text("utf-8")
    return [html.unescape(a) for a in re.findall(r'\balt="([^"]*)"', page)]


def dishonest_england(text: str) -> list[str]:
    """Each "England" in ``text`` that is not one of the honest phrases, with its context."""
    for pattern in HONEST_ENGLAND:
        text = re.sub(pattern, "", text)
    return [text[max(0, m.start() - 60) : m.end() + 60] for m in re.finditer("England", text)]


@pytest.fixture(scope="module")
def one_la(small_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("one-la")
    return build_one(cut_folder(small_demo_dir, root / "data", (COUNCIL,)), root)


@pytest.fixture(scope="module")
def five_las(small_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("five-las")
    return build_one(cut_folder(small_demo_dir, root / "data", FIVE), root)


# --------------------------------------------------------------------------
# One council, its own survey, no benchmark file
# --------------------------------------------------------------------------


def test_one_la_says_on_the_first_page_that_it_has_no_comparator_and_why(one_la: Path) -> None:
    text = page_text(one_la)
    summary = text.split("Key findings", 2)[1]  # the contents list, then the summary
    assert (
        "There is no national, regional, LA-type or nearest-neighbour comparator for the area "
        "as a whole: this data set holds only this LA, and no benchmark file was given. Its "
        "groups, neighbourhoods and priorities are compared with this LA's own average."
    ) in summary
    assert "No spine chart: it sets the area among other LAs around a wider figure" in text


def test_one_la_calls_nothing_england_but_the_older_surveys_england(one_la: Path) -> None:
    text = page_text(one_la)
    assert dishonest_england(text) == []
    assert [a for a in alt_texts(one_la) if "England" in a] == []
    assert not PLACEHOLDER.search(text)
    executed = nbformat.read(one_la / "report.ipynb", as_version=4)
    options = [
        line for c in executed.cells for line in c.source.splitlines() if line.startswith("#|")
    ]
    assert not [line for line in options if PLACEHOLDER.search(line)]


def test_one_la_compares_groups_with_its_own_average_and_says_so(one_la: Path) -> None:
    text = page_text(one_la)
    for said in (
        "Figure 1: Civic Pulse domain indices for the area, with 95% confidence intervals.",
        "The largest gaps to this LA's own average among the area's population groups",
        "with 95% confidence intervals, against this LA's own average.",
        "Compared with this LA's own average",
        "the gap to the comparator (this LA's own average)",
        "against this LA's own average of",
    ):
        assert said in text, said
    # The area as a whole has no comparator: its tables have no column for one.
    assert "Compared with a wider area" not in text and "not published Not tested" not in text


def test_one_la_tables_name_only_its_own_average(one_la: Path) -> None:
    table = pd.read_csv(one_la / "tables.csv")
    local = table[table["table"] != "legacy"]
    assert set(local["comparator"].dropna()) == {"this LA's own average"}
    assert local.loc[local["table"] == "headline", "comparator"].isna().all()
    # The legacy rows' England is the Place Survey's published figure for England.
    legacy = table[table["table"] == "legacy"]
    assert set(legacy["comparator"].dropna()) <= {"England"}


# --------------------------------------------------------------------------
# Five LAs
# --------------------------------------------------------------------------


def test_five_las_name_their_comparators_truthfully(five_las: Path) -> None:
    text = page_text(five_las)
    assert dishonest_england(text) == []
    assert [a for a in alt_texts(five_las) if "England" in a] == []
    assert not PLACEHOLDER.search(text)
    for said in (
        "Estimates for the area are compared with the 5 LAs in this data set",
        "the 4 most similar LAs in this data set",
        "All indicators against the 5 LAs in this data set",
        "with 95% confidence intervals, against the 5 LAs in this data set (black tick).",
        "with the figure for the 5 LAs in this data set at the centre",
        "Compared with the 5 LAs in this data set",
        "Alpha (the 5 LAs in this data set)",
    ):
        assert said in text, said
    # Possessives are rephrased, never glued onto a phrase.
    assert "data set's" not in text


def test_five_las_tables_name_the_pooled_sample(five_las: Path) -> None:
    table = pd.read_csv(five_las / "tables.csv")
    local = table[table["table"] != "legacy"]
    assert "England" not in set(local["comparator"].dropna())
    assert set(local.loc[local["table"] == "headline", "comparator"]) == {
        "the 5 LAs in this data set"
    }


def test_the_five_la_bundle_and_report_agree_on_the_names(five_las: Path) -> None:
    bundle = json.loads(
        (five_las.parents[2] / "build" / str(YEAR) / "facts" / f"{COUNCIL}.json").read_text("utf-8")
    )
    scopes = bundle["meta"]["comparators"]
    assert scopes["england"]["name"] == "the 5 LAs in this data set"
    assert scopes["neighbours"]["name"] == "the 4 most similar LAs in this data set"
    assert "the gap to the comparator (the 5 LAs in this data set)" in bundle["priority_method"]


# --------------------------------------------------------------------------
# The whole nation keeps its captions
# --------------------------------------------------------------------------


def test_the_whole_nation_keeps_the_captions_it_always_had() -> None:
    nb = nbformat.read(paths.LA_REPORT_NOTEBOOK, as_version=4)
    fields, alt = caption_fields({}), caption_fields({}, markdown=False)
    options = "\n".join(
        line
        for c in nb.cells
        if c.cell_type == "code"
        for line in fill_caption_options(c.source, fields, alt).splitlines()
        if line.startswith("#|")
    )
    assert not PLACEHOLDER.search(options)
    for caption in (
        "Civic Pulse domain indices for the area, with 95% confidence intervals, against "
        "England (black tick).",
        "Civic Pulse domain indices: the area against England.",
        "every indicator for the area against the distribution of all LAs, with England at "
        "the centre.",
        "Domain indices across all survey waves: the area and England, with 95% confidence bands.",
        "Everyday citizenship: the area against England, its region, LAs of the same type and "
        "its nearest neighbours.",
        "a marker shaped and coloured by comparison with England and a black tick for England;",
        "The largest gaps to England among the area's population groups",
        "the estimate with its 95% confidence interval, and England.",
        "Drivers index by population group in the area, with 95% confidence intervals, against "
        "England.",
        "with confidence interval bars and England ticks;",
        "dashed lines at the England values dividing four quadrants",
        "with dashed England lines;",
        "Cronbach's alpha for the area and for England.",
    ):
        assert caption in options, caption
