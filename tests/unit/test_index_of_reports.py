"""The index of reports (issue 7): what is on disk is listed, safely, sortably, once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from civicpulse_report.errors import BuildFailure
from civicpulse_report.report import index_page as ip

YEAR = 2026
DOMAINS = (
    ("index_everyday", "Everyday citizenship"),
    ("index_contemporary", "Contemporary civic behaviour"),
    ("index_drivers", "Drivers of active citizenship"),
    ("index_assets", "Social assets and deficits"),
    ("index_outcomes", "Active citizenship"),
)
NASTY = "<script>alert(1)</script>"


def domain_dicts(base: float = 100.0, *, suppress: str | None = None) -> list[dict[str, Any]]:
    flags = ("better", "similar", "worse", "similar", "better")
    out = []
    for i, ((ind, label), flag) in enumerate(zip(DOMAINS, flags, strict=True)):
        est = base + i
        hidden = ind == suppress
        out.append(
            {
                "indicator": ind,
                "label": label,
                "estimate": None if hidden else est,
                "ci_lower": None if hidden else est - 1.0,
                "ci_upper": None if hidden else est + 1.0,
                "sig_england": "not tested" if hidden else flag,
                "suppressed": hidden,
            }
        )
    return out


def index_dict(code: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "la_code": code,
        "la_name": name,
        "region": "Wales" if code.startswith("X09") else "South West",
        "la_type": "Unitary authority",
        "synthetic": True,
        "confidence_level": 0.95,
        "domains": domain_dicts(),
        "quadrant": "hidden need",
        **extra,
    }


def make_la(
    year_dir: Path,
    code: str,
    name: str,
    *,
    files: tuple[str, ...] = ("report.html", "report.pdf", "tables.csv"),
    built_at: str = "2026-05-01T10:00:00+00:00",
    entry: dict[str, Any] | None = None,
    with_entry: bool = True,
) -> Path:
    folder = year_dir / code
    folder.mkdir(parents=True)
    manifest: dict[str, Any] = {
        "la_code": code,
        "la_name": name,
        "year": YEAR,
        "synthetic": True,
        "built_at": built_at,
    }
    if with_entry:
        manifest["index_entry"] = entry or index_dict(code, name)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for f in files:
        (folder / f).write_text("placeholder", encoding="utf-8")
    return folder


def entry(code: str, name: str, **kw: Any) -> ip.IndexEntry:
    data = index_dict(code, name)
    links = kw.pop("links", (ip.Link("html", f"{code}/report.html", "HTML"),))
    e = ip.entry_from_index_dict(data, la_code=code, links=links, built_at=kw.pop("built_at", None))
    return dataclasses.replace(e, **kw)


class Page(HTMLParser):
    """The structure the tests check: tags with attributes, in order, plus text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.script = ""
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script += data
        else:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def render(entries: list[ip.IndexEntry], **kw: Any) -> str:
    kw.setdefault("synthetic", False)
    return ip.render_index(entries, year=YEAR, **kw)


# --------------------------------------------------------------------------
# collecting what is on disk
# --------------------------------------------------------------------------


def test_collect_lists_every_la_folder_sorted_by_name_and_skips_non_la_folders(
    tmp_path: Path,
) -> None:
    make_la(tmp_path, "X06000002", "Ynys Môn")
    make_la(tmp_path, "X06000001", "Millbridge")
    make_la(tmp_path, "X07000001", "Abbotsford")
    (tmp_path / ".staging" / "X06000003.123").mkdir(parents=True)
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "report.html").write_text("x")
    (tmp_path / "not-a-code").mkdir()
    (tmp_path / "X06000004").mkdir()  # empty: nothing on disk to list

    entries = ip.collect_index_entries(tmp_path)

    assert [e.la_code for e in entries] == ["X07000001", "X06000001", "X06000002"]
    mon = entries[2]
    assert mon.la_name == "Ynys Môn"
    assert mon.status == "built"
    assert mon.region == "South West"
    assert mon.la_type == "Unitary authority"
    assert mon.quadrant == "hidden need"
    assert [d.indicator for d in mon.domains] == [d for d, _ in DOMAINS]
    assert mon.domains[0].estimate == 100.0
    assert mon.domains[2].sig_england == "worse"
    assert mon.built_at == "2026-05-01T10:00:00+00:00"
    assert mon.synthetic is True


