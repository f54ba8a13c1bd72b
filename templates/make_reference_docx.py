"""Make templates/reference.docx: pandoc's default reference document in the report's style.

Run from the project root with the project's environment::

    .venv/bin/python templates/make_reference_docx.py

It asks pandoc (from pypandoc-binary) for its default ``reference.docx``, edits the
XML inside: heading, title and link colours in the brand's primary colour, a
readable sans-serif body (Arial 11 pt, 1.15 line spacing), left-aligned bold
headings, and three paragraph styles the Word output uses at the top of the body
(Synthetic Notice, Brand, Report Facts); then writes the zip with fixed member dates,
so running it twice gives the same bytes. The colours are
``civicpulse_report.render.docx.REFERENCE_PRIMARY`` and ``REFERENCE_ACCENT``: each
run replaces them with the organisation's own (settings.yml ``branding.colours``).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pypandoc

from civicpulse_report.render.docx import REFERENCE_ACCENT, REFERENCE_PRIMARY

TARGET = Path(__file__).resolve().parent / "reference.docx"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
BODY_FONT = "Arial"
NOTICE_FILL, NOTICE_EDGE, NOTICE_TEXT = "FFF4CE", "B35C00", "6B3A00"

EXTRA_STYLES = f"""
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="SyntheticNotice">
    <w:name w:val="Synthetic Notice" />
    <w:basedOn w:val="Normal" />
    <w:next w:val="BodyText" />
    <w:qFormat />
    <w:pPr>
      <w:pBdr><w:left w:val="single" w:sz="24" w:space="8" w:color="{NOTICE_EDGE}" /></w:pBdr>
      <w:shd w:val="clear" w:color="auto" w:fill="{NOTICE_FILL}" />
      <w:spacing w:before="120" w:after="240" />
      <w:ind w:left="170" w:right="113" />
    </w:pPr>
    <w:rPr><w:color w:val="{NOTICE_TEXT}" /></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="Brand">
    <w:name w:val="Brand" />
    <w:basedOn w:val="Normal" />
    <w:next w:val="BodyText" />
    <w:qFormat />
    <w:pPr><w:spacing w:before="120" w:after="120" /></w:pPr>
    <w:rPr><w:color w:val="{REFERENCE_PRIMARY}" /><w:sz w:val="24" /><w:szCs w:val="24" /></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="ReportFacts">
    <w:name w:val="Report Facts" />
    <w:basedOn w:val="Normal" />
    <w:next w:val="BodyText" />
    <w:qFormat />
    <w:pPr><w:spacing w:before="0" w:after="40" /></w:pPr>
    <w:rPr><w:sz w:val="20" /><w:szCs w:val="20" /></w:rPr>
  </w:style>
"""


def _style(xml: str, style_id: str) -> tuple[int, int]:
    match = re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', xml, re.S)
    if match is None:
        raise SystemExit(f"pandoc's reference.docx has no style {style_id!r}")
    return match.span()


def _edit_style(xml: str, style_id: str, edit: Callable[[str], str]) -> str:
    start, end = _style(xml, style_id)
    return xml[:start] + edit(xml[start:end]) + xml[end:]


def _size(block: str, half_points: int) -> str:
    block = re.sub(r'<w:sz w:val="\d+" />', f'<w:sz w:val="{half_points}" />', block)
    return re.sub(r'<w:szCs w:val="\d+" />', f'<w:szCs w:val="{half_points}" />', block)


def _run(block: str, props: str) -> str:
    """Add run properties right after ``rFonts`` (Word wants rPr children in schema order)."""
    fonts = re.search(r"<w:rFonts[^>]*/>", block, re.S)
    if fonts is not None:
        return block[: fonts.end()] + "\n      " + props + block[fonts.end() :]
    return block.replace("<w:rPr>", "<w:rPr>\n      " + props, 1)


def styles_xml(xml: str) -> str:
    """The default styles.xml in the report's design."""
    # Colours: every heading, link and title colour becomes the brand's, as plain
    # values (a theme colour with a shade would override them).
    xml = re.sub(r'\s*w:themeColor="[^"]*"|\s*w:themeShade="[^"]*"', "", xml)
    xml = re.sub(r'w:val="(?:0F4761|4F81BD|365F91)"', f'w:val="{REFERENCE_PRIMARY}"', xml)
    # Body: Arial 11 pt, British English, 1.15 lines.
    xml = re.sub(
        r"<w:rFonts [^>]*/>",
        f'<w:rFonts w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:cs="{BODY_FONT}" '
        'w:eastAsiaTheme="minorEastAsia" />',
        xml,
        count=1,
    )
    xml = xml.replace(
        '<w:sz w:val="24" />\n        <w:szCs w:val="24" />',
        '<w:sz w:val="22" />\n        <w:szCs w:val="22" />',
        1,
    )
    xml = xml.replace('w:val="en-US"', 'w:val="en-GB"', 1)
    xml = xml.replace(
        '<w:spacing w:after="200" />',
        '<w:spacing w:after="160" w:line="276" w:lineRule="auto" />',
        1,
    )

    for style_id, size in (("Heading1", 32), ("Heading2", 26), ("Heading3", 23)):
        xml = _edit_style(
            xml, style_id, lambda block, size=size: _run(_size(block, size), "<w:b />")
        )

    def title(block: str) -> str:
        block = block.replace('<w:jc w:val="center" />', '<w:jc w:val="left" />')
        border = (
            f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="6" w:color="{REFERENCE_ACCENT}" />'
            "</w:pBdr>"
        )
        block = block.replace("<w:pPr>", "<w:pPr>\n      " + border, 1)
        block = _run(_size(block, 48), "<w:b />")
        return block.replace("<w:sz ", f'<w:color w:val="{REFERENCE_PRIMARY}" />\n      <w:sz ', 1)

    def subtitle(block: str) -> str:
        # Based on Title: take its rule and bold off again.
        block = block.replace(
            "</w:numPr>", '</w:numPr>\n      <w:pBdr><w:bottom w:val="nil" /></w:pBdr>', 1
        )
        block = _run(block, '<w:b w:val="0" />')
        return block.replace("<w:spacing ", '<w:color w:val="404040" />\n      <w:spacing ', 1)

    xml = _edit_style(xml, "Title", title)
    xml = _edit_style(xml, "Subtitle", subtitle)
    return xml.replace("</w:styles>", EXTRA_STYLES + "</w:styles>")


def theme_xml(xml: str) -> str:
    """The default theme with the brand colour as accent 1 and links, and Arial fonts."""
    for slot in ("accent1", "hlink"):
        xml = re.sub(
            rf'(<a:{slot}>\s*<a:srgbClr val=")[0-9A-Fa-f]{{6}}',
            rf"\g<1>{REFERENCE_PRIMARY}",
            xml,
        )
    return re.sub(
        r'<a:latin typeface="[^"]*"(?: panose="[^"]*")?\s*/>',
        f'<a:latin typeface="{BODY_FONT}"/>',
        xml,
    )


def build() -> bytes:
    """The reference document's bytes (the same on every run with the same pandoc)."""
    default = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(default)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/styles.xml":
                data = styles_xml(data.decode("utf-8")).encode("utf-8")
            elif info.filename == "word/theme/theme1.xml":
                data = theme_xml(data.decode("utf-8")).encode("utf-8")
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, data)
    return out.getvalue()


def main() -> int:
    """Write templates/reference.docx."""
    data = build()
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
