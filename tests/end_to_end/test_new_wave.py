"""A new year's data arrived: the cycle the README walks a council analyst through.

With the commands an analyst types (through :func:`civicpulse_report.cli.main`):
build 2026 from the small demo (two LAs, the built-in renderer, HTML only),
fingerprint every file under ``reports/2026``, add wave 2027 with ``demo
--add-wave``, ``validate``, build 2027 (the same two LAs, then the national
draft on its own). Then last year's reports must be
byte-for-byte what they were, and this year's must rest on every wave, with
the change measured from 2026.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from civicpulse_report.cli import main

OLD, NEW = 2026, 2027
HTML_OUTPUTS = {"report.html", "report.ipynb", "tables.csv", "tables.xlsx", "manifest.json"}
EARLIER_FILES = ("survey.parquet", "la_lookup.csv", "neighbourhoods.csv", "legacy_indicators.csv")


def tree_digests(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by its path relative to ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class Cycle:
    data: Path
    reports: Path
    build: Path
    codes: tuple[str, ...]
    reports_before: dict[str, str]
    facts_before: dict[str, str]
    data_before: dict[str, str]
    reports_after: dict[str, str]
    facts_after: dict[str, str]
    data_after: dict[str, str]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> Cycle:
    root = tmp_path_factory.mktemp("new-wave")
    data, reports, build = root / "data", root / "reports", root / "build"
    shutil.copytree(small_demo_dir, data)
    lookup = pd.read_csv(data / "la_lookup.csv", dtype=str)
    codes = (
        lookup.loc[lookup["la_type"] == "London borough", "la_code"].iloc[0],
        lookup.loc[lookup["la_type"] != "London borough", "la_code"].iloc[0],
    )

    def build_year(year: int, *which: str) -> None:
        args = ["build", "--data", str(data), "--year", str(year), *which]
        args += ["--format", "html", "--renderer", "builtin", "--jobs", "2"]
        args += ["--out", str(reports), "--build-dir", str(build)]
        assert main(args) == 0, f"build {year} {' '.join(which)} failed"

    las = [arg for code in codes for arg in ("--la", code)]

    build_year(OLD, *las)
    reports_before = tree_digests(reports / str(OLD))
    facts_before = tree_digests(build / str(OLD))
    data_before = tree_digests(data)

    assert main(["validate", str(data), "--year", str(NEW)]) == 2, "2027 before it arrived"
    assert main(["demo", "--add-wave", str(NEW), "--out", str(data)]) == 0
    assert main(["validate", str(data), "--year", str(NEW)]) == 0
    build_year(NEW, *las)
    build_year(NEW, "--national-only")
    return Cycle(
        data=data,
        reports=reports,
        build=build,
        codes=codes,
        reports_before=reports_before,
        facts_before=facts_before,
        data_before=data_before,
        reports_after=tree_digests(reports / str(OLD)),
        facts_after=tree_digests(build / str(OLD)),
        data_after=tree_digests(data),
    )


def test_last_years_reports_are_byte_for_byte_untouched(cycle: Cycle) -> None:
    assert cycle.reports_before, "the 2026 build wrote nothing"
    for code in cycle.codes:
        assert {
            name.split("/", 1)[1] for name in cycle.reports_before if name.startswith(code)
        } >= HTML_OUTPUTS
    assert set(cycle.reports_after) == set(cycle.reports_before), "files added or removed"
    changed = [k for k in cycle.reports_before if cycle.reports_after[k] != cycle.reports_before[k]]
    assert not changed, f"changed under reports/{OLD}: {changed}"
    assert cycle.facts_after == cycle.facts_before, f"build/{OLD} changed"


def test_earlier_waves_data_files_are_byte_identical(cycle: Cycle) -> None:
    for name in EARLIER_FILES:
        assert cycle.data_after[name] == cycle.data_before[name], name
    assert set(cycle.data_after) - set(cycle.data_before) == {f"survey_{NEW}.parquet"}


def test_this_years_reports_exist(cycle: Cycle) -> None:
    for code in cycle.codes:
        folder = cycle.reports / str(NEW) / code
        assert {p.name for p in folder.iterdir()} >= HTML_OUTPUTS, code
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["year"] == NEW
        assert f"survey_{NEW}.parquet" in manifest["inputs"]
        assert "survey.parquet" in manifest["inputs"]
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert str(NEW) in html
    index = (cycle.reports / str(NEW) / "index.html").read_text(encoding="utf-8")
    for code in cycle.codes:
        assert f'href="{code}/report.html"' in index


def test_the_manifest_records_the_waves_that_fed_it(cycle: Cycle) -> None:
    for code in cycle.codes:
        manifest = json.loads(
            (cycle.reports / str(NEW) / code / "manifest.json").read_text(encoding="utf-8")
        )
        assert manifest.get("waves") == [2024, 2025, OLD, NEW], code


def test_trend_and_change_use_every_wave_with_the_change_from_2026(cycle: Cycle) -> None:
    for code in cycle.codes:
        facts = json.loads(
            (cycle.build / str(NEW) / "facts" / f"{code}.json").read_text(encoding="utf-8")
        )
        meta = facts["meta"]
        assert meta["year"] == NEW
        assert meta["waves"] == [2024, 2025, OLD, NEW]
        assert meta["previous_wave"] == OLD
        assert sorted({row["wave"] for row in facts["trend"]}) == [2024, 2025, OLD, NEW]
        assert [q["wave"] for q in facts["data_quality"]] == [2024, 2025, OLD, NEW]
        last_year = json.loads(
            (cycle.build / str(OLD) / "facts" / f"{code}.json").read_text(encoding="utf-8")
        )
        assert last_year["meta"]["previous_wave"] == 2025
        # This year's change is this year's estimate minus last year's, for the same LA.
        trend = pd.DataFrame(facts["trend"])
        la = trend[(trend["level"] == "la") & trend["change"].notna()]
        now = la[la["wave"] == NEW].set_index("indicator")
        before = la.set_index(["indicator", "wave"])["estimate"]
        assert len(now) > 0
        for indicator, row in now.iterrows():
            assert row["previous_wave"] == OLD
            expected = row["estimate"] - before[(indicator, OLD)]
            assert row["change"] == pytest.approx(expected, abs=1e-9), indicator


def test_the_national_draft_says_since_last_year(cycle: Cycle) -> None:
    folder = cycle.reports / str(NEW) / "national"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert f"Change since {OLD}" in html
    assert f"Change since {OLD - 1}" not in html
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest.get("waves") == [2024, 2025, OLD, NEW]
