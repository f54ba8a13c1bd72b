"""Validation rules: each broken rule gives one message naming file, column, rows,
an example value and the rule, as the user reads it."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_inputs import valid_tables, write_data_dir, write_table

from civicpulse_report.errors import InputError
from civicpulse_report.inputs.codes import check_la_code
from civicpulse_report.inputs.dataset import load_dataset
from civicpulse_report.inputs.schema import (
    la_lookup_schema,
    legacy_schema,
    neighbourhoods_schema,
    survey_schema,
)
from civicpulse_report.inputs.validate import validate_paths, validate_tables
from civicpulse_report.measures import Measures, load_measures


@pytest.fixture(scope="module")
def measures() -> Measures:
    return load_measures()


@pytest.fixture
def tables(measures: Measures) -> dict[str, pd.DataFrame]:
    return valid_tables(measures)


def error_text(tmp_path: Path, measures: Measures, tables: dict[str, pd.DataFrame]) -> str:
    """Write the tables as CSV, load them, and return the error message a user sees."""
    write_data_dir(tables, tmp_path, ".csv", measures)
    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path, measures)
    return str(exc.value)


def line_about(text: str, file: str, column: str) -> str:
    """The one line of the message about this file and column."""
    lines = [line for line in text.splitlines() if f"{file}, column '{column}'" in line]
    assert len(lines) == 1, text
    return lines[0]


def as_objects(frame: pd.DataFrame, column: str) -> None:
    frame[column] = frame[column].astype(object)


# --------------------------------------------------------------------------- #
# Valid data
# --------------------------------------------------------------------------- #


def test_valid_tables_have_no_problems(measures: Measures, tables) -> None:
    # The fixture reuses respondent ids 1-15 in both waves: that is allowed.
    survey = tables["survey"]
    ids = [set(group) for _, group in survey.groupby("wave")["respondent_id"]]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert validate_tables(tables, measures, {role: f"{role}.csv" for role in tables}) == []


def test_valid_directory_passes_validate_paths(tmp_path: Path, measures: Measures, tables) -> None:
    write_data_dir(tables, tmp_path, ".xlsx", measures)
    assert validate_paths([tmp_path], measures) == []


def test_schemas_take_items_and_codes_from_the_yaml(measures: Measures) -> None:
    schema = survey_schema(measures)
    assert set(measures.items) <= set(schema.columns)
    assert set(measures.demographics) <= set(schema.columns)
    assert {"la_code", "population", "imd_score"} <= set(la_lookup_schema().columns)
    assert {"tile_x", "tile_y"} <= set(neighbourhoods_schema().columns)
    assert {"ci_lower", "ci_upper", "base"} <= set(legacy_schema(measures).columns)


# --------------------------------------------------------------------------- #
# One test per rule
# --------------------------------------------------------------------------- #


def test_missing_column(tmp_path: Path, measures: Measures, tables) -> None:
    tables["survey"] = tables["survey"].drop(columns=["weight"])
    tables["legacy_indicators"] = tables["legacy_indicators"].drop(columns=["year"])
    text = error_text(tmp_path, measures, tables)

    assert "survey.csv, column 'weight': required column is missing" in text
    assert (
        "legacy_indicators.csv, column 'year': required column is missing. Hint: columns present: "
        "'la_code', 'source', 'indicator', 'value', 'ci_lower', 'ci_upper', 'base'"
    ) in text


def test_missing_column_suggests_a_near_name(tmp_path: Path, measures: Measures, tables) -> None:
    tables["survey"] = tables["survey"].rename(columns={"weight": "Weight"})
    text = error_text(tmp_path, measures, tables)
    line = line_about(text, "survey.csv", "weight")
    assert "required column is missing. Hint: did you mean 'Weight'?" in line


def test_unknown_la_code(tmp_path: Path, measures: Measures, tables) -> None:
    tables["survey"].loc[4, "la_code"] = "X09000099"
    text = error_text(tmp_path, measures, tables)
    line = line_about(text, "survey.csv", "la_code")
    assert "row 6: is not an LA in la_lookup.csv (e.g. 'X09000099')" in line
    assert "Hint: add the LA to la_lookup.csv or correct the code" in line
    # One mistake, one message: the row's neighbourhood is not also blamed.
    assert len(text.splitlines()) == 2, text


@pytest.mark.parametrize("bad", ["../etc", "E06000001/../../x", "E10000001", "e06000001"])
def test_bad_la_code_pattern(tmp_path: Path, measures: Measures, tables, bad: str) -> None:
    tables["la_lookup"].loc[2, "la_code"] = bad
    text = error_text(tmp_path, measures, tables)
    line = line_about(text, "la_lookup.csv", "la_code")
    assert f"row 4: is not a valid local authority code (e.g. '{bad}')" in line
    assert "E06, E07, E08, E09 or W06 followed by six digits" in line


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("E06000001", True),
        ("E09000033", True),
        ("W06000001", True),
        ("X07000123", True),
        ("E92000001", False),
        ("E0600000", False),
        ("E060000011", False),
        ("E06000001\n", False),
        ("E06٠٠٠٠٠١", False),  # Arabic-Indic digits are not ASCII digits
        ("../etc", False),
        (6000001, False),
    ],
)
def test_check_la_code(code: object, ok: bool) -> None:
    assert check_la_code(code) is ok


def test_unknown_neighbourhood_code(tmp_path: Path, measures: Measures, tables) -> None:
    tables["survey"].loc[6, "neighbourhood_code"] = "NOWHERE"
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "neighbourhood_code")
    assert "row 8: is not a neighbourhood in neighbourhoods.csv (e.g. 'NOWHERE')" in line


def test_bad_neighbourhood_code_pattern(tmp_path: Path, measures: Measures, tables) -> None:
    tables["neighbourhoods"].loc[0, "neighbourhood_code"] = "../up"
    text = error_text(tmp_path, measures, tables)
    line = line_about(text, "neighbourhoods.csv", "neighbourhood_code")
    assert "row 2: is not a valid neighbourhood code (e.g. '../up')" in line


def test_neighbourhood_in_the_wrong_la(tmp_path: Path, measures: Measures, tables) -> None:
    survey = tables["survey"]
    assert survey.loc[0, "la_code"] == "X06000001"
    survey.loc[0, "neighbourhood_code"] = "X07000002_N1"
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "neighbourhood_code")
    assert "row 2: belongs to another LA in neighbourhoods.csv than the row's la_code" in line
    assert "(e.g. X07000002_N1 is in X07000002, not X06000001)" in line


def test_duplicate_respondent_id_within_a_wave(tmp_path: Path, measures: Measures, tables) -> None:
    survey = tables["survey"]
    assert survey.loc[15, "wave"] == 2024 and survey.loc[15, "respondent_id"] == 1
    survey.loc[16, "respondent_id"] = 1
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "respondent_id")
    assert "rows 17, 18: appears more than once in the same wave (e.g. id 1 in wave 2024)" in line


@pytest.mark.parametrize(("bad", "shown"), [(0, "0"), (-1.5, "-1.5"), ("abc", "'abc'")])
def test_weight_must_be_positive(
    tmp_path: Path, measures: Measures, tables, bad: object, shown: str
) -> None:
    as_objects(tables["survey"], "weight")
    tables["survey"].loc[9, "weight"] = bad
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "weight")
    assert f"row 11: must be a positive number (e.g. {shown})" in line


def test_many_bad_rows_are_counted_not_all_listed(
    tmp_path: Path, measures: Measures, tables
) -> None:
    tables["survey"].loc[2:9, "weight"] = 0.0
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "weight")
    assert "rows 4, 5, 6, 7, 8 and 3 more: must be a positive number (e.g. 0)" in line


@pytest.mark.parametrize(("bad", "shown"), [(7, "7"), (2.5, "2.5"), ("yes", "'yes'")])
def test_item_code_out_of_range(
    tmp_path: Path, measures: Measures, tables, bad: object, shown: str
) -> None:
    assert sorted(measures.items["dr_influence"].codes) == [1, 2, 3, 4]
    as_objects(tables["survey"], "dr_influence")
    tables["survey"].loc[12, "dr_influence"] = bad
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "dr_influence")
    assert (
        "row 14: is not a valid code for this question "
        f"(valid: 1, 2, 3, 4 or a negative missing code) (e.g. {shown})"
    ) in line
    assert "1 = Definitely agree" in line and "-8 (don't know)" in line


def test_demographic_code_out_of_range(tmp_path: Path, measures: Measures, tables) -> None:
    tables["survey"].loc[0, "sex"] = 3
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "sex")
    assert "row 2: is not a valid code for this question (valid: 1, 2 or a negative" in line


def test_blank_key_column(tmp_path: Path, measures: Measures, tables) -> None:
    tables["survey"]["wave"] = tables["survey"]["wave"].astype("Int64")
    tables["survey"].loc[3, "wave"] = pd.NA
    line = line_about(error_text(tmp_path, measures, tables), "survey.csv", "wave")
    assert "row 5: must not be blank" in line


def test_duplicate_la_in_lookup(tmp_path: Path, measures: Measures, tables) -> None:
    tables["la_lookup"].loc[2, "la_code"] = "X06000001"
    line = line_about(error_text(tmp_path, measures, tables), "la_lookup.csv", "la_code")
    assert (
        "rows 2, 4: must be unique, but these values appear more than once (e.g. 'X06000001')"
        in (line)
    )


def test_la_lookup_values(tmp_path: Path, measures: Measures, tables) -> None:
    lookup = tables["la_lookup"]
    lookup.loc[0, "la_type"] = "County"
    lookup.loc[1, "population"] = -5
    lookup.loc[2, "pct_over_65"] = 120
    text = error_text(tmp_path, measures, tables)
    assert "row 2: is not a recognised LA type (e.g. 'County')" in line_about(
        text, "la_lookup.csv", "la_type"
    )
    assert "row 3: must be a whole number greater than 0 (e.g. -5)" in line_about(
        text, "la_lookup.csv", "population"
    )
    assert "row 4: must be a percentage between 0 and 100 (e.g. 120)" in line_about(
        text, "la_lookup.csv", "pct_over_65"
    )


def test_neighbourhood_lookup_rules(tmp_path: Path, measures: Measures, tables) -> None:
    hoods = tables["neighbourhoods"]
    hoods.loc[1, "tile_x"] = 0  # same tile as row 2 (same LA)
    hoods.loc[3, "la_code"] = "X09000009"
    tables["survey"] = tables["survey"][tables["survey"]["la_code"] != "X07000002"]
    text = error_text(tmp_path, measures, tables)
    assert (
        "neighbourhoods.csv, rows 2, 3: two neighbourhoods of the same LA share a tile position "
        "(tile_x, tile_y) (e.g. X06000001 at (0, 0))"
    ) in text
    assert "row 5: is not an LA in la_lookup.csv (e.g. 'X09000009')" in line_about(
        text, "neighbourhoods.csv", "la_code"
    )


def test_legacy_rules(tmp_path: Path, measures: Measures, tables) -> None:
    legacy = tables["legacy_indicators"]
    legacy.loc[0, "source"] = "place_survey_2009"
    legacy.loc[1, "value"] = 140.0
    legacy.loc[2, "ci_lower"] = 60.0
    legacy.loc[3, "la_code"] = "X08000099"
    text = error_text(tmp_path, measures, tables)
    assert "row 2: is not a recognised legacy source (e.g. 'place_survey_2009')" in line_about(
        text, "legacy_indicators.csv", "source"
    )
    value_lines = [line for line in text.splitlines() if "column 'value'" in line]
    assert any("row 3: must be a percentage between 0 and 100 (e.g. 140)" in v for v in value_lines)
    assert any(
        "row 4: must lie between ci_lower and ci_upper (e.g. 50 outside 60 to 53)" in v
        for v in value_lines
    )
    assert "row 5: is not an LA in la_lookup.csv (nor E92000001, England)" in line_about(
        text, "legacy_indicators.csv", "la_code"
    )


def test_rows_name_the_survey_file_they_came_from(
    tmp_path: Path, measures: Measures, tables
) -> None:
    survey = tables["survey"]
    write_data_dir(tables, tmp_path, ".csv", measures)
    (tmp_path / "survey.csv").unlink()
    first = survey[survey["wave"] == 2023].reset_index(drop=True)
    second = survey[survey["wave"] == 2024].reset_index(drop=True)
    second.loc[2, "la_code"] = "X09000099"
    second.loc[4, "weight"] = -1.0
    write_table(first, tmp_path / "survey_2023.csv")
    write_table(second, tmp_path / "survey_2024.csv")

    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path, measures)
    text = str(exc.value)
    assert "survey_2024.csv, column 'weight', row 6: must be a positive number (e.g. -1)" in text
    assert "survey_2024.csv, column 'la_code', row 4: is not an LA in la_lookup.csv" in text
    assert "survey_2023.csv" not in text


def test_duplicate_ids_across_two_files_of_one_wave(
    tmp_path: Path, measures: Measures, tables
) -> None:
    survey = tables["survey"]
    wave = survey[survey["wave"] == 2024].reset_index(drop=True)
    problems = validate_tables(
        {"survey": [wave.iloc[:8], wave.iloc[5:].reset_index(drop=True)]},
        measures,
        {"survey": ["survey_a.csv", "survey_b.csv"]},
    )
    described = [p.describe() for p in problems]
    assert any(
        d.startswith("survey_a.csv, column 'respondent_id', rows 7, 8, 9: appears more than once")
        for d in described
    ), described
    assert any(
        d.startswith("survey_b.csv, column 'respondent_id', rows 2, 3, 4: appears more than once")
        for d in described
    ), described


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_empty_row_in_the_middle_gets_one_message(
    tmp_path: Path, measures: Measures, tables, suffix: str
) -> None:
    lookup = tables["la_lookup"]
    blank = pd.DataFrame([[None] * lookup.shape[1]], columns=lookup.columns)
    tables["la_lookup"] = pd.concat([lookup.iloc[:2], blank, lookup.iloc[2:]], ignore_index=True)
    path = write_table(tables["la_lookup"], tmp_path / f"la_lookup{suffix}")

    described = [p.describe() for p in validate_paths([path], measures)]
    assert described == [
        f"{path}, row 4: empty row in the middle of the table. Hint: delete the empty row: "
        "every row between the header and the last row must hold one record"
    ]


@pytest.mark.parametrize(
    ("role", "column", "row", "shown"),
    [
        ("survey", "weight", 3, "1,143.4155"),
        ("survey", "dr_influence", 4, "1,002"),
        ("la_lookup", "population", 1, "70,000"),
        ("la_lookup", "imd_score", 0, "1,030.1"),
        ("neighbourhoods", "tile_x", 2, "1,000"),
        ("legacy_indicators", "base", 5, "1,104"),
    ],
)
def test_numbers_with_thousands_separators_say_so_in_any_numeric_column(
    tmp_path: Path, measures: Measures, tables, role: str, column: str, row: int, shown: str
) -> None:
    as_objects(tables[role], column)
    tables[role].loc[row, column] = shown
    line = line_about(error_text(tmp_path, measures, tables), f"{role}.csv", column)
    assert (
        f"row {row + 2}: holds numbers written with thousands separators, which are not read "
        f"as numbers (e.g. '{shown}'). Hint: write the numbers without separators "
        "(1,143.4155 as 1143.4155): in Excel select the column, use Format Cells > Number, "
        "untick 'Use 1000 Separator (,)'"
    ) in line


def test_a_decimal_comma_is_named_with_its_fix(tmp_path: Path, measures: Measures, tables) -> None:
    as_objects(tables["la_lookup"], "urbanity")
    tables["la_lookup"].loc[1, "urbanity"] = "0,35"
    tables["la_lookup"].loc[2, "urbanity"] = "lots"
    text = error_text(tmp_path, measures, tables)
    lines = [line for line in text.splitlines() if "column 'urbanity'" in line]
    assert len(lines) == 2, text
    assert "row 3: holds numbers written with a decimal comma" in lines[0]
    assert "write decimals with a point (0,87 as 0.87)" in lines[0]
    assert "row 4: must be a number (e.g. 'lots')" in lines[1]


def test_a_wave_file_holding_another_wave_is_refused(
    tmp_path: Path, measures: Measures, tables
) -> None:
    write_data_dir(tables, tmp_path, ".csv", measures)
    (tmp_path / "survey.csv").unlink()
    survey = tables["survey"]
    write_table(survey.iloc[:17], tmp_path / "survey_2023.csv")  # rows 16-17 are from 2024
    write_table(survey.iloc[17:], tmp_path / "survey_2024.csv")
    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path, measures)
    (problem,) = exc.value.problems
    assert problem.describe().startswith(
        f"{tmp_path / 'survey_2023.csv'}, column 'wave', rows 17, 18: the file name says wave "
        "2023, but these rows are from wave 2024 (e.g. 2024). Hint: move the rows to the survey "
        "file of their wave (e.g. survey_2024.csv)"
    )


def test_a_csv_separated_by_semicolons_gets_one_message(
    tmp_path: Path, measures: Measures, tables
) -> None:
    path = tmp_path / "la_lookup.csv"
    tables["la_lookup"].to_csv(path, sep=";", index=False)
    (problem,) = validate_paths([path], measures)
    assert "has a single column headed 'la_code;la_name;region;" in problem.rule
    assert "its columns seem to be separated by ';', not commas" in problem.rule
    assert problem.hint.startswith("save it with commas between the columns")


def test_a_table_in_two_formats_is_not_read_twice(
    tmp_path: Path, measures: Measures, tables
) -> None:
    write_data_dir(tables, tmp_path, ".csv", measures)
    write_table(tables["survey"], tmp_path / "survey.parquet")
    described = [p.describe() for p in validate_paths([tmp_path], measures)]
    assert described == [
        f"{tmp_path}: the table 'survey' is there in more than one format: survey.csv, "
        "survey.parquet. Hint: keep one of them and move the others out of the folder"
    ]


# --------------------------------------------------------------------------- #
# validate_paths on single files
# --------------------------------------------------------------------------- #


def test_validate_single_file_by_its_name(tmp_path: Path, measures: Measures, tables) -> None:
    tables["la_lookup"].loc[1, "region"] = "Mercia"
    path = write_table(tables["la_lookup"], tmp_path / "la_lookup.parquet")
    described = [p.describe() for p in validate_paths([path], measures)]
    assert len(described) == 1
    assert "la_lookup.parquet, column 'region', row 3: is not a recognised region" in described[0]


def test_validate_unknown_file_name(tmp_path: Path, measures: Measures, tables) -> None:
    path = write_table(tables["la_lookup"], tmp_path / "my_lookup.csv")
    (problem,) = validate_paths([path, tmp_path / "absent"], measures)[:1]
    assert problem.describe().endswith(
        "my_lookup.csv: is not a recognised input file name. Hint: name it survey.<ext> or "
        "survey_<anything>.<ext>, la_lookup.<ext>, legacy_indicators.<ext> or "
        "neighbourhoods.<ext>, where <ext> is one of .csv, .parquet, .xlsx, .sav, .dta"
    )
    assert "absent: does not exist" in validate_paths([tmp_path / "absent"], measures)[0].describe()


# --------------------------------------------------------------------------- #
# Speed at national scale
# --------------------------------------------------------------------------- #


@pytest.mark.slow
def test_validating_600k_rows_is_fast(measures: Measures, tables) -> None:
    small = tables["survey"]
    repeats = 600_000 // len(small)
    survey = small.loc[np.tile(small.index, repeats)].reset_index(drop=True)
    survey["respondent_id"] = np.arange(len(survey))
    tables["survey"] = survey
    started = time.perf_counter()
    problems = validate_tables(tables, measures, {role: role for role in tables})
    elapsed = time.perf_counter() - started
    assert problems == []
    assert elapsed < 10, f"validation took {elapsed:.1f} s"
