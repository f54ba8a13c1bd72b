"""What the all-LA pass derives from the direct estimates, step by step.

Owns the steps :func:`~civicpulse_report.statistics.estimates.compute_estimates`
runs after the grouped summaries, in this order: modelled (shrunk)
neighbourhood estimates, disclosure control, comparators with
Fingertips-style significance, change since the previous wave, the LA
distribution behind spine charts, and Cronbach's alpha per domain. Each is
pure: frames in, a frame out, no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection

import numpy as np
import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE
from civicpulse_report.measures import Measures
from civicpulse_report.scoring import IndexReference, standardised_components
from civicpulse_report.statistics.columns import COMPARATORS, NUMERIC_COLUMNS, SOURCE_MICRODATA
from civicpulse_report.statistics.comparison import change_test, compare_to_comparator
from civicpulse_report.statistics.reliability import cronbach_alpha
from civicpulse_report.statistics.shrinkage import empirical_bayes_shrinkage

SPINE_COLUMNS = ("min", "q25", "median", "q75", "max")


def shrink_neighbourhoods(est: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Replace neighbourhood direct estimates with empirical Bayes estimates.

    The prior mean is the LA's direct estimate. The sampling variance of a
    proportion uses the LA's proportion (p_LA (1 - p_LA) / n_eff), so that a
    neighbourhood at 0% or 100% does not look infinitely precise; for means it
    is the neighbourhood's own squared standard error. Where that is zero
    (every respondent in the neighbourhood gave the same answers) it is the
    LA's unit variance over the neighbourhood's effective sample size,
    se_LA² · n_eff,LA / n_eff,j, so no neighbourhood gets a standard error of 0;
    likewise a proportion whose LA is at 0% or 100% uses the Agresti-Coull
    proportion (x + 2) / (n_eff + 4) of the LA, for its neighbourhoods' sampling
    variance and for the LA's own (prior) variance.

    Parameters
    ----------
    est : DataFrame
        The estimates frame (per cent for proportions).
    confidence : float

    Returns
    -------
    DataFrame
        With ``modelled`` and ``shrinkage_factor`` columns.
    """
    keys = ["wave", "la_code", "indicator"]
    la_rows = (est["level"] == "la") & (est["breakdown"] == "all")
    la = est.loc[la_rows, [*keys, "estimate", "se", "n_eff"]]
    la = la.rename(columns={"estimate": "prior_mean", "se": "prior_se", "n_eff": "prior_n_eff"})
    nb_mask = est["level"] == "neighbourhood"
    nb = est.loc[nb_mask].merge(la, on=keys, how="left")
    p = nb["prior_mean"] / 100.0
    degenerate = (p <= 0) | (p >= 1)
    p = p.where(~degenerate, (p * nb["prior_n_eff"] + 2) / (nb["prior_n_eff"] + 4))
    prop_var = (p * (1 - p) / nb["n_eff"]) * 100.0**2
    own_var = nb["se"] ** 2
    pooled_var = nb["prior_se"] ** 2 * nb["prior_n_eff"] / nb["n_eff"]
    mean_var = own_var.where(own_var > 0, pooled_var)
    nb["variance"] = np.where(nb["type"] == "proportion", prop_var, mean_var)
    la_prop_var = (p * (1 - p) / nb["prior_n_eff"]) * 100.0**2
    nb["prior_variance"] = np.where(
        (nb["type"] == "proportion") & degenerate, la_prop_var, nb["prior_se"] ** 2
    )
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
    keep = [*est.columns, "modelled", "shrinkage_factor"]  # prior_* columns dropped
    shrunk = shrunk[keep]
    rest = est.loc[~nb_mask].assign(modelled=False, shrinkage_factor=np.nan)
    return pd.concat([rest, shrunk], ignore_index=True)


def apply_disclosure_control(est: pd.DataFrame, min_base: int) -> pd.DataFrame:
    """Blank every number resting on fewer than ``min_base`` respondents.

    A suppressed row keeps its labels and says it is suppressed; its estimate,
    interval, bases and comparisons are removed, so no output can leak it. This
    runs before comparators are attached (a suppressed row is no comparator)
    and before the change since the previous wave is computed, so a change
    involving a suppressed wave is blank too.

    Parameters
    ----------
    est : DataFrame
    min_base : int

    Returns
    -------
    DataFrame
        A copy with a ``suppressed`` column.
    """
    est = est.copy()
    small = est["base"] < min_base
    est["suppressed"] = small
    est.loc[small, [*NUMERIC_COLUMNS, "shrinkage_factor"]] = np.nan
    for name in COMPARATORS:
        est.loc[small, f"sig_{name}"] = "not tested"
    return est


