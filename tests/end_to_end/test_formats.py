"""Output formats on a rebuild: what was not asked for is kept, and the manifest says so.

Issue 8: ``--format html`` on a rebuild used to delete the existing
``report.pdf``. The choice made (README, "What a run produces"): a rebuild
keeps the files of formats it was not asked for, byte for byte, and the
manifest lists which formats were built now and which files were carried
over from which earlier build. ``docx`` builds when the render stage has it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from civicpulse_report import cli
from civicpulse_report.pipeline import BuildOptions, build_reports
from civicpulse_report.render.outputs import FORMATS


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def la_code(small_demo_dir: Path) -> str:
    return str(pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)["la_code"].iloc[0])


@pytest.fixture(scope="module")
def html_and_pdf(
    tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path, la_code: str
) -> Path:
    """One LA built in HTML and PDF; returns the out dir."""
    root = tmp_path_factory.mktemp("formats")
    summary = build_reports(
        BuildOptions(
            data_dir=small_demo_dir,
            la_codes=(la_code,),
            formats=("html", "pdf"),
            renderer="builtin",
            jobs=1,
            out_dir=root / "reports",
            build_dir=root / "build",
        )
    )
    assert summary.built == [la_code], summary.failed
    return root / "reports"


def rebuild(
    data_dir: Path, out_dir: Path, build_dir: Path, la_code: str, formats: str, capsys
) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    argv = ["build", "--data", str(data_dir), "--la", la_code, "--format", formats]
    argv += ["--out", str(out_dir), "--build-dir", str(build_dir)]
    argv += ["--renderer", "builtin", "--jobs", "1", "--force"]  # the copy is current
    code = cli.main(argv)
    return code, " ".join(capsys.readouterr().err.split())


def test_an_html_only_rebuild_keeps_the_earlier_pdf_and_says_so(
    html_and_pdf: Path,
    small_demo_dir: Path,
    la_code: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli.console, "width", 10_000)
    out_dir = tmp_path / "reports"
    shutil.copytree(html_and_pdf, out_dir)
    folder = out_dir / "2026" / la_code
    first = manifest(folder)
    pdf_hash, html_hash = sha256(folder / "report.pdf"), sha256(folder / "report.html")

    code, err = rebuild(small_demo_dir, out_dir, tmp_path / "build", la_code, "html", capsys)

    assert code == 0, err
    assert (folder / "report.pdf").is_file(), "the html-only rebuild deleted report.pdf"
    assert sha256(folder / "report.pdf") == pdf_hash
    second = manifest(folder)
    assert second["formats"] == ["html"]
    kept = second["carried_over"]
    assert list(kept) == ["report.pdf"]
    assert kept["report.pdf"]["sha256"] == pdf_hash
    assert kept["report.pdf"]["built_at"] == first["built_at"]
    assert second["outputs"]["report.pdf"]["sha256"] == pdf_hash
    assert second["outputs"]["report.html"]["sha256"] == sha256(folder / "report.html")
    assert html_hash != "" and second["built_at"] >= first["built_at"]
    assert f"Kept report.pdf from the previous build of {la_code}" in err

    # Kept again on the next html-only rebuild: it still names the build that made it.
    code, err = rebuild(small_demo_dir, out_dir, tmp_path / "build2", la_code, "html", capsys)
    assert code == 0, err
    assert manifest(folder)["carried_over"]["report.pdf"]["built_at"] == first["built_at"]
    assert sha256(folder / "report.pdf") == pdf_hash


def test_a_first_build_in_one_format_has_nothing_to_carry_over(
    html_and_pdf: Path, la_code: str
) -> None:
    folder = html_and_pdf / "2026" / la_code
    first = manifest(folder)
    assert first["formats"] == ["html", "pdf"]
    assert first["carried_over"] == {}


@pytest.mark.skipif("docx" not in FORMATS, reason="the render stage has no docx format yet")
def test_docx_is_built_when_asked_for_and_the_pdf_is_kept(
    html_and_pdf: Path,
    small_demo_dir: Path,
    la_code: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_dir = tmp_path / "reports"
    shutil.copytree(html_and_pdf, out_dir)
    folder = out_dir / "2026" / la_code
    code, err = rebuild(small_demo_dir, out_dir, tmp_path / "build", la_code, "html,docx", capsys)
    assert code == 0, err
    with zipfile.ZipFile(folder / "report.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    name = str(pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)["la_name"].iloc[0])
    assert name in body
    assert manifest(folder)["formats"] == ["html", "docx"]
    assert list(manifest(folder)["carried_over"]) == ["report.pdf"]
