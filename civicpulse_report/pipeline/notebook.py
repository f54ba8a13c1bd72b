"""Executing a report notebook with papermill, in warm kernels.

Parameters are checked against the notebook's contract
(:mod:`~civicpulse_report.pipeline.contract`) *before* any execution.

Execution can reuse a warm kernel (one per worker process) so that a national
run does not pay kernel start-up and imports for every LA; ``fresh=True``
gives every LA its own kernel.

Kernel faults are retried, each at most :data:`KERNEL_ATTEMPTS` times, then are
a :class:`BuildError` saying what happened and how many attempts were made
(every retry is logged at WARNING):

- a kernel that fails to start, or that never answers within the ready
  timeout, is replaced by a new one (:meth:`KernelPool._start`);
- a kernel that dies while a notebook runs (nbclient's ``DeadKernelError``)
  has the notebook rerun from its first cell in a fresh kernel
  (:func:`execute_report_notebook`). A notebook is deterministic and writes only
  into its own staging folder, so a rerun is safe.

A cell that raises is not a kernel fault and is never retried: it is a
:class:`BuildError` naming the cell at once.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError

from civicpulse_report.errors import BuildError
from civicpulse_report.pipeline.contract import check_parameters
from civicpulse_report.pipeline.record_engine import ENGINE_NAME

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
EXECUTION_TIMEOUT = 600
#: Seconds a new kernel has to answer (``kernel_info``) before it counts as failed to start.
STARTUP_TIMEOUT = 60
#: How many kernels are tried for one start, and how many runs one notebook gets when its
#: kernel dies under it, before either is a BuildError.
KERNEL_ATTEMPTS = 3
#: The client nbclient runs cells with. nbclient polls a running cell's output and the
#: kernel's liveness as two asyncio tasks; the default (blocking) client of a
#: ``KernelManager`` blocks the event loop in the output poll, so a kernel killed mid-cell
#: was never noticed and the run hung for ever. The asynchronous client lets nbclient see
#: the death within a second and raise ``DeadKernelError``.
CLIENT_CLASS = "jupyter_client.asynchronous.AsyncKernelClient"

#: The first cell every notebook runs in its kernel, then left out of the executed record:
#: a reused (warm) kernel forgets every variable, output and figure of the last notebook
#: (``reset(new_session=True)`` also restarts the cell count), keeping its imports warm.
RESET_TAG = "civicpulse-kernel-reset"
RESET_SOURCE = (
    "get_ipython().reset(new_session=True, aggressive=False)\n"
    "import sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "del _sys"
)


class KernelPool:
    """At most one warm kernel, restarted after ``max_uses`` notebooks.

    Used by one worker process at a time. Starting a kernel is tried up to
    :data:`KERNEL_ATTEMPTS` times, each with a new kernel process, connection
    file and socket names; a start fails when ``start_kernel`` raises, when the
    process exits before it answers, or when it does not answer
    ``kernel_info`` within ``ready_timeout`` seconds (a kernel that never
    answers). Any start error is retried, whatever its type.

    papermill issue #511 is a race on TCP ports: jupyter_client picks free
    ports by binding port 0 and closing the socket, and the kernel binds them
    later, so two kernels started at once can be given the same port and one
    dies with ``ZMQError: Address already in use``. Kernels here use
    ``transport="ipc"``: their sockets are files named after a path unique to
    this process and attempt, inside a private folder made by
    :func:`tempfile.mkdtemp`, so no other kernel is given the same names and
    that TCP race cannot occur. The retry still covers it (and any other
    start failure, such as a socket that cannot be bound) should it happen.

    Parameters
    ----------
    max_uses : int
        Notebooks one kernel runs before it is replaced.
    fresh : bool
        A new kernel for every notebook.
    kernel_name : str
        The kernel spec to start (``python3``; tests use their own).
    ready_timeout : float
        Seconds a new kernel has to answer before the start counts as failed.
    """

    def __init__(
        self,
        max_uses: int = 40,
        fresh: bool = False,
        kernel_name: str = KERNEL_NAME,
        ready_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        self.max_uses = max_uses
        self.fresh = fresh
        self.kernel_name = kernel_name
        self.ready_timeout = ready_timeout
        self._km: KernelManager | None = None
        # A kernel launched by prestart() that has not been waited for yet.
        self._launched: KernelManager | None = None
        self._uses = 0
        self._socket_dir: Path | None = None
        # nbclient leaves the client of a kernel it does not own for the garbage
        # collector, which then warns once per notebook; the kernel is shut down
        # properly by this pool, so the warning is noise.
        logging.getLogger("traitlets").setLevel(logging.ERROR)

    def _launch(self, attempt: int, imports: Sequence[str] = ()) -> KernelManager:
        """Start a kernel process (not waiting for it to answer) that first imports ``imports``."""
        if self._socket_dir is None:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="civicpulse-kernel-"))
        # IPC sockets in a private folder: local only, and no unencrypted TCP ports.
        km = KernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=str(self._socket_dir / f"k{os.getpid()}-{attempt}-{time.monotonic_ns()}"),
            client_class=CLIENT_CLASS,
        )
        try:
            km.start_kernel(extra_arguments=_preimport_arguments(imports))
        except Exception:
            _discard(km)
            raise
        return km

    def _wait_ready(self, km: KernelManager) -> None:
        client = km.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=self.ready_timeout)
        finally:
            client.stop_channels()

    def _start(self) -> KernelManager:
        last_error: Exception | None = None
        for attempt in range(1, KERNEL_ATTEMPTS + 1):
            km: KernelManager | None = None
            try:
                if attempt == 1 and self._launched is not None:
                    km, self._launched = self._launched, None
                else:
                    km = self._launch(attempt)
                self._wait_ready(km)
                return km
            except Exception as exc:  # any start failure is retried
                last_error = exc
                log.warning(
                    "kernel %r failed to start (attempt %d of %d): %s",
                    self.kernel_name,
                    attempt,
                    KERNEL_ATTEMPTS,
                    _describe(exc),
                )
                if km is not None:
                    _discard(km)
        raise BuildError(
            f"the Python kernel {self.kernel_name!r} failed to start on all {KERNEL_ATTEMPTS} "
            f"attempts (each waited up to {self.ready_timeout:g} s for it to answer); "
            f"the last error: {_describe(last_error)}"
        )

    def _needs_new(self) -> bool:
        """Whether the next :meth:`kernel` starts a kernel."""
        return self._km is None or (
            self.fresh or self._uses >= self.max_uses or not self._km.is_alive()
        )

    def prestart(self, notebook: Path | None = None) -> None:
        """Launch the kernel the next :meth:`kernel` will need now, without waiting for it.

        The kernel starts in its own process, and imports what ``notebook``
        imports (:func:`notebook_imports`), while the caller goes on, e.g.
        building the fact bundle: about 2 s of a one-LA build that no longer
        waits. Nothing happens when the current kernel will serve, or one is
        already launched. A launch that fails is left to :meth:`kernel`, which
        retries it as any start.
        """
        if self._launched is not None or not self._needs_new():
            return
        self.shutdown()
        imports = notebook_imports(notebook) if notebook is not None else ()
        with contextlib.suppress(Exception):
            self._launched = self._launch(0, imports)

    @contextlib.contextmanager
    def kernel(self) -> Iterator[KernelManager]:
        """Yield a live kernel; replace it if it died or was used enough."""
        if self._km is not None and self._needs_new():
            self.shutdown()
        if self._km is None:
            self._km = self._start()
            self._uses = 0
        self._uses += 1
        try:
            yield self._km
        except Exception:
            # A failed notebook may leave the kernel in a bad state: start afresh next time.
            self.shutdown()
            raise

    def shutdown(self) -> None:
        """Shut the current kernel down (a prestarted one is kept for the next)."""
        if self._km is not None:
            _discard(self._km)
            self._km = None

    def close(self) -> None:
        """Shut every kernel down and remove the socket folder."""
        self.shutdown()
        if self._launched is not None:
            _discard(self._launched)
            self._launched = None
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None


def notebook_imports(notebook: Path) -> tuple[str, ...]:
    """The modules a notebook's code cells import at their top level, in order, once each.

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b``
    (``b`` may be a submodule). Cells that are not Python (magics) are skipped;
    nothing is executed. A notebook that cannot be read imports nothing here.
    """
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:
        return ()
    names: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
                names.update(
                    dict.fromkeys(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
                )
    return tuple(names)


def _preimport_arguments(imports: Sequence[str]) -> list[str]:
    """The kernel arguments that import ``imports`` as it starts, before it answers."""
    if not imports:
        return []
    code = f"import civicpulse_report._preimport as _p; _p.preimport({list(imports)!r}); del _p"
    return [f"--IPKernelApp.exec_lines={code}"]


def _discard(km: KernelManager) -> None:
    """Shut a kernel down and remove its files, whatever state it is in."""
    with contextlib.suppress(Exception):
        km.shutdown_kernel(now=True)
    with contextlib.suppress(Exception):
        km.cleanup_resources()


def _describe(exc: BaseException | None) -> str:
    """An error for a message: its type and its text."""
    if exc is None:
        return "unknown"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _kernel_died(exc: BaseException, km: KernelManager) -> bool:
    """Whether ``exc`` means the kernel died under the notebook.

    nbclient raises ``DeadKernelError`` (papermill passes it on unwrapped, but a
    wrapper may chain it); a kernel process that is gone after any other error
    (one that died as nbclient connected to it, say) counts too.
    """
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, DeadKernelError):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    try:
        return not km.is_alive()
    except Exception:
        return True


def execute_report_notebook(
    notebook_path: Path,
    output_path: Path,
    parameters: Mapping[str, Any],
    pool: KernelPool | None = None,
    cwd: Path | None = None,
) -> nbformat.NotebookNode:
    """Check parameters, then execute the notebook with papermill.

    A kernel that dies while the notebook runs is replaced and the notebook run
    again from the start, up to :data:`KERNEL_ATTEMPTS` runs in all; a cell
    that raises is not retried.

    Parameters
    ----------
    notebook_path : Path
        The stored (output-free) notebook.
    output_path : Path
        Where the executed notebook is written (after a failure, the partly run
        notebook of the last attempt).
    parameters : Mapping
        Must match the notebook's ``parameters`` cell exactly.
    pool : KernelPool, optional
        A warm kernel to reuse; without one a fresh kernel is started for each
        attempt.
    cwd : Path, optional
        Working directory of the kernel.

    Returns
    -------
    NotebookNode
        The executed notebook.

    Raises
    ------
    ParameterError
        Unknown or missing parameters (nothing is executed).
    BuildError
        A cell raised (naming the cell), the kernel could not start in
        :data:`KERNEL_ATTEMPTS` attempts, or it died in every one of
        :data:`KERNEL_ATTEMPTS` runs.
    """
    check_parameters(notebook_path, parameters)
    own_pool = pool is None
    pool = pool or KernelPool(fresh=True)
    source = nbformat.read(notebook_path, as_version=4)
    source.cells.insert(0, nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": [RESET_TAG]}))
    try:
        for attempt in range(1, KERNEL_ATTEMPTS + 1):
            try:
                executed = _run_once(source, output_path, parameters, pool, cwd)
                break
            except _KernelDied as died:
                if attempt == KERNEL_ATTEMPTS:
                    raise BuildError(
                        f"the Python kernel died while running {notebook_path.name} in all "
                        f"{KERNEL_ATTEMPTS} attempts (each from the first cell in a fresh "
                        f"kernel); the last error: {_describe(died.__cause__)}"
                    ) from died.__cause__
                log.warning(
                    "the kernel died while running %s (attempt %d of %d): %s; "
                    "running it again from the start in a fresh kernel",
                    notebook_path.name,
                    attempt,
                    KERNEL_ATTEMPTS,
                    _describe(died.__cause__),
                )
    finally:
        if own_pool:
            pool.close()
    # The reset belongs to the kernel, not to the report: the record is the notebook's cells.
    executed.cells = [c for c in executed.cells if RESET_TAG not in c.metadata.get("tags", [])]
    nbformat.write(executed, output_path)
    return executed


class _KernelDied(Exception):
    """The kernel died during one run of a notebook (the cause is what was raised)."""


def _run_once(
    source: nbformat.NotebookNode,
    output_path: Path,
    parameters: Mapping[str, Any],
    pool: KernelPool,
    cwd: Path | None,
) -> nbformat.NotebookNode:
    """One papermill run of ``source`` in the pool's kernel.

    Raises
    ------
    _KernelDied
        The kernel died (its own error is the cause); the pool has dropped it.
    BuildError
        A cell raised, or no kernel could be started.
    """
    try:
        with pool.kernel() as km:
            try:
                # papermill parameterises a copy: every run starts from the stored notebook.
                return papermill.execute_notebook(
                    source,
                    str(output_path),
                    parameters=dict(parameters),
                    kernel_name=pool.kernel_name,
                    engine_name=ENGINE_NAME,
                    km=km,
                    cwd=str(cwd) if cwd else None,
                    progress_bar=False,
                    start_timeout=pool.ready_timeout,
                    execution_timeout=EXECUTION_TIMEOUT,
                )
            except papermill.PapermillExecutionError:
                raise
            except Exception as exc:
                if _kernel_died(exc, km):
                    raise _KernelDied() from exc
                raise
    except papermill.PapermillExecutionError as exc:
        raise BuildError(
            f"notebook cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
        ) from exc
