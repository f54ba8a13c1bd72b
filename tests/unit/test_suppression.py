"""Secondary (complementary) suppression, on hand-worked sets and as a property.

Each case is small enough to check by hand: the bases of a set's members and
its total, which are hidden by primary suppression (base < 50), and which
cells secondary suppression must add.
"""

from __future__ import annotations

import hypothesis
import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from civicpulse_report.statistics.suppression import (
    PRIMARY,
    SECONDARY,
    additive_sets,
    apply_suppression,
    secondary_suppression,
    set_remainders,
    unsafe_to_publish,
)

MIN = 50


def one_set(n_members: int) -> pd.DataFrame:
    """Membership of one set: cells 0..n-1 are members, cell n is the total."""
    return pd.DataFrame(
        {
            "set": 0,
            "cell": np.arange(n_members + 1),
            "total": [False] * n_members + [True],
        }
    )


def run(bases: list[float], **kw: object) -> list[int]:
    """The cells secondary suppression adds to one set (last base = the total)."""
    base = np.array(bases, dtype=float)
    membership = one_set(len(bases) - 1)
    remainder = set_remainders(membership, base)
    extra = secondary_suppression(base, base < MIN, membership, MIN, remainder=remainder, **kw)
    return [int(i) for i in np.flatnonzero(extra)]


def test_one_suppressed_of_four_hides_the_smallest_other() -> None:
    # 30 is hidden (primary); of 80, 60 and 120 the smallest is 60 (cell 2).
    assert run([30, 80, 60, 120, 290]) == [2]


def test_two_already_suppressed_need_nothing_more() -> None:
    # 30 and 40 are both primary; together 70 >= 50, so differencing gives
    # only their pooled value, a figure on 70 respondents.
    assert run([30, 40, 100, 120, 290]) == []


def test_two_tiny_suppressed_whose_pool_is_under_the_minimum_hide_a_third() -> None:
    # 10 + 12 = 22 < 50: their pooled value would rest on 22 respondents.
    assert run([10, 12, 100, 120, 242]) == [2]
    # The bare "never exactly one" rule (pooled_min_base=0) leaves them.
    assert run([10, 12, 100, 120, 242], pooled_min_base=0) == []


def test_no_suppressed_cell_needs_nothing() -> None:
    assert run([60, 80, 100, 240]) == []


def test_ties_are_broken_by_weighted_base_then_position() -> None:
    bases = [30, 60, 60, 100, 250]
    assert run(bases) == [1]
    weights = np.array([31.0, 70.0, 65.0, 99.0, 265.0])
    assert run(bases, weighted_base=weights) == [2]
    # Same bases and weights: the first in position, every time.
    same = np.array([31.0, 70.0, 70.0, 99.0, 270.0])
    assert all(run(bases, weighted_base=same) == [1] for _ in range(3))


def test_the_only_other_cell_is_the_total() -> None:
    # One group with 40 respondents; 20 more have no group (remainder 20 < 50,
    # so it does not protect), total 60: the group is the total, nearly.
    assert run([40, 60]) == [1]


def test_members_are_hidden_before_the_total() -> None:
    # The total is never chosen while a member is open, even a big one.
    assert run([30, 500, 530]) == [1]


def test_a_remainder_of_at_least_the_minimum_protects() -> None:
    # 30 in the group, 200 in another, 70 with no group: the differenced value
    # pools the 30 with 70 unpublished respondents, which is not the group.
    assert run([30, 200, 300]) == []
    # But 20 unknown do not protect a group of 30.
    assert run([30, 200, 250]) == [1]


def test_a_cell_in_two_sets_is_hidden_to_protect_both_and_the_rule_ripples() -> None:
    # A 2x2 table with margins. Cells: a=0 (30), b=1 (70), c=2 (80), d=3 (90);
    # rows r1=4 (a+b), r2=5 (c+d); columns k1=6 (a+c), k2=7 (b+d); total 8.
    base = np.array([30, 70, 80, 90, 100, 170, 110, 160, 270], dtype=float)
    sets = [([0, 1], 4), ([2, 3], 5), ([0, 2], 6), ([1, 3], 7), ([4, 5], 8), ([6, 7], 8)]
    membership = pd.DataFrame(
        [
            {"set": s, "cell": c, "total": c == total}
            for s, (members, total) in enumerate(sets)
            for c in [*members, total]
        ]
    )
    extra = secondary_suppression(base, base < MIN, membership, MIN)
    # a is hidden; its row hides b, its column hides c; then b's column and c's
    # row each hold one hidden cell, so d goes too: the whole inner table.
    assert list(np.flatnonzero(extra)) == [1, 2, 3]


# --------------------------------------------------------------------------
# The property: after suppression no additive set holds exactly one hidden cell
# --------------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn) -> tuple[np.ndarray, pd.DataFrame]:
    """A random two-way table with margins and grand total, as cells and sets."""
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    inner = np.array(
        draw(st.lists(st.integers(1, 150), min_size=rows * cols, max_size=rows * cols)),
        dtype=float,
    ).reshape(rows, cols)
    n = rows * cols
    row_tot = inner.sum(axis=1)
    col_tot = inner.sum(axis=0)
    base = np.concatenate([inner.ravel(), row_tot, col_tot, [inner.sum()]])
    grand = n + rows + cols
    sets: list[tuple[list[int], int]] = []
    sets += [([r * cols + c for c in range(cols)], n + r) for r in range(rows)]
    sets += [([r * cols + c for r in range(rows)], n + rows + c) for c in range(cols)]
    sets += [([n + r for r in range(rows)], grand), ([n + rows + c for c in range(cols)], grand)]
    membership = pd.DataFrame(
        [
            {"set": s, "cell": c, "total": c == total}
            for s, (members, total) in enumerate(sets)
            for c in [*members, total]
        ]
    )
    return base, membership


@hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
@given(case=tables(), min_base=st.integers(1, 120), pooled=st.booleans())
def test_no_additive_set_is_left_with_exactly_one_hidden_cell(
    case: tuple[np.ndarray, pd.DataFrame], min_base: int, pooled: bool
) -> None:
    base, membership = case
    primary = base < min_base
    extra = secondary_suppression(
        base, primary, membership, min_base, pooled_min_base=None if pooled else 0
    )
    assert not (extra & primary).any()
    hidden = primary | extra
    h = hidden[membership["cell"].to_numpy()]
    per_set = pd.DataFrame(
        {"set": membership["set"], "h": h, "b": np.where(h, base[membership["cell"]], 0)}
    )
    counts = per_set.groupby("set").agg(n=("h", "sum"), size=("h", "size"), b=("b", "sum"))
    assert not (counts["n"] == 1).any(), counts[counts["n"] == 1]
    if pooled:
        touched = (counts["n"] >= 1) & (counts["n"] < counts["size"])
        assert (counts.loc[touched, "b"] >= min_base).all()
    # Deterministic: the same input gives the same cells.
    again = secondary_suppression(
        base, primary, membership, min_base, pooled_min_base=None if pooled else 0
    )
    np.testing.assert_array_equal(extra, again)


# --------------------------------------------------------------------------
# On the estimates frame
# --------------------------------------------------------------------------


def frame_rows() -> pd.DataFrame:
    """One LA (two groups of a breakdown, two neighbourhoods) and England, one indicator."""
    rows = [
        # level, area, la, breakdown, group, base
        ("england", "E92000001", None, "all", None, 400),
        ("england", "E92000001", None, "tenure", "1", 30),
        ("england", "E92000001", None, "tenure", "2", 370),
        ("la", "L1", "L1", "all", None, 400),
        ("la", "L1", "L1", "tenure", "1", 30),
        ("la", "L1", "L1", "tenure", "2", 370),
        ("neighbourhood", "L1N1", "L1", "neighbourhood", "L1N1", 120),
        ("neighbourhood", "L1N2", "L1", "neighbourhood", "L1N2", 280),
    ]
    frame = pd.DataFrame(
        rows, columns=["level", "area_code", "la_code", "breakdown", "group_code", "base"]
    )
    frame["wave"] = 2026
    frame["indicator"] = "x"
    frame["base"] = frame["base"].astype(float)
    frame["weighted_base"] = frame["base"] * 1.1
    for col in ("estimate", "se", "ci_lower", "ci_upper", "n_eff", "deff", "shrinkage_factor"):
        frame[col] = 1.0
    return frame


def test_additive_sets_of_a_frame() -> None:
    sets = additive_sets(frame_rows())
    names = sets.groupby("set")["name"].first().str.split(":").str[0]
    assert sorted(names) == sorted(
        ["groups in LA", "groups in England", "group in LAs", "group in LAs", "neighbourhoods",
         "LAs in England"]
    )  # fmt: skip
    tenure = sets[sets["name"].str.startswith("groups in LA:")]
    assert sorted(tenure["cell"]) == [3, 4, 5] and tenure["total"].sum() == 1


def test_apply_suppression_marks_and_blanks_both_kinds() -> None:
    out = apply_suppression(frame_rows(), MIN)
    by_cell = dict(
        zip(out["group_code"].fillna("all") + "@" + out["level"], out["suppression"], strict=True)
    )
    # The 30 social renters of L1 (the only LA, so England's too) are primary;
    # the other tenure group goes too, in L1 and in England, else the total
    # minus it gives them away.
    assert by_cell["1@la"] == PRIMARY and by_cell["1@england"] == PRIMARY
    assert by_cell["2@la"] == SECONDARY and by_cell["2@england"] == SECONDARY
    assert by_cell["all@la"] == by_cell["all@england"] == ""
    assert out["suppressed"].sum() == (out["suppression"] != "").sum()
    hidden = out[out["suppressed"]]
    for col in ("estimate", "se", "ci_lower", "ci_upper", "base", "weighted_base", "n_eff"):
        assert hidden[col].isna().all(), col
    assert out.loc[~out["suppressed"], "estimate"].notna().all()


def test_unsafe_to_publish_withholds_a_second_la_of_a_region() -> None:
    rows = [
        ("england", "E92000001", None, 1000.0),
        ("region", "North", None, 1000.0),
        ("la", "L1", "L1", np.nan),  # hidden, its base already blanked
        ("la", "L2", "L2", 300.0),
        ("la", "L3", "L3", 250.0),
    ]
    frame = pd.DataFrame(rows, columns=["level", "area_code", "la_code", "base"])
    frame = frame.assign(
        wave=2026, indicator="x", breakdown="all", group_code=None,
        weighted_base=frame["base"], estimate=1.0,
    )  # fmt: skip
    areas = pd.DataFrame({"la_code": ["L1", "L2", "L3"], "region": "North", "la_type": "Shire"})
    hidden = frame["base"].isna().to_numpy()
    extra = unsafe_to_publish(frame, hidden, areas)
    # The smaller of L2 and L3 (L3) is withheld; then the region and LA type
    # sets each hold two hidden LAs, and England's set of regions one region,
    # so nothing else.
    assert list(np.flatnonzero(extra)) == [4]
