"""Scoring: integer-coded survey items -> respondent-level indicators -> domain indices.

The measures themselves (what is measured, validated from measures.yml) live in
:mod:`civicpulse_report.measures`; this module turns one respondent's answers
into numbers with them. Negative item codes are SPSS-style missing values and
never numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.measures import INDEX_CENTRE, INDEX_SPREAD, Item, Measures, Scale


def valid_item_values(values: pd.Series, item: Item) -> pd.Series:
    """Return the item as floats with missing codes (negative, NA) set to NaN."""
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    return numeric.where(numeric >= 0)


def score_scale(
    items: pd.DataFrame, scale: Scale, item_range: tuple[int, int] = (1, 5)
) -> pd.Series:
    """Score a multi-item scale per respondent.

    Reverse-scored items are recoded ``low + high - x``. A respondent with fewer
    than ``scale.min_items`` valid answers is not scored (NaN). ``method='mean'``
    averages the answered items (as the Brief Resilience Scale is scored);
    ``method='sum'`` adds them, which with ``min_items`` equal to the number of
    items is the SWEMWBS raw score.

    Parameters
    ----------
    items : DataFrame
        One column per item, numeric, missing values already NaN.
    scale : Scale
    item_range : (int, int)
        Lowest and highest valid response code of each item.
    """
    low, high = item_range
    scored = items.copy()
    for name in scale.reverse:
        scored[name] = low + high - scored[name]
    answered = scored.notna().sum(axis=1)
    if scale.method == "mean":
        value = scored.mean(axis=1, skipna=True)
    else:
        value = scored.sum(axis=1, skipna=True, min_count=1)
    return value.where(answered >= scale.min_items)


def score_indicators(survey: pd.DataFrame, measures: Measures) -> pd.DataFrame:
    """Compute every indicator for every respondent.

    Parameters
    ----------
    survey : DataFrame
        Validated survey microdata holding every item named in ``measures``.
    measures : Measures

    Returns
    -------
    DataFrame
        Same index as ``survey``; one float column per indicator id. Proportion
        indicators are 1.0/0.0, means are scale scores; NaN where the
        respondent gave no valid answer.
    """
    columns: dict[str, pd.Series] = {}
    for ind in measures.indicators:
        if ind.type == "proportion":
            item = measures.items[ind.items[0]]
            values = valid_item_values(survey[item.name], item)
            columns[ind.id] = (
                values.isin(ind.positive_codes).astype("float64").where(values.notna())
            )
        else:
            assert ind.scale is not None
            frame = pd.DataFrame(
                {name: valid_item_values(survey[name], measures.items[name]) for name in ind.items}
            )
            codes = sorted(measures.items[ind.items[0]].valid_codes)
            columns[ind.id] = score_scale(frame, ind.scale, (codes[0], codes[-1]))
    return pd.DataFrame(columns, index=survey.index)


@dataclass(frozen=True)
class IndexReference:
    """Weighted mean and SD of each indicator in the reference population.

    Domain indices are expressed relative to England in the reference wave, so
    that England = 100 there and an index stays comparable across waves.
    """

    wave: int
    mean: Mapping[str, float]
    sd: Mapping[str, float]


def index_reference(
    scores: pd.DataFrame, weights: pd.Series, waves: pd.Series, wave: int
) -> IndexReference:
    """Weighted mean and SD of every indicator over all respondents in ``wave``."""
    in_wave = waves == wave
    mean: dict[str, float] = {}
    sd: dict[str, float] = {}
    for col in scores.columns:
        x = scores.loc[in_wave, col]
        w = weights[in_wave].where(x.notna())
        ok = x.notna()
        m = float(np.average(x[ok], weights=w[ok]))
        var = float(np.average((x[ok] - m) ** 2, weights=w[ok]))
        mean[col] = m
        sd[col] = float(np.sqrt(var)) if var > 0 else 1.0
    return IndexReference(wave=wave, mean=mean, sd=sd)


def domain_scores(
    scores: pd.DataFrame,
    measures: Measures,
    reference: IndexReference,
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Respondent-level domain index scores (England in the reference wave = 100).

    Each indicator is standardised against the reference (z-score), oriented so
    that higher is always better (``lower_is_better`` indicators are negated,
    ``neutral`` ones are left out of indices), and the domain score is the
    equally weighted mean of the respondent's available standardised indicators,
    mapped to ``100 + 10 * z``. Respondents answering less than ``min_share`` of
    a domain's indicators get no score for it.
    """
    out: dict[str, pd.Series] = {}
    for dom in measures.domains:
        frame = standardised_components(scores, measures, reference, dom.id)
        answered = frame.notna().sum(axis=1)
        value = INDEX_CENTRE + INDEX_SPREAD * frame.mean(axis=1, skipna=True)
        out[dom.id] = value.where(answered >= np.ceil(min_share * frame.shape[1]))
    return pd.DataFrame(out, index=scores.index)


def standardised_components(
    scores: pd.DataFrame, measures: Measures, reference: IndexReference, domain_id: str
) -> pd.DataFrame:
    """The oriented z-scores that make up one domain (its index and Cronbach's alpha)."""
    parts = {}
    for ind in measures.indicators_in(domain_id):
        if ind.polarity == "neutral":
            continue
        z = (scores[ind.id] - reference.mean[ind.id]) / reference.sd[ind.id]
        parts[ind.id] = -z if ind.polarity == "lower_is_better" else z
    return pd.DataFrame(parts, index=scores.index)
