"""Render an executed report notebook to one self-contained HTML file and a PDF.

Two renderers give the same visible content from the same inputs (the notebook's
front matter and ``#|`` cell options, ``_quarto.yml`` and ``templates/``):

``quarto``
    ``quarto render report.ipynb --to html|typst --no-execute`` in a scratch folder,
    when ``quarto`` is on PATH.
``builtin``
    No Quarto needed. The notebook becomes pandoc markdown the way Quarto writes it
    (:func:`notebook_to_markdown`); pandoc reads it once into its JSON AST; the
    report's metadata is put into that AST as plain strings (so names are always
    text, never markup); then pandoc writes standalone HTML with every resource
    embedded (``templates/report.html``), and Typst source
    (``templates/report.typ``) that the ``typst`` package compiles to PDF with its
    bundled fonts plus matplotlib's DejaVu Sans. Lua filters in
    ``templates/filters/`` do what Quarto does natively: figure and table numbering,
    cross-references, alt text, callouts and format-conditional content.

``auto`` picks ``quarto`` when it is installed, else ``builtin``.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat
import yaml

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import QUARTO_CONFIG, TEMPLATES_DIR

Renderer = Literal["auto", "builtin", "quarto"]
Format = Literal["html", "pdf"]

log = logging.getLogger(__name__)

FORMATS: tuple[Format, ...] = ("html", "pdf")
OUTPUT_NAMES: Mapping[str, str] = {"html": "report.html", "pdf": "report.pdf"}
#: The Quarto format (and ``format:`` key in _quarto.yml) behind each of our formats.
QUARTO_FORMATS: Mapping[str, str] = {"html": "html", "pdf": "typst"}

HTML_TEMPLATE = TEMPLATES_DIR / "report.html"
TYPST_TEMPLATE = TEMPLATES_DIR / "report.typ"
DEFAULT_CSS = TEMPLATES_DIR / "report.css"
LUA_FILTERS = tuple(
    TEMPLATES_DIR / "filters" / name
    for name in ("content-visibility.lua", "crossref.lua", "table-layout.lua", "callouts.lua")
)
MEDIA_DIR_NAME = "media"

PANDOC_TIMEOUT_S = 120
QUARTO_TIMEOUT_S = 600

#: Quarto's execution options, as this project sets them when _quarto.yml is silent.
DEFAULT_EXECUTE: Mapping[str, Any] = {
    "echo": False,
    "warning": False,
    "error": False,
    "include": True,
    "output": True,
}

_OPTION_LINE = re.compile(r"^#\|\s?(.*)$")
_FLOAT_LABEL = re.compile(r"^(fig|tbl)-[A-Za-z0-9_-]+$")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_LENGTH = re.compile(r"^\d+(?:\.\d+)?(?:pt|mm|cm|in|em)$")
_PAPER = re.compile(r"^[a-z0-9-]{1,30}$")
_NUMBERING = re.compile(r"^[0-9aAiI.()\- ]{1,20}$")
_MARGIN_KEYS = {"x", "y", "top", "bottom", "left", "right", "inside", "outside", "rest"}
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
_RAW_FORMATS = {
    "text/html": "html",
    "html": "html",
    "text/latex": "latex",
    "latex": "latex",
    "typst": "typst",
    "text/x-typst": "typst",
}


# ---------------------------------------------------------------------------
# Choosing a renderer
# ---------------------------------------------------------------------------


def quarto_available() -> bool:
    """Return whether the ``quarto`` command is on PATH."""
    return shutil.which("quarto") is not None


def resolve_renderer(requested: Renderer) -> Literal["builtin", "quarto"]:
    """Turn ``auto`` into the renderer that will run here.

    Raises
    ------
    RenderError
        If ``quarto`` is requested but not installed, or the name is unknown.
    """
    if requested == "builtin":
        return "builtin"
    if requested == "quarto":
        if not quarto_available():
            raise RenderError(
                "The quarto renderer was requested but `quarto` is not on PATH. Install "
                "Quarto (https://quarto.org) and make sure `quarto --version` works, or use "
                "--renderer builtin (or auto), which needs only pandoc and typst from the "
                "Python environment."
            )
        return "quarto"
    if requested == "auto":
        return "quarto" if quarto_available() else "builtin"
    raise RenderError(f"Unknown renderer {requested!r}: choose auto, builtin or quarto.")


@functools.cache
def _pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.cache
def _quarto_version(quarto: str) -> str:
    try:
        done = subprocess.run(
            [quarto, "--version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


@functools.cache
def _pandoc_version() -> str:
    import pypandoc

    return pypandoc.get_pandoc_version()


def tool_versions() -> dict[str, str]:
    """Return the versions of the rendering tools: pandoc, typst and quarto if present."""
    versions = {
        "pandoc": _pandoc_version(),
        "typst": importlib.metadata.version("typst"),
    }
    quarto = shutil.which("quarto")
    if quarto is not None:
        versions["quarto"] = _quarto_version(quarto)
    return versions


# ---------------------------------------------------------------------------
# Metadata: front matter over _quarto.yml
# ---------------------------------------------------------------------------


def load_project_config(path: Path | None = None) -> dict[str, Any]:
    """Read ``_quarto.yml`` (or another project config) as a dict.

    A missing default file gives ``{}``; a missing file named explicitly is an error.

    Raises
    ------
    RenderError
        If a named file is missing, or the file is not a YAML mapping.
    """
    explicit = path is not None
    path = QUARTO_CONFIG if path is None else Path(path)
    if not path.exists():
        if explicit:
            raise RenderError(f"Project config {path} does not exist.")
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RenderError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RenderError(f"{path} must be a YAML mapping of settings, not {type(data).__name__}.")
    return data


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
        lines = _source(cell).strip().splitlines()
        if not lines or lines[0].strip() != "---":
            continue
        end = next(
            (i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")),
            len(lines),
        )
        try:
            data = yaml.safe_load("\n".join(lines[1:end])) or {}
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


def _format_options(config: Mapping[str, Any], quarto_format: str) -> dict[str, Any]:
    formats = config.get("format")
    if not isinstance(formats, Mapping):
        return {}
    options = formats.get(quarto_format)
    return dict(options) if isinstance(options, Mapping) else {}


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def report_metadata(
    front: Mapping[str, Any], project: Mapping[str, Any], fmt: Format
) -> dict[str, Any]:
    """Merge metadata the way Quarto does: project, project format, document, document format.

    Later layers win; ``format: html:`` applies to HTML and ``format: typst:`` to PDF.
    The result is checked (:func:`check_metadata`).
    """
    quarto_format = QUARTO_FORMATS[fmt]
    layers = (
        {k: v for k, v in project.items() if k not in ("project", "format")},
        _format_options(project, quarto_format),
        {k: v for k, v in front.items() if k != "format"},
        _format_options(front, quarto_format),
    )
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _deep_merge(merged, layer)
    return check_metadata(merged)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def check_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check the metadata values that templates use as code, not text.

    Text (names, titles) is escaped by pandoc wherever it lands; these values are
    not, so each must match a strict pattern.

    Raises
    ------
    RenderError
        Naming the setting and the value that is not allowed.
    """
    meta = dict(meta)
    if "synthetic" in meta:
        meta["synthetic"] = _truthy(meta["synthetic"])
    colour = meta.get("brand_colour")
    if colour is not None and not _HEX_COLOUR.match(str(colour).strip()):
        raise RenderError(
            f"brand_colour {colour!r} is not a hex colour; use a value like '#1f4e79'."
        )
    if colour is not None:
        meta["brand_colour"] = str(colour).strip()

    def check(key: str, pattern: re.Pattern[str], example: str) -> None:
        value = meta.get(key)
        if value is not None and not pattern.match(str(value)):
            raise RenderError(f"Setting {key}: {value!r} is not allowed; expected e.g. {example}.")

    check("lang", _LANG, "'en-GB'")
    check("papersize", _PAPER, "'a4'")
    check("fontsize", _LENGTH, "'10pt'")
    check("section-numbering", _NUMBERING, "'1.1'")
    for key in ("toc-depth", "columns"):
        value = meta.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 6
        ):
            raise RenderError(
                f"Setting {key}: {value!r} is not allowed; expected a whole number 1-6."
            )
    margin = meta.get("margin")
    if margin is not None:
        if not isinstance(margin, Mapping):
            raise RenderError("Setting margin must be a mapping such as {x: 2cm, top: 2.5cm}.")
        for side, length in margin.items():
            if side not in _MARGIN_KEYS or not _LENGTH.match(str(length)):
                raise RenderError(
                    f"Setting margin: {side}: {length!r} is not allowed; use sides "
                    f"{sorted(_MARGIN_KEYS)} with lengths like '2cm'."
                )
    return meta


