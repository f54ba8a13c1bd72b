"""A document's branding, read from its metadata and turned into what each format needs.

Owns the ``branding`` metadata mapping and its translation into template
variables. The mapping is plain data, written into the document's front matter
by whoever builds the document::

    branding:
      name: Test Borough Insight          # the organisation
      logo: /path/to/logo.svg             # SVG or PNG; relative paths are read
                                          # from the project folder (_quarto.yml's)
      colours: {primary: "#5a2d82", accent: "#00796b"}
      contact: insight@example.org

:func:`brand_variables` turns it into the variables the templates read, the same
for both renderers (the Quarto renderer writes them into the front matter it
hands to Quarto, so the two show the same thing):

``organisation``
    The name: the title band, running header, footer and facts (all formats).
``brand_colour``, ``brand_accent``
    HTML: the CSS variables ``--cp-brand`` and ``--cp-accent`` (title-block.html).
    PDF: the Typst design's brand and accent colours. DOCX: the heading and rule
    colours of the run's copy of ``templates/reference.docx``
    (:func:`civicpulse_report.render.docx.branded_reference_docx`).
``brand_contact``
    The contact line, shown with the report's facts (all formats).
``brand_logo_uri``
    HTML: the logo as a data URI in the title block's brand bar (the page stays one
    file).
``brand_logo``
    PDF and DOCX: the logo's file name next to the document source
    (``brand-logo.svg`` or ``.png``); the renderer copies :attr:`Brand.logo` there.
    In the PDF the logo sits above the title band; in the DOCX it opens the brand
    line at the top of the body (a reference document's styles are fixed, so the
    name, logo and contact are body text there, not a page header).
``brand_logo_alt``
    The logo's alt text in all three: "<name> logo" (without double quotes, as
    pandoc does not escape them inside an HTML attribute).
``byline``
    The author line (the national draft's) under the title in HTML and PDF, as one
    plain string: Quarto turns ``author`` into structured authors, so the shared
    partials read this instead. Word takes ``author`` itself (its Author style).

The key is ``branding``, not ``brand``: Quarto 1.9 reads ``brand`` as a brand.yml
(``meta``, ``logo``, ``color``, ``typography``) and would check this mapping
against that schema.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicpulse_report.errors import RenderError

BRANDING_KEY = "branding"
LOGO_STEM = "brand-logo"
LOGO_TYPES: Mapping[str, str] = {".svg": "image/svg+xml", ".png": "image/png"}
_KEYS = {"name", "logo", "colours", "contact"}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Brand:
    """A checked ``branding`` mapping; ``logo`` is an existing SVG or PNG file."""

    name: str | None = None
    logo: Path | None = None
    primary: str | None = None
    accent: str | None = None
    contact: str | None = None

    @property
    def logo_name(self) -> str | None:
        """The file name the logo is given beside a document's source."""
        return None if self.logo is None else LOGO_STEM + self.logo.suffix.lower()


def _text(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping | list | tuple | bool):
        raise RenderError(f"branding.{key} must be text, not {type(value).__name__}.")
    text = " ".join(str(value).split())
    return text or None


def _colour(value: Any, key: str) -> str | None:
    if value is None:
        return None
    colour = str(value).strip()
    if not _HEX.match(colour):
        raise RenderError(f"branding.colours.{key} {value!r} is not a colour like '#1f4e79'.")
    return colour.lower()


def _logo(value: Any, base_dir: Path) -> Path | None:
    text = _text(value, "logo")
    if text is None:
        return None
    path = Path(text)
    path = path if path.is_absolute() else Path(base_dir) / path
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        raise RenderError(f"branding.logo {text!r} must be an SVG or PNG file (.svg or .png).")
    if not path.is_file():
        raise RenderError(f"branding.logo {text!r} was not found at {path}.")
    head = path.read_bytes()[:4096]
    looks_right = (
        head.startswith(b"\x89PNG\r\n\x1a\n") if suffix == ".png" else b"<svg" in head.lower()
    )
    if not looks_right:
        raise RenderError(f"branding.logo {path} is not a valid {suffix[1:].upper()} file.")
    return path


