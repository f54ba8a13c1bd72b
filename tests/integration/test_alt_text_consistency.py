"""Every figure's alt text agrees with tables.csv, for every LA of the small demo (issue 10).

The alt texts are written when the bundle is built (``facts["figure_alt"]``).
For each LA: every figure the notebook draws has one; no two are the same; each
names the LA and quotes numbers that tables.csv shows (rounded as the tables
round them) for that figure's rows; and the counts it gives ("significantly
worse than England on 2 of 5 domains") are the counts of those flags in
tables.csv.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from civicpulse_report import paths
from civicpulse_report.inputs import Dataset
from civicpulse_report.insight.interventions import load_interventions
from civicpulse_report.measures import Measures
from civicpulse_report.report.facts import build_facts
from civicpulse_report.report.tables import facts_to_table
from civicpulse_report.settings import Settings
from civicpulse_report.statistics import EstimateSet

YEAR = 2026
DECIMAL = re.compile(r"(?<![\d+\-])(\d+\.\d)%?")
#: The tables.csv table that holds each figure's numbers.
FIGURE_TABLE = {
    "fig-headline": "headline",
    "fig-spine": "spine",
    "fig-trend": "trend",
    "fig-legacy": "legacy",
    "fig-quadrant": "quadrant",
    "fig-lens": "lens",
    "fig-priorities": "priorities",
    "fig-groups": "breakdowns",
    "fig-tiles": "neighbourhoods",
}
NUMBER_COLUMNS = ("estimate", "comparator_value", "ci_lower", "ci_upper")


@pytest.fixture(scope="module")
def bundles(
    small_estimates: EstimateSet, small_dataset: Dataset, measures: Measures, settings: Settings
) -> dict[str, tuple[dict[str, Any], pd.DataFrame]]:
    interventions = load_interventions(measures=measures)
    out = {}
    for la in sorted(small_dataset.la_lookup["la_code"]):
        facts = build_facts(
            small_estimates, small_dataset, measures, settings, interventions, la, YEAR,
            synthetic=True,
        )  # fmt: skip
        out[la] = (facts, facts_to_table(facts))
    return out


def notebook_figure_labels() -> list[str]:
    source = paths.LA_REPORT_NOTEBOOK.with_suffix(".py").read_text(encoding="utf-8")
    return re.findall(r"^#\| label: (fig-[\w-]+)", source, flags=re.MULTILINE)


def rows_for(label: str, facts: dict[str, Any], table: pd.DataFrame) -> pd.DataFrame:
    """The tables.csv rows a figure is drawn from."""
    if label in FIGURE_TABLE:
        rows = table[table["table"] == FIGURE_TABLE[label]]
        if label in ("fig-groups", "fig-tiles"):
            rows = rows[rows["indicator"] == "index_drivers"]
        if label == "fig-spine":  # the area's own values sit in the indicators table
            rows = pd.concat([rows, table[table["table"] == "indicators"]])
        return rows
    domain = label.removeprefix("fig-")
    ids = {i["id"] for i in facts["indicators"] if i["domain"] == domain}
    return table[(table["table"] == "indicators") & table["indicator"].isin(ids)]


def shown_numbers(rows: pd.DataFrame) -> set[str]:
    values = pd.concat([rows[c] for c in NUMBER_COLUMNS]).dropna()
    return {f"{float(v):.1f}" for v in values}


def stated_count(text: str, flag: str) -> int:
    """How many rows the alt text says have ``flag`` (0 when it says none)."""
    if flag == "similar":
        found = re.search(r"similar (?:to England )?on (?:the other |all )?(\d+)", text)
    else:
        found = re.search(rf"significantly {flag}(?: than England)? on (?:all )?(\d+)", text)
    return int(found.group(1)) if found else 0


def test_every_figure_of_the_notebook_has_its_own_alt_text(bundles: dict) -> None:
    labels = notebook_figure_labels()
    assert len(labels) >= 12, "the notebook's figure labels were not found"
    for la, (facts, _) in bundles.items():
        alts = facts["figure_alt"]
        assert sorted(alts) == sorted(labels), f"{la}: figures without alt text or unknown ones"
        assert len(set(alts.values())) == len(alts), f"{la}: two figures share an alt text"


def test_each_alt_text_names_the_la_and_quotes_tables_csv(bundles: dict) -> None:
    for la, (facts, table) in bundles.items():
        name = facts["meta"]["la_name"]
        for label, text in facts["figure_alt"].items():
            assert name in text, f"{la} {label}: the alt text does not name {name}"
            quoted = DECIMAL.findall(text)
            shown = shown_numbers(rows_for(label, facts, table))
            assert quoted, f"{la} {label}: no number in {text!r}"
            assert set(quoted) & shown, f"{la} {label}: no number of {text!r} is in tables.csv"
            assert "tables.csv" in text


@pytest.mark.parametrize("label", ["fig-headline", "fig-everyday", "fig-drivers", "fig-groups"])
def test_every_estimate_quoted_is_in_tables_csv(bundles: dict, label: str) -> None:
    for la, (facts, table) in bundles.items():
        text = facts["figure_alt"][label]
        missing = set(DECIMAL.findall(text)) - shown_numbers(rows_for(label, facts, table))
        assert missing == set(), f"{la} {label}: {missing} are not in tables.csv: {text!r}"


@pytest.mark.parametrize(
    "label", ["fig-headline", "fig-everyday", "fig-contemporary", "fig-drivers", "fig-assets",
              "fig-outcomes", "fig-groups"],
)  # fmt: skip
def test_significance_counts_are_those_of_tables_csv(bundles: dict, label: str) -> None:
    for la, (facts, table) in bundles.items():
        text = facts["figure_alt"][label]
        rows = rows_for(label, facts, table)
        rows = rows[(rows["comparator"] == "England") & ~rows["suppressed"]]
        for flag in ("worse", "better", "higher", "lower", "similar"):
            expected = int((rows["significance"] == flag).sum())
            assert stated_count(text, flag) == expected, (
                f"{la} {label}: tables.csv has {expected} {flag!r}, the alt text says {text!r}"
            )


def test_the_parsers_above_can_fail() -> None:
    text = (
        "X is significantly worse than England on 2 of 5 domains: a and b; similar on the other 3."
    )
    assert stated_count(text, "worse") == 2
    assert stated_count(text, "better") == 0
    assert stated_count(text, "similar") == 3
    assert DECIMAL.findall("97.3 against 100.0 (+1.2), 45.1%") == ["97.3", "100.0", "45.1"]
