"""Differencing over every written output of a real build (issue 11).

``tests/integration/test_disclosure.py`` attacks the estimates frame and the
benchmark table in memory. This file attacks what a build actually writes:
the small demo (8 LAs, 3 waves) with one LA cut to 30 respondents in the
previous wave (so LA-level cells are suppressed in the benchmark file, the
trend and the change figures too), built with the built-in renderer to HTML
and PDF, with the national draft. Read back from disk:

* every LA's ``tables.csv`` (and ``tables.xlsx``, checked to hold the same
  cells, so the attack on one covers the other);
* every fact bundle under ``build/<year>/facts/`` (the LA bundles and
  ``national.json``);
* the national folder's ``tables.csv`` and ``benchmarks.csv`` (whose
  withheld cells keep their row, numbers blank, flagged ``primary`` or
  ``secondary`` in its ``suppression`` column).

Each published figure is placed back on the estimates frame's labels (wave,
level, area, breakdown, group, indicator) using only what the files print.
The union of all files is what an attacker holds; it is then attacked with
``differencing_attack`` of the integration test (groups of a breakdown with
their LA or England, one group in every LA with England's, neighbourhoods with
their LA, LAs with their region, LA type and England, regions and LA types
with England), and the recovered values are compared with the true ones (the
same data with ``min_base=0``). A suppressed value recovered within its own CI
half-width fails the test, as does a cell suppressed in one file and printed
in another. The attack is shown not to be vacuous: on the same published
coverage with primary suppression only, it recovers cells.

The HTML and PDF of each LA report are checked too: every suppressed group
and neighbourhood of tables.csv reads "suppressed" (no number) in the HTML
data tables, and "base < min" / "suppressed (small base)" in the PDF figures.
So are the national draft's HTML and PDF text: no suppressed cell's value is
printed beside the name of its area (its LA, region, LA type, group or
neighbourhood), in a table row, a sentence, a clause or an image's alt text.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import math
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pypdf
import pytest

from civicpulse_report.inputs import load_dataset
from civicpulse_report.measures import Measures
from civicpulse_report.pipeline import BuildOptions, BuildSummary, build_reports
from civicpulse_report.settings import Settings
from civicpulse_report.statistics.estimates import compute_estimates

# The attack of the integration test, loaded by path (tests/ is not a package).
_spec = importlib.util.spec_from_file_location(
    "_disclosure_attack", Path(__file__).parents[1] / "integration" / "test_disclosure.py"
)
assert _spec is not None and _spec.loader is not None
_attack = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_attack)
differencing_attack = _attack.differencing_attack
recovered_cells = _attack.recovered_cells

ENGLAND = "E92000001"
KEYS = ["wave", "level", "area_code", "breakdown", "group_code", "indicator"]
SMALL_WAVE_SIZE = 30  # the cut LA's respondents in the previous wave


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    summary: BuildSummary
    data_dir: Path
    root: Path
    small_la: str
    truth: pd.DataFrame  # min_base 0: every cell's true estimate and CI
    areas: pd.DataFrame
    min_base: int

    @property
    def year_dir(self) -> Path:
        return self.summary.out_dir

    @property
    def facts_dir(self) -> Path:
        return self.root / "build" / str(self.summary.year) / "facts"

    @property
    def la_codes(self) -> list[str]:
        return sorted(self.summary.built)


def _cut_one_la(src: Path, dst: Path) -> str:
    """Copy the demo data; one LA sharing its region keeps 30 respondents in the previous wave."""
    shutil.copytree(src, dst)
    lookup = pd.read_csv(dst / "la_lookup.csv", dtype=str)
    shared = lookup[lookup.duplicated("region", keep=False)].sort_values("la_code")
    small = str(shared["la_code"].iloc[-1])
    survey = pd.read_parquet(dst / "survey.parquet")
    previous = sorted(survey["wave"].unique())[-2]
    rows = np.flatnonzero(((survey["la_code"] == small) & (survey["wave"] == previous)).to_numpy())
    drop = np.random.default_rng(0).choice(rows, size=rows.size - SMALL_WAVE_SIZE, replace=False)
    survey.drop(survey.index[drop]).reset_index(drop=True).to_parquet(
        dst / "survey.parquet", index=False
    )
    return small


@pytest.fixture(scope="module")
def built(
    small_demo_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    measures: Measures,
    settings: Settings,
) -> Built:
    root = tmp_path_factory.mktemp("disclosure-build")
    data_dir = root / "data"
    small = _cut_one_la(small_demo_dir, data_dir)
    summary = build_reports(
        BuildOptions(
            data_dir=data_dir,
            formats=("html", "pdf", "docx"),
            renderer="builtin",
            jobs=2,
            out_dir=root / "reports",
            build_dir=root / "build",
        )
    )
    assert summary.failed == [], summary.failed
    assert summary.national is not None and summary.national.ok, summary.national
    dataset = load_dataset(data_dir, measures)
    true = compute_estimates(dataset, measures, dataclasses.replace(settings, min_base=0))
    truth = true.estimates.reset_index(drop=True)
    truth = truth.assign(
        la_code=truth["la_code"].astype(object).where(truth["la_code"].notna(), ""),
        group_code=truth["group_code"].astype(object).where(truth["group_code"].notna(), ""),
    )
    return Built(summary, data_dir, root, small, truth, true.areas, settings.min_base)


# --------------------------------------------------------------------------
# Reading the outputs back onto the estimates frame's labels
# --------------------------------------------------------------------------


def _num(value: Any) -> float:
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _cell(source: str, key: tuple, estimate: Any, weighted_base: Any, base: Any, sup: Any) -> dict:
    est = _num(estimate)
    return {
        "source": source,
        **dict(zip(KEYS, key, strict=True)),
        "estimate": est,
        "weighted_base": _num(weighted_base),
        "base": _num(base),
        "suppressed": bool(sup) or math.isnan(est),
    }


def _records(node: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _records(v, f"{path}/{k}")
    elif isinstance(node, list):
        for v in node:
            yield from _records(v, path)


def bundle_cells(bundle: dict, source: str) -> list[dict]:
    """Every figure of a fact bundle that names its cell, on the estimates frame's labels."""
    year = bundle["meta"].get("year") or max(bundle["meta"].get("waves", [0]) or [0])
    out: list[dict] = []
    for path, rec in _records(bundle):
        ind = rec.get("indicator")
        if not isinstance(ind, str) or "estimate" not in rec:
            continue
        wave = rec.get("wave") if rec.get("wave") is not None else year
        level = rec.get("level")
        if level in ("la", "england", "neighbourhood") and rec.get("area_code"):
            area = rec["area_code"]
        elif level in ("region", "la_type") and rec.get("area"):
            area = rec["area"]  # the national draft names regions and types
        elif level is None and rec.get("la_code") and "breakdown" not in rec:
            level, area = "la", rec["la_code"]  # national distribution of LAs
        elif level is None and rec.get("group_code") is not None and rec.get("breakdown"):
            level, area = "england", ENGLAND  # national groups
        elif level is None and path.endswith("/change"):
            level, area = "england", ENGLAND  # national change rows
        else:
            continue
        breakdown = rec.get("breakdown") or "all"
        code = "" if rec.get("group_code") is None else str(rec["group_code"])
        if level == "neighbourhood":
            breakdown, code = "neighbourhood", rec.get("group_code") or ""
        key = (int(wave), level, area, breakdown, code, ind)
        out.append(
            _cell(
                f"{source}{path}",
                key,
                rec.get("estimate"),
                rec.get("weighted_base"),
                rec.get("base"),
                rec.get("suppressed"),
            )
        )
        # The previous wave's figure, printed beside this one.
        if rec.get("previous_wave") is not None and rec.get("previous_estimate") is not None:
            prev = (int(rec["previous_wave"]), *key[1:])
            out.append(
                _cell(f"{source}{path}:previous", prev, rec["previous_estimate"], None, None, False)
            )
    return out


