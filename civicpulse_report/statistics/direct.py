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


def _label_level(
    out: pd.DataFrame, *, level: str, area: str | None, breakdown: str
) -> pd.DataFrame:
    """Put one level's summaries into the common shape."""
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
    elif breakdown == "neighbourhood":
        labelled["group_code"] = out["neighbourhood_code"].astype(str)
    else:
        labelled["group_code"] = out[breakdown].astype(int).astype(str)
    stat_columns = ["indicator", "type", *NUMERIC_COLUMNS]
    return pd.concat([labelled, out[stat_columns]], axis=1)


def _group_label(measures: Measures, breakdown: str, code: str) -> str:
    if breakdown == "all":
        return "All"
    if breakdown == "neighbourhood":
        return code
    return measures.demographics[breakdown].codes.get(int(code), str(code))


def direct_estimates(values: pd.DataFrame, measures: Measures, settings: Settings) -> pd.DataFrame:
    """The grouped summaries of every published level, labelled, proportions in per cent.

    Parameters
    ----------
    values : DataFrame
        From :func:`respondent_values`.
    measures : Measures
    settings : Settings
        The breakdowns and the confidence level.

    Returns
    -------
    DataFrame
        The tidy estimates frame before anything is derived, ``source`` microdata.
    """
    types = indicator_types(measures)
    # (grouping, level, area column, breakdown) for every published level.
    levels: list[tuple[list[str], str, str | None, str]] = [
        (["wave"], "england", None, "all"),
        (["wave", "region"], "region", "region", "all"),
        (["wave", "la_type"], "la_type", "la_type", "all"),
        (["wave", "la_code"], "la", "la_code", "all"),
        (
            ["wave", "la_code", "neighbourhood_code"],
            "neighbourhood",
            "neighbourhood_code",
            "neighbourhood",
        ),
    ]
    for b in settings.breakdowns:
        levels.append((["wave", b], "england", None, b))
        levels.append((["wave", "la_code", b], "la", "la_code", b))
    summaries = summarise_groupings(
        values,
        [by for by, *_ in levels],
        list(types),
        types,
        weight="weight",
        confidence=settings.confidence_level,
    )
    parts = [
        _label_level(out, level=level, area=area, breakdown=breakdown)
        for out, (_, level, area, breakdown) in zip(summaries, levels, strict=True)
    ]
    est = pd.concat(parts, ignore_index=True)

    # Per cent for proportions, from here on everywhere.
    is_prop = est["type"] == "proportion"
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        est.loc[is_prop, col] = est.loc[is_prop, col] * 100.0

    pairs = est[["breakdown", "group_code"]].drop_duplicates()
    labels = {
        (b, g): _group_label(measures, b, g) if isinstance(g, str) else "All"
        for b, g in pairs.itertuples(index=False)
    }
    est["group"] = (
        pd.Series(list(zip(est["breakdown"], est["group_code"], strict=True)))
        .map(labels)
        .to_numpy()
    )
    est["polarity"] = est["indicator"].map(indicator_polarity(measures))
    est["source"] = SOURCE_MICRODATA
    return est
