"""Pipeline: prepare once, run one job per LA, stage and publish outputs atomically.

``options`` (what to build, what came back), ``prepare`` (inputs, validation,
estimates), ``job`` (one LA's report), ``publish`` (staging and atomic moves),
``executors`` (in-process or forked workers), ``notebook`` (the papermill
contract and warm kernels) and ``build`` (the whole run).
"""

from civicpulse_report.pipeline.build import build_reports
from civicpulse_report.pipeline.job import front_matter_yaml
from civicpulse_report.pipeline.notebook import (
    KernelPool,
    execute_report_notebook,
    notebook_parameters,
)
from civicpulse_report.pipeline.options import (
    BuildOptions,
    BuildSummary,
    LAResult,
    resolved_configuration,
)
from civicpulse_report.pipeline.prepare import RunContext
from civicpulse_report.pipeline.publish import STAGING, recover_interrupted

__all__ = [
    "STAGING",
    "BuildOptions",
    "BuildSummary",
    "KernelPool",
    "LAResult",
    "RunContext",
    "build_reports",
    "execute_report_notebook",
    "front_matter_yaml",
    "notebook_parameters",
    "recover_interrupted",
    "resolved_configuration",
]
