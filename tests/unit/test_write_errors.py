"""A full disk while recording a failure leaves the output tree exactly as it was (issue 11).

``record_failure`` writes ``<year>/failed/<la_code>/failure.json`` and
``keep_failed_notebook`` moves a failed build's notebook to
``<year>/failed/<la_code>/report.ipynb``. When the disk is full (``ENOSPC``)
at any step (making the folders, writing the bytes, moving the file into
place) the error goes on to the caller and nothing new is left behind: no
temporary file and no empty ``failed/`` or ``failed/<la_code>/`` folder. What
was there before (another LA's record, the LA's own earlier record or kept
notebook) is untouched.

The disk is filled by patching the one system call of each step to raise
``OSError(ENOSPC)``; a real, writable ``tmp_path`` holds the tree.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

from civicpulse_report.pipeline import publish
from civicpulse_report.report.index_page.collect import record_failure
from civicpulse_report.safe_files import new_folders

LA, OTHER = "X06000001", "X07000002"
NO_SPACE = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative path -> SHA-256), empty folders as ``/``."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir() and not any(path.iterdir()):
            found[rel + "/"] = "dir"
    return found


def full_disk(monkeypatch: pytest.MonkeyPatch, step: str, under: Path) -> None:
    """Make one step of writing below ``under`` fail with ENOSPC."""
    real = {"mkdir": os.mkdir, "fsync": os.fsync, "replace": os.replace}

    def inside(path: object) -> bool:
        return Path(os.fsdecode(path)).is_relative_to(under)  # type: ignore[arg-type]

    def mkdir(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        folder = Path(os.fsdecode(path))
        if inside(folder) and folder.name == LA and folder.parent.is_dir():
            raise NO_SPACE  # failed/ could be made, the LA's folder in it cannot
        return real["mkdir"](path, *args, **kwargs)

    def fsync(fd):  # type: ignore[no-untyped-def]
        raise NO_SPACE  # the bytes do not reach the disk

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if inside(dst):
            raise NO_SPACE
        return real["replace"](src, dst, *args, **kwargs)

    monkeypatch.setattr(os, step, {"mkdir": mkdir, "fsync": fsync, "replace": replace}[step])


def year_with(tmp_path: Path, *, other: bool, own_record: bool, own_notebook: bool) -> Path:
    year = tmp_path / "reports" / "2026"
    (year / LA).mkdir(parents=True)
    (year / LA / "report.html").write_text("<p>the previous report</p>", encoding="utf-8")
    (year / "index.html").write_text("<p>index</p>", encoding="utf-8")
    if other:
        record_failure(year, OTHER, "an older failure")
    if own_record:
        record_failure(year, LA, "the previous failure")
    if own_notebook:
        (year / "failed" / LA).mkdir(parents=True, exist_ok=True)
        (year / "failed" / LA / "report.ipynb").write_text("{}", encoding="utf-8")
    return year


STATES = {
    "nothing failed before": {"other": False, "own_record": False, "own_notebook": False},
    "another LA failed before": {"other": True, "own_record": False, "own_notebook": False},
    "its notebook is kept": {"other": False, "own_record": False, "own_notebook": True},
    "it failed before": {"other": True, "own_record": True, "own_notebook": True},
}
# Making the LA's folder fails only where it is not there yet.
NEW_FOLDER = ["nothing failed before", "another LA failed before"]
CASES = [
    *((step, state) for step in ("fsync", "replace") for state in STATES),
    *(("mkdir", state) for state in NEW_FOLDER),
]


@pytest.mark.parametrize(("step", "state"), CASES)
def test_a_failure_record_hitting_a_full_disk_leaves_the_tree_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, state: str
) -> None:
    year = year_with(tmp_path, **STATES[state])
    before = tree(tmp_path)
    full_disk(monkeypatch, step, tmp_path)

    with pytest.raises(OSError) as info:
        record_failure(year, LA, "notebook stage: boom", la_name="Ashbridge")

    assert info.value.errno == errno.ENOSPC
    assert tree(tmp_path) == before


def test_the_record_is_written_when_there_is_room(tmp_path: Path) -> None:
    """The same calls, unpatched, do write the record (the test above is not vacuous)."""
    year = year_with(tmp_path, other=False, own_record=False, own_notebook=False)
    path = record_failure(year, LA, "notebook stage: boom")
    assert path == year / "failed" / LA / "failure.json"
    assert json.loads(path.read_text(encoding="utf-8"))["reason"] == "notebook stage: boom"
    assert sorted(tree(year / "failed")) == [f"{LA}/failure.json"]


@pytest.mark.parametrize("step", ["mkdir", "replace"])
@pytest.mark.parametrize("state", NEW_FOLDER)
def test_a_kept_notebook_hitting_a_full_disk_leaves_the_tree_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, state: str
) -> None:
    year = year_with(tmp_path, **STATES[state])
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "report.ipynb").write_text('{"cells": []}', encoding="utf-8")
    before = tree(year)
    full_disk(monkeypatch, step, year)

    assert publish.keep_failed_notebook(staging, year, LA) is None

    assert tree(year) == before
    assert (staging / "report.ipynb").is_file()  # discarded with the staging folder


def test_new_folders_removes_only_what_it_made(tmp_path: Path) -> None:
    there = tmp_path / "there"
    there.mkdir()
    target = there / "a" / "b"
    with pytest.raises(RuntimeError), new_folders(target):
        assert target.is_dir()
        raise RuntimeError("the write failed")
    assert [p.name for p in tmp_path.iterdir()] == ["there"] and not any(there.iterdir())

    # A folder that another writer filled meanwhile stays, with what is in it.
    with pytest.raises(RuntimeError), new_folders(target):
        (there / "a" / "theirs.json").write_text("{}", encoding="utf-8")
        raise RuntimeError("the write failed")
    assert sorted(tree(there)) == ["a/theirs.json"]

    with new_folders(target) as made:  # success keeps them
        (made / "x").write_text("x", encoding="utf-8")
    assert (target / "x").is_file()
