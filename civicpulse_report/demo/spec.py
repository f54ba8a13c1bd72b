"""What the demo generator is asked to make and what it hands back.

Owns :class:`DemoSpec` (size, waves, respondents per LA, neighbourhoods, seed,
validated when made), :data:`MAX_LAS`, and :class:`DemoData`, the container of
the four contract tables and the truth that every other demo module fills or
reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

MAX_LAS = 1000
"""Most LAs one data set can have (the fictional name pool is finite)."""


@dataclass(frozen=True)
class DemoSpec:
    """What to generate.

    Attributes
    ----------
    n_las : int
        Number of fictional local authorities (at least 1; with 4 or more every
        LA type is present).
    waves : tuple of int
        Survey years; the last is the calibration ("latest") wave.
    respondents : (int, int)
        Smallest and largest number of respondents per LA per wave.
    neighbourhoods : (int, int)
        Smallest and largest number of neighbourhoods per LA (at most 99).
    seed : int
        Master seed; every random stream is derived from it.

    Raises
    ------
    ValueError
        If the values are inconsistent (checked when the spec is made).
    """

    n_las: int = 300
    waves: tuple[int, ...] = (2024, 2025, 2026)
    respondents: tuple[int, int] = (400, 1000)
    neighbourhoods: tuple[int, int] = (6, 20)
    seed: int = 20261128

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.n_las <= MAX_LAS:
            problems.append(f"n_las must be between 1 and {MAX_LAS}")
        if not self.waves or list(self.waves) != sorted(set(self.waves)):
            problems.append("waves must be a non-empty, increasing tuple of distinct years")
        lo, hi = self.respondents
        if not 1 <= lo <= hi:
            problems.append("respondents must be (low, high) with 1 <= low <= high")
        nlo, nhi = self.neighbourhoods
        if not 1 <= nlo <= nhi <= 99:
            problems.append("neighbourhoods must be (low, high) with 1 <= low <= high <= 99")
        if self.seed < 0:
            problems.append("seed must be non-negative")
        if problems:
            raise ValueError("invalid DemoSpec: " + "; ".join(problems))

    @property
    def latest_wave(self) -> int:
        return self.waves[-1]


@dataclass(frozen=True)
class DemoData:
    """A generated demonstration data set (the four contract tables and the truth).

    Attributes
    ----------
    survey : DataFrame
        Respondent microdata, one row per respondent per wave.
    la_lookup : DataFrame
        One row per LA with region, type, population (16+) and context.
    neighbourhoods : DataFrame
        One row per neighbourhood with its tile-map position and population.
    legacy : DataFrame
        Place Survey 2008 per LA and England, Citizenship Survey 2010-11 England.
    truth : dict
        What was planted and calibrated; for tests and documentation only.
    """

    survey: pd.DataFrame
    la_lookup: pd.DataFrame
    neighbourhoods: pd.DataFrame
    legacy: pd.DataFrame
    truth: dict[str, Any]
