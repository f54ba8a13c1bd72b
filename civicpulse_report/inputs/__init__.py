"""Inputs: read the four input tables in any supported format and validate them.

Everything that crosses this boundary has been checked: later stages never see
a file, only a validated :class:`Dataset`.
"""

from civicpulse_report.inputs.readers import Dataset, file_sha256, load_dataset
from civicpulse_report.inputs.schema import (
    ENGLAND_CODE,
    ENGLISH_REGIONS,
    check_la_code,
    validate_paths,
)

__all__ = [
    "ENGLAND_CODE",
    "ENGLISH_REGIONS",
    "Dataset",
    "check_la_code",
    "file_sha256",
    "load_dataset",
    "validate_paths",
]
