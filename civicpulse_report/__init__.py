"""civicpulse-report: reproducible Civic Pulse reports, one per local authority."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
