"""tables.csv and tables.xlsx: every number a report shows, tidy, from its fact bundle.

One row per published number with its interval, bases, comparator and flags,
so a reader can recheck any interval from the file alone. Spreadsheet exports
neutralise formula-like text (a name such as ``=HYPERLINK(...)`` from a data
file must never run in Excel).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from civicpulse_report.safe_files import neutralise_formulas
from civicpulse_report.statistics import COMPARATOR_LABELS, COMPARATORS, GROUPS

TABLE_COLUMNS = [
    "table",
    "indicator",
    "indicator_label",
    "type",
    "breakdown",
    "group",
    "area",
    "wave",
    "estimate",
    "ci_lower",
    "ci_upper",
    "base",
    "weighted_base",
    "n_eff",
    "deff",
    "comparator",
    "comparator_value",
    "significance",
    "suppressed",
    "flags",
]
NUMBER_COLUMNS = (
    "estimate",
    "ci_lower",
    "ci_upper",
    "weighted_base",
    "n_eff",
    "deff",
    "comparator_value",
)

Record = Mapping[str, Any]


def _row(
    table: str,
    rec: Record,
    *,
    area: str,
    comparator: str | None = "England",
    comparator_value: Any = None,
    significance: Any = None,
    flags: Iterable[str] = (),
    **override: Any,
) -> dict[str, Any]:
    row = {
        "table": table,
        "indicator": rec.get("indicator"),
        "indicator_label": rec.get("label"),
        "type": rec.get("type"),
        "breakdown": rec.get("breakdown", "all"),
        "group": rec.get("group", "All"),
        "area": area,
        "wave": rec.get("wave"),
        "estimate": rec.get("estimate"),
        "ci_lower": rec.get("ci_lower"),
        "ci_upper": rec.get("ci_upper"),
        "base": rec.get("base"),
        "weighted_base": rec.get("weighted_base"),
        "n_eff": rec.get("n_eff"),
        "deff": rec.get("deff"),
        "comparator": comparator,
        "comparator_value": rec.get("england_value")
        if comparator_value is None
        else comparator_value,
        "significance": rec.get("sig_england") if significance is None else significance,
        "suppressed": bool(rec.get("suppressed", False)),
        "flags": ";".join(flags),
    }
    row.update(override)
    return row


def _scope_names(meta: Mapping[str, Any]) -> dict[str, str | None]:
    """Each comparator's name for this LA (None when it has none); standard labels for old bundles."""
    scopes = meta.get("comparators")
    if not scopes:
        return {**COMPARATOR_LABELS, GROUPS: COMPARATOR_LABELS["england"]}
    return {level: s["name"] if s.get("available") else None for level, s in scopes.items()}