class Labels:
    """Published names back to codes: LAs, neighbourhoods, breakdowns and groups."""

    def __init__(self, built: Built, measures: Measures) -> None:
        lookup = pd.read_csv(built.data_dir / "la_lookup.csv", dtype=str)
        hoods = pd.read_csv(built.data_dir / "neighbourhoods.csv", dtype=str)
        self.la = dict(zip(lookup["la_name"], lookup["la_code"], strict=True))
        self.hood = {
            (la, name): code
            for la, name, code in zip(
                hoods["la_code"], hoods["neighbourhood_name"], hoods["neighbourhood_code"],
                strict=True,
            )
        }  # fmt: skip
        self.breakdown = {d.label: name for name, d in measures.demographics.items()}
        t = built.truth
        groups = t[~t["breakdown"].isin(["all", "neighbourhood"])]
        groups = groups[["breakdown", "group", "group_code"]].drop_duplicates()
        self.group = {
            (b, str(g)): str(c)
            for b, g, c in zip(
                groups["breakdown"], groups["group"], groups["group_code"], strict=True
            )
        }


def la_table_cells(table: pd.DataFrame, la: str, labels: Labels, source: str) -> list[dict]:
    """tables.csv of one LA: headline, indicators, trend, change, breakdowns, neighbourhoods."""
    out: list[dict] = []
    for r in table.itertuples(index=False):
        wave, ind = int(r.wave), r.indicator
        if r.table in ("headline", "indicators"):
            key = (wave, "la", la, "all", "", ind)
        elif r.table == "trend":
            key = (wave, "england", ENGLAND, "all", "", ind) if r.area == "England" else (
                wave, "la", la, "all", "", ind
            )  # fmt: skip
        elif r.table == "change":
            key = (wave, "la", la, "all", "", ind)
            prev = re.search(r"\((\d{4})\)", str(r.comparator))
            if prev:
                out.append(
                    _cell(
                        f"{source}:change:previous",
                        (int(prev.group(1)), "la", la, "all", "", ind),
                        r.comparator_value, None, None, False,
                    )
                )  # fmt: skip
        elif r.table == "breakdowns":
            b = labels.breakdown[r.breakdown]
            key = (wave, "la", la, b, labels.group[(b, str(r.group))], ind)
        elif r.table == "neighbourhoods":
            code = labels.hood[(la, r.group)]
            key = (wave, "neighbourhood", code, "neighbourhood", code, ind)
        else:
            continue
        out.append(
            _cell(f"{source}:{r.table}", key, r.estimate, r.weighted_base, r.base, r.suppressed)
        )
    return out


