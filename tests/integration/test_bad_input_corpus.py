"""Every case of the bad-input corpus (``tests/data/bad/``) gets a clear, located error.

Each case folder is a small data folder with one thing wrong and an
``expected.yml`` saying which command to run and what the message must hold
(the file, the column, the rows or key, the fix). The real CLI entry point
runs in-process on a copy of the folder; the test checks the exit code (2),
the message, that there is no traceback, that the copy is byte-identical
afterwards and that no output folder was created.

A build that got past its checks would start building reports; here it is
stopped at that point instead (``run_jobs`` raises), so a case that is not
refused fails fast rather than building.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from civicpulse_report import cli
from civicpulse_report.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
CASES = sorted(p.parent.name for p in CORPUS.glob("*/expected.yml"))

#: Cases that need a feature being added now (issue 8); flip them when it lands.
PENDING: dict[str, str] = {}


class BuildWouldStart(AssertionError):
    """The inputs passed every check: a build would now start work."""


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its SHA-256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_corpus_is_big_enough_and_complete() -> None:
    assert len(CASES) >= 30, CASES
    for name in CASES:
        expected = yaml.safe_load((CORPUS / name / "expected.yml").read_text(encoding="utf-8"))
        assert expected["command"] in ("validate", "build"), name
        assert expected["exit_code"] == 2, name
        assert len(expected["messages"]) >= 2, f"{name}: say what the message must hold"
        tables = [p for p in (CORPUS / name).iterdir() if p.suffix != ".yml"]
        assert tables, f"{name} holds no data files"
    assert set(PENDING) <= set(CASES)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long paths are not folded mid-word, as in a wide terminal."""
    monkeypatch.setattr(cli.console, "width", 10_000)


@pytest.fixture
def no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise BuildWouldStart("the inputs were accepted and the build began")

    monkeypatch.setattr("civicpulse_report.pipeline.build.run_jobs", refuse)


def argv_for(expected: dict, data: Path, tmp_path: Path) -> list[str]:
    extra = [str(a).replace("{case}", str(data)) for a in expected.get("args", [])]
    if expected["command"] == "validate":
        return ["validate", str(data), *extra]
    out, build = tmp_path / "out", tmp_path / "build"
    return ["build", "--data", str(data), "--out", str(out), "--build-dir", str(build), *extra]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=PENDING[n]))
        if n in PENDING
        else n
        for n in CASES
    ],
)
def test_bad_input_gets_a_clear_located_error(
    name: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_building: None,
) -> None:
    expected = yaml.safe_load((CORPUS / name / "expected.yml").read_text(encoding="utf-8"))
    data = tmp_path / name
    shutil.copytree(CORPUS / name, data)
    before = snapshot(data)

    try:
        code = main(argv_for(expected, data, tmp_path))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    output = " ".join((captured.out + " " + captured.err).split())

    assert "Traceback" not in output
    assert code == expected["exit_code"], output
    missing = [text for text in expected["messages"] if text not in output]
    assert missing == [], f"not in the message: {missing}\n{output}"
    assert snapshot(data) == before, "the data folder was changed"
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != name)
    assert left == [], f"files were written: {left}"
