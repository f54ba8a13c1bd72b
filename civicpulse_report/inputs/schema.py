"""Validate the four input tables against the input contract.

Each table has a pandera schema built from ``measures.yml`` (the survey items
and their valid codes come from the YAML, not from code). Validation is lazy:
every broken rule in every file is collected and translated into
:class:`~civicpulse_report.errors.Problem` records that name the file, the
column, the rows as a spreadsheet shows them (header = row 1), a few offending
values and a hint. Checks are vectorised, so a national survey of ~600,000 rows
validates in a couple of seconds.

Cross-table rules (unknown LA or neighbourhood codes, a neighbourhood filed
under the wrong LA, duplicate respondents within a wave) run after the
per-table schemas, on the rows that passed them, so one mistake is reported
once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.measures import Measures
from civicpulse_report.settings import DEMOGRAPHIC_COLUMNS

#: The four tables of a data directory, by role (also the file name stems).
ROLES = ("survey", "la_lookup", "neighbourhoods", "legacy_indicators")

#: Rows listed and values quoted per problem; ``n_rows`` gives the full count.
MAX_ROWS_SHOWN = 5
MAX_VALUES_SHOWN = 5

ENGLAND_CODE = "E92000001"
_LA_CODE = re.compile(r"(?:E06|E07|E08|E09|W06)[0-9]{6}|X0[6-9][0-9]{6}")
_NEIGHBOURHOOD_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")

ENGLISH_REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
REGIONS = (*ENGLISH_REGIONS, "Wales")
LA_TYPES = (
    "London borough",
    "Metropolitan district",
    "Unitary authority",
    "Shire district",
    "Welsh unitary authority",
)
#: Contextual LA variables used to find nearest neighbours (settings.yml);
#: ``log_population`` is derived from ``population``.
CONTEXT_COLUMNS = ("imd_score", "urbanity", "median_age", "pct_over_65", "pct_ethnic_minority")

SURVEY_KEYS = ("respondent_id", "wave", "la_code", "neighbourhood_code", "weight")
DEMOGRAPHICS = DEMOGRAPHIC_COLUMNS

_BLANK_RULE = ("must not be blank", "fill in a value on every row")
_UNIQUE_RULE = (
    "must be unique, but these values appear more than once",
    "each code may appear only once in this table; remove or correct the repeated rows",
)

Table = pd.DataFrame | Sequence[pd.DataFrame]


# --------------------------------------------------------------------------- #
# Codes that later become file paths
# --------------------------------------------------------------------------- #


def check_la_code(code: object) -> bool:
    """Say whether ``code`` is an acceptable local authority code.

    Real ONS GSS codes (``E06``, ``E07``, ``E08``, ``E09`` or ``W06`` followed by
    six digits) and the synthetic demo's codes (``X06``-``X09`` + six digits) are
    accepted. LA codes become file and folder names, so call this before using
    one in a path.

    Parameters
    ----------
    code : object
        The candidate code; anything that is not a ``str`` is rejected.

    Returns
    -------
    bool
    """
    return isinstance(code, str) and _LA_CODE.fullmatch(code) is not None


def check_neighbourhood_code(code: object) -> bool:
    """Say whether ``code`` is an acceptable neighbourhood code.

    A letter or digit, then up to 31 letters, digits, ``_`` or ``-``.
    """
    return isinstance(code, str) and _NEIGHBOURHOOD_CODE.fullmatch(code) is not None


# --------------------------------------------------------------------------- #
# Vectorised checks. pandera drops nulls before calling them (ignore_na).
# --------------------------------------------------------------------------- #


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def _blank_text(s: pd.Series) -> pd.Series:
    """True where a value is text that is empty or only spaces."""
    if not _is_text(s):
        return pd.Series(False, index=s.index)
    text = s.where(s.map(lambda v: isinstance(v, str))) if s.dtype == object else s
    return text.str.strip().eq("").fillna(False).astype(bool)


def _as_number(s: pd.Series) -> pd.Series:
    """The values as float64; NaN where a value is not a number."""
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    if s.dtype == object:
        # Booleans (True/False in a spreadsheet) are not numbers here.
        s = s.where(~s.map(lambda v: isinstance(v, bool | np.bool_)))
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _whole(num: pd.Series) -> pd.Series:
    return np.isfinite(num) & (num % 1 == 0)


def _codes_check(valid: Sequence[int]) -> Callable[[pd.Series], pd.Series]:
    valid_list = sorted(valid)

    def is_valid_code(s: pd.Series) -> pd.Series:
        if pd.api.types.is_integer_dtype(s):
            return (s.isin(valid_list) | (s < 0)).astype(bool)
        num = _as_number(s)
        ok = _whole(num) & (num.isin(valid_list) | (num < 0))
        return ok | _blank_text(s)

    return is_valid_code


def _number_check(
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    whole: bool = False,
) -> Callable[[pd.Series], pd.Series]:
    def is_number_in_range(s: pd.Series) -> pd.Series:
        num = _as_number(s)
        ok = np.isfinite(num)
        if whole:
            ok &= num % 1 == 0
        if low is not None:
            ok &= num >= low if low_inclusive else num > low
        if high is not None:
            ok &= num <= high
        return ok

    return is_number_in_range


def _not_blank_check(s: pd.Series) -> pd.Series:
    return ~_blank_text(s)


def _valid_by_unique(predicate: Callable[[object], bool]) -> Callable[[pd.Series], pd.Series]:
    """Test each distinct value once: codes repeat across many rows."""

    def is_valid(s: pd.Series) -> pd.Series:
        good = [v for v in pd.unique(s) if predicate(v)]
        return s.isin(good)

    return is_valid


def _respondent_id_check(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s):
        return pd.Series(True, index=s.index)
    if pd.api.types.is_float_dtype(s):
        return _whole(s.astype("float64"))
    is_str = (
        s.map(lambda v: isinstance(v, str))
        if s.dtype == object
        else pd.Series(_is_text(s), index=s.index)
    )
    numbers = _whole(_as_number(s.where(~is_str))) if (~is_str).any() else False
    return (is_str & ~_blank_text(s)) | (~is_str & numbers)


# --------------------------------------------------------------------------- #
# Schemas
# --------------------------------------------------------------------------- #


def _column(
    checks: Sequence[tuple[str, Callable[[pd.Series], pd.Series], str, str]] = (),
    *,
    nullable: bool = False,
    unique: bool = False,
    required: bool = True,
    blank: tuple[str, str] = _BLANK_RULE,
    description: str = "",
) -> pa.Column:
    """A pandera column whose checks carry their plain-English rule and hint.

    ``checks`` holds ``(name, function, rule, hint)``; the rules live in the
    column's metadata so failures can be translated without a side table.
    """
    rules = {name: (rule, hint) for name, _, rule, hint in checks}
    rules["not_nullable"] = blank
    rules["field_uniqueness"] = _UNIQUE_RULE
    # pandera keeps one failure case per check (cheap even when a whole column
    # is wrong); _translate re-runs the check to count and locate every row.
    return pa.Column(
        checks=[
            pa.Check(fn, name=name, element_wise=False, n_failure_cases=1)
            for name, fn, _, _ in checks
        ],
        nullable=nullable,
        unique=unique,
        required=required,
        description=description,
        metadata={"rules": rules, "checks": {name: fn for name, fn, _, _ in checks}},
    )


def _code_list(codes: Mapping[int, str]) -> str:
    shown = sorted(codes)
    return ", ".join(str(c) for c in shown)


def _code_labels(codes: Mapping[int, str], limit: int = 6) -> str:
    pairs = [f"{c} = {codes[c]}" for c in sorted(codes)]
    if len(pairs) > limit:
        pairs = [*pairs[:limit], "..."]
    return "; ".join(pairs)


def _la_code_column(*, unique: bool = False, allow_england: bool = False) -> pa.Column:
    if allow_england:
        pattern = _valid_by_unique(lambda v: v == ENGLAND_CODE or check_la_code(v))
        hint = (
            "use the ONS GSS code of the LA (E06, E07, E08, E09 or W06 followed by six "
            f"digits, e.g. E06000001; synthetic demo codes X06-X09) or {ENGLAND_CODE} for England"
        )
    else:
        pattern = _valid_by_unique(check_la_code)
        hint = (
            "use the ONS GSS code of the LA: E06, E07, E08, E09 or W06 followed by six "
            "digits (e.g. E06000001); the synthetic demo uses X06-X09 + six digits"
        )
    return _column(
        [("la_code_pattern", pattern, "is not a valid local authority code", hint)],
        unique=unique,
        description="Local authority code (ONS GSS)",
    )


def _neighbourhood_code_column(*, unique: bool = False) -> pa.Column:
    return _column(
        [
            (
                "neighbourhood_code_pattern",
                _valid_by_unique(check_neighbourhood_code),
                "is not a valid neighbourhood code",
                "use 1-32 letters, digits, '_' or '-', starting with a letter or digit "
                "(no spaces, dots or slashes)",
            )
        ],
        unique=unique,
        description="Neighbourhood code",
    )


def _text_column(what: str) -> pa.Column:
    return _column(
        [("not_blank", _not_blank_check, "must not be blank", f"give every row a {what}")],
        blank=("must not be blank", f"give every row a {what}"),
    )


def _choice_column(allowed: Sequence[str], what: str) -> pa.Column:
    listed = ", ".join(f"'{a}'" for a in allowed)
    return _column(
        [
            (
                f"one_of_{what}",
                _valid_by_unique(lambda v: v in allowed),
                f"is not a recognised {what}",
                f"use exactly one of: {listed}",
            )
        ]
    )


def _code_column(
    name: str, codes: Mapping[int, str], question: str, measures_file: str
) -> pa.Column:
    rule = (
        f"is not a valid code for this question (valid: {_code_list(codes)} "
        "or a negative missing code)"
    )
    about = f"'{name}' ({question}) " if question else f"'{name}' "
    hint = (
        f"{about}is coded {_code_labels(codes)} in {measures_file}; recode other answers, "
        "and use -8 (don't know), -9 (refused) or a blank for missing answers"
    )
    return _column([("valid_code", _codes_check(list(codes)), rule, hint)], nullable=True)


def survey_schema(measures: Measures) -> pa.DataFrameSchema:
    """The pandera schema of the survey microdata.

    Parameters
    ----------
    measures : Measures
        Supplies the items and the valid codes of items and demographics.

    Returns
    -------
    pandera.DataFrameSchema
        One column per required survey column; extra columns are allowed.
    """
    measures_file = Path(measures.source).name if measures.source else "measures.yml"
    columns: dict[str, pa.Column] = {
        "respondent_id": _column(
            [
                (
                    "respondent_id_text_or_whole",
                    _respondent_id_check,
                    "must be a whole number or a text code",
                    "give every respondent an identifier, unique within a wave",
                )
            ],
            blank=("must not be blank", "give every respondent an identifier"),
        ),
        "wave": _column(
            [
                (
                    "wave_year",
                    _number_check(2000, 2100, whole=True),
                    "must be a survey year between 2000 and 2100",
                    "write the year of the wave as four digits, e.g. 2024",
                )
            ],
            blank=("must not be blank", "give the survey year (e.g. 2024) on every row"),
        ),
        "la_code": _la_code_column(),
        "neighbourhood_code": _neighbourhood_code_column(),
        "weight": _column(
            [
                (
                    "positive_number",
                    _number_check(0, None, low_inclusive=False),
                    "must be a positive number",
                    "weights must be finite numbers greater than 0; remove respondents "
                    "without a weight or correct the weighting",
                )
            ],
            blank=("must not be blank", "every respondent needs a weight greater than 0"),
        ),
    }
    for name, demographic in measures.demographics.items():
        columns[name] = _code_column(name, demographic.codes, demographic.label, measures_file)
    for name, item in measures.items.items():
        columns[name] = _code_column(name, item.codes, item.question, measures_file)
    return pa.DataFrameSchema(columns, name="survey", strict=False)


def la_lookup_schema(context_columns: Sequence[str] = CONTEXT_COLUMNS) -> pa.DataFrameSchema:
    """The pandera schema of the LA lookup.

    Parameters
    ----------
    context_columns : sequence of str
        Numeric contextual variables required for nearest neighbours.

    Returns
    -------
    pandera.DataFrameSchema
    """
    columns: dict[str, pa.Column] = {
        "la_code": _la_code_column(unique=True),
        "la_name": _text_column("local authority name"),
        "region": _choice_column(REGIONS, "region"),
        "la_type": _choice_column(LA_TYPES, "LA type"),
        "population": _column(
            [
                (
                    "positive_whole",
                    _number_check(0, None, low_inclusive=False, whole=True),
                    "must be a whole number greater than 0",
                    "give the LA's resident population as a whole number",
                )
            ]
        ),
    }
    for name in context_columns:
        if name.startswith("pct_"):
            columns[name] = _column(
                [
                    (
                        "percentage",
                        _number_check(0, 100),
                        "must be a percentage between 0 and 100",
                        "write percentages as numbers from 0 to 100 (e.g. 18.5), not as 0.185",
                    )
                ]
            )
        else:
            columns[name] = _column(
                [
                    (
                        "finite_number",
                        _number_check(),
                        "must be a number",
                        "every LA needs a value: it is used to find similar LAs",
                    )
                ]
            )
    return pa.DataFrameSchema(columns, name="la_lookup", strict=False)


def neighbourhoods_schema() -> pa.DataFrameSchema:
    """The pandera schema of the neighbourhood lookup.

    Returns
    -------
    pandera.DataFrameSchema
    """
    tile = (
        "tile_position",
        _number_check(0, None, whole=True),
        "must be a whole number of 0 or more",
        "tile_x and tile_y give the neighbourhood's column and row on the LA's tile map",
    )
    return pa.DataFrameSchema(
        {
            "neighbourhood_code": _neighbourhood_code_column(unique=True),
            "neighbourhood_name": _text_column("neighbourhood name"),
            "la_code": _la_code_column(),
            "tile_x": _column([tile]),
            "tile_y": _column([tile]),
            "population": _column(
                [
                    (
                        "positive_whole",
                        _number_check(0, None, low_inclusive=False, whole=True),
                        "must be a whole number greater than 0",
                        "give the resident population, or leave the cell blank",
                    )
                ],
                nullable=True,
                required=False,
            ),
        },
        name="neighbourhoods",
        strict=False,
    )


def legacy_schema(measures: Measures) -> pa.DataFrameSchema:
    """The pandera schema of the legacy indicators (long format).

    Parameters
    ----------
    measures : Measures
        Supplies the known legacy sources and indicator codes.

    Returns
    -------
    pandera.DataFrameSchema
    """
    sources = tuple(measures.legacy_sources)
    indicators = tuple(measures.legacy_indicators)
    percentage = (
        "percentage",
        _number_check(0, 100),
        "must be a percentage between 0 and 100",
        "write percentages as numbers from 0 to 100 (e.g. 62.4), not as 0.624",
    )
    return pa.DataFrameSchema(
        {
            "la_code": _la_code_column(allow_england=True),
            "source": _choice_column(sources, "legacy source"),
            "indicator": _choice_column(indicators, "legacy indicator"),
            "value": _column([percentage]),
            "ci_lower": _column([percentage], nullable=True),
            "ci_upper": _column([percentage], nullable=True),
            "base": _column(
                [
                    (
                        "positive_whole",
                        _number_check(0, None, low_inclusive=False, whole=True),
                        "must be a whole number greater than 0",
                        "give the unweighted number of respondents, or leave it blank",
                    )
                ],
                nullable=True,
            ),
            "year": _column(
                [
                    (
                        "year",
                        _number_check(1990, 2100, whole=True),
                        "must be a year between 1990 and 2100",
                        "write the year of the published figure as four digits, e.g. 2008",
                    )
                ]
            ),
        },
        name="legacy_indicators",
        strict=False,
    )


def schema_for(role: str, measures: Measures) -> pa.DataFrameSchema:
    """The schema of the table with this role (one of :data:`ROLES`)."""
    if role == "survey":
        return survey_schema(measures)
    if role == "la_lookup":
        return la_lookup_schema()
    if role == "neighbourhoods":
        return neighbourhoods_schema()
    if role == "legacy_indicators":
        return legacy_schema(measures)
    raise ValueError(f"unknown table role {role!r}")


# --------------------------------------------------------------------------- #
# Translating failures into Problems
# --------------------------------------------------------------------------- #


def show_value(value: object, width: int = 40) -> str:
    """A value as a user would recognise it: 7 not 7.0, text in quotes.

    Text that reads as a number (a CSV column holding '0' beside 'abc') is
    shown as the number, so the user sees what their spreadsheet shows.
    """
    if isinstance(value, str):
        if value == value.strip() and _reads_as_number(value):
            return value
        text = value if len(value) <= width else value[: width - 3] + "..."
        return f"'{text}'"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if np.isfinite(number) and number.is_integer():
            return str(int(number))
        return repr(number)
    return str(value)[:width]


def _reads_as_number(text: str) -> bool:
    try:
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False


def _distinct_shown(values: pd.Series, *, formatted: bool = False) -> tuple[str, ...]:
    """Up to MAX_VALUES_SHOWN distinct values; ``formatted`` ones are used as they are."""
    shown: list[str] = []
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            continue
        text = str(value)[:80] if formatted else show_value(value)
        if text not in shown:
            shown.append(text)
            if len(shown) == MAX_VALUES_SHOWN:
                break
    return tuple(shown)


def _problem(
    file: str,
    column: str | None,
    rule: str,
    hint: str,
    rows: np.ndarray,
    values: Sequence[object] | pd.Series = (),
    *,
    formatted: bool = False,
) -> Problem:
    rows = np.unique(np.asarray(rows, dtype="int64"))
    shown = _distinct_shown(pd.Series(values, dtype=object), formatted=formatted)
    return Problem(
        file=file,
        column=column,
        rule=rule,
        hint=hint,
        rows=tuple(int(r) for r in rows[:MAX_ROWS_SHOWN]),
        values=tuple(shown),
        n_rows=len(rows),
    )


def _missing_columns(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str
) -> tuple[list[str], list[Problem]]:
    present = [str(c) for c in frame.columns]
    missing = [n for n, col in schema.columns.items() if col.required and n not in frame.columns]
    problems = []
    for name in missing:
        hint_parts = []
        close = difflib.get_close_matches(name.lower(), [p.lower() for p in present], n=1)
        if close:
            match = next(p for p in present if p.lower() == close[0])
            hint_parts.append(f"did you mean '{match}'?")
        if len(present) == 1 and any(sep in present[0] for sep in ";\t|"):
            hint_parts.append(
                "the file seems to use ';', tab or '|' between columns: save it with commas"
            )
        if len(present) <= 12:
            listed = ", ".join(f"'{p}'" for p in present)
            hint_parts.append(f"columns present: {listed}")
        else:
            hint_parts.append(
                f"none of the file's {len(present)} columns has this name; "
                "names must match exactly (lower case, underscores)"
            )
        problems.append(
            Problem(
                file=file,
                column=name,
                rule="required column is missing",
                hint="; ".join(hint_parts),
            )
        )
    return missing, problems


def _schema_problems(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> list[Problem]:
    """Validate one table lazily and translate every failure into Problems."""
    missing, problems = _missing_columns(frame, schema, file)
    present_schema = schema.remove_columns(missing) if missing else schema
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)
    try:
        present_schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        problems.extend(_translate(exc.failure_cases, frame, schema, file))
    return problems


def _translate(
    failures: pd.DataFrame, frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str
) -> list[Problem]:
    problems: list[Problem] = []
    failures = failures[failures["column"].notna()]
    order = {name: i for i, name in enumerate(schema.columns)}
    groups = sorted(
        failures.groupby(["column", "check"], sort=False),
        key=lambda kv: order.get(kv[0][0], len(order)),
    )
    for (column, check), group in groups:
        metadata = schema.columns[column].metadata or {}
        rule, hint = metadata.get("rules", {}).get(str(check), (f"fails the check '{check}'", ""))
        failing = _failing_rows(frame[column], str(check), metadata.get("checks", {}))
        if failing is None:  # a check we did not write: trust pandera's list
            failing = pd.to_numeric(group["index"], errors="coerce").dropna().astype("int64")
            failing = np.unique(failing.to_numpy())
        values = frame[column].iloc[failing[: 50 * MAX_VALUES_SHOWN]]
        problems.append(_problem(file, str(column), rule, hint, failing + 2, values))
    return problems


def _failing_rows(
    values: pd.Series, check: str, functions: Mapping[str, Callable[[pd.Series], pd.Series]]
) -> np.ndarray | None:
    """Positions of every row breaking ``check``, or None if it is not one of ours."""
    if check == "not_nullable":
        return np.flatnonzero(values.isna().to_numpy())
    if check == "field_uniqueness":
        return np.flatnonzero((values.notna() & values.duplicated(keep=False)).to_numpy())
    if check in functions:
        present = values.notna().to_numpy()
        ok = np.ones(len(values), dtype=bool)
        ok[present] = functions[check](values[present]).to_numpy(dtype=bool)
        return np.flatnonzero(~ok)
    return None


# --------------------------------------------------------------------------- #
# Cross-table checks
# --------------------------------------------------------------------------- #

_FILE = "_source_file"
_ROW = "_source_row"


def respondent_id_text(ids: pd.Series) -> pd.Series:
    """Respondent identifiers as text, so 17, 17.0 and '17' are the same id."""
    if isinstance(ids.dtype, pd.StringDtype):
        return ids
    if pd.api.types.is_integer_dtype(ids):
        return ids.astype("Int64").astype("str")
    if pd.api.types.is_float_dtype(ids):
        whole = ids.where(_whole(ids.astype("float64")))
        return whole.astype("Int64").astype("str").where(whole.notna(), ids.astype("str"))

    def as_text(value: object) -> object:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return str(int(value))
        if isinstance(value, int | np.integer):
            return str(int(value))
        return value if isinstance(value, str) or pd.isna(value) else str(value)

    return ids.map(as_text).astype("str")


def _keys(parts: Sequence[tuple[str, pd.DataFrame]], columns: Sequence[str]) -> pd.DataFrame:
    """Stack the key columns of one table's files, keeping each row's file and row."""
    frames = []
    for file, frame in parts:
        keys = pd.DataFrame(index=pd.RangeIndex(len(frame)))
        for name in columns:
            keys[name] = frame[name].to_numpy() if name in frame.columns else None
        keys[_FILE] = file
        keys[_ROW] = np.arange(2, len(frame) + 2)
        frames.append(keys)
    if not frames:
        return pd.DataFrame(columns=[*columns, _FILE, _ROW])
    return pd.concat(frames, ignore_index=True)


def _problems_by_file(
    keys: pd.DataFrame,
    mask: pd.Series,
    column: str | None,
    rule: str,
    hint: str,
    shown: pd.Series | Callable[[pd.DataFrame], pd.Series],
    *,
    formatted: bool = False,
) -> list[Problem]:
    """One Problem per file for the rows in ``mask``.

    ``shown`` gives each row's value to quote: a Series, or a function of the
    failing rows of ``keys`` (so costly formatting is done for those rows only).
    """
    if not mask.any():
        return []
    hits = keys.loc[mask]
    values = shown(hits) if callable(shown) else shown[mask]
    hits = hits[[_FILE, _ROW]].assign(_shown=values)
    return [
        _problem(
            str(file),
            column,
            rule,
            hint,
            group[_ROW].to_numpy(),
            group["_shown"],
            formatted=formatted,
        )
        for file, group in hits.groupby(_FILE, sort=False)
    ]


def _valid_text(series: pd.Series, predicate: Callable[[object], bool]) -> pd.Series:
    return series.isin([v for v in pd.unique(series) if predicate(v)])


def _cross_table_problems(
    parts: Mapping[str, list[tuple[str, pd.DataFrame]]],
) -> list[Problem]:
    """Rules that join tables, run on rows whose codes passed the table's own rules."""
    known_las: set[str] | None = None
    la_lookup = "la_lookup"
    if parts.get("la_lookup"):
        file, frame = parts["la_lookup"][0]
        la_lookup = Path(file).name
        if "la_code" in frame.columns:
            known_las = {c for c in frame["la_code"].dropna() if check_la_code(c)}

    problems: list[Problem] = []
    home_la: pd.Series | None = None
    neighbourhoods = "neighbourhoods"
    if parts.get("neighbourhoods"):
        neighbourhoods = Path(parts["neighbourhoods"][0][0]).name
        home_la, found = _neighbourhood_problems(parts["neighbourhoods"], known_las, la_lookup)
        problems += found
    if parts.get("survey"):
        problems += _survey_problems(parts["survey"], known_las, la_lookup, home_la, neighbourhoods)
    if parts.get("legacy_indicators"):
        problems += _legacy_problems(parts["legacy_indicators"], known_las, la_lookup)
    return problems


