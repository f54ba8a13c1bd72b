"""Presentation helpers shared by the notebooks: safe markdown, tables, labels.

Notebooks only show numbers; these helpers turn bundle records into markdown
that pandoc and Quarto both read. Text that comes from data files (LA and
neighbourhood names) is untrusted and is escaped so it stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from civicpulse_report.insight import format_ci, format_value

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$@~^:=\"'&%;/])")

SIGNIFICANCE_TEXT = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "higher": "Higher",
    "lower": "Lower",
    "not tested": "Not tested",
}
SIGNIFICANCE_SYMBOL = {
    "better": "▲ Better",
    "similar": "● Similar",
    "worse": "▼ Worse",
    "higher": "▲ Higher",
    "lower": "▼ Lower",
    "not tested": "–",
}


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
    return SIGNIFICANCE_SYMBOL.get(rec.get(key) or "not tested", "–")


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
