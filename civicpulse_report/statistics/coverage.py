"""The whole-nation rule: are the microdata of a data folder the whole nation?

A pooled sample is never "England". This module owns the one rule that
decides it (:func:`microdata_coverage`), documented in data/README.md ("The
benchmark file"):

- the microdata are the whole nation when the LA lookup says so, with
  ``national_coverage`` = yes on every row, **and** every LA in the lookup has
  survey responses;
- the synthetic demo's lookup (every code X06-X09 + six digits, written by
  the demo generator, which always makes a complete synthetic nation) counts
  as yes unless it carries the column;
- anything else is a part of the nation: its comparators are named for what
  they are ("the 5 LAs in this data set").

A benchmark file says for itself whether it is national. Pure apart from
raising: a data set in, a :class:`Coverage` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs import Dataset
from civicpulse_report.statistics.columns import SOURCE_MICRODATA

NATIONAL_COLUMN = "national_coverage"
SYNTHETIC_CODE = re.compile(r"^X0[6-9]\d{6}$")
_YES = {"yes", "y", "true", "1", "1.0"}
_NO = {"no", "n", "false", "0", "0.0"}


@dataclass(frozen=True)
class Coverage:
    """Whether the top-level comparator is the whole nation, and why.

    Attributes
    ----------
    national : bool
        True when the England-level figures are the whole nation's.
    source : str
        Where they come from: "microdata" or "benchmark file".
    n_las : int
        LAs they pool (with survey responses, or in the benchmark file).
    explanation : str
        The rule applied, as a sentence.
    missing : tuple of str
        LAs in the lookup with no survey responses.
    """

    national: bool
    source: str
    n_las: int
    explanation: str
    missing: tuple[str, ...] = ()


def lookup_file(dataset: Dataset) -> str:
    """The LA lookup's path as problems name it (``data/la_lookup.csv``)."""
    for name in dataset.files:
        if Path(name).stem == "la_lookup":
            return str(Path(dataset.data_dir) / name)
    return "la_lookup"


def _flag(dataset: Dataset) -> bool | None:
    """The lookup's national_coverage flag: True, False, or None without the column."""
    lookup = dataset.la_lookup
    if NATIONAL_COLUMN not in lookup.columns:
        return None
    text = lookup[NATIONAL_COLUMN].map(lambda v: "" if pd.isna(v) else str(v).strip().lower())
    bad = ~text.isin(_YES | _NO)
    hint = "write yes on every row if the lookup lists every LA of the nation, else no"
    if bad.any():
        rows = tuple(int(i) + 2 for i in bad.to_numpy().nonzero()[0][:5])
        raise InputError(
            [
                Problem(
                    lookup_file(dataset),
                    "must be yes or no on every row",
                    column=NATIONAL_COLUMN,
                    rows=rows,
                    values=tuple(sorted({v or "(blank)" for v in text[bad]})[:5]),
                    n_rows=int(bad.sum()),
                    hint=hint,
                )
            ]
        )
    yes = text.isin(_YES)
    if yes.any() and not yes.all():
        raise InputError(
            [
                Problem(
                    lookup_file(dataset),
                    "must be the same on every row (it says whether the lookup as a whole "
                    "lists the whole nation)",
                    column=NATIONAL_COLUMN,
                    rows=tuple(int(i) + 2 for i in (~yes).to_numpy().nonzero()[0][:5]),
                    n_rows=int((~yes).sum()),
                    hint=hint,
                )
            ]
        )
    return bool(yes.all())


def microdata_coverage(dataset: Dataset) -> Coverage:
    """Apply the whole-nation rule to a data set's microdata.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    Coverage
        With ``source`` "microdata".

    Raises
    ------
    InputError
        If the lookup's ``national_coverage`` column holds anything but yes
        or no, or is not the same on every row.
    """
    codes = dataset.la_lookup["la_code"].astype(str)
    # The distinct codes first: a set over every response (628,000 in the demo) takes a second.
    with_data = {str(c) for c in pd.unique(dataset.survey["la_code"].dropna())}
    missing = tuple(sorted(set(codes) - with_data))
    n = len(with_data & set(codes))
    flag = _flag(dataset)
    said = f"the LA lookup says {NATIONAL_COLUMN} = yes"
    if flag is None and bool(codes.str.match(SYNTHETIC_CODE).all()):
        flag, said = True, "the LA lookup is the synthetic demo's whole synthetic nation"
    if flag is None:
        why = (
            f"the LA lookup has no {NATIONAL_COLUMN} column, so {_las(n)} in this data set "
            f"{'is' if n == 1 else 'are'} not taken to be the whole nation"
        )
        return Coverage(False, SOURCE_MICRODATA, n, why, missing)
    if not flag:
        why = f"the LA lookup says {NATIONAL_COLUMN} = no: {_las(n)} in it {'is' if n == 1 else 'are'} not the whole nation"
        return Coverage(False, SOURCE_MICRODATA, n, why, missing)
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        why = (
            f"{said}, but {len(missing)} of its LAs have no survey responses ({shown}), "
            "so the pooled microdata are not the whole nation"
        )
        return Coverage(False, SOURCE_MICRODATA, n, why, missing)
    why = f"{said} and every LA in it has survey responses: the microdata are the whole nation"
    return Coverage(True, SOURCE_MICRODATA, n, why, missing)


def _las(n: int) -> str:
    return "the one LA" if n == 1 else f"the {n} LAs"
