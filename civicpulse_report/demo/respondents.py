"""The demo's respondents: who answers, where, in which wave, and their weights.

Owns differential response (the relative response rates that make weights
non-uniform), the LA panel (expected sample sizes and neighbourhood response,
the same in every wave), the respondent sample per LA and wave with its
neighbourhoods, demographics and design weights (for the spec's waves, and for
a wave added later from its own stream), and the assembly of the survey frame
(identifiers, demographics with their missing codes, and item answers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.demo.numerics import expit, stream, weighted_quantiles
from civicpulse_report.demo.spec import DemoSpec
from civicpulse_report.settings import DEMOGRAPHIC_COLUMNS

# Differential response (why weights are non-uniform): relative response rates.
RESPONSE_AGE = (0.50, 0.62, 0.85, 1.05, 1.30, 1.15)
RESPONSE_TENURE = (1.10, 0.70, 0.80)
RESPONSE_SEX = (0.90, 1.10)
WEIGHT_NOISE_SIGMA = 0.30
_DEMOGRAPHIC_MISSING = {
    "age_band": 0.002,
    "sex": 0.002,
    "ethnic_group": 0.008,
    "tenure": 0.006,
    "disability": 0.012,
    "years_in_area": 0.006,
}
_SURVEY_DEMOGRAPHICS = DEMOGRAPHIC_COLUMNS


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1.0 - p))


def _draw_categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) probability matrix; returns 0-based indices."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Sample:
    """Respondent-level arrays (one entry per row of the survey)."""

    la: np.ndarray
    wave_idx: np.ndarray
    group: np.ndarray  # LA-wave cell
    nb: np.ndarray  # global neighbourhood index
    number: np.ndarray  # 1-based position within the LA-wave
    demo: dict[str, np.ndarray]
    weight: np.ndarray


@dataclass(frozen=True)
class Panel:
    """What stays the same for an LA from wave to wave: its sample design.

    Attributes
    ----------
    base_size : ndarray
        Each LA's expected sample size per wave.
    nb_first : ndarray
        Per LA, the row (in the neighbourhood table) of its first neighbourhood.
    pop_share : ndarray
        Per LA (rows) and neighbourhood slot (columns), the neighbourhood's share
        of the LA's population; zero past the LA's last neighbourhood.
    nb_response : ndarray
        Per LA and slot, the persistent log response rate of the neighbourhood.
    """

    base_size: np.ndarray
    nb_first: np.ndarray
    pop_share: np.ndarray
    nb_response: np.ndarray


def _size_noise_sd(spec: DemoSpec) -> float:
    lo, hi = spec.respondents
    return 0.06 * (hi - lo) + 5


def _cell_sizes(spec: DemoSpec, base: np.ndarray, noise: np.ndarray) -> np.ndarray:
    lo, hi = spec.respondents
    return np.clip(np.round(base[:, None] + noise), lo, hi).astype(np.int64)


def _panel(
    spec: DemoSpec,
    las: pd.DataFrame,
    nbs: pd.DataFrame,
    size_rank: np.ndarray,
    rng: np.random.Generator,
) -> tuple[Panel, np.ndarray]:
    """The LA panel and the base waves' sample sizes, drawn in the stream's order."""
    n_las, n_waves = len(las), len(spec.waves)
    lo, hi = spec.respondents
    base = lo + (hi - lo) * np.clip(size_rank + rng.normal(0, 0.15, n_las), 0, 1)
    sizes = _cell_sizes(spec, base, rng.normal(0, _size_noise_sd(spec), (n_las, n_waves)))
    nb_la = pd.Index(las["la_code"]).get_indexer(nbs["la_code"])
    nb_first = np.searchsorted(nb_la, np.arange(n_las))
    kmax = int(np.bincount(nb_la, minlength=n_las).max())
    slot = np.arange(len(nbs)) - nb_first[nb_la]
    pop_share = np.zeros((n_las, kmax))
    pop_share[nb_la, slot] = nbs["population"].to_numpy() / las["population"].to_numpy()[nb_la]
    nb_response = rng.normal(0, 0.15, (n_las, kmax))
    return Panel(base, nb_first, pop_share, nb_response), sizes


def draw_sample(
    spec: DemoSpec,
    las: pd.DataFrame,
    nbs: pd.DataFrame,
    nb_deprivation: np.ndarray,
    size_rank: np.ndarray,
    ctx: dict[str, np.ndarray],
) -> Sample:
    """Draw the respondents of every LA and wave, with demographics and weights.

    Parameters
    ----------
    spec : DemoSpec
        Seed, waves and the range of respondents per LA and wave.
    las, nbs : DataFrame
        The LA lookup and the neighbourhoods.
    nb_deprivation : ndarray
        Each neighbourhood's deprivation z, in the row order of ``nbs``.
    size_rank : ndarray
        Each LA's population rank in (0, 1); larger LAs have larger samples.
    ctx : dict of str to ndarray
        LA context z-scores, from :func:`~civicpulse_report.demo.geography.la_context`.

    Returns
    -------
    Sample
        One entry per respondent, LA-major, then wave, then respondent number.
        Weights are grossed so each LA-wave sums to the LA's population (16+).
    """
    rng = stream(spec.seed, "respondents")
    n_waves = len(spec.waves)
    panel, sizes = _panel(spec, las, nbs, size_rank, rng)
    cell_la = np.repeat(np.arange(len(las)), n_waves)  # LA-major, then wave
    cell_wave = np.tile(np.arange(n_waves), len(las))
    return _draw_people(rng, las, nb_deprivation, ctx, panel, sizes.ravel(), cell_la, cell_wave)


def draw_wave_sample(
    spec: DemoSpec,
    las: pd.DataFrame,
    nbs: pd.DataFrame,
    nb_deprivation: np.ndarray,
    size_rank: np.ndarray,
    ctx: dict[str, np.ndarray],
    year: int,
    wave_idx: int,
) -> Sample:
    """Draw the respondents of one wave added after ``spec.waves``, for every LA.

    The LA panel (expected sample sizes, neighbourhood response rates) is the
    one :func:`draw_sample` drew; everything else comes from the wave's own
    stream, so adding a wave never changes the waves before it.

    Parameters
    ----------
    spec : DemoSpec
        The spec the data set was generated from (its waves precede ``year``).
    las, nbs, nb_deprivation, size_rank, ctx
        As for :func:`draw_sample`.
    year : int
        The wave's year; it names the random stream.
    wave_idx : int
        The wave's position among all waves (``len(spec.waves)`` for the first
        added wave).

    Returns
    -------
    Sample
        One entry per respondent, LA-major, then respondent number; ``group``
        is the LA's index.

    Raises
    ------
    ValueError
        If ``year`` is one of ``spec.waves``.
    """
    if year in spec.waves:
        raise ValueError(f"wave {year} is one of the spec's own waves {spec.waves}")
    panel, _ = _panel(spec, las, nbs, size_rank, stream(spec.seed, "respondents"))
    rng = stream(spec.seed, f"respondents:{year}")
    n_las = len(las)
    sizes = _cell_sizes(spec, panel.base_size, rng.normal(0, _size_noise_sd(spec), (n_las, 1)))
    cell_wave = np.full(n_las, wave_idx)
    return _draw_people(
        rng, las, nb_deprivation, ctx, panel, sizes.ravel(), np.arange(n_las), cell_wave
    )


def _draw_people(
    rng: np.random.Generator,
    las: pd.DataFrame,
    nb_deprivation: np.ndarray,
    ctx: dict[str, np.ndarray],
    panel: Panel,
    cell_sizes: np.ndarray,
    cell_la: np.ndarray,
    cell_wave: np.ndarray,
) -> Sample:
    """Respondents of the given LA-wave cells: neighbourhoods, demographics, weights."""
    group = np.repeat(np.arange(cell_sizes.size), cell_sizes)
    la = cell_la[group]
    wave_idx = cell_wave[group]
    starts = np.repeat(np.cumsum(cell_sizes) - cell_sizes, cell_sizes)
    number = np.arange(group.size) - starts + 1

    # Neighbourhoods: in proportion to population, with uneven response.
    kmax = panel.pop_share.shape[1]
    response = np.exp(panel.nb_response[cell_la] + rng.normal(0, 0.08, (cell_sizes.size, kmax)))
    pvals = panel.pop_share[cell_la] * response
    pvals /= pvals.sum(axis=1, keepdims=True)
    nb_counts = rng.multinomial(cell_sizes, pvals)
    nb_slot = np.repeat(np.tile(np.arange(kmax), cell_sizes.size), nb_counts.ravel())
    # Shuffle within each LA-wave so respondent numbers do not follow neighbourhoods.
    nb_slot = nb_slot[np.lexsort((rng.random(group.size), group))]
    nb = panel.nb_first[la] + nb_slot

    # Deprivation quintile: LA level, neighbourhood level and address level, cut
    # at national (population-weighted) quintiles.
    population = las["population"].to_numpy()
    pop_weight = population[la] / cell_sizes[group]
    d = 0.85 * ctx["imd_z"][la] + nb_deprivation[nb] + 0.6 * rng.standard_normal(group.size)
    cuts = weighted_quantiles(d, pop_weight, np.array([0.2, 0.4, 0.6, 0.8]))
    imd_q = 5 - np.searchsorted(cuts, d)  # 1 = most deprived

    # Age: the LA's age profile, tilted by who responds.
    age_z = (las["median_age"].to_numpy() - 41.5) / 4.0
    base_age = np.log([0.14, 0.17, 0.24, 0.23, 0.12, 0.10])
    age_logits = base_age[None, :] + 0.35 * age_z[la][:, None] * (np.arange(6) - 2.5)[None, :] / 2.5
    age_p = _softmax(age_logits) * np.array(RESPONSE_AGE)
    age = _draw_categorical(rng, age_p) + 1

    is_london = (las["la_type"].to_numpy() == "London borough")[la]
    depr = (3 - imd_q).astype(float)
    ten_logits = np.column_stack(
        [
            np.zeros(group.size),
            -1.7 + 0.6 * depr + np.array([0.1, 0.1, 0.0, 0.0, 0.1, 0.2])[age - 1] + 0.3 * is_london,
            -1.3
            + np.array([1.3, 1.0, 0.2, -0.6, -1.3, -1.6])[age - 1]
            + 0.15 * depr
            + 0.6 * is_london
            + 0.15 * ctx["urbanity_z"][la],
        ]
    )
    tenure = _draw_categorical(rng, _softmax(ten_logits) * np.array(RESPONSE_TENURE)) + 1

    female = 0.51 * RESPONSE_SEX[1] / (0.51 * RESPONSE_SEX[1] + 0.49 * RESPONSE_SEX[0])
    sex = np.where(rng.random(group.size) < female, 2, 1)

    dis_p = expit(_logit(np.array([0.10, 0.12, 0.16, 0.24, 0.31, 0.45]))[age - 1] + 0.15 * depr)
    disability = np.where(rng.random(group.size) < dis_p, 1, 2)

    years_logits = (
        np.array([-1.4, -0.4, -0.2, 0.8])[None, :]
        + np.array([[0.8, 0.6, 0.1, -1.0]])
        * np.array([1.2, 0.9, 0.2, -0.3, -0.8, -1.0])[age - 1][:, None]
        + np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.1, 0.0, 0.0], [1.3, 0.9, 0.1, -1.2]])[tenure - 1]
    )
    years = _draw_categorical(rng, _softmax(years_logits)) + 1

    em_p = las["pct_ethnic_minority"].to_numpy()[la] / 100
    em_odds = em_p / (1 - em_p) * np.array([1.5, 1.4, 1.2, 0.8, 0.5, 0.35])[age - 1]
    minority = rng.random(group.size) < em_odds / (1 + em_odds)
    mix = np.where(
        is_london[:, None],
        np.array([[0.12, 0.42, 0.33, 0.13]]),
        np.array([[0.18, 0.55, 0.17, 0.10]]),
    )
    ethnic = np.where(minority, _draw_categorical(rng, mix) + 2, 1)

    # Design weights: inverse response propensity times a lognormal (area,
    # household-size and calibration effects), grossed to the LA population.
    raw = np.exp(WEIGHT_NOISE_SIGMA * rng.standard_normal(group.size)) / (
        np.array(RESPONSE_AGE)[age - 1]
        * np.array(RESPONSE_TENURE)[tenure - 1]
        * np.array(RESPONSE_SEX)[sex - 1]
    )
    totals = np.bincount(group, weights=raw)
    la_pop = population[cell_la].astype(float)
    weight = raw * (la_pop / totals)[group]

    demo = {
        "age_band": age,
        "sex": sex,
        "ethnic_group": ethnic,
        "tenure": tenure,
        "disability": disability,
        "imd_quintile": imd_q,
        "years_in_area": years,
    }
    return Sample(
        la=la, wave_idx=wave_idx, group=group, nb=nb, number=number, demo=demo, weight=weight
    )


def survey_frame(
    spec: DemoSpec,
    las: pd.DataFrame,
    nbs: pd.DataFrame,
    sample: Sample,
    items: dict[str, np.ndarray],
    year: int | None = None,
) -> pd.DataFrame:
    """The survey microdata: identifiers, weight, demographics and item answers.

    Parameters
    ----------
    spec : DemoSpec
        Seed (for the missing demographics) and waves.
    las, nbs : DataFrame
        The LA lookup and the neighbourhoods the sample was drawn in.
    sample : Sample
        From :func:`draw_sample`, or from :func:`draw_wave_sample` with ``year``.
    items : dict of str to ndarray
        Integer-coded answers per item, in column order.
    year : int, optional
        For a wave added after ``spec.waves``: every row is that wave, and the
        missing demographics come from the wave's own stream.

    Returns
    -------
    DataFrame
        One row per respondent per wave; demographics are set to -9 (missing)
        at the rates of ``_DEMOGRAPHIC_MISSING``.
    """
    name = "demographic-missing" if year is None else f"demographic-missing:{year}"
    rng_missing = stream(spec.seed, name)
    demo = {}
    for name in _SURVEY_DEMOGRAPHICS:
        values = sample.demo[name].astype(np.int8)
        share = _DEMOGRAPHIC_MISSING.get(name, 0.0)
        if share:
            values[rng_missing.random(values.size) < share] = -9
        demo[name] = values

    la_codes = las["la_code"].to_numpy().astype(object)
    nb_codes = nbs["neighbourhood_code"].to_numpy().astype(object)
    if year is None:
        waves = np.asarray(spec.waves, dtype=np.int16)[sample.wave_idx]
    else:
        waves = np.full(sample.la.size, year, dtype=np.int16)
    la_col = pd.Series(la_codes[sample.la], dtype="str")
    respondent_id = (
        la_col
        + "-"
        + pd.Series(waves).astype("str")
        + "-"
        + pd.Series(sample.number).astype("str").str.zfill(5)
    )
    head = pd.DataFrame(
        {
            "respondent_id": respondent_id,
            "wave": waves,
            "la_code": la_col,
            "neighbourhood_code": pd.Series(nb_codes[sample.nb], dtype="str"),
            "weight": sample.weight,
        }
    )
    # One int8 block for the coded columns: building it column by column is slow.
    coded = pd.DataFrame(
        np.column_stack([*demo.values(), *items.values()]), columns=[*demo, *items]
    )
    return pd.concat([head, coded], axis=1)
