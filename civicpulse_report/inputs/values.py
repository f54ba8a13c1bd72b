"""Vectorised tests of cell values, shared by the table schemas and the cross-table checks.

Owns how a column's values are judged: as numbers (booleans are not numbers),
as whole numbers, as blank text, as valid answer codes, and as respondent
identifiers, which :func:`respondent_id_text` turns into one text form so 17,
17.0 and '17' are the same id. The ``*_check`` functions are pandera checks:
pandera drops nulls before calling them (``ignore_na``), and each returns one
boolean per value; the checks of numbers and codes are marked ``numeric``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def _blank_text(s: pd.Series) -> pd.Series:
    """True where a value is text that is empty or only spaces."""
    if not _is_text(s):
        return pd.Series(False, index=s.index)
    text = s.where(s.map(lambda v: isinstance(v, str))) if s.dtype == object else s
    return text.str.strip().eq("").fillna(False).astype(bool)


def as_number(s: pd.Series) -> pd.Series:
    """The values as float64; NaN where a value is not a number."""
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    if s.dtype == object:
        # Booleans (True/False in a spreadsheet) are not numbers here.
        s = s.where(~s.map(lambda v: isinstance(v, bool | np.bool_)))
    return pd.to_numeric(s, errors="coerce").astype("float64")


def is_whole(num: pd.Series) -> pd.Series:
    """True where a float64 value is a finite whole number."""
    return np.isfinite(num) & (num % 1 == 0)


def codes_check(valid: Sequence[int]) -> Callable[[pd.Series], pd.Series]:
    """A check passing the valid answer codes, negative missing codes and blank text.

    Parameters
    ----------
    valid : sequence of int
        The codes the question defines.

    Returns
    -------
    callable
        Series to boolean Series.
    """
    valid_list = sorted(valid)

    def is_valid_code(s: pd.Series) -> pd.Series:
        if pd.api.types.is_integer_dtype(s):
            return (s.isin(valid_list) | (s < 0)).astype(bool)
        num = as_number(s)
        ok = is_whole(num) & (num.isin(valid_list) | (num < 0))
        return ok | _blank_text(s)

    is_valid_code.numeric = True  # type: ignore[attr-defined]
    return is_valid_code


def number_check(
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    whole: bool = False,
) -> Callable[[pd.Series], pd.Series]:
    """A check passing finite numbers within bounds.

    Parameters
    ----------
    low, high : float, optional
        The bounds; ``high`` is inclusive, ``low`` is unless ``low_inclusive``
        is False. None means no bound.
    low_inclusive : bool
    whole : bool
        Whether only whole numbers pass.

    Returns
    -------
    callable
        Series to boolean Series.
    """

    def is_number_in_range(s: pd.Series) -> pd.Series:
        num = as_number(s)
        ok = np.isfinite(num)
        if whole:
            ok &= num % 1 == 0
        if low is not None:
            ok &= num >= low if low_inclusive else num > low
        if high is not None:
            ok &= num <= high
        return ok

    is_number_in_range.numeric = True  # type: ignore[attr-defined]
    return is_number_in_range


def not_blank_check(s: pd.Series) -> pd.Series:
    """False where a value is text that is empty or only spaces."""
    return ~_blank_text(s)


def valid_by_unique(predicate: Callable[[object], bool]) -> Callable[[pd.Series], pd.Series]:
    """Test each distinct value once: codes repeat across many rows."""

    def is_valid(s: pd.Series) -> pd.Series:
        good = [v for v in pd.unique(s) if predicate(v)]
        return s.isin(good)

    return is_valid


def respondent_id_check(s: pd.Series) -> pd.Series:
    """True where an identifier is a whole number or non-blank text."""
    if pd.api.types.is_integer_dtype(s):
        return pd.Series(True, index=s.index)
    if pd.api.types.is_float_dtype(s):
        return is_whole(s.astype("float64"))
    is_str = (
        s.map(lambda v: isinstance(v, str))
        if s.dtype == object
        else pd.Series(_is_text(s), index=s.index)
    )
    numbers = is_whole(as_number(s.where(~is_str))) if (~is_str).any() else False
    return (is_str & ~_blank_text(s)) | (~is_str & numbers)


def respondent_id_text(ids: pd.Series) -> pd.Series:
    """Respondent identifiers as text, so 17, 17.0 and '17' are the same id."""
    if isinstance(ids.dtype, pd.StringDtype):
        return ids
    if pd.api.types.is_integer_dtype(ids):
        return ids.astype("Int64").astype("str")
    if pd.api.types.is_float_dtype(ids):
        whole = ids.where(is_whole(ids.astype("float64")))
        return whole.astype("Int64").astype("str").where(whole.notna(), ids.astype("str"))

    def as_text(value: object) -> object:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return str(int(value))
        if isinstance(value, int | np.integer):
            return str(int(value))
        return value if isinstance(value, str) or pd.isna(value) else str(value)

    return ids.map(as_text).astype("str")
