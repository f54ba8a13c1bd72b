"""Every published estimate for every LA, computed in one vectorised pass.

This is the statistical heart of a run (ARCHITECTURE decision 1): weighted
estimates with confidence intervals for each indicator and domain index, for
England, regions, LA types, LAs, demographic groups within LAs, and modelled
(shrunk) neighbourhood estimates; comparators (England, region, LA type,
nearest neighbours) with Fingertips-style significance; change since the
previous wave; disclosure control; Cronbach's alpha per domain.

Proportions are published in per cent; means and indices in their own units.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.measures import (
    IndexReference,
    Measures,
    domain_scores,
    index_reference,
    score_indicators,
    standardised_components,
)
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.comparison import change_test, compare_to_comparator
from civicpulse_report.statistics.neighbours import nearest_neighbours
from civicpulse_report.statistics.reliability import cronbach_alpha
from civicpulse_report.statistics.shrinkage import empirical_bayes_shrinkage
from civicpulse_report.statistics.summaries import SUMMARY_COLUMNS, summarise_groupings

ENGLAND_NAME = "England"
INDEX_PREFIX = "index_"

# The numbers summarise_groups publishes for every cell.
NUMERIC_COLUMNS = SUMMARY_COLUMNS[2:]
COMPARATORS = ("england", "region", "la_type", "neighbours")
COMPARATOR_LABELS = {
    "england": "England",
    "region": "Region",
    "la_type": "LA type",
    "neighbours": "Nearest neighbours",
}


def index_id(domain_id: str) -> str:
    """The indicator id under which a domain index is published."""
    return f"{INDEX_PREFIX}{domain_id}"


@dataclass(frozen=True)
class EstimateSet:
    """Everything computed for a run; the input to fact bundles.

    Attributes
    ----------
    estimates : DataFrame
        Tidy: one row per (wave, level, area, breakdown, group, indicator).
        ``level`` is one of england, region, la_type, la, neighbourhood.
    neighbours : DataFrame
        la_code, neighbour_code, rank, distance.
    alpha : DataFrame
        wave, area_code, domain, alpha, n (complete cases).
    spine : DataFrame
        Distribution of LA estimates per wave and indicator (min, q25, median,
        q75, max, england).
    reference : IndexReference
    waves : tuple[int, ...]
    """

    estimates: pd.DataFrame
    neighbours: pd.DataFrame
    alpha: pd.DataFrame
    spine: pd.DataFrame
    reference: IndexReference
    waves: tuple[int, ...]

    @property
    def latest_wave(self) -> int:
        return self.waves[-1]


def indicator_types(measures: Measures) -> dict[str, str]:
    """Map every published indicator id (incl. domain indices) to its type."""
    types = {ind.id: ind.type for ind in measures.indicators}
    types.update({index_id(d.id): "mean" for d in measures.domains})
    return types


def indicator_polarity(measures: Measures) -> dict[str, str]:
    polarity = {ind.id: ind.polarity for ind in measures.indicators}
    polarity.update({index_id(d.id): "higher_is_better" for d in measures.domains})
    return polarity


def respondent_values(
    dataset: Dataset, measures: Measures, reference_wave: int | None = None
) -> tuple[pd.DataFrame, IndexReference]:
    """Respondent-level indicator and domain-index values with geography.

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


def compute_estimates(dataset: Dataset, measures: Measures, settings: Settings) -> EstimateSet:
    """Run the one vectorised pass over all LAs.

    Parameters
    ----------
    dataset : Dataset
        Validated inputs.
    measures : Measures
    settings : Settings

    Returns
    -------
    EstimateSet
    """
    values, reference = respondent_values(dataset, measures)
    types = indicator_types(measures)
    conf = settings.confidence_level
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
        values, [by for by, *_ in levels], list(types), types, weight="weight", confidence=conf
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
    polarity = indicator_polarity(measures)
    est["polarity"] = est["indicator"].map(polarity)

    neighbours = nearest_neighbours(
        dataset.la_lookup,
        settings.neighbours_variables,
        k=min(settings.neighbours_k, len(dataset.la_lookup) - 1),
    )
    est = _shrink_neighbourhoods(est, conf)
    # Suppress before comparators are attached, so that no comparator value
    # (a region or LA type of one small LA, a single small neighbour, a small
    # England) carries a suppressed estimate into a published row.
    est = _apply_disclosure_control(est, settings.min_base)
    est = _add_comparators(est, dataset, neighbours, conf)
    est = _add_change(est, conf)
    spine = _spine(est)
    alpha = _alpha(values, measures, reference, dataset)
    # Alpha is a published figure too: none on fewer than min_base complete cases.
    alpha.loc[alpha["n"] < settings.min_base, "alpha"] = np.nan
    est = est.sort_values(
        ["wave", "level", "area_code", "breakdown", "group_code", "indicator"], na_position="first"
    ).reset_index(drop=True)
    return EstimateSet(
        estimates=est,
        neighbours=neighbours,
        alpha=alpha,
        spine=spine,
        reference=reference,
        waves=tuple(sorted(int(w) for w in values["wave"].unique())),
    )


