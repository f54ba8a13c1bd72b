"""Executors: the per-report jobs run in worker processes, never in the parent.

:func:`run_jobs` takes the run context and the tasks (LA codes, and
``national`` for the national draft), runs :func:`run_task` for each in
``options.jobs`` forked workers (one when ``jobs`` is 1), passes each result
to ``on_done`` as it finishes, and returns the results in task order. With
``options.executor == "dask"`` the same :func:`run_task` runs on a Dask
cluster instead (:mod:`.dask_executor`), and the parent publishes what the
workers send back.

Even one job runs in a forked worker, so that the parent never executes a
notebook or renders: Typst keeps a native thread pool that does not survive
``fork``, and a worker forked after the parent had compiled a PDF would wait
for it for ever (the next build in the same process, as in a test session).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import queue
from collections.abc import Callable, Sequence

from civicpulse_report.errors import BuildFailure
from civicpulse_report.pipeline.job import build_one
from civicpulse_report.pipeline.national import build_national
from civicpulse_report.pipeline.notebook import KernelPool
from civicpulse_report.pipeline.options import NATIONAL, LAResult
from civicpulse_report.pipeline.prepare import RunContext

OnDone = Callable[[LAResult], None]

_WORKER_CTX: RunContext | None = None


def run_task(ctx: RunContext, task: str, pool: KernelPool | None) -> LAResult:
    """Build one task: the national draft for ``national``, else the LA of that code."""
    if task == NATIONAL:
        return build_national(ctx, pool)
    return build_one(ctx, task, pool)


def run_jobs(
    ctx: RunContext,
    la_codes: Sequence[str],
    on_done: OnDone | None = None,
) -> list[LAResult]:
    """Build the tasks in ``ctx.options.jobs`` forked workers (at most one per task).

    A worker that dies (killed, out of memory) fails only the task it was
    building; a replacement worker carries on with the rest. With
    ``ctx.options.executor == "dask"`` the tasks run on a Dask cluster
    (:func:`~civicpulse_report.pipeline.dask_executor.run_dask`).
    """
    if ctx.options.executor == "dask":
        from civicpulse_report.pipeline.dask_executor import run_dask

        return run_dask(ctx, la_codes, run_task, on_done)
    jobs = max(1, min(ctx.options.jobs, len(la_codes)))
    return run_forked(ctx, la_codes, jobs, on_done)


def _forget_inherited_event_loops() -> None:
    """Drop the asyncio loops a forked worker inherits from its parent.

    jupyter_core runs coroutines on a per-thread loop, some in a background thread.
    After a fork that thread is gone, so reusing the parent's loop (left behind by an
    earlier in-process build) waits forever; the loop's selector is the parent's too.
    """
    with contextlib.suppress(ImportError, AttributeError):
        from jupyter_core import utils as jupyter_utils

        jupyter_utils._runner_map.clear()
        jupyter_utils._loop.set(None)
    asyncio.set_event_loop(None)


def _worker_main(tasks: mp.Queue, results: mp.Queue, fresh: bool) -> None:
    _forget_inherited_event_loops()
    parent = os.getppid()
    pool = KernelPool(fresh=fresh)
    try:
        while True:
            try:
                la_code = tasks.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:
                    break  # the build that started this worker is gone: take no more LAs
                continue
            if la_code is None or os.getppid() != parent:
                break
            results.put(("start", la_code, os.getpid()))
            assert _WORKER_CTX is not None
            results.put(("done", run_task(_WORKER_CTX, la_code, pool), os.getpid()))
    finally:
        pool.close()


def run_forked(
    ctx: RunContext,
    la_codes: Sequence[str],
    jobs: int,
    on_done: OnDone | None = None,
) -> list[LAResult]:
    """Build the LAs in ``jobs`` forked worker processes, each with a warm kernel.

    The workers inherit ``ctx`` through the fork (nothing is pickled but LA
    codes and results). A worker that dies fails only the LA it was building
    and is replaced while LAs remain.
    """
    global _WORKER_CTX
    results: list[LAResult] = []
    _WORKER_CTX = ctx
    mp_ctx = mp.get_context("fork")
    tasks: mp.Queue = mp_ctx.Queue()
    done: mp.Queue = mp_ctx.Queue()
    for code in la_codes:
        tasks.put(code)

    def spawn() -> mp.Process:
        proc = mp_ctx.Process(
            target=_worker_main, args=(tasks, done, ctx.options.fresh_kernels), daemon=False
        )
        proc.start()
        return proc

    workers = {p.pid: p for p in (spawn() for _ in range(jobs))}
    current: dict[int, str] = {}
    remaining = set(la_codes)
    try:
        while remaining:
            try:
                kind, payload, pid = done.get(timeout=1.0)
            except queue.Empty:
                for pid, proc in list(workers.items()):
                    if not proc.is_alive():
                        workers.pop(pid)
                        code = current.pop(pid, None)
                        if code and code in remaining:
                            remaining.discard(code)
                            res = LAResult(
                                code,
                                False,
                                0.0,
                                failure=BuildFailure(
                                    code,
                                    "worker",
                                    f"the worker process died (exit code {proc.exitcode})",
                                ),
                            )
                            results.append(res)
                            if on_done:
                                on_done(res)
                        if remaining:
                            new = spawn()
                            workers[new.pid] = new
                continue
            if kind == "start":
                current[pid] = payload
            else:
                current.pop(pid, None)
                remaining.discard(payload.la_code)
                results.append(payload)
                if on_done:
                    on_done(payload)
    finally:
        for _ in workers:
            tasks.put(None)
        for proc in workers.values():
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
        _WORKER_CTX = None
    order = {c: i for i, c in enumerate(la_codes)}
    return sorted(results, key=lambda r: order[r.la_code])
