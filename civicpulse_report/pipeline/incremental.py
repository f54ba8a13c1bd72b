"""Incremental builds: a key for every output, made of everything the output depends on.

A report is rebuilt only when its key changes. The key of one task (an LA's
report or the national draft) is the SHA-256 of:

- the data folder (every file in it, by name and content; a benchmark file
  given with ``--benchmarks`` as well);
- the configuration (``measures.yml``, ``settings.yml`` with its branding,
  ``interventions.yml``) and, for an LA, its authors' narrative file;
- the task's notebook, ``templates/`` and ``_quarto.yml``;
- the package: its version and the content of its source files (so a code
  change in a working copy rebuilds, even without a version bump);
- the renderer chosen and the versions of the tools that shape the outputs;
- the year reported.

The formats are not in the key: a report is up to date when its key matches
and every format asked for was built with that key (``--format html`` after
an HTML and PDF build is up to date; the reverse is not). ``--force`` ignores
the keys.

Keys are computed from file bytes before anything is loaded, so a rebuild
with nothing changed needs neither validation nor estimates: the plan of the
last run with the same request and inputs (:func:`save_plan`) says which tasks
there are, and each task's manifest says what it was built from.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse_report import __version__, paths, render
from civicpulse_report.pipeline.narrative import narrative_files
from civicpulse_report.pipeline.options import NATIONAL, BuildOptions
from civicpulse_report.pipeline.plan import benchmark_file
from civicpulse_report.pipeline.publish import read_manifest
from civicpulse_report.report import FAILED_DIR, FAILURE_FILE

log = logging.getLogger(__name__)

#: Bumped when the meaning of a key changes, so older keys never match.
KEY_SCHEMA = 1

#: The manifest member that holds a report's build key.
MANIFEST_KEY = "build_key"

_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of one file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _visible_files(root: Path) -> list[Path]:
    """Every regular file under ``root``, hidden files, folders and caches aside, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        found += [Path(dirpath, f) for f in sorted(filenames) if not f.startswith(".")]
    return found


def tree_digest(root: Path, suffixes: Sequence[str] | None = None) -> str:
    """SHA-256 over a folder's files, by relative name and content.

    Parameters
    ----------
    root : Path
        A folder; a missing folder has the digest of no files.
    suffixes : sequence of str, optional
        Only files with these suffixes (e.g. ``(".py", ".lua")``).
    """
    h = hashlib.sha256()
    if root.is_dir():
        for path in _visible_files(root):
            if suffixes is not None and path.suffix not in suffixes:
                continue
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(file_digest(path).encode() + b"\n")
    return h.hexdigest()


def _optional_digest(path: Path | None) -> str | None:
    return file_digest(path) if path is not None and path.is_file() else None


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


#: The package's own files that shape outputs (its source, Lua filters and assets).
_PACKAGE_SUFFIXES = (".py", ".lua", ".typ", ".css", ".html", ".js", ".yml", ".yaml", ".json")


@dataclass(frozen=True)
class RunInputs:
    """The digests every task of a run shares, computed from file bytes alone."""

    common: dict[str, Any]
    la_notebook: str | None
    national_notebook: str | None
    narrative_folder: Path

    @property
    def digest(self) -> str:
        """One digest of everything a run's tasks share (both notebooks included)."""
        return _digest(
            {"common": self.common, "la": self.la_notebook, "national": self.national_notebook}
        )


def run_inputs(options: BuildOptions, renderer: str) -> RunInputs:
    """Digest the data folder, configuration, notebooks, templates, package and tools.

    Parameters
    ----------
    options : BuildOptions
    renderer : str
        The renderer the run uses (``builtin`` or ``quarto``), already resolved.

    Returns
    -------
    RunInputs
    """
    benchmarks = benchmark_file(options)
    outside = None
    if benchmarks is not None and options.data_dir.resolve() not in benchmarks.resolve().parents:
        outside = _optional_digest(benchmarks)
    common = {
        "schema": KEY_SCHEMA,
        "data": tree_digest(options.data_dir),
        "benchmarks": outside,
        "measures": _optional_digest(options.measures_path),
        "settings": _optional_digest(options.settings_path),
        "interventions": _optional_digest(options.interventions_path),
        "templates": tree_digest(paths.TEMPLATES_DIR),
        "quarto": _optional_digest(paths.QUARTO_CONFIG),
        "package": [__version__, tree_digest(Path(__file__).parents[1], _PACKAGE_SUFFIXES)],
        "renderer": renderer,
        "tools": render.tool_versions(),
        "year": options.year,
    }
    return RunInputs(
        common=common,
        la_notebook=_optional_digest(options.notebook),
        national_notebook=_optional_digest(options.national_notebook),
        narrative_folder=options.narrative_folder,
    )


