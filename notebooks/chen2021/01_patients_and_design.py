# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (chen2021-patients)=
# # Chen 2021, patients and design: who was treated, and how the groups were formed
#
# **Question.** Who were the 28 patients, and how did they end up in the three groups that
# the whole paper compares?
#
# ## Overview
#
# Chen et al. {cite:p}`chen2021` studied "28 R/R B-ALL patients treated with hCART19s in the
# Affiliated Hospital of Xuzhou Medical University from 2016 to 2020", "including 12 males
# and 16 females, with a median age of 22 years". After the first infusion, "10 patients
# received allo-HSCT (CART+HSCT group), 7 patients received a second hCART19s infusion
# (CART2 group), and 11 patients did not receive HSCT or a second hCART19s infusion (CART1
# group)". The groups were formed by what happened *after* the first infusion, "depending on
# patients' choice, disease status, and their affordability to the treatment".
#
# ```{admonition} Pseudo-patients
# :class: warning
# The paper's Table 1 ("Patient characteristics") and Supplementary Table 1 are images that
# are not in the published text. Everything patient-level on this page comes from
# **reconstructed pseudo-patients** ([how they were made](reconstruction)): the group sizes,
# sex and response counts are the paper's; ages, dates and the blasts and MRD categories are
# fitted or assumed, and the summary table below is **not** the paper's Table 1.
# ```

# %% tags=["parameters"]
cohort = "chen2021"
cohort_seed = None  # None: the committed pseudo-cohort; 2-21: another one of the ensemble
spread = "range"  # Table 1 spread beside each median: "range" (as the paper prints) or "iqr"

# %% [markdown]
# ````{admonition} Try it
# :class: tip
# Rerun this chapter with interquartile ranges instead of ranges beside the medians of
# Table 1. From the project folder:
#
# ```bash
# .venv/bin/python -m cart_hsct.rerun chen2021/01_patients_and_design -p spread iqr
# ```
#
# Look at Table 1: the paper publishes medians and at most ranges, so the reconstruction
# only had to fit those; the quartiles you now see are its own seeded draw, not the study's,
# and another equally good reconstruction would give other ones. The command writes the
# rerun page to `_build/rerun/chen2021/01_patients_and_design.ipynb`: open it in Jupyter to
# read it.
# ````

# %% tags=["hide-input"]
# %matplotlib inline
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from myst_nb import glue

from cart_hsct import cohorts, ledger, plots, provenance, summary_plots
from cart_hsct.reconstruct import load_spec

plots.set_theme()
# the shortest and longest possible follow-up: last and first enrolment to the cut-off
shortest_followup, longest_followup = load_spec("chen2021").design.followup_bounds
glue("shortest_followup", f"{shortest_followup:,}", display=False)
glue("longest_followup", f"{longest_followup:,}", display=False)

# %% [markdown]
# ## The cohort flow

# %%
pts = cohorts.load(cohort, seed=cohort_seed)
order = ["CART+HSCT", "CART2", "CART1"]
n = {
    "infused": len(pts),
    "evaluable": int((pts["response"] != "NE").sum()),
    "ne": int((pts["response"] == "NE").sum()),
    "cr": int((pts["response"] == "CR").sum()),
    "nr": int((pts["response"] == "NR").sum()),
    **{g: int((pts["group"] == g).sum()) for g in order},
    "cart1_cr": int(((pts["group"] == "CART1") & (pts["response"] == "CR")).sum()),
    "cr2": int((pts["cr2"] == "yes").sum()),
}
for k, v in n.items():
    glue(f"flow_{k.replace('+', '_')}", v, display=False)
pd.Series(n, name="patients").to_frame()

# %%
fig_flow = Figure(figsize=(9, 5.2), layout="constrained")
ax = fig_flow.subplots()
ax.set_axis_off()
ax.set_xlim(0, 10)
ax.set_ylim(0, 6.3)


