"""Reading input files in every format, and the errors a user sees when one is wrong."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures_inputs import (
    FORMATS,
    LA_CODES,
    valid_tables,
    write_data_dir,
    write_labelled_survey,
    write_table,
)

from civicpulse_report import cli
from civicpulse_report.errors import InputError
from civicpulse_report.inputs.dataset import load_dataset
from civicpulse_report.inputs.files import file_sha256, find_input_files
from civicpulse_report.inputs.labels import compare_labels
from civicpulse_report.inputs.readers import SUPPORTED_SUFFIXES, PartialRead, read_table
from civicpulse_report.inputs.validate import check_paths, validate_paths
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


def test_csv_that_is_not_utf8_names_the_first_bad_byte_and_reads_on(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    text = "la_code,la_name,region\nW06000002,Caerdydd,Wales\nW06000001,Ynys Môn,Wales\n"
    path.write_bytes((text + "W06000003,Dinbych-y-Pysgod,Cymrô\n").encode("cp1252"))
    with pytest.raises(PartialRead) as exc:
        read_table(path)
    text = message(exc)
    assert (
        "la_lookup.csv, column 'la_name', rows 3, 4: is not UTF-8 text: the first byte that is "
        "not UTF-8 is 0xF4, on row 3 in this column (in Windows-1252 it would be 'ô'); also in "
        "column 'region' (e.g. 'Ynys Môn')"
    ) in text
    assert "Hint: in Excel use File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'" in text
    # Read on as Windows-1252, so the file's other problems can be found in the same run.
    assert exc.value.frame["la_name"].tolist() == ["Caerdydd", "Ynys Môn", "Dinbych-y-Pysgod"]


def test_other_problems_of_a_file_that_is_not_utf8_are_reported_too(
    tmp_path: Path, measures: Measures, tables
) -> None:
    tables["la_lookup"].loc[1, "region"] = "Mercia"
    write_data_dir(tables, tmp_path, ".csv", measures)
    path = tmp_path / "la_lookup.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    with pytest.raises(InputError) as exc:
        load_dataset(tmp_path, measures)
    text = message(exc)
    assert "la_lookup.csv, column 'la_name', row 3: is not UTF-8 text" in text
    assert "la_lookup.csv, column 'region', row 3: is not a recognised region (e.g. 'Mercia')" in (
        text
    )
    assert len(exc.value.problems) == 2, text


def test_csv_with_a_utf8_bom_is_read_silently(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_bytes("la_code,la_name\nW06000001,Ynys Môn\n".encode("utf-8-sig"))
    frame = read_table(path)
    assert list(frame.columns) == ["la_code", "la_name"]
    assert frame["la_name"].iloc[0] == "Ynys Môn"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("la_code\nW06000001\n".encode("utf-16"), "la_lookup.csv: is UTF-16 text"),
        (b"PK\x03\x04rest of a zip", "la_lookup.csv: is not a CSV file: it is an Excel .xlsx"),
    ],
)
def test_other_formats_under_a_csv_name_are_named(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert expected in message(exc)


def test_ragged_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_text("la_code,la_name\nX06000001,A\nX06000002,B,extra,fields\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "la_lookup.csv, row 3: could not be read as a CSV file" in message(exc)
    assert "line 3" in message(exc)
    assert "write numbers without thousands separators (1143.4, not 1,143.4)" in message(exc)


def test_csv_cut_off_in_its_last_row_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "la_lookup.csv"
    path.write_text("la_code,la_name,region\nX06000001,A,Wales\nX06000002,B", encoding="utf-8")
    with pytest.raises(PartialRead) as exc:
        read_table(path)
    assert (
        "la_lookup.csv, row 3: the last row has only 2 of the header's 3 fields: the file seems "
        "to be cut off. Hint: the copy or export did not finish"
    ) in message(exc)
    assert exc.value.frame["la_code"].tolist() == ["X06000001"]


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


@pytest.mark.parametrize("notes", [[], ["About this workbook"], ["Notes", "Populations: 2024"]])
def test_xlsx_table_left_on_another_sheet_is_pointed_to(
    tmp_path: Path, measures: Measures, tables, notes: list[str]
) -> None:
    path = write_table(tables["la_lookup"], tmp_path / "la_lookup.xlsx")
    book = openpyxl.load_workbook(path)
    first = book.create_sheet("Read me", 0)
    for line in notes:
        first.append([line])
    book.save(path)

    (problem,) = validate_paths([path], measures)
    assert "la_lookup.xlsx: " in problem.describe()
    assert "only the first sheet" in problem.rule and "'Read me'" in problem.rule
    assert problem.hint.startswith("move sheet 'Data' to the front (drag its tab to the far left)")


# --------------------------------------------------------------------------- #
# SPSS and Stata value labels against measures.yml
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_value_labels_that_reverse_the_scale_are_an_error(
    tmp_path: Path, measures: Measures, tables, suffix: str
) -> None:
    codes = measures.items["dr_influence"].codes
    reversed_labels = {float(k): codes[5 - k] for k in codes}
    path = write_labelled_survey(tmp_path, measures, tables, suffix, dr_influence=reversed_labels)

    result = check_paths([path], measures)
    (problem,) = result.problems
    assert problem.describe().startswith(
        f"{path}, column 'dr_influence': value labels contradict measures.yml: code 1 is "
        "labelled 'Definitely disagree' in this file but is 'Definitely agree' in measures.yml, "
        "which labels code 4 'Definitely disagree'"
    )
    assert "RECODE dr_influence (1=4) (2=3) (3=2) (4=1)." in problem.hint
    assert result.warnings == ()


def test_value_labels_worded_differently_are_a_warning(
    tmp_path: Path,
    measures: Measures,
    tables,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wording = {1.0: "Strongly agree", 2.0: "Agree", 3.0: "Disagree", 4.0: "Strongly disagree"}
    sexes = {1.0: "male", 2.0: "FEMALE"}  # case alone is not a difference
    path = write_labelled_survey(
        tmp_path, measures, tables, ".sav", dr_influence=wording, sex=sexes
    )

    result = check_paths([path], measures)
    assert result.problems == ()
    (warning,) = result.warnings
    assert warning.describe().startswith(
        f"{path}, column 'dr_influence': value labels are worded differently from measures.yml "
        "(e.g. 1 = 'Strongly agree' (YAML: 'Definitely agree')"
    )

    monkeypatch.setattr(cli.console, "width", 10_000)
    assert cli.main(["validate", str(path)]) == 0
    shown = " ".join(capsys.readouterr().err.split())
    assert "Warning: " + warning.describe() in shown
    assert f"OK: {path} meets the input contract (1 warning above)." in shown


@pytest.mark.parametrize(
    ("variable", "file_labels", "contradicted"),
    [
        ("ac_civic_participation", {1: "No", 2: "Yes"}, [1, 2]),
        ("ac_civic_participation", {1: "YES", 2: "no."}, []),
        ("sex", {1: "Female", 2: "Male"}, [1, 2]),
        ("tp_satisfied_area", {1: "Very dissatisfied", 5: "Very satisfied"}, [1, 5]),
        ("tp_satisfied_area", {1: "Very satisfied", 2: "Quite satisfied"}, []),
        ("tp_satisfied_area", {1: "Quite satisfied"}, [1]),  # code 2's meaning
        ("imd_quintile", {1: "Least deprived 20%", 5: "Most deprived 20%"}, [1, 5]),
        ("imd_quintile", {1: "Most deprived fifth", 5: "Least deprived fifth"}, []),
    ],
)
def test_a_label_contradicts_when_it_matches_another_codes_label_better(
    measures: Measures, variable: str, file_labels: dict[int, str], contradicted: list[int]
) -> None:
    spec = measures.items.get(variable) or measures.demographics[variable]
    found, _ = compare_labels(file_labels, spec.codes)
    assert [code for code, *_ in found] == contradicted


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
