"""Faults (issue 11): concurrent builds, killed builds, failing cells and write errors.

- **Concurrent builds.** A build holds ``<out>/<year>/.lock`` (``flock``) for its
  whole run; a second build into the same folder fails at once with exit code
  2, naming the holder's process id and start time, and writes nothing.
- **Killed builds.** A real build process is killed (SIGKILL, its whole process
  group and its kernels) at random points. After every kill each report is the
  previous one byte for byte, or a complete new one (every file its manifest
  lists, with matching hashes); nothing half-written is visible, and the next
  run's :func:`recover_interrupted` restores anything moved aside and removes
  the staging folders.
- **Failing cells.** The partly run notebook of an LA whose cell raised is kept
  under ``<out>/<year>/failed/<la_code>/report.ipynb`` (the failure message says
  where), never in the published folder, and goes when the LA next builds.
- **Write errors.** A full disk (``ENOSPC``) or a read-only output folder gives
  a message naming the folder and a non-zero exit code, the previous reports
  stay byte-identical, and nothing new is left behind (not even an empty
  ``failed/<la_code>/`` folder made for a failure record the disk refused;
  ``tests/unit/test_write_errors.py`` fails each step of that write in turn).

The kill and write-error builds run a tiny notebook that keeps the papermill
contract (``la_code``, ``year``, ``facts_path``) through ``cli.main``: every
stage (prepare, facts, notebook, render, tables, manifest, publish, index)
runs as usual, in a few seconds instead of half a minute, so that 20 kills
fit the time a test may take. The failing-cell test uses the real LA notebook.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from processes import alive, descendants

from civicpulse_report import cli
from civicpulse_report.inputs import check_la_code
from civicpulse_report.pipeline import STAGING, BuildOptions, build_reports, recover_interrupted
from civicpulse_report.pipeline.lock import LOCK_FILE, BuildLockedError, build_lock

PYTHON = sys.executable
CLI = Path(sys.executable).parent / "civicpulse-report"
SEED = 20261111
INDEX = "index.html"
#: Random kills of a real build (issue 11: at least 20).
KILLS = 20

# A CLI build whose LA notebook is replaced (argv[1]); everything else is `civicpulse-report`.
DRIVER = """\
import dataclasses, sys
from pathlib import Path
from civicpulse_report import cli
notebook = Path(sys.argv.pop(1))
real = cli._build_options
cli._build_options = lambda args, data_dir: dataclasses.replace(
    real(args, data_dir), notebook=notebook
)
sys.exit(cli.main(sys.argv[1:]))
"""

# Holds the build lock of argv[1] until its standard input closes.
HOLDER = """\
import sys
from pathlib import Path
from civicpulse_report.pipeline.lock import build_lock
with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


def write_tiny_notebook(path: Path, *, fail: bool = False) -> Path:
    """A notebook with the LA notebook's parameters that shows one line from the bundle."""
    cells = [
        new_code_cell(
            '#| include: false\nla_code = "X06000001"\nyear = 2026\nfacts_path = "facts.json"',
            metadata={"tags": ["parameters"]},
        ),
        new_code_cell(
            "#| echo: false\nimport json\nfrom IPython.display import Markdown, display\n"
            'facts = json.load(open(facts_path, encoding="utf-8"))\n'
            'display(Markdown("# Summary\\n\\nThe report of " + facts["meta"]["la_name"] + "."))'
        ),
    ]
    if fail:
        cells.append(new_code_cell('#| echo: false\nraise RuntimeError("tiny boom")'))
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, path)
    return path


def tree(folder: Path, *, skip: frozenset[str] = frozenset({LOCK_FILE})) -> dict[str, str]:
    """Every file below ``folder`` (relative path -> SHA-256), empty folders as ``/``."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.name in skip:
            continue
        if path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir() and not any(path.iterdir()):
            found[rel + "/"] = "dir"
    return found


def la_folders(year_dir: Path) -> list[str]:
    return sorted(p.name for p in year_dir.iterdir() if p.is_dir() and check_la_code(p.name))


def complete_report(folder: Path) -> bool:
    """Every file the manifest lists is there with its hash, and nothing else."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    outputs = manifest.get("outputs") or {}
    names = sorted(p.name for p in folder.iterdir())
    if names != sorted([*outputs, "manifest.json"]):
        return False
    return all(
        hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest["sha256"]
        for name, digest in outputs.items()
    )


