"""Write the bad-input corpus: one small, broken data folder per case, with what it must say.

Run from the project root::

    .venv/bin/python tests/data/bad/make_corpus.py

It writes a tiny valid data set with the demo generator (3 fictional LAs, two
waves, about 200 respondents) into ``_base/`` (which
``tests/integration/test_input_mutation.py`` mutates), then for each case of
``corpus_cases.py`` copies it into ``tests/data/bad/<case>/``, applies the
case's one corruption (with the tools of ``corpus_kit.py``) and writes the
case's ``expected.yml``: the command to run (``validate`` or ``build``), its
extra arguments, the exit code (2) and the substrings the message must hold,
which name the file, the column, the rows or key, and the fix.
``tests/integration/test_bad_input_corpus.py`` walks the folders.

The generated files are committed; regenerate after changing a case. Binary
``.xlsx`` and ``.sav`` files record when they were written, so they change on
every run even when nothing else does.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT), str(HERE)]

from corpus_cases import CASES  # noqa: E402
from corpus_kit import MEASURES, Case  # noqa: E402

from civicpulse_report.demo import DemoSpec, generate_demo, write_demo  # noqa: E402

SPEC = DemoSpec(n_las=3, waves=(2025, 2026), respondents=(30, 40), neighbourhoods=(2, 2), seed=8)
HEADER = (
    "# What this broken data folder must produce (written by make_corpus.py).\n"
    "# '{case}' in args is the path of the copy the test runs on.\n"
)


def write_base(out: Path) -> None:
    """The valid base data folder: the demo at a tiny size, without its truth and README."""
    written = write_demo(generate_demo(SPEC, MEASURES), out)
    for extra in ("truth", "readme"):
        written[extra].unlink()


def write_case(case: Case, base: Path, out: Path) -> None:
    """Copy the base folder to ``out``, break it as ``case`` says, and write expected.yml."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(base, out)
    case.make(out)
    expected = {
        "description": case.description,
        "command": case.command,
        "args": list(case.args),
        "exit_code": 2,
        "messages": list(case.messages),
    }
    text = yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, width=100)
    (out / "expected.yml").write_text(HEADER + text, encoding="utf-8")


def main() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), "two cases share a name"
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        write_base(base)
        for stale in (p for p in HERE.iterdir() if p.is_dir() and p.name not in names):
            if stale.name[0] not in "._" or stale.name == "_base":
                shutil.rmtree(stale)
        shutil.copytree(base, HERE / "_base")
        for case in CASES:
            write_case(case, base, HERE / case.name)
    print(f"wrote {len(CASES)} cases and _base/ to {HERE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
