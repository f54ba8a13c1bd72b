"""The key findings agree with tables.csv, number for number, for every LA of the small demo.

Each finding names, in its ``references``, the cells its numbers come from.
Here every number in a finding's text must be found, formatted the same way
(findings.format_value / format_ci), in the tables.csv rows those references
name (by table, indicator, group and area), and each reference's own value
must format to what tables.csv shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from civicpulse_report.inputs import ENGLAND_CODE, Dataset
from civicpulse_report.insight.formatting import ci_label, format_ci, format_value
from civicpulse_report.insight.interventions import load_interventions
from civicpulse_report.insight.view import describe_unit
from civicpulse_report.measures import Measures
from civicpulse_report.report.facts import build_facts
from civicpulse_report.report.tables import facts_to_table
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import EstimateSet

LAS = (
    "X06000001", "X06000002", "X07000001", "X07000002",
    "X07000003", "X07000004", "X08000001", "X09000001",
)  # fmt: skip
YEAR = 2026
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?")
ESTIMATE_COLUMNS = ("estimate", "ci_lower", "ci_upper")
KEYS = ("headline", "weakest_domain", "quadrant", "top_priority", "change", "legacy", "asset")


@pytest.fixture(scope="module")
def bundles(
    small_estimates: EstimateSet, small_dataset: Dataset, measures: Measures, settings: Settings
) -> dict[str, tuple[dict[str, Any], pd.DataFrame]]:
    interventions = load_interventions(measures=measures)
    out = {}
    for la in LAS:
        facts = build_facts(
            small_estimates, small_dataset, measures, settings, interventions, la, YEAR,
            synthetic=True,
        )  # fmt: skip
        out[la] = (facts, facts_to_table(facts))
    return out


def test_the_demo_las_are_the_ones_checked(small_dataset: Dataset) -> None:
    assert tuple(sorted(small_dataset.la_lookup["la_code"])) == LAS


# --------------------------------------------------------------------------
# Which tables.csv rows a reference names, and what they show
# --------------------------------------------------------------------------


def _named_rows(
    ref: Mapping[str, Any], table: pd.DataFrame, facts: Mapping[str, Any], measures: Measures
) -> pd.DataFrame:
    """tables.csv rows for the reference's table/indicator/group/area (any wave)."""
    la_name = facts["meta"]["la_name"]
    if ref["table"] == "legacy":
        rows = table[(table["table"] == "legacy") & (table["indicator"] == ref["indicator"])]
        return rows[rows["wave"] == ref["year"]]
    rows = table[table["indicator"] == ref["indicator"]]
    if ref["level"] == "la" and ref["breakdown"] == "all":
        return rows[(rows["area"] == la_name) & (rows["group"] == "All")]
    if ref["level"] == "la":
        demographic = measures.demographics[ref["breakdown"]]
        label = demographic.codes[int(ref["group_code"])]
        where = describe_unit(measures, ref["breakdown"], label, ref["group_code"])
        in_breakdowns = (
            (rows["table"] == "breakdowns")
            & (rows["breakdown"] == demographic.label)
            & (rows["group"] == label)
        )
        in_units = rows["table"].isin(["priorities", "lens"]) & (rows["group"] == where)
        return rows[(rows["area"] == la_name) & (in_breakdowns | in_units)]
    assert ref["level"] == "neighbourhood", ref
    names = {r["area_code"]: r["name"] for r in facts["neighbourhoods"]}
    name = names[ref["area_code"]]
    return rows[
        ((rows["table"] == "neighbourhoods") & (rows["area"] == name))
        | (rows["table"].isin(["priorities", "lens"]) & (rows["group"] == name))
    ]


def _shown(ref: Mapping[str, Any], rows: pd.DataFrame, facts: Mapping[str, Any]) -> set[str]:
    """The reference's number as the named rows show it, formatted."""
    column = ref["column"]
    if ref["table"] == "legacy":
        if ref["la_code"] == ENGLAND_CODE:
            values = [*rows.loc[rows["area"] == "England", "estimate"], *rows["comparator_value"]]
        else:
            values = list(rows.loc[rows["area"] == facts["meta"]["la_name"], "estimate"])
        return {format_value(v, "proportion") for v in values if pd.notna(v)}
    same_wave = rows[rows["wave"] == ref["wave"]]
    out: set[str] = set()
    if column in ESTIMATE_COLUMNS:
        for kind, v in zip(same_wave["type"], same_wave[column], strict=True):
            out.add(format_value(v, kind))
    elif column == "england_value":
        eng = same_wave[same_wave["comparator"] == "England"]
        for kind, v in zip(eng["type"], eng["comparator_value"], strict=True):
            out.add(format_value(v, kind))
    elif column == "weighted_base":
        out |= {format_value(v, "count") for v in same_wave["weighted_base"]}
    elif column == "wave":
        out |= {format_value(v, "year") for v in same_wave["wave"]}
    elif column == "previous_wave":
        # The trend rows of earlier waves, and the change row's comparator label.
        trend = rows[(rows["table"] == "trend") & (rows["wave"] < ref["wave"])]
        out |= {format_value(v, "year") for v in trend["wave"]}
        change = same_wave[same_wave["table"] == "change"]
        for label in change["comparator"]:
            out |= set(re.findall(r"^Previous wave \((\d{4})\)$", str(label)))
    elif column == "previous_estimate":
        change = same_wave[same_wave["table"] == "change"]
        for kind, v in zip(change["type"], change["comparator_value"], strict=True):
            out.add(format_value(v, kind))
        trend = rows[(rows["table"] == "trend") & (rows["wave"] == ref["wave"] - 1)]
        for kind, v in zip(trend["type"], trend["estimate"], strict=True):
            out.add(format_value(v, kind))
    else:
        raise AssertionError(f"finding references an unexpected column {column!r}")
    out.discard("not published")
    return out


