"""The package's import graph follows the data flow (ARCHITECTURE.md).

A small AST walk over every module of ``civicpulse_report`` collects its own
imports, lazy ones inside functions included, and checks two rules:

- there is no import cycle between modules (a package's ``__init__`` counts as
  a module, so a module that imports its own package's public face while that
  face imports it back is a cycle too);
- a stage imports only the stages below it: ``statistics`` knows nothing of
  ``report``, ``render`` knows nothing of the Civic Pulse analysis, and so on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "civicpulse_report"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE

BASE = {"base"}
# Which stages each stage may import (itself included). "base" is the package
# root and its top-level modules: errors, paths, settings, measures.
ALLOWED: dict[str, set[str]] = {
    "base": BASE,
    "inputs": BASE | {"inputs"},
    # demo.council publishes the synthetic nation's benchmark file, as a national
    # release would: it runs the estimates, so demo may use statistics (never above).
    "demo": BASE | {"inputs", "statistics", "demo"},
    "statistics": BASE | {"inputs", "statistics"},
    "insight": BASE | {"inputs", "statistics", "insight"},
    "report": BASE | {"inputs", "statistics", "insight", "report"},
    "render": {"render"},  # plus RENDER_BASE, below
    "pipeline": BASE | {"inputs", "statistics", "insight", "report", "render", "pipeline"},
    "cli": BASE
    | {"inputs", "demo", "statistics", "insight", "report", "render", "pipeline", "cli"},
}
# render may use these base modules (errors, paths, and _yaml, the YAML reader,
# which imports nothing of the package) and nothing else of the package.
RENDER_BASE = {f"{PACKAGE}.errors", f"{PACKAGE}.paths", f"{PACKAGE}._yaml"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "base"
    if (ROOT / parts[1]).is_dir():
        return parts[1]
    return "cli" if parts[1] == "cli" else "base"


def imports_of(module: str, path: Path, modules: set[str]) -> set[str]:
    """Modules of the package that ``module`` imports, lazily or not."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in modules else target)
    return {m for m in found if m in modules and m != module}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


def test_walk_sees_the_whole_package(graph: dict[str, set[str]]) -> None:
    stages = {stage(m) for m in graph}
    assert {"inputs", "statistics", "insight", "report", "render", "pipeline"} <= stages
    assert f"{PACKAGE}.pipeline" in graph[f"{PACKAGE}.cli"] or any(
        m.startswith(f"{PACKAGE}.pipeline") for m in graph[f"{PACKAGE}.cli"]
    )


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None (iterative DFS)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_stages_import_only_downstream(graph: dict[str, set[str]]) -> None:
    wrong = []
    for module, targets in sorted(graph.items()):
        own = stage(module)
        for target in sorted(targets):
            other = stage(target)
            if own == "render":
                ok = other == "render" or target in RENDER_BASE
            else:
                ok = other in ALLOWED[own]
            if not ok:
                wrong.append(f"{module} ({own}) imports {target} ({other})")
    assert wrong == [], "\n".join(wrong)


def test_other_stages_use_the_public_face(graph: dict[str, set[str]]) -> None:
    """Across stages, code imports a subpackage's ``__init__``, not its private modules."""
    wrong = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            parts = target.split(".")
            if len(parts) > 2 and stage(target) != stage(module) and stage(module) != "cli":
                wrong.append(f"{module} imports {target}")
    assert wrong == [], "\n".join(wrong)


def test_detector_finds_a_planted_cycle_and_a_wrong_direction() -> None:
    planted = {
        f"{PACKAGE}.statistics.a": {f"{PACKAGE}.report.b"},
        f"{PACKAGE}.report.b": {f"{PACKAGE}.statistics.a"},
    }
    assert find_cycle(planted) is not None
    assert stage(f"{PACKAGE}.report.b") not in ALLOWED["statistics"]
