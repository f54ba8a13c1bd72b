"""The charts' look (issue 10): marks that can be seen, text that can be read, SVG that repeats.

Every mark that carries meaning has 3:1 against the white plot, every text colour
4.5:1, significance keeps a shape of its own besides its colour, and a chart leaves
the notebook as SVG with real text no smaller than MIN_FONT_PT, no timestamp, and
the same bytes every time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from civicpulse_report.report import plots
from civicpulse_report.report.plots.national import QUADRANT_STYLE
from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    MIN_FONT_PT,
    MUTED,
    OKABE_ITO,
    PRINT_FIGURE_KWARGS,
    SIGNIFICANCE_STYLE,
    contrast_ratio,
    text_colour_on,
)

WHITE = "#ffffff"


def test_contrast_ratio_matches_the_wcag_formula() -> None:
    assert contrast_ratio("black", "white") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "white") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#e69f00", "white") == pytest.approx(2.25, abs=0.01)  # the old "Similar"


@pytest.mark.parametrize("flag", sorted(SIGNIFICANCE_STYLE))
def test_every_significance_mark_has_3_to_1_against_the_plot(flag: str) -> None:
    assert contrast_ratio(SIGNIFICANCE_STYLE[flag]["color"], WHITE) >= 3.0


def test_each_significance_level_keeps_its_own_shape_and_word() -> None:
    judged = ("better", "similar", "worse")
    assert len({SIGNIFICANCE_STYLE[f]["marker"] for f in judged}) == 3
    assert len({SIGNIFICANCE_STYLE[f]["color"] for f in SIGNIFICANCE_STYLE}) == len(
        SIGNIFICANCE_STYLE
    )
    assert all(f.split()[0] in SIGNIFICANCE_STYLE[f]["label"].lower() for f in SIGNIFICANCE_STYLE)


def test_context_marks_and_chart_text_colours_can_be_seen() -> None:
    assert contrast_ratio(MUTED, WHITE) >= 3.0
    assert contrast_ratio(ACCESSIBLE["text_grey"], WHITE) >= 4.5
    assert contrast_ratio(ACCESSIBLE["warning_text"], WHITE) >= 4.5


@pytest.mark.parametrize("position", [0.0, 0.2, 0.45, 0.5, 0.55, 0.8, 1.0])
def test_tile_labels_take_the_colour_that_reads_on_their_tile(position: float) -> None:
    fill = matplotlib.colormaps["cividis"](position)
    chosen = text_colour_on(fill)
    other = "white" if chosen == "black" else "black"
    assert contrast_ratio(fill, chosen) >= contrast_ratio(fill, other)
    assert contrast_ratio(fill, chosen) >= 4.5


def rows() -> list[dict]:
    def row(label: str, estimate: float, sig: str) -> dict:
        return {"label": label, "indicator": label, "estimate": estimate, "ci_lower": estimate - 2,
                "ci_upper": estimate + 2, "england_value": 50.0, "sig_england": sig,
                "type": "proportion", "suppressed": False}  # fmt: skip

    return [row("Acts of kindness", 44.0, "worse"), row("Received help", 51.0, "similar"),
            {**row("Tiny", 0, "not tested"), "suppressed": True}]  # fmt: skip


def svg_of(fig: plt.Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", **PRINT_FIGURE_KWARGS)
    plt.close(fig)
    return buffer.getvalue().decode("utf-8")


@pytest.fixture
def styled() -> Iterator[None]:
    """The report style, for one test: rcParams are put back afterwards."""
    with matplotlib.rc_context():
        plots.use_report_style()
        yield


def test_charts_are_svg_with_real_text_no_smaller_than_the_minimum(styled: None) -> None:
    hoods = [{"name": f"Hood {i}", "estimate": 97.0 + i, "suppressed": i == 0, "tile_x": i % 3,
              "tile_y": i // 3, "type": "mean"} for i in range(6)]  # fmt: skip
    for fig in (
        plots.estimate_dot_chart(rows()),
        plots.tile_map(hoods, value_label="Index", england=99.0),
    ):
        svg = svg_of(fig)
        sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)]
        assert sizes and len(sizes) == svg.count("<text"), "chart text drawn as paths, not text"
        assert min(sizes) >= MIN_FONT_PT


def test_the_same_chart_gives_the_same_svg_bytes_with_no_date(styled: None) -> None:
    first, second = (
        svg_of(plots.estimate_dot_chart(rows())),
        svg_of(plots.estimate_dot_chart(rows())),
    )
    assert first == second
    assert "<dc:date>" not in first


# --------------------------------------------------------------------------
# Every meaningful mark in the drawn charts: 3:1 against what is behind it
# --------------------------------------------------------------------------

PLOTS_DIR = Path(plots.__file__).parent
RAW_PALETTE_REFERENCE = re.compile(r"OKABE_ITO\[\s*[\"'](\w+)[\"']\s*\]")


def test_no_plots_module_draws_with_a_raw_palette_colour_under_3_to_1() -> None:
    """Raw Okabe-Ito colours (grey #999999 is 2.85:1) only through ACCESSIBLE."""
    failing = []
    for module in sorted(PLOTS_DIR.glob("*.py")):
        if module.name == "style.py":  # where the palette is defined (and documented)
            continue
        for name in RAW_PALETTE_REFERENCE.findall(module.read_text(encoding="utf-8")):
            colour = OKABE_ITO[name]
            if contrast_ratio(colour, WHITE) < 3.0:
                failing.append(f"{module.name}: OKABE_ITO[{name!r}] {colour}")
    assert not failing, failing


@pytest.mark.parametrize("label", sorted(QUADRANT_STYLE))
def test_every_national_quadrant_mark_has_3_to_1_and_its_own_shape(label: str) -> None:
    assert contrast_ratio(QUADRANT_STYLE[label]["color"], WHITE) >= 3.0
    assert len({s["marker"] for s in QUADRANT_STYLE.values()}) == len(QUADRANT_STYLE)


def _over(rgba: Sequence[float], background: Sequence[float]) -> tuple[float, float, float]:
    """An RGBA colour as it is seen: composited over an opaque background."""
    red, green, blue, alpha = rgba
    return tuple(
        c * alpha + b * (1 - alpha) for c, b in zip((red, green, blue), background[:3], strict=True)
    )


def _rgba(colour: object, alpha: float | None) -> tuple[float, float, float, float] | None:
    if colour is None or (isinstance(colour, str) and colour.lower() == "none"):
        return None
    rgba = to_rgba(colour)
    return (*rgba[:3], rgba[3] if alpha is None else alpha * rgba[3])


def _is_drawn(value: object) -> bool:
    return value not in (None, "", " ", "None", "none")


def _mark_colours(artist: Artist) -> list[tuple[float, float, float, float]]:
    """The colours a reader sees of one mark: its line, marker face and edge, or fill."""
    alpha = artist.get_alpha()
    seen: list[object] = []
    if isinstance(artist, Line2D):
        if _is_drawn(artist.get_linestyle()) and artist.get_linewidth() > 0:
            seen.append(artist.get_color())
        if _is_drawn(artist.get_marker()):
            seen += [artist.get_markerfacecolor(), artist.get_markeredgecolor()]
    elif isinstance(artist, Collection):
        seen += list(artist.get_facecolor())
        if max(np.atleast_1d(artist.get_linewidth()), default=0) > 0:
            seen += list(artist.get_edgecolor())
    elif isinstance(artist, Patch):
        seen.append(artist.get_facecolor())
        if artist.get_linewidth() > 0:
            seen.append(artist.get_edgecolor())
    colours = (_rgba(c, alpha) for c in seen)
    return [c for c in colours if c is not None and c[3] > 0]


def _marks(fig: plt.Figure) -> Iterator[tuple[str, Artist]]:
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.collections, *ax.patches]:
            if artist.get_visible():
                yield f"{ax.get_label() or 'axes'}: {artist}", artist
        legend = ax.get_legend()
        if legend is not None:
            for handle in legend.legend_handles:
                if handle is not None and handle.get_visible():
                    yield f"legend: {handle}", handle