def box(x, y, text, colour="0.92", w=2.6, h=0.9):
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.05",
            facecolor=colour,
            edgecolor="0.3",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize="small")


def arrow(x0, y0, x1, y1):
    ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "->", "color": "0.3"})


box(5, 5.7, f"First hCART19s infusion\nn = {n['infused']}")
box(8.7, 4.5, f"Not evaluable\n(died day 14)\nn = {n['ne']}", w=2.2, h=1.0)
box(5, 4.3, f"Evaluable at day 14/28\nn = {n['evaluable']}")
box(7.4, 3.0, f"No CR\nn = {n['nr']}", w=1.8)
box(5, 2.9, f"Complete remission\nn = {n['cr']}")
colours = dict(zip(order, plots.OKABE_ITO, strict=False))  # the first colours of the palette
box(
    1.6,
    0.8,
    f"CART+HSCT\nn = {n['CART+HSCT']}\n(all in MRD-negative CR)",
    colours["CART+HSCT"] + "55",
    h=1.1,
    w=2.9,
)
box(
    5,
    0.8,
    f"CART2: relapse, 2nd infusion\nn = {n['CART2']}\n(2nd CR: {n['cr2']})",
    colours["CART2"] + "55",
    h=1.1,
    w=2.9,
)
box(
    8.4,
    0.8,
    f"CART1: nothing further\nn = {n['CART1']}\n({n['cart1_cr']} CR + {n['nr']} no CR + {n['ne']} NE)",
    colours["CART1"] + "55",
    h=1.1,
    w=2.9,
)
arrow(5, 5.25, 5, 4.75)
arrow(6.3, 5.5, 7.6, 5.0)
arrow(5, 3.85, 5, 3.35)
arrow(6.3, 4.1, 6.9, 3.45)
for x in (1.6, 5, 8.4):
    arrow(5, 2.45, x, 1.4)
arrow(7.4, 2.55, 7.9, 1.4)
arrow(9.4, 4.0, 9.4, 1.4)
glue("fig_flow", fig_flow, display=False)

# %% [markdown]
# ```{glue:figure} fig_flow
# :name: fig-chen-flow
# :alt: Flow chart of the Chen cohort from infused patients to evaluable patients and complete remission, branching into the CART1, CART2 and CART+HSCT groups.
# Cohort flow (drawn from the text; the paper has no flow chart). Of the
# {glue:text}`flow_infused` infused patients, {glue:text}`flow_evaluable` were evaluable and
# {glue:text}`flow_cr` reached CR. The three analysis groups are defined by what happened
# next: every CART+HSCT and CART2 patient had been in CR, so the non-responders and the early
# death all sit in CART1. That is the first thing to remember when the groups' survival is
# compared.
# ```
#
# ## Treatment timeline
#
# The groups differ in *when* their defining event happened: the transplant at a median of
# 63 days after infusion, the second infusion "as soon as the relapse was clinically
# confirmed". Each line below is one pseudo-patient, from the first infusion to death or the
# data cut-off.

# %%
pts_sorted = pts.assign(g=pd.Categorical(pts["group"], order)).sort_values(["g", "os_days"])
fig_swim = Figure(figsize=(9, 7.5), layout="constrained")
ax = fig_swim.subplots()
for i, (_, p) in enumerate(pts_sorted.iterrows()):
    c = colours[p["group"]]
    ax.hlines(i, 0, p["os_days"], color=c, lw=3, alpha=0.6)
    if p["os_event"] == 1:
        ax.plot(p["os_days"], i, "x", color="0.1", ms=7)
    else:
        ax.plot(p["os_days"], i, ">", color=c, ms=6)
    if pd.notna(p["hsct_day"]):
        ax.plot(p["hsct_day"], i, "D", color=colours["CART+HSCT"], mec="0.1", ms=6)
    if pd.notna(p["relapse_day"]):
        ax.plot(p["relapse_day"], i, "o", color="white", mec="0.1", ms=6)
    if pd.notna(p["second_relapse_days"]):
        # the second infusion followed the first relapse closely (Methods); its day is not published
        ax.plot(p["relapse_day"] + p["second_relapse_days"], i, "o", color="0.5", mec="0.1", ms=6)