def _unknown_la(
    keys: pd.DataFrame, known_las: set[str], la_lookup: str, *, england: bool = False
) -> list[Problem]:
    codes = keys["la_code"]
    unknown = _valid_text(codes, check_la_code) & ~codes.isin(known_las)
    if england:
        return _problems_by_file(
            keys,
            unknown,
            "la_code",
            f"is not an LA in {la_lookup} (nor {ENGLAND_CODE}, England)",
            f"add the LA to {la_lookup}, use {ENGLAND_CODE} for England, or remove the rows",
            codes,
        )
    return _problems_by_file(
        keys,
        unknown,
        "la_code",
        f"is not an LA in {la_lookup}",
        f"add the LA to {la_lookup} or correct the code",
        codes,
    )


def _neighbourhood_problems(
    files: list[tuple[str, pd.DataFrame]], known_las: set[str] | None, la_lookup: str
) -> tuple[pd.Series | None, list[Problem]]:
    """Check the neighbourhood lookup against the LA lookup; return code -> LA too."""
    frame = files[0][1]
    present = set(frame.columns)
    problems: list[Problem] = []
    home_la = None
    if {"neighbourhood_code", "la_code"} <= present:
        ok = _valid_text(frame["neighbourhood_code"], check_neighbourhood_code)
        pairs = frame.loc[ok, ["neighbourhood_code", "la_code"]]
        home_la = pairs.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")
        home_la = home_la["la_code"]
    keys = _keys(files, ["la_code", "tile_x", "tile_y"])
    if known_las is not None and "la_code" in present:
        problems += _unknown_la(keys, known_las, la_lookup)
    if {"la_code", "tile_x", "tile_y"} <= present:
        x, y = _as_number(keys["tile_x"]), _as_number(keys["tile_y"])
        placed = _whole(x) & _whole(y) & keys["la_code"].notna()
        tiles = pd.DataFrame({"la": keys["la_code"], "x": x, "y": y})
        clash = placed & tiles.duplicated(keep=False)
        problems += _problems_by_file(
            keys,
            clash,
            None,
            "two neighbourhoods of the same LA share a tile position (tile_x, tile_y)",
            "give each neighbourhood of an LA its own tile on the tile map",
            lambda hit: (
                hit["la_code"].astype("str")
                + " at ("
                + _plain(hit["tile_x"])
                + ", "
                + _plain(hit["tile_y"])
                + ")"
            ),
            formatted=True,
        )
    return home_la, problems


