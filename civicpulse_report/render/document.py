"""Render one document: choose the renderer, run it for each format, time it.

Owns :func:`render_report`, the render stage's entry point, and what it returns
(:class:`RenderResult`). The built-in path reads the notebook once
(:func:`~civicpulse_report.render.pandoc.prepare`) and writes each format from
it; the Quarto path hands the formats to
:func:`~civicpulse_report.render.quarto.render_quarto`.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from civicpulse_report.render.docx import write_docx
from civicpulse_report.render.html import write_html
from civicpulse_report.render.outputs import OUTPUT_NAMES, Format, check_formats
from civicpulse_report.render.pandoc import Prepared, prepare
from civicpulse_report.render.pdf import write_pdf
from civicpulse_report.render.quarto import render_quarto
from civicpulse_report.render.tools import Renderer, resolve_renderer, tool_versions

log = logging.getLogger(__name__)

#: The built-in renderer's writer for each format.
_WRITERS: Mapping[str, Callable[[Prepared, Path], None]] = {
    "html": write_html,
    "pdf": lambda prepared, target: write_pdf(prepared, target, None),
    "docx": write_docx,
}


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render_report` wrote, with what, and how long it took (seconds)."""

    renderer: str
    outputs: Mapping[str, Path] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    tool_versions: Mapping[str, str] = field(default_factory=dict)


def _write_one(prepared: Prepared, fmt: str, target: Path) -> float:
    start = time.perf_counter()
    _WRITERS[fmt](prepared, target)
    return round(time.perf_counter() - start, 3)


def _write_formats(
    prepared: Prepared, output_dir: Path, formats: Sequence[str]
) -> tuple[dict[str, Path], dict[str, float]]:
    """Write every format from one prepared document, at the same time.

    Each writer runs pandoc in its own process (the PDF's Typst compile and
    PDF/UA tagging then run here), so the formats of one report use two cores
    instead of one after the other: a one-LA build, which has a core to spare,
    waits for the slowest format, not for their sum. The writers share nothing
    but the prepared document, which they only read, and each writes its own
    file; when several fail, the error of the first format asked for is raised.
    """
    targets = {fmt: output_dir / OUTPUT_NAMES[fmt] for fmt in formats}
    if len(targets) == 1:
        ((fmt, target),) = targets.items()
        return {fmt: target}, {fmt: _write_one(prepared, fmt, target)}
    with ThreadPoolExecutor(max_workers=len(targets), thread_name_prefix="render") as pool:
        futures = {fmt: pool.submit(_write_one, prepared, fmt, t) for fmt, t in targets.items()}
        wait(futures.values())
    timings = {fmt: future.result() for fmt, future in futures.items()}  # raises the first error
    return targets, timings


def render_report(
    notebook_path: Path,
    output_dir: Path,
    formats: Sequence[Format] = ("html", "pdf"),
    renderer: Renderer = "auto",
    *,
    project_config: Path | None = None,
) -> RenderResult:
    """Render one executed notebook to ``output_dir/report.html``, ``.pdf`` and/or ``.docx``.

    ``formats`` are any of ``html``, ``pdf``, ``docx``. ``project_config`` replaces
    the project's ``_quarto.yml`` (tests, other brands). Branding comes from the
    notebook's front matter (``branding``, see :mod:`~civicpulse_report.render.branding`).

    Raises
    ------
    RenderError
        If the renderer is unavailable or fails, or the notebook holds an error output.
    """
    chosen = resolve_renderer(renderer)
    checked = check_formats(formats)
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
            prepared = prepare(Path(notebook_path), Path(tmp), project_config)
            timings["prepare"] = round(time.perf_counter() - start, 3)
            outputs, written = _write_formats(prepared, output_dir, checked)
            timings.update(written)
    log.info("rendered %s with %s in %s", notebook_path, chosen, timings)
    return RenderResult(
        renderer=chosen, outputs=outputs, timings=timings, tool_versions=tool_versions()
    )
