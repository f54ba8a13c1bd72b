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
# <!-- The LA report. Presentation only: every number comes from the fact
#      bundle computed by civicpulse_report; this notebook draws and writes. -->

# %% tags=["parameters"]
#| include: false
la_code = "X06000001"
year = 2026
facts_path = "build/2026/facts/X06000001.json"

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
if meta["la_code"] != la_code or int(meta["year"]) != int(year):
    raise ValueError(f"fact bundle {facts_path} is for {meta['la_code']} {meta['year']}, not {la_code} {year}")
name = p.escape_md(meta["la_name"])
domains = {d["id"]: d for d in facts["domains"]}
civic_domains = [d for d in facts["domains"] if d["role"] == "civic_pulse"]
indicators = {i["id"]: i for i in facts["indicators"]}
la_rows = {r["indicator"]: r for r in facts["la_indicators"]}
eng_headline = {r["indicator"]: r for r in facts["england_headline"]}


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


def domain_heading(domain_id):
    d = domains[domain_id]
    show(f"# {d['label']}\n\n{p.escape_md(d['description'])}\n")


def domain_rows(domain_id):
    return [la_rows[i["id"]] for i in facts["indicators"] if i["domain"] == domain_id]


def domain_figure(domain_id):
    rows = [
        {**r, "label": indicators[r["indicator"]]["short"], "unit_label": indicators[r["indicator"]]["label"]}
        for r in domain_rows(domain_id)
    ]
    draw(plots.estimate_dot_chart(rows, xlabel={"percent": "Per cent"}, comparator_label=top_plain))
    chart_data(f"fig-{domain_id}", p.estimate_data(rows, label_header="Indicator", label_key="unit_label",
                                                   comparator=top_header))


# Comparators named for what they are (bundle meta); one without a figure is left out, saying why.
comparators = meta["comparators"]
SHORT_HEADER = {"LA type": "Same type", "Nearest neighbours": "Neighbours"}
shown_comparators = [k for k in ("england", "region", "la_type", "neighbours") if comparators[k]["available"]]
missing_comparators = [comparators[k] for k in ("england", "region", "la_type", "neighbours")
                       if not comparators[k]["available"]]


def comparator_header(key):
    return p.escape_md(SHORT_HEADER.get(comparators[key]["name"], comparators[key]["name"]))


top_shown = comparators["england"]["available"]
# What the area as a whole is compared with: plain (charts), escaped (text), as a heading; None if nothing.
top_plain = comparators["england"]["name"] if top_shown else None
top_name = p.escape_md(top_plain) if top_shown else None
top_header = comparator_header("england") if top_shown else None
# What groups and neighbourhoods are compared with (the LA's own average when nothing wider exists).
within_shown = comparators["groups"]["available"]
within_plain = comparators["groups"]["name"] if within_shown else None
within_name = p.escape_md(comparators["groups"]["name"])


def with_value(name, value):
    """A comparator's figure in brackets or after "against": "England 100.2", "100.2 for the 5 LAs ..."."""
    return p.escape_md(p.named_value(name, value))
index_scale = f"Index ({meta['index_reference']}, first wave = 100)"  # an axis label: plain text


def domain_table(domain_id):
    vs = ([f"vs {comparator_header('england')}"] if "england" in shown_comparators else [])
    show(p.md_table(
        ["Indicator", "Area", "95% CI", *[comparator_header(k) for k in shown_comparators], *vs, "Change"],
        [[p.escape_md(indicators[r["indicator"]]["label"]), p.value(r), p.interval(r),
          *[p.value(r, f"{k}_value") for k in shown_comparators],
          *([p.significance(r)] if vs else []), p.change_text(r)]
         for r in domain_rows(domain_id)],
    ))
    if missing_comparators:
        show(" ".join(f"*Not shown: {p.escape_md(c['name'])}, because {p.escape_md(c['reason'])}.*"
                      for c in missing_comparators))


