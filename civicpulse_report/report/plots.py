"""Figures for the reports, in one consistent colour-blind-safe style.

Every chart is drawn from rows of a fact bundle (plain records), never from
raw data, and returns a matplotlib Figure. Significance is shown by colour
*and* marker shape, so no reading depends on colour alone. The palette is
Okabe-Ito (Okabe and Ito 2008), safe for the common colour-vision deficiencies.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

Record = Mapping[str, Any]

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}

SIGNIFICANCE_STYLE: dict[str, dict[str, str]] = {
    "better": {"color": OKABE_ITO["blue"], "marker": "^", "label": "Better than England"},
    "similar": {"color": OKABE_ITO["orange"], "marker": "o", "label": "Similar to England"},
    "worse": {"color": OKABE_ITO["vermillion"], "marker": "v", "label": "Worse than England"},
    "higher": {"color": OKABE_ITO["sky"], "marker": "^", "label": "Higher than England"},
    "lower": {"color": OKABE_ITO["purple"], "marker": "v", "label": "Lower than England"},
    "not tested": {"color": OKABE_ITO["grey"], "marker": "s", "label": "Not tested"},
}

ENGLAND_COLOUR = OKABE_ITO["black"]
LA_COLOUR = OKABE_ITO["blue"]
MUTED = "#c8c8c8"
FIG_WIDTH = 7.2  # inches: fits an A4 text block and a 900px HTML column
DPI = 144


def use_report_style() -> None:
    """Apply the one report style. Called once by every notebook."""
    sns.set_theme(
        context="paper",
        style="whitegrid",
        font="DejaVu Sans",
        rc={
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (FIG_WIDTH, 4.0),
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "axes.labelsize": 9,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "grid.color": "#e6e6e6",
            "svg.hashsalt": "civicpulse",
        },
    )
    matplotlib.rcParams["axes.prop_cycle"] = matplotlib.cycler(color=list(OKABE_ITO.values()))
    _configure_inline_backend()


def _configure_inline_backend() -> None:
    """In a notebook: PNG figures only (no SVG/PDF copies in the executed notebook)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):  # only inside a Jupyter kernel
        return
    shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def _value_or_nan(row: Record, key: str) -> float:
    value = row.get(key)
    return float(value) if value is not None else float("nan")


def _significance_legend(ax: plt.Axes, used: Sequence[str], extra: Sequence[Any] = ()) -> None:
    """Legend above the plot, so it never collides with the axis label."""
    handles = [
        plt.Line2D(
            [],
            [],
            linestyle="none",
            marker=SIGNIFICANCE_STYLE[s]["marker"],
            color=SIGNIFICANCE_STYLE[s]["color"],
            label=SIGNIFICANCE_STYLE[s]["label"],
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
                fontsize=7,
                color=OKABE_ITO["grey"],
                style="italic",
            )
            continue
        sig = row.get(significance_key) or "not tested"
        style = SIGNIFICANCE_STYLE.get(sig, SIGNIFICANCE_STYLE["not tested"])
        used.add(sig)
        est, lo, hi = (_value_or_nan(row, k) for k in ("estimate", "ci_lower", "ci_upper"))
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
        comp = _value_or_nan(row, comparator_key)
        if not np.isnan(comp):
            ax.plot(comp, yi, marker="|", color=ENGLAND_COLOUR, markersize=13, markeredgewidth=2)
    ax.set_yticks(y, [_wrap(r.get(label_key, "")) for r in rows])
    ax.set_ylim(-0.7, n - 0.3)
    return used


def estimate_dot_chart(
    rows: Sequence[Record],
    *,
    label_key: str = "label",
    comparator_key: str = "england_value",
    comparator_label: str = "England",
    significance_key: str = "sig_england",
    xlabel: str | Mapping[str, str] = "",
    title: str | None = None,
) -> Figure:
    """Dots with 95% CIs for a set of estimates, against a comparator marker.

    Estimates on different scales (percentages, indices, a 1-5 or a 7-35
    score) are drawn in separate panels, each with its own axis, so that no
    scale is read against another. ``xlabel`` may map a scale key
    ('percent', 'index' or an indicator id) to its axis label. Suppressed
    rows are listed and say so, with no dot.
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
        label=comparator_label,
    )
    ci_handle = plt.Line2D(
        [], [], color=OKABE_ITO["grey"], linewidth=2, label="95% confidence interval"
    )
    _significance_legend(axes[0, 0], sorted(used), [comp_handle, ci_handle])
    fig.tight_layout()
    return fig


def spine_chart(rows: Sequence[Record], *, title: str | None = None) -> Figure:
    """Fingertips-style spine chart of every indicator against England.

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
        eng = _value_or_nan(row, "england")
        points = {k: _value_or_nan(row, k) for k in ("min", "q25", "q75", "max", "estimate")}
        half = np.nanmax([abs(points["min"] - eng), abs(points["max"] - eng), 1e-9])
        flip = -1.0 if row.get("polarity") == "lower_is_better" else 1.0
        scaled = {k: flip * (v - eng) / half for k, v in points.items()}
        lo, hi = sorted((scaled["min"], scaled["max"]))
        ax.barh(yi, hi - lo, left=lo, height=0.62, color="#e3e3e3", edgecolor="none")
        q_lo, q_hi = sorted((scaled["q25"], scaled["q75"]))
        ax.barh(yi, q_hi - q_lo, left=q_lo, height=0.62, color="#a9a9a9", edgecolor="none")
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
            markersize=7,
            markeredgecolor="black",
            markeredgewidth=0.5,
            linestyle="none",
        )
    ax.axvline(0, color=ENGLAND_COLOUR, linewidth=1.2)
    ax.set_yticks(y, [_wrap(r.get("label", ""), 40) for r in rows])
    ax.set_xlim(-1.08, 1.08)
    ax.set_xticks([-1, 0, 1], ["Worst LA", "England", "Best LA"])
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", visible=False)
    if title:
        ax.set_title(title, loc="left")
    extra = [
        Patch(color="#e3e3e3", label="Range of LAs"),
        Patch(color="#a9a9a9", label="Middle 50% of LAs"),
    ]
    _significance_legend(ax, sorted(used), extra)
    fig.tight_layout()
    return fig


