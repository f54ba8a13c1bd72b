"""The index's view of the disk: report folders, failure records, the national draft.

Owns reading ``<year_dir>`` into index entries (:func:`collect_index_entries`:
every LA with a report on disk and every failed LA), the failure records under
``<year_dir>/failed/`` (:func:`record_failure`, :func:`clear_failure`,
:func:`failure_reasons`), the links to the national draft
(:func:`find_national_links`) and the atomic file write the page uses
(``safe_files``: a failed write leaves no new folder behind).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from civicpulse_report import paths
from civicpulse_report.errors import BuildFailure
from civicpulse_report.inputs import check_la_code
from civicpulse_report.report.index_page.entries import (
    FAILED_DIR,
    FAILURE_FILE,
    MANIFEST_FILE,
    NATIONAL_DIR,
    NATIONAL_FILES,
    REPORT_FILES,
    IndexEntry,
    Link,
    as_text,
    entry_from_index_dict,
    entry_order,
    index_entry_from_facts,
)
from civicpulse_report.safe_files import atomic_write, new_folders

log = logging.getLogger(__name__)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _file_links(
    folder: Path, prefix: str, files: Sequence[tuple[str, str, str]]
) -> tuple[Link, ...]:
    return tuple(
        Link(kind, f"{prefix}/{name}", text)
        for kind, name, text in files
        if (folder / name).is_file()
    )


def _facts_entry(manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """An index_entry dict from the bundle an older manifest points at, if it is there."""
    params = manifest.get("parameters")
    raw = params.get("facts_path") if isinstance(params, Mapping) else None
    if not isinstance(raw, str) or not raw:
        return None
    candidates = [Path(raw)]
    if not Path(raw).is_absolute():
        candidates.append(paths.PROJECT_ROOT / raw)
    for path in candidates:
        bundle = _read_json(path)
        if bundle is None:
            continue
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            return index_entry_from_facts(bundle)
    return None


def _built_entry(folder: Path) -> IndexEntry | None:
    code = folder.name
    links = _file_links(folder, code, REPORT_FILES)
    manifest = _read_json(folder / MANIFEST_FILE)
    if manifest is None:
        if not links:
            return None
        return IndexEntry(la_code=code, la_name=code, links=links)
    if manifest.get("la_code") not in (None, code):
        log.warning(
            "%s/manifest.json names LA %r; using the folder name", code, manifest["la_code"]
        )
    built_at = as_text(manifest.get("built_at"))
    data = manifest.get("index_entry")
    if not isinstance(data, Mapping):
        data = _facts_entry(manifest) or {}
    if not data.get("la_name"):
        data = {**data, "la_name": manifest.get("la_name")}
    if "synthetic" not in data:
        data = {**data, "synthetic": manifest.get("synthetic")}
    return entry_from_index_dict(data, la_code=code, links=links, built_at=built_at)


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _failed_entry(
    code: str, reason: str, built: IndexEntry | None, record: Mapping[str, Any]
) -> IndexEntry:
    def pick(key: str) -> str | None:
        if built is not None and getattr(built, key) not in (None, code):
            return getattr(built, key)
        return as_text(record.get(key))

    if built is None:
        return IndexEntry(
            la_code=code,
            la_name=pick("la_name") or code,
            region=pick("region"),
            la_type=pick("la_type"),
            status="failed",
            failure_reason=reason,
            synthetic=record.get("synthetic") is True,
        )
    return IndexEntry(
        la_code=code,
        la_name=pick("la_name") or code,
        region=pick("region"),
        la_type=pick("la_type"),
        status="failed",
        failure_reason=reason,
        domains=built.domains,
        quadrant=built.quadrant,
        links=built.links,
        built_at=built.built_at,
        synthetic=built.synthetic,
        confidence_level=built.confidence_level,
    )


def collect_index_entries(
    year_dir: Path, failures: Mapping[str, str] | None = None
) -> list[IndexEntry]:
    """Every LA with a report on disk for the year, and every failed LA.

    Parameters
    ----------
    year_dir : Path
        ``reports/<year>``. Folders whose names are not valid LA codes
        (``.staging``, ``failed``, ``national``) are not LAs.
    failures : mapping of str to str, optional
        This run's failures, LA code -> reason (see :func:`failure_reasons`).
        They win over what is on disk. Failures recorded on disk by
        :func:`record_failure` count too, unless the LA was built after them.

    Returns
    -------
    list of IndexEntry
        Sorted by LA name (accents and case ignored), then code. A failed LA
        with an earlier report on disk appears once, as failed, with the
        links to that report.
    """
    year_dir = Path(year_dir)
    built: dict[str, IndexEntry] = {}
    records: dict[str, dict[str, Any]] = {}
    if year_dir.is_dir():
        for folder in sorted(year_dir.iterdir()):
            if folder.is_dir() and check_la_code(folder.name):
                entry = _built_entry(folder)
                if entry is not None:
                    built[folder.name] = entry
        failed_dir = year_dir / FAILED_DIR
        if failed_dir.is_dir():
            for folder in sorted(failed_dir.iterdir()):
                if not (folder.is_dir() and check_la_code(folder.name)):
                    continue
                record = _read_json(folder / FAILURE_FILE)
                if record is None:
                    continue
                done = built.get(folder.name)
                failed_at = _parse_time(record.get("failed_at"))
                built_at = _parse_time(done.built_at) if done else None
                if done is not None and (
                    failed_at is None or built_at is None or built_at >= failed_at
                ):
                    continue  # rebuilt since it failed
                records[folder.name] = record

    reasons: dict[str, str] = {
        code: as_text(rec.get("reason")) or "the build failed (no reason recorded)"
        for code, rec in records.items()
    }
    for code, reason in (failures or {}).items():
        reasons[str(code)] = as_text(reason) or "the build failed (no reason recorded)"

    entries = {code: e for code, e in built.items() if code not in reasons}
    for code, reason in reasons.items():
        entries[code] = _failed_entry(code, reason, built.get(code), records.get(code, {}))
    return sorted(entries.values(), key=entry_order)


def failure_reasons(failures: Iterable[BuildFailure]) -> dict[str, str]:
    """LA code -> reason, for :func:`collect_index_entries`, from a run's failures."""
    return {f.la_code: f"{f.stage} stage: {f.message}" for f in failures}