ax.set_yticks([])
ax.set_xlabel("Days from first infusion")
ax.set_ylabel("Pseudo-patients (CART+HSCT, CART2, CART1 from bottom)")
handles = [
    ax.plot([], [], "D", color=colours["CART+HSCT"], mec="0.1")[0],
    ax.plot([], [], "o", color="white", mec="0.1")[0],
    ax.plot([], [], "o", color="0.5", mec="0.1")[0],
    ax.plot([], [], "x", color="0.1")[0],
    ax.plot([], [], ">", color="0.4")[0],
]
ax.legend(
    handles,
    [
        "allo-HSCT",
        "first relapse",
        "second relapse (after reinfusion)",
        "death",
        "alive at cut-off",
    ],
    loc="lower right",
    fontsize="small",
)
glue("fig_swim", fig_swim, display=False)

# %% [markdown]
# ```{glue:figure} fig_swim
# :name: fig-chen-swimmer
# :alt: Swimmer plot with one horizontal line per pseudo-patient, coloured by treatment group, with diamonds for transplant, open circles for first relapse and grey circles for second relapse.
# Treatment timeline of the 28 pseudo-patients (one line each, coloured by group). Diamonds
# mark the transplant, open circles the first relapse, grey circles the second relapse after
# the second infusion (placed from the first relapse, because the reinfusion day is not
# published). Note how every transplant happens before any relapse in that group, and how the
# CART1 lines are the shortest: the early deaths before anything else could happen are all
# there.
# ```
#
# ## A Table-1-style summary of the reconstructed cohort
#
# ```{admonition} Not the paper's Table 1
# :class: caution
# The paper's Table 1 is an image not in the text, and the text gives only sex (12/16) and
# the median age (22 years). The table below describes the pseudo-patients; apart from the
# published counts it reflects the reconstruction's choices. The paper states that "there
# was no statistical difference among the baseline data of the three groups"; with the
# actual table missing, that claim cannot be checked.
# ```


# %%
def n_pct(mask, by):
    k = mask.groupby(by, observed=True).sum()
    tot = by.value_counts()
    return {g: f"{int(k.get(g, 0))} ({100 * k.get(g, 0) / tot[g]:.0f}%)" for g in tot.index}


if spread not in ("range", "iqr"):
    raise ValueError(f"spread = {spread!r}: use 'range' (as the paper prints) or 'iqr'")
spread_label = {"range": "range", "iqr": "IQR"}[spread]


def med_range(values, by):
    out = {}
    for g, v in values.groupby(by, observed=True):
        v = v.dropna()
        lo, hi = (v.min(), v.max()) if spread == "range" else (v.quantile(0.25), v.quantile(0.75))
        out[g] = f"{v.median():g} ({lo:g}-{hi:g})" if len(v) else "-"
    return out


grp = pd.Categorical(pts["group"], order)
allgrp = pd.Series("All", index=pts.index)
rows = {
    "patients, n": {**pts["group"].value_counts().to_dict(), "All": len(pts)},
    "male sex": {**n_pct(pts["sex"] == "male", grp), **n_pct(pts["sex"] == "male", allgrp)},
    f"age, years, median ({spread_label})": {
        **med_range(pts["age_years"], grp),
        **med_range(pts["age_years"], allgrp),
    },
    "bone-marrow blasts >= 20% at infusion": {
        **n_pct(pts["blasts_ge20"] == 1, grp),
        **n_pct(pts["blasts_ge20"] == 1, allgrp),
    },
    "MRD >= 65.6% at infusion": {
        **n_pct(pts["mrd_infusion_high"] == 1, grp),
        **n_pct(pts["mrd_infusion_high"] == 1, allgrp),
    },
    "CR after first infusion": {
        **n_pct(pts["response"] == "CR", grp),
        **n_pct(pts["response"] == "CR", allgrp),
    },
    "MRD-negative CR": {
        **n_pct(pts["mrd_after"] == "negative", grp),
        **n_pct(pts["mrd_after"] == "negative", allgrp),
    },
    f"days to allo-HSCT, median ({spread_label})": {
        **med_range(pts["hsct_day"], grp),
        **med_range(pts["hsct_day"], allgrp),
    },
}
table1 = pd.DataFrame(rows).T[[*order, "All"]]
table1.columns.name = "reconstructed"
table1

