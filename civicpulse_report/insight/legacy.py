"""The older survey measures beside Civic Pulse, for one LA.

:func:`legacy_comparison` sets the Place Survey 2008 and Citizenship Survey
figures beside the matching Civic Pulse measure now, with caveats and no
"change" (the surveys differ in year, mode and wording). It selects from the
LA's view of estimates already computed; nothing here re-estimates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from civicpulse_report.inputs import ENGLAND_CODE
from civicpulse_report.insight.indicators import indicator_label
from civicpulse_report.insight.view import LAView
from civicpulse_report.measures import Measures

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


def legacy_comparison(legacy: pd.DataFrame, view: LAView, measures: Measures) -> pd.DataFrame:
    """The older survey measures for one LA beside the matching Civic Pulse figure now.

    Rows are (a) each legacy indicator held for this LA (the Place Survey
    2008), with England's legacy value where the file has it, and (b) each
    national benchmark from a source published for England only (the
    Citizenship Survey), with ``legacy_value`` empty. Each is set beside the
    Civic Pulse indicator that ``measures.legacy_indicators`` maps it to: the
    LA's estimate in the view's wave with its interval, and England's.

    No difference between the legacy and Civic Pulse figures is computed, on
    purpose: the surveys differ in year, mode and wording (the ``caveat``
    column says so on every row).

    Parameters
    ----------
    legacy : DataFrame
        The validated legacy indicators file: la_code (or E92000001), source,
        indicator, value, ci_lower, ci_upper, base, year.
    view : LAView
        The LA and wave compared, with its estimates.
    measures : Measures

    Returns
    -------
    DataFrame
        Columns :data:`LEGACY_COLUMNS`; LA rows first, then national
        benchmarks, each in the order of the sources and indicators in the
        measures file. A legacy code with no mapping keeps its figures with
        the Civic Pulse columns empty.
    """
    la_code, wave = view.la_code, view.wave
    legacy = legacy.copy()
    legacy["la_code"] = legacy["la_code"].astype(str)
    england = legacy[legacy["la_code"] == ENGLAND_CODE]
    local_sources = set(legacy.loc[legacy["la_code"] != ENGLAND_CODE, "source"])
    this_la = legacy[legacy["la_code"] == la_code].assign(scope="local authority")
    national = england[~england["source"].isin(local_sources)].assign(scope="England only")
    chosen = pd.concat([this_la, national], ignore_index=True)

    la_now = view.overall.drop_duplicates("indicator").set_index("indicator")
    eng_now = view.england.drop_duplicates("indicator").set_index("indicator")
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
