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
"""

from __future__ import annotations

import dataclasses
import json
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from civicpulse_report.inputs import ENGLAND_CODE, ENGLISH_REGIONS
from civicpulse_report.measures import Measures, load_measures, score_indicators
from civicpulse_report.settings import DEMOGRAPHIC_COLUMNS

"""GSS code of England, used for national rows of the legacy table."""

LA_CODE_PATTERN = r"^X0[6-9]\d{6}$"
"""Synthetic LA codes: ``X0`` + type digit + six digits (never a real GSS code)."""

MAX_LAS = 1000
"""Most LAs one data set can have (the fictional name pool is finite)."""

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

# --- Fictional place names -------------------------------------------------

_NAME_STEMS = (
    "Ash", "Bram", "Brock", "Cal", "Carr", "Cold", "Cran", "Dun", "Elm", "Fair",
    "Fen", "Fox", "Gos", "Hart", "Hazel", "Hol", "Kel", "Kings", "Lang", "Lark",
    "Lind", "Marl", "Mere", "Mill", "Nor", "Oak", "Orm", "Pen", "Pol", "Quen",
    "Rad", "Raven", "Red", "Rook", "Rush", "Sand", "Shel", "Stan", "Tam", "Thorn",
    "Wel", "Wend", "Whit", "Wick", "Willow", "Wor", "Yar", "Castle", "Bar", "Ber",
    "Dray", "Ebb", "Gar", "Hum", "Lox", "Mor", "Ned", "Ock", "Sel", "Tud", "Ver",
    "Alder", "Birch", "Bel", "Cher", "Dal", "Ember", "Frith", "Glen", "Heron",
)  # fmt: skip
_NAME_ENDINGS = (
    "bridge", "moor", "bury", "ford", "ham", "ton", "field", "ley", "wick",
    "stead", "worth", "dale", "combe", "mouth", "by", "thorpe", "minster",
    "chester", "hurst", "well", "den", "mere", "borough", "cliffe", "gate",
    "holme", "marsh", "wood", "brook", "caster",
)  # fmt: skip
_NAME_QUALIFIERS = ("North", "South", "East", "West", "Upper", "Great", "Mid")
_NEIGHBOURHOOD_PLACES = (
    "Mill Lane", "Church End", "Station Road", "Old Town", "Riverside",
    "Market Square", "Canal Side", "High Street", "Park View", "Bridge End",
    "Hill Top", "Green Lanes", "The Meadows", "Orchard Way", "Quarry Bank",
    "Forge Lane", "Harbour Side", "Abbey Fields", "Castle Hill", "Windmill Hill",
    "Brook Farm", "Kiln Lane", "Tannery Row", "Chapel Fields", "Ropewalk",
)  # fmt: skip
_NEIGHBOURHOOD_SUFFIXES = ("Park", "Green", "Heath", "Estate", "Village", "Hill", "Vale", "Common")

# Real English LA names (and short forms) the name generator must never produce.
_REAL_LA_NAMES = frozenset(
    name.strip().lower()
    for name in """
    Barking and Dagenham, Barnet, Bexley, Brent, Bromley, Camden, City of London, Croydon,
    Ealing, Enfield, Greenwich, Hackney, Hammersmith and Fulham, Haringey, Harrow, Havering,
    Hillingdon, Hounslow, Islington, Kensington and Chelsea, Kingston upon Thames, Lambeth,
    Lewisham, Merton, Newham, Redbridge, Richmond upon Thames, Southwark, Sutton,
    Tower Hamlets, Waltham Forest, Wandsworth, Westminster, Bolton, Bury, Manchester, Oldham,
    Rochdale, Salford, Stockport, Tameside, Trafford, Wigan, Knowsley, Liverpool, St Helens,
    Sefton, Wirral, Barnsley, Doncaster, Rotherham, Sheffield, Gateshead,
    Newcastle upon Tyne, North Tyneside, South Tyneside, Sunderland, Birmingham, Coventry,
    Dudley, Sandwell, Solihull, Walsall, Wolverhampton, Bradford, Calderdale, Kirklees, Leeds,
    Wakefield, Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees, Darlington,
    County Durham, Durham, Northumberland, Halton, Warrington, Blackburn with Darwen,
    Blackpool, Cheshire East, Cheshire West and Chester, Cumberland,
    Westmorland and Furness, Kingston upon Hull, Hull, East Riding of Yorkshire,
    North East Lincolnshire, North Lincolnshire, York, North Yorkshire, Derby, Leicester,
    Rutland, Nottingham, North Northamptonshire, West Northamptonshire, Herefordshire,
    Telford and Wrekin, Stoke-on-Trent, Shropshire, Bath and North East Somerset, Bristol,
    North Somerset, South Gloucestershire, Plymouth, Torbay, Swindon, Wiltshire, Cornwall,
    Isles of Scilly, Dorset, Bournemouth Christchurch and Poole, Somerset, Peterborough,
    Luton, Southend-on-Sea, Thurrock, Bedford, Central Bedfordshire, Milton Keynes,
    Brighton and Hove, Portsmouth, Southampton, Isle of Wight, Medway, Bracknell Forest,
    West Berkshire, Reading, Slough, Windsor and Maidenhead, Wokingham, Buckinghamshire,
    Allerdale, Barrow-in-Furness, Carlisle, Copeland, Eden, South Lakeland, Burnley, Chorley,
    Fylde, Hyndburn, Lancaster, Pendle, Preston, Ribble Valley, Rossendale, South Ribble,
    West Lancashire, Wyre, Craven, Hambleton, Harrogate, Richmondshire, Ryedale,
    Scarborough, Selby, Amber Valley, Bolsover, Chesterfield, Derbyshire Dales, Erewash,
    High Peak, North East Derbyshire, South Derbyshire, Blaby, Charnwood, Harborough,
    Hinckley and Bosworth, Melton, North West Leicestershire, Oadby and Wigston, Boston,
    East Lindsey, Lincoln, North Kesteven, South Holland, South Kesteven, West Lindsey,
    Ashfield, Bassetlaw, Broxtowe, Gedling, Mansfield, Newark and Sherwood, Rushcliffe,
    Cannock Chase, East Staffordshire, Lichfield, Newcastle-under-Lyme, Newcastle,
    South Staffordshire, Stafford, Staffordshire Moorlands, Tamworth, North Warwickshire,
    Nuneaton and Bedworth, Rugby, Stratford-on-Avon, Warwick, Bromsgrove, Malvern Hills,
    Redditch, Worcester, Wychavon, Wyre Forest, Cambridge, East Cambridgeshire, Fenland,
    Huntingdonshire, South Cambridgeshire, Basildon, Braintree, Brentwood, Castle Point,
    Chelmsford, Colchester, Epping Forest, Harlow, Maldon, Rochford, Tendring, Uttlesford,
    Broxbourne, Dacorum, Hertsmere, North Hertfordshire, St Albans, Stevenage, Three Rivers,
    Watford, Welwyn Hatfield, East Hertfordshire, Breckland, Broadland, Great Yarmouth,
    King's Lynn and West Norfolk, North Norfolk, Norwich, South Norfolk, Babergh,
    East Suffolk, Ipswich, Mid Suffolk, West Suffolk, Eastbourne, Hastings, Lewes, Rother,
    Wealden, Basingstoke and Deane, East Hampshire, Eastleigh, Fareham, Gosport, Hart,
    Havant, New Forest, Rushmoor, Test Valley, Winchester, Ashford, Canterbury, Dartford,
    Dover, Folkestone and Hythe, Gravesham, Maidstone, Sevenoaks, Swale, Thanet,
    Tonbridge and Malling, Tunbridge Wells, Cherwell, Oxford, South Oxfordshire,
    Vale of White Horse, West Oxfordshire, Elmbridge, Epsom and Ewell, Guildford,
    Mole Valley, Reigate and Banstead, Runnymede, Spelthorne, Surrey Heath, Tandridge,
    Waverley, Woking, Adur, Arun, Chichester, Crawley, Horsham, Mid Sussex, Worthing,
    East Devon, Exeter, Mid Devon, North Devon, South Hams, Teignbridge, Torridge,
    West Devon, Cheltenham, Cotswold, Forest of Dean, Gloucester, Stroud, Tewkesbury,
    Mendip, Sedgemoor, Somerset West and Taunton, South Somerset, Corby, Daventry,
    East Northamptonshire, Kettering, Northampton, South Northamptonshire, Wellingborough,
    Aylesbury Vale, Chiltern, South Bucks, Wycombe, Christchurch, East Dorset, North Dorset,
    Purbeck, West Dorset, Weymouth and Portland, Forest Heath, St Edmundsbury,
    Suffolk Coastal, Waveney, Kingston, Kingswood, Thornbury, Selby, Whitby, Oakham
    """.replace("\n", " ").split(",")
)

# --- The latent model --------------------------------------------------------

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
_LATENT_CORRELATION = np.array(
    [
        [1.00, 0.50, 0.40, 0.45, 0.30, 0.25],
        [0.50, 1.00, 0.40, 0.25, 0.10, 0.30],
        [0.40, 0.40, 1.00, 0.45, 0.20, 0.40],
        [0.45, 0.25, 0.45, 1.00, 0.35, 0.10],
        [0.30, 0.10, 0.20, 0.35, 1.00, 0.00],
        [0.25, 0.30, 0.40, 0.10, 0.00, 1.00],
    ]
)
_LA_EFFECT_SD = 0.09
_NEIGHBOURHOOD_EFFECT_SD = 0.10
_LA_WAVE_SD = 0.03

# Demographic effects on the latents, in latent SD units, one value per code.
# Keys are survey columns; "context" holds effects of LA z-scores.
_LATENT_EFFECTS: dict[str, dict[str, Any]] = {
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


@dataclass(frozen=True)
class _ItemModel:
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


def _brs(sign: float) -> _ItemModel:
    return _ItemModel(
        loadings={"W": 1.9 * sign, "D": 0.3 * sign},
        target=_BRS_POSITIVE if sign > 0 else _BRS_NEGATIVE,
        descending=False,
        missing=0.010,
        dont_know_share=0.4,
        block="resilience",
    )


def _wb(
    extra: Mapping[str, float] | None = None, target: tuple[float, ...] = _WB_TARGET
) -> _ItemModel:
    return _ItemModel(
        loadings={"W": 1.9, **(extra or {})},
        target=target,
        descending=False,
        missing=0.006,
        dont_know_share=0.3,
        block="wellbeing",
    )


_ITEM_MODELS: dict[str, _ItemModel] = {
    # Everyday citizenship
    "ec_help_neighbour": _ItemModel({"C": 1.6, "P": 0.7}, (0.64, 0.36)),
    "ec_received_help": _ItemModel({"C": 1.9}, (0.52, 0.48)),
    "ec_ask_neighbour": _ItemModel(
        {"C": 1.9}, (0.33, 0.36, 0.19, 0.12), effects={"years_in_area": (-0.5, -0.2, 0.0, 0.1)}
    ),
    "ec_informal_vol": _ItemModel(
        {"C": 1.1, "P": 1.1}, (0.12, 0.17, 0.26, 0.45), effects={"sex": (-0.1, 0.1)}
    ),
    # Contemporary civic behaviour
    "cc_timebank": _ItemModel({"P": 1.1, "O": 1.1, "C": 0.3}, (0.05, 0.95)),
    "cc_hyperlocal": _ItemModel(
        {"O": 2.0, "P": 0.7},
        (0.06, 0.08, 0.16, 0.70),
        effects={"age_band": (0.2, 0.3, 0.2, 0.0, -0.3, -0.6)},
    ),
    "cc_online_campaign": _ItemModel(
        {"O": 1.8, "P": 0.9},
        (0.27, 0.73),
        effects={"age_band": (0.4, 0.3, 0.1, -0.1, -0.4, -0.8)},
    ),
    "cc_crowdfund": _ItemModel({"O": 1.3, "P": 0.9, "C": 0.3}, (0.22, 0.78)),
    # Drivers: confidence and efficacy
    "dr_influence": _ItemModel(
        {"D": 1.5, "S": 0.4}, (0.07, 0.31, 0.36, 0.26), missing=0.025, dont_know_share=0.8
    ),
    "dr_confident_speak": _ItemModel(
        {"D": 1.9}, (0.13, 0.29, 0.33, 0.25), effects={"sex": (0.15, -0.15)}, missing=0.015
    ),
    "dr_confident_organise": _ItemModel(
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
    "sa_skills_share": _ItemModel({"D": 1.0, "P": 0.6, "C": 0.4}, (0.60, 0.40)),
    "sa_network_size": _ItemModel({"C": 1.5, "W": 0.3}, (0.04, 0.26, 0.42, 0.28), descending=False),
    "sa_network_support": _ItemModel({"C": 1.3, "W": 0.5}, (0.55, 0.28, 0.11, 0.06)),
    "sa_bridging": _ItemModel(
        {"C": 0.6, "O": 0.3},
        (0.70, 0.30),
        effects={
            "ethnic_group": (0.0, 1.2, 0.9, 0.9, 0.9),
            "age_band": (0.3, 0.3, 0.1, 0.0, -0.3, -0.5),
        },
        context={"pct_ethnic_minority_z": 0.35},
    ),
    "sa_trust": _ItemModel(
        {"C": 1.5, "S": 0.6},
        (0.14, 0.31, 0.40, 0.15),
        effects={"years_in_area": (-0.3, -0.15, 0.0, 0.1), "tenure": (0.0, -0.15, -0.25)},
        missing=0.03,
        dont_know_share=0.85,
    ),
    # Social deficits (y* is the deficit: lonelier, more isolated, more barriers)
    "sd_lonely": _ItemModel(
        {"C": -1.1, "W": -1.3},
        (0.07, 0.18, 0.19, 0.32, 0.24),
        effects={"age_band": (0.55, 0.25, 0.0, 0.0, -0.1, 0.6), "disability": (0.7, 0.0)},
        missing=0.02,
        dont_know_share=0.3,
    ),
    "sd_contact": _ItemModel(
        {"C": -1.4, "W": -0.3},
        (0.22, 0.42, 0.20, 0.12, 0.04),
        descending=False,
        effects={"age_band": (-0.4, -0.1, 0.1, 0.1, 0.0, 0.3)},
    ),
    "sd_barrier_time": _ItemModel(
        {"P": -0.3, "C": -0.4, "D": -0.2},
        (0.38, 0.62),
        effects={"age_band": (0.3, 0.6, 0.7, 0.3, -0.8, -1.2), "sex": (0.0, 0.1)},
    ),
    "sd_barrier_health": _ItemModel(
        {"W": -0.8, "P": -0.3},
        (0.16, 0.84),
        effects={"disability": (2.4, 0.0), "age_band": (-0.6, -0.5, -0.3, 0.1, 0.4, 1.0)},
    ),
    "sd_barrier_info": _ItemModel(
        {"C": -1.1, "D": -0.8},
        (0.24, 0.76),
        effects={"years_in_area": (0.6, 0.3, 0.0, -0.1)},
    ),
    "sd_barrier_cost": _ItemModel(
        {"W": -0.6, "C": -0.5},
        (0.14, 0.86),
        effects={"imd_quintile": (0.6, 0.35, 0.1, -0.15, -0.3), "tenure": (0.0, 0.5, 0.3)},
    ),
    # Active citizenship
    "ac_formal_vol": _ItemModel(
        {"P": 1.8, "C": 0.3}, (0.13, 0.12, 0.14, 0.61), effects={"age_band": _FORMAL_VOL_AGE}
    ),
    "ac_civic_participation": _ItemModel({"P": 1.6, "D": 0.4}, (0.34, 0.66)),
    "ac_civic_consultation": _ItemModel({"P": 1.6, "D": 0.3}, (0.18, 0.82)),
    "ac_civic_activism": _ItemModel(
        {"P": 1.8, "D": 0.4}, (0.09, 0.91), effects={"age_band": _ACTIVISM_AGE}
    ),
    # Traditional satisfaction and perceptions
    "tp_satisfied_area": _ItemModel({"S": 2.2}, (0.34, 0.46, 0.09, 0.07, 0.04), missing=0.008),
    "tp_satisfied_council": _ItemModel(
        {"S": 1.9, "D": 0.2}, (0.12, 0.43, 0.22, 0.14, 0.09), missing=0.03, dont_know_share=0.85
    ),
    "tp_belonging": _ItemModel(
        {"S": 1.4, "C": 1.1},
        (0.22, 0.40, 0.27, 0.11),
        effects={"years_in_area": (-0.5, -0.25, 0.0, 0.15), "tenure": (0.0, -0.1, -0.25)},
        context={"urbanity_z": -0.05},
    ),
    "tp_get_on_well": _ItemModel(
        {"S": 1.8, "C": 0.4}, (0.25, 0.55, 0.14, 0.06), missing=0.035, dont_know_share=0.85
    ),
}

# Change per year, in percentage points, of an item's share in the given codes
# (waves before the latest are shifted so the national share moves this much).
_TRENDS: dict[str, tuple[tuple[int, ...], float]] = {
    "cc_hyperlocal": ((1, 2, 3), 1.5),
    "cc_online_campaign": ((1,), 1.5),
    "cc_crowdfund": ((1,), 1.0),
    "cc_timebank": ((1,), 0.3),
    "ac_formal_vol": ((1, 2), -0.5),
}
# Sharp changes in the latest wave, cycled over the chosen LAs (latent shifts).
_SHARP_CHANGES: tuple[tuple[str, dict[str, float]], ...] = (
    ("drivers_drop", {"D": -0.55, "W": -0.40}),
    ("participation_rise", {"P": 0.55, "O": 0.30}),
    ("satisfaction_drop", {"S": -0.65}),
)
_PLANT_SIZE = 0.42
"""Minimum distance (latent SD units) of a planted LA's drivers/satisfaction from England."""

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

