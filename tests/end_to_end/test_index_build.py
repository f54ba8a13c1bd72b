"""The index of reports a build writes: every LA on disk, failures with their reason.

One module build (two LAs of the small demo, HTML only, built-in renderer)
is copied into each test's own folder, which then rebuilds part of it the way
an analyst would (``--la X``), or has an LA fail, and reads
``reports/<year>/index.html`` as a reader would: the rows, their status and
the links.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from civicpulse_report.pipeline import BuildOptions, build_reports
from civicpulse_report.pipeline import job as job_module


@dataclass(frozen=True)
class FirstBuild:
    data_dir: Path
    out_dir: Path
    year: int
    codes: tuple[str, str]
    names: dict[str, str]

    def copy_to(self, out_dir: Path) -> Path:
        shutil.copytree(self.out_dir, out_dir)
        return out_dir / str(self.year)


def options(data_dir: Path, root: Path, *codes: str, **extra: object) -> BuildOptions:
    settings: dict[str, object] = {
        "formats": ("html",),
        "renderer": "builtin",
        "jobs": 1,
        "out_dir": root / "reports",
        "build_dir": root / "build",
        "force": True,  # each test rebuilds a copy of reports that are current
    }
    return BuildOptions(data_dir=data_dir, la_codes=codes, **(settings | extra))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> FirstBuild:
    lookup = pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str).sort_values("la_code")
    chosen = lookup.head(2)
    codes = tuple(chosen["la_code"])
    root = tmp_path_factory.mktemp("index-first")
    summary = build_reports(options(small_demo_dir, root, *codes, jobs=2))
    assert summary.failed == [] and sorted(summary.built) == sorted(codes)
    return FirstBuild(
        small_demo_dir,
        root / "reports",
        summary.year,
        (codes[0], codes[1]),
        dict(zip(chosen["la_code"], chosen["la_name"], strict=True)),
    )


class IndexRows(HTMLParser):
    """The index table's body rows: each row's text and the links in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, object]] = []
        self._in_body = False
        self._row: dict[str, object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = {"text": [], "links": [], "class": values.get("class") or ""}
        elif tag == "a" and self._row is not None:
            self._row["links"].append(values.get("href") or "")  # type: ignore[union-attr]

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "tr" and self._row is not None:
            self._row["text"] = " ".join(" ".join(self._row["text"]).split())  # type: ignore[arg-type]
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row["text"].append(data)  # type: ignore[union-attr]


def index_rows(year_dir: Path) -> dict[str, dict[str, object]]:
    """The index's rows by LA code (each row names its code)."""
    parser = IndexRows()
    parser.feed((year_dir / "index.html").read_text(encoding="utf-8"))
    rows: dict[str, dict[str, object]] = {}
    for row in parser.rows:
        codes = {w for w in str(row["text"]).split() if w[:1] in "EWX" and w[1:].isdigit()}
        assert len(codes) == 1, f"an index row names no single LA code: {row['text']!r}"
        rows[codes.pop()] = row
    return rows


def test_the_first_build_writes_an_index_listing_both_las_with_working_links(
    first: FirstBuild,
) -> None:
    year_dir = first.out_dir / str(first.year)
    rows = index_rows(year_dir)
    assert sorted(rows) == sorted(first.codes)
    for code in first.codes:
        row = rows[code]
        assert first.names[code] in str(row["text"])
        assert "Failed" not in str(row["text"])
        links = row["links"]
        assert f"{code}/report.html" in links and f"{code}/tables.csv" in links
        assert f"{code}/report.pdf" not in links, "no PDF was built, so none is linked"
        for href in links:  # type: ignore[union-attr]
            assert (year_dir / href).is_file(), f"the index links {href}, which is missing"


def test_a_partial_rebuild_still_lists_every_la_on_disk(first: FirstBuild, tmp_path: Path) -> None:
    year_dir = first.copy_to(tmp_path / "reports")
    kept, rebuilt = first.codes
    before = json.loads((year_dir / rebuilt / "manifest.json").read_text(encoding="utf-8"))

    summary = build_reports(options(first.data_dir, tmp_path, rebuilt))

    assert summary.built == [rebuilt] and summary.index_path == year_dir / "index.html"
    after = json.loads((year_dir / rebuilt / "manifest.json").read_text(encoding="utf-8"))
    assert after["built_at"] >= before["built_at"]
    assert str(tmp_path / "build") in after["parameters"]["facts_path"], "not rebuilt"
    rows = index_rows(year_dir)
    assert sorted(rows) == sorted(first.codes), "the LA not rebuilt fell out of the index"
    assert first.names[kept] in str(rows[kept]["text"])
    assert f"{kept}/report.html" in rows[kept]["links"]


def test_a_failed_la_is_listed_with_its_reason_until_it_builds_again(
    first: FirstBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year_dir = first.copy_to(tmp_path / "reports")
    good, doomed = first.codes
    real_build_facts = job_module.build_facts

    def build_facts(*args, **kwargs):  # type: ignore[no-untyped-def]
        if doomed in args:
            raise ValueError(f"facts exploded for {doomed}")
        return real_build_facts(*args, **kwargs)

    monkeypatch.setattr(job_module, "build_facts", build_facts)
    summary = build_reports(options(first.data_dir, tmp_path, doomed))

    assert [(f.la_code, f.stage) for f in summary.failed] == [(doomed, "facts")]
    record = json.loads((year_dir / "failed" / doomed / "failure.json").read_text("utf-8"))
    assert record["la_name"] == first.names[doomed]
    assert "facts exploded" in record["reason"]
    rows = index_rows(year_dir)
    assert sorted(rows) == sorted(first.codes)
    failed = str(rows[doomed]["text"])
    assert "Failed" in failed and f"facts exploded for {doomed}" in failed
    assert f"{doomed}/report.html" in rows[doomed]["links"], "the earlier report is still linked"
    assert "Failed" not in str(rows[good]["text"])

    monkeypatch.setattr(job_module, "build_facts", real_build_facts)
    again = build_reports(options(first.data_dir, tmp_path, doomed))

    assert again.built == [doomed] and again.failed == []
    assert not (year_dir / "failed" / doomed).exists(), "the failure record was not cleared"
    assert "Failed" not in str(index_rows(year_dir)[doomed]["text"])
