"""Import a notebook's modules in a kernel as it starts (IPython ``exec_lines``).

Kept apart, with no imports of its own beyond the standard library, so that a
kernel importing it imports nothing else of the package: what it then imports
is exactly what the notebook asks for (:func:`civicpulse_report.pipeline.notebook.notebook_imports`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable


def preimport(modules: Iterable[str]) -> None:
    """Import each module that can be imported; skip the rest silently.

    A name that is not a module (``from m import function`` gives the
    candidate ``m.function``) or a module that fails to import is left to the
    notebook's own cell, which reports it as it always did.
    """
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            continue
