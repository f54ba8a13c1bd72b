"""Project paths, anchored at the project root (cookiecutter-data-science style).

Everything that needs a location asks this module, so a run behaves the same
whichever directory it is started from.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ANALYSIS_DIR = PROJECT_ROOT / "analysis"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
DATA_DIR = PROJECT_ROOT / "data"
CONFIG_DIR = DATA_DIR / "config"
DEMO_DATA_DIR = DATA_DIR / "demo"
REPORTS_DIR = PROJECT_ROOT / "reports"
BUILD_DIR = PROJECT_ROOT / "build"
QUARTO_CONFIG = PROJECT_ROOT / "_quarto.yml"

MEASURES_FILE = CONFIG_DIR / "measures.yml"
SETTINGS_FILE = CONFIG_DIR / "settings.yml"
INTERVENTIONS_FILE = CONFIG_DIR / "interventions.yml"

LA_REPORT_NOTEBOOK = ANALYSIS_DIR / "la_report.ipynb"