def breakdown_chart(rows: Sequence[Record], *, xlabel: str, england: float | None = None) -> Figure:
    """Groups within each breakdown, with CIs, against England, in two columns.

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
        ax.set_yticklabels([_wrap(r["label"], 26) for r in ordered], fontsize=6.5)
        ax.set_xlabel(xlabel, fontsize=7.5)
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
        label="England",
    )
    handles = [
        plt.Line2D(
            [],
            [],
            linestyle="none",
            marker=SIGNIFICANCE_STYLE[s]["marker"],
            color=SIGNIFICANCE_STYLE[s]["color"],
            label=SIGNIFICANCE_STYLE[s]["label"],
        )
        for s in SIGNIFICANCE_STYLE
        if s in used
    ]
    fig.legend(handles=[*handles, comp_handle], loc="upper center", ncol=4, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def tile_map(rows: Sequence[Record], *, value_label: str, england: float | None = None) -> Figure:
    """Neighbourhoods as tiles, shaded by their modelled estimate.

    Suppressed neighbourhoods are hatched and say so. The colour scale is
    sequential (cividis, colour-blind safe) and centred on nothing: its
    colourbar carries the England value as a reference tick.
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
        colour = "black" if suppressed or norm(float(row["estimate"])) > 0.55 else "white"
        name = _wrap(str(row.get("name", "")), 14)
        value = "base < min" if suppressed else f"{float(row['estimate']):.1f}"
        ax.text(x + 0.47, yy + 0.6, name, ha="center", va="center", fontsize=6.2, color=colour)
        ax.text(
            x + 0.47,
            yy + 0.22,
            value,
            ha="center",
            va="center",
            fontsize=7,
            color=colour,
            fontweight="bold",
        )
    ax.set_xlim(min(xs) - 0.1, max(xs) + 1.04)
    ax.set_ylim(-max(ys) - 0.1, -min(ys) + 1.04)
    ax.set_aspect("equal")
    ax.axis("off")
    mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(mappable, ax=ax, fraction=0.035, pad=0.02)
    bar.set_label(value_label, fontsize=8)
    if england is not None:
        bar.ax.axhline(england, color="black", linewidth=1.5)
        # England as a labelled tick; drop ordinary ticks close enough to collide with it.
        span = vmax - vmin
        ticks = [t for t in bar.get_ticks() if vmin <= t <= vmax and abs(t - england) > 0.08 * span]
        bar.set_ticks([*ticks, england])
        bar.set_ticklabels([f"{t:.1f}" for t in ticks] + [f"England {england:.1f}"])
    fig.tight_layout()
    return fig


