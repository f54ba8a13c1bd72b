"""The one report style: palette, significance styles, rcParams, figure sizes and format.

Owns how every chart looks and how it leaves the notebook: vector SVG with real
text (``svg.fonttype: none``), deterministic (fixed id salt, no date), so that a
chart stays sharp when a phone reader zooms, its text can be measured and
searched, and the same SVG embeds in the one-file HTML and in the Typst PDF.

Also the small helpers every chart shares: wrapping long labels, reading a
possibly missing number from a record, and picking a text colour that reads on
a given fill. The palette starts from Okabe-Ito (Okabe and Ito 2008), safe for
the common colour-vision deficiencies, darkened where needed so that every mark
that carries meaning has a contrast of at least 3:1 against the white plot
background (WCAG 2.2, 1.4.11) and every text colour at least 4.5:1 (1.4.3).
Meaning never rests on colour alone: each significance level also has its own
marker shape and its word in the legend.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.style

#: A row of a fact bundle, as the charts receive it.
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

#: Colours for marks that carry meaning: each at least 3:1 against white (the
#: ratio is in the comment), so a mark is seen whatever its hue.
ACCESSIBLE = {
    "blue": "#0072B2",  # 5.2:1, Okabe-Ito blue
    "vermillion": "#D55E00",  # 3.9:1, Okabe-Ito vermillion
    "grey": "#6E6E6E",  # 5.1:1, neutral: "no difference"
    "green": "#117733",  # 5.7:1, Tol green
    "purple": "#6A3D9A",  # 8.6:1
    "brown": "#8A5A00",  # 5.9:1
    "text_grey": "#595959",  # 7.0:1, for text in charts
    "warning_text": "#B34700",  # 5.5:1, vermillion dark enough for text
}

SIGNIFICANCE_STYLE: dict[str, dict[str, str]] = {
    "better": {"color": ACCESSIBLE["blue"], "marker": "^", "label": "Better than England"},
    "similar": {"color": ACCESSIBLE["grey"], "marker": "o", "label": "Similar to England"},
    "worse": {"color": ACCESSIBLE["vermillion"], "marker": "v", "label": "Worse than England"},
    "higher": {"color": ACCESSIBLE["purple"], "marker": "^", "label": "Higher than England"},
    "lower": {"color": ACCESSIBLE["brown"], "marker": "v", "label": "Lower than England"},
    "not tested": {"color": ACCESSIBLE["text_grey"], "marker": "s", "label": "Not tested"},
}


def significance_label(flag: str, comparator: str = "England") -> str:
    """A legend's words for a comparison: "Better than England", "Worse than the 5 LAs in this data set".

    Long names are wrapped onto two lines; "Not tested" is the same whatever the comparator.
    """
    label = SIGNIFICANCE_STYLE[flag]["label"]
    if comparator == "England" or not label.endswith(" than England"):
        return label
    return wrap_label(label.removesuffix("England") + comparator, 28)


ENGLAND_COLOUR = OKABE_ITO["black"]
LA_COLOUR = ACCESSIBLE["blue"]
#: Context marks (other LAs, gaps that are not significant): 3.4:1 against white.
MUTED = "#8C8C8C"
FIG_WIDTH = 7.2  # inches: fits an A4 text block and a 900px HTML column
DPI = 144
#: The smallest text in any chart, in points. At this size a chart drawn
#: FIG_WIDTH wide shows 12 CSS px text once it is displayed at least
#: 12 / MIN_FONT_PT * 72 * FIG_WIDTH CSS px wide (the HTML's "full size").
MIN_FONT_PT = 8.0
#: The inline backend's output: SVG only, trimmed, with no timestamp.
FIGURE_FORMATS = ("svg",)
PRINT_FIGURE_KWARGS = {"bbox_inches": "tight", "metadata": {"Date": None}}


#: seaborn's "whitegrid" theme at its "paper" scale, as a matplotlib style sheet.
STYLE_SHEET = Path(__file__).with_name("civicpulse.mplstyle")
#: The report's own settings, on top of the style sheet.
REPORT_RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": (FIG_WIDTH, 4.0),
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "grid.color": "#e6e6e6",
    "svg.hashsalt": "civicpulse",
    "svg.fonttype": "none",
    "axes.prop_cycle": matplotlib.cycler(
        color=[ACCESSIBLE[k] for k in ("blue", "vermillion", "green", "purple", "brown", "grey")]
    ),
}


def use_report_style() -> None:
    """Apply the one report style. Called once by every notebook."""
    matplotlib.style.use(STYLE_SHEET)
    matplotlib.rcParams.update(REPORT_RC)
    _configure_inline_backend()


def _configure_inline_backend() -> None:
    """In a notebook: SVG figures only, with no date, so reruns give identical bytes."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):  # only inside a Jupyter kernel
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats(*FIGURE_FORMATS, **PRINT_FIGURE_KWARGS)


def wrap_label(label: str, width: int = 34) -> str:
    """Wrap a label onto lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def value_or_nan(row: Record, key: str) -> float:
    """``row[key]`` as a float, NaN when it is missing or None."""
    value = row.get(key)
    return float(value) if value is not None else float("nan")


def _luminance(colour: Any) -> float:
    red, green, blue = (
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        for c in matplotlib.colors.to_rgb(colour)
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Any, second: Any) -> float:
    """WCAG 2 contrast ratio of two matplotlib colours (1 to 21).

    Raises
    ------
    ValueError
        If either is not a colour matplotlib understands.
    """
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: Any) -> str:
    """Black or white, whichever contrasts more with ``fill``.

    Raises
    ------
    ValueError
        If ``fill`` is not a colour matplotlib understands.
    """
    return "black" if contrast_ratio(fill, "black") >= contrast_ratio(fill, "white") else "white"
