"""Comparisons with England shared by the lenses, the priorities and the findings.

The significance flags read as "differs from England" or "not below it",
which rows are publishable, the gap to England oriented so that positive is
worse, and the respondent-level standard deviation that puts gaps of
different indicators on one scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Significance flags that mean "not significantly below England".
NOT_SIGNIFICANTLY_BELOW = frozenset({"better", "similar", "higher"})
#: Flags that mean a significant difference from England, either way.
SIGNIFICANT_FLAGS = frozenset({"better", "worse", "higher", "lower"})


def publishable_mask(frame: pd.DataFrame) -> pd.Series:
    """True where a row is publishable: not flagged suppressed and has an estimate."""
    suppressed = frame["suppressed"].astype("boolean").fillna(True).astype(bool)
    return ~suppressed & frame["estimate"].notna()


def oriented_gap(
    estimate: pd.Series | np.ndarray | float,
    england: pd.Series | np.ndarray | float,
    polarity: pd.Series | np.ndarray | str,
) -> np.ndarray:
    """Gap to England, oriented so that a positive gap means worse than England.

    ``england - estimate`` where higher is better, ``estimate - england``
    where lower is better, NaN for neutral indicators (no judgement).
    """
    est = np.asarray(estimate, dtype=float)
    eng = np.asarray(england, dtype=float)
    pol = np.asarray(polarity, dtype=object)
    return np.where(
        pol == "higher_is_better",
        eng - est,
        np.where(pol == "lower_is_better", est - eng, np.nan),
    ).astype(float)


def england_respondent_sd(rows: pd.DataFrame, est: pd.DataFrame) -> np.ndarray:
    """Respondent-level standard deviation at England, for each row's indicator.

    Used to put gaps of different indicators on one scale (a standardised gap
    is a gap in respondent-level SD units, like Cohen's d against England).

    * proportions (per cent): ``sqrt(p (1 - p)) * 100`` with ``p`` the row's
      ``england_value / 100`` - the SD of a 0/1 answer in England;
    * means and domain indices: ``se * sqrt(n_eff)`` of the England overall row
      (level england, breakdown all) of the same wave and indicator - the
      weighted SD implied by England's own standard error and effective base.

    NaN where the SD cannot be found or is zero (a proportion of 0% or 100%).

    Parameters
    ----------
    rows : DataFrame
        Needs wave, indicator, type and england_value.
    est : DataFrame
        Estimates holding the England overall rows: the estimates frame, or a
        selection of it such as :attr:`LAView.england
        <civicpulse_report.insight.view.LAView.england>`.
    """
    eng = est[(est["level"] == "england") & (est["breakdown"] == "all")]
    eng_sd = pd.Series(
        (eng["se"] * np.sqrt(eng["n_eff"])).to_numpy(float),
        index=pd.MultiIndex.from_arrays([eng["wave"].astype(int), eng["indicator"]]),
    )
    eng_sd = eng_sd[~eng_sd.index.duplicated(keep="first")]
    keys = pd.MultiIndex.from_arrays([rows["wave"].astype(int), rows["indicator"]])
    mean_sd = eng_sd.reindex(keys).to_numpy(float)
    p = rows["england_value"].to_numpy(float) / 100.0
    with np.errstate(invalid="ignore"):
        prop_sd = np.sqrt(p * (1.0 - p)) * 100.0
    sd = np.where(rows["type"].to_numpy() == "proportion", prop_sd, mean_sd)
    return np.where(sd > 0, sd, np.nan)
