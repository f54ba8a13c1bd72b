"""The direct estimates: every published level summarised from the respondents.

Owns the first step of the all-LA pass: respondent-level indicator and
domain-index values (:func:`respondent_values`), and their weighted
summaries for England, regions, LA types, LAs, groups within LAs and
neighbourhoods, labelled and in per cent for proportions
(:func:`direct_estimates`); and the type and polarity of every published id.
Nothing is derived from them here (comparators, change, shrinkage: see
:mod:`.derived`). Pure: frames in, frames out, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.measures import Measures
from civicpulse_report.scoring import (
    IndexReference,
    domain_scores,
    index_reference,
    score_indicators,
)
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.columns import NUMERIC_COLUMNS, SOURCE_MICRODATA, index_id
from civicpulse_report.statistics.summaries import summarise_groupings


def indicator_types(measures: Measures) -> dict[str, str]:
    """Map every published indicator id (incl. domain indices) to its type."""
    types = {ind.id: ind.type for ind in measures.indicators}
    types.update({index_id(d.id): "mean" for d in measures.domains})
    return types


def indicator_polarity(measures: Measures) -> dict[str, str]:
    """Map every published indicator id (incl. domain indices) to its polarity."""
    polarity = {ind.id: ind.polarity for ind in measures.indicators}
    polarity.update({index_id(d.id): "higher_is_better" for d in measures.domains})
    return polarity


def respondent_values(
    dataset: Dataset,
    measures: Measures,
    reference_wave: int | None = None,
    *,
    reference: IndexReference | None = None,
) -> tuple[pd.DataFrame, IndexReference]:
    """Respondent-level indicator and domain-index values with geography.

    Parameters
    ----------
    dataset : Dataset
    measures : Measures
    reference_wave : int, optional
        The wave whose weighted means and SDs set the index scale (default:
        the first wave of the microdata).
    reference : IndexReference, optional
        A given index reference (a benchmark file's), used instead.

    Returns
    -------
    (DataFrame, IndexReference)
        Columns: wave, la_code, neighbourhood_code, region, la_type, weight,
        the demographic columns (codes, NaN when missing), one column per
        indicator and one ``index_<domain>`` column per domain.
    """
    survey = dataset.survey
    scores = score_indicators(survey, measures)
    waves = survey["wave"].astype(int)
    weights = survey["weight"].astype(float)
    if reference is None:
        ref_wave = int(waves.min()) if reference_wave is None else reference_wave
        reference = index_reference(scores, weights, waves, ref_wave)
    domains = domain_scores(scores, measures, reference)
    domains.columns = [index_id(c) for c in domains.columns]
    geo = dataset.la_lookup.set_index("la_code")[["region", "la_type"]]
    frame = pd.DataFrame(
        {
            "wave": waves.to_numpy(),
            "la_code": survey["la_code"].astype(str).to_numpy(),
            "neighbourhood_code": survey["neighbourhood_code"].astype(str).to_numpy(),
            "weight": weights.to_numpy(),
        },
        index=survey.index,
    )
    frame["region"] = frame["la_code"].map(geo["region"])
    frame["la_type"] = frame["la_code"].map(geo["la_type"])
    for col in measures.demographics:
        codes = pd.to_numeric(survey[col], errors="coerce")
        frame[col] = codes.where(codes >= 0).astype("Int64")
    return pd.concat([frame, scores, domains], axis=1), reference


# The column that holds an LA's code only for the LAs whose breakdowns are asked for.
_SELECTED = "_la_selected"


def _label_level(
    out: pd.DataFrame,
    *,
    level: str,
    area: str | None,
    breakdown: str,
    measures: Measures,
) -> pd.DataFrame:
    """Put one level's summaries into the common shape, with its group labels."""
    labelled = pd.DataFrame(
        {
            "wave": out["wave"].astype(int),
            "level": level,
            "area_code": ENGLAND_CODE if area is None else out[area].astype(str),
            "la_code": out["la_code"].astype(str) if "la_code" in out else None,
            "breakdown": breakdown,
        }
    )
    if breakdown == "all":
        labelled["group_code"] = None
        labels: pd.Series | str = "All"
    elif breakdown == "neighbourhood":
        labelled["group_code"] = out["neighbourhood_code"].astype(str)
        labels = labelled["group_code"]
    else:
        # Few distinct codes: label them once, then map (not one lookup per row).
        codes = out[breakdown].astype(int)
        distinct = codes.unique()
        names = {int(c): str(int(c)) for c in distinct}
        labelled["group_code"] = codes.map(names).astype(object)
        labels = codes.map({c: _group_label(measures, breakdown, n) for c, n in names.items()})
    stat_columns = ["indicator", "type", *NUMERIC_COLUMNS]
    frame = pd.concat([labelled, out[stat_columns]], axis=1)
    frame["group"] = labels
    return frame


def _group_label(measures: Measures, breakdown: str, code: str) -> str:
    if breakdown == "all":
        return "All"
    if breakdown == "neighbourhood":
        return code
    return measures.demographics[breakdown].codes.get(int(code), str(code))


def direct_estimates(
    values: pd.DataFrame,
    measures: Measures,
    settings: Settings,
    *,
    la_codes: Collection[str] | None = None,
) -> pd.DataFrame:
    """The grouped summaries of every published level, labelled, proportions in per cent.

    Parameters
    ----------
    values : DataFrame
        From :func:`respondent_values`.
    measures : Measures
    settings : Settings
        The breakdowns and the confidence level.
    la_codes : collection of str, optional
        Summarise neighbourhoods only in these LAs (default: every LA). The
        groups of every LA are always summarised: secondary suppression's
        "one group across every LA" sets need every LA's group bases (the
        caller drops the other LAs' group rows once suppression has run).
        England, regions, LA types and every LA's overall rows are always
        summarised from every respondent. Each summary is the same sum over
        the same respondents in the same order either way (one call, one
        centring of the mean columns), so a restricted run's rows equal the
        full run's exactly.

    Returns
    -------
    DataFrame
        The tidy estimates frame before anything is derived, ``source`` microdata.
    """
    types = indicator_types(measures)
    frame = values
    nb_key = "la_code"
    if la_codes is not None and neighbourhoods_partition(values):
        selected = sorted({str(c) for c in la_codes})
        la = values["la_code"]
        frame = values.assign(**{_SELECTED: la.where(la.isin(selected))})
        nb_key = _SELECTED
    # (grouping, level, area column, breakdown) for every published level.
    levels: list[tuple[list[str], str, str | None, str]] = [
        (["wave"], "england", None, "all"),
        (["wave", "region"], "region", "region", "all"),
        (["wave", "la_type"], "la_type", "la_type", "all"),
        (["wave", "la_code"], "la", "la_code", "all"),
        (
            ["wave", nb_key, "neighbourhood_code"],
            "neighbourhood",
            "neighbourhood_code",
            "neighbourhood",
        ),
    ]
    for b in settings.breakdowns:
        levels.append((["wave", b], "england", None, b))
        levels.append((["wave", "la_code", b], "la", "la_code", b))
    summaries = summarise_groupings(
        frame,
        [by for by, *_ in levels],
        list(types),
        types,
        weight="weight",
        confidence=settings.confidence_level,
    )
    parts = [
        _label_level(
            out.rename(columns={_SELECTED: "la_code"}),
            level=level,
            area=area,
            breakdown=breakdown,
            measures=measures,
        )
        for out, (_, level, area, breakdown) in zip(summaries, levels, strict=True)
    ]
    est = pd.concat(parts, ignore_index=True)

    # Per cent for proportions, from here on everywhere.
    is_prop = (est["type"] == "proportion").to_numpy()
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        x = est[col].to_numpy(float)
        est[col] = np.where(is_prop, x * 100.0, x)

    # Last but two, as ever; from a plain array, so that its dtype is inferred as before.
    est["group"] = est.pop("group").to_numpy(object)
    est["polarity"] = est["indicator"].map(indicator_polarity(measures))
    est["source"] = SOURCE_MICRODATA
    return est


def neighbourhoods_partition(values: pd.DataFrame) -> bool:
    """Whether every respondent is in a neighbourhood (so its LA's neighbourhoods partition it).

    Then an LA's neighbourhood set (its neighbourhoods with the LA, in
    secondary suppression) never hides the LA's own row: that needs every
    neighbourhood hidden and an unpublished remainder, and there is none. So
    the other LAs' neighbourhoods cannot change anything a restricted run
    keeps, and need not be summarised.
    """
    return not values["neighbourhood_code"].isna().any()
