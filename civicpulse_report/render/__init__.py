"""Render an executed notebook to HTML, PDF and DOCX: Quarto when on PATH, else pandoc and Typst.

This stage knows documents, not Civic Pulse: it turns any executed notebook
with Quarto-style cell options into self-contained outputs. Two renderers give
the same visible content from the same inputs (the notebook's front matter and
``#|`` cell options, ``_quarto.yml`` and ``templates/``):

``quarto``
    ``quarto render report.ipynb --to html|typst|docx --no-execute`` in a scratch folder,
    when ``quarto`` is on PATH (:mod:`~civicpulse_report.render.quarto`).
``builtin``
    No Quarto needed. The notebook becomes pandoc markdown the way Quarto writes it
    (:mod:`~civicpulse_report.render.markdown`), which pandoc reads once into its
    JSON AST (:mod:`~civicpulse_report.render.pandoc`); pandoc then writes one
    self-contained HTML file (:mod:`~civicpulse_report.render.html`), Typst
    source that the ``typst`` package compiles to PDF/UA-1
    (:mod:`~civicpulse_report.render.pdf`), and a Word document with
    ``templates/reference.docx`` (:mod:`~civicpulse_report.render.docx`).

Both read the document's ``branding`` metadata (name, logo, colours, contact) the
same way (:mod:`~civicpulse_report.render.branding`).

``auto`` picks ``quarto`` when it is installed, else ``builtin``
(:mod:`~civicpulse_report.render.tools`). :func:`render_report`
(:mod:`~civicpulse_report.render.document`) is the entry point.
"""

from civicpulse_report.render.document import RenderResult, render_report
from civicpulse_report.render.outputs import FORMATS, OUTPUT_NAMES, Format
from civicpulse_report.render.tools import Renderer, resolve_renderer, tool_versions

__all__ = [
    "FORMATS",
    "OUTPUT_NAMES",
    "Format",
    "RenderResult",
    "Renderer",
    "render_report",
    "resolve_renderer",
    "tool_versions",
]
