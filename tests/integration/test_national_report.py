"""The national publication draft, built from the small synthetic demo, as a reader checks it.

The national bundle is built once from the session fixtures; its key findings
are checked number by number against the bundle and tables.csv, its counts
against each other. The national notebook is then executed with papermill
(through the pipeline's parameter check) and rendered to HTML and PDF with the
built-in renderer, and the documents are checked: synthetic, a cover and a
contents page, numbered figures and tables, page numbers, alt text stating
numbers, the authors' words verbatim.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from civicpulse_report import paths
from civicpulse_report.inputs import Dataset
from civicpulse_report.insight import NOT_CLEARLY_PLACED, load_interventions
from civicpulse_report.insight.formatting import format_value
from civicpulse_report.measures import Measures
from civicpulse_report.pipeline import execute_report_notebook
from civicpulse_report.render import render_report
from civicpulse_report.report import (
    TABLE_COLUMNS,
    build_national_facts,
    national_facts_to_table,
    write_facts,
    write_tables,
)
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import EstimateSet
from tests.end_to_end.test_build_reports import parse_html, words

NOTEBOOK = paths.ANALYSIS_DIR / "national_report.ipynb"
FOREWORD = (
    "Our *own* foreword, written once.\n\n- it survives reruns\n- kept verbatim: 7 of 9 words"
)
COMMENTARY = "Authors' commentary on the drivers: read the intervals, not the order."
NARRATIVE = {"Foreword": FOREWORD, "Commentary: drivers": COMMENTARY}


@pytest.fixture(scope="module")
def bundle(
    small_dataset: Dataset, small_estimates: EstimateSet, measures: Measures, settings: Settings
) -> dict[str, Any]:
    return build_national_facts(
        small_dataset,
        small_estimates,
        measures,
        settings,
        load_interventions(measures=measures),
        year=small_estimates.latest_wave,
        narrative=NARRATIVE,
    )


@pytest.fixture(scope="module")
def table(bundle: dict[str, Any]) -> pd.DataFrame:
    return national_facts_to_table(bundle)


# --- the bundle and its tables --------------------------------------------------------


def test_bundle_says_what_it_is(bundle: dict[str, Any], small_estimates: EstimateSet) -> None:
    meta = bundle["meta"]
    assert meta["kind"] == "national" and meta["synthetic"] is True
    assert "Synthetic" in meta["synthetic_notice"]
    assert meta["year"] == 2026 and meta["previous_wave"] == 2025
    assert meta["waves"] == [2024, 2025, 2026]
    assert (
        meta["title"] == "Civic Pulse: active citizenship in England, 2026 \u2014 publication draft"
    )
    assert meta["comparator"] == "England" and meta["min_base"] == 50
    assert meta["n_las"] == 8
    assert bundle["narrative"] == NARRATIVE


def test_every_table_row_is_flagged_synthetic_and_in_the_la_columns(table: pd.DataFrame) -> None:
    assert list(table.columns) == TABLE_COLUMNS
    assert table["flags"].str.startswith("synthetic").all()
    assert not table["suppressed"].any()


def test_no_published_estimate_rests_on_fewer_than_the_minimum_base(
    bundle: dict[str, Any], table: pd.DataFrame
) -> None:
    estimates = table[table["type"].isin(["mean", "proportion"]) & table["base"].notna()]
    assert len(estimates) > 100
    assert (estimates["base"] >= bundle["meta"]["min_base"]).all()
    for part in ("distribution", "regions", "la_types", "groups", "england"):
        assert all(r["base"] >= 50 and r["estimate"] is not None for r in bundle[part]), part


def test_band_counts_agree_with_the_las_listed(bundle: dict[str, Any], table: pd.DataFrame) -> None:
    dist = table[table["table"] == "distribution"]
    bands = table[table["table"] == "bands"]
    for ind in bundle["meta"]["indices"]:
        listed = dist[dist["indicator"] == ind]["significance"].value_counts()
        for flag, group in (
            ("worse", "LAs significantly worse than England"),
            ("similar", "LAs similar to England"),
            ("better", "LAs significantly better than England"),
        ):
            shown = bands[(bands["indicator"] == ind) & (bands["group"] == group)]["estimate"]
            assert shown.tolist() == [listed.get(flag, 0)], (ind, flag)


def test_quadrant_counts_add_up_to_the_las_in_both_views(bundle: dict[str, Any]) -> None:
    counts = {r["quadrant"]: r for r in bundle["quadrant_counts"]}
    n_las = len(bundle["quadrant"])
    assert n_las == bundle["meta"]["n_las_placed"] == 8
    assert sum(r["n_significant"] for r in counts.values()) == n_las
    assert sum(r["n_point_estimate"] for r in counts.values()) == n_las
    assert counts[NOT_CLEARLY_PLACED]["n_point_estimate"] == 0
    for rec in bundle["quadrant"]:
        both = {rec["traditional_sig_england"], rec["drivers_sig_england"]} <= {"better", "worse"}
        assert (rec["quadrant_significant"] != NOT_CLEARLY_PLACED) == both, rec["la_code"]
        if both:
            assert (
                rec["quadrant_significant"] == rec["quadrant"]
            )  # significance agrees with the point


def test_group_flags_follow_their_interval_against_the_national_value(
    bundle: dict[str, Any],
) -> None:
    groups = bundle["groups"]
    breakdowns = {g["breakdown"] for g in groups}
    assert breakdowns == {b["id"] for b in bundle["meta"]["breakdowns"]} and len(breakdowns) == 7
    england = {r["indicator"]: r["estimate"] for r in bundle["england"]}
    for g in groups:
        assert g["england_value"] == england[g["indicator"]]
        lo, hi, eng = g["ci_lower"], g["ci_upper"], g["england_value"]
        expected = "better" if lo > eng else "worse" if hi < eng else "similar"
        assert g["sig_england"] == expected, (g["indicator"], g["breakdown"], g["group"])


def _rows(bundle: Mapping[str, Any], ref: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    part = bundle[ref["table"]]
    part = [part] if isinstance(part, Mapping) else part
    return [r for r in part if all(r.get(k) == v for k, v in ref["key"].items())]


def test_key_findings_carry_numbers_that_are_in_the_bundle(bundle: dict[str, Any]) -> None:
    findings = bundle["findings"]
    assert 5 <= len(findings) <= 8
    assert [f["key"] for f in findings] == [
        "drivers_bands", "concentration", "quadrant", "groups",
        "double_deficit", "lens", "interventions", "change",
    ]  # fmt: skip
    checked = 0
    for finding in findings:
        for ref in finding["references"]:
            rows = _rows(bundle, ref)
            if ref["column"] == "n_rows":
                assert len(rows) == ref["value"], (finding["key"], ref)
                shown = format_value(ref["value"], "count")
            else:
                assert rows, (finding["key"], ref)
                assert rows[0][ref["column"]] == ref["value"], (finding["key"], ref)
                value = ref["value"]
                shown = (
                    format_value(value, "count")
                    if isinstance(value, int)
                    else f"{value:.2f}"
                    if ref["table"] == "lens_agreement"
                    else format_value(value, "mean")
                )
            assert shown in finding["text"], (finding["key"], shown, finding["text"])
            checked += 1
    assert checked >= 25


def test_headline_finding_matches_tables_csv(bundle: dict[str, Any], table: pd.DataFrame) -> None:
    text = bundle["findings"][0]["text"]
    bands = table[(table["table"] == "bands") & (table["indicator"] == "index_drivers")]
    count = dict(zip(bands["group"], bands["estimate"], strict=True))
    worse = int(count["LAs significantly worse than England"])
    published = int(count["LAs published"])
    assert text.startswith(
        f"Of the {published} LAs with a published drivers index in 2026, {worse} ("
    )
    assert f"{int(count['LAs similar to England'])} are similar" in text


def test_quadrant_finding_matches_tables_csv(bundle: dict[str, Any], table: pd.DataFrame) -> None:
    text = next(f["text"] for f in bundle["findings"] if f["key"] == "quadrant")
    counts = table[table["table"] == "quadrant_counts"]
    sig = counts[counts["flags"].str.endswith("view: significance")].set_index("group")["estimate"]
    point = counts[counts["flags"].str.endswith("view: point estimates")].set_index("group")[
        "estimate"
    ]
    assert f"{int(sig['hidden need'])} of 8 LAs are 'hidden need'" in text
    assert f"{int(sig[NOT_CLEARLY_PLACED])} are not clearly placed" in text
    assert f"{int(point['hidden need'])} would be labelled 'hidden need'" in text


def test_lens_agreement_uses_every_la_and_an_interval_around_rho(bundle: dict[str, Any]) -> None:
    pairs = {r["pair"]: r for r in bundle["lens_agreement"]}
    assert set(pairs) == {"legacy_vs_drivers", "traditional_vs_drivers", "legacy_vs_traditional"}
    for rec in pairs.values():
        assert rec["n"] == 8
        assert -1 <= rec["ci_lower"] < rec["rho"] < rec["ci_upper"] <= 1
    movers = bundle["rank_movers"]
    shifts = [abs(r["rank_shift"]) for r in movers]
    assert shifts == sorted(shifts, reverse=True) and all(s > 0 for s in shifts)
    assert all(r["rank_shift"] == r["rank_drivers"] - r["rank_legacy"] for r in movers)


def test_intervention_counts_cover_every_la_report(bundle: dict[str, Any]) -> None:
    meta = bundle["interventions_meta"]
    assert meta["n_las_reported"] == 8
    counts = bundle["interventions"]
    assert [r["n_las"] for r in counts] == sorted((r["n_las"] for r in counts), reverse=True)
    assert all(0 <= r["n_first"] <= r["n_las"] <= 8 for r in counts)
    # Every LA with a recommendation has exactly one first recommendation.
    assert sum(r["n_first"] for r in counts) == 8 - meta["n_las_without"]


def test_change_is_since_the_previous_wave(bundle: dict[str, Any]) -> None:
    change = {r["indicator"]: r for r in bundle["change"]}
    assert set(bundle["meta"]["indices"]) <= set(change)
    for rec in change.values():
        assert rec["previous_wave"] == 2025
        assert rec["change"] == pytest.approx(rec["estimate"] - rec["previous_estimate"])
        assert rec["change_ci_lower"] < rec["change"] < rec["change_ci_upper"]
        inside = rec["change_ci_lower"] <= 0 <= rec["change_ci_upper"]
        assert inside == (rec["direction"] == "no significant change"), rec["indicator"]
    assert "Since 2025," in bundle["findings"][-1]["text"]


# --- the notebook, executed and rendered ----------------------------------------------


@dataclass(frozen=True)
class Draft:
    folder: Path
    bundle: dict[str, Any]
    labels: list[str]


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory, bundle: dict[str, Any]) -> Draft:
    folder = tmp_path_factory.mktemp("national")
    facts_path = folder / "facts" / "national.json"
    write_facts(bundle, facts_path)
    executed = folder / "report.ipynb"
    nb = execute_report_notebook(
        NOTEBOOK, executed, {"year": 2026, "facts_path": str(facts_path)}, cwd=folder
    )
    meta = bundle["meta"]
    front = {
        "title": meta["title"],
        "subtitle": meta["subtitle"],
        "year": meta["year"],
        "date": "2026-12-01",
        "synthetic": meta["synthetic"],
        "organisation": meta["organisation"],
        "brand_colour": meta["branding"]["colour"],
        "footer": "Civic Pulse national publication draft",
    }
    nb.cells.insert(0, nbformat.v4.new_raw_cell("---\n" + yaml.safe_dump(front) + "---\n"))
    nbformat.write(nb, executed)
    render_report(executed, folder, formats=("html", "pdf"), renderer="builtin")
    write_tables(national_facts_to_table(bundle), folder)
    labels = re.findall(r"^#\| label: (fig-[\w-]+)", NOTEBOOK.with_suffix(".py").read_text(), re.M)
    return Draft(folder, bundle, labels)


def test_every_output_is_written(draft: Draft) -> None:
    for name in ("report.html", "report.pdf", "tables.csv", "tables.xlsx"):
        assert (draft.folder / name).stat().st_size > 1000, name


def test_the_page_says_it_is_synthetic_and_shows_every_chapter(draft: Draft) -> None:
    source, page = parse_html(draft.folder / "report.html")
    text = words(" ".join(page.text))
    assert "synthetic demonstration data" in text
    headings = [h.lower() for h in page.headings]
    for chapter in (
        "foreword", "executive summary", "civic pulse across england", "drivers of active citizenship",
        "population groups", "the old lens and the new", "where intervention is most needed",
        "change since 2025", "methodology", "assumptions and caveats",
    ):  # fmt: skip
        assert any(h.endswith(chapter) or chapter in h for h in headings), chapter
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", source)


def test_the_page_shows_each_key_finding_verbatim(draft: Draft) -> None:
    _, page = parse_html(draft.folder / "report.html")
    text = " ".join(" ".join(page.text).split())
    for finding in draft.bundle["findings"]:
        assert " ".join(html.unescape(finding["text"]).split()) in text, finding["key"]


def _chapters(source: str) -> dict[str, str]:
    """Each chapter's HTML, by its heading text (chapters are h2: the one h1 is the title)."""
    marks = list(re.finditer(r"<h2[^>]*>(.*?)</h2>", source, re.S))
    return {
        " ".join(re.sub(r"<[^>]+>", "", m.group(1)).split()): source[m.end() : nxt.start()]
        for m, nxt in zip(marks, [*marks[1:], re.search(r"$", source)], strict=True)
    }


