"""Contrasts and priorities: the two-lens quadrant and scatter, old surveys, where to act."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    ENGLAND_COLOUR,
    FIG_WIDTH,
    LA_COLOUR,
    MIN_FONT_PT,
    MUTED,
    Record,
    value_or_nan,
    wrap_label,
)


def quadrant_chart(
    rows: Sequence[Record],
    *,
    highlight: str,
    x_centre: float,
    y_centre: float,
    highlight_label: str,
    index_reference: str = "England",
) -> Figure:
    """All LAs: traditional satisfaction index (x) against drivers index (y).

    ``index_reference`` is what the indices are 100 for in their base wave.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.8))
    xs = np.array([float(r["traditional"]) for r in rows])
    ys = np.array([float(r["drivers"]) for r in rows])
    ax.scatter(xs, ys, s=12, color=MUTED, edgecolor="none", label="Other LAs")
    ax.axvline(x_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.axhline(y_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    pad_x = (xs.max() - xs.min()) * 0.06 if len(xs) else 1
    pad_y = (ys.max() - ys.min()) * 0.06 if len(ys) else 1
    ax.set_xlim(xs.min() - pad_x, xs.max() + pad_x)
    ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    corner = {
        "hidden need": (0.98, 0.02, "right", "bottom"),
        "hidden assets": (0.02, 0.98, "left", "top"),
        "strong on both": (0.98, 0.98, "right", "top"),
        "low on both": (0.02, 0.02, "left", "bottom"),
    }
    for name, (cx, cy, ha, va) in corner.items():
        ax.text(
            cx,
            cy,
            name.capitalize(),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=MIN_FONT_PT,
            color=ACCESSIBLE["text_grey"],
            style="italic",
        )
    for row in rows:
        if row.get("la_code") == highlight:
            ax.errorbar(
                float(row["traditional"]),
                float(row["drivers"]),
                xerr=[
                    [float(row["traditional"]) - float(row["traditional_ci_lower"])],
                    [float(row["traditional_ci_upper"]) - float(row["traditional"])],
                ],
                yerr=[
                    [float(row["drivers"]) - float(row["drivers_ci_lower"])],
                    [float(row["drivers_ci_upper"]) - float(row["drivers"])],
                ],
                fmt="D",
                color=ACCESSIBLE["vermillion"],
                markersize=8,
                capsize=3,
                markeredgecolor="black",
                label=highlight_label,
                zorder=5,
            )
    base = f"{index_reference} base wave = 100"
    ax.set_xlabel(wrap_label(f"Traditional satisfaction and perceptions index ({base})", 80))
    ax.set_ylabel(wrap_label(f"Civic Pulse drivers index ({base})", 60))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    fig.tight_layout()
    return fig


#: How many of the units that look fine on satisfaction but lack drivers are labelled,
#: and how far apart (a fraction of the axes) two labelled points must be.
MAX_LENS_LABELS = 5
LABEL_SPACING = 0.12


def lens_scatter(rows: Sequence[Record], *, x_centre: float, y_centre: float) -> Figure:
    """Groups and neighbourhoods within the LA on the two lenses.

    Units that look fine on satisfaction but lack drivers (``flagged``) are ringed;
    up to :data:`MAX_LENS_LABELS` of them, lowest on drivers first, are labelled,
    leaving out any whose label would sit on another's.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.4))
    markers = {"neighbourhood": ("s", ACCESSIBLE["green"]), "group": ("o", LA_COLOUR)}
    for kind, (marker, colour) in markers.items():
        sub = [r for r in rows if r.get("kind") == kind]
        if not sub:
            continue
        ax.scatter(
            [float(r["traditional"]) for r in sub],
            [float(r["drivers"]) for r in sub],
            marker=marker,
            color=colour,
            s=28,
            label="Neighbourhoods (modelled)" if kind == "neighbourhood" else "Population groups",
            edgecolor="white",
            linewidth=0.5,
        )
    flagged = sorted((r for r in rows if r.get("flagged")), key=lambda r: float(r["drivers"]))
    if flagged:
        ax.scatter(
            [float(r["traditional"]) for r in flagged],
            [float(r["drivers"]) for r in flagged],
            marker="o",
            s=110,
            facecolor="none",
            edgecolor=ACCESSIBLE["vermillion"],
            linewidth=1.4,
            label="Fine on satisfaction, lacks drivers",
        )
    ax.axvline(x_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.axhline(y_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    # Labels for the lowest few only, skipping any too close to one already labelled
    # (every unit is in the data table under the chart).
    labelled: list[np.ndarray] = []
    ax.autoscale_view()
    to_axes = ax.transData + ax.transAxes.inverted()
    for r in flagged:
        if len(labelled) >= MAX_LENS_LABELS:
            break
        where = np.asarray(to_axes.transform((float(r["traditional"]), float(r["drivers"]))))
        if any(np.hypot(*(where - other)) < LABEL_SPACING for other in labelled):
            continue
        labelled.append(where)
        ax.annotate(
            wrap_label(str(r["label"]), 22),
            (float(r["traditional"]), float(r["drivers"])),
            xytext=(4, -8),
            textcoords="offset points",
            fontsize=MIN_FONT_PT,
            color=ACCESSIBLE["warning_text"],
        )
    ax.set_xlabel("Traditional satisfaction and perceptions index")
    ax.set_ylabel("Civic Pulse drivers index")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    fig.tight_layout()
    return fig


def priority_chart(rows: Sequence[Record]) -> Figure:
    """The ranked priority scores, labelled with who/where and the indicator."""
    n = len(rows)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(1.8, 0.38 * n + 1.0)))
    y = np.arange(n)[::-1]
    colours = [ACCESSIBLE["vermillion"] if r.get("significant") else MUTED for r in rows]
    ax.barh(y, [float(r["score"]) for r in rows], color=colours, height=0.6)
    ax.set_yticks(y, [wrap_label(f"{r['where']}: {r['indicator_label']}", 46) for r in rows])
    ax.set_xlabel("Priority score (gap x significance x population; see methodology)")
    ax.legend(
        handles=[
            Patch(color=ACCESSIBLE["vermillion"], label="Significant gap"),
            Patch(color=MUTED, label="Not significant"),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=2,
    )
    fig.tight_layout()
    return fig


def legacy_chart(rows: Sequence[Record]) -> Figure:
    """Place Survey 2008 figures beside the matching Civic Pulse measures now.

    Two separate markers per measure (not a line joining them), because the
    surveys differ in year, mode and wording: this is a contrast, not a trend.
    """
    n = len(rows)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(1.8, 0.5 * n + 1.1)))
    y = np.arange(n)[::-1]
    for yi, row in zip(y, rows, strict=True):
        legacy = value_or_nan(row, "legacy_value")
        now = value_or_nan(row, "civic_pulse_value")
        if not np.isnan(legacy):
            ax.plot(
                legacy,
                yi + 0.13,
                marker="s",
                color=ACCESSIBLE["grey"],
                markersize=7,
                linestyle="none",
            )
            lo, hi = value_or_nan(row, "legacy_ci_lower"), value_or_nan(row, "legacy_ci_upper")
            ax.plot([lo, hi], [yi + 0.13] * 2, color=ACCESSIBLE["grey"], linewidth=1.5)
        if not np.isnan(now):
            ax.plot(now, yi - 0.13, marker="o", color=LA_COLOUR, markersize=7, linestyle="none")
            lo, hi = (
                value_or_nan(row, "civic_pulse_ci_lower"),
                value_or_nan(row, "civic_pulse_ci_upper"),
            )
            ax.plot([lo, hi], [yi - 0.13] * 2, color=LA_COLOUR, linewidth=1.5)
    ax.set_yticks(y, [wrap_label(r.get("label", ""), 38) for r in rows])
    ax.set_xlabel("Per cent")
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.7, n - 0.3)
    handles = [
        plt.Line2D(
            [],
            [],
            marker="s",
            color=ACCESSIBLE["grey"],
            linestyle="none",
            label="Place Survey 2008 (this LA)",
        ),
        plt.Line2D(
            [],
            [],
            marker="o",
            color=LA_COLOUR,
            linestyle="none",
            label="Civic Pulse, latest wave (this LA)",
        ),
    ]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    return fig
