"""The Dask executor: the same per-report task, run on a Dask distributed cluster.

``--executor dask`` runs each task (an LA code, or ``national``) on a Dask
cluster: the one at ``--scheduler ADDRESS``, or else a ``LocalCluster`` of
``options.jobs`` worker processes (one thread each) that the run starts and
closes. Workers need not share a filesystem with the client:

1. The client ships the :class:`~civicpulse_report.pipeline.prepare.RunContext`
   to every worker once (``Client.scatter(..., broadcast=True)``), with the bytes
   of the notebooks the tasks execute.
2. On a worker, :func:`run_remote` runs the executors' own task function
   (fact bundle in, files out: the local executor's code path) against a copy
   of the context whose ``out_dir`` and ``build_dir`` are private folders in the
   worker's scratch space. There is no previous report there, so nothing is
   carried over on the worker. It returns the result and the bytes of every
   file the task wrote (the report folder and the fact bundle).
3. The client writes those files into the report's staging folder, carries
   over the formats not asked for from the previous published report, and
   publishes the folder whole with :func:`~civicpulse_report.pipeline.stages.run_staged`,
   exactly as a local build does.

A worker that dies mid-task is handled as Dask does: the scheduler runs the
task again on another worker, up to ``distributed.scheduler.allowed-failures``
times, and then raises ``KilledWorker``. That LA (or anything else the cluster
could not run) is reported failed with a :class:`~civicpulse_report.errors.BuildFailure`
naming the stage ``worker``; nothing of it is published. Only what the client
publishes reaches ``<out>``, so no LA is ever half-written.

Why ``local`` stays the default: on one machine the forked workers inherit
the context for free and start warm, while a ``LocalCluster`` spawns fresh
processes that import the package, unpickle the context and start their
kernels cold. Measured on the 2-core development machine (3 LAs of the small
demo, HTML only, ``--jobs 2``, other work running): local 46.0 s and 45.9 s,
Dask 55.3 s and 55.0 s for the whole build.

``distributed`` is an optional dependency (the ``cluster`` extra); it is
imported only when this executor runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicpulse_report.errors import BuildFailure, InputError, Problem
from civicpulse_report.pipeline.notebook import KernelPool
from civicpulse_report.pipeline.options import NATIONAL, LAResult
from civicpulse_report.pipeline.prepare import RunContext
from civicpulse_report.pipeline.publish import (
    MANIFEST,
    carry_over,
    output_digests,
    read_manifest,
    write_manifest,
)
from civicpulse_report.pipeline.stages import JobProgress, run_staged

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger(__name__)

#: The task function the workers run: ``task_fn(ctx, task, pool) -> LAResult``.
TaskFn = Callable[[RunContext, str, KernelPool | None], LAResult]
OnDone = Callable[[LAResult], None]

#: Task keys start with this, then the task (LA code or ``national``).
KEY_PREFIX = "civicpulse"


@dataclass(frozen=True)
class Shipment:
    """What every worker receives once: the run context and the notebooks' bytes."""

    ctx: RunContext
    la_notebook: bytes
    national_notebook: bytes = b""


@dataclass(frozen=True)
class TaskOutput:
    """What a worker sends back: the task's result and the files it wrote.

    ``report_files`` are the published report folder's files by path relative
    to it (``manifest.json`` included); ``build_files`` are the intermediate
    files (the fact bundle) by path relative to the build folder, which was
    ``build_root`` on the worker (the executed notebook and the manifest name
    the fact bundle there).
    """

    result: LAResult
    report_files: dict[str, bytes] = field(default_factory=dict)
    build_files: dict[str, bytes] = field(default_factory=dict)
    build_root: str = ""
    #: A failed task's files left in the worker's year folder (say, the partly
    #: run notebook kept for debugging), by path relative to it, and that folder.
    failed_files: dict[str, bytes] = field(default_factory=dict)
    out_root: str = ""


# -- on the worker ---------------------------------------------------------------

_pools: dict[int, KernelPool] = {}
_pools_lock = threading.Lock()


def _thread_pool(fresh: bool) -> KernelPool:
    """This worker thread's warm kernel (one per executing thread)."""
    with _pools_lock:
        pool = _pools.get(threading.get_ident())
        if pool is None:
            pool = _pools[threading.get_ident()] = KernelPool(fresh=fresh)
        return pool


def close_pools() -> int:
    """Shut down this worker process's warm kernels (run on each worker at the end)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        with contextlib.suppress(Exception):
            pool.close()
    return len(pools)


def _scratch_dir() -> str | None:
    """The Dask worker's own scratch folder (purged by Dask if the worker dies)."""
    with contextlib.suppress(Exception):
        from distributed import get_worker

        return str(get_worker().local_directory)
    return None


def _files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_remote(shipment: Shipment, task: str, task_fn: TaskFn) -> TaskOutput:
    """Run one task on a worker, in a private temporary folder; return its files.

    The context's ``out_dir`` and ``build_dir`` are pointed at the temporary
    folder and its notebooks at the shipped copies, so the task reads and
    writes nothing of the client's filesystem. ``task_fn`` never raises (a
    failure comes back in the result, naming its stage).
    """
    ctx = shipment.ctx
    with tempfile.TemporaryDirectory(prefix=f"civicpulse-{task}-", dir=_scratch_dir()) as tmp:
        root = Path(tmp)
        notebooks = root / "notebooks"
        notebooks.mkdir()
        la_notebook = notebooks / ctx.options.notebook.name
        la_notebook.write_bytes(shipment.la_notebook)
        national_notebook = notebooks / ctx.options.national_notebook.name
        if shipment.national_notebook:
            national_notebook.write_bytes(shipment.national_notebook)
        options = dataclasses.replace(
            ctx.options,
            out_dir=root / "reports",
            build_dir=root / "build",
            notebook=la_notebook,
            national_notebook=national_notebook,
        )
        local = dataclasses.replace(ctx, options=options)
        result = task_fn(local, task, _thread_pool(ctx.options.fresh_kernels))
        if not result.ok:
            return TaskOutput(
                result,
                failed_files=_files(options.out_dir / str(ctx.year)),
                out_root=str(options.out_dir),
            )
        return TaskOutput(
            result,
            report_files=_files(options.out_dir / str(ctx.year) / task),
            build_files=_files(options.build_dir),
            build_root=str(options.build_dir.resolve()),
        )


# -- on the client ---------------------------------------------------------------


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


#: Files that may name the fact bundle's path (the notebook's parameters, the manifest).
_NAMES_PATHS = (".ipynb", ".json")


def _relocated(output: TaskOutput, build_dir: Path) -> dict[str, bytes]:
    """The report files, the worker's build folder renamed to the client's in the text ones.

    The executed notebook and the manifest record the fact bundle's path among
    the parameters; the client has the bundle under its own build folder.
    """
    if not output.build_root:
        return output.report_files
    # As the text appears inside a JSON string (both files are JSON).
    worker = json.dumps(output.build_root, ensure_ascii=False)[1:-1].encode()
    client = json.dumps(str(build_dir.resolve()), ensure_ascii=False)[1:-1].encode()
    return {
        name: data.replace(worker, client) if name.endswith(_NAMES_PATHS) else data
        for name, data in output.report_files.items()
    }


def publish_output(ctx: RunContext, output: TaskOutput) -> LAResult:
    """Stage a worker's files, carry over the formats not built, publish. Never raises.

    The staging, carry-over and atomic publishing are the local executor's
    (:func:`~civicpulse_report.pipeline.stages.run_staged`,
    :func:`~civicpulse_report.pipeline.publish.carry_over`): the folder
    published is the one a local build of the same task would publish.
    """
    remote = output.result
    name = remote.la_code
    year_dir = ctx.options.out_dir / str(ctx.year)
    if not remote.ok:
        return _failed(ctx, output, year_dir)

    def job(staging: Path, progress: JobProgress) -> dict[str, dict[str, Any]]:
        progress.stage = "publish"
        _write_files(ctx.options.build_dir, output.build_files)
        _write_files(staging, _relocated(output, ctx.options.build_dir))
        manifest = read_manifest(staging)
        if manifest is None:
            raise FileNotFoundError(f"the worker sent no readable {MANIFEST}")
        kept = carry_over(year_dir / name, staging, manifest.get("formats") or ())
        # As a local build records them: the kept files are outputs too, and the
        # digests are of the files as published (fact bundle paths relocated).
        manifest["carried_over"] = kept
        manifest["outputs"] = {k: v for k, v in output_digests(staging).items() if k != MANIFEST}
        write_manifest(staging, manifest)
        return dict(manifest["outputs"])

    published = run_staged(ctx, name, job)
    published.seconds += remote.seconds
    return published


