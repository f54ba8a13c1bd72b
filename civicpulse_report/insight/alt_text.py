"""Alt text for the report's charts: what each chart shows, in words, from its numbers.

Owns the sentence a screen-reader user hears instead of a chart: the chart's
key result, with the numbers it rests on, then where the full data are. Each
``*_alt`` function takes the LA's name (``la_name``) and the rows the chart is
drawn from (plain records shaped like a fact bundle's), and returns the alt text
as one plain-text string (names are not escaped: the renderer puts it in an
attribute, as text). Numbers are written with
:func:`~civicpulse_report.insight.formatting.format_value`, the way every table
and tables.csv rounds them, so a reader can find each one.

Significance is taken from the rows' flags (``sig_england``: better, worse,
similar, higher, lower, not tested), never recomputed here. The comparator is
named for what it is (``comparator``: "England" for the whole nation, "the 5
LAs in this data set", "this LA's own average"); None means there is none, and
the text says so instead of quoting a comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from civicpulse_report.insight.formatting import format_value, is_missing
from civicpulse_report.insight.sentences import (
    figure_of,
    is_proper_name,
    possessive,
)

Row = Mapping[str, Any]

#: How many items of one kind an alt text names before it says "and N more".
MAX_NAMED = 3
#: Clauses in the order they are said: what differs from the comparator first.
_ORDER = ("worse", "better", "lower", "higher")


def data_note(table: str) -> str:
    """Where a chart's full data are: the ``table`` rows of tables.csv.

    Parameters
    ----------
    table : str
        The value of the ``table`` column of tables.csv for the chart's rows.

    Returns
    -------
    str
        One sentence.

    Raises
    ------
    ValueError
        If ``table`` is empty.
    """
    if not str(table).strip():
        raise ValueError("a chart's data note needs the tables.csv table it points to")
    return f"The numbers behind the chart are in tables.csv (table {table})."


def _number(row: Row, key: str = "estimate") -> str:
    return format_value(row.get(key), _value_type(row))


def _value_type(row: Row) -> str:
    kind = str(row.get("type") or "mean")
    return kind if kind in ("proportion", "mean", "index", "count") else "mean"


def _join(items: Sequence[str], sep: str = ", ") -> str:
    """'a', 'a and b', 'a, b and c' (with ``sep="; "``: 'a; b; and c')."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    last = " and " if sep == ", " else f"{sep}and "
    return sep.join(items[:-1]) + last + items[-1]


def _named(items: Sequence[str], limit: int = MAX_NAMED, sep: str = ", ") -> str:
    """At most ``limit`` of ``items``, then how many more there are."""
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    return _join(shown, sep)


def _plural(count: int, noun: str) -> str:
    """'1 indicator', '3 indicators' (nouns given in the plural, ending in s)."""
    return f"{count} {noun[:-1] if count == 1 and noun.endswith('s') else noun}"


def _gap(row: Row, comparator_key: str) -> float:
    value, other = row.get("estimate"), row.get(comparator_key)
    if is_missing(value) or is_missing(other):
        return 0.0
    return abs(float(value) - float(other))


def _shown(row: Row) -> bool:
    return not row.get("suppressed") and not is_missing(row.get("estimate"))


