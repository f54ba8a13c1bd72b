"""Alt text says what each chart shows, from its numbers (issue 10), on hand-built rows.

Each test builds the few rows a chart would be drawn from and checks the
sentence a screen-reader user would hear: the LA's name, the numbers as the
tables print them, and significance stated the way the rows flag it (never a
similar estimate called worse, never a suppressed one named).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from civicpulse_report.insight import (
    estimates_alt,
    legacy_alt,
    lens_alt,
    priorities_alt,
    quadrant_alt,
    spine_alt,
    tiles_alt,
    trend_alt,
)
from civicpulse_report.insight.alt_text import data_note, significance_summary

LA = "North Coldminster"


def row(label: str, estimate: float | None, england: float, sig: str, **extra: Any) -> dict:
    return {
        "label": label,
        "estimate": estimate,
        "england_value": england,
        "sig_england": sig,
        "type": extra.pop("type", "mean"),
        "suppressed": estimate is None,
        **extra,
    }


DOMAINS = [
    row("Everyday citizenship", 100.4, 100.0, "similar"),
    row("Contemporary civic behaviour", 99.1, 100.0, "worse"),
    row("Drivers of active citizenship", 97.3, 100.0, "worse"),
    row("Social assets and deficits", 103.2, 100.0, "better"),
    row("Active citizenship", 100.2, 100.0, "similar"),
]


def test_worse_domains_are_named_with_their_numbers_largest_gap_first() -> None:
    text = significance_summary(LA, DOMAINS, noun="domains")
    assert text.startswith(
        "North Coldminster is significantly worse than England on 2 of 5 domains: "
        "Drivers of active citizenship (97.3 against 100.0) and "
        "Contemporary civic behaviour (99.1 against 100.0)"
    )
    assert "significantly better on 1: Social assets and deficits (103.2 against 100.0)" in text
    assert text.endswith("similar on the other 2.")


def test_a_similar_estimate_is_never_called_worse_or_better() -> None:
    text = significance_summary(LA, DOMAINS, noun="domains")
    worse = text.split("significantly better")[0]
    assert "Everyday citizenship" not in worse and "Active citizenship (" not in worse
    assert "Everyday citizenship" not in text  # similar ones are counted, not listed


def test_when_every_row_is_similar_the_range_is_given() -> None:
    rows = [row("Time-banking", 5.3, 5.0, "similar", type="proportion"),
            row("Local giving", 22.9, 22.0, "similar", type="proportion")]  # fmt: skip
    text = significance_summary(LA, rows, noun="indicators")
    assert text == (
        "North Coldminster is similar to England on all 2 indicators, "
        "from 5.3% (Time-banking) to 22.9% (Local giving)."
    )
    assert "significantly" not in text


def test_all_rows_worse_says_all() -> None:
    rows = [row("A", 1.0, 2.0, "worse"), row("B", 3.0, 5.0, "worse")]
    assert significance_summary(LA, rows, noun="groups").startswith(
        "North Coldminster is significantly worse than England on all 2 groups: B (3.0"
    )


def test_suppressed_rows_are_counted_but_never_named() -> None:
    rows = [row("Published", 90.0, 100.0, "worse"), row("Tiny group", None, 100.0, "not tested")]
    text = significance_summary(LA, rows, noun="groups")
    assert "Tiny group" not in text
    assert "1 not published (too few respondents)" in text
    assert "on 1 of 2 groups: Published (90.0 against 100.0)" in text


def test_neutral_indicators_are_higher_or_lower_not_better_or_worse() -> None:
    rows = [row("Online campaigning", 31.0, 27.0, "higher", type="proportion"),
            row("Time-banking", 4.0, 5.0, "lower", type="proportion")]  # fmt: skip
    text = significance_summary(LA, rows, noun="indicators")
    assert "better" not in text and "worse" not in text
    assert "significantly lower than England on 1 of 2 indicators: Time-banking (4.0%" in text
    assert "significantly higher on 1: Online campaigning (31.0% against 27.0%)" in text


def test_more_than_three_are_summarised_with_a_count() -> None:
    rows = [row(f"Group {i}", 90.0 + i, 100.0, "worse") for i in range(5)]
    text = significance_summary(LA, rows, noun="groups")
    assert "Group 0 (90.0 against 100.0), Group 1 (91.0 against 100.0), Group 2 " in text
    assert "and 2 more" in text and "Group 4" not in text


def test_estimates_alt_says_what_the_chart_is_then_where_the_data_are() -> None:
    text = estimates_alt(LA, DOMAINS, what="Civic Pulse domain indices", noun="domains",
                         table="headline")  # fmt: skip
    assert text.startswith("Civic Pulse domain indices, with 95% confidence intervals. North")
    assert text.endswith(data_note("headline"))
    assert "tables.csv (table headline)" in text


def test_every_writer_refuses_an_empty_chart() -> None:
    with pytest.raises(ValueError, match="no domains"):
        significance_summary(LA, [], noun="domains")
    for write in (legacy_alt, lens_alt, priorities_alt):
        with pytest.raises(ValueError, match=LA):
            write(LA, [])
    with pytest.raises(ValueError, match=LA):
        tiles_alt(LA, [], what="Modelled drivers index")
    with pytest.raises(ValueError, match="table"):
        data_note(" ")


def spine_row(label: str, estimate: float, england: float, sig: str) -> dict:
    return {"label": label, "estimate": estimate, "england": england, "sig_england": sig,
            "type": "proportion", "suppressed": False}  # fmt: skip


def test_spine_alt_counts_against_england_and_names_the_spread() -> None:
    rows = [spine_row("Acts of kindness", 55.1, 64.0, "worse"),
            spine_row("Belonging", 70.2, 62.0, "better"),
            spine_row("Cohesion", 80.0, 80.4, "similar")]  # fmt: skip
    text = spine_alt(LA, rows, n_las=300)
    assert "range of 300 LAs" in text
    assert (
        "significantly worse than England on 1 of 3 indicators: Acts of kindness (55.1% against 64.0%)"
        in text
    )
    assert "significantly better on 1: Belonging (70.2% against 62.0%)" in text
    assert "table spine" in text


def wave(year: int, value: float, **extra: Any) -> dict:
    return {"wave": year, "estimate": value, "type": "mean", "suppressed": False, **extra}


def test_trend_alt_gives_the_largest_rise_and_fall_and_significant_changes() -> None:
    series = {
        "Everyday citizenship": [wave(2024, 99.0), wave(2026, 101.5, change=1.2, change_significant=True)],
        "Drivers of active citizenship": [wave(2024, 100.0), wave(2026, 97.0, change=-0.4)],
        "Assets": [wave(2024, 100.0), wave(2026, 100.5)],
    }  # fmt: skip
    text = trend_alt(LA, series)
    assert text.startswith("Domain indices for North Coldminster, 2024 to 2026")
    assert "the largest rise was Everyday citizenship, from 99.0 to 101.5" in text
    assert "the largest fall was Drivers of active citizenship, from 100.0 to 97.0" in text
    assert "Changed significantly since the previous wave: Everyday citizenship (+1.2)." in text
    assert "Drivers of active citizenship (-0.4)" not in text


def test_trend_alt_says_when_the_area_has_no_trend_to_publish() -> None:
    series = {"Drivers": [wave(2025, 99.0, suppressed=True), wave(2026, 98.0, suppressed=True)]}
    text = trend_alt(LA, series)
    assert "North Coldminster" in text and "no domain has two waves" in text
    assert "rise" not in text and "99.0" not in text


def test_a_chart_with_nothing_published_says_so_by_name() -> None:
    rows = [row("A", None, 100.0, "not tested"), row("B", None, 100.0, "not tested")]
    assert significance_summary(LA, rows, noun="groups") == (
        "North Coldminster: none of the 2 groups can be published (too few respondents)."
    )


def test_legacy_alt_pairs_then_and_now_and_says_it_is_no_trend() -> None:
    rows = [{"label": "Belonging", "legacy_value": 58.0, "legacy_year": 2008,
             "civic_pulse_value": 61.4, "civic_pulse_wave": 2026}]  # fmt: skip
    text = legacy_alt(LA, rows)
    assert "Place Survey 2008 figures for North Coldminster beside Civic Pulse 2026" in text
    assert "Belonging: 58.0% then, 61.4% now" in text
    assert "not a trend" in text


def test_quadrant_alt_places_the_la_and_counts_its_quadrant() -> None:
    this = {"la_code": "X1", "quadrant": "hidden need", "traditional": 102.44,
            "england_traditional": 100.0, "drivers": 97.26, "england_drivers": 100.0}  # fmt: skip
    others = [this, {**this, "la_code": "X2"}, {**this, "la_code": "X3", "quadrant": "low on both"}]
    text = quadrant_alt(LA, this, others)
    assert text.startswith("North Coldminster is in the hidden need quadrant")
    assert "traditional satisfaction index 102.4 against England 100.0" in text
    assert "drivers index 97.3" in text
    assert "2 of the 3 LAs are in that quadrant" in text


def test_lens_alt_names_the_flagged_units_lowest_drivers_first() -> None:
    units = [
        {"label": "Private renters", "kind": "group", "traditional": 101.0, "drivers": 97.1, "flagged": True},
        {"label": "Disabled residents", "kind": "group", "traditional": 102.8, "drivers": 96.4, "flagged": True},
        {"label": "Market Square", "kind": "neighbourhood", "traditional": 99.0, "drivers": 95.0, "flagged": False},
    ]  # fmt: skip
    text = lens_alt(LA, units)
    assert text.startswith("2 population groups and 1 neighbourhood of North Coldminster")
    assert (
        "2 look fine on satisfaction but lack drivers: Disabled residents (traditional 102.8, drivers 96.4) and Private renters"
        in text
    )
    assert "Market Square" not in text
    none_flagged = lens_alt(LA, [{**u, "flagged": False} for u in units])
    assert "lowest on drivers: Market Square (traditional 99.0, drivers 95.0)" in none_flagged


def test_priorities_alt_leads_with_the_top_gap_and_counts_significance() -> None:
    rows = [
        {"where": "Disabled residents", "indicator_label": "Ill health stops them taking part",
         "estimate": 50.7, "england_value": 16.0, "type": "proportion", "significant": True},
        {"where": "Private renters", "indicator_label": "Drivers index", "estimate": 97.0,
         "england_value": 100.0, "type": "mean", "significant": False},
    ]  # fmt: skip
    text = priorities_alt(LA, rows)
    assert text.startswith(
        "The largest priority gap in North Coldminster is Disabled residents, "
        "Ill health stops them taking part: 50.7% against England 16.0%."
    )
    assert "1 of the 2 gaps shown are statistically significant" in text
    assert "Next: Private renters (Drivers index)." in text
    assert "not statistically significant" in priorities_alt(LA, rows[1:])


def test_tiles_alt_gives_lowest_highest_and_the_hidden_ones() -> None:
    rows = [
        {"name": "Church End", "estimate": None, "suppressed": True, "type": "mean"},
        {"name": "Market Square", "estimate": 97.66, "suppressed": False, "type": "mean", "sig_england": "worse"},
        {"name": "Wickmere Green", "estimate": 98.41, "suppressed": False, "type": "mean", "sig_england": "similar"},
    ]  # fmt: skip
    text = tiles_alt(LA, rows, what="Modelled drivers index", england=99.64)
    assert "for the 3 neighbourhoods of North Coldminster" in text
    assert (
        "lowest Market Square (97.7), highest Wickmere Green (98.4), against England 99.6" in text
    )
    assert "1 significantly worse than England and 0 significantly better" in text
    assert "1 have too few respondents to publish" in text
    assert "Church End" not in text


def test_alt_texts_of_different_charts_differ() -> None:
    texts = {
        estimates_alt(LA, DOMAINS, what="Civic Pulse domain indices", noun="domains", table="headline"),
        estimates_alt(LA, DOMAINS[:3], what="Everyday citizenship indicators", noun="indicators",
                      table="indicators"),
        spine_alt(LA, [spine_row("Acts of kindness", 55.1, 64.0, "worse")], n_las=8),
    }  # fmt: skip
    assert len(texts) == 3
    assert all(re.search(r"\d+\.\d", t) for t in texts)
