"""The one report style: Okabe-Ito palette, significance styles, rcParams, figure sizes.

Also the two small helpers every chart shares: wrapping long labels and reading
a possibly missing number from a record. The palette is Okabe-Ito (Okabe and
Ito 2008), safe for the common colour-vision deficiencies.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import matplotlib
import seaborn as sns

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


def wrap_label(label: str, width: int = 34) -> str:
    """Wrap a label onto lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def value_or_nan(row: Record, key: str) -> float:
    """``row[key]`` as a float, NaN when it is missing or None."""
    value = row.get(key)
    return float(value) if value is not None else float("nan")
