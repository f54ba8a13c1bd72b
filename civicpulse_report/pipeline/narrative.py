"""Which authors' Markdown files a run includes, read once before any work.

Authors keep their words in ``narrative/`` next to ``settings.yml``:
``national.md`` for the national draft and ``<la_code>.md`` for a council's
own foreword in its LA report. A missing file means that section is left
out. The files are read (and their sections checked, by ``report``) in the
pre-work checks, so a bad file stops the build before anything is written;
their hashes go into the manifests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.pipeline.options import NATIONAL
from civicpulse_report.report import read_narrative


def narrative_files(folder: Path, la_codes: Iterable[str], *, national: bool) -> dict[str, Path]:
    """The narrative files that exist for this run, by report (``national`` or LA code).

    Parameters
    ----------
    folder : Path
        The narrative folder (need not exist).
    la_codes : iterable of str
        The LAs built; each may have ``<la_code>.md``.
    national : bool
        Whether the national draft is built (``national.md``).

    Returns
    -------
    dict of str to Path
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    names = ([NATIONAL] if national else []) + list(la_codes)
    return {name: folder / f"{name}.md" for name in names if (folder / f"{name}.md").is_file()}


def read_narratives(
    files: Mapping[str, Path],
) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """Read each narrative file into its named sections.

    Parameters
    ----------
    files : mapping of str to Path
        From :func:`narrative_files`.

    Returns
    -------
    narratives : dict
        Report name -> section name -> Markdown text.
    problems : list of Problem
        What is wrong with the files (unknown or repeated sections, images,
        raw HTML, not UTF-8), every file's at once; empty when all read.
    """
    narratives: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for name, path in files.items():
        try:
            narratives[name] = dict(read_narrative(path))
        except InputError as error:
            problems += error.problems
    return narratives, problems
