"""The checks a build makes before any work, and ``validate`` making the same ones (issue 8).

An LA in the lookup with no survey responses for the year is reported before
anything starts and never counted as a failure; asking for it with ``--la``
is an input error. ``validate DIR`` and ``build --data DIR`` agree: either
``validate`` exits 0 and the build starts, or both exit 2 with the same
problems. The per-LA jobs are replaced by a recorder here (the checks come
before them; real builds are in tests/end_to_end), so these tests see
exactly which reports a build would have started.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from civicpulse_report import cli, paths
from civicpulse_report.inputs import Dataset
from civicpulse_report.pipeline import BuildOptions, LAResult, precheck
from civicpulse_report.pipeline import build as build_module
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import (
    EstimateSet,
    benchmark_table,
    compute_estimates,
    write_benchmarks,
)

YEAR = 2026
PROBLEM_LINE = re.compile(r"^\s+\d+\. (.*)$")


@pytest.fixture(scope="module")
def codes(small_demo_dir: Path) -> list[str]:
    return sorted(pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)["la_code"])


@pytest.fixture(scope="module")
def no_rows_dir(
    small_demo_dir: Path, codes: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The small demo where the last three LAs of the lookup have no survey rows at all."""
    out = tmp_path_factory.mktemp("no-rows") / "data"
    shutil.copytree(small_demo_dir, out)
    survey = pd.read_parquet(out / "survey.parquet")
    survey[~survey["la_code"].isin(codes[-3:])].to_parquet(out / "survey.parquet", index=False)
    return out


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "width", 10_000)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The tasks each build started (LA codes, and ``national``); no report is built."""
    runs: list[list[str]] = []

    def run_jobs(ctx, tasks, on_done=None):  # type: ignore[no-untyped-def]
        runs.append(list(tasks))
        results = [LAResult(task, True, 0.0) for task in tasks]
        for result in results:
            if on_done:
                on_done(result)
        return results

    monkeypatch.setattr(build_module, "run_jobs", run_jobs)
    return runs


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().err


def problems(err: str) -> list[str]:
    return [m.group(1).strip() for line in err.splitlines() if (m := PROBLEM_LINE.match(line))]


def build_argv(data: Path, tmp_path: Path, *extra: str) -> list[str]:
    out, build = tmp_path / "out", tmp_path / "build"
    return ["build", "--data", str(data), "--out", str(out), "--build-dir", str(build), *extra]


def test_las_without_responses_are_reported_before_any_work_and_not_built(
    no_rows_dir: Path, codes: list[str], tmp_path: Path
) -> None:
    checked = precheck(BuildOptions(data_dir=no_rows_dir, out_dir=tmp_path / "out"))
    missing = codes[-3:]
    assert checked.notes[0] == (
        f"3 LAs in la_lookup have no survey responses in {YEAR}: "
        f"{', '.join(missing)}; they are not built."
    )
    assert checked.skipped == tuple(missing)
    assert checked.la_codes == tuple(codes[:-3])
    assert not (tmp_path / "out").exists(), "a pre-work check wrote something"


def test_a_build_says_so_first_and_never_counts_them_as_failures(
    no_rows_dir: Path,
    codes: list[str],
    tmp_path: Path,
    started: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(build_argv(no_rows_dir, tmp_path, "--jobs", "1"), capsys)

    assert code == 0, err
    message = f"3 LAs in la_lookup have no survey responses in {YEAR}: {', '.join(codes[-3:])}"
    assert message in err
    assert err.index(message) < err.index("Validated inputs"), "not reported before the work"
    assert started == [codes[:-3]], "an LA without responses was started"
    # Nor is the national draft: three LAs without data make the rest a pooled sample.
    assert "The national draft is not built: " in err
    assert re.search(r"Failed\s*│\s*0\b", err)
    assert re.search(rf"Skipped\s*│\s*3 \(no survey responses in {YEAR}\)", err)
    assert "FAILED" not in err and "KeyError" not in err


@pytest.mark.parametrize("command", ["build", "validate"])
def test_asking_for_an_la_without_responses_is_an_input_error(
    command: str,
    no_rows_dir: Path,
    codes: list[str],
    tmp_path: Path,
    started: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = codes[-1]
    if command == "build":
        argv = build_argv(no_rows_dir, tmp_path, "--la", codes[0], "--la", missing)
    else:
        argv = ["validate", str(no_rows_dir), "--la", codes[0], "--la", missing]
    code, err = run(argv, capsys)

    assert code == 2
    assert problems(err) == [
        f"--la: 1 LA in la_lookup has no survey responses in {YEAR}: {missing}; it is not "
        f"built. Hint: choose LAs with survey responses in {YEAR}, or add their survey rows"
    ]
    assert "Traceback" not in err
    assert started == []
    assert not (tmp_path / "out").exists() and not (tmp_path / "build").exists()


def one_la_dir(small_demo_dir: Path, codes: list[str], tmp_path: Path) -> Path:
    """A council's own survey: one LA, its own tables, no benchmark file.

    Its lookup says it is not the whole nation (``national_coverage`` = no,
    data/README.md), as a council's own lookup would.
    """
    out = tmp_path / "one-la"
    shutil.copytree(small_demo_dir, out)
    keep = codes[0]
    for name in ("la_lookup.csv", "neighbourhoods.csv"):
        table = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        table = table[table["la_code"] == keep]
        if name == "la_lookup.csv":
            table = table.assign(national_coverage="no")
        table.to_csv(out / name, index=False)
    legacy = pd.read_csv(out / "legacy_indicators.csv", dtype=str, keep_default_na=False)
    legacy[legacy["la_code"].isin([keep, "E92000001"])].to_csv(
        out / "legacy_indicators.csv", index=False
    )
    survey = pd.read_parquet(out / "survey.parquet")
    survey[survey["la_code"] == keep].to_parquet(out / "survey.parquet", index=False)
    return out


def bad_narrative_settings(tmp_path: Path, la_code: str) -> Path:
    """A settings.yml whose narrative folder holds an LA file with an unknown section."""
    config = tmp_path / "config"
    (config / "narrative").mkdir(parents=True)
    shutil.copy(paths.SETTINGS_FILE, config / "settings.yml")
    (config / "narrative" / f"{la_code}.md").write_text(
        "## Foreword\n\nOur words.\n\n## Afterword\n\nNot a section.\n", encoding="utf-8"
    )
    return config / "settings.yml"


CASES = {
    "clean": lambda d, c, t: (d, []),
    "missing year": lambda d, c, t: (d, ["--year", "1999"]),
    "unknown LA": lambda d, c, t: (d, ["--la", "X09999999"]),
    "LA without responses": lambda d, c, t: (d, ["--la", c[-1]]),
    "unreadable benchmark file": lambda d, c, t: (d, ["--benchmarks", str(t / "nothing.csv")]),
    "bad narrative file": lambda d, c, t: (
        d,
        ["--la", c[0], "--settings", str(bad_narrative_settings(t, c[0]))],
    ),
    "one LA, no benchmark file": lambda d, c, t: (one_la_dir(d, c, t), []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_accepts_exactly_what_build_starts(
    case: str,
    no_rows_dir: Path,
    codes: list[str],
    tmp_path: Path,
    started: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    data, extra = CASES[case](no_rows_dir, codes, tmp_path)
    (tmp_path / "nothing.csv").write_text("not,a,benchmark\n1,2,3\n", encoding="utf-8")

    validated, validate_err = run(["validate", str(data), *extra], capsys)
    built, build_err = run(build_argv(data, tmp_path, "--jobs", "1", *extra), capsys)

    assert "Traceback" not in validate_err + build_err
    assert validated in (0, 2), validate_err
    if validated == 0:
        assert built == 0, f"validate said OK but build refused:\n{build_err}"
        assert len(started) == 1, "validate said OK but the build did not start"
    else:
        assert built == 2, f"validate refused but build went ahead:\n{build_err}"
        assert started == []
        assert problems(validate_err) == problems(build_err) != []
    expected = {"clean": 0, "one LA, no benchmark file": 0}.get(case, 2)
    assert validated == expected, validate_err


@pytest.fixture(scope="module")
def release(
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The small demo's benchmark release (what a national build publishes)."""
    out = tmp_path_factory.mktemp("release")
    write_benchmarks(benchmark_table(small_estimates, small_dataset, settings), out)
    return out / "benchmarks.csv"


