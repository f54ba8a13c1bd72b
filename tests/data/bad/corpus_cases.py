"""The cases of the bad-input corpus: what each breaks, and what its message must hold.

Each message list names the file, the column, the rows or key, and the fix.
Rows are spreadsheet rows: frame row ``i`` is row ``i + 2``. See
``make_corpus.py`` for how the folders are written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import yaml
from corpus_kit import (
    MEASURES,
    Case,
    Make,
    benchmarks,
    cell,
    cut,
    edit,
    read,
    replace_text,
    sav_labels,
    write,
    write_csv,
    write_sav,
    yaml_edit,
)

BUILD = ("--format", "html", "--jobs", "1")
WEIGHT_FIX = "weights must be finite numbers greater than 0"
SEPARATORS = "holds numbers written with thousands separators"
NO_ROWS = ("has a header row but no data rows", "export the table again with its rows")


def _lookup_workbook(folder: Path, change: Callable[[openpyxl.Workbook], object]) -> None:
    """Turn la_lookup.csv into la_lookup.xlsx and change the workbook."""
    path = write(folder, "la_lookup", read(folder, "la_lookup"), "la_lookup.xlsx")
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def _wrong_sheet(book: openpyxl.Workbook) -> None:
    notes = book.create_sheet("Notes", 0)
    for line in ("About this workbook", "Populations are mid-year estimates (synthetic)."):
        notes.append([line])
    book.active = 0


def _population_text(book: openpyxl.Workbook) -> None:
    for row in book.active.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].value = f"{int(row[0].value):,}"


def _blank_line(folder: Path) -> None:
    path = write(folder, "survey", read(folder, "survey"), "survey.csv")
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:51], "", *lines[51:]]), encoding="utf-8")


def _truncated_csv(folder: Path) -> None:
    path = write(folder, "survey", read(folder, "survey").iloc[:119], "survey.csv")
    head, last = path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)
    path.write_text(head + "\n" + ",".join(last.split(",")[:12]), encoding="utf-8")


def _sav(change: Callable[[Path], None]) -> Make:
    def make(folder: Path) -> None:
        change(write(folder, "survey", read(folder, "survey"), "survey.sav"))

    return make


def _reversed_labels(folder: Path) -> None:
    frame = read(folder, "survey")
    (folder / "survey.parquet").unlink()
    labels = sav_labels(frame)
    codes = MEASURES.items["dr_influence"].codes
    labels["dr_influence"] = {float(k): codes[5 - k] for k in codes}
    write_sav(frame, folder / "survey.sav", labels)


def _mixed_years(folder: Path) -> None:
    frame = read(folder, "survey")
    (folder / "survey.parquet").unlink()
    later = frame[frame["wave"] == 2026]
    write_csv(pd.concat([frame[frame["wave"] == 2025], later.iloc[:3]]), folder / "survey_2025.csv")
    write_csv(later.iloc[3:], folder / "survey_2026.csv")


def _encoded(role: str, encoding: str, **cells: tuple[int, str | None]) -> Make:
    def make(folder: Path) -> None:
        frame = read(folder, role).astype(object)
        for column, (row, value) in cells.items():
            frame.loc[row, column] = value
        (folder / f"{role}.{'parquet' if role == 'survey' else 'csv'}").unlink()
        write_csv(frame, folder / f"{role}.csv", encoding=encoding)

    return make


def _yaml_without(name: str, section: str, key: object, field: str) -> Make:
    def change(text: str) -> str:
        raw = yaml.safe_load(text)
        del raw[section][key][field]
        return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)

    return yaml_edit(name, change)


def _overwrite_start(path: Path) -> None:
    path.write_bytes(b"\x00" * 64 + path.read_bytes()[64:])


def _garble_footer(folder: Path) -> None:
    path = folder / "survey.parquet"
    data = path.read_bytes()
    path.write_bytes(data[:-200] + bytes(range(196)) + data[-4:])


def _same_id(frame: pd.DataFrame) -> None:
    frame.loc[3, "respondent_id"] = frame.loc[1, "respondent_id"]


def _no_respondents(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~((frame["wave"] == 2026) & (frame["la_code"] == "X08000001"))]


def _weight(name: str, value: float, shown: str, row: int) -> Case:
    return Case(
        f"weight_{name}",
        f"a weight is {shown}",
        cell("survey", row, "weight", value),
        (
            f"survey.parquet, column 'weight', row {row + 2}: must be a positive number",
            f"(e.g. {shown})",
            WEIGHT_FIX,
        ),
    )


# fmt: off
CASES = (
    # Missing, renamed or doubled columns and tables
    Case("survey_missing_column", "the survey has no weight column",
         edit("survey", lambda f: f.drop(columns=["weight"])),
         ("survey.parquet, column 'weight': required column is missing",
          "add the column 'weight'")),
    Case("survey_renamed_column", "the survey's la_code column is headed 'LA_Code'",
         edit("survey", lambda f: f.rename(columns={"la_code": "LA_Code"}), "survey.csv"),
         ("survey.csv, column 'la_code': required column is missing", "did you mean 'LA_Code'?")),
    Case("la_lookup_renamed_column", "the LA lookup's region column is headed 'region_name'",
         edit("la_lookup", lambda f: f.rename(columns={"region": "region_name"})),
         ("la_lookup.csv, column 'region': required column is missing",
          "did you mean 'region_name'?")),
    Case("neighbourhoods_missing_column", "the neighbourhood lookup has no tile_y column",
         edit("neighbourhoods", lambda f: f.drop(columns=["tile_y"])),
         ("neighbourhoods.csv, column 'tile_y': required column is missing",
          "columns present: 'neighbourhood_code'", "add the column 'tile_y'")),
    Case("la_lookup_missing_file", "there is no LA lookup at all",
         lambda folder: (folder / "la_lookup.csv").unlink(),
         ("no LA lookup (la_lookup.<ext>) file", "add la_lookup.<ext>")),
    Case("survey_in_two_formats", "the survey is there as survey.parquet and as survey.csv",
         lambda folder: write_csv(read(folder, "survey"), folder / "survey.csv"),
         ("the table 'survey' is there in more than one format: survey.csv, survey.parquet",
          "keep one of them")),
    # Wrong types, thousands separators, decimal commas
    Case("survey_text_in_item", "an answer code is the word 'yes'",
         cell("survey", 4, "dr_influence", "yes", "survey.csv"),
         ("survey.csv, column 'dr_influence', row 6: is not a valid code for this question",
          "(e.g. 'yes')", "recode other answers")),
    Case("survey_decimal_code", "a demographic code is 2.5",
         cell("survey", 7, "sex", 2.5, "survey.csv"),
         ("survey.csv, column 'sex', row 9: is not a valid code for this question",
          "(e.g. 2.5)", "1 = Male; 2 = Female")),
    Case("la_lookup_text_population", "a population is written as text",
         cell("la_lookup", 1, "population", "about 70k"),
         ("la_lookup.csv, column 'population', row 3: must be a whole number greater than 0",
          "(e.g. 'about 70k')", "give the LA's resident population as a whole number")),
    Case("survey_weight_thousands", "the weights were exported with thousands separators",
         edit("survey", lambda f: f.assign(weight=f["weight"].map("{:,.4f}".format)), "survey.csv"),
         ("survey.csv, column 'weight', rows 2, 3, 4, 5, 6 and", SEPARATORS, "Use 1000 Separator")),
    Case("la_lookup_population_thousands_xlsx", "a workbook's populations are text like '88,500'",
         lambda folder: _lookup_workbook(folder, _population_text),
         ("la_lookup.xlsx, column 'population', rows 2, 3, 4:", SEPARATORS, "1143.4155")),
    Case("legacy_base_thousands", "one legacy base is written '1,167'",
         cell("legacy_indicators", 2, "base", "1,167"),
         ("legacy_indicators.csv, column 'base', row 4:", SEPARATORS, "(e.g. '1,167')")),
    Case("la_lookup_decimal_comma", "an IMD score is written with a decimal comma",
         cell("la_lookup", 0, "imd_score", "16,7"),
         ("la_lookup.csv, column 'imd_score', row 2:",
          "holds numbers written with a decimal comma", "write decimals with a point")),
    # Duplicates
    Case("survey_duplicate_ids", "two respondents of one wave share an id",
         edit("survey", _same_id),
         ("survey.parquet, column 'respondent_id', rows 3, 5:",
          "appears more than once in the same wave", "remove duplicated rows or correct the ids")),
    Case("la_lookup_duplicate_code", "an LA is listed twice in the LA lookup",
         edit("la_lookup", lambda f: pd.concat([f, f.iloc[[0]]])),
         ("la_lookup.csv, column 'la_code', rows 2, 5:", "must be unique",
          "remove or correct the repeated rows")),
    Case("neighbourhoods_duplicate_code", "a neighbourhood code is used twice",
         edit("neighbourhoods", lambda f: pd.concat([f, f.iloc[[0]].assign(tile_x="5")])),
         ("neighbourhoods.csv, column 'neighbourhood_code', rows 2, 8:", "must be unique",
          "remove or correct the repeated rows")),
    Case("legacy_duplicate_key", "one legacy figure is given twice",
         edit("legacy_indicators", lambda f: pd.concat([f, f.iloc[[0]]])),
         ("legacy_indicators.csv, rows 2,",
          "the same la_code, source, indicator and year appear on more than one row",
          "keep one published figure")),
    # Codes outside the lookups
    Case("survey_unknown_la", "a respondent's LA is not in the LA lookup",
         cell("survey", 10, "la_code", "X09999999"),
         ("survey.parquet, column 'la_code', row 12: is not an LA in la_lookup.csv",
          "(e.g. 'X09999999')", "add the LA to la_lookup.csv or correct the code")),
    Case("survey_unknown_neighbourhood", "a respondent's neighbourhood is not in the lookup",
         cell("survey", 5, "neighbourhood_code", "NOWHERE1"),
         ("survey.parquet, column 'neighbourhood_code', row 7: is not a neighbourhood in "
          "neighbourhoods.csv", "(e.g. 'NOWHERE1')",
          "add the neighbourhood to neighbourhoods.csv or correct the code")),
    Case("survey_neighbourhood_in_other_la", "a respondent's neighbourhood is in another LA",
         cell("survey", 0, "neighbourhood_code", "X08000001N01"),
         ("survey.parquet, column 'neighbourhood_code', row 2: belongs to another LA",
          "X08000001N01 is in X08000001, not X06000001", "correct la_code or neighbourhood_code")),
    Case("la_lookup_unknown_region", "a region is spelt 'Yorkshire and the Humber'",
         cell("la_lookup", 1, "region", "Yorkshire and the Humber"),
         ("la_lookup.csv, column 'region', row 3: is not a recognised region",
          "(e.g. 'Yorkshire and the Humber')", "use exactly one of:")),
    Case("legacy_unknown_indicator", "a legacy indicator code is not in measures.yml",
         cell("legacy_indicators", 3, "indicator", "NI99"),
         ("legacy_indicators.csv, column 'indicator', row 5: is not a recognised legacy "
          "indicator", "(e.g. 'NI99')", "use exactly one of:")),
    # Values out of range
    Case("survey_item_out_of_range", "an answer is 7 on a 1-4 question",
         cell("survey", 13, "dr_influence", 7),
         ("survey.parquet, column 'dr_influence', row 15: is not a valid code for this question "
          "(valid: 1, 2, 3, 4 or a negative missing code) (e.g. 7)",
          "use -8 (don't know), -9 (refused) or a blank for missing answers")),
    Case("survey_wave_not_a_year", "a wave is written '26' instead of 2026",
         cell("survey", 198, "wave", 26, "survey.csv"),
         ("survey.csv, column 'wave', row 200: must be a survey year between 2000 and 2100",
          "(e.g. 26)", "write the year of the wave as four digits")),
    Case("legacy_percentage_over_100", "a legacy percentage is 128.5",
         edit("legacy_indicators", lambda f: f.assign(
             value=f["value"].mask(f.index == 1, "128.5"),
             ci_lower=f["ci_lower"].mask(f.index == 1, ""),
             ci_upper=f["ci_upper"].mask(f.index == 1, ""))),
         ("legacy_indicators.csv, column 'value', row 3: must be a percentage between 0 and 100",
          "(e.g. 128.5)", "write percentages as numbers from 0 to 100")),
    Case("la_lookup_percentage_over_100", "a contextual percentage is 186",
         cell("la_lookup", 2, "pct_over_65", "186"),
         ("la_lookup.csv, column 'pct_over_65', row 4: must be a percentage between 0 and 100",
          "(e.g. 186)", "not as 0.185")),
    # Weights
    _weight("zero", 0.0, "0", 20),
    _weight("negative", -1.5, "-1.5", 21),
    _weight("infinite", np.inf, "inf", 22),
    Case("weight_nan", "a weight is missing (NaN)", cell("survey", 24, "weight", np.nan),
         ("survey.parquet, column 'weight', row 26: must not be blank",
          "every respondent needs a weight greater than 0")),
    # Empty, header-only, truncated and corrupt files
    Case("parquet_empty", "survey.parquet is 0 bytes",
         lambda folder: (folder / "survey.parquet").write_bytes(b""),
         ("survey.parquet: file is empty (0 bytes)", "export the table again")),
    Case("parquet_header_only", "survey.parquet has its columns but no rows",
         edit("survey", lambda f: f.iloc[:0]), ("survey.parquet: " + NO_ROWS[0], NO_ROWS[1])),
    Case("parquet_truncated", "survey.parquet was cut off halfway through copying",
         lambda folder: cut(folder / "survey.parquet", 0.5),
         ("survey.parquet: could not be read as a Parquet file", "export it again")),
    Case("parquet_corrupt", "survey.parquet's footer is overwritten with garbage", _garble_footer,
         ("survey.parquet: could not be read as a Parquet file",
          "is not damaged; export it again")),
    Case("sav_empty", "survey.sav is 0 bytes",
         lambda folder: (folder / "survey.parquet").rename(folder / "survey.sav").write_bytes(b""),
         ("survey.sav: file is empty (0 bytes)", "export the table again")),
    Case("sav_header_only", "survey.sav has its variables but no cases",
         edit("survey", lambda f: f.iloc[:0], "survey.sav"),
         ("survey.sav: " + NO_ROWS[0], NO_ROWS[1])),
    Case("sav_truncated", "survey.sav was cut off before its first cases",
         _sav(lambda path: cut(path, 0.1)),
         ("survey.sav: could not be read as an SPSS .sav file", "export it again")),
    Case("sav_corrupt", "survey.sav's header record is overwritten", _sav(_overwrite_start),
         ("survey.sav: could not be read as an SPSS .sav file", "is not damaged; export it again")),
    Case("csv_header_only", "survey.csv has its header row and nothing else",
         edit("survey", lambda f: f.iloc[:0], "survey.csv"),
         ("survey.csv: " + NO_ROWS[0], NO_ROWS[1])),
    Case("csv_truncated", "survey.csv was cut off in the middle of its last row", _truncated_csv,
         ("survey.csv, row 120: the last row has only", "the file seems to be cut off",
          "export the table again in full")),
    Case("csv_is_a_workbook", "la_lookup.csv is really an Excel workbook",
         lambda folder: write(folder, "la_lookup", read(folder, "la_lookup"), "la_lookup.xlsx")
         .rename(folder / "la_lookup.csv"),
         ("la_lookup.csv: is not a CSV file: it is an Excel .xlsx workbook",
          "rename it to .xlsx")),
    # Spreadsheets: sheets, empty rows, formulas, separators
    Case("xlsx_wrong_sheet", "la_lookup.xlsx opens on a notes sheet; the table is on the second",
         lambda folder: _lookup_workbook(folder, _wrong_sheet),
         ("la_lookup.xlsx: the table is not on the first sheet",
          "only the first sheet, 'Notes', is read", "sheet 'LA lookup' has",
          "move sheet 'LA lookup' to the front")),
    Case("xlsx_blank_row", "la_lookup.xlsx has an empty row between its second and third LA",
         lambda folder: _lookup_workbook(folder, lambda book: book.active.insert_rows(4)),
         ("la_lookup.xlsx, row 4: empty row in the middle of the table", "delete the empty row")),
    Case("csv_blank_row", "survey.csv has an empty line in the middle", _blank_line,
         ("survey.csv, row 52: empty row in the middle of the table", "delete the empty row")),
    Case("xlsx_formula", "a population in la_lookup.xlsx is a formula",
         lambda folder: _lookup_workbook(folder, lambda book: book.active.__setitem__(
             "E3", "=E2*2")),
         ("la_lookup.xlsx, column 'population', row 3: sheet 'LA lookup' holds 1 formula cell",
          "(e.g. E3: =E2*2)", "Paste Special > Values")),
    Case("csv_semicolons", "la_lookup.csv was saved with semicolons between its columns",
         lambda folder: (folder / "la_lookup.csv").write_text(
             read(folder, "la_lookup").to_csv(index=False, sep=";"), encoding="utf-8"),
         ("la_lookup.csv: has a single column headed 'la_code;la_name;",
          "its columns seem to be separated by ';', not commas",
          "save it with commas between the columns")),
    # Encodings: a BOM is accepted, Windows-1252 is refused with its place and fix
    Case("csv_bom_with_bad_first_column",
         "survey.csv starts with a UTF-8 BOM (accepted) and has a blank id in its first column",
         _encoded("survey", "utf-8-sig", respondent_id=(3, None)),
         ("survey.csv, column 'respondent_id', row 5: must not be blank",
          "give every respondent an identifier")),
    Case("csv_latin1", "la_lookup.csv is Windows-1252 ('Ynys Môn') and misspells a region",
         _encoded("la_lookup", "cp1252", la_name=(1, "Ynys Môn"),
                  region=(2, "Yorkshire and the Humber")),
         ("la_lookup.csv, column 'la_name', row 3: is not UTF-8 text", "0xF4", "CSV UTF-8",
          "la_lookup.csv, column 'region', row 4: is not a recognised region")),
    # Across files and waves
    Case("survey_mixed_years", "survey_2025.csv also holds three rows of wave 2026", _mixed_years,
         ("survey_2025.csv, column 'wave', rows",
          "the file name says wave 2025, but these rows are from wave 2026",
          "move the rows to the survey file of their wave")),
    Case("la_no_respondents", "a build is asked for an LA with no respondents in 2026",
         edit("survey", _no_respondents),
         ("la_lookup", "X08000001", "no survey responses in 2026", "add their survey rows"),
         "build", ("--year", "2026", "--la", "X08000001", *BUILD)),
    Case("sav_reversed_labels", "survey.sav labels dr_influence 1 'Definitely disagree'",
         _reversed_labels,
         ("survey.sav, column 'dr_influence': value labels contradict measures.yml",
          "code 1 is labelled 'Definitely disagree' in this file but is 'Definitely agree'",
          "RECODE dr_influence (1=4) (2=3) (3=2) (4=1).")),
    # Configuration YAML
    Case("measures_item_typo", "an indicator in measures.yml names the item 'dr_influnce'",
         yaml_edit("measures.yml", replace_text("items: [dr_influence]", "items: [dr_influnce]")),
         ("measures.yml", "indicator 'can_influence': unknown items ['dr_influnce']",
          "did you mean 'dr_influnce' -> 'dr_influence'?"),
         args=("--measures", "{case}/measures.yml")),
    Case("measures_missing_field", "an item in measures.yml has no codes",
         _yaml_without("measures.yml", "items", "dr_influence", "codes"),
         ("measures.yml", "item 'dr_influence': missing field 'codes'", "add 'codes:' to it"),
         args=("--measures", "{case}/measures.yml")),
    Case("settings_breakdown_typo", "settings.yml lists a breakdown 'sexx'",
         yaml_edit("settings.yml", replace_text("[age_band, sex,", "[age_band, sexx,")),
         ("settings.yml", "'breakdowns' names unknown columns ['sexx']", "allowed:"),
         "build", ("--settings", "{case}/settings.yml", *BUILD)),
    Case("settings_key_typo", "settings.yml misspells min_base as 'min_bse'",
         yaml_edit("settings.yml", replace_text("\nmin_base:", "\nmin_bse:")),
         ("settings.yml", "min_bse", "min_base"),
         "build", ("--settings", "{case}/settings.yml", *BUILD)),
    Case("settings_neighbour_variable_typo", "settings.yml weighs a variable 'imd_scor'",
         yaml_edit("settings.yml", replace_text("    imd_score: 2.0", "    imd_scor: 2.0")),
         ("settings.yml", "imd_scor", "imd_score"),
         "build", ("--settings", "{case}/settings.yml", *BUILD)),
    Case("interventions_indicator_typo", "an intervention addresses the indicator 'lonliness'",
         yaml_edit("interventions.yml", replace_text("[loneliness,", "[lonliness,")),
         ("interventions.yml", "intervention 'community_connectors'",
          "names unknown indicator ids ['lonliness']", "use indicator ids defined in measures.yml"),
         "build", ("--interventions", "{case}/interventions.yml", *BUILD)),
    Case("interventions_missing_field", "an intervention has no evidence note",
         _yaml_without("interventions.yml", "interventions", 0, "evidence"),
         ("interventions.yml", "intervention 'time_bank'", "field 'evidence' is missing"),
         "build", ("--interventions", "{case}/interventions.yml", *BUILD)),
    # Benchmark files
    Case("benchmarks_other_version", "benchmarks.csv is in a format version not read here",
         lambda folder: benchmarks(folder, 2),
         ("benchmarks.csv, column 'format_version', rows 2, 3: is format version 2",
          "reads format version 1", "export the benchmark file again")),
    Case("benchmarks_missing_column", "benchmarks.csv has no value column",
         lambda folder: benchmarks(folder, 1, drop="value"),
         ("benchmarks.csv, column 'value': the benchmark file has no such column",
          "export the benchmark file again")),
)
# fmt: on
