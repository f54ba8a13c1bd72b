"""What a build is asked to do and what it reports back.

:class:`BuildOptions` goes in (resolved and logged at the start of a run, see
:func:`resolved_configuration`); an :class:`LAResult` comes back for each LA
(and one for the national draft) and a :class:`BuildSummary` for the whole run.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from civicpulse_report import __version__, paths
from civicpulse_report.errors import BuildFailure
from civicpulse_report.render import Renderer

#: An output format: ``html``, ``pdf`` or ``docx`` (the render stage checks the name).
Format = str
#: ``auto``: build the national draft when every LA is built; ``only``: build just
#: the national draft; ``skip``: never build it.
NationalMode = Literal["auto", "only", "skip"]
#: ``local``: forked worker processes on this machine; ``dask``: a Dask cluster.
Executor = Literal["local", "dask"]

#: The task name of the national draft among the per-LA jobs, and its folder.
NATIONAL = "national"
NATIONAL_NOTEBOOK = paths.ANALYSIS_DIR / "national_report.ipynb"
#: Where the authors' Markdown lives, relative to the folder of ``settings.yml``.
NARRATIVE_FOLDER = "narrative"
#: A benchmark file found here, in the data folder, is used without ``--benchmarks``.
BENCHMARKS_FILE = "benchmarks.csv"


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs to know; resolved and logged at the start.

    Attributes
    ----------
    data_dir : Path
        The folder of input tables.
    year : int, optional
        The wave reported; default the latest.
    la_codes : tuple of str
        The LAs to build; empty means every LA with survey responses that year.
    formats : tuple of str
        Output formats of each report (``html``, ``pdf``, ``docx``). Files of
        formats not asked for are carried over from the previous build.
    national : "auto", "only" or "skip"
        Whether the national draft is built (``auto``: when every LA is).
    benchmarks_path : Path, optional
        A benchmark file supplying comparators; default ``benchmarks.csv`` in
        the data folder when there is one.
    force : bool
        Rebuild every report asked for, even those whose build key says they
        are up to date (:mod:`~civicpulse_report.pipeline.incremental`), and
        recompute the estimates instead of reading their cache.
    narrative_dir : Path, optional
        The authors' Markdown files; default ``narrative/`` next to
        ``settings.yml``.
    executor : "local" or "dask"
        Where the per-report tasks run. ``local`` (the default, measured
        faster on one machine): ``jobs`` forked worker processes. ``dask``: a
        Dask distributed cluster (:mod:`~civicpulse_report.pipeline.dask_executor`);
        workers need not share a filesystem, the client publishes every report.
    scheduler : str, optional
        With ``executor="dask"``, the address of an existing Dask scheduler
        (``tcp://host:8786``); without one the run starts a ``LocalCluster``
        of ``jobs`` worker processes and closes it at the end.
    """

    data_dir: Path
    year: int | None = None
    la_codes: tuple[str, ...] = ()
    formats: tuple[Format, ...] = ("html", "pdf")
    renderer: Renderer = "auto"
    jobs: int = 1
    out_dir: Path = paths.REPORTS_DIR
    build_dir: Path = paths.BUILD_DIR
    notebook: Path = paths.LA_REPORT_NOTEBOOK
    national_notebook: Path = NATIONAL_NOTEBOOK
    measures_path: Path = paths.MEASURES_FILE
    settings_path: Path = paths.SETTINGS_FILE
    interventions_path: Path = paths.INTERVENTIONS_FILE
    fresh_kernels: bool = False
    national: NationalMode = "auto"
    benchmarks_path: Path | None = None
    narrative_dir: Path | None = None
    force: bool = False
    executor: Executor = "local"
    scheduler: str | None = None

    @property
    def narrative_folder(self) -> Path:
        """The folder of the authors' Markdown (``narrative/`` beside settings.yml)."""
        if self.narrative_dir is not None:
            return self.narrative_dir
        return self.settings_path.parent / NARRATIVE_FOLDER


@dataclass
class LAResult:
    """One LA's (or the national draft's) outcome: published files, or the failure."""

    la_code: str
    ok: bool
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)
    failure: BuildFailure | None = None
    carried_over: tuple[str, ...] = ()


@dataclass
class BuildSummary:
    """The whole run: what was built, what failed, where and how long it took.

    Attributes
    ----------
    built : list of str
        LA codes published by this run.
    failed : list of BuildFailure
        LAs that failed (their previous report, if any, is untouched).
    skipped : list of str
        LAs in the LA lookup with no survey responses in the year: reported
        before the build, never built, never failures.
    national : LAResult, optional
        The national draft's outcome, when it was part of the run.
    index_path : Path, optional
        The index of reports written for the year.
    index_failure : BuildFailure, optional
        Why the index could not be written (the reports are published).
    notes : list of str
        What the run said before it started (skipped LAs, comparators, k).
    results : list of LAResult
        Each LA's result, in LA order (files published, files kept).
    up_to_date : list of str
        Reports not rebuilt because their build key matched (LA codes, and
        ``"national"`` when the national draft was up to date).
    """

    year: int
    built: list[str]
    failed: list[BuildFailure]
    skipped: list[str]
    seconds: float
    out_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    national: LAResult | None = None
    index_path: Path | None = None
    index_failure: BuildFailure | None = None
    notes: list[str] = field(default_factory=list)
    results: list[LAResult] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """1 when an LA, the national draft or the index failed, else 0."""
        national_failed = self.national is not None and not self.national.ok
        return 1 if self.failed or national_failed or self.index_failure else 0


def resolved_configuration(options: BuildOptions) -> dict[str, Any]:
    """The resolved options as plain data, for the start-of-run log."""
    data = asdict(options) | {"narrative_dir": options.narrative_folder}
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()} | {
        "python": sys.version.split()[0],
        "package_version": __version__,
    }