# %%
#| echo: false
# The council's own foreword (data/config/narrative/<la_code>.md), shown verbatim.
foreword = (facts.get("narrative") or {}).get("Foreword")
if foreword:
    show(f"# Foreword\n\n{foreword}\n")

# %% [markdown]
# # Summary

# %%
#| echo: false
if meta["synthetic"]:
    show(
        "::: {.callout-warning}\n"
        "**Synthetic demonstration data.** Every figure in this report is computed from "
        "generated data with a realistic structure, calibrated to published England figures. "
        "They are not real survey results and describe no real place.\n:::\n"
    )
q = facts["data_quality"][-1]
sample = (
    f"fewer than {meta['min_base']} respondents, too few to publish its figures"
    if q.get("suppressed")
    else f"{p.fmt_int(q['respondents'])} respondents, weighted to the adult population of "
    f"{p.fmt_int(q['weighted_base'])}"
)
show(
    f"This report describes active citizenship in **{name}** ({p.escape_md(meta['la_type'])}, "
    f"{p.escape_md(meta['region'])}) from the Civic Pulse survey, wave {meta['year']}: "
    f"{sample}. {p.escape_md(meta['comparator_sentence'])} "
    f"95% confidence intervals are shown throughout."
)

# %% [markdown]
# ## Key findings

# %%
#| echo: false
show("\n".join(f"{i}. {p.escape_md(f['text'])}" for i, f in enumerate(facts["findings"], 1)))

# %% [markdown]
# ## Civic Pulse at a glance

# %%
#| echo: false
# Captions and descriptions name the comparators: each {top_...} and {within_...} placeholder
# in the fig-cap, tbl-cap and fig-alt options below is filled in from the fact bundle once the
# notebook has run (civicpulse_report.report.present.caption_fields): "England" for the whole
# nation, "the 5 LAs in this data set" for a pooled sample, nothing where there is no comparator.
show(
    f"@fig-headline shows the five Civic Pulse domain indices for the area"
    f"{f' against {top_name}' if top_shown else ''}.\n"
    f"Each index is 100 for {p.escape_md(meta['index_reference'])} in the first survey wave; 10 points is "
    "roughly one\nstandard deviation of individual scores."
)

# %%
#| echo: false
#| label: fig-headline
#| fig-cap: "Civic Pulse domain indices for the area, with 95% confidence intervals{top_vs_tick}."
#| fig-alt: "Dot chart of the five Civic Pulse domain indices for the local authority with 95% confidence interval bars{top_tick} on each row; the values are listed in the table below and in tables.csv."
rows = [{**r, "label": domains[r["indicator"].removeprefix("index_")]["label"]} for r in facts["headline"]]
draw(plots.estimate_dot_chart(rows, xlabel=index_scale, comparator_label=top_plain))
chart_data("fig-headline", p.estimate_data(rows, label_header="Domain", comparator=top_header))

# %%
#| echo: false
#| label: tbl-headline
#| tbl-cap: "Civic Pulse domain indices: the area{top_vs}."
show(p.md_table(
    ["Domain", "Index", "95% CI",
     *([comparator_header("england"), f"Compared with {comparator_header('england')}"] if top_shown else []),
     "Change since last wave"],
    [[r["label"], p.value(r), p.interval(r),
      *([p.value(eng_headline[r["indicator"]]), p.significance(r)] if top_shown else []), p.change_text(r)]
     for r in rows],
))

# %%
#| echo: false
# The spine sets the area among other LAs around a wider figure: with no other LA, or no
# wider figure, there is nothing to set it against, and the report says so.
spine_las = max((r.get("n_las") or 0 for r in facts["spine"]), default=0)
spine_shown = top_shown and spine_las >= 2
if spine_shown:
    centre = p.escape_md(p.figure_of(top_plain))
    show(
        f"## All indicators against {top_name}\n\n"
        f"The spine chart (@fig-spine) places every indicator on one scale: {centre} in the centre, the\n"
        "best LA at the right and the worst at the left. The grey bar shows the range across all LAs\n"
        "and the darker bar the middle half of them."
    )