def significance_summary(
    la_name: str,
    rows: Sequence[Row],
    *,
    noun: str,
    label_key: str = "label",
    comparator_key: str = "england_value",
    significance_key: str = "sig_england",
    comparator: str | None = "England",
) -> str:
    """How many of ``rows`` differ significantly from the comparator, with the numbers.

    For example: "Millbridge is significantly worse than England on 1 of 5
    domains: Drivers of active citizenship (97.9 against 99.6); significantly
    better on 4: ...". The largest gaps are named first; rows that are similar
    are counted, or, when every row is similar, given as a range.

    Parameters
    ----------
    la_name : str
        The LA (or area) the rows describe.
    rows : sequence of mapping
        One record per chart row: ``estimate``, the comparator's value, the
        significance flag, ``type`` ('proportion' or 'mean'), ``suppressed``
        and a label.
    noun : str
        What the rows are, in the plural ("domains", "indicators", "groups").
    label_key, comparator_key, significance_key : str
        Where each row keeps its label, comparator value and flag.
    comparator : str or None
        The comparator's name; None when there is none (the rows are then
        described without a comparison).

    Returns
    -------
    str
        One sentence, ending with a full stop.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    if not rows:
        raise ValueError(f"no {noun} to describe for {la_name}")
    shown = [r for r in rows if _shown(r)]
    if comparator is None:
        return _uncompared(la_name, rows, shown, noun, label_key)
    by_flag: dict[str, list[Row]] = {}
    for row in shown:
        by_flag.setdefault(str(row.get(significance_key) or "not tested"), []).append(row)

    def item(row: Row) -> str:
        return f"{row.get(label_key)} ({_number(row)} against {_number(row, comparator_key)})"

    clauses: list[str] = []
    for flag in _ORDER:
        found = sorted(by_flag.get(flag, []), key=lambda r: -_gap(r, comparator_key))
        if not found:
            continue
        listed = _named([item(r) for r in found])
        if not clauses:
            share = "all" if len(found) == len(rows) else f"{len(found)} of"
            clauses.append(
                f"{la_name} is significantly {flag} than {comparator} on "
                f"{share} {_plural(len(rows), noun)}: {listed}"
            )
        else:
            clauses.append(f"significantly {flag} on {len(found)}: {listed}")
    similar = by_flag.get("similar", [])
    if similar and clauses:
        differing = sum(len(by_flag.get(flag, [])) for flag in _ORDER)
        rest = "the other " if differing + len(similar) == len(rows) else ""
        clauses.append(f"similar on {rest}{len(similar)}")
    elif similar:
        low = min(similar, key=lambda r: float(r["estimate"]))
        high = max(similar, key=lambda r: float(r["estimate"]))
        spread = (
            f"{low.get(label_key)} {_number(low)} against {_number(low, comparator_key)}"
            if low is high
            else f"from {_number(low)} ({low.get(label_key)}) to {_number(high)} "
            f"({high.get(label_key)})"
        )
        share = "all" if len(similar) == len(rows) else f"{len(similar)} of"
        clauses.append(
            f"{la_name} is similar to {comparator} on {share} {_plural(len(rows), noun)}, {spread}"
        )
    untested = by_flag.get("not tested", [])
    if untested:
        clauses.append(f"{len(untested)} not tested")
    hidden = len(rows) - len(shown)
    if hidden:
        clauses.append(f"{hidden} not published (too few respondents)")
    if not shown:
        return f"{la_name}: none of the {_plural(len(rows), noun)} can be published (too few respondents)."
    return "; ".join(clauses) + "."


def _uncompared(
    la_name: str, rows: Sequence[Row], shown: Sequence[Row], noun: str, label_key: str
) -> str:
    """The rows' range, when there is no comparator to set them against."""
    if not shown:
        return f"{la_name}: none of the {_plural(len(rows), noun)} can be published (too few respondents)."
    low = min(shown, key=lambda r: float(r["estimate"]))
    high = max(shown, key=lambda r: float(r["estimate"]))
    spread = (
        f"{low.get(label_key)} {_number(low)}"
        if low is high
        else f"from {_number(low)} ({low.get(label_key)}) to {_number(high)} ({high.get(label_key)})"
    )
    text = f"{la_name} is not compared with any wider area (there is none) on its {_plural(len(rows), noun)}: {spread}"
    hidden = len(rows) - len(shown)
    if hidden:
        text += f"; {hidden} not published (too few respondents)"
    return text + "."


