"""Every LA a run knows, where it comes from, and its nearest neighbours.

Owns :func:`area_table`: the LAs of the LA lookup and of a benchmark file in
one frame (code, name, region, type, contextual variables), each marked with
its ``source`` (``microdata`` when the data folder has survey responses for
it, ``benchmark file`` when only the release has it, ``none`` otherwise) and
whether it is a nearest-neighbour ``candidate``: an LA with data, in the
microdata or in the release. An LA without data is never a neighbour, so it
is never named as a comparator. Also owns :func:`run_neighbours`, which
uses as many neighbours as there are candidates when there are fewer than k.

Pure: frames in, frames out, no I/O.
"""

from __future__ import annotations

import pandas as pd

from civicpulse_report.inputs import Dataset
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.columns import SOURCE_BENCHMARK, SOURCE_MICRODATA, SOURCE_NONE
from civicpulse_report.statistics.neighbours import nearest_neighbours
from civicpulse_report.statistics.release import BenchmarkRelease, context_columns

AREA_COLUMNS = ("la_code", "la_name", "region", "la_type", "source", "candidate")


def area_table(
    dataset: Dataset, settings: Settings, release: BenchmarkRelease | None = None
) -> pd.DataFrame:
    """The LAs of a run: the lookup's, then the release's that the lookup lacks.

    An LA in both takes its name, region and type from the lookup and its
    contextual variables from the release, so that nearest neighbours are
    those of the national release.

    Parameters
    ----------
    dataset : Dataset
    settings : Settings
        Names the contextual variables.
    release : BenchmarkRelease, optional

    Returns
    -------
    DataFrame
        :data:`AREA_COLUMNS` and the contextual variables, sorted by la_code.
    """
    variables = [c for c in context_columns(settings) if c in dataset.la_lookup.columns]
    own = dataset.la_lookup[["la_code", "la_name", "region", "la_type", *variables]].copy()
    own["la_code"] = own["la_code"].astype(str)
    with_data = set(dataset.survey["la_code"].astype(str).unique())
    own["source"] = [SOURCE_MICRODATA if c in with_data else SOURCE_NONE for c in own["la_code"]]
    if release is not None:
        rel = release.areas.copy()
        rel["source"] = SOURCE_BENCHMARK
        known = rel.set_index("la_code")
        for col in variables:
            if col in known.columns:
                values = own["la_code"].map(known[col])
                own[col] = values.where(values.notna(), own[col])
        own.loc[(own["source"] == SOURCE_NONE) & own["la_code"].isin(known.index), "source"] = (
            SOURCE_BENCHMARK
        )
        extra = rel[~rel["la_code"].isin(own["la_code"])]
        own = pd.concat([own, extra[[c for c in own.columns if c in extra.columns]]])
    own["candidate"] = own["source"] != SOURCE_NONE
    order = [*AREA_COLUMNS, *(c for c in own.columns if c not in AREA_COLUMNS)]
    return own[order].sort_values("la_code", kind="stable").reset_index(drop=True)


def run_neighbours(areas: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Each candidate LA's nearest neighbours among the candidates.

    With fewer other candidates than ``settings.neighbours_k``, every other
    candidate is a neighbour (the k used is the number of rows per LA); with
    none, the frame is empty.

    Parameters
    ----------
    areas : DataFrame
        From :func:`area_table`.
    settings : Settings

    Returns
    -------
    DataFrame
        la_code, neighbour_code, rank, distance.

    Raises
    ------
    InputError
        If a candidate's contextual variable is missing or not numeric (from
        :func:`~civicpulse_report.statistics.neighbours.nearest_neighbours`).
    """
    candidates = areas[areas["candidate"]].reset_index(drop=True)
    k = min(int(settings.neighbours_k), len(candidates) - 1)
    if k < 1:
        return pd.DataFrame(
            {
                "la_code": pd.Series(dtype=object),
                "neighbour_code": pd.Series(dtype=object),
                "rank": pd.Series(dtype="int64"),
                "distance": pd.Series(dtype="float64"),
            }
        )
    return nearest_neighbours(candidates, settings.neighbours_variables, k=k)