def _plain(numbers: pd.Series) -> pd.Series:
    return numbers.map(lambda v: "blank" if pd.isna(v) else show_value(v))


def _survey_problems(
    files: list[tuple[str, pd.DataFrame]],
    known_las: set[str] | None,
    la_lookup: str,
    home_la: pd.Series | None,
    neighbourhoods: str,
) -> list[Problem]:
    keys = _keys(files, ["respondent_id", "wave", "la_code", "neighbourhood_code"])
    problems: list[Problem] = []
    la = keys["la_code"]
    la_ok = _valid_text(la, check_la_code)
    if known_las is not None:
        problems += _unknown_la(keys, known_las, la_lookup)
        la_ok &= la.isin(known_las)
    if home_la is not None:
        code = keys["neighbourhood_code"]
        code_ok = _valid_text(code, check_neighbourhood_code)
        home = code.map(home_la)
        problems += _problems_by_file(
            keys,
            code_ok & home.isna(),
            "neighbourhood_code",
            f"is not a neighbourhood in {neighbourhoods}",
            f"add the neighbourhood to {neighbourhoods} or correct the code",
            code,
        )
        wrong = code_ok & la_ok & home.notna() & (home != la)
        problems += _problems_by_file(
            keys,
            wrong,
            "neighbourhood_code",
            f"belongs to another LA in {neighbourhoods} than the row's la_code",
            f"correct la_code or neighbourhood_code so the pair matches {neighbourhoods}",
            lambda hit: (
                hit["neighbourhood_code"].astype("str")
                + " is in "
                + home[hit.index].astype("str")
                + ", not "
                + hit["la_code"].astype("str")
            ),
            formatted=True,
        )
    problems += _duplicate_respondents(keys)
    return problems


