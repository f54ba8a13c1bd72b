"""Benchmark files: the open-data release of every LA-level and higher estimate.

A national build publishes one tidy table (``benchmarks.csv`` and
``.parquet``; column by column in data/README.md, "The benchmark file") that
a local build reads to put its own numbers beside England, its region, its
LA type and its nearest neighbours, on the national index scale. Every row
has a ``record_type``:

- ``meta``: facts about the release (``statistic`` names it; ``value`` or
  ``text`` holds it): national_coverage, n_las, reference_wave,
  confidence_level, min_base, neighbours_k, package_version;
- ``reference``: the index reference, England's first-wave weighted mean and
  SD of each indicator (``statistic`` mean or sd);
- ``estimate``: England, each region, each LA type and each LA (level), for
  every indicator and domain index and wave, with estimate, se, CI, base,
  weighted base, n_eff and deff, like the rows of ``tables.csv``; numbers only
  for cells with a base of at least the minimum and not hidden by secondary
  suppression (so that no withheld cell comes back by differencing), nothing
  below LA level. With ``flag_suppressed`` (the national release), a withheld
  cell keeps its row, with every number blank and :data:`SUPPRESSION_COLUMN`
  saying why ("primary": its own base is under the minimum; "secondary":
  withheld so that no other cell can be had back by differencing), so that a
  reader can tell "suppressed" from "not surveyed"; published rows leave it
  blank. Without it, withheld cells have no row (the layout before the
  column);
- ``spine``: the LA distribution per wave and indicator (min, q25, median,
  q75, max, n_las) behind spine charts;
- ``context``: each LA's contextual variables (population and the
  nearest-neighbour variables), for nearest neighbours;
- ``alpha``: England's Cronbach's alpha per domain index and wave.

Owns :func:`benchmark_table` (estimates -> table). Pure: frames in, a frame
out. The format and the release read from it are in :mod:`.release`; the
file reading and writing in :mod:`.benchmark_io`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from civicpulse_report import __version__
from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.columns import (
    AREA_LEVELS,
    ENGLAND_NAME,
    NUMERIC_COLUMNS,
    index_id,
)
from civicpulse_report.statistics.derived import SPINE_COLUMNS
from civicpulse_report.statistics.estimates import EstimateSet
from civicpulse_report.statistics.release import FORMAT_VERSION, context_columns, typed_table
from civicpulse_report.statistics.suppression import (
    NOT_SUPPRESSED,
    PRIMARY,
    SECONDARY,
    unsafe_to_publish,
)

#: The benchmark file's last column: why an estimate row has no numbers.
SUPPRESSION_COLUMN = "suppression"
#: Its values on a withheld estimate row (blank on every published row).
SUPPRESSION_FLAGS = (PRIMARY, SECONDARY)


def _meta_rows(est: EstimateSet, settings: Settings) -> list[dict[str, object]]:
    cov = est.coverage
    items: list[tuple[str, float | None, str | None]] = [
        ("national_coverage", None, "yes" if cov.national else "no"),
        ("n_las", float(cov.n_las), None),
        ("reference_wave", float(est.reference.wave), None),
        ("confidence_level", float(settings.confidence_level), None),
        ("min_base", float(settings.min_base), None),
        ("neighbours_k", float(settings.neighbours_k), None),
        ("package_version", None, __version__),
    ]
    return [
        {"record_type": "meta", "statistic": key, "value": value, "text": text}
        for key, value, text in items
    ]


def _withheld_flags(e: pd.DataFrame, keep: np.ndarray, min_base: int) -> np.ndarray:
    """Each row's :data:`SUPPRESSION_COLUMN` value: "" where kept, else primary or secondary."""
    marks = e["suppression"] if "suppression" in e.columns else pd.Series("", index=e.index)
    # A suppressed row has lost its base, so the estimates' own mark says which rule hid
    # it; a row under the minimum that escaped it is primary too. Anything else withheld
    # (secondary in the estimates, or hidden here so the file's own sets stay safe) is
    # secondary.
    small = ~e["suppressed"].astype(bool) & ~(e["base"] >= min_base)
    primary = (marks == PRIMARY).to_numpy() | small.to_numpy()
    return np.where(keep, NOT_SUPPRESSED, np.where(primary, PRIMARY, SECONDARY))


