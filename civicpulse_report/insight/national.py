"""England as a whole: how the LAs spread on each index, by region and type, and by group.

Pure functions over the all-LA estimates frame for one wave, for the national
publication draft:

* :func:`la_distribution` - every LA's published estimate of each index with
  its interval and its Fingertips-style flag against England;
* :func:`significance_bands` - how many LAs are significantly below, similar
  to and above England on each index (a ranking that does not over-claim);
* :func:`area_summary` - each region's or LA type's own estimate, and how
  many of its LAs fall in each band;
* :func:`national_groups` - England's demographic groups against the
  national value, with a significance flag computed here (the one pass
  compares LA rows, not England's own groups, with England).

Estimates are only selected and compared here, never recomputed; suppressed
rows never enter (a suppressed LA is counted as not published).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from civicpulse_report.insight.gaps import oriented_gap, publishable_mask
from civicpulse_report.insight.view import describe_unit
from civicpulse_report.measures import Measures
from civicpulse_report.statistics import SUMMARY_COLUMNS, compare_to_comparator

#: The Fingertips flags, in the order the bands are shown.
BANDS: tuple[str, ...] = ("worse", "lower", "similar", "higher", "better", "not tested")

DISTRIBUTION_COLUMNS = (
    "indicator",
    "la_code",
    "la_name",
    "region",
    "la_type",
    "wave",
    "type",
    "polarity",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "base",
    "weighted_base",
    "n_eff",
    "deff",
    "england_value",
    "sig_england",
    "gap",
    "previous_wave",
    "previous_estimate",
    "change",
    "change_significant",
)

# The published numbers of an estimate row: the summary columns after "indicator".
ESTIMATE_COLUMNS = SUMMARY_COLUMNS[1:]


def _order(values: pd.Series, order: Sequence[str]) -> pd.Series:
    rank = {v: i for i, v in enumerate(order)}
    return values.map(rank).fillna(len(rank))


def _england_values(est: pd.DataFrame, wave: int) -> pd.Series:
    """England's overall estimate per indicator in ``wave`` (published rows only)."""
    eng = est[(est["wave"] == wave) & (est["level"] == "england") & (est["breakdown"] == "all")]
    eng = eng[publishable_mask(eng)].drop_duplicates("indicator")
    return eng.set_index("indicator")["estimate"].astype(float)


def la_distribution(
    est: pd.DataFrame, wave: int, indicators: Sequence[str], la_lookup: pd.DataFrame
) -> pd.DataFrame:
    """Every LA's published estimate of each indicator, against England.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame (all LAs; any waves).
    wave : int
    indicators : sequence of str
        Indicator or index ids, in display order.
    la_lookup : DataFrame
        la_code, la_name, region, la_type.

    Returns
    -------
    DataFrame
        Columns :data:`DISTRIBUTION_COLUMNS`; one row per LA and indicator
        with a published (unsuppressed) estimate. ``gap`` is England minus the
        estimate where higher is better (the reverse where lower is better),
        so a positive gap is worse. Ordered by ``indicators``, then estimate
        from lowest to highest, then la_code.

    Raises
    ------
    KeyError
        If ``la_lookup`` lacks la_code, la_name, region or la_type.
    """
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "la")
        & (est["breakdown"] == "all")
        & est["indicator"].isin(list(indicators))
    ]
    rows = rows[publishable_mask(rows)].copy()
    lookup = la_lookup.set_index("la_code")[["la_name", "region", "la_type"]]
    rows["la_code"] = rows["area_code"].astype(str)
    for col in ("la_name", "region", "la_type"):
        rows[col] = rows["la_code"].map(lookup[col]).astype(object)
    rows["gap"] = oriented_gap(rows["estimate"], rows["england_value"], rows["polarity"])
    rows["change_significant"] = rows["change_significant"].astype("boolean").fillna(False)
    rows["_order"] = _order(rows["indicator"], indicators)
    rows = rows.sort_values(["_order", "estimate", "la_code"], kind="mergesort")
    return rows[list(DISTRIBUTION_COLUMNS)].reset_index(drop=True)


def significance_bands(
    distribution: pd.DataFrame, indicators: Sequence[str], n_las: int
) -> pd.DataFrame:
    """How many LAs sit in each significance band against England, per indicator.

    Parameters
    ----------
    distribution : DataFrame
        From :func:`la_distribution`.
    indicators : sequence of str
        In display order (an indicator with no published LA still gets a row).
    n_las : int
        LAs in the run (the LA lookup), so that unpublished LAs are counted.

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator``, ``n_las``, ``n_published``,
        ``n_not_published`` (suppressed or not surveyed), ``n_<band>`` for each
        of :data:`BANDS` (``n_not_tested`` for 'not tested'), ``share_worse``
        and ``share_better`` (of the published LAs; NaN with none) and
        ``england_value``. The band counts sum to ``n_published``.

    Raises
    ------
    ValueError
        If ``n_las`` is smaller than the LAs published on some indicator.
    """
    out = []
    for ind in indicators:
        part = distribution[distribution["indicator"] == ind]
        counts = part["sig_england"].value_counts()
        n_pub = len(part)
        if n_pub > n_las:
            raise ValueError(f"{ind}: {n_pub} LAs published but n_las is {n_las}")
        band_counts = {f"n_{b.replace(' ', '_')}": int(counts.get(b, 0)) for b in BANDS}
        out.append(
            {
                "indicator": ind,
                "n_las": int(n_las),
                "n_published": n_pub,
                "n_not_published": int(n_las - n_pub),
                **band_counts,
                "share_worse": band_counts["n_worse"] / n_pub if n_pub else np.nan,
                "share_better": band_counts["n_better"] / n_pub if n_pub else np.nan,
                # England's value is the same on every LA row of an indicator.
                "england_value": float(part["england_value"].iloc[0]) if n_pub else np.nan,
            }
        )
    return pd.DataFrame(out)


