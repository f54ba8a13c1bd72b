"""Pipeline: check and prepare once, run one job per LA and the national draft, publish.

``options`` (what to build, what came back), ``prepare`` (the pre-work
checks that ``validate`` shares, inputs, estimates), ``plan``,
``comparators`` and ``narrative`` (parts of those checks), ``job`` (one LA's report),
``national`` (the national draft), ``stages`` (the steps both share),
``publish`` (staging, carrying over unrequested formats, atomic moves),
``executors`` (forked workers, never the parent), ``contract`` (the
notebooks' parameters), ``notebook`` and ``record_engine`` (papermill in warm kernels), ``provenance`` (what manifests record) and
``incremental`` (build keys: what is up to date), ``estimates_cache`` (the
all-LA estimates on disk) and ``build`` (the whole run, then the index of
reports).
"""

from civicpulse_report.pipeline.build import build_reports, up_to_date
from civicpulse_report.pipeline.contract import notebook_parameters
from civicpulse_report.pipeline.job import front_matter_yaml
from civicpulse_report.pipeline.notebook import KernelPool, execute_report_notebook
from civicpulse_report.pipeline.options import (
    NATIONAL,
    BuildOptions,
    BuildSummary,
    LAResult,
    resolved_configuration,
)
from civicpulse_report.pipeline.prepare import Prechecked, RunContext, precheck, precheck_folders
from civicpulse_report.pipeline.publish import STAGING, recover_interrupted

__all__ = [
    "NATIONAL",
    "STAGING",
    "BuildOptions",
    "BuildSummary",
    "KernelPool",
    "LAResult",
    "Prechecked",
    "RunContext",
    "build_reports",
    "execute_report_notebook",
    "front_matter_yaml",
    "notebook_parameters",
    "precheck",
    "precheck_folders",
    "recover_interrupted",
    "resolved_configuration",
    "up_to_date",
]
