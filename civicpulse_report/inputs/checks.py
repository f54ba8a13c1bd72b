"""Cross-table checks: the rules that join the input tables.

Unknown LA or neighbourhood codes, a neighbourhood filed under the wrong LA,
two neighbourhoods on one tile, duplicate respondents within a wave, a survey
file named for one wave (``survey_2025.csv``) holding rows of another, and
legacy figures outside their confidence interval or given twice. These run
after the per-table schemas, on the rows whose codes passed them, so one
mistake is reported once. Checks are vectorised, so a national survey of
~600,000 rows validates in a couple of seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from civicpulse_report.errors import Problem
from civicpulse_report.inputs.codes import ENGLAND_CODE, check_la_code, check_neighbourhood_code
from civicpulse_report.inputs.problems import make_problem, show_value
from civicpulse_report.inputs.values import as_number, is_whole, respondent_id_text

_FILE = "_source_file"
_ROW = "_source_row"
_WAVE_FILE = re.compile(r"survey_((?:19|20|21)\d\d)")


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
        make_problem(
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


def cross_table_problems(
    parts: Mapping[str, list[tuple[str, pd.DataFrame]]],
) -> list[Problem]:
    """Rules that join tables, run on rows whose codes passed the table's own rules.

    Parameters
    ----------
    parts : mapping of role to list of (file name, DataFrame)
        The tables present, each as its files (several for a survey given per
        wave). Checks needing an absent table are skipped.

    Returns
    -------
    list of Problem
        One per rule and file; empty when the tables agree.
    """
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
        x, y = as_number(keys["tile_x"]), as_number(keys["tile_y"])
        placed = is_whole(x) & is_whole(y) & keys["la_code"].notna()
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
    problems += _waves_against_file_names(keys)
    return problems


def _waves_against_file_names(keys: pd.DataFrame) -> list[Problem]:
    """Rows of a file named for one wave (survey_2025.csv) that belong to another."""
    problems: list[Problem] = []
    wave = as_number(keys["wave"])
    for file, rows in keys.groupby(_FILE, sort=False).groups.items():
        named = _WAVE_FILE.fullmatch(Path(str(file)).stem)
        if not named:
            continue
        year = int(named.group(1))
        here = wave[rows]
        other = here[is_whole(here) & here.between(2000, 2100) & (here != year)]
        if other.empty:
            continue
        waves = sorted({int(w) for w in other})
        shown = ", ".join(map(str, waves))
        problems.append(
            make_problem(
                str(file),
                "wave",
                f"the file name says wave {year}, but these rows are from "
                f"wave{'s' if len(waves) > 1 else ''} {shown}",
                f"move the rows to the survey file of their wave (e.g. survey_{waves[0]}"
                f"{Path(str(file)).suffix}) or correct their wave; a file holding several "
                "waves must not be named for one (call it e.g. survey_all"
                f"{Path(str(file)).suffix})",
                keys.loc[other.index, _ROW].to_numpy(),
                other,
            )
        )
    return problems


def _duplicate_respondents(keys: pd.DataFrame) -> list[Problem]:
    wave = as_number(keys["wave"])
    ident = keys["respondent_id"]
    usable = ident.notna() & is_whole(wave)
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
        value = as_number(keys["value"])
        low, high = as_number(keys["ci_lower"]), as_number(keys["ci_upper"])
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
