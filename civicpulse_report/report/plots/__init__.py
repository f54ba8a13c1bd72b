"""Figures for the reports, in one consistent colour-blind-safe style.

Every chart is drawn from rows of a fact bundle (plain records), never from
raw data, and returns a matplotlib Figure. Significance is shown by colour
*and* marker shape, so no reading depends on colour alone. The palette is
Okabe-Ito (Okabe and Ito 2008), safe for the common colour-vision deficiencies.

The notebooks use this package as one namespace (``plots.use_report_style()``,
``plots.spine_chart(...)``); the charts live by subject in :mod:`.style`,
:mod:`.estimates`, :mod:`.maps`, :mod:`.trends` and :mod:`.contrast`.
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
from civicpulse_report.report.plots.style import (
    DPI,
    ENGLAND_COLOUR,
    FIG_WIDTH,
    LA_COLOUR,
    MUTED,
    OKABE_ITO,
    SIGNIFICANCE_STYLE,
    Record,
    use_report_style,
)
from civicpulse_report.report.plots.trends import small_multiples_trend, trend_chart

__all__ = [
    "DPI",
    "ENGLAND_COLOUR",
    "FIG_WIDTH",
    "LA_COLOUR",
    "MUTED",
    "OKABE_ITO",
    "SIGNIFICANCE_STYLE",
    "Record",
    "breakdown_chart",
    "estimate_dot_chart",
    "legacy_chart",
    "lens_scatter",
    "priority_chart",
    "quadrant_chart",
    "small_multiples_trend",
    "spine_chart",
    "tile_map",
    "trend_chart",
    "use_report_style",
]