def national_table_cells(table: pd.DataFrame, labels: Labels, source: str) -> list[dict]:
    """The national draft's tables.csv: England, regions, LA types, England's groups."""
    out: list[dict] = []
    for r in table.itertuples(index=False):
        if pd.isna(r.wave) or not isinstance(r.indicator, str):
            continue
        wave, ind = int(r.wave), r.indicator
        if r.table == "england":
            key = (wave, "england", ENGLAND, "all", "", ind)
        elif r.table in ("regions", "la_types") and r.group == "All":
            key = (wave, "region" if r.table == "regions" else "la_type", r.area, "all", "", ind)
        elif r.table == "groups":
            b = labels.breakdown[r.breakdown]
            key = (wave, "england", ENGLAND, b, labels.group[(b, str(r.group))], ind)
        elif r.table == "distribution" and r.area in labels.la:
            key = (wave, "la", labels.la[r.area], "all", "", ind)
        else:
            continue
        out.append(
            _cell(f"{source}:{r.table}", key, r.estimate, r.weighted_base, r.base, r.suppressed)
        )
    return out


def benchmark_cells(bench: pd.DataFrame, source: str) -> list[dict]:
    """Estimate rows: published ones, and withheld ones (flagged in ``suppression``)."""
    rows = bench[bench["record_type"] == "estimate"]
    flags = rows["suppression"] if "suppression" in rows else pd.Series("", index=rows.index)
    return [
        _cell(
            source,
            (int(r.wave), r.level, r.area_code, "all", "", r.indicator),
            r.estimate,
            r.weighted_base,
            r.base,
            isinstance(flag, str) and flag != "",
        )
        for r, flag in zip(rows.itertuples(index=False), flags, strict=True)
    ]


@dataclass(frozen=True)
class Harvest:
    cells: pd.DataFrame  # one row per (file, figure)
    files: dict[str, int]  # figures read per kind of file


@pytest.fixture(scope="module")
def harvest(built: Built, measures: Measures) -> Harvest:
    return harvest_outputs(built, measures)


def harvest_outputs(built: Built, measures: Measures) -> Harvest:
    """Every figure of every written file, on the estimates frame's labels."""
    labels = Labels(built, measures)
    cells: list[dict] = []
    files: dict[str, int] = {}

    def add(kind: str, found: list[dict]) -> None:
        cells.extend(found)
        files[kind] = files.get(kind, 0) + len(found)

    for la in built.la_codes:
        folder = built.year_dir / la
        table = pd.read_csv(folder / "tables.csv")
        add("tables.csv", la_table_cells(table, la, labels, f"{la}/tables.csv"))
        bundle = json.loads((built.facts_dir / f"{la}.json").read_text("utf-8"))
        add("facts", bundle_cells(bundle, f"facts/{la}.json"))
    national = built.year_dir / "national"
    add(
        "national tables.csv",
        national_table_cells(pd.read_csv(national / "tables.csv"), labels, "national/tables.csv"),
    )
    bench = pd.read_csv(national / "benchmarks.csv", low_memory=False)
    add("benchmarks.csv", benchmark_cells(bench, "national/benchmarks.csv"))
    bundle = json.loads((built.facts_dir / "national.json").read_text("utf-8"))
    add("facts", bundle_cells(bundle, "facts/national.json"))
    # Every bundle under the facts folder was read.
    assert sorted(p.stem for p in built.facts_dir.glob("*.json")) == sorted(
        [*built.la_codes, "national"]
    )
    return Harvest(pd.DataFrame(cells), files)


def published_view(harvest: Harvest, truth: pd.DataFrame) -> pd.DataFrame:
    """What an attacker holds, on the truth frame's rows.

    A cell is open when some file prints its estimate; its weighted base is
    the one any file prints (a figure without one cannot be differenced, so
    it counts as hidden for the attack). ``shown`` says whether any file
    prints the estimate; ``marked`` whether some file says suppressed.
    """
    c = harvest.cells
    shown = c[~c["suppressed"]]
    agg = shown.groupby(KEYS, dropna=False).agg(
        estimate=("estimate", "first"),
        weighted_base=("weighted_base", "max"),
        base=("base", "max"),
    )
    marked = c[c["suppressed"]].groupby(KEYS).size().rename("n_marked")
    t = truth[[*KEYS, "la_code", "ci_lower", "ci_upper"]].copy()
    t["wave"] = t["wave"].astype(int)
    pub = t.merge(agg.reset_index(), on=KEYS, how="left").merge(
        marked.reset_index(), on=KEYS, how="left"
    )
    assert len(pub) == len(truth)
    pub["shown"] = pub["estimate"].notna()
    pub["marked"] = pub["n_marked"].fillna(0) > 0
    pub["suppressed"] = ~pub["shown"] | pub["weighted_base"].isna()
    return pub


