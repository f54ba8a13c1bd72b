"""Place codes and names: England, regions, LA types, and the LA and neighbourhood code rules.

Owns :data:`ENGLAND_CODE`, :data:`ENGLISH_REGIONS` (with the regions and LA
types the LA lookup accepts) and the tests a local authority code (ONS GSS) or
a neighbourhood code must pass. These codes later become file and folder
names, so every stage checks a code with them before using it in a path.
"""

from __future__ import annotations

import re

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
