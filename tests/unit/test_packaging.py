"""The project's packaging and layout: what a new analyst relies on from a fresh clone."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
import yaml

from civicpulse_report.paths import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENVIRONMENT = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
#: Entries of environment.yml that are the toolchain, not a dependency of the package.
CONDA_TOOLCHAIN = {"python", "pip"}


def normalise(name: str) -> str:
    """PEP 503 name normalisation: case and runs of -_. do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(spec: str) -> tuple[str, str]:
    """``"pandas >=2.2"`` -> ``("pandas", ">=2.2")``; extras and markers are not used here."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)", spec)
    assert match, f"cannot read requirement {spec!r}"
    version = match.group(3).split(";")[0].replace(" ", "")
    return normalise(match.group(1)), version


def pyproject_requirements() -> dict[str, str]:
    project = PYPROJECT["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return dict(split_requirement(s) for s in specs)


def environment_requirements() -> dict[str, str]:
    specs: list[str] = []
    for entry in ENVIRONMENT["dependencies"]:
        if isinstance(entry, dict):
            # pip-section entries count; "-e ." and other options are not packages.
            specs += [s for s in entry.get("pip", []) if not s.strip().startswith("-")]
        else:
            specs.append(str(entry))
    found = dict(split_requirement(s) for s in specs)
    return {name: spec for name, spec in found.items() if name not in CONDA_TOOLCHAIN}


def test_environment_yml_and_pyproject_list_the_same_packages() -> None:
    in_pyproject, in_environment = set(pyproject_requirements()), set(environment_requirements())
    assert "pytest" in in_pyproject, "the dev extras were not read"
    assert {"pypandoc-binary", "typst"} <= in_environment, "the pip section was not read"
    assert in_pyproject - in_environment == set(), "in pyproject.toml only"
    assert in_environment - in_pyproject == set(), "in environment.yml only"


def test_environment_yml_and_pyproject_agree_on_versions() -> None:
    in_pyproject, in_environment = pyproject_requirements(), environment_requirements()
    differ = {
        name: (in_pyproject[name], in_environment[name])
        for name in in_pyproject.keys() & in_environment.keys()
        if in_pyproject[name] != in_environment[name]
    }
    assert differ == {}, "version bounds differ (pyproject, environment)"


def test_environment_python_meets_requires_python() -> None:
    pythons = [str(e) for e in ENVIRONMENT["dependencies"] if str(e).startswith("python")]
    assert len(pythons) == 1
    version = tuple(int(x) for x in re.findall(r"\d+", pythons[0])[:2])
    minimum = tuple(int(x) for x in re.findall(r"\d+", PYPROJECT["project"]["requires-python"]))
    assert version >= minimum[:2]


def test_console_script_is_declared_and_installed() -> None:
    target = PYPROJECT["project"]["scripts"]["civicpulse-report"]
    assert target == "civicpulse_report.cli:main"
    module, _, attribute = target.partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    installed = metadata.entry_points(group="console_scripts", name="civicpulse-report")
    assert [e.value for e in installed] == [target], "reinstall: pip install -e '.[dev]'"


def test_python_dash_m_runs_the_cli() -> None:
    """``python -m civicpulse_report.cli`` is the command too (the benchmarks and profiler use it)."""
    done = subprocess.run(
        [sys.executable, "-m", "civicpulse_report.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: civicpulse-report" in done.stdout


@pytest.mark.parametrize(
    "path",
    [
        "analysis/",
        "templates/",
        "data/",
        "civicpulse_report/",
        "reports/README.md",
        "_quarto.yml",
        "environment.yml",
        "README.md",
        "Makefile",
        "pyproject.toml",
        ".ci/run",
    ],
)
def test_top_level_layout(path: str) -> None:
    target = PROJECT_ROOT / path
    if path.endswith("/"):
        assert target.is_dir(), f"missing folder {path}"
        assert any(target.iterdir()), f"empty folder {path}"
    else:
        assert target.is_file(), f"missing file {path}"
        assert target.stat().st_size > 0


def test_ci_entry_point_is_executable() -> None:
    run = PROJECT_ROOT / ".ci" / "run"
    assert os.access(run, os.X_OK)
    assert run.read_text(encoding="utf-8").startswith("#!")


def test_reports_are_gitignored_except_the_readme() -> None:
    lines = [
        line.strip()
        for line in (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert any(re.fullmatch(r"/?reports/(\*\*?)?", line) for line in lines), lines
    assert any(re.fullmatch(r"!/?reports/README\.md", line) for line in lines), lines


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("reports/2026/X06000001/report.html", True),
        ("reports/2026/index.html", True),
        ("reports/README.md", False),
        ("civicpulse_report/build.py", False),
    ],
)
def test_git_ignores_built_reports(path: str, ignored: bool) -> None:
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode == 128:
        pytest.skip(f"not a git checkout: {done.stderr.strip()}")
    assert (done.returncode == 0) is ignored


def makefile_targets() -> dict[str, str]:
    """Documented targets (``name: deps ## help``) of the Makefile."""
    text = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z][A-Za-z0-9_-]*):[^\n#=]*## *(.+)$", text, re.M))


def test_makefile_has_documented_demo_test_and_help_targets() -> None:
    targets = makefile_targets()
    assert {"demo", "test", "help"} <= set(targets), sorted(targets)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_documented_target() -> None:
    done = subprocess.run(
        ["make", "-s", "help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = set(re.findall(r"make ([A-Za-z][A-Za-z0-9_-]*)", done.stdout))
    assert {"demo", "test", "help"} <= listed
    assert set(makefile_targets()) <= listed, done.stdout
