"""The national draft's tables.csv and tables.xlsx: every number it shows, from its bundle.

:func:`national_facts_to_table` flattens a national bundle
(:func:`~civicpulse_report.report.national_facts.build_national_facts`) into
the same tidy columns as an LA's tables
(:data:`~civicpulse_report.report.tables.TABLE_COLUMNS`), one row per
published number; write it with
:func:`~civicpulse_report.report.tables.write_tables`. Counts of LAs carry
type 'count', rank correlations 'rank correlation', ranks 'rank' and changes
'difference', Cronbach's alpha 'alpha'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from civicpulse_report.report.tables import NUMBER_COLUMNS, TABLE_COLUMNS

Record = Mapping[str, Any]

BAND_LABELS = {
    "worse": "LAs significantly worse than England",
    "lower": "LAs significantly lower than England",
    "similar": "LAs similar to England",
    "higher": "LAs significantly higher than England",
    "better": "LAs significantly better than England",
    "not_tested": "LAs not tested",
    "published": "LAs published",
    "not_published": "LAs not published (too few respondents)",
}
SPINE_LABELS = {
    "min": "Lowest LA",
    "q25": "25th percentile of LAs",
    "median": "Median LA",
    "q75": "75th percentile of LAs",
    "max": "Highest LA",
}


def _blank(**values: Any) -> dict[str, Any]:
    row = {c: None for c in TABLE_COLUMNS}
    row.update({"breakdown": "all", "group": "All", "suppressed": False})
    row.update(values)
    return row


def _estimate(table: str, rec: Record, flags: Iterable[str], **values: Any) -> dict[str, Any]:
    """A row carrying one estimate with its interval and bases (``values`` override)."""
    row = dict(
        table=table,
        indicator=rec.get("indicator"),
        indicator_label=rec.get("label"),
        type=rec.get("type"),
        wave=rec.get("wave"),
        estimate=rec.get("estimate"),
        ci_lower=rec.get("ci_lower"),
        ci_upper=rec.get("ci_upper"),
        base=rec.get("base"),
        weighted_base=rec.get("weighted_base"),
        n_eff=rec.get("n_eff"),
        deff=rec.get("deff"),
        comparator="England",
        comparator_value=rec.get("england_value"),
        significance=rec.get("sig_england", "not tested"),
        flags=";".join(flags),
    )
    row.update(values)
    return _blank(**row)


def _count(
    table: str, indicator: Any, label: Any, group: str, value: Any, **values: Any
) -> dict[str, Any]:
    """A row carrying a count of LAs (or groups)."""
    return _blank(
        table=table,
        indicator=indicator,
        indicator_label=label,
        type="count",
        group=group,
        estimate=value,
        significance="not tested",
        **values,
    )


def _axis_rows(
    table: str,
    rec: Record,
    axes: Iterable[tuple[str, str]],
    flags: Iterable[str],
    **values: Any,
) -> list[dict[str, Any]]:
    """Two indices of one unit (an LA or a group), one row each."""
    out = []
    flags = list(flags)
    for prefix, indicator in axes:
        out.append(
            _blank(
                table=table,
                indicator=indicator,
                type="mean",
                estimate=rec.get(f"{prefix}_estimate", rec.get(prefix)),
                ci_lower=rec.get(f"{prefix}_ci_lower"),
                ci_upper=rec.get(f"{prefix}_ci_upper"),
                comparator="England",
                comparator_value=rec.get(f"{prefix}_england_value", rec.get(f"england_{prefix}")),
                significance=rec.get(f"{prefix}_sig_england", "not tested"),
                flags=";".join(flags),
                **values,
            )
        )
    return out


def national_facts_to_table(bundle: Mapping[str, Any]) -> pd.DataFrame:
    """Flatten a national fact bundle into the tidy tables.csv frame.

    Parameters
    ----------
    bundle : Mapping
        From :func:`~civicpulse_report.report.national_facts.build_national_facts`.

    Returns
    -------
    DataFrame
        Columns :data:`~civicpulse_report.report.tables.TABLE_COLUMNS`. Tables:
        england, distribution, bands, regions, la_types, groups, quadrant,
        quadrant_counts, lens_agreement, lens_ranks, rank_movers,
        double_deficit, groups_in_need, interventions, change, la_change,
        data_quality, alpha.

    Raises
    ------
    KeyError
        If ``bundle`` is not a national bundle (it lacks one of those parts).
    """
    meta = bundle["meta"]
    year = meta["year"]
    base = ["synthetic"] if meta.get("synthetic") else []
    labels = {f"index_{d['id']}": f"{d['label']} index" for d in bundle["domains"]}
    labels.update({i["id"]: i["label"] for i in bundle["indicators"]})
    rows: list[dict[str, Any]] = []

    for rec in bundle["england"]:
        rows.append(
            _estimate(
                "england", rec, base, area="England", comparator=None, significance="not tested"
            )
        )
    for rec in bundle["distribution"]:
        flags = [*base, f"region: {rec.get('region')}", f"LA type: {rec.get('la_type')}"]
        rows.append(_estimate("distribution", rec, flags, area=rec.get("la_name")))
    for rec in bundle["bands"]:
        ind, label = rec["indicator"], labels.get(rec["indicator"])
        common = {"area": "All LAs", "wave": year, "comparator": "England"}
        for key, group in BAND_LABELS.items():
            value = rec.get(f"n_{key}")
            rows.append(
                _count(
                    "bands",
                    ind,
                    label,
                    group,
                    value,
                    comparator_value=rec.get("england_value"),
                    flags=";".join([*base, f"of {rec.get('n_las')} LAs"]),
                    **common,
                )
            )
        for key, group in SPINE_LABELS.items():
            rows.append(
                _blank(
                    table="bands",
                    indicator=ind,
                    indicator_label=label,
                    type="mean",
                    group=group,
                    estimate=rec.get(key),
                    comparator_value=rec.get("england_value"),
                    significance="not tested",
                    flags=";".join([*base, "distribution of LA estimates"]),
                    **common,
                )
            )
    for table in ("regions", "la_types"):
        for rec in bundle[table]:
            rec = {**rec, "label": labels.get(rec["indicator"]), "wave": year}
            level = "region" if table == "regions" else "LA type"
            rows.append(_estimate(table, rec, base, area=rec["area"], breakdown=level))
            for key in ("worse", "similar", "better"):
                rows.append(
                    _count(
                        table,
                        rec["indicator"],
                        rec["label"],
                        BAND_LABELS[key],
                        rec.get(f"n_{key}"),
                        area=rec["area"],
                        breakdown=level,
                        wave=year,
                        flags=";".join([*base, f"of {rec.get('n_las')} LAs published"]),
                    )
                )
            rows.append(
                _count(
                    table,
                    rec["indicator"],
                    rec["label"],
                    BAND_LABELS["published"],
                    rec.get("n_las"),
                    area=rec["area"],
                    breakdown=level,
                    wave=year,
                    flags=";".join(base),
                )
            )
    for rec in bundle["groups"]:
        rows.append(
            _estimate(
                "groups",
                rec,
                [*base, f"who: {rec.get('who')}"],
                area="England",
                breakdown=rec.get("breakdown_label"),
                group=rec.get("group"),
                comparator="England (all adults)",
            )
        )
    for rec in bundle["quadrant"]:
        flags = [
            *base,
            f"quadrant (point estimates): {rec.get('quadrant')}",
            f"quadrant (significance): {rec.get('quadrant_significant')}",
        ]
        rows += _axis_rows(
            "quadrant",
            rec,
            (("traditional", "index_traditional"), ("drivers", "index_drivers")),
            flags,
            area=rec.get("la_name") or rec.get("la_code"),
            wave=year,
        )
    for rec in bundle["quadrant_counts"]:
        for col, view in (
            ("n_point_estimate", "point estimates"),
            ("n_significant", "significance"),
        ):
            rows.append(
                _count(
                    "quadrant_counts",
                    "quadrant",
                    "LAs per quadrant",
                    rec["quadrant"],
                    rec.get(col),
                    area="All LAs",
                    wave=year,
                    flags=";".join([*base, f"view: {view}"]),
                )
            )
    for rec in bundle["lens_agreement"]:
        rows.append(
            _blank(
                table="lens_agreement",
                indicator=rec["pair"],
                indicator_label=rec["label"],
                type="rank correlation",
                area="All LAs",
                wave=year,
                estimate=rec.get("rho"),
                ci_lower=rec.get("ci_lower"),
                ci_upper=rec.get("ci_upper"),
                significance="not tested",
                flags=";".join(
                    [*base, f"of {rec.get('n')} LAs", "Spearman; Fisher z, Bonett-Wright interval"]
                ),
            )
        )
    n_ranked = len(bundle["lens_ranks"])
    legacy_label = meta.get("legacy_label", "old lens")
    for table in ("lens_ranks", "rank_movers"):
        for rec in bundle[table]:
            flags = ";".join(
                [*base, f"of {n_ranked} LAs ranked", f"rank shift {rec.get('rank_shift')}"]
            )
            common = {"table": table, "area": rec.get("la_name"), "flags": flags}
            rows.append(
                _blank(
                    **common,
                    indicator="legacy_value",
                    indicator_label=legacy_label,
                    type="proportion",
                    wave=rec.get("legacy_year"),
                    estimate=rec.get("legacy_value"),
                    significance="not tested",
                )
            )
            for axis in ("traditional", "drivers"):
                rows.append(
                    _blank(
                        **common,
                        indicator=f"index_{axis}",
                        indicator_label=labels.get(f"index_{axis}"),
                        type="mean",
                        wave=year,
                        estimate=rec.get(axis),
                        comparator="England",
                        significance=rec.get(f"{axis}_sig_england", "not tested"),
                    )
                )
            for col, what in (
                ("rank_legacy", legacy_label),
                ("rank_traditional", "Civic Pulse traditional satisfaction index"),
                ("rank_drivers", "Civic Pulse drivers index"),
            ):
                rows.append(
                    _blank(
                        **common,
                        indicator=col,
                        indicator_label=f"Rank on {what}",
                        type="rank",
                        wave=year,
                        estimate=rec.get(col),
                        significance="not tested",
                    )
                )
    outcomes_drivers = (("outcomes", "index_outcomes"), ("drivers", "index_drivers"))
    for rec in bundle["double_deficit"]:
        rows += _axis_rows(
            "double_deficit",
            rec,
            outcomes_drivers,
            [*base, f"mean gap {rec.get('mean_gap'):.2f}"],
            area=rec.get("la_name"),
            wave=year,
        )
    for rec in bundle["groups_in_need"]:
        rows += _axis_rows(
            "groups_in_need",
            rec,
            outcomes_drivers,
            [*base, f"mean gap {rec.get('mean_gap'):.2f}"],
            area="England",
            breakdown=rec.get("breakdown_label"),
            group=rec.get("group"),
            wave=year,
        )
    reported = bundle["interventions_meta"]["n_las_reported"]
    for rec in bundle["interventions"]:
        rows.append(
            _count(
                "interventions",
                rec["intervention"],
                rec["name"],
                "LAs whose report recommends it",
                rec.get("n_las"),
                area="All LAs",
                wave=year,
                flags=";".join(
                    [
                        *base,
                        f"of {reported} LAs",
                        f"first recommendation in {rec.get('n_first')} LAs",
                        f"aimed at {rec.get('n_targets')} groups and areas",
                    ]
                ),
            )
        )
    for rec in bundle["change"]:
        rows.append(
            _blank(
                table="change",
                indicator=rec["indicator"],
                indicator_label=rec.get("label"),
                type="difference",
                area="England",
                wave=year,
                estimate=rec.get("change"),
                ci_lower=rec.get("change_ci_lower"),
                ci_upper=rec.get("change_ci_upper"),
                base=rec.get("base"),
                comparator=f"Previous wave ({rec.get('previous_wave')})",
                comparator_value=rec.get("previous_estimate"),
                significance=rec.get("direction"),
                flags=";".join([*base, f"{rec.get('type')}", f"p = {rec.get('change_p'):.4f}"]),
            )
        )
    for rec in bundle["la_change"]:
        for key, group in (
            ("n_up", "LAs that rose significantly"),
            ("n_down", "LAs that fell significantly"),
            ("n_las", "LAs published in both waves"),
        ):
            rows.append(
                _count(
                    "la_change",
                    rec["indicator"],
                    labels.get(rec["indicator"]),
                    group,
                    rec.get(key),
                    area="All LAs",
                    wave=year,
                    flags=";".join([*base, f"since {meta.get('previous_wave')}"]),
                )
            )
    for rec in bundle["data_quality"]:
        rows.append(
            _count(
                "data_quality",
                "respondents",
                "Respondents",
                f"LAs surveyed: {rec.get('las_surveyed')}",
                rec.get("respondents"),
                area="England",
                wave=rec.get("wave"),
                base=rec.get("respondents"),
                weighted_base=rec.get("weighted_base"),
                n_eff=rec.get("n_eff"),
                deff=rec.get("deff"),
                flags=";".join(base),
            )
        )
    for rec in bundle["alpha"]:
        ind = f"index_{rec['domain']}"
        rows.append(
            _blank(
                table="alpha",
                indicator=ind,
                indicator_label=labels.get(ind),
                type="alpha",
                area="England",
                wave=year,
                estimate=rec.get("england"),
                base=rec.get("n"),
                significance="not tested",
                flags=";".join([*base, "Cronbach's alpha, complete responses"]),
            )
        )
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for col in NUMBER_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").round(4)
    frame["base"] = pd.to_numeric(frame["base"], errors="coerce").astype("Int64")
    frame["wave"] = pd.to_numeric(frame["wave"], errors="coerce").astype("Int64")
    return frame
