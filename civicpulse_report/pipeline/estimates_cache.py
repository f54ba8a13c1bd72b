"""The all-LA estimates, cached on disk under ``build/cache/estimates/``.

The one pass of estimates over every LA is the costliest step before the
per-LA jobs. It depends only on the data, the configuration and the code that
computes it, so it is stored under a key made of exactly those:

- the SHA-256 of every data file read (and of the benchmark file, if any);
- ``measures.yml`` and ``settings.yml``;
- the package version and the source of the stages the estimates come from
  (``inputs/``, ``statistics/``, ``measures.py``, ``scoring.py``,
  ``settings.py``): editing a notebook, a template or the report code keeps
  the cache; editing a statistic does not.

An entry is a pickle of the :class:`~civicpulse_report.statistics.EstimateSet`
behind a small header: a format version, the package version, the key and
the SHA-256 of the pickled bytes. An entry whose header, version, key or
digest does not match, or that cannot be read, is ignored and recomputed,
never trusted. Entries are written atomically (a temporary file, then a
rename), and only the newest few are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from civicpulse_report import __version__
from civicpulse_report.pipeline.incremental import file_digest, tree_digest
from civicpulse_report.statistics import EstimateSet

log = logging.getLogger(__name__)

#: Bumped when the entry layout changes.
CACHE_FORMAT = 1
_MAGIC = b"civicpulse-estimates\n"
#: Entries kept; older ones are removed when a new one is written.
KEEP = 3

_PACKAGE = Path(__file__).parents[1]
_ESTIMATE_SOURCES = ("inputs", "statistics")
_ESTIMATE_MODULES = ("measures.py", "scoring.py", "settings.py", "errors.py")


def estimates_key(
    data_files: Mapping[str, str],
    config_files: list[Path],
    benchmarks: Path | None,
    *,
    la_codes: Sequence[str] | None = None,
) -> str:
    """The cache key of a run's estimates.

    Parameters
    ----------
    data_files : mapping of str to str
        Each data file read (relative name) -> SHA-256, as the Dataset records.
    config_files : list of Path
        ``measures.yml`` and ``settings.yml``.
    benchmarks : Path, optional
        The benchmark file supplying comparators.
    la_codes : sequence of str, optional
        The LAs of a restricted pass (``compute_estimates(..., la_codes=...)``),
        which holds breakdowns for them only; None (the default) for the
        whole pass, whose key is as it always was.
    """
    code = [tree_digest(_PACKAGE / sub, (".py",)) for sub in _ESTIMATE_SOURCES]
    code += [file_digest(_PACKAGE / name) for name in _ESTIMATE_MODULES]
    parts = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "code": code,
        "data": dict(sorted(data_files.items())),
        "config": [file_digest(p) if p.is_file() else None for p in config_files],
        "benchmarks": file_digest(benchmarks) if benchmarks is not None else None,
    }
    if la_codes is not None:
        parts["la_codes"] = sorted({str(c) for c in la_codes})
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{key}.pkl"


def load(cache_dir: Path, key: str) -> EstimateSet | None:
    """The cached estimates for ``key``, or None when absent, corrupt or from another version."""
    path = _entry(cache_dir, key)
    try:
        with open(path, "rb") as handle:
            if handle.readline() != _MAGIC:
                raise ValueError("not an estimates cache entry")
            header = json.loads(handle.readline())
            if (
                header.get("format") != CACHE_FORMAT
                or header.get("version") != __version__
                or header.get("key") != key
            ):
                raise ValueError(f"entry from another version or key: {header}")
            body = handle.read()
        if hashlib.sha256(body).hexdigest() != header.get("sha256"):
            raise ValueError("entry does not match its digest (truncated or corrupt)")
        estimates = pickle.loads(body)
        if not isinstance(estimates, EstimateSet):
            raise TypeError(f"entry holds {type(estimates).__name__}")
    except FileNotFoundError:
        return None
    except Exception as exc:  # never trusted: recomputed
        log.warning("ignoring the estimates cache entry %s (%s); recomputing", path.name, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    log.info("estimates read from the cache (%s)", path.name)
    return estimates


def store(cache_dir: Path, key: str, estimates: EstimateSet) -> None:
    """Write an entry atomically and prune old ones (best effort: failures are logged)."""
    path = _entry(cache_dir, key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        body = pickle.dumps(estimates, protocol=pickle.HIGHEST_PROTOCOL)
        header = {
            "format": CACHE_FORMAT,
            "version": __version__,
            "key": key,
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        with open(tmp, "wb") as handle:
            handle.write(_MAGIC + json.dumps(header).encode() + b"\n")
            handle.write(body)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not cache the estimates (%s); the next run recomputes them", exc)
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    entries = sorted(cache_dir.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def cached_estimates(
    cache_dir: Path, key: str, compute: Callable[[], EstimateSet], *, use_cache: bool = True
) -> tuple[EstimateSet, bool]:
    """The estimates for ``key``: from the cache when a good entry exists, else computed.

    Returns
    -------
    (EstimateSet, bool)
        The estimates, and whether they came from the cache.
    """
    if use_cache:
        found = load(cache_dir, key)
        if found is not None:
            return found, True
    estimates = compute()
    store(cache_dir, key, estimates)
    return estimates, False
