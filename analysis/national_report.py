# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# <!-- The national publication draft. Presentation only: every number comes from the
#      national fact bundle computed by civicpulse_report (report.build_national_facts);
#      the authors' words come verbatim from data/config/narrative/national.md. -->

# %% tags=["parameters"]
#| include: false
year = 2026
facts_path = "build/2026/facts/national.json"

# %%
#| include: false
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from civicpulse_report.report import plots
from civicpulse_report.report import present as p
from civicpulse_report.report.present import read_facts

plots.use_report_style()
facts = read_facts(facts_path)
meta = facts["meta"]
if meta.get("kind") != "national" or int(meta["year"]) != int(year):
    raise ValueError(f"fact bundle {facts_path} is not the national bundle for {year}")
domains = {d["id"]: d for d in facts["domains"]}
civic_domains = [d for d in facts["domains"] if d["role"] == "civic_pulse"]
labels = {f"index_{d['id']}": d["label"] for d in facts["domains"]}
indicators = {i["id"]: i for i in facts["indicators"]}
bands = {r["indicator"]: r for r in facts["bands"]}
england = {r["indicator"]: r for r in facts["england"]}
findings = {f["key"]: f for f in facts["findings"]}
counts = {r["quadrant"]: r for r in facts["quadrant_counts"]}
narrative = facts.get("narrative") or {}
prev = meta["previous_wave"]
ci = f"{meta['confidence_level'] * 100:g}% CI"
BREAKDOWN_LABELS = {"region": "Region", "la_type": "LA type"}
MAX_NAMED = 10


def show(text):
    display(Markdown(text))


def draw(fig):
    plt.show()
    plt.close(fig)


def chart_data(label, table, **options):
    """Under a figure: its alt text (from the bundle) and the numbers behind it."""
    alt = facts["figure_alt"].get(label)
    if alt:
        show(p.figure_data(alt, f"The data behind @{label}.", table, **options))


def authors(section, heading=None):
    """The authors' own words for ``section``, verbatim, when they wrote some."""
    text = narrative.get(section)
    if text:
        show((f"{heading}\n\n" if heading else "") + text + "\n")


def n(value):
    return p.fmt_int(value)


def mean(value):
    return p.format_value(value, "mean")


def with_ci(rec, prefix=""):
    """'98.1 (95% CI 97.3 to 98.9)' for a record's estimate, or a prefixed one."""
    est = rec.get(f"{prefix}estimate" if prefix else "estimate")
    return f"{mean(est)} ({p.format_ci(rec.get(prefix + 'ci_lower'), rec.get(prefix + 'ci_upper'), 'mean')})"


def rows_for(part, indicator):
    return [r for r in facts[part] if r["indicator"] == indicator]


def band_text(indicator):
    b = bands[indicator]
    return (
        f"{n(b['n_worse'])} of the {n(b['n_published'])} LAs with a published estimate are "
        f"significantly below England's {mean(b['england_value'])}, {n(b['n_similar'])} are "
        f"similar to it and {n(b['n_better'])} are significantly above it"
    )


def domain_chapter(domain_id):
    d = domains[domain_id]
    ind = f"index_{domain_id}"
    b = bands[ind]
    eng = england[ind]
    show(
        f"# {d['label']}\n\n{p.escape_md(d['description'])}\n\n"
        f"England's {d['label'].lower()} index in {meta['year']} is {with_ci(eng)}. "
        f"{band_text(ind)}. The middle half of LAs lie between {mean(b['q25'])} and "
        f"{mean(b['q75'])}, the full range from {mean(b['min'])} to {mean(b['max'])}. "
        f"@fig-caterpillar-{domain_id} shows every LA with its interval: LAs are in order "
        "of their estimate, but no rank is given, because the intervals of neighbouring LAs "
        "overlap and a rank would claim more than the survey can show."
    )
    authors(f"Commentary: {domain_id}")


def caterpillar(domain_id):
    ind = f"index_{domain_id}"
    return plots.caterpillar_chart(
        rows_for("distribution", ind),
        england=england[ind]["estimate"],
        ylabel=f"{domains[domain_id]['label']} index",
        n_labelled=1,
    )


def caterpillar_data(domain_id):
    rows = rows_for("distribution", f"index_{domain_id}")
    return p.estimate_data(rows, label_header="Local authority", label_key="la_name")


def area_rows(domain_id):
    ind = f"index_{domain_id}"
    return [
        {**r, "breakdown_label": BREAKDOWN_LABELS[r["level"]], "group": r["area"], "label": r["area"]}
        for part in ("regions", "la_types")
        for r in rows_for(part, ind)
    ]


def areas_figure(domain_id):
    return plots.breakdown_chart(
        area_rows(domain_id), xlabel=f"{domains[domain_id]['label']} index (England, first wave = 100)"
    )


def areas_table(domain_id):
    return p.md_table(
        ["Region or LA type", "Index", ci, "Compared with England", "LAs significantly below England"],
        [[f"{r['breakdown_label']}: {p.escape_md(r['area'])}", p.value(r), p.interval(r),
          p.significance(r), f"{n(r['n_worse'])} of {n(r['n_las'])}"] for r in area_rows(domain_id)],
        align=["l", "r", "r", "l", "r"],
    )


def lowest_table(domain_id):
    rows = [r for r in rows_for("distribution", f"index_{domain_id}") if r["sig_england"] == "worse"]
    if not rows:
        return p.md_table(["Local authority", "Index", ci], [["None is significantly below England", "–", "–"]])
    return p.md_table(
        ["Local authority", "Region", "LA type", "Index", ci],
        [[p.escape_md(r["la_name"]), p.escape_md(r["region"]), p.escape_md(r["la_type"]),
          p.value(r), p.interval(r)] for r in rows[:MAX_NAMED]],
        align=["l", "l", "l", "r", "r"],
    )


def group_figure(indicator):
    return plots.breakdown_chart(
        rows_for("groups", indicator), xlabel=f"{labels[indicator]} index (England, first wave = 100)"
    )


def group_data(indicator):
    rows = [{**r, "label": f"{r['breakdown_label']}: {r['group']}"} for r in rows_for("groups", indicator)]
    return p.estimate_data(rows, label_header="Group")


def group_table(indicator):
    return p.md_table(
        ["Group", "Index", ci, "Respondents", "Compared with England"],
        [[f"{p.escape_md(r['breakdown_label'])}: {p.escape_md(r['group'])}", p.value(r), p.interval(r),
          n(r["base"]), p.significance(r)] for r in rows_for("groups", indicator)],
        align=["l", "r", "r", "r", "l"],
    )


def pair_text(rec, prefix):
    return f"{mean(rec[prefix + '_estimate'])} ({p.format_ci(rec[prefix + '_ci_lower'], rec[prefix + '_ci_upper'], 'mean')})"


# %% [markdown]
# <!-- Front page: the author line and, for demonstration data, the notice. -->

# %%
#| echo: false
lines = [f"*{p.escape_md(meta['author'])}. Publication draft: the numbers are generated by the "
         "build from the survey; the foreword, framing and commentary are the authors' own.*"]
if meta["synthetic"]:
    lines.append(
        "::: {.callout-warning}\n"
        f"**Synthetic demonstration data.** {p.escape_md(meta['synthetic_notice'])} Every LA, "
        "figure and finding in this draft is computed from generated data with a realistic "
        "structure; none describes a real place.\n:::\n"
    )
show("\n\n".join(lines))

# %%
#| echo: false
authors("Foreword", "# Foreword")

# %%
#| echo: false
q = facts["data_quality"][-1]
show(
    "# Executive summary\n\n"
    f"Civic Pulse asked {n(q['respondents'])} adults in {n(q['las_surveyed'])} local authorities "
    f"(LAs) across England about active citizenship in {meta['year']}. Each LA is compared with "
    f"England; a difference is called significant only where the LA's {ci.replace(' CI', '')} "
    "confidence interval excludes England's value. The key findings:\n\n"
    + "\n".join(f"{i}. {p.escape_md(f['text'])}" for i, f in enumerate(facts["findings"], 1))
)

# %%
#| echo: false
authors("Framing", "# Introduction")

# %%
#| echo: false
show(
    "# Civic Pulse across England\n\n"
    "Civic Pulse measures five domains of active citizenship, each as an index on which England "
    f"in the first wave ({meta['reference_wave']}) scores 100 and 10 points is about one standard "
    "deviation of individual scores. @fig-bands shows, for each domain and for the traditional "
    "satisfaction lens, how many LAs are significantly below England, similar to it and "
    "significantly above it."
)

# %%
#| echo: false
#| label: fig-bands
#| fig-cap: "LAs significantly below England, similar to England and significantly above England, by domain index."
#| fig-alt: "Stacked bars, one per domain index, splitting the LAs by their comparison with England."
draw(plots.band_chart(facts["bands"], labels=labels))
chart_data("fig-bands", (
    ["Index", "Below England", "Similar", "Above England", "Not published"],
    [[labels[r["indicator"]], n(r["n_worse"]), n(r["n_similar"]), n(r["n_better"]), n(r["n_not_published"])]
     for r in facts["bands"]],
))

# %%
#| echo: false
#| label: tbl-england
#| tbl-cap: "England's domain indices this wave, with their confidence intervals and the spread across LAs."
show(p.md_table(
    ["Index", "England", ci, "Lowest LA", "Middle half of LAs", "Highest LA"],
    [[labels[ind], p.value(england[ind]), p.interval(england[ind]), mean(bands[ind]["min"]),
      f"{mean(bands[ind]['q25'])} to {mean(bands[ind]['q75'])}", mean(bands[ind]["max"])]
     for ind in meta["indices"] if ind in england],
))

# %%
#| echo: false
domain_chapter("everyday")

# %%
#| echo: false
#| label: fig-caterpillar-everyday
#| fig-cap: "Everyday citizenship index of every LA with its 95% confidence interval, in order of the estimate, against England (line)."
#| fig-alt: "Every LA's everyday citizenship index with its confidence interval against England's value."
draw(caterpillar("everyday"))
chart_data("fig-caterpillar-everyday", caterpillar_data("everyday"))

# %%
#| echo: false
#| label: fig-areas-everyday
#| fig-cap: "Everyday citizenship index by region and by LA type, with 95% confidence intervals, against England."
#| fig-alt: "The everyday citizenship index of each region and LA type with its confidence interval against England."
draw(areas_figure("everyday"))
chart_data("fig-areas-everyday", p.estimate_data(area_rows("everyday"), label_header="Region or LA type"))

# %%
#| echo: false
#| label: tbl-areas-everyday
#| tbl-cap: "Everyday citizenship index by region and LA type, and how many of their LAs are significantly below England."
show(areas_table("everyday"))

# %%
#| echo: false
#| label: tbl-lowest-everyday
#| tbl-cap: "LAs significantly below England on the everyday citizenship index, lowest estimate first (at most ten; all are in tables.csv)."
show(lowest_table("everyday"))

# %%
#| echo: false
domain_chapter("contemporary")

# %%
#| echo: false
#| label: fig-caterpillar-contemporary
#| fig-cap: "Contemporary civic behaviour index of every LA with its 95% confidence interval, in order of the estimate, against England (line)."
#| fig-alt: "Every LA's contemporary civic behaviour index with its confidence interval against England's value."
draw(caterpillar("contemporary"))
chart_data("fig-caterpillar-contemporary", caterpillar_data("contemporary"))

# %%
#| echo: false
#| label: fig-areas-contemporary
#| fig-cap: "Contemporary civic behaviour index by region and by LA type, with 95% confidence intervals, against England."
#| fig-alt: "The contemporary civic behaviour index of each region and LA type with its confidence interval against England."
draw(areas_figure("contemporary"))
chart_data("fig-areas-contemporary", p.estimate_data(area_rows("contemporary"), label_header="Region or LA type"))

# %%
#| echo: false
#| label: tbl-areas-contemporary
#| tbl-cap: "Contemporary civic behaviour index by region and LA type, and how many of their LAs are significantly below England."
show(areas_table("contemporary"))

# %%
#| echo: false
#| label: tbl-lowest-contemporary
#| tbl-cap: "LAs significantly below England on the contemporary civic behaviour index, lowest estimate first (at most ten; all are in tables.csv)."
show(lowest_table("contemporary"))

# %%
#| echo: false
domain_chapter("drivers")

# %%
#| echo: false
#| label: fig-caterpillar-drivers
#| fig-cap: "Drivers of active citizenship index of every LA with its 95% confidence interval, in order of the estimate, against England (line)."
#| fig-alt: "Every LA's drivers of active citizenship index with its confidence interval against England's value."
draw(caterpillar("drivers"))
chart_data("fig-caterpillar-drivers", caterpillar_data("drivers"))

# %%
#| echo: false
#| label: fig-areas-drivers
#| fig-cap: "Drivers of active citizenship index by region and by LA type, with 95% confidence intervals, against England."
#| fig-alt: "The drivers of active citizenship index of each region and LA type with its confidence interval against England."
draw(areas_figure("drivers"))
chart_data("fig-areas-drivers", p.estimate_data(area_rows("drivers"), label_header="Region or LA type"))

