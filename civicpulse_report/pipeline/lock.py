"""One build at a time per output folder, and write errors reported as messages.

:func:`build_lock` holds an exclusive ``flock`` on ``<out>/<year>/.lock`` for a
whole build, from tidying up an interrupted run to rewriting the index. A
second build into the same folder fails at once with :class:`BuildLockedError`
(exit code 2), naming the process that holds the lock, its host and when it
started (written into the lock file). The lock is the kernel's: it goes when
its holder ends, even when killed, so a stale file never blocks a build. The
file is removed when the build ends; a killed build's file is reused.

Forked workers inherit the lock's open file, so a worker that outlives a
killed parent still holds it until it, too, has gone.

:func:`reported_write_errors` turns a disk-full, read-only or permission error
in the output folder into :class:`OutputWriteError`, a message naming the file
and folder, never a traceback. The reports already published stay as they
were: each is replaced only by a complete new one (:mod:`.publish`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from civicpulse_report.errors import CivicPulseError

LOCK_FILE = ".lock"

#: ``errno`` values that mean "this folder cannot be written", not a bug.
WRITE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
)


class BuildLockedError(CivicPulseError):
    """Another build holds the output folder's lock. Nothing was written."""

    exit_code = 2


class OutputWriteError(CivicPulseError):
    """The output folder could not be written (disk full, read-only, no permission)."""

    exit_code = 1


def _holder_text(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "another process (it has not yet written its details)"
    pid = holder.get("pid", "?")
    host = holder.get("host")
    started = holder.get("started", "an unknown time")
    where = f" on {host}" if host and host != socket.gethostname() else ""
    text = f"process {pid}{where}, started {started}"
    command = holder.get("command")
    if command:
        text += f" ({command})"
    return text


def _read_holder(fd: int) -> dict[str, Any] | None:
    """The holder's details, waiting briefly for a holder that has just taken the lock."""
    for _ in range(20):
        with contextlib.suppress(OSError, ValueError):
            raw = os.pread(fd, 65536, 0)
            if raw.strip():
                data = json.loads(raw.decode("utf-8"))
                return data if isinstance(data, dict) else None
        time.sleep(0.05)
    return None


def _folder_error(folder: Path, exc: OSError) -> OutputWriteError:
    reason = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(folder) else ""
    return OutputWriteError(
        f"cannot write to the output folder {folder}{where}: {reason}. "
        "Free some space or make the folder writable, or choose another with --out. "
        "The reports already there are unchanged."
    )


#: The lock file descriptors this process holds. A forked worker closes its copies
#: (``os.register_at_fork``): a flock belongs to the open file, which a fork shares, so
#: a worker that outlived a killed parent would otherwise hold the folder's lock.
_HELD: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextlib.contextmanager
def build_lock(year_dir: Path) -> Iterator[Path]:
    """Hold the exclusive build lock of ``year_dir`` (created if missing) for the block.

    Raises
    ------
    BuildLockedError
        Another build holds the lock; nothing was written.
    OutputWriteError
        The folder or its lock file cannot be created or written.
    """
    year_dir = Path(year_dir)
    path = year_dir / LOCK_FILE
    try:
        year_dir.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise BuildLockedError(
                    f"another build is writing to {year_dir}: {_holder_text(holder)}. "
                    "Wait for it to finish, or build into another folder with --out. "
                    f"Nothing was written. (Lock file: {path})"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            # The holder before us may have removed the file as it finished: then the
            # lock we hold is on a file nobody else sees, so start again.
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        try:
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv)),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        except BaseException:
            os.close(fd)
            raise
    except OSError as exc:
        raise _folder_error(year_dir, exc) from exc
    _HELD.add(fd)
    try:
        yield path
    finally:
        _HELD.discard(fd)
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def read_lock_holder(year_dir: Path) -> dict[str, Any] | None:
    """What the lock file of ``year_dir`` says of its holder (None when absent or unreadable)."""
    try:
        data = json.loads((Path(year_dir) / LOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def reported_write_errors(year_dir: Path) -> Iterator[None]:
    """Turn a write error (disk full, read-only, permission) in the block into a message.

    Raises
    ------
    OutputWriteError
        An ``OSError`` with one of :data:`WRITE_ERRNOS` escaped the block.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        raise _folder_error(Path(year_dir), exc) from exc
