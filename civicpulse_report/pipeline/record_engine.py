"""The papermill engine every report notebook runs with: the record written once.

Registered in papermill's engine registry as :data:`ENGINE_NAME` when imported
(by :mod:`~civicpulse_report.pipeline.notebook`).
"""

from __future__ import annotations

from typing import Any

import nbformat
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines


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
