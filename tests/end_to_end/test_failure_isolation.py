"""Nothing lost: failed, killed and crashing builds never damage the last good report.

ARCHITECTURE.md decision 5: a run writes each LA into a staging folder and
publishes it only when complete; one LA failing never stops the others; a killed
run is tidied up by the next one. Kernel start-up failures are retried a bounded
number of times (every kernel fault: tests/integration/test_kernel_faults.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from processes import descendants

from civicpulse_report import paths
from civicpulse_report.errors import BuildError
from civicpulse_report.pipeline import (
    STAGING,
    BuildOptions,
    build_reports,
    recover_interrupted,
)
from civicpulse_report.pipeline import job as job_module
from civicpulse_report.pipeline import notebook as notebook_module
from civicpulse_report.pipeline.notebook import KernelPool, execute_report_notebook

CLI = Path(sys.executable).parent / "civicpulse-report"
WORKER_HANG_SECONDS = 300
# What a year folder holds besides the LA report folders (issue 7).
NOT_LA_FOLDERS = {"index.html", "failed", "national"}


def report_folders(year_dir: Path) -> list[str]:
    """The names in a year folder, the index, failure records and national draft aside."""
    return sorted(p.name for p in year_dir.iterdir() if p.name not in NOT_LA_FOLDERS)


@dataclass(frozen=True)
class Previous:
    """A good, published report for one LA, to be copied into each test's own folder."""

    data_dir: Path
    la_code: str
    year: int
    out_dir: Path

    def copy_to(self, out_dir: Path) -> Path:
        shutil.copytree(self.out_dir, out_dir)
        return out_dir / str(self.year)


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> Previous:
    code = str(pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)["la_code"].iloc[0])
    root = tmp_path_factory.mktemp("previous-report")
    summary = build_reports(
        BuildOptions(
            data_dir=small_demo_dir,
            la_codes=(code,),
            renderer="builtin",
            jobs=1,
            out_dir=root / "reports",
            build_dir=root / "build",
        )
    )
    assert summary.built == [code], summary.failed
    return Previous(small_demo_dir, code, summary.year, root / "reports")


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file's content hash and modification time."""
    assert folder.is_dir(), f"{folder} is missing"
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def failing_notebook(tmp_path: Path) -> Path:
    nb = nbformat.read(paths.LA_REPORT_NOTEBOOK, as_version=4)
    nb.cells.append(new_code_cell('#| echo: false\nraise RuntimeError("boom")'))
    path = tmp_path / "la_report_failing.ipynb"
    nbformat.write(nb, path)
    return path


def test_failed_build_leaves_the_previous_report_untouched(
    previous: Previous, tmp_path: Path
) -> None:
    year_dir = previous.copy_to(tmp_path / "reports")
    before = snapshot(year_dir / previous.la_code)

    summary = build_reports(
        BuildOptions(
            data_dir=previous.data_dir,
            la_codes=(previous.la_code,),
            renderer="builtin",
            jobs=1,
            out_dir=tmp_path / "reports",
            build_dir=tmp_path / "build",
            notebook=failing_notebook(tmp_path),
        )
    )

    assert summary.built == []
    assert summary.exit_code == 1
    assert len(summary.failed) == 1
    failure = summary.failed[0]
    assert failure.la_code == previous.la_code
    assert failure.stage == "notebook"
    assert "boom" in failure.message
    assert snapshot(year_dir / previous.la_code) == before
    assert report_folders(year_dir) == [previous.la_code], "a staging or old folder was left behind"


@contextlib.contextmanager
def workers_must_finish(seconds: float) -> Iterator[None]:
    """Fail, rather than hang for ever, when forked workers stop making progress.

    After ``seconds`` a watchdog kills this process's worker children (the build then
    records them as died and finishes) and the test fails.
    """
    done, hung = threading.Event(), threading.Event()

    def watchdog() -> None:
        if done.wait(seconds):
            return
        hung.set()
        while not done.wait(1.0):
            for child in multiprocessing.active_children():
                child.kill()

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        yield
    finally:
        done.set()
    assert not hung.is_set(), f"the build's workers were still running after {seconds} s"


