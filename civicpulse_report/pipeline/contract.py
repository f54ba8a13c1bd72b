"""The notebook contract: the one ``parameters`` cell and what may be passed to it.

A report notebook has exactly one cell tagged ``parameters``. Parameters are
checked against it *before* any execution: an unknown or a missing parameter
is an error (papermill itself only warns about unknown ones), as is a value
whose type differs from the declared default's. Every LA report notebook
receives :func:`notebook_parameters`. Executing a notebook is
:mod:`~civicpulse_report.pipeline.notebook`'s.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill

from civicpulse_report.errors import ParameterError


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
