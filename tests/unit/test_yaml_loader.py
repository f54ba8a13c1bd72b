"""civicpulse_report._yaml: libyaml's speed, PyYAML's results and PyYAML's clearer errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from civicpulse_report import _yaml
from civicpulse_report.paths import CONFIG_DIR


@pytest.mark.parametrize("name", ["measures.yml", "settings.yml", "interventions.yml"])
def test_each_config_file_reads_as_yaml_safe_load_reads_it(name: str) -> None:
    text = (Path(CONFIG_DIR) / name).read_text(encoding="utf-8")
    assert _yaml.safe_load(text) == yaml.safe_load(text)


def test_the_c_parser_is_used_when_pyyaml_has_it() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml: the pure-Python loader is used")
    assert _yaml._FAST_LOADER is yaml.CSafeLoader


def test_bad_yaml_raises_the_pure_python_error_with_its_excerpt() -> None:
    text = "items:\n  a: 1\n  b: [1, 2\n  c: 3\n"
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as raised:
        _yaml.safe_load(text)
    assert str(raised.value) == str(expected.value)
    assert "^" in str(raised.value), "the excerpt with a caret under the problem is missing"


def test_nothing_unsafe_is_constructed() -> None:
    with pytest.raises(yaml.YAMLError):
        _yaml.safe_load("!!python/object/apply:os.system ['true']")
