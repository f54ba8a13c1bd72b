"""Presentation helpers shared by the notebooks: safe markdown, tables, labels.

Notebooks only show numbers; these helpers turn bundle records into markdown
that pandoc and Quarto both read. Text that comes from data files (LA and
neighbourhood names) is untrusted and is escaped so it stays text.

Also the block under each figure (:func:`figure_data`): the figure's alt text,
handed to the renderer, and the numbers behind the chart as a table that the
HTML shows collapsed under "Show the data" (``templates/filters/html-figures.lua``),
built from the same bundle rows as the chart by the ``*_data`` helpers.
The captions that name the comparators are filled in after the run, by
:mod:`~civicpulse_report.report.captions`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from civicpulse_report.insight import (  # figure_of, is_proper_name, named_value: for the notebooks
    figure_of,  # noqa: F401
    format_ci,
    format_value,
    is_proper_name,  # noqa: F401
    named_value,  # noqa: F401
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$@~^:=\"'&%;/])")

SIGNIFICANCE_TEXT = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not tested": "Not tested",
}
#: The symbol beside each comparison's word (none for "not tested").
SIGNIFICANCE_MARK = {"better": "▲", "similar": "●", "worse": "▼", "higher": "▲", "lower": "▼"}
SIGNIFICANCE_SYMBOL = {
    "better": "▲ Better",
    "similar": "● Similar",
    "worse": "▼ Worse",
    "higher": "▲ Higher",
    "lower": "▼ Lower",
    "not tested": "–",
}


def read_facts(path: Path | str) -> dict[str, Any]:
    """Read a fact bundle written by :func:`civicpulse_report.report.facts.write_facts`.

    It lives here, with the notebooks' other helpers, so that a kernel reading
    its bundle imports nothing of the statistics behind it.
    """
    return json.loads(Path(path).read_text(encoding="utf-8"))


def escape_md(text: Any) -> str:
    """Backslash-escape every ASCII punctuation character (pandoc markdown rule).

    The result renders as the literal text in HTML, Typst and PDF, whatever
    markup it contains.
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def md_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    align: Sequence[str] | None = None,
    caption: str | None = None,
    label: str | None = None,
) -> str:
    """A pandoc pipe table. Cells are used as given (escape untrusted text first)."""
    align = align or ["l"] + ["r"] * (len(headers) - 1)
    marks = {"l": ":---", "r": "---:", "c": ":---:"}
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    text = "\n".join(lines) + "\n"
    if caption:
        text += f"\n: {caption}" + (f" {{#{label}}}" if label else "") + "\n"
    return text


def value(rec: Mapping[str, Any], key: str = "estimate") -> str:
    """A formatted estimate, or the suppression note."""
    if rec.get("suppressed"):
        return "suppressed"
    return format_value(rec.get(key), rec.get("type", "proportion"))


def interval(rec: Mapping[str, Any]) -> str:
    if rec.get("suppressed"):
        return "–"
    return format_ci(rec.get("ci_lower"), rec.get("ci_upper"), rec.get("type", "proportion"))


def significance(rec: Mapping[str, Any], key: str = "sig_england") -> str:
    """The comparison in a word, after its symbol; the symbol is hidden from screen readers.

    ``"[▲]{aria-hidden="true"} Better"``: the word says what the symbol shows, so
    assistive technology reads only "Better" (HTML); the PDF prints both.
    """
    flag = rec.get(key) or "not tested"
    mark, word = SIGNIFICANCE_MARK.get(flag), SIGNIFICANCE_TEXT.get(flag)
    if word is None:
        return "–"
    return word if mark is None else f'[{mark}]{{aria-hidden="true"}} {word}'


def change_text(rec: Mapping[str, Any]) -> str:
    """Change since the previous wave, with its significance in words."""
    change = rec.get("change")
    if rec.get("suppressed") or change is None:
        return "–"
    unit = " pts" if rec.get("type") == "proportion" else ""
    mark = " (significant)" if rec.get("change_significant") else ""
    rounded = round(float(change), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:+.1f}{unit}{mark}"


