"""Estimates against a comparator (England, or what the data set has): dot-and-interval
charts, the spine chart, breakdowns.

Significance is shown by colour *and* marker shape, so no reading depends on
colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    ENGLAND_COLOUR,
    FIG_WIDTH,
    MIN_FONT_PT,
    SIGNIFICANCE_STYLE,
    Record,
    significance_label,
    value_or_nan,
    wrap_label,
)

# The spine chart's bars, each outlined so that its edge has at least 3:1 against what
# it touches (the range's against white, the middle half's against the range's fill);
# the LA's marker has a white halo and a black edge, so it stands out from either.
RANGE_FILL = "#ececec"
RANGE_EDGE = "#767676"
MIDDLE_FILL = "#b4b4b4"
MIDDLE_EDGE = "#4d4d4d"


def _significance_legend(
    ax: plt.Axes, used: Sequence[str], extra: Sequence[Any] = (), comparator: str = "England"
) -> None:
    """Legend above the plot, so it never collides with the axis label."""
    handles = [
        plt.Line2D(
            [],
            [],
            linestyle="none",
            marker=SIGNIFICANCE_STYLE[s]["marker"],
            color=SIGNIFICANCE_STYLE[s]["color"],
            label=significance_label(s, comparator),
            markersize=6,
        )
        for s in SIGNIFICANCE_STYLE
        if s in used
    ]
    ax.legend(
        handles=[*handles, *extra],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=min(4, len(handles) + len(extra)),
        borderaxespad=0.6,
    )


def _scale_key(row: Record) -> str:
    """Rows that can share an axis: all percentages, all indices, else one scale each."""
    indicator = str(row.get("indicator", ""))
    if indicator.startswith("index_"):
        return "index"
    if row.get("type", "proportion") == "proportion":
        return "percent"
    return indicator


def _draw_dots(
    ax: plt.Axes,
    rows: Sequence[Record],
    *,
    label_key: str,
    comparator_key: str,
    significance_key: str,
) -> set[str]:
    used: set[str] = set()
    n = len(rows)
    y = np.arange(n)[::-1]
    for yi, row in zip(y, rows, strict=True):
        if row.get("suppressed"):
            ax.text(
                0.01,
                yi,
                "suppressed (small base)",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=MIN_FONT_PT,
                color=ACCESSIBLE["text_grey"],
                style="italic",
            )
            continue
        sig = row.get(significance_key) or "not tested"
        style = SIGNIFICANCE_STYLE.get(sig, SIGNIFICANCE_STYLE["not tested"])
        used.add(sig)
        est, lo, hi = (value_or_nan(row, k) for k in ("estimate", "ci_lower", "ci_upper"))
        ax.plot([lo, hi], [yi, yi], color=style["color"], linewidth=2, solid_capstyle="butt")
        ax.plot(
            est,
            yi,
            marker=style["marker"],
            color=style["color"],
            markersize=7,
            markeredgecolor="white",
            markeredgewidth=0.6,
            linestyle="none",
        )
        comp = value_or_nan(row, comparator_key)
        if not np.isnan(comp):
            ax.plot(comp, yi, marker="|", color=ENGLAND_COLOUR, markersize=13, markeredgewidth=2)
    ax.set_yticks(y, [wrap_label(r.get(label_key, "")) for r in rows])
    ax.set_ylim(-0.7, n - 0.3)
    return used


def estimate_dot_chart(
    rows: Sequence[Record],
    *,
    label_key: str = "label",
    comparator_key: str = "england_value",
    comparator_label: str | None = "England",
    significance_key: str = "sig_england",
    xlabel: str | Mapping[str, str] = "",
    title: str | None = None,
) -> Figure:
    """Dots with 95% CIs for a set of estimates, against a comparator marker.

    Estimates on different scales (percentages, indices, a 1-5 or a 7-35
    score) are drawn in separate panels, each with its own axis, so that no
    scale is read against another. ``xlabel`` may map a scale key
    ('percent', 'index' or an indicator id) to its axis label. Suppressed
    rows are listed and say so, with no dot. ``comparator_label`` names the
    comparator's tick ("England", "the 5 LAs in this data set"); None: there
    is none, and the legend has no tick.
    """
    panels: dict[str, list[Record]] = {}
    for row in rows:
        panels.setdefault(_scale_key(row), []).append(row)
    heights = [len(r) + 0.9 for r in panels.values()]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(FIG_WIDTH, max(1.9, 0.42 * sum(heights) + 0.9)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    used: set[str] = set()
    for ax, (key, panel_rows) in zip(axes[:, 0], panels.items(), strict=True):
        used |= _draw_dots(
            ax,
            panel_rows,
            label_key=label_key,
            comparator_key=comparator_key,
            significance_key=significance_key,
        )
        if isinstance(xlabel, Mapping):
            ax.set_xlabel(xlabel.get(key, panel_rows[0].get("unit_label", "")))
        elif len(panels) == 1:
            ax.set_xlabel(xlabel)
        else:
            ax.set_xlabel("Per cent" if key == "percent" else panel_rows[0].get("unit_label", key))
    if title:
        axes[0, 0].set_title(title, loc="left")
    comp_handle = plt.Line2D(
        [],
        [],
        linestyle="none",
        marker="|",
        color=ENGLAND_COLOUR,
        markersize=11,
        markeredgewidth=2,
        label=wrap_label(comparator_label or "", 28),
    )
    ci_handle = plt.Line2D(
        [], [], color=ACCESSIBLE["grey"], linewidth=2, label="95% confidence interval"
    )
    extra = [comp_handle, ci_handle] if comparator_label is not None else [ci_handle]
    _significance_legend(axes[0, 0], sorted(used), extra, comparator_label or "England")
    fig.tight_layout()
    return fig


def spine_chart(
    rows: Sequence[Record], *, title: str | None = None, comparator: str = "England"
) -> Figure:
    """Fingertips-style spine chart of every indicator against England (``comparator``).

    Each indicator is rescaled so England sits at the centre and the LA
    furthest from England sits at the edge; the grey bar spans the lowest to
    the highest LA, the darker bar the middle 50% of LAs (25th to 75th
    percentile). Indicators are oriented so that better is always to the right
    (neutral ones as measured). The LA is the coloured marker.
    """
    n = len(rows)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(2.0, 0.24 * n + 1.3)))
    y = np.arange(n)[::-1]
    used: set[str] = set()
    for yi, row in zip(y, rows, strict=True):
        eng = value_or_nan(row, "england")
        points = {k: value_or_nan(row, k) for k in ("min", "q25", "q75", "max", "estimate")}
        half = np.nanmax([abs(points["min"] - eng), abs(points["max"] - eng), 1e-9])
        flip = -1.0 if row.get("polarity") == "lower_is_better" else 1.0
        scaled = {k: flip * (v - eng) / half for k, v in points.items()}
        lo, hi = sorted((scaled["min"], scaled["max"]))
        ax.barh(
            yi, hi - lo, left=lo, height=0.62, color=RANGE_FILL, edgecolor=RANGE_EDGE, linewidth=0.6
        )
        q_lo, q_hi = sorted((scaled["q25"], scaled["q75"]))
        ax.barh(
            yi,
            q_hi - q_lo,
            left=q_lo,
            height=0.62,
            color=MIDDLE_FILL,
            edgecolor=MIDDLE_EDGE,
            linewidth=0.6,
        )
        if row.get("suppressed") or np.isnan(scaled["estimate"]):
            continue
        sig = row.get("sig_england") or "not tested"
        style = SIGNIFICANCE_STYLE.get(sig, SIGNIFICANCE_STYLE["not tested"])
        used.add(sig)
        ax.plot(
            scaled["estimate"],
            yi,
            marker=style["marker"],
            color=style["color"],
            markersize=7.5,
            markeredgecolor="black",
            markeredgewidth=0.7,
            linestyle="none",
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        )
    ax.axvline(0, color=ENGLAND_COLOUR, linewidth=1.2)
    ax.set_yticks(y, [wrap_label(r.get("label", ""), 40) for r in rows])
    ax.set_xlim(-1.08, 1.08)
    ax.set_xticks([-1, 0, 1], ["Worst LA", wrap_label(comparator, 24), "Best LA"])
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", visible=False)
    if title:
        ax.set_title(title, loc="left")
    extra = [
        Patch(facecolor=RANGE_FILL, edgecolor=RANGE_EDGE, label="Range of LAs"),
        Patch(facecolor=MIDDLE_FILL, edgecolor=MIDDLE_EDGE, label="Middle 50% of LAs"),
    ]
    _significance_legend(ax, sorted(used), extra, comparator)
    fig.tight_layout()
    return fig


def breakdown_chart(
    rows: Sequence[Record],
    *,
    xlabel: str,
    england: float | None = None,
    comparator_label: str | None = "England",
) -> Figure:
    """Groups within each breakdown, with CIs, against England, in two columns.

    ``comparator_label`` names what the groups are compared with ("England",
    "this LA's own average"); None: nothing, and the legend has no tick.

    Breakdowns are split over two panels sharing one x axis so that some
    thirty groups fit a page at a readable size.
    """
    by_breakdown: dict[str, list[Record]] = {}
    for row in rows:
        by_breakdown.setdefault(str(row.get("breakdown_label", row.get("breakdown"))), []).append(
            row
        )
    names = list(by_breakdown)
    total = sum(len(v) for v in by_breakdown.values())
    left: list[str] = []
    count = 0
    for name in names:
        if count >= total / 2 and left:
            break
        left.append(name)
        count += len(by_breakdown[name])
    columns = [left, [n for n in names if n not in left]]
    height = max(sum(len(by_breakdown[n]) + 0.6 for n in col) for col in columns)
    fig, axes = plt.subplots(1, 2, figsize=(FIG_WIDTH, max(2.2, 0.27 * height + 1.2)), sharex=True)
    used: set[str] = set()
    for ax, col in zip(axes, columns, strict=True):
        ordered = [
            {**row, "label": f"{name}: {row.get('group')}"}
            for name in col
            for row in by_breakdown[name]
        ]
        if not ordered:
            ax.axis("off")
            continue
        used |= _draw_dots(
            ax,
            ordered,
            label_key="label",
            comparator_key="england_value",
            significance_key="sig_england",
        )
        ax.set_yticklabels([wrap_label(r["label"], 26) for r in ordered], fontsize=MIN_FONT_PT)
        ax.set_xlabel(xlabel, fontsize=MIN_FONT_PT)
        if england is not None:
            ax.axvline(england, color=ENGLAND_COLOUR, linewidth=0.8, linestyle=":")
    comp_handle = plt.Line2D(
        [],
        [],
        linestyle="none",
        marker="|",
        color=ENGLAND_COLOUR,
        markersize=11,
        markeredgewidth=2,
        label=wrap_label(comparator_label or "", 28),
    )
    handles = [
        plt.Line2D(
            [],
            [],
            linestyle="none",
            marker=SIGNIFICANCE_STYLE[s]["marker"],
            color=SIGNIFICANCE_STYLE[s]["color"],
            label=significance_label(s, comparator_label or "England"),
        )
        for s in SIGNIFICANCE_STYLE
        if s in used
    ]
    if comparator_label is not None:
        handles.append(comp_handle)
    fig.legend(handles=handles, loc="upper center", ncol=4, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig
