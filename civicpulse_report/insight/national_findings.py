"""The national draft's key findings and figure descriptions, written from the numbers.

:func:`national_key_findings` writes five to eight plain-English findings
from a :class:`~civicpulse_report.insight.national_analysis.NationalAnalysis`:
the drivers bands, where the LAs below England concentrate, the quadrants
by significance, the groups furthest below, the double deficit, the two
lenses' agreement, the interventions most called for, and change since the
previous wave. :func:`national_figure_alt` writes each figure's alt text as
the finding it shows, with its numbers.

Every number in a finding is noted in its ``references`` (the bundle table,
the row's key, the column and the value), formatted by the one shared
formatter (:func:`~civicpulse_report.insight.formatting.format_value`), so a
test can check each against the national tables. Wording follows the
significance flags. LA names are untrusted text, inserted as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from civicpulse_report.insight.formatting import ci_label, format_ci, format_value, is_missing
from civicpulse_report.insight.indicators import DRIVERS_INDEX, index_domain
from civicpulse_report.insight.national_analysis import NationalAnalysis
from civicpulse_report.insight.national_need import OUTCOMES_INDEX
from civicpulse_report.insight.sentences import Finding
from civicpulse_report.measures import Measures

#: The column name a reference uses for "how many rows of the table match the key".
ROWS = "n_rows"


class Cells:
    """Collects the bundle cells a sentence's numbers come from, while it is written."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def take(self, table: str, key: Mapping[str, Any], column: str, value: Any) -> Any:
        """Note ``table[key][column] == value``, and return the value.

        With ``column`` :data:`ROWS` the value is the number of the table's rows
        that match ``key`` (every row for an empty key).
        """
        plain = value.item() if hasattr(value, "item") else value
        self.items.append({"table": table, "key": dict(key), "column": column, "value": plain})
        return value


def _row(frame: pd.DataFrame, **match: Any) -> dict[str, Any] | None:
    mask = pd.Series(True, index=frame.index)
    for col, value in match.items():
        mask &= frame[col] == value
    hit = frame[mask]
    return hit.iloc[0].to_dict() if len(hit) else None


def _share(count: int, total: int) -> str:
    return format_value(100.0 * count / total, "proportion") if total else "0.0%"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, ...

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def agreement_words(rho: float) -> str:
    """How two rankings agree, in words, by the sign and size of rho.

    Raises
    ------
    TypeError
        If ``rho`` is not a number.
    """
    if rho <= -0.1:
        return "in opposing orders"
    if rho < 0.1:
        return "almost independently of each other"
    if rho < 0.3:
        return "very differently"
    if rho < 0.6:
        return "only partly alike"
    return "in a broadly similar order"


def plural(n: int, one: str, many: str) -> str:
    """'1 LA', '3 LAs': the count with the right noun.

    Raises
    ------
    ValueError
        If ``n`` is not a number.
    """
    return f"{format_value(n, 'count')} {one if n == 1 else many}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _domain_name(measures: Measures, indicator: str) -> str:
    label = measures.domain(index_domain(indicator)).label
    return label[:1].lower() + label[1:]


def _bands(a: NationalAnalysis) -> Finding:
    cells = Cells()
    row = _row(a.bands, indicator=DRIVERS_INDEX)
    key = {"indicator": DRIVERS_INDEX}
    if row is None or row["n_published"] == 0:
        return Finding("drivers_bands", "No LA's drivers index is published this wave.", ())
    take = lambda col: cells.take("bands", key, col, row[col])  # noqa: E731
    n_pub, n_worse = int(take("n_published")), int(take("n_worse"))
    n_similar, n_better = int(take("n_similar")), int(take("n_better"))
    england = format_value(take("england_value"), "mean")
    text = (
        f"Of the {format_value(n_pub, 'count')} LAs with a published drivers index in {a.wave}, "
        f"{format_value(n_worse, 'count')} ({_share(n_worse, n_pub)}) are significantly below "
        f"England's {england}, {format_value(n_similar, 'count')} are similar to it and "
        f"{format_value(n_better, 'count')} are significantly above it."
    )
    if row["n_not_published"]:
        text += (
            f" A further {format_value(take('n_not_published'), 'count')} are not published "
            "because too few people responded."
        )
    return Finding("drivers_bands", text, tuple(cells.items))


def _top_area(summary: pd.DataFrame, indicator: str) -> dict[str, Any] | None:
    part = summary[(summary["indicator"] == indicator) & (summary["n_worse"] > 0)]
    if part.empty:
        return None
    part = part.sort_values(
        ["n_worse", "share_worse", "area"], ascending=[False, False, True], kind="mergesort"
    )
    return part.iloc[0].to_dict()


def _concentration(a: NationalAnalysis) -> Finding:
    cells = Cells()
    region = _top_area(a.regions, DRIVERS_INDEX)
    la_type = _top_area(a.la_types, DRIVERS_INDEX)
    if region is None or la_type is None:
        text = "No LA is significantly below England on the drivers index, so none is concentrated anywhere."
        return Finding("concentration", text, ())
    parts = []
    for table, rec in (("regions", region), ("la_types", la_type)):
        key = {"area": rec["area"], "indicator": DRIVERS_INDEX}
        worse = int(cells.take(table, key, "n_worse", rec["n_worse"]))
        n = int(cells.take(table, key, "n_las", rec["n_las"]))
        parts.append(f"{rec['area']} ({worse} of its {plural(n, 'LA', 'LAs')}, {_share(worse, n)})")
    bands = _row(a.bands, indicator=DRIVERS_INDEX) or {}
    overall = _share(int(bands.get("n_worse", 0)), int(bands.get("n_published", 0)))
    text = (
        "The LAs significantly below England on the drivers index are most numerous in "
        f"{parts[0]} and, among LA types, in {parts[1]}, against {overall} of LAs nationally."
    )
    return Finding("concentration", text, tuple(cells.items))


def _quadrant(a: NationalAnalysis) -> Finding:
    cells = Cells()
    counts = a.quadrant_counts.set_index("quadrant")

    def n(label: str, column: str = "n_significant") -> str:
        value = cells.take(
            "quadrant_counts", {"quadrant": label}, column, counts.loc[label, column]
        )
        return format_value(value, "count")

    total = format_value(cells.take("quadrant", {}, ROWS, len(a.quadrant)), "count")
    text = (
        "Counting an LA in a quadrant only where both its satisfaction and its drivers index "
        f"differ significantly from England, {n('hidden need')} of {total} LAs are 'hidden need' "
        f"(satisfied, but lacking the drivers of active citizenship), {n('hidden assets')} "
        f"'hidden assets', {n('strong on both')} strong on both and {n('low on both')} low on "
        f"both; {n('not clearly placed')} are not clearly placed. On point estimates alone, "
        f"{n('hidden need', 'n_point_estimate')} would be labelled 'hidden need'."
    )
    return Finding("quadrant", text, tuple(cells.items))


