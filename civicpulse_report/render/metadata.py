"""Report metadata: the project config (``_quarto.yml``) under the notebook's front matter.

Owns reading the project config, merging its layers the way Quarto does,
checking the values that templates use as code rather than text, and the fixed
creation time every output carries. Reading the front matter out of a notebook is
:mod:`civicpulse_report.render.notebook`'s job.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from civicpulse_report import _yaml
from civicpulse_report.errors import RenderError
from civicpulse_report.paths import QUARTO_CONFIG
from civicpulse_report.render.outputs import QUARTO_FORMATS, Format

_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_LENGTH = re.compile(r"^\d+(?:\.\d+)?(?:pt|mm|cm|in|em)$")
_PAPER = re.compile(r"^[a-z0-9-]{1,30}$")
_NUMBERING = re.compile(r"^[0-9aAiI.()\- ]{1,20}$")
_MARGIN_KEYS = {"x", "y", "top", "bottom", "left", "right", "inside", "outside", "rest"}
_NO_QUOTE = re.compile(r'^[^"]*$')
_LOGO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}\.(?:svg|png)$")
_DATA_URI = re.compile(r"^data:image/(?:svg\+xml|png);base64,[A-Za-z0-9+/]*={0,2}$")
#: The PDF standards Typst (and Quarto 1.9's ``pdf-standard`` for typst) accept.
PDF_STANDARDS = (
    "1.4", "1.5", "1.6", "1.7", "2.0",
    "a-1a", "a-1b", "a-2a", "a-2b", "a-2u", "a-3a", "a-3b", "a-3u", "a-4", "a-4e", "a-4f",
    "ua-1",
)  # fmt: skip


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
        data = _yaml.safe_load(path.read_text(encoding="utf-8"))
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
    for key in ("brand_colour", "brand_accent"):
        colour = meta.get(key)
        if colour is not None and not _HEX_COLOUR.match(str(colour).strip()):
            raise RenderError(f"{key} {colour!r} is not a hex colour; use a value like '#1f4e79'.")
        if colour is not None:
            meta[key] = str(colour).strip()

    def check(key: str, pattern: re.Pattern[str], example: str) -> None:
        value = meta.get(key)
        if value is not None and not pattern.match(str(value)):
            raise RenderError(f"Setting {key}: {value!r} is not allowed; expected e.g. {example}.")

    check("lang", _LANG, "'en-GB'")
    check("papersize", _PAPER, "'a4'")
    check("fontsize", _LENGTH, "'10pt'")
    check("section-numbering", _NUMBERING, "'1.1'")
    check("brand_logo", _LOGO_NAME, "'brand-logo.svg'")
    check("brand_logo_uri", _DATA_URI, "'data:image/png;base64,...'")
    check("brand_logo_alt", _NO_QUOTE, "'Borough logo' (text without double quotes)")
    if meta.get("pdf-standard") is not None:
        meta["pdf-standard"] = pdf_standards(meta["pdf-standard"])
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


def pdf_standards(value: Any) -> list[str]:
    """Read ``pdf-standard`` (one name or a list, as in Quarto 1.9) as a checked list.

    Raises
    ------
    RenderError
        If a name is not a PDF standard Typst knows.
    """
    names = value if isinstance(value, list | tuple) else [value]
    standards = [str(name).strip().lower() for name in names if name is not None]
    unknown = [name for name in standards if name not in PDF_STANDARDS]
    if unknown:
        raise RenderError(
            f"Setting pdf-standard: {unknown} not known; choose from {', '.join(PDF_STANDARDS)}."
        )
    return standards


def document_timestamp(meta: Mapping[str, Any]) -> int:
    """A fixed creation time (Unix seconds): the report's date, else SOURCE_DATE_EPOCH, else 0.

    Every output records it (the PDF's dates, the DOCX package's dates), so the same
    inputs give the same bytes.
    """
    value = meta.get("date")
    if isinstance(value, dt.datetime):
        return int(value.replace(tzinfo=value.tzinfo or dt.UTC).timestamp())
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
        else:
            return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else 0
