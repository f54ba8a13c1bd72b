"""Key findings: every number in the text is traceable to a frame cell."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import pytest
from estimate_rows import make_row as make_any_row

from civicpulse_report.insight.findings import key_findings
from civicpulse_report.insight.formatting import format_ci, format_value
from civicpulse_report.insight.interventions import load_interventions
from civicpulse_report.insight.legacy import legacy_comparison
from civicpulse_report.insight.priorities import priority_table
from civicpulse_report.insight.quadrants import quadrant_table
from civicpulse_report.insight.recommendations import recommend
from civicpulse_report.insight.sentences import Finding
from civicpulse_report.insight.view import LAView
from civicpulse_report.measures import load_measures
from civicpulse_report.paths import INTERVENTIONS_FILE
from civicpulse_report.settings import Settings

ENG = "E92000001"
LA = "X06000001"
LA_NAME = "Ynys <Môn> & *Fach*"  # hostile on purpose: must pass through untouched
WAVE = 2024
PREVIOUS = 2023
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?")


def make_row(*args, previous_wave: int | None = PREVIOUS, **kwargs) -> dict:
    """A row of the estimates frame whose previous wave is this file's PREVIOUS."""
    return make_any_row(*args, previous_wave=previous_wave, **kwargs)


# indicator: (England, type, polarity, LA estimate, LA se, LA previous estimate)
SCENARIO = {
    "index_drivers": (100.0, "mean", "higher_is_better", 95.2, 0.6, 97.4),
    "index_traditional": (100.0, "mean", "higher_is_better", 103.0, 0.8, 102.5),
    "index_everyday": (100.0, "mean", "higher_is_better", 99.0, 0.8, 99.2),
    "index_contemporary": (100.0, "mean", "higher_is_better", 97.5, 0.8, 97.0),
    "index_assets": (100.0, "mean", "higher_is_better", 96.0, 0.8, 96.3),
    "index_outcomes": (100.0, "mean", "higher_is_better", 101.0, 0.8, 100.5),
    "satisfied_area": (79.8, "proportion", "higher_is_better", 83.1, 1.0, 82.0),
    "can_influence": (27.3, "proportion", "higher_is_better", 24.5, 1.0, 26.0),
    "confident_speak_up": (45.0, "proportion", "higher_is_better", 44.0, 1.0, 44.5),
    "skills_to_share": (50.0, "proportion", "higher_is_better", 58.0, 1.5, 57.0),
    "bridging_ties": (55.0, "proportion", "higher_is_better", 56.0, 1.0, 56.0),
    "loneliness": (10.0, "proportion", "lower_is_better", 9.0, 0.5, 9.1),
    "formal_volunteering": (22.0, "proportion", "higher_is_better", 20.0, 1.5, 21.0),
}


def scenario_frame(
    *, first_wave: bool = False, overrides: dict[str, tuple[float, float]] | None = None
) -> pd.DataFrame:
    """A 'hidden need' LA: satisfied, but its drivers index significantly below England."""
    previous = None if first_wave else PREVIOUS
    rows = []
    for ind, (eng, t, pol, value, se, before) in SCENARIO.items():
        if overrides and ind in overrides:
            value, se = overrides[ind]
        rows.append(
            make_row(
                "england",
                ENG,
                ind,
                eng,
                type=t,
                polarity=pol,
                se=0.2,
                n_eff=2500.0,
                previous_wave=previous,
            )
        )
        rows.append(
            make_row(
                "la",
                LA,
                ind,
                value,
                type=t,
                polarity=pol,
                se=se,
                england_value=eng,
                weighted_base=120_000.0,
                previous_wave=previous,
                previous_estimate=None if first_wave else before,
            )
        )
    renters = {
        "la_code": LA,
        "breakdown": "tenure",
        "group_code": "2",
        "group": "Social renter",
        "weighted_base": 15_000.0,
        "previous_wave": previous,
    }
    rows.append(make_row("la", LA, "index_drivers", 90.0, se=1.5, england_value=100.0, **renters))
    rows.append(
        make_row(
            "la",
            LA,
            "confident_speak_up",
            30.0,
            type="proportion",
            se=2.0,
            england_value=45.0,
            **renters,
        )
    )
    hood = {
        "la_code": LA,
        "breakdown": "neighbourhood",
        "group_code": "N1",
        "group": "N1",
        "modelled": True,
        "weighted_base": 6_000.0,
        "previous_wave": previous,
    }
    rows.append(
        make_row("neighbourhood", "N1", "index_drivers", 98.0, se=2.0, england_value=100.0, **hood)
    )
    return pd.DataFrame(rows)


