"""Small, valid input tables made for the tests, and writers for every format.

Three synthetic LAs with two neighbourhoods each, 15 respondents in each of two
waves (the same ids in both waves, which is allowed), and every item and
demographic from the real measures.yml, with some -8/-9 and blank answers.
Row ``i`` of a table is row ``i + 2`` of the file a spreadsheet user sees.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from civicpulse_report.measures import Measures

LA_CODES = ("X06000001", "X07000002", "X08000003")
LA_NAMES = ("Abermawr (synthetic)", "Ynys Môn Fach (synthetic)", "Northby (synthetic)")
WAVES = (2023, 2024)
PER_WAVE = 15
FORMATS = (".csv", ".parquet", ".xlsx", ".sav", ".dta")


def neighbourhood_codes(la_code: str) -> tuple[str, str]:
    return (f"{la_code}_N1", f"{la_code}_N2")


def valid_tables(measures: Measures, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The four tables of a small valid data directory, keyed by role."""
    rng = np.random.default_rng(seed)
    la_lookup = pd.DataFrame(
        {
            "la_code": list(LA_CODES),
            "la_name": list(LA_NAMES),
            "region": ["North East", "Wales", "London"],
            "la_type": ["Unitary authority", "Welsh unitary authority", "London borough"],
            "population": [150_000, 70_000, 300_000],
            "imd_score": [30.1, 18.2, 22.5],
            "urbanity": [0.8, 0.2, 1.0],
            "median_age": [41.0, 47.5, 35.0],
            "pct_over_65": [19.0, 26.0, 11.0],
            "pct_ethnic_minority": [5.0, 2.0, 45.0],
        }
    )
    neighbourhoods = pd.DataFrame(
        [
            {
                "neighbourhood_code": code,
                "neighbourhood_name": f"{name.split(' (')[0]} ward {k + 1}",
                "la_code": la,
                "tile_x": k,
                "tile_y": 0,
                "population": 5_000 + 1_000 * k,
            }
            for la, name in zip(LA_CODES, LA_NAMES, strict=True)
            for k, code in enumerate(neighbourhood_codes(la))
        ]
    )

    rows = []
    for wave in WAVES:
        for i in range(PER_WAVE):
            la = LA_CODES[i % len(LA_CODES)]
            rows.append(
                {
                    "respondent_id": i + 1,
                    "wave": wave,
                    "la_code": la,
                    "neighbourhood_code": neighbourhood_codes(la)[i % 2],
                    "weight": round(float(rng.uniform(0.5, 2.0)), 4),
                }
            )
    survey = pd.DataFrame(rows)
    n = len(survey)
    for name, demographic in measures.demographics.items():
        survey[name] = rng.choice(sorted(demographic.codes), n)
    for name, item in measures.items.items():
        values = pd.array(rng.choice(sorted(item.codes), n), dtype="Int64")
        survey[name] = values
    # Missing answers in every style the contract allows.
    first_item = next(iter(measures.items))
    survey.loc[1, first_item] = -8
    survey.loc[2, first_item] = -9
    survey.loc[3, first_item] = pd.NA
    survey.loc[4, "sex"] = -9

    legacy_rows = []
    for la in (*LA_CODES, "E92000001"):
        for k, code in enumerate(("NI1", "NI2", "NI3", "NI4", "NI5", "NI6")):
            value = 40.0 + 5 * k
            legacy_rows.append(
                {
                    "la_code": la,
                    "source": "place_survey_2008",
                    "indicator": code,
                    "value": value,
                    "ci_lower": value - 3,
                    "ci_upper": value + 3,
                    "base": 1100 if la != "E92000001" else 500_000,
                    "year": 2008,
                }
            )
    legacy_rows.append(
        {
            "la_code": "E92000001",
            "source": "citizenship_survey_2010_11",
            "indicator": "formal_volunteering_monthly",
            "value": 25.0,
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "base": pd.NA,
            "year": 2011,
        }
    )
    legacy = pd.DataFrame(legacy_rows)
    legacy["base"] = legacy["base"].astype("Int64")
    return {
        "survey": survey,
        "la_lookup": la_lookup,
        "neighbourhoods": neighbourhoods,
        "legacy_indicators": legacy,
    }


def _for_stats_package(frame: pd.DataFrame) -> pd.DataFrame:
    """SPSS and Stata have no nullable integers: use floats with NaN."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.Int64Dtype):
            out[name] = out[name].astype("float64")
        elif out[name].dtype != object and pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].astype(object)
    return out


def value_labels(measures: Measures, frame: pd.DataFrame) -> dict[str, dict[float, str]]:
    labels: dict[str, dict[float, str]] = {}
    for name, item in measures.items.items():
        if name in frame.columns:
            codes = {**item.codes, -8: "Don't know", -9: "Refused"}
            labels[name] = {float(k): v for k, v in codes.items()}
    for name, demographic in measures.demographics.items():
        if name in frame.columns:
            labels[name] = {float(k): v for k, v in demographic.codes.items()}
    return labels


def write_table(frame: pd.DataFrame, path: Path, measures: Measures | None = None) -> Path:
    """Write one table in the format its suffix names."""
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False, sheet_name="Data")
    elif suffix in (".sav", ".dta"):
        plain = _for_stats_package(frame)
        labels = value_labels(measures, plain) if measures is not None else {}
        if suffix == ".sav":
            user_missing = {name: [-9.0, -8.0] for name in labels}
            column_labels = {
                name: measures.items[name].question[:200]
                for name in plain.columns
                if measures is not None and name in measures.items
            }
            pyreadstat.write_sav(
                plain,
                path,
                variable_value_labels=labels,
                missing_ranges=user_missing,
                column_labels=column_labels or None,
            )
        else:
            int_labels = {k: {int(c): v for c, v in v.items()} for k, v in labels.items()}
            pyreadstat.write_dta(plain, path, variable_value_labels=int_labels)
    else:
        raise ValueError(suffix)
    return path


def write_data_dir(
    tables: dict[str, pd.DataFrame],
    directory: Path,
    suffix: str = ".csv",
    measures: Measures | None = None,
) -> dict[str, Path]:
    """Write each table as ``<role><suffix>`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        role: write_table(frame, directory / f"{role}{suffix}", measures)
        for role, frame in tables.items()
    }


def write_labelled_survey(
    tmp_path: Path,
    measures: Measures,
    tables: dict[str, pd.DataFrame],
    suffix: str,
    **changed: dict[float, str],
) -> Path:
    """Write the survey as .sav or .dta with measures.yml's value labels, some ``changed``."""
    path = write_table(tables["survey"], tmp_path / f"survey{suffix}", measures)
    frame, meta = (pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta)(path)
    labels = dict(meta.variable_value_labels)
    labels.update(changed)
    if suffix == ".sav":
        pyreadstat.write_sav(frame, path, variable_value_labels=labels)
    else:
        labels = {k: {int(c): v for c, v in v.items()} for k, v in labels.items()}
        pyreadstat.write_dta(frame, path, variable_value_labels=labels)
    return path