def _reference_kind(ref: Mapping[str, Any], rows: pd.DataFrame) -> str:
    if ref["table"] == "legacy":
        return "proportion"
    if ref["column"] in ("wave", "previous_wave"):
        return "year"
    if ref["column"] == "weighted_base":
        return "count"
    kinds = set(rows["type"].dropna())
    assert len(kinds) == 1, (ref, kinds)
    return kinds.pop()


def _names(facts: Mapping[str, Any], measures: Measures, settings: Settings) -> list[str]:
    """Text in findings that may hold digits but is a name, not a number."""
    names = [facts["meta"]["la_name"], ci_label(settings.confidence_level)]
    for ind in measures.indicators:
        names += [ind.label, ind.short]
    for dom in measures.domains:
        names.append(dom.label)
    for dem in measures.demographics.values():
        names.append(dem.label)
        for code, label in dem.codes.items():
            names += [label, describe_unit(measures, dem.name, label, str(code))]
    for rec in facts["neighbourhoods"]:
        names.append(rec["name"])
    for rec in facts["priorities"]:
        names.append(rec["where"])
    for rec in facts["legacy"]:
        names += [rec["source_label"], rec["legacy_label"], rec["civic_pulse_label"] or ""]
    for rec in facts["recommendations"]:
        names.append(rec["intervention"]["name"])
    # Bare codes such as "2" (deprivation quintile) are not names to strip.
    return sorted({n for n in names if re.search(r"[A-Za-z]", n)}, key=len, reverse=True)


def _numbers(text: str, names: list[str]) -> list[str]:
    for name in names:
        text = text.replace(name, "§")
    return NUMBER.findall(text)


# --------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------


@pytest.mark.parametrize("la", LAS)
def test_every_number_in_the_key_findings_is_in_tables_csv(
    la: str,
    bundles: dict[str, tuple[dict[str, Any], pd.DataFrame]],
    measures: Measures,
    settings: Settings,
) -> None:
    facts, table = bundles[la]
    found = facts["findings"]
    assert 5 <= len(found) <= 7
    keys = [f["key"] for f in found]
    assert keys[:5] == list(KEYS[:5])
    assert set(keys) <= set(KEYS)
    names = _names(facts, measures, settings)
    checked = 0
    for finding in found:
        text = finding["text"]
        shown_by_refs: set[str] = set()
        for ref in finding["references"]:
            rows = _named_rows(ref, table, facts, measures)
            assert len(rows), f"{la} {finding['key']}: no tables.csv row for {ref}"
            shown = _shown(ref, rows, facts)
            mine = format_value(ref["value"], _reference_kind(ref, rows))
            assert mine in shown, (
                f"{la} {finding['key']}: {ref['indicator']} {ref['column']} is {mine} in the "
                f"finding but {sorted(shown)} in tables.csv"
            )
            shown_by_refs.add(mine)
        for number in _numbers(text, names):
            assert number in shown_by_refs, (
                f"{la} {finding['key']}: '{number}' in \"{text}\" is not in the tables.csv "
                f"rows its references name ({sorted(shown_by_refs)})"
            )
            checked += 1
        # Intervals are written by format_ci from the two cells of one row.
        lowers = [r for r in finding["references"] if r["column"] == "ci_lower"]
        for lower in lowers:
            rows = _named_rows(lower, table, facts, measures)
            row = rows[rows["wave"] == YEAR].iloc[0]
            assert format_ci(row["ci_lower"], row["ci_upper"], row["type"]) in text
    # Every LA's findings hold numbers (a headline at least has value, CI and England).
    assert checked >= 15


def test_the_check_catches_a_number_that_is_not_in_the_table(
    bundles: dict[str, tuple[dict[str, Any], pd.DataFrame]], measures: Measures, settings: Settings
) -> None:
    """The check can fail: a finding whose figure disagrees with tables.csv is caught."""
    facts, table = bundles[LAS[0]]
    headline = facts["findings"][0]
    ref = next(r for r in headline["references"] if r["column"] == "estimate")
    rows = _named_rows(ref, table, facts, measures)
    shown = _shown(ref, rows, facts)
    true = format_value(ref["value"], "mean")
    assert true in shown
    wrong = format_value(ref["value"] + 0.1, "mean")
    assert wrong not in shown
    assert true in _numbers(headline["text"], _names(facts, measures, settings))
