"""The ``civicpulse-report`` command as a user meets it: help, validation, refusals.

Commands run in-process through ``civicpulse_report.cli.main`` (stderr captured),
and once through the installed console script. Bad input must give exit code 2,
every problem with its file, column and rows, no traceback, and nothing written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from civicpulse_report import cli
from civicpulse_report.cli import main
from civicpulse_report.inputs import Dataset

CLI = Path(sys.executable).parent / "civicpulse-report"
BAD_WEIGHT_ROW = 10  # frame index; a spreadsheet user counts the header as row 1
UNKNOWN_LA_ROW = 20
UNKNOWN_LA = "X09999999"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return its exit code, stdout and stderr (one line each)."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return code, " ".join(captured.out.split()), " ".join(captured.err.split())


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long paths are not folded mid-word, as in a wide terminal."""
    monkeypatch.setattr(cli.console, "width", 10_000)


@pytest.fixture
def outputs(tmp_path: Path) -> tuple[Path, Path]:
    """An out dir and a build dir that a refused build must never create."""
    return tmp_path / "out", tmp_path / "build"


def build_args(data: Path, outputs: tuple[Path, Path], *extra: str) -> list[str]:
    out, build = outputs
    return ["build", "--data", str(data), "--out", str(out), "--build-dir", str(build), *extra]


def assert_nothing_written(outputs: tuple[Path, Path]) -> None:
    for folder in outputs:
        assert not folder.exists(), f"{folder} was created by a refused build"


@pytest.fixture
def broken_dir(small_demo_dir: Path, tmp_path: Path) -> Path:
    """The small demo with four problems in three files."""
    broken = tmp_path / "broken"
    shutil.copytree(small_demo_dir, broken)
    lookup = pd.read_csv(broken / "la_lookup.csv", dtype=str)
    lookup.drop(columns=["region"]).to_csv(broken / "la_lookup.csv", index=False)
    survey = pd.read_parquet(broken / "survey.parquet")
    survey.loc[BAD_WEIGHT_ROW, "weight"] = -1.5
    survey.loc[UNKNOWN_LA_ROW, "la_code"] = UNKNOWN_LA
    survey.to_parquet(broken / "survey.parquet", index=False)
    (broken / "legacy_indicators.csv").write_bytes(b"")
    return broken


def assert_every_problem_reported(err: str) -> None:
    assert "Traceback" not in err
    assert "4 problems" in err
    assert "la_lookup.csv, column 'region'" in err and "missing" in err
    assert f"survey.parquet, column 'weight', row {BAD_WEIGHT_ROW + 2}:" in err
    assert "-1.5" in err
    assert f"survey.parquet, column 'la_code', row {UNKNOWN_LA_ROW + 2}:" in err
    assert UNKNOWN_LA in err
    assert "legacy_indicators.csv" in err and "empty" in err


# --- help --------------------------------------------------------------------------


def test_installed_console_script_shows_help() -> None:
    assert CLI.exists(), f"console script not installed at {CLI}"
    done = subprocess.run(
        [str(CLI), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "usage: civicpulse-report" in done.stdout
    for command in ("demo", "validate", "build"):
        assert command in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ([], ("demo", "validate", "build", "--version")),
        (["demo"], ("--out", "--reports", "--las", "--seed", "--no-build")),
        (["validate"], ("PATH", "--measures", "--year", "--la", "--settings", "--benchmarks")),
        (
            ["build"],
            (
                "--data",
                "--year",
                "--la",
                "--renderer",
                "--jobs",
                "--out",
                "--build-dir",
                "html,pdf,docx",
                "--benchmarks",
                "--national-only",
                "--no-national",
            ),
        ),
    ],
)
def test_help_works_for_every_command(
    command: list[str], expected: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*command, "--help"], capsys)
    assert code == 0, err
    assert out.startswith("usage: civicpulse-report")
    missing = [option for option in expected if option not in out]
    assert missing == []


# --- validate ----------------------------------------------------------------------


def test_validate_accepts_the_demo_data(
    small_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["validate", str(small_demo_dir)], capsys)
    assert code == 0, err
    assert "OK" in err and "Error" not in err


def test_validate_reports_every_problem_at_once(
    broken_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["validate", str(broken_dir)], capsys)
    assert code == 2
    assert_every_problem_reported(err)
    assert "Traceback" not in out


# --- build refusals: exit 2, a message, nothing written -------------------------------


def test_build_with_bad_data_reports_problems_and_writes_nothing(
    broken_dir: Path, outputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(build_args(broken_dir, outputs, "--jobs", "1"), capsys)
    assert code == 2
    assert_every_problem_reported(err)
    assert "Nothing was written" in err
    assert_nothing_written(outputs)


def test_build_for_a_missing_year_names_the_waves_present(
    small_demo_dir: Path,
    small_dataset: Dataset,
    outputs: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(build_args(small_demo_dir, outputs, "--year", "1999"), capsys)
    assert code == 2
    assert "Traceback" not in err
    assert "1999" in err
    assert "waves present: " + ", ".join(map(str, small_dataset.waves)) in err
    assert_nothing_written(outputs)


@pytest.mark.parametrize(
    ("la_code", "expected"),
    [
        ("X06999999", "'X06999999' is not in the LA lookup"),
        ("../etc", "'../etc' is not a valid LA code"),
    ],
)
def test_build_refuses_an_unknown_or_unsafe_la_code(
    la_code: str,
    expected: str,
    small_demo_dir: Path,
    outputs: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(build_args(small_demo_dir, outputs, "--la", la_code), capsys)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert_nothing_written(outputs)
    assert not (outputs[0].parent / "etc").exists()


def test_build_with_quarto_requested_but_missing_says_how_to_fix_it(
    small_demo_dir: Path,
    outputs: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    monkeypatch.setenv(
        "PATH", os.pathsep.join(d for d in path if not (Path(d) / "quarto").exists())
    )
    assert shutil.which("quarto") is None
    code, _, err = run(
        build_args(small_demo_dir, outputs, "--renderer", "quarto", "--jobs", "1"), capsys
    )
    assert code != 0
    assert "quarto" in err.lower() and "PATH" in err
    assert "--renderer builtin" in err, "the message should offer the built-in renderer"
    assert "Traceback" not in err
    assert_nothing_written(outputs)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_spreadsheet_with_a_formula_is_rejected_with_the_cell(
    command: str,
    small_demo_dir: Path,
    tmp_path: Path,
    outputs: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    shutil.copytree(small_demo_dir, data)
    lookup = pd.read_csv(data / "la_lookup.csv")
    (data / "la_lookup.csv").unlink()
    xlsx = data / "la_lookup.xlsx"
    lookup.to_excel(xlsx, index=False)
    book = openpyxl.load_workbook(xlsx)
    cell = f"{get_column_letter(list(lookup.columns).index('la_name') + 1)}3"
    book.active[cell] = '=HYPERLINK("http://example.invalid","Click me")'
    book.save(xlsx)

    argv = ["validate", str(data)] if command == "validate" else build_args(data, outputs)
    code, _, err = run(argv, capsys)

    assert code == 2
    assert "la_lookup.xlsx" in err and "formula" in err
    assert f"{cell}: =HYPERLINK" in err, f"the message should name cell {cell}"
    assert "Traceback" not in err
    assert_nothing_written(outputs)


def test_build_refuses_an_unknown_format_naming_the_known_ones(
    small_demo_dir: Path, outputs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(build_args(small_demo_dir, outputs, "--format", "html,odt"), capsys)
    assert code == 2
    assert "html, pdf, docx" in err and "'html,odt'" in err
    assert_nothing_written(outputs)
