"""The package's own exceptions.

They form one small hierarchy so the CLI can catch them once at its edge and
turn them into a message and an exit code, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class CivicPulseError(Exception):
    """Base class for every error this package raises on purpose."""

    exit_code: int = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix.

    Attributes
    ----------
    file : str
        The file (or config file) the problem is in.
    rule : str
        The rule that was broken, in plain words.
    column : str | None
        The column, when the problem is in one.
    rows : tuple[int, ...]
        Row numbers as a spreadsheet user sees them (header is row 1, so the
        first data row is row 2). Empty for whole-file problems.
    values : tuple[str, ...]
        A few offending values, as text.
    hint : str
        How to fix it.
    n_rows : int
        How many rows break the rule in all (``rows`` lists only the first few).
    """

    file: str
    rule: str
    column: str | None = None
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()
    hint: str = ""
    n_rows: int = 0

    def describe(self) -> str:
        """Return the problem as one readable paragraph."""
        where = self.file
        if self.column:
            where += f", column '{self.column}'"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows)
            more = self.n_rows - len(self.rows)
            where += f", row{'s' if self.n_rows > 1 else ''} {shown}"
            if more > 0:
                where += f" and {more} more"
        text = f"{where}: {self.rule}"
        if self.values:
            text += f" (e.g. {', '.join(self.values)})"
        if self.hint:
            text += f". Hint: {self.hint}"
        return text


class InputError(CivicPulseError):
    """Input data or configuration breaks the contract. Nothing is written."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem], summary: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.summary = summary or (
            f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} "
            "found in the input"
        )
        super().__init__(self.summary + "\n" + "\n".join(p.describe() for p in self.problems))


class ConfigError(InputError):
    """A YAML configuration file (measures, settings, interventions) is invalid."""


class ParameterError(CivicPulseError):
    """Notebook parameters do not match the notebook's `parameters` cell."""

    exit_code = 2


class RenderError(CivicPulseError):
    """A renderer (pandoc, typst or quarto) failed."""


class BuildError(CivicPulseError):
    """One local authority's report could not be built."""


@dataclass
class BuildFailure:
    """Why one LA failed, for the closing summary."""

    la_code: str
    stage: str
    message: str
    details: list[str] = field(default_factory=list)
