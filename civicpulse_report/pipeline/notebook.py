"""The notebook contract and its execution with papermill.

A report notebook has exactly one cell tagged ``parameters``. Parameters are
checked against it *before* any execution: an unknown or a missing parameter
is an error (papermill itself only warns about unknown ones). Every LA report
notebook receives :func:`notebook_parameters`.

Execution can reuse a warm kernel (one per worker process) so that a national
run does not pay kernel start-up and imports for every LA; ``fresh=True``
gives every LA its own kernel.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import KernelManager
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

from civicpulse_report.errors import BuildError, ParameterError

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
EXECUTION_TIMEOUT = 600
STARTUP_TIMEOUT = 60

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


class _WriteOnCompletion(NotebookExecutionManager):
    """papermill's execution record, written once when the notebook completes.

    papermill writes the whole notebook (validated and serialised, SVG figures
    and all) when every cell starts and again when it completes: about 110
    writes of up to 1.4 MB for an LA report, a second or more of its run. The
    record is the same with one write at the end, which papermill's
    ``notebook_complete`` makes whether the run succeeded, a cell raised or the
    kernel died (its ``finally``), so a failed LA still leaves its partly run
    notebook to keep under ``failed/``.
    """

    _complete = False

    def save(self, **kwargs: Any) -> None:
        if self._complete:
            super().save(**kwargs)

    def notebook_complete(self, **kwargs: Any) -> None:
        self._complete = True
        super().notebook_complete(**kwargs)


class RecordOnceEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`_WriteOnCompletion` as its manager."""

    @classmethod
    def execute_notebook(
        cls,
        nb: nbformat.NotebookNode,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = True,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        **kwargs: Any,
    ) -> nbformat.NotebookNode:
        nb_man = _WriteOnCompletion(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


#: The papermill engine every report notebook runs with (papermill's engine registry).
ENGINE_NAME = "civicpulse-record-once"
papermill_engines.register(ENGINE_NAME, RecordOnceEngine)


def notebook_parameters(la_code: str, year: int, facts_path: Path) -> dict[str, Any]:
    """The parameters every LA notebook receives (its `parameters` cell contract)."""
    return {"la_code": la_code, "year": int(year), "facts_path": str(facts_path)}


def parameters_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the cells tagged ``parameters``."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]


def declared_parameters(notebook_path: Path) -> dict[str, dict[str, Any]]:
    """The parameters the notebook declares, as papermill infers them.

    Raises
    ------
    ParameterError
        If the notebook does not have exactly one ``parameters`` cell.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    cells = parameters_cells(nb)
    if len(cells) != 1:
        raise ParameterError(
            f"{notebook_path.name} must have exactly one cell tagged 'parameters'; "
            f"it has {len(cells)}"
        )
    return dict(papermill.inspect_notebook(str(notebook_path)))


def check_parameters(notebook_path: Path, parameters: Mapping[str, Any]) -> None:
    """Refuse unknown or missing parameters before anything runs.

    Raises
    ------
    ParameterError
        Naming every unknown and every missing parameter.
    """
    declared = declared_parameters(notebook_path)
    unknown = sorted(set(parameters) - set(declared))
    missing = sorted(set(declared) - set(parameters))
    messages = []
    if unknown:
        messages.append(f"unknown parameter(s) {unknown}")
    if missing:
        messages.append(f"missing parameter(s) {missing}")
    # Each value must have the type of the cell's default (a year is an int, a path a
    # str): papermill injects whatever it is given, so a wrong type would run.
    for name in sorted(set(parameters) & set(declared)):
        try:
            default = ast.literal_eval(str(declared[name].get("default")))
        except (ValueError, SyntaxError):
            continue  # a default that is not a literal declares no type
        value = parameters[name]
        wanted = type(default)
        if default is not None and (
            not isinstance(value, wanted) or (isinstance(value, bool) and wanted is not bool)
        ):
            messages.append(
                f"parameter '{name}' must be {type(default).__name__}, "
                f"not {type(value).__name__} ({value!r})"
            )
    if messages:
        raise ParameterError(
            f"{notebook_path.name}: "
            + "; ".join(messages)
            + f". The notebook declares: {sorted(declared)}"
        )


class KernelPool:
    """At most one warm kernel, restarted after ``max_uses`` notebooks.

    Used by one worker process at a time. A kernel that fails to start is
    retried once before the failure is reported.
    """

    def __init__(self, max_uses: int = 40, fresh: bool = False) -> None:
        self.max_uses = max_uses
        self.fresh = fresh
        self._km: KernelManager | None = None
        self._uses = 0
        self._socket_dir: Path | None = None
        # nbclient leaves the client of a kernel it does not own for the garbage
        # collector, which then warns once per notebook; the kernel is shut down
        # properly by this pool, so the warning is noise.
        logging.getLogger("traitlets").setLevel(logging.ERROR)

    def _start(self) -> KernelManager:
        last_error: Exception | None = None
        if self._socket_dir is None:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="civicpulse-kernel-"))
        for attempt in (1, 2):
            # IPC sockets in a private folder: local only, and no unencrypted TCP ports.
            km = KernelManager(
                kernel_name=KERNEL_NAME,
                transport="ipc",
                ip=str(self._socket_dir / f"k{os.getpid()}-{attempt}-{time.monotonic_ns()}"),
            )
            try:
                km.start_kernel()
                client = km.client()
                client.start_channels()
                try:
                    client.wait_for_ready(timeout=STARTUP_TIMEOUT)
                finally:
                    client.stop_channels()
                return km
            except Exception as exc:  # any start failure is retried once
                last_error = exc
                log.warning("kernel start failed (attempt %d): %s", attempt, exc)
                with contextlib.suppress(Exception):
                    km.shutdown_kernel(now=True)
        raise BuildError(f"the Python kernel failed to start twice: {last_error}")

    @contextlib.contextmanager
    def kernel(self) -> Iterator[KernelManager]:
        """Yield a live kernel; replace it if it died or was used enough."""
        if self._km is not None and (
            self.fresh or self._uses >= self.max_uses or not self._km.is_alive()
        ):
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
        if self._km is not None:
            with contextlib.suppress(Exception):
                self._km.shutdown_kernel(now=True)
            with contextlib.suppress(Exception):
                self._km.cleanup_resources()
            self._km = None

    def close(self) -> None:
        """Shut the kernel down and remove its socket folder."""
        self.shutdown()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None


def execute_report_notebook(
    notebook_path: Path,
    output_path: Path,
    parameters: Mapping[str, Any],
    pool: KernelPool | None = None,
    cwd: Path | None = None,
) -> nbformat.NotebookNode:
    """Check parameters, then execute the notebook with papermill.

    Parameters
    ----------
    notebook_path : Path
        The stored (output-free) notebook.
    output_path : Path
        Where the executed notebook is written.
    parameters : Mapping
        Must match the notebook's ``parameters`` cell exactly.
    pool : KernelPool, optional
        A warm kernel to reuse; without one a fresh kernel is started (and
        retried once if it fails to start).
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
        The notebook raised, or the kernel could not start.
    """
    check_parameters(notebook_path, parameters)
    own_pool = pool is None
    pool = pool or KernelPool(fresh=True)
    source = nbformat.read(notebook_path, as_version=4)
    source.cells.insert(0, nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": [RESET_TAG]}))
    try:
        with pool.kernel() as km:
            executed = papermill.execute_notebook(
                source,
                str(output_path),
                parameters=dict(parameters),
                kernel_name=KERNEL_NAME,
                engine_name=ENGINE_NAME,
                km=km,
                cwd=str(cwd) if cwd else None,
                progress_bar=False,
                start_timeout=STARTUP_TIMEOUT,
                execution_timeout=EXECUTION_TIMEOUT,
            )
    except papermill.PapermillExecutionError as exc:
        raise BuildError(
            f"notebook cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
        ) from exc
    finally:
        if own_pool:
            pool.close()
    # The reset belongs to the kernel, not to the report: the record is the notebook's cells.
    executed.cells = [c for c in executed.cells if RESET_TAG not in c.metadata.get("tags", [])]
    nbformat.write(executed, output_path)
    return executed
