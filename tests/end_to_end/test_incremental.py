"""Incremental builds: only what changed is rebuilt, and the result equals a forced build.

One two-LA nation (HTML only, the built-in renderer) is built once; then each
test changes one input and checks exactly which reports are rebuilt: nothing
for no change, one LA for its narrative file, everything for a template, and
everything with ``force``. A forced build's tables and HTML text are compared
with the incremental build's, byte for byte. The all-LA estimates are read
from their cache on a second build, and a corrupt cache entry is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

from civicpulse_report import paths
from civicpulse_report.cli import main
from civicpulse_report.inputs import check_la_code
from civicpulse_report.pipeline import NATIONAL, BuildOptions, build_reports, up_to_date
from civicpulse_report.pipeline.incremental import is_up_to_date, task_keys

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, two_la_dir: Path) -> BuildOptions:
    """A first build of the two-LA nation, into folders of its own."""
    root = tmp_path_factory.mktemp("incremental")
    shutil.copytree(two_la_dir, root / "data")
    (root / "config").mkdir()
    shutil.copy(paths.SETTINGS_FILE, root / "config" / "settings.yml")
    options = BuildOptions(
        data_dir=root / "data",
        formats=("html",),
        renderer="builtin",
        jobs=2,
        out_dir=root / "reports",
        build_dir=root / "build",
        settings_path=root / "config" / "settings.yml",
    )
    first = build_reports(options)
    assert first.exit_code == 0 and len(first.built) == 2 and first.national is not None
    return options


def codes(options: BuildOptions) -> list[str]:
    year_dir = next(options.out_dir.glob("[0-9]*"))
    return sorted(p.name for p in year_dir.iterdir() if p.is_dir() and check_la_code(p.name))


def rebuilt(summary) -> set[str]:  # type: ignore[no-untyped-def]
    done = set(summary.built)
    if summary.national is not None:
        done.add(NATIONAL)
    return done


def test_a_rebuild_with_nothing_changed_builds_nothing(project: BuildOptions) -> None:
    before = digests(project.out_dir)
    fast = up_to_date(project)
    assert fast is not None, "no change, yet the fast path did not find every report current"
    assert sorted(fast.up_to_date) == sorted([NATIONAL, *codes(project)])
    assert fast.built == [] and fast.failed == []
    summary = build_reports(project)
    assert rebuilt(summary) == set()
    assert sorted(summary.up_to_date) == sorted([NATIONAL, *codes(project)])
    assert digests(project.out_dir) == before


def test_the_cli_says_what_is_up_to_date(
    project: BuildOptions, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["build", "--data", str(project.data_dir), "--format", "html"]
    argv += ["--renderer", "builtin", "--out", str(project.out_dir)]
    argv += ["--build-dir", str(project.build_dir)]
    argv += ["--settings", str(project.settings_path)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "2 up to date, 0 built" in err, err


def test_a_narrative_file_rebuilds_only_its_la(project: BuildOptions) -> None:
    first, second = codes(project)
    before = digests(project.out_dir)
    folder = project.narrative_folder
    folder.mkdir(exist_ok=True)
    (folder / f"{first}.md").write_text("## Foreword\n\nA word from the council.\n", "utf-8")
    try:
        summary = build_reports(project)
        assert summary.exit_code == 0
        assert rebuilt(summary) == {first}
        assert sorted(summary.up_to_date) == sorted([NATIONAL, second])
        after = digests(project.out_dir)
        changed = {k.split("/")[1] for k in before if before[k] != after.get(k)}
        assert changed == {first}
        assert "A word from the council." in (
            project.out_dir / str(summary.year) / first / "report.html"
        ).read_text("utf-8")
    finally:
        (folder / f"{first}.md").unlink()
    assert rebuilt(build_reports(project)) == {first}


def test_a_deleted_output_rebuilds_its_report(project: BuildOptions) -> None:
    first, _ = codes(project)
    year_dir = next(project.out_dir.glob("[0-9]*"))
    (year_dir / first / "tables.csv").unlink()
    summary = build_reports(project)
    assert rebuilt(summary) == {first}
    assert (year_dir / first / "tables.csv").is_file()


def test_a_format_not_built_with_the_key_is_out_of_date(project: BuildOptions) -> None:
    from civicpulse_report.pipeline.incremental import run_inputs

    first, _ = codes(project)
    year_dir = next(project.out_dir.glob("[0-9]*"))
    key = task_keys(run_inputs(project, "builtin"), [first])[first]
    assert is_up_to_date(year_dir / first, key, ("html",))
    assert not is_up_to_date(year_dir / first, key, ("html", "pdf"))
    assert not is_up_to_date(year_dir / first, "0" * 64, ("html",))


def test_a_forced_build_rebuilds_everything_and_equals_the_incremental_one(
    project: BuildOptions,
) -> None:
    before = digests(project.out_dir)
    summary = build_reports(dataclasses.replace(project, force=True))
    assert rebuilt(summary) == {NATIONAL, *codes(project)}
    after = digests(project.out_dir)
    for name in before:
        if name.endswith(("tables.csv", "report.html")):
            assert after[name] == before[name], f"{name} differs between forced and incremental"


def test_the_estimates_come_from_their_cache_the_second_time(
    project: BuildOptions, caplog: pytest.LogCaptureFixture
) -> None:
    year_dir = next(project.out_dir.glob("[0-9]*"))
    first, _ = codes(project)
    (year_dir / first / "manifest.json").unlink()
    with caplog.at_level(logging.INFO, logger="civicpulse_report.pipeline"):
        summary = build_reports(project)
    assert rebuilt(summary) == {first}
    assert "read from the cache" in caplog.text


def test_a_corrupt_cache_entry_is_ignored_and_rebuilt(
    project: BuildOptions, caplog: pytest.LogCaptureFixture
) -> None:
    entries = list((project.build_dir / "cache" / "estimates").glob("*.pkl"))
    assert entries, "no estimates cache entry was written"
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])  # truncated, as by a full disk
    year_dir = next(project.out_dir.glob("[0-9]*"))
    first, _ = codes(project)
    before = (year_dir / first / "tables.csv").read_bytes()
    (year_dir / first / "manifest.json").unlink()
    with caplog.at_level(logging.INFO, logger="civicpulse_report.pipeline"):
        summary = build_reports(project)
    assert summary.exit_code == 0 and rebuilt(summary) == {first}
    assert "ignoring the estimates cache entry" in caplog.text
    assert "computed" in caplog.text
    assert (year_dir / first / "tables.csv").read_bytes() == before
    good = list((project.build_dir / "cache" / "estimates").glob("*.pkl"))
    assert good and all(p.stat().st_size > len(data) // 2 for p in good)


def test_an_la_whose_last_build_failed_is_rebuilt_whatever_its_key(project: BuildOptions) -> None:
    """A failure (a kill, a full disk) leaves the older report with a current key: rebuild it."""
    from civicpulse_report.pipeline.incremental import run_inputs, stale_tasks

    first, second = codes(project)
    year_dir = next(project.out_dir.glob("[0-9]*"))
    keys = task_keys(run_inputs(project, "builtin"), [first, second])
    assert stale_tasks(year_dir, keys, ("html",)) == []
    record = year_dir / "failed" / first / "failure.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"la_code": first, "reason": "killed"}), encoding="utf-8")
    assert stale_tasks(year_dir, keys, ("html",)) == [first]
    summary = build_reports(project)
    assert rebuilt(summary) == {first} and not record.exists()


# Last: the reports are then built against the edited copy, out of date for the real templates.
def test_a_changed_template_rebuilds_every_report(
    project: BuildOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES_DIR, templates)
    monkeypatch.setattr(paths, "TEMPLATES_DIR", templates)
    assert up_to_date(project) is not None, "a copy of the same templates changes nothing"
    with (templates / "report.css").open("a", encoding="utf-8") as css:
        css.write("\n/* edited */\n")
    assert up_to_date(project) is None
    summary = build_reports(project)
    assert rebuilt(summary) == {NATIONAL, *codes(project)}
    assert summary.up_to_date == []
