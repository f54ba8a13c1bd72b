"""Staging folders, manifests and atomic publishing into ``<out>/<year>/<la_code>/``.

Each LA is built into its own folder under ``<out>/<year>/.staging/``. Only
when every file and the manifest are there does :func:`publish` move it into
place, keeping the previous report aside until the new one is in. A run
killed half way is tidied up by the next one (:func:`recover_interrupted`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

STAGING = ".staging"
MANIFEST = "manifest.json"


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


def publish(staging: Path, final: Path) -> None:
    """Move a complete staging folder into place, keeping the old one until then."""
    final.parent.mkdir(parents=True, exist_ok=True)
    trash = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        os.replace(final, trash)
    os.replace(staging, final)
    shutil.rmtree(trash, ignore_errors=True)


def recover_interrupted(year_dir: Path) -> list[str]:
    """Restore reports a killed run had moved aside; drop stale staging folders.

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
    return restored