def benchmark_table(
    est: EstimateSet, dataset: Dataset, settings: Settings, *, flag_suppressed: bool = False
) -> pd.DataFrame:
    """Every LA-level and higher estimate of a run, as one tidy benchmark table.

    Parameters
    ----------
    est : EstimateSet
        From :func:`~civicpulse_report.statistics.estimates.compute_estimates`.
    dataset : Dataset
        The data set ``est`` was computed from (its LA lookup names the LAs).
    settings : Settings
        Supplies the minimum base: no number of a cell below it is exported.
    flag_suppressed : bool
        Keep a row for every withheld cell (primary or secondary
        suppression), with its labels, every number blank and
        :data:`SUPPRESSION_COLUMN` saying which rule withheld it; the
        national release is written so. Without it (the default) withheld
        cells have no row and the table has no such column.

    Returns
    -------
    DataFrame
        Columns :data:`BENCHMARK_COLUMNS` (and :data:`SUPPRESSION_COLUMN`
        last, with ``flag_suppressed``), rows ordered by record type; the
        same estimates always give the same table.

    Raises
    ------
    ValueError
        If ``est`` holds no England-level estimates to publish.
    """
    e = est.estimates
    e = e[e["level"].isin(AREA_LEVELS) & (e["breakdown"] == "all")].reset_index(drop=True)
    keep = ~e["suppressed"].astype(bool) & (e["base"] >= settings.min_base) & e["estimate"].notna()
    # The estimates carry secondary suppression already; this makes sure that no
    # LA, region or LA type left out can be had back by differencing the file's
    # own rows (the LAs of a region, an LA type or England against its row).
    keep &= ~unsafe_to_publish(e, ~keep.to_numpy(), est.areas)
    if not (e.loc[keep, "level"] == "england").any():
        raise ValueError("there are no England-level estimates to publish")
    flags = _withheld_flags(e, keep.to_numpy(), settings.min_base)
    # A row with no estimate that no rule withheld (nothing to estimate) is not a
    # suppressed cell: it stays out, flagged or not.
    withheld = ~keep & (e["suppressed"].astype(bool) | e["estimate"].notna())
    rows = (keep | withheld) if flag_suppressed else keep
    pub = e.loc[rows].copy()
    pub[SUPPRESSION_COLUMN] = flags[rows.to_numpy()]
    # A withheld cell keeps its labels only: no estimate, interval or base to difference.
    pub.loc[pub[SUPPRESSION_COLUMN] != NOT_SUPPRESSED, list(NUMERIC_COLUMNS)] = np.nan
    areas = est.areas.set_index("la_code")
    lookup = dataset.la_lookup.set_index("la_code")
    names = areas["la_name"].combine_first(lookup["la_name"])
    is_la = pub["level"] == "la"
    top_name = ENGLAND_NAME if est.coverage.national else "All LAs in this release"
    pub["area_name"] = np.where(
        is_la,
        pub["area_code"].map(names),
        np.where(pub["level"] == "england", top_name, pub["area_code"]),
    )
    pub["region"] = np.where(is_la, pub["area_code"].map(areas["region"]), None)
    pub["la_type"] = np.where(is_la, pub["area_code"].map(areas["la_type"]), None)
    order = {level: i for i, level in enumerate(AREA_LEVELS)}
    pub["_order"] = pub["level"].map(order)
    pub = pub.sort_values(["wave", "_order", "area_code", "indicator"], kind="mergesort")
    estimate_rows = pub.assign(record_type="estimate")

    ref = est.reference
    reference_rows = pd.DataFrame(
        [
            {
                "record_type": "reference",
                "wave": ref.wave,
                "indicator": ind,
                "statistic": stat,
                "value": float(values[ind]),
            }
            for ind in sorted(ref.mean)
            for stat, values in (("mean", ref.mean), ("sd", ref.sd))
        ]
    )
    spine = est.spine.melt(
        id_vars=["wave", "indicator"],
        value_vars=[*SPINE_COLUMNS, "n_las"],
        var_name="statistic",
        value_name="value",
    ).dropna(subset=["value"])
    spine["_order"] = spine["statistic"].map(
        {s: i for i, s in enumerate([*SPINE_COLUMNS, "n_las"])}
    )
    spine = spine.sort_values(["wave", "indicator", "_order"], kind="mergesort")
    spine_rows = spine.assign(record_type="spine")

    candidates = est.areas[est.areas["candidate"]].sort_values("la_code")
    variables = [c for c in context_columns(settings) if c in candidates.columns]
    context = candidates.melt(
        id_vars=["la_code", "la_name", "region", "la_type"],
        value_vars=variables,
        var_name="statistic",
        value_name="value",
    ).rename(columns={"la_code": "area_code", "la_name": "area_name"})
    context["_order"] = context["statistic"].map({v: i for i, v in enumerate(variables)})
    context = context.sort_values(["area_code", "_order"], kind="mergesort")
    context_rows = context.assign(record_type="context", level="la")

    alpha = est.alpha[
        (est.alpha["area_code"] == ENGLAND_CODE)
        & est.alpha["alpha"].notna()
        & (est.alpha["n"] >= settings.min_base)
    ]
    alpha_rows = pd.DataFrame(
        {
            "record_type": "alpha",
            "wave": alpha["wave"],
            "level": "england",
            "area_code": ENGLAND_CODE,
            "indicator": alpha["domain"].map(index_id),
            "statistic": "alpha",
            "value": alpha["alpha"],
            "base": alpha["n"],
        }
    )
    parts = [
        pd.DataFrame(_meta_rows(est, settings)),
        reference_rows,
        estimate_rows,
        spine_rows,
        context_rows,
        alpha_rows,
    ]
    joined = pd.concat([p.drop(columns="_order", errors="ignore") for p in parts])
    table = typed_table(joined)
    if flag_suppressed:
        marks = joined[SUPPRESSION_COLUMN].fillna(NOT_SUPPRESSED).astype(object).to_numpy()
        table[SUPPRESSION_COLUMN] = marks
    table["format_version"] = FORMAT_VERSION
    digest = hashlib.sha256(
        table.drop(columns="release_version").to_csv(index=False).encode("utf-8")
    ).hexdigest()[:12]
    table["release_version"] = f"{est.latest_wave}-{digest}"
    return table
