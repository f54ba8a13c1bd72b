"""The demo's legacy indicators: Place Survey 2008 and Citizenship Survey 2010-11.

Owns the published England levels the legacy table reproduces, the link of
each Place Survey indicator to an LA's latent profile, and the legacy table
itself: an invented Place Survey 2008 row set per LA whose population-weighted
mean hits the published figure, plus the published England rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.demo.latents import LATENTS
from civicpulse_report.demo.numerics import expit, stream
from civicpulse_report.demo.spec import DemoSpec
from civicpulse_report.inputs import ENGLAND_CODE

# Published England levels the legacy table reproduces (per cent).
PLACE_SURVEY_2008: dict[str, float] = {
    "NI1": 76.0,
    "NI2": 59.0,
    "NI3": 14.0,
    "NI4": 29.0,
    "NI5": 80.0,
    "NI6": 23.0,
    "council_satisfaction": 45.0,
}
CITIZENSHIP_SURVEY_2010_11: dict[str, float] = {
    "influence_decisions": 38.0,
    "civic_participation": 34.0,
    "formal_volunteering_monthly": 25.0,
}
_CITIZENSHIP_SURVEY_BASE = 10_000
# Logit-scale link of each Place Survey indicator to the LA latent profile.
_LEGACY_LINKS: dict[str, dict[str, float]] = {
    "NI1": {"S": 0.6, "C": 0.2},
    "NI2": {"S": 0.5, "C": 0.4},
    "NI3": {"P": 0.7},
    "NI4": {"D": 0.7, "W": 0.15, "S": 0.1},
    "NI5": {"S": 0.9},
    "NI6": {"P": 0.6},
    "council_satisfaction": {"S": 0.8},
}


def _wilson(p: np.ndarray, n: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions ``p`` on bases ``n``."""
    denom = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def legacy_table(
    spec: DemoSpec, las: pd.DataFrame, la_profile: np.ndarray
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Place Survey 2008 per LA (linked to the latent profile) and England rows.

    Parameters
    ----------
    spec : DemoSpec
        The seed.
    las : DataFrame
        The LA lookup (codes and populations).
    la_profile : ndarray
        Each LA's latent profile relative to England, columns in the order of
        ``LATENTS``.

    Returns
    -------
    legacy : DataFrame
        The legacy table in the input contract: one row per LA and Place
        Survey indicator, then the published England rows of both surveys.
    truth : dict
        Targets, population-weighted achieved values and links, for truth.json.
    """
    rng = stream(spec.seed, "legacy")
    n = len(las)
    pop = las["population"].to_numpy().astype(float)
    base = np.clip(np.round(rng.normal(1100, 150, n)), 600, 2200).astype(np.int64)
    rows: list[pd.DataFrame] = []
    achieved: dict[str, float] = {}
    for indicator, target in PLACE_SURVEY_2008.items():
        link = sum(
            beta * la_profile[:, LATENTS.index(lat)]
            for lat, beta in _LEGACY_LINKS[indicator].items()
        )
        p0 = target / 100
        # Change since 2008 and sampling error on the base, on the logit scale.
        noise = 0.10 * rng.standard_normal(n) + rng.standard_normal(n) / np.sqrt(
            base * p0 * (1 - p0)
        )
        lo_a, hi_a = -8.0, 8.0
        for _ in range(60):  # bisection: population-weighted mean hits the target
            mid = (lo_a + hi_a) / 2
            mean = np.average(expit(mid + link + noise), weights=pop)
            lo_a, hi_a = (mid, hi_a) if mean < p0 else (lo_a, mid)
        value = np.round(100 * expit((lo_a + hi_a) / 2 + link + noise), 1)
        ci_lo, ci_hi = _wilson(value / 100, base.astype(float))
        rows.append(
            pd.DataFrame(
                {
                    "la_code": las["la_code"].to_numpy(),
                    "source": "place_survey_2008",
                    "indicator": indicator,
                    "value": value,
                    "ci_lower": np.round(100 * ci_lo, 1),
                    "ci_upper": np.round(100 * ci_hi, 1),
                    "base": base,
                    "year": 2008,
                }
            )
        )
        achieved[indicator] = float(np.average(value, weights=pop))
    la_rows = pd.concat(rows, ignore_index=True).sort_values(
        ["la_code", "indicator"], kind="stable"
    )

    england = []
    for source, year, values, eng_base in (
        ("place_survey_2008", 2008, PLACE_SURVEY_2008, int(base.sum())),
        ("citizenship_survey_2010_11", 2011, CITIZENSHIP_SURVEY_2010_11, _CITIZENSHIP_SURVEY_BASE),
    ):
        for indicator, value in values.items():
            # Published national figures carry design effects; 1.5 for the CS.
            deff = 1.0 if source == "place_survey_2008" else 1.5
            lo, hi = _wilson(np.array([value / 100]), np.array([eng_base / deff]))
            england.append(
                {
                    "la_code": ENGLAND_CODE,
                    "source": source,
                    "indicator": indicator,
                    "value": value,
                    "ci_lower": round(100 * float(lo[0]), 1),
                    "ci_upper": round(100 * float(hi[0]), 1),
                    "base": eng_base,
                    "year": year,
                }
            )
    legacy = pd.concat([la_rows, pd.DataFrame(england)], ignore_index=True)
    legacy["base"] = legacy["base"].astype(np.int64)
    legacy["year"] = legacy["year"].astype(np.int16)
    truth = {
        "place_survey_2008_targets": PLACE_SURVEY_2008,
        "place_survey_2008_achieved_population_weighted": achieved,
        "citizenship_survey_2010_11_england": CITIZENSHIP_SURVEY_2010_11,
        "links": _LEGACY_LINKS,
    }
    return legacy, truth