# --------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------


def test_the_build_suppresses_at_every_level(built: Built, harvest: Harvest) -> None:
    """Not vacuous: groups, neighbourhoods and LAs (benchmark file, trend) are suppressed."""
    c = harvest.cells
    assert set(harvest.files) == {"tables.csv", "facts", "national tables.csv", "benchmarks.csv"}
    sup = c[c["suppressed"]]
    assert (sup["breakdown"] != "all").any() and (sup["level"] == "neighbourhood").any()
    la_sup = sup[(sup["level"] == "la") & (sup["breakdown"] == "all")]
    assert (la_sup["area_code"] == built.small_la).any()
    # The benchmark file publishes no number of the small LA's wave, nor
    # (secondary suppression) of other LAs and regions of that wave.
    bench = c[(c["source"] == "national/benchmarks.csv") & ~c["suppressed"]]
    wave = sorted(bench["wave"].unique())[-2]
    per_wave = bench.groupby(["wave", "level"])["area_code"].nunique()
    las = set(bench.loc[(bench["wave"] == wave) & (bench["level"] == "la"), "area_code"])
    assert built.small_la not in las
    assert per_wave[(wave, "la")] < per_wave[(max(bench["wave"]), "la")] - 1, per_wave
    assert len(las) >= 2, "every LA of the wave withheld"


def test_every_cell_read_back_is_a_cell_of_the_estimates(built: Built, harvest: Harvest) -> None:
    """The label mapping is complete: no figure read back falls outside the truth frame."""
    keys = built.truth[KEYS].assign(wave=built.truth["wave"].astype(int))
    found = harvest.cells.merge(keys.drop_duplicates(), on=KEYS, how="left", indicator=True)
    stray = found[(found["_merge"] == "left_only") & ~found["suppressed"]]
    assert stray.empty, stray[["source", *KEYS]].drop_duplicates(KEYS).head(20)


def test_benchmarks_csv_flags_every_withheld_cell_and_prints_none_of_its_numbers(
    built: Built,
) -> None:
    """A withheld cell keeps its row, flagged, so "suppressed" reads apart from "not surveyed"."""
    from civicpulse_report.statistics import read_benchmarks
    from civicpulse_report.statistics.columns import NUMERIC_COLUMNS

    path = built.year_dir / "national" / "benchmarks.csv"
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(text.columns)[-1] == "suppression"
    rows = text[text["record_type"] == "estimate"]
    flags = rows["suppression"]
    assert set(flags) <= {"", "primary", "secondary"}
    assert (text.loc[text["record_type"] != "estimate", "suppression"] == "").all()
    # Every LA-level and higher cell of the estimates has exactly one row.
    on = ["wave", "level", "area_code", "indicator"]
    truth = built.truth[
        built.truth["level"].isin(["england", "region", "la_type", "la"])
        & (built.truth["breakdown"] == "all")
    ]
    have = rows[on].assign(wave=rows["wave"].astype(int))
    assert not have.duplicated().any()
    want = truth[on].assign(wave=truth["wave"].astype(int))
    assert sorted(map(tuple, have.to_numpy())) == sorted(map(tuple, want.to_numpy()))
    # A flagged row prints no number at all: no estimate, interval, base or n_eff.
    withheld = rows[flags != ""]
    assert (withheld[list(NUMERIC_COLUMNS)] == "").all().all()
    assert (rows.loc[flags == "", "estimate"] != "").all()
    # The small LA's wave under min_base is primary; what protects it is secondary.
    wave = str(sorted(int(w) for w in rows["wave"].unique())[-2])
    small = rows[(rows["area_code"] == built.small_la) & (rows["wave"] == wave)]
    assert len(small) and (small["suppression"] == "primary").all()
    secondary = withheld[withheld["suppression"] == "secondary"]
    assert {"la", "region"} <= set(secondary["level"])
    counts = flags[flags != ""].value_counts().to_dict()
    print(f"\nbenchmarks.csv: {len(rows)} estimate rows, {len(withheld)} withheld ({counts})")
    # A council reading the release gets the withheld cells as not available:
    # no row in the release's estimates, never a zero.
    release = read_benchmarks(path)
    assert len(release.estimates) == len(rows) - len(withheld)
    assert release.estimates["estimate"].notna().all()
    got = set(map(tuple, release.estimates[on].astype(str).to_numpy()))
    assert not got & set(map(tuple, withheld[on].to_numpy()))