def test_links_are_relative_and_only_for_files_that_exist(tmp_path: Path) -> None:
    make_la(tmp_path, "X06000001", "Millbridge", files=("report.html", "tables.csv"))
    make_la(
        tmp_path,
        "X06000002",
        "Harrowfield",
        files=("report.html", "report.pdf", "report.docx", "tables.csv", "tables.xlsx"),
    )
    by_code = {e.la_code: e for e in ip.collect_index_entries(tmp_path)}

    assert [(link.kind, link.href) for link in by_code["X06000001"].links] == [
        ("html", "X06000001/report.html"),
        ("csv", "X06000001/tables.csv"),
    ]
    assert [link.href for link in by_code["X06000002"].links] == [
        "X06000002/report.html",
        "X06000002/report.pdf",
        "X06000002/report.docx",
        "X06000002/tables.csv",
    ]
    page = render(list(by_code.values()))
    hrefs = [a["href"] for a in Page(page).all("a")]
    assert "X06000001/report.html" in hrefs
    assert "X06000001/report.pdf" not in hrefs
    assert "X06000001/report.docx" not in hrefs
    assert "X06000002/report.docx" in hrefs
    for href in hrefs:
        assert href and (href.startswith("#") or not re.match(r"^(/|[a-z]+:)", href)), href


def test_stale_entries_from_an_earlier_run_are_still_listed(tmp_path: Path) -> None:
    """After `--la X06000002`, the LA built in an earlier run is still in the index."""
    make_la(tmp_path, "X06000001", "Millbridge", built_at="2026-04-01T09:00:00+00:00")
    make_la(tmp_path, "X06000002", "Harrowfield", built_at="2026-05-02T09:00:00+00:00")

    entries = ip.collect_index_entries(tmp_path, failures={})
    page = render(entries)

    assert {e.la_code for e in entries} == {"X06000001", "X06000002"}
    assert "Millbridge" in page and "Built 2026-04-01" in page
    assert 'href="X06000001/report.html"' in page