@pytest.mark.parametrize("where", ["in the data folder", "--benchmarks"])
def test_a_benchmark_file_feeds_the_comparators_and_skips_the_national_draft(
    where: str,
    release: Path,
    small_demo_dir: Path,
    codes: list[str],
    tmp_path: Path,
    started: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = one_la_dir(small_demo_dir, codes, tmp_path)
    extra: list[str] = []
    if where == "--benchmarks":
        extra = ["--benchmarks", str(release)]
    else:
        shutil.copy(release, data / "benchmarks.csv")
    expected = release if extra else data / "benchmarks.csv"

    checked = precheck(
        BuildOptions(data_dir=data, benchmarks_path=Path(extra[1]) if extra else None)
    )
    assert checked.benchmarks_path == expected and checked.benchmarks is not None
    assert checked.national is False
    note = (
        "The national draft is not built: comparators come from benchmarks.csv, "
        "so this data folder is not the whole nation."
    )
    assert note in checked.notes

    code, err = run(build_argv(data, tmp_path, "--jobs", "1", *extra), capsys)
    assert code == 0, err
    assert started == [[codes[0]]], "only the council's own report is built"
    assert note in " ".join(err.split())
    assert "Benchmark release:" in err
    assert "England: England (from the benchmark file)" in err


def bad_coverage_dir(small_demo_dir: Path, codes: list[str], tmp_path: Path) -> Path:
    data = one_la_dir(small_demo_dir, codes, tmp_path)
    lookup = pd.read_csv(data / "la_lookup.csv", dtype=str, keep_default_na=False)
    lookup.assign(national_coverage="maybe").to_csv(data / "la_lookup.csv", index=False)
    return data


def unfitting_release_dir(
    small_demo_dir: Path, codes: list[str], tmp_path: Path, release_90: Path
) -> Path:
    data = one_la_dir(small_demo_dir, codes, tmp_path)
    shutil.copy(release_90, data / "benchmarks.csv")
    return data


@pytest.fixture(scope="module")
def release_90(
    small_estimates: EstimateSet,
    small_dataset: Dataset,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A release that says it holds 90% intervals, where settings.yml asks for 95%."""
    out = tmp_path_factory.mktemp("release-90")
    other = dataclasses.replace(settings, confidence_level=0.9)
    write_benchmarks(benchmark_table(small_estimates, small_dataset, other), out)
    return out / "benchmarks.csv"


@pytest.mark.parametrize("case", ["bad national_coverage flag", "release that does not fit"])
def test_validate_also_refuses_what_the_estimates_refuse(
    case: str,
    small_demo_dir: Path,
    codes: list[str],
    release_90: Path,
    tmp_path: Path,
    started: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    if case == "bad national_coverage flag":
        data = bad_coverage_dir(small_demo_dir, codes, tmp_path)
    else:
        data = unfitting_release_dir(small_demo_dir, codes, tmp_path, release_90)
    built, build_err = run(build_argv(data, tmp_path, "--jobs", "1"), capsys)
    assert built == 2 and started == [], build_err
    validated, validate_err = run(["validate", str(data)], capsys)
    assert validated == 2, "validate said OK to inputs that build refuses"
    assert problems(validate_err) == problems(build_err)


def test_neighbour_candidates_are_the_las_with_data_and_the_k_said_is_the_k_used(
    no_rows_dir: Path, codes: list[str], tmp_path: Path
) -> None:
    """Eight LAs in the lookup, five with survey data: k = 15 is cut to 4, not to 7."""
    checked = precheck(BuildOptions(data_dir=no_rows_dir, out_dir=tmp_path / "out"))
    assert len(checked.dataset.la_lookup) == 8 and checked.settings.neighbours_k == 15
    assert (
        "15 nearest neighbours are asked for, but this data set holds 5 LAs with survey "
        "responses: each LA is compared with the 4 most similar."
    ) in checked.notes
    est = compute_estimates(checked.dataset, checked.measures, checked.settings)
    assert est.neighbours_k_used == 4
    assert not set(codes[-3:]) & set(est.neighbours["neighbour_code"])


def test_a_folder_that_is_not_the_nation_gets_no_national_draft(
    small_demo_dir: Path,
    codes: list[str],
    tmp_path: Path,
    started: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A pooled sample is never published as the nation: skipped with a note, or refused."""
    data = one_la_dir(small_demo_dir, codes, tmp_path)
    built, err = run(build_argv(data, tmp_path, "--jobs", "1"), capsys)
    assert built == 0, err
    assert started == [[codes[0]]], "the national draft was built from one council's survey"
    assert "The national draft is not built: the LA lookup says national_coverage = no" in err
    refused, err = run(build_argv(data, tmp_path, "--national-only"), capsys)
    assert refused == 2 and started == [[codes[0]]]
    assert "--national-only: the national draft is of the whole nation, but the LA lookup" in err
