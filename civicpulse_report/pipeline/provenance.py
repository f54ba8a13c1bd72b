"""Provenance a manifest records: the git commit, tool versions, input file hashes.

Computed once per run (in :func:`~civicpulse_report.pipeline.prepare.prepare`)
and copied into every manifest, so that a report can be traced to the exact
inputs, configuration and software that made it.
"""

from __future__ import annotations

import contextlib
import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from civicpulse_report import __version__, paths, render
from civicpulse_report.inputs import file_sha256

_DISTRIBUTIONS = (
    "pandas",
    "numpy",
    "scipy",
    "pandera",
    "papermill",
    "nbclient",
    "ipykernel",
    "matplotlib",
    "typst",
    "pypandoc-binary",
    "pyreadstat",
)


def git_commit() -> str | None:
    """The project's git commit (``-dirty`` when tracked files changed), or None."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def tool_versions() -> dict[str, str]:
    """Versions of Python and the packages and tools that shape the outputs."""
    versions = {"python": platform.python_version(), "civicpulse-report": __version__}
    for dist in _DISTRIBUTIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    versions.update(render.tool_versions())
    return versions


def display_path(path: Path) -> str:
    """A path as a manifest shows it: relative to the project root when inside it.

    Manifests hold no machine-specific absolute paths for the project's own
    files; a file outside the project keeps the path it was given.
    """
    with contextlib.suppress(ValueError):
        return Path(path).resolve().relative_to(paths.PROJECT_ROOT).as_posix()
    return str(path)


def input_hashes(data_files: Mapping[str, str], extra: Iterable[Path]) -> dict[str, str]:
    """SHA-256 of every input: the data files (already hashed) and each existing extra file.

    Parameters
    ----------
    data_files : mapping of str to str
        Data file (relative to the data folder) -> SHA-256, from the Dataset.
    extra : iterable of Path
        Configuration, notebooks, narrative and benchmark files; missing ones
        are left out.

    Returns
    -------
    dict of str to str
    """
    hashes = dict(data_files)
    for path in extra:
        if Path(path).is_file():
            hashes[display_path(Path(path))] = file_sha256(Path(path))
    return hashes