def _shrink_neighbourhoods(est: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Replace neighbourhood direct estimates with empirical Bayes estimates.

    The prior mean is the LA's direct estimate. The sampling variance of a
    proportion uses the LA's proportion (p_LA (1 - p_LA) / n_eff), so that a
    neighbourhood at 0% or 100% does not look infinitely precise; for means it
    is the neighbourhood's own squared standard error.
    """
    keys = ["wave", "la_code", "indicator"]
    la = est.loc[(est["level"] == "la") & (est["breakdown"] == "all"), [*keys, "estimate", "se"]]
    la = la.rename(columns={"estimate": "prior_mean", "se": "prior_se"})
    nb_mask = est["level"] == "neighbourhood"
    nb = est.loc[nb_mask].merge(la, on=keys, how="left")
    p = nb["prior_mean"] / 100.0
    prop_var = (p * (1 - p) / nb["n_eff"]) * 100.0**2
    nb["variance"] = np.where(nb["type"] == "proportion", prop_var, nb["se"] ** 2)
    nb["prior_variance"] = nb["prior_se"] ** 2
    nb["upper_bound"] = np.where(nb["type"] == "proportion", 100.0, np.nan)
    nb["lower_bound"] = np.where(nb["type"] == "proportion", 0.0, np.nan)
    shrunk = empirical_bayes_shrinkage(
        nb,
        keys,
        estimate="estimate",
        variance="variance",
        prior_mean="prior_mean",
        bounds=("lower_bound", "upper_bound"),
        prior_variance="prior_variance",
        confidence=confidence,
    )
    shrunk["estimate"] = shrunk["shrunk_estimate"]
    shrunk["se"] = shrunk["shrunk_se"]
    shrunk["ci_lower"] = shrunk["shrunk_ci_lower"]
    shrunk["ci_upper"] = shrunk["shrunk_ci_upper"]
    shrunk["modelled"] = True
    keep = [*est.columns, "modelled", "shrinkage_factor"]
    shrunk = shrunk[keep]
    rest = est.loc[~nb_mask].assign(modelled=False, shrinkage_factor=np.nan)
    return pd.concat([rest, shrunk], ignore_index=True)


def _add_comparators(
    est: pd.DataFrame, dataset: Dataset, neighbours: pd.DataFrame, confidence: float
) -> pd.DataFrame:
    """Attach comparator values and Fingertips-style significance flags.

    LA-level rows are compared with England, their region, their LA type and
    their nearest neighbours (pooled: the weighted-base-weighted mean of the
    neighbours' estimates, which equals the estimate over their pooled
    respondents). Group and neighbourhood rows are compared with England.
    Runs after disclosure control: a suppressed row is no comparator, and the
    neighbours are pooled over those whose estimate is published.
    """
    keys = ["wave", "indicator"]
    overall = est["breakdown"] == "all"
    eng = est.loc[(est["level"] == "england") & overall, [*keys, "estimate"]].rename(
        columns={"estimate": "england_value"}
    )
    est = est.merge(eng, on=keys, how="left")

    lookup = dataset.la_lookup.set_index("la_code")
    la_region = est["la_code"].map(lookup["region"])
    la_type = est["la_code"].map(lookup["la_type"])
    reg = est.loc[(est["level"] == "region") & overall, [*keys, "area_code", "estimate"]]
    reg = reg.rename(columns={"area_code": "_region", "estimate": "region_value"})
    typ = est.loc[(est["level"] == "la_type") & overall, [*keys, "area_code", "estimate"]]
    typ = typ.rename(columns={"area_code": "_la_type", "estimate": "la_type_value"})
    est["_region"] = la_region
    est["_la_type"] = la_type
    est = est.merge(reg, on=[*keys, "_region"], how="left").merge(
        typ, on=[*keys, "_la_type"], how="left"
    )

    la_rows = est.loc[
        (est["level"] == "la") & (est["breakdown"] == "all"),
        [*keys, "la_code", "estimate", "weighted_base"],
    ]
    pairs = neighbours[["la_code", "neighbour_code"]].merge(
        la_rows.rename(columns={"la_code": "neighbour_code"}), on="neighbour_code"
    )
    pairs["_wx"] = pairs["estimate"] * pairs["weighted_base"]
    pooled = pairs.groupby([*keys, "la_code"], as_index=False)[["_wx", "weighted_base"]].sum()
    pooled["neighbours_value"] = pooled["_wx"] / pooled["weighted_base"]
    est = est.merge(
        pooled[[*keys, "la_code", "neighbours_value"]], on=[*keys, "la_code"], how="left"
    )

    la_overall = (est["level"] == "la") & (est["breakdown"] == "all")
    for name in ("region", "la_type", "neighbours"):
        est.loc[~la_overall, f"{name}_value"] = np.nan
    est.loc[est["level"] == "england", "england_value"] = np.nan
    for name in COMPARATORS:
        est[f"sig_{name}"] = compare_to_comparator(
            est["ci_lower"].to_numpy(float),
            est["ci_upper"].to_numpy(float),
            est[f"{name}_value"].to_numpy(float),
            est["polarity"].to_numpy(),
        )
    return est.drop(columns=["_region", "_la_type"])


def _add_change(est: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Change since the previous wave present, with a two-sample z test."""
    waves = sorted(est["wave"].unique())
    previous = {w: p for p, w in itertools.pairwise(waves)}
    keys = ["level", "area_code", "breakdown", "group_code", "indicator"]
    before = est[[*keys, "wave", "estimate", "se"]].copy()
    before = before[before["wave"].isin(previous.values())]
    inverse = {p: w for w, p in previous.items()}
    before["wave"] = before["wave"].map(inverse)
    before = before.rename(columns={"estimate": "previous_estimate", "se": "previous_se"})
    est = est.merge(before, on=[*keys, "wave"], how="left")
    test = change_test(
        est["estimate"].to_numpy(float),
        est["se"].to_numpy(float),
        est["previous_estimate"].to_numpy(float),
        est["previous_se"].to_numpy(float),
        confidence=confidence,
    )
    est["change"] = test["difference"].to_numpy()
    est["change_p"] = test["p_value"].to_numpy()
    est["change_significant"] = test["significant"].to_numpy(bool)
    est["previous_wave"] = est["wave"].map(previous)
    return est


def _apply_disclosure_control(est: pd.DataFrame, min_base: int) -> pd.DataFrame:
    """Blank every number resting on fewer than ``min_base`` respondents.

    A suppressed row keeps its labels and says it is suppressed; its estimate,
    interval, bases and comparisons are removed, so no output can leak it. This
    runs before comparators are attached (a suppressed row is no comparator)
    and before the change since the previous wave is computed, so a change
    involving a suppressed wave is blank too.
    """
    est = est.copy()
    small = est["base"] < min_base
    est["suppressed"] = small
    est.loc[small, [*NUMERIC_COLUMNS, "shrinkage_factor"]] = np.nan
    for name in COMPARATORS:
        est.loc[small, f"sig_{name}"] = "not tested"
    return est


def _spine(est: pd.DataFrame) -> pd.DataFrame:
    """Distribution of LA values per wave and indicator, for spine charts."""
    la = est[(est["level"] == "la") & (est["breakdown"] == "all") & ~est["suppressed"]]
    grouped = la.groupby(["wave", "indicator"])["estimate"]
    probs = [0.0, 0.25, 0.5, 0.75, 1.0]
    # reindex: with every LA suppressed there are no quantile columns to name.
    spine = grouped.quantile(probs).unstack().reindex(columns=probs)
    spine.columns = ["min", "q25", "median", "q75", "max"]
    spine["n_las"] = grouped.count()
    eng = est[(est["level"] == "england") & (est["breakdown"] == "all")].set_index(
        ["wave", "indicator"]
    )
    spine["england"] = eng["estimate"]
    return spine.reset_index()


def _alpha(
    values: pd.DataFrame, measures: Measures, reference: IndexReference, dataset: Dataset
) -> pd.DataFrame:
    """Cronbach's alpha per domain, for England and every LA, in every wave.

    Computed on the standardised, polarity-oriented indicators that make up
    each domain, unweighted, on respondents answering all of them.
    """
    rows = []
    for dom in measures.domains:
        comp = standardised_components(values, measures, reference, dom.id)
        k = comp.shape[1]
        if k < 2:
            continue
        complete = comp.notna().all(axis=1)
        comp = comp[complete]
        keys = values.loc[complete, ["wave", "la_code"]]
        for wave in sorted(keys["wave"].unique()):
            in_wave = keys["wave"] == wave
            rows.append(
                {
                    "wave": int(wave),
                    "area_code": ENGLAND_CODE,
                    "domain": dom.id,
                    "alpha": cronbach_alpha(comp[in_wave]),
                    "n": int(in_wave.sum()),
                }
            )
        grouped = comp.groupby([keys["wave"], keys["la_code"]])
        item_var = grouped.var(ddof=1).sum(axis=1)
        total_var = comp.sum(axis=1).groupby([keys["wave"], keys["la_code"]]).var(ddof=1)
        n = grouped.size()
        alpha = k / (k - 1) * (1 - item_var / total_var)
        frame = pd.DataFrame({"alpha": alpha, "n": n}).reset_index()
        frame = frame.rename(columns={"la_code": "area_code"})
        frame["domain"] = dom.id
        rows.extend(frame.to_dict("records"))
    return pd.DataFrame(rows, columns=["wave", "area_code", "domain", "alpha", "n"])