# Differential response (why weights are non-uniform): relative response rates.
_RESPONSE_AGE = (0.50, 0.62, 0.85, 1.05, 1.30, 1.15)
_RESPONSE_TENURE = (1.10, 0.70, 0.80)
_RESPONSE_SEX = (0.90, 1.10)
_WEIGHT_NOISE_SIGMA = 0.30
_DEMOGRAPHIC_MISSING = {
    "age_band": 0.002,
    "sex": 0.002,
    "ethnic_group": 0.008,
    "tenure": 0.006,
    "disability": 0.012,
    "years_in_area": 0.006,
}
_MISSING_AGE_FACTOR = np.array([0.8, 0.8, 0.9, 1.0, 1.4, 2.0])
_BLOCK_SKIP = {"resilience": 0.012, "wellbeing": 0.015}
_SURVEY_DEMOGRAPHICS = DEMOGRAPHIC_COLUMNS


@dataclass(frozen=True)
class DemoSpec:
    """What to generate.

    Attributes
    ----------
    n_las : int
        Number of fictional local authorities (at least 1; with 4 or more every
        LA type is present).
    waves : tuple of int
        Survey years; the last is the calibration ("latest") wave.
    respondents : (int, int)
        Smallest and largest number of respondents per LA per wave.
    neighbourhoods : (int, int)
        Smallest and largest number of neighbourhoods per LA (at most 99).
    seed : int
        Master seed; every random stream is derived from it.

    Raises
    ------
    ValueError
        If the values are inconsistent (checked when the spec is made).
    """

    n_las: int = 300
    waves: tuple[int, ...] = (2024, 2025, 2026)
    respondents: tuple[int, int] = (400, 1000)
    neighbourhoods: tuple[int, int] = (6, 20)
    seed: int = 20261128

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.n_las <= MAX_LAS:
            problems.append(f"n_las must be between 1 and {MAX_LAS}")
        if not self.waves or list(self.waves) != sorted(set(self.waves)):
            problems.append("waves must be a non-empty, increasing tuple of distinct years")
        lo, hi = self.respondents
        if not 1 <= lo <= hi:
            problems.append("respondents must be (low, high) with 1 <= low <= high")
        nlo, nhi = self.neighbourhoods
        if not 1 <= nlo <= nhi <= 99:
            problems.append("neighbourhoods must be (low, high) with 1 <= low <= high <= 99")
        if self.seed < 0:
            problems.append("seed must be non-negative")
        if problems:
            raise ValueError("invalid DemoSpec: " + "; ".join(problems))

    @property
    def latest_wave(self) -> int:
        return self.waves[-1]