def fmt_int(number: Any) -> str:
    return "–" if number is None else f"{round(float(number)):,}"


def fmt_float(number: Any, places: int = 2) -> str:
    return "–" if number is None else f"{float(number):.{places}f}"


# --- the numbers behind each figure ----------------------------------------------

#: Where every number of a report is, for download (they sit beside report.html).
DOWNLOADS = (
    "Every number in this report, with its confidence interval and base: "
    "[tables.csv](tables.csv) (CSV) or [tables.xlsx](tables.xlsx) (Excel)."
)

Table = tuple[list[str], list[list[str]]]


def attribute(text: Any) -> str:
    """``text`` as a quoted pandoc attribute value: one line, backslashes and quotes escaped."""
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def figure_data(
    alt: str,
    caption: str,
    table: Table,
    *,
    align: Sequence[str] | None = None,
    summary: str = "Show the data",
) -> str:
    """The block shown right after a figure: its alt text and the numbers behind it.

    Parameters
    ----------
    alt : str
        The figure's alt text (plain text, e.g. from the bundle's ``figure_alt``);
        the renderer makes it the image's alt text in HTML and PDF.
    caption : str
        The data table's caption (markdown: escape names first).
    table : tuple of (headers, rows)
        From one of the ``*_data`` helpers below.
    align : sequence of str, optional
        Column alignments for :func:`md_table`.
    summary : str
        The text of the control that shows the table in HTML.

    Returns
    -------
    str
        A pandoc div ``::: {.figure-data alt=... summary=...}``: the HTML shows it
        collapsed under the figure with links to tables.csv and tables.xlsx; the
        PDF leaves it out (its tables and tables.csv hold the same numbers).

    Raises
    ------
    ValueError
        If ``alt`` is empty.
    """
    if not str(alt).strip():
        raise ValueError("a figure needs its alt text")
    headers, rows = table
    body = md_table(headers, rows, align=align, caption=caption)
    return (
        f"::: {{.figure-data alt={attribute(alt)} summary={attribute(summary)}}}\n"
        f"{body}\n{DOWNLOADS}\n:::\n"
    )


def estimate_data(
    rows: Sequence[Mapping[str, Any]],
    *,
    label_header: str,
    label_key: str = "label",
    comparator: str | None = "England",
) -> Table:
    """Estimates against a comparator: label, value, interval, comparator, comparison.

    ``comparator`` is the comparator's name as a column heading ("England", "the
    5 LAs in this data set"; markdown, escaped); None leaves both of its columns
    out (there is none).
    """
    headers = [label_header, "Area", "95% CI"]
    if comparator is not None:
        headers += [comparator, f"Compared with {comparator}"]
    return headers, [
        [
            escape_md(r.get(label_key, "")),
            value(r),
            interval(r),
            *([value(r, "england_value"), significance(r)] if comparator is not None else []),
        ]
        for r in rows
    ]


def spine_data(rows: Sequence[Mapping[str, Any]], *, comparator: str | None = "England") -> Table:
    """The spine chart's rows: the area and its comparator against the spread of all LAs.

    ``comparator`` names the centre ("England"; markdown, escaped); None leaves
    its columns out.
    """
    headers = ["Indicator", "Area"]
    if comparator is not None:
        headers += [f"Compared with {comparator}", comparator]
    headers += ["Lowest LA", "Middle 50% of LAs", "Highest LA"]

    def number(r: Mapping[str, Any], key: str) -> str:
        return format_value(r.get(key), r.get("type", "proportion"))

    return headers, [
        [
            escape_md(r.get("label", "")),
            value(r),
            *([significance(r), number(r, "england")] if comparator is not None else []),
            number(r, "min"),
            f"{number(r, 'q25')} to {number(r, 'q75')}",
            number(r, "max"),
        ]
        for r in rows
    ]


