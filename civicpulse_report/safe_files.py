"""Writing output files safely: formula-free spreadsheet text, and atomic replacement.

Two rules every stage that writes a file for people follows, kept in one place:

- **Untrusted text stays text** (ARCHITECTURE.md, decision 9). A text cell
  that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe in a CSV or XLSX export (OWASP's CSV injection
  advice), so that a name from a data file such as ``=HYPERLINK(...)`` never
  runs as a formula. Numbers, negative ones included, are numbers and are
  left alone. :func:`restore_cell` takes the apostrophe off again for a
  reader of a file this package wrote.
- **A reader never sees half a file.** :func:`atomic_write` and
  :func:`atomic_write_with` write to a temporary file in the target's folder,
  then move it into place with ``os.replace``; on any failure the temporary
  file is removed and the old file is left as it was. :func:`new_folders`
  makes the folders a write needs and removes them again if it fails, so a
  full disk or a read-only folder leaves nothing new behind.

A base module: it imports nothing of the package, so every stage may use it
(``render`` excepted, which may use only ``errors`` and ``paths``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

#: Text starting with one of these would run as a formula in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """One cell, made formula-safe: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_cell(value: object) -> object:
    """Undo :func:`neutralise_cell` (for reading back a file this package wrote)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def neutralise_formulas(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells prefixed with an apostrophe.

    Parameters
    ----------
    frame : DataFrame
    columns : iterable of str, optional
        The columns to neutralise; by default every text (object or string)
        column. Numeric columns are never touched.

    Returns
    -------
    DataFrame
    """
    out = frame.copy()
    names = list(out.columns) if columns is None else list(columns)
    for col in names:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    return out


def atomic_write_with(path: Path | str, write: Callable[[Path], None]) -> None:
    """Write ``path`` by calling ``write(temporary_path)``, then move it into place.

    The temporary file is in the same folder (so ``os.replace`` is atomic),
    is made readable by all (0o644) and is removed if ``write`` fails. The
    folder must exist.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    Creates the folder if needed and flushes the bytes to disk before the
    move, so a crash leaves either the old file or the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    atomic_write_with(path, write)


@contextlib.contextmanager
def new_folders(folder: Path) -> Iterator[Path]:
    """Make ``folder`` and its missing parents for a write; remove them if the write fails.

    Use it around the write (``with new_folders(path.parent): atomic_write(...)``):
    when the block raises (a full disk, a read-only folder), every folder it
    made that is still empty is removed again, deepest first, and the error
    goes on. Folders that were there before are never touched, nor is one
    another process has put a file in since.
    """
    folder = Path(folder)
    made: list[Path] = []
    probe = folder
    while not probe.is_dir() and probe != probe.parent:
        made.append(probe)
        probe = probe.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
    except BaseException:
        for path in made:  # deepest first
            with contextlib.suppress(OSError):
                path.rmdir()  # only if still empty
        raise
