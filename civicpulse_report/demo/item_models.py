"""The demo's item models: how each survey item relates to the latents.

Owns :class:`ItemModel` (loadings, published England target shares,
demographic and context effects, non-response), the model of every item this
package knows, the trends across waves (:data:`TRENDS`), and the fallback
model for items added to the measures YAML that this package does not know
(:func:`item_model` picks one or the other).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from civicpulse_report.measures import Measures


@dataclass(frozen=True)
class ItemModel:
    """How one item is drawn from the latents.

    ``y* = loadings . latents + item effects + logistic noise``; ``descending``
    means code 1 is the highest ``y*`` (e.g. "Definitely agree", "Yes").
    ``target`` gives the share of each valid code, in code order, in the
    latest wave (England, weighted).
    """

    loadings: Mapping[str, float]
    target: tuple[float, ...]
    descending: bool = True
    effects: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    context: Mapping[str, float] = field(default_factory=dict)
    missing: float = 0.012
    dont_know_share: float = 0.5
    block: str = ""


_FORMAL_VOL_AGE = (-0.10, -0.30, 0.0, 0.10, 0.30, 0.05)
_ACTIVISM_AGE = (-0.30, -0.25, 0.0, 0.15, 0.30, 0.10)
_BRS_POSITIVE = (0.04, 0.13, 0.25, 0.43, 0.15)
_BRS_NEGATIVE = (0.13, 0.38, 0.24, 0.19, 0.06)
_WB_TARGET = (0.03, 0.10, 0.35, 0.40, 0.12)


def _brs(sign: float) -> ItemModel:
    return ItemModel(
        loadings={"W": 1.9 * sign, "D": 0.3 * sign},
        target=_BRS_POSITIVE if sign > 0 else _BRS_NEGATIVE,
        descending=False,
        missing=0.010,
        dont_know_share=0.4,
        block="resilience",
    )


def _wb(
    extra: Mapping[str, float] | None = None, target: tuple[float, ...] = _WB_TARGET
) -> ItemModel:
    return ItemModel(
        loadings={"W": 1.9, **(extra or {})},
        target=target,
        descending=False,
        missing=0.006,
        dont_know_share=0.3,
        block="wellbeing",
    )


_ITEM_MODELS: dict[str, ItemModel] = {
    # Everyday citizenship
    "ec_help_neighbour": ItemModel({"C": 1.6, "P": 0.7}, (0.64, 0.36)),
    "ec_received_help": ItemModel({"C": 1.9}, (0.52, 0.48)),
    "ec_ask_neighbour": ItemModel(
        {"C": 1.9}, (0.33, 0.36, 0.19, 0.12), effects={"years_in_area": (-0.5, -0.2, 0.0, 0.1)}
    ),
    "ec_informal_vol": ItemModel(
        {"C": 1.1, "P": 1.1}, (0.12, 0.17, 0.26, 0.45), effects={"sex": (-0.1, 0.1)}
    ),
    # Contemporary civic behaviour
    "cc_timebank": ItemModel({"P": 1.1, "O": 1.1, "C": 0.3}, (0.05, 0.95)),
    "cc_hyperlocal": ItemModel(
        {"O": 2.0, "P": 0.7},
        (0.06, 0.08, 0.16, 0.70),
        effects={"age_band": (0.2, 0.3, 0.2, 0.0, -0.3, -0.6)},
    ),
    "cc_online_campaign": ItemModel(
        {"O": 1.8, "P": 0.9},
        (0.27, 0.73),
        effects={"age_band": (0.4, 0.3, 0.1, -0.1, -0.4, -0.8)},
    ),
    "cc_crowdfund": ItemModel({"O": 1.3, "P": 0.9, "C": 0.3}, (0.22, 0.78)),
    # Drivers: confidence and efficacy
    "dr_influence": ItemModel(
        {"D": 1.5, "S": 0.4}, (0.07, 0.31, 0.36, 0.26), missing=0.025, dont_know_share=0.8
    ),
    "dr_confident_speak": ItemModel(
        {"D": 1.9}, (0.13, 0.29, 0.33, 0.25), effects={"sex": (0.15, -0.15)}, missing=0.015
    ),
    "dr_confident_organise": ItemModel(
        {"D": 1.8, "C": 0.3}, (0.08, 0.23, 0.39, 0.30), missing=0.015
    ),
    # Drivers: resilience (BRS-style; 2, 4, 6 worded negatively)
    "brs_1": _brs(1.0),
    "brs_2": _brs(-1.0),
    "brs_3": _brs(1.0),
    "brs_4": _brs(-1.0),
    "brs_5": _brs(1.0),
    "brs_6": _brs(-1.0),
    # Drivers: wellbeing (SWEMWBS-style)
    "wb_1": _wb({"D": 0.2}, (0.05, 0.14, 0.36, 0.35, 0.10)),
    "wb_2": _wb({"D": 0.3, "P": 0.2}),
    "wb_3": _wb(target=(0.05, 0.16, 0.38, 0.33, 0.08)),
    "wb_4": _wb({"D": 0.2}),
    "wb_5": _wb(target=(0.02, 0.08, 0.32, 0.43, 0.15)),
    "wb_6": _wb({"C": 0.4}, (0.04, 0.12, 0.34, 0.38, 0.12)),
    "wb_7": _wb({"D": 0.3}, (0.01, 0.05, 0.25, 0.48, 0.21)),
    # Social assets
    "sa_skills_share": ItemModel({"D": 1.0, "P": 0.6, "C": 0.4}, (0.60, 0.40)),
    "sa_network_size": ItemModel({"C": 1.5, "W": 0.3}, (0.04, 0.26, 0.42, 0.28), descending=False),
    "sa_network_support": ItemModel({"C": 1.3, "W": 0.5}, (0.55, 0.28, 0.11, 0.06)),
    "sa_bridging": ItemModel(
        {"C": 0.6, "O": 0.3},
        (0.70, 0.30),
        effects={
            "ethnic_group": (0.0, 1.2, 0.9, 0.9, 0.9),
            "age_band": (0.3, 0.3, 0.1, 0.0, -0.3, -0.5),
        },
        context={"pct_ethnic_minority_z": 0.35},
    ),
    "sa_trust": ItemModel(
        {"C": 1.5, "S": 0.6},
        (0.14, 0.31, 0.40, 0.15),
        effects={"years_in_area": (-0.3, -0.15, 0.0, 0.1), "tenure": (0.0, -0.15, -0.25)},
        missing=0.03,
        dont_know_share=0.85,
    ),
    # Social deficits (y* is the deficit: lonelier, more isolated, more barriers)
    "sd_lonely": ItemModel(
        {"C": -1.1, "W": -1.3},
        (0.07, 0.18, 0.19, 0.32, 0.24),
        effects={"age_band": (0.55, 0.25, 0.0, 0.0, -0.1, 0.6), "disability": (0.7, 0.0)},
        missing=0.02,
        dont_know_share=0.3,
    ),
    "sd_contact": ItemModel(
        {"C": -1.4, "W": -0.3},
        (0.22, 0.42, 0.20, 0.12, 0.04),
        descending=False,
        effects={"age_band": (-0.4, -0.1, 0.1, 0.1, 0.0, 0.3)},
    ),
    "sd_barrier_time": ItemModel(
        {"P": -0.3, "C": -0.4, "D": -0.2},
        (0.38, 0.62),
        effects={"age_band": (0.3, 0.6, 0.7, 0.3, -0.8, -1.2), "sex": (0.0, 0.1)},
    ),
    "sd_barrier_health": ItemModel(
        {"W": -0.8, "P": -0.3},
        (0.16, 0.84),
        effects={"disability": (2.4, 0.0), "age_band": (-0.6, -0.5, -0.3, 0.1, 0.4, 1.0)},
    ),
    "sd_barrier_info": ItemModel(
        {"C": -1.1, "D": -0.8},
        (0.24, 0.76),
        effects={"years_in_area": (0.6, 0.3, 0.0, -0.1)},
    ),
    "sd_barrier_cost": ItemModel(
        {"W": -0.6, "C": -0.5},
        (0.14, 0.86),
        effects={"imd_quintile": (0.6, 0.35, 0.1, -0.15, -0.3), "tenure": (0.0, 0.5, 0.3)},
    ),
    # Active citizenship
    "ac_formal_vol": ItemModel(
        {"P": 1.8, "C": 0.3}, (0.13, 0.12, 0.14, 0.61), effects={"age_band": _FORMAL_VOL_AGE}
    ),
    "ac_civic_participation": ItemModel({"P": 1.6, "D": 0.4}, (0.34, 0.66)),
    "ac_civic_consultation": ItemModel({"P": 1.6, "D": 0.3}, (0.18, 0.82)),
    "ac_civic_activism": ItemModel(
        {"P": 1.8, "D": 0.4}, (0.09, 0.91), effects={"age_band": _ACTIVISM_AGE}
    ),
    # Traditional satisfaction and perceptions
    "tp_satisfied_area": ItemModel({"S": 2.2}, (0.34, 0.46, 0.09, 0.07, 0.04), missing=0.008),
    "tp_satisfied_council": ItemModel(
        {"S": 1.9, "D": 0.2}, (0.12, 0.43, 0.22, 0.14, 0.09), missing=0.03, dont_know_share=0.85
    ),
    "tp_belonging": ItemModel(
        {"S": 1.4, "C": 1.1},
        (0.22, 0.40, 0.27, 0.11),
        effects={"years_in_area": (-0.5, -0.25, 0.0, 0.15), "tenure": (0.0, -0.1, -0.25)},
        context={"urbanity_z": -0.05},
    ),
    "tp_get_on_well": ItemModel(
        {"S": 1.8, "C": 0.4}, (0.25, 0.55, 0.14, 0.06), missing=0.035, dont_know_share=0.85
    ),
}

# Change per year, in percentage points, of an item's share in the given codes
# (waves before the latest are shifted so the national share moves this much).
TRENDS: dict[str, tuple[tuple[int, ...], float]] = {
    "cc_hyperlocal": ((1, 2, 3), 1.5),
    "cc_online_campaign": ((1,), 1.5),
    "cc_crowdfund": ((1,), 1.0),
    "cc_timebank": ((1,), 0.3),
    "ac_formal_vol": ((1, 2), -0.5),
}


def _fallback_model(name: str, measures: Measures) -> ItemModel:
    """A plausible model for an item this module does not know (added in the YAML)."""
    latent_of_domain = {
        "everyday": "C", "contemporary": "O", "drivers": "D",
        "assets": "C", "outcomes": "P", "traditional": "S",
    }  # fmt: skip
    codes = sorted(measures.items[name].valid_codes)
    target = tuple(1.0 / len(codes) for _ in codes)
    for ind in measures.indicators:
        if name in ind.items:
            latent = latent_of_domain.get(ind.domain, "D")
            sign = -1.0 if ind.polarity == "lower_is_better" else 1.0
            if ind.type == "proportion":
                descending = min(ind.positive_codes) == codes[0]
            else:
                descending = False
                if ind.scale is not None and name in ind.scale.reverse:
                    sign = -sign
            return ItemModel({latent: 1.5 * sign}, target, descending=descending)
    return ItemModel({"D": 0.8}, target)


def item_model(name: str, measures: Measures) -> ItemModel:
    """The model of item ``name``: its own, or a fallback if unknown or its codes changed."""
    model = _ITEM_MODELS.get(name)
    n_codes = len(measures.items[name].valid_codes)
    if model is None or len(model.target) != n_codes:
        return _fallback_model(name, measures)
    return model