def test_the_xlsx_holds_exactly_the_cells_of_the_csv(built: Built) -> None:
    """So the attack on tables.csv covers tables.xlsx (the LAs' and the national draft's)."""
    for la in [*built.la_codes, "national"]:
        folder = built.year_dir / la
        csv = pd.read_csv(folder / "tables.csv", dtype=str, keep_default_na=False)
        xlsx = pd.read_excel(folder / "tables.xlsx", sheet_name=None, dtype=str)
        assert list(xlsx) == ["tables"], la
        sheet = xlsx["tables"].fillna("")
        assert list(sheet.columns) == list(csv.columns), la
        assert len(sheet) == len(csv), la
        for col in csv.columns:
            a, b = csv[col].to_numpy(), sheet[col].to_numpy()
            numeric_a, numeric_b = (
                pd.to_numeric(a, errors="coerce"),
                pd.to_numeric(b, errors="coerce"),
            )
            both = ~np.isnan(numeric_a) & ~np.isnan(numeric_b)
            assert np.allclose(numeric_a[both], numeric_b[both], atol=5e-5), (la, col)
            # Blank in one is blank in the other; text is text.
            assert ((a == "") == (b == "")).all(), (la, col)
            text = ~both & (a != "")
            same = (a[text] == b[text]) | (
                np.char.lower(a[text].astype(str)) == np.char.lower(b[text].astype(str))
            )
            assert same.all(), (la, col, a[text][~same][:3], b[text][~same][:3])


def test_no_cell_is_suppressed_in_one_file_and_printed_in_another(
    built: Built, harvest: Harvest
) -> None:
    c = harvest.cells
    marked = c[c["suppressed"]][KEYS].drop_duplicates()
    printed = c[~c["suppressed"]].merge(marked, on=KEYS)
    assert printed.empty, printed[["source", *KEYS, "estimate"]].head(20)
    # Nothing printed rests on fewer than min_base respondents.
    base = built.truth[[*KEYS, "base"]].assign(wave=built.truth["wave"].astype(int))
    shown = c[~c["suppressed"]].merge(base.rename(columns={"base": "true_base"}), on=KEYS)
    small = shown[shown["true_base"] < built.min_base]
    assert small.empty, small[["source", *KEYS, "true_base"]].head(20)
    # Files that print the same cell agree (to the 4 decimals of tables.csv).
    spread = c[~c["suppressed"]].groupby(KEYS)["estimate"].agg(lambda s: s.max() - s.min())
    assert (spread < 1e-3).all(), spread[spread >= 1e-3].head(20)


def _counts(attack: pd.DataFrame) -> str:
    return ", ".join(f"{k}: {v}" for k, v in attack["family"].value_counts().sort_index().items())


def test_no_suppressed_value_is_recovered_from_the_written_outputs(
    built: Built, harvest: Harvest
) -> None:
    pub = published_view(harvest, built.truth)
    attack = differencing_attack(pub, built.areas)
    hits = recovered_cells(attack, built.truth)
    # A recovered cell is a disclosure when some file marks it suppressed or it
    # rests on fewer than min_base respondents. Cells that are merely not
    # printed (a group of a plain indicator beside the one priority row that
    # names its sibling) and rest on enough respondents are no secret; a
    # printed figure with no weighted base counts as hidden for the attack.
    cells = hits["cell"].to_numpy(int)
    small = (built.truth["base"] < built.min_base).to_numpy()
    secret = (pub["marked"].to_numpy() | small) & ~pub["shown"].to_numpy()
    leaks = hits[secret[cells]]
    print(
        f"\nwritten outputs: {len(attack)} sets with a hidden cell ({_counts(attack)}); "
        f"{int(pub['marked'].sum())} cells marked suppressed ({int((small & pub['marked']).sum())}"
        f" under min_base), {int(pub['shown'].sum())} printed; {len(leaks)} suppressed cells "
        f"recovered; {len(hits) - len(leaks)} unprinted cells on >= min_base recovered"
    )
    detail = leaks.assign(**{k: pub[k].to_numpy()[leaks["cell"].to_numpy(int)] for k in KEYS})
    assert leaks.empty, detail[["family", *KEYS, "recovered", "true", "half_width"]].head(20)
    # Every suppressed cell in the files sits in sets that hide at least two.
    marked_sets = attack[pub["marked"].to_numpy()[attack["cell"].to_numpy(int)]]
    assert len(marked_sets) > 100
    single = marked_sets[marked_sets["n_hidden"] == 1]
    assert single.empty, single.head(20)


