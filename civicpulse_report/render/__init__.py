"""Render an executed notebook to HTML and PDF: Quarto when on PATH, else pandoc and Typst.

This stage knows documents, not Civic Pulse: it turns any executed notebook
with Quarto-style cell options into self-contained outputs.
"""

from civicpulse_report.render.builtin import (
    Renderer,
    render_report,
    resolve_renderer,
    tool_versions,
)

__all__ = ["Renderer", "render_report", "resolve_renderer", "tool_versions"]