else:
    why = comparators["england"]["reason"] if not top_shown else "this data set holds no other LA"
    show(f"## All indicators\n\n*No spine chart: it sets the area among other LAs around a wider figure, "
         f"and there is none to set it against ({p.escape_md(why)}). Every indicator is listed by domain below.*")

# %%
#| echo: false
#| label: fig-spine
#| fig-cap: "Spine chart: every indicator for the area against the distribution of all LAs{top_centre}."
#| fig-alt: "Spine chart with one row per indicator: a light grey bar for the range of all local authorities, a darker bar for the middle 50 per cent,{top_line} a coloured marker for this area; the values are in tables.csv (table spine)."
if spine_shown:
    draw(plots.spine_chart(facts["spine"], comparator=top_plain))
    chart_data("fig-spine", p.spine_data(facts["spine"], comparator=top_header))

# %% [markdown]
# ## Change over time

# %%
#| echo: false
#| label: fig-trend
#| fig-cap: "Domain indices across all survey waves: the area{top_and}, with 95% confidence bands."
#| fig-alt: "Small multiple line charts, one per domain, each with a line for this area{top_trend_line} across the survey waves; values are in tables.csv (table trend)."
panels = {}
for d in facts["domains"]:
    ind = f"index_{d['id']}"
    panels[d["label"]] = {
        meta["la_name"]: [r for r in facts["trend"] if r["indicator"] == ind and r["level"] == "la"],
        **({comparators["england"]["name"]: [r for r in facts["trend"] if r["indicator"] == ind
                                             and r["level"] == "england"]} if top_shown else {}),
    }
draw(plots.small_multiples_trend(panels, ylabel="Index"))
chart_data("fig-trend", p.trend_data(panels))

# %%
#| echo: false
changes = facts["changes"]
if meta["previous_wave"] is None:
    show("This is the first wave of the survey for this area, so no change can be measured yet.")
elif not changes:
    show(f"No indicator changed significantly between {meta['previous_wave']} and {meta['year']}.")
else:
    show(p.md_table(
        ["Indicator", str(meta["previous_wave"]), str(meta["year"]), "Change"],
        [[p.escape_md(indicators.get(r["indicator"], {}).get("label", r["label"])),
          p.value({**r, "estimate": r["previous_estimate"]}), p.value(r), p.change_text(r)]
         for r in changes],
        caption=f"Indicators that changed significantly between {meta['previous_wave']} and {meta['year']}.",
    ))

# %%
#| echo: false
domain_heading("everyday")

# %%
#| echo: false
#| label: fig-everyday
#| fig-cap: "Everyday citizenship: each indicator for the area with its 95% confidence interval{top_vs_tick}."
#| fig-alt: "Dot chart with one row per everyday citizenship indicator for the local authority, a confidence interval bar{top_marker}; values are in the table below and in tables.csv (table indicators)."
domain_figure("everyday")

# %%
#| echo: false
#| label: tbl-everyday
#| tbl-cap: "Everyday citizenship: the area{comparators_vs}."
domain_table("everyday")

# %%
#| echo: false
domain_heading("contemporary")

# %%
#| echo: false
#| label: fig-contemporary
#| fig-cap: "Contemporary civic behaviour: each indicator for the area with its 95% confidence interval{top_vs_tick}."
#| fig-alt: "Dot chart with one row per contemporary civic behaviour indicator for the local authority, a confidence interval bar{top_marker}; values are in the table below and in tables.csv (table indicators)."
domain_figure("contemporary")

# %%
#| echo: false
#| label: tbl-contemporary
#| tbl-cap: "Contemporary civic behaviour: the area{comparators_vs}."
domain_table("contemporary")

# %%
#| echo: false
domain_heading("drivers")

# %%
#| echo: false
#| label: fig-drivers
#| fig-cap: "Drivers of active citizenship: each indicator for the area with its 95% confidence interval{top_vs_tick}."
#| fig-alt: "Dot chart with one row per drivers of active citizenship indicator for the local authority, a confidence interval bar{top_marker}; values are in the table below and in tables.csv (table indicators)."
domain_figure("drivers")

