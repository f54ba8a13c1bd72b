"""The built-in renderer's shared half: the notebook read once into pandoc's JSON AST.

No Quarto needed. The notebook becomes pandoc markdown the way Quarto writes it
(:mod:`civicpulse_report.render.markdown`); pandoc reads it once into its JSON AST
(:func:`prepare`); each output then gets the report's metadata put into that AST
as plain strings (:func:`document_json`, so names are always text, never markup)
and is written by pandoc with the Lua filters in ``templates/filters/``
(:func:`filter_args`), which do what Quarto does natively: figure and table
numbering, cross-references, alt text, callouts and format-conditional content.
:mod:`~civicpulse_report.render.html`, :mod:`~civicpulse_report.render.pdf` and
:mod:`~civicpulse_report.render.docx` write the outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import QUARTO_CONFIG, TEMPLATES_DIR
from civicpulse_report.render.markdown import notebook_to_markdown
from civicpulse_report.render.metadata import load_project_config
from civicpulse_report.render.notebook import read_notebook
from civicpulse_report.render.tools import pandoc_path

log = logging.getLogger(__name__)

LUA_FILTERS = tuple(
    TEMPLATES_DIR / "filters" / name
    for name in (
        "content-visibility.lua",
        "html-figures.lua",  # before crossref: it moves the generated alt text onto figures
        "crossref.lua",
        "table-layout.lua",
        "callouts.lua",
        "html-tables.lua",  # after table-layout: scope, captions outside the scroll region
        "html-headings.lua",
    )
)
#: The filters that do for the built-in renderer what Quarto does itself (conditional
#: content, figure/table numbering and cross-references, callouts). Under Quarto they
#: are left to Quarto, which would otherwise number everything twice.
QUARTO_NATIVE_FILTERS = frozenset({"content-visibility.lua", "crossref.lua", "callouts.lua"})
#: Where every other filter runs under Quarto, by our output format: its entry point in
#: ``filters:`` of that format in _quarto.yml (Quarto 1.4+ "Targeting of AST Processing
#: Phases": pre-ast, post-ast = pre-quarto, post-quarto = pre-render, post-render).
#: html-figures runs in every format before Quarto reads the figure cells (``pre-ast``),
#: so the alt text it moves onto a cell is the one Quarto gives the image (it runs
#: before crossref.lua here), and outside HTML it leaves the data block out, as here.
#: The table and heading filters run in HTML last (``post-render``), just before
#: pandoc's writer, as here, so they see Quarto's rendered floats, not its
#: cross-reference nodes. table-layout's Typst tables number themselves, so under
#: Quarto (which numbers tables) it runs for HTML only.
QUARTO_FILTER_STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "html-figures.lua": ("pre-ast", ("html", "pdf", "docx")),
    "table-layout.lua": ("post-render", ("html",)),
    "html-tables.lua": ("post-render", ("html",)),
    "html-headings.lua": ("post-render", ("html",)),
}
MEDIA_DIR_NAME = "media"

PANDOC_TIMEOUT_S = 120
#: Pandoc messages that are expected and harmless: an SVG goes into a DOCX as SVG
#: (Word 2016 and later show it) when no rsvg-convert is there to add a PNG copy.
_EXPECTED_MESSAGES = (re.compile(r"Could not convert image .*\.svg.*rsvg-convert", re.S),)


@dataclass(frozen=True)
class Prepared:
    """A notebook read into pandoc's AST, with its images in ``workdir/media``."""

    workdir: Path
    ast: Mapping[str, Any]
    front: Mapping[str, Any]
    project: Mapping[str, Any]
    project_dir: Path