def test_one_la_failing_never_stops_the_others(
    previous: Previous, small_demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``previous`` ran a notebook in this process first: forked workers must not inherit
    # (and wait forever on) the event loop that run left behind.
    codes = tuple(pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)["la_code"].iloc[:3])
    doomed = codes[1]
    real_build_facts = job_module.build_facts

    def build_facts(*args, **kwargs):  # type: ignore[no-untyped-def]
        if any(isinstance(a, str) and a == doomed for a in args):
            raise ValueError(f"facts exploded for {doomed}")
        return real_build_facts(*args, **kwargs)

    # Forked workers inherit the patched module, so the failure happens inside a worker.
    monkeypatch.setattr(job_module, "build_facts", build_facts)
    with workers_must_finish(WORKER_HANG_SECONDS):
        summary = build_reports(
            BuildOptions(
                data_dir=small_demo_dir,
                la_codes=codes,
                formats=("html",),
                renderer="builtin",
                jobs=2,
                out_dir=tmp_path / "reports",
                build_dir=tmp_path / "build",
            )
        )

    assert sorted(summary.built) == sorted(c for c in codes if c != doomed)
    assert [(f.la_code, f.stage) for f in summary.failed] == [(doomed, "facts")]
    assert "facts exploded" in summary.failed[0].message
    assert summary.exit_code == 1
    published = report_folders(summary.out_dir)
    assert published == sorted(summary.built)
    for code in summary.built:
        assert (summary.out_dir / code / "report.html").stat().st_size > 0


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the kernel process")
def test_killed_build_keeps_the_previous_report_and_the_next_build_tidies_up(
    previous: Previous, tmp_path: Path
) -> None:
    assert CLI.exists(), f"console script not installed at {CLI}"
    out_dir = tmp_path / "reports"
    year_dir = previous.copy_to(out_dir)
    before = snapshot(year_dir / previous.la_code)
    killed_build_dir = tmp_path / "killed-build"
    facts_file = killed_build_dir / str(previous.year) / "facts" / f"{previous.la_code}.json"
    staging = year_dir / STAGING
    log = (tmp_path / "killed.log").open("wb")
    argv = [str(CLI), "build", "--data", str(previous.data_dir), "--la", previous.la_code]
    argv += ["--out", str(out_dir), "--build-dir", str(killed_build_dir)]
    # --force: the copied report is current, and the kill must land in a real rebuild.
    argv += ["--jobs", "1", "--renderer", "builtin", "--force"]
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # Kill once the LA is staged and its notebook is executing.
        deadline = time.monotonic() + 120
        while not (staging.is_dir() and any(staging.iterdir()) and facts_file.exists()):
            assert proc.poll() is None, (tmp_path / "killed.log").read_text()
            assert time.monotonic() < deadline, "the build never reached its notebook stage"
            time.sleep(0.05)
        kernel_pids = descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in kernel_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()

    assert proc.returncode == -signal.SIGKILL
    assert snapshot(year_dir / previous.la_code) == before
    assert any(staging.iterdir()), "the kill should have left a partial staging folder"

    seen_at_start: list[bool] = []
    summary = build_reports(
        BuildOptions(
            data_dir=previous.data_dir,
            la_codes=(previous.la_code,),
            formats=("html",),
            renderer="builtin",
            jobs=1,
            out_dir=out_dir,
            build_dir=tmp_path / "next-build",
            force=True,
        ),
        on_start=lambda ctx, codes: seen_at_start.append(staging.exists()),
    )
    assert seen_at_start == [False], "recover_interrupted did not remove the stale staging folder"
    assert summary.built == [previous.la_code]
    assert report_folders(year_dir) == [previous.la_code]
    manifest = (year_dir / previous.la_code / "manifest.json").read_text(encoding="utf-8")
    assert str(tmp_path / "next-build") in manifest, "the next build's report was not published"


def test_recover_interrupted_restores_a_report_moved_aside(tmp_path: Path) -> None:
    year_dir = tmp_path / "2026"
    # Killed between moving the old report aside and moving the new one in.
    aside = year_dir / ".X06000001.old-4242"
    aside.mkdir(parents=True)
    (aside / "report.html").write_text("previous report", encoding="utf-8")
    # Killed after publishing but before deleting the old copy: the new one wins.
    newer, stale = year_dir / "X07000001", year_dir / ".X07000001.old-4243"
    newer.mkdir()
    (newer / "report.html").write_text("new report", encoding="utf-8")
    stale.mkdir()
    (stale / "report.html").write_text("old report", encoding="utf-8")
    (year_dir / STAGING / "X08000001.4244").mkdir(parents=True)

    restored = recover_interrupted(year_dir)

    assert restored == ["X06000001"]
    assert (year_dir / "X06000001" / "report.html").read_text() == "previous report"
    assert (newer / "report.html").read_text() == "new report"
    assert sorted(p.name for p in year_dir.iterdir()) == ["X06000001", "X07000001"]
    assert recover_interrupted(tmp_path / "no-such-year") == []


@pytest.fixture
def tiny_notebook(tmp_path: Path) -> Path:
    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("print(x * 2)"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def _flaky_start(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    """Make the first ``failures`` kernel starts fail; return the list of call numbers."""
    real_start = notebook_module.KernelManager.start_kernel
    calls: list[int] = []

    def start_kernel(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(calls) + 1)
        if len(calls) <= failures:
            raise RuntimeError(f"simulated kernel start failure {len(calls)}")
        return real_start(self, *args, **kwargs)

    monkeypatch.setattr(notebook_module.KernelManager, "start_kernel", start_kernel)
    return calls


def test_a_kernel_that_fails_to_start_is_retried(
    tiny_notebook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = _flaky_start(monkeypatch, failures=notebook_module.KERNEL_ATTEMPTS - 1)
    out = tmp_path / "executed.ipynb"
    pool = KernelPool()
    try:
        with caplog.at_level(logging.WARNING, logger="civicpulse_report.pipeline.notebook"):
            nb = execute_report_notebook(tiny_notebook, out, {"x": 21}, pool=pool)
    finally:
        pool.close()
    assert calls == list(range(1, notebook_module.KERNEL_ATTEMPTS + 1))
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert printed.strip() == "42"
    assert "failed to start (attempt 1 of" in caplog.text


def test_a_kernel_that_never_starts_is_a_build_error(
    tiny_notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = notebook_module.KERNEL_ATTEMPTS
    calls = _flaky_start(monkeypatch, failures=attempts)
    out = tmp_path / "executed.ipynb"
    pool = KernelPool()
    try:
        with pytest.raises(
            BuildError, match=f"failed to start on all {attempts} attempts"
        ) as raised:
            execute_report_notebook(tiny_notebook, out, {"x": 21}, pool=pool)
    finally:
        pool.close()
    assert calls == list(range(1, attempts + 1))
    assert f"simulated kernel start failure {attempts}" in str(raised.value)
    assert not out.exists()
