"""The demo's survey items: drawing every item's answers from the latents.

Owns item non-response (its age gradient and the skipped question blocks),
the thresholds solved so the latest wave reproduces each item's published
England target (:class:`ItemScale`), the trend shifts of the other waves, and
the draw of every item's integer-coded answers: in the spec's waves
(:func:`draw_items`) and in a wave added later, which reuses those thresholds
and carries the trends on (:func:`draw_wave_items`). The models themselves
are in :mod:`~civicpulse_report.demo.item_models`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from civicpulse_report.demo.item_models import TRENDS, ItemModel, item_model
from civicpulse_report.demo.latents import LATENTS
from civicpulse_report.demo.numerics import stream, weighted_quantiles
from civicpulse_report.demo.respondents import Sample
from civicpulse_report.demo.spec import DemoSpec
from civicpulse_report.measures import Measures

_MISSING_AGE_FACTOR = np.array([0.8, 0.8, 0.9, 1.0, 1.4, 2.0])
_BLOCK_SKIP = {"resilience": 0.012, "wellbeing": 0.015}


@dataclass(frozen=True)
class ItemScale:
    """An item's answer codes and thresholds, solved in the calibration wave.

    Attributes
    ----------
    codes : ndarray
        The valid codes, ascending.
    cuts : ndarray
        Thresholds on the oriented ``y*`` between consecutive codes.
    trend : tuple or None
        ``(code positions, prefix, boundary, latest share, points per year)`` of
        the item's trend (see :data:`TRENDS`), or None.
    """

    codes: np.ndarray
    cuts: np.ndarray
    trend: tuple[np.ndarray, bool, int, float, float] | None


def _block_skips(seed_name: str, seed: int, age: np.ndarray) -> dict[str, np.ndarray]:
    rng_block = stream(seed, seed_name)
    return {
        b: rng_block.random(age.size) < p * _MISSING_AGE_FACTOR[age - 1]
        for b, p in _BLOCK_SKIP.items()
    }


def _oriented(
    model: ItemModel,
    rng: np.random.Generator,
    sample: Sample,
    latent: np.ndarray,
    ctx: dict[str, np.ndarray],
) -> np.ndarray:
    """The item's ``y*``, oriented so that higher means a higher code."""
    ystar = rng.logistic(size=sample.la.size)
    for lat, loading in model.loadings.items():
        ystar += loading * latent[:, LATENTS.index(lat)]
    for var, effects in model.effects.items():
        ystar += np.asarray(effects)[sample.demo[var] - 1]
    for var, beta in model.context.items():
        ystar += beta * ctx[var][sample.la]
    return -ystar if model.descending else ystar


def _missing(
    model: ItemModel, rng: np.random.Generator, age: np.ndarray, skip: dict[str, np.ndarray]
) -> np.ndarray:
    missing = rng.random(age.size) < model.missing * _MISSING_AGE_FACTOR[age - 1]
    if model.block:
        missing |= skip[model.block]
    return missing


def _trend_of(
    name: str, model: ItemModel, codes: np.ndarray
) -> tuple[np.ndarray, bool, int, float, float] | None:
    trend = TRENDS.get(name)
    if trend is None or not set(trend[0]) <= set(codes.tolist()):
        return None
    positive, per_year = trend
    idx = np.searchsorted(codes, sorted(positive))
    prefix = bool(idx[0] == 0)
    boundary = int(idx[-1] if prefix else idx[0] - 1)
    p_latest = float(np.sum(np.asarray(model.target)[idx]))
    return idx, prefix, boundary, p_latest, per_year


def _trend_shift(
    scale: ItemScale,
    oriented: np.ndarray,
    weight: np.ndarray,
    in_wave: np.ndarray,
    years_after_latest: int,
) -> float:
    """Shift of one wave's ``y*`` that moves the trend share to its planned level."""
    assert scale.trend is not None
    _, prefix, boundary, p_latest, per_year = scale.trend
    p_w = float(np.clip(p_latest + per_year / 100 * years_after_latest, 0.005, 0.995))
    t = weighted_quantiles(
        oriented[in_wave], weight[in_wave], np.array([p_w if prefix else 1 - p_w])
    )[0]
    return float(scale.cuts[boundary] - t)


def _answers(
    model: ItemModel,
    rng: np.random.Generator,
    scale: ItemScale,
    shifted: np.ndarray,
    missing: np.ndarray,
) -> np.ndarray:
    code_idx = np.searchsorted(scale.cuts, shifted, side="left")
    answer = scale.codes[code_idx].astype(np.int8)
    dont_know = rng.random(int(missing.sum())) < model.dont_know_share
    answer[missing] = np.where(dont_know, -8, -9)
    return answer


