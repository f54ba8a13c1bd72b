"""The demo's latent traits and the patterns planted in them.

Owns the latent model (six correlated traits, their labels, residual
correlation, LA, neighbourhood and LA-wave effect sizes, and the demographic
and context effects on each), the choice of hidden-need, hidden-assets and
sharp-change LAs with their latent offsets, and the draw of every
respondent's latent traits (in the spec's waves, and in a wave added later,
which keeps every LA's and neighbourhood's effects).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.demo.numerics import expit, stream
from civicpulse_report.demo.respondents import Sample
from civicpulse_report.demo.spec import DemoSpec

LATENTS: tuple[str, ...] = ("D", "W", "C", "P", "O", "S")
LATENT_LABELS: dict[str, str] = {
    "D": "confidence and efficacy (drivers)",
    "W": "resilience and wellbeing (drivers)",
    "C": "social capital (networks, trust, neighbourliness)",
    "P": "participation (volunteering, civic engagement)",
    "O": "online and contemporary engagement",
    "S": "satisfaction and perceptions of place",
}
# Correlation of the individual residuals (and of LA random effects), order LATENTS.
LATENT_CORRELATION = np.array(
    [
        [1.00, 0.50, 0.40, 0.45, 0.30, 0.25],
        [0.50, 1.00, 0.40, 0.25, 0.10, 0.30],
        [0.40, 0.40, 1.00, 0.45, 0.20, 0.40],
        [0.45, 0.25, 0.45, 1.00, 0.35, 0.10],
        [0.30, 0.10, 0.20, 0.35, 1.00, 0.00],
        [0.25, 0.30, 0.40, 0.10, 0.00, 1.00],
    ]
)
LA_EFFECT_SD = 0.09
NEIGHBOURHOOD_EFFECT_SD = 0.10
LA_WAVE_SD = 0.03

# Demographic effects on the latents, in latent SD units, one value per code.
# Keys are survey columns; "context" holds effects of LA z-scores.
LATENT_EFFECTS: dict[str, dict[str, Any]] = {
    "D": {
        "imd_quintile": (-0.22, -0.12, -0.03, 0.05, 0.12),
        "tenure": (0.0, -0.30, -0.05),
        "age_band": (-0.05, 0.0, 0.05, 0.05, 0.0, -0.15),
        "disability": (-0.15, 0.0),
        "sex": (0.05, -0.05),
        "context": {"imd_z": -0.10},
    },
    "W": {
        "imd_quintile": (-0.22, -0.12, -0.03, 0.05, 0.12),
        "tenure": (0.0, -0.25, -0.05),
        "age_band": (-0.15, -0.10, -0.05, 0.0, 0.15, 0.05),
        "disability": (-0.45, 0.0),
        "context": {"imd_z": -0.05},
    },
    "C": {
        "imd_quintile": (-0.18, -0.10, -0.03, 0.04, 0.10),
        "tenure": (0.0, -0.10, -0.20),
        "years_in_area": (-0.35, -0.15, 0.0, 0.10),
        "age_band": (-0.15, -0.08, 0.0, 0.04, 0.10, 0.08),
        "context": {"imd_z": -0.04, "urbanity_z": -0.04},
    },
    "P": {
        "imd_quintile": (-0.20, -0.11, -0.03, 0.05, 0.11),
        "tenure": (0.0, -0.20, -0.05),
        "years_in_area": (-0.30, -0.10, 0.0, 0.10),
        "age_band": (-0.25, -0.15, 0.0, 0.10, 0.25, 0.05),
        "disability": (-0.10, 0.0),
        "context": {"imd_z": -0.08},
    },
    "O": {
        "imd_quintile": (-0.10, -0.05, 0.0, 0.04, 0.08),
        "age_band": (0.45, 0.40, 0.20, -0.10, -0.50, -1.00),
        "context": {"urbanity_z": 0.08},
    },
    "S": {
        "imd_quintile": (-0.20, -0.11, -0.03, 0.05, 0.12),
        "tenure": (0.0, -0.10, -0.05),
        "age_band": (-0.10, -0.10, -0.05, 0.0, 0.12, 0.16),
        "context": {"imd_z": -0.07, "urbanity_z": -0.03},
    },
}

# Sharp changes in the latest wave, cycled over the chosen LAs (latent shifts).
_SHARP_CHANGES: tuple[tuple[str, dict[str, float]], ...] = (
    ("drivers_drop", {"D": -0.55, "W": -0.40}),
    ("participation_rise", {"P": 0.55, "O": 0.30}),
    ("satisfaction_drop", {"S": -0.65}),
)
PLANT_SIZE = 0.42
"""Minimum distance (latent SD units) of a planted LA's drivers/satisfaction from England."""


