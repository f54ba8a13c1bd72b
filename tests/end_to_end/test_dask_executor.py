"""``--executor dask``: the same per-LA task on a Dask distributed cluster (issue 9).

Three LAs of the small demo are built on a ``LocalCluster`` of two worker
processes. The reports equal the local executor's (tables byte for byte, the
HTML's text), and a worker killed while it builds an LA still leaves a
complete, truthful summary: every LA built or failed (at the stage
``worker``), every published folder whole, no staging folder left.
"""

from __future__ import annotations

import os
import re
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from demo_specs import keep_las

from civicpulse_report.pipeline import STAGING, BuildOptions, BuildSummary, build_reports
from civicpulse_report.pipeline.dask_executor import KEY_PREFIX

distributed = pytest.importorskip(
    "distributed",
    reason='Dask distributed is not installed (pip install ".[cluster]")',
)
psutil = pytest.importorskip("psutil", reason="psutil (a dependency of distributed) is missing")

#: How long the kill test waits for a task to start, and for the build to end.
START_TIMEOUT = 120
BUILD_TIMEOUT = 240


@pytest.fixture(scope="module")
def three_la_dir(small_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo cut to three LAs (a London borough and two others)."""
    lookup = pd.read_csv(small_demo_dir / "la_lookup.csv", dtype=str)
    london = lookup[lookup["la_type"] == "London borough"]["la_code"].iloc[:1]
    others = lookup[lookup["la_type"] != "London borough"]["la_code"].iloc[:2]
    return keep_las(small_demo_dir, tmp_path_factory.mktemp("three-la"), set(london) | set(others))


def options(data_dir: Path, root: Path, **extra: object) -> BuildOptions:
    return BuildOptions(
        data_dir=data_dir,
        formats=("html",),
        renderer="builtin",
        jobs=2,
        out_dir=root / "reports",
        build_dir=root / "build",
        national="skip",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def local_build(three_la_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildSummary:
    summary = build_reports(options(three_la_dir, tmp_path_factory.mktemp("local")))
    assert len(summary.built) == 3 and not summary.failed
    return summary


class _Text(HTMLParser):
    """The text a reader sees: tags, scripts and styles stripped."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def assert_complete(summary: BuildSummary, la_codes: set[str]) -> None:
    """Every LA built or failed, never both; built folders whole; nothing staged."""
    built = set(summary.built)
    failed = {f.la_code for f in summary.failed}
    assert built | failed == la_codes and not built & failed
    assert {r.la_code for r in summary.results} == la_codes
    year_dir = summary.out_dir
    for code in built:
        folder = year_dir / code
        manifest = (folder / "manifest.json").read_text(encoding="utf-8")
        for name in ("report.html", "report.ipynb", "tables.csv", "tables.xlsx"):
            assert (folder / name).is_file(), f"{code}/{name} missing"
            assert f'"{name}"' in manifest
    for code in failed:
        assert not (year_dir / code).exists(), f"{code} failed but was published"
    assert not (year_dir / STAGING).exists()
    assert not list(year_dir.glob(".*.old-*"))


def test_dask_builds_what_the_local_executor_builds(
    three_la_dir: Path, local_build: BuildSummary, tmp_path: Path
) -> None:
    # No --scheduler: the run starts (and closes) a LocalCluster of --jobs=2 workers.
    summary = build_reports(options(three_la_dir, tmp_path, executor="dask"))
    assert summary.built == local_build.built and not summary.failed
    assert_complete(summary, set(local_build.built))
    for code in summary.built:
        ours, theirs = summary.out_dir / code, local_build.out_dir / code
        assert (ours / "tables.csv").read_bytes() == (theirs / "tables.csv").read_bytes()
        assert html_text(ours / "report.html") == html_text(theirs / "report.html")
        # The client has the fact bundle too, where the manifest says it is.
        facts = tmp_path / "build" / str(summary.year) / "facts" / f"{code}.json"
        assert facts.is_file()
        assert str(facts.resolve()) in (ours / "manifest.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


def _executing(dask_worker) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(ts.key) for ts in dask_worker.state.executing]


def _kill_tree(pid: int) -> None:
    proc = psutil.Process(pid)
    children = proc.children(recursive=True)  # the worker's kernel, pandoc, ...
    proc.kill()
    for child in children:
        child.kill()


@pytest.mark.parametrize(
    "allowed_failures",
    [0, pytest.param(3, marks=pytest.mark.slow)],  # the retry reruns a whole task: ~40 s
    ids=["reported-failed", "retried"],
)
def test_a_worker_killed_mid_task_leaves_a_complete_truthful_summary(
    three_la_dir: Path,
    local_build: BuildSummary,
    cluster,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    allowed_failures: int,
) -> None:
    local_cluster, client = cluster
    client.wait_for_workers(2, timeout=START_TIMEOUT)
    local_cluster.scheduler.allowed_failures = allowed_failures
    la_codes = set(local_build.built)
    done: dict[str, object] = {}

    def build() -> None:
        try:
            done["summary"] = build_reports(
                options(
                    three_la_dir,
                    tmp_path,
                    executor="dask",
                    scheduler=local_cluster.scheduler_address,
                )
            )
        except BaseException as exc:
            done["error"] = exc

    thread = threading.Thread(target=build, daemon=True)
    thread.start()
    victim, deadline = None, time.monotonic() + START_TIMEOUT
    while victim is None and time.monotonic() < deadline and thread.is_alive():
        running = client.run(_executing)
        victim = next(
            (w for w, keys in running.items() if any(k.startswith(KEY_PREFIX) for k in keys)),
            None,
        )
        time.sleep(0.2)
    assert victim is not None, "no LA task ever started on the cluster"
    killed_key = next(k for k in client.run(_executing)[victim] if k.startswith(KEY_PREFIX))
    killed_code = killed_key.split("-")[1]
    time.sleep(1.0)  # well inside the task: the notebook is running
    _kill_tree(client.run(os.getpid)[victim])
    thread.join(BUILD_TIMEOUT)
    assert not thread.is_alive(), "the build did not finish after a worker died"
    assert "error" not in done, done.get("error")
    summary = done["summary"]
    assert isinstance(summary, BuildSummary)

    assert_complete(summary, la_codes)
    failures = {f.la_code: f for f in summary.failed}
    if allowed_failures == 0:
        # Dask gives up at once (KilledWorker): the LA is reported failed, at "worker".
        assert killed_code in failures
        assert summary.exit_code == 1
    else:
        # Dask runs the task again on a live worker: every LA is built.
        assert not failures and summary.exit_code == 0
    for failure in failures.values():
        assert failure.stage == "worker"
        assert "died" in failure.message
    for code in summary.built:  # whatever was published is the real report
        ours, theirs = summary.out_dir / code, local_build.out_dir / code
        assert (ours / "tables.csv").read_bytes() == (theirs / "tables.csv").read_bytes()
