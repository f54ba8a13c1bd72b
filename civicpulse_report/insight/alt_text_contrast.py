"""Alt text for the contrast and where-to-act charts: legacy lens, quadrant, lens scatter,
priorities and neighbourhood tiles.

The same rules as :mod:`civicpulse_report.insight.alt_text` (the key result from
the numbers, then where the data are), whose helpers these share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicpulse_report.insight.alt_text import (
    Row,
    _join,
    _named,
    _number,
    _plural,
    _shown,
    _value_type,
    data_note,
)
from civicpulse_report.insight.formatting import format_value, is_missing
from civicpulse_report.insight.sentences import named_value


def legacy_alt(la_name: str, rows: Sequence[Row]) -> str:
    """Alt text for the old-survey chart: each Place Survey figure beside Civic Pulse now.

    Parameters
    ----------
    rows : sequence of mapping
        Legacy rows with ``label`` (the Civic Pulse measure), ``legacy_value``,
        ``legacy_year``, ``civic_pulse_value`` and ``civic_pulse_wave``.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    if not rows:
        raise ValueError(f"no older survey figures to describe for {la_name}")
    first = rows[0]
    pairs = [
        f"{r.get('label')}: {format_value(r.get('legacy_value'), 'proportion')} then, "
        f"{format_value(r.get('civic_pulse_value'), 'proportion')} now"
        for r in rows
    ]
    return (
        f"Place Survey {first.get('legacy_year')} figures for {la_name} beside Civic Pulse "
        f"{first.get('civic_pulse_wave')} on {_plural(len(rows), 'measures')}: "
        f"{_named(pairs, sep='; ')}. The surveys differ in mode and wording, so each pair is a "
        f"contrast, not a trend. {data_note('legacy')}"
    )


def quadrant_alt(
    la_name: str, this: Row, rows: Sequence[Row], *, comparator: str = "England"
) -> str:
    """Alt text for the quadrant chart of every LA on the two lenses.

    Parameters
    ----------
    this : mapping
        The LA's quadrant row: ``quadrant``, ``traditional``, ``drivers``,
        ``england_traditional``, ``england_drivers``.
    rows : sequence of mapping
        Every LA's quadrant row.
    comparator : str
        What the quadrant lines are the figures of ("England").
    """
    same = sum(1 for r in rows if r.get("quadrant") == this.get("quadrant"))
    return (
        f"{la_name} is in the {this.get('quadrant')} quadrant: traditional satisfaction "
        f"index {format_value(this.get('traditional'), 'mean')} against "
        f"{named_value(comparator, format_value(this.get('england_traditional'), 'mean'))}, "
        f"drivers index {format_value(this.get('drivers'), 'mean')} against "
        f"{named_value(comparator, format_value(this.get('england_drivers'), 'mean'))}. "
        f"{same} of the {len(rows)} "
        f"LAs are in that quadrant. {data_note('quadrant')}"
    )


def lens_alt(la_name: str, units: Sequence[Row]) -> str:
    """Alt text for the scatter of the LA's groups and neighbourhoods on the two lenses.

    Parameters
    ----------
    units : sequence of mapping
        Lens units: ``label``, ``kind`` ('group' or 'neighbourhood'),
        ``traditional``, ``drivers``, ``flagged``.

    Raises
    ------
    ValueError
        If ``units`` is empty.
    """
    units = [u for u in units if not is_missing(u.get("drivers"))]
    if not units:
        raise ValueError(f"no groups or neighbourhoods to describe for {la_name}")
    groups = sum(1 for u in units if u.get("kind") == "group")
    hoods = len(units) - groups

    def item(unit: Row) -> str:
        return (
            f"{unit.get('label')} (traditional {format_value(unit.get('traditional'), 'mean')}, "
            f"drivers {format_value(unit.get('drivers'), 'mean')})"
        )

    flagged = sorted((u for u in units if u.get("flagged")), key=lambda u: float(u["drivers"]))
    head = (
        f"{_plural(groups, 'population groups')} and {_plural(hoods, 'neighbourhoods')} "
        f"of {la_name} on the traditional satisfaction index and the drivers index"
    )
    if flagged:
        body = (
            f"{len(flagged)} look fine on satisfaction but lack drivers: "
            f"{_named([item(u) for u in flagged])}"
        )
    else:
        lowest = min(units, key=lambda u: float(u["drivers"]))
        body = f"none looks fine on satisfaction while lacking drivers; lowest on drivers: {item(lowest)}"
    return f"{head}; {body}. {data_note('lens')}"


def priorities_alt(la_name: str, rows: Sequence[Row], *, comparator: str = "England") -> str:
    """Alt text for the ranked priority-score bar chart.

    Parameters
    ----------
    rows : sequence of mapping
        Priority rows in rank order: ``where``, ``indicator_label``,
        ``estimate``, ``england_value``, ``type``, ``significant``.
    comparator : str
        What the gaps are to ("England", "this LA's own average").

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    if not rows:
        raise ValueError(f"no priority gaps to describe for {la_name}")
    top = rows[0]
    significant = sum(1 for r in rows if r.get("significant"))
    nexts = [f"{r.get('where')} ({r.get('indicator_label')})" for r in rows[1:3]]
    text = (
        f"The largest priority gap in {la_name} is {top.get('where')}, "
        f"{top.get('indicator_label')}: {_number(top)} against "
        f"{named_value(comparator, _number(top, 'england_value'))}"
        f"{'' if top.get('significant') else ' (not statistically significant)'}. "
        f"{significant} of the {_plural(len(rows), 'gaps')} shown are statistically significant."
    )
    if nexts:
        text += f" Next: {_join(nexts, sep='; ')}."
    return f"{text} {data_note('priorities')}"


def tiles_alt(
    la_name: str,
    rows: Sequence[Row],
    *,
    what: str,
    england: Any = None,
    comparator: str | None = "England",
) -> str:
    """Alt text for the neighbourhood tile map.

    Parameters
    ----------
    rows : sequence of mapping
        Neighbourhood rows: ``name``, ``estimate``, ``type``, ``suppressed``,
        ``sig_england``.
    what : str
        The measure shaded, e.g. "Modelled drivers index".
    england : float, optional
        The comparator's value, the reference on the colour scale.
    comparator : str or None
        The comparator's name ("England"); None when there is none.

    Raises
    ------
    ValueError
        If ``rows`` is empty.
    """
    if not rows:
        raise ValueError(f"no neighbourhoods to describe for {la_name}")
    shown = [r for r in rows if _shown(r)]
    text = f"{what} for the {_plural(len(rows), 'neighbourhoods')} of {la_name}"
    if shown:
        low = min(shown, key=lambda r: float(r["estimate"]))
        high = max(shown, key=lambda r: float(r["estimate"]))
        text += f": lowest {low.get('name')} ({_number(low)}), highest {high.get('name')} ({_number(high)})"
        if comparator is not None and not is_missing(england):
            text += f", against {named_value(comparator, format_value(england, _value_type(low)))}"
        if comparator is not None:
            below = sum(1 for r in shown if r.get("sig_england") == "worse")
            above = sum(1 for r in shown if r.get("sig_england") == "better")
            text += (
                f". {below} significantly worse than {comparator} and {above} significantly better"
            )
    hidden = len(rows) - len(shown)
    if hidden:
        text += f". {hidden} have too few respondents to publish"
    return f"{text}. {data_note('neighbourhoods')}"
