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

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

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

# Row headers. Typst 0.15 tags a table.header row /TH with /Scope /Column
# (templates/typst-template.typ's cp-table puts every header row there), but it tags
# the first cell of a body row /TD: `table.cell` has no `scope` argument, and
# `pdf.header-cell(scope: "row", ..)` "requires enabling the a11y-extras feature flag"
# (https://typst.app/docs/reference/pdf/header-cell), which the `typst` Python
# package (0.15.2) does not enable. So, as the HTML's <th scope="row">, the first cell
# of each body row is retagged after compiling (:func:`tag_row_headers`), as an
# incremental update: Typst's bytes stay as they were, followed by the changed
# structure elements. tests/integration/test_pdf_ua.py checks both, and fails once
# Typst itself accepts a row header (then this step can go).


def tag_row_headers(pdf: bytes) -> bytes:
    """Make the first cell of every body row of every table a row header (/TH, /Scope /Row).

    The changed structure elements are appended as an incremental update (a
    cross-reference stream whose /Prev is Typst's), so the bytes Typst wrote
    are kept whole and the result is as deterministic as they are. pypdf reads
    the structure tree lazily; only the update is written here, which costs a
    fraction of what re-serialising the document would. A PDF without tables
    (or without a structure tree) is returned as it is.
    """
    import io
    import re

    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
    )

    reader = PdfReader(io.BytesIO(pdf))
    tree = reader.trailer["/Root"].get("/StructTreeRoot")
    if tree is None:
        return pdf
    changed: dict[int, tuple[int, DictionaryObject]] = {}
    stack = [(tree.get_object(), False)]
    while stack:
        node, in_body = stack.pop()
        kind = node.get("/S")
        if kind == "/TR" and in_body:
            cells = node.get("/K")
            cells = cells if isinstance(cells, ArrayObject) else [cells]
            ref = cells[0] if cells else None
            first = ref.get_object() if isinstance(ref, IndirectObject) else None
            if isinstance(first, DictionaryObject) and first.get("/S") == "/TD":
                first[NameObject("/S")] = NameObject("/TH")
                attributes = first.get("/A")
                if not isinstance(attributes, ArrayObject):
                    attributes = ArrayObject([] if attributes is None else [attributes])
                    first[NameObject("/A")] = attributes
                table = [a.get_object() for a in attributes if a.get_object().get("/O") == "/Table"]
                if not table:
                    table = [DictionaryObject({NameObject("/O"): NameObject("/Table")})]
                    attributes.append(table[0])
                table[0][NameObject("/Scope")] = NameObject("/Row")
                changed[ref.idnum] = (ref.generation, first)
            continue
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                stack.append((kid, in_body or kind == "/TBody"))
    if not changed:
        return pdf
    last = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf[-1024:])
    if last is None:
        raise RenderError("Typst's PDF has no final cross-reference offset to update.")
    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: dict[int, tuple[int, int]] = {}
    for number in sorted(changed):
        generation, element = changed[number]
        offsets[number] = (out.tell(), generation)
        out.write(f"{number} {generation} obj\n".encode())
        element.write_to_stream(out)
        out.write(b"\nendobj\n")
    xref_number = int(reader.trailer["/Size"])
    offsets[xref_number] = (out.tell(), 0)
    rows = b"".join(
        b"\x01" + offset.to_bytes(4, "big") + generation.to_bytes(1, "big")
        for _, (offset, generation) in sorted(offsets.items())
    )
    index = " ".join(f"{number} 1" for number in sorted(offsets))
    trailer = io.BytesIO()
    for key in ("/Root", "/Info", "/ID"):
        if key in reader.trailer:
            trailer.write(key.encode() + b" ")
            reader.trailer.raw_get(key).write_to_stream(trailer)
            trailer.write(b" ")
    out.write(
        f"{xref_number} 0 obj\n<< /Type /XRef /Size {xref_number + 1} /Index [{index}] "
        f"/W [1 4 1] /Prev {int(last.group(1))} /Length {len(rows)} ".encode()
        + trailer.getvalue()
        + b">>\nstream\n"
        + rows
        + b"\nendstream\nendobj\n"
        + f"startxref\n{offsets[xref_number][0]}\n%%EOF\n".encode()
    )
    return out.getvalue()


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


