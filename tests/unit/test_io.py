"""Reading input files in every format, and the errors a user sees when one is wrong."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures_inputs import FORMATS, LA_CODES, valid_tables, write_data_dir, write_table

from civicpulse_report.errors import InputError
from civicpulse_report.inputs.dataset import load_dataset
from civicpulse_report.inputs.files import file_sha256, find_input_files
from civicpulse_report.inputs.readers import SUPPORTED_SUFFIXES, read_table
from civicpulse_report.measures import Measures, load_measures


@pytest.fixture(scope="module")
def measures() -> Measures:
    return load_measures()


@pytest.fixture
def tables(measures: Measures) -> dict[str, pd.DataFrame]:
    return valid_tables(measures)


def first_item(measures: Measures) -> str:
    return next(iter(measures.items))


def message(exc: pytest.ExceptionInfo[InputError]) -> str:
    return str(exc.value)


# --------------------------------------------------------------------------- #
# Valid data in every format
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("suffix", FORMATS)
def test_valid_data_loads_from_every_format(
    tmp_path: Path, measures: Measures, tables: dict[str, pd.DataFrame], suffix: str
) -> None:
    write_data_dir(tables, tmp_path, suffix, measures)
    dataset = load_dataset(tmp_path, measures, year=2024)

    assert dataset.waves == (2023, 2024)
    assert len(dataset.survey) == 30
    assert sorted(dataset.la_lookup["la_code"]) == list(LA_CODES)
    assert dataset.la_lookup["la_name"].iloc[1] == "Ynys Môn Fach (synthetic)"
    assert dataset.survey["la_code"].iloc[0] == "X06000001"
    assert dataset.survey["respondent_id"].iloc[0] == "1"
    item = dataset.survey[first_item(measures)]
    assert str(item.dtype) == "Int64"
    assert item.iloc[1] == -8 and item.iloc[2] == -9 and pd.isna(item.iloc[3])
    assert dataset.survey["weight"].dtype == "float64"
    assert set(dataset.files) == {f"{role}{suffix}" for role in tables}
    assert dataset.files[f"survey{suffix}"] == file_sha256(tmp_path / f"survey{suffix}")


def test_csv_keeps_codes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "respondent_id,wave,la_code,neighbourhood_code,weight,sex\n"
        "007,2024,E06000001,0012,1.5,-9\n"
        "008,2024,W06000001,0013,0.5,\n",
        encoding="utf-8",
    )
    frame = read_table(path)

    assert frame["respondent_id"].tolist() == ["007", "008"]
    assert frame["neighbourhood_code"].tolist() == ["0012", "0013"]
    assert frame["la_code"].tolist() == ["E06000001", "W06000001"]
    assert frame["sex"].iloc[0] == -9 and pd.isna(frame["sex"].iloc[1])


def test_spss_keeps_missing_codes_and_labels(tmp_path: Path, measures: Measures, tables) -> None:
    path = write_table(tables["survey"], tmp_path / "survey.sav", measures)
    frame = read_table(path)
    item = first_item(measures)

    # -8/-9 are declared user-missing in the .sav; they must stay codes, not NaN.
    assert frame[item].iloc[1] == -8
    assert frame[item].iloc[2] == -9
    assert frame.attrs["value_labels"][item][1] == "Yes"
    assert frame.attrs["value_labels"][item][-8] == "Don't know"
    assert frame.attrs["column_labels"][item] == measures.items[item].question


def test_stata_keeps_codes_and_labels(tmp_path: Path, measures: Measures, tables) -> None:
    path = write_table(tables["survey"], tmp_path / "survey.dta", measures)
    frame = read_table(path)
    item = first_item(measures)

    assert frame[item].iloc[1] == -8
    assert frame.attrs["value_labels"][item][2] == "No"
    assert frame.attrs["value_labels"]["sex"] == {1: "Male", 2: "Female"}


def test_several_survey_files_are_stacked(tmp_path: Path, measures: Measures, tables) -> None:
    write_data_dir(tables, tmp_path, ".csv", measures)
    survey = tables["survey"]
    (tmp_path / "survey.csv").unlink()
    write_table(survey[survey["wave"] == 2023], tmp_path / "survey_2023.csv")
    write_table(survey[survey["wave"] == 2024], tmp_path / "survey_2024.parquet")

    dataset = load_dataset(tmp_path, measures)

    assert len(dataset.survey) == 30
    assert dataset.waves == (2023, 2024)
    assert {"survey_2023.csv", "survey_2024.parquet"} <= set(dataset.files)


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_bytes(b"abc")
    assert file_sha256(path) == hashlib.sha256(b"abc").hexdigest()


# --------------------------------------------------------------------------- #
# Files that cannot be read
# --------------------------------------------------------------------------- #


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "survey.csv: file is empty (0 bytes)" in message(exc)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_header_without_rows_is_an_input_error(tmp_path: Path, suffix: str) -> None:
    path = write_table(
        pd.DataFrame({"la_code": pd.Series([], dtype="str"), "population": []}),
        tmp_path / f"la_lookup{suffix}",
    )
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert f"la_lookup{suffix}: has a header row but no data rows" in message(exc)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("la_lookup.parquet", "a Parquet file"),
        ("la_lookup.xlsx", "an Excel .xlsx workbook"),
        ("survey.sav", "an SPSS .sav file"),
        ("survey.dta", "a Stata .dta file"),
    ],
)
def test_corrupt_file_is_an_input_error(tmp_path: Path, name: str, what: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x00\x01 this is not really a data file \xff\xfe" * 20)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert f"{name}: could not be read as {what}" in message(exc)
    assert "Hint: check that the file really is" in message(exc)


def test_csv_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_bytes("la_code,la_name\nW06000001,Ynys Môn\n".encode("cp1252"))
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "la_lookup.csv: is not UTF-8 text" in message(exc)
    assert "CSV UTF-8" in message(exc)


def test_ragged_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_text("la_code,la_name\nX06000001,A\nX06000002,B,extra,fields\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "la_lookup.csv: could not be read as a CSV file" in message(exc)
    assert "line 3" in message(exc)


def test_repeated_column_name_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_text("la_code,population,population\nX06000001,1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "column 'population', row 1: column name appears more than once" in message(exc)


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_table(tmp_path / "la_lookup.csv")
    assert "la_lookup.csv: file not found" in message(exc)

    old_excel = tmp_path / "la_lookup.xls"
    old_excel.write_bytes(b"x")
    with pytest.raises(InputError) as exc:
        read_table(old_excel)
    assert "file type '.xls' is not supported" in message(exc)
    assert "save it as .xlsx" in message(exc)


# --------------------------------------------------------------------------- #
# Spreadsheet formulas
# --------------------------------------------------------------------------- #


def test_xlsx_formula_is_refused_not_read_as_blank(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Lookup"
    sheet.append(["la_code", "population"])
    for k in range(1, 6):
        sheet.append([f"X06{k:06d}", 1000 * k])
    sheet["B7"] = "=SUM(B2:B6)"
    sheet["A7"] = "X06000006"
    path = tmp_path / "la_lookup.xlsx"
    book.save(path)

    with pytest.raises(InputError) as exc:
        read_table(path)
    text = message(exc)
    assert "la_lookup.xlsx, column 'population', row 7" in text
    assert "sheet 'Lookup' holds 1 formula cell; formulas are not evaluated" in text
    assert "(e.g. B7: =SUM(B2:B6))" in text
    assert "Paste Special > Values" in text


def test_xlsx_reads_the_first_sheet_only(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["la_code", "la_name"])
    book.active.append(["W06000001", "Ynys Môn"])
    notes = book.create_sheet("Notes")
    notes["A1"] = "=1+1"  # a formula elsewhere is not part of the table
    path = tmp_path / "la_lookup.xlsx"
    book.save(path)

    frame = read_table(path)
    assert frame.to_dict("records") == [{"la_code": "W06000001", "la_name": "Ynys Môn"}]


# --------------------------------------------------------------------------- #
# Finding files and whole-directory loading
# --------------------------------------------------------------------------- #


def test_missing_table_is_named(tmp_path: Path, measures: Measures, tables) -> None:
    write_data_dir(tables, tmp_path, ".csv", measures)
    (tmp_path / "la_lookup.csv").unlink()
    with pytest.raises(InputError) as exc:
        find_input_files(tmp_path)
    assert "no LA lookup (la_lookup.<ext>) file" in message(exc)
    assert all(s in message(exc) for s in SUPPORTED_SUFFIXES)


def test_two_formats_of_one_table_are_ambiguous(tmp_path: Path, measures: Measures, tables) -> None:
    write_data_dir(tables, tmp_path, ".csv", measures)
    write_table(tables["la_lookup"], tmp_path / "la_lookup.xlsx")
    with pytest.raises(InputError) as exc:
        find_input_files(tmp_path)
    assert (
        "the table 'la_lookup' is there in more than one format: la_lookup.csv, la_lookup.xlsx"
        in message(exc)
    )


def test_year_the_data_lacks_lists_the_waves(tmp_path: Path, measures: Measures, tables) -> None:
    write_data_dir(tables, tmp_path, ".csv", measures)
    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path, measures, year=2019)
    assert "survey.csv, column 'wave': the survey has no wave 2019; waves present: 2023, 2024" in (
        message(exc)
    )


def test_problems_in_several_files_are_reported_together(
    tmp_path: Path, measures: Measures, tables
) -> None:
    tables["survey"].loc[3, "weight"] = 0
    tables["la_lookup"].loc[0, "region"] = "Narnia"
    tables["legacy_indicators"].loc[5, "indicator"] = "NI99"
    write_data_dir(tables, tmp_path, ".csv", measures)
    (tmp_path / "neighbourhoods.csv").unlink()
    (tmp_path / "neighbourhoods.xlsx").write_bytes(b"not a workbook")

    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path, measures)
    text = message(exc)
    assert exc.value.exit_code == 2
    assert len(exc.value.problems) == 4
    assert text.startswith("4 problems found in the input data in")
    assert "survey.csv, column 'weight', row 5: must be a positive number (e.g. 0)" in text
    assert "la_lookup.csv, column 'region', row 2: is not a recognised region (e.g. 'Narnia')" in (
        text
    )
    assert "legacy_indicators.csv, column 'indicator', row 7" in text
    assert "neighbourhoods.xlsx: could not be read as an Excel .xlsx workbook" in text