def _failed(ctx: RunContext, output: TaskOutput, year_dir: Path) -> LAResult:
    """A task that failed on its worker: keep what it kept, as a local build would."""
    remote = output.result
    for name, data in output.failed_files.items():
        target = year_dir / name
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError:
            log.warning("could not keep %s of the failed build of %s", name, remote.la_code)
            tmp.unlink(missing_ok=True)
    if remote.failure is not None and output.out_root:
        message = remote.failure.message.replace(output.out_root, str(ctx.options.out_dir))
        remote.failure = dataclasses.replace(remote.failure, message=message)
    return remote


def worker_failure(task: str, exc: BaseException, seconds: float = 0.0) -> LAResult:
    """The result of a task the cluster could not run (its workers died, ...)."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        message = (
            f"the worker process died while building it, {exc.allowed_failures + 1} "
            "time(s) (Dask KilledWorker)"
        )
    else:
        message = f"the Dask cluster could not run it: {type(exc).__name__}: {exc}"
    return LAResult(task, False, seconds, failure=BuildFailure(task, "worker", message))


def _shipment(ctx: RunContext, tasks: Sequence[str]) -> Shipment:
    national = b""
    if NATIONAL in tasks:
        national = ctx.options.national_notebook.read_bytes()
    la = ctx.options.notebook.read_bytes() if any(t != NATIONAL for t in tasks) else b""
    return Shipment(ctx, la, national)


@contextlib.contextmanager
def dask_client(address: str | None, jobs: int):  # type: ignore[no-untyped-def]
    """A client of the cluster at ``address``, or of a ``LocalCluster`` started here."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # the optional extra is not installed
        raise InputError(
            [
                Problem(
                    file="--executor dask",
                    rule=f"Dask distributed cannot be imported ({exc})",
                    hint='install the cluster extra: pip install "civicpulse-report[cluster]"',
                )
            ],
            summary="--executor dask needs Dask distributed",
        ) from exc
    if address:
        try:
            client = Client(address)
        except OSError as exc:
            raise InputError(
                [
                    Problem(
                        file="--scheduler",
                        rule=f"no Dask scheduler answered at {address} ({exc})",
                        hint="start the cluster first, or leave out --scheduler "
                        "to start a LocalCluster",
                    )
                ],
                summary=f"cannot reach the Dask scheduler at {address}",
            ) from exc
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_dask(
    ctx: RunContext,
    tasks: Sequence[str],
    task_fn: TaskFn,
    on_done: OnDone | None = None,
) -> list[LAResult]:
    """Build the tasks on a Dask cluster; publish each on the client as it finishes.

    Parameters
    ----------
    ctx : RunContext
    tasks : sequence of str
        LA codes, and ``national`` for the national draft.
    task_fn : callable
        ``task_fn(ctx, task, pool) -> LAResult``, the executors' task function,
        run on the workers (importable there: the package must be installed on
        every worker).
    on_done : callable, optional
        Called with each task's result as it is published (or fails).

    Returns
    -------
    list of LAResult
        One per task, in task order: every task is either published or failed.
    """
    from distributed import as_completed

    opts = ctx.options
    jobs = max(1, min(opts.jobs, len(tasks)))
    results: dict[str, LAResult] = {}
    started = time.perf_counter()
    with _quiet_dask(), dask_client(opts.scheduler, jobs) as client:
        shipped = client.scatter(_shipment(ctx, tasks), broadcast=True, hash=False)
        run_id = uuid.uuid4().hex[:8]
        futures = {
            client.submit(
                run_remote,
                shipped,
                task,
                task_fn,
                key=f"{KEY_PREFIX}-{task}-{run_id}",
                pure=False,
            ): task
            for task in tasks
        }
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    output = future.result()
                except Exception as exc:  # a dead worker, a lost cluster: say so
                    log.debug("%s failed on the cluster", task, exc_info=True)
                    result = worker_failure(task, exc, time.perf_counter() - started)
                else:
                    result = publish_output(ctx, output)
                results[task] = result
                if on_done:
                    on_done(result)
        finally:
            client.cancel([f for f in futures if not f.done()])
            _close_worker_pools(client)
    return [results[t] for t in tasks]


@contextlib.contextmanager
def _quiet_dask():  # type: ignore[no-untyped-def]
    """Keep Dask's INFO chatter out of the console unless the run logs at DEBUG."""
    logger = logging.getLogger("distributed")
    level = logger.level
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def _close_worker_pools(client: Client) -> None:
    with contextlib.suppress(Exception):
        client.run(close_pools)
