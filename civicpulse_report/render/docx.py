"""The built-in Word output: pandoc's docx writer with ``templates/reference.docx``.

Owns the DOCX half of both renderers' Word output:

- the styles: ``templates/reference.docx`` (made by ``templates/make_reference_docx.py``)
  holds the design in :data:`REFERENCE_PRIMARY` and :data:`REFERENCE_ACCENT`; each run
  gets a copy in its own colours (:func:`branded_reference_docx`);
- the block that opens the body (:func:`front_block_markdown`): the synthetic-data
  notice, the brand line (logo and name) and the report's facts, with the contact
  line. Pandoc writes the title, subtitle, author and date above it from the
  metadata, as Quarto does; there is no table of contents, so the notice stays on
  the first screen (Word users add one from References > Table of Contents);
- the built-in write (:func:`write_docx`): the notebook's AST with that block in
  front, Quarto's ``content-visible``/``content-hidden`` resolved for ``docx``, the
  shared Lua filters (figure and table numbers and captions, the fig-alt as each
  image's description), and ``SOURCE_DATE_EPOCH`` set to the report's date so the
  same inputs give the same bytes.

The Quarto renderer hands Quarto the same block and the same reference document
(:mod:`civicpulse_report.render.quarto`).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import TEMPLATES_DIR
from civicpulse_report.render.branding import apply_brand, copy_logo, logo_alt
from civicpulse_report.render.markdown import escape_markdown
from civicpulse_report.render.metadata import document_timestamp, report_metadata, truthy
from civicpulse_report.render.outputs import replace_atomically
from civicpulse_report.render.pandoc import (
    Prepared,
    document_json,
    filter_args,
    prepare,
    run_pandoc,
)

REFERENCE_DOCX = TEMPLATES_DIR / "reference.docx"
#: The colours reference.docx is drawn in; a run's brand colours replace them.
REFERENCE_PRIMARY = "1F4E79"
REFERENCE_ACCENT = "00796B"
#: The parts of a .docx whose colours follow the brand.
_COLOURED_PARTS = ("word/styles.xml", "word/theme/theme1.xml")
#: Paragraph styles of the opening block (defined in reference.docx).
NOTICE_STYLE = "Synthetic Notice"
BRAND_STYLE = "Brand"
FACTS_STYLE = "Report Facts"
SYNTHETIC_NOTICE = (
    "Synthetic demonstration data — not real survey results.",
    "Places, codes and numbers in this report are fictional and made for testing.",
)
#: The facts under the title, in order: metadata key and label (as on the PDF's title page).
FACTS = (
    ("la_name", "Local authority"),
    ("la_code", "Area code"),
    ("year", "Survey year"),
    ("organisation", "Publisher"),
    ("brand_contact", "Contact"),
)
#: Metadata pandoc would write as text in Word, but that belong to other formats.
_NOT_FOR_DOCX = ("css", "toc", "toc-title", "toc-depth", "brand_logo_uri", "reference-doc")


def reference_doc(meta: Mapping[str, Any], project_dir: Path) -> Path:
    """The reference document ``reference-doc`` names (relative to the project), else ours.

    Raises
    ------
    RenderError
        If ``reference-doc`` names a file that does not exist.
    """
    named = meta.get("reference-doc")
    if not named:
        return REFERENCE_DOCX
    path = Path(str(named))
    path = path if path.is_absolute() else Path(project_dir) / path
    if not path.is_file():
        raise RenderError(f"reference-doc {named!r} (in _quarto.yml) was not found at {path}.")
    return path


def branded_reference_docx(
    target: Path,
    *,
    primary: str | None = None,
    accent: str | None = None,
    source: Path = REFERENCE_DOCX,
) -> Path:
    """Write a copy of ``source`` with its brand colours replaced by ``primary`` and ``accent``.

    Members keep their order, dates and compression, so the copy is as reproducible
    as the source.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    RenderError
        If ``source`` cannot be read as a Word document.
    """
    swaps = {
        REFERENCE_PRIMARY: (primary or f"#{REFERENCE_PRIMARY}").lstrip("#").upper(),
        REFERENCE_ACCENT: (accent or f"#{REFERENCE_ACCENT}").lstrip("#").upper(),
    }
    pattern = re.compile("|".join(swaps), re.IGNORECASE)
    try:
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(Path(target), "w") as copy:
            for info in original.infolist():
                data = original.read(info)
                if info.filename in _COLOURED_PARTS:
                    text = data.decode("utf-8")
                    data = pattern.sub(lambda m: swaps[m.group(0).upper()], text).encode("utf-8")
                copy.writestr(info, data)
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise RenderError(
            f"The reference document {source} is not a readable .docx: {exc}"
        ) from exc
    return Path(target)


def _paragraph(inlines: str) -> str:
    return inlines.strip() + "\n"


def _div(style: str, paragraphs: Iterable[str]) -> str:
    body = "\n".join(p for p in paragraphs if p)
    return f'::: {{custom-style="{style}"}}\n{body}:::\n' if body else ""


def front_block_markdown(meta: Mapping[str, Any]) -> str:
    """The Word body's opening block as pandoc markdown (every value escaped).

    Parameters
    ----------
    meta
        The document's metadata after :func:`~civicpulse_report.render.branding.apply_brand`:
        ``synthetic``, ``organisation``, ``brand_logo``, ``brand_logo_alt``, the
        facts (:data:`FACTS`).

    Returns
    -------
    str
        The synthetic-data notice (if ``synthetic``), the brand line (the logo,
        described by its alt text, then the name) and one paragraph per fact.
    """
    blocks = []
    if truthy(meta.get("synthetic")):
        strong, rest = (escape_markdown(text) for text in SYNTHETIC_NOTICE)
        blocks.append(_div(NOTICE_STYLE, [_paragraph(f"**{strong}** {rest}")]))
    name = str(meta["organisation"]) if meta.get("organisation") else ""
    logo = meta.get("brand_logo")
    brand = []
    if logo:
        alt = escape_markdown(str(meta.get("brand_logo_alt") or logo_alt(name)))
        brand.append(f"![{alt}]({logo}){{height=1.2cm}}")
    if name:
        brand.append(f"**{escape_markdown(name)}**")
    if brand:
        blocks.append(_div(BRAND_STYLE, [_paragraph(" ".join(brand))]))
    facts = [
        _paragraph(f"{label}: **{escape_markdown(str(meta[key]))}**")
        for key, label in FACTS
        if meta.get(key) not in (None, "")
    ]
    blocks.append(_div(FACTS_STYLE, facts))
    return "\n".join(block for block in blocks if block)


def _format_matches(value: str | None, formats: frozenset[str]) -> bool | None:
    if value is None:
        return None
    return any(name in formats for name in re.split(r"[\s,]+", value) if name)


def _shown(attr: list[Any], formats: frozenset[str]) -> bool | None:
    """Quarto's conditional content: shown, hidden, or ``None`` for an ordinary element."""
    _, classes, pairs = attr
    options = dict(pairs)
    when = _format_matches(options.get("when-format"), formats)
    unless = _format_matches(options.get("unless-format"), formats)
    if "content-visible" in classes:
        return (when is not False) and not unless
    if "content-hidden" in classes:
        hidden = True if when is None else when
        return not (hidden and not unless)
    return None


