"""The demo's places: local authorities, their context, and neighbourhoods.

Owns the LA mix (types, regions, deprivation, coastal shares, populations),
the LA lookup with its context columns, the LA context z-scores and size ranks
the other components use, and the neighbourhoods with their tile-map
positions, populations and deprivation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.demo.names import la_names, neighbourhood_names
from civicpulse_report.demo.numerics import expit, stream
from civicpulse_report.demo.spec import DemoSpec
from civicpulse_report.inputs import ENGLISH_REGIONS

LA_CODE_PATTERN = r"^X0[6-9]\d{6}$"
"""Synthetic LA codes: ``X0`` + type digit + six digits (never a real GSS code)."""

REGIONS: tuple[str, ...] = ENGLISH_REGIONS
LA_TYPES: tuple[str, ...] = (
    "London borough",
    "Metropolitan district",
    "Unitary authority",
    "Shire district",
)
_TYPE_DIGIT = {
    "London borough": 9,
    "Metropolitan district": 8,
    "Unitary authority": 6,
    "Shire district": 7,
}
_TYPE_SHARE = {"London borough": 0.11, "Metropolitan district": 0.12, "Unitary authority": 0.20}
# Regions each type is found in, with weights close to England's real mix.
_TYPE_REGIONS: dict[str, dict[str, float]] = {
    "London borough": {"London": 1.0},
    "Metropolitan district": {
        "North West": 15,
        "North East": 5,
        "Yorkshire and The Humber": 9,
        "West Midlands": 7,
    },
    "Unitary authority": {
        "North East": 6,
        "North West": 7,
        "Yorkshire and The Humber": 6,
        "East Midlands": 5,
        "West Midlands": 5,
        "East of England": 6,
        "South East": 13,
        "South West": 12,
    },
    "Shire district": {
        "North West": 10,
        "Yorkshire and The Humber": 3,
        "East Midlands": 30,
        "West Midlands": 17,
        "East of England": 38,
        "South East": 50,
        "South West": 16,
    },
}
_REGION_IMD = {
    "North East": 7.0,
    "North West": 6.0,
    "Yorkshire and The Humber": 5.0,
    "East Midlands": 1.0,
    "West Midlands": 4.0,
    "East of England": -3.5,
    "London": 3.0,
    "South East": -5.5,
    "South West": -2.5,
}
_TYPE_IMD = {
    "London borough": 2.0,
    "Metropolitan district": 7.0,
    "Unitary authority": 3.0,
    "Shire district": -3.5,
}
_REGION_COASTAL = {
    "North East": 0.4,
    "North West": 0.3,
    "Yorkshire and The Humber": 0.25,
    "East Midlands": 0.12,
    "West Midlands": 0.0,
    "East of England": 0.3,
    "London": 0.0,
    "South East": 0.3,
    "South West": 0.45,
}
# Residents aged 16+ (the survey population): (median, lognormal sigma, low, high).
_TYPE_POPULATION = {
    "London borough": (240_000, 0.25, 150_000, 400_000),
    "Metropolitan district": (300_000, 0.45, 150_000, 1_100_000),
    "Unitary authority": (200_000, 0.40, 100_000, 550_000),
    "Shire district": (95_000, 0.30, 50_000, 180_000),
}


def _allocate(n: int, weights: Mapping[str, float]) -> list[str]:
    """Largest-remainder allocation of ``n`` slots to the keys of ``weights``."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    exact = n * w / w.sum()
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return [k for k, c in zip(keys, counts, strict=True) for _ in range(c)]


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _type_counts(n: int) -> dict[str, int]:
    if n < len(LA_TYPES):
        order = ("Unitary authority", "Shire district", "Metropolitan district", "London borough")
        return {t: int(t in order[:n]) for t in LA_TYPES}
    counts = {t: max(1, round(share * n)) for t, share in _TYPE_SHARE.items()}
    counts["Shire district"] = n - sum(counts.values())
    return counts


def make_las(spec: DemoSpec) -> tuple[pd.DataFrame, np.ndarray]:
    """The LA lookup, and which LAs are coastal (older, more deprived)."""
    rng = stream(spec.seed, "la")
    counts = _type_counts(spec.n_las)
    rows: list[dict[str, Any]] = []
    for la_type in LA_TYPES:
        k = counts[la_type]
        regions = _allocate(k, _TYPE_REGIONS[la_type])
        regions = [regions[i] for i in rng.permutation(k)]
        for j, region in enumerate(regions, start=1):
            rows.append(
                {
                    "la_code": f"X0{_TYPE_DIGIT[la_type]}{j:06d}",
                    "region": region,
                    "la_type": la_type,
                }
            )
    las = pd.DataFrame(rows).sort_values("la_code", kind="stable").reset_index(drop=True)
    n = len(las)
    la_type = las["la_type"].to_numpy()
    region = las["region"].to_numpy()
    las.insert(1, "la_name", la_names(n, rng))

    is_london = la_type == "London borough"
    is_met = la_type == "Metropolitan district"
    is_shire = la_type == "Shire district"
    coastal = rng.random(n) < np.array([_REGION_COASTAL[r] for r in region]) * np.where(
        is_met, 0.6, 1.0
    )

    med, sig, lo, hi = (np.array([_TYPE_POPULATION[t][i] for t in la_type]) for i in range(4))
    population = np.clip(med * np.exp(sig * rng.standard_normal(n)), lo, hi)
    population = (np.round(population / 10) * 10).astype(np.int64)

    urbanity = np.select(
        [is_london, is_met, is_shire],
        [
            100 - np.abs(rng.normal(0, 0.4, n)),
            rng.normal(94, 3, n),
            rng.normal(52, 17, n),
        ],
        rng.normal(82, 11, n),
    )
    urbanity = np.clip(urbanity + 2.0 * (np.log(population) - np.log(med)), 10, 100)

    median_age = np.select(
        [is_london, is_met, is_shire],
        [rng.normal(35.5, 2.0, n), rng.normal(39.5, 2.0, n), rng.normal(45.0, 2.8, n)],
        rng.normal(41.5, 3.0, n),
    )
    median_age = np.clip(median_age + 3.0 * coastal - 0.04 * (urbanity - 70), 30, 55)
    pct_over_65 = 18.5 + 0.85 * (median_age - 41.5) + rng.normal(0, 1.2, n)
    pct_over_65 = np.clip(np.where(is_london, pct_over_65 - 2.5, pct_over_65), 6, 35)

    em_logit = (
        np.select([is_london, is_met, is_shire], [0.0, -1.7, -3.0], -2.3)
        + 0.02 * (urbanity - 70)
        - 0.08 * (median_age - 41)
        + rng.normal(0, 0.5, n)
    )
    pct_em = np.clip(100 * expit(em_logit), 1, 75)

    imd = (
        20.0
        + np.array([_REGION_IMD[r] for r in region])
        + np.array([_TYPE_IMD[t] for t in la_type])
        + 5.0 * coastal
        + rng.normal(0, 5.0, n)
    )
    imd = np.clip(imd, 5, 45)

    las["population"] = population
    las["imd_score"] = np.round(imd, 1)
    las["urbanity"] = np.round(urbanity, 1)
    las["median_age"] = np.round(median_age, 1)
    las["pct_over_65"] = np.round(pct_over_65, 1)
    las["pct_ethnic_minority"] = np.round(pct_em, 1)
    return las, coastal


