"""Disclosure control by suppression: primary, and secondary (complementary).

Primary suppression hides every cell resting on fewer than ``min_base``
unweighted respondents. On its own it leaks: in an *additive set* (cells whose
weighted bases sum to a total that is also published), one hidden cell is
recovered by differencing,

    hidden = (W_total * E_total - sum W_i * E_i) / (W_total - sum W_i),

so, as official statistics do (ONS, OHID Fingertips), secondary suppression
also hides the next-smallest cell of such a set. The rule, for every additive
set:

* a set with no hidden cell is left alone;
* otherwise at least two cells must be hidden (an unpublished remainder of
  at least ``min_base`` respondents counts as one; a smaller one does not),
  and the hidden cells with the remainder must together rest on at least
  ``min_base`` respondents, so that what differencing still gives (their
  pooled value) is a figure the minimum base allows;
* until it holds, the non-hidden cell with the smallest base is hidden too
  (members before the total; ties broken by weighted base, then by a fixed
  order), and every set is checked again, since a cell belongs to several.

The additive sets of the estimates frame (:func:`additive_sets`), per wave
and indicator: the groups of one breakdown and their LA (or England); one
group's cells in every LA and England's cell of that group; the
neighbourhoods of an LA and the LA; the LAs of a region, of an LA type and of
England, each with that total; the regions, and the LA types, with England.
A breakdown's groups miss the respondents whose group is unknown: that
remainder (total base minus the groups' bases) is unpublished, so it protects
like a hidden cell when it has at least ``min_base`` respondents, and is
treated as nothing (the set as exactly additive) when it has fewer.

Owns :func:`secondary_suppression` (the rule on arrays), :func:`additive_sets`
and :func:`apply_suppression` (both, on the estimates frame, with a
``suppression`` column saying "primary" or "secondary"), and
:func:`unsafe_to_publish` (the bare rule again, on a selection such as the
benchmark file's rows). Pure: frames in, frames out, no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civicpulse_report.statistics.columns import NUMERIC_COLUMNS
from civicpulse_report.statistics.derived import apply_disclosure_control

PRIMARY = "primary"
SECONDARY = "secondary"
NOT_SUPPRESSED = ""

# The membership table: one row per (set, cell); ``total`` marks the set's total.
MEMBERSHIP_COLUMNS = ("set", "cell", "total")


def secondary_suppression(
    base: np.ndarray,
    primary: np.ndarray,
    membership: pd.DataFrame,
    min_base: float,
    *,
    remainder: np.ndarray | None = None,
    weighted_base: np.ndarray | None = None,
    pooled_min_base: float | None = None,
) -> np.ndarray:
    """Which cells secondary suppression hides, so that no additive set gives one away.

    Parameters
    ----------
    base : array of float
        Each cell's unweighted base (NaN counts as 0).
    primary : array of bool
        The cells hidden by primary suppression.
    membership : DataFrame
        :data:`MEMBERSHIP_COLUMNS`: ``set`` (int, 0..n_sets-1), ``cell`` (int,
        a position in ``base``), ``total`` (bool: the cell is the set's total).
        A cell may belong to many sets.
    min_base : float
    remainder : array of float, optional
        Per set, the unpublished respondents of the total that no member holds
        (default 0: the set is exactly additive).
    weighted_base : array of float, optional
        Breaks ties of ``base`` (smaller first); then the cell's position.
    pooled_min_base : float, optional
        The fewest respondents the hidden cells of a set (with its remainder)
        may rest on together (default ``min_base``; 0 gives the bare "never
        exactly one hidden cell" rule).

    Returns
    -------
    array of bool
        The cells to hide in addition to ``primary`` (never a primary cell).
    """
    base = np.nan_to_num(np.asarray(base, dtype=float), nan=0.0)
    primary = np.asarray(primary, dtype=bool)
    hidden = primary.copy()
    if membership.empty:
        return hidden & ~primary
    n_sets = int(membership["set"].max()) + 1
    rem = np.zeros(n_sets) if remainder is None else np.asarray(remainder, dtype=float)
    rem = np.clip(np.nan_to_num(rem, nan=0.0), 0.0, None)
    wb = np.zeros_like(base) if weighted_base is None else np.asarray(weighted_base, dtype=float)
    wb = np.nan_to_num(wb, nan=0.0)
    sets = membership["set"].to_numpy(np.int64)
    cells = membership["cell"].to_numpy(np.int64)
    # Candidates in the order they are taken: by set, members before the total,
    # smallest base, smallest weighted base, then position (deterministic).
    order = np.lexsort((cells, wb[cells], base[cells], membership["total"].to_numpy(bool), sets))
    sets, cells = sets[order], cells[order]
    big_remainder = ((rem > 0) & (rem >= min_base)).astype(int)
    pooled = min_base if pooled_min_base is None else pooled_min_base
    while True:
        h = hidden[cells]
        n_hidden = np.bincount(sets, weights=h, minlength=n_sets)
        n_open = np.bincount(sets, weights=~h, minlength=n_sets)
        hidden_base = np.bincount(sets, weights=np.where(h, base[cells], 0.0), minlength=n_sets)
        unsafe = (
            (n_hidden >= 1)
            & (n_open >= 1)
            & ((n_hidden + big_remainder < 2) | (hidden_base + rem < pooled))
        )
        if not unsafe.any():
            return hidden & ~primary
        take = unsafe[sets] & ~h
        # The first open candidate of each unsafe set (rows are in candidate order).
        first = np.flatnonzero(take)
        first = first[np.r_[True, sets[first][1:] != sets[first][:-1]]]
        hidden[cells[first]] = True


def _members(
    frame: pd.DataFrame,
    total: pd.DataFrame,
    on: list[str],
    family: str,
    by: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """Membership rows of one family of sets.

    A set is one value of ``on`` and ``by``: its members are the rows of
    ``frame``, its total the row of ``total`` with the same ``on``.
    """
    keys = [*on, *by]
    t = total[[*on, "_cell"]].drop_duplicates(on)
    m = frame[[*keys, "_cell"]].merge(t, on=on, how="inner", suffixes=("", "_total"))
    if m.empty:
        return None
    local = m.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    first = np.unique(local, return_index=True)[1]
    heads = m[keys].iloc[first]
    labels = heads[keys[0]].astype(str).to_numpy(object)
    for key in keys[1:]:
        labels = labels + "|" + heads[key].astype(str).to_numpy(object)
    members = pd.DataFrame({"_set": local, "cell": m["_cell"].to_numpy(), "total": False})
    totals = pd.DataFrame(
        {"_set": local[first], "cell": m["_cell_total"].to_numpy()[first], "total": True}
    )
    out = pd.concat([members, totals], ignore_index=True)
    # One name per set (for messages), shared by its rows: no string built per row.
    names = np.asarray([family + label for label in labels], dtype=object)
    out["name"] = names[out["_set"].to_numpy()]
    return out


def additive_sets(est: pd.DataFrame, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every additive set of the estimates frame, as a membership table.

    Parameters
    ----------
    est : DataFrame
        The estimates frame (``level``, ``area_code``, ``la_code``,
        ``breakdown``, ``group_code``, ``wave``, ``indicator``), any index.
    areas : DataFrame, optional
        la_code, region, la_type of every LA; without it, no LA is placed in
        its region or LA type.

    Returns
    -------
    DataFrame
        ``set`` (int), ``cell`` (position in ``est``), ``total`` (bool),
        ``name`` (the set's family and keys, for messages); only sets with a
        total and at least one member.
    """
    cols = ["wave", "indicator", "level", "area_code", "la_code", "breakdown", "group_code"]
    e = est[cols].reset_index(drop=True)
    e["_cell"] = np.arange(len(e))
    e["group_code"] = e["group_code"].astype(object).where(e["group_code"].notna(), "")
    e["la_code"] = e["la_code"].astype(object).where(e["la_code"].notna(), "")
    level, overall = e["level"], e["breakdown"] == "all"
    la_all = e[(level == "la") & overall]
    england = e[(level == "england") & overall]
    la_groups = e[(level == "la") & ~overall]
    eng_groups = e[(level == "england") & ~overall]
    wi = ["wave", "indicator"]
    parts = [
        # The groups of one breakdown, with their LA; with England.
        _members(la_groups, la_all, [*wi, "la_code"], "groups in LA: ", ("breakdown",)),
        _members(eng_groups, england, wi, "groups in England: ", ("breakdown",)),
        # One group's cells in every LA, with England's cell of that group.
        _members(la_groups, eng_groups, [*wi, "breakdown", "group_code"], "group in LAs: "),
        # The neighbourhoods of an LA, with the LA.
        _members(e[level == "neighbourhood"], la_all, [*wi, "la_code"], "neighbourhoods: "),
        # The LAs, the regions and the LA types of England, each with England.
        _members(la_all, england, wi, "LAs in England: "),
    ]
    for col in ("region", "la_type"):
        upper = e[(level == col) & overall].rename(columns={"area_code": col})
        parts.append(_members(upper, england, wi, f"{col}s in England: "))
        if areas is not None and len(upper):
            where = areas.drop_duplicates("la_code").set_index("la_code")[col]
            las = la_all.assign(**{col: la_all["la_code"].map(where)}).dropna(subset=[col])
            parts.append(_members(las, upper, [*wi, col], f"LAs in {col}: "))
    found = [p.assign(_family=i) for i, p in enumerate(parts) if p is not None]
    if not found:
        return pd.DataFrame(
            {"set": np.array([], np.int64), "cell": np.array([], np.int64), "total": [], "name": []}
        )
    m = pd.concat(found, ignore_index=True)
    ids = m.groupby(["_family", "_set"], sort=True).ngroup().to_numpy(np.int64)
    return pd.DataFrame(
        {
            "set": ids,
            "cell": m["cell"].to_numpy(np.int64),
            "total": m["total"].to_numpy(bool),
            "name": m["name"].to_numpy(object),
        }
    )


def set_remainders(membership: pd.DataFrame, base: np.ndarray) -> np.ndarray:
    """Per set, the total's base less its members' (respondents no member holds), >= 0."""
    base = np.nan_to_num(np.asarray(base, dtype=float), nan=0.0)
    n_sets = int(membership["set"].max()) + 1 if len(membership) else 0
    sets = membership["set"].to_numpy(np.int64)
    b = base[membership["cell"].to_numpy(np.int64)]
    sign = np.where(membership["total"].to_numpy(bool), 1.0, -1.0)
    return np.clip(np.bincount(sets, weights=sign * b, minlength=n_sets), 0.0, None)


def suppression_marks(
    est: pd.DataFrame, min_base: int, areas: pd.DataFrame | None = None
) -> pd.Series:
    """Each row's suppression: "primary", "secondary" or "" (published).

    Parameters
    ----------
    est : DataFrame
        The estimates frame with its bases (before any is blanked).
    min_base : int
    areas : DataFrame, optional
        la_code, region, la_type (see :func:`additive_sets`).

    Returns
    -------
    Series of str, on ``est``'s index.
    """
    base = est["base"].to_numpy(float)
    primary = np.nan_to_num(base, nan=0.0) < min_base
    membership = additive_sets(est, areas)
    secondary = secondary_suppression(
        base,
        primary,
        membership,
        min_base,
        remainder=set_remainders(membership, base),
        weighted_base=est["weighted_base"].to_numpy(float),
    )
    marks = np.where(primary, PRIMARY, np.where(secondary, SECONDARY, NOT_SUPPRESSED))
    return pd.Series(marks, index=est.index, dtype=object)


def apply_suppression(
    est: pd.DataFrame, min_base: int, areas: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Primary and secondary suppression of the estimates frame.

    Every suppressed row (either kind) keeps its labels, has ``suppressed``
    True, and loses its estimate, SE, interval, bases, n_eff, design effect,
    shrinkage factor and comparisons, exactly as
    :func:`~civicpulse_report.statistics.derived.apply_disclosure_control`
    blanks a small cell; ``suppression`` says which rule hid it ("primary":
    its own base is under the minimum; "secondary": hidden to protect another
    cell from differencing; "" when published).

    Parameters
    ----------
    est : DataFrame
        The estimates frame before disclosure control.
    min_base : int
    areas : DataFrame, optional
        la_code, region, la_type of every LA, for the region and LA-type sets.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` and ``suppression`` columns.
    """
    marks = suppression_marks(est, min_base, areas)
    out = apply_disclosure_control(est, min_base)
    secondary = (marks == SECONDARY).to_numpy()
    blank = [*NUMERIC_COLUMNS, "shrinkage_factor"]
    out.loc[secondary, [c for c in blank if c in out.columns]] = np.nan
    for col in [c for c in out.columns if c.startswith("sig_")]:
        out.loc[secondary, col] = "not tested"
    out["suppressed"] = out["suppressed"].to_numpy(bool) | secondary
    out["suppression"] = marks.to_numpy()
    return out


def unsafe_to_publish(
    frame: pd.DataFrame, hidden: np.ndarray, areas: pd.DataFrame | None = None
) -> np.ndarray:
    """Rows to withhold as well, so that no additive set of ``frame`` has one hidden row.

    For a selection of already suppressed estimates (a benchmark file's rows,
    say) whose hidden rows have lost their bases: the bare rule (never exactly
    one hidden cell in a set), with the sets taken as exactly additive.

    Parameters
    ----------
    frame : DataFrame
        Rows of the estimates frame (labels, ``base``, ``weighted_base``).
    hidden : array of bool
        The rows not published.
    areas : DataFrame, optional

    Returns
    -------
    array of bool
        The published rows to withhold too.
    """
    return secondary_suppression(
        frame["base"].to_numpy(float),
        np.asarray(hidden, dtype=bool),
        additive_sets(frame, areas),
        0,
        weighted_base=frame["weighted_base"].to_numpy(float),
        pooled_min_base=0,
    )
