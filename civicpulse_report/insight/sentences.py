"""The building blocks every key finding is written with.

:class:`Finding` is one sentence with the cells its numbers come from;
:class:`References` collects those cells while the sentence is written;
:func:`figure` and :func:`versus_england` write an estimate with its
interval and its comparison with England, worded by the significance flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.insight.formatting import format_ci, format_value, is_missing
from civicpulse_report.insight.gaps import SIGNIFICANT_FLAGS


@dataclass(frozen=True)
class Finding:
    """One key finding.

    Attributes
    ----------
    key : str
        What it is about: headline, weakest_domain, quadrant, top_priority,
        change, legacy or asset.
    text : str
        Plain text, safe to place in markdown once names are escaped.
    references : tuple of dict
        Where each number in ``text`` comes from. For the estimates frame:
        table='estimates', level, area_code, breakdown, group_code, indicator,
        wave, column, value. For the legacy file: table='legacy', la_code,
        source, indicator, year, column, value.
    """

    key: str
    text: str
    references: tuple[dict[str, Any], ...]


class References:
    """Collects the cells a sentence's numbers come from, while it is written."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def estimate_cell(self, row: Mapping[str, Any], column: str) -> Any:
        """Note the cell ``column`` of an estimates row, and return its value."""
        value = row[column]
        group_code = row.get("group_code")
        self.items.append(
            {
                "table": "estimates",
                "level": str(row["level"]),
                "area_code": str(row["area_code"]),
                "breakdown": str(row["breakdown"]),
                "group_code": None if _is_missing_code(group_code) else str(group_code),
                "indicator": str(row["indicator"]),
                "wave": int(row["wave"]),
                "column": column,
                "value": _plain(value),
            }
        )
        return value

    def legacy_cell(
        self, la_code: str, source: str, indicator: str, year: Any, column: str, value: Any
    ) -> Any:
        """Note a cell of the legacy file, and return its value."""
        self.items.append(
            {
                "table": "legacy",
                "la_code": la_code,
                "source": source,
                "indicator": indicator,
                "year": None if is_missing(year) else int(year),
                "column": column,
                "value": _plain(value),
            }
        )
        return value


def _is_missing_code(code: Any) -> bool:
    return code is None or (isinstance(code, float) and math.isnan(code)) or code is pd.NA


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_publishable(row: Mapping[str, Any] | None) -> bool:
    """Whether an estimates row (a record) is there, not suppressed and has an estimate."""
    return (
        row is not None
        and not bool(row.get("suppressed", False))
        and not is_missing(row.get("estimate"))
    )


def figure(row: Mapping[str, Any], refs: References, ci: str) -> str:
    """Return an estimate with its interval, e.g. "95.2 (95% CI 94.0 to 96.4)"."""
    kind = str(row["type"])
    value = format_value(refs.estimate_cell(row, "estimate"), kind)
    lower = refs.estimate_cell(row, "ci_lower")
    upper = refs.estimate_cell(row, "ci_upper")
    return f"{value} ({ci} {format_ci(lower, upper, kind)})"


def comparator_name(row: Mapping[str, Any]) -> str | None:
    """What a row's ``england_value`` is the figure of, as the estimates frame names it.

    "England" for a row without an ``england_name`` (the whole nation, and
    hand-made rows); None when the row has no such comparator (the LA of a
    one-LA data set is not compared with itself).
    """
    if "england_name" not in row:
        return "England"
    name = row["england_name"]
    return None if name is None or is_missing_text(name) else str(name)


def is_missing_text(value: Any) -> bool:
    """Whether a text cell is empty (None, NA or NaN)."""
    return value is pd.NA or (isinstance(value, float) and math.isnan(value))


def is_proper_name(name: str) -> bool:
    """Whether a comparator's name is a place's name ("England"), not a phrase ("the 5 LAs ...")."""
    return not (name.endswith("average") or name.startswith(("the ", "this ", "these ")))


def against(name: str, value: str) -> str:
    """A comparator's figure in words: "England's 24.8", "24.8 for the 5 LAs in this data set"."""
    if name.endswith("average"):
        return f"{name} of {value}"
    if name.startswith(("the ", "this ", "these ")):
        return f"{value} for {name}"
    return f"{name}'s {value}"


def named_value(name: str, value: str) -> str:
    """A comparator's figure after "against" or in brackets, without a possessive.

    "England 24.8" (as the whole nation has always been written), "24.8 for the
    5 LAs in this data set", "this LA's own average of 24.8".
    """
    return f"{name} {value}" if is_proper_name(name) else against(name, value)


def figure_of(name: str) -> str:
    """A comparator as the figure it is: "England", "this LA's own average", "the figure for the 5 LAs ..."."""
    return name if is_proper_name(name) or name.endswith("average") else f"the figure for {name}"


def possessive(name: str, noun: str) -> str:
    """A comparator owning a noun: "England's level", "the level of the 5 LAs in this data set"."""
    return f"{name}'s {noun}" if is_proper_name(name) else f"the {noun} of {name}"


def within_name(estimates: pd.DataFrame) -> str | None:
    """What an LA's groups and neighbourhoods are compared with, as the estimates name it.

    "England" when the rows carry no ``england_name`` (the whole nation, and
    hand-made rows); None when no group or neighbourhood row has a comparator.
    """
    if "england_name" not in estimates:
        return "England"
    rows = estimates[
        estimates["level"].isin(["la", "neighbourhood"]) & (estimates["breakdown"] != "all")
    ]
    names = rows["england_name"].dropna()
    return str(names.iloc[0]) if len(names) else (None if len(rows) else "England")


def versus_england(row: Mapping[str, Any], refs: References) -> str:
    """Return the comparison with the top-level comparator, worded by the significance flag.

    "significantly above/below England's X" only when the flag is a significant
    one; "similar to England's X" when the flag is 'similar'. The comparator
    is named for what it is (``england_name``: "the 5 LAs in this data set",
    "this LA's own average"); a row with none says so.
    """
    name = comparator_name(row)
    if name is None:
        return "with no wider figure to compare it with"
    kind = str(row["type"])
    england = against(name, format_value(refs.estimate_cell(row, "england_value"), kind))
    sig = str(row.get("sig_england", "not tested"))
    if sig in SIGNIFICANT_FLAGS:
        direction = "above" if float(row["estimate"]) > float(row["england_value"]) else "below"
        return f"significantly {direction} {england}"
    if sig == "similar":
        return f"similar to {england}"
    return f"not tested against {england}"
