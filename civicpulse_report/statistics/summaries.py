"""Grouped weighted summaries: many indicators in many groups in one pass.

Owns :func:`summarise_groups` and :func:`summarise_groupings`, the vectorised
workhorse behind every published estimate. They give the same numbers as
:func:`~civicpulse_report.statistics.weighting.weighted_proportion` and
:func:`~civicpulse_report.statistics.weighting.weighted_mean` applied group by
group, but from one set of grouped sufficient statistics, and return them as a
tidy frame with the columns of :data:`SUMMARY_COLUMNS`.

Pure: a data frame in, data frames out, no I/O. Proportions are fractions
(0-1); missing values are NaN and drop out of the base.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from civicpulse_report.statistics.intervals import z_value
from civicpulse_report.statistics.weighting import (
    ESTIMATE_TYPES,
    check_weights,
    estimates_from_sums,
)

# The columns of a summary after its group keys, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "indicator",
    "type",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "base",
    "weighted_base",
    "n_eff",
    "deff",
)


def summarise_groups(
    frame: pd.DataFrame,
    by: Sequence[str],
    value_columns: Sequence[str],
    types: Mapping[str, str],
    weight: str = "weight",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Weighted estimates for many indicators in many groups in one pass.

    The numbers are identical (to rounding) to
    :func:`~civicpulse_report.statistics.weighting.weighted_proportion` and
    :func:`~civicpulse_report.statistics.weighting.weighted_mean` applied group
    by group, but computed from one set of grouped sums (n, Σw, Σw², Σwx,
    Σw²x, Σw²x² per group and column).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per respondent with the ``by`` columns, the weight column and
        the value columns (float; NaN = missing; proportions are 0/1).
    by : sequence of str
        Grouping columns, e.g. ``["wave", "la_code"]``. Rows with a missing
        key are dropped; only observed category combinations are returned.
    value_columns : sequence of str
        The indicator columns to summarise.
    types : mapping of str to {'proportion', 'mean'}
        The estimate type of every value column.
    weight : str
        Name of the weight column (finite, > 0).
    confidence : float
        Confidence level, default 0.95.

    Returns
    -------
    pandas.DataFrame
        Tidy: the ``by`` columns (dtypes kept), ``indicator``, ``type``,
        ``estimate``, ``se``, ``ci_lower``, ``ci_upper``, ``base`` (int),
        ``weighted_base``, ``n_eff``, ``deff``. Sorted by the group keys, then
        indicators in ``value_columns`` order. Cells with base 0 are dropped.

    Raises
    ------
    ValueError
        If a column is missing, a value column has no or an unknown type, a
        weight is not finite and positive, a proportion column holds a value
        other than 0, 1 or NaN, or ``confidence`` is not between 0 and 1.
    """
    return summarise_groupings(
        frame, [by], value_columns, types, weight=weight, confidence=confidence
    )[0]


#: Value columns summed per block in :func:`summarise_groupings` (memory, not results).
_BLOCK_COLUMNS = 8