def find_national_links(year_dir: Path) -> tuple[Link, ...]:
    """Links to the national draft's files that exist (``national/report.html``, ...)."""
    return _file_links(Path(year_dir) / NATIONAL_DIR, NATIONAL_DIR, NATIONAL_FILES)


def record_failure(
    year_dir: Path,
    la_code: str,
    reason: str,
    *,
    la_name: str | None = None,
    region: str | None = None,
    la_type: str | None = None,
    synthetic: bool = False,
    failed_at: dt.datetime | None = None,
) -> Path:
    """Write ``<year_dir>/failed/<la_code>/failure.json`` so later runs still list the failure.

    The record is written atomically; when that fails (a full disk, a
    read-only folder) an earlier record is left as it was and the folders
    made for it are removed again, so nothing new is left behind.

    Raises
    ------
    ValueError
        If ``la_code`` is not a valid LA code (it becomes a folder name).
    OSError
        The record could not be written.
    """
    if not check_la_code(la_code):
        raise ValueError(f"{la_code!r} is not a valid LA code")
    when = failed_at or dt.datetime.now(dt.UTC)
    record = {
        "la_code": la_code,
        "reason": str(reason),
        "failed_at": when.isoformat(timespec="seconds"),
        "la_name": la_name,
        "region": region,
        "la_type": la_type,
        "synthetic": bool(synthetic),
    }
    path = Path(year_dir) / FAILED_DIR / la_code / FAILURE_FILE
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    with new_folders(path.parent):
        atomic_write(path, text.encode("utf-8"))
    return path


def clear_failure(year_dir: Path, la_code: str) -> None:
    """Remove an LA's failure record (after it builds); absent is fine."""
    if not check_la_code(la_code):
        return
    folder = Path(year_dir) / FAILED_DIR / la_code
    with contextlib.suppress(FileNotFoundError):
        (folder / FAILURE_FILE).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()