@dataclass(frozen=True)
class LatentDraw:
    """Every respondent's latent traits and what makes up each LA's profile.

    All arrays have one column per latent, in the order of :data:`LATENTS`.

    Attributes
    ----------
    latent : ndarray
        Latent traits, one row per respondent (the survey's row order).
    la_fixed : ndarray
        Per LA, the weighted mean of the demographic and context part.
    la_random : ndarray
        Per LA, its random effect.
    offsets : ndarray
        Per LA, the planted offset (zero unless hidden need or hidden assets).
    la_profile_rel : ndarray
        Per LA, its profile (fixed, random and planted) relative to England.
    planted : dict of str to list of str
        Codes of the ``hidden_need`` and ``hidden_assets`` LAs, sorted.
    sharp_change : list of dict
        The LAs with a sharp change in the latest wave, with its kind and shift.
    nb_random : ndarray
        Per neighbourhood (row order of the neighbourhood table), its random effect.
    sharp_offsets : ndarray
        Per LA, the sharp change's latent shift (zero for most LAs); from the
        latest wave on.
    """

    latent: np.ndarray
    la_fixed: np.ndarray
    la_random: np.ndarray
    offsets: np.ndarray
    la_profile_rel: np.ndarray
    planted: dict[str, list[str]]
    sharp_change: list[dict[str, Any]]
    nb_random: np.ndarray
    sharp_offsets: np.ndarray


def _fixed_effects(sample: Sample, ctx: dict[str, np.ndarray]) -> np.ndarray:
    """Demographic and LA-context part of every latent, shape (n, 6)."""
    out = np.zeros((sample.la.size, len(LATENTS)))
    for k, latent in enumerate(LATENTS):
        for var, effects in LATENT_EFFECTS[latent].items():
            if var == "context":
                for name, beta in effects.items():
                    out[:, k] += beta * ctx[name][sample.la]
            else:
                out[:, k] += np.asarray(effects)[sample.demo[var] - 1]
    return out


def _choose_planted(
    spec: DemoSpec, las: pd.DataFrame, baseline: np.ndarray, ctx: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, dict[str, list[str]], list[dict[str, Any]]]:
    """Pick hidden-need, hidden-assets and sharp-change LAs; return their latent offsets.

    ``baseline`` is each LA's expected latent level relative to England. A
    hidden-need LA is moved so that its drivers (D, W) sit at least
    ``PLANT_SIZE`` below England and its satisfaction (S) at least that far
    above (hidden assets: the reverse), whatever its context would have given.
    """
    rng = stream(spec.seed, "planted")
    n = len(las)
    n_plant = max(1, round(0.08 * n)) if n >= 3 else 0
    n_sharp = max(1, round(0.01 * n)) if n >= 3 + 2 * n_plant and len(spec.waves) > 1 else 0
    # Hidden need is likelier in older, less urban places; hidden assets in
    # younger, diverse, urban ones: the stories the reports will tell.
    need_score = expit(0.8 * ctx["over65_z"] - 0.5 * ctx["urbanity_z"])
    need = (
        rng.choice(n, size=n_plant, replace=False, p=need_score / need_score.sum())
        if n_plant
        else []
    )
    rest = np.setdiff1d(np.arange(n), need)
    assets_score = expit(0.6 * ctx["em_z"] + 0.5 * ctx["urbanity_z"] - 0.4 * ctx["over65_z"])[rest]
    assets = (
        rng.choice(rest, size=n_plant, replace=False, p=assets_score / assets_score.sum())
        if n_plant
        else np.array([], dtype=int)
    )
    rest = np.setdiff1d(rest, assets)
    sharp = np.sort(rng.choice(rest, size=n_sharp, replace=False)) if n_sharp else []

    offsets = np.zeros((n, len(LATENTS)))
    ix = {name: k for k, name in enumerate(LATENTS)}
    for la_idx, sign in [(i, -1.0) for i in need] + [(i, 1.0) for i in assets]:
        for latent, direction in (("D", sign), ("W", sign), ("S", -sign)):
            rel = baseline[la_idx, ix[latent]]
            goal = direction * max(direction * rel, PLANT_SIZE)
            offsets[la_idx, ix[latent]] = goal - rel
        offsets[la_idx, ix["P"]] += 0.15 * sign

    sharp_offsets = np.zeros((n, len(LATENTS)))
    sharp_list = []
    for j, la_idx in enumerate(sharp):
        kind, shift = _SHARP_CHANGES[j % len(_SHARP_CHANGES)]
        for latent, value in shift.items():
            sharp_offsets[la_idx, ix[latent]] = value
        sharp_list.append(
            {
                "la_code": las["la_code"].iat[la_idx],
                "wave": spec.latest_wave,
                "kind": kind,
                "latent_shift": shift,
            }
        )
    codes = las["la_code"].to_numpy()
    planted = {
        "hidden_need": sorted(codes[np.asarray(need, dtype=int)].tolist()),
        "hidden_assets": sorted(codes[np.asarray(assets, dtype=int)].tolist()),
    }
    return offsets, sharp_offsets, planted, sharp_list


