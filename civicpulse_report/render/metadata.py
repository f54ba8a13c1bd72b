"""Report metadata: the project config (``_quarto.yml``) under the notebook's front matter.

Owns reading the project config, merging its layers the way Quarto does, and
checking the values that templates use as code rather than text. Reading the
front matter out of a notebook is :mod:`civicpulse_report.render.notebook`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from civicpulse_report.errors import RenderError
from civicpulse_report.paths import QUARTO_CONFIG
from civicpulse_report.render.outputs import QUARTO_FORMATS, Format

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_LENGTH = re.compile(r"^\d+(?:\.\d+)?(?:pt|mm|cm|in|em)$")
_PAPER = re.compile(r"^[a-z0-9-]{1,30}$")
_NUMBERING = re.compile(r"^[0-9aAiI.()\- ]{1,20}$")
_MARGIN_KEYS = {"x", "y", "top", "bottom", "left", "right", "inside", "outside", "rest"}


def load_project_config(path: Path | None = None) -> dict[str, Any]:
    """Read ``_quarto.yml`` (or another project config) as a dict.

    A missing default file gives ``{}``; a missing file named explicitly is an error.

    Raises
    ------
    RenderError
        If a named file is missing, or the file is not a YAML mapping.
    """
    explicit = path is not None
    path = QUARTO_CONFIG if path is None else Path(path)
    if not path.exists():
        if explicit:
            raise RenderError(f"Project config {path} does not exist.")
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RenderError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RenderError(f"{path} must be a YAML mapping of settings, not {type(data).__name__}.")
    return data


def _format_options(config: Mapping[str, Any], quarto_format: str) -> dict[str, Any]:
    formats = config.get("format")
    if not isinstance(formats, Mapping):
        return {}
    options = formats.get(quarto_format)
    return dict(options) if isinstance(options, Mapping) else {}


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def report_metadata(
    front: Mapping[str, Any], project: Mapping[str, Any], fmt: Format
) -> dict[str, Any]:
    """Merge metadata the way Quarto does: project, project format, document, document format.

    Later layers win; ``format: html:`` applies to HTML and ``format: typst:`` to PDF.
    The result is checked (:func:`check_metadata`).
    """
    quarto_format = QUARTO_FORMATS[fmt]
    layers = (
        {k: v for k, v in project.items() if k not in ("project", "format")},
        _format_options(project, quarto_format),
        {k: v for k, v in front.items() if k != "format"},
        _format_options(front, quarto_format),
    )
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _deep_merge(merged, layer)
    return check_metadata(merged)


def truthy(value: Any) -> bool:
    """Read a Quarto-style boolean option: ``true``/``yes``/``1`` as text, else ``bool()``."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def check_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise and check the metadata values that templates use as code, not text.

    Text (names, titles) is escaped by pandoc wherever it lands; these values are
    not, so each must match a strict pattern.

    Raises
    ------
    RenderError
        Naming the setting and the value that is not allowed.
    """
    meta = dict(meta)
    if "synthetic" in meta:
        meta["synthetic"] = truthy(meta["synthetic"])
    colour = meta.get("brand_colour")
    if colour is not None and not _HEX_COLOUR.match(str(colour).strip()):
        raise RenderError(
            f"brand_colour {colour!r} is not a hex colour; use a value like '#1f4e79'."
        )
    if colour is not None:
        meta["brand_colour"] = str(colour).strip()

    def check(key: str, pattern: re.Pattern[str], example: str) -> None:
        value = meta.get(key)
        if value is not None and not pattern.match(str(value)):
            raise RenderError(f"Setting {key}: {value!r} is not allowed; expected e.g. {example}.")

    check("lang", _LANG, "'en-GB'")
    check("papersize", _PAPER, "'a4'")
    check("fontsize", _LENGTH, "'10pt'")
    check("section-numbering", _NUMBERING, "'1.1'")
    for key in ("toc-depth", "columns"):
        value = meta.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 6
        ):
            raise RenderError(
                f"Setting {key}: {value!r} is not allowed; expected a whole number 1-6."
            )
    margin = meta.get("margin")
    if margin is not None:
        if not isinstance(margin, Mapping):
            raise RenderError("Setting margin must be a mapping such as {x: 2cm, top: 2.5cm}.")
        for side, length in margin.items():
            if side not in _MARGIN_KEYS or not _LENGTH.match(str(length)):
                raise RenderError(
                    f"Setting margin: {side}: {length!r} is not allowed; use sides "
                    f"{sorted(_MARGIN_KEYS)} with lengths like '2cm'."
                )
    return meta
