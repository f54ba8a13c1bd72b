"""Kernel faults (issue 11) are retried a bounded number of times, by fault injection.

Each fault is real, not mocked:

- **fails to start**: a kernel spec (in a private ``JUPYTER_PATH``) whose process
  exits at once the first times it is launched, as ipykernel does when it loses
  papermill's port race (issue #511, ``ZMQError: Address already in use``);
- **never answers**: a kernel spec whose process sleeps without opening its
  sockets, with a short ready timeout;
- **dies mid-run**: a cell that sends its own kernel ``SIGKILL``; nbclient raises
  ``DeadKernelError`` and the notebook is run again from the start;
- **a cell that raises** is not a kernel fault and runs once.

A counter file counts launches or runs, so each test knows how many attempts
were made. The notebook is tiny but keeps the LA notebook's papermill contract
(``la_code``, ``year``, ``facts_path``). Every test runs under an alarm, so a run
that hangs (as one did when the kernel died under a blocking client) fails
instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook
from processes import alive

from civicpulse_report.errors import BuildError
from civicpulse_report.pipeline.contract import notebook_parameters
from civicpulse_report.pipeline.notebook import (
    KERNEL_ATTEMPTS,
    KERNEL_NAME,
    STARTUP_TIMEOUT,
    KernelPool,
    execute_report_notebook,
)

LOGGER = "civicpulse_report.pipeline.notebook"
#: Longer than any of these tests takes on a busy machine, far shorter than a hang.
ALARM_SECONDS = 60
#: Ready timeout for a kernel that never answers, where no kernel is meant to start.
READY_TIMEOUT = 1.0
#: Ready timeout where a real kernel must start after a silent one: a real one answers in
#: about 2 s on a busy two-core machine.
REAL_READY_TIMEOUT = 6.0

# A kernel launcher: argv is counter file, number of failing launches, fault, connection file.
# It records each launch (with its PID), then fails or execs the real ipykernel.
FAULTY_KERNEL = """\
import os, sys, time
counter, failures, fault, connection_file = sys.argv[1:5]
with open(counter, "a", encoding="utf-8") as f:
    f.write(f"{os.getpid()}\\n")
with open(counter, encoding="utf-8") as f:
    launches = len(f.read().split())