def _self_only(est: pd.DataFrame, group: str | None) -> pd.Series:
    """Which LA overall rows' comparator pool (all LAs, or by ``group``) is that LA alone.

    Counts the LAs whose respondents the microdata pool holds in each wave
    (and group): a pool of one LA is the LA itself, and no comparator.
    """
    la = (est["level"] == "la") & (est["breakdown"] == "all")
    own = est.loc[la & (est["source"] == SOURCE_MICRODATA)]
    keys = ["wave"] if group is None else ["wave", group]
    counts = own.groupby(keys)["la_code"].nunique()
    if group is None:
        n = est["wave"].map(counts)
    else:
        index = pd.MultiIndex.from_arrays([est["wave"], est[group]])
        n = pd.Series(counts.reindex(index).to_numpy(), index=est.index)
    return la & (est["source"] == SOURCE_MICRODATA) & (n == 1)


def add_comparators(
    est: pd.DataFrame,
    areas: pd.DataFrame,
    neighbours: pd.DataFrame,
    *,
    pooled_microdata: bool,
) -> pd.DataFrame:
    """Attach comparator values and Fingertips-style significance flags.

    LA-level rows are compared with England, their region, their LA type and
    their nearest neighbours (pooled: the weighted-base-weighted mean of the
    neighbours' estimates, which equals the estimate over their pooled
    respondents). Group and neighbourhood rows are compared with England.
    Runs after disclosure control: a suppressed row is no comparator, and the
    neighbours are pooled over those whose estimate is published.

    Parameters
    ----------
    est : DataFrame
        The estimates frame, with a ``source`` column.
    areas : DataFrame
        Every LA of the run: ``la_code``, ``region``, ``la_type``.
    neighbours : DataFrame
        ``la_code``, ``neighbour_code``, ``rank``.
    pooled_microdata : bool
        True when the England, region and LA-type rows pool the microdata of
        a data set that is not the whole nation: an LA whose pool holds only
        its own respondents then gets no comparator at that level, rather than
        a comparison with itself.

    Returns
    -------
    DataFrame
        With ``<level>_value`` and ``sig_<level>`` for every comparator level.
    """
    keys = ["wave", "indicator"]
    est = est.reset_index(drop=True)
    level = est["level"]
    overall = (est["breakdown"] == "all").to_numpy()
    is_england = (level == "england").to_numpy()
    la_overall = (level == "la").to_numpy() & overall

    # England: every row of the wave and indicator (but England's own rows).
    # Looked up by position in one factorisation of (wave, indicator), not merged.
    cell = est.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    top = np.flatnonzero(is_england & overall)
    if len(np.unique(cell[top])) != len(top):
        raise ValueError("add_comparators: England has more than one row per wave and indicator")
    by_cell = np.full(int(cell.max()) + 1 if len(cell) else 0, np.nan)
    by_cell[cell[top]] = est["estimate"].to_numpy(float)[top]
    england_value = by_cell[cell]
    england_value[is_england] = np.nan

    # Region, LA type and nearest neighbours: LA overall rows only.
    la_rows = est.loc[
        la_overall, [*keys, "level", "breakdown", "source", "la_code", "estimate", "weighted_base"]
    ]
    lookup = areas.set_index("la_code")
    la_rows["_region"] = la_rows["la_code"].map(lookup["region"])
    la_rows["_la_type"] = la_rows["la_code"].map(lookup["la_type"])
    reg = est.loc[(level == "region").to_numpy() & overall, [*keys, "area_code", "estimate"]]
    reg = reg.rename(columns={"area_code": "_region", "estimate": "region_value"})
    typ = est.loc[(level == "la_type").to_numpy() & overall, [*keys, "area_code", "estimate"]]
    typ = typ.rename(columns={"area_code": "_la_type", "estimate": "la_type_value"})
    la_rows = la_rows.merge(reg, on=[*keys, "_region"], how="left").merge(
        typ, on=[*keys, "_la_type"], how="left"
    )
    pairs = neighbours[["la_code", "neighbour_code"]].merge(
        la_rows[[*keys, "la_code", "estimate", "weighted_base"]].rename(
            columns={"la_code": "neighbour_code"}
        ),
        on="neighbour_code",
    )
    pairs["_wx"] = pairs["estimate"] * pairs["weighted_base"]
    pooled = pairs.groupby([*keys, "la_code"], as_index=False)[["_wx", "weighted_base"]].sum()
    pooled["neighbours_value"] = pooled["_wx"] / pooled["weighted_base"]
    la_rows = la_rows.merge(
        pooled[[*keys, "la_code", "neighbours_value"]], on=[*keys, "la_code"], how="left"
    )
    if len(la_rows) != int(la_overall.sum()):
        raise ValueError("add_comparators: a comparator area has more than one row per cell")
    if pooled_microdata:
        england_la = england_value[la_overall]
        england_la[_self_only(la_rows, None).to_numpy()] = np.nan
        england_value[la_overall] = england_la
        for name, group in (("region", "_region"), ("la_type", "_la_type")):
            la_rows.loc[_self_only(la_rows, group), f"{name}_value"] = np.nan

    est["england_value"] = england_value
    for name in ("region", "la_type", "neighbours"):
        values = np.full(len(est), np.nan)
        values[la_overall] = la_rows[f"{name}_value"].to_numpy(float)
        est[f"{name}_value"] = values
    lower = est["ci_lower"].to_numpy(float)
    upper = est["ci_upper"].to_numpy(float)
    polarity = est["polarity"].to_numpy(object)
    for name in COMPARATORS:
        est[f"sig_{name}"] = _significance(
            lower, upper, est[f"{name}_value"].to_numpy(float), polarity
        )
    return est


