"""Small vectorised helpers shared by the demo modules.

Owns the seeded random streams (one independent stream per named component,
so an edit to one component never shifts the draws of another), the logistic
function and weighted quantiles. Helpers used by only one module live there.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so edits stay local."""
    return np.random.default_rng(
        np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode()),))
    )


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function (inverse logit), elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Smallest values whose weighted cumulative share reaches each of ``probs``."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    idx = np.searchsorted(cum, np.asarray(probs, dtype=float), side="left")
    return values[order][np.clip(idx, 0, len(values) - 1)]