def la_context(las: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each LA's size rank and the context z-scores the respondents and latents use.

    Parameters
    ----------
    las : DataFrame
        The LA lookup from :func:`make_las`.

    Returns
    -------
    size_rank : ndarray
        Rank of each LA's population, scaled into (0, 1).
    ctx : dict of str to ndarray
        Per-LA z-scores: ``imd_z``, ``urbanity_z``, ``over65_z``, ``em_z`` and
        ``pct_ethnic_minority_z`` (the same values as ``em_z``).
    """
    n_las = len(las)
    pop = las["population"].to_numpy().astype(float)
    size_rank = (np.argsort(np.argsort(np.log(pop), kind="stable"), kind="stable") + 0.5) / n_las
    ctx = {
        "imd_z": _zscore(las["imd_score"].to_numpy()),
        "urbanity_z": _zscore(las["urbanity"].to_numpy()),
        "over65_z": _zscore(las["pct_over_65"].to_numpy()),
        "em_z": _zscore(las["pct_ethnic_minority"].to_numpy()),
    }
    ctx["pct_ethnic_minority_z"] = ctx["em_z"]
    return size_rank, ctx


def _tile_layout(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct (x, y) tiles forming a compact blob about 4-5 columns wide."""
    width = 4 if n <= 12 else 5
    height = max(2, math.ceil(n / width) + 1)
    xs, ys = np.meshgrid(np.arange(width), np.arange(height))
    xs, ys = xs.ravel(), ys.ravel()
    score = np.hypot(xs - (width - 1) / 2, (ys - (height - 1) / 2) * 1.1) + rng.uniform(
        0, 0.6, xs.size
    )
    pick = np.argsort(score, kind="stable")[:n]
    tiles = np.column_stack([xs[pick], ys[pick]])
    tiles -= tiles.min(axis=0)
    return tiles[np.lexsort((tiles[:, 0], tiles[:, 1]))]


def make_neighbourhoods(
    las: pd.DataFrame, spec: DemoSpec, size_rank: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Neighbourhoods per LA; also returns each neighbourhood's deprivation z."""
    rng = stream(spec.seed, "neighbourhoods")
    nlo, nhi = spec.neighbourhoods
    # Larger LAs have more neighbourhoods, but never so many that the expected
    # sample per neighbourhood falls far below the disclosure threshold
    # (about 70 respondents each), so most neighbourhoods can be published.
    rlo, rhi = spec.respondents
    expected_sample = rlo + (rhi - rlo) * size_rank
    wanted = nlo + (nhi - nlo) * size_rank**1.6 + rng.normal(0, 1.0, len(las))
    n_nb = np.clip(np.round(np.minimum(wanted, expected_sample / 70.0)), nlo, nhi).astype(int)
    rows: list[dict[str, Any]] = []
    deprivation: list[np.ndarray] = []
    for la_code, la_name, pop, k in zip(
        las["la_code"], las["la_name"], las["population"], n_nb, strict=True
    ):
        shares = rng.gamma(10.0, size=k)
        shares /= shares.sum()
        nb_pop = np.floor(shares * pop).astype(np.int64)
        nb_pop[np.argmax(nb_pop)] += pop - nb_pop.sum()
        tiles = _tile_layout(k, rng)[rng.permutation(k)]
        names = neighbourhood_names(la_name, k, rng)
        deprivation.append(rng.normal(0, 0.7, k))
        for j in range(k):
            rows.append(
                {
                    "neighbourhood_code": f"{la_code}N{j + 1:02d}",
                    "neighbourhood_name": names[j],
                    "la_code": la_code,
                    "tile_x": int(tiles[j, 0]),
                    "tile_y": int(tiles[j, 1]),
                    "population": int(nb_pop[j]),
                }
            )
    frame = pd.DataFrame(rows)
    frame[["tile_x", "tile_y"]] = frame[["tile_x", "tile_y"]].astype(np.int16)
    frame["population"] = frame["population"].astype(np.int64)
    return frame, np.concatenate(deprivation)