def test_authors_words_are_placed_verbatim(draft: Draft) -> None:
    source, _ = parse_html(draft.folder / "report.html")
    chapters = _chapters(source)
    foreword = words(html.unescape(re.sub(r"<[^>]+>", "", chapters["Foreword"])))
    assert "our own foreword, written once." in foreword  # *own* is emphasis, as written
    assert "<em>own</em>" in chapters["Foreword"]
    assert "kept verbatim: 7 of 9 words" in foreword
    assert list(chapters).index("Foreword") < list(chapters).index("Executive summary")

    def plain(fragment: str) -> str:  # the text as read, with pandoc's typographic quotes undone
        text = html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("\u2019", "'")
        return " ".join(text.split())

    assert COMMENTARY in plain(chapters["Drivers of active citizenship"])
    others = [t for h, t in chapters.items() if h != "Drivers of active citizenship"]
    assert not any(COMMENTARY in plain(t) for t in others)
    # Sections the authors did not write are left out, not shown empty.
    assert "Introduction" not in chapters and "Conclusion" not in chapters


def test_each_figure_hands_the_renderer_alt_text_with_its_numbers(draft: Draft) -> None:
    nb = nbformat.read(draft.folder / "report.ipynb", as_version=4)
    handed = {}
    for cell in nb.cells:
        label = (
            re.search(r"^#\| label: (fig-[\w-]+)", cell.source, re.M)
            if cell.cell_type == "code"
            else None
        )
        if label is None:
            continue
        blocks = [
            o["data"]["text/markdown"]
            for o in cell.get("outputs", [])
            if "text/markdown" in o.get("data", {}) and ".figure-data" in o["data"]["text/markdown"]
        ]
        assert len(blocks) == 1, label.group(1)
        handed[label.group(1)] = re.search(r'alt="((?:[^"\\]|\\.)*)"', blocks[0]).group(1)
    assert set(handed) == set(draft.labels)
    for label, alt in handed.items():
        shown = re.sub(r"\\(.)", r"\1", alt)  # undo the attribute's escapes
        assert shown == " ".join(draft.bundle["figure_alt"][label].split())
        assert re.search(r"\d", alt), label


