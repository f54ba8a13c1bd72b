"""The built-in PDF output: pandoc writes Typst source, the ``typst`` package compiles it.

Owns the PDF half of the built-in renderer: Typst source from
``templates/report.typ``, compiled with Typst's bundled fonts plus matplotlib's
DejaVu Sans (system fonts ignored) at a fixed creation time, so the same inputs
give the same PDF bytes; to the PDF standards ``pdf-standard`` names (as in
Quarto 1.9: ``_quarto.yml`` asks for PDF/UA-1, so Typst refuses an image without
alt text or a document without a title, and tags headings, figures and table
header cells); and Typst's diagnostics turned into a readable error.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import TEMPLATES_DIR
from civicpulse_report.render.branding import apply_brand, copy_logo
from civicpulse_report.render.metadata import document_timestamp, report_metadata
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

# Row headers (issue 10) are not possible in the PDF with typst 0.15 as installed (the
# `typst` Python package 0.15.2). A table.header row is tagged /TH with /Scope /Column
# (templates/typst-template.typ's cp-table puts every header row there), but the first
# cell of a body row is always /TD: `table.cell` has no `scope` argument ("unexpected
# argument: scope"), and the one way to tag a row header, `pdf.header-cell(scope:
# "row", ..)`, "requires enabling the a11y-extras feature flag"
# (https://typst.app/docs/reference/pdf/header-cell). typst-py enables only the `html`
# feature in its World (messense/typst-py src/world.rs) and has no argument to enable
# others, so `pdf.header-cell` does not exist here ("module `pdf` does not contain
# `header-cell`"). The HTML has <th scope="row">. tests/integration/test_pdf_ua.py
# fails once `pdf.header-cell` can be used, so the first column can be made a row
# header then (in table-layout.lua's cp-table rows).


#: What to do when Typst's PDF/UA check refuses the document, by its message.
_STANDARD_HINTS = (
    ("missing alt text", "every image needs alt text: give its cell a `#| fig-alt:` option"),
    ("missing document title", "give the notebook a `title:` in its front matter"),
)


def _typst_error(exc: Exception) -> RenderError:
    message = str(getattr(exc, "message", None) or exc)
    parts = [f"Typst could not compile the report: {message}"]
    diagnostic = getattr(exc, "diagnostic", None)
    if diagnostic:
        parts.append(str(diagnostic))
    hints = list(getattr(exc, "hints", None) or [])
    hints += [hint for needle, hint in _STANDARD_HINTS if needle in message.lower()]
    parts.extend(f"hint: {hint}" for hint in hints)
    return RenderError("\n".join(parts))


def write_pdf(prepared: Prepared, output_path: Path, typst_source: Path | None) -> None:
    """Write the prepared notebook as a PDF through Typst.

    ``typst_source``, when given, also receives the generated Typst source.

    Raises
    ------
    RenderError
        If the metadata or branding is not allowed, or pandoc or Typst fails (with
        Typst's diagnostic, e.g. an image without alt text under PDF/UA-1).
    """
    import typst

    meta = report_metadata(prepared.front, prepared.project, "pdf")
    meta, brand = apply_brand(meta, prepared.project_dir)
    copy_logo(brand, prepared.workdir)
    standards = meta.pop("pdf-standard", None) or []
    for key in ("css", "brand_logo_uri", "filters"):  # "filters": Quarto's (see pandoc.py)
        meta.pop(key, None)
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
            timestamp=document_timestamp(meta),
            pdf_standards=standards,
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
