"""Tests for the synthetic demo data generator (civicpulse_report.demo.generator)."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civicpulse_report.demo import DemoData, DemoSpec, generate_demo, write_demo
from civicpulse_report.inputs import ENGLAND_CODE
from civicpulse_report.measures import Item, Measures, load_measures
from civicpulse_report.scoring import domain_scores, index_reference, score_indicators

SMALL = DemoSpec(n_las=12, respondents=(400, 500))
MEDIUM = DemoSpec(n_las=25, respondents=(400, 500))
LATEST = MEDIUM.waves[-1]

SURVEY_ID_COLUMNS = ["respondent_id", "wave", "la_code", "neighbourhood_code", "weight"]
DEMOGRAPHICS = [
    "age_band",
    "sex",
    "ethnic_group",
    "tenure",
    "disability",
    "imd_quintile",
    "years_in_area",
]
LA_COLUMNS = [
    "la_code",
    "la_name",
    "region",
    "la_type",
    "population",
    "imd_score",
    "urbanity",
    "median_age",
    "pct_over_65",
    "pct_ethnic_minority",
]
NEIGHBOURHOOD_COLUMNS = [
    "neighbourhood_code",
    "neighbourhood_name",
    "la_code",
    "tile_x",
    "tile_y",
    "population",
]
LEGACY_COLUMNS = [
    "la_code",
    "source",
    "indicator",
    "value",
    "ci_lower",
    "ci_upper",
    "base",
    "year",
]
REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}
# Published England levels (per cent) the latest wave must reproduce.
CITIZENSHIP_SURVEY_TARGETS = {
    "can_influence": 38.0,
    "civic_participation": 34.0,
    "formal_volunteering": 25.0,
    "informal_volunteering": 29.0,
    "civic_consultation": 18.0,
    "civic_activism": 9.0,
    "trust_neighbours": 45.0,
    "loneliness": 7.0,
    "satisfied_area": 80.0,
    "satisfied_council": 55.0,
    "belonging": 62.0,
    "cohesion": 80.0,
}
PLACE_SURVEY_2008 = {
    "NI1": 76.0,
    "NI2": 59.0,
    "NI3": 14.0,
    "NI4": 29.0,
    "NI5": 80.0,
    "NI6": 23.0,
    "council_satisfaction": 45.0,
}
SOME_REAL_LA_NAMES = {
    "Barnsley", "Leeds", "Ashford", "Redbridge", "Elmbridge", "Rushmoor", "Sandwell",
    "Tamworth", "Selby", "Ashfield", "Rushcliffe", "Kingston", "Wakefield", "Oldham",
}  # fmt: skip


@pytest.fixture(scope="module")
def measures() -> Measures:
    return load_measures()


@pytest.fixture(scope="module")
def small(measures: Measures) -> DemoData:
    return generate_demo(SMALL, measures)


@pytest.fixture(scope="module")
def medium(measures: Measures) -> DemoData:
    return generate_demo(MEDIUM, measures)


@pytest.fixture(scope="module")
def medium_scores(medium: DemoData, measures: Measures) -> pd.DataFrame:
    return score_indicators(medium.survey, measures)


def weighted_percent(values: pd.Series, weights: pd.Series, mask: pd.Series) -> float:
    ok = mask & values.notna()
    return 100 * float(np.average(values[ok], weights=weights[ok]))


def la_means(values: pd.Series, survey: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """Weighted mean of ``values`` per LA among respondents in ``mask``."""
    ok = mask & values.notna()
    frame = pd.DataFrame(
        {
            "x": values[ok] * survey["weight"][ok],
            "w": survey["weight"][ok],
            "la": survey["la_code"][ok],
        }
    )
    sums = frame.groupby("la")[["x", "w"]].sum()
    return sums["x"] / sums["w"]


# --- Determinism -------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_file_bytes(
    small: DemoData, measures: Measures, tmp_path: Path
) -> None:
    again = generate_demo(SMALL, measures)
    for name in ("survey", "la_lookup", "neighbourhoods", "legacy"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(again, name))
    assert small.truth == again.truth

    first = write_demo(small, tmp_path / "a")
    second = write_demo(again, tmp_path / "b")
    rewritten = write_demo(small, tmp_path / "a")
    assert set(first) == {"survey", "la_lookup", "neighbourhoods", "legacy", "truth", "readme"}
    for key, path in first.items():
        assert path.read_bytes() == second[key].read_bytes(), f"{path.name} differs between runs"
        assert path.read_bytes() == rewritten[key].read_bytes()


def test_different_seed_gives_different_data(small: DemoData, measures: Measures) -> None:
    other = generate_demo(dataclasses.replace(SMALL, seed=SMALL.seed + 1), measures)
    assert not other.la_lookup["la_name"].equals(small.la_lookup["la_name"])
    assert not np.array_equal(
        other.survey["weight"].to_numpy()[:100], small.survey["weight"].to_numpy()[:100]
    )
    answers = other.survey["tp_satisfied_area"].to_numpy()[:500]
    assert (answers != small.survey["tp_satisfied_area"].to_numpy()[:500]).any()


def test_invalid_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="respondents"):
        DemoSpec(respondents=(500, 400))
    with pytest.raises(ValueError, match="waves"):
        DemoSpec(waves=(2026, 2025))
    with pytest.raises(ValueError, match="n_las"):
        DemoSpec(n_las=0)


# --- The input contract ------------------------------------------------------


def test_survey_columns_and_codes_follow_the_contract(small: DemoData, measures: Measures) -> None:
    survey = small.survey
    assert list(survey.columns) == SURVEY_ID_COLUMNS + DEMOGRAPHICS + list(measures.items)
    for name, item in measures.items.items():
        codes = survey[name]
        assert pd.api.types.is_integer_dtype(codes), name
        allowed = set(item.valid_codes) | {-8, -9}
        assert set(codes.unique()) <= allowed, name
        assert set(item.valid_codes) <= set(codes.unique()), f"{name} never uses some codes"
    for name in DEMOGRAPHICS:
        allowed = set(measures.demographics[name].codes) | {-9}
        assert set(survey[name].unique()) <= allowed, name
    assert (survey[DEMOGRAPHICS] == -9).to_numpy().mean() > 0  # some demographics missing
    assert set(survey["wave"].unique()) == set(SMALL.waves)


def test_item_non_response_is_realistic(medium: DemoData, measures: Measures) -> None:
    survey = medium.survey
    missing = survey[list(measures.items)] < 0
    assert 0.01 <= missing.to_numpy().mean() <= 0.04
    assert set(np.unique(survey[list(measures.items)].to_numpy()[missing.to_numpy()])) == {-8, -9}
    scales = [c for c in measures.items if c.startswith(("wb_", "brs_"))]
    others = [c for c in measures.items if c.startswith(("ec_", "cc_", "ac_"))]
    assert missing[scales].to_numpy().mean() > missing[others].to_numpy().mean()
    by_age = missing.mean(axis=1).groupby(survey["age_band"]).mean()
    assert by_age[6] > by_age[1]


def test_la_lookup_has_fictional_las_of_every_type(small: DemoData) -> None:
    las = small.la_lookup
    assert list(las.columns) == LA_COLUMNS
    assert len(las) == SMALL.n_las
    assert las["la_code"].str.fullmatch(r"X0[6-9]\d{6}").all()
    assert las["la_code"].is_unique and las["la_name"].is_unique
    assert not set(las["la_name"]) & SOME_REAL_LA_NAMES
    assert set(las["region"]) <= REGIONS
    assert set(las["la_type"]) == {
        "London borough",
        "Metropolitan district",
        "Unitary authority",
        "Shire district",
    }
    digit = {
        "London borough": "9",
        "Metropolitan district": "8",
        "Unitary authority": "6",
        "Shire district": "7",
    }
    assert (las["la_code"].str[2] == las["la_type"].map(digit)).all()
    assert (las.loc[las["la_type"] == "London borough", "region"] == "London").all()
    assert las["imd_score"].between(5, 45).all()
    assert (las["population"] > 0).all()


def test_four_las_give_one_of_each_type() -> None:
    data = generate_demo(DemoSpec(n_las=4, respondents=(400, 420)))
    assert sorted(data.la_lookup["la_type"].value_counts().tolist()) == [1, 1, 1, 1]


def test_weights_are_grossing_and_non_uniform(small: DemoData) -> None:
    survey = small.survey
    assert (survey["weight"] > 0).all()
    cells = survey.groupby(["la_code", "wave"])["weight"]
    totals = cells.sum().reset_index().merge(small.la_lookup[["la_code", "population"]])
    np.testing.assert_allclose(totals["weight"], totals["population"], rtol=1e-9)
    cv = cells.std() / cells.mean()
    assert cv.between(0.3, 0.7).all()
    assert 0.4 <= cv.mean() <= 0.6


def test_respondents_per_la_and_wave(small: DemoData) -> None:
    survey = small.survey
    sizes = survey.groupby(["la_code", "wave"]).size()
    lo, hi = SMALL.respondents
    assert len(sizes) == SMALL.n_las * len(SMALL.waves)
    assert sizes.between(lo, hi).all()
    for _, ids in survey.groupby("wave")["respondent_id"]:
        assert ids.is_unique
    expected = survey["la_code"] + "-" + survey["wave"].astype(str) + "-"
    assert (survey["respondent_id"].str[:-5] == expected).all()


def test_neighbourhoods_are_tiled_and_sized(medium: DemoData) -> None:
    nbs = medium.neighbourhoods
    assert list(nbs.columns) == NEIGHBOURHOOD_COLUMNS
    assert nbs["neighbourhood_code"].str.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}").all()
    assert nbs["neighbourhood_code"].is_unique
    per_la = nbs.groupby("la_code").size()
    assert per_la.between(6, 20).all() and len(per_la) == MEDIUM.n_las
    assert not nbs.duplicated(["la_code", "tile_x", "tile_y"]).any()
    assert not nbs.duplicated(["la_code", "neighbourhood_name"]).any()
    width = nbs.groupby("la_code")["tile_x"].agg(lambda x: x.max() - x.min() + 1)
    assert width.between(2, 5).all()
    pop = nbs.groupby("la_code")["population"].sum()
    la_pop = medium.la_lookup.set_index("la_code")["population"]
    np.testing.assert_allclose(pop[la_pop.index], la_pop, rtol=0.01)

    survey = medium.survey
    lookup = nbs.set_index("neighbourhood_code")["la_code"]
    assert (survey["neighbourhood_code"].map(lookup) == survey["la_code"]).all()
    counts = survey.groupby(["neighbourhood_code", "wave"]).size()
    assert (counts < 50).any()  # some cells small enough for disclosure control


# --- Calibration and structure ----------------------------------------------


def test_latest_wave_reproduces_citizenship_survey_levels(
    medium: DemoData, medium_scores: pd.DataFrame
) -> None:
    latest = medium.survey["wave"] == LATEST
    for indicator, target in CITIZENSHIP_SURVEY_TARGETS.items():
        achieved = weighted_percent(medium_scores[indicator], medium.survey["weight"], latest)
        assert achieved == pytest.approx(target, abs=2.0), indicator
        recorded = medium.truth["calibration"]["achieved"][indicator]
        assert recorded == pytest.approx(achieved, abs=1e-3)


def test_legacy_table_matches_place_survey_2008(medium: DemoData) -> None:
    legacy = medium.legacy
    assert list(legacy.columns) == LEGACY_COLUMNS
    place = legacy[(legacy["source"] == "place_survey_2008") & (legacy["la_code"] != ENGLAND_CODE)]
    assert set(place["la_code"]) == set(medium.la_lookup["la_code"])
    assert set(place["indicator"]) == set(PLACE_SURVEY_2008)
    assert (place["year"] == 2008).all()
    assert place["base"].between(600, 2200).all() and 1000 <= place["base"].mean() <= 1200
    assert ((place["ci_lower"] <= place["value"]) & (place["value"] <= place["ci_upper"])).all()
    pop = medium.la_lookup.set_index("la_code")["population"]
    for indicator, published in PLACE_SURVEY_2008.items():
        rows = place[place["indicator"] == indicator]
        mean = np.average(rows["value"], weights=rows["la_code"].map(pop))
        assert mean == pytest.approx(published, abs=1.0), indicator
    england = legacy[legacy["la_code"] == ENGLAND_CODE].set_index(["source", "indicator"])["value"]
    for indicator, published in PLACE_SURVEY_2008.items():
        assert england["place_survey_2008", indicator] == published
    assert england["citizenship_survey_2010_11", "influence_decisions"] == 38
    assert england["citizenship_survey_2010_11", "civic_participation"] == 34
    assert england["citizenship_survey_2010_11", "formal_volunteering_monthly"] == 25


def test_gradients_by_deprivation_and_age(medium: DemoData, medium_scores: pd.DataFrame) -> None:
    survey, w = medium.survey, medium.survey["weight"]
    latest = survey["wave"] == LATEST
    speak = medium_scores["confident_speak_up"]
    most_deprived = weighted_percent(speak, w, latest & (survey["imd_quintile"] == 1))
    least_deprived = weighted_percent(speak, w, latest & (survey["imd_quintile"] == 5))
    assert most_deprived < least_deprived - 5

    formal = medium_scores["formal_volunteering"]
    young = weighted_percent(formal, w, latest & (survey["age_band"] == 1))
    older = weighted_percent(formal, w, latest & (survey["age_band"] == 5))
    assert older > young + 5

    online = medium_scores["hyperlocal_online"]
    assert weighted_percent(online, w, latest & (survey["age_band"] == 1)) > weighted_percent(
        online, w, latest & (survey["age_band"] == 6)
    )
    health = medium_scores["barrier_health"]
    assert weighted_percent(health, w, latest & (survey["disability"] == 1)) > weighted_percent(
        health, w, latest & (survey["disability"] == 2)
    )


def test_trend_planted_across_waves(medium: DemoData, medium_scores: pd.DataFrame) -> None:
    survey, w = medium.survey, medium.survey["weight"]
    first, last = MEDIUM.waves[0], MEDIUM.waves[-1]
    years = last - first

    def change(indicator: str) -> float:
        x = medium_scores[indicator]
        return weighted_percent(x, w, survey["wave"] == last) - weighted_percent(
            x, w, survey["wave"] == first
        )

    assert change("hyperlocal_online") == pytest.approx(1.5 * years, abs=1.0)
    assert change("formal_volunteering") < 0
    assert medium.truth["planted"]["sharp_change"]


def _la_quadrants(data: DemoData, measures: Measures) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Latest-wave LA drivers index, satisfied-with-area share and its England value."""
    survey = data.survey[data.survey["wave"] == data.truth["spec"]["waves"][-1]]
    scores = score_indicators(survey, measures)
    reference = index_reference(
        scores, survey["weight"], survey["wave"], int(survey["wave"].iat[0])
    )
    domains = domain_scores(scores, measures, reference)
    latest = survey["wave"] == reference.wave
    drivers = la_means(domains["drivers"], survey, latest)
    satisfied = la_means(scores["satisfied_area"], survey, latest)
    england = weighted_percent(scores["satisfied_area"], survey["weight"], latest) / 100
    return drivers, satisfied, pd.Series({"satisfied_area": england})


