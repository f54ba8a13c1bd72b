"""Staging folders, manifests and atomic publishing into ``<out>/<year>/<la_code>/``.

Each LA (and the national draft) is built into its own folder under
``<out>/<year>/.staging/``. Only when every file and the manifest are there
does :func:`publish` move it into place, keeping the previous report aside
until the new one is in. A run killed half way is tidied up by the next one
(:func:`recover_interrupted`). A build whose notebook raised keeps that
notebook, never in the published folder but under ``<out>/<year>/failed/<la_code>/``
(:func:`keep_failed_notebook`), until the LA next publishes.

A rebuild in fewer formats keeps the others: :func:`carry_over` copies the
previous folder's report files (``report.pdf``, ...) of formats not asked for into
the staging folder and returns, for the manifest, which files were kept and
from which earlier build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from civicpulse_report.inputs import check_la_code
from civicpulse_report.render import OUTPUT_NAMES
from civicpulse_report.safe_files import new_folders

STAGING = ".staging"
MANIFEST = "manifest.json"
FAILED = "failed"
NOTEBOOK = "report.ipynb"


def staging_folder(year_dir: Path, la_code: str) -> Path:
    """This process's staging folder for one LA."""
    return year_dir / STAGING / f"{la_code}.{os.getpid()}"


def open_staging(staging: Path) -> None:
    """Start a staging folder afresh (empty)."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)


def discard_staging(staging: Path) -> None:
    """Drop a staging folder whose build failed."""
    shutil.rmtree(staging, ignore_errors=True)


def remove_staging(year_dir: Path) -> None:
    """Drop every staging folder of a year."""
    shutil.rmtree(year_dir / STAGING, ignore_errors=True)


def _sha256_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def output_digests(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file in ``folder``, by file name, for the manifest."""
    return {
        p.name: {"bytes": p.stat().st_size, "sha256": _sha256_bytes(p)}
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` (sorted keys, UTF-8) into ``folder``."""
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8"
    )


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The ``manifest.json`` of a published folder, or None when absent or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def carry_over(previous: Path, staging: Path, built: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Copy the previous report's files of formats not built now into ``staging``.

    Parameters
    ----------
    previous : Path
        The published folder this build replaces (need not exist).
    staging : Path
        The staging folder, holding this build's own files already.
    built : sequence of str
        The formats rendered by this build (``html``, ``pdf``, ``docx``).

    Returns
    -------
    dict
        By file name (``report.pdf``): the format, the size and SHA-256 of the
        kept file, and when and by which commit it was built (from the
        previous manifest; a file that was itself carried over keeps its
        original build). Empty when nothing was kept.
    """
    kept: dict[str, dict[str, Any]] = {}
    if not previous.is_dir():
        return kept
    manifest = read_manifest(previous) or {}
    earlier = manifest.get("carried_over")
    earlier = earlier if isinstance(earlier, dict) else {}
    for fmt, name in OUTPUT_NAMES.items():
        path = previous / name
        if fmt in built or not path.is_file() or (staging / name).exists():
            continue
        shutil.copy2(path, staging / path.name)
        origin = earlier.get(path.name) if isinstance(earlier.get(path.name), dict) else {}
        kept[path.name] = {
            "format": fmt,
            "bytes": path.stat().st_size,
            "sha256": _sha256_bytes(staging / path.name),
            "built_at": origin.get("built_at", manifest.get("built_at")),
            "git_commit": origin.get("git_commit", manifest.get("git_commit")),
        }
    return kept


def publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder into place, keeping the old one until then.

    The notebook an earlier failed build kept under ``failed/<name>/`` goes: the
    report it was kept to debug now builds.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    trash = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        os.replace(final, trash)
    try:
        os.replace(staging, final)
    except BaseException:
        if trash.exists() and not final.exists():
            os.replace(trash, final)  # put the previous report back
        raise
    shutil.rmtree(trash, ignore_errors=True)
    drop_failed_notebook(final.parent, final.name)


def failed_notebook_path(year_dir: Path, name: str) -> Path:
    """Where a failed build's partly executed notebook is kept: ``failed/<name>/report.ipynb``."""
    return year_dir / FAILED / name / NOTEBOOK


def keep_failed_notebook(staging: Path, year_dir: Path, name: str) -> Path | None:
    """Keep the partly executed notebook of a failed build, for debugging; else drop an old one.

    Parameters
    ----------
    staging : Path
        The failed build's staging folder; its ``report.ipynb`` (papermill's
        output, the failing cell's traceback in it) is moved out, never into
        the published folder.
    year_dir : Path
        ``<out>/<year>``.
    name : str
        The LA code (validated) or ``national``.

    Returns
    -------
    Path or None
        ``<year_dir>/failed/<name>/report.ipynb``, or None when the build
        failed before the notebook was written (a notebook kept from an
        earlier failure is then removed, so it never describes another
        failure) or it could not be kept (a full disk, a read-only folder:
        the folders made for it are removed again, so nothing is left behind).
    """
    if name != "national" and not check_la_code(name):
        return None
    source, target = staging / NOTEBOOK, failed_notebook_path(year_dir, name)
    if not source.is_file():
        drop_failed_notebook(year_dir, name)
        return None
    try:
        with new_folders(target.parent):
            os.replace(source, target)
    except OSError:
        return None
    return target


def drop_failed_notebook(year_dir: Path, name: str) -> None:
    """Remove the notebook kept by :func:`keep_failed_notebook` (absent is fine)."""
    if name != "national" and not check_la_code(name):
        return
    path = failed_notebook_path(year_dir, name)
    with contextlib.suppress(OSError):
        path.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # stays while a failure record is in it


def recover_interrupted(year_dir: Path) -> list[str]:
    """Restore reports a killed run had moved aside; drop stale staging and temporary files.

    Parameters
    ----------
    year_dir : Path
        ``<out>/<year>``; need not exist.

    Returns
    -------
    list of str
        The LA codes whose previous report was restored.
    """
    restored = []
    if not year_dir.exists():
        return restored
    for old in sorted(year_dir.glob(".*.old-*")):
        name = old.name[1:].split(".old-")[0]
        final = year_dir / name
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, final)
            restored.append(name)
    remove_staging(year_dir)
    for pattern in (".*.tmp", f"{FAILED}/*/.*.tmp"):  # half-written index or failure records
        for tmp in year_dir.glob(pattern):
            with contextlib.suppress(OSError):
                tmp.unlink()
    return restored
