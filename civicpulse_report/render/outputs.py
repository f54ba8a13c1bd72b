"""The outputs a render can produce: formats, their file names, and writing them.

Owns the ``Format`` names (``html``, ``pdf``, ``docx``), the file each is written to, the
Quarto format behind each, the check of a requested format list, and the atomic
replacement of an output file that every renderer uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from civicpulse_report.errors import RenderError

Format = Literal["html", "pdf", "docx"]

FORMATS: tuple[Format, ...] = ("html", "pdf", "docx")
OUTPUT_NAMES: Mapping[str, str] = {
    "html": "report.html",
    "pdf": "report.pdf",
    "docx": "report.docx",
}
#: The Quarto format (and ``format:`` key in _quarto.yml) behind each of our formats.
QUARTO_FORMATS: Mapping[str, str] = {"html": "html", "pdf": "typst", "docx": "docx"}


def check_formats(formats: Sequence[str]) -> tuple[Format, ...]:
    """Return the requested formats, each once, in the order first asked for.

    Raises
    ------
    RenderError
        If a format is unknown, or none is requested.
    """
    checked: list[Format] = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise RenderError(f"Unknown format {fmt!r}: choose from {', '.join(FORMATS)}.")
        if fmt not in checked:
            checked.append(fmt)  # type: ignore[arg-type]
    if not checked:
        raise RenderError("No output format requested.")
    return tuple(checked)


def replace_atomically(data: bytes, output_path: Path) -> None:
    """Write ``data`` to ``output_path`` through a partial file, so readers never see half."""
    output_path.parent.mkdir(parents=True, exist_ok=True)
    partial = output_path.with_name(f".{output_path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, output_path)