def summarise_groupings(
    frame: pd.DataFrame,
    groupings: Sequence[Sequence[str]],
    value_columns: Sequence[str],
    types: Mapping[str, str],
    weight: str = "weight",
    confidence: float = 0.95,
) -> list[pd.DataFrame]:
    """:func:`summarise_groups` for several groupings of the same frame.

    The per-respondent products (w, w², wx, w²x, w²x²) are formed once and
    only the grouped sums are repeated, which is what makes the all-LA pass
    cheap: a national run summarises the same respondents at a dozen levels.

    Returns
    -------
    list of pandas.DataFrame
        One :func:`summarise_groups` result per grouping, in order.

    Raises
    ------
    ValueError
        As :func:`summarise_groups`.
    """
    value_columns = list(value_columns)
    z_value(confidence)  # validates before any work
    needed = {c for by in groupings for c in by}
    missing = [c for c in [*sorted(needed), weight, *value_columns] if c not in frame.columns]
    if missing:
        raise ValueError(f"summarise_groups: columns not in the frame: {missing}")
    untyped = [c for c in value_columns if types.get(c) not in ESTIMATE_TYPES]
    if untyped:
        raise ValueError(
            f"summarise_groups: these value columns need a type of {ESTIMATE_TYPES}: "
            + ", ".join(f"{c}={types.get(c)!r}" for c in untyped)
        )

    w_all = frame[weight].to_numpy(dtype=float)
    check_weights(w_all, f"summarise_groups column '{weight}'")
    # Column-major arrays: pandas stores a frame's columns contiguously, so the
    # blocks below become DataFrames without a transposing copy.
    x = np.asfortranarray(frame[value_columns].to_numpy(dtype=float))
    valid = ~np.isnan(x)
    is_prop = np.array([types[c] == "proportion" for c in value_columns])

    bad_prop = valid & is_prop & (x != 0) & (x != 1)
    if bad_prop.any():
        cols = [value_columns[j] for j in np.flatnonzero(bad_prop.any(axis=0))]
        raise ValueError(f"summarise_groups: proportion columns must hold 0/1 or NaN; check {cols}")

    # Centre mean columns on their overall mean so that the expanded variance
    # sum Σw²x² - 2mΣw²x + m²Σw² does not cancel when the mean dwarfs the spread.
    n_valid = valid.sum(axis=0)
    col_mean = np.where(valid, x, 0.0).sum(axis=0) / np.maximum(n_valid, 1)
    shift = np.where(is_prop, 0.0, col_mean)
    names = ("n", "sw", "sw2", "swx", "sw2x", "sw2x2")
    n_cols = len(value_columns)
    n_rows = len(frame)

    # Group-by-respondent indicator matrices, one per grouping: the product of
    # one with the per-respondent statistics is every group's sums at once (far
    # faster than groupby.sum).
    from scipy import sparse  # imported when used: not needed by a build whose estimates are cached

    memberships = []
    for by in groupings:
        grouped = frame.groupby(list(by), observed=True, dropna=True, sort=True)
        codes = grouped.ngroup().to_numpy(dtype=float)
        keys = grouped.size().index.to_frame(index=False)
        in_group = ~np.isnan(codes)
        rows = np.flatnonzero(in_group)
        membership = sparse.csc_matrix(
            (np.ones(len(rows)), (codes[in_group].astype(np.intp), rows)),
            shape=(len(keys), n_rows),
        )
        memberships.append((keys, membership))

    # The six statistics of a block of value columns side by side, so one sparse
    # product per grouping sums them; blocks keep the working set small (a
    # national run has ~40 columns of 600k respondents), and each output column
    # is summed on its own, so the sums are the same whatever the block size.
    parts: list[list[np.ndarray]] = [[] for _ in memberships]
    for start in range(0, n_cols, _BLOCK_COLUMNS):
        block = slice(start, min(start + _BLOCK_COLUMNS, n_cols))
        xb, vb = x[:, block], valid[:, block]
        xs = np.where(vb, xb - shift[block], 0.0)
        wv = np.where(vb, w_all[:, None], 0.0)
        w2v = wv * w_all[:, None]
        stacked = np.ascontiguousarray(
            np.hstack([vb.astype(float), wv, w2v, wv * xs, w2v * xs, w2v * xs * xs])
        )
        del xs, wv, w2v
        for part, (_, membership) in zip(parts, memberships, strict=True):
            part.append(np.asarray(membership @ stacked))
        del stacked
    del x, valid

    results = []
    for part, (keys, _) in zip(parts, memberships, strict=True):
        sums = {
            name: np.hstack([p[:, i * p.shape[1] // 6 : (i + 1) * p.shape[1] // 6] for p in part])
            for i, name in enumerate(names)
        }
        n = sums.pop("n")
        g_idx, c_idx = np.nonzero(n > 0)
        out = estimates_from_sums(
            n=n[g_idx, c_idx],
            **{k: v[g_idx, c_idx] for k, v in sums.items()},
            is_proportion=is_prop[c_idx],
            shift=shift[c_idx],
            confidence=confidence,
        )
        result = keys.iloc[g_idx].reset_index(drop=True)
        result["indicator"] = np.asarray(value_columns, dtype=object)[c_idx]
        result["type"] = np.where(is_prop[c_idx], "proportion", "mean")
        for name in SUMMARY_COLUMNS[2:]:
            result[name] = out[name]
        result["base"] = result["base"].astype(np.int64)
        results.append(result)
    return results