if launches <= int(failures):
    if fault == "exit":
        sys.exit("zmq.error.ZMQError: Address already in use (simulated, papermill #511)")
    time.sleep(120)  # never opens its sockets: a kernel that never answers
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file])
"""


class Alarm(KeyboardInterrupt):
    """The code under test did not finish in time.

    A ``KeyboardInterrupt``, because asyncio lets only that (and ``SystemExit``) out of
    a running task: nbclient runs cells as tasks, and an ordinary exception raised in
    one of them is kept by the task while the event loop goes on waiting.
    :func:`must_finish_within` turns it into a test failure.
    """


#: The alarm signal. Its default action is to be ignored, so a ring still on its way when
#: the block ends (and the previous handler is back) is harmless.
ALARM_SIGNAL = signal.SIGURG


@contextlib.contextmanager
def must_finish_within(seconds: float) -> Iterator[None]:
    """Fail the test (and stop the block) if the block runs longer than ``seconds``.

    The alarm is sent to the main thread itself (``pthread_kill``): a process-wide
    signal may land on one of jupyter_client's threads and leave the main thread
    blocked in ``zmq_poll``, which a signal aimed at it interrupts. It rings every
    second until the block has stopped, since cleanup on the way out (shutting a
    kernel down) may block again on the same event loop.
    """
    main = threading.main_thread().ident
    assert threading.get_ident() == main, "signal handlers run in the main thread only"
    rung, finished = threading.Event(), threading.Event()
    lock = threading.Lock()

    def ring(signum: int, frame: object) -> None:
        if rung.is_set() and not finished.is_set():  # not a late ring of an earlier block
            raise Alarm()

    def watchdog() -> None:
        if finished.wait(seconds):
            return
        rung.set()
        while True:
            with lock:
                if finished.is_set():
                    return
                signal.pthread_kill(main, ALARM_SIGNAL)
            finished.wait(1.0)

    previous = signal.signal(ALARM_SIGNAL, ring)
    threading.Thread(target=watchdog, daemon=True).start()
    try:
        yield
    except Alarm:
        with lock:
            finished.set()
        pytest.fail(f"still running after {seconds} s: a kernel fault hangs", pytrace=False)
    finally:
        with lock:
            finished.set()
        signal.signal(ALARM_SIGNAL, previous)


@contextlib.contextmanager
def guarded_pool(
    kernel_name: str = KERNEL_NAME, ready_timeout: float = STARTUP_TIMEOUT
) -> Iterator[KernelPool]:
    """A warm :class:`KernelPool`, used and closed under the alarm."""
    with must_finish_within(ALARM_SECONDS):
        pool = KernelPool(kernel_name=kernel_name, ready_timeout=ready_timeout)
        try:
            yield pool
        finally:
            pool.close()


def launches(counter: Path) -> list[int]:
    """The PIDs recorded in a counter file, one per launch or run."""
    return [int(line) for line in counter.read_text().split()] if counter.exists() else []


def faulty_kernel(root: Path, monkeypatch: pytest.MonkeyPatch, fault: str, failures: int) -> Path:
    """Install kernel spec ``faulty`` under ``root`` (on JUPYTER_PATH); return its counter file."""
    script = root / "faulty_kernel.py"
    script.write_text(FAULTY_KERNEL, encoding="utf-8")
    counter = root / "launches.txt"
    spec_dir = root / "jupyter" / "kernels" / "faulty"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, str(script), str(counter), str(failures), fault, "{connection_file}"]
    spec = {"argv": argv, "display_name": "Faulty Python", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(root / "jupyter"))
    return counter


def tiny_notebook(path: Path, *cells: str) -> Path:
    """A notebook with the LA notebook's parameters cell, then ``cells``."""
    params = new_code_cell(
        'la_code = "X06000001"\nyear = 2026\nfacts_path = "facts.json"',
        metadata={"tags": ["parameters"]},
    )
    nb = new_notebook(
        cells=[params, *(new_code_cell(c) for c in cells)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, path)
    return path


def record_run(counter: Path) -> str:
    """Cell source that appends the kernel's PID to ``counter``: one line per run."""
    return (
        "import os\n"
        f"with open({str(counter)!r}, 'a', encoding='utf-8') as f:\n"
        "    f.write(f'{os.getpid()}\\n')\n"
        f"runs = len(open({str(counter)!r}, encoding='utf-8').read().split())"
    )


PRINT_LA = 'print(f"report of {la_code} for {year}")'


def printed(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def parameters(tmp_path: Path) -> dict[str, object]:
    return notebook_parameters("X06000001", 2026, tmp_path / "facts.json")


def retry_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == LOGGER and r.levelno == logging.WARNING and "attempt" in r.getMessage()
    ]


def test_a_kernel_that_fails_to_start_is_retried_until_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    counter = faulty_kernel(tmp_path, monkeypatch, "exit", failures=KERNEL_ATTEMPTS - 1)
    notebook = tiny_notebook(tmp_path / "tiny.ipynb", PRINT_LA)
    out = tmp_path / "out.ipynb"
    with (
        guarded_pool(kernel_name="faulty", ready_timeout=30) as pool,
        caplog.at_level(logging.WARNING, logger=LOGGER),
    ):
        nb = execute_report_notebook(notebook, out, parameters(tmp_path), pool)
    assert len(launches(counter)) == KERNEL_ATTEMPTS
    assert printed(nb).strip() == "report of X06000001 for 2026"
    warnings = retry_warnings(caplog)
    assert len(warnings) == KERNEL_ATTEMPTS - 1, warnings
    assert all("failed to start" in w and "Kernel died" in w for w in warnings), warnings
    assert f"(attempt 1 of {KERNEL_ATTEMPTS})" in warnings[0]


def test_a_kernel_that_never_answers_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    counter = faulty_kernel(tmp_path, monkeypatch, "hang", failures=1)
    notebook = tiny_notebook(tmp_path / "tiny.ipynb", PRINT_LA)
    out = tmp_path / "out.ipynb"
    with (
        guarded_pool(kernel_name="faulty", ready_timeout=REAL_READY_TIMEOUT) as pool,
        caplog.at_level(logging.WARNING, logger=LOGGER),
    ):
        nb = execute_report_notebook(notebook, out, parameters(tmp_path), pool)
    pids = launches(counter)
    assert len(pids) == 2
    silent = pids[0]
    assert printed(nb).strip() == "report of X06000001 for 2026"
    assert not alive(silent), "the kernel that never answered was left running"
    warnings = retry_warnings(caplog)
    assert len(warnings) == 1 and "didn't respond" in warnings[0], warnings


def test_a_kernel_that_never_answers_is_a_build_error_after_the_bounded_attempts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = faulty_kernel(tmp_path, monkeypatch, "hang", failures=1000)
    notebook = tiny_notebook(tmp_path / "tiny.ipynb", PRINT_LA)
    out = tmp_path / "out.ipynb"
    with (
        guarded_pool(kernel_name="faulty", ready_timeout=READY_TIMEOUT) as pool,
        pytest.raises(BuildError) as raised,
    ):
        execute_report_notebook(notebook, out, parameters(tmp_path), pool)
    message = str(raised.value)
    assert f"failed to start on all {KERNEL_ATTEMPTS} attempts" in message
    assert "didn't respond" in message
    pids = launches(counter)
    assert len(pids) == KERNEL_ATTEMPTS
    assert not [pid for pid in pids if alive(pid)], "a kernel that never answered was left running"
    assert not out.exists(), "nothing ran, so no notebook should be written"


def test_a_kernel_killed_mid_run_is_rerun_from_the_start_in_a_fresh_kernel(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runs = tmp_path / "runs.txt"
    notebook = tiny_notebook(
        tmp_path / "dies_once.ipynb",
        record_run(runs),
        "import signal\nif runs == 1:\n    os.kill(os.getpid(), signal.SIGKILL)",
        PRINT_LA,
    )
    out = tmp_path / "out.ipynb"
    # A warm pool: the dead kernel must be replaced, not reused.
    with guarded_pool() as pool, caplog.at_level(logging.WARNING, logger=LOGGER):
        nb = execute_report_notebook(notebook, out, parameters(tmp_path), pool)
    first, second = launches(runs)
    assert first != second, "the rerun should have a fresh kernel"
    assert printed(nb).strip() == "report of X06000001 for 2026"
    warnings = retry_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "kernel died while running dies_once.ipynb" in warnings[0]
    assert f"(attempt 1 of {KERNEL_ATTEMPTS})" in warnings[0]


def test_a_kernel_killed_in_every_run_is_a_build_error_after_the_bounded_attempts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runs = tmp_path / "runs.txt"
    notebook = tiny_notebook(
        tmp_path / "always_dies.ipynb",
        record_run(runs),
        'print("before the kill", flush=True)',
        "import signal\nos.kill(os.getpid(), signal.SIGKILL)",
        PRINT_LA,
    )
    out = tmp_path / "out.ipynb"
    started = time.monotonic()
    with (
        must_finish_within(ALARM_SECONDS),
        caplog.at_level(logging.WARNING, logger=LOGGER),
        pytest.raises(BuildError) as raised,
    ):
        execute_report_notebook(notebook, out, parameters(tmp_path), pool=None)
    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert f"kernel died while running always_dies.ipynb in all {KERNEL_ATTEMPTS} attempts" in (
        message
    )
    # What papermill 2.7 raises for a kernel killed mid-cell: nbclient's own error, unwrapped.
    assert isinstance(raised.value.__cause__, DeadKernelError)
    assert "DeadKernelError: Kernel died" in message
    assert len(set(launches(runs))) == KERNEL_ATTEMPTS, "each run should have its own kernel"
    assert len(retry_warnings(caplog)) == KERNEL_ATTEMPTS - 1
    # papermill writes the record in a ``finally``: the last run's partial notebook is kept.
    partial = printed(nbformat.read(out, as_version=4))
    assert "before the kill" in partial and "report of" not in partial
    assert elapsed < ALARM_SECONDS


def test_a_cell_that_raises_is_not_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runs = tmp_path / "runs.txt"
    notebook = tiny_notebook(
        tmp_path / "raises.ipynb", record_run(runs), 'raise RuntimeError("tiny boom")', PRINT_LA
    )
    with (
        guarded_pool() as pool,
        caplog.at_level(logging.WARNING, logger=LOGGER),
        pytest.raises(BuildError, match=r"notebook cell \d+ raised RuntimeError: tiny boom"),
    ):
        execute_report_notebook(notebook, tmp_path / "out.ipynb", parameters(tmp_path), pool)
    assert len(launches(runs)) == 1, "a cell that raised was run again"
    assert retry_warnings(caplog) == []