def _significance(
    lower: np.ndarray, upper: np.ndarray, value: np.ndarray, polarity: np.ndarray
) -> np.ndarray:
    """:func:`compare_to_comparator` on the rows it can test; "not tested" on the others."""
    out = np.full(len(value), "not tested", dtype=object)
    tested = ~(np.isnan(lower) | np.isnan(upper) | np.isnan(value))
    if tested.any():
        out[tested] = compare_to_comparator(
            lower[tested], upper[tested], value[tested], polarity[tested]
        )
    return out


def add_change(est: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Change since the previous wave present, with a two-sample z test.

    Parameters
    ----------
    est : DataFrame
    confidence : float

    Returns
    -------
    DataFrame
        With ``previous_estimate``, ``previous_se``, ``change``, ``change_p``,
        ``change_significant`` and ``previous_wave``.
    """
    waves = sorted(est["wave"].unique())
    previous = {w: p for p, w in itertools.pairwise(waves)}
    keys = ["level", "area_code", "breakdown", "group_code", "indicator"]
    est = est.reset_index(drop=True)
    # Each row's cell (its keys but the wave), then the same cell's row in the
    # previous wave, by position: a lookup, not a merge of the frame with itself.
    cell = est.groupby(keys, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    wave_at = np.searchsorted(np.asarray(waves), est["wave"].to_numpy())
    row_of = np.full((int(cell.max()) + 1 if len(cell) else 0, len(waves)), -1, dtype=np.int64)
    row_of[cell, wave_at] = np.arange(len(est))
    if int((row_of >= 0).sum()) != len(est):
        raise ValueError("add_change: two rows of the estimates share their keys and wave")
    before = np.where(wave_at > 0, row_of[cell, np.maximum(wave_at - 1, 0)], -1)
    found = before >= 0
    for col, name in (("estimate", "previous_estimate"), ("se", "previous_se")):
        values = est[col].to_numpy(float)
        est[name] = np.where(found, values[np.maximum(before, 0)], np.nan)
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


def spine_table(est: pd.DataFrame) -> pd.DataFrame:
    """Distribution of LA values per wave and indicator, for spine charts.

    Parameters
    ----------
    est : DataFrame

    Returns
    -------
    DataFrame
        wave, indicator, min, q25, median, q75, max, n_las, england.
    """
    la = est[(est["level"] == "la") & (est["breakdown"] == "all") & ~est["suppressed"]]
    grouped = la.groupby(["wave", "indicator"])["estimate"]
    probs = [0.0, 0.25, 0.5, 0.75, 1.0]
    # reindex: with every LA suppressed there are no quantile columns to name.
    spine = grouped.quantile(probs).unstack().reindex(columns=probs)
    spine.columns = list(SPINE_COLUMNS)
    spine["n_las"] = grouped.count()
    return with_england(spine.reset_index(), est)


def with_england(spine: pd.DataFrame, est: pd.DataFrame) -> pd.DataFrame:
    """A spine table with the England (top-level) estimate of each wave and indicator."""
    eng = est[(est["level"] == "england") & (est["breakdown"] == "all")].set_index(
        ["wave", "indicator"]
    )["estimate"]
    index = pd.MultiIndex.from_arrays([spine["wave"], spine["indicator"]])
    return spine.assign(england=eng.reindex(index).to_numpy())


def alpha_table(
    values: pd.DataFrame,
    measures: Measures,
    reference: IndexReference,
    *,
    la_codes: Collection[str] | None = None,
) -> pd.DataFrame:
    """Cronbach's alpha per domain, for the whole data set and every LA, in every wave.

    Computed on the standardised, polarity-oriented indicators that make up
    each domain, unweighted, on respondents answering all of them. The whole
    data set's rows carry the England code.

    Parameters
    ----------
    values : DataFrame
        From :func:`~civicpulse_report.statistics.estimates.respondent_values`.
    measures : Measures
    reference : IndexReference
    la_codes : collection of str, optional
        Give the LA rows of these LAs only (default: every LA); the whole
        data set's rows are the same either way, and so is each LA's.

    Returns
    -------
    DataFrame
        wave, area_code, domain, alpha, n (complete cases).
    """
    in_la = None if la_codes is None else values["la_code"].isin(list(la_codes)).to_numpy()
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
        if in_la is not None:
            mine = in_la[complete.to_numpy()]
            comp, keys = comp[mine], keys[mine]
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