# %%
#| echo: false
#| label: tbl-drivers
#| tbl-cap: "Drivers of active citizenship: the area{comparators_vs}."
domain_table("drivers")

# %%
#| echo: false
domain_heading("assets")

# %%
#| echo: false
#| label: fig-assets
#| fig-cap: "Social assets and deficits: each indicator for the area with its 95% confidence interval{top_vs_tick}."
#| fig-alt: "Dot chart with one row per social assets and deficits indicator for the local authority, a confidence interval bar{top_marker}; values are in the table below and in tables.csv (table indicators)."
domain_figure("assets")

# %%
#| echo: false
#| label: tbl-assets
#| tbl-cap: "Social assets and deficits: the area{comparators_vs}."
domain_table("assets")

# %%
#| echo: false
domain_heading("outcomes")

# %%
#| echo: false
#| label: fig-outcomes
#| fig-cap: "Active citizenship: each indicator for the area with its 95% confidence interval{top_vs_tick}."
#| fig-alt: "Dot chart with one row per active citizenship indicator for the local authority, a confidence interval bar{top_marker}; values are in the table below and in tables.csv (table indicators)."
domain_figure("outcomes")

# %%
#| echo: false
#| label: tbl-outcomes
#| tbl-cap: "Active citizenship: the area{comparators_vs}."
domain_table("outcomes")

# %% [markdown]
# # Old measures and Civic Pulse
#
# The Place Survey (2008) and the Citizenship Survey (2001-2011) mostly asked how satisfied people
# were with their area and services. Civic Pulse asks what people do and what they are able to do.
# The two lenses can tell different stories.

# %%
#| echo: false
legacy = facts["legacy"]
if legacy:
    # "Then (England)" is the older survey's published figure for England itself; "Now" is set
    # against the area's comparator, named for what it is, and left out when there is none.
    show(p.md_table(
        ["Older measure", "Source", "Year", "Then (area)", "Then (England)", "Civic Pulse measure", "Now (area)",
         *([f"Now ({top_header})"] if top_shown else [])],
        [[p.escape_md(r["legacy_label"]), p.escape_md(r["source_label"]), r["legacy_year"],
          p.format_value(r["legacy_value"], "proportion") if r.get("legacy_value") is not None else "–",
          p.format_value(r["legacy_england_value"], "proportion") if r.get("legacy_england_value") is not None else "–",
          p.escape_md(r["civic_pulse_label"]),
          p.format_value(r["civic_pulse_value"], "proportion") if r.get("civic_pulse_value") is not None else "–",
          *([p.format_value(r["civic_pulse_england_value"], "proportion")
             if r.get("civic_pulse_england_value") is not None else "–"] if top_shown else [])]
         for r in legacy],
        align=["l", "l", "r", "r", "r", "l", "r", *(["r"] if top_shown else [])],
        caption="Older survey measures beside the matching Civic Pulse measures.", label="tbl-legacy",
    ))
    caveats = sorted({r["caveat"] for r in legacy if r.get("caveat")})
    show("::: {.callout-note}\n**Comparing surveys.** " + " ".join(p.escape_md(c) for c in caveats) + "\n:::\n")
else:
    show("No Place Survey or Citizenship Survey figures are available for this area.")

# %%
#| echo: false
#| label: fig-legacy
#| fig-cap: "Place Survey 2008 figures for the area beside the matching Civic Pulse measures now (not a trend: the surveys differ)."
#| fig-alt: "Paired markers per measure: a grey square for the Place Survey 2008 value and a blue circle for the Civic Pulse value, each with its confidence interval, on a 0 to 100 per cent scale; values are in the legacy table above."
local = [r for r in legacy if r.get("legacy_value") is not None]
draw(plots.legacy_chart([{**r, "label": r["civic_pulse_label"]} for r in local]))
chart_data("fig-legacy", p.legacy_data([{**r, "label": r["civic_pulse_label"]} for r in local]))

