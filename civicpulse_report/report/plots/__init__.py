"""Figures for the reports, in one consistent colour-blind-safe style.

Every chart is drawn from rows of a fact bundle (plain records), never from
raw data, and returns a matplotlib Figure. Significance is shown by colour
*and* marker shape, so no reading depends on colour alone. The palette starts
from Okabe-Ito (Okabe and Ito 2008), safe for the common colour-vision
deficiencies; ``ACCESSIBLE`` holds the colours with 3:1 (marks) or 4.5:1 (text)
against the white plot, and no chart text is under ``MIN_FONT_PT``.

The notebooks use this package as one namespace (``plots.use_report_style()``,
``plots.spine_chart(...)``); the charts live by subject in :mod:`.style`,
:mod:`.estimates`, :mod:`.maps`, :mod:`.trends`, :mod:`.contrast` and
:mod:`.national` (the national draft's charts).
"""

from civicpulse_report.report.plots.contrast import (
    legacy_chart,
    lens_scatter,
    priority_chart,
    quadrant_chart,
)
from civicpulse_report.report.plots.estimates import (
    breakdown_chart,
    estimate_dot_chart,
    spine_chart,
)
from civicpulse_report.report.plots.maps import tile_map
from civicpulse_report.report.plots.national import (
    band_chart,
    caterpillar_chart,
    change_chart,
    count_bar_chart,
    need_scatter,
    rank_shift_chart,
    significance_quadrant_chart,
)
from civicpulse_report.report.plots.style import (
    ACCESSIBLE,
    DPI,
    ENGLAND_COLOUR,
    FIG_WIDTH,
    LA_COLOUR,
    MIN_FONT_PT,
    MUTED,
    OKABE_ITO,
    SIGNIFICANCE_STYLE,
    Record,
    contrast_ratio,
    text_colour_on,
    use_report_style,
)
from civicpulse_report.report.plots.trends import small_multiples_trend, trend_chart

__all__ = [
    "ACCESSIBLE",
    "DPI",
    "ENGLAND_COLOUR",
    "FIG_WIDTH",
    "LA_COLOUR",
    "MIN_FONT_PT",
    "MUTED",
    "OKABE_ITO",
    "SIGNIFICANCE_STYLE",
    "Record",
    "band_chart",
    "breakdown_chart",
    "caterpillar_chart",
    "change_chart",
    "contrast_ratio",
    "count_bar_chart",
    "estimate_dot_chart",
    "legacy_chart",
    "lens_scatter",
    "need_scatter",
    "priority_chart",
    "quadrant_chart",
    "rank_shift_chart",
    "significance_quadrant_chart",
    "small_multiples_trend",
    "spine_chart",
    "text_colour_on",
    "tile_map",
    "trend_chart",
    "use_report_style",
]
