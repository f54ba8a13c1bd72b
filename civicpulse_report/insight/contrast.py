"""Civic Pulse against the older lenses: where satisfaction hides missing capacity.

Three views, all selections and comparisons of estimates already computed in
the one pass (:mod:`civicpulse_report.statistics.estimates`); nothing here re-estimates:

* :func:`quadrant_table` places every LA on two axes, the traditional
  satisfaction/perception index and the Civic Pulse drivers index, each
  against England;
* :func:`legacy_comparison` sets the Place Survey 2008 and Citizenship Survey
  figures beside the matching Civic Pulse measure now, with caveats and no
  "change" (the surveys differ in year, mode and wording);
* :func:`lens_comparison` asks, inside one LA, whether the groups and
  neighbourhoods that look fine on satisfaction also have the drivers.

It also holds the two small comparisons with England that recommend.py and
findings.py share: the oriented gap and the respondent-level standard
deviation used to put gaps on a common scale.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from civicpulse_report.inputs import ENGLAND_CODE
from civicpulse_report.measures import Measures
from civicpulse_report.statistics import INDEX_PREFIX

# These mirror civicpulse_report.statistics.estimates; defined here so this module does
# not import the estimation pass (and its I/O dependencies) to read a frame.
TRADITIONAL_INDEX = "index_traditional"
DRIVERS_INDEX = "index_drivers"

Quadrant = Literal["hidden need", "hidden assets", "strong on both", "low on both"]

QUADRANTS: Mapping[str, str] = MappingProxyType(
    {
        "hidden need": (
            "Satisfaction and perceptions (the traditional index) are at or above "
            "England's level, but the Civic Pulse drivers of active citizenship are "
            "below it: the older measures hide missing capacity."
        ),
        "hidden assets": (
            "Satisfaction and perceptions are below England's level, but the drivers "
            "of active citizenship are at or above it: capacity the older measures miss."
        ),
        "strong on both": (
            "Both satisfaction and perceptions and the drivers of active citizenship "
            "are at or above England's level."
        ),
        "low on both": (
            "Both satisfaction and perceptions and the drivers of active citizenship "
            "are below England's level."
        ),
    }
)

#: Significance flags that mean "not significantly below England".
NOT_SIGNIFICANTLY_BELOW = frozenset({"better", "similar", "higher"})
#: Flags that mean a significant difference from England, either way.
SIGNIFICANT_FLAGS = frozenset({"better", "worse", "higher", "lower"})

UNIT_KEYS = ("level", "area_code", "breakdown", "group_code")


WHO_TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        "age_band": "People aged {group}",
        "sex": "{group} residents",
        "tenure": "{group}s",
        "imd_quintile": "Residents of deprivation quintile {group}",
        "years_in_area": "People who have lived in the area {group_lower}",
        "disability": "{group} residents",
    }
)


def describe_unit(
    measures: Measures | None,
    breakdown: str,
    group: str,
    group_code: str | None = None,
    neighbourhood_names: Mapping[str, str] | None = None,
) -> str:
    """A readable "who or where" for a group or neighbourhood.

    Demographic groups read as people ("Social renters", "People aged 16-24"),
    falling back to "<breakdown label>: <group>". Neighbourhoods take their
    name from ``neighbourhood_names`` (by code), falling back to the code.
    Names are untrusted text and are returned as is.
    """
    if breakdown == "all":
        return "All adults in the area"
    if breakdown == "neighbourhood":
        code = group_code if group_code is not None else group
        names = neighbourhood_names or {}
        name = names.get(str(code))
        return str(name) if isinstance(name, str) and name else str(code)
    template = WHO_TEMPLATES.get(breakdown)
    if template is not None:
        if template == "{group}s" and group.endswith("s"):
            return group
        return template.format(group=group, group_lower=group[:1].lower() + group[1:])
    demographic = measures.demographics.get(breakdown) if measures is not None else None
    label = demographic.label if demographic else breakdown
    return f"{label}: {group}"


def index_indicator(domain_id: str) -> str:
    """The indicator id under which a domain index is published (``index_<domain>``)."""
    return f"{INDEX_PREFIX}{domain_id}"


def is_index(indicator_id: str) -> bool:
    """Whether an indicator id is a domain index."""
    return indicator_id.startswith(INDEX_PREFIX)


def indicator_label(measures: Measures, indicator_id: str) -> str:
    """Readable label of an indicator or a domain index ("Drivers of ... index")."""
    if is_index(indicator_id):
        return f"{measures.domain(indicator_id[len(INDEX_PREFIX) :]).label} index"
    return measures.indicator(indicator_id).label


def code_text(values: pd.Series) -> pd.Series:
    """Codes as text for keys and joins, with a missing code (None/NaN) as ''."""
    return values.map(lambda v: "" if v is None or v is pd.NA or v != v else str(v)).astype(object)


def la_slice(est: pd.DataFrame, la_code: str, wave: int) -> pd.DataFrame:
    """The rows one LA's report needs in one wave: England's and the LA's own.

    England rows (every breakdown), the LA's overall and group rows and its
    neighbourhoods. Taken once at the start of each per-LA function, so that
    the all-LA frame is scanned once rather than at every step.
    """
    mask = (est["wave"] == wave) & (
        (est["level"] == "england") | (est["area_code"] == la_code) | (est["la_code"] == la_code)
    )
    return est[mask]


def _not_suppressed(frame: pd.DataFrame) -> pd.Series:
    """True where a row is publishable: not flagged suppressed and has an estimate."""
    suppressed = frame["suppressed"].astype("boolean").fillna(True).astype(bool)
    return ~suppressed & frame["estimate"].notna()


def oriented_gap(
    estimate: pd.Series | np.ndarray | float,
    england: pd.Series | np.ndarray | float,
    polarity: pd.Series | np.ndarray | str,
) -> np.ndarray:
    """Gap to England, oriented so that a positive gap means worse than England.

    ``england - estimate`` where higher is better, ``estimate - england``
    where lower is better, NaN for neutral indicators (no judgement).
    """
    est = np.asarray(estimate, dtype=float)
    eng = np.asarray(england, dtype=float)
    pol = np.asarray(polarity, dtype=object)
    return np.where(
        pol == "higher_is_better",
        eng - est,
        np.where(pol == "lower_is_better", est - eng, np.nan),
    ).astype(float)


def england_respondent_sd(rows: pd.DataFrame, est: pd.DataFrame) -> np.ndarray:
    """Respondent-level standard deviation at England, for each row's indicator.

    Used to put gaps of different indicators on one scale (a standardised gap
    is a gap in respondent-level SD units, like Cohen's d against England).

    * proportions (per cent): ``sqrt(p (1 - p)) * 100`` with ``p`` the row's
      ``england_value / 100`` - the SD of a 0/1 answer in England;
    * means and domain indices: ``se * sqrt(n_eff)`` of the England overall row
      (level england, breakdown all) of the same wave and indicator - the
      weighted SD implied by England's own standard error and effective base.

    NaN where the SD cannot be found or is zero (a proportion of 0% or 100%).

    Parameters
    ----------
    rows : DataFrame
        Needs wave, indicator, type and england_value.
    est : DataFrame
        The estimates frame holding the England rows.
    """
    eng = est[(est["level"] == "england") & (est["breakdown"] == "all")]
    eng_sd = pd.Series(
        (eng["se"] * np.sqrt(eng["n_eff"])).to_numpy(float),
        index=pd.MultiIndex.from_arrays([eng["wave"].astype(int), eng["indicator"]]),
    )
    eng_sd = eng_sd[~eng_sd.index.duplicated(keep="first")]
    keys = pd.MultiIndex.from_arrays([rows["wave"].astype(int), rows["indicator"]])
    mean_sd = eng_sd.reindex(keys).to_numpy(float)
    p = rows["england_value"].to_numpy(float) / 100.0
    with np.errstate(invalid="ignore"):
        prop_sd = np.sqrt(p * (1.0 - p)) * 100.0
    sd = np.where(rows["type"].to_numpy() == "proportion", prop_sd, mean_sd)
    return np.where(sd > 0, sd, np.nan)


# --------------------------------------------------------------------------
# Quadrants: every LA on the traditional and drivers lenses
# --------------------------------------------------------------------------


def classify_quadrant(
    traditional: float, drivers: float, england_traditional: float, england_drivers: float
) -> Quadrant:
    """Place one unit in a quadrant by its point estimates against England.

    "At or above" includes equality on both axes, so a unit exactly on
    England's drivers line is not counted as lacking drivers.
    """
    trad_ok = traditional >= england_traditional
    drivers_ok = drivers >= england_drivers
    if trad_ok and not drivers_ok:
        return "hidden need"
    if drivers_ok and not trad_ok:
        return "hidden assets"
    return "strong on both" if trad_ok else "low on both"


def _axis(rows: pd.DataFrame, indicator: str, name: str, key: str) -> pd.DataFrame:
    part = rows[rows["indicator"] == indicator]
    part = part.drop_duplicates(subset=[key], keep="first").set_index(key)
    return pd.DataFrame(
        {
            name: part["estimate"].astype(float),
            f"{name}_ci_lower": part["ci_lower"].astype(float),
            f"{name}_ci_upper": part["ci_upper"].astype(float),
            f"{name}_sig_england": part["sig_england"].astype(str),
            f"england_{name}": part["england_value"].astype(float),
            f"{name}_base": part["base"].astype(float),
        }
    )


def quadrant_table(est: pd.DataFrame, wave: int) -> pd.DataFrame:
    """Every LA on both lenses in one wave, with its quadrant.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame.
    wave : int

    Returns
    -------
    DataFrame
        One row per LA (level la, breakdown all) with both indices published,
        sorted by la_code. Columns: la_code, wave; for each axis ``traditional``
        (index_traditional) and ``drivers`` (index_drivers): the estimate,
        ``<axis>_ci_lower``, ``<axis>_ci_upper``, ``<axis>_sig_england``,
        ``england_<axis>`` (England's value that wave: the centre line),
        ``<axis>_base`` and ``<axis>_significant`` (differs significantly from
        England); and ``quadrant`` (a key of :data:`QUADRANTS`, by point
        estimates, "at or above" including equality). LAs with either index
        suppressed, or no England value, are left out.
    """
    rows = est[
        (est["wave"] == wave)
        & (est["level"] == "la")
        & (est["breakdown"] == "all")
        & est["indicator"].isin([TRADITIONAL_INDEX, DRIVERS_INDEX])
    ]
    rows = rows[_not_suppressed(rows) & rows["england_value"].notna()]
    table = _axis(rows, TRADITIONAL_INDEX, "traditional", "area_code").join(
        _axis(rows, DRIVERS_INDEX, "drivers", "area_code"), how="inner"
    )
    table.index.name = "la_code"
    table = table.reset_index().sort_values("la_code", kind="mergesort").reset_index(drop=True)
    table.insert(1, "wave", int(wave))
    for axis in ("traditional", "drivers"):
        table[f"{axis}_significant"] = table[f"{axis}_sig_england"].isin(SIGNIFICANT_FLAGS)
    table["quadrant"] = [
        classify_quadrant(t, d, et, ed)
        for t, d, et, ed in zip(
            table["traditional"],
            table["drivers"],
            table["england_traditional"],
            table["england_drivers"],
            strict=True,
        )
    ]
    return table


# --------------------------------------------------------------------------
# Legacy measures beside Civic Pulse
# --------------------------------------------------------------------------

LEGACY_COLUMNS = (
    "scope",
    "source",
    "source_label",
    "legacy_indicator",
    "legacy_label",
    "label",
    "legacy_year",
    "legacy_value",
    "legacy_ci_lower",
    "legacy_ci_upper",
    "legacy_base",
    "legacy_england_value",
    "civic_pulse_indicator",
    "civic_pulse_label",
    "civic_pulse_wave",
    "civic_pulse_value",
    "civic_pulse_ci_lower",
    "civic_pulse_ci_upper",
    "civic_pulse_base",
    "civic_pulse_england_value",
    "civic_pulse_sig_england",
    "civic_pulse_suppressed",
    "caveat",
)


def legacy_caveat(source_caveat: str, source_label: str, year: Any, wave: int) -> str:
    """The caveat printed with every legacy comparison."""
    year_text = f" ({int(year)})" if pd.notna(year) else ""
    general = (
        f"{source_label}{year_text} and Civic Pulse {int(wave)} differ in year, survey "
        "mode and question wording, so the two figures are set side by side, not read "
        "as a change over time."
    )
    return f"{source_caveat} {general}".strip() if source_caveat else general


def legacy_comparison(
    legacy: pd.DataFrame, est: pd.DataFrame, measures: Measures, la_code: str, wave: int
) -> pd.DataFrame:
    """The older survey measures for one LA beside the matching Civic Pulse figure now.

    Rows are (a) each legacy indicator held for this LA (the Place Survey
    2008), with England's legacy value where the file has it, and (b) each
    national benchmark from a source published for England only (the
    Citizenship Survey), with ``legacy_value`` empty. Each is set beside the
    Civic Pulse indicator that ``measures.legacy_indicators`` maps it to: the
    LA's estimate in ``wave`` with its interval, and England's.

    No difference between the legacy and Civic Pulse figures is computed, on
    purpose: the surveys differ in year, mode and wording (the ``caveat``
    column says so on every row).

    Parameters
    ----------
    legacy : DataFrame
        The validated legacy indicators file: la_code (or E92000001), source,
        indicator, value, ci_lower, ci_upper, base, year.
    est : DataFrame
        The tidy estimates frame.
    measures : Measures
    la_code : str
    wave : int

    Returns
    -------
    DataFrame
        Columns :data:`LEGACY_COLUMNS`; LA rows first, then national
        benchmarks, each in the order of the sources and indicators in the
        measures file. A legacy code with no mapping keeps its figures with
        the Civic Pulse columns empty.
    """
    est = la_slice(est, la_code, wave)
    legacy = legacy.copy()
    legacy["la_code"] = legacy["la_code"].astype(str)
    england = legacy[legacy["la_code"] == ENGLAND_CODE]
    local_sources = set(legacy.loc[legacy["la_code"] != ENGLAND_CODE, "source"])
    this_la = legacy[legacy["la_code"] == la_code].assign(scope="local authority")
    national = england[~england["source"].isin(local_sources)].assign(scope="England only")
    chosen = pd.concat([this_la, national], ignore_index=True)

    now = est[(est["wave"] == wave) & (est["breakdown"] == "all")]
    la_now = now[(now["level"] == "la") & (now["area_code"] == la_code)]
    la_now = la_now.drop_duplicates("indicator").set_index("indicator")
    eng_now = now[now["level"] == "england"].drop_duplicates("indicator").set_index("indicator")
    eng_legacy = england.drop_duplicates(["source", "indicator"]).set_index(
        ["source", "indicator"]
    )["value"]

    source_order = {s: i for i, s in enumerate(measures.legacy_sources)}
    code_order = {c: i for i, c in enumerate(measures.legacy_indicators)}
    chosen["_scope"] = (chosen["scope"] != "local authority").astype(int)
    chosen["_source"] = chosen["source"].map(source_order).fillna(len(source_order))
    chosen["_code"] = chosen["indicator"].map(code_order).fillna(len(code_order))
    chosen = chosen.sort_values(
        ["_scope", "_source", "source", "_code", "indicator", "year"], kind="mergesort"
    )

    out: list[dict[str, Any]] = []
    for rec in chosen.to_dict("records"):
        source = measures.legacy_sources.get(rec["source"])
        mapping = measures.legacy_indicators.get(rec["indicator"])
        source_label = source.label if source else str(rec["source"])
        local = rec["scope"] == "local authority"
        row: dict[str, Any] = {
            "scope": rec["scope"],
            "source": rec["source"],
            "source_label": source_label,
            "legacy_indicator": rec["indicator"],
            "legacy_label": mapping.label if mapping else str(rec["indicator"]),
            "legacy_year": rec.get("year"),
            "legacy_value": rec["value"] if local else np.nan,
            "legacy_ci_lower": rec.get("ci_lower") if local else np.nan,
            "legacy_ci_upper": rec.get("ci_upper") if local else np.nan,
            "legacy_base": rec.get("base") if local else np.nan,
            "legacy_england_value": eng_legacy.get((rec["source"], rec["indicator"]), np.nan),
            "civic_pulse_indicator": None,
            "civic_pulse_label": None,
            "civic_pulse_wave": int(wave),
            "civic_pulse_value": np.nan,
            "civic_pulse_ci_lower": np.nan,
            "civic_pulse_ci_upper": np.nan,
            "civic_pulse_base": np.nan,
            "civic_pulse_england_value": np.nan,
            "civic_pulse_sig_england": "not tested",
            "civic_pulse_suppressed": False,
            "caveat": legacy_caveat(
                source.caveat if source else "", source_label, rec.get("year"), wave
            ),
        }
        row["label"] = row["legacy_label"]
        if mapping is not None:
            cp = mapping.civic_pulse
            row["civic_pulse_indicator"] = cp
            row["civic_pulse_label"] = indicator_label(measures, cp)
            if cp in la_now.index:
                la_row = la_now.loc[cp]
                suppressed = bool(pd.isna(la_row["estimate"]) or la_row["suppressed"])
                row["civic_pulse_suppressed"] = suppressed
                if not suppressed:
                    row["civic_pulse_value"] = la_row["estimate"]
                    row["civic_pulse_ci_lower"] = la_row["ci_lower"]
                    row["civic_pulse_ci_upper"] = la_row["ci_upper"]
                    row["civic_pulse_base"] = la_row["base"]
                    row["civic_pulse_sig_england"] = la_row["sig_england"]
                row["civic_pulse_england_value"] = la_row["england_value"]
            if pd.isna(row["civic_pulse_england_value"]) and cp in eng_now.index:
                row["civic_pulse_england_value"] = eng_now.loc[cp, "estimate"]
        out.append(row)
    return pd.DataFrame(out, columns=list(LEGACY_COLUMNS))


# --------------------------------------------------------------------------
# Lens comparison inside one LA
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LensComparison:
    """Groups and neighbourhoods of one LA on the traditional and drivers lenses.

    Attributes
    ----------
    la_code : str
    wave : int
    units : tuple of dict
        One record per demographic group and neighbourhood with both indices
        published: kind ('group' or 'neighbourhood'), level, area_code,
        breakdown, group_code, group (the frame's label), label (a readable
        who/where, see :func:`describe_unit`), base, modelled; for each axis
        (traditional, drivers) the estimate, ``<axis>_ci_lower``,
        ``<axis>_ci_upper``, ``<axis>_sig_england``, ``england_<axis>``;
        drivers_gap (England minus drivers, positive = below England) and
        flagged. Ordered by kind (groups first), breakdown, group_code.
    flagged : tuple of dict
        The units that look fine on satisfaction but lack drivers: traditional
        index not significantly below England (sig_england better, similar or
        higher) and drivers index significantly below England (worse); largest
        drivers gap first.
    rho_groups, rho_neighbourhoods : float
        Spearman rank correlation of the two indices across the groups, and
        across the neighbourhoods; NaN with fewer than three units or when
        either index is constant. A low rho means the satisfaction lens ranks
        places and people differently from the drivers lens.
    n_groups, n_neighbourhoods : int
    """

    la_code: str
    wave: int
    units: tuple[dict[str, Any], ...]
    flagged: tuple[dict[str, Any], ...]
    rho_groups: float
    rho_neighbourhoods: float
    n_groups: int
    n_neighbourhoods: int

    @property
    def frame(self) -> pd.DataFrame:
        """The units as a data frame."""
        return pd.DataFrame(list(self.units))


def spearman_rho(x: pd.Series | np.ndarray, y: pd.Series | np.ndarray) -> float:
    """Spearman's rank correlation (scipy), NaN for fewer than 3 pairs or constant input."""
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(spearmanr(a, b).statistic)


def lens_comparison(
    est: pd.DataFrame,
    la_code: str,
    wave: int,
    *,
    measures: Measures | None = None,
    neighbourhood_names: Mapping[str, str] | None = None,
) -> LensComparison:
    """Compare the two lenses across one LA's groups and neighbourhoods.

    Parameters
    ----------
    est : DataFrame
        The tidy estimates frame.
    la_code : str
    wave : int
    measures : Measures, optional
        For readable unit labels (see :func:`describe_unit`).
    neighbourhood_names : mapping, optional
        neighbourhood_code -> name, for the neighbourhoods' labels.

    Returns
    -------
    LensComparison
        Suppressed units (either index) are left out.
    """
    est = la_slice(est, la_code, wave)
    in_wave = est[est["indicator"].isin([TRADITIONAL_INDEX, DRIVERS_INDEX])]
    groups = (
        (in_wave["level"] == "la")
        & (in_wave["area_code"] == la_code)
        & ~in_wave["breakdown"].isin(["all", "neighbourhood"])
    )
    hoods = (in_wave["level"] == "neighbourhood") & (in_wave["la_code"] == la_code)
    rows = in_wave[(groups | hoods) & _not_suppressed(in_wave)].copy()
    rows["kind"] = np.where(rows["level"] == "neighbourhood", "neighbourhood", "group")
    rows["_unit"] = rows["kind"] + "|" + rows["breakdown"] + "|" + code_text(rows["group_code"])
    table = _axis(rows, TRADITIONAL_INDEX, "traditional", "_unit").join(
        _axis(rows, DRIVERS_INDEX, "drivers", "_unit"), how="inner"
    )
    meta = rows[rows["indicator"] == DRIVERS_INDEX].drop_duplicates("_unit").set_index("_unit")
    table["kind"] = meta["kind"]
    for col in ("level", "area_code", "breakdown", "group_code", "group"):
        table[col] = meta[col]
    table["modelled"] = (
        meta["modelled"].astype("boolean").fillna(False).astype(bool)
        if "modelled" in meta
        else table["kind"].eq("neighbourhood")
    )
    table["label"] = [
        describe_unit(measures, b, str(g), c, neighbourhood_names)
        for b, g, c in zip(table["breakdown"], table["group"], table["group_code"], strict=True)
    ]
    table = table.rename(columns={"drivers_base": "base"})
    table = table.drop(columns=["traditional_base"])
    table["drivers_gap"] = table["england_drivers"] - table["drivers"]
    table["flagged"] = table["traditional_sig_england"].isin(NOT_SIGNIFICANTLY_BELOW) & (
        table["drivers_sig_england"] == "worse"
    )
    table["_kind"] = (table["kind"] == "neighbourhood").astype(int)
    table = table.sort_values(["_kind", "breakdown", "group_code"], kind="mergesort")
    columns = [
        "kind",
        "level",
        "area_code",
        "breakdown",
        "group_code",
        "group",
        "label",
        "base",
        "modelled",
        "traditional",
        "traditional_ci_lower",
        "traditional_ci_upper",
        "traditional_sig_england",
        "england_traditional",
        "drivers",
        "drivers_ci_lower",
        "drivers_ci_upper",
        "drivers_sig_england",
        "england_drivers",
        "drivers_gap",
        "flagged",
    ]
    units = table[columns].reset_index(drop=True)
    flagged = units[units["flagged"]].sort_values(
        ["drivers_gap", "kind", "breakdown", "group_code"],
        ascending=[False, True, True, True],
        kind="mergesort",
    )
    is_group = units["kind"] == "group"
    return LensComparison(
        la_code=la_code,
        wave=int(wave),
        units=tuple(units.to_dict("records")),
        flagged=tuple(flagged.to_dict("records")),
        rho_groups=spearman_rho(units.loc[is_group, "traditional"], units.loc[is_group, "drivers"]),
        rho_neighbourhoods=spearman_rho(
            units.loc[~is_group, "traditional"], units.loc[~is_group, "drivers"]
        ),
        n_groups=int(is_group.sum()),
        n_neighbourhoods=int((~is_group).sum()),
    )
