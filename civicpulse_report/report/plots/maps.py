"""The neighbourhood tile map, shaded by modelled estimate."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from civicpulse_report.report.plots.style import (
    FIG_WIDTH,
    MIN_FONT_PT,
    Record,
    text_colour_on,
    wrap_label,
)


def tile_map(
    rows: Sequence[Record],
    *,
    value_label: str,
    england: float | None = None,
    reference_label: str = "England",
) -> Figure:
    """Neighbourhoods as tiles, shaded by their modelled estimate.

    Suppressed neighbourhoods are hatched and say so. The colour scale is
    sequential (cividis, colour-blind safe) and centred on nothing: its
    colourbar carries the England value (``england``, named ``reference_label``)
    as a reference tick.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.2))
    values = [
        float(r["estimate"])
        for r in rows
        if not r.get("suppressed") and r.get("estimate") is not None
    ]
    vmin, vmax = (min(values), max(values)) if values else (0.0, 1.0)
    if england is not None and values:
        vmin, vmax = min(vmin, england), max(vmax, england)
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    cmap = matplotlib.colormaps["cividis"]
    norm = matplotlib.colors.Normalize(vmin=vmin, vmax=vmax)
    xs = [int(r["tile_x"]) for r in rows]
    ys = [int(r["tile_y"]) for r in rows]
    for row in rows:
        x, yy = int(row["tile_x"]), -int(row["tile_y"])
        suppressed = row.get("suppressed") or row.get("estimate") is None
        face = "#f2f2f2" if suppressed else cmap(norm(float(row["estimate"])))
        ax.add_patch(
            Rectangle(
                (x, yy),
                0.94,
                0.94,
                facecolor=face,
                edgecolor="white",
                hatch="///" if suppressed else None,
                linewidth=1.5,
            )
        )
        colour = text_colour_on(face)
        name = wrap_label(str(row.get("name", "")), 14)
        value = "base < min" if suppressed else f"{float(row['estimate']):.1f}"
        ax.text(
            x + 0.47, yy + 0.6, name, ha="center", va="center", fontsize=MIN_FONT_PT, color=colour
        )
        ax.text(
            x + 0.47,
            yy + 0.22,
            value,
            ha="center",
            va="center",
            fontsize=MIN_FONT_PT + 1,
            color=colour,
            fontweight="bold",
        )
    ax.set_xlim(min(xs) - 0.1, max(xs) + 1.04)
    ax.set_ylim(-max(ys) - 0.1, -min(ys) + 1.04)
    ax.set_aspect("equal")
    ax.axis("off")
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(mappable, ax=ax, fraction=0.035, pad=0.02)
    bar.set_label(value_label, fontsize=MIN_FONT_PT)
    if england is not None:
        bar.ax.axhline(england, color="black", linewidth=1.5)
        # England as a labelled tick; drop ordinary ticks close enough to collide with it.
        span = vmax - vmin
        ticks = [t for t in bar.get_ticks() if vmin <= t <= vmax and abs(t - england) > 0.08 * span]
        bar.set_ticks([*ticks, england])
        bar.set_ticklabels([f"{t:.1f}" for t in ticks] + [f"{reference_label} {england:.1f}"])
    fig.tight_layout()
    return fig
