"""Tests for adding a wave to a demo folder (civicpulse_report.demo.waves.add_wave).

The folder is a copy of the session's small demo (8 LAs, waves 2024-2026); one
module-scoped copy is given wave 2027 and every test reads it, so the data are
generated once. Refusals work on copies of their own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demo_specs import SMALL_SPEC

from civicpulse_report.cli import main
from civicpulse_report.demo import AddedWave, DemoSpec, add_wave, generate_demo
from civicpulse_report.errors import InputError
from civicpulse_report.inputs import Dataset, load_dataset
from civicpulse_report.measures import Measures

NEW = SMALL_SPEC.latest_wave + 1
EARLIER_FILES = ("survey.parquet", "la_lookup.csv", "neighbourhoods.csv", "legacy_indicators.csv")


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def folders(
    tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path, measures: Measures
) -> tuple[Path, dict[str, str], dict[str, str], AddedWave]:
    """The small demo copied, its digests, then given wave 2027: (dir, before, after, result)."""
    folder = tmp_path_factory.mktemp("waves") / "demo"
    shutil.copytree(small_demo_dir, folder)
    before = digests(folder)
    added = add_wave(folder, NEW, measures)
    return folder, before, digests(folder), added


@pytest.fixture(scope="module")
def stacked(folders: tuple[Path, dict, dict, AddedWave], measures: Measures) -> Dataset:
    return load_dataset(folders[0], measures, year=NEW)


@pytest.fixture
def copy(folders: tuple[Path, dict, dict, AddedWave], tmp_path: Path) -> Path:
    """A copy of the folder with wave 2027, for a test that may change it."""
    target = tmp_path / "demo"
    shutil.copytree(folders[0], target)
    return target


def test_earlier_files_are_byte_identical_and_one_file_is_added(
    folders: tuple[Path, dict[str, str], dict[str, str], AddedWave],
) -> None:
    folder, before, after, added = folders
    for name in EARLIER_FILES:
        assert after[name] == before[name], f"{name} was rewritten"
    assert set(after) - set(before) == {f"survey_{NEW}.parquet"}
    assert {n for n in before if after[n] != before[n]} == {"truth.json", "README.md"}
    assert added.path == folder / f"survey_{NEW}.parquet"
    assert set(added.unchanged) == set(EARLIER_FILES)
    assert set(added.updated) == {"truth.json", "README.md"}
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "temporary file left"


def test_earlier_wave_rows_are_identical_to_a_fresh_generation(
    stacked: Dataset, measures: Measures
) -> None:
    fresh = generate_demo(SMALL_SPEC, measures).survey
    earlier = stacked.survey[stacked.survey["wave"] < NEW].reset_index(drop=True)
    assert len(earlier) == len(fresh)
    for column in fresh.columns:
        got = earlier[column].to_numpy()
        want = fresh[column].to_numpy()
        if column == "weight":
            np.testing.assert_array_equal(got.astype(float), want)
        else:
            assert (got.astype(str) == want.astype(str)).all(), column


def test_truth_keeps_every_earlier_entry_and_records_the_wave(
    folders: tuple[Path, dict, dict, AddedWave], measures: Measures
) -> None:
    folder, _, _, added = folders
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    original = json.loads(json.dumps(generate_demo(SMALL_SPEC, measures).truth, sort_keys=True))
    record = truth.pop("added_waves")
    assert truth == original
    assert list(record) == [str(NEW)]
    wave = record[str(NEW)]
    assert wave["file"] == added.path.name
    assert wave["respondents"] == added.respondents
    assert wave["continues_from"] == SMALL_SPEC.latest_wave
    assert set(wave["achieved"]) == set(original["calibration"]["achieved"])
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert f"survey_{NEW}.parquet: wave {NEW}" in readme
    assert readme.startswith("# SYNTHETIC demonstration data")


def test_same_las_and_neighbourhoods_and_next_wave_only(
    stacked: Dataset, folders: tuple[Path, dict, dict, AddedWave]
) -> None:
    added = folders[3]
    assert stacked.waves == (*SMALL_SPEC.waves, NEW)
    assert added.waves == stacked.waves
    new = stacked.survey[stacked.survey["wave"] == NEW]
    assert len(new) == added.respondents
    assert set(new["la_code"]) == set(stacked.la_lookup["la_code"])
    assert added.n_las == len(stacked.la_lookup)
    nb_la = stacked.neighbourhoods.set_index("neighbourhood_code")["la_code"]
    assert (new["neighbourhood_code"].map(nb_la) == new["la_code"]).all()
    assert added.n_neighbourhoods == new["neighbourhood_code"].nunique()
    assert added.n_neighbourhoods >= 0.9 * len(stacked.neighbourhoods)
    per_la = new.groupby("la_code").size()
    lo, hi = SMALL_SPEC.respondents
    assert per_la.between(lo, hi).all()
    assert new["respondent_id"].str.contains(f"-{NEW}-").all()
    assert stacked.survey["respondent_id"].is_unique
    # Weights gross to each LA's population, as in every other wave.
    pop = stacked.la_lookup.set_index("la_code")["population"]
    totals = new.groupby("la_code")["weight"].sum()
    np.testing.assert_allclose(totals, pop[totals.index].astype(float), rtol=1e-9)


def test_trends_continue_and_levels_hold(folders: tuple[Path, dict, dict, AddedWave]) -> None:
    truth = json.loads((folders[0] / "truth.json").read_text(encoding="utf-8"))
    by_wave = truth["calibration"]["achieved_by_wave"]
    new = truth["added_waves"][str(NEW)]["achieved"]
    latest = str(SMALL_SPEC.latest_wave)
    # Planted trends (points per year): hyper-local and online up, formal volunteering down.
    trends = {
        "hyperlocal_online": 1.5,
        "online_campaigning": 1.5,
        "local_giving": 1.0,
        "time_banking": 0.3,
        "formal_volunteering": -0.5,
    }
    for indicator, per_year in trends.items():
        assert new[indicator] - by_wave[indicator][latest] == pytest.approx(per_year, abs=0.25)
    # Everything else moves from the latest wave no more than the generated waves do.
    others = [k for k in by_wave if k not in trends]

    def moved(values: dict[str, float]) -> float:
        return float(np.mean([abs(values[k] - by_wave[k][latest]) for k in others]))

    generated = max(moved({k: by_wave[k][str(w)] for k in others}) for w in SMALL_SPEC.waves[:-1])
    assert 0 < moved(new) <= 2 * generated


def test_each_la_keeps_its_profile(stacked: Dataset, measures: Measures) -> None:
    """The LA ranking on a planted driver is the same kind of panel wave on wave."""
    survey = stacked.survey
    ok = survey["dr_confident_speak"].astype("float") > 0
    score = survey["dr_confident_speak"].where(ok).astype(float)
    mean = (
        pd.DataFrame({"la": survey["la_code"], "wave": survey["wave"], "s": score})
        .groupby(["wave", "la"])["s"]
        .mean()
        .unstack("wave")
    )
    latest = SMALL_SPEC.latest_wave
    same = mean[latest].corr(mean[latest - 1])
    assert mean[NEW].corr(mean[latest]) > 0.5
    assert mean[NEW].corr(mean[latest]) > same - 0.3


def test_the_same_folder_gives_the_same_new_file(
    folders: tuple[Path, dict, dict, AddedWave], small_demo_dir: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    shutil.copytree(small_demo_dir, again)
    add_wave(again, NEW)
    assert digests(again) == folders[2]


def test_a_second_wave_follows_the_first(copy: Path, measures: Measures) -> None:
    before = digests(copy)
    added = add_wave(copy, NEW + 1, measures)
    after = digests(copy)
    assert added.waves == (*SMALL_SPEC.waves, NEW, NEW + 1)
    assert {n for n in before if after[n] != before[n]} == {"truth.json", "README.md"}
    assert set(after) - set(before) == {f"survey_{NEW + 1}.parquet"}
    truth = json.loads((copy / "truth.json").read_text(encoding="utf-8"))
    assert list(truth["added_waves"]) == [str(NEW), str(NEW + 1)]
    assert load_dataset(copy, measures).waves[-2:] == (NEW, NEW + 1)


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (NEW, (f"wave {NEW} is already in the folder", f"the next wave is {NEW + 1}")),
        (SMALL_SPEC.latest_wave, ("already in the folder", f"--add-wave {NEW + 1}")),
        (2001, ("earlier than its latest", f"the next wave is {NEW + 1}")),
        (NEW + 2, ("would leave a gap", f"{NEW + 1} first")),
    ],
)
def test_a_year_that_is_not_the_next_wave_is_refused(
    copy: Path, year: int, words: tuple[str, ...]
) -> None:
    before = digests(copy)
    with pytest.raises(InputError) as caught:
        add_wave(copy, year)
    message = str(caught.value)
    for word in words:
        assert word in message
    assert caught.value.problems[0].hint
    assert digests(copy) == before, "a refused wave must write nothing"


def test_an_edited_folder_is_refused(copy: Path) -> None:
    lookup = copy / "la_lookup.csv"
    lookup.write_bytes(lookup.read_bytes().replace(b"\n", b"\r\n", 1))
    before = digests(copy)
    with pytest.raises(InputError, match="does not match the demo data"):
        add_wave(copy, NEW + 1)
    assert digests(copy) == before


def test_a_folder_without_truth_is_refused(tmp_path: Path) -> None:
    (tmp_path / "survey.csv").write_text("respondent_id\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no truth\.json") as caught:
        add_wave(tmp_path, 2027)
    assert "survey_2027" in caught.value.problems[0].hint
    with pytest.raises(InputError, match="does not exist"):
        add_wave(tmp_path / "missing", 2027)


def test_a_file_for_the_year_already_there_is_refused(copy: Path) -> None:
    (copy / f"survey_{NEW + 1}.csv").write_text("respondent_id\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"survey_{NEW + 1}.csv is already in the folder"):
        add_wave(copy, NEW + 1)


def test_cli_adds_the_wave_prints_it_and_builds_nothing(
    copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    code = main(["demo", "--add-wave", str(NEW + 1), "--out", str(copy), "--reports", str(reports)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 0
    assert f"Added wave {NEW + 1}" in err
    assert f"survey_{NEW + 1}.parquet" in err
    assert f"in {SMALL_SPEC.n_las} LAs" in err
    assert f"--year {NEW + 1}" in err
    assert not reports.exists(), "adding a wave must not build reports"
    code = main(["demo", "--add-wave", str(NEW + 3), "--out", str(copy)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "would leave a gap" in err
    assert "Traceback" not in err


def test_spec_round_trips_through_truth(folders: tuple[Path, dict, dict, AddedWave]) -> None:
    truth = json.loads((folders[0] / "truth.json").read_text(encoding="utf-8"))
    spec = DemoSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in truth["spec"].items()})
    assert spec == SMALL_SPEC