def estimates_alt(
    la_name: str, rows: Sequence[Row], *, what: str, noun: str, table: str, **keys: str
) -> str:
    """Alt text for a dot chart of estimates against a comparator (domains, indicators, groups).

    Parameters
    ----------
    rows : sequence of mapping
        The chart's rows (see :func:`significance_summary`).
    what : str
        What the chart shows, e.g. "Everyday citizenship indicators".
    noun : str
        What the rows are, in the plural.
    table : str
        The tables.csv table with the chart's numbers.
    **keys : str
        ``label_key``, ``comparator_key``, ``significance_key`` and ``comparator``
        (its name, or None) when not the defaults.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    summary = significance_summary(la_name, rows, noun=noun, **keys)  # type: ignore[arg-type]
    return f"{what}, with 95% confidence intervals. {summary} {data_note(table)}"


def spine_alt(
    la_name: str, rows: Sequence[Row], *, n_las: int, comparator: str | None = "England"
) -> str:
    """Alt text for the spine chart: every indicator against the spread of all LAs.

    Parameters
    ----------
    rows : sequence of mapping
        Spine rows: ``label``, ``estimate``, ``england``, ``sig_england``,
        ``type``, ``suppressed``.
    n_las : int
        How many LAs the bars span.
    comparator : str or None
        What sits at the centre ("England"); None when nothing does.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    summary = significance_summary(
        la_name, rows, noun="indicators", comparator_key="england", comparator=comparator
    )
    centre = "" if comparator is None else f" with {figure_of(comparator)} at the centre"
    return (
        f"Spine chart of {_plural(len(rows), 'indicators')}, each against the range of "
        f"{n_las} LAs{centre}. {summary} {data_note('spine')}"
    )


def trend_alt(
    la_name: str, series: Mapping[str, Sequence[Row]], *, comparator: str | None = "England"
) -> str:
    """Alt text for the small-multiple trend chart: each domain's index across waves.

    Parameters
    ----------
    series : mapping of str to sequence of mapping
        Domain label -> the LA's trend rows for it (``wave``, ``estimate``,
        ``type``, ``suppressed``, and on the latest wave ``change`` and
        ``change_significant``).

    comparator : str or None
        The comparator drawn in black ("England"); None when none is drawn.

    When no domain has two published waves, the text says so.
    """
    moves = []
    for label, rows in series.items():
        published = sorted((r for r in rows if _shown(r)), key=lambda r: int(r["wave"]))
        if len(published) >= 2:
            first, last = published[0], published[-1]
            moves.append((float(last["estimate"]) - float(first["estimate"]), label, first, last))
    if not moves:
        drawn = (
            "so no lines are drawn"
            if comparator is None
            else f"so only {possessive(comparator, 'lines')} are drawn"
        )
        return (
            f"Domain indices for {la_name} across the survey waves: no domain has two waves "
            f"with enough respondents to publish, {drawn}. "
            f"{data_note('trend')}"
        )
    moves.sort(key=lambda m: m[0])
    first_wave, last_wave = int(moves[0][2]["wave"]), int(moves[0][3]["wave"])

    def move(entry: tuple[float, str, Row, Row]) -> str:
        _, label, first, last = entry
        return f"{label}, from {_number(first)} to {_number(last)}"

    parts = [f"Domain indices for {la_name}, {first_wave} to {last_wave}"]
    rises = [m for m in moves if m[0] > 0]
    falls = [m for m in moves if m[0] < 0]
    if rises:
        parts.append(f"the largest rise was {move(rises[-1])}")
    if falls:
        parts.append(f"the largest fall was {move(falls[0])}")
    changed = [
        f"{label} ({float(last['change']):+.1f})"
        for _, label, _, last in moves
        if last.get("change_significant") and not is_missing(last.get("change"))
    ]
    text = ": ".join(parts[:2]) + ("; " + parts[2] if len(parts) > 2 else "") + "."
    if changed:
        text += f" Changed significantly since the previous wave: {_join(changed)}."
    else:
        text += " No domain changed significantly since the previous wave."
    if comparator is not None:
        line = comparator if is_proper_name(comparator) else f"The line for {comparator}"
        text += f" {line} is drawn in black for comparison."
    return f"{text} {data_note('trend')}"
