"""The pandera schema of each input table: the rules a single table must follow.

Each table has a schema built from ``measures.yml`` (the survey items and their
valid codes come from the YAML, not from code). Every check carries its
plain-English rule and hint in the column's metadata, so a failure can be
translated into a :class:`~civicpulse_report.errors.Problem` without a side
table (see :mod:`~civicpulse_report.inputs.problems`). Also owns the names of
the four tables (:data:`ROLES`) and of the LA lookup's contextual columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from civicpulse_report.inputs.codes import (
    ENGLAND_CODE,
    LA_TYPES,
    REGIONS,
    check_la_code,
    check_neighbourhood_code,
)
from civicpulse_report.inputs.values import (
    codes_check,
    not_blank_check,
    number_check,
    respondent_id_check,
    valid_by_unique,
)
from civicpulse_report.measures import Measures
from civicpulse_report.settings import DEMOGRAPHIC_COLUMNS

#: The four tables of a data directory, by role (also the file name stems).
ROLES = ("survey", "la_lookup", "neighbourhoods", "legacy_indicators")

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


def _column(
    checks: Sequence[tuple[str, Callable[[pd.Series], pd.Series], str, str]] = (),
    *,
    nullable: bool = False,
    unique: bool = False,
    required: bool = True,
    blank: tuple[str, str] = _BLANK_RULE,
    description: str = "",
    numeric: bool | None = None,
) -> pa.Column:
    """A pandera column whose checks carry their plain-English rule and hint.

    ``checks`` holds ``(name, function, rule, hint)``; the rules live in the
    column's metadata so failures can be translated without a side table.
    ``numeric`` columns (by default, those whose checks test numbers or codes)
    get their own message for numbers written with thousands separators.
    """
    if numeric is None:
        numeric = any(getattr(fn, "numeric", False) for _, fn, _, _ in checks)
    rules = {name: (rule, hint) for name, _, rule, hint in checks}
    rules["not_nullable"] = blank
    rules["field_uniqueness"] = _UNIQUE_RULE
    # pandera keeps one failure case per check (cheap even when a whole column
    # is wrong); problems.schema_problems re-runs it to count and locate every row.
    return pa.Column(
        checks=[
            pa.Check(fn, name=name, element_wise=False, n_failure_cases=1)
            for name, fn, _, _ in checks
        ],
        nullable=nullable,
        unique=unique,
        required=required,
        description=description,
        metadata={
            "rules": rules,
            "checks": {name: fn for name, fn, _, _ in checks},
            "numeric": numeric,
        },
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
        pattern = valid_by_unique(lambda v: v == ENGLAND_CODE or check_la_code(v))
        hint = (
            "use the ONS GSS code of the LA (E06, E07, E08, E09 or W06 followed by six "
            f"digits, e.g. E06000001; synthetic demo codes X06-X09) or {ENGLAND_CODE} for England"
        )
    else:
        pattern = valid_by_unique(check_la_code)
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
                valid_by_unique(check_neighbourhood_code),
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
        [("not_blank", not_blank_check, "must not be blank", f"give every row a {what}")],
        blank=("must not be blank", f"give every row a {what}"),
    )


def _choice_column(allowed: Sequence[str], what: str) -> pa.Column:
    listed = ", ".join(f"'{a}'" for a in allowed)
    return _column(
        [
            (
                f"one_of_{what}",
                valid_by_unique(lambda v: v in allowed),
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
    return _column([("valid_code", codes_check(list(codes)), rule, hint)], nullable=True)


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
                    respondent_id_check,
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
                    number_check(2000, 2100, whole=True),
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
                    number_check(0, None, low_inclusive=False),
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
                    number_check(0, None, low_inclusive=False, whole=True),
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
                        number_check(0, 100),
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
                        number_check(),
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
        number_check(0, None, whole=True),
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
                        number_check(0, None, low_inclusive=False, whole=True),
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
        number_check(0, 100),
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
                        number_check(0, None, low_inclusive=False, whole=True),
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
                        number_check(1990, 2100, whole=True),
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