# %% [markdown]
# ## Satisfaction against capacity
#
# @fig-quadrant places every LA on the traditional satisfaction and perceptions index
# (satisfaction with the area and the council, belonging, cohesion) and on the Civic Pulse drivers
# index (confidence, efficacy, resilience, wellbeing). LAs in the lower right are
# **hidden need** areas: people are satisfied, but the capacity to act is missing.

# %%
#| echo: false
#| label: fig-quadrant
#| fig-cap: "Every LA on the traditional satisfaction index and the Civic Pulse drivers index; this area highlighted with 95% confidence intervals."
#| fig-alt: "Scatter plot of all local authorities with the traditional satisfaction and perceptions index on the horizontal axis and the Civic Pulse drivers index on the vertical axis, dashed lines at {top_values} dividing four quadrants, and this area highlighted as a red diamond with error bars; values are in tables.csv (table quadrant)."
this = facts["this_quadrant"][0] if facts["this_quadrant"] else None
first = facts["quadrant"][0] if facts["quadrant"] else None
if first:
    draw(plots.quadrant_chart(facts["quadrant"], highlight=la_code, x_centre=first["england_traditional"],
                              y_centre=first["england_drivers"], highlight_label=meta["la_name"],
                              index_reference=meta["index_reference"]))
    chart_data("fig-quadrant", p.quadrant_data(facts["quadrant"], highlight=la_code))
else:
    show(f"*No quadrant chart: {p.escape_md(comparators['england']['reason'] or 'no LA has both indices')}.*")
if this:
    quadrant_versus = top_plain or "England"
    show(f"{name} is in the **{this['quadrant']}** quadrant: traditional index "
         f"{p.format_value(this['traditional'], 'mean')} "
         f"({with_value(quadrant_versus, p.format_value(this['england_traditional'], 'mean'))}), "
         f"drivers index {p.format_value(this['drivers'], 'mean')} "
         f"({with_value(quadrant_versus, p.format_value(this['england_drivers'], 'mean'))}).")

# %% [markdown]
# ## Two lenses within the area

# %%
#| echo: false
#| label: fig-lens
#| fig-cap: "Population groups and neighbourhoods in the area on the two lenses; those that look fine on satisfaction but lack drivers are ringed, and the lowest few on drivers labelled."
#| fig-alt: "Scatter plot of the area's population groups (circles) and modelled neighbourhood estimates (squares), traditional index on the horizontal axis and drivers index on the vertical axis, with dashed {within_lines}; flagged groups are labelled in red; values are in tables.csv (table lens)."
lens = facts["lens"]
units = lens.get("units", [])
if units:
    centre = first or units[0]
    draw(plots.lens_scatter(units, x_centre=centre["england_traditional"], y_centre=centre["england_drivers"]))
    chart_data("fig-lens", p.lens_data(units))


# %%
#| echo: false
def rho_text(value, what):
    if value is None:
        return f"too few {what} with enough respondents to compare rankings"
    return f"a rank correlation of {value:.2f} across {what}"


show(
    "How far do the two lenses agree about who is doing well? Ranking the area's "
    f"population groups on each gives {rho_text(lens.get('rho_groups'), 'groups')}, and ranking its "
    f"neighbourhoods gives {rho_text(lens.get('rho_neighbourhoods'), 'neighbourhoods')} "
    "(1 would mean the same order; values near 0 mean satisfaction says little about capacity)."
)
flagged = [u for u in units if u.get("flagged")]
if flagged:
    show("Groups and neighbourhoods that look fine on satisfaction but lack drivers:\n\n" + "\n".join(
        f"- **{p.escape_md(u['label'])}**: traditional index {p.format_value(u['traditional'], 'mean')}, "
        f"drivers index {p.format_value(u['drivers'], 'mean')} "
        f"({p.format_ci(u.get('drivers_ci_lower'), u.get('drivers_ci_upper'), 'mean')}), significantly below {within_name}."
        for u in flagged))
else:
    within_figure = p.escape_md(p.figure_of(within_plain or "England"))
    show(f"No group or neighbourhood combines a satisfaction level at or above {within_figure} with drivers "
         "significantly below it.")