def run_pandoc(
    args: Sequence[str], *, stdin: bytes, cwd: Path, env: Mapping[str, str] | None = None
) -> bytes:
    """Run pandoc with ``args`` on ``stdin`` in ``cwd`` and return what it writes.

    ``env`` adds environment variables (``SOURCE_DATE_EPOCH``). Pandoc's messages
    on a successful run are logged as warnings, the expected ones as debug.

    Raises
    ------
    RenderError
        If pandoc cannot start, times out or fails (with its message).
    """
    command = [pandoc_path(), *args]
    try:
        done = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            cwd=cwd,
            timeout=PANDOC_TIMEOUT_S,
            env=None if env is None else {**os.environ, **env},
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pandoc did not finish within {PANDOC_TIMEOUT_S} s.") from exc
    except OSError as exc:
        raise RenderError(f"pandoc could not be started ({command[0]}): {exc}") from exc
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise RenderError(f"pandoc failed (exit {done.returncode}): {message}")
    for line in filter(None, re.split(r"\n(?=\[)", message)):
        expected = any(pattern.search(line) for pattern in _EXPECTED_MESSAGES)
        log.log(logging.DEBUG if expected else logging.WARNING, "pandoc: %s", line)
    return done.stdout


def prepare(notebook_path: Path, workdir: Path, project_config: Path | None) -> Prepared:
    """Read the notebook into pandoc's AST, writing its images under ``workdir``.

    ``project_config`` replaces the project's ``_quarto.yml``; relative paths in it
    (stylesheets) are read from its folder.

    Raises
    ------
    RenderError
        If the notebook or config cannot be read, a cell holds an error output, or
        pandoc fails.
    """
    config_path = QUARTO_CONFIG if project_config is None else Path(project_config)
    project = load_project_config(project_config)
    nb = read_notebook(Path(notebook_path))
    markdown, front = notebook_to_markdown(nb, workdir / MEDIA_DIR_NAME, project=project)
    # The front matter comes separately (as strings); never read metadata from the body.
    ast_json = run_pandoc(
        ["--from", "markdown-yaml_metadata_block", "--to", "json"],
        stdin=markdown.encode("utf-8"),
        cwd=workdir,
    )
    return Prepared(
        workdir=workdir,
        ast=json.loads(ast_json),
        front=front,
        project=project,
        project_dir=config_path.resolve().parent,
    )


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


def document_json(prepared: Prepared, meta: Mapping[str, Any]) -> bytes:
    """The prepared AST with ``meta`` as its metadata, as pandoc JSON input."""
    doc = dict(prepared.ast)
    doc["meta"] = {key: _meta_value(value) for key, value in meta.items() if value is not None}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def filter_args() -> list[str]:
    """The pandoc arguments that run every Lua filter, in order."""
    return [arg for path in LUA_FILTERS for arg in ("--lua-filter", str(path))]


def quarto_filters(fmt: str) -> list[dict[str, str]]:
    """The ``filters:`` entries Quarto needs for output ``fmt`` (html, pdf or docx).

    The filters of :data:`LUA_FILTERS` that Quarto has no equivalent of, in the
    built-in order, as ``{"path": "templates/filters/<name>", "at": <entry point>}``:
    paths from the project root (where _quarto.yml is, and where the Quarto renderer
    copies ``templates/``). ``_quarto.yml`` lists exactly these under ``format:``
    (a unit test compares them).

    Raises
    ------
    RenderError
        If a filter is in neither :data:`QUARTO_FILTER_STAGES` nor
        :data:`QUARTO_NATIVE_FILTERS`.
    """
    entries = []
    for path in LUA_FILTERS:
        if path.name in QUARTO_NATIVE_FILTERS:
            continue
        if path.name not in QUARTO_FILTER_STAGES:
            raise RenderError(
                f"Lua filter {path.name} has no Quarto entry point: add it to "
                "QUARTO_FILTER_STAGES (or QUARTO_NATIVE_FILTERS) in render/pandoc.py."
            )
        stage, formats = QUARTO_FILTER_STAGES[path.name]
        if fmt in formats:
            relative = path.relative_to(TEMPLATES_DIR.parent).as_posix()
            entries.append({"path": relative, "at": stage})
    return entries