def _duplicate_respondents(keys: pd.DataFrame) -> list[Problem]:
    wave = _as_number(keys["wave"])
    ident = keys["respondent_id"]
    usable = ident.notna() & _whole(wave)
    if not usable.any():
        return []
    text = respondent_id_text(ident.where(usable))
    dup = usable & pd.DataFrame({"id": text, "wave": wave}).duplicated(keep=False)
    return _problems_by_file(
        keys,
        dup,
        "respondent_id",
        "appears more than once in the same wave",
        "each respondent may appear once per wave (the same id in two waves is fine); "
        "remove duplicated rows or correct the ids",
        lambda hit: "id " + text[hit.index].astype("str") + " in wave " + _plain(wave[hit.index]),
        formatted=True,
    )


def _legacy_problems(
    files: list[tuple[str, pd.DataFrame]], known_las: set[str] | None, la_lookup: str
) -> list[Problem]:
    present = set(files[0][1].columns)
    keys = _keys(files, ["la_code", "source", "indicator", "year", "value", "ci_lower", "ci_upper"])
    problems: list[Problem] = []
    if known_las is not None and "la_code" in present:
        problems += _unknown_la(keys, known_las | {ENGLAND_CODE}, la_lookup, england=True)
    if {"value", "ci_lower", "ci_upper"} <= present:
        value = _as_number(keys["value"])
        low, high = _as_number(keys["ci_lower"]), _as_number(keys["ci_upper"])
        # Only among percentages that passed their own rule, so each mistake shows once.
        valid = value.between(0, 100) & ~(low < 0) & ~(low > 100) & ~(high < 0) & ~(high > 100)
        bad = valid & ((low > value) | (value > high))
        problems += _problems_by_file(
            keys,
            bad,
            "value",
            "must lie between ci_lower and ci_upper",
            "check the value and its confidence interval have not been swapped",
            lambda hit: (
                _plain(value[hit.index])
                + " outside "
                + _plain(low[hit.index])
                + " to "
                + _plain(high[hit.index])
            ),
            formatted=True,
        )
    ident = ["la_code", "source", "indicator", "year"]
    if set(ident) <= present:
        complete = keys[ident].notna().all(axis=1)
        dup = complete & keys[ident].astype("str").duplicated(keep=False)
        problems += _problems_by_file(
            keys,
            dup,
            None,
            "the same la_code, source, indicator and year appear on more than one row",
            "keep one published figure per LA, source, indicator and year",
            lambda hit: hit[ident].astype("str").agg(" ".join, axis=1),
            formatted=True,
        )
    return problems