# %% [markdown]
# # Where to act

# %%
#| echo: false
show(
    "The places and groups where active citizenship is lowest and its drivers most lacking,\n"
    f"ranked by a priority score that combines the size of the gap to {within_name}, its statistical\n"
    "significance and the number of people affected (see the methodology)."
)

# %%
#| echo: false
#| label: fig-priorities
#| fig-cap: "The largest gaps to {within_name} among the area's population groups and neighbourhoods, ranked by priority score."
#| fig-alt: "Horizontal bar chart of priority scores, one bar per group or neighbourhood and indicator, red for statistically significant gaps and grey for gaps that are not significant; the underlying estimates are in the table below and in tables.csv (table priorities)."
pri = facts["priorities"]
if pri:
    draw(plots.priority_chart(pri))
    chart_data("fig-priorities", p.priority_data(pri))

# %%
#| echo: false
#| label: tbl-priorities
#| tbl-cap: "Priority gaps: who and where, the estimate with its 95% confidence interval, and {within_name}."
show(p.md_table(
    ["Rank", "Who or where", "Indicator", "Estimate", "95% CI", within_name, "Significant", "People affected"],
    [[r["rank"], p.escape_md(r["where"]), p.escape_md(r["indicator_label"]), p.value(r), p.interval(r),
      p.value(r, "england_value"), "Yes" if r["significant"] else "No (monitor only)",
      p.fmt_int(r["population_affected"])] for r in pri],
    align=["r", "l", "l", "r", "r", "r", "l", "r"],
) if pri else f"No group or neighbourhood has a gap to {within_name} on any Civic Pulse measure.")

# %%
#| echo: false
#| label: fig-groups
#| fig-cap: "Drivers index by population group in the area, with 95% confidence intervals{within_comma_vs}."
#| fig-alt: "Dot chart of the drivers index for each population group in the area (age, sex, ethnic group, tenure, disability, deprivation, years in the area), with confidence interval bars and {within_ticks}; suppressed groups are marked; values are in tables.csv (table breakdowns)."
group_rows = [r for r in facts["breakdowns"] if r["indicator"] == "index_drivers"]
draw(plots.breakdown_chart(group_rows, xlabel=f"Drivers index ({meta['index_reference']}, first wave = 100)",
                           comparator_label=within_plain))
chart_data("fig-groups", p.estimate_data(
    [{**r, "label": f"{r['breakdown_label']}: {r['group']}"} for r in group_rows], label_header="Group",
    comparator=within_name if within_shown else None))

# %%
#| echo: false
#| label: fig-tiles
#| fig-cap: "Drivers index by neighbourhood (modelled estimates), on a tile map of the area."
#| fig-alt: "Tile map with one square per neighbourhood, shaded from dark blue (low) to yellow (high) by the modelled drivers index and labelled with the neighbourhood name and value; hatched tiles have too few respondents to publish; values are in tables.csv (table neighbourhoods)."
hood_rows = [r for r in facts["neighbourhoods"] if r["indicator"] == "index_drivers"]
# The colour scale's reference tick is the area's comparator, when there is one.
draw(plots.tile_map(hood_rows, value_label="Drivers index (modelled)",
                    england=eng_headline["index_drivers"]["estimate"] if top_shown else None,
                    reference_label=top_plain or "England"))
chart_data("fig-tiles", p.tile_data(hood_rows, comparator=within_name if within_shown else None))

# %%
#| echo: false
show(
    "Neighbourhood figures are **modelled** (empirical Bayes) estimates: each neighbourhood's survey "
    "estimate is pulled towards the area's overall figure in proportion to its uncertainty, so that "
    "small samples do not produce misleading extremes. Neighbourhoods with fewer than "
    f"{meta['min_base']} respondents are not shown."
)

# %% [markdown]
# # Recommendations

# %%
#| echo: false
recs = facts["recommendations"]
MAX_EVIDENCE_SHOWN = 6
if not recs:
    show(f"No gap to {within_name} is statistically significant, so no intervention is recommended on the "
         "evidence of this wave.")
