"""Snapshot tests: the published numbers of one small-demo LA, pinned.

Any change to a method, a default or the demo generator changes these files;
review the diff, then refresh them with `make test-update`
(UPDATE_SNAPSHOTS=1). A snapshot that does not exist yet is a failure, not a
silent pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from civicpulse_report.insight import load_interventions
from civicpulse_report.report.facts import build_facts
from civicpulse_report.report.tables import facts_to_table

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"snapshot {path.name} is missing: run `make test-update` and review it")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} changed. If the change is intended, run `make test-update` and review the diff."
    )


@pytest.fixture(scope="module")
def table(small_estimates, small_dataset, measures, settings) -> pd.DataFrame:
    bundle = build_facts(
        small_estimates,
        small_dataset,
        measures,
        settings,
        load_interventions(measures=measures),
        "X06000001",
        small_estimates.latest_wave,
        synthetic=True,
    )
    return facts_to_table(bundle)


def test_snapshot_headline_and_indicators(table: pd.DataFrame) -> None:
    shown = table[table["table"].isin(["headline", "indicators"])]
    _check(
        "X06000001_indicators.csv",
        shown.to_csv(index=False, lineterminator="\n", float_format="%.3f"),
    )


def test_snapshot_priorities(table: pd.DataFrame) -> None:
    shown = table[table["table"] == "priorities"]
    _check(
        "X06000001_priorities.csv",
        shown.to_csv(index=False, lineterminator="\n", float_format="%.3f"),
    )