def task_keys(inputs: RunInputs, tasks: Iterable[str]) -> dict[str, str]:
    """Each task's build key: the shared digests, its notebook and its narrative file.

    Parameters
    ----------
    inputs : RunInputs
    tasks : iterable of str
        LA codes, and ``"national"`` for the national draft.

    Returns
    -------
    dict of str to str
        Task -> SHA-256.
    """
    tasks = list(tasks)
    las = [t for t in tasks if t != NATIONAL]
    narratives = narrative_files(inputs.narrative_folder, las, national=NATIONAL in tasks)
    keys = {}
    for task in tasks:
        notebook = inputs.national_notebook if task == NATIONAL else inputs.la_notebook
        keys[task] = _digest(
            {
                "common": inputs.common,
                "task": task,
                "notebook": notebook,
                "narrative": _optional_digest(narratives.get(task)),
            }
        )
    return keys


def is_up_to_date(report_dir: Path, key: str, formats: Sequence[str]) -> bool:
    """Whether a published report was built with ``key`` in every format asked for.

    The manifest must name the key and each format, and every output it lists
    must be on disk with the size it recorded (a report someone has deleted
    or truncated is rebuilt).
    """
    manifest = read_manifest(report_dir)
    if not manifest or manifest.get(MANIFEST_KEY) != key:
        return False
    if not set(formats) <= set(manifest.get("formats") or ()):
        return False
    outputs = manifest.get("outputs")
    if not isinstance(outputs, Mapping) or not outputs:
        return False
    for name, record in outputs.items():
        path = report_dir / name
        size = record.get("bytes") if isinstance(record, Mapping) else None
        try:
            if not path.is_file() or (size is not None and path.stat().st_size != size):
                return False
        except OSError:
            return False
    return True


def stale_tasks(
    year_dir: Path, keys: Mapping[str, str], formats: Sequence[str], *, force: bool = False
) -> list[str]:
    """The tasks to build: all with ``force``; else those whose report is missing, out of
    date or lacks a format, and those whose last build failed (a failure record under
    ``failed/``: the report on disk is older than the failure, whatever its key says)."""
    if force:
        return list(keys)
    return [
        task
        for task, key in keys.items()
        if (year_dir / FAILED_DIR / task / FAILURE_FILE).is_file()
        or not is_up_to_date(year_dir / task, key, formats)
    ]


# --- the plan of a run, for the no-change path ------------------------------------------


def _request(options: BuildOptions) -> dict[str, Any]:
    """What a run was asked for, apart from its inputs."""
    return {
        "year": options.year,
        "la_codes": list(options.la_codes),
        "national": options.national,
        "out_dir": str(options.out_dir.resolve()),
    }


def _plan_path(options: BuildOptions, inputs: RunInputs) -> Path:
    name = _digest({"inputs": inputs.digest, "request": _request(options)})
    return options.build_dir / "cache" / "plans" / f"{name}.json"


@dataclass(frozen=True)
class CachedPlan:
    """What the pre-work checks decided, the last time they passed on the same bytes."""

    year: int
    tasks: tuple[str, ...]
    skipped: tuple[str, ...]
    notes: tuple[str, ...]


def save_plan(options: BuildOptions, inputs: RunInputs, plan: CachedPlan) -> None:
    """Record a plan that passed the pre-work checks (best effort: a cache, never needed)."""
    path = _plan_path(options, inputs)
    data = {
        "schema": KEY_SCHEMA,
        "package_version": __version__,
        "year": plan.year,
        "tasks": list(plan.tasks),
        "skipped": list(plan.skipped),
        "notes": list(plan.notes),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("could not record the build plan: %s", exc)


def load_plan(options: BuildOptions, inputs: RunInputs) -> CachedPlan | None:
    """The plan recorded for this request and these inputs, or None (never trusted if odd)."""
    path = _plan_path(options, inputs)
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["schema"] != KEY_SCHEMA or data["package_version"] != __version__:
            return None
        return CachedPlan(
            year=int(data["year"]),
            tasks=tuple(str(t) for t in data["tasks"]),
            skipped=tuple(str(t) for t in data["skipped"]),
            notes=tuple(str(t) for t in data["notes"]),
        )
    return None
