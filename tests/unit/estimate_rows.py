"""Hand-made rows of the tidy estimates frame, shared by the contrast, recommend and findings tests."""

from __future__ import annotations

import math

import numpy as np

Z = 1.959964
WAVE = 2024


def sig_flag(lo: float, hi: float, comparator: float | None, polarity: str) -> str:
    """The Fingertips flag of an interval against a comparator value."""
    if comparator is None or any(map(math.isnan, (lo, hi, comparator))):
        return "not tested"
    if lo > comparator:
        return "better" if polarity == "higher_is_better" else "worse"
    if hi < comparator:
        return "worse" if polarity == "higher_is_better" else "better"
    return "similar"


def make_row(
    level: str,
    area_code: str,
    indicator: str,
    estimate: float,
    *,
    wave: int = WAVE,
    la_code: str | None = None,
    breakdown: str = "all",
    group_code: str | None = None,
    group: str = "All",
    type: str = "mean",
    polarity: str = "higher_is_better",
    se: float = 1.0,
    base: float = 500,
    weighted_base: float = 10_000.0,
    n_eff: float = 400.0,
    england_value: float | None = None,
    sig: str | None = None,
    suppressed: bool = False,
    modelled: bool = False,
    keep_numbers: bool = False,
    previous_estimate: float | None = None,
    previous_wave: int | None = None,
) -> dict:
    """One row of the tidy estimates frame; flags derived from the CI and the change.

    The significance flag comes from the CI unless ``sig`` is given. A
    suppressed row has its numbers blanked, as the estimates pass does, unless
    ``keep_numbers`` (to check the flag alone keeps it out). With a
    ``previous_estimate`` the change and its significance (z test on two
    equal standard errors) are filled in.
    """
    lo, hi = estimate - Z * se, estimate + Z * se
    flag = sig if sig is not None else sig_flag(lo, hi, england_value, polarity)
    change = np.nan if previous_estimate is None else estimate - previous_estimate
    change_se = se * math.sqrt(2)
    row = {
        "wave": wave,
        "level": level,
        "area_code": area_code,
        "la_code": la_code if la_code is not None else (area_code if level == "la" else None),
        "breakdown": breakdown,
        "group_code": group_code,
        "group": group,
        "indicator": indicator,
        "type": type,
        "polarity": polarity,
        "estimate": estimate,
        "se": se,
        "ci_lower": lo,
        "ci_upper": hi,
        "base": base,
        "weighted_base": weighted_base,
        "n_eff": n_eff,
        "deff": 1.2,
        "modelled": modelled,
        "england_value": np.nan if england_value is None else england_value,
        "sig_england": flag,
        "suppressed": suppressed,
        "previous_wave": np.nan if previous_wave is None else previous_wave,
        "previous_estimate": np.nan if previous_estimate is None else previous_estimate,
        "change": change,
        "change_p": np.nan,
        "change_significant": bool(abs(change) / change_se > Z) if previous_estimate else False,
    }
    if suppressed and not keep_numbers:
        for col in ("estimate", "se", "ci_lower", "ci_upper", "base", "weighted_base", "n_eff"):
            row[col] = np.nan
        row["sig_england"] = "not tested"
    return row