def legacy_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (LA, "place_survey_2008", "NI4", 27.0, 24.0, 30.0, 1100, 2008),
            (LA, "place_survey_2008", "NI5", 81.0, 79.0, 83.0, 1100, 2008),
            (ENG, "place_survey_2008", "NI4", 28.9, 28.7, 29.1, 500_000, 2008),
            (
                ENG,
                "citizenship_survey_2010_11",
                "formal_volunteering_monthly",
                25.0,
                24.0,
                26.0,
                9000,
                2010,
            ),
        ],
        columns=["la_code", "source", "indicator", "value", "ci_lower", "ci_upper", "base", "year"],
    )


@pytest.fixture(scope="module")
def measures():
    return load_measures()


@pytest.fixture(scope="module")
def interventions(measures):
    return load_interventions(INTERVENTIONS_FILE, measures)


def findings_for(est, measures, interventions, legacy=True, **kw) -> tuple[Finding, ...]:
    names = {"N1": "Riverside"}
    view = LAView.from_estimates(est, LA, WAVE, la_name=LA_NAME)
    priorities = priority_table(view, measures, Settings(), 150_000.0, names)
    recs = recommend(priorities, view, interventions, measures)
    return key_findings(
        view,
        measures,
        quadrant=quadrant_table(est, WAVE),
        priorities=priorities,
        legacy=legacy_comparison(legacy_frame(), view, measures) if legacy else None,
        recommendations=recs,
        **kw,
    )


def labels_to_strip(measures, interventions) -> list[str]:
    """Text in findings that may contain digits but is not a number: names and labels."""
    texts = [LA_NAME, "Riverside", "Social renters"]
    texts += [i.label for i in measures.indicators] + [d.label for d in measures.domains]
    texts += [c for d in measures.demographics.values() for c in d.codes.values()]
    texts += [li.label for li in measures.legacy_indicators.values()]
    texts += [s.label for s in measures.legacy_sources.values()]
    texts += [iv.name for iv in interventions]
    return sorted({t for t in texts if re.search(r"[A-Za-z]", t)}, key=len, reverse=True)


def numbers_in(text: str, strip: Iterable[str]) -> list[str]:
    for label in strip:
        text = text.replace(label, " ")
    text = text.replace("95% CI", " ")
    return NUMBER.findall(text)


def referenced_numbers(finding: Finding, est: pd.DataFrame) -> list[str]:
    """Check each reference against its frame cell; return the cells formatted."""
    legacy = legacy_frame()
    out = []
    for ref in finding.references:
        column = ref["column"]
        if ref["table"] == "estimates":
            assert {
                "level",
                "area_code",
                "breakdown",
                "group_code",
                "indicator",
                "wave",
                "column",
                "value",
            } <= set(ref)
            match = est[
                (est["level"] == ref["level"])
                & (est["area_code"] == ref["area_code"])
                & (est["breakdown"] == ref["breakdown"])
                & (
                    est["group_code"].map(lambda v: "" if pd.isna(v) else str(v))
                    == (ref["group_code"] or "")
                )
                & (est["indicator"] == ref["indicator"])
                & (est["wave"] == ref["wave"])
            ]
            assert len(match) == 1, ref
            row = match.iloc[0]
            if column in ("wave", "previous_wave"):
                kind = "year"
            elif column == "weighted_base":
                kind = "count"
            else:
                kind = row["type"]
        else:
            match = legacy[
                (legacy["la_code"] == ref["la_code"])
                & (legacy["source"] == ref["source"])
                & (legacy["indicator"] == ref["indicator"])
            ]
            assert len(match) == 1, ref
            row = match.iloc[0]
            kind = "proportion"
        assert row[column] == pytest.approx(ref["value"]), ref
        out.append(format_value(row[column], kind))
    return out


# --------------------------------------------------------------------------
# The shared formatter
# --------------------------------------------------------------------------


def test_format_value_and_ci():
    assert format_value(34.2, "proportion") == "34.2%"
    assert format_value(34.1999, "proportion") == "34.2%"
    assert format_value(95.2, "mean") == "95.2"
    assert format_value(100, "mean") == "100.0"
    assert format_value(-0.04, "mean") == "0.0"
    assert format_value(12_345.4, "count") == "12,345"
    assert format_value(2024.0, "year") == "2024"
    assert format_value(float("nan"), "mean") == "not published"
    assert format_ci(94.02, 96.38, "mean") == "94.0 to 96.4"
    assert format_ci(31.0, 37.5, "proportion") == "31.0% to 37.5%"
    with pytest.raises(ValueError):
        format_value(1.0, "percent")


# --------------------------------------------------------------------------
# Key findings
# --------------------------------------------------------------------------


