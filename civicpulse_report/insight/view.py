"""One LA's view of the estimates, and the units of its report.

:class:`LAView` is the slice of the all-LA estimates frame that one LA's
report needs in one wave, taken once (by :meth:`LAView.from_estimates`, in
:func:`civicpulse_report.report.facts.build_facts`) and handed to every per-LA
insight function, so that none of them re-slices the all-LA frame by code.

This module also owns how the LA's units (the whole area, its demographic
groups and its neighbourhoods) are told apart: which rows they are
(:meth:`LAView.unit_masks`), their keys (:func:`code_text`, :func:`unit_key`)
and their readable names (:func:`describe_unit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

import pandas as pd

from civicpulse_report.measures import Measures

WHO_TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        "age_band": "People aged {group}",
        "sex": "{group} residents",
        "tenure": "{group}s",
        "imd_quintile": "Residents of deprivation quintile {group}",
        "years_in_area": "People who have lived in the area {group_lower}",
        "disability": "{group} residents",
    }
)


@dataclass(frozen=True, eq=False)
class LAView:
    """The estimates one LA's report needs in one wave, with who the LA is.

    Build it with :meth:`from_estimates`. The frames are selections of the
    estimates frame (same rows, columns, order and index labels); treat them
    as read-only.

    Attributes
    ----------
    la_code : str
    la_name : str
        Untrusted text, inserted as is where a sentence names the LA.
    wave : int
    estimates : DataFrame
        The rows of ``wave`` that are England's (every breakdown), the LA's
        own (overall and groups) or its neighbourhoods', in the order of the
        estimates frame.
    """

    la_code: str
    la_name: str
    wave: int
    estimates: pd.DataFrame

    @classmethod
    def from_estimates(
        cls, est: pd.DataFrame, la_code: str, wave: int, *, la_name: str | None = None
    ) -> LAView:
        """Take one LA's view from the all-LA estimates frame (one scan of it).

        Parameters
        ----------
        est : DataFrame
            The tidy estimates frame (all LAs, all waves).
        la_code : str
        wave : int
        la_name : str, optional
            Defaults to ``la_code``.

        Returns
        -------
        LAView
            Empty ``estimates`` (not an error) when the frame holds nothing
            for this LA and wave; the functions that need the LA say so.
        """
        mask = (est["wave"] == wave) & (
            (est["level"] == "england")
            | (est["area_code"] == la_code)
            | (est["la_code"] == la_code)
        )
        return cls(
            la_code=la_code,
            la_name=la_code if la_name is None else la_name,
            wave=wave,
            estimates=est[mask],
        )

    @cached_property
    def overall(self) -> pd.DataFrame:
        """The LA's whole-area rows: level la, its own area code, breakdown all."""
        est = self.estimates
        return est[
            (est["level"] == "la")
            & (est["area_code"] == self.la_code)
            & (est["breakdown"] == "all")
        ]

    @cached_property
    def england(self) -> pd.DataFrame:
        """England's overall rows (level england, breakdown all) in the wave."""
        est = self.estimates
        return est[(est["level"] == "england") & (est["breakdown"] == "all")]

    def unit_masks(self, rows: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Which of ``rows`` (a selection of :attr:`estimates`) are the LA's units.

        Returns
        -------
        whole, groups, neighbourhoods : Series of bool
            The LA's whole-area rows (level la, breakdown all), its
            demographic group rows (level la, any breakdown but all and
            neighbourhood) and its neighbourhoods' rows (level neighbourhood
            whose la_code is the LA's); aligned with ``rows``.
        """
        own_la = (rows["level"] == "la") & (rows["area_code"] == self.la_code)
        whole = own_la & (rows["breakdown"] == "all")
        groups = own_la & ~rows["breakdown"].isin(["all", "neighbourhood"])
        hoods = (rows["level"] == "neighbourhood") & (rows["la_code"] == self.la_code)
        return whole, groups, hoods


def code_text(values: pd.Series) -> pd.Series:
    """Codes as text for keys and joins, with a missing code (None/NaN) as ''."""
    return values.map(lambda v: "" if v is None or v is pd.NA or v != v else str(v)).astype(object)


def unit_key(rows: pd.DataFrame) -> pd.Series:
    """One text key per unit: ``level|area_code|breakdown|group_code``."""
    return (
        rows["level"]
        + "|"
        + code_text(rows["area_code"])
        + "|"
        + rows["breakdown"]
        + "|"
        + code_text(rows["group_code"])
    )


def describe_unit(
    measures: Measures | None,
    breakdown: str,
    group: str,
    group_code: str | None = None,
    neighbourhood_names: Mapping[str, str] | None = None,
) -> str:
    """A readable "who or where" for a group or neighbourhood.

    Demographic groups read as people ("Social renters", "People aged 16-24"),
    falling back to "<breakdown label>: <group>". Neighbourhoods take their
    name from ``neighbourhood_names`` (by code), falling back to the code.
    Names are untrusted text and are returned as is.
    """
    if breakdown == "all":
        return "All adults in the area"
    if breakdown == "neighbourhood":
        code = group_code if group_code is not None else group
        names = neighbourhood_names or {}
        name = names.get(str(code))
        return str(name) if isinstance(name, str) and name else str(code)
    template = WHO_TEMPLATES.get(breakdown)
    if template is not None:
        if template == "{group}s" and group.endswith("s"):
            return group
        return template.format(group=group, group_lower=group[:1].lower() + group[1:])
    demographic = measures.demographics.get(breakdown) if measures is not None else None
    label = demographic.label if demographic else breakdown
    return f"{label}: {group}"