def facts_to_table(facts: Mapping[str, Any]) -> pd.DataFrame:
    """Flatten a fact bundle into the tidy tables.csv frame.

    Parameters
    ----------
    facts : Mapping
        A bundle from :func:`civicpulse_report.report.facts.build_facts`.

    Returns
    -------
    DataFrame
        Columns :data:`TABLE_COLUMNS`; suppressed rows carry no numbers.
    """
    meta = facts["meta"]
    la_name = meta["la_name"]
    base_flags = ["synthetic"] if meta.get("synthetic") else []
    rows: list[dict[str, Any]] = []
    # The comparator column names each comparator for what it is (a pooled
    # sample is never "England"); a comparator the LA has none of is left out.
    names = _scope_names(meta)
    top, within = names.get("england"), names.get(GROUPS)
    centre = top or within

    for rec in facts["headline"]:
        rows.append(_row("headline", rec, area=la_name, comparator=top, flags=base_flags))
    for rec in facts["la_indicators"]:
        for name in COMPARATORS:
            if names.get(name) is None:
                continue
            rows.append(
                _row(
                    "indicators",
                    rec,
                    area=la_name,
                    comparator=names[name],
                    comparator_value=rec.get(f"{name}_value"),
                    significance=rec.get(f"sig_{name}"),
                    flags=base_flags,
                )
            )
    for rec in facts["spine"]:
        for key, label in (
            ("min", "Lowest LA"),
            ("q25", "25th percentile of LAs"),
            ("median", "Median LA"),
            ("q75", "75th percentile of LAs"),
            ("max", "Highest LA"),
        ):
            rows.append(
                {
                    **{c: None for c in TABLE_COLUMNS},
                    "table": "spine",
                    "indicator": rec["indicator"],
                    "indicator_label": rec["label"],
                    "type": rec["type"],
                    "breakdown": "all",
                    "group": label,
                    "area": "All LAs",
                    "wave": meta["year"],
                    "estimate": rec.get(key),
                    "comparator": centre,
                    "comparator_value": rec.get("england"),
                    "significance": "not tested",
                    "suppressed": False,
                    "flags": ";".join([*base_flags, "distribution of LA estimates"]),
                }
            )
    for rec in facts["breakdowns"]:
        rows.append(
            _row(
                "breakdowns",
                {**rec, "breakdown": rec.get("breakdown_label", rec.get("breakdown"))},
                area=la_name,
                comparator=within,
                flags=base_flags,
            )
        )
    for rec in facts["neighbourhoods"]:
        rows.append(
            _row(
                "neighbourhoods",
                {**rec, "breakdown": "neighbourhood", "group": rec.get("name")},
                area=rec.get("name") or rec.get("area_code"),
                comparator=within,
                flags=[*base_flags, "modelled (empirical Bayes)"],
            )
        )
    for rec in facts["trend"]:
        is_la = rec.get("level") == "la"
        rows.append(
            _row(
                "trend",
                rec,
                area=la_name if is_la else (centre or "England"),
                comparator=top if is_la else None,
                significance=None if is_la else "not tested",
                flags=base_flags,
            )
        )
    for rec in facts["changes"]:
        diff = rec.get("change")
        # previous_wave is a float in the bundle (NaN-able): show the year as 2025, not 2025.0.
        prev = rec.get("previous_wave")
        rows.append(
            _row(
                "change",
                rec,
                area=la_name,
                comparator=f"Previous wave ({int(prev) if prev is not None else 'none'})",
                comparator_value=rec.get("previous_estimate"),
                significance="higher" if (diff or 0) > 0 else "lower",
                flags=[*base_flags, f"change {diff:+.1f}" if diff is not None else "change"],
            )
        )
    for rec in facts["legacy"]:
        rows.append(legacy_row(rec, la_name, base_flags))
    for rec in facts["quadrant"]:
        for axis, ind in (("traditional", "index_traditional"), ("drivers", "index_drivers")):
            rows.append(
                {
                    **{c: None for c in TABLE_COLUMNS},
                    "table": "quadrant",
                    "indicator": ind,
                    "indicator_label": f"{axis.capitalize()} index",
                    "type": "mean",
                    "breakdown": "all",
                    "group": "All",
                    "area": rec.get("la_name") or rec.get("la_code"),
                    "wave": meta["year"],
                    "estimate": rec.get(axis),
                    "ci_lower": rec.get(f"{axis}_ci_lower"),
                    "ci_upper": rec.get(f"{axis}_ci_upper"),
                    "comparator": centre,
                    "comparator_value": rec.get(f"england_{axis}"),
                    "significance": rec.get(f"{axis}_sig_england", "not tested"),
                    "suppressed": False,
                    "flags": ";".join([*base_flags, f"quadrant: {rec.get('quadrant')}"]),
                }
            )
    for rec in facts.get("lens", {}).get("units", []):
        for axis, ind in (("traditional", "index_traditional"), ("drivers", "index_drivers")):
            rows.append(
                {
                    **{c: None for c in TABLE_COLUMNS},
                    "table": "lens",
                    "indicator": ind,
                    "indicator_label": f"{axis.capitalize()} index",
                    "type": "mean",
                    "breakdown": rec.get("breakdown"),
                    "group": rec.get("label"),
                    "area": la_name,
                    "wave": meta["year"],
                    "estimate": rec.get(axis),
                    "ci_lower": rec.get(f"{axis}_ci_lower"),
                    "ci_upper": rec.get(f"{axis}_ci_upper"),
                    "base": rec.get("base"),
                    "comparator": centre,
                    "comparator_value": rec.get(f"england_{axis}"),
                    "significance": rec.get(f"{axis}_sig_england", "not tested"),
                    "suppressed": False,
                    "flags": ";".join(
                        [
                            *base_flags,
                            *(["modelled"] if rec.get("kind") == "neighbourhood" else []),
                            *(
                                ["looks fine on satisfaction but lacks drivers"]
                                if rec.get("flagged")
                                else []
                            ),
                        ]
                    ),
                }
            )
    for rec in facts["priorities"]:
        rows.append(
            _row(
                "priorities",
                {**rec, "label": rec.get("indicator_label"), "group": rec.get("where")},
                area=la_name,
                comparator=within,
                significance="worse" if rec.get("significant") else "similar",
                flags=[
                    *base_flags,
                    f"priority rank {rec.get('rank')}",
                    f"score {rec.get('score'):.3f}",
                    *(["modelled"] if rec.get("modelled") else []),
                ],
            )
        )
    for number, rec in enumerate(facts.get("recommendations", []), 1):
        name = rec["intervention"]["name"]
        for part, items in (
            ("evidence", rec.get("evidence", [])),
            ("asset to build on", rec.get("assets_to_build_on", [])),
        ):
            for item in items:
                rows.append(
                    _row(
                        "recommendations",
                        {
                            **item,
                            "label": item.get("indicator_label"),
                            "group": item.get("where"),
                            "wave": meta["year"],
                        },
                        area=la_name,
                        comparator=within,
                        flags=[
                            *base_flags,
                            f"recommendation {number}: {name}",
                            part,
                            *(["modelled"] if item.get("modelled") else []),
                        ],
                    )
                )
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for col in NUMBER_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").round(4)
    frame["base"] = pd.to_numeric(frame["base"], errors="coerce").astype("Int64")
    frame["wave"] = pd.to_numeric(frame["wave"], errors="coerce").astype("Int64")
    return frame


