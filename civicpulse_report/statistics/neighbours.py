"""Statistical nearest neighbours: the LAs most like a given LA.

In the spirit of CIPFA's Nearest Neighbours Model: each contextual variable
is turned into a z-score across all LAs, multiplied by its weight, and LAs are
compared by Euclidean distance in that weighted space. A report then sets an
LA beside its closest k LAs rather than beside England as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd

from civicpulse_report.errors import InputError, Problem
from civicpulse_report.settings import closest

LOG_POPULATION = "log_population"
POPULATION = "population"

# Distances closer than this are treated as equal, so that ties are broken by
# LA code and not by floating-point noise in the z-scores.
_TIE_DECIMALS = 12

_SOURCE = "LA lookup (contextual variables)"


def nearest_neighbours(
    context: pd.DataFrame,
    variables: Mapping[str, float],
    k: int = 15,
    id_column: str = "la_code",
) -> pd.DataFrame:
    """Each LA's k statistically nearest neighbours.

    Each variable is standardised across all LAs in ``context`` (mean 0,
    population SD 1, i.e. ddof=0), multiplied by its weight, and the distance
    between two LAs is the Euclidean distance between their weighted z-score
    vectors. An LA is never its own neighbour. Equal distances are ordered by
    the neighbour's code, so the result does not depend on row order.

    If ``log_population`` is requested but is not a column while
    ``population`` is, it is derived as log10(population), since population is
    strongly right-skewed and a raw z-score would let the largest cities
    dominate the distance.

    A variable with no spread across LAs (SD 0) carries no information about
    similarity and contributes zero to every distance.

    Parameters
    ----------
    context : pandas.DataFrame
        One row per LA: ``id_column`` and the contextual variables.
    variables : mapping of str to float
        Variable name -> weight (finite, >= 0).
    k : int
        Number of neighbours per LA; must be below the number of LAs.
    id_column : str
        Column holding the LA code.

    Returns
    -------
    pandas.DataFrame
        Columns ``la_code``, ``neighbour_code``, ``rank`` (1..k) and
        ``distance``; one row per LA and neighbour, sorted by ``la_code`` and
        ``rank``.

    Raises
    ------
    InputError
        If ``id_column`` or a variable is missing, a variable is not numeric or
        has missing values (or ``population`` is not positive when deriving
        ``log_population``), LA codes repeat, a weight is negative or not
        finite, no variable is given, or ``k`` is not between 1 and the number
        of LAs minus one. Every problem found is reported at once.
    """
    problems = _check_inputs(context, variables, k, id_column)
    if problems:
        raise InputError(problems, summary="Cannot find nearest neighbours")

    names = list(variables)
    codes = context[id_column].astype(str).to_numpy()
    values = np.column_stack([_variable(context, name) for name in names])
    weights = np.array([float(variables[name]) for name in names])

    sd = values.std(axis=0, ddof=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        zscores = np.where(sd > 0, (values - values.mean(axis=0)) / sd, 0.0)
    scaled = zscores * weights

    # Direct pairwise differences (not the |a|²+|b|²-2ab shortcut) keep the
    # matrix exactly symmetric and exact ties exact; 300 x 300 x v is small.
    diff = scaled[:, None, :] - scaled[None, :, :]
    distance = np.sqrt(np.einsum("ijv,ijv->ij", diff, diff))
    np.fill_diagonal(distance, np.inf)

    code_rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")
    tie_key = np.broadcast_to(code_rank, distance.shape)
    order = np.lexsort((tie_key, np.round(distance, _TIE_DECIMALS)), axis=-1)[:, :k]

    n = len(codes)
    rows = np.repeat(np.arange(n), k)
    cols = order.ravel()
    result = pd.DataFrame(
        {
            "la_code": codes[rows],
            "neighbour_code": codes[cols],
            "rank": np.tile(np.arange(1, k + 1, dtype=np.int64), n),
            "distance": distance[rows, cols],
        }
    )
    return result.sort_values(["la_code", "rank"], kind="stable").reset_index(drop=True)


def neighbour_input_problems(
    context: pd.DataFrame, variables: Mapping[str, float], k: int, id_column: str = "la_code"
) -> list[Problem]:
    """Every problem :func:`nearest_neighbours` would raise for these inputs, or none.

    The same checks, without finding a neighbour: for the checks a build
    makes before any work.
    """
    return _check_inputs(context, variables, k, id_column)


def _variable(context: pd.DataFrame, name: str) -> np.ndarray:
    if name == LOG_POPULATION and name not in context.columns:
        return np.log10(context[POPULATION].to_numpy(dtype=float))
    return context[name].to_numpy(dtype=float)


def _check_inputs(
    context: pd.DataFrame, variables: Mapping[str, float], k: int, id_column: str
) -> list[Problem]:
    problems: list[Problem] = []
    if id_column not in context.columns:
        problems.append(
            Problem(
                _SOURCE,
                "the LA code column is missing",
                column=id_column,
                hint=f"add a '{id_column}' column or pass id_column",
            )
        )
    else:
        codes = context[id_column]
        repeated = codes.duplicated(keep=False).to_numpy()
        if repeated.any():
            problems.append(
                Problem(
                    _SOURCE,
                    "LA codes must be unique",
                    column=id_column,
                    rows=_rows(repeated),
                    values=tuple(str(v) for v in codes[repeated].unique()[:5]),
                    n_rows=int(repeated.sum()),
                    hint="keep one row per LA",
                )
            )

    if not variables:
        problems.append(
            Problem(_SOURCE, "no contextual variables were given", hint="name at least one")
        )
    for name, weight in variables.items():
        problems.extend(_check_variable(context, name))
        valid_weight = (
            isinstance(weight, Real)
            and not isinstance(weight, bool)
            and bool(np.isfinite(weight))
            and weight >= 0
        )
        if not valid_weight:
            problems.append(
                Problem(
                    "nearest-neighbour settings",
                    "a variable weight must be a finite number >= 0",
                    column=name,
                    values=(repr(weight),),
                )
            )

    n = len(context)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k < n:
        problems.append(
            Problem(
                "nearest-neighbour settings",
                f"k must be a whole number from 1 to {n - 1} (one fewer than the "
                f"{n} LAs, as an LA is not its own neighbour)",
                values=(repr(k),),
                hint="lower k or add LAs",
            )
        )
    return problems


def _check_variable(context: pd.DataFrame, name: str) -> list[Problem]:
    source = name
    if name == LOG_POPULATION and name not in context.columns and POPULATION in context.columns:
        source = POPULATION
    if source not in context.columns:
        near = closest(name, [str(c) for c in context.columns])
        return [
            Problem(
                _SOURCE,
                f"contextual variable '{name}' is missing",
                column=name,
                hint=(
                    (f"did you mean '{near}'? " if near else "")
                    + f"add a '{name}' column"
                    + (f" (or '{POPULATION}' to derive it)" if name == LOG_POPULATION else "")
                    + " or remove it from the nearest-neighbour variables"
                ),
            )
        ]
    column = context[source]
    if not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)):
        bad = (pd.to_numeric(column, errors="coerce").isna() & column.notna()).to_numpy()
        return [
            Problem(
                _SOURCE,
                f"contextual variable '{source}' must be numeric",
                column=source,
                rows=_rows(bad),
                values=tuple(str(v) for v in column[bad].unique()[:5]),
                n_rows=int(bad.sum()),
            )
        ]
    problems = []
    values = column.to_numpy(dtype=float)
    gaps = ~np.isfinite(values)
    if gaps.any():
        problems.append(
            Problem(
                _SOURCE,
                f"contextual variable '{source}' has missing or infinite values",
                column=source,
                rows=_rows(gaps),
                n_rows=int(gaps.sum()),
                hint="fill them in; every LA needs every variable",
            )
        )
    if source != name:
        nonpositive = np.isfinite(values) & (values <= 0)
        if nonpositive.any():
            problems.append(
                Problem(
                    _SOURCE,
                    f"'{POPULATION}' must be > 0 to derive '{LOG_POPULATION}'",
                    column=POPULATION,
                    rows=_rows(nonpositive),
                    values=tuple(str(v) for v in values[nonpositive][:5]),
                    n_rows=int(nonpositive.sum()),
                )
            )
    return problems


def _rows(mask: np.ndarray, limit: int = 5) -> tuple[int, ...]:
    # Spreadsheet row numbers: header is row 1, first data row is row 2.
    return tuple(int(p) + 2 for p in np.flatnonzero(mask)[:limit])