def mark_contrast_failures(fig: plt.Figure, minimum: float = 3.0) -> list[str]:
    """Marks none of whose visible colours has ``minimum`` contrast against white."""
    white = to_rgba(WHITE)
    failures = []
    for where, artist in _marks(fig):
        colours = _mark_colours(artist)
        if not colours:
            continue
        best = max(contrast_ratio(_over(c, white), WHITE) for c in colours)
        if best < minimum:
            failures.append(f"{where} {best:.2f}:1")
    return failures


def text_contrast_failures(fig: plt.Figure, minimum: float = 4.5) -> list[str]:
    """Text under ``minimum`` against the bar it sits on, or the white plot."""
    fig.canvas.draw()
    white = to_rgba(WHITE)
    failures = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        background = white
        ax = text.axes
        if ax is not None and text in ax.texts:
            box = text.get_window_extent()
            where = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
            under = [p for p in ax.patches if p.contains_point(where)]
            if under:
                fill = _rgba(under[-1].get_facecolor(), under[-1].get_alpha())
                background = (*_over(fill, white), 1.0)
        colour = _over(_rgba(text.get_color(), text.get_alpha()), white)
        ratio = contrast_ratio(colour, background[:3])
        if ratio < minimum:
            failures.append(f"{text.get_text()!r} {ratio:.2f}:1")
    return failures


