"""Shared fixtures: a small synthetic data set and its estimates, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_specs import SMALL_SPEC

from civicpulse_report.demo import generate_demo, write_demo
from civicpulse_report.inputs import Dataset, load_dataset
from civicpulse_report.measures import Measures, load_measures
from civicpulse_report.settings import Settings, load_settings
from civicpulse_report.statistics.estimates import EstimateSet, compute_estimates

#: The order the suite's folders run in: the long end-to-end builds first, the many
#: quick unit tests last. ``make test`` runs two workers that each take a whole file
#: at a time (``--dist loadfile``), in this order; a long file taken last would leave
#: the other worker idle while it ran, and the quick files are what fills the end.
FOLDER_ORDER = ("end_to_end", "browser", "integration", "unit")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Sort the tests by folder (:data:`FOLDER_ORDER`), keeping each folder's own order."""
    here = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        try:
            folder = item.path.relative_to(here).parts[0]
        except ValueError:
            return len(FOLDER_ORDER)
        return FOLDER_ORDER.index(folder) if folder in FOLDER_ORDER else len(FOLDER_ORDER)

    items.sort(key=rank)


@pytest.fixture(scope="session")
def measures() -> Measures:
    return load_measures()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def small_demo_dir(tmp_path_factory: pytest.TempPathFactory, measures: Measures) -> Path:
    """A small synthetic data folder (8 LAs, 3 waves) written in the demo's formats."""
    out = tmp_path_factory.mktemp("demo-small")
    write_demo(generate_demo(SMALL_SPEC, measures), out)
    return out


@pytest.fixture(scope="session")
def small_dataset(small_demo_dir: Path, measures: Measures) -> Dataset:
    return load_dataset(small_demo_dir, measures)


@pytest.fixture(scope="session")
def small_estimates(small_dataset: Dataset, measures: Measures, settings: Settings) -> EstimateSet:
    return compute_estimates(small_dataset, measures, settings)