def test_every_figure_has_alt_text_that_states_a_number(draft: Draft) -> None:
    _, page = parse_html(draft.folder / "report.html")
    figures = [f for f in page.figures if f["src"]]
    assert len(draft.labels) >= 15
    assert len(figures) == len(draft.labels)
    assert set(draft.labels) == set(draft.bundle["figure_alt"])
    for figure in figures:
        assert re.search(r"\d", figure["alt"]), f"alt text without a number: {figure['alt']!r}"
    assert figures[0]["caption"].startswith("Figure 1:")


def test_pdf_has_a_cover_contents_numbered_floats_and_page_numbers(draft: Draft) -> None:
    reader = PdfReader(draft.folder / "report.pdf")
    pages = [words(p.extract_text()) for p in reader.pages]
    assert len(pages) > 10
    assert "publication draft" in pages[0] and "synthetic" in pages[0]
    assert any("contents" in p and "executive summary" in p for p in pages[:3])
    assert all(f"page {i} of {len(pages)}" in p for i, p in enumerate(pages, 1))
    assert all("synthetic demonstration data" in p for p in pages)
    body = " ".join(pages)
    assert "figure 1:" in body and "table 1:" in body and "figure 15:" in body


def test_tables_csv_holds_the_findings_numbers(draft: Draft) -> None:
    csv = pd.read_csv(draft.folder / "tables.csv", keep_default_na=False, na_values=[""])
    assert list(csv.columns) == TABLE_COLUMNS
    movers = csv[(csv["table"] == "rank_movers") & (csv["indicator"] == "rank_legacy")]
    assert len(movers) == len(draft.bundle["rank_movers"])
