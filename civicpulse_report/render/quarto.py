"""The Quarto renderer: ``quarto render report.ipynb --to html|typst|docx --no-execute``.

Owns rendering with the Quarto CLI, when ``quarto`` is on PATH: the notebook is
checked as the built-in renderer checks it (error outputs, metadata), its front
matter is markdown-escaped (Quarto reads metadata strings as markdown), and it is
rendered in a scratch project holding ``_quarto.yml`` and ``templates/``.

Branding is mirrored, not re-implemented: the notebook's ``branding`` mapping
becomes the same template variables the built-in renderer uses
(:func:`~civicpulse_report.render.branding.brand_variables`), written into the
front matter for the shared partials (title-block.html, typst-show.typ); the logo
is copied into the project; ``templates/reference.docx`` is replaced by a copy in
the brand's colours; and for Word the body's opening block (notice, brand line,
facts) is the built-in one (:func:`~civicpulse_report.render.docx.front_block_markdown`),
in a cell shown only ``when-format="docx"``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
import yaml

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import QUARTO_CONFIG, TEMPLATES_DIR
from civicpulse_report.render.branding import BRANDING_KEY, Brand, apply_brand, copy_logo
from civicpulse_report.render.docx import (
    branded_reference_docx,
    front_block_markdown,
    reference_doc,
)
from civicpulse_report.render.markdown import escape_markdown
from civicpulse_report.render.metadata import check_metadata, load_project_config, report_metadata
from civicpulse_report.render.notebook import (
    DEFAULT_EXECUTE,
    cell_options,
    cell_source,
    front_matter,
    raise_for_error,
    read_notebook,
)
from civicpulse_report.render.outputs import (
    FORMATS,
    OUTPUT_NAMES,
    QUARTO_FORMATS,
    Format,
    check_formats,
    replace_atomically,
)
from civicpulse_report.render.tools import resolve_renderer, typst_font_paths

QUARTO_TIMEOUT_S = 600
#: The run's copy of the reference document, in the brand's colours (scratch project root).
BRANDED_REFERENCE = "reference-branded.docx"


def quarto_command(notebook_name: str, fmt: Format, *, quarto: str = "quarto") -> list[str]:
    """The argv that renders ``notebook_name`` to one of our formats with Quarto.

    Quarto does not execute notebooks unless asked; ``--no-execute`` makes that
    explicit, since the notebook was executed by papermill already.
    """
    if fmt not in QUARTO_FORMATS:
        raise RenderError(f"Unknown format {fmt!r}: choose from {', '.join(FORMATS)}.")
    return [quarto, "render", notebook_name, "--to", QUARTO_FORMATS[fmt], "--no-execute"]


#: Front-matter keys Quarto reads as options rather than markdown text.
_QUARTO_OPTION_KEYS = {"date", "date-format", "lang", "format", "execute", "jupyter", "engine"}


def _quarto_front_matter(front: Mapping[str, Any]) -> dict[str, Any]:
    """Front matter for Quarto, which reads metadata strings as markdown: escape them."""
    checked = check_metadata(front)
    return {
        key: escape_markdown(value)
        if isinstance(value, str) and key not in _QUARTO_OPTION_KEYS
        else value
        for key, value in checked.items()
    }


def quarto_brand(
    front: Mapping[str, Any], project: Mapping[str, Any], project_dir: Path
) -> tuple[dict[str, Any], Brand | None]:
    """The front matter with its branding (over the project's) as template variables.

    The Quarto mirror of what the built-in renderer does with ``branding``: the same
    :func:`~civicpulse_report.render.branding.apply_brand`, so both show the same.

    Raises
    ------
    RenderError
        If the branding is not valid.
    """
    branding = report_metadata(front, project, "html").get(BRANDING_KEY)
    with_branding = dict(front)
    if branding is not None:
        with_branding[BRANDING_KEY] = branding
    return apply_brand(with_branding, project_dir)


def _docx_front_cell(front: Mapping[str, Any], project: Mapping[str, Any]) -> str:
    """The Word body's opening block, as the built-in renderer writes it, for docx only."""
    meta = report_metadata(front, project, "docx")
    return '::::: {.content-visible when-format="docx"}\n' + front_block_markdown(meta) + ":::::\n"


def render_quarto(
    notebook_path: Path,
    output_dir: Path,
    formats: Sequence[Format],
    *,
    project_config: Path | None = None,
) -> dict[str, Path]:
    """Render with the Quarto CLI: ``output_dir/report.html``, ``.pdf`` and/or ``.docx``.

    The notebook is copied into a scratch project together with ``_quarto.yml`` and
    ``templates/``; its front matter is markdown-escaped so names stay text, and its
    branding is mirrored (:func:`quarto_brand`).

    Raises
    ------
    RenderError
        If quarto is missing or fails, or the notebook holds an error output.
    """
    quarto = shutil.which("quarto")
    if quarto is None:
        resolve_renderer("quarto")  # raises the helpful message
        raise AssertionError("unreachable")
    formats = check_formats(formats)
    project = load_project_config(project_config)
    nb = read_notebook(Path(notebook_path))
    fm_index, front = front_matter(nb)
    defaults = {**DEFAULT_EXECUTE, **(project.get("execute") or {}), **(front.get("execute") or {})}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            options, _ = cell_options(cell_source(cell), cell_number=index + 1)
            raise_for_error(cell, index + 1, {**defaults, **options})
    for fmt in formats:
        report_metadata(front, project, fmt)  # the same checks as the built-in path
    project_dir = (QUARTO_CONFIG if project_config is None else Path(project_config)).parent
    branded, brand = quarto_brand(front, project, project_dir.resolve())

    header = (
        "---\n"
        + yaml.safe_dump(_quarto_front_matter(branded), allow_unicode=True, sort_keys=False)
        + "---\n"
    )
    if fm_index is not None:
        del nb.cells[fm_index]
    nb.cells.insert(0, nbformat.v4.new_raw_cell(header))  # Quarto reads only the first cell
    if "docx" in formats:
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(_docx_front_cell(branded, project)))

    config, reference = _scratch_config(project, front, formats, project_dir)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="civicpulse-quarto-") as tmp:
        work = Path(tmp)
        # _quarto.yml names its partials and CSS relative to the project: templates/...
        shutil.copytree(TEMPLATES_DIR, work / "templates")
        copy_logo(brand, work)
        if reference is not None:
            branded_reference_docx(
                work / BRANDED_REFERENCE,
                primary=branded.get("brand_colour"),
                accent=branded.get("brand_accent"),
                source=reference,
            )
        check_filter_paths(config, work)
        (work / "_quarto.yml").write_text(
            yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        nbformat.write(nb, str(work / "report.ipynb"))
        for fmt in formats:
            produced = _run_quarto(quarto, work, fmt)
            target = output_dir / OUTPUT_NAMES[fmt]
            replace_atomically(produced.read_bytes(), target)
            outputs[fmt] = target
    return outputs


def _scratch_config(
    project: Mapping[str, Any],
    front: Mapping[str, Any],
    formats: Sequence[Format],
    project_dir: Path,
) -> tuple[dict[str, Any], Path | None]:
    """The scratch project's _quarto.yml, and the reference document to brand (for docx)."""
    config = dict(project)
    config["project"] = {"type": "default"}
    formats_config = dict(config.get("format") or {})
    fonts = typst_font_paths()
    if fonts:
        typst_config = dict(formats_config.get("typst") or {})
        typst_config.setdefault("font-paths", fonts)
        formats_config["typst"] = typst_config
    reference = None
    if "docx" in formats:
        reference = reference_doc(report_metadata(front, project, "docx"), project_dir)
        docx_config = dict(formats_config.get("docx") or {})
        docx_config["reference-doc"] = BRANDED_REFERENCE
        formats_config["docx"] = docx_config
    if formats_config:
        config["format"] = formats_config
    return config, reference


def _filter_entries(config: Mapping[str, Any]) -> list[Any]:
    """Every ``filters:`` entry of a Quarto config: top level and each format's."""
    entries = list(config.get("filters") or [])
    for options in (config.get("format") or {}).values():
        if isinstance(options, Mapping):
            entries += list(options.get("filters") or [])
    return entries


def check_filter_paths(config: Mapping[str, Any], project_dir: Path) -> list[Path]:
    """The Lua filters ``config`` names, each resolved from ``project_dir`` (Quarto's way).

    Quarto reads a filter path in _quarto.yml from the project folder; the scratch
    project holds a copy of ``templates/``, so ``templates/filters/...`` must be there.
    An entry is a path or ``{path: ..., at: ...}``; the name ``quarto`` (the old way of
    placing filters after Quarto's) is not a file.

    Raises
    ------
    RenderError
        If a filter named in the config is not a file under ``project_dir``.
    """
    paths = []
    for entry in _filter_entries(config):
        name = entry.get("path") if isinstance(entry, Mapping) else entry
        if name in (None, "quarto"):
            continue
        path = Path(project_dir) / str(name)
        if not path.is_file():
            raise RenderError(
                f"The Lua filter {name} in _quarto.yml was not found at {path}: filter paths "
                "are read from the project folder (e.g. templates/filters/html-tables.lua)."
            )
        paths.append(path)
    return paths


def _run_quarto(quarto: str, work: Path, fmt: Format) -> Path:
    """Run ``quarto render`` for one format in the scratch project; the file it wrote."""
    command = quarto_command("report.ipynb", fmt, quarto=quarto)
    try:
        done = subprocess.run(
            command, cwd=work, capture_output=True, text=True, timeout=QUARTO_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"quarto render did not finish within {QUARTO_TIMEOUT_S} s.") from exc
    except OSError as exc:
        raise RenderError(f"quarto could not be started ({quarto}): {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-30:])
        raise RenderError(f"quarto render --to {QUARTO_FORMATS[fmt]} failed:\n{tail}")
    produced = work / OUTPUT_NAMES[fmt]
    if not produced.is_file():
        raise RenderError(f"quarto render did not write {produced.name}.")
    return produced