def _meta_value(value: Any) -> dict[str, Any]:
    """Python value -> pandoc JSON MetaValue; all text stays a plain string."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, Mapping):
        return {
            "t": "MetaMap",
            "c": {str(k): _meta_value(v) for k, v in value.items() if v is not None},
        }
    if isinstance(value, list | tuple):
        return {"t": "MetaList", "c": [_meta_value(v) for v in value if v is not None]}
    if isinstance(value, dt.date):
        return {"t": "MetaString", "c": value.isoformat()}
    return {"t": "MetaString", "c": str(value)}


# ---------------------------------------------------------------------------
# Notebook -> pandoc markdown
# ---------------------------------------------------------------------------


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _text(data: Any) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


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
        options = yaml.safe_load("\n".join(option_lines)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(
            f"Cell {cell_number}: its '#|' options are not valid YAML: {exc}"
        ) from exc
    if not isinstance(options, dict):
        raise RenderError(f"Cell {cell_number}: its '#|' options must be 'key: value' lines.")
    return options, code


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


def _raise_for_error(cell: Mapping[str, Any], number: int, options: Mapping[str, Any]) -> list[str]:
    """Raise on an error output unless the cell allows errors; return shown tracebacks."""
    shown = []
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
        if not _truthy(options.get("error", False)):
            label = options.get("label")
            where = f"cell {number}" + (f" ({label})" if label else "")
            raise RenderError(
                f"The executed notebook has an error in {where}: {ename}: "
                f"{_ANSI_ESCAPE.sub('', str(evalue))}. The report was not rendered; fix the "
                "notebook or its inputs and build again."
            )
        shown.append(
            _ANSI_ESCAPE.sub("", "\n".join(output.get("traceback", [])) or f"{ename}: {evalue}")
        )
    return shown


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
    own, code = cell_options(_source(cell), cell_number=number)
    options = {**defaults, **own}
    tracebacks = _raise_for_error(cell, number, options)
    if options.get("include") is False:
        return ""

    label = str(options["label"]) if options.get("label") is not None else ""
    if label.startswith(("fig-", "tbl-")) and not _FLOAT_LABEL.match(label):
        raise RenderError(
            f"Cell {number}: label {label!r} may use only letters, digits, '-' and '_'."
        )
    is_figure, is_table = label.startswith("fig-"), label.startswith("tbl-")

    pieces: list[str] = []
    if _truthy(options.get("echo")) and code.strip():
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
            text = _ANSI_ESCAPE.sub("", _text(output.get("text", "")))
            if not text.strip():
                continue
            if output.get("name") == "stderr":
                if _truthy(options.get("warning")):
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
        log.warning(
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
    text = _source(cell)
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
    text = _source(cell)
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


# ---------------------------------------------------------------------------
# The built-in renderer
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    """A notebook read into pandoc's AST, with its images in ``workdir/media``."""

    workdir: Path
    ast: Mapping[str, Any]
    front: Mapping[str, Any]
    project: Mapping[str, Any]
    project_dir: Path


