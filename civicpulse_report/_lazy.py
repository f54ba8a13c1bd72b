"""Lazy package exports (PEP 562): a package's public names, imported on first use.

A notebook kernel imports ``civicpulse_report.report.plots`` and
``civicpulse_report.report.present``; Python runs every parent package's
``__init__`` first. Were those to import all their submodules, each kernel
would also import the statistics, pandas and pandera behind the fact bundles,
about a second per kernel start, for names the notebook never uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose name ``n`` lives in ``exports[n]``.

    A name is imported from its module the first time it is asked for, then
    kept in the package's ``namespace`` (its ``globals()``).
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