def area_summary(
    est: pd.DataFrame,
    wave: int,
    indicators: Sequence[str],
    distribution: pd.DataFrame,
    level: str,
) -> pd.DataFrame:
    """Each region's (or LA type's) own estimate, and how its LAs compare with England.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame.
    wave : int
    indicators : sequence of str
    distribution : DataFrame
        From :func:`la_distribution` for the same wave and indicators.
    level : {'region', 'la_type'}

    Returns
    -------
    DataFrame
        One row per area and indicator with a published area estimate:
        ``level``, ``area``, ``indicator``, the estimate columns, ``england_value``,
        ``sig_england`` (the area's own interval against England), ``n_las``
        (its LAs with a published estimate), ``n_worse``, ``n_similar``,
        ``n_better`` and ``share_worse`` (of ``n_las``). Ordered by
        ``indicators``, then area name.

    Raises
    ------
    ValueError
        If ``level`` is not 'region' or 'la_type'.
    """
    if level not in ("region", "la_type"):
        raise ValueError(f"level must be 'region' or 'la_type', got {level!r}")
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == level)
        & (est["breakdown"] == "all")
        & est["indicator"].isin(list(indicators))
    ]
    rows = rows[publishable_mask(rows)].copy()
    rows["area"] = rows["area_code"].astype(str)
    rows["level"] = level
    bands = (
        distribution.assign(area=distribution[level].astype(str))
        .groupby(["indicator", "area"])["sig_england"]
        .value_counts()
        .unstack(fill_value=0)
    )
    for band in ("worse", "similar", "better"):
        if band not in bands:
            bands[band] = 0
    bands["n_las"] = bands.sum(axis=1)
    keys = pd.MultiIndex.from_frame(rows[["indicator", "area"]])
    for band in ("worse", "similar", "better"):
        rows[f"n_{band}"] = bands[band].reindex(keys).fillna(0).astype(int).to_numpy()
    rows["n_las"] = bands["n_las"].reindex(keys).fillna(0).astype(int).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rows["share_worse"] = np.where(rows["n_las"] > 0, rows["n_worse"] / rows["n_las"], np.nan)
    rows["_order"] = _order(rows["indicator"], indicators)
    rows = rows.sort_values(["_order", "area"], kind="mergesort")
    columns = [
        "level",
        "area",
        "indicator",
        *ESTIMATE_COLUMNS,
        "england_value",
        "sig_england",
        "n_las",
        "n_worse",
        "n_similar",
        "n_better",
        "share_worse",
    ]
    return rows[columns].reset_index(drop=True)


def national_groups(
    est: pd.DataFrame,
    wave: int,
    indicators: Sequence[str],
    breakdowns: Sequence[str],
    measures: Measures,
) -> pd.DataFrame:
    """England's demographic groups on each indicator, against the national value.

    The one pass compares LA rows with England but not England's own groups,
    so the flag is computed here: Fingertips-style, the group's interval
    against England's overall point estimate of the same wave
    (:func:`civicpulse_report.statistics.compare_to_comparator`), worded by
    the indicator's polarity ('worse' means significantly below where higher
    is better, significantly above where lower is better).

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame.
    wave : int
    indicators : sequence of str
    breakdowns : sequence of str
        Breakdown columns, in display order (settings.breakdowns).
    measures : Measures
        For breakdown labels and readable group names.

    Returns
    -------
    DataFrame
        One row per published group and indicator: ``indicator``,
        ``breakdown``, ``breakdown_label``, ``group_code``, ``group``,
        ``who`` (a readable name, e.g. 'Social renters'), ``wave``, ``polarity``, the
        estimate columns, ``england_value`` (the national value),
        ``sig_england`` (the flag against it) and ``gap`` (oriented: positive
        is worse). Ordered by ``indicators``, ``breakdowns``, group code.

    Raises
    ------
    KeyError
        If a breakdown is not a demographic of ``measures``.
    """
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "england")
        & est["breakdown"].isin(list(breakdowns))
        & est["indicator"].isin(list(indicators))
    ]
    rows = rows[publishable_mask(rows)].copy()
    rows["england_value"] = rows["indicator"].map(_england_values(est, wave)).astype(float)
    rows["sig_england"] = compare_to_comparator(
        rows["ci_lower"].to_numpy(float),
        rows["ci_upper"].to_numpy(float),
        rows["england_value"].to_numpy(float),
        rows["polarity"].to_numpy(),
    )
    rows["gap"] = oriented_gap(rows["estimate"], rows["england_value"], rows["polarity"])
    rows["breakdown_label"] = rows["breakdown"].map(
        {k: v.label for k, v in measures.demographics.items()}
    )
    rows["who"] = [
        describe_unit(measures, b, str(g), c)
        for b, g, c in zip(rows["breakdown"], rows["group"], rows["group_code"], strict=True)
    ]
    rows["_order"] = _order(rows["indicator"], indicators)
    rows["_breakdown"] = _order(rows["breakdown"], breakdowns)
    rows["_code"] = pd.to_numeric(rows["group_code"], errors="coerce")
    rows = rows.sort_values(["_order", "_breakdown", "_code"], kind="mergesort")
    columns = [
        "indicator",
        "breakdown",
        "breakdown_label",
        "group_code",
        "group",
        "who",
        "wave",
        "polarity",
        *ESTIMATE_COLUMNS,
        "england_value",
        "sig_england",
        "gap",
    ]
    return rows[columns].reset_index(drop=True)