# %%
#| echo: false
#| label: tbl-areas-drivers
#| tbl-cap: "Drivers of active citizenship index by region and LA type, and how many of their LAs are significantly below England."
show(areas_table("drivers"))

# %%
#| echo: false
#| label: tbl-lowest-drivers
#| tbl-cap: "LAs significantly below England on the drivers of active citizenship index, lowest estimate first (at most ten; all are in tables.csv)."
show(lowest_table("drivers"))

# %%
#| echo: false
domain_chapter("assets")

# %%
#| echo: false
#| label: fig-caterpillar-assets
#| fig-cap: "Social assets and deficits index of every LA with its 95% confidence interval, in order of the estimate, against England (line)."
#| fig-alt: "Every LA's social assets and deficits index with its confidence interval against England's value."
draw(caterpillar("assets"))
chart_data("fig-caterpillar-assets", caterpillar_data("assets"))

# %%
#| echo: false
#| label: fig-areas-assets
#| fig-cap: "Social assets and deficits index by region and by LA type, with 95% confidence intervals, against England."
#| fig-alt: "The social assets and deficits index of each region and LA type with its confidence interval against England."
draw(areas_figure("assets"))
chart_data("fig-areas-assets", p.estimate_data(area_rows("assets"), label_header="Region or LA type"))

# %%
#| echo: false
#| label: tbl-areas-assets
#| tbl-cap: "Social assets and deficits index by region and LA type, and how many of their LAs are significantly below England."
show(areas_table("assets"))

# %%
#| echo: false
#| label: tbl-lowest-assets
#| tbl-cap: "LAs significantly below England on the social assets and deficits index, lowest estimate first (at most ten; all are in tables.csv)."
show(lowest_table("assets"))

# %%
#| echo: false
domain_chapter("outcomes")

# %%
#| echo: false
#| label: fig-caterpillar-outcomes
#| fig-cap: "Active citizenship index of every LA with its 95% confidence interval, in order of the estimate, against England (line)."
#| fig-alt: "Every LA's active citizenship index with its confidence interval against England's value."
draw(caterpillar("outcomes"))
chart_data("fig-caterpillar-outcomes", caterpillar_data("outcomes"))

# %%
#| echo: false
#| label: fig-areas-outcomes
#| fig-cap: "Active citizenship index by region and by LA type, with 95% confidence intervals, against England."
#| fig-alt: "The active citizenship index of each region and LA type with its confidence interval against England."
draw(areas_figure("outcomes"))
chart_data("fig-areas-outcomes", p.estimate_data(area_rows("outcomes"), label_header="Region or LA type"))

# %%
#| echo: false
#| label: tbl-areas-outcomes
#| tbl-cap: "Active citizenship index by region and LA type, and how many of their LAs are significantly below England."
show(areas_table("outcomes"))

# %%
#| echo: false
#| label: tbl-lowest-outcomes
#| tbl-cap: "LAs significantly below England on the active citizenship index, lowest estimate first (at most ten; all are in tables.csv)."
show(lowest_table("outcomes"))

# %%
#| echo: false
show(
    "# Population groups\n\n"
    "Who, across England, has the drivers of active citizenship and who takes part? Each group's "
    f"estimate has its {ci} and is compared with England's overall value: *worse* or *better* "
    "only where the group's interval excludes it. "
    + p.escape_md(findings["groups"]["text"])
)
authors("Commentary: groups")

# %%
#| echo: false
#| label: fig-groups-drivers
#| fig-cap: "Drivers of active citizenship index by population group in England, with 95% confidence intervals, against England overall."
#| fig-alt: "The drivers index of each age, sex, ethnic, tenure, disability, deprivation and length-of-residence group against England overall."
draw(group_figure("index_drivers"))
chart_data("fig-groups-drivers", group_data("index_drivers"))

# %%
#| echo: false
#| label: tbl-groups-drivers
#| tbl-cap: "Drivers of active citizenship index by population group: estimate, 95% CI, respondents and comparison with England overall."
show(group_table("index_drivers"))

# %%
#| echo: false
#| label: fig-groups-outcomes
#| fig-cap: "Active citizenship index by population group in England, with 95% confidence intervals, against England overall."
#| fig-alt: "The active citizenship index of each age, sex, ethnic, tenure, disability, deprivation and length-of-residence group against England overall."
draw(group_figure("index_outcomes"))
chart_data("fig-groups-outcomes", group_data("index_outcomes"))