def draw_items(
    spec: DemoSpec,
    measures: Measures,
    sample: Sample,
    latent: np.ndarray,
    ctx: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]], dict[str, ItemScale]]:
    """Integer-coded answers to every item, calibrated in the latest wave.

    Parameters
    ----------
    spec : DemoSpec
        Seed and waves; the last wave is the calibration wave.
    measures : Measures
        The items to draw, in column order.
    sample : Sample
        The respondents, with their demographics and weights.
    latent : ndarray
        Latent traits, one row per respondent, columns in the order of ``LATENTS``.
    ctx : dict of str to ndarray
        LA context z-scores, from :func:`~civicpulse_report.demo.geography.la_context`.

    Returns
    -------
    columns : dict of str to ndarray
        Per item, int8 codes; -8 (don't know) and -9 (refused) where missing.
    calibration : dict
        Per item, its target shares and the threshold shift of each wave.
    scales : dict of str to ItemScale
        Per item, the thresholds solved here, for waves added later.
    """
    latest = sample.wave_idx == len(spec.waves) - 1
    age = sample.demo["age_band"]
    skip = _block_skips("blocks", spec.seed, age)
    columns: dict[str, np.ndarray] = {}
    calibration: dict[str, dict[str, Any]] = {}
    scales: dict[str, ItemScale] = {}
    for name, item in measures.items.items():
        model = item_model(name, measures)
        rng = stream(spec.seed, f"item:{name}")
        codes = np.array(sorted(item.valid_codes))
        oriented = _oriented(model, rng, sample, latent, ctx)
        missing = _missing(model, rng, age, skip)
        valid = ~missing

        # Thresholds: weighted quantiles of the latest wave's valid answers, so
        # England's share of each code equals the target exactly.
        cum_target = np.cumsum(model.target)[:-1]
        fit = latest & valid
        cuts = weighted_quantiles(oriented[fit], sample.weight[fit], cum_target)
        scale = ItemScale(codes, cuts, _trend_of(name, model, codes))
        shift = np.zeros(len(spec.waves))
        if scale.trend is not None:
            for w, year in enumerate(spec.waves[:-1]):
                in_wave = (sample.wave_idx == w) & valid
                shift[w] = _trend_shift(
                    scale, oriented, sample.weight, in_wave, year - spec.latest_wave
                )
        columns[name] = _answers(model, rng, scale, oriented + shift[sample.wave_idx], missing)
        calibration[name] = {
            "target_shares": dict(zip([str(c) for c in codes], model.target, strict=True)),
            "wave_shift": dict(zip([str(w) for w in spec.waves], shift.tolist(), strict=True)),
        }
        scales[name] = scale
    return columns, calibration, scales


def draw_wave_items(
    spec: DemoSpec,
    measures: Measures,
    scales: dict[str, ItemScale],
    sample: Sample,
    latent: np.ndarray,
    ctx: dict[str, np.ndarray],
    year: int,
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Answers to every item in a wave added after ``spec.waves``.

    The thresholds are those solved in the calibration wave, so a level moves
    only as the latents do; an item with a trend is shifted so its national
    share keeps moving by its points per year. Each item's draws come from the
    wave's own stream.

    Parameters
    ----------
    spec : DemoSpec
        The spec the data set was generated from.
    measures : Measures
        The items to draw, in column order.
    scales : dict of str to ItemScale
        From :func:`draw_items` on that spec.
    sample : Sample
        The new wave's respondents.
    latent : ndarray
        Their latent traits.
    ctx : dict of str to ndarray
        LA context z-scores.
    year : int
        The wave's year (after ``spec.latest_wave``).

    Returns
    -------
    columns : dict of str to ndarray
        Per item, int8 codes; -8 and -9 where missing.
    wave_shift : dict of str to float
        Per item, the threshold shift of this wave (0 without a trend).

    Raises
    ------
    ValueError
        If ``year`` is not after the spec's latest wave.
    """
    if year <= spec.latest_wave:
        raise ValueError(f"wave {year} is not after the spec's latest wave {spec.latest_wave}")
    age = sample.demo["age_band"]
    skip = _block_skips(f"blocks:{year}", spec.seed, age)
    columns: dict[str, np.ndarray] = {}
    wave_shift: dict[str, float] = {}
    for name in measures.items:
        model = item_model(name, measures)
        scale = scales[name]
        rng = stream(spec.seed, f"item:{name}:{year}")
        oriented = _oriented(model, rng, sample, latent, ctx)
        missing = _missing(model, rng, age, skip)
        shift = 0.0
        if scale.trend is not None:
            shift = _trend_shift(scale, oriented, sample.weight, ~missing, year - spec.latest_wave)
        columns[name] = _answers(model, rng, scale, oriented + shift, missing)
        wave_shift[name] = shift
    return columns, wave_shift