def test_planted_las_sit_in_their_quadrant(medium: DemoData, measures: Measures) -> None:
    drivers, satisfied, england = _la_quadrants(medium, measures)
    planted = medium.truth["planted"]
    assert len(planted["hidden_need"]) == len(planted["hidden_assets"]) == 2
    for la in planted["hidden_need"]:
        assert satisfied[la] > england["satisfied_area"], la
        assert drivers[la] < 100 - 1, la
    for la in planted["hidden_assets"]:
        assert satisfied[la] < england["satisfied_area"], la
        assert drivers[la] > 100 + 1, la
    pattern = {la: v["pattern"] for la, v in medium.truth["las"].items()}
    assert sorted(la for la, p in pattern.items() if p == "hidden_need") == planted["hidden_need"]


def test_legacy_follows_the_latent_profile(medium: DemoData) -> None:
    place = medium.legacy[medium.legacy["source"] == "place_survey_2008"]
    value = place.pivot(index="la_code", columns="indicator", values="value")
    for la in medium.truth["planted"]["hidden_need"]:
        assert value.loc[la, "NI5"] > PLACE_SURVEY_2008["NI5"]
        assert value.loc[la, "NI4"] < PLACE_SURVEY_2008["NI4"]


# --- Writing -----------------------------------------------------------------


