"""Authors' text: Markdown files split into named sections, kept verbatim, checked clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicpulse_report.errors import ConfigError
from civicpulse_report.paths import CONFIG_DIR
from civicpulse_report.report import (
    LA_SECTIONS,
    NATIONAL_SECTIONS,
    narrative_path,
    read_narrative,
)

FOREWORD = """This draft is **ours**: the words survive reruns.

- a list item, kept as written
- and another, with a [link](https://example.org) and <https://example.org>

### A sub-heading inside the foreword

```text
## not a section heading: it is inside a code block
```"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sections_are_split_and_kept_verbatim(tmp_path: Path) -> None:
    text = (
        "# Notes for authors: this title and these lines are never printed\n\n"
        f"## Foreword\n\n{FOREWORD}\n\n"
        "## commentary:  DRIVERS\n\nDrivers matter.\n\n"
        "## Framing\n\n   \n"
    )
    got = read_narrative(write(tmp_path, "national.md", text))
    assert got == {"Foreword": FOREWORD, "Commentary: drivers": "Drivers matter."}
    assert list(got) == ["Foreword", "Commentary: drivers"]  # an empty section is left out


def test_a_missing_file_gives_no_sections(tmp_path: Path) -> None:
    assert read_narrative(tmp_path / "national.md") == {}


def test_unknown_section_is_a_clear_error_listing_the_allowed_names(tmp_path: Path) -> None:
    path = write(tmp_path, "national.md", "## Foreword\n\nHello.\n\n## Forword again\n\nOops.\n")
    with pytest.raises(ConfigError) as raised:
        read_narrative(path)
    (problem,) = raised.value.problems
    assert problem.file == str(path)
    assert "line 5" in problem.rule and "'## Forword again'" in problem.rule
    assert all(name in problem.hint for name in NATIONAL_SECTIONS)


def test_an_la_file_allows_only_the_foreword(tmp_path: Path) -> None:
    path = write(tmp_path, "X06000001.md", "## Foreword\n\nOur council.\n\n## Framing\n\nNo.\n")
    with pytest.raises(ConfigError) as raised:
        read_narrative(path)
    assert "'## Framing'" in raised.value.problems[0].rule
    assert raised.value.problems[0].hint == "use one of: " + "; ".join(LA_SECTIONS)
    ok = write(tmp_path, "X06000002.md", "## Foreword\n\nOur council.\n")
    assert read_narrative(ok) == {"Foreword": "Our council."}


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = (
        "## Foreword\n\n# A chapter heading\n\n![chart](https://example.org/x.png)\n\n"
        "<script>alert(1)</script>\n\n<!-- a comment is fine -->\n\n## Foreword\n\nAgain.\n"
    )
    with pytest.raises(ConfigError) as raised:
        read_narrative(write(tmp_path, "national.md", text))
    rules = [p.rule for p in raised.value.problems]
    assert len(rules) == 4
    assert "level-1 heading" in rules[0] and "line 3" in rules[0]
    assert "images" in rules[1] and "line 5" in rules[1]
    assert "raw HTML" in rules[2] and "line 7" in rules[2]
    assert "more than once" in rules[3] and "line 11" in rules[3]
    assert all("section '## Foreword'" in r for r in rules[:3])


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "national.md"
    path.write_bytes("## Foreword\n\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8"):
        read_narrative(path)


def test_narrative_path_checks_the_key() -> None:
    assert narrative_path(Path("cfg"), "national") == Path("cfg/narrative/national.md")
    assert narrative_path(Path("cfg"), "E06000001") == Path("cfg/narrative/E06000001.md")
    with pytest.raises(ValueError, match="LA code"):
        narrative_path(Path("cfg"), "../../etc/passwd")


def test_the_example_file_reads_and_says_it_is_an_example() -> None:
    path = narrative_path(CONFIG_DIR, "national")
    sections = read_narrative(path)
    assert {"Foreword", "Framing"} <= set(sections)
    assert all("Example" in text for text in sections.values())
