"""Typst in a forked process: a process forked after its parent compiled a PDF still compiles.

Typst's thread pool does not survive ``fork``: without the guard in
``render/pdf.compile_typst``, the child's first compile hangs for ever (this is
what deadlocked a pytest worker that rendered a PDF and then ran a build).
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from civicpulse_report.errors import RenderError
from civicpulse_report.render import pdf
from civicpulse_report.render.tools import typst_font_paths

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork start method")


def options(root: Path) -> dict:
    return {
        "root": str(root),
        "font_paths": [str(p) for p in typst_font_paths()],
        "ignore_system_fonts": True,
        "timestamp": 1_767_225_600,
        "pdf_standards": [],
    }


def _child(main: str, root: str, queue: multiprocessing.Queue) -> None:
    try:
        data, warnings = pdf.compile_typst(Path(main), options(Path(root)))
        queue.put(("ok", data, warnings))
    except Exception as exc:  # reported to the parent
        queue.put(("error", str(exc), []))


def compile_in_fork(main: Path) -> tuple[str, object, list]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(str(main), str(main.parent), queue))
    child.start()
    try:
        return queue.get(timeout=60)  # a hung compile never answers
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()


def test_a_process_forked_after_a_compile_still_compiles_the_same_bytes(tmp_path: Path) -> None:
    main = tmp_path / "doc.typ"
    main.write_text('#set document(title: "Fork")\n= Fork\nSame bytes either way.\n')
    here, _ = pdf.compile_typst(main, options(tmp_path))  # this process's Typst has now run
    assert here.startswith(b"%PDF")

    status, there, _ = compile_in_fork(main)

    assert status == "ok", there
    assert there == here


def test_a_typst_error_in_the_fresh_interpreter_reads_as_typst_s_message(tmp_path: Path) -> None:
    main = tmp_path / "broken.typ"
    main.write_text("#let x = \n= Broken\n#undefined-function()\n")
    with pytest.raises(RenderError) as here:
        pdf.compile_typst(main, options(tmp_path))

    status, message, _ = compile_in_fork(main)

    assert status == "error"
    assert "Typst could not compile the report" in str(message)
    assert str(message).splitlines()[0] == str(here.value).splitlines()[0]
