"""Presentation helpers of issue 10: significance words, and the data block under a figure.

Pandoc reads what the helpers write, so the checks parse it with pandoc: the
symbol is in a span hidden from screen readers and the word is not; a hostile
alt text stays one attribute value, exactly; the data table has the chart's
numbers as the tables print them.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from civicpulse_report.render.tools import pandoc_path
from civicpulse_report.report import present as p


def pandoc_json(markdown: str) -> dict:
    done = subprocess.run(
        [pandoc_path(), "--from", "markdown", "--to", "json"],
        input=markdown.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_the_symbol_is_hidden_and_the_word_is_not() -> None:
    text = p.significance({"sig_england": "worse"})
    assert text == '[▼]{aria-hidden="true"} Worse'
    (para,) = pandoc_json(text)["blocks"]
    span, _, word = para["c"]
    assert span["t"] == "Span" and span["c"][0][2] == [["aria-hidden", "true"]]
    assert span["c"][1] == [{"t": "Str", "c": "▼"}]
    assert word == {"t": "Str", "c": "Worse"}


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("similar", "● Similar"), ("higher", "▲ Higher"), ("not tested", "Not tested"), (None, "Not tested"), ("odd", "–")],
)  # fmt: skip
def test_every_flag_has_its_word(flag: str | None, expected: str) -> None:
    shown = p.significance({"sig_england": flag}).replace('{aria-hidden="true"}', "")
    assert shown.replace("[", "").replace("]", "") == expected


def test_figure_data_keeps_a_hostile_alt_text_as_one_exact_attribute() -> None:
    alt = 'Ynys "Môn" \\ <b>#1</b> $x$ is significantly worse than England on 1 of 2 domains.'
    block = p.figure_data(
        alt, "The data behind @fig-x.", (["Domain", "Index"], [["Drivers", "97.3"]])
    )
    (div,) = pandoc_json(block)["blocks"]
    assert div["t"] == "Div"
    _, classes, attributes = div["c"][0]
    assert classes == ["figure-data"]
    assert dict(attributes) == {"alt": alt, "summary": "Show the data"}
    kinds = [b["t"] for b in div["c"][1]]
    assert kinds == ["Table", "Para"]
    assert "tables.csv" in block and "tables.xlsx" in block


def test_figure_data_refuses_a_figure_without_alt_text() -> None:
    with pytest.raises(ValueError, match="alt text"):
        p.figure_data("  ", "caption", (["a"], [["1"]]))


def test_estimate_data_shows_the_numbers_as_the_tables_do() -> None:
    rows = [{"label": "Drivers of active citizenship", "estimate": 97.26, "ci_lower": 96.01,
             "ci_upper": 98.5, "england_value": 100.0, "sig_england": "worse", "type": "mean"},
            {"label": "Tiny*group*", "suppressed": True, "sig_england": "not tested"}]  # fmt: skip
    headers, table = p.estimate_data(rows, label_header="Domain")
    assert headers == ["Domain", "Area", "95% CI", "England", "Compared with England"]
    assert table[0] == ["Drivers of active citizenship", "97.3", "96.0 to 98.5", "100.0",
                        '[▼]{aria-hidden="true"} Worse']  # fmt: skip
    assert table[1][:3] == ["Tiny\\*group\\*", "suppressed", "–"]