def resolve_visibility(node: Any, formats: frozenset[str] = frozenset({"docx"})) -> Any:
    """A pandoc JSON AST with ``.content-visible``/``.content-hidden`` resolved for ``formats``."""
    if isinstance(node, list):
        result: list[Any] = []
        for item in node:
            if isinstance(item, dict) and item.get("t") in ("Div", "Span"):
                shown = _shown(item["c"][0], formats)
                if shown is not None:
                    if shown:
                        result.extend(resolve_visibility(item["c"][1], formats))
                    continue
            result.append(resolve_visibility(item, formats))
        return result
    if isinstance(node, dict):
        return {key: resolve_visibility(value, formats) for key, value in node.items()}
    return node


def write_docx(prepared: Prepared, output_path: Path) -> None:
    """Write the prepared notebook as a Word document.

    Raises
    ------
    RenderError
        If the metadata or branding is not allowed, or pandoc fails.
    """
    meta = report_metadata(prepared.front, prepared.project, "docx")
    meta, brand = apply_brand(meta, prepared.project_dir)
    copy_logo(brand, prepared.workdir)
    reference = branded_reference_docx(
        prepared.workdir / "reference.docx",
        primary=meta.get("brand_colour"),
        accent=meta.get("brand_accent"),
        source=reference_doc(meta, prepared.project_dir),
    )
    front = run_pandoc(
        ["--from", "markdown", "--to", "json"],
        stdin=front_block_markdown(meta).encode("utf-8"),
        cwd=prepared.workdir,
    )
    ast = dict(prepared.ast)
    ast["blocks"] = json.loads(front)["blocks"] + list(prepared.ast["blocks"])
    ast = resolve_visibility(ast)
    args = [
        "--from", "json", "--to", "docx",
        "--reference-doc", str(reference),
        "--resource-path", str(prepared.workdir),
        *filter_args(),
    ]  # fmt: skip
    if truthy(meta.get("number-sections")):
        args.append("--number-sections")
    for key in _NOT_FOR_DOCX:
        meta.pop(key, None)
    docx = run_pandoc(
        args,
        stdin=document_json(dataclasses.replace(prepared, ast=ast), meta),
        cwd=prepared.workdir,
        env={"SOURCE_DATE_EPOCH": str(document_timestamp(meta))},
    )
    replace_atomically(docx, Path(output_path))


def render_docx(
    notebook_path: Path, output_path: Path, *, project_config: Path | None = None
) -> None:
    """Render an executed notebook to a Word document (built-in renderer).

    Raises
    ------
    RenderError
        If the notebook holds an error output, or pandoc fails.
    """
    with tempfile.TemporaryDirectory(prefix="civicpulse-render-") as tmp:
        prepared = prepare(Path(notebook_path), Path(tmp), project_config)
        write_docx(prepared, Path(output_path))
