"""Estimates across waves: one trend chart, and small multiples per domain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    ENGLAND_COLOUR,
    FIG_WIDTH,
    LA_COLOUR,
    MIN_FONT_PT,
    Record,
    value_or_nan,
    wrap_label,
)


def trend_chart(series: Mapping[str, Sequence[Record]], *, ylabel: str) -> Figure:
    """Estimates across waves with 95% CI bands; one line per series."""
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    colours = [LA_COLOUR, ENGLAND_COLOUR, ACCESSIBLE["vermillion"], ACCESSIBLE["green"]]
    for (name, rows), colour in zip(series.items(), colours, strict=False):
        rows = [r for r in rows if not r.get("suppressed") and r.get("estimate") is not None]
        if not rows:
            continue
        waves = [int(r["wave"]) for r in rows]
        est = [float(r["estimate"]) for r in rows]
        ax.plot(waves, est, marker="o", color=colour, label=name)
        lo = [value_or_nan(r, "ci_lower") for r in rows]
        hi = [value_or_nan(r, "ci_upper") for r in rows]
        ax.fill_between(waves, lo, hi, color=colour, alpha=0.15, linewidth=0)
    all_waves = sorted({int(r["wave"]) for rows in series.values() for r in rows})
    ax.set_xticks(all_waves, [str(w) for w in all_waves])
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series))
    fig.tight_layout()
    return fig


def small_multiples_trend(
    panels: Mapping[str, Mapping[str, Sequence[Record]]], *, ylabel: str
) -> Figure:
    """One small trend panel per domain: LA and England across waves."""
    n = len(panels)
    cols = 3
    nrows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(FIG_WIDTH, 2.1 * nrows + 0.6), sharex=True)
    axes = np.atleast_1d(axes).ravel()
    colours = [LA_COLOUR, ENGLAND_COLOUR]
    for ax, (title, series) in zip(axes, panels.items(), strict=False):
        for (name, rows), colour in zip(series.items(), colours, strict=False):
            rows = [r for r in rows if not r.get("suppressed") and r.get("estimate") is not None]
            if not rows:
                continue
            waves = [int(r["wave"]) for r in rows]
            ax.plot(
                waves,
                [float(r["estimate"]) for r in rows],
                marker="o",
                markersize=3,
                color=colour,
                label=name,
            )
            ax.fill_between(
                waves,
                [value_or_nan(r, "ci_lower") for r in rows],
                [value_or_nan(r, "ci_upper") for r in rows],
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
        ax.set_title(wrap_label(title, 28), fontsize=MIN_FONT_PT + 1, loc="left")
        waves_all = sorted({int(r["wave"]) for rows in series.values() for r in rows})
        ax.set_xticks(waves_all, [str(w) for w in waves_all], fontsize=MIN_FONT_PT)
    for ax in axes[n:]:
        ax.axis("off")
    axes[0].set_ylabel(ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
