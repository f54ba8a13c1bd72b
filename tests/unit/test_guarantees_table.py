"""README's "What this tool guarantees": every test it names exists, and runs in `make test`.

The table is the tool's promise; a test renamed or marked ``slow`` without the
table following it would leave a promise unproven. Each row's "Proven by" cell
names test files (``tests/.../test_x.py``), folders (``tests/browser/``) and
tests (``tests/.../test_x.py::test_name``, or ``::test_name`` for another test of
the file named last).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from civicpulse_report.paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def guarantee_rows() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## What this tool guarantees", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[1].startswith("`"):
            rows.append((cells[0], cells[1]))
    return rows


def named_tests(proof: str) -> list[tuple[Path, str | None]]:
    """(file or folder, test name or None) for every reference in a "Proven by" cell."""
    found: list[tuple[Path, str | None]] = []
    last_file: Path | None = None
    for ref in re.findall(r"`([^`]+)`", proof):
        path, _, name = ref.partition("::")
        if path and not path.startswith("tests/"):
            continue  # a command or a word in backticks, not a test
        if path:
            last_file = PROJECT_ROOT / path
            found.append((last_file, name or None))
        elif name and last_file is not None:
            found.append((last_file, name))
    return found


def test_the_table_has_its_rows() -> None:
    assert len(guarantee_rows()) >= 12


def _defined_tests(path: Path) -> dict[str, list[str]]:
    """Test functions of a file -> the names of their decorators (to spot ``slow``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            found[node.name] = [ast.unparse(d) for d in node.decorator_list]
    return found


@pytest.mark.parametrize("guarantee,proof", guarantee_rows(), ids=lambda v: v[:40])
def test_every_test_a_guarantee_names_exists_and_is_not_slow(guarantee: str, proof: str) -> None:
    refs = named_tests(proof)
    assert refs, f"no test named for: {guarantee}"
    for path, name in refs:
        assert path.exists(), f"{path.relative_to(PROJECT_ROOT)} (named for: {guarantee})"
        if path.is_dir():  # a test folder, or a corpus the tests read
            assert any(path.iterdir()), f"{path} is empty"
            continue
        text = path.read_text(encoding="utf-8")
        assert "pytestmark = pytest.mark.slow" not in text, f"{path.name} is all slow"
        if name is None:
            continue
        tests = _defined_tests(path)
        assert name in tests, f"{path.relative_to(PROJECT_ROOT)}::{name} (named for: {guarantee})"
        slow = [d for d in tests[name] if re.search(r"\bmark\.slow\b", d)]
        assert not slow, f"{name} is marked slow: make test would not run it"