def legacy_row(rec: Record, la_name: str, base_flags: list[str]) -> dict[str, Any]:
    """One legacy (Place/Citizenship Survey) figure as a tables row.

    National-only figures (the Citizenship Survey) appear with area England.
    """
    local = rec.get("legacy_value") is not None
    return {
        **{c: None for c in TABLE_COLUMNS},
        "table": "legacy",
        "indicator": rec.get("legacy_indicator"),
        "indicator_label": rec.get("legacy_label"),
        "type": "proportion",
        "breakdown": "all",
        "group": "All",
        "area": la_name if local else "England",
        "wave": rec.get("legacy_year"),
        "estimate": rec.get("legacy_value") if local else rec.get("legacy_england_value"),
        "ci_lower": rec.get("legacy_ci_lower") if local else None,
        "ci_upper": rec.get("legacy_ci_upper") if local else None,
        "base": rec.get("legacy_base") if local else None,
        "comparator": "England" if local else None,
        "comparator_value": rec.get("legacy_england_value") if local else None,
        "significance": "not tested",
        "suppressed": False,
        "flags": ";".join([*base_flags, f"source: {rec.get('source_label', rec.get('source'))}"]),
    }


def write_tables(table: pd.DataFrame, out_dir: Path) -> dict[str, Path]:
    """Write tables.csv and tables.xlsx (deterministic, formula-safe)."""
    csv_path = out_dir / "tables.csv"
    xlsx_path = out_dir / "tables.xlsx"
    safe = neutralise_formulas(table)
    safe.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.4f")
    _write_xlsx(safe, xlsx_path)
    _fix_xlsx_timestamps(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


def _xlsx_value(value: Any) -> Any:
    """A cell's value for openpyxl: missing values are empty cells, numpy scalars plain Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    """One sheet, "tables": a bold header row frozen above the rows, one cell per value.

    openpyxl's write-only mode streams the rows (about a third of the time
    ``DataFrame.to_excel`` takes, which styles and tracks every cell). Text is
    written as text: the formula-looking cells have been neutralised already,
    and a string cell is never read as a formula by openpyxl.
    """
    import openpyxl  # imported when used: a no-change rebuild never writes a workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("tables")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    columns = [table[c].astype(object).tolist() for c in table.columns]
    for row in zip(*columns, strict=True):
        sheet.append([_xlsx_value(v) for v in row])
    book.save(path)


def _fix_xlsx_timestamps(path: Path) -> None:
    """Rewrite the xlsx zip with fixed timestamps so identical tables give identical bytes."""
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    tmp.replace(path)
