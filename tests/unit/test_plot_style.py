"""The charts' look (issue 10): marks that can be seen, text that can be read, SVG that repeats.

Every mark that carries meaning has 3:1 against the white plot, every text colour
4.5:1, significance keeps a shape of its own besides its colour, and a chart leaves
the notebook as SVG with real text no smaller than MIN_FONT_PT, no timestamp, and
the same bytes every time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from civicpulse_report.report import plots
from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    MIN_FONT_PT,
    MUTED,
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
