"""Synthetic Civic Pulse demonstration data with a known, planted structure.

No real Civic Pulse microdata exists yet, so the pipeline is developed and
demonstrated on data made here. The data follow the input contract in
ARCHITECTURE.md exactly (survey microdata, LA lookup, neighbourhood lookup,
legacy indicators) and carry structure the analysis is expected to find:

- a latent-variable model: each respondent has six correlated latent traits
  (``D`` confidence and efficacy, ``W`` resilience and wellbeing, ``C`` social
  capital, ``P`` participation, ``O`` online engagement, ``S`` satisfaction),
  each the sum of demographic effects, LA context effects, an LA random effect,
  a neighbourhood random effect and an individual residual;
- items drawn from the latents through ordinal thresholds with logistic noise,
  the thresholds solved so that the latest wave reproduces published England
  levels (Citizenship Survey 2010-11, ONS loneliness, Place Survey style
  satisfaction) exactly, England being every LA weighted by its population;
- deprivation, age, tenure, length of residence and disability gradients;
- "hidden need" LAs (satisfied, but low on drivers) and "hidden assets" LAs
  (the reverse), a time trend and a few LAs with a sharp change in the latest
  wave, all listed in ``truth`` so tests can check the analysis finds them;
- a Place Survey 2008 table per LA linked to each LA's latent profile.

Everything is vectorised over respondents and seeded: the same
:class:`DemoSpec` always gives the same frames and byte-identical files.

This module owns :func:`generate_demo`, and :func:`generate_state`, which
keeps the model state a wave added later continues from
(:mod:`~civicpulse_report.demo.waves`). It runs the components in turn:
places (:mod:`~civicpulse_report.demo.geography`), respondents and weights
(:mod:`~civicpulse_report.demo.respondents`), latent traits and planted
patterns (:mod:`~civicpulse_report.demo.latents`), item answers
(:mod:`~civicpulse_report.demo.items`, with the models of
:mod:`~civicpulse_report.demo.item_models`), the legacy table
(:mod:`~civicpulse_report.demo.legacy`) and the truth
(:mod:`~civicpulse_report.demo.truth`). Each component draws from its own
named random stream. :class:`DemoSpec`, :class:`DemoData` and
:func:`write_demo` are importable from here too, because the files written
name ``civicpulse_report.demo.generator.write_demo``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civicpulse_report.demo.geography import la_context, make_las, make_neighbourhoods
from civicpulse_report.demo.items import ItemScale, draw_items
from civicpulse_report.demo.latents import LatentDraw, draw_latents
from civicpulse_report.demo.legacy import legacy_table
from civicpulse_report.demo.respondents import draw_sample, survey_frame
from civicpulse_report.demo.spec import DemoData, DemoSpec
from civicpulse_report.demo.truth import build_truth
from civicpulse_report.demo.writer import write_demo
from civicpulse_report.measures import Measures, load_measures

__all__ = ["DemoData", "DemoSpec", "DemoState", "generate_demo", "generate_state", "write_demo"]


@dataclass(frozen=True)
class DemoState:
    """A generated data set with what it was made from, for waves added later.

    Attributes
    ----------
    spec : DemoSpec
    measures : Measures
    data : DemoData
        What :func:`generate_demo` returns.
    size_rank : ndarray
        Each LA's population rank in (0, 1).
    ctx : dict of str to ndarray
        LA context z-scores.
    nb_deprivation : ndarray
        Each neighbourhood's deprivation z.
    draws : LatentDraw
        LA and neighbourhood effects and planted offsets.
    scales : dict of str to ItemScale
        Each item's thresholds, solved in the calibration wave.
    """

    spec: DemoSpec
    measures: Measures
    data: DemoData
    size_rank: np.ndarray
    ctx: dict[str, np.ndarray]
    nb_deprivation: np.ndarray
    draws: LatentDraw
    scales: dict[str, ItemScale]

    @property
    def las(self) -> pd.DataFrame:
        return self.data.la_lookup

    @property
    def nbs(self) -> pd.DataFrame:
        return self.data.neighbourhoods


def generate_state(
    spec: DemoSpec = DemoSpec(),  # noqa: B008 - frozen, so one shared default is safe
    measures: Measures | None = None,
) -> DemoState:
    """Generate a data set and keep the model state a later wave continues from.

    Parameters
    ----------
    spec : DemoSpec
        Size, waves and seed.
    measures : Measures, optional
        Defaults to ``load_measures()``.

    Returns
    -------
    DemoState
        ``state.data`` is exactly what :func:`generate_demo` gives for ``spec``.
    """
    measures = measures if measures is not None else load_measures()
    las, coastal = make_las(spec)
    size_rank, ctx = la_context(las)
    nbs, nb_deprivation = make_neighbourhoods(las, spec, size_rank)
    sample = draw_sample(spec, las, nbs, nb_deprivation, size_rank, ctx)
    draws = draw_latents(spec, las, nbs, sample, ctx)
    items, item_calibration, scales = draw_items(spec, measures, sample, draws.latent, ctx)
    survey = survey_frame(spec, las, nbs, sample, items)
    legacy, legacy_truth = legacy_table(spec, las, draws.la_profile_rel)
    truth = build_truth(spec, measures, survey, las, coastal, draws, item_calibration, legacy_truth)
    data = DemoData(survey=survey, la_lookup=las, neighbourhoods=nbs, legacy=legacy, truth=truth)
    return DemoState(spec, measures, data, size_rank, ctx, nb_deprivation, draws, scales)


def generate_demo(
    spec: DemoSpec = DemoSpec(),  # noqa: B008 - frozen, so one shared default is safe
    measures: Measures | None = None,
) -> DemoData:
    """Generate a synthetic Civic Pulse data set with planted, known structure.

    Parameters
    ----------
    spec : DemoSpec
        Size, waves and seed. The same spec always gives identical data.
    measures : Measures, optional
        The measures whose items the survey must hold; defaults to
        ``load_measures()``. Items the demo has no model for are drawn from
        the latent of their indicator's domain with equal code shares.

    Returns
    -------
    DemoData
        ``survey``, ``la_lookup``, ``neighbourhoods`` and ``legacy`` frames in
        the input contract, and ``truth`` (what was planted and calibrated).
    """
    return generate_state(spec, measures).data