# %% [markdown]
# The medians and ranges of the table, patient by patient:

# %%
fig_t1 = summary_plots.distributions_by_group(
    pts,
    {
        "age_years": "Age (years)",
        "bm_blasts_pct": "Marrow blasts at infusion (%)",
        "mrd_infusion_pct": "MRD at infusion (%)",
    },
    group="group",
    order=order,
)
glue("fig_table1", fig_t1, display=False)

# %% [markdown]
# ```{glue:figure} fig_table1
# :name: fig-chen-table1
# :alt: Three panels of dots over boxes, one dot per pseudo-patient, for age, marrow blasts and MRD at infusion in each treatment path.
# Age, marrow blasts and MRD at infusion of the pseudo-patients by treatment path, one dot
# per patient over the quartiles. Only the median age is published; everything else here
# is the reconstruction's, so look at it as what the published counts allow, not as the
# study's patients.
# ```

# %% [markdown]
# The only patient-level number in the text is the median age.

# %%
age_median = float(pts["age_years"].median())
_ = ledger.record(
    "chen2021.age.median",
    age_median,
    note="kept by construction: the reconstruction fixes the median age at the "
    "published value (its range, 10-65, is assumed)",
)

# %% [markdown]
# Median age {glue:text}`chen2021.age.median:g` years, as published; that agreement is by
# construction and checks only that the reconstruction kept it.
#
# ## Design in brief
#
# - **Retrospective, single centre**, May 2016 to May 2020, data cut-off 1 January 2021; a
#   patient enrolled in May 2020 had at most about seven months of follow-up.
# - **One dose** of humanised CD19 CAR-T (1 x 10^6 cells/kg) after fludarabine and
#   cyclophosphamide; the second infusion used the same product.
# - **Groups defined by later events**: transplant (only in MRD-negative CR), second
#   infusion (only after relapse), or neither. Group membership is not known at day 0, so
#   comparing the groups from day 0 builds in immortal time (see
#   [survival](chen2021-survival) and [prognostic factors](chen2021-prognostic)).
#
# ## Exercises
#
# ```{exercise}
# :label: chen-pat-ex1
#
# Using the cohort flow, explain why the CART1 group must have a worse OS than the other two
# even if neither transplant nor a second infusion did anything.
# ```
#
# ```{solution-start} chen-pat-ex1
# :class: dropdown
# ```
#
# CART1 collects every patient who died or failed before another treatment was possible: the
# day-14 death and the two non-responders are all there, and nobody who died before day 63
# could be in CART+HSCT. The group labels select on early survival.
#
# ```{solution-end}
# ```
#
# ```{exercise}
# :label: chen-pat-ex2
#
# From the accrual window and the cut-off, compute the shortest and longest possible
# follow-up. Why does it matter for the 1-year rates on the survival page?
# ```
#
# ```{solution-start} chen-pat-ex2
# :class: dropdown
# ```
#
# From 31 May 2020 to 1 January 2021 is {glue:text}`shortest_followup` days; from 1 May 2016,
# {glue:text}`longest_followup` days. A patient
# enrolled after January 2020 and still alive is censored before one year, so a 1-year
# Kaplan-Meier rate need not be a simple fraction k/n.
#
# ```{solution-end}
# ```
#
# ## What the paper reports vs what we get

# %% tags=["remove-input"]
ledger.box()

# %% tags=["remove-input"]
provenance.provenance()