# %%
#| echo: false
#| label: tbl-groups-outcomes
#| tbl-cap: "Active citizenship index by population group: estimate, 95% CI, respondents and comparison with England overall."
show(group_table("index_outcomes"))

# %%
#| echo: false
#| label: tbl-groups-all
#| tbl-cap: "Every Civic Pulse domain index by population group, each compared with England overall (intervals are in tables.csv, table groups)."
by_group = {}
for r in facts["groups"]:
    by_group.setdefault((r["breakdown_label"], r["group"]), {})[r["indicator"]] = r
civic_ids = [f"index_{d['id']}" for d in civic_domains]
show(p.md_table(
    ["Group", *(labels[i] for i in civic_ids)],
    [[f"{p.escape_md(b)}: {p.escape_md(g)}",
      *(f"{p.value(cells[i])} {p.significance(cells[i])}" if i in cells else "–" for i in civic_ids)]
     for (b, g), cells in by_group.items()],
))

# %%
#| echo: false
show(
    "# The old lens and the new\n\n"
    "For two decades places were judged mostly by satisfaction. @fig-quadrant sets every LA on the "
    "traditional satisfaction and perceptions index and on the Civic Pulse drivers index. Two "
    "views are kept, and they answer different questions:\n\n"
    f"- **By point estimates** (the view the LA reports' quadrant chart shows), every LA gets a "
    f"quadrant from which side of England its estimates fall: {n(counts['hidden need']['n_point_estimate'])} "
    "LAs are labelled *hidden need* this way.\n"
    f"- **By significance** (the view this draft counts), an LA is placed only where both of its "
    f"indices differ significantly from England: {n(counts['hidden need']['n_significant'])} LAs "
    f"are *hidden need*, and {n(counts['not clearly placed']['n_significant'])} are *not clearly placed*.\n\n"
    + p.escape_md(findings["quadrant"]["text"])
)
authors("Commentary: lenses")

# %%
#| echo: false
#| label: fig-quadrant
#| fig-cap: "Every LA on the traditional satisfaction index and the Civic Pulse drivers index; the marker shows the quadrant where both indices differ significantly from England, grey where the LA is not clearly placed."
#| fig-alt: "Scatter of every LA on satisfaction and drivers, marked by its significance-based quadrant."
first = facts["quadrant"][0]
draw(plots.significance_quadrant_chart(
    facts["quadrant"], x_centre=first["england_traditional"], y_centre=first["england_drivers"],
    counts={k: v["n_significant"] for k, v in counts.items()},
))
chart_data("fig-quadrant", (
    ["Local authority", "Traditional index", "Drivers index", "By significance", "By point estimates"],
    [[p.escape_md(r["la_name"]), mean(r["traditional"]), mean(r["drivers"]), r["quadrant_significant"],
      r["quadrant"]] for r in facts["quadrant"]],
))

# %%
#| echo: false
#| label: tbl-quadrant-counts
#| tbl-cap: "LAs per quadrant in the two views: by significance (both indices differ significantly from England) and by point estimates alone."
show(p.md_table(
    ["Quadrant", "LAs, by significance", "LAs, by point estimates"],
    [[r["quadrant"].capitalize(), n(r["n_significant"]),
      n(r["n_point_estimate"]) if r["quadrant"] != "not clearly placed" else "– (not used)"]
     for r in facts["quadrant_counts"]]
    + [["All LAs placed on both indices", n(meta["n_las_placed"]), n(meta["n_las_placed"])]],
))

# %%
#| echo: false
show(
    "## How far the two lenses agree\n\n"
    "If satisfaction told us where the capacity for active citizenship is, the two lenses would "
    "rank LAs in much the same order. @tbl-lens gives the rank correlation of each pair of "
    "rankings with its interval. " + p.escape_md(findings["lens"]["text"])
)

# %%
#| echo: false
#| label: tbl-lens
#| tbl-cap: "Rank correlation (Spearman's rho) between rankings of LAs, with 95% intervals (Fisher z, Bonett-Wright standard error)."
show(p.md_table(
    ["Rankings compared", "LAs", "Rank correlation", ci],
    [[p.escape_md(r["label"]), n(r["n"]), p.fmt_float(r["rho"]),
      f"{p.fmt_float(r['ci_lower'])} to {p.fmt_float(r['ci_upper'])}"] for r in facts["lens_agreement"]],
    align=["l", "r", "r", "r"],
))

