"""The built-in HTML output: one self-contained file written by pandoc.

Owns the HTML half of the built-in renderer: pandoc writes standalone HTML5 with
``templates/report.html``, the report's stylesheets (``templates/report.css``
unless ``css`` says otherwise) and every image embedded, so the file needs
nothing else to display. The branding's colours become CSS variables and its logo
a data URI in the title block (:mod:`~civicpulse_report.render.branding`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import TEMPLATES_DIR
from civicpulse_report.render.branding import apply_brand
from civicpulse_report.render.metadata import report_metadata, truthy
from civicpulse_report.render.outputs import replace_atomically
from civicpulse_report.render.pandoc import (
    Prepared,
    document_json,
    filter_args,
    prepare,
    run_pandoc,
)

HTML_TEMPLATE = TEMPLATES_DIR / "report.html"
DEFAULT_CSS = TEMPLATES_DIR / "report.css"


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


def write_html(prepared: Prepared, output_path: Path) -> None:
    """Write the prepared notebook as one self-contained HTML file.

    Raises
    ------
    RenderError
        If the metadata or branding is not allowed, a stylesheet is missing, or
        pandoc fails.
    """
    meta = report_metadata(prepared.front, prepared.project, "html")
    meta, _ = apply_brand(meta, prepared.project_dir)
    args = [
        "--from", "json", "--to", "html5",
        "--standalone", "--embed-resources",
        "--template", str(HTML_TEMPLATE),
        "--wrap", "none",
        "--resource-path", str(prepared.workdir),
        *filter_args(),
    ]  # fmt: skip
    for stylesheet in _stylesheets(meta, prepared.project_dir):
        args += ["--css", str(stylesheet)]
    for key in ("css", "filters"):  # options, not metadata (the filters are filter_args)
        meta.pop(key, None)
    if truthy(meta.get("toc")):
        args += ["--toc", f"--toc-depth={int(meta.get('toc-depth', 2))}"]
    if truthy(meta.get("number-sections")):
        args.append("--number-sections")
    html = run_pandoc(args, stdin=document_json(prepared, meta), cwd=prepared.workdir)
    replace_atomically(html, Path(output_path))


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
        prepared = prepare(Path(notebook_path), Path(tmp), project_config)
        write_html(prepared, Path(output_path))
