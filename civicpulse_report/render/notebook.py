"""What an executed notebook says, as Quarto reads it: front matter, cell options, errors.

Owns reading the notebook file, a cell's source, its ``#|`` options, the YAML
front matter in a raw cell, Quarto's default execution options, and the refusal
to render a notebook that holds an error output. Both renderers use these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import yaml

from civicpulse_report import _yaml
from civicpulse_report.errors import RenderError
from civicpulse_report.render.metadata import truthy

#: Quarto's execution options, as this project sets them when _quarto.yml is silent.
DEFAULT_EXECUTE: Mapping[str, Any] = {
    "echo": False,
    "warning": False,
    "error": False,
    "include": True,
    "output": True,
}

_OPTION_LINE = re.compile(r"^#\|\s?(.*)$")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def read_notebook(notebook_path: Path) -> nbformat.NotebookNode:
    """Read a notebook file (as nbformat version 4).

    Raises
    ------
    RenderError
        If the file does not exist or is not a readable notebook.
    """
    try:
        return nbformat.read(str(notebook_path), as_version=4)
    except FileNotFoundError as exc:
        raise RenderError(f"Notebook {notebook_path} does not exist.") from exc
    except Exception as exc:  # nbformat raises several unrelated types for bad files
        raise RenderError(f"Notebook {notebook_path} could not be read: {exc}") from exc


def cell_source(cell: Mapping[str, Any]) -> str:
    """Return a cell's source as one string (notebooks may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (as in tracebacks and stream output)."""
    return _ANSI_ESCAPE.sub("", text)


def front_matter(nb: nbformat.NotebookNode) -> tuple[int | None, dict[str, Any]]:
    """Find the notebook's YAML front matter (Quarto: a raw cell fenced by ``---``).

    Returns the cell's index (``None`` when there is none) and the parsed mapping.

    Raises
    ------
    RenderError
        If the front matter is not valid YAML or not a mapping.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "raw":
            continue
        lines = cell_source(cell).strip().splitlines()
        if not lines or lines[0].strip() != "---":
            continue
        end = next(
            (i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")),
            len(lines),
        )
        try:
            data = _yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            raise RenderError(
                f"The notebook's front matter (cell {index + 1}) is invalid YAML: {exc}"
            ) from exc
        if not isinstance(data, dict):
            raise RenderError(
                f"The notebook's front matter (cell {index + 1}) must be a YAML mapping."
            )
        return index, data
    return None, {}


def cell_options(source: str, *, cell_number: int = 0) -> tuple[dict[str, Any], str]:
    """Split a code cell into its ``#|`` options (parsed as YAML) and its code.

    Raises
    ------
    RenderError
        If the options are not valid YAML or not a mapping.
    """
    lines = source.splitlines()
    option_lines: list[str] = []
    for line in lines:
        match = _OPTION_LINE.match(line)
        if match is None:
            break
        option_lines.append(match.group(1))
    code = "\n".join(lines[len(option_lines) :]).strip("\n")
    if not option_lines:
        return {}, code
    try:
        options = _yaml.safe_load("\n".join(option_lines)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(
            f"Cell {cell_number}: its '#|' options are not valid YAML: {exc}"
        ) from exc
    if not isinstance(options, dict):
        raise RenderError(f"Cell {cell_number}: its '#|' options must be 'key: value' lines.")
    return options, code


def raise_for_error(cell: Mapping[str, Any], number: int, options: Mapping[str, Any]) -> list[str]:
    """Raise on an error output unless the cell allows errors; return shown tracebacks.

    Parameters
    ----------
    cell
        An executed code cell.
    number
        Its 1-based position in the notebook, for the message.
    options
        Its options over the execution defaults; ``error: true`` allows errors.

    Returns
    -------
    list[str]
        The tracebacks (colour codes removed) of the error outputs a cell allows.

    Raises
    ------
    RenderError
        If the cell has an error output and does not allow errors.
    """
    shown = []
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
        if not truthy(options.get("error", False)):
            label = options.get("label")
            where = f"cell {number}" + (f" ({label})" if label else "")
            raise RenderError(
                f"The executed notebook has an error in {where}: {ename}: "
                f"{strip_ansi(str(evalue))}. The report was not rendered; fix the "
                "notebook or its inputs and build again."
            )
        shown.append(strip_ansi("\n".join(output.get("traceback", [])) or f"{ename}: {evalue}"))
    return shown
