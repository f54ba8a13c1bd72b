"""Pipeline: prepare once, run one job per LA, stage and publish outputs atomically."""

from civicpulse_report.pipeline.build import (
    BuildOptions,
    BuildSummary,
    build_reports,
    front_matter_yaml,
    notebook_parameters,
    resolved_configuration,
)
from civicpulse_report.pipeline.notebook import KernelPool, execute_report_notebook

__all__ = [
    "BuildOptions",
    "BuildSummary",
    "KernelPool",
    "build_reports",
    "execute_report_notebook",
    "front_matter_yaml",
    "notebook_parameters",
    "resolved_configuration",
]
