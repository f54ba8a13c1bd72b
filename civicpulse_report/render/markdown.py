"""An executed notebook as pandoc markdown, the way Quarto writes it.

Owns the conversion behind the built-in renderer: markdown cells (with their
attachments), raw cells, and code cells with their ``#|`` options (``label``,
``fig-cap``, ``fig-alt``, ``tbl-cap``, ``echo``, ``output``, ``warning``,
``include``), their outputs, and their figures written as image files. Labelled
figures and tables become Quarto-style divs that the Lua filters number.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from civicpulse_report.errors import RenderError
from civicpulse_report.render.metadata import load_project_config, truthy
from civicpulse_report.render.notebook import (
    DEFAULT_EXECUTE,
    cell_options,
    cell_source,
    front_matter,
    raise_for_error,
    strip_ansi,
)

log = logging.getLogger(__name__)

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_FLOAT_LABEL = re.compile(r"^(fig|tbl)-[A-Za-z0-9_-]+$")
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
_RAW_FORMATS = {
    "text/html": "html",
    "html": "html",
    "text/latex": "latex",
    "latex": "latex",
    "typst": "typst",
    "text/x-typst": "typst",
}


def escape_markdown(text: str) -> str:
    """Backslash-escape ASCII punctuation: pandoc markdown then reads the text literally."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _text(data: Any) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def _attribute(text: Any) -> str:
    """A quoted pandoc attribute value (one line, backslash-escaped)."""
    if isinstance(text, list):
        text = " ".join(str(part) for part in text)
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fenced(text: str, classes: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = f" {{{classes}}}" if classes else ""
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def _output_block(text: str, kind: str) -> str:
    return f"::: {{.cell-output .cell-output-{kind}}}\n{_fenced(text)}\n:::"


def _write_media(media_dir: Path, stem: str, mime: str, data: Any) -> str:
    media_dir.mkdir(parents=True, exist_ok=True)
    name = f"{stem}.{_IMAGE_TYPES[mime]}"
    payload = _text(data)
    if mime == "image/svg+xml":
        (media_dir / name).write_text(payload, encoding="utf-8")
    else:
        (media_dir / name).write_bytes(base64.b64decode(payload))
    return f"{media_dir.name}/{name}"


def _float_div(label: str, caption_key: str, options: Mapping[str, Any], body: list[str]) -> str:
    """A Quarto-style labelled cell: ``::: {#fig-x .cell fig-cap="..." fig-alt="..."}``."""
    attrs = f"#{label} .cell"
    for key in (caption_key, "fig-alt" if caption_key == "fig-cap" else None):
        if key is not None and options.get(key) is not None:
            attrs += f" {key}={_attribute(options[key])}"
    return f"::: {{{attrs}}}\n" + "\n\n".join(part.strip("\n") for part in body) + "\n:::"


def _display_markdown(data: Mapping[str, Any]) -> str | None:
    """A text display output as markdown: markdown verbatim, HTML raw (plain text elsewhere)."""
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    if "text/html" in data:
        html = _fenced(_text(data["text/html"]), "=html")
        if "text/plain" not in data:
            return html
        fallback = _output_block(_text(data["text/plain"]), "display")
        return f'{html}\n\n::: {{.content-hidden when-format="html"}}\n{fallback}\n:::'
    if "text/plain" in data:
        return _output_block(_text(data["text/plain"]), "display")
    return None


def _code_cell(
    cell: Mapping[str, Any],
    number: int,
    defaults: Mapping[str, Any],
    media_dir: Path,
    language: str,
) -> str:
    own, code = cell_options(cell_source(cell), cell_number=number)
    options = {**defaults, **own}
    tracebacks = raise_for_error(cell, number, options)
    if options.get("include") is False:
        return ""

    label = str(options["label"]) if options.get("label") is not None else ""
    if label.startswith(("fig-", "tbl-")) and not _FLOAT_LABEL.match(label):
        raise RenderError(
            f"Cell {number}: label {label!r} may use only letters, digits, '-' and '_'."
        )
    is_figure, is_table = label.startswith("fig-"), label.startswith("tbl-")

    pieces: list[str] = []
    if truthy(options.get("echo")) and code.strip():
        pieces.append(_fenced(code, f".{language} .cell-code"))
    output_option = options.get("output", True)
    if output_option is False:
        return "\n\n".join(pieces)

    # A labelled cell's images (fig-) or text tables (tbl-) go into one float, placed
    # where the first of them was; other outputs keep their order around it.
    float_body: list[str] = []
    float_slot: int | None = None
    outputs = cell.get("outputs", [])
    n_images = sum(1 for o in outputs if any(m in o.get("data", {}) for m in _IMAGE_TYPES))
    for index, output in enumerate(outputs, 1):
        kind = output.get("output_type")
        if kind == "stream":
            text = strip_ansi(_text(output.get("text", "")))
            if not text.strip():
                continue
            if output.get("name") == "stderr":
                if truthy(options.get("warning")):
                    pieces.append(_output_block(text, "stderr"))
            else:
                pieces.append(text if output_option == "asis" else _output_block(text, "stdout"))
            continue
        if kind not in ("display_data", "execute_result"):
            continue
        data = output.get("data", {})
        image_mime = next((m for m in _IMAGE_TYPES if m in data), None)
        if image_mime is not None:
            stem = label if is_figure and n_images == 1 else f"cell{number}-output{index}"
            path = _write_media(media_dir, stem, image_mime, data[image_mime])
            if is_figure:
                float_slot = len(pieces) if float_slot is None else float_slot
                float_body.append(f"![]({path})")
            else:
                pieces.append(_plain_image(path, options))
            continue
        text = _display_markdown(data)
        if text is None:
            continue
        if is_table and ("text/markdown" in data or "text/html" in data):
            float_slot = len(pieces) if float_slot is None else float_slot
            float_body.append(text)
        else:
            pieces.append(text)
    pieces.extend(_output_block(traceback, "error") for traceback in tracebacks)

    if is_figure and not float_body:
        # A cell that says in words why it has no figure (no comparator, too few
        # LAs) did what it meant to; one with no output at all is an author's slip.
        said_why = any(piece.strip() for piece in pieces)
        (log.info if said_why else log.warning)(
            "Cell %d (%s) has a figure label but no image output, so the report has no such "
            "figure and references to @%s will show as plain text.",
            number,
            label,
            label,
        )
    if float_body and float_slot is not None:
        caption_key = "fig-cap" if is_figure else "tbl-cap"
        pieces.insert(float_slot, _float_div(label, caption_key, options, float_body))
    return "\n\n".join(p.strip("\n") for p in pieces if p.strip())


def _plain_image(path: str, options: Mapping[str, Any]) -> str:
    """An image from a cell without a fig- label (a captioned one is an unnumbered figure)."""
    attrs = []
    if options.get("fig-cap") is not None:
        attrs.append(f"fig-cap={_attribute(options['fig-cap'])}")
    if options.get("fig-alt") is not None:
        attrs.append(f"fig-alt={_attribute(options['fig-alt'])}")
    if not attrs:
        return f"![]({path})"
    return f"::: {{.cell {' '.join(attrs)}}}\n![]({path})\n:::"


def _markdown_cell(cell: Mapping[str, Any], number: int, media_dir: Path) -> str:
    text = cell_source(cell)
    for name, bundle in (cell.get("attachments") or {}).items():
        mime = next((m for m in _IMAGE_TYPES if m in bundle), None)
        if mime is None:
            continue
        safe = re.sub(r"[^A-Za-z0-9_-]", "-", Path(name).stem)
        path = _write_media(media_dir, f"cell{number}-{safe}", mime, bundle[mime])
        text = text.replace(f"attachment:{name}", path)
    return text


def _raw_cell(cell: Mapping[str, Any]) -> str:
    metadata = cell.get("metadata", {})
    mime = metadata.get("raw_mimetype") or metadata.get("format") or ""
    raw_format = _RAW_FORMATS.get(str(mime).lower())
    text = cell_source(cell)
    return _fenced(text, f"={raw_format}") if raw_format else text


def notebook_to_markdown(
    nb: nbformat.NotebookNode,
    media_dir: Path,
    *,
    project: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Write an executed notebook as pandoc markdown, as Quarto would see it.

    Parameters
    ----------
    nb
        The executed notebook.
    media_dir
        Where figure images are written. The markdown refers to them as
        ``<media_dir.name>/<file>``, so pandoc and Typst run in ``media_dir.parent``.
    project
        The project config (``_quarto.yml``); its ``execute`` options are the cell
        defaults, under the front matter's. ``None`` reads the project's own file.

    Returns
    -------
    tuple[str, dict]
        The markdown body (without front matter) and the front matter mapping.

    Raises
    ------
    RenderError
        If a cell has an error output (and no ``error: true``), or front matter or
        cell options are invalid.
    """
    project = load_project_config() if project is None else project
    fm_index, front = front_matter(nb)
    defaults = dict(DEFAULT_EXECUTE)
    for layer in (project.get("execute"), front.get("execute")):
        if isinstance(layer, Mapping):
            defaults.update(layer)
    kernel = nb.get("metadata", {}).get("kernelspec", {}) or {}
    language = str(kernel.get("language") or "python")

    parts: list[str] = []
    for index, cell in enumerate(nb.cells):
        number = index + 1
        if index == fm_index:
            continue
        if cell.cell_type == "markdown":
            parts.append(_markdown_cell(cell, number, media_dir))
        elif cell.cell_type == "raw":
            parts.append(_raw_cell(cell))
        elif cell.cell_type == "code":
            parts.append(_code_cell(cell, number, defaults, media_dir, language))
    body = "\n\n".join(part.strip("\n") for part in parts if part.strip())
    return body + "\n", front