# %%
#| echo: false
#| label: fig-lens-movers
#| fig-cap: "The LAs whose rank moves most between the Place Survey 2008 satisfaction measure and the Civic Pulse drivers index."
#| fig-alt: "Slope lines from each LA's rank on the old satisfaction measure to its rank on the drivers index."
movers = facts["rank_movers"]
if movers:
    draw(plots.rank_shift_chart(movers, n_las=len(facts["lens_ranks"]), old_label=meta["legacy_label"]))
    chart_data("fig-lens-movers", (
        ["Local authority", "Rank, old measure", "Rank, drivers"],
        [[p.escape_md(r["la_name"]), n(r["rank_legacy"]), n(r["rank_drivers"])] for r in movers],
    ))

# %%
#| echo: false
#| label: tbl-movers
#| tbl-cap: "The LAs whose rank moves most between the two lenses (1 = highest of the LAs with both figures)."
show(p.md_table(
    ["Local authority", "Region", "Old measure (2008)", "Rank", "Drivers index now", "Rank", "Drivers vs England"],
    [[p.escape_md(r["la_name"]), p.escape_md(r["region"]), p.format_value(r["legacy_value"], "proportion"),
      n(r["rank_legacy"]), mean(r["drivers"]), n(r["rank_drivers"]),
      p.significance({"sig_england": r["drivers_sig_england"]})] for r in movers]
    if movers else [["No LA has both figures", "–", "–", "–", "–", "–", "–"]],
    align=["l", "l", "r", "r", "r", "r", "l"],
))

# %%
#| echo: false
dd = facts["double_deficit"]
show(
    "# Where intervention is most needed\n\n"
    "Need is greatest where people take part least and the capacities that make taking part "
    "possible are weakest. @fig-need sets every LA on both; "
    + p.escape_md(findings["double_deficit"]["text"])
)
authors("Commentary: intervention")

# %%
#| echo: false
#| label: fig-need
#| fig-cap: "Every LA on the drivers index and the active citizenship index; LAs significantly below England on both are highlighted."
#| fig-alt: "Scatter of every LA on the drivers and active citizenship indices with the double-deficit LAs highlighted."
by_la = {}
for r in facts["distribution"]:
    if r["indicator"] in ("index_drivers", "index_outcomes"):
        by_la.setdefault(r["la_code"], {"la_code": r["la_code"], "la_name": r["la_name"]})[
            "drivers" if r["indicator"] == "index_drivers" else "outcomes"] = r["estimate"]
need_rows = [v for v in by_la.values() if "drivers" in v and "outcomes" in v]
draw(plots.need_scatter(
    need_rows, x_centre=england["index_drivers"]["estimate"], y_centre=england["index_outcomes"]["estimate"],
    highlight=[r["la_code"] for r in dd], xlabel="Drivers of active citizenship index",
    ylabel="Active citizenship index",
))
chart_data("fig-need", (
    ["Local authority", "Active citizenship", "Drivers", "Below England on both"],
    [[p.escape_md(v["la_name"]), mean(v["outcomes"]), mean(v["drivers"]),
      "Yes" if v["la_code"] in {r["la_code"] for r in dd} else "No"] for v in need_rows],
))

# %%
#| echo: false
#| label: tbl-double-deficit
#| tbl-cap: "LAs significantly below England on both active citizenship and its drivers, furthest below first (at most ten; all are in tables.csv)."
show(p.md_table(
    ["Local authority", "Region", "LA type", f"Active citizenship ({ci})", f"Drivers ({ci})"],
    [[p.escape_md(r["la_name"]), p.escape_md(r["region"]), p.escape_md(r["la_type"]),
      pair_text(r, "outcomes"), pair_text(r, "drivers")] for r in dd[:MAX_NAMED]]
    if dd else [["None", "–", "–", "–", "–"]],
    align=["l", "l", "l", "r", "r"],
))

# %%
#| echo: false
#| label: tbl-groups-need
#| tbl-cap: "Population groups significantly below England overall on both active citizenship and its drivers, furthest below first."
gin = facts["groups_in_need"]
show(p.md_table(
    ["Group", f"Active citizenship ({ci})", f"Drivers ({ci})"],
    [[f"{p.escape_md(r['breakdown_label'])}: {p.escape_md(r['group'])}", pair_text(r, "outcomes"),
      pair_text(r, "drivers")] for r in gin] if gin else [["None", "–", "–"]],
    align=["l", "r", "r"],
))

# %%
#| echo: false
show(
    "## What the LA reports recommend\n\n"
    "Each LA report matches its statistically significant gaps to the interventions of the "
    "editable intervention library. Counted across every LA: "
    + p.escape_md(findings["interventions"]["text"])
)