def trend_chart(series: Mapping[str, Sequence[Record]], *, ylabel: str) -> Figure:
    """Estimates across waves with 95% CI bands; one line per series."""
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    colours = [LA_COLOUR, ENGLAND_COLOUR, OKABE_ITO["orange"], OKABE_ITO["green"]]
    for (name, rows), colour in zip(series.items(), colours, strict=False):
        rows = [r for r in rows if not r.get("suppressed") and r.get("estimate") is not None]
        if not rows:
            continue
        waves = [int(r["wave"]) for r in rows]
        est = [float(r["estimate"]) for r in rows]
        ax.plot(waves, est, marker="o", color=colour, label=name)
        lo = [_value_or_nan(r, "ci_lower") for r in rows]
        hi = [_value_or_nan(r, "ci_upper") for r in rows]
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
                [_value_or_nan(r, "ci_lower") for r in rows],
                [_value_or_nan(r, "ci_upper") for r in rows],
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
        ax.set_title(_wrap(title, 28), fontsize=8, loc="left")
        waves_all = sorted({int(r["wave"]) for rows in series.values() for r in rows})
        ax.set_xticks(waves_all, [str(w) for w in waves_all], fontsize=7)
    for ax in axes[n:]:
        ax.axis("off")
    axes[0].set_ylabel(ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def quadrant_chart(
    rows: Sequence[Record],
    *,
    highlight: str,
    x_centre: float,
    y_centre: float,
    highlight_label: str,
) -> Figure:
    """All LAs: traditional satisfaction index (x) against drivers index (y)."""
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
            fontsize=8,
            color="#555555",
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
                color=OKABE_ITO["vermillion"],
                markersize=8,
                capsize=3,
                markeredgecolor="black",
                label=highlight_label,
                zorder=5,
            )
    ax.set_xlabel("Traditional satisfaction and perceptions index (England base wave = 100)")
    ax.set_ylabel("Civic Pulse drivers index (England base wave = 100)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    fig.tight_layout()
    return fig


def lens_scatter(rows: Sequence[Record], *, x_centre: float, y_centre: float) -> Figure:
    """Groups and neighbourhoods within the LA on the two lenses."""
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.4))
    markers = {"neighbourhood": ("s", OKABE_ITO["green"]), "group": ("o", OKABE_ITO["blue"])}
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
    flagged = [r for r in rows if r.get("flagged")]
    for r in flagged:
        ax.annotate(
            _wrap(str(r["label"]), 22),
            (float(r["traditional"]), float(r["drivers"])),
            xytext=(4, -8),
            textcoords="offset points",
            fontsize=6.5,
            color=OKABE_ITO["vermillion"],
        )
    ax.axvline(x_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.axhline(y_centre, color=ENGLAND_COLOUR, linewidth=0.8, linestyle="--")
    ax.set_xlabel("Traditional satisfaction and perceptions index")
    ax.set_ylabel("Civic Pulse drivers index")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    return fig


def priority_chart(rows: Sequence[Record]) -> Figure:
    """The ranked priority scores, labelled with who/where and the indicator."""
    n = len(rows)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, max(1.8, 0.38 * n + 1.0)))
    y = np.arange(n)[::-1]
    colours = [OKABE_ITO["vermillion"] if r.get("significant") else MUTED for r in rows]
    ax.barh(y, [float(r["score"]) for r in rows], color=colours, height=0.6)
    ax.set_yticks(y, [_wrap(f"{r['where']}: {r['indicator_label']}", 46) for r in rows])
    ax.set_xlabel("Priority score (gap x significance x population; see methodology)")
    ax.legend(
        handles=[
            Patch(color=OKABE_ITO["vermillion"], label="Significant gap"),
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
        legacy = _value_or_nan(row, "legacy_value")
        now = _value_or_nan(row, "civic_pulse_value")
        if not np.isnan(legacy):
            ax.plot(
                legacy,
                yi + 0.13,
                marker="s",
                color=OKABE_ITO["grey"],
                markersize=7,
                linestyle="none",
            )
            lo, hi = _value_or_nan(row, "legacy_ci_lower"), _value_or_nan(row, "legacy_ci_upper")
            ax.plot([lo, hi], [yi + 0.13] * 2, color=OKABE_ITO["grey"], linewidth=1.5)
        if not np.isnan(now):
            ax.plot(now, yi - 0.13, marker="o", color=LA_COLOUR, markersize=7, linestyle="none")
            lo, hi = (
                _value_or_nan(row, "civic_pulse_ci_lower"),
                _value_or_nan(row, "civic_pulse_ci_upper"),
            )
            ax.plot([lo, hi], [yi - 0.13] * 2, color=LA_COLOUR, linewidth=1.5)
    ax.set_yticks(y, [_wrap(r.get("label", ""), 38) for r in rows])
    ax.set_xlabel("Per cent")
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.7, n - 0.3)
    handles = [
        plt.Line2D(
            [],
            [],
            marker="s",
            color=OKABE_ITO["grey"],
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
