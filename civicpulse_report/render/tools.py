"""The rendering tools: finding pandoc, Typst's fonts and Quarto, their versions, the renderer.

Owns where the tools come from (pandoc from pypandoc-binary, the ``typst`` Python
package, matplotlib's fonts for Typst, ``quarto`` on PATH), the versions a build
records, and the choice of renderer: ``auto`` picks ``quarto`` when it is
installed, else ``builtin``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from civicpulse_report.errors import RenderError

Renderer = Literal["auto", "builtin", "quarto"]


def quarto_available() -> bool:
    """Return whether the ``quarto`` command is on PATH."""
    return shutil.which("quarto") is not None


def resolve_renderer(requested: Renderer) -> Literal["builtin", "quarto"]:
    """Turn ``auto`` into the renderer that will run here.

    Raises
    ------
    RenderError
        If ``quarto`` is requested but not installed, or the name is unknown.
    """
    if requested == "builtin":
        return "builtin"
    if requested == "quarto":
        if not quarto_available():
            raise RenderError(
                "The quarto renderer was requested but `quarto` is not on PATH. Install "
                "Quarto (https://quarto.org) and make sure `quarto --version` works, or use "
                "--renderer builtin (or auto), which needs only pandoc and typst from the "
                "Python environment."
            )
        return "quarto"
    if requested == "auto":
        return "quarto" if quarto_available() else "builtin"
    raise RenderError(f"Unknown renderer {requested!r}: choose auto, builtin or quarto.")


@functools.cache
def pandoc_path() -> str:
    """Return the path of the pandoc executable that pypandoc-binary ships."""
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.cache
def _quarto_version(quarto: str) -> str:
    try:
        done = subprocess.run(
            [quarto, "--version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


@functools.cache
def _pandoc_version() -> str:
    import pypandoc

    return pypandoc.get_pandoc_version()


def tool_versions() -> dict[str, str]:
    """Return the versions of the rendering tools: pandoc, typst and quarto if present."""
    versions = {
        "pandoc": _pandoc_version(),
        "typst": importlib.metadata.version("typst"),
    }
    quarto = shutil.which("quarto")
    if quarto is not None:
        versions["quarto"] = _quarto_version(quarto)
    return versions


def typst_font_paths() -> list[str]:
    """Matplotlib's bundled fonts (DejaVu Sans for headings), when it is installed."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    fonts = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    return [str(fonts)] if fonts.is_dir() else []
