"""A new wave of data for an existing demo folder: "a new year's data arrived".

Owns :func:`add_wave` and what it hands back (:class:`AddedWave`). A demo
folder records the spec it was made from in ``truth.json``; adding a wave
regenerates that spec's model state (LAs, neighbourhoods, LA and
neighbourhood effects, planted offsets, item thresholds), checks that it
matches the files in the folder, draws the next year from the wave's own
random streams and writes it as a new survey file, ``survey_<year>.parquet``,
beside the others. The data loader stacks every ``survey*`` file, so the
files of the earlier waves (``survey.parquet``, the lookups, the legacy
table) are never rewritten: they stay byte-identical. ``truth.json`` gains an
``added_waves`` entry (every earlier entry unchanged) and the folder's
README a note.

A wave depends only on the folder's spec and its year, so adding 2027 and
then 2028 gives the same files whichever machine does it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from civicpulse_report.demo.generator import DemoState, generate_state
from civicpulse_report.demo.items import draw_wave_items
from civicpulse_report.demo.latents import draw_wave_latents
from civicpulse_report.demo.respondents import draw_wave_sample, survey_frame
from civicpulse_report.demo.spec import DemoSpec
from civicpulse_report.demo.truth import added_wave_truth
from civicpulse_report.demo.writer import (
    added_wave_note,
    csv_bytes,
    survey_table,
    truth_text,
    write_survey,
)
from civicpulse_report.errors import InputError, Problem
from civicpulse_report.measures import Measures, load_measures

ADDED_WAVES = "added_waves"
"""The key of truth.json under which each added wave is recorded, by year."""
_README_HEADING = "## Waves added later"
_BASE_FILES = {
    "la_lookup.csv": "la_lookup",
    "neighbourhoods.csv": "neighbourhoods",
    "legacy_indicators.csv": "legacy",
}


@dataclass(frozen=True)
class AddedWave:
    """What :func:`add_wave` wrote.

    Attributes
    ----------
    year : int
        The wave added.
    path : Path
        The new survey file, ``<data_dir>/survey_<year>.parquet``.
    respondents : int
        Its rows.
    n_las, n_neighbourhoods : int
        LAs and neighbourhoods with respondents in it (all of them).
    waves : tuple of int
        Every wave in the folder now, oldest first.
    unchanged : tuple of str
        The files that were there before and were not touched.
    updated : tuple of str
        The files rewritten with an entry added (``truth.json``, ``README.md``).
    """

    year: int
    path: Path
    respondents: int
    n_las: int
    n_neighbourhoods: int
    waves: tuple[int, ...]
    unchanged: tuple[str, ...]
    updated: tuple[str, ...]


def _problem(data_dir: Path, rule: str, hint: str, file: str = "truth.json") -> InputError:
    return InputError(
        [Problem(file=str(data_dir / file), rule=rule, hint=hint)],
        summary=f"cannot add a wave to {data_dir}",
    )


def _read_truth(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "truth.json"
    if not data_dir.is_dir():
        raise _problem(
            data_dir,
            "the demo data folder does not exist",
            f"write it first: civicpulse-report demo --out {data_dir} --no-build",
            file="",
        )
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(
            data_dir,
            "no truth.json: only a folder written by `civicpulse-report demo` can be given "
            "a synthetic wave",
            "for your own data, drop the new year's survey file (e.g. survey_2027.csv) into "
            "the folder instead",
        ) from None
    except (OSError, ValueError) as exc:
        raise _problem(
            data_dir,
            f"truth.json cannot be read ({exc})",
            "regenerate the folder with `civicpulse-report demo`",
        ) from None
    if not isinstance(truth, dict) or not truth.get("synthetic") or "spec" not in truth:
        raise _problem(
            data_dir,
            "truth.json does not describe a synthetic demo data set",
            "regenerate the folder with `civicpulse-report demo`",
        )
    return truth


def _spec_of(truth: dict[str, Any], data_dir: Path) -> DemoSpec:
    raw = truth["spec"]
    names = {f.name for f in fields(DemoSpec)}
    try:
        if not isinstance(raw, dict) or set(raw) != names:
            raise ValueError(f"expected the fields {sorted(names)}")
        return DemoSpec(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}  # type: ignore[arg-type]
        )
    except (TypeError, ValueError) as exc:
        raise _problem(
            data_dir,
            f"the spec recorded in truth.json is not a valid DemoSpec ({exc})",
            "regenerate the folder with `civicpulse-report demo`",
        ) from None


def _regenerate_hint(spec: DemoSpec, data_dir: Path) -> str:
    default = DemoSpec()
    if (spec.waves, spec.respondents, spec.neighbourhoods) == (
        default.waves,
        default.respondents,
        default.neighbourhoods,
    ):
        command = (
            f"civicpulse-report demo --out {data_dir} --las {spec.n_las} "
            f"--seed {spec.seed} --no-build"
        )
    else:
        command = f"write_demo(generate_demo({spec!r}), {str(data_dir)!r})"
    return (
        f"a wave can only continue the untouched demo it was made with: regenerate the "
        f"folder ({command}) with the default measures, then add the wave again"
    )


def _check_folder_matches(state: DemoState, data_dir: Path, truth: dict[str, Any]) -> None:
    """Refuse a folder whose files are not what its spec generates (edited, other version)."""
    data = state.data
    bad: list[str] = []
    for name, attr in _BASE_FILES.items():
        path = data_dir / name
        if not path.is_file() or path.read_bytes() != csv_bytes(getattr(data, attr)):
            bad.append(name)
    survey_path = data_dir / "survey.parquet"
    if not survey_path.is_file() or not pq.read_table(survey_path).equals(
        survey_table(data.survey)
    ):
        bad.append("survey.parquet")
    base_truth = {k: v for k, v in truth.items() if k != ADDED_WAVES}
    if base_truth != json.loads(truth_text(data.truth)):
        bad.append("truth.json")
    if bad:
        raise InputError(
            [
                Problem(
                    file=str(data_dir / name),
                    rule=(
                        f"does not match the demo data truth.json describes ({state.spec.n_las} "
                        f"LAs, seed {state.spec.seed}, waves {state.spec.waves[0]}-"
                        f"{state.spec.latest_wave}): it was edited, or made by another "
                        "version of the package or other measures"
                    ),
                    hint=_regenerate_hint(state.spec, data_dir),
                )
                for name in bad
            ],
            summary=f"cannot add a wave to {data_dir}",
        )


def _check_year(
    data_dir: Path, spec: DemoSpec, added: dict[str, Any], year: int
) -> tuple[int, ...]:
    """The waves present; raise unless ``year`` is exactly the next one."""
    waves = tuple(sorted({*spec.waves, *(int(y) for y in added)}))
    for y in waves[len(spec.waves) :]:
        if not (data_dir / f"survey_{y}.parquet").is_file():
            raise _problem(
                data_dir,
                f"truth.json records wave {y} as added, but survey_{y}.parquet is missing",
                f"put survey_{y}.parquet back, or regenerate the folder with "
                "`civicpulse-report demo` and add the waves again",
            )
    latest = waves[-1]
    shown = f"{waves[0]}-{latest}" if len(waves) > 1 else str(latest)
    if year in waves or year < latest:
        where = "already in the folder" if year in waves else f"earlier than its latest, {latest}"
        raise _problem(
            data_dir,
            f"wave {year} is {where}: the folder holds waves {shown}, and a wave can only "
            "be added after the latest",
            f"the next wave is {latest + 1}: civicpulse-report demo --add-wave {latest + 1} "
            f"--out {data_dir}",
        )
    if year != latest + 1:
        raise _problem(
            data_dir,
            f"wave {year} would leave a gap: the folder holds waves {shown}, "
            f"so the next wave is {latest + 1}",
            f"add the waves in order, {latest + 1} first: civicpulse-report demo "
            f"--add-wave {latest + 1} --out {data_dir}",
        )
    clash = sorted(p.name for p in data_dir.glob(f"survey_{year}.*"))
    if clash:
        raise _problem(
            data_dir,
            f"{', '.join(clash)} is already in the folder, but truth.json does not record it",
            "move it out of the folder, then add the wave again",
            file=clash[0],
        )
    return waves


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def add_wave(data_dir: Path, year: int, measures: Measures | None = None) -> AddedWave:
    """Append the next annual wave to a synthetic demo data folder.

    Parameters
    ----------
    data_dir : Path
        A folder written by :func:`~civicpulse_report.demo.write_demo` (and
        perhaps given waves by this function before).
    year : int
        Exactly the year after the folder's latest wave.
    measures : Measures, optional
        The measures the folder was generated with; defaults to
        ``load_measures()``, as the ``demo`` command uses.

    Returns
    -------
    AddedWave
        The new file, its size and every wave the folder now holds.

    Raises
    ------
    InputError
        If the folder is not a demo folder, its files are not what its spec
        generates, or ``year`` is not exactly the next wave (already there,
        earlier, or leaving a gap). Nothing is written then.
    OSError
        If a file cannot be written.
    """
    data_dir = Path(data_dir)
    truth = _read_truth(data_dir)
    spec = _spec_of(truth, data_dir)
    added = truth.get(ADDED_WAVES, {})
    waves = _check_year(data_dir, spec, added, year)
    before = sorted(p.name for p in data_dir.iterdir() if p.is_file())

    state = generate_state(spec, measures if measures is not None else load_measures())
    _check_folder_matches(state, data_dir, truth)

    las, nbs, ctx = state.las, state.nbs, state.ctx
    sample = draw_wave_sample(
        spec, las, nbs, state.nb_deprivation, state.size_rank, ctx, year, len(waves)
    )
    latent = draw_wave_latents(spec, state.draws, sample, ctx, year)
    items, wave_shift = draw_wave_items(
        spec, state.measures, state.scales, sample, latent, ctx, year
    )
    survey = survey_frame(spec, las, nbs, sample, items, year=year)

    path = data_dir / f"survey_{year}.parquet"
    record = added_wave_truth(spec, state.measures, survey, year, wave_shift, path.name)
    new_truth = {**truth, ADDED_WAVES: {**added, str(year): record}}
    readme_path = data_dir / "README.md"
    readme = readme_path.read_text(encoding="utf-8") if readme_path.is_file() else ""
    if _README_HEADING not in readme:
        readme = readme.rstrip("\n") + f"\n\n{_README_HEADING}\n\n"
    readme += added_wave_note(
        year, path.name, len(survey), int(survey["la_code"].nunique()), f"{waves[0]}-{waves[-1]}"
    )

    tmp = data_dir / f".{path.name}.tmp"
    write_survey(survey, tmp)
    os.replace(tmp, path)
    try:
        _replace_text(data_dir / "truth.json", truth_text(new_truth))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _replace_text(readme_path, readme)
    updated = ("README.md", "truth.json")
    return AddedWave(
        year=year,
        path=path,
        respondents=len(survey),
        n_las=int(survey["la_code"].nunique()),
        n_neighbourhoods=int(survey["neighbourhood_code"].nunique()),
        waves=(*waves, year),
        unchanged=tuple(n for n in before if n not in updated),
        updated=updated,
    )
