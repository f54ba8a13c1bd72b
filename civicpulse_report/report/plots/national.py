"""Figures for the national draft: LAs against England without over-claiming.

A caterpillar plot of every LA with its interval, coloured and shaped by
its significance band (never a bare league table); the bands per domain; the
all-LA quadrant by significance; the LAs whose rank moves most between the
old lens and the new; active citizenship against its drivers; the
interventions the LA reports call for; and England's change since the last
wave. Every chart is drawn from bundle records and returns a Figure;
significance is shown by colour *and* marker shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    ENGLAND_COLOUR,
    FIG_WIDTH,
    MUTED,
    SIGNIFICANCE_STYLE,
    Record,
    text_colour_on,
    value_or_nan,
    wrap_label,
)

#: Significance-based quadrant labels: colour and marker ("not clearly placed" is grey).
QUADRANT_STYLE: dict[str, dict[str, str]] = {
    "hidden need": {"color": SIGNIFICANCE_STYLE["worse"]["color"], "marker": "v"},
    "hidden assets": {"color": SIGNIFICANCE_STYLE["better"]["color"], "marker": "^"},
    "strong on both": {"color": ACCESSIBLE["green"], "marker": "D"},  # 5.7:1 on white
    "low on both": {"color": ACCESSIBLE["purple"], "marker": "s"},  # 8.6:1 on white
    "not clearly placed": {"color": MUTED, "marker": "o"},
}
BAND_ORDER = ("worse", "lower", "similar", "higher", "better")
#: The previous wave and "no significant change" in the change chart: 5.1:1 on white
#: (Okabe-Ito grey, #999999, is 2.85:1: too light for a mark that carries meaning).
NO_CHANGE_COLOUR = ACCESSIBLE["grey"]


def _legend_above(ax: plt.Axes, handles: Sequence[object], ncol: int = 3) -> None:
    ax.legend(handles=list(handles), loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=ncol)


def _marker(sig: str, label: str | None = None) -> plt.Line2D:
    style = SIGNIFICANCE_STYLE.get(sig, SIGNIFICANCE_STYLE["not tested"])
    return plt.Line2D(
        [],
        [],
        linestyle="none",
        marker=style["marker"],
        color=style["color"],
        label=label or style["label"],
        markersize=6,
    )


def caterpillar_chart(
    rows: Sequence[Record], *, england: float, ylabel: str, n_labelled: int = 0
) -> Figure:
    """Every LA's estimate with its interval, lowest to highest, against England.

    Each LA is a dot with its confidence interval, coloured and shaped by
    whether it is significantly below, similar to or above England; England
    is the horizontal line. LAs are in order of their estimate, but no rank
    is printed: neighbouring LAs' intervals overlap. ``n_labelled`` names that
    many LAs at each end.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    ordered = sorted(
        (r for r in rows if not r.get("suppressed") and r.get("estimate") is not None),
        key=lambda r: (float(r["estimate"]), str(r.get("la_code", ""))),
    )
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.9))
    x = np.arange(len(ordered))
    used: set[str] = set()
    small = len(ordered) > 60
    for xi, row in zip(x, ordered, strict=True):
        sig = row.get("sig_england") or "not tested"
        style = SIGNIFICANCE_STYLE.get(sig, SIGNIFICANCE_STYLE["not tested"])
        used.add(sig)
        lo, hi = value_or_nan(row, "ci_lower"), value_or_nan(row, "ci_upper")
        # Opaque: a translucent interval would fall under 3:1 (vermillion at 0.8 is 2.95:1).
        ax.plot([xi, xi], [lo, hi], color=style["color"], linewidth=0.7 if small else 1.6)
        ax.plot(
            xi,
            float(row["estimate"]),
            marker=style["marker"],
            color=style["color"],
            markersize=2.6 if small else 6,
            linestyle="none",
        )
    ax.axhline(england, color=ENGLAND_COLOUR, linewidth=1.0)
    ends = min(n_labelled, len(ordered) // 2)
    low = list(zip(ordered[:ends], x[:ends], strict=True))
    high = list(zip(ordered[len(ordered) - ends :], x[len(ordered) - ends :], strict=True))
    # Names go below the lowest intervals and above the highest, reading inwards.
    for (row, xi), at_low in [*((p, True) for p in low), *((p, False) for p in high)]:
        ax.annotate(
            str(row.get("la_name", "")),
            (xi, value_or_nan(row, "ci_lower" if at_low else "ci_upper")),
            xytext=(2, -3) if at_low else (-2, 3),
            textcoords="offset points",
            ha="left" if at_low else "right",
            va="top" if at_low else "bottom",
            fontsize=8,
        )
    finite = [
        v for r in ordered for v in (value_or_nan(r, "ci_lower"), value_or_nan(r, "ci_upper"))
    ]
    finite = [v for v in [*finite, england] if not np.isnan(v)]
    if finite:
        pad = (max(finite) - min(finite)) * 0.08 or 1.0
        ax.set_ylim(min(finite) - pad, max(finite) + pad)
    ax.set_xticks([])
    ax.set_xlim(-1, max(len(ordered), 1))
    ax.set_xlabel(f"{len(ordered)} LAs, in order of their estimate (no rank is implied)")
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)
    england_handle = plt.Line2D([], [], color=ENGLAND_COLOUR, linewidth=1.0, label="England")
    _legend_above(ax, [*(_marker(s) for s in BAND_ORDER if s in used), england_handle], ncol=4)
    fig.tight_layout()
    return fig