def _groups(a: NationalAnalysis, ci: str) -> Finding:
    cells = Cells()
    part = a.groups[a.groups["indicator"] == DRIVERS_INDEX]
    worse = part[part["sig_england"] == "worse"].sort_values(
        ["gap", "breakdown", "group_code"], ascending=[False, True, True], kind="mergesort"
    )
    if part.empty:
        return Finding(
            "groups", "No national group estimate of the drivers index is published.", ()
        )
    england = format_value(
        cells.take(
            "england", {"indicator": DRIVERS_INDEX}, "estimate", part["england_value"].iloc[0]
        ),
        "mean",
    )
    if worse.empty:
        text = f"No population group is significantly below England's drivers index of {england}."
        return Finding("groups", text, tuple(cells.items))
    named = []
    for rec in worse.head(2).to_dict("records"):
        key = {
            "indicator": DRIVERS_INDEX,
            "breakdown": rec["breakdown"],
            "group_code": rec["group_code"],
        }
        value = format_value(cells.take("groups", key, "estimate", rec["estimate"]), "mean")
        interval = format_ci(
            cells.take("groups", key, "ci_lower", rec["ci_lower"]),
            cells.take("groups", key, "ci_upper", rec["ci_upper"]),
            "mean",
        )
        named.append(f"{_lower_first(rec['who'])} ({value}, {ci} {interval})")
    lead = " and ".join(named)
    n_worse = cells.take(
        "groups", {"indicator": DRIVERS_INDEX, "sig_england": "worse"}, ROWS, len(worse)
    )
    n_all = cells.take("groups", {"indicator": DRIVERS_INDEX}, ROWS, len(part))
    text = (
        f"Nationally, the groups furthest below England's drivers index of {england} are {lead}; "
        f"{format_value(n_worse, 'count')} of the {format_value(n_all, 'count')} groups "
        "shown are significantly below it."
    )
    return Finding("groups", text, tuple(cells.items))


def _double_deficit(a: NationalAnalysis, measures: Measures) -> Finding:
    cells = Cells()
    out_name = _domain_name(measures, OUTCOMES_INDEX)
    dd = a.double_deficit
    if dd.empty:
        text = f"No LA is significantly below England on both {out_name} and its drivers."
    else:
        named = []
        for rec in dd.head(2).to_dict("records"):
            key = {"la_code": rec["la_code"]}
            o = format_value(
                cells.take("double_deficit", key, "outcomes_estimate", rec["outcomes_estimate"]),
                "mean",
            )
            d = format_value(
                cells.take("double_deficit", key, "drivers_estimate", rec["drivers_estimate"]),
                "mean",
            )
            named.append(f"{rec['la_name']} ({out_name} {o}, drivers {d})")
        cells.take("double_deficit", {}, ROWS, len(dd))
        text = (
            f"{plural(len(dd), 'LA is', 'LAs are')} significantly below England on both "
            f"{out_name} and its drivers; {'the furthest below are' if len(named) > 1 else 'it is'} {' and '.join(named)}."
        )
    gin = a.groups_in_need
    if len(gin):
        first = gin.iloc[0].to_dict()
        cells.take("groups_in_need", {}, ROWS, len(gin))
        text += (
            f" Among population groups, {plural(len(gin), 'is', 'are')} significantly below the "
            f"national value on both, the furthest being {_lower_first(first['who'])}."
        )
    return Finding("double_deficit", text, tuple(cells.items))


def _lens(a: NationalAnalysis, ci: str) -> Finding:
    cells = Cells()
    row = _row(a.lens_agreement, pair="legacy_vs_drivers")
    if row is None or is_missing(row["rho"]):
        text = (
            "The Place Survey 2008 and Civic Pulse rankings of LAs cannot be compared: too few "
            "LAs have both figures."
        )
        return Finding("lens", text, ())
    key = {"pair": "legacy_vs_drivers"}
    rho = float(cells.take("lens_agreement", key, "rho", row["rho"]))
    lower = float(cells.take("lens_agreement", key, "ci_lower", row["ci_lower"]))
    upper = float(cells.take("lens_agreement", key, "ci_upper", row["ci_upper"]))
    n = int(cells.take("lens_agreement", key, "n", row["n"]))
    text = (
        f"The old and new lenses rank LAs {agreement_words(rho)}: {a.legacy_label} and the "
        f"Civic Pulse drivers index have a rank correlation of {rho:.2f} ({ci} {lower:.2f} to "
        f"{upper:.2f}) across {format_value(n, 'count')} LAs."
    )
    if len(a.rank_movers):
        top = a.rank_movers.iloc[0].to_dict()
        mkey = {"la_code": top["la_code"]}
        old = int(cells.take("rank_movers", mkey, "rank_legacy", top["rank_legacy"]))
        new = int(cells.take("rank_movers", mkey, "rank_drivers", top["rank_drivers"]))
        text += (
            f" {top['la_name']} moves furthest: {ordinal(old)} of {n} on the old measure, "
            f"{ordinal(new)} on the drivers."
        )
    return Finding("lens", text, tuple(cells.items))