# --------------------------------------------------------------------------- #
# Public entry points
# --------------------------------------------------------------------------- #


def _as_parts(
    tables: Mapping[str, Table], files: Mapping[str, str | Sequence[str]]
) -> dict[str, list[tuple[str, pd.DataFrame]]]:
    parts: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for role, table in tables.items():
        if role not in ROLES:
            raise ValueError(f"unknown table role {role!r}; expected one of {ROLES}")
        frames = [table] if isinstance(table, pd.DataFrame) else list(table)
        names_raw = files.get(role, role)
        names = [names_raw] if isinstance(names_raw, str) else [str(n) for n in names_raw]
        if len(names) != len(frames):
            raise ValueError(f"{role}: {len(frames)} tables but {len(names)} file names")
        parts[role] = list(zip(names, frames, strict=True))
    return parts


def validate_tables(
    tables: Mapping[str, Table],
    measures: Measures,
    files: Mapping[str, str | Sequence[str]],
) -> list[Problem]:
    """Check tables against the input contract and return every problem found.

    Parameters
    ----------
    tables : mapping of role to DataFrame or sequence of DataFrames
        Keys are among :data:`ROLES`. The survey may be given as several frames
        (one per file, e.g. per wave); each is checked on its own, so problems
        name the file and the row within it. Frames are as read, with a
        default index: row ``i`` is spreadsheet row ``i + 2``. Tables that are
        absent are skipped, as are the cross-table checks that need them.
    measures : Measures
    files : mapping of role to file name(s)
        The name to show for each table (a list, matching the frames, for a
        survey given as several frames).

    Returns
    -------
    list of Problem
        Empty when the tables are valid.

    Raises
    ------
    ValueError
        If a role is unknown or the file names do not match the frames (a
        programming error, not bad input).
    """
    parts = _as_parts(tables, files)
    problems: list[Problem] = []
    for role in ROLES:
        schema = schema_for(role, measures) if role in parts else None
        for file, frame in parts.get(role, []):
            assert schema is not None
            problems += _schema_problems(frame, schema, file)
    problems += _cross_table_problems(parts)
    # Group by file (stable, so each file keeps column order), to fix one file at a time.
    order = {
        file: i for i, (file, _) in enumerate(f for role in ROLES for f in parts.get(role, []))
    }
    return sorted(problems, key=lambda p: order.get(p.file, len(order)))


