"""Inputs: read the four input tables in any supported format and validate them.

Everything that crosses this boundary has been checked: later stages never see
a file, only a validated :class:`Dataset`.
"""

from civicpulse_report.inputs.codes import ENGLAND_CODE, ENGLISH_REGIONS, check_la_code
from civicpulse_report.inputs.dataset import Dataset, load_dataset
from civicpulse_report.inputs.files import file_sha256
from civicpulse_report.inputs.validate import Validation, check_paths, validate_paths

__all__ = [
    "ENGLAND_CODE",
    "ENGLISH_REGIONS",
    "Dataset",
    "Validation",
    "check_la_code",
    "check_paths",
    "file_sha256",
    "load_dataset",
    "validate_paths",
]
