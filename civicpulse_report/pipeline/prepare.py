"""Prepare a run once: load and validate every input, then compute all estimates.

Nothing is written if anything is wrong. The result is a :class:`RunContext`:
everything the per-LA jobs share (data, configuration, the one vectorised
pass of estimates split by LA, and the provenance the manifests record),
computed once in the parent and inherited by forked workers.
"""

from __future__ import annotations

import contextlib
import logging
import platform
import re
import subprocess
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from civicpulse_report import __version__, paths, render
from civicpulse_report.errors import InputError, Problem
from civicpulse_report.inputs import Dataset, check_la_code, file_sha256, load_dataset
from civicpulse_report.insight import Intervention, load_interventions
from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.pipeline.notebook import check_parameters, notebook_parameters
from civicpulse_report.pipeline.options import BuildOptions
from civicpulse_report.settings import Settings, load_settings
from civicpulse_report.statistics import EstimateSet, compute_estimates

log = logging.getLogger(__name__)

SYNTHETIC_CODE = re.compile(r"^X0[6-9]\d{6}$")


@dataclass(frozen=True)
class RunContext:
    """What the per-LA jobs share: computed once, inherited by forked workers."""

    options: BuildOptions
    year: int
    dataset: Dataset
    measures: Measures
    settings: Settings
    interventions: tuple[Intervention, ...]
    estimates: EstimateSet
    synthetic: bool
    renderer: str
    input_hashes: dict[str, str]
    tool_versions: dict[str, str]
    git_commit: str | None
    by_la: dict[str, pd.DataFrame]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=paths.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def tool_versions() -> dict[str, str]:
    """Versions of Python and the packages and tools that shape the outputs."""
    versions = {"python": platform.python_version(), "civicpulse-report": __version__}
    for dist in (
        "pandas",
        "numpy",
        "scipy",
        "pandera",
        "papermill",
        "nbclient",
        "ipykernel",
        "matplotlib",
        "seaborn",
        "typst",
        "pypandoc-binary",
        "pyreadstat",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    versions.update(render.tool_versions())
    return versions


def is_synthetic(dataset: Dataset) -> bool:
    """True when the data are the synthetic demo (its LA codes are X0 codes)."""
    return bool(dataset.la_lookup["la_code"].astype(str).str.match(SYNTHETIC_CODE).any())


def _check_requested_codes(la_codes: tuple[str, ...], known: set[str]) -> None:
    """Refuse requested LA codes that are malformed or not in the LA lookup."""
    problems = []
    for code in la_codes:
        if not check_la_code(code):
            problems.append(
                Problem(
                    "--la",
                    f"'{code}' is not a valid LA code",
                    hint="use a GSS code such as E06000001",
                )
            )
        elif code not in known:
            problems.append(
                Problem(
                    "--la",
                    f"LA code '{code}' is not in the LA lookup",
                    values=(code,),
                    hint="check the code against la_lookup",
                )
            )
    if problems:
        raise InputError(problems)


def _split_by_la(estimates: EstimateSet) -> dict[str, pd.DataFrame]:
    """Each LA's estimate rows, for its fact bundle.

    An LA gets its own rows plus the rows every report needs: those of no LA
    (England, regions, LA types) and every LA's overall (``la``, ``all``) rows.
    """
    est = estimates.estimates
    common = est[est["la_code"].isna() | ((est["level"] == "la") & (est["breakdown"] == "all"))]
    return {
        code: pd.concat(
            [common, part[~((part["level"] == "la") & (part["breakdown"] == "all"))]],
            ignore_index=True,
        )
        for code, part in est[est["la_code"].notna()].groupby("la_code", sort=False)
    }


def prepare(options: BuildOptions) -> RunContext:
    """Load config and data, validate, and compute all estimates.

    Parameters
    ----------
    options : BuildOptions

    Returns
    -------
    RunContext

    Raises
    ------
    InputError
        Bad configuration, bad data, a missing year or an unknown LA code.
        Nothing has been written when this is raised.
    """
    measures = load_measures(options.measures_path)
    settings = load_settings(options.settings_path)
    interventions = load_interventions(options.interventions_path, measures)
    dataset = load_dataset(options.data_dir, measures, year=options.year)
    year = options.year if options.year is not None else dataset.waves[-1]

    known = set(dataset.la_lookup["la_code"].astype(str))
    _check_requested_codes(options.la_codes, known)
    check_parameters(options.notebook, notebook_parameters("X06000001", year, Path("facts.json")))
    renderer = render.resolve_renderer(options.renderer)

    started = time.perf_counter()
    estimates = compute_estimates(dataset, measures, settings)
    log.info("estimates for %d LAs computed in %.1fs", len(known), time.perf_counter() - started)
    by_la = _split_by_la(estimates)
    hashes = dict(dataset.files)
    for cfg in (
        options.measures_path,
        options.settings_path,
        options.interventions_path,
        options.notebook,
    ):
        hashes[str(cfg)] = file_sha256(cfg)
    return RunContext(
        options=options,
        year=year,
        dataset=dataset,
        measures=measures,
        settings=settings,
        interventions=tuple(interventions),
        estimates=estimates,
        synthetic=is_synthetic(dataset),
        renderer=renderer,
        input_hashes=hashes,
        tool_versions=tool_versions(),
        git_commit=_git_commit(),
        by_la=by_la,
    )