def test_written_files_round_trip_and_say_synthetic(small: DemoData, tmp_path: Path) -> None:
    paths = write_demo(small, tmp_path)
    assert {p.name for p in paths.values()} == {
        "survey.parquet",
        "la_lookup.csv",
        "neighbourhoods.csv",
        "legacy_indicators.csv",
        "truth.json",
        "README.md",
    }
    first_line = paths["readme"].read_text(encoding="utf-8").splitlines()[0]
    assert "SYNTHETIC" in first_line and "not real" in first_line
    assert "generate_demo" in first_line
    survey = pd.read_parquet(paths["survey"])
    pd.testing.assert_frame_equal(survey, small.survey, check_dtype=False)
    las = pd.read_csv(paths["la_lookup"])
    assert list(las.columns) == LA_COLUMNS and len(las) == SMALL.n_las
    legacy = pd.read_csv(paths["legacy"])
    assert list(legacy.columns) == LEGACY_COLUMNS
    truth = paths["truth"].read_text(encoding="utf-8")
    assert '"hidden_need"' in truth and re.search(r'"seed": \d+', truth)


def test_unknown_item_in_measures_is_still_generated(measures: Measures) -> None:
    extra = Item(name="zz_new_item", question="A new question?", codes={1: "Yes", 2: "No"})
    changed = dataclasses.replace(measures, items={**measures.items, "zz_new_item": extra})
    data = generate_demo(DemoSpec(n_las=4, respondents=(400, 420)), changed)
    assert set(data.survey["zz_new_item"].unique()) <= {1, 2, -8, -9}