def _read_notebook(notebook_path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(str(notebook_path), as_version=4)
    except FileNotFoundError as exc:
        raise RenderError(f"Notebook {notebook_path} does not exist.") from exc
    except Exception as exc:  # nbformat raises several unrelated types for bad files
        raise RenderError(f"Notebook {notebook_path} could not be read: {exc}") from exc


def _run_pandoc(args: Sequence[str], *, stdin: bytes, cwd: Path) -> bytes:
    command = [_pandoc_path(), *args]
    try:
        done = subprocess.run(
            command, input=stdin, capture_output=True, cwd=cwd, timeout=PANDOC_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pandoc did not finish within {PANDOC_TIMEOUT_S} s.") from exc
    except OSError as exc:
        raise RenderError(f"pandoc could not be started ({command[0]}): {exc}") from exc
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise RenderError(f"pandoc failed (exit {done.returncode}): {message}")
    if message:
        log.warning("pandoc: %s", message)
    return done.stdout


def _prepare(notebook_path: Path, workdir: Path, project_config: Path | None) -> _Prepared:
    config_path = QUARTO_CONFIG if project_config is None else Path(project_config)
    project = load_project_config(project_config)
    nb = _read_notebook(Path(notebook_path))
    markdown, front = notebook_to_markdown(nb, workdir / MEDIA_DIR_NAME, project=project)
    # The front matter comes separately (as strings); never read metadata from the body.
    ast_json = _run_pandoc(
        ["--from", "markdown-yaml_metadata_block", "--to", "json"],
        stdin=markdown.encode("utf-8"),
        cwd=workdir,
    )
    return _Prepared(
        workdir=workdir,
        ast=json.loads(ast_json),
        front=front,
        project=project,
        project_dir=config_path.resolve().parent,
    )


def _document(prepared: _Prepared, meta: Mapping[str, Any]) -> bytes:
    doc = dict(prepared.ast)
    doc["meta"] = {key: _meta_value(value) for key, value in meta.items() if value is not None}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _filter_args() -> list[str]:
    return [arg for path in LUA_FILTERS for arg in ("--lua-filter", str(path))]


def _stylesheets(meta: Mapping[str, Any], project_dir: Path) -> list[Path]:
    css = meta.get("css") or [DEFAULT_CSS]
    paths = [css] if isinstance(css, str | Path) else list(css)
    resolved = []
    for entry in paths:
        path = Path(entry)
        path = path if path.is_absolute() else project_dir / path
        if not path.is_file():
            raise RenderError(f"Stylesheet {entry!r} (css in _quarto.yml) was not found at {path}.")
        resolved.append(path)
    return resolved


def _replace_atomically(data: bytes, output_path: Path) -> None:
    output_path.parent.mkdir(parents=True, exist_ok=True)
    partial = output_path.with_name(f".{output_path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, output_path)


def _write_html(prepared: _Prepared, output_path: Path) -> None:
    meta = report_metadata(prepared.front, prepared.project, "html")
    args = [
        "--from", "json", "--to", "html5",
        "--standalone", "--embed-resources",
        "--template", str(HTML_TEMPLATE),
        "--wrap", "none",
        "--resource-path", str(prepared.workdir),
        *_filter_args(),
    ]  # fmt: skip
    for stylesheet in _stylesheets(meta, prepared.project_dir):
        args += ["--css", str(stylesheet)]
    meta.pop("css", None)
    if _truthy(meta.get("toc")):
        args += ["--toc", f"--toc-depth={int(meta.get('toc-depth', 2))}"]
    if _truthy(meta.get("number-sections")):
        args.append("--number-sections")
    html = _run_pandoc(args, stdin=_document(prepared, meta), cwd=prepared.workdir)
    _replace_atomically(html, Path(output_path))


def _font_paths() -> list[str]:
    """Matplotlib's bundled fonts (DejaVu Sans for headings), when it is installed."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    fonts = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return [str(fonts)] if fonts.is_dir() else []


def _timestamp(meta: Mapping[str, Any]) -> int:
    """A fixed PDF creation time: the report's date, else SOURCE_DATE_EPOCH, else 0."""
    value = meta.get("date")
    if isinstance(value, dt.datetime):
        return int(value.replace(tzinfo=value.tzinfo or dt.UTC).timestamp())
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
        else:
            return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else 0


def _typst_error(exc: Exception) -> RenderError:
    parts = [f"Typst could not compile the report: {getattr(exc, 'message', None) or exc}"]
    diagnostic = getattr(exc, "diagnostic", None)
    if diagnostic:
        parts.append(str(diagnostic))
    hints = getattr(exc, "hints", None) or []
    parts.extend(f"hint: {hint}" for hint in hints)
    return RenderError("\n".join(parts))


def _write_pdf(prepared: _Prepared, output_path: Path, typst_source: Path | None) -> None:
    import typst

    meta = report_metadata(prepared.front, prepared.project, "pdf")
    meta.pop("css", None)
    args = [
        "--from", "json", "--to", "typst",
        "--standalone",
        "--template", str(TYPST_TEMPLATE),
        "--wrap", "none",
        *_filter_args(),
    ]  # fmt: skip
    source = _run_pandoc(args, stdin=_document(prepared, meta), cwd=prepared.workdir)
    main = prepared.workdir / "report.typ"
    main.write_bytes(source)
    if typst_source is not None:
        Path(typst_source).write_bytes(source)
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(main),
            root=str(prepared.workdir),
            font_paths=_font_paths(),
            ignore_system_fonts=True,
            timestamp=_timestamp(meta),
        )
    except typst.TypstError as exc:
        raise _typst_error(exc) from exc
    for warning in warnings or []:
        log.warning("typst: %s", getattr(warning, "message", warning))
    if not pdf:
        raise RenderError("Typst produced no PDF.")
    _replace_atomically(pdf, Path(output_path))


def render_html(
    notebook_path: Path, output_path: Path, *, project_config: Path | None = None
) -> None:
    """Render an executed notebook to one self-contained HTML file (built-in renderer).

    Raises
    ------
    RenderError
        If the notebook holds an error output, or pandoc fails.
    """
    with tempfile.TemporaryDirectory(prefix="civicpulse-render-") as tmp:
        prepared = _prepare(Path(notebook_path), Path(tmp), project_config)
        _write_html(prepared, Path(output_path))


def render_pdf(
    notebook_path: Path,
    output_path: Path,
    *,
    project_config: Path | None = None,
    typst_source: Path | None = None,
) -> None:
    """Render an executed notebook to PDF through Typst (built-in renderer).

    ``typst_source``, when given, also receives the generated Typst source.

    Raises
    ------
    RenderError
        If the notebook holds an error output, or pandoc or Typst fails (with
        Typst's diagnostic).
    """
    with tempfile.TemporaryDirectory(prefix="civicpulse-render-") as tmp:
        prepared = _prepare(Path(notebook_path), Path(tmp), project_config)
        _write_pdf(prepared, Path(output_path), typst_source)


# ---------------------------------------------------------------------------
# The Quarto renderer
# ---------------------------------------------------------------------------


def quarto_command(notebook_name: str, fmt: Format, *, quarto: str = "quarto") -> list[str]:
    """The argv that renders ``notebook_name`` to one of our formats with Quarto.

    Quarto does not execute notebooks unless asked; ``--no-execute`` makes that
    explicit, since the notebook was executed by papermill already.
    """
    if fmt not in QUARTO_FORMATS:
        raise RenderError(f"Unknown format {fmt!r}: choose from {', '.join(FORMATS)}.")
    return [quarto, "render", notebook_name, "--to", QUARTO_FORMATS[fmt], "--no-execute"]


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Front-matter keys Quarto reads as options rather than markdown text.
_QUARTO_OPTION_KEYS = {"date", "date-format", "lang", "format", "execute", "jupyter", "engine"}


def _escape_markdown(text: str) -> str:
    """Backslash-escape ASCII punctuation: pandoc markdown then reads the text literally."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _quarto_front_matter(front: Mapping[str, Any]) -> dict[str, Any]:
    """Front matter for Quarto, which reads metadata strings as markdown: escape them."""
    checked = check_metadata(front)
    return {
        key: _escape_markdown(value)
        if isinstance(value, str) and key not in _QUARTO_OPTION_KEYS
        else value
        for key, value in checked.items()
    }


def render_quarto(
    notebook_path: Path,
    output_dir: Path,
    formats: Sequence[Format],
    *,
    project_config: Path | None = None,
) -> dict[str, Path]:
    """Render with the Quarto CLI: ``output_dir/report.html`` and/or ``report.pdf``.

    The notebook is copied into a scratch project together with ``_quarto.yml`` and
    ``templates/``; its front matter is markdown-escaped so names stay text.

    Raises
    ------
    RenderError
        If quarto is missing or fails, or the notebook holds an error output.
    """
    quarto = shutil.which("quarto")
    if quarto is None:
        resolve_renderer("quarto")  # raises the helpful message
        raise AssertionError("unreachable")
    formats = _check_formats(formats)
    project = load_project_config(project_config)
    nb = _read_notebook(Path(notebook_path))
    fm_index, front = front_matter(nb)
    defaults = {**DEFAULT_EXECUTE, **(project.get("execute") or {}), **(front.get("execute") or {})}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            options, _ = cell_options(_source(cell), cell_number=index + 1)
            _raise_for_error(cell, index + 1, {**defaults, **options})
    for fmt in formats:
        report_metadata(front, project, fmt)  # the same checks as the built-in path

    header = (
        "---\n"
        + yaml.safe_dump(_quarto_front_matter(front), allow_unicode=True, sort_keys=False)
        + "---\n"
    )
    if fm_index is not None:
        del nb.cells[fm_index]
    nb.cells.insert(0, nbformat.v4.new_raw_cell(header))  # Quarto reads only the first cell

    config = dict(project)
    config["project"] = {"type": "default"}
    fonts = _font_paths()
    if fonts:
        formats_config = dict(config.get("format") or {})
        typst_config = dict(formats_config.get("typst") or {})
        typst_config.setdefault("font-paths", fonts)
        formats_config["typst"] = typst_config
        config["format"] = formats_config

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="civicpulse-quarto-") as tmp:
        work = Path(tmp)
        # _quarto.yml names its partials and CSS relative to the project: templates/...
        shutil.copytree(TEMPLATES_DIR, work / "templates")
        (work / "_quarto.yml").write_text(
            yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        nbformat.write(nb, str(work / "report.ipynb"))
        for fmt in formats:
            command = quarto_command("report.ipynb", fmt, quarto=quarto)
            try:
                done = subprocess.run(
                    command, cwd=work, capture_output=True, text=True, timeout=QUARTO_TIMEOUT_S
                )
            except subprocess.TimeoutExpired as exc:
                raise RenderError(
                    f"quarto render did not finish within {QUARTO_TIMEOUT_S} s."
                ) from exc
            except OSError as exc:
                raise RenderError(f"quarto could not be started ({quarto}): {exc}") from exc
            if done.returncode != 0:
                tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-30:])
                raise RenderError(f"quarto render --to {QUARTO_FORMATS[fmt]} failed:\n{tail}")
            produced = work / OUTPUT_NAMES[fmt]
            if not produced.is_file():
                raise RenderError(f"quarto render did not write {produced.name}.")
            target = output_dir / OUTPUT_NAMES[fmt]
            _replace_atomically(produced.read_bytes(), target)
            outputs[fmt] = target
    return outputs


# ---------------------------------------------------------------------------
# One report
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_report` wrote, with what, and how long it took (seconds)."""

    renderer: str
    outputs: Mapping[str, Path] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    tool_versions: Mapping[str, str] = field(default_factory=dict)


def _check_formats(formats: Sequence[str]) -> tuple[Format, ...]:
    checked: list[Format] = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise RenderError(f"Unknown format {fmt!r}: choose from {', '.join(FORMATS)}.")
        if fmt not in checked:
            checked.append(fmt)  # type: ignore[arg-type]
    if not checked:
        raise RenderError("No output format requested.")
    return tuple(checked)


def render_report(
    notebook_path: Path,
    output_dir: Path,
    formats: Sequence[Format] = ("html", "pdf"),
    renderer: Renderer = "auto",
    *,
    project_config: Path | None = None,
) -> RenderResult:
    """Render one executed report notebook to ``output_dir/report.html`` and ``report.pdf``.

    ``project_config`` replaces the project's ``_quarto.yml`` (tests, other brands).

    Raises
    ------
    RenderError
        If the renderer is unavailable or fails, or the notebook holds an error output.
    """
    chosen = resolve_renderer(renderer)
    checked = _check_formats(formats)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    outputs: dict[str, Path] = {}
    if chosen == "quarto":
        start = time.perf_counter()
        outputs = render_quarto(
            Path(notebook_path), output_dir, checked, project_config=project_config
        )
        timings["quarto"] = round(time.perf_counter() - start, 3)
    else:
        with tempfile.TemporaryDirectory(prefix="civicpulse-render-") as tmp:
            start = time.perf_counter()
            prepared = _prepare(Path(notebook_path), Path(tmp), project_config)
            timings["prepare"] = round(time.perf_counter() - start, 3)
            for fmt in checked:
                start = time.perf_counter()
                target = output_dir / OUTPUT_NAMES[fmt]
                if fmt == "html":
                    _write_html(prepared, target)
                else:
                    _write_pdf(prepared, target, None)
                timings[fmt] = round(time.perf_counter() - start, 3)
                outputs[fmt] = target
    log.info("rendered %s with %s in %s", notebook_path, chosen, timings)
    return RenderResult(
        renderer=chosen, outputs=outputs, timings=timings, tool_versions=tool_versions()
    )