def test_five_to_seven_findings_and_every_number_is_traceable(measures, interventions):
    est = scenario_frame()
    found = findings_for(est, measures, interventions)
    assert 5 <= len(found) <= 7
    assert [f.key for f in found] == [
        "headline",
        "weakest_domain",
        "quadrant",
        "top_priority",
        "change",
        "legacy",
        "asset",
    ]
    strip = labels_to_strip(measures, interventions)
    for finding in found:
        shown = numbers_in(finding.text, strip)
        expected = referenced_numbers(finding, est)
        assert sorted(set(shown)) == sorted(set(expected)), finding.text
        assert shown, finding.text  # every finding here carries numbers


def test_headline_wording(measures, interventions):
    found = findings_for(scenario_frame(), measures, interventions)
    assert found[0].text == (
        f"In 2024, the drivers of active citizenship index for {LA_NAME} is 95.2 "
        "(95% CI 94.0 to 96.4), significantly below England's 100.0."
    )


def test_hidden_need_finding_names_the_quadrant(measures, interventions):
    est = scenario_frame()
    assert quadrant_table(est, WAVE)["quadrant"].tolist() == ["hidden need"]
    quadrant = next(f for f in findings_for(est, measures, interventions) if f.key == "quadrant")
    assert quadrant.text.startswith(f"{LA_NAME} is a 'hidden need' area:")
    assert "satisfaction with the local area is 83.1%, significantly above England's 79.8%" in (
        quadrant.text
    )
    assert "its drivers index is 95.2 (95% CI 94.0 to 96.4), significantly below" in quadrant.text
    assert quadrant.text.endswith(
        "Satisfaction measures alone would not show this lack of capacity."
    )


def test_quadrant_placing_is_hedged_when_drivers_gap_is_not_significant(measures, interventions):
    est = scenario_frame(
        overrides={"index_drivers": (101.0, 0.6), "index_traditional": (97.0, 0.8)}
    )
    quadrant = next(f for f in findings_for(est, measures, interventions) if f.key == "quadrant")
    assert quadrant.text.startswith(f"{LA_NAME} is a 'hidden assets' area:")
    assert "similar to England's 100.0" in quadrant.text
    assert "not significantly above England's, so this placing is uncertain" in quadrant.text
    assert "stronger than satisfaction measures suggest" not in quadrant.text


def test_significantly_only_when_the_flag_says_so(measures, interventions):
    # A wide interval: the drivers index is below England but not significantly.
    est = scenario_frame(overrides={"index_drivers": (99.0, 1.5)})
    headline = findings_for(est, measures, interventions)[0]
    assert "similar to England's 100.0" in headline.text
    assert "significantly" not in headline.text


def test_other_findings_content(measures, interventions):
    found = {f.key: f.text for f in findings_for(scenario_frame(), measures, interventions)}
    assert "social assets and deficits" in found["weakest_domain"]
    # The whole LA lacks drivers here, so the whole area outranks any one group.
    assert found["top_priority"].startswith(
        "The top priority for action is area-wide, on the drivers of active citizenship index"
    )
    assert "for an estimated 120,000 adults" in found["top_priority"]
    assert "Suggested response:" in found["top_priority"]
    assert found["change"].startswith(
        "The largest significant change since 2023 is in the drivers of active citizenship "
        "index, which fell from 97.4 to 95.2 in 2024 (a deterioration)."
    )
    assert "Place Survey 2008 recorded 27.0%" in found["legacy"]
    assert "(England 28.9%)" in found["legacy"]
    assert "not a measure of change" in found["legacy"]
    assert "'Have skills they would share'" in found["asset"]
    assert "significantly above England's 50.0%" in found["asset"]


def test_names_are_left_as_text_with_no_markup_added(measures, interventions):
    for finding in findings_for(scenario_frame(), measures, interventions):
        rest = finding.text.replace(LA_NAME, "")
        assert not set(rest) & set("*_<>[]#`|"), finding.text


def test_first_wave_and_no_legacy(measures, interventions):
    est = scenario_frame(first_wave=True)
    found = findings_for(est, measures, interventions, legacy=False)
    assert 5 <= len(found) <= 7
    assert "legacy" not in [f.key for f in found]
    change = next(f for f in found if f.key == "change")
    assert change.text == (
        f"This is the first Civic Pulse wave for {LA_NAME} (2024), so change over time "
        "cannot yet be measured."
    )


def test_no_significant_change_is_said_plainly(measures, interventions):
    est = scenario_frame()
    est["change_significant"] = False
    change = next(f for f in findings_for(est, measures, interventions) if f.key == "change")
    assert change.text == (
        f"No published measure for {LA_NAME} changed significantly between 2023 and 2024."
    )


def test_unknown_la_is_an_error(measures):
    est = scenario_frame()
    with pytest.raises(ValueError, match="no estimates"):
        key_findings(
            LAView.from_estimates(est, "X09999999", WAVE, la_name="Nowhere"),
            measures,
            priorities=pd.DataFrame(),
        )
