"""Authors' text that survives reruns: forewords, framing and commentary in Markdown files.

People edit a publication draft. They write their words in plain Markdown
files under ``data/config/narrative/`` (``national.md`` for the national
draft, ``<la_code>.md`` for a council's own foreword in its LA report), one
named section per level-2 heading (``## Foreword``, ``## Commentary:
drivers``, ...). :func:`read_narrative` splits a file into its sections, text
kept verbatim; the fact bundle carries them and the notebook places each
where its name says. Rerunning with new numbers never touches these files,
so the authors' words are kept. A missing file, or an empty section, means
that section is left out.

Rules, each a clear :class:`~civicpulse_report.errors.ConfigError` naming
the file, the line, the section and the fix: only the allowed section names
(:data:`NATIONAL_SECTIONS`, :data:`LA_SECTIONS`), each once; no level-1
heading inside a section (it would become a chapter); no images and no raw
HTML (a report is self-contained and offline, and text stays text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from civicpulse_report.errors import ConfigError, Problem
from civicpulse_report.inputs import check_la_code

NARRATIVE_DIR = "narrative"
NATIONAL_KEY = "national"

#: The Civic Pulse domains of the default measures.yml, in chapter order.
DEFAULT_DOMAINS = ("everyday", "contemporary", "drivers", "assets", "outcomes")


def national_sections(domain_ids: Sequence[str] = DEFAULT_DOMAINS) -> tuple[str, ...]:
    """The section names a national narrative file may have, in the order the draft places them.

    Foreword (before the executive summary), Framing (before the first
    chapter), one ``Commentary: <domain id>`` per domain chapter, then
    ``Commentary: groups``, ``Commentary: lenses``, ``Commentary:
    intervention``, ``Commentary: change`` and Conclusion (before the
    methodology).

    Raises
    ------
    None
        Any domain ids are accepted.
    """
    return (
        "Foreword",
        "Framing",
        *(f"Commentary: {d}" for d in domain_ids),
        "Commentary: groups",
        "Commentary: lenses",
        "Commentary: intervention",
        "Commentary: change",
        "Conclusion",
    )


NATIONAL_SECTIONS: tuple[str, ...] = national_sections()
#: An LA's narrative file holds the council's own foreword.
LA_SECTIONS: tuple[str, ...] = ("Foreword",)

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_SECTION = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_CHAPTER = re.compile(r"^#(?!#)\s")
_IMAGE = re.compile(r"!\[")
# A tag, but not a comment, an autolink (<https://...>) or an e-mail autolink.
_HTML_TAG = re.compile(r"<(?!!--)(?![A-Za-z][A-Za-z0-9+.\-]*:)(?![^>\s]*@)/?[A-Za-z][^>]*>")


def narrative_path(config_dir: Path, key: str) -> Path:
    """Where the narrative file for ``key`` lives: ``<config_dir>/narrative/<key>.md``.

    Parameters
    ----------
    config_dir : Path
        The configuration folder (``data/config`` by default).
    key : str
        ``'national'`` or an LA code such as E06000001.

    Returns
    -------
    Path
        The file's path; it need not exist.

    Raises
    ------
    ValueError
        If ``key`` is neither 'national' nor a valid LA code (a code becomes a
        path only once it is checked).
    """
    if key != NATIONAL_KEY and not check_la_code(key):
        raise ValueError(f"narrative key must be 'national' or an LA code, got {key!r}")
    return Path(config_dir) / NARRATIVE_DIR / f"{key}.md"


def _sections_for(path: Path) -> tuple[str, ...]:
    return NATIONAL_SECTIONS if path.stem == NATIONAL_KEY else LA_SECTIONS


def read_narrative(path: Path, *, allowed: Sequence[str] | None = None) -> dict[str, str]:
    """Read an authors' Markdown file into its named sections, text kept verbatim.

    Each level-2 heading (``## Foreword``) starts a section that runs to the
    next one; its text is kept exactly, bar leading and trailing blank lines.
    Anything above the first level-2 heading (a title, notes to authors) is
    not printed. Names match case-insensitively and come back as spelled in
    ``allowed``. Headings inside fenced code blocks do not count.

    Parameters
    ----------
    path : Path
        The file; a missing file gives ``{}``.
    allowed : sequence of str, optional
        The section names the file may have; by default
        :data:`NATIONAL_SECTIONS` for ``national.md`` and
        :data:`LA_SECTIONS` for any other file.

    Returns
    -------
    dict of str to str
        Section name -> Markdown text, in file order; empty sections are left out.

    Raises
    ------
    ConfigError
        Listing every problem at once: an unknown or repeated section name
        (naming the allowed ones), a level-1 heading inside a section, an
        image or raw HTML, or a file that is not UTF-8 text.
    """
    path = Path(path)
    if not path.is_file():
        return {}
    names = tuple(allowed) if allowed is not None else _sections_for(path)
    canonical = {n.casefold(): n for n in names}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [
                Problem(
                    str(path), f"the file is not UTF-8 text ({exc.reason})", hint="save it as UTF-8"
                )
            ]
        ) from None

    problems: list[Problem] = []
    sections: dict[str, list[str]] = {}
    current: str | None = None
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            if current is not None:
                sections[current].append(line)
            continue
        if opened:
            fence = opened.group(1)
        heading = _SECTION.match(line) if fence is None else None
        if heading:
            title = heading.group(1)
            name = canonical.get(" ".join(title.split()).casefold())
            if name is None:
                problems.append(
                    Problem(
                        str(path),
                        f"line {number}: section '## {title}' is not one this file may have",
                        hint="use one of: " + "; ".join(names),
                    )
                )
                current = None
            elif name in sections:
                problems.append(
                    Problem(
                        str(path),
                        f"line {number}: section '## {name}' appears more than once",
                        hint="merge the two into one section",
                    )
                )
                current = None
            else:
                current = name
                sections[name] = []
            continue
        if current is None:
            continue
        where = f"line {number}, in section '## {current}'"
        if fence is None and _CHAPTER.match(line):
            problems.append(
                Problem(
                    str(path),
                    f"{where}: a level-1 heading would start a new chapter of the report",
                    hint="use '###' for a heading inside a section",
                )
            )
        if _IMAGE.search(line):
            problems.append(
                Problem(
                    str(path),
                    f"{where}: images are not allowed in authors' text",
                    hint="describe the point in words; the report draws its own figures",
                )
            )
        if fence is None and _HTML_TAG.search(line):
            problems.append(
                Problem(
                    str(path),
                    f"{where}: raw HTML is not allowed in authors' text",
                    hint="use Markdown (*emphasis*, **bold**, lists, links) instead",
                )
            )
        sections[current].append(line)
    if problems:
        raise ConfigError(problems, summary=f"{len(problems)} problem(s) in {path.name}")
    out = {}
    for name, lines in sections.items():
        body = "\n".join(lines).strip("\n")
        if body.strip():
            out[name] = body
    return out