# %%
#| echo: false
#| label: fig-interventions
#| fig-cap: "How many LA reports recommend each intervention."
#| fig-alt: "Bars counting the LA reports that recommend each intervention in the library."
used = [r for r in facts["interventions"] if r["n_las"]]
reported = facts["interventions_meta"]["n_las_reported"]
if used:
    draw(plots.count_bar_chart(used, label_key="name", value_key="n_las",
                               xlabel=f"LA reports recommending it (of {n(reported)})"))
    chart_data("fig-interventions", (["Intervention", "LA reports"], [[p.escape_md(r["name"]), n(r["n_las"])] for r in used]))

# %%
#| echo: false
#| label: tbl-interventions
#| tbl-cap: "Interventions the LA reports recommend: how many LAs, the share of LAs, how often it is the first recommendation, and how many groups and areas it is aimed at."
show(p.md_table(
    ["Intervention", "LAs", "Share of LAs", "First recommendation", "Groups and areas targeted"],
    [[p.escape_md(r["name"]), n(r["n_las"]), f"{r['share_las']:.0%}", n(r["n_first"]), n(r["n_targets"])]
     for r in facts["interventions"]],
    align=["l", "r", "r", "r", "r"],
))

# %%
#| echo: false
if prev is None:
    show(f"# Change over time\n\n{meta['year']} is the first Civic Pulse wave, so change cannot yet be measured.")
else:
    show(
        f"# Change since {prev}\n\n"
        f"Each of England's figures for {meta['year']} is compared with {prev} by a two-sample z test "
        f"at the {ci.replace(' CI', '')} level. " + p.escape_md(findings["change"]["text"])
    )
authors("Commentary: change")

# %%
#| echo: false
#| label: fig-change
#| fig-cap: "England's domain indices in the previous wave and this one, with this wave's 95% confidence interval; the marker shows whether the change is significant."
#| fig-alt: "England's domain indices in the previous and the current wave."
index_change = [r for r in facts["change"] if r["indicator"] in meta["indices"]]
if index_change:
    draw(plots.change_chart(index_change, labels=labels, previous=prev, year=meta["year"]))
    chart_data("fig-change", (
        ["Index", str(prev), str(meta["year"]), "Change", "Significant"],
        [[labels[r["indicator"]], mean(r["previous_estimate"]), mean(r["estimate"]), p.fmt_float(r["change"], 1),
          "Yes" if r["change_significant"] else "No"] for r in index_change],
    ))

# %%
#| echo: false
#| label: tbl-change
#| tbl-cap: "England's change on every measure since the previous wave, with the 95% interval of the change."
show(p.md_table(
    ["Measure", "Previous wave", "This wave", "Change", f"{ci} of the change", "Verdict"],
    [[p.escape_md(r["label"]), p.value({**r, "estimate": r["previous_estimate"]}), p.value(r),
      p.fmt_float(r["change"], 1), f"{p.fmt_float(r['change_ci_lower'], 1)} to {p.fmt_float(r['change_ci_upper'], 1)}",
      r["direction"]] for r in facts["change"]]
    if facts["change"] else [["No previous wave", "–", "–", "–", "–", "–"]],
    align=["l", "r", "r", "r", "r", "l"],
))

# %%
#| echo: false
#| label: tbl-la-change
#| tbl-cap: "LAs whose domain index changed significantly since the previous wave."
show(p.md_table(
    ["Index", "LAs published in both waves", "Rose significantly", "Fell significantly"],
    [[labels[r["indicator"]], n(r["n_las"]), n(r["n_up"]), n(r["n_down"])] for r in facts["la_change"]],
))

# %%
#| echo: false
authors("Conclusion", "# Conclusion")