#: The process whose Typst runtime has compiled a document. Typst compiles on a
#: thread pool that does not survive ``fork``: a process forked from one that has
#: compiled hangs on its first compile. Builds fork their workers from a parent that
#: never compiles, but a program (or a test session) may render a PDF itself and then
#: build, so a forked process whose parent had compiled compiles in a fresh
#: interpreter instead (about half a second more, and only then).
_typst_compiled_in: int | None = None

_COMPILE_SCRIPT = """\
import json, sys
import typst
request = json.loads(sys.stdin.read())
try:
    pdf, warnings = typst.compile_with_warnings(request["main"], **request["options"])
except typst.TypstError as exc:
    print(json.dumps({"error": {
        "message": str(getattr(exc, "message", None) or exc),
        "diagnostic": str(getattr(exc, "diagnostic", None) or ""),
        "hints": [str(h) for h in (getattr(exc, "hints", None) or [])],
    }}))
    sys.exit(0)
open(request["out"], "wb").write(pdf or b"")
print(json.dumps({"warnings": [str(getattr(w, "message", w)) for w in warnings or []]}))
"""


class _TypstFailure(Exception):
    """A Typst error reported by a compile in another interpreter (what _typst_error reads)."""

    def __init__(self, message: str, diagnostic: str, hints: list[str]) -> None:
        super().__init__(message)
        self.message, self.diagnostic, self.hints = message, diagnostic, hints


def compile_typst(main: Path, options: dict[str, Any]) -> tuple[bytes, list[str]]:
    """Compile ``main`` with the ``typst`` package: (PDF bytes, warning messages).

    In-process, unless this process was forked from one whose Typst has run (see
    ``_typst_compiled_in``).

    Raises
    ------
    RenderError
        With Typst's diagnostic and hints, if it cannot compile the document.
    """
    global _typst_compiled_in
    if _typst_compiled_in not in (None, os.getpid()):
        return _compile_in_subprocess(main, options)
    import typst

    _typst_compiled_in = os.getpid()
    try:
        pdf, warnings = typst.compile_with_warnings(str(main), **options)
    except typst.TypstError as exc:
        raise _typst_error(exc) from exc
    return pdf or b"", [str(getattr(w, "message", w)) for w in warnings or []]


def _compile_in_subprocess(main: Path, options: dict[str, Any]) -> tuple[bytes, list[str]]:
    out = main.with_suffix(".pdf")
    request = {"main": str(main), "options": options, "out": str(out)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _COMPILE_SCRIPT],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"Typst could not be run in a fresh interpreter: {exc}") from exc
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RenderError(f"Typst failed in a fresh interpreter: {done.stderr.strip()[-2000:]}")
    reply = json.loads(lines[-1])
    if "error" in reply:
        error = reply["error"]
        raise _typst_error(_TypstFailure(error["message"], error["diagnostic"], error["hints"]))
    return out.read_bytes(), list(reply["warnings"])


def write_pdf(prepared: Prepared, output_path: Path, typst_source: Path | None) -> None:
    """Write the prepared notebook as a PDF through Typst.

    ``typst_source``, when given, also receives the generated Typst source.

    Raises
    ------
    RenderError
        If the metadata or branding is not allowed, or pandoc or Typst fails (with
        Typst's diagnostic, e.g. an image without alt text under PDF/UA-1).
    """
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
    options = {
        "root": str(prepared.workdir),
        "font_paths": [str(p) for p in typst_font_paths()],
        "ignore_system_fonts": True,
        "timestamp": document_timestamp(meta),
        "pdf_standards": list(standards),
    }
    pdf, warnings = compile_typst(main, options)
    for warning in warnings:
        log.warning("typst: %s", warning)
    if not pdf:
        raise RenderError("Typst produced no PDF.")
    replace_atomically(tag_row_headers(pdf), Path(output_path))


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