def validate_paths(paths: Sequence[Path | str], measures: Measures) -> list[Problem]:
    """Validate data directories and single input files.

    A directory is checked as a whole: its four tables, then the cross-table
    rules. A single file is checked on its own against the table its name
    says it is (``survey.csv``, ``survey_2024.parquet``, ``la_lookup.xlsx``...).

    Parameters
    ----------
    paths : sequence of Path or str
    measures : Measures

    Returns
    -------
    list of Problem
        Empty when everything is valid.
    """
    # io builds on this module (load_dataset validates with it), so import late.
    from civicpulse_report.inputs import readers as io

    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, found_problems = io.locate_input_files(path)
            tables, names, read_problems = io.read_inputs(found)
            problems += found_problems + read_problems
            problems += validate_tables(tables, measures, names)
        elif path.is_file():
            role = io.role_of(path)
            if role is None:
                problems.append(
                    Problem(
                        file=str(path),
                        rule="is not a recognised input file name",
                        hint=f"name it {io.EXPECTED_NAMES}",
                    )
                )
                continue
            try:
                frame = io.read_table(path)
            except InputError as exc:
                problems += exc.problems
                continue
            problems += validate_tables({role: frame}, measures, {role: str(path)})
        else:
            problems.append(
                Problem(
                    file=str(path),
                    rule="does not exist",
                    hint="give a data directory or one of its input files",
                )
            )
    return problems