def _national_rows() -> dict[str, list[dict]]:
    bands = ["worse", "lower", "similar", "higher", "better", "not tested"]
    las = [
        {"la_code": f"E0{i:07d}", "la_name": f"LA {i}", "estimate": 95.0 + i,
         "ci_lower": 93.0 + i, "ci_upper": 97.0 + i, "sig_england": bands[i % len(bands)],
         "suppressed": False, "traditional": 90.0 + 2 * i, "drivers": 110.0 - 2 * i,
         "outcomes": 95.0 + i, "rank_legacy": i + 1, "rank_drivers": 12 - i,
         "quadrant_significant": sorted(QUADRANT_STYLE)[i % len(QUADRANT_STYLE)]}
        for i in range(12)
    ]  # fmt: skip
    band_rows = [
        {"indicator": ind, "n_published": 12, "n_worse": 3, "n_lower": 2, "n_similar": 4,
         "n_higher": 1, "n_better": 2}
        for ind in ("index_drivers", "index_outcomes")
    ]  # fmt: skip
    directions = ["improved", "worsened", "rose", "fell", "no significant change"]
    change = [
        {"indicator": f"index_{d.split()[0]}", "previous_estimate": 99.0, "estimate": 100.5 + k,
         "ci_lower": 99.5 + k, "ci_upper": 101.5 + k, "direction": d}
        for k, d in enumerate(directions)
    ]  # fmt: skip
    used = [{"name": f"Intervention {i}", "n_las": 10 - i} for i in range(4)]
    return {"las": las, "bands": band_rows, "change": change, "used": used}


def national_figures() -> Iterator[tuple[str, plt.Figure]]:
    data = _national_rows()
    las = data["las"]
    labels = {r["indicator"]: r["indicator"] for r in [*data["bands"], *data["change"]]}
    yield "caterpillar", plots.caterpillar_chart(las, england=100.0, ylabel="Index", n_labelled=2)
    yield (
        "caterpillar, many LAs",
        plots.caterpillar_chart(
            [{**r, "la_code": f"{r['la_code']}{k}"} for k in range(7) for r in las],
            england=100.0,
            ylabel="Index",
        ),
    )
    yield "bands", plots.band_chart(data["bands"], labels=labels)
    yield (
        "quadrant",
        plots.significance_quadrant_chart(las, x_centre=100.0, y_centre=100.0, counts={}),
    )
    yield "rank shift", plots.rank_shift_chart(las[:6], n_las=12, old_label="Place Survey 2008")
    yield (
        "need",
        plots.need_scatter(
            las,
            x_centre=100.0,
            y_centre=100.0,
            highlight=[las[0]["la_code"]],
            xlabel="x",
            ylabel="y",
        ),
    )
    yield (
        "count bars",
        plots.count_bar_chart(data["used"], label_key="name", value_key="n_las", xlabel="LAs"),
    )
    yield "change", plots.change_chart(data["change"], labels=labels, previous=2023, year=2024)


def test_every_meaningful_mark_in_the_national_charts_has_3_to_1(styled: None) -> None:
    failures = []
    for name, fig in national_figures():
        failures += [f"{name}: {f}" for f in mark_contrast_failures(fig)]
        failures += [f"{name}: text {f}" for f in text_contrast_failures(fig)]
        plt.close(fig)
    assert not failures, "\n".join(failures)


def test_the_scan_catches_a_mark_that_cannot_be_seen(styled: None) -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=OKABE_ITO["grey"], marker="o")  # 2.85:1
    ax.plot([0, 1], [1, 0], color=ACCESSIBLE["blue"], alpha=0.3)  # light once blended
    # A hollow marker with a dark edge is fine.
    ax.plot([0.5], [0.5], marker="o", markerfacecolor="white", color=ACCESSIBLE["grey"])
    ax.barh([0], [1], color=ACCESSIBLE["grey"], alpha=0.45)
    ax.text(0.5, 0, "3", color="black")  # on the light bar: fine
    failures = mark_contrast_failures(fig)
    assert len(failures) == 3, failures
    assert not text_contrast_failures(fig)
    plt.close(fig)
