"""Compare the value labels of an SPSS or Stata file with the codes in measures.yml.

A ``.sav`` or ``.dta`` file says what each of its codes means. If its labels
*contradict* ``measures.yml`` (the file's 1 is "Definitely disagree" where the
YAML's 1 is "Definitely agree": a reversed scale), reading its codes by the
YAML would turn every answer round, so that is an error naming the variable,
the codes and both labels. Labels that only differ in wording ("Strongly
agree" for "Definitely agree") are a warning.

"Contradict" is decided robustly: labels are compared after normalising case,
punctuation, a leading code number and intensity words ("strongly",
"definitely", "very" are one word; "tend to", "fairly", "quite" are dropped),
and a code's label contradicts the YAML when it matches another code's YAML
label clearly better than its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import pandas as pd

from civicpulse_report.errors import Problem
from civicpulse_report.measures import Measures

#: Similarity a label must reach with another code's YAML label to contradict.
CONTRADICTION_SCORE = 0.7
#: ... and by how much it must beat its own code's YAML label.
CONTRADICTION_MARGIN = 0.15

_STRONG = frozenset(
    {"strongly", "definitely", "very", "extremely", "completely", "totally", "absolutely"}
)
_MILD = frozenset({"tend", "to", "fairly", "quite", "somewhat", "slightly", "mostly", "rather"})
_WORD = re.compile(r"[a-z0-9]+")


def compact(label: str) -> str:
    """A label without case, punctuation or extra spaces: how wording is compared."""
    return " ".join(_WORD.findall(label.lower().replace("'", "")))


def normalised(label: str) -> str:
    """A label reduced to its meaning: case, punctuation, intensity words and code numbers gone.

    Examples
    --------
    >>> normalised("Strongly agree"), normalised("Tend to disagree")
    ('very agree', 'disagree')
    >>> normalised("1 (most deprived)"), normalised("Neither agree nor disagree")
    ('most deprived', 'neutral')
    """
    words = compact(label).split()
    if len(words) > 1 and words[0].isdigit():
        words = words[1:]
    if words and words[0] == "neither":
        return "neutral"
    kept = ["very" if w in _STRONG else w for w in words if w not in _MILD]
    return " ".join(kept) if kept else " ".join(words)


def similarity(a: str, b: str) -> float:
    """How alike two normalised labels are, 0 to 1: characters and whole words alike.

    The mean of the characters' match ratio (in the words' own or sorted
    order) and the share of words in common, so "very dissatisfied" is far
    from "very satisfied" although most of its letters match.
    """
    if a == b:
        return 1.0
    chars = max(
        difflib.SequenceMatcher(None, a, b).ratio(),
        difflib.SequenceMatcher(
            None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))
        ).ratio(),
    )
    words_a, words_b = set(a.split()), set(b.split())
    words = len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0
    return (chars + words) / 2


def _code(value: object) -> int | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def compare_labels(
    file_labels: Mapping[object, str], codes: Mapping[int, str]
) -> tuple[list[tuple[int, str, str, int]], list[tuple[int, str, str]]]:
    """Compare one variable's value labels with its codes in measures.yml.

    Parameters
    ----------
    file_labels : mapping of code to label
        As read from the file; codes the YAML does not define (missing codes
        such as -8) are ignored.
    codes : mapping of int to str
        The YAML's codes and labels.

    Returns
    -------
    contradictions, differences
        ``(code, file label, YAML label, the code whose YAML label it matches)``
        for each contradiction, and ``(code, file label, YAML label)`` for each
        label that only differs in wording.
    """
    yaml_norm = {c: normalised(label) for c, label in codes.items()}
    contradictions: list[tuple[int, str, str, int]] = []
    differences: list[tuple[int, str, str]] = []
    for raw_code, label in file_labels.items():
        code = _code(raw_code)
        if code is None or code not in codes or not str(label).strip():
            continue
        label = str(label)
        if compact(label) == compact(codes[code]):
            continue
        mine = normalised(label)
        own = similarity(mine, yaml_norm[code])
        others = [(similarity(mine, n), c) for c, n in yaml_norm.items() if c != code]
        best, other = max(others, default=(0.0, code))
        if best >= CONTRADICTION_SCORE and best >= own + CONTRADICTION_MARGIN:
            contradictions.append((code, label, codes[code], other))
        else:
            differences.append((code, label, codes[code]))
    return contradictions, differences


def label_findings(
    frame: pd.DataFrame, measures: Measures, file: str
) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings from a file's value labels (``frame.attrs["value_labels"]``).

    Parameters
    ----------
    frame : DataFrame
        As read by :func:`~civicpulse_report.inputs.readers.read_table`.
    measures : Measures
        Supplies each item's and demographic's codes.
    file : str
        The name to show.

    Returns
    -------
    errors, warnings
        One problem per variable whose labels contradict measures.yml, and one
        warning per variable whose labels differ only in wording.
    """
    labels = frame.attrs.get("value_labels") or {}
    yaml_name = _measures_name(measures)
    coded = {n: d.codes for n, d in measures.demographics.items()}
    coded.update({n: item.codes for n, item in measures.items.items()})
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for name, file_labels in labels.items():
        if name not in coded or not file_labels:
            continue
        contradictions, differences = compare_labels(file_labels, coded[name])
        if contradictions:
            errors.append(_contradiction(file, name, contradictions, coded[name], yaml_name))
        if differences:
            shown = tuple(f"{c} = '{mine}' (YAML: '{theirs}')" for c, mine, theirs in differences)
            warnings.append(
                Problem(
                    file=file,
                    column=name,
                    rule=f"value labels are worded differently from {yaml_name}",
                    values=shown[:5],
                    hint=(
                        f"the codes are read as {yaml_name} defines them; check that the "
                        "file's codes mean the same"
                    ),
                )
            )
    return errors, warnings


def _contradiction(
    file: str,
    name: str,
    found: list[tuple[int, str, str, int]],
    codes: Mapping[int, str],
    yaml_name: str,
) -> Problem:
    code, mine, theirs, other = found[0]
    recode = " ".join(f"({c}={o})" for c, _, _, o in found)
    return Problem(
        file=file,
        column=name,
        rule=(
            f"value labels contradict {yaml_name}: code {code} is labelled '{mine}' in this "
            f"file but is '{theirs}' in {yaml_name}, which labels code {other} "
            f"'{codes[other]}'; the codes would be read the wrong way round"
        ),
        values=tuple(f"{c} = '{m}' (YAML: '{t}')" for c, m, t, _ in found[:5]),
        hint=(
            f"if the scale is reversed, recode the variable to match {yaml_name} (in SPSS: "
            f"RECODE {name} {recode}.) and correct its value labels; if only the labels "
            "are wrong, correct them"
        ),
    )


def _measures_name(measures: Measures) -> str:
    source = str(measures.source or "measures.yml")
    return source.replace("\\", "/").rsplit("/", 1)[-1]