def test_the_attack_recovers_cells_from_the_same_outputs_with_primary_suppression_only(
    built: Built, harvest: Harvest
) -> None:
    """The test can fail: republish what the files cover, hiding only cells under min_base."""
    pub = published_view(harvest, built.truth)
    covered = pub["shown"] | pub["marked"]
    truth = built.truth
    naive = pub.copy()
    naive["estimate"] = truth["estimate"].to_numpy()
    naive["weighted_base"] = truth["weighted_base"].to_numpy()
    naive["base"] = truth["base"].to_numpy()
    naive["suppressed"] = ~covered.to_numpy() | (truth["base"] < built.min_base).to_numpy()
    attack = differencing_attack(naive, built.areas)
    hits = recovered_cells(attack, truth)
    primary = (truth["base"] < built.min_base).to_numpy()[hits["cell"].to_numpy(int)]
    leaks = hits[primary & covered.to_numpy()[hits["cell"].to_numpy(int)]]
    print(f"\nprimary suppression only: {len(leaks)} suppressed cells recovered ({_counts(leaks)})")
    assert len(leaks) > 50
    assert {"groups in LA", "neighbourhoods"} <= set(leaks["family"])
    assert {"LAs in England", "LAs in region", "LAs in la_type"} & set(leaks["family"])


# --------------------------------------------------------------------------
# HTML and PDF text
# --------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts (scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._open: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._open.append([])
        elif tag == "tr" and self._open:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "table" and self._open:
            self.tables.append(self._open.pop())
        elif tag == "tr" and self._row is not None and self._open:
            self._open[-1].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if not self._skip and self._cell is not None:
            self._cell.append(data)


def html_tables(path: Path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text("utf-8"))
    return parser.tables


def _one_table(tables: list[list[list[str]]], header: list[str]) -> dict[str, list[str]]:
    found = [t for t in tables if t and t[0][: len(header)] == header]
    assert len(found) == 1, header
    return {row[0]: row[1:] for row in found[0][1:]}


DIGIT = re.compile(r"\d")


def test_the_html_prints_no_number_for_a_suppressed_group_or_neighbourhood(built: Built) -> None:
    checked = 0
    for la in built.la_codes:
        table = pd.read_csv(built.year_dir / la / "tables.csv")
        tables = html_tables(built.year_dir / la / "report.html")
        groups = _one_table(tables, ["Group", "Area"])
        hoods = _one_table(tables, ["Neighbourhood", "Modelled estimate"])
        drivers = table[table["indicator"] == "index_drivers"]
        for kind, rows, html_rows in (
            ("breakdowns", drivers[drivers["table"] == "breakdowns"], groups),
            ("neighbourhoods", drivers[drivers["table"] == "neighbourhoods"], hoods),
        ):
            assert len(rows) == len(html_rows), (la, kind)
            for r in rows.itertuples(index=False):
                label = f"{r.breakdown}: {r.group}" if kind == "breakdowns" else r.group
                cells = html_rows[label]
                if r.suppressed:
                    assert cells[0] == "suppressed", (la, label, cells)
                    assert not any(DIGIT.search(c) for c in cells), (la, label, cells)
                    checked += 1
                else:  # the row matched is the right one: it prints the csv's estimate
                    assert cells[0] == f"{r.estimate:.1f}", (la, label, cells, r.estimate)
        # The data-quality table of a wave under min_base prints no count.
        quality = _one_table(tables, ["Wave", "Respondents"])
        if la == built.small_la:
            wave = str(sorted(int(w) for w in quality)[-2])
            count, *rest = quality[wave]
            assert count == f"fewer than {built.min_base}", quality[wave]
            assert rest and set(rest) == {"suppressed"}, quality[wave]
    assert checked > 50


def _pdf_sections(path: Path, *sections: tuple[str, str]) -> str:
    """The text of the pages from each (first, next) outline heading to the next's page.

    Only those pages are extracted (pypdf takes seconds per report); with no
    such headings in the outline, every page is.
    """
    reader = pypdf.PdfReader(path)
    starts: dict[str, int] = {}

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                starts.setdefault(str(item.title), reader.get_destination_page_number(item))

    walk(reader.outline)
    pages: set[int] = set()
    for first, following in sections:
        if first not in starts:
            pages = set(range(len(reader.pages)))
            break
        end = starts.get(following, len(reader.pages) - 1)
        pages |= set(range(starts[first], end + 1))
    return "\n".join(reader.pages[i].extract_text() or "" for i in sorted(pages))


def test_the_pdf_prints_no_number_for_a_suppressed_group_or_neighbourhood(built: Built) -> None:
    checked = 0
    for la in built.la_codes:
        table = pd.read_csv(built.year_dir / la / "tables.csv")
        sections = [("Where to act", "Recommendations")]
        if la == built.small_la:
            sections.append(("Methodology and data quality", ""))
        text = _pdf_sections(built.year_dir / la / "report.pdf", *sections)
        lines = [x.strip() for x in text.splitlines()]
        drivers = table[(table["indicator"] == "index_drivers")]
        # The group chart marks each suppressed group, and prints no values.
        groups = drivers[drivers["table"] == "breakdowns"]
        assert lines.count("suppressed (small base)") == int(groups["suppressed"].sum()), la
        # The tile map: a suppressed neighbourhood reads "base < min", never a number.
        flat = " ".join(lines)
        for r in drivers[drivers["table"] == "neighbourhoods"].itertuples(index=False):
            name = " ".join(str(r.group).split())
            after = [
                flat[m.end() : m.end() + 12].strip() for m in re.finditer(re.escape(name), flat)
            ]
            assert after, (la, name)
            if r.suppressed:
                assert any(a.startswith("base < min") for a in after), (la, name, after)
                assert not any(re.match(r"\d", a) for a in after), (la, name, after)
                checked += 1
            else:
                assert any(a.startswith(f"{r.estimate:.1f}") for a in after), (la, name, after)
        checked += int(groups["suppressed"].sum())
        if la == built.small_la:  # the data-quality row of the wave under min_base
            wave = sorted(table.loc[table["table"] == "trend", "wave"].unique())[-2]
            row = next(x for x in lines if x.startswith(f"{wave} "))
            assert row == f"{wave} fewer than {built.min_base} suppressed suppressed suppressed", (
                row
            )
    assert checked > 50


