"""The built-in PDF output: pandoc writes Typst source, the ``typst`` package compiles it.

Owns the PDF half of the built-in renderer: Typst source from
``templates/report.typ``, compiled with Typst's bundled fonts plus matplotlib's
DejaVu Sans (system fonts ignored) at a fixed creation time, so the same inputs
give the same PDF bytes; and Typst's diagnostics turned into a readable error.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import TEMPLATES_DIR
from civicpulse_report.render.metadata import report_metadata
from civicpulse_report.render.outputs import replace_atomically
from civicpulse_report.render.pandoc import (
    Prepared,
    document_json,
    filter_args,
    prepare,
    run_pandoc,
)
from civicpulse_report.render.tools import typst_font_paths

log = logging.getLogger(__name__)

TYPST_TEMPLATE = TEMPLATES_DIR / "report.typ"


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


def write_pdf(prepared: Prepared, output_path: Path, typst_source: Path | None) -> None:
    """Write the prepared notebook as a PDF through Typst.

    ``typst_source``, when given, also receives the generated Typst source.

    Raises
    ------
    RenderError
        If the metadata is not allowed, or pandoc or Typst fails (with Typst's
        diagnostic).
    """
    import typst

    meta = report_metadata(prepared.front, prepared.project, "pdf")
    meta.pop("css", None)
    args = [
        "--from", "json", "--to", "typst",
        "--standalone",
        "--template", str(TYPST_TEMPLATE),
        "--wrap", "none",
        *filter_args(),
    ]  # fmt: skip
    source = run_pandoc(args, stdin=document_json(prepared, meta), cwd=prepared.workdir)
    main = prepared.workdir / "report.typ"
    main.write_bytes(source)
    if typst_source is not None:
        Path(typst_source).write_bytes(source)
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(main),
            root=str(prepared.workdir),
            font_paths=typst_font_paths(),
            ignore_system_fonts=True,
            timestamp=_timestamp(meta),
        )
    except typst.TypstError as exc:
        raise _typst_error(exc) from exc
    for warning in warnings or []:
        log.warning("typst: %s", getattr(warning, "message", warning))
    if not pdf:
        raise RenderError("Typst produced no PDF.")
    replace_atomically(pdf, Path(output_path))


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
        prepared = prepare(Path(notebook_path), Path(tmp), project_config)
        write_pdf(prepared, Path(output_path), typst_source)