# %%
#| echo: false
show(f"""
# Methodology

**Survey and weights.** Civic Pulse is a survey of adults in each local authority, one row per
respondent per wave, with design weights that correct for unequal chances of selection and
non-response and gross up to the adult population. Weighting widens intervals: the Kish design
effect deff = n Σw² / (Σw)² and the effective sample size n_eff = (Σw)² / Σw² are shown below
and for every estimate in `tables.csv`.

**Estimates and intervals.** Proportions are weighted percentages with {ci.replace(' CI', '')}
Wilson score intervals computed on the Kish effective sample size (the method OHID Fingertips
uses for proportions). Means and domain indices are weighted means with a Taylor-linearised
standard error and a normal interval.

**Domain indices.** Each indicator is standardised against England in the first wave
({meta['reference_wave']}), turned so that higher is better and averaged with equal weights within
its domain (OECD/JRC Handbook on Constructing Composite Indicators). Index = 100 + 10 × the mean
z-score, so England in {meta['reference_wave']} is 100.

**Comparison with England.** Fingertips-style: an LA, region, LA type or population group is
*better* or *worse* than England only when its interval excludes England's value (taking account
of whether higher is better), *similar* otherwise. National groups are compared with England's
overall value in the same way. LAs are shown in significance bands and in caterpillar plots with
their intervals, never as a bare league table.

**The two quadrant views.** {p.escape_md(facts['methods']['quadrant_rule'])}

**Agreement of the two lenses.** {p.escape_md(facts['methods']['lens_agreement'])}

**Where intervention is needed.** An LA or group is in the double deficit when both its active
citizenship index and its drivers index are significantly below England; they are ordered by the
mean of the two gaps in index points. The intervention counts come from running every LA's
priority table and recommendations exactly as its own report does.
{p.escape_md(facts['methods']['priority'])}

**Change.** Change since the previous wave is a two-sample z test on the two estimates' standard
errors (independent samples), with a {ci.replace(' CI', '')} interval of the change.

**Disclosure control.** No figure based on fewer than {meta['min_base']} respondents (unweighted) is
published in this draft or its tables; an LA whose estimate is suppressed is counted as not
published and placed in no band or quadrant.
""")

# %%
#| echo: false
#| label: tbl-quality
#| tbl-cap: "Respondents, LAs surveyed, weighted base and the effect of weighting, by survey wave, for England."
show(p.md_table(
    ["Wave", "Respondents", "LAs surveyed", "Weighted base (adults)", "Effective sample size", "Design effect"],
    [[r["wave"], n(r["respondents"]), n(r["las_surveyed"]), n(r["weighted_base"]), n(r["n_eff"]),
      p.fmt_float(r["deff"])] for r in facts["data_quality"]],
))

# %%
#| echo: false
#| label: tbl-alpha
#| tbl-cap: "Internal consistency of each domain in England: Cronbach's alpha."
show(p.md_table(
    ["Domain", "Alpha (England)", "Complete responses"],
    [[domains[a["domain"]]["label"], p.fmt_float(a["england"]), n(a["n"])] for a in facts["alpha"]],
))

# %%
#| echo: false
caveats = [
    "Survey estimates carry sampling error: a difference inside the confidence intervals may be chance, "
    "and with hundreds of comparisons a few 'significant' ones are expected by chance alone.",
    "Significance depends on sample size: a large LA can differ significantly from England by a small amount, "
    "a small LA can differ a lot without reaching significance. Read the size of the gap with the flag.",
    "Ranks are uncertain. No LA is given a rank on a Civic Pulse index; the ranks in the lens comparison "
    "carry the sampling error of both surveys, so a move of a few places means little.",
    "The Place Survey 2008 and Civic Pulse differ in year, mode, population and question wording: they are "
    "contrasted as two lenses, not read as a trend.",
    "An LA 'not clearly placed' in a quadrant may still be in it; the survey cannot show it with confidence.",
    "Population groups are compared with England overall, of which they are part; a group whose "
    "circumstances are part of its definition (for example disabled residents and ill health as a barrier) "
    "can differ for that reason.",
    "Counts of recommended interventions show what the gaps call for under the intervention library's "
    "mapping; they are not evidence that an intervention works, and local knowledge should test them.",
    "Change is measured between independent samples; a panel would need the covariance term.",
    f"Estimates on fewer than {meta['min_base']} respondents are suppressed and appear nowhere.",
    *(["Every figure in this draft comes from synthetic demonstration data."] if meta["synthetic"] else []),
]
show("# Assumptions and caveats\n\n" + "\n".join(f"- {p.escape_md(c)}" for c in caveats))

# %%
#| echo: false
show("# Annex: indicator definitions\n")

# %%
#| echo: false
#| label: tbl-definitions
#| tbl-cap: "Indicator definitions."
show(p.md_table(
    ["Indicator", "Domain", "Definition", "Better when"],
    [[p.escape_md(i["label"]), domains[i["domain"]]["label"], p.escape_md(i["definition"]),
      {"higher_is_better": "higher", "lower_is_better": "lower", "neutral": "no judgement"}[i["polarity"]]]
     for i in facts["indicators"]],
    align=["l", "l", "l", "l"],
))