# --------------------------------------------------------------------------
# The national draft's HTML and PDF text


@functools.cache
def pdf_text(path: Path) -> str:
    """Every page's text (pypdf takes seconds per report: once per file for the module)."""
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)


class _TextUnits(HTMLParser):
    """A page's text as units: each block (paragraph, list item, table row, caption,
    heading), with a row's cells kept together, and each image's alt text."""

    BLOCKS = frozenset(
        {"p", "li", "tr", "caption", "figcaption", "dt", "dd", "div", "section", "figure"}
        | {f"h{i}" for i in range(1, 7)}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[str] = []
        self._text: list[str] = []
        self._skip = 0

    def flush(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            self.units.append(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.flush()
        if tag in ("td", "th"):
            self._text.append(" | ")
        for name, value in attrs:
            if name in ("alt", "aria-label", "title") and value:
                self.units.append(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._text.append(data)


def _clauses(texts: list[str]) -> list[str]:
    """Each text, and its clauses: so that a name is tied to the figures of its own clause."""
    parts = (part.strip() for t in texts for part in re.split(r";|: |, |\. ", t))
    return [*texts, *(part for part in parts if part)]


def html_units(path: Path) -> list[str]:
    parser = _TextUnits()
    parser.feed(path.read_text("utf-8"))
    parser.flush()
    return _clauses(parser.units)


def pdf_units(path: Path) -> list[str]:
    """Each line of the PDF text (a table row), and the clauses of the text run together."""
    lines = [line.strip() for line in pdf_text(path).splitlines() if line.strip()]
    return [*lines, *_clauses([" ".join(lines)])[1:]]


ONE_DECIMAL = re.compile(r"(?<![\d.])-?\d+\.\d(?!\d)")  # how the drafts print figures


@dataclass(frozen=True)
class Secret:
    """A suppressed cell as a reader of the draft would meet it: names and value."""

    key: tuple
    names: tuple[str, ...]  # all printed together where its figure would be
    value: str  # its true estimate, to the one decimal the draft prints


def suppressed_cells_by_name(built: Built, harvest: Harvest) -> list[Secret]:
    """Every cell some file marks suppressed (or under min_base), with its names and value.

    A cell whose value, to one decimal, is also a published figure of its own
    area (any indicator, wave or interval bound) or of England is left out:
    seeing that number printed beside the name says nothing.
    """
    lookup = pd.read_csv(built.data_dir / "la_lookup.csv", dtype=str)
    hoods = pd.read_csv(built.data_dir / "neighbourhoods.csv", dtype=str)
    la_name = dict(zip(lookup["la_code"], lookup["la_name"], strict=True))
    hood_name = dict(zip(hoods["neighbourhood_code"], hoods["neighbourhood_name"], strict=True))
    truth = built.truth.assign(wave=built.truth["wave"].astype(int))
    c = harvest.cells
    marked = c[c["suppressed"]][KEYS].drop_duplicates()
    hidden = pd.concat([truth.merge(marked, on=KEYS), truth[truth["base"] < built.min_base]])
    hidden = hidden.drop_duplicates(KEYS)
    shown = truth.merge(c[~c["suppressed"]][KEYS].drop_duplicates(), on=KEYS)

    def one_decimal(frame: pd.DataFrame) -> set[str]:
        values = frame[["estimate", "ci_lower", "ci_upper"]].to_numpy(float).ravel()
        return {f"{v:.1f}" for v in values if not math.isnan(v)}

    england = one_decimal(shown[shown["level"] == "england"])
    published = {area: one_decimal(g) for area, g in shown.groupby(["level", "area_code"])}
    secrets = []
    for r in hidden.itertuples(index=False):
        if r.level == "neighbourhood":
            names: tuple[str, ...] = (hood_name.get(r.area_code, r.area_code),)
        elif r.level == "la":
            names = (la_name[r.area_code],)
            if r.breakdown != "all":
                names += (str(r.group),)
        elif r.level in ("region", "la_type"):
            names = (r.area_code,)
        elif r.breakdown == "all":
            names = ("England",)
        else:
            names = (str(r.group),)
        # A group called "2" (a deprivation quintile) cannot be told apart in text.
        if math.isnan(r.estimate) or any(re.fullmatch(r"\d+", n) for n in names):
            continue
        value = f"{r.estimate:.1f}"
        if value in england or value in published.get((r.level, r.area_code), set()):
            continue
        secrets.append(Secret(tuple(getattr(r, k) for k in KEYS), names, value))
    return secrets


def printed(secrets: list[Secret], units: list[str]) -> tuple[list[tuple[Secret, str]], int]:
    """The secrets whose value is printed in a unit naming them; how many are named at all."""
    numbers = [set(ONE_DECIMAL.findall(u)) for u in units]
    by_names: dict[tuple[str, ...], list[int]] = {}
    for names in {s.names for s in secrets}:
        by_names[names] = [i for i, u in enumerate(units) if all(n in u for n in names)]
    found, named = [], 0
    for secret in secrets:
        where = by_names[secret.names]
        named += bool(where)
        found += [(secret, units[i]) for i in where if secret.value in numbers[i]][:1]
    return found, named


@pytest.fixture(scope="module")
def national_secrets(built: Built, harvest: Harvest) -> list[Secret]:
    return suppressed_cells_by_name(built, harvest)


@pytest.mark.parametrize("name", ["report.html", "report.pdf"])
def test_the_national_draft_prints_no_suppressed_value(
    built: Built, national_secrets: list[Secret], name: str
) -> None:
    path = built.year_dir / "national" / name
    units = html_units(path) if name.endswith(".html") else pdf_units(path)
    found, named = printed(national_secrets, units)
    # Not vacuous: the draft names many of them (the LAs and regions of the wave
    # under min_base among them), so their figures would be seen if printed.
    areas = [s for s in national_secrets if s.key[1] in ("la", "region") and s.key[3] == "all"]
    named_areas = [s for s in areas if any(all(n in u for n in s.names) for u in units)]
    levels = pd.Series([s.key[1] for s in national_secrets]).value_counts().to_dict()
    print(
        f"\nnational {name}: {len(units)} text units; {len(national_secrets)} suppressed cells "
        f"checked ({levels}), {named} of them named in it ({len(named_areas)} LA or region "
        f"figures); {len(found)} printed"
    )
    assert not found, [(s.key, s.value, unit[:160]) for s, unit in found[:10]]
    assert len(named_areas) > 50, len(named_areas)
    assert any(s.key[2] == built.small_la for s in named_areas)


def test_the_national_scan_finds_a_suppressed_value_printed_beside_its_area(
    built: Built, national_secrets: list[Secret]
) -> None:
    """The scan can fail: the draft's own row of an LA, given that LA's suppressed value."""
    units = html_units(built.year_dir / "national" / "report.html")
    caught = 0
    for level in ("la", "region"):
        secret, unit = next(
            (s, u)
            for s in national_secrets
            if s.key[1] == level and s.key[3] == "all"
            for u in units
            if all(n in u for n in s.names) and ONE_DECIMAL.search(u)
        )
        doctored = ONE_DECIMAL.sub(secret.value, unit, count=1)
        found, _ = printed([secret], [doctored])
        assert [s for s, _ in found] == [secret], (secret, doctored)
        caught += 1
    assert caught == 2


# --------------------------------------------------------------------------
# The scan of every produced file: no respondent-level data anywhere


def _text_of(path: Path) -> str:
    """What a reader of the file sees, as text: PDF and DOCX text, XLSX cells, else the bytes."""
    import zipfile

    import openpyxl

    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as docx:
            return docx.read("word/document.xml").decode("utf-8")
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_output_holds_a_respondent_id_or_a_respondent_level_row(built: Built) -> None:
    """HTML, PDF, DOCX, CSV, XLSX, executed notebooks, bundles and the benchmark file."""
    survey = pd.read_parquet(built.data_dir / "survey.parquet")
    ids = set(survey["respondent_id"].astype(str))
    # Every id has the LA code, the wave and a serial: a search for that shape finds
    # ids even of respondents this file set never names.
    shape = re.compile(r"X\d{8}-\d{4}-\d{5}")
    files = [
        p
        for folder in (built.root / "reports", built.root / "build")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "cache" not in p.parts and p.suffix != ".lock"
    ]
    kinds = {p.suffix for p in files}
    assert {".html", ".pdf", ".docx", ".csv", ".xlsx", ".ipynb", ".json"} <= kinds, kinds
    n_rows = len(survey)
    for path in files:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            assert "respondent_id" not in frame.columns and len(frame) != n_rows, path
            text = frame.to_csv(index=False)
        else:
            text = _text_of(path)
        found = shape.findall(text)
        assert not found, f"{path.name} holds respondent ids: {found[:3]}"
        assert not any(i in text for i in sorted(ids)[:: max(1, len(ids) // 200)]), path
        assert "respondent_id" not in text, f"{path.name} names the respondent id column"