@dataclass(frozen=True)
class DemoData:
    """A generated demonstration data set (the four contract tables and the truth).

    Attributes
    ----------
    survey : DataFrame
        Respondent microdata, one row per respondent per wave.
    la_lookup : DataFrame
        One row per LA with region, type, population (16+) and context.
    neighbourhoods : DataFrame
        One row per neighbourhood with its tile-map position and population.
    legacy : DataFrame
        Place Survey 2008 per LA and England, Citizenship Survey 2010-11 England.
    truth : dict
        What was planted and calibrated; for tests and documentation only.
    """

    survey: pd.DataFrame
    la_lookup: pd.DataFrame
    neighbourhoods: pd.DataFrame
    legacy: pd.DataFrame
    truth: dict[str, Any]


# --- Small vectorised helpers ------------------------------------------------


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component, so edits stay local."""
    return np.random.default_rng(
        np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode()),))
    )


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


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


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Smallest values whose weighted cumulative share reaches each of ``probs``."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    idx = np.searchsorted(cum, np.asarray(probs, dtype=float), side="left")
    return values[order][np.clip(idx, 0, len(values) - 1)]


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


def _wilson(p: np.ndarray, n: np.ndarray, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions ``p`` on bases ``n``."""
    denom = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


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


# --- Local authorities and neighbourhoods ------------------------------------


