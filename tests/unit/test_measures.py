"""measures.yml loading and validation, respondent scoring and the domain index.

Expected scores are worked by hand in the comments, from the scoring rules
printed in measures.yml (BRS-style mean with items 2, 4, 6 reversed; SWEMWBS-
style raw sum; proportions as 1/0 among valid answers).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from civicpulse_report.errors import ConfigError
from civicpulse_report.measures import Domain, Indicator, Measures, Scale, load_measures
from civicpulse_report.paths import MEASURES_FILE
from civicpulse_report.scoring import (
    IndexReference,
    domain_scores,
    index_reference,
    score_indicators,
    score_scale,
)

BRS = [f"brs_{i}" for i in range(1, 7)]
WB = [f"wb_{i}" for i in range(1, 8)]


# --------------------------------------------------------------------------
# The real file
# --------------------------------------------------------------------------


def test_real_measures_file_loads_with_the_declared_counts() -> None:
    m = load_measures()
    # Counted in data/config/measures.yml: 43 items (4 everyday, 4 contemporary,
    # 3 efficacy + 6 BRS + 7 SWEMWBS, 5 assets + 6 deficits, 4 outcomes,
    # 4 traditional), 32 indicators, 6 domains, 7 demographics.
    assert len(m.items) == 43
    assert len(m.indicators) == 32
    assert [d.id for d in m.domains] == [
        "everyday", "contemporary", "drivers", "assets", "outcomes", "traditional",
    ]  # fmt: skip
    per_domain = {d.id: len(m.indicators_in(d.id)) for d in m.domains}
    assert per_domain == {
        "everyday": 4, "contemporary": 4, "drivers": 5, "assets": 11, "outcomes": 4,
        "traditional": 4,
    }  # fmt: skip
    assert m.traditional_domain.id == "traditional"
    assert len(m.civic_pulse_domains) == 5
    assert len(m.demographics) == 7
    assert set(m.missing_codes) == {-8, -9}
    assert len(m.legacy_indicators) == 10


def test_every_indicator_names_existing_items_and_valid_codes() -> None:
    m = load_measures()
    for ind in m.indicators:
        assert ind.items, ind.id
        for name in ind.items:
            assert name in m.items, f"{ind.id} names unknown item {name}"
        if ind.type == "proportion":
            assert len(ind.items) == 1, ind.id
            assert set(ind.positive_codes) <= m.items[ind.items[0]].valid_codes, ind.id
            # A positive code set that is every code would make a constant 100%.
            assert set(ind.positive_codes) < m.items[ind.items[0]].valid_codes, ind.id
        else:
            assert ind.scale is not None
            assert set(ind.scale.reverse) <= set(ind.items)
    for li in m.legacy_indicators.values():
        m.indicator(li.civic_pulse)  # raises KeyError if the mapping is broken


def test_brs_and_swemwbs_scales_are_declared_as_published() -> None:
    m = load_measures()
    brs = m.indicator("resilience")
    assert brs.items == tuple(BRS)
    assert brs.scale == Scale(
        method="mean", reverse=("brs_2", "brs_4", "brs_6"), min_items=4, range=(1.0, 5.0)
    )
    wb = m.indicator("wellbeing")
    assert wb.items == tuple(WB)
    assert wb.scale == Scale(method="sum", reverse=(), min_items=7, range=(7.0, 35.0))


# --------------------------------------------------------------------------
# Invalid files: ConfigError naming the place and the rule
# --------------------------------------------------------------------------


def _real_yaml() -> dict[str, Any]:
    return yaml.safe_load(MEASURES_FILE.read_text(encoding="utf-8"))


def _indicator(raw: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    return next(spec for spec in raw["indicators"] if spec["id"] == indicator_id)


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "measures.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_measures(path)
    return str(info.value)


def test_unchanged_copy_of_the_real_file_is_valid(tmp_path: Path) -> None:
    # Guards the tests below: each breaks exactly one rule of a valid file.
    assert len(load_measures(_write(tmp_path, _real_yaml())).indicators) == 32


def test_unknown_domain_is_named(tmp_path: Path) -> None:
    raw = _real_yaml()
    _indicator(raw, "time_banking")["domain"] = "nowhere"
    message = _error(_write(tmp_path, raw))
    assert "indicator 'time_banking': unknown domain 'nowhere'" in message
    assert "measures.yml" in message


def test_unknown_item_is_named(tmp_path: Path) -> None:
    raw = _real_yaml()
    _indicator(raw, "resilience")["items"] = [*BRS[:5], "brs_7"]
    message = _error(_write(tmp_path, raw))
    assert "indicator 'resilience': unknown items ['brs_7']" in message


def test_misspelt_item_gets_the_name_it_was_meant_to_be(tmp_path: Path) -> None:
    raw = _real_yaml()
    _indicator(raw, "can_influence")["items"] = ["dr_influnce"]
    message = _error(_write(tmp_path, raw))
    assert (
        "measures.yml: indicator 'can_influence': unknown items ['dr_influnce']. Hint: did you "
        "mean 'dr_influnce' -> 'dr_influence'? Items are defined under 'items:'"
    ) in message


@pytest.mark.parametrize(
    ("section", "name", "field", "where"),
    [
        ("items", "dr_influence", "codes", "item 'dr_influence'"),
        ("demographics", "sex", "label", "demographic 'sex'"),
        ("domains", 0, "label", "domain 'everyday'"),
    ],
)
def test_an_entry_missing_a_field_is_named_not_a_crash(
    tmp_path: Path, section: str, name: str | int, field: str, where: str
) -> None:
    raw = _real_yaml()
    del raw[section][name][field]
    message = _error(_write(tmp_path, raw))
    assert f"measures.yml: {where}: missing field '{field}'. Hint: add '{field}:' to it" in message


@pytest.mark.parametrize(
    ("section", "value", "expected"),
    [
        ("items", ["dr_influence"], "section 'items': must be a mapping of names to entries"),
        ("domains", {"everyday": {}}, "section 'domains': must be a list"),
    ],
)
def test_a_section_of_the_wrong_kind_is_named(
    tmp_path: Path, section: str, value: object, expected: str
) -> None:
    raw = _real_yaml()
    raw[section] = value
    assert expected in _error(_write(tmp_path, raw))


def test_positive_code_that_is_not_a_valid_code_is_named(tmp_path: Path) -> None:
    raw = _real_yaml()
    # ec_help_neighbour is yes/no (codes 1, 2): 3 is no answer anyone can give.
    _indicator(raw, "acts_of_kindness")["positive_codes"] = [1, 3]
    message = _error(_write(tmp_path, raw))
    assert "indicator 'acts_of_kindness': positive_codes [3] not valid codes" in message


def test_proportion_on_two_items_is_refused(tmp_path: Path) -> None:
    raw = _real_yaml()
    _indicator(raw, "received_help")["items"] = ["ec_received_help", "ec_help_neighbour"]
    message = _error(_write(tmp_path, raw))
    assert "indicator 'received_help': a proportion is defined on exactly one item" in message


def test_two_traditional_domains_are_refused(tmp_path: Path) -> None:
    raw = _real_yaml()
    next(d for d in raw["domains"] if d["id"] == "outcomes")["role"] = "traditional"
    message = _error(_write(tmp_path, raw))
    assert "domains: exactly one domain must have role 'traditional'" in message


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    raw = _real_yaml()
    _indicator(raw, "time_banking")["domain"] = "nowhere"
    _indicator(raw, "acts_of_kindness")["positive_codes"] = [7]
    path = _write(tmp_path, raw)
    with pytest.raises(ConfigError) as info:
        load_measures(path)
    rules = [p.rule for p in info.value.problems]
    assert len(rules) == 2
    assert any("time_banking" in r for r in rules)
    assert any("acts_of_kindness" in r for r in rules)
    assert all(p.file == str(path) for p in info.value.problems)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    message = _error(tmp_path / "absent.yml")
    assert "absent.yml" in message
    assert "measures file not found" in message


def test_file_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "measures.yml"
    path.write_text("items: [unclosed\n  - : : {\n", encoding="utf-8")
    message = _error(path)
    assert "not valid YAML" in message
    assert "measures.yml" in message


def test_config_error_exits_with_code_2() -> None:
    assert ConfigError([]).exit_code == 2


# --------------------------------------------------------------------------
# Scoring respondents
# --------------------------------------------------------------------------


def _survey(measures: Measures, answers: list[dict[str, int | None]]) -> pd.DataFrame:
    """One row per respondent; every item blank unless given (None is blank too)."""
    data = {
        name: pd.array([a.get(name) for a in answers], dtype="Int64") for name in measures.items
    }
    return pd.DataFrame(data)


def _brs(values: list[int | None]) -> dict[str, int | None]:
    return dict(zip(BRS, values, strict=True))


def _wb(values: list[int | None]) -> dict[str, int | None]:
    return dict(zip(WB, values, strict=True))


def test_brs_style_mean_reverses_items_2_4_6_and_drops_missing_codes(measures: Measures) -> None:
    survey = _survey(
        measures,
        [
            # [5, -9, 5, 1, 5, 1]: brs_2 refused -> missing, not a number.
            # Reversal (6 - x) applies to items 2, 4, 6 only:
            #   brs_1 = 5, brs_3 = 5, brs_4 = 6 - 1 = 5, brs_5 = 5, brs_6 = 6 - 1 = 5
            # 5 answered items (>= 4), mean (5 + 5 + 5 + 5 + 5) / 5 = 5.0.
            # (Were -9 a number, reversed it would be 15 and the mean 40 / 6 = 6.67.)
            _brs([5, -9, 5, 1, 5, 1]),
            # [1, 2, 3, 4, 5, 1] -> 1, 6-2=4, 3, 6-4=2, 5, 6-1=5: sum 20, mean 20/6.
            _brs([1, 2, 3, 4, 5, 1]),
            # Exactly 4 answered: 2, 6-5=1, (blank), 6-4=2, 3, (-8): (2+1+2+3)/4 = 2.0.
            _brs([2, 5, None, 4, 3, -8]),
            # Only 3 answered (brs_1, brs_2, brs_4); min_items is 4 -> not scored.
            _brs([4, 2, -8, 2, None, -9]),
            # Nothing answered -> not scored.
            _brs([-8, -8, -9, None, None, -9]),
        ],
    )
    got = score_indicators(survey, measures)["resilience"].to_numpy()
    np.testing.assert_allclose(got[:3], [5.0, 20 / 6, 2.0], rtol=0, atol=1e-12)
    assert math.isnan(got[3])
    assert math.isnan(got[4])


def test_swemwbs_style_raw_sum_needs_all_seven_items(measures: Measures) -> None:
    survey = _survey(
        measures,
        [
            _wb([1, 1, 1, 1, 1, 1, 1]),  # lowest possible raw score: 7
            _wb([5, 5, 5, 5, 5, 5, 5]),  # highest possible raw score: 35
            _wb([1, 2, 3, 4, 5, 5, 5]),  # 1+2+3+4+5+5+5 = 25 (no item is reversed)
            _wb([3, 3, 3, 3, 3, 3, -8]),  # one "don't know" -> not scored (not 18, not 10)
            _wb([3, 3, 3, None, 3, 3, 3]),  # one blank -> not scored
        ],
    )
    got = score_indicators(survey, measures)["wellbeing"].to_numpy()
    np.testing.assert_array_equal(got[:3], [7.0, 35.0, 25.0])
    assert np.isnan(got[3:]).all()


def test_proportion_indicators_score_positive_1_other_valid_0_missing_nan(
    measures: Measures,
) -> None:
    # acts_of_kindness: ec_help_neighbour, positive [1] of {1 Yes, 2 No}.
    # would_ask_neighbour: ec_ask_neighbour, positive [1, 2] of 1-4.
    # social_isolation: sd_contact, positive [4, 5] of 1-5 (lower is better).
    rows = [
        {"ec_help_neighbour": 1, "ec_ask_neighbour": 2, "sd_contact": 5},
        {"ec_help_neighbour": 2, "ec_ask_neighbour": 3, "sd_contact": 3},
        {"ec_help_neighbour": -8, "ec_ask_neighbour": 1, "sd_contact": 4},
        {"ec_help_neighbour": -9, "ec_ask_neighbour": 4, "sd_contact": -9},
        {"ec_help_neighbour": None, "ec_ask_neighbour": None, "sd_contact": 1},
    ]
    scores = score_indicators(_survey(measures, rows), measures)
    np.testing.assert_array_equal(
        scores["acts_of_kindness"].to_numpy(), [1.0, 0.0, np.nan, np.nan, np.nan]
    )
    np.testing.assert_array_equal(
        scores["would_ask_neighbour"].to_numpy(), [1.0, 0.0, 1.0, 0.0, np.nan]
    )
    np.testing.assert_array_equal(
        scores["social_isolation"].to_numpy(), [1.0, 0.0, 1.0, np.nan, 0.0]
    )
    # Every indicator is a column, even those nobody answered.
    assert list(scores.columns) == [i.id for i in measures.indicators]
    assert scores["cohesion"].isna().all()


def test_score_scale_sum_of_a_reversed_scale() -> None:
    # A 3-item sum on 0-4 with item b reversed (4 - x): 1 + (4 - 0) + 2 = 7.
    scale = Scale(method="sum", reverse=("b",), min_items=2, range=(0.0, 12.0))
    items = pd.DataFrame({"a": [1.0, np.nan], "b": [0.0, np.nan], "c": [2.0, 3.0]})
    got = score_scale(items, scale, (0, 4))
    assert got.iloc[0] == 7.0
    assert math.isnan(got.iloc[1])  # one answered item, min_items 2


# --------------------------------------------------------------------------
# Domain index
# --------------------------------------------------------------------------


def _tiny_measures() -> Measures:
    def ind(iid: str, domain: str, polarity: str) -> Indicator:
        return Indicator(
            id=iid, domain=domain, label=iid, short=iid, type="mean", polarity=polarity,  # type: ignore[arg-type]
            items=(iid,), definition="",
        )  # fmt: skip

    return Measures(
        items={},
        indicators=(
            ind("a", "d", "higher_is_better"),
            ind("b", "d", "lower_is_better"),
            ind("n", "d", "neutral"),
            ind("c", "t", "higher_is_better"),
        ),
        domains=(Domain("d", "civic_pulse", "D", ""), Domain("t", "traditional", "T", "")),
        demographics={},
        missing_codes={},
        legacy_sources={},
        legacy_indicators={},
    )


def test_domain_index_is_100_at_the_reference_and_flips_lower_is_better() -> None:
    ref = IndexReference(
        wave=2024,
        mean={"a": 50.0, "b": 2.0, "n": 7.0, "c": 0.3},
        sd={"a": 10.0, "b": 0.5, "n": 1.0, "c": 0.1},
    )
    scores = pd.DataFrame(
        {
            # z_a = (a - 50) / 10; z_b = (b - 2) / 0.5, negated (lower is better);
            # n is neutral and left out; index = 100 + 10 * mean(z).
            "a": [50.0, 60.0, 50.0, 70.0, np.nan, np.nan],
            "b": [2.0, 2.0, 2.5, 1.0, 2.5, np.nan],
            "n": [7.0, 99.0, -50.0, 7.0, 7.0, 7.0],
            "c": [0.3, 0.3, 0.3, 0.5, 0.3, 0.1],
        }
    )
    got = domain_scores(scores, _tiny_measures(), ref)
    # 1: at the reference on everything -> 100 on both domains.
    # 2: z_a = +1, z_b = 0 -> mean 0.5 -> 105 (n = 99 must not matter).
    # 3: z_a = 0, b one SD *above* its mean is worse -> -1 -> mean -0.5 -> 95
    #    (without the flip it would read 105).
    # 4: z_a = +2, b two SD below -> +2 -> mean 2 -> 120.
    # 5: a missing, b -> -1; 1 of 2 indicators answered meets min_share 0.5 -> 90.
    # 6: neither a nor b -> not scored.
    np.testing.assert_allclose(
        got["d"].to_numpy(), [100.0, 105.0, 95.0, 120.0, 90.0, np.nan], atol=1e-12
    )
    # Traditional domain: z_c = (c - 0.3) / 0.1 -> 0, 0, 0, +2, 0, -2.
    np.testing.assert_allclose(
        got["t"].to_numpy(), [100.0, 100.0, 100.0, 120.0, 100.0, 80.0], atol=1e-9
    )


def test_index_reference_is_the_weighted_mean_and_sd_of_the_reference_wave() -> None:
    scores = pd.DataFrame({"x": [0.0, 1.0, 1.0, np.nan, 5.0]})
    weights = pd.Series([2.0, 1.0, 1.0, 3.0, 9.0])
    waves = pd.Series([2024, 2024, 2024, 2024, 2025])
    ref = index_reference(scores, weights, waves, 2024)
    # Wave 2024, valid rows only: mean (2*0 + 1 + 1) / 4 = 0.5;
    # variance (2*0.25 + 0.25 + 0.25) / 4 = 0.25 -> sd 0.5. Wave 2025 is ignored.
    assert ref.wave == 2024
    assert ref.mean["x"] == pytest.approx(0.5)
    assert ref.sd["x"] == pytest.approx(0.5)
