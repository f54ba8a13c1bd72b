"""The demo's truth: what was planted and calibrated, as written to truth.json.

Owns the truth record (spec, latent model, gradients, response rates,
calibration targets and what the latest wave achieved, the legacy targets,
planted LAs, trends and each LA's effects), the record of a wave added
later (:func:`added_wave_truth`), and the helpers that compute the England
values in them. Only tests and documentation read the truth; the
reports never do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.demo.item_models import TRENDS, item_model
from civicpulse_report.demo.latents import (
    LA_EFFECT_SD,
    LA_WAVE_SD,
    LATENT_CORRELATION,
    LATENT_EFFECTS,
    LATENT_LABELS,
    LATENTS,
    NEIGHBOURHOOD_EFFECT_SD,
    PLANT_SIZE,
    LatentDraw,
)
from civicpulse_report.demo.respondents import (
    RESPONSE_AGE,
    RESPONSE_SEX,
    RESPONSE_TENURE,
    WEIGHT_NOISE_SIGMA,
)
from civicpulse_report.demo.spec import DemoSpec
from civicpulse_report.measures import Measures
from civicpulse_report.scoring import score_indicators


def _round_floats(obj: Any, digits: int = 6) -> Any:
    """Make a structure JSON-ready: numpy scalars to Python, floats rounded."""
    if isinstance(obj, dict):
        return {str(k): _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_floats(v, digits) for v in obj]
    if isinstance(obj, np.ndarray):
        return _round_floats(obj.tolist(), digits)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return round(float(obj), digits)
    return obj


def _weighted_by_wave(
    survey: pd.DataFrame, measures: Measures, waves: Sequence[int]
) -> dict[str, dict[str, float]]:
    """England (weighted) value of every indicator in every wave; % for proportions.

    Scale scores come from :func:`score_indicators`; proportions are computed
    directly from the codes (the same definition, without pandas overhead).
    """
    scales = dataclasses.replace(
        measures, indicators=tuple(i for i in measures.indicators if i.type == "mean")
    )
    scale_scores = score_indicators(survey, scales)
    wave = survey["wave"].to_numpy()
    weight = survey["weight"].to_numpy()
    out: dict[str, dict[str, float]] = {}
    for ind in measures.indicators:
        if ind.type == "proportion":
            codes = survey[ind.items[0]].to_numpy()
            x = np.where(codes >= 0, np.isin(codes, ind.positive_codes), np.nan)
        else:
            x = scale_scores[ind.id].to_numpy()
        per_wave = {}
        for year in waves:
            ok = (wave == year) & ~np.isnan(x)
            value = float(np.average(x[ok], weights=weight[ok]))
            per_wave[str(year)] = 100 * value if ind.type == "proportion" else value
        out[ind.id] = per_wave
    return out


def _indicator_targets(measures: Measures) -> dict[str, float]:
    """Latest-wave England target of each indicator implied by the item targets."""
    targets: dict[str, float] = {}
    for ind in measures.indicators:
        models = {name: item_model(name, measures) for name in ind.items}
        codes = {name: sorted(measures.items[name].valid_codes) for name in ind.items}
        if ind.type == "proportion":
            name = ind.items[0]
            share = dict(zip(codes[name], models[name].target, strict=True))
            targets[ind.id] = 100 * sum(share.get(c, 0.0) for c in ind.positive_codes)
        elif ind.scale is not None:
            means = []
            for name in ind.items:
                c = np.array(codes[name], dtype=float)
                m = float(np.dot(c, models[name].target))
                means.append(c[0] + c[-1] - m if name in ind.scale.reverse else m)
            targets[ind.id] = float(np.sum(means) if ind.scale.method == "sum" else np.mean(means))
    return targets


def build_truth(
    spec: DemoSpec,
    measures: Measures,
    survey: pd.DataFrame,
    las: pd.DataFrame,
    coastal: np.ndarray,
    draws: LatentDraw,
    item_calibration: dict[str, dict[str, Any]],
    legacy_truth: dict[str, Any],
) -> dict[str, Any]:
    """The truth record of a generated data set, JSON-ready.

    Parameters
    ----------
    spec : DemoSpec
        The spec the data were made from.
    measures : Measures
        The measures the survey holds.
    survey : DataFrame
        The survey microdata (for the achieved England values).
    las : DataFrame
        The LA lookup.
    coastal : ndarray of bool
        Which LAs are coastal.
    draws : LatentDraw
        The latent traits, LA effects and planted LAs.
    item_calibration : dict
        Per item, its target shares and wave shifts.
    legacy_truth : dict
        Targets, achieved values and links of the legacy table.

    Returns
    -------
    dict
        Numpy scalars made Python, floats rounded to 6 digits.
    """
    n_las = len(las)
    la_codes = las["la_code"].to_numpy().astype(object)
    la_fixed, la_random, offsets = draws.la_fixed, draws.la_random, draws.offsets
    la_profile_rel, planted, sharp_list = draws.la_profile_rel, draws.planted, draws.sharp_change
    achieved = _weighted_by_wave(survey, measures, spec.waves)
    targets = _indicator_targets(measures)
    pattern = np.full(n_las, "none", dtype=object)
    pattern[np.isin(la_codes, planted["hidden_need"])] = "hidden_need"
    pattern[np.isin(la_codes, planted["hidden_assets"])] = "hidden_assets"
    la_truth = {
        code: {
            "pattern": pattern[i],
            "coastal": bool(coastal[i]),
            "effects": {
                "composition_and_context": dict(zip(LATENTS, la_fixed[i], strict=True)),
                "random": dict(zip(LATENTS, la_random[i], strict=True)),
                "planted": dict(zip(LATENTS, offsets[i], strict=True)),
                "total_vs_england": dict(zip(LATENTS, la_profile_rel[i], strict=True)),
            },
        }
        for i, code in enumerate(la_codes)
    }
    truth = _round_floats(
        {
            "synthetic": True,
            "generator": "civicpulse_report.demo.generator.generate_demo",
            "spec": asdict(spec),
            "seed": spec.seed,
            "population_definition": "la_lookup.population is residents aged 16+; "
            "each LA-wave's weights sum to it",
            "latents": LATENT_LABELS,
            "latent_model": {
                "order": LATENTS,
                "residual_correlation": LATENT_CORRELATION,
                "la_effect_sd": LA_EFFECT_SD,
                "neighbourhood_effect_sd": NEIGHBOURHOOD_EFFECT_SD,
                "la_wave_sd": LA_WAVE_SD,
                "plant_size": PLANT_SIZE,
            },
            "gradients": {
                "latent_effects": LATENT_EFFECTS,
                "items": {
                    name: {
                        "loadings": dict(m.loadings),
                        "effects": dict(m.effects),
                        "context": dict(m.context),
                        "code_1_is_high": m.descending,
                    }
                    for name, m in ((n, item_model(n, measures)) for n in measures.items)
                },
                "response_rates": {
                    "age_band": RESPONSE_AGE,
                    "tenure": RESPONSE_TENURE,
                    "sex": RESPONSE_SEX,
                    "lognormal_sigma": WEIGHT_NOISE_SIGMA,
                },
            },
            "calibration": {
                "wave": spec.latest_wave,
                "indicator_targets": targets,
                "achieved": {k: v[str(spec.latest_wave)] for k, v in achieved.items()},
                "achieved_by_wave": achieved,
                "items": item_calibration,
            },
            "legacy": legacy_truth,
            "planted": {**planted, "sharp_change": sharp_list},
            "trend": {
                name: {"codes": codes, "points_per_year": per_year}
                for name, (codes, per_year) in TRENDS.items()
                if name in measures.items
            },
            "las": la_truth,
        }
    )
    return truth


def added_wave_truth(
    spec: DemoSpec,
    measures: Measures,
    survey: pd.DataFrame,
    year: int,
    wave_shift: dict[str, float],
    file_name: str,
) -> dict[str, Any]:
    """The truth record of a wave added after ``spec.waves``, JSON-ready.

    Parameters
    ----------
    spec : DemoSpec
        The spec the data set was generated from.
    measures : Measures
        The measures the survey holds.
    survey : DataFrame
        The new wave's rows only.
    year : int
        The wave.
    wave_shift : dict of str to float
        Per item, the threshold shift of the wave.
    file_name : str
        The survey file the wave is written to.

    Returns
    -------
    dict
        What the wave holds, how it was made and its achieved England values.

    Raises
    ------
    ValueError
        If ``survey`` holds rows of another wave.
    """
    if set(survey["wave"].unique().tolist()) != {year}:
        raise ValueError(f"the added wave's survey must hold wave {year} only")
    achieved = _weighted_by_wave(survey, measures, [year])
    return _round_floats(
        {
            "file": file_name,
            "respondents": len(survey),
            "las": int(survey["la_code"].nunique()),
            "neighbourhoods": int(survey["neighbourhood_code"].nunique()),
            "continues_from": spec.latest_wave,
            "method": (
                "same LAs, neighbourhoods, LA and neighbourhood effects and planted "
                f"offsets as {spec.waves[0]}-{spec.latest_wave}; thresholds solved in "
                f"{spec.latest_wave}; trends continue at their points per year; the sharp "
                f"changes planted in {spec.latest_wave} persist; respondents, LA-wave "
                f"effects and answers drawn from the wave's own streams (':{year}')"
            ),
            "achieved": {k: v[str(year)] for k, v in achieved.items()},
            "wave_shift": wave_shift,
        }
    )
