"""The national publication draft built with the LA reports (issue 7).

A build of *every* LA (a two-LA nation cut from the small demo, built-in
renderer, HTML, PDF and DOCX) also writes ``reports/<year>/national/``: the
draft in each format, its executed notebook, its tables and the benchmark
release, from ``build/<year>/facts/national.json``. ``--national-only``
builds only that; ``--no-national`` and a ``--la`` subset skip it; and a
failing national draft is reported without stopping the LA reports.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from civicpulse_report import cli, paths
from civicpulse_report.errors import InputError
from civicpulse_report.pipeline import BuildOptions, BuildSummary, build_reports, precheck
from civicpulse_report.pipeline import national as national_module
from civicpulse_report.report import read_facts

NATIONAL_FILES = {
    "report.html",
    "report.pdf",
    "report.docx",
    "report.ipynb",
    "tables.csv",
    "tables.xlsx",
    "benchmarks.csv",
    "benchmarks.parquet",
    "manifest.json",
}


@dataclass(frozen=True)
class Full:
    summary: BuildSummary
    data_dir: Path
    root: Path

    @property
    def national(self) -> Path:
        return self.summary.out_dir / "national"


def options(data_dir: Path, root: Path, **extra: object) -> BuildOptions:
    settings: dict[str, object] = {
        "formats": ("html",),
        "renderer": "builtin",
        "jobs": 2,
        "out_dir": root / "reports",
        "build_dir": root / "build",
    }
    return BuildOptions(data_dir=data_dir, **(settings | extra))  # type: ignore[arg-type]


NATIONAL_WORDS = "Our own foreword for the nation, kept word for word."
COUNCIL_WORDS = "The foreword of this council, kept word for word."


@pytest.fixture(scope="module")
def full(two_la_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Full:
    root = tmp_path_factory.mktemp("national-full")
    narrative = root / "narrative"
    narrative.mkdir()
    (narrative / "national.md").write_text(f"## Foreword\n\n{NATIONAL_WORDS}\n", "utf-8")
    first = sorted(pd.read_csv(two_la_dir / "la_lookup.csv", dtype=str)["la_code"])[0]
    (narrative / f"{first}.md").write_text(f"## Foreword\n\n{COUNCIL_WORDS}\n", "utf-8")
    summary = build_reports(
        options(two_la_dir, root, formats=("html", "pdf", "docx"), narrative_dir=narrative)
    )
    return Full(summary, two_la_dir, root)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_full_build_writes_the_national_draft_beside_the_la_reports(full: Full) -> None:
    summary = full.summary
    assert summary.national is not None and summary.national.ok, summary.national
    assert summary.failed == [] and len(summary.built) == 2
    assert summary.exit_code == 0
    assert {p.name for p in full.national.iterdir()} == NATIONAL_FILES
    assert all((full.national / name).stat().st_size > 0 for name in NATIONAL_FILES)


def test_the_draft_is_built_from_the_national_fact_bundle(full: Full) -> None:
    facts = full.root / "build" / str(full.summary.year) / "facts" / "national.json"
    bundle = read_facts(facts)
    manifest = json.loads((full.national / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == {"year": full.summary.year, "facts_path": str(facts.resolve())}
    assert manifest["formats"] == ["html", "pdf", "docx"] and manifest["carried_over"] == {}
    assert manifest["waves"] == sorted(manifest["waves"]) and full.summary.year in manifest["waves"]
    assert manifest["benchmark_files"] == ["benchmarks.csv", "benchmarks.parquet"]
    for name, info in manifest["outputs"].items():
        data = (full.national / name).read_bytes()
        assert info["sha256"] == hashlib.sha256(data).hexdigest(), name
    title = bundle["meta"]["title"]
    html = (full.national / "report.html").read_text(encoding="utf-8")
    assert title in html.replace("&mdash;", "\u2014")
    with zipfile.ZipFile(full.national / "report.docx") as docx:
        assert "England" in docx.read("word/document.xml").decode("utf-8")
    tables = pd.read_csv(full.national / "tables.csv")
    assert len(tables) > 0
    benchmarks = pd.read_csv(full.national / "benchmarks.csv", low_memory=False)
    assert len(benchmarks) == len(pd.read_parquet(full.national / "benchmarks.parquet")) > 0


def test_the_index_links_the_national_draft(full: Full) -> None:
    index = (full.summary.out_dir / "index.html").read_text(encoding="utf-8")
    for name in ("report.html", "report.pdf", "report.docx"):
        assert f'href="national/{name}"' in index
        assert (full.national / name).is_file()


def test_national_only_builds_just_the_draft(two_la_dir: Path, tmp_path: Path) -> None:
    summary = build_reports(options(two_la_dir, tmp_path, national="only"))

    assert summary.national is not None and summary.national.ok, summary.national
    assert summary.built == [] and summary.failed == []
    year_dir = summary.out_dir
    assert sorted(p.name for p in year_dir.iterdir()) == ["index.html", "national"]
    assert (year_dir / "national" / "report.html").is_file()
    assert not (year_dir / "national" / "report.pdf").exists(), "only HTML was asked for"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, True),
        ({"national": "skip"}, False),
        ({"la_codes": ("first",)}, False),
        ({"national": "only"}, True),
    ],
)
def test_when_the_national_draft_is_part_of_a_build(
    two_la_dir: Path, tmp_path: Path, extra: dict, expected: bool
) -> None:
    if extra.get("la_codes"):
        code = str(pd.read_csv(two_la_dir / "la_lookup.csv", dtype=str)["la_code"].iloc[0])
        extra = {**extra, "la_codes": (code,)}
    checked = precheck(options(two_la_dir, tmp_path, **extra))
    assert checked.national is expected
    assert (len(checked.la_codes) == 0) is (extra.get("national") == "only")


def test_national_only_with_la_is_refused(two_la_dir: Path, tmp_path: Path) -> None:
    code = str(pd.read_csv(two_la_dir / "la_lookup.csv", dtype=str)["la_code"].iloc[0])
    with pytest.raises(InputError, match="--national-only builds the national draft alone"):
        precheck(options(two_la_dir, tmp_path, national="only", la_codes=(code,)))


def test_national_only_and_no_national_together_are_a_usage_error(
    two_la_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["build", "--data", str(two_la_dir), "--national-only", "--no-national"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_failing_national_draft_never_stops_the_la_reports(
    full: Full, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(full.summary.out_dir.parent, tmp_path / "reports")
    year_dir = tmp_path / "reports" / str(full.summary.year)
    before = digest(year_dir / "national")

    def build_national_facts(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("national facts exploded")

    # Forked workers inherit the patch, so the failure happens inside a worker.
    monkeypatch.setattr(national_module, "build_national_facts", build_national_facts)
    summary = build_reports(options(full.data_dir, tmp_path, force=True))  # the copy is current

    assert sorted(summary.built) == sorted(full.summary.built) and summary.failed == []
    assert summary.national is not None and not summary.national.ok
    assert summary.national.failure is not None
    assert summary.national.failure.stage == "facts"
    assert "national facts exploded" in summary.national.failure.message
    assert summary.exit_code == 1
    assert digest(year_dir / "national") == before, "the previous national draft was touched"
    for code in summary.built:
        manifest = json.loads((year_dir / code / "manifest.json").read_text(encoding="utf-8"))
        assert str(tmp_path / "build") in manifest["parameters"]["facts_path"], "not rebuilt"
    assert 'href="national/report.html"' in (year_dir / "index.html").read_text("utf-8")


def text_of(html_file: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_file.read_text("utf-8"))).split())


def test_the_authors_narrative_files_go_in_verbatim_and_into_the_manifests(full: Full) -> None:
    narrative = full.root / "narrative"
    first, second = sorted(full.summary.built)
    assert NATIONAL_WORDS in text_of(full.national / "report.html")
    assert COUNCIL_WORDS in text_of(full.summary.out_dir / first / "report.html")
    assert COUNCIL_WORDS not in text_of(full.summary.out_dir / second / "report.html")
    for folder, name in (
        (full.national, "national.md"),
        (full.summary.out_dir / first, f"{first}.md"),
    ):
        recorded = json.loads((folder / "manifest.json").read_text("utf-8"))["narrative"]
        assert recorded["sha256"] == hashlib.sha256((narrative / name).read_bytes()).hexdigest()
    second_manifest = json.loads((full.summary.out_dir / second / "manifest.json").read_text())
    assert second_manifest["narrative"] is None


def test_the_narrative_folder_is_found_next_to_the_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / "config" / "settings.yml"
    assert BuildOptions(data_dir=tmp_path, settings_path=settings).narrative_folder == (
        tmp_path / "config" / "narrative"
    )
    assert BuildOptions(data_dir=tmp_path).narrative_folder == paths.CONFIG_DIR / "narrative"