def band_chart(rows: Sequence[Record], *, labels: Mapping[str, str]) -> Figure:
    """How many LAs are significantly below, similar to and above England, per index.

    ``rows`` are the bundle's ``bands`` records; ``labels`` maps an
    indicator id to its axis label. Bars are stacked and each segment is
    labelled with its count, so the figure reads without colour.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    rows = [r for r in rows if r.get("n_published")]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(2.0, 0.5 * len(rows) + 1.2)))
    y = np.arange(len(rows))[::-1]
    hatches = {"worse": "//", "lower": "//", "similar": "", "higher": "..", "better": ".."}
    used = []
    for yi, row in zip(y, rows, strict=True):
        left = 0.0
        for band in BAND_ORDER:
            n = int(row.get(f"n_{band}") or 0)
            if not n:
                continue
            colour = SIGNIFICANCE_STYLE[band]["color"]
            # Full-strength fills (each 3:1 against the white plot), white hatching and
            # separators, and each count in whichever of black or white reads on its fill,
            # on a patch of plain fill so the hatching never crosses it.
            ax.barh(yi, n, left=left, color=colour, hatch=hatches[band], edgecolor="white")
            ax.text(
                left + n / 2,
                yi,
                str(n),
                ha="center",
                va="center",
                fontsize=8,
                color=text_colour_on(colour),
                bbox={"boxstyle": "square,pad=0.25", "facecolor": colour, "edgecolor": "none"},
            )
            left += n
            if band not in used:
                used.append(band)
    ax.set_yticks(y, [wrap_label(labels.get(r["indicator"], r["indicator"]), 30) for r in rows])
    ax.set_xlabel("Number of LAs")
    ax.grid(axis="y", visible=False)
    handles = [
        Patch(
            facecolor=SIGNIFICANCE_STYLE[b]["color"],
            hatch=hatches[b],
            edgecolor="white",
            label=SIGNIFICANCE_STYLE[b]["label"],
        )
        for b in BAND_ORDER
        if b in used
    ]
    _legend_above(ax, handles)
    fig.tight_layout()
    return fig


def significance_quadrant_chart(
    rows: Sequence[Record], *, x_centre: float, y_centre: float, counts: Mapping[str, int]
) -> Figure:
    """Every LA on satisfaction (x) and drivers (y), marked by its significance-based quadrant.

    LAs whose two indices both differ significantly from England carry their
    quadrant's colour and marker; the rest ('not clearly placed') are grey
    circles. ``counts`` (label -> LAs) goes into the legend.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.8))
    for label, style in QUADRANT_STYLE.items():
        sub = [r for r in rows if r.get("quadrant_significant") == label]
        ax.scatter(
            [float(r["traditional"]) for r in sub],
            [float(r["drivers"]) for r in sub],
            s=14 if label == "not clearly placed" else 22,
            marker=style["marker"],
            color=style["color"],
            edgecolor="none",
            label=f"{label.capitalize()} ({counts.get(label, len(sub))})",
            zorder=2 if label == "not clearly placed" else 3,
        )
    ax.axvline(x_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.axhline(y_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.set_xlabel("Traditional satisfaction and perceptions index (England base wave = 100)")
    ax.set_ylabel("Civic Pulse drivers index (England base wave = 100)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    fig.tight_layout()
    return fig


def _spread(values: Sequence[float], gap: float, top: float) -> list[float]:
    """Label positions in the order of ``values``, at least ``gap`` apart, within 1..top."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [float(values[i]) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    overflow = placed[-1] - top if placed else 0.0
    if overflow > 0:  # pushed past the bottom: shift the run back up, keeping the gaps
        placed[-1] = top
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    out = [0.0] * len(values)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def rank_shift_chart(rows: Sequence[Record], *, n_las: int, old_label: str) -> Figure:
    """The LAs whose rank moves most: rank on the old lens (left) and on the drivers (right).

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    height = max(3.0, 0.32 * len(rows) + 1.6)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height))
    # Labels at least one line apart (in rank units), so LAs of similar rank stay legible.
    gap = n_las * 0.16 / max(height - 1.6, 1.0)
    old_at = _spread([float(r["rank_legacy"]) for r in rows], gap, n_las)
    new_at = _spread([float(r["rank_drivers"]) for r in rows], gap, n_las)
    for row, old_y, new_y in zip(rows, old_at, new_at, strict=True):
        old, new = float(row["rank_legacy"]), float(row["rank_drivers"])
        falls = new > old
        colour = SIGNIFICANCE_STYLE["worse" if falls else "better"]["color"]
        ax.plot([0, 1], [old, new], color=colour, marker="v" if falls else "^", linewidth=1.2)
        name = str(row.get("la_name", ""))
        ax.plot([-0.03, 0], [old_y, old], color=MUTED, linewidth=0.6)
        ax.plot([1, 1.03], [new, new_y], color=MUTED, linewidth=0.6)
        ax.text(-0.04, old_y, f"{name} ({int(old)})", ha="right", va="center", fontsize=8)
        ax.text(1.04, new_y, f"({int(new)}) {name}", ha="left", va="center", fontsize=8)
    ax.set_xlim(-0.8, 1.8)
    ax.set_ylim(n_las + 0.5, 0.5)
    ax.set_xticks([0, 1], [wrap_label(old_label, 34), "Civic Pulse drivers index"])
    ax.set_ylabel(f"Rank among {n_las} LAs (1 = highest)")
    ax.grid(axis="x", visible=False)
    handles = [
        plt.Line2D(
            [],
            [],
            color=SIGNIFICANCE_STYLE["worse"]["color"],
            marker="v",
            label="Lower on the drivers",
        ),
        plt.Line2D(
            [],
            [],
            color=SIGNIFICANCE_STYLE["better"]["color"],
            marker="^",
            label="Higher on the drivers",
        ),
    ]
    _legend_above(ax, handles, ncol=2)
    fig.tight_layout()
    return fig


def need_scatter(
    rows: Sequence[Record],
    *,
    x_centre: float,
    y_centre: float,
    highlight: Sequence[str],
    xlabel: str,
    ylabel: str,
) -> Figure:
    """Every LA on the drivers (x) and active citizenship (y); the double deficit highlighted.

    ``rows`` hold la_code, drivers and outcomes; LAs in ``highlight`` (those
    significantly below England on both) are red triangles, the rest grey.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    marked = set(highlight)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.4))
    rest = [r for r in rows if r["la_code"] not in marked]
    need = [r for r in rows if r["la_code"] in marked]
    ax.scatter(
        [float(r["drivers"]) for r in rest],
        [float(r["outcomes"]) for r in rest],
        s=12,
        color=MUTED,
        label="Other LAs",
    )
    ax.scatter(
        [float(r["drivers"]) for r in need],
        [float(r["outcomes"]) for r in need],
        s=24,
        marker="v",
        color=SIGNIFICANCE_STYLE["worse"]["color"],
        label=f"Significantly below England on both ({len(need)})",
    )
    ax.axvline(x_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.axhline(y_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    return fig


def count_bar_chart(
    rows: Sequence[Record], *, label_key: str, value_key: str, xlabel: str
) -> Figure:
    """Horizontal bars of counts, largest first as given, each labelled with its value.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(1.8, 0.36 * len(rows) + 1.0)))
    y = np.arange(len(rows))[::-1]
    values = [float(r.get(value_key) or 0) for r in rows]
    ax.barh(y, values, color=ACCESSIBLE["blue"], height=0.6)
    for yi, v in zip(y, values, strict=True):
        ax.text(v, yi, f" {int(v)}", va="center", fontsize=8)
    ax.set_yticks(y, [wrap_label(str(r.get(label_key, "")), 40) for r in rows])
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max([*values, 1]) * 1.12)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def change_chart(
    rows: Sequence[Record], *, labels: Mapping[str, str], previous: int, year: int
) -> Figure:
    """England's change per measure: the previous wave (hollow) to this one (filled, with CI).

    A filled marker is coloured and shaped by the change's direction when
    significant ('improved' / 'worsened'), grey (the accessible grey, 5.1:1) when
    not; the previous wave is a hollow marker in the same grey.

    Raises
    ------
    KeyError
        If a record or frame lacks a column it reads.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(2.0, 0.42 * len(rows) + 1.2)))
    y = np.arange(len(rows))[::-1]
    styles = {
        "improved": SIGNIFICANCE_STYLE["better"],
        "worsened": SIGNIFICANCE_STYLE["worse"],
        "rose": SIGNIFICANCE_STYLE["higher"],
        "fell": SIGNIFICANCE_STYLE["lower"],
    }
    used = set()
    for yi, row in zip(y, rows, strict=True):
        before, now = float(row["previous_estimate"]), float(row["estimate"])
        style = styles.get(str(row.get("direction")), {"color": NO_CHANGE_COLOUR, "marker": "o"})
        used.add(str(row.get("direction")))
        ax.plot([before, now], [yi, yi], color=MUTED, linewidth=1.5)
        ax.plot(
            before,
            yi,
            marker="o",
            markerfacecolor="white",
            color=NO_CHANGE_COLOUR,
            linestyle="none",
        )
        ax.plot(
            [value_or_nan(row, "ci_lower"), value_or_nan(row, "ci_upper")],
            [yi, yi],
            color=style["color"],
            linewidth=2,
        )
        ax.plot(
            now, yi, marker=style["marker"], color=style["color"], markersize=7, linestyle="none"
        )
    ax.set_yticks(y, [wrap_label(labels.get(r["indicator"], r["indicator"]), 32) for r in rows])
    ax.set_xlabel("Index (England, first wave = 100)")
    handles = [
        plt.Line2D(
            [],
            [],
            marker="o",
            markerfacecolor="white",
            color=NO_CHANGE_COLOUR,
            linestyle="none",
            label=str(previous),
        ),
        plt.Line2D(
            [],
            [],
            marker="o",
            color=NO_CHANGE_COLOUR,
            linestyle="none",
            label=f"{year}, no significant change",
        ),
    ]
    for key, label in (
        ("improved", "improved"),
        ("worsened", "worsened"),
        ("rose", "rose"),
        ("fell", "fell"),
    ):
        if key in used:
            handles.append(
                plt.Line2D(
                    [],
                    [],
                    marker=styles[key]["marker"],
                    color=styles[key]["color"],
                    linestyle="none",
                    label=f"{year}, significantly {label}",
                )
            )
    _legend_above(ax, handles, ncol=2)
    fig.tight_layout()
    return fig