def trend_data(panels: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]]) -> Table:
    """The trend chart's rows: each panel's series, wave by wave, with intervals."""
    headers = ["Domain", "Wave", "Series", "Value", "95% CI"]
    out = []
    for title, series in panels.items():
        for name, rows in series.items():
            for r in sorted(rows, key=lambda r: int(r["wave"])):
                out.append(
                    [escape_md(title), str(r["wave"]), escape_md(name), value(r), interval(r)]
                )
    return headers, out


def legacy_data(rows: Sequence[Mapping[str, Any]]) -> Table:
    """The old-survey chart's rows: each older figure beside the Civic Pulse one now."""
    headers = [
        "Civic Pulse measure",
        "Older survey (area)",
        "95% CI",
        "Civic Pulse now (area)",
        "95% CI",
    ]

    def pair(r: Mapping[str, Any], prefix: str) -> list[str]:
        return [
            format_value(r.get(f"{prefix}_value"), "proportion"),
            format_ci(r.get(f"{prefix}_ci_lower"), r.get(f"{prefix}_ci_upper"), "proportion"),
        ]

    return headers, [
        [escape_md(r.get("label", "")), *pair(r, "legacy"), *pair(r, "civic_pulse")] for r in rows
    ]


def quadrant_data(rows: Sequence[Mapping[str, Any]], *, highlight: str) -> Table:
    """The quadrant chart's rows: every LA on both indices; the highlighted one says so."""
    headers = ["Local authority", "Traditional index", "Drivers index", "Quadrant"]
    return headers, [
        [
            escape_md(r.get("la_name") or r.get("la_code", ""))
            + (" (this area)" if r.get("la_code") == highlight else ""),
            format_value(r.get("traditional"), "mean"),
            format_value(r.get("drivers"), "mean"),
            escape_md(r.get("quadrant", "")),
        ]
        for r in rows
    ]


def lens_data(units: Sequence[Mapping[str, Any]]) -> Table:
    """The two-lens scatter's rows: each group or neighbourhood on both indices."""
    headers = ["Group or neighbourhood", "Kind", "Traditional index", "Drivers index",
               "95% CI (drivers)", "Fine on satisfaction, lacks drivers"]  # fmt: skip
    return headers, [
        [
            escape_md(u.get("label", "")),
            "Neighbourhood (modelled)" if u.get("kind") == "neighbourhood" else "Population group",
            format_value(u.get("traditional"), "mean"),
            format_value(u.get("drivers"), "mean"),
            format_ci(u.get("drivers_ci_lower"), u.get("drivers_ci_upper"), "mean"),
            "Yes" if u.get("flagged") else "No",
        ]
        for u in units
    ]


def priority_data(rows: Sequence[Mapping[str, Any]]) -> Table:
    """The priority chart's rows: rank, who or where, indicator, score, significance."""
    headers = ["Rank", "Who or where", "Indicator", "Priority score", "Significant gap"]
    return headers, [
        [
            str(r.get("rank", "")),
            escape_md(r.get("where", "")),
            escape_md(r.get("indicator_label", "")),
            fmt_float(r.get("score"), 3),
            "Yes" if r.get("significant") else "No",
        ]
        for r in rows
    ]


def tile_data(rows: Sequence[Mapping[str, Any]], *, comparator: str | None = "England") -> Table:
    """The tile map's rows: each neighbourhood's modelled estimate and interval.

    ``comparator`` names what the neighbourhoods are compared with (markdown,
    escaped); None leaves the comparison out.
    """
    headers = ["Neighbourhood", "Modelled estimate", "95% CI"]
    if comparator is not None:
        headers.append(f"Compared with {comparator}")
    return headers, [
        [
            escape_md(r.get("name") or r.get("area_code", "")),
            value(r),
            interval(r),
            *([significance(r)] if comparator is not None else []),
        ]
        for r in rows
    ]
