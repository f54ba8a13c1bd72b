"""Unit tests for statistics.neighbours (a hand-built six-LA example) and its candidates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civicpulse_report.errors import InputError
from civicpulse_report.inputs import Dataset
from civicpulse_report.statistics import BenchmarkRelease
from civicpulse_report.statistics.neighbours import nearest_neighbours

# One variable, x = [0, 2, -2, 3, 7, 12] for L1..L6.
# mean = 22/6; population variance = (Σx² - (Σx)²/6)/6 = (210 - 484/6)/6 = 194/9,
# so sd = sqrt(194)/3 and a gap of d in x is a distance of 3d/sqrt(194).
# From L1 (x = 0): L2 and L3 are both 2 away (a tie, broken by code: L2 first),
# then L4 (3), L5 (7), L6 (12).
SIX = pd.DataFrame(
    {
        "la_code": ["L1", "L2", "L3", "L4", "L5", "L6"],
        "x": [0.0, 2.0, -2.0, 3.0, 7.0, 12.0],
        "y": [5.0, 1.0, 9.0, 5.0, 5.0, 5.0],
        "population": [1e3, 1e4, 1e5, 1e4, 1e3, 1e6],
    }
)
UNIT = 3 / np.sqrt(194)


def test_hand_built_order_and_distances() -> None:
    result = nearest_neighbours(SIX, {"x": 1.0}, k=5)
    assert list(result.columns) == ["la_code", "neighbour_code", "rank", "distance"]
    l1 = result[result["la_code"] == "L1"]
    assert l1["neighbour_code"].tolist() == ["L2", "L3", "L4", "L5", "L6"]
    assert l1["rank"].tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(l1["distance"], np.array([2, 2, 3, 7, 12]) * UNIT, rtol=1e-12)
    # From L5 (x = 7): L4 (4), L2 (5), L6 (5, tie -> code order), L1 (7), L3 (9).
    l5 = result[result["la_code"] == "L5"]
    assert l5["neighbour_code"].tolist() == ["L4", "L2", "L6", "L1", "L3"]


def test_self_is_never_a_neighbour_and_k_rows_each() -> None:
    result = nearest_neighbours(SIX, {"x": 1.0, "y": 0.5}, k=3)
    assert len(result) == 18
    assert (result["la_code"] != result["neighbour_code"]).all()
    assert result.groupby("la_code")["rank"].apply(list).map(lambda r: r == [1, 2, 3]).all()


def test_result_does_not_depend_on_row_order() -> None:
    shuffled = SIX.sample(frac=1.0, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        nearest_neighbours(shuffled, {"x": 1.0, "y": 2.0}, k=4),
        nearest_neighbours(SIX, {"x": 1.0, "y": 2.0}, k=4),
    )


def test_weights_scale_the_standardised_variables() -> None:
    # y: mean 5, population sd = sqrt((0 + 16 + 16 + 0 + 0 + 0)/6) = sqrt(16/3).
    # L1 and L4 share y = 5, so their distance is the x gap only: 3 * UNIT * w_x.
    doubled = nearest_neighbours(SIX, {"x": 2.0, "y": 1.0}, k=5)
    pair = doubled[(doubled["la_code"] == "L1") & (doubled["neighbour_code"] == "L4")]
    assert pair["distance"].iloc[0] == pytest.approx(2 * 3 * UNIT, rel=1e-12)
    # L1 to L2: x gap 2, y gap 4 -> sqrt((2 * 2 * UNIT)² + (4/sqrt(16/3))²).
    pair = doubled[(doubled["la_code"] == "L1") & (doubled["neighbour_code"] == "L2")]
    expected = np.hypot(2 * 2 * UNIT, 4 / np.sqrt(16 / 3))
    assert pair["distance"].iloc[0] == pytest.approx(expected, rel=1e-12)
    # A heavy weight on y makes L4, L5, L6 (same y as L1) L1's nearest.
    heavy_y = nearest_neighbours(SIX, {"x": 1.0, "y": 10.0}, k=3)
    assert heavy_y[heavy_y["la_code"] == "L1"]["neighbour_code"].tolist() == ["L4", "L5", "L6"]


def test_log_population_is_derived_from_population() -> None:
    derived = nearest_neighbours(SIX, {"log_population": 1.0}, k=2)
    explicit = nearest_neighbours(
        SIX.assign(log_population=[3.0, 4.0, 5.0, 4.0, 3.0, 6.0]), {"log_population": 1.0}, k=2
    )
    pd.testing.assert_frame_equal(derived, explicit)
    # L1 (10^3) ties with L5 at distance 0, then L2 before L4 (both 10^4) by code.
    l1 = derived[derived["la_code"] == "L1"]
    assert l1["neighbour_code"].tolist() == ["L5", "L2"]
    assert l1["distance"].iloc[0] == 0.0


def test_missing_variable_raises_input_error_naming_it() -> None:
    with pytest.raises(InputError) as caught:
        nearest_neighbours(SIX, {"x": 1.0, "deprivation": 1.0, "urbanity": 0.5}, k=3)
    message = str(caught.value)
    assert "'deprivation' is missing" in message
    assert "'urbanity' is missing" in message
    assert caught.value.exit_code == 2
    assert {p.column for p in caught.value.problems} == {"deprivation", "urbanity"}


def test_missing_log_population_without_population_raises() -> None:
    with pytest.raises(InputError, match="'log_population' is missing"):
        nearest_neighbours(SIX.drop(columns="population"), {"log_population": 1.0}, k=2)


def test_non_numeric_or_gappy_variable_raises() -> None:
    bad = SIX.assign(x=["0", "2", "two", "3", "7", "12"])
    with pytest.raises(InputError, match="'x' must be numeric") as caught:
        nearest_neighbours(bad, {"x": 1.0}, k=2)
    assert caught.value.problems[0].rows == (4,)  # spreadsheet row of "two"
    gappy = SIX.assign(x=[0.0, np.nan, 1.0, 2.0, 3.0, 4.0])
    with pytest.raises(InputError, match="'x' has missing or infinite values"):
        nearest_neighbours(gappy, {"x": 1.0}, k=2)


@pytest.mark.parametrize("k", [6, 7, 0])
def test_k_must_be_below_number_of_las(k: int) -> None:
    with pytest.raises(InputError, match="k must be a whole number from 1 to 5"):
        nearest_neighbours(SIX, {"x": 1.0}, k=k)


def test_duplicate_codes_and_negative_weights_raise() -> None:
    dup = SIX.assign(la_code=["L1", "L2", "L2", "L4", "L5", "L6"])
    with pytest.raises(InputError, match="LA codes must be unique"):
        nearest_neighbours(dup, {"x": 1.0}, k=2)
    with pytest.raises(InputError, match="finite number >= 0"):
        nearest_neighbours(SIX, {"x": -1.0}, k=2)


# --------------------------------------------------------------------------
# Neighbours of a run: candidates with data only, and the k actually used
# --------------------------------------------------------------------------


def _areas(n: int, candidates: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": [f"E0600000{i}" for i in range(n)],
            "candidate": [i < candidates for i in range(n)],
            "imd_score": [float(i * i) for i in range(n)],
            "population": [1000.0 * (i + 1) for i in range(n)],
        }
    )


def test_fewer_candidates_than_k_uses_every_other_candidate() -> None:
    from civicpulse_report.settings import Settings
    from civicpulse_report.statistics.areas import run_neighbours

    settings = Settings(neighbours_k=15, neighbours_variables={"imd_score": 1.0})
    result = run_neighbours(_areas(7, 5), settings)
    counts = result.groupby("la_code")["rank"].count()
    assert len(counts) == 5 and (counts == 4).all()
    # LAs without data are neither given neighbours nor named as neighbours.
    assert not {"E06000005", "E06000006"} & (set(result["la_code"]) | set(result["neighbour_code"]))


def test_a_single_candidate_has_no_neighbours_and_no_error() -> None:
    from civicpulse_report.settings import Settings
    from civicpulse_report.statistics.areas import run_neighbours

    settings = Settings(neighbours_k=15, neighbours_variables={"imd_score": 1.0})
    result = run_neighbours(_areas(3, 1), settings)
    assert result.empty and list(result.columns) == [
        "la_code",
        "neighbour_code",
        "rank",
        "distance",
    ]


# --------------------------------------------------------------------------
# Candidates and the pre-work checks (statistics.prechecks), issue 8
# --------------------------------------------------------------------------


def _lookup_dataset(codes: list[str], with_data: list[str], flag: str | None = None) -> Dataset:
    n = len(codes)
    lookup = pd.DataFrame(
        {
            "la_code": codes,
            "la_name": [f"LA {c}" for c in codes],
            "region": ["North East"] * n,
            "la_type": ["Unitary authority"] * n,
            "population": [1000 * (i + 1) for i in range(n)],
            "imd_score": [float(i * i) for i in range(n)],
        }
    )
    if flag is not None:
        lookup["national_coverage"] = flag
    survey = pd.DataFrame({"la_code": with_data, "wave": [2026] * len(with_data)})
    empty = pd.DataFrame()
    return Dataset(survey, lookup, empty, empty, {"la_lookup.csv": "x"}, Path("data"))


def _release(codes: list[str]) -> BenchmarkRelease:
    areas = pd.DataFrame(
        {
            "la_code": codes,
            "la_name": [f"LA {c}" for c in codes],
            "region": ["North East"] * len(codes),
            "la_type": ["Unitary authority"] * len(codes),
            "population": [5000.0] * len(codes),
            "imd_score": [float(i) for i in range(len(codes))],
        }
    )
    empty = pd.DataFrame()
    # Only the areas matter to the candidates; the rest is left empty.
    return BenchmarkRelease(
        "benchmarks.csv",
        "2026-x",
        True,
        len(codes),
        0.95,
        50,
        None,
        empty,
        empty,
        areas,
        empty,  # type: ignore[arg-type]
    )


CODES = ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005"]


def test_only_las_with_data_are_candidates_and_k_is_cut_to_them() -> None:
    from civicpulse_report.settings import Settings
    from civicpulse_report.statistics import neighbour_candidates, neighbours_k_used
    from civicpulse_report.statistics.areas import area_table, run_neighbours

    settings = Settings(neighbours_k=15, neighbours_variables={"imd_score": 1.0})
    dataset = _lookup_dataset(CODES, ["E06000001", "E06000002", "E06000004"])
    candidates = neighbour_candidates(dataset, settings)
    # Five LAs in the lookup, but only three have survey data: never len(la_lookup).
    assert candidates == ("E06000001", "E06000002", "E06000004")
    k = neighbours_k_used(settings.neighbours_k, len(candidates))
    assert k == 2
    # The k announced before the work is the k the estimates use.
    result = run_neighbours(area_table(dataset, settings), settings)
    assert (result.groupby("la_code")["rank"].count() == k).all()
    assert set(result["neighbour_code"]) <= set(candidates)
    assert neighbours_k_used(15, 1) == 0 and neighbours_k_used(3, 10) == 3


def test_a_release_adds_its_las_unless_the_microdata_are_the_nation() -> None:
    from civicpulse_report.settings import Settings
    from civicpulse_report.statistics import neighbour_candidates

    settings = Settings(neighbours_k=15, neighbours_variables={"imd_score": 1.0})
    release = _release(["E06000001", "E07000001", "E07000002"])
    part = _lookup_dataset(CODES[:2], CODES[:1], flag="no")
    assert neighbour_candidates(part, settings, release) == (
        "E06000001",
        "E07000001",
        "E07000002",
    )
    # A whole nation in the folder takes nothing from the release (as the estimates do).
    nation = _lookup_dataset(CODES[:2], CODES[:2], flag="yes")
    assert neighbour_candidates(nation, settings, release) == tuple(CODES[:2])


def test_a_misspelt_neighbour_variable_names_settings_and_the_closest_column() -> None:
    from civicpulse_report.measures import load_measures
    from civicpulse_report.settings import Settings
    from civicpulse_report.statistics import estimate_problems

    settings = Settings(
        neighbours_variables={"imd_scor": 2.0, "log_population": 1.0},
        source="config/settings.yml",
    )
    dataset = _lookup_dataset(CODES, CODES)
    (problem,) = estimate_problems(dataset, load_measures(), settings)
    assert problem.file == "config/settings.yml"
    assert "'nearest_neighbours.variables' names 'imd_scor'" in problem.rule
    assert problem.hint.startswith("did you mean 'imd_score'?")
    assert "la_lookup.csv" in problem.hint


def test_a_bad_coverage_flag_is_a_pre_work_problem() -> None:
    from civicpulse_report.measures import load_measures
    from civicpulse_report.settings import Settings
    from civicpulse_report.statistics import estimate_problems

    settings = Settings(neighbours_variables={"imd_score": 1.0})
    dataset = _lookup_dataset(CODES, CODES, flag="maybe")
    (problem,) = estimate_problems(dataset, load_measures(), settings)
    assert problem.column == "national_coverage" and "maybe" in problem.values