def _interventions(a: NationalAnalysis) -> Finding:
    cells = Cells()
    tally = a.interventions
    used = tally.counts[tally.counts["n_las"] > 0]
    n_rep = format_value(
        cells.take("interventions_meta", {}, "n_las_reported", tally.n_las_reported), "count"
    )
    if used.empty:
        text = f"None of the {n_rep} LA reports recommends an intervention: no gap is significant."
        return Finding("interventions", text, ())
    named = []
    for rec in used.head(2).to_dict("records"):
        count = cells.take(
            "interventions", {"intervention": rec["intervention"]}, "n_las", rec["n_las"]
        )
        named.append((rec["name"], format_value(count, "count")))
    text = (
        f"The intervention the LA reports call for most often is {named[0][0]}, recommended "
        f"for {named[0][1]} of {n_rep} LAs"
    )
    text += f", followed by {named[1][0]} ({named[1][1]})." if len(named) > 1 else "."
    return Finding("interventions", text, tuple(cells.items))


def _change(a: NationalAnalysis) -> Finding:
    cells = Cells()
    if a.previous_wave is None or a.change.empty:
        text = (
            f"{a.wave} is the first Civic Pulse wave, so change over time cannot yet be measured."
        )
        return Finding("change", text, ())
    row = _row(a.change, indicator=DRIVERS_INDEX)
    n_sig = int(a.change["change_significant"].sum())
    cells.take("change", {"change_significant": True}, ROWS, n_sig)
    cells.take("change", {}, ROWS, len(a.change))
    lead = f"Since {a.previous_wave}, "
    if row is None:
        text = lead + "England's drivers index cannot be compared."
    else:
        key = {"indicator": DRIVERS_INDEX}
        before = format_value(
            cells.take("change", key, "previous_estimate", row["previous_estimate"]), "mean"
        )
        after = format_value(cells.take("change", key, "estimate", row["estimate"]), "mean")
        if row["change_significant"]:
            verb = "risen" if row["change"] > 0 else "fallen"
            text = (
                lead + f"England's drivers index has {verb} significantly, from {before} to {after}"
            )
        else:
            text = (
                lead
                + f"England's drivers index has not changed significantly ({before} then, {after} now)"
            )
    text += (
        f"; {format_value(n_sig, 'count')} of the {format_value(len(a.change), 'count')} national "
        "measures changed significantly."
    )
    return Finding("change", text, tuple(cells.items))


def national_key_findings(
    analysis: NationalAnalysis, measures: Measures, *, confidence_level: float = 0.95
) -> tuple[Finding, ...]:
    """Eight plain-English key findings for England.

    In order: drivers_bands, concentration, quadrant, groups, double_deficit,
    lens, interventions, change. Each finding's ``references`` name the
    bundle table (bands, regions, la_types, quadrant_counts, groups, england,
    double_deficit, lens_agreement, rank_movers, interventions, change), the
    row's key, the column and the value of every number in its text.

    Parameters
    ----------
    analysis : NationalAnalysis
    measures : Measures
    confidence_level : float
        For the "95% CI" label.

    Returns
    -------
    tuple of Finding

    Raises
    ------
    KeyError
        If ``analysis`` lacks a quadrant label or an index that ``measures`` declares.
    """
    ci = ci_label(confidence_level)
    return (
        _bands(analysis),
        _concentration(analysis),
        _quadrant(analysis),
        _groups(analysis, ci),
        _double_deficit(analysis, measures),
        _lens(analysis, ci),
        _interventions(analysis),
        _change(analysis),
    )