def _type_counts(n: int) -> dict[str, int]:
    if n < len(LA_TYPES):
        order = ("Unitary authority", "Shire district", "Metropolitan district", "London borough")
        return {t: int(t in order[:n]) for t in LA_TYPES}
    counts = {t: max(1, round(share * n)) for t, share in _TYPE_SHARE.items()}
    counts["Shire district"] = n - sum(counts.values())
    return counts


def _la_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` unique fictional place names, none a real LA name."""
    stems = [
        s + e
        for s in _NAME_STEMS
        for e in _NAME_ENDINGS
        if (s + e).lower() not in _REAL_LA_NAMES and s[-1] != e[0]
    ]
    chosen = rng.permutation(len(stems))
    names: list[str] = []
    used: set[str] = set()
    extra = iter(chosen[n:].tolist() + chosen[:n].tolist())
    for i in range(n):
        stem = stems[chosen[i % len(stems)]]
        u = rng.random()
        if u < 0.14:
            name = f"{_NAME_QUALIFIERS[rng.integers(len(_NAME_QUALIFIERS))]} {stem}"
        elif u < 0.20:
            name = f"{stem} and {stems[next(extra)]}"
        else:
            name = stem
        while name in used or name.lower() in _REAL_LA_NAMES:
            name = f"{stems[next(extra)]}"
        used.add(name)
        names.append(name)
    return names


def _make_las(spec: DemoSpec) -> tuple[pd.DataFrame, np.ndarray]:
    """The LA lookup, and which LAs are coastal (older, more deprived)."""
    rng = _stream(spec.seed, "la")
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
    las.insert(1, "la_name", _la_names(n, rng))

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
    pct_em = np.clip(100 * _expit(em_logit), 1, 75)

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


def _neighbourhood_names(la_name: str, n: int, rng: np.random.Generator) -> list[str]:
    base = la_name.split(" and ")[0].split(" ")[-1]
    coined = [
        f"{_NAME_STEMS[i]}{_NAME_ENDINGS[j]} {_NEIGHBOURHOOD_SUFFIXES[k]}"
        for i, j, k in zip(
            rng.integers(len(_NAME_STEMS), size=n),
            rng.integers(len(_NAME_ENDINGS), size=n),
            rng.integers(len(_NEIGHBOURHOOD_SUFFIXES), size=n),
            strict=True,
        )
    ]
    pool = [f"{base} Central", f"{base} North", f"{base} South", f"{base} East", f"{base} West"]
    pool += list(_NEIGHBOURHOOD_PLACES) + coined
    names: list[str] = []
    for i in rng.permutation(len(pool)):
        if pool[i] not in names:
            names.append(pool[i])
        if len(names) == n:
            break
    return names


def _make_neighbourhoods(
    las: pd.DataFrame, spec: DemoSpec, size_rank: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """Neighbourhoods per LA; also returns each neighbourhood's deprivation z."""
    rng = _stream(spec.seed, "neighbourhoods")
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
        names = _neighbourhood_names(la_name, k, rng)
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


# --- Respondents -------------------------------------------------------------


@dataclass
class _Sample:
    """Respondent-level arrays (one entry per row of the survey)."""

    la: np.ndarray
    wave_idx: np.ndarray
    group: np.ndarray  # LA-wave cell
    nb: np.ndarray  # global neighbourhood index
    number: np.ndarray  # 1-based position within the LA-wave
    demo: dict[str, np.ndarray]
    weight: np.ndarray


def _draw_sample(
    spec: DemoSpec,
    las: pd.DataFrame,
    nbs: pd.DataFrame,
    nb_deprivation: np.ndarray,
    size_rank: np.ndarray,
    ctx: dict[str, np.ndarray],
) -> _Sample:
    rng = _stream(spec.seed, "respondents")
    n_las, n_waves = len(las), len(spec.waves)
    lo, hi = spec.respondents

    # Sample sizes: larger LAs commission larger samples; some wave-to-wave change.
    base = lo + (hi - lo) * np.clip(size_rank + rng.normal(0, 0.15, n_las), 0, 1)
    sizes = np.clip(
        np.round(base[:, None] + rng.normal(0, 0.06 * (hi - lo) + 5, (n_las, n_waves))), lo, hi
    ).astype(np.int64)
    cell_sizes = sizes.ravel()  # LA-major, then wave
    group = np.repeat(np.arange(cell_sizes.size), cell_sizes)
    la = group // n_waves
    wave_idx = group % n_waves
    starts = np.repeat(np.cumsum(cell_sizes) - cell_sizes, cell_sizes)
    number = np.arange(group.size) - starts + 1

    # Neighbourhoods: in proportion to population, with uneven response.
    nb_la = pd.Index(las["la_code"]).get_indexer(nbs["la_code"])
    nb_first = np.searchsorted(nb_la, np.arange(n_las))
    nb_count = np.bincount(nb_la, minlength=n_las)
    kmax = int(nb_count.max())
    slot = np.arange(len(nbs)) - nb_first[nb_la]
    pop_share = np.zeros((n_las, kmax))
    pop_share[nb_la, slot] = nbs["population"].to_numpy() / las["population"].to_numpy()[nb_la]
    response = np.exp(
        np.repeat(rng.normal(0, 0.15, (n_las, kmax)), n_waves, axis=0)
        + rng.normal(0, 0.08, (cell_sizes.size, kmax))
    )
    pvals = np.repeat(pop_share, n_waves, axis=0) * response
    pvals /= pvals.sum(axis=1, keepdims=True)
    nb_counts = rng.multinomial(cell_sizes, pvals)
    nb_slot = np.repeat(np.tile(np.arange(kmax), cell_sizes.size), nb_counts.ravel())
    # Shuffle within each LA-wave so respondent numbers do not follow neighbourhoods.
    nb_slot = nb_slot[np.lexsort((rng.random(group.size), group))]
    nb = nb_first[la] + nb_slot

    # Deprivation quintile: LA level, neighbourhood level and address level, cut
    # at national (population-weighted) quintiles.
    pop_weight = (las["population"].to_numpy()[:, None] / sizes).ravel()[group]
    d = 0.85 * ctx["imd_z"][la] + nb_deprivation[nb] + 0.6 * rng.standard_normal(group.size)
    cuts = _weighted_quantiles(d, pop_weight, np.array([0.2, 0.4, 0.6, 0.8]))
    imd_q = 5 - np.searchsorted(cuts, d)  # 1 = most deprived

    # Age: the LA's age profile, tilted by who responds.
    age_z = (las["median_age"].to_numpy() - 41.5) / 4.0
    base_age = np.log([0.14, 0.17, 0.24, 0.23, 0.12, 0.10])
    age_logits = base_age[None, :] + 0.35 * age_z[la][:, None] * (np.arange(6) - 2.5)[None, :] / 2.5
    age_p = _softmax(age_logits) * np.array(_RESPONSE_AGE)
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
    tenure = _draw_categorical(rng, _softmax(ten_logits) * np.array(_RESPONSE_TENURE)) + 1

    female = 0.51 * _RESPONSE_SEX[1] / (0.51 * _RESPONSE_SEX[1] + 0.49 * _RESPONSE_SEX[0])
    sex = np.where(rng.random(group.size) < female, 2, 1)

    dis_p = _expit(_logit(np.array([0.10, 0.12, 0.16, 0.24, 0.31, 0.45]))[age - 1] + 0.15 * depr)
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
    raw = np.exp(_WEIGHT_NOISE_SIGMA * rng.standard_normal(group.size)) / (
        np.array(_RESPONSE_AGE)[age - 1]
        * np.array(_RESPONSE_TENURE)[tenure - 1]
        * np.array(_RESPONSE_SEX)[sex - 1]
    )
    totals = np.bincount(group, weights=raw)
    la_pop = np.repeat(las["population"].to_numpy(), n_waves).astype(float)
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
    return _Sample(
        la=la, wave_idx=wave_idx, group=group, nb=nb, number=number, demo=demo, weight=weight
    )


# --- Latents, planted patterns and items -------------------------------------


def _fixed_effects(sample: _Sample, ctx: dict[str, np.ndarray]) -> np.ndarray:
    """Demographic and LA-context part of every latent, shape (n, 6)."""
    out = np.zeros((sample.la.size, len(LATENTS)))
    for k, latent in enumerate(LATENTS):
        for var, effects in _LATENT_EFFECTS[latent].items():
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
    ``_PLANT_SIZE`` below England and its satisfaction (S) at least that far
    above (hidden assets: the reverse), whatever its context would have given.
    """
    rng = _stream(spec.seed, "planted")
    n = len(las)
    n_plant = max(1, round(0.08 * n)) if n >= 3 else 0
    n_sharp = max(1, round(0.01 * n)) if n >= 3 + 2 * n_plant and len(spec.waves) > 1 else 0
    # Hidden need is likelier in older, less urban places; hidden assets in
    # younger, diverse, urban ones: the stories the reports will tell.
    need_score = _expit(0.8 * ctx["over65_z"] - 0.5 * ctx["urbanity_z"])
    need = (
        rng.choice(n, size=n_plant, replace=False, p=need_score / need_score.sum())
        if n_plant
        else []
    )
    rest = np.setdiff1d(np.arange(n), need)
    assets_score = _expit(0.6 * ctx["em_z"] + 0.5 * ctx["urbanity_z"] - 0.4 * ctx["over65_z"])[rest]
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
            goal = direction * max(direction * rel, _PLANT_SIZE)
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


def _fallback_model(name: str, measures: Measures) -> _ItemModel:
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
            return _ItemModel({latent: 1.5 * sign}, target, descending=descending)
    return _ItemModel({"D": 0.8}, target)


def _item_model(name: str, measures: Measures) -> _ItemModel:
    model = _ITEM_MODELS.get(name)
    n_codes = len(measures.items[name].valid_codes)
    if model is None or len(model.target) != n_codes:
        return _fallback_model(name, measures)
    return model


def _draw_items(
    spec: DemoSpec,
    measures: Measures,
    sample: _Sample,
    latent: np.ndarray,
    ctx: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
    """Integer-coded answers to every item, calibrated in the latest wave."""
    n = sample.la.size
    latest = sample.wave_idx == len(spec.waves) - 1
    age = sample.demo["age_band"]
    rng_block = _stream(spec.seed, "blocks")
    skip = {
        b: rng_block.random(n) < p * _MISSING_AGE_FACTOR[age - 1] for b, p in _BLOCK_SKIP.items()
    }
    columns: dict[str, np.ndarray] = {}
    calibration: dict[str, dict[str, Any]] = {}
    for name, item in measures.items.items():
        model = _item_model(name, measures)
        rng = _stream(spec.seed, f"item:{name}")
        codes = np.array(sorted(item.valid_codes))
        ystar = rng.logistic(size=n)
        for lat, loading in model.loadings.items():
            ystar += loading * latent[:, LATENTS.index(lat)]
        for var, effects in model.effects.items():
            ystar += np.asarray(effects)[sample.demo[var] - 1]
        for var, beta in model.context.items():
            ystar += beta * ctx[var][sample.la]
        oriented = -ystar if model.descending else ystar

        missing = rng.random(n) < model.missing * _MISSING_AGE_FACTOR[age - 1]
        if model.block:
            missing |= skip[model.block]
        valid = ~missing

        # Thresholds: weighted quantiles of the latest wave's valid answers, so
        # England's share of each code equals the target exactly.
        cum_target = np.cumsum(model.target)[:-1]
        fit = latest & valid
        cuts = _weighted_quantiles(oriented[fit], sample.weight[fit], cum_target)
        shift = np.zeros(len(spec.waves))
        trend = _TRENDS.get(name)
        if trend is not None and set(trend[0]) <= set(codes.tolist()):
            positive, per_year = trend
            idx = np.searchsorted(codes, sorted(positive))
            prefix = idx[0] == 0
            boundary = idx[-1] if prefix else idx[0] - 1
            p_latest = float(np.sum(np.asarray(model.target)[idx]))
            for w, year in enumerate(spec.waves[:-1]):
                p_w = float(
                    np.clip(p_latest + per_year / 100 * (year - spec.latest_wave), 0.005, 0.995)
                )
                in_wave = (sample.wave_idx == w) & valid
                t = _weighted_quantiles(
                    oriented[in_wave],
                    sample.weight[in_wave],
                    np.array([p_w if prefix else 1 - p_w]),
                )[0]
                shift[w] = cuts[boundary] - t
        code_idx = np.searchsorted(cuts, oriented + shift[sample.wave_idx], side="left")
        answer = codes[code_idx].astype(np.int8)
        dont_know = rng.random(int(missing.sum())) < model.dont_know_share
        answer[missing] = np.where(dont_know, -8, -9)
        columns[name] = answer
        calibration[name] = {
            "target_shares": dict(zip([str(c) for c in codes], model.target, strict=True)),
            "wave_shift": dict(zip([str(w) for w in spec.waves], shift.tolist(), strict=True)),
        }
    return columns, calibration


# --- Legacy indicators -------------------------------------------------------


def _legacy_table(
    spec: DemoSpec, las: pd.DataFrame, la_profile: np.ndarray
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Place Survey 2008 per LA (linked to the latent profile) and England rows."""
    rng = _stream(spec.seed, "legacy")
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
            mean = np.average(_expit(mid + link + noise), weights=pop)
            lo_a, hi_a = (mid, hi_a) if mean < p0 else (lo_a, mid)
        value = np.round(100 * _expit((lo_a + hi_a) / 2 + link + noise), 1)
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


# --- Assembly ----------------------------------------------------------------


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
        models = {name: _item_model(name, measures) for name in ind.items}
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


def generate_demo(spec: DemoSpec = DemoSpec(), measures: Measures | None = None) -> DemoData:
    """Generate a synthetic Civic Pulse data set with planted, known structure.

    Parameters
    ----------
    spec : DemoSpec
        Size, waves and seed. The same spec always gives identical data.
    measures : Measures, optional
        The measures whose items the survey must hold; defaults to
        ``load_measures()``. Items this module has no model for are drawn from
        the latent of their indicator's domain with equal code shares.

    Returns
    -------
    DemoData
        ``survey``, ``la_lookup``, ``neighbourhoods`` and ``legacy`` frames in
        the input contract, and ``truth`` (what was planted and calibrated).
    """
    measures = measures if measures is not None else load_measures()
    las, coastal = _make_las(spec)
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
    nbs, nb_deprivation = _make_neighbourhoods(las, spec, size_rank)
    sample = _draw_sample(spec, las, nbs, nb_deprivation, size_rank, ctx)

    # Latent traits: fixed effects + LA effect (+ planted) + neighbourhood + residual.
    rng = _stream(spec.seed, "latents")
    chol = np.linalg.cholesky(_LATENT_CORRELATION)
    fixed = _fixed_effects(sample, ctx)
    la_random = _LA_EFFECT_SD * rng.standard_normal((n_las, len(LATENTS))) @ chol.T
    nb_random = _NEIGHBOURHOOD_EFFECT_SD * rng.standard_normal((len(nbs), len(LATENTS)))
    la_wave = _LA_WAVE_SD * rng.standard_normal((n_las * len(spec.waves), len(LATENTS)))
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

    items, item_calibration = _draw_items(spec, measures, sample, latent, ctx)

    rng_missing = _stream(spec.seed, "demographic-missing")
    demo = {}
    for name in _SURVEY_DEMOGRAPHICS:
        values = sample.demo[name].astype(np.int8)
        share = _DEMOGRAPHIC_MISSING.get(name, 0.0)
        if share:
            values[rng_missing.random(values.size) < share] = -9
        demo[name] = values

    la_codes = las["la_code"].to_numpy().astype(object)
    nb_codes = nbs["neighbourhood_code"].to_numpy().astype(object)
    waves = np.asarray(spec.waves, dtype=np.int16)[sample.wave_idx]
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
    survey = pd.concat([head, coded], axis=1)
    legacy, legacy_truth = _legacy_table(spec, las, la_profile_rel)

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
                "residual_correlation": _LATENT_CORRELATION,
                "la_effect_sd": _LA_EFFECT_SD,
                "neighbourhood_effect_sd": _NEIGHBOURHOOD_EFFECT_SD,
                "la_wave_sd": _LA_WAVE_SD,
                "plant_size": _PLANT_SIZE,
            },
            "gradients": {
                "latent_effects": _LATENT_EFFECTS,
                "items": {
                    name: {
                        "loadings": dict(m.loadings),
                        "effects": dict(m.effects),
                        "context": dict(m.context),
                        "code_1_is_high": m.descending,
                    }
                    for name, m in ((n, _item_model(n, measures)) for n in measures.items)
                },
                "response_rates": {
                    "age_band": _RESPONSE_AGE,
                    "tenure": _RESPONSE_TENURE,
                    "sex": _RESPONSE_SEX,
                    "lognormal_sigma": _WEIGHT_NOISE_SIGMA,
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
                for name, (codes, per_year) in _TRENDS.items()
                if name in measures.items
            },
            "las": la_truth,
        }
    )
    return DemoData(survey=survey, la_lookup=las, neighbourhoods=nbs, legacy=legacy, truth=truth)


# --- Writing -----------------------------------------------------------------


def _readme(data: DemoData) -> str:
    spec = data.truth["spec"]
    waves = spec["waves"]
    planted = data.truth["planted"]
    return "\n".join(
        [
            "# SYNTHETIC demonstration data, not real survey results: generated by "
            f"civicpulse_report.demo.generator.generate_demo (seed {spec['seed']}, {len(data.la_lookup)} "
            f"fictional LAs, waves {waves[0]}-{waves[-1]}).",
            "",
            "Every local authority, neighbourhood, respondent and figure in these files is",
            "invented. LA codes (X06/X07/X08/X09 + six digits) and names are fictional and",
            "must never be read as real places. Reports built from these files say so.",
            "",
            "## How it was made",
            "",
            "- Respondents have six correlated latent traits (confidence/efficacy, resilience/",
            "  wellbeing, social capital, participation, online engagement, satisfaction), each",
            "  the sum of demographic effects (deprivation, age, tenure, years in area,",
            "  disability), LA context effects, LA and neighbourhood random effects and an",
            "  individual residual.",
            "- Each survey item is an ordinal response to the latents with logistic noise. Its",
            "  thresholds are solved so the latest wave's weighted England shares equal the",
            "  targets in truth.json (Citizenship Survey 2010-11 levels where one exists).",
            "- Design weights reflect differential non-response (young people and renters",
            "  respond less) and are grossed to each LA's population aged 16+ per wave.",
            "- About 1-4% of item answers are missing (-8 don't know, -9 refused).",
            f"- Planted: {len(planted['hidden_need'])} 'hidden need' LAs (satisfied but low",
            f"  drivers), {len(planted['hidden_assets'])} 'hidden assets' LAs (the reverse),",
            f"  {len(planted['sharp_change'])} LAs with a sharp change in {waves[-1]}, and a trend",
            "  (online and hyper-local activity up, formal volunteering slightly down).",
            "- legacy_indicators.csv holds an invented Place Survey 2008 table per LA whose",
            "  population-weighted England mean matches the published 2008 figures, and the",
            "  published England figures themselves.",
            "",
            "## Files",
            "",
            "- survey.parquet: respondent microdata, one row per respondent per wave",
            "- la_lookup.csv: LA name, region, type, population (16+) and context",
            "- neighbourhoods.csv: neighbourhoods with tile-map positions and population",
            "- legacy_indicators.csv: Place Survey 2008 and Citizenship Survey 2010-11",
            "- truth.json: what was planted and calibrated (for tests; reports never read it)",
            "",
            "Regenerate with `civicpulse_report.demo.generator.write_demo(generate_demo(DemoSpec()), out_dir)`;",
            "the same spec gives byte-identical files.",
            "",
        ]
    )


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_demo(data: DemoData, out_dir: Path) -> dict[str, Path]:
    """Write a demo data set as the input files the pipeline reads.

    Parameters
    ----------
    data : DemoData
        From :func:`generate_demo`.
    out_dir : Path
        Folder to write into (created if needed); existing files are replaced.

    Returns
    -------
    dict of str to Path
        ``survey``, ``la_lookup``, ``neighbourhoods``, ``legacy``, ``truth`` and
        ``readme`` paths. The same data always give byte-identical files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "survey": out_dir / "survey.parquet",
        "la_lookup": out_dir / "la_lookup.csv",
        "neighbourhoods": out_dir / "neighbourhoods.csv",
        "legacy": out_dir / "legacy_indicators.csv",
        "truth": out_dir / "truth.json",
        "readme": out_dir / "README.md",
    }
    table = pa.Table.from_pandas(data.survey, preserve_index=False)
    pq.write_table(table, paths["survey"], compression="zstd", write_statistics=True)
    _write_csv(data.la_lookup, paths["la_lookup"])
    _write_csv(data.neighbourhoods, paths["neighbourhoods"])
    _write_csv(data.legacy, paths["legacy"])
    paths["truth"].write_text(
        json.dumps(data.truth, sort_keys=True, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    paths["readme"].write_text(_readme(data), encoding="utf-8")
    return paths