for i, rec in enumerate(recs, 1):
    iv = rec["intervention"]
    lines = [f"## {i}. {p.escape_md(iv['name'])}", "", p.escape_md(iv["description"]), ""]
    lines.append("**For:** " + "; ".join(p.escape_md(t) for t in rec["targets"]) + "")
    lines.append("")
    lines.append("**Evidence from the survey:**")
    lines.append("")
    shown = rec["evidence"][:MAX_EVIDENCE_SHOWN]
    for ev in shown:
        lines.append(
            f"- {p.escape_md(ev['where'])}, {p.escape_md(ev['indicator_label'])}: "
            f"{p.format_value(ev['estimate'], ev['type'])} ({p.format_ci(ev['ci_lower'], ev['ci_upper'], ev['type'])}) "
            f"against {with_value(within_plain or 'England', p.format_value(ev['england_value'], ev['type']))}; "
            f"base {p.fmt_int(ev['base'])} respondents."
        )
    if len(rec["evidence"]) > len(shown):
        lines.append(
            f"- and {len(rec['evidence']) - len(shown)} further significant gaps for these groups "
            "(all listed in tables.csv, table recommendations)."
        )
    if rec.get("assets_to_build_on"):
        lines += ["", "**Assets to build on:**", ""]
        for a in rec["assets_to_build_on"]:
            lines.append(
                f"- {p.escape_md(a['where'])}, {p.escape_md(a['indicator_label'])}: "
                f"{p.format_value(a['estimate'], a['type'])} "
                f"({with_value(within_plain or 'England', p.format_value(a['england_value'], a['type']))})."
            )
    lines += ["", f"*Evidence note:* {p.escape_md(iv['evidence'])}"]
    for c in rec.get("caveats", []):
        lines.append(f"\n*Caveat:* {p.escape_md(c)}")
    show("\n".join(lines))
notes = facts.get("recommendation_notes", [])
if notes:
    show("::: {.callout-note}\n" + " ".join(p.escape_md(n) for n in dict.fromkeys(notes)) + "\n:::\n")

# %% [markdown]
# # Methodology and data quality

# %%
#| echo: false
#| label: tbl-quality
#| tbl-cap: "Respondents, weighted base and the effect of weighting, by survey wave."
fewer = f"fewer than {meta['min_base']}"
show(p.md_table(
    ["Wave", "Respondents", "Weighted base (adults)", "Effective sample size", "Design effect"],
    [[q["wave"], fewer, "suppressed", "suppressed", "suppressed"] if q.get("suppressed") else
     [q["wave"], p.fmt_int(q["respondents"]), p.fmt_int(q["weighted_base"]), p.fmt_int(q["n_eff"]),
      p.fmt_float(q["deff"])] for q in facts["data_quality"]],
))
if any(q.get("suppressed") for q in facts["data_quality"]):
    show(f"A wave with {fewer} respondents in {name} is shown without its count or weighting "
         "figures, as every other figure on so few respondents is.")