def read_brand(meta: Mapping[str, Any], base_dir: Path) -> Brand | None:
    """The document's ``branding`` mapping, checked; ``None`` when there is none.

    Parameters
    ----------
    meta
        Document metadata (front matter over the project config).
    base_dir
        The folder a relative ``logo`` path is read from.

    Raises
    ------
    RenderError
        If the mapping has unknown keys, a colour is not ``#rrggbb``, or the logo
        is missing or not an SVG or PNG file.
    """
    raw = meta.get(BRANDING_KEY)
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise RenderError("branding must be a mapping of name, logo, colours and contact.")
    unknown = sorted(str(key) for key in raw if key not in _KEYS)
    if unknown:
        raise RenderError(f"branding has unknown keys {unknown}; allowed: {sorted(_KEYS)}.")
    colours = raw.get("colours") or {}
    if not isinstance(colours, Mapping):
        raise RenderError("branding.colours must be a mapping such as {primary: '#1f4e79'}.")
    return Brand(
        name=_text(raw.get("name"), "name"),
        logo=_logo(raw.get("logo"), base_dir),
        primary=_colour(colours.get("primary"), "primary"),
        accent=_colour(colours.get("accent"), "accent"),
        contact=_text(raw.get("contact"), "contact"),
    )


def logo_data_uri(path: Path) -> str:
    """The logo file as a ``data:`` URI (base64), for a self-contained HTML page."""
    mime = LOGO_TYPES[Path(path).suffix.lower()]
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def logo_alt(name: str | None) -> str:
    """The logo's alt text: "<name> logo", with no double quotes (safe in an attribute)."""
    return (f"{name} logo" if name else "Logo").replace('"', "")


def brand_variables(brand: Brand | None) -> dict[str, Any]:
    """The template variables for a brand, for every format (see the module docstring).

    Only the brand's set fields give variables, so the metadata's own values
    (``organisation``, ``brand_colour``) stand where the brand is silent.
    """
    if brand is None:
        return {}
    variables: dict[str, Any] = {
        "organisation": brand.name,
        "brand_colour": brand.primary,
        "brand_accent": brand.accent,
        "brand_contact": brand.contact,
    }
    if brand.logo is not None:
        variables["brand_logo"] = brand.logo_name
        variables["brand_logo_uri"] = logo_data_uri(brand.logo)
        variables["brand_logo_alt"] = logo_alt(brand.name)
    return {key: value for key, value in variables.items() if value is not None}


def byline(author: Any) -> str | None:
    """The ``author`` metadata (a name, a list of names, or ``name:`` mappings) as one line."""
    names = author if isinstance(author, list | tuple) else [author]
    texts = []
    for name in names:
        if isinstance(name, Mapping):
            name = name.get("name")
            name = name.get("literal") if isinstance(name, Mapping) else name
        if name is not None and str(name).strip():
            texts.append(" ".join(str(name).split()))
    return ", ".join(texts) or None


def apply_brand(meta: Mapping[str, Any], base_dir: Path) -> tuple[dict[str, Any], Brand | None]:
    """Metadata with the ``branding`` mapping replaced by its template variables.

    Also sets ``byline`` from ``author`` (see the module docstring).

    Raises
    ------
    RenderError
        If the branding is not valid (:func:`read_brand`).
    """
    brand = read_brand(meta, base_dir)
    merged = {key: value for key, value in meta.items() if key != BRANDING_KEY}
    merged.update(brand_variables(brand))
    line = byline(meta.get("author"))
    if line is not None:
        merged["byline"] = line
    return merged, brand


def copy_logo(brand: Brand | None, folder: Path) -> None:
    """Put the brand's logo in ``folder`` under :attr:`Brand.logo_name` (if it has one).

    Written to a temporary name, then renamed into place: the formats of one
    report are written at once from one folder, so another writer may be
    reading the logo while this one puts it there (the same bytes).
    """
    if brand is not None and brand.logo is not None and brand.logo_name is not None:
        target = Path(folder) / brand.logo_name
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".logo-", delete=False) as part:
            part.write(brand.logo.read_bytes())
        os.replace(part.name, target)