def test_an_older_manifest_without_index_entry_reads_the_fact_bundle(tmp_path: Path) -> None:
    bundle = {
        "meta": {
            "la_code": "X06000001",
            "la_name": "Millbridge",
            "region": "South West",
            "la_type": "Unitary authority",
            "synthetic": True,
            "confidence_level": 0.95,
        },
        "headline": [
            {**d, "short": d["label"], "label": d["label"] + " index", "type": "mean"}
            for d in domain_dicts(suppress="index_assets")
        ],
        "this_quadrant": [{"la_code": "X06000001", "quadrant": "low on both"}],
    }
    facts_path = tmp_path / "build" / "X06000001.json"
    facts_path.parent.mkdir()
    facts_path.write_text(json.dumps(bundle), encoding="utf-8")
    year_dir = tmp_path / "reports" / str(YEAR)
    folder = make_la(year_dir, "X06000001", "Millbridge", with_entry=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["parameters"] = {"facts_path": str(facts_path)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    make_la(year_dir, "X06000002", "Harrowfield", with_entry=False)  # no bundle at all

    by_code = {e.la_code: e for e in ip.collect_index_entries(year_dir)}

    old = by_code["X06000001"]
    assert old.quadrant == "low on both"
    assert old.domains[0].label == "Everyday citizenship"
    assert old.domains[3].suppressed and old.domains[3].estimate is None
    bare = by_code["X06000002"]
    assert bare.la_name == "Harrowfield" and bare.domains == () and bare.links


def test_index_entry_from_facts_matches_the_documented_keys_and_hides_suppressed_numbers() -> None:
    bundle = {
        "meta": {
            "la_code": "X06000001",
            "la_name": "Millbridge",
            "region": "South West",
            "la_type": "Unitary authority",
            "synthetic": True,
            "confidence_level": 0.95,
        },
        "headline": [
            {
                "indicator": "index_everyday",
                "short": "Everyday citizenship",
                "label": "Everyday citizenship index",
                "estimate": 102.5,
                "ci_lower": 101.0,
                "ci_upper": 104.0,
                "sig_england": "better",
                "suppressed": False,
            },
            {
                "indicator": "index_assets",
                "short": "Social assets and deficits",
                "estimate": 96.0,
                "ci_lower": 90.0,
                "ci_upper": 102.0,
                "sig_england": "worse",
                "suppressed": True,
            },
        ],
        "this_quadrant": [],
    }
    got = ip.index_entry_from_facts(bundle)

    assert set(got) == {
        "version",
        "la_code",
        "la_name",
        "region",
        "la_type",
        "synthetic",
        "confidence_level",
        "domains",
        "quadrant",
    }
    assert got["quadrant"] is None
    assert got["domains"][0] == {
        "indicator": "index_everyday",
        "label": "Everyday citizenship",
        "estimate": 102.5,
        "ci_lower": 101.0,
        "ci_upper": 104.0,
        "sig_england": "better",
        "suppressed": False,
    }
    hidden = got["domains"][1]
    assert hidden["suppressed"] is True
    assert hidden["estimate"] is hidden["ci_lower"] is hidden["ci_upper"] is None
    assert hidden["sig_england"] == "not tested"
    json.dumps(got)  # JSON-safe


def test_untrusted_manifest_values_of_the_wrong_type_are_dropped(tmp_path: Path) -> None:
    bad = index_dict("X06000001", "Millbridge")
    bad["domains"] = [
        {"indicator": "index_everyday", "estimate": "100; drop", "sig_england": "<b>"},
        "not a dict",
    ]
    bad["region"] = {"x": 1}
    make_la(tmp_path, "X06000001", "Millbridge", entry=bad)
    (tmp_path / "X06000002").mkdir()
    (tmp_path / "X06000002" / "manifest.json").write_text("{not json")
    (tmp_path / "X06000002" / "report.html").write_text("x")

    by_code = {e.la_code: e for e in ip.collect_index_entries(tmp_path)}

    one = by_code["X06000001"]
    assert one.region is None
    assert one.domains == (
        ip.DomainResult("index_everyday", "index_everyday", None, None, None, "not tested"),
    )
    assert by_code["X06000002"].la_name == "X06000002"  # unreadable manifest: listed by code
    render(list(by_code.values()))  # renders without error


# --------------------------------------------------------------------------
# failures
# --------------------------------------------------------------------------


def test_a_failed_la_is_listed_as_failed_with_the_reason(tmp_path: Path) -> None:
    make_la(tmp_path, "X06000001", "Millbridge")
    reasons = ip.failure_reasons(
        [BuildFailure("X06000002", "render", "RuntimeError: typst exited with status 1")]
    )
    entries = ip.collect_index_entries(tmp_path, reasons)

    failed = [e for e in entries if e.status == "failed"]
    assert [e.la_code for e in failed] == ["X06000002"]
    assert failed[0].failure_reason == "render stage: RuntimeError: typst exited with status 1"
    assert failed[0].links == ()
    page = render(entries)
    row = re.search(r'<tr class="row-failed".*?</tr>', page, re.S)
    assert row, "the failed LA has no row"
    assert "X06000002" in row.group(0)
    assert "Failed" in row.group(0)
    assert "typst exited with status 1" in row.group(0)
    assert "1 failed" in page


def test_a_failure_with_an_earlier_report_shows_both(tmp_path: Path) -> None:
    make_la(tmp_path, "X06000001", "Millbridge", built_at="2026-04-01T09:00:00+00:00")
    entries = ip.collect_index_entries(
        tmp_path, {"X06000001": "failed at the notebook stage: boom"}
    )

    (only,) = entries
    assert only.status == "failed"
    assert only.la_name == "Millbridge"
    assert only.failure_reason == "failed at the notebook stage: boom"
    assert only.links and only.domains
    page = render(entries)
    assert "earlier build" in page
    assert 'href="X06000001/report.html"' in page


def test_failure_records_on_disk_outlive_the_run_until_the_la_is_rebuilt(tmp_path: Path) -> None:
    failed_at = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    path = ip.record_failure(
        tmp_path,
        "X06000003",
        "failed at the facts stage: KeyError",
        la_name="Kestle Moor",
        region="North East",
        la_type="Shire district",
        failed_at=failed_at,
    )
    assert path == tmp_path / "failed" / "X06000003" / "failure.json"
    ip.record_failure(tmp_path, "X06000001", "old failure", failed_at=failed_at)
    make_la(tmp_path, "X06000001", "Millbridge", built_at="2026-05-02T08:00:00+00:00")
    ip.record_failure(tmp_path, "X06000002", "new failure", failed_at=failed_at)
    make_la(tmp_path, "X06000002", "Harrowfield", built_at="2026-04-30T08:00:00+00:00")

    by_code = {e.la_code: e for e in ip.collect_index_entries(tmp_path)}

    assert set(by_code) == {"X06000001", "X06000002", "X06000003"}
    assert by_code["X06000001"].status == "built"  # rebuilt after it failed
    assert by_code["X06000002"].status == "failed"  # failed after its last build
    assert by_code["X06000002"].failure_reason == "new failure"
    kestle = by_code["X06000003"]
    assert (kestle.status, kestle.la_name, kestle.region) == ("failed", "Kestle Moor", "North East")

    ip.clear_failure(tmp_path, "X06000003")
    assert not (tmp_path / "failed" / "X06000003").exists()
    assert "X06000003" not in {e.la_code for e in ip.collect_index_entries(tmp_path)}


def test_record_failure_refuses_a_code_that_is_not_a_folder_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a valid LA code"):
        ip.record_failure(tmp_path, "../etc", "x")


# --------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [NASTY, "St Agnes' Vale", "Ynys Môn", 'Quote "town" & co'])
def test_names_are_escaped(name: str) -> None:
    e = entry("X06000001", name, failure_reason=None)
    failed = entry("X06000002", name, status="failed", failure_reason=f"KeyError: {name}", links=())
    page = render([e, failed])

    assert "<script>alert" not in page
    assert page.count("<script>") == 1  # only the page's own script
    assert "'" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S).split("<body>")[1]
    parsed = Page(page)
    assert name in "".join(parsed.text)  # shown as the literal text
    rows = parsed.all("tr")[1:]
    assert any(r.get("data-search") for r in rows)
    if name == "Ynys Môn":
        assert "Ynys Môn" in page  # UTF-8 text, not mangled
        assert rows[0]["data-search"] == "ynys mon x06000001"  # searchable without the accent


def test_one_h1_landmarks_skip_link_first_and_synthetic_banner_in_a_landmark() -> None:
    page = render([entry("X06000001", "Millbridge")], synthetic=True)
    parsed = Page(page)

    assert len(parsed.all("h1")) == 1
    assert len(parsed.all("main")) == 1
    assert len(parsed.all("header")) == 1 and len(parsed.all("footer")) == 1
    focusable = [
        (t, a)
        for t, a in parsed.tags
        if t in ("a", "button", "input") or (a.get("tabindex") not in (None, "-1"))
    ]
    assert focusable[0][0] == "a" and focusable[0][1]["href"] == "#content"
    assert parsed.all("main")[0]["id"] == "content"
    banner = re.search(r"<header.*?</header>", page, re.S)
    assert banner and "synthetic-banner" in banner.group(0)
    assert "Synthetic demonstration data" in banner.group(0)
    banner_at = page.index('<div class="synthetic-banner" role="note"')
    assert page.index("<header") < banner_at < page.index("</header>")


def test_no_banner_for_real_data_but_a_synthetic_entry_forces_it() -> None:
    real = entry("E06000001", "Hartlepool", synthetic=False)
    banner = 'class="synthetic-banner"'
    assert banner not in render([real])
    assert "Synthetic demonstration data" not in render([real])
    assert banner in render([real, entry("X06000001", "Millbridge")])


def test_table_structure_headers_scope_caption_and_sort_buttons() -> None:
    entries = [
        entry("X06000001", "Millbridge"),
        entry("X06000002", "Harrowfield", status="failed", failure_reason="boom", links=()),
    ]
    page = render(entries)
    parsed = Page(page)

    assert len(parsed.all("table")) == 1 and len(parsed.all("caption")) == 1
    ths = parsed.all("th")
    assert ths and all(th.get("scope") in ("col", "row") for th in ths)
    cols = [th for th in ths if th["scope"] == "col"]
    assert len(cols) == 3 + len(DOMAINS) + 2
    assert [th["data-sort-type"] for th in cols].count("number") == len(DOMAINS)
    assert [th.get("aria-sort") for th in cols] == ["ascending"] + [None] * (len(cols) - 1)
    assert len([th for th in ths if th["scope"] == "row"]) == len(entries)
    thead = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    assert thead.count('<button type="button">') == len(cols)
    for label in [label for _, label in DOMAINS] + [
        "Local authority",
        "Region",
        "Type",
        "Quadrant",
    ]:
        assert f'<button type="button">{label}<span' in thead
    tbody = re.search(r"<tbody>.*?</tbody>", page, re.S).group(0)
    # every body cell carries a sort value or text; index cells carry the raw number
    assert 'data-sort-value="100.0"' in tbody and 'data-sort-value="104.0"' in tbody
    first_row = re.search(r"<tr[^>]*>(.*?)</tr>", tbody, re.S).group(1)
    # rows come in the order given (collect_index_entries sorts them)
    assert re.match(
        r'\s*<th scope="row" data-sort-value="Millbridge">Millbridge'
        r' <span class="la-code">X06000001</span></th>',
        first_row,
    )


def test_scroll_region_search_and_live_region_markup() -> None:
    page = render([entry("X06000001", "Millbridge"), entry("X06000002", "Harrowfield")])
    parsed = Page(page)

    (region,) = [a for a in parsed.all("div") if a.get("role") == "region"]
    assert region["tabindex"] == "0"
    assert region["aria-labelledby"] == parsed.all("caption")[0]["id"]
    assert "la-index-scroll-cue" in page
    (search,) = parsed.all("input")
    assert search["type"] == "search"
    label = [a for a in parsed.all("label") if a.get("for") == search["id"]]
    assert label, "the search box has no label"
    status = [a for a in parsed.all("p") if a.get("role") == "status"]
    assert status and status[0]["aria-live"] == "polite"
    assert "2 of 2 LAs shown" in page
    assert search["aria-describedby"] == status[0]["id"]


def test_significance_is_a_symbol_and_a_word_with_the_symbol_hidden() -> None:
    page = render([entry("X06000001", "Millbridge")])
    tbody = re.search(r"<tbody>.*?</tbody>", page, re.S).group(0)
    for symbol, word in (("▲", "Better"), ("●", "Similar"), ("▼", "Worse")):
        assert f'<span class="sig-symbol" aria-hidden="true">{symbol}</span> {word}</span>' in tbody
    assert "100.0" in tbody and "99.0 to 101.0" in tbody


def test_suppressed_indices_show_no_number_and_sort_last() -> None:
    data = index_dict("X06000001", "Millbridge", domains=domain_dicts(suppress="index_drivers"))
    e = ip.entry_from_index_dict(data, la_code="X06000001")
    page = render([e])
    tbody = re.search(r"<tbody>.*?</tbody>", page, re.S).group(0)

    assert '<td class="num muted" data-sort-value="">Suppressed</td>' in tbody
    # the drivers estimate (base + 2) never appears, as a value or a sort key
    assert 'data-sort-value="102.0"' not in tbody
    assert '<span class="idx-value">102.0</span>' not in tbody
    assert '<span class="idx-value">101.0</span>' in tbody


def test_national_draft_links_and_their_absence(tmp_path: Path) -> None:
    assert "has not been built" in render([], national_links=ip.find_national_links(tmp_path))
    (tmp_path / "national").mkdir()
    (tmp_path / "national" / "report.html").write_text("x")
    (tmp_path / "national" / "report.docx").write_text("x")
    links = ip.find_national_links(tmp_path)
    assert [link.href for link in links] == ["national/report.html", "national/report.docx"]
    page = render([], national_links=links)
    assert 'href="national/report.html"' in page and 'href="national/report.docx"' in page
    assert "national/report.pdf" not in page
    assert "No reports have been built for 2026 yet." in page


def test_the_page_is_self_contained() -> None:
    page = render([entry("X06000001", "Millbridge")], synthetic=True)
    parsed = Page(page)

    assert not parsed.all("link") and not [s for s in parsed.all("script") if s.get("src")]
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "http://" not in page and "https://" not in page
    assert "sortBy" in parsed.script and "la-search" in parsed.script  # the JS is inlined
    assert "--cp-brand" in page  # and the house styles


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    for code, name in (("X06000002", "Ynys Môn"), ("X06000001", NASTY)):
        make_la(tmp_path, code, name)
    ip.record_failure(
        tmp_path, "X07000001", "boom", failed_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    )

    first = ip.write_index(tmp_path, ip.collect_index_entries(tmp_path), year=YEAR, synthetic=True)
    one = first.read_bytes()
    second = ip.write_index(tmp_path, ip.collect_index_entries(tmp_path), year=YEAR, synthetic=True)

    assert first == tmp_path / "index.html" == second
    assert second.read_bytes() == one
    assert one == ip.render_index(
        ip.collect_index_entries(tmp_path), year=YEAR, synthetic=True
    ).encode("utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temp left
    assert (first.stat().st_mode & 0o777) == 0o644


def test_write_index_takes_the_year_from_the_folder(tmp_path: Path) -> None:
    year_dir = tmp_path / "2031"
    make_la(year_dir, "X06000001", "Millbridge")
    text = ip.write_index(year_dir, ip.collect_index_entries(year_dir)).read_text()
    assert '<h1 class="title">Civic Pulse reports 2031</h1>' in text