# %%
#| echo: false
reference_figure = p.escape_md(p.figure_of(meta["index_reference"]))
show(f"""
**Survey and weights.** Civic Pulse is a survey of adults in each local authority, one row per
respondent per wave. Design weights correct for unequal chances of selection and non-response
and gross up to the adult population. Weighting widens confidence intervals: the Kish design
effect, deff = n Σw² / (Σw)², and the effective sample size n_eff = (Σw)² / Σw² are shown
above and for every estimate in `tables.csv`.

**Estimates and intervals.** Proportions are weighted percentages with 95% Wilson score
intervals computed on the effective sample size, as recommended for proportions by OHID
Fingertips. Means (resilience, wellbeing, domain indices) are weighted means with a
Taylor-linearised standard error and a normal 95% interval.

**Comparisons.** {p.escape_md(meta['comparator_sentence'])} Whether the comparators are the whole
nation: {p.escape_md((meta.get('national_coverage') or {}).get('explanation', 'not recorded'))}.
Each comparison is made in the Fingertips manner: *better* or *worse* when the
area's 95% interval excludes the comparator's value (taking account of whether higher is better),
*similar* otherwise; *higher* and *lower* where no direction is better. Nearest neighbours are
the LAs most similar on deprivation, urbanity, age profile, ethnic diversity and population size
(standardised and weighted, Euclidean distance, in the spirit of CIPFA's model), of those with
survey data: {', '.join(p.escape_md(n) for n in meta['neighbours']) or 'none'}. The neighbours' value
pools their respondents.

**Change** since the previous wave uses a two-sample z test on the two estimates' standard errors
at the 95% level.

**Domain indices.** Each indicator is standardised against {p.escape_md(meta['index_reference'])} in the first wave
({meta['reference_wave']}), turned so that higher is better, and averaged with equal weights
within its domain for each respondent who answered at least half of them (OECD/JRC Handbook on
Constructing Composite Indicators: z-score normalisation, equal weighting, arithmetic
aggregation). Index = 100 + 10 × the average z-score, so {reference_figure} in {meta['reference_wave']} is 100.
Internal consistency is shown by Cronbach's alpha below.

**Scales.** Resilience is scored like the Brief Resilience Scale: the mean of six 1-5 items with
items 2, 4 and 6 reversed, for respondents answering at least four. Wellbeing is scored like
SWEMWBS: the sum of seven 1-5 items (7-35), for respondents answering all seven. Answers coded
-8 (don't know) or -9 (refused) are missing, never numbers.

**Disclosure control.** No figure based on fewer than {meta['min_base']} respondents (unweighted)
is published in this report or its tables; such cells say *suppressed* (primary suppression).
A hidden figure could otherwise be worked out by differencing: the total less the published
parts. So, as official statistics do, secondary suppression also hides the next-smallest figure
in every set of figures that add up to a published total (the groups of a breakdown and the
area; one group in every area and England; the neighbourhoods and the area; the areas of a
region, area type or England), wherever only one would be hidden, or the hidden ones together
rest on fewer than {meta['min_base']} respondents. These are shown as suppressed too. People with no
group recorded protect a group only when there are at least {meta['min_base']} of them.

**Neighbourhoods.** Neighbourhood figures are empirical Bayes (shrinkage) estimates: each
survey estimate is combined with the area's figure, weighted by their precision, with the
between-neighbourhood variance estimated by the method of moments (DerSimonian-Laird).
They are labelled *modelled*; their intervals slightly understate uncertainty because the
model's own parameters are estimated. A neighbourhood whose respondents all gave the same
answer has no spread of its own to measure, so its sampling variance is the area's, scaled to
the neighbourhood's sample size; it never gets a standard error of zero.

**Priority score.** {p.escape_md(facts.get('priority_method', ''))}
""")

# %%
#| echo: false
#| label: tbl-alpha
#| tbl-cap: "Internal consistency of each domain: Cronbach's alpha for the area{top_and_for}."
top_alpha = top_shown and any(a["england"] is not None for a in facts["alpha"])
show(p.md_table(
    ["Domain", "Alpha (area)", *([f"Alpha ({comparator_header('england')})"] if top_alpha else []),
     "Complete responses (area)"],
    [[domains[a["domain"]]["label"], p.fmt_float(a["la"]), *([p.fmt_float(a["england"])] if top_alpha else []),
      p.fmt_int(a["n"])]
     for a in facts["alpha"]],
))

# %%
#| echo: false
show("**Caveats.** " + " ".join([
    "Survey estimates carry sampling error; differences inside the confidence intervals may be chance.",
    "The Place Survey 2008 and Citizenship Survey used different modes, years and wording, so they are contrasted, not trended.",
    "The priority score ranks gaps for attention; it is not a measure of need on its own, and local knowledge should test it.",
    f"Groups and neighbourhoods are compared with {within_name} overall, so a group whose circumstances are part of its definition (for example disabled residents and ill health as a barrier) can rank high for that reason.",
    *(["All figures come from synthetic demonstration data."] if meta["synthetic"] else []),
]))

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
