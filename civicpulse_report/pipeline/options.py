"""What a build is asked to do and what it reports back.

:class:`BuildOptions` goes in (resolved and logged at the start of a run, see
:func:`resolved_configuration`); an :class:`LAResult` comes back for each LA
and a :class:`BuildSummary` for the whole run.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from civicpulse_report import __version__, paths
from civicpulse_report.errors import BuildFailure
from civicpulse_report.render import Renderer

Format = Literal["html", "pdf"]


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs to know; resolved and logged at the start."""

    data_dir: Path
    year: int | None = None
    la_codes: tuple[str, ...] = ()
    formats: tuple[Format, ...] = ("html", "pdf")
    renderer: Renderer = "auto"
    jobs: int = 1
    out_dir: Path = paths.REPORTS_DIR
    build_dir: Path = paths.BUILD_DIR
    notebook: Path = paths.LA_REPORT_NOTEBOOK
    measures_path: Path = paths.MEASURES_FILE
    settings_path: Path = paths.SETTINGS_FILE
    interventions_path: Path = paths.INTERVENTIONS_FILE
    fresh_kernels: bool = False


@dataclass
class LAResult:
    """One LA's outcome: published files on success, the failure otherwise."""

    la_code: str
    ok: bool
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)
    failure: BuildFailure | None = None


@dataclass
class BuildSummary:
    """The whole run: what was built, what failed, where and how long it took."""

    year: int
    built: list[str]
    failed: list[BuildFailure]
    skipped: list[str]
    seconds: float
    out_dir: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def resolved_configuration(options: BuildOptions) -> dict[str, Any]:
    """The resolved options as plain data, for the start-of-run log."""
    data = asdict(options)
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()} | {
        "python": sys.version.split()[0],
        "package_version": __version__,
    }
