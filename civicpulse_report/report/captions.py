"""Captions that name the comparators, filled in after a notebook has run.

A notebook's ``fig-cap``, ``tbl-cap`` and ``fig-alt`` cell options are fixed text
with fields (``{top}``, ``{within}``, ...); :func:`fill_captions` replaces them in
the executed notebook with what the bundle's comparators are called
(:func:`caption_fields`). Run by the pipeline, not by the notebooks, so a kernel
never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from civicpulse_report.insight import figure_of, is_proper_name
from civicpulse_report.report.present import escape_md

#: How a caption lists each comparator of the whole nation (as the report always has).
_NATION_LISTED = {
    "England": "England",
    "Region": "its region",
    "LA type": "LAs of the same type",
    "Nearest neighbours": "its nearest neighbours",
}
#: The comparators' names for the whole nation, by level.
_NATION_NAMES = {
    "england": "England",
    "region": "Region",
    "la_type": "LA type",
    "neighbours": "Nearest neighbours",
}
_OPTION_LINE = re.compile(r"^(#\|\s*)(fig-cap|tbl-cap|fig-alt)(\s*:\s*)(.*)$")
_FIELD = re.compile(r"\{([a-z_]+)\}")


def _listed(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def caption_fields(meta: Mapping[str, Any], *, markdown: bool = True) -> dict[str, str]:
    """The phrases a report's captions and figure descriptions name its comparators with.

    The LA notebook's ``fig-cap``, ``tbl-cap`` and ``fig-alt`` options hold
    ``{field}`` placeholders (cell options are fixed text, so they cannot name
    a comparator the data decide); :func:`fill_captions` puts these phrases in
    after the notebook has run. For the whole nation they give the captions'
    words as they have always been ("against England (black tick)"); for a
    pooled sample they name it ("against the 5 LAs in this data set (black
    tick)"); where there is no comparator the phrase is empty, so the caption
    names none.

    Parameters
    ----------
    meta : mapping
        A fact bundle's ``meta`` (its ``comparators``; a bundle without them is
        the whole nation).
    markdown : bool
        Escape the names for markdown (captions) or not (alt text).

    Returns
    -------
    dict of str to str
        Field name -> phrase (each empty phrase is ``""``; phrases that follow a
        word start with a space or comma).
    """
    scopes = meta.get("comparators") or {}
    esc = escape_md if markdown else str

    def scope_name(level: str) -> str | None:
        scope = scopes.get(level)
        if scope is None:
            return _NATION_NAMES.get(level, "England")
        return str(scope["name"]) if scope.get("available") else None

    top, within = scope_name("england"), scope_name("groups")
    listed = [
        _NATION_LISTED.get(name) or esc(name)
        for name in (scope_name(level) for level in _NATION_NAMES)
        if name is not None
    ]

    def phrases(prefix: str, name: str | None) -> dict[str, str]:
        if name is None:
            blank = ("vs", "comma_vs", "vs_tick", "tick", "centre", "line", "and", "trend_line", "marker",
                     "values", "lines", "ticks", "and_for")  # fmt: skip
            return {f"{prefix}_{k}": "" for k in blank} | {f"{prefix}_name": "no comparator"}
        n = esc(name)
        proper = is_proper_name(name)
        return {
            f"{prefix}_name": n,
            f"{prefix}_vs": f" against {n}",
            f"{prefix}_comma_vs": f", against {n}",
            f"{prefix}_vs_tick": f", against {n} (black tick)",
            f"{prefix}_tick": f" and a black tick for {n}",
            f"{prefix}_centre": f", with {esc(figure_of(name))} at the centre",
            f"{prefix}_line": f" a vertical line for {n} and",
            f"{prefix}_and": f" and {n}",
            f"{prefix}_trend_line": f" and a line for {n}",
            f"{prefix}_marker": (
                f", a marker shaped and coloured by comparison with {n} and a black tick for {n}"
            ),
            f"{prefix}_values": f"the {n} values" if proper else f"the values for {n}",
            f"{prefix}_lines": f"{n} lines" if proper else f"lines for {n}",
            f"{prefix}_ticks": f"{n} ticks" if proper else f"ticks for {n}",
            f"{prefix}_and_for": f" and for {n}",
        }

    return {
        **phrases("top", top),
        **phrases("within", within),
        "comparators_vs": f" against {_listed(listed)}" if listed else "",
    }


def fill_caption_options(
    source: str, fields: Mapping[str, str], alt_fields: Mapping[str, str]
) -> str:
    """A code cell's source with the ``{field}`` placeholders of its caption options filled in.

    Only the leading ``#|`` lines ``fig-cap``, ``tbl-cap`` (``fields``: markdown)
    and ``fig-alt`` (``alt_fields``: plain text) change; a placeholder that is
    not a field is left as it is. A double-quoted value stays valid YAML.
    """
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("#|"):
            break
        match = _OPTION_LINE.match(line)
        if match is None or "{" not in match.group(4):
            continue
        table = alt_fields if match.group(2) == "fig-alt" else fields
        quoted = match.group(4).startswith('"')

        def fill(m: re.Match[str], table: Mapping[str, str] = table, quoted: bool = quoted) -> str:
            text = table.get(m.group(1))
            if text is None:
                return m.group(0)
            return text.replace("\\", "\\\\").replace('"', '\\"') if quoted else text

        lines[i] = (
            match.group(1) + match.group(2) + match.group(3) + _FIELD.sub(fill, match.group(4))
        )
    return "\n".join(lines)


def fill_captions(notebook: Path, meta: Mapping[str, Any]) -> None:
    """Name the comparators in an executed LA notebook's captions, in place.

    Parameters
    ----------
    notebook : Path
        The executed notebook (``report.ipynb``); both renderers read its cell options.
    meta : mapping
        The fact bundle's ``meta`` it was run with.
    """
    nb = nbformat.read(notebook, as_version=4)
    fields, alt_fields = caption_fields(meta), caption_fields(meta, markdown=False)
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        filled = fill_caption_options(cell.source, fields, alt_fields)
        if filled != cell.source:
            cell.source, changed = filled, True
    if changed:
        nbformat.write(nb, notebook)