def draw_latents(
    spec: DemoSpec,
    las: pd.DataFrame,
    nbs: pd.DataFrame,
    sample: Sample,
    ctx: dict[str, np.ndarray],
) -> LatentDraw:
    """Draw every respondent's latent traits, with the planted patterns in them.

    Parameters
    ----------
    spec : DemoSpec
        Seed and waves.
    las, nbs : DataFrame
        The LA lookup and the neighbourhoods.
    sample : Sample
        The respondents, from :func:`~civicpulse_report.demo.respondents.draw_sample`.
    ctx : dict of str to ndarray
        LA context z-scores, from :func:`~civicpulse_report.demo.geography.la_context`.

    Returns
    -------
    LatentDraw
        Fixed effects + LA effect (+ planted) + neighbourhood effect + LA-wave
        effect (+ sharp change in the latest wave) + individual residual.
    """
    n_las = len(las)
    pop = las["population"].to_numpy().astype(float)
    rng = stream(spec.seed, "latents")
    chol = np.linalg.cholesky(LATENT_CORRELATION)
    fixed = _fixed_effects(sample, ctx)
    la_random = LA_EFFECT_SD * rng.standard_normal((n_las, len(LATENTS))) @ chol.T
    nb_random = NEIGHBOURHOOD_EFFECT_SD * rng.standard_normal((len(nbs), len(LATENTS)))
    la_wave = LA_WAVE_SD * rng.standard_normal((n_las * len(spec.waves), len(LATENTS)))
    residual = rng.standard_normal((sample.la.size, len(LATENTS))) @ chol.T

    w = sample.weight
    la_fixed = (
        np.column_stack(
            [
                np.bincount(sample.la, weights=w * fixed[:, k], minlength=n_las)
                for k in range(len(LATENTS))
            ]
        )
        / np.bincount(sample.la, weights=w, minlength=n_las)[:, None]
    )
    baseline = la_fixed + la_random
    baseline_rel = baseline - np.average(baseline, axis=0, weights=pop)
    offsets, sharp_offsets, planted, sharp_list = _choose_planted(spec, las, baseline_rel, ctx)
    latest = (sample.wave_idx == len(spec.waves) - 1)[:, None]
    latent = (
        fixed
        + (la_random + offsets)[sample.la]
        + nb_random[sample.nb]
        + la_wave[sample.group]
        + sharp_offsets[sample.la] * latest
        + residual
    )
    la_profile = baseline + offsets
    la_profile_rel = la_profile - np.average(la_profile, axis=0, weights=pop)
    return LatentDraw(
        latent=latent,
        la_fixed=la_fixed,
        la_random=la_random,
        offsets=offsets,
        la_profile_rel=la_profile_rel,
        planted=planted,
        sharp_change=sharp_list,
        nb_random=nb_random,
        sharp_offsets=sharp_offsets,
    )


def draw_wave_latents(
    spec: DemoSpec,
    draws: LatentDraw,
    sample: Sample,
    ctx: dict[str, np.ndarray],
    year: int,
) -> np.ndarray:
    """Latent traits of the respondents of a wave added after ``spec.waves``.

    The same model as :func:`draw_latents`, with the LA and neighbourhood
    effects and the planted offsets of ``draws``, so every LA keeps its
    profile. A sharp change planted in the latest wave persists (it is a step,
    not a blip); the LA-wave effects and the residuals come from the wave's
    own stream.

    Parameters
    ----------
    spec : DemoSpec
        The spec the data set was generated from.
    draws : LatentDraw
        From :func:`draw_latents` on that spec.
    sample : Sample
        The new wave's respondents, from
        :func:`~civicpulse_report.demo.respondents.draw_wave_sample`.
    ctx : dict of str to ndarray
        LA context z-scores.
    year : int
        The wave's year; it names the random stream.

    Returns
    -------
    ndarray
        One row per respondent, one column per latent (order :data:`LATENTS`).

    Raises
    ------
    ValueError
        If ``year`` is one of ``spec.waves``.
    """
    if year in spec.waves:
        raise ValueError(f"wave {year} is one of the spec's own waves {spec.waves}")
    rng = stream(spec.seed, f"latents:{year}")
    chol = np.linalg.cholesky(LATENT_CORRELATION)
    n_las = draws.la_random.shape[0]
    la_wave = LA_WAVE_SD * rng.standard_normal((n_las, len(LATENTS)))
    residual = rng.standard_normal((sample.la.size, len(LATENTS))) @ chol.T
    return (
        _fixed_effects(sample, ctx)
        + (draws.la_random + draws.offsets + draws.sharp_offsets)[sample.la]
        + draws.nb_random[sample.nb]
        + la_wave[sample.la]
        + residual
    )