# --- The default, national-scale data set -----------------------------------


def test_default_spec_is_quick_and_national(measures: Measures) -> None:
    start = time.perf_counter()
    data = generate_demo(DemoSpec(), measures)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"default demo took {elapsed:.1f}s"
    counts = data.la_lookup["la_type"].value_counts()
    assert counts["London borough"] == 33
    assert counts["Metropolitan district"] == 36
    assert counts["Unitary authority"] == 60
    assert counts["Shire district"] == 171
    per_neighbourhood = data.survey.groupby(["neighbourhood_code", "wave"]).size()
    assert per_neighbourhood.between(40, 120).mean() > 0.6
    assert 0.1 < (per_neighbourhood < 50).mean() < 0.5
    met_regions = set(
        data.la_lookup.loc[data.la_lookup["la_type"] == "Metropolitan district", "region"]
    )
    assert met_regions <= {"North West", "North East", "Yorkshire and The Humber", "West Midlands"}

    drivers, satisfied, england = _la_quadrants(data, measures)
    planted = data.truth["planted"]
    assert len(planted["hidden_need"]) == len(planted["hidden_assets"]) == 24
    need, assets = planted["hidden_need"], planted["hidden_assets"]
    assert (satisfied[need] > england["satisfied_area"]).all()
    assert (drivers[need] < 100).all()
    assert (satisfied[assets] < england["satisfied_area"]).all()
    assert (drivers[assets] > 100).all()