@dataclass(frozen=True)
class Built:
    """A two-LA data folder and its first build (HTML, tiny notebook), to copy per test."""

    data_dir: Path
    out_dir: Path
    year: int
    la_codes: tuple[str, ...]
    notebook: Path
    driver: Path

    def copy_to(self, out_dir: Path) -> Path:
        shutil.copytree(self.out_dir, out_dir)
        return out_dir / str(self.year)

    def argv(self, out_dir: Path, build_dir: Path, *extra: str) -> list[str]:
        """A CLI build of every LA, HTML only, no national draft."""
        return [
            "build", "--data", str(self.data_dir), "--out", str(out_dir),
            "--build-dir", str(build_dir), "--format", "html", "--renderer", "builtin",
            "--no-national", "--jobs", "2", *extra,
        ]  # fmt: skip

    def driver_argv(self, out_dir: Path, build_dir: Path, *extra: str) -> list[str]:
        return [
            PYTHON,
            str(self.driver),
            str(self.notebook),
            *self.argv(out_dir, build_dir, *extra),
        ]


@pytest.fixture(scope="module")
def built(two_la_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("faults")
    notebook = write_tiny_notebook(root / "tiny.ipynb")
    driver = root / "drive.py"
    driver.write_text(DRIVER, encoding="utf-8")
    codes = tuple(sorted(pd.read_csv(two_la_dir / "la_lookup.csv", dtype=str)["la_code"]))
    summary = build_reports(
        BuildOptions(
            data_dir=two_la_dir,
            formats=("html",),
            renderer="builtin",
            jobs=2,
            out_dir=root / "reports",
            build_dir=root / "build",
            notebook=notebook,
            national="skip",
        )
    )
    assert sorted(summary.built) == list(codes), summary.failed
    assert not (summary.out_dir / LOCK_FILE).exists(), "the lock file outlived the build"
    return Built(two_la_dir, root / "reports", summary.year, codes, notebook, driver)


# --- concurrent builds ---------------------------------------------------------------


def test_a_second_build_into_the_same_folder_fails_fast_naming_the_first(
    built: Built, tmp_path: Path
) -> None:
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLDER, str(year_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        before = tree(out_dir)
        holder_info = json.loads((year_dir / LOCK_FILE).read_text(encoding="utf-8"))
        assert holder_info["pid"] == holder.pid

        started = time.monotonic()
        second = subprocess.run(
            [str(CLI), *built.argv(out_dir, tmp_path / "build", "--force")],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "COLUMNS": "10000"},
        )
        took = time.monotonic() - started
        message = " ".join(second.stderr.split())
        assert second.returncode == 2, second.stderr
        assert "Traceback" not in second.stderr
        assert f"another build is writing to {year_dir}" in message
        assert f"process {holder.pid}" in message
        assert f"started {holder_info['started']}" in message
        assert "Nothing was written" in message
        assert tree(out_dir) == before, "the refused build changed the output folder"
        assert not (tmp_path / "build" / str(built.year) / "facts").exists()
        assert took < 120, f"the refused build took {took:.0f} s: it should fail fast"
    finally:
        if holder.stdin:
            holder.stdin.close()
        holder.wait(timeout=30)
    assert holder.returncode == 0
    assert not (year_dir / LOCK_FILE).exists(), "the holder's lock file was left behind"


def test_the_lock_names_its_holder_and_a_dead_holders_file_does_not_block(tmp_path: Path) -> None:
    year_dir = tmp_path / "2026"
    year_dir.mkdir()
    # A killed build leaves its lock file; the kernel released its lock when it died.
    (year_dir / LOCK_FILE).write_text('{"pid": 999999, "started": "long ago"}\n')
    with build_lock(year_dir) as path:
        holder = json.loads(path.read_text(encoding="utf-8"))
        assert holder["pid"] == os.getpid()
        # flock belongs to the open file, so a second acquirer in this process is refused too.
        second = build_lock(year_dir)
        with pytest.raises(BuildLockedError, match=f"process {os.getpid()}, started"):
            second.__enter__()
    assert not path.exists(), "the lock file outlived the build"
    assert BuildLockedError.exit_code == 2


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the workers")
def test_killing_only_the_build_process_frees_its_lock_and_its_workers_stop(
    built: Built, tmp_path: Path
) -> None:
    """A forked worker does not keep the folder's lock when its parent dies, and stops."""
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    log = (tmp_path / "parent-killed.log").open("wb")
    argv = built.driver_argv(out_dir, tmp_path / "build", "--force", "--jobs", "1")
    proc = subprocess.Popen(argv, stdout=log, stderr=log)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        staged = year_dir / STAGING
        while not (staged.is_dir() and any(staged.iterdir())):  # a worker is building
            assert proc.poll() is None and time.monotonic() < deadline, "never staged"
            time.sleep(0.02)
        workers = descendants(proc.pid)
        assert workers, "the build has no worker process"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only: its worker lives on
        proc.wait(timeout=30)

        with build_lock(year_dir):  # at once: no worker holds it
            pass
        stop_by = time.monotonic() + 90  # the worker finishes its LA, then takes no more
        while any(alive(pid) for pid in workers):
            assert time.monotonic() < stop_by, "a worker outlived its build by 90 s"
            time.sleep(0.2)
    finally:
        log.close()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# --- killed builds -------------------------------------------------------------------


def run_and_time(built: Built, out_dir: Path, build_dir: Path, log: Path) -> dict[str, float]:
    """Run one build to the end; when its lock appeared, it first published, and it ended."""
    year_dir = out_dir / str(built.year)
    marks: dict[str, float] = {}
    with log.open("wb") as sink:
        started = time.monotonic()
        proc = subprocess.Popen(
            built.driver_argv(out_dir, build_dir, "--force"), stdout=sink, stderr=sink
        )
        while proc.poll() is None:
            now = time.monotonic() - started
            if (year_dir / LOCK_FILE).exists():
                marks.setdefault("lock", now)
            staged = year_dir / STAGING
            if "lock" in marks and staged.is_dir() and any(staged.iterdir()):
                marks.setdefault("staged", now)
            if "staged" in marks and not (staged.is_dir() and any(staged.iterdir())):
                marks.setdefault("published", now)
            time.sleep(0.02)
        marks["end"] = time.monotonic() - started
    assert proc.returncode == 0, log.read_text(errors="replace")
    return marks


def kill_at(argv: list[str], seconds: float, log: Path) -> int:
    """Start a build in its own process group; SIGKILL the group and its kernels after ``seconds``."""
    seen: set[int] = set()
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=sink, start_new_session=True)
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                seen |= descendants(proc.pid)  # kernels leave the group: note them as they start
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
            seen |= descendants(proc.pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            for pid in seen:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
    return proc.returncode


def check_after_kill(year_dir: Path, before: dict[str, dict[str, str]], old_index: str) -> str:
    """What a reader sees after a kill, then after the next run's recovery; what the kill hit."""
    staged = year_dir / STAGING
    hit = "staging" if staged.is_dir() and any(staged.iterdir()) else "before work"
    if list(year_dir.glob(".*.old-*")):
        hit = "publishing"
    for code, files in before.items():
        folder = year_dir / code
        if not folder.exists():
            # Killed between moving the old report aside and moving the new one in.
            aside = list(year_dir.glob(f".{code}.old-*"))
            assert len(aside) == 1 and tree(aside[0]) == files, f"{code} is lost"
    visible = [p for p in year_dir.iterdir() if not p.name.startswith(".")]
    for path in visible:
        assert path.name == INDEX or path.name in before, f"unexpected {path.name} in {year_dir}"
    index = year_dir / INDEX
    assert index.is_file()
    page = index.read_text(encoding="utf-8")
    assert page == old_index or page.rstrip().endswith("</html>"), "a half-written index"

    recover_interrupted(year_dir)  # what the next run does first, under its lock

    assert la_folders(year_dir) == sorted(before), "a report went missing"
    for code, files in before.items():
        folder = year_dir / code
        assert tree(folder) == files or complete_report(folder), f"{code} is half-written"
        if tree(folder) != files:
            hit = f"after publishing {code}" if hit != "publishing" else hit
    leftover = sorted(p.name for p in year_dir.iterdir())
    assert leftover in (
        sorted([*before, INDEX]),
        sorted([*before, INDEX, LOCK_FILE]),  # a killed run's lock file: reused by the next
    ), leftover
    return hit


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the kernel processes")
def test_builds_killed_at_random_points_never_leave_a_damaged_report(
    built: Built, tmp_path: Path
) -> None:
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    build_dir = tmp_path / "build"
    marks = run_and_time(built, out_dir, build_dir, tmp_path / "timing.log")
    assert {"lock", "staged", "published"} <= set(marks), marks
    rng = random.Random(SEED)
    outcomes = []
    for i in range(KILLS):
        before = {code: tree(year_dir / code) for code in built.la_codes}
        old_index = (year_dir / INDEX).read_text(encoding="utf-8")
        # Mostly anywhere from start-up to the end; every third kill near the publishing.
        if i % 3 == 2:
            when = rng.uniform(marks["published"] - 0.5, marks["end"] + 0.2)
        else:
            when = rng.uniform(max(0.5, marks["lock"] - 1.0), marks["end"])
        log = tmp_path / f"kill-{i}.log"
        code = kill_at(built.driver_argv(out_dir, build_dir, "--force"), when, log)
        assert code in (0, -signal.SIGKILL), log.read_text(errors="replace")  # done, or killed
        hit = check_after_kill(year_dir, before, old_index)
        outcomes.append((round(when, 2), code, hit))
    print("kills (seconds, exit code, what it hit):", outcomes)
    assert any(code == -signal.SIGKILL for _, code, _ in outcomes), outcomes
    assert any(hit != "before work" for _, _, hit in outcomes), outcomes

    final = subprocess.run(
        built.driver_argv(out_dir, build_dir, "--force"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert final.returncode == 0, final.stderr
    assert sorted(p.name for p in year_dir.iterdir()) == sorted([*built.la_codes, INDEX])
    for code in built.la_codes:
        assert complete_report(year_dir / code)


def test_a_worker_killed_mid_publish_gets_its_previous_report_back_in_the_same_run(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    doomed = built.la_codes[0]
    before = tree(year_dir / doomed)
    parent, real_replace = os.getpid(), os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The worker dies between moving the old report aside and moving the new one in.
        if os.getpid() != parent and Path(dst) == year_dir / doomed and STAGING in Path(src).parts:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)  # forked workers inherit it
    summary = build_reports(
        BuildOptions(
            data_dir=built.data_dir,
            formats=("html",),
            renderer="builtin",
            jobs=2,
            out_dir=out_dir,
            build_dir=tmp_path / "build",
            notebook=built.notebook,
            national="skip",
            force=True,
        )
    )

    assert [f.la_code for f in summary.failed] == [doomed], summary.failed
    assert summary.built == [c for c in built.la_codes if c != doomed]
    assert tree(year_dir / doomed) == before, "the previous report was not put back"
    assert sorted(p.name for p in year_dir.iterdir()) == sorted([*built.la_codes, INDEX, "failed"])


# --- failing cells -------------------------------------------------------------------


def test_a_failing_cell_keeps_its_notebook_under_failed_until_the_la_builds(
    built: Built, tmp_path: Path, failing_la_notebook: Path
) -> None:
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    code = built.la_codes[0]
    before = tree(year_dir / code)
    common = {
        "data_dir": built.data_dir,
        "la_codes": (code,),
        "formats": ("html",),
        "renderer": "builtin",
        "jobs": 1,
        "out_dir": out_dir,
        "build_dir": tmp_path / "build",
        "national": "skip",
    }

    failed = build_reports(BuildOptions(**common, notebook=failing_la_notebook))

    assert failed.built == [] and failed.exit_code == 1
    (failure,) = failed.failed
    kept = year_dir / "failed" / code / "report.ipynb"
    assert failure.la_code == code and failure.stage == "notebook"
    assert "notebook cell" in failure.message and "RuntimeError: boom" in failure.message
    assert str(kept) in failure.message, "the message should say where the notebook is kept"
    assert tree(year_dir / code) == before, "the published report changed"
    assert kept.is_file()
    nb = nbformat.read(kept, as_version=4)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors and errors[-1]["ename"] == "RuntimeError" and errors[-1]["evalue"] == "boom"
    assert (
        any("raise RuntimeError" in line for line in errors[-1]["traceback"])
        or errors[-1]["traceback"]
    )
    record = json.loads((year_dir / "failed" / code / "failure.json").read_text(encoding="utf-8"))
    assert str(kept) in record["reason"]
    assert not list((year_dir / code).glob("*.ipynb.*")) and not (year_dir / STAGING).exists()

    rebuilt = build_reports(BuildOptions(**common, notebook=built.notebook, force=True))

    assert rebuilt.built == [code], rebuilt.failed
    assert not (year_dir / "failed").exists() or not any((year_dir / "failed").iterdir())
    assert complete_report(year_dir / code)


# --- write errors --------------------------------------------------------------------


def cli_build(built: Built, out_dir: Path, build_dir: Path, monkeypatch, capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    real = cli._build_options
    monkeypatch.setattr(
        cli,
        "_build_options",
        lambda args, d: dataclasses.replace(real(args, d), notebook=built.notebook),
    )
    monkeypatch.setattr(cli.console, "width", 10_000)
    code = cli.main(built.argv(out_dir, build_dir, "--force"))
    return code, " ".join(capsys.readouterr().err.split())


def test_a_full_disk_while_publishing_is_reported_and_keeps_the_previous_reports(
    built: Built,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    before = tree(out_dir)
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The disk is full for whatever a build moves into the year folder: a staged
        # report, a new index, a failure record. Moving a report aside or back works.
        source, target = Path(src), Path(dst)
        published = target.parent == year_dir or target.parent.parent == year_dir / "failed"
        if published and (STAGING in source.parts or source.suffix == ".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src), None, str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)  # forked workers inherit it
    code, message = cli_build(built, out_dir, tmp_path / "build", monkeypatch, capsys)

    assert code != 0
    assert "Traceback" not in message
    for la in built.la_codes:
        assert f"FAILED {la} at publish: cannot write to {year_dir / la}" in message, message
    assert "No space left on device" in message
    assert "the previous report is unchanged" in message
    after = tree(out_dir)
    assert {k: v for k, v in after.items() if k in before} == before, "a previous file changed"
    # Nothing new either: no file, and no empty folder (failed/<la>/ made for a
    # failure record the full disk refused).
    assert [k for k in after if k not in before] == [], "a file or folder was added"


def test_a_writer_hitting_a_full_disk_fails_only_its_stage_and_keeps_the_reports(
    built: Built,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from civicpulse_report.pipeline import job as job_module

    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    before = {code: tree(year_dir / code) for code in built.la_codes}

    def write_tables(table, folder):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(folder) / "tables.xlsx"))

    monkeypatch.setattr(job_module, "write_tables", write_tables)
    code, message = cli_build(built, out_dir, tmp_path / "build", monkeypatch, capsys)

    assert code == 1
    assert "Traceback" not in message
    for la in built.la_codes:
        assert f"FAILED {la} at tables: cannot write to {year_dir / la}" in message, message
    assert "tables.xlsx): No space left on device" in message
    assert {c: tree(year_dir / c) for c in built.la_codes} == before
    assert not (year_dir / STAGING).exists()


def without_root_overrides() -> list[str]:
    """A command prefix that makes root obey file modes (drops CAP_DAC_OVERRIDE), when needed."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def test_a_read_only_output_folder_is_a_clear_error_and_changes_nothing(
    built: Built, tmp_path: Path
) -> None:
    out_dir = tmp_path / "reports"
    year_dir = built.copy_to(out_dir)
    before = tree(out_dir)
    prefix = without_root_overrides()
    year_dir.chmod(0o555)
    try:
        probe = year_dir / ".probe"
        writable = subprocess.run(
            [*prefix, PYTHON, "-c", f"open({str(probe)!r}, 'w')"], capture_output=True
        )
        if writable.returncode == 0:
            probe.unlink()
            pytest.skip(
                "this process can write into a 0o555 folder (root or CAP_DAC_OVERRIDE, and "
                "setpriv cannot drop it), so chmod does not make a folder read-only here; "
                "the ENOSPC tests cover the write-error path"
            )
        result = subprocess.run(
            [*prefix, *built.driver_argv(out_dir, tmp_path / "build", "--force")],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "COLUMNS": "10000"},
        )
    finally:
        year_dir.chmod(0o755)
    message = " ".join(result.stderr.split())
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot write to the output folder {year_dir}" in message, message
    assert "Permission denied" in message
    assert "The reports already there are unchanged" in message
    assert tree(out_dir) == before
